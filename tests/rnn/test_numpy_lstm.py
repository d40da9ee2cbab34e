"""The NumPy LSTM cell equals ``torch.nn.LSTMCell``, and its backward equals autograd.

Parity: the same weights loaded into ``torch.nn.LSTMCell`` give the same ``(h, c)`` in
float64 and float32, for a batch and for one example. Gradients: ``lstm_cell_backward``
equals ``torch.autograd.grad`` of ``sum(dh * h_new + dc * c_new)`` for random upstream
gradients, for every input. Properties (hypothesis): any small cell passes
``gradient_check`` against central differences, and a corrupted gradient does not.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney.rnn import GRAD_NAMES, gradient_check, lstm_cell_backward, lstm_cell_forward

NAMES = GRAD_NAMES


def random_cell(rng: np.random.Generator, batch: int | None, input_size: int, hidden: int):
    """Inputs and weights of one cell; ``batch=None`` gives one example (1-D x, h, c)."""
    lead = () if batch is None else (batch,)
    return {
        "x": rng.normal(size=(*lead, input_size)),
        "h": rng.normal(size=(*lead, hidden)),
        "c": rng.normal(size=(*lead, hidden)),
        "W_ih": rng.normal(size=(4 * hidden, input_size)) * 0.7,
        "W_hh": rng.normal(size=(4 * hidden, hidden)) * 0.7,
        "b_ih": rng.normal(size=4 * hidden),
        "b_hh": rng.normal(size=4 * hidden),
    }


def torch_cell(args: dict, dtype: torch.dtype) -> torch.nn.LSTMCell:
    input_size, hidden = args["x"].shape[-1], args["h"].shape[-1]
    cell = torch.nn.LSTMCell(input_size, hidden, dtype=dtype)
    with torch.no_grad():
        for name in ("W_ih", "W_hh", "b_ih", "b_hh"):
            torch_name = {"W_ih": "weight_ih", "W_hh": "weight_hh"}.get(
                name, name.replace("b_", "bias_")
            )
            getattr(cell, torch_name).copy_(torch.as_tensor(args[name]))
    return cell


@pytest.mark.parametrize("batch", [None, 1, 5])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numpy_lstm_forward_equals_torch_lstm_cell(batch, dtype) -> None:
    rng = np.random.default_rng(0 if batch is None else batch)
    args = {k: v.astype(dtype) for k, v in random_cell(rng, batch, 3, 4).items()}
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    cell = torch_cell(args, torch_dtype)
    with torch.no_grad():
        want_h, want_c = cell(
            torch.as_tensor(args["x"]), (torch.as_tensor(args["h"]), torch.as_tensor(args["c"]))
        )
    h_new, c_new = lstm_cell_forward(**args)
    tol = {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-6, "atol": 1e-6}
    assert h_new.shape == c_new.shape == args["h"].shape
    np.testing.assert_allclose(h_new, want_h.numpy(), **tol)
    np.testing.assert_allclose(c_new, want_c.numpy(), **tol)


@pytest.mark.parametrize("batch", [None, 1, 6])
def test_numpy_lstm_backward_equals_autograd(batch) -> None:
    rng = np.random.default_rng(10 + (batch or 0))
    args = random_cell(rng, batch, 5, 3)
    dh, dc = rng.normal(size=args["h"].shape), rng.normal(size=args["h"].shape)
    expected = _torch_grads(args, dh, dc)
    grads = lstm_cell_backward(dh, dc, **args)
    for name in NAMES:
        got = grads[NAMES.index(name)]
        assert got.shape == args[name].shape, name
        np.testing.assert_allclose(got, expected[name], rtol=1e-10, atol=1e-12, err_msg=name)


def _torch_grads(args: dict, dh: np.ndarray, dc: np.ndarray) -> dict[str, np.ndarray]:
    """Autograd's gradients of sum(dh * h_new + dc * c_new) through torch.nn.LSTMCell."""
    one = args["x"].ndim == 1
    x = torch.tensor(args["x"], requires_grad=True)
    h = torch.tensor(args["h"], requires_grad=True)
    c = torch.tensor(args["c"], requires_grad=True)
    cell = torch_cell(args, torch.float64)
    h_new, c_new = cell(x, (h, c))
    assert h_new.ndim == (1 if one else 2)
    loss = (h_new * torch.as_tensor(dh)).sum() + (c_new * torch.as_tensor(dc)).sum()
    params = [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
    grads = torch.autograd.grad(loss, [x, h, c, *params])
    return {name: g.numpy() for name, g in zip(NAMES, grads, strict=True)}


@settings(max_examples=8, deadline=None)
@given(
    batch=st.integers(1, 3),
    input_size=st.integers(1, 4),
    hidden=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_numpy_lstm_gradient_check_passes_for_every_input(batch, input_size, hidden, seed) -> None:
    rng = np.random.default_rng(seed)
    args = random_cell(rng, batch, input_size, hidden)
    dh, dc = rng.normal(size=args["h"].shape), rng.normal(size=args["h"].shape)
    grads = lstm_cell_backward(dh, dc, **args)
    for name in NAMES:

        def loss(value, name=name):
            h_new, c_new = lstm_cell_forward(**{**args, name: value})
            return float((dh * h_new).sum() + (dc * c_new).sum())

        error = gradient_check(loss, args[name], grads[NAMES.index(name)])
        assert error < 1e-6, (name, error)
        wrong = grads[NAMES.index(name)] * 1.1  # a 10 % error must show
        if np.linalg.norm(wrong) > 1e-6:
            assert gradient_check(loss, args[name], wrong) > 1e-3, name


def test_numpy_lstm_gradient_check_formula() -> None:
    # f(x) = sum(x**3): the central difference is exactly 3x^2 + eps^2 in exact arithmetic
    x = np.array([1.0, -2.0, 0.5])
    eps = 1e-3
    grad = 3 * x**2
    numeric = grad + eps**2
    want = np.linalg.norm(grad - numeric) / (np.linalg.norm(grad) + np.linalg.norm(numeric))
    got = gradient_check(lambda v: float((v**3).sum()), x, grad, eps=eps)
    assert got == pytest.approx(want, rel=1e-3)
    assert gradient_check(lambda v: 0.0, x, np.zeros(3)) == 0.0
    assert gradient_check(lambda v: float(v.sum()), x, -np.ones(3)) == pytest.approx(1.0)
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])  # x is left as it was


def test_numpy_lstm_saturated_gates_stay_finite() -> None:
    rng = np.random.default_rng(3)
    args = random_cell(rng, 2, 3, 2)
    args["b_ih"] = np.full(8, 800.0) * np.array([1, -1, 1, -1, 1, 1, -1, -1])
    h_new, c_new = lstm_cell_forward(**args)
    grads = lstm_cell_backward(np.ones((2, 2)), np.ones((2, 2)), **args)
    assert np.isfinite(h_new).all() and np.isfinite(c_new).all()
    assert all(np.isfinite(g).all() for g in grads)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"W_ih": np.zeros((7, 3))}, "W_ih"),
        ({"W_hh": np.zeros((8, 3))}, "W_hh"),
        ({"b_hh": np.zeros(4)}, "b_hh"),
        ({"x": np.zeros((2, 4))}, "x"),
        ({"c": np.zeros((3, 2))}, "c"),
        ({"x": np.zeros((3, 3)), "h": np.zeros((2, 2)), "c": np.zeros((2, 2))}, "batch"),
    ],
)
def test_numpy_lstm_refuses_shapes_that_do_not_fit(change, message) -> None:
    args = random_cell(np.random.default_rng(0), 2, 3, 2)
    with pytest.raises(ValueError, match=message):
        lstm_cell_forward(**{**args, **change})
    with pytest.raises(ValueError):
        lstm_cell_backward(np.zeros((2, 2)), np.zeros((2, 2)), **{**args, **change})


def test_numpy_lstm_backward_refuses_misshaped_upstream_gradients() -> None:
    args = random_cell(np.random.default_rng(0), 2, 3, 2)
    with pytest.raises(ValueError, match="dh_new"):
        lstm_cell_backward(np.zeros((2, 3)), np.zeros((2, 2)), **args)
    with pytest.raises(ValueError, match="shaped like x"):
        gradient_check(lambda v: 0.0, np.zeros(3), np.zeros(4))
