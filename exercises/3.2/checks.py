"""Checks for exercise 3.2, run by ``journey check 3.2``.

Each check calls the learner's ``adam_step`` or ``adamw_step`` through the ``ex`` fixture
and compares the result with numbers worked by hand here, or with ``torch.optim.Adam`` and
``torch.optim.AdamW`` over 100 steps of a small least-squares problem in float64, with
values and settings drawn fresh each run (``rng``). With
``--exercise reference`` the same checks grade the library,
``nlpjourney.optim.functional``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

REFERENCE = "nlpjourney.optim.functional"
# What the learner may not use: the model answer, and the libraries that answer it.
FORBIDDEN = ("nlpjourney", "torch", "optax", "jax", "tensorflow")

_rng = np.random.default_rng(32)
X = _rng.normal(size=(24, 5))
Y = X @ np.array([2.0, -1.0, 0.0, 0.5, 3.0]) + 0.1 * _rng.normal(size=24)
W0 = np.array([0.5, 0.5, -1.0, 2.0, 0.0])


def gradient(w: np.ndarray) -> np.ndarray:
    """Gradient of mean((Xw - y)^2) / 2 + sum(w^4) / 20: its curvature changes as w moves."""
    return X.T @ (X @ w - Y) / len(Y) + 0.2 * w**3


def run_learner(step_fn, steps: int, **settings) -> np.ndarray:
    w, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for t in range(1, steps + 1):
        w, m, v = step_fn(w, gradient(w), m, v, t, **settings)
        w, m, v = np.asarray(w), np.asarray(m), np.asarray(v)
    return w


def run_torch(optimizer_class, steps: int, **settings) -> np.ndarray:
    w = torch.nn.Parameter(torch.tensor(W0, dtype=torch.float64))
    optimizer = optimizer_class([w], **settings)
    for _ in range(steps):
        w.grad = torch.from_numpy(gradient(w.detach().numpy()))
        optimizer.step()
    return w.detach().numpy()


def test_adamw_one_step_by_hand(ex) -> None:
    """adamw_step at step 2 on small numbers, worked by hand.

    Hint 1: shrink the parameter first, then update the two moments, correct their bias,
    and step.
    Hint 2: each moment is beta times the old one plus one minus beta times the gradient
    (squared, for the second); the bias correction divides by one minus beta to the
    power of the step number itself, not the step plus one.
    Hint 3: the step subtracts the learning rate times the corrected first moment over
    the square root of the corrected second moment plus eps.
    """
    w, m, v = ex.adamw_step(
        np.array([1.0]),
        np.array([1.0]),
        np.array([0.1]),
        np.array([0.01]),
        step=2,
        lr=0.1,
        betas=(0.5, 0.75),
        eps=0.0,
        weight_decay=0.2,
    )
    # m = 0.5 * 0.1 + 0.5 * 1 = 0.55        m_hat = 0.55 / (1 - 0.5**2) = 0.7333...
    # v = 0.75 * 0.01 + 0.25 * 1 = 0.2575   v_hat = 0.2575 / (1 - 0.75**2) = 0.58857...
    # param = 1 * (1 - 0.1 * 0.2) - 0.1 * m_hat / sqrt(v_hat) = 0.98 - 0.095588...
    m_hat, v_hat = 0.55 / 0.75, 0.2575 / 0.4375
    np.testing.assert_allclose(np.asarray(m), [0.55], rtol=1e-12, err_msg="new m")
    np.testing.assert_allclose(np.asarray(v), [0.2575], rtol=1e-12, err_msg="new v")
    expected = 0.98 - 0.1 * m_hat / math.sqrt(v_hat)
    np.testing.assert_allclose(np.asarray(w), [expected], rtol=1e-12, err_msg="new param")


def test_first_step_moves_about_lr(ex, rng) -> None:
    """Bias correction: from zero moments, step 1 moves every coordinate by about lr.

    Hint 1: bias correction: from zero moments, the first moments are far too small.
    Hint 2: at step one the first moment is a tenth of the gradient; dividing by one minus
    beta gives the gradient back, and likewise the square of it for the second moment,
    so the step is about the learning rate, whatever the gradient's size.
    """
    grad = np.array([1e-3, 1.0, -5.0, 1e3]) * rng.uniform(0.5, 2.0, size=4)
    w, m, v = ex.adamw_step(
        np.zeros(4), grad, np.zeros(4), np.zeros(4), step=1, lr=0.01, weight_decay=0.0
    )
    np.testing.assert_allclose(np.asarray(m), 0.1 * grad, rtol=1e-12, err_msg="m = (1 - b1) g")
    np.testing.assert_allclose(np.asarray(v), 0.001 * grad**2, rtol=1e-12, err_msg="v")
    np.testing.assert_allclose(np.asarray(w), -0.01 * np.sign(grad), rtol=1e-4)


def test_adamw_decay_is_decoupled(ex, rng) -> None:
    """AdamW decays the parameter itself; m and v never see the decay, unlike Adam with L2.

    Hint 1: AdamW's decay shrinks the parameter itself; it never touches the gradient.
    Hint 2: the parameter is multiplied by one minus the learning rate times the decay;
    the moments must come out as they would with no decay at all.
    """
    w, g = rng.normal(size=6), rng.normal(size=6)
    m, v = 0.1 * rng.normal(size=6), 0.01 * rng.random(6)
    settings = {"step": 4, "lr": 0.05}
    with_decay = ex.adamw_step(w, g, m, v, weight_decay=0.3, **settings)
    shrunk_first = ex.adamw_step(w * (1 - 0.05 * 0.3), g, m, v, weight_decay=0.0, **settings)
    for got, expected, name in zip(with_decay, shrunk_first, ["param", "m", "v"], strict=True):
        np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-12, err_msg=name)
    # A zero gradient: AdamW shrinks 10 by lr * wd * 10 = 0.01; Adam's L2 term becomes the
    # whole gradient, and its first step is a full lr = 0.1.
    args = (np.array([10.0]), np.array([0.0]), np.zeros(1), np.zeros(1))
    adamw, *_ = ex.adamw_step(*args, step=1, lr=0.1, weight_decay=0.01)
    adam, *_ = ex.adam_step(*args, step=1, lr=0.1, weight_decay=0.01)
    np.testing.assert_allclose(np.asarray(adamw), [9.99], rtol=1e-12, err_msg="AdamW")
    np.testing.assert_allclose(np.asarray(adam), [9.9], rtol=1e-6, err_msg="Adam with L2")


def test_adam_l2_goes_through_the_gradient(ex, rng) -> None:
    """adam_step's weight decay is L2: weight_decay * param is added to the gradient.

    Hint 1: Adam's weight decay is an L2 term: it goes into the gradient.
    Hint 2: add the decay times the parameter to the gradient first, then take the Adam
    step with that sum; the parameter is not shrunk separately.
    """
    w, g = rng.normal(size=5), rng.normal(size=5)
    m, v = 0.1 * rng.normal(size=5), 0.01 * rng.random(5)
    for wd in (float(rng.uniform(0.05, 0.9)), 1.0):
        with_l2 = ex.adam_step(w, g, m, v, 3, lr=0.02, weight_decay=wd)
        folded = ex.adam_step(w, g + wd * w, m, v, 3, lr=0.02, weight_decay=0.0)
        for got, expected, name in zip(with_l2, folded, ["param", "m", "v"], strict=True):
            np.testing.assert_allclose(
                np.asarray(got), np.asarray(expected), rtol=1e-12, err_msg=f"{name}, wd={wd}"
            )


@pytest.mark.parametrize(
    "settings",
    [
        {"lr": 1e-2, "weight_decay": 1e-2},
        {"lr": 5e-2, "betas": (0.8, 0.95), "eps": 1e-6, "weight_decay": 0.3},
    ],
)
def test_adamw_matches_torch_for_100_steps(ex, settings, rng) -> None:
    """100 steps of adamw_step follow torch.optim.AdamW's trajectory.

    Hint 1: the step number counts from one and rises by one per call.
    Hint 2: the bias correction uses beta to the power of the step number; eps is added
    outside the square root.
    """
    settings = {**settings, "lr": settings["lr"] * float(rng.uniform(0.5, 2.0))}
    # The learner's steps first: torch's first optimizer step takes seconds to set up.
    got = run_learner(ex.adamw_step, 100, **settings)
    np.testing.assert_allclose(got, run_torch(torch.optim.AdamW, 100, **settings), rtol=1e-9)


def test_adam_matches_torch_for_100_steps(ex, rng) -> None:
    """100 steps of adam_step with L2 decay follow torch.optim.Adam's trajectory.

    Hint 1: the same core as adamw_step; only the place of the weight decay differs.
    Hint 2: here the decay times the parameter is added to the gradient.
    """
    settings = {
        "lr": float(rng.uniform(0.005, 0.05)),
        "betas": (float(rng.uniform(0.7, 0.95)), float(rng.uniform(0.9, 0.999))),
        "eps": float(10 ** rng.uniform(-8, -4)),
        "weight_decay": float(rng.uniform(0.0, 0.3)),
    }
    got = run_learner(ex.adam_step, 100, **settings)
    np.testing.assert_allclose(got, run_torch(torch.optim.Adam, 100, **settings), rtol=1e-9)


def test_adamw_zero_gradient_still_decays(ex) -> None:
    """With a zero gradient AdamW still shrinks the weights by (1 - lr * wd) per step.

    Hint 1: the decay does not depend on the gradient.
    Hint 2: with a zero gradient and zero moments the Adam part of the step is zero, so
    only the shrinking by one minus the learning rate times the decay remains.
    """
    w, m, v = np.array([3.0, -2.0]), np.zeros(2), np.zeros(2)
    for t in range(1, 11):
        w, m, v = ex.adamw_step(w, np.zeros(2), m, v, t, lr=0.1, weight_decay=0.2)
    np.testing.assert_allclose(np.asarray(w), np.array([3.0, -2.0]) * 0.98**10, rtol=1e-12)
    np.testing.assert_array_equal(np.asarray(m), [0.0, 0.0])
    np.testing.assert_array_equal(np.asarray(v), [0.0, 0.0])


def test_inputs_left_unchanged(ex, rng) -> None:
    """Both functions return new arrays and leave param, grad, m and v as they were.

    Hint 1: return new arrays; never write into the ones you were given.
    Hint 2: in-place operators (multiply-assign, add-assign) change the caller's arrays;
    build each new value as a new expression instead.
    """
    inputs = [rng.normal(size=4), rng.normal(size=4), rng.normal(size=4), rng.random(4)]
    before = [a.copy() for a in inputs]
    for step_fn in (ex.adamw_step, ex.adam_step):
        step_fn(*inputs, 2, lr=0.1, weight_decay=0.1)
        for name, array, original in zip(["param", "grad", "m", "v"], inputs, before, strict=True):
            np.testing.assert_array_equal(
                array, original, err_msg=f"{step_fn.__name__} changed {name}"
            )


def test_betas_edge_cases(ex) -> None:
    """betas of 0 work (no averaging: a sign-like step); a beta of 1 is refused.

    Hint 1: with both betas zero the moments forget at once; a beta of one would make the
    bias correction divide by zero.
    Hint 2: refuse any beta outside the half-open interval from zero (allowed) to one
    (not allowed) with a ValueError.
    """
    w, g = np.array([1.0, 1.0, 1.0]), np.array([0.2, -3.0, 40.0])
    m, v = np.array([5.0, 5.0, 5.0]), np.array([7.0, 7.0, 7.0])  # forgotten at once
    new_w, new_m, new_v = ex.adamw_step(w, g, m, v, 7, lr=0.1, betas=(0.0, 0.0), weight_decay=0)
    np.testing.assert_allclose(np.asarray(new_m), g, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(new_v), g**2, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(new_w), 1 - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    for betas in [(1.0, 0.999), (0.9, 1.0), (-0.1, 0.999)]:
        with pytest.raises(ValueError):
            ex.adamw_step(w, g, np.zeros(3), np.zeros(3), 1, betas=betas)
