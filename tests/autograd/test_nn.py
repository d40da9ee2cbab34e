"""Tests for nlpjourney.autograd.nn: modules against torch.nn, end to end and layer by layer.

The composite network (Linear, GELU, LayerNorm, ReLU, Dropout in eval, cross-entropy)
loads a torch model's state dict key by key and must give the same loss and the same
gradient for every parameter. Initializations are compared by their bounds and moments
(the random streams differ by design).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from nlpjourney.autograd import Tensor, nn
from nlpjourney.autograd import functional as F

from .test_tensor import helper_test_op


class OurNet(nn.Module):
    def __init__(self, dtype=np.float64) -> None:
        super().__init__()
        self.embed = nn.Linear(12, 16, dtype=dtype)
        self.blocks = [
            nn.Sequential(nn.Linear(16, 32, dtype=dtype), nn.GELU(), nn.Linear(32, 16, dtype=dtype))
            for _ in range(2)
        ]
        self.norm = nn.LayerNorm(16, dtype=dtype)
        self.drop = nn.Dropout(0.5)
        self.head = nn.Linear(16, 5, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        h = self.embed(x).relu()
        for block in self.blocks:
            h = h + block(h)  # residual
        return self.head(self.drop(self.norm(h)))


class TorchNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = torch.nn.Linear(12, 16)
        self.blocks = torch.nn.ModuleList(
            torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.GELU(), torch.nn.Linear(32, 16))
            for _ in range(2)
        )
        self.norm = torch.nn.LayerNorm(16)
        self.drop = torch.nn.Dropout(0.5)
        self.head = torch.nn.Linear(16, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(x).relu()
        for block in self.blocks:
            h = h + block(h)
        return self.head(self.drop(self.norm(h)))


def test_nn_composite_network_equals_torch_end_to_end() -> None:
    rng = np.random.default_rng(0)
    theirs = TorchNet().double().eval()
    with torch.no_grad():  # LayerNorm starts at 1 and 0: move it so its gradient matters
        theirs.norm.weight.uniform_(0.5, 1.5)
        theirs.norm.bias.uniform_(-0.5, 0.5)
    ours = OurNet().eval()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})

    x = rng.standard_normal((8, 12))
    targets = rng.integers(0, 5, size=8)
    loss = F.cross_entropy(ours(Tensor(x)), targets, label_smoothing=0.1)
    expected = torch.nn.functional.cross_entropy(
        theirs(torch.from_numpy(x)), torch.from_numpy(targets), label_smoothing=0.1
    )
    loss.backward()
    expected.backward()
    assert_close(torch.tensor(loss.item(), dtype=torch.float64), expected.detach())
    for (name, p), (_, t) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        assert_close(torch.from_numpy(p.grad), t.grad, msg=lambda m, name=name: f"{name}: {m}")


def test_nn_module_finds_parameters_in_attributes_lists_and_dicts() -> None:
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = nn.Parameter(np.ones(3))
            self.layers = [nn.Linear(3, 3), nn.Linear(3, 3, bias=False)]
            self.heads = {"a": nn.Linear(3, 1)}
            self.shared = self.layers[0]  # the same module twice: its parameters once

    names = [name for name, _ in Model().named_parameters()]
    assert names == [
        "scale",
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "heads.a.weight",
        "heads.a.bias",
    ]
    assert len(Model().parameters()) == 6


def test_nn_state_dict_round_trips_and_loads_in_place() -> None:
    a, b = nn.Linear(4, 2), nn.Linear(4, 2)
    weight = b.weight
    b.load_state_dict(a.state_dict())
    assert b.weight is weight  # same object: an optimizer holding it keeps working
    for name, value in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[name], value)
    a.state_dict()["weight"][:] = 0  # a copy, not a view
    assert a.weight.data.any()


def test_nn_load_state_dict_errors_name_keys_and_shapes() -> None:
    layer = nn.Linear(4, 2)
    with pytest.raises(ValueError, match=r"missing keys \['bias'\], unexpected keys \['b'\]"):
        layer.load_state_dict({"weight": np.zeros((2, 4)), "b": np.zeros(2)})
    with pytest.raises(
        ValueError, match=r"weight has shape \(4, 2\) in the state dict but \(2, 4\)"
    ):
        layer.load_state_dict({"weight": np.zeros((4, 2)), "bias": np.zeros(2)})
    layer.load_state_dict({"weight": np.zeros((2, 4))}, strict=False)
    assert not layer.weight.data.any()


def test_nn_train_eval_reach_every_module_and_zero_grad_clears() -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.Sequential(nn.Dropout(0.2), nn.ReLU()))
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    model(Tensor(np.ones((2, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_nn_repr_looks_like_torch() -> None:
    assert repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU())) == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)"
    )


def test_nn_embedding_matches_torch_with_repeated_ids() -> None:
    ids = np.array([[0, 3, 3], [1, 0, 3]])
    helper_test_op(
        [(5, 4)],
        lambda w: torch.nn.functional.embedding(torch.from_numpy(ids), w),
        lambda w: _embedding_with(w, ids),
    )


def _embedding_with(weight: Tensor, ids: np.ndarray) -> Tensor:
    layer = nn.Embedding(5, 4, dtype=np.float64)
    layer.weight = weight  # the helper's leaf, so its gradient is checked
    return layer(ids)


def test_nn_embedding_rejects_bad_ids() -> None:
    layer = nn.Embedding(5, 2)
    with pytest.raises(TypeError, match="integer ids, got dtype float64"):
        layer(np.array([1.0]))
    with pytest.raises(ValueError, match=r"ids must be in \[0, 5\), got values from 0 to 5"):
        layer(np.array([0, 5]))


@pytest.mark.parametrize("shape, normalized", [((4, 6), 6), ((2, 3, 4), (3, 4))])
def test_nn_layer_norm_matches_torch(shape, normalized) -> None:
    n = (normalized,) if isinstance(normalized, int) else normalized

    def ours(x: Tensor, w: Tensor, b: Tensor) -> Tensor:
        layer = nn.LayerNorm(normalized, dtype=np.float64)
        layer.weight, layer.bias = w, b
        return layer(x)

    helper_test_op(
        [shape, n, n], lambda x, w, b: torch.nn.functional.layer_norm(x, n, w, b, 1e-5), ours
    )


def test_nn_layer_norm_rejects_wrong_trailing_shape() -> None:
    with pytest.raises(ValueError, match=r"input shape \(2, 5\) does not end in \(4,\)"):
        nn.LayerNorm(4)(Tensor(np.ones((2, 5))))


def test_nn_dropout_is_inverted_and_off_in_eval() -> None:
    layer = nn.Dropout(0.25, generator=np.random.default_rng(0))
    x = Tensor(np.ones((200, 500)), requires_grad=True)
    y = layer(x)
    kept = y.data != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y.data[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)  # gradient flows only where kept
    assert layer.eval()(x) is x
    with pytest.raises(ValueError, match=r"dropout probability must be in \[0, 1\]"):
        nn.Dropout(1.5)


@pytest.mark.parametrize(
    "module, torch_module",
    [
        (nn.ReLU, torch.nn.ReLU),
        (nn.Tanh, torch.nn.Tanh),
        (nn.GELU, torch.nn.GELU),
        (nn.Sigmoid, torch.nn.Sigmoid),
    ],
)
def test_nn_activation_modules_match_torch(module, torch_module) -> None:
    helper_test_op([(3, 4)], torch_module(), module())


# --- initialization ----------------------------------------------------------------------


def test_nn_linear_init_has_torch_bounds_and_variance() -> None:
    nn.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight.data, layer.bias.data):
        assert p.dtype == np.float32
        assert np.abs(p).max() <= bound and np.abs(p).max() > 0.98 * bound
    # Uniform on [-b, b] has variance b**2 / 3.
    assert layer.weight.data.var() == pytest.approx(bound**2 / 3, rel=0.02)


@pytest.mark.parametrize(
    "ours, theirs, kwargs",
    [
        (nn.xavier_uniform_, torch.nn.init.xavier_uniform_, {"gain": 2.0}),
        (nn.xavier_normal_, torch.nn.init.xavier_normal_, {"gain": 0.5}),
        (nn.kaiming_uniform_, torch.nn.init.kaiming_uniform_, {"nonlinearity": "relu"}),
        (
            nn.kaiming_normal_,
            torch.nn.init.kaiming_normal_,
            {"mode": "fan_out", "nonlinearity": "tanh"},
        ),
        (nn.kaiming_uniform_, torch.nn.init.kaiming_uniform_, {"a": math.sqrt(5)}),
    ],
)
def test_nn_init_schemes_match_torch_moments(ours, theirs, kwargs) -> None:
    shape = (300, 200, 3)  # a receptive field of 3 multiplies both fans
    mine = ours(Tensor(np.zeros(shape)), generator=np.random.default_rng(0), **kwargs).data
    torch.manual_seed(0)
    reference = theirs(torch.empty(shape, dtype=torch.float64), **kwargs).numpy()
    assert mine.mean() == pytest.approx(0.0, abs=0.01 * reference.std())
    assert mine.std() == pytest.approx(reference.std(), rel=0.01)
    assert np.abs(mine).max() <= np.abs(reference).max() * 1.3  # same support for uniform


@pytest.mark.parametrize(
    "nonlinearity, param",
    [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
     ("leaky_relu", 0.2), ("selu", None), ("conv2d", None)],
)  # fmt: skip
def test_nn_calculate_gain_equals_torch(nonlinearity, param) -> None:
    expected = torch.nn.init.calculate_gain(nonlinearity, param)
    assert nn.calculate_gain(nonlinearity, param) == pytest.approx(expected)


def test_nn_init_bad_input_messages() -> None:
    with pytest.raises(ValueError, match="unknown nonlinearity 'swish'"):
        nn.calculate_gain("swish")
    with pytest.raises(ValueError, match=r"at least 2 axes, got shape \(5,\)"):
        nn.xavier_uniform_(Tensor(np.zeros(5)))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        nn.kaiming_normal_(Tensor(np.zeros((2, 2))), mode="fan")


def test_nn_manual_seed_repeats_initialization() -> None:
    nn.manual_seed(7)
    first = nn.Linear(3, 2).state_dict()
    nn.manual_seed(7)
    second = nn.Linear(3, 2).state_dict()
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])


def test_nn_small_mlp_learns_xor() -> None:
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 1, 1, 0])
    for _ in range(300):
        model.zero_grad()
        F.cross_entropy(model(x), y).backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad
    assert (model(x).data.argmax(axis=1) == y).all()
