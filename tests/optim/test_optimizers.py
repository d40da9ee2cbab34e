"""Tests for nlpjourney.optim's optimizers and clip_grad_norm_: parity with torch, bad input.

Each optimizer, over a grid of settings, runs 100 steps on a small least-squares problem
(plus a quartic term, so the curvature changes along the way) three times:

- ``torch.optim``'s class on torch parameters, gradients from torch autograd (the reference);
- ours on torch parameters, same gradients (the torch backend);
- ours on NumPy stand-in parameters, gradients computed by hand in NumPy (the NumPy backend).

The three trajectories must agree at every step, in float64. ``clip_grad_norm_`` is
compared with ``torch.nn.utils.clip_grad_norm_`` on the returned norm and the scaled
gradients, for several norms; bad hyper-parameters and ``params`` raise torch's errors.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from nlpjourney import optim
from nlpjourney.optim.optimizer import Optimizer

STEPS = 100


class StandIn:
    """The smallest NumPy parameter: ``.data`` and ``.grad`` arrays (what our Tensor holds)."""

    def __init__(self, data: np.ndarray) -> None:
        self.data = np.array(data, dtype=np.float64)
        self.grad: np.ndarray | None = None


# --- the problem: least squares plus a quartic term ------------------------------------

_rng = np.random.default_rng(7)
X = _rng.normal(size=(16, 3))
Y = X @ np.array([1.5, -2.0, 0.5]) + 0.3 + 0.1 * _rng.normal(size=16)
W0 = np.array([0.2, 0.1, -0.3])
B0 = np.array([0.05])


def numpy_loss_grads(w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of ``mean((Xw + b - y)^2) / 2 + sum(w^4) / 20``, written by hand."""
    r = X @ w + b[0] - Y  # (16,)
    return X.T @ r / len(Y) + 0.2 * w**3, np.array([r.mean()])


def torch_loss(w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r = torch.from_numpy(X) @ w + b[0] - torch.from_numpy(Y)
    return (r**2).mean() / 2 + (w**4).sum() / 20


def torch_params() -> list[torch.nn.Parameter]:
    return [torch.nn.Parameter(torch.tensor(W0)), torch.nn.Parameter(torch.tensor(B0))]


def run_torch_params(make_optimizer, groups=None) -> list[np.ndarray]:
    """The trajectory (concatenated parameters after each step) on torch parameters."""
    w, b = torch_params()
    opt = make_optimizer(groups(w, b) if groups else [w, b])
    trajectory = []
    for _ in range(STEPS):
        opt.zero_grad()
        torch_loss(w, b).backward()
        opt.step()
        trajectory.append(np.concatenate([w.detach().numpy(), b.detach().numpy()]))
    return trajectory


def run_numpy_params(make_optimizer, groups=None) -> list[np.ndarray]:
    """The trajectory on NumPy stand-in parameters, gradients by hand."""
    w, b = StandIn(W0), StandIn(B0)
    opt = make_optimizer(groups(w, b) if groups else [w, b])
    trajectory = []
    for _ in range(STEPS):
        opt.zero_grad()
        w.grad, b.grad = numpy_loss_grads(w.data, b.data)
        opt.step()
        trajectory.append(np.concatenate([w.data, b.data]))
    return trajectory


def assert_same_trajectory(ours: list[np.ndarray], reference: list[np.ndarray]) -> None:
    # Measured: every case below differs from torch by at most 2 ulp (2.2e-16) over the
    # 100 steps. The slack covers settings that amplify rounding (Adam with beta1=0.5
    # dithering around the optimum turns 1 ulp into 1e-8 by step 80; it is left out).
    for step, (a, e) in enumerate(zip(ours, reference, strict=True), start=1):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-12, err_msg=f"step {step}")


CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.2}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.02, "betas": (0.7, 0.95), "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.5}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.5, "amsgrad": True, "betas": (0.8, 0.99)}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9, "eps": 1e-6}),
    ("RMSprop", {"lr": 0.005, "centered": True}),
    ("RMSprop", {"lr": 0.002, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.002, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
]
CASE_IDS = [
    f"{name}-{'-'.join(f'{k}={v}' for k, v in s.items()) or 'defaults'}" for name, s in CASES
]


@pytest.mark.parametrize(("name", "settings"), CASES, ids=CASE_IDS)
def test_optimizers_match_torch_on_torch_parameters(name, settings) -> None:
    ours = getattr(optim, name)
    theirs = getattr(torch.optim, name)
    reference = run_torch_params(lambda p: theirs(p, **settings))
    assert_same_trajectory(run_torch_params(lambda p: ours(p, **settings)), reference)
    # The problem must move the parameters, or equality would prove nothing.
    assert not np.allclose(reference[-1], np.concatenate([W0, B0]), atol=1e-3)


@pytest.mark.parametrize(("name", "settings"), CASES, ids=CASE_IDS)
def test_optimizers_match_torch_on_numpy_parameters(name, settings) -> None:
    ours = getattr(optim, name)
    theirs = getattr(torch.optim, name)
    reference = run_torch_params(lambda p: theirs(p, **settings))
    assert_same_trajectory(run_numpy_params(lambda p: ours(p, **settings)), reference)


def _two_groups(w, b):
    return [{"params": [w], "lr": 0.02}, {"params": [b], "lr": 0.2, "momentum": 0.5}]


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_optimizers_param_groups_match_torch(name) -> None:
    ours, theirs = getattr(optim, name), getattr(torch.optim, name)
    settings = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}

    def groups(w, b):
        return [{"params": [w], "lr": 0.02}, {"params": [b], "lr": 0.2}]

    reference = run_torch_params(lambda p: theirs(p, **settings), groups)
    assert_same_trajectory(run_numpy_params(lambda p: ours(p, **settings), groups), reference)
    assert_same_trajectory(run_torch_params(lambda p: ours(p, **settings), groups), reference)


def test_optimizers_group_settings_override_defaults() -> None:
    w, b = StandIn(W0), StandIn(B0)
    opt = optim.SGD(_two_groups(w, b), lr=1.0)
    assert [g["lr"] for g in opt.param_groups] == [0.02, 0.2]
    assert [g["momentum"] for g in opt.param_groups] == [0.0, 0.5]
    assert list(opt.parameters()) == [w, b]


def test_optimizers_lr_set_between_steps_is_used() -> None:
    """What a scheduler relies on: the next step reads param_groups[i]["lr"]."""
    p = StandIn(np.array([1.0]))
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.array([1.0])
    opt.step()
    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    np.testing.assert_allclose(p.data, [1.0 - 0.1 - 0.5])


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_optimizers_leave_gradients_untouched(name) -> None:
    """Weight decay and moments must use new arrays, never write into p.grad."""
    settings = {"weight_decay": 0.1} | ({"momentum": 0.9} if name in ("SGD", "RMSprop") else {})
    p = StandIn(W0)
    opt = getattr(optim, name)([p], lr=0.1, **settings)
    for _ in range(3):
        p.grad = np.array([0.5, -1.0, 2.0])
        opt.step()
        np.testing.assert_array_equal(p.grad, [0.5, -1.0, 2.0])


def test_optimizers_skip_parameters_without_gradient() -> None:
    p, q = StandIn(W0), StandIn(B0)
    opt = optim.Adam([p, q], lr=0.1)
    p.grad = np.ones(3)
    opt.step()
    np.testing.assert_array_equal(q.data, B0)
    assert not np.allclose(p.data, W0)
    assert opt.state_of(q) == {}


def test_optimizers_zero_grad_sets_none_or_zeros() -> None:
    p, q = StandIn(W0), StandIn(B0)
    opt = optim.SGD([p, q], lr=0.1)
    p.grad, q.grad = np.ones(3), np.ones(1)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad, np.zeros(3))
    opt.zero_grad()
    assert p.grad is None and q.grad is None


def test_optimizers_zero_grad_on_torch_parameters() -> None:
    w, b = torch_params()
    opt = optim.SGD([w, b], lr=0.1)
    torch_loss(w, b).backward()
    opt.zero_grad(set_to_none=False)
    assert torch.count_nonzero(w.grad) == 0
    opt.zero_grad()
    assert w.grad is None


def test_optimizers_keep_float32_numpy_parameters_float32() -> None:
    p = StandIn(W0)
    p.data = p.data.astype(np.float32)
    opt = optim.AdamW([p], lr=0.1)
    p.grad = np.ones(3, dtype=np.float32)
    opt.step()
    assert p.data.dtype == np.float32
    assert opt.state_of(p)["exp_avg"].dtype == np.float32


def test_optimizers_import_without_torch_for_numpy_parameters() -> None:
    code = (
        "import sys, numpy as np\n"
        "from nlpjourney import optim\n"
        "class P:\n"
        "    def __init__(self): self.data, self.grad = np.ones(3), np.ones(3)\n"
        "p = P(); o = optim.AdamW([p], lr=0.1); o.step(); optim.clip_grad_norm_([p], 1.0)\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_optimizers_repr_lists_groups() -> None:
    text = repr(optim.Adam([StandIn(W0)], lr=0.1))
    assert text.startswith("Adam (") and "lr=0.1" in text and "1 parameters" in text


# --- our autograd Tensor: a whole training loop against torch's ------------------------

TENSOR_CASES = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.003, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"lr": 0.05, "lr_decay": 0.01}),
]


@pytest.mark.parametrize(("name", "settings"), TENSOR_CASES, ids=[c[0] for c in TENSOR_CASES])
def test_optimizers_train_our_tensors_like_torch(name, settings) -> None:
    """Model, loss and backward from nlpjourney.autograd; optimizer, clipping and a warm-up
    schedule from nlpjourney.optim; the same loop in torch; the weights agree every step."""
    from transformers import get_cosine_schedule_with_warmup

    from nlpjourney.autograd import Tensor, nn
    from nlpjourney.autograd.functional import cross_entropy

    rng = np.random.default_rng(3)
    inputs, targets = rng.normal(size=(32, 5)), rng.integers(0, 3, size=32)
    ours = nn.Sequential(
        nn.Linear(5, 16, dtype=np.float64, generator=rng),
        nn.Tanh(),
        nn.Linear(16, 3, dtype=np.float64, generator=rng),
    )
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    theirs = theirs.double()
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})

    opt = getattr(optim, name)(ours.parameters(), **settings)
    ref = getattr(torch.optim, name)(theirs.parameters(), **settings)
    sched = optim.CosineWithWarmup(opt, num_warmup_steps=5, num_training_steps=40)
    ref_sched = get_cosine_schedule_with_warmup(ref, num_warmup_steps=5, num_training_steps=40)
    x, t = torch.tensor(inputs), torch.tensor(targets)
    clipped = 0
    for step in range(40):
        opt.zero_grad()
        cross_entropy(ours(Tensor(inputs)), targets).backward()
        norm = optim.clip_grad_norm_(ours.parameters(), max_norm=0.25)
        opt.step()
        sched.step()

        ref.zero_grad()
        torch.nn.functional.cross_entropy(theirs(x), t).backward()
        ref_norm = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm=0.25)
        ref.step()
        ref_sched.step()

        assert norm == pytest.approx(ref_norm.item(), rel=1e-10)
        clipped += norm > 0.25
        expected = theirs.state_dict()
        for key, value in ours.state_dict().items():
            np.testing.assert_allclose(
                value, expected[key].numpy(), rtol=1e-9, atol=1e-12, err_msg=f"{key}, step {step}"
            )
    assert clipped > 0  # the clipping branch ran


# --- bad input: the same errors as torch ---------------------------------------------

BAD_SETTINGS = [
    ("SGD", {"lr": -0.1}, "Invalid learning rate"),
    ("SGD", {"momentum": -0.5}, "Invalid momentum value"),
    ("SGD", {"weight_decay": -1.0}, "Invalid weight_decay value"),
    ("SGD", {"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "Nesterov momentum"),
    ("Adam", {"lr": -1e-3}, "Invalid learning rate"),
    ("Adam", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0"),
    ("Adam", {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1"),
    ("Adam", {"eps": -1e-8}, "Invalid epsilon value"),
    ("AdamW", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1"),
    ("AdamW", {"weight_decay": -0.01}, "Invalid weight_decay value"),
    ("RMSprop", {"alpha": -0.9}, "Invalid alpha value"),
    ("RMSprop", {"momentum": -0.9}, "Invalid momentum value"),
    ("Adagrad", {"lr_decay": -0.1}, "Invalid lr_decay value"),
    ("Adagrad", {"initial_accumulator_value": -1.0}, "Invalid initial_accumulator_value"),
]


@pytest.mark.parametrize(("name", "settings", "message"), BAD_SETTINGS)
def test_optimizers_reject_bad_hyper_parameters_like_torch(name, settings, message) -> None:
    with pytest.raises(ValueError, match=message):
        getattr(torch.optim, name)(torch_params(), **settings)
    with pytest.raises(ValueError, match=message):
        getattr(optim, name)([StandIn(W0)], **settings)


def test_optimizers_reject_bad_group_hyper_parameters() -> None:
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.SGD([{"params": [StandIn(W0)], "lr": -1.0}], lr=0.1)
    with pytest.raises(ValueError, match="unknown hyper-parameters \\['momentum'\\]"):
        optim.Adam([{"params": [StandIn(W0)], "momentum": 0.9}])


def test_optimizers_reject_empty_params_like_torch() -> None:
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        torch.optim.Adam([])
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.Adam(iter([]))


@pytest.mark.parametrize(
    "params", [StandIn(W0), "weights", {"params": []}], ids=["single", "str", "dict"]
)
def test_optimizers_reject_params_that_are_not_an_iterable(params) -> None:
    with pytest.raises(TypeError, match="should be an iterable of parameters"):
        optim.SGD(params, lr=0.1)


@pytest.mark.parametrize("item", [np.ones(3), 3.0, [1.0, 2.0]], ids=["ndarray", "float", "list"])
def test_optimizers_reject_items_that_are_not_parameters(item) -> None:
    with pytest.raises(TypeError, match="can only optimize parameters .* is "):
        optim.SGD([StandIn(W0), item], lr=0.1)


def test_optimizers_reject_repeated_and_non_leaf_parameters() -> None:
    p = StandIn(W0)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([p, p], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    w = torch.nn.Parameter(torch.ones(3))
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([w * 2], lr=0.1)


def test_optimizers_base_class_update_is_abstract() -> None:
    class Nothing(Optimizer):
        def _check_group(self, group):
            pass

    opt = Nothing([StandIn(W0)], {"lr": 0.1})
    opt.param_groups[0]["params"][0].grad = np.ones(3)
    with pytest.raises(NotImplementedError):
        opt.step()


# --- clip_grad_norm_ -----------------------------------------------------------------

GRADS = [np.array([[3.0, -1.0], [0.5, 2.0]]), np.array([4.0, -0.25, 1.5]), np.array([7.0])]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 3.0, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm) -> None:
    theirs = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in GRADS]
    ours_torch = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in GRADS]
    ours_numpy = [StandIn(np.zeros(g.shape)) for g in GRADS]
    for a, b, c, g in zip(theirs, ours_torch, ours_numpy, GRADS, strict=True):
        a.grad, b.grad, c.grad = torch.tensor(g), torch.tensor(g), g.copy()

    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    norm_torch = optim.clip_grad_norm_(ours_torch, max_norm, norm_type)
    norm_numpy = optim.clip_grad_norm_(ours_numpy, max_norm, norm_type)

    assert isinstance(norm_torch, torch.Tensor) and isinstance(norm_numpy, float)
    torch.testing.assert_close(norm_torch, expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(norm_numpy, expected.item(), rtol=1e-12)
    for a, b, c in zip(theirs, ours_torch, ours_numpy, strict=True):
        torch.testing.assert_close(b.grad, a.grad, rtol=1e-12, atol=0)
        np.testing.assert_allclose(c.grad, a.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_scales_to_max_norm_and_keeps_direction() -> None:
    p, q = StandIn(np.zeros(2)), StandIn(np.zeros(1))
    p.grad, q.grad = np.array([3.0, 0.0]), np.array([4.0])
    assert optim.clip_grad_norm_([p, q], max_norm=1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(np.concatenate([p.grad, q.grad]), [0.6, 0.0, 0.8], rtol=1e-5)


def test_clip_grad_norm_takes_a_single_parameter_and_skips_missing_grads() -> None:
    p, q = StandIn(np.zeros(2)), StandIn(np.zeros(2))
    p.grad = np.array([3.0, 4.0])
    assert optim.clip_grad_norm_(p, 10.0) == pytest.approx(5.0)
    assert optim.clip_grad_norm_([p, q], 10.0) == pytest.approx(5.0)
    assert optim.clip_grad_norm_([q], 1.0) == 0.0


def test_clip_grad_norm_nonfinite() -> None:
    p = StandIn(np.zeros(2))
    p.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        optim.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    with np.errstate(invalid="ignore"):  # inf * 0 = nan, as in torch
        assert optim.clip_grad_norm_([p], 1.0) == np.inf
    np.testing.assert_array_equal(p.grad, [np.nan, 0.0])  # what torch gives too


def test_clip_grad_norm_rejects_bad_input() -> None:
    p = StandIn(np.zeros(2))
    p.grad = np.ones(2)
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_grad_norm_([p], -1.0)
    with pytest.raises(ValueError, match="norm_type"):
        optim.clip_grad_norm_([p], 1.0, norm_type=0)
    w = torch.nn.Parameter(torch.zeros(2))
    w.grad = torch.ones(2)
    with pytest.raises(TypeError, match="both NumPy and torch"):
        optim.clip_grad_norm_([p, w], 1.0)
