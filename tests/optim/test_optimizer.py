"""Tests for Optimizer.state_dict / load_state_dict: torch.optim's layout, exact resumption.

Every optimizer, on NumPy stand-in parameters and on torch parameters, in two groups:

- a run of 2k steps equals k steps, ``state_dict()``, a fresh optimizer, ``load_state_dict``
  and k more steps, to the bit;
- after k steps our state dict holds what ``torch.optim``'s does (same indices, keys,
  values, step counts and hyper-parameters), torch's loads into ours and ours into torch's;
- a state dict of another model or optimizer is refused with a message that says so.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from nlpjourney import optim

STEPS = 8  # split 4 + 4

CASES = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1}),  # no momentum: no state at all
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.5, "betas": (0.8, 0.99)}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.5}),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in s.items())}" for name, s in CASES]

_rng = np.random.default_rng(11)
W0, B0 = _rng.normal(size=(3, 2)), _rng.normal(size=2)
TARGET = _rng.normal(size=(3, 2))


class StandIn:
    """A NumPy parameter: ``.data`` and ``.grad``."""

    def __init__(self, data: np.ndarray) -> None:
        self.data = np.array(data, dtype=np.float64)
        self.grad: np.ndarray | None = None


def gradients(w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of ``sum((w - T)^4) / 4 + sum(b^2) / 2 + sum(w) * sum(b)``: curvature that changes."""
    return (w - TARGET) ** 3 + b.sum(), b + w.sum()


def make_params(backend: str) -> list:
    if backend == "numpy":
        return [StandIn(W0), StandIn(B0)]
    return [torch.nn.Parameter(torch.tensor(W0)), torch.nn.Parameter(torch.tensor(B0))]


def values(p) -> np.ndarray:
    return p.detach().numpy().copy() if isinstance(p, torch.Tensor) else p.data.copy()


def groups(params: list, name: str) -> list[dict]:
    return [{"params": [params[0]]}, {"params": [params[1]], "lr": 0.02}]


def run(opt, params: list, steps: int) -> None:
    """``steps`` steps on the problem; the same gradients whatever the backend."""
    for _ in range(steps):
        w, b = (values(p) for p in params)
        for p, g in zip(params, gradients(w, b), strict=True):
            p.grad = torch.tensor(g) if isinstance(p, torch.Tensor) else g
        opt.step()


def fresh(name: str, settings: dict, backend: str) -> tuple:
    params = make_params(backend)
    return getattr(optim, name)(groups(params, name), **settings), params


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize(("name", "settings"), CASES, ids=IDS)
def test_optimizer_resumed_from_state_dict_equals_straight_run(name, settings, backend) -> None:
    straight, straight_params = fresh(name, settings, backend)
    run(straight, straight_params, STEPS)

    first, params = fresh(name, settings, backend)
    run(first, params, STEPS // 2)
    saved = first.state_dict()
    weights = [values(p) for p in params]
    run(first, params, 1)  # a step after saving must not change what was saved

    resumed, new_params = fresh(name, settings, backend)
    for p, w in zip(new_params, weights, strict=True):  # the weights travel separately
        if isinstance(p, torch.Tensor):
            p.data.copy_(torch.tensor(w))
        else:
            p.data[...] = w
    resumed.load_state_dict(saved)
    run(resumed, new_params, STEPS - STEPS // 2)

    for a, b in zip(new_params, straight_params, strict=True):
        np.testing.assert_array_equal(values(a), values(b))
    assert not np.allclose(values(straight_params[0]), W0)  # and it moved


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize(("name", "settings"), CASES, ids=IDS)
def test_optimizer_state_dict_holds_what_torch_optims_does(name, settings, backend) -> None:
    ours, params = fresh(name, settings, backend)
    run(ours, params, 3)
    torch_params = make_params("torch")
    theirs = getattr(torch.optim, name)(groups(torch_params, name), **settings)
    run(theirs, torch_params, 3)
    mine, reference = ours.state_dict(), theirs.state_dict()

    assert mine["state"].keys() == reference["state"].keys()
    for index, expected in reference["state"].items():
        assert mine["state"][index].keys() == expected.keys()
        for key, value in expected.items():
            got = mine["state"][index][key]
            if key == "step":
                assert isinstance(got, int) and got == value.item() == 3
            else:
                kind = torch.Tensor if backend == "torch" else np.ndarray
                assert isinstance(got, kind)
                np.testing.assert_allclose(np.asarray(got), value.numpy(), rtol=1e-12)
    for group, expected in zip(mine["param_groups"], reference["param_groups"], strict=True):
        assert group == {k: v for k, v in expected.items() if k in group}
        assert group["params"] == expected["params"]


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize(("name", "settings"), CASES, ids=IDS)
def test_optimizer_loads_torchs_state_dict_and_torch_loads_ours(name, settings, backend) -> None:
    """Save after 4 steps in one library, go on for 4 in the other: equal to torch's 8."""
    reference_params = make_params("torch")
    reference = getattr(torch.optim, name)(groups(reference_params, name), **settings)
    run(reference, reference_params, STEPS // 2)
    saved_by_torch = copy.deepcopy(reference.state_dict())  # torch's holds live tensors
    weights = [values(p) for p in reference_params]
    run(reference, reference_params, STEPS - STEPS // 2)

    ours, params = fresh(name, settings, backend)
    for p, w in zip(params, weights, strict=True):
        if isinstance(p, torch.Tensor):
            p.data.copy_(torch.tensor(w))
        else:
            p.data[...] = w
    ours.load_state_dict(saved_by_torch)
    for entry in ours.state_dict()["state"].values():  # converted to our backend
        kind = torch.Tensor if backend == "torch" else np.ndarray
        assert all(isinstance(v, kind) for k, v in entry.items() if k != "step")
    run(ours, params, STEPS - STEPS // 2)
    for a, b in zip(params, reference_params, strict=True):
        np.testing.assert_allclose(values(a), values(b), rtol=1e-12, atol=1e-14)

    if backend == "numpy":
        return  # torch.optim takes tensors only: the other way starts from torch parameters
    # and the other way: ours saved after 4 steps, torch.optim goes on
    ours, params = fresh(name, settings, backend)
    run(ours, params, STEPS // 2)
    torch_params = make_params("torch")
    for p, q in zip(torch_params, params, strict=True):
        p.data.copy_(torch.tensor(values(q)))
    theirs = getattr(torch.optim, name)(groups(torch_params, name), **settings)
    theirs.load_state_dict(ours.state_dict())
    run(theirs, torch_params, STEPS - STEPS // 2)
    for a, b in zip(torch_params, reference_params, strict=True):
        np.testing.assert_allclose(values(a), values(b), rtol=1e-12, atol=1e-14)


def test_optimizer_load_state_dict_moves_state_to_each_parameters_dtype() -> None:
    ours, params = fresh("Adam", {"lr": 0.1}, "torch")
    run(ours, params, 2)
    saved = ours.state_dict()  # float64 tensors
    single = [torch.nn.Parameter(torch.zeros(3, 2)), torch.nn.Parameter(torch.zeros(2))]
    target = optim.Adam(groups(single, "Adam"), lr=0.1)
    target.load_state_dict(saved)
    state = target.state_of(single[0])
    assert state["exp_avg"].dtype == torch.float32 and state["step"] == 2
    assert state["exp_avg"] is not saved["state"][0]["exp_avg"]  # a copy

    stand_ins = [StandIn(W0), StandIn(B0)]
    stand_ins[0].data = stand_ins[0].data.astype(np.float32)
    numpy_target = optim.Adam(groups(stand_ins, "Adam"), lr=0.1)
    numpy_target.load_state_dict(saved)
    exp_avg = numpy_target.state_of(stand_ins[0])["exp_avg"]
    assert isinstance(exp_avg, np.ndarray) and exp_avg.dtype == np.float32
    assert numpy_target.state_of(stand_ins[1])["exp_avg"].dtype == np.float64


def test_optimizer_state_dict_leaves_out_parameters_never_stepped() -> None:
    p, q = StandIn(W0), StandIn(B0)
    opt = optim.Adam([p, q], lr=0.1)
    p.grad = np.ones_like(W0)
    opt.step()
    saved = opt.state_dict()
    assert list(saved["state"]) == [0] and saved["param_groups"][0]["params"] == [0, 1]
    other = optim.Adam([StandIn(W0), StandIn(B0)], lr=0.5)
    other.load_state_dict(saved)
    assert other.param_groups[0]["lr"] == 0.1  # hyper-parameters come from the state dict
    assert other.state_dict()["state"].keys() == {0}


def test_optimizer_adagrad_state_exists_before_any_step_as_in_torch() -> None:
    ours = optim.Adagrad([StandIn(B0)], initial_accumulator_value=0.25)
    theirs = torch.optim.Adagrad(
        [torch.nn.Parameter(torch.tensor(B0))], initial_accumulator_value=0.25
    )
    state, expected = ours.state_dict()["state"][0], theirs.state_dict()["state"][0]
    assert state["step"] == expected["step"].item() == 0
    np.testing.assert_array_equal(state["sum"], expected["sum"].numpy())


def test_optimizer_load_state_dict_names_a_mismatch_and_changes_nothing() -> None:
    source, params = fresh("Adam", {"lr": 0.1}, "numpy")
    run(source, params, 2)
    saved = source.state_dict()
    target, _ = fresh("Adam", {"lr": 0.3}, "numpy")
    before = target.state_dict()

    with pytest.raises(ValueError, match="2 parameter groups, this Adam has 1"):
        optim.Adam([StandIn(W0), StandIn(B0)]).load_state_dict(saved)
    with pytest.raises(ValueError, match="group 0 of the state dict holds 1 parameters, this Adam"):
        optim.Adam(
            [{"params": [StandIn(W0), StandIn(W0)]}, {"params": [StandIn(B0)]}]
        ).load_state_dict(saved)
    transposed = optim.Adam([{"params": [StandIn(W0.T)]}, {"params": [StandIn(B0)]}])
    with pytest.raises(
        ValueError,
        match=r"'exp_avg' of parameter 0 has shape \(3, 2\), but the "
        r"parameter has shape \(2, 3\)",
    ):
        transposed.load_state_dict(saved)
    with pytest.raises(ValueError, match="sets 'betas', which SGD does not take"):
        optim.SGD(groups(make_params("numpy"), "SGD"), lr=0.1).load_state_dict(saved)
    with pytest.raises(TypeError, match="'state' and 'param_groups'"):
        target.load_state_dict({"type": "Adam", "groups": [], "state": []})

    # torch's flags: implementation ones load, ones that change the update do not
    torch_params = make_params("torch")
    adamw = torch.optim.AdamW(groups(torch_params, "AdamW"), lr=0.1, foreach=True)
    run(adamw, torch_params, 1)
    optim.AdamW(groups(make_params("numpy"), "AdamW")).load_state_dict(adamw.state_dict())
    with pytest.raises(
        ValueError,
        match="decoupled_weight_decay=True; Adam always runs as decoupled_weight_decay=False",
    ):
        target.load_state_dict(adamw.state_dict())
    maximizing = torch.optim.Adam(groups(make_params("torch"), "Adam"), maximize=True)
    with pytest.raises(ValueError, match="maximize=True"):
        target.load_state_dict(maximizing.state_dict())

    after = target.state_dict()
    assert after["param_groups"] == before["param_groups"] and after["state"] == {}
