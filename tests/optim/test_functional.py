"""Tests for nlpjourney.optim.functional: the pure Adam/AdamW steps equal the classes and torch.

The optimizer classes update in place with scratch arrays, the functions return new
arrays; both must follow one trajectory. Each test runs 100 steps of a least-squares
problem with a quartic term (the curvature changes as it goes) through
``adam_step``/``adamw_step``, through ``nlpjourney.optim.Adam``/``AdamW`` on NumPy
parameters, and through ``torch.optim.Adam``/``AdamW``, all in float64.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nlpjourney import optim
from nlpjourney.optim.functional import adam_step, adamw_step

_rng = np.random.default_rng(3)
X = _rng.normal(size=(20, 4))
Y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1 * _rng.normal(size=20)
W0 = np.array([0.3, -0.2, 0.1, 0.0])


def gradient(w: np.ndarray) -> np.ndarray:
    """Gradient of ``mean((Xw - y)^2) / 2 + sum(w^4) / 20``."""
    return X.T @ (X @ w - Y) / len(Y) + 0.2 * w**3


class StandIn:
    def __init__(self, data: np.ndarray) -> None:
        self.data = np.array(data, dtype=np.float64)
        self.grad: np.ndarray | None = None


SETTINGS = [
    {"lr": 1e-2},
    {"lr": 5e-2, "betas": (0.8, 0.99), "weight_decay": 0.1},
    {"lr": 1e-3, "betas": (0.0, 0.0), "eps": 1e-6, "weight_decay": 0.5},
    {"lr": 0.1, "betas": (0.95, 0.9), "eps": 0.0, "weight_decay": 0.0},
]


@pytest.mark.parametrize("settings", SETTINGS, ids=str)
@pytest.mark.parametrize(
    ("step_fn", "ours", "theirs"),
    [(adam_step, optim.Adam, torch.optim.Adam), (adamw_step, optim.AdamW, torch.optim.AdamW)],
    ids=["adam", "adamw"],
)
def test_functional_equals_optimizer_classes_and_torch(step_fn, ours, theirs, settings) -> None:
    settings = {"weight_decay": 0.0, **settings}
    w, m, v = W0.copy(), np.zeros(4), np.zeros(4)
    stand_in = StandIn(W0)
    ours_opt = ours([stand_in], **settings)
    torch_w = torch.nn.Parameter(torch.tensor(W0))
    torch_opt = theirs([torch_w], **settings)
    for t in range(1, 101):
        w, m, v = step_fn(w, gradient(w), m, v, t, **settings)
        stand_in.grad = gradient(stand_in.data)
        ours_opt.step()
        torch_w.grad = torch.from_numpy(gradient(torch_w.detach().numpy()))
        torch_opt.step()
        np.testing.assert_allclose(w, stand_in.data, rtol=1e-12, atol=1e-14, err_msg=f"step {t}")
        np.testing.assert_allclose(w, torch_w.detach().numpy(), rtol=1e-12, atol=1e-14)
    state = ours_opt.state_of(stand_in)
    np.testing.assert_allclose(m, state["exp_avg"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(v, state["exp_avg_sq"], rtol=1e-12, atol=1e-15)


def test_functional_leaves_inputs_unchanged() -> None:
    w, g, m, v = W0.copy(), gradient(W0), np.full(4, 0.1), np.full(4, 0.2)
    before = [a.copy() for a in (w, g, m, v)]
    for step_fn in (adam_step, adamw_step):
        out = step_fn(w, g, m, v, 3, lr=0.1, weight_decay=0.1)
        for array, original in zip((w, g, m, v), before, strict=True):
            np.testing.assert_array_equal(array, original)
        assert all(o is not a for o in out for a in (w, g, m, v))


def test_functional_docstring_examples() -> None:
    w, m, v = adam_step([2.0], [4.0], [0.0], [0.0], step=1, lr=0.1)
    np.testing.assert_allclose([w[0], m[0], v[0]], [1.9, 0.4, 0.016])
    w, m, v = adamw_step([10.0], [0.0], [0.0], [0.0], step=1, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose([w[0], m[0], v[0]], [9.5, 0.0, 0.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"step": 0}, "step counts updates from 1"),
        ({"lr": -1.0}, "Invalid learning rate"),
        ({"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0"),
        ({"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1"),
        ({"eps": -1e-8}, "Invalid epsilon value"),
        ({"weight_decay": -0.1}, "Invalid weight_decay value"),
    ],
)
def test_functional_rejects_bad_hyper_parameters(kwargs, message) -> None:
    arguments = {"step": 1, **kwargs}
    for step_fn in (adam_step, adamw_step):
        with pytest.raises(ValueError, match=message):
            step_fn(np.ones(2), np.ones(2), np.zeros(2), np.zeros(2), **arguments)
