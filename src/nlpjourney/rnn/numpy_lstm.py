"""One LSTM cell in NumPy, forward and backward from its equations, and a gradient check.

The LSTM cell reads an input ``x`` and the previous state ``(h, c)`` and computes four
gates from one affine map, in torch's order *i, f, g, o*::

    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh       # (B, 4H): four blocks of H
    i = sigmoid(a[:, 0H:1H])    input gate: how much of the candidate to write
    f = sigmoid(a[:, 1H:2H])    forget gate: how much of the old cell to keep
    g = tanh(a[:, 2H:3H])       the candidate values
    o = sigmoid(a[:, 3H:4H])    output gate: how much of the cell to show
    c_new = f * c + i * g
    h_new = o * tanh(c_new)

:func:`lstm_cell_backward` runs the chain rule back through those lines by hand, and
:func:`gradient_check` measures how far such an analytic gradient is from central
finite differences. This module is exercise 3.3's model answer; the library's torch
cells (:mod:`nlpjourney.rnn`) are what models train with.

    >>> rng = np.random.default_rng(0)
    >>> x, h, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    >>> W_ih, W_hh = rng.normal(size=(16, 3)), rng.normal(size=(16, 4))
    >>> b_ih, b_hh = rng.normal(size=16), rng.normal(size=16)
    >>> h_new, c_new = lstm_cell_forward(x, h, c, W_ih, W_hh, b_ih, b_hh)
    >>> h_new.shape, c_new.shape
    ((2, 4), (2, 4))
    >>> dx, dh, dc, dW_ih, dW_hh, db_ih, db_hh = lstm_cell_backward(np.ones((2, 4)), np.zeros((2, 4)), x, h, c,
    ...                            W_ih, W_hh, b_ih, b_hh)
    >>> def loss(W):
    ...     return lstm_cell_forward(x, h, c, W, W_hh, b_ih, b_hh)[0].sum()
    >>> bool(gradient_check(loss, W_ih, dW_ih) < 1e-7)
    True

Reference: ``torch.nn.LSTMCell`` (values, same weights and gate order) and torch
autograd (gradients); ``tests/rnn/test_numpy_lstm.py`` compares both.

Simplifications:
    - One cell, one time step: a layer loops it over time, and backpropagation through
      time sums each step's weight gradients (the lesson shows it with torch).
    - The backward recomputes the forward instead of keeping a cache of activations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["GRAD_NAMES", "gradient_check", "lstm_cell_backward", "lstm_cell_forward"]

Array = NDArray[np.floating]


#: What :func:`lstm_cell_backward` returns: the gradients of ``x, h, c, W_ih, W_hh, b_ih,
#: b_hh`` in that order. (A plain tuple, not a named one: a learner's answer may be any
#: tuple, and the graders pickle what the model answer returns.)
GRAD_NAMES = ("x", "h", "c", "W_ih", "W_hh", "b_ih", "b_hh")


def _sigmoid(a: Array) -> Array:
    # subtle: written with tanh, 1 / (1 + exp(-a)) overflows exp for a large negative a.
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _check_shapes(
    x: Array, h: Array, c: Array, W_ih: Array, W_hh: Array, b_ih: Array, b_hh: Array
) -> None:
    """Raise ValueError, saying which array is wrong, unless the shapes fit one cell."""
    if W_ih.ndim != 2 or W_ih.shape[0] % 4 != 0:
        raise ValueError(
            f"W_ih must be (4 * hidden_size, input_size), the four gates stacked; got {W_ih.shape}"
        )
    four_h, input_size = W_ih.shape
    hidden = four_h // 4
    expected = {
        "W_hh": (W_hh.shape, (four_h, hidden)),
        "b_ih": (b_ih.shape, (four_h,)),
        "b_hh": (b_hh.shape, (four_h,)),
        "x": (x.shape[-1:], (input_size,)),
        "h": (h.shape[-1:], (hidden,)),
        "c": (c.shape, h.shape),
    }
    for name, (got, want) in expected.items():
        if got != want:
            raise ValueError(
                f"{name} has shape {got} where {want} fits W_ih {W_ih.shape} "
                f"(input_size {input_size}, hidden_size {hidden})"
            )
    if x.ndim not in (1, 2) or x.shape[:-1] != h.shape[:-1]:
        raise ValueError(
            f"x {x.shape} and h {h.shape} must be one example (1-D) or one batch (2-D) "
            "of the same size"
        )


def _gates(
    x: Array, h: Array, W_ih: Array, W_hh: Array, b_ih: Array, b_hh: Array
) -> tuple[Array, Array, Array, Array]:
    """The four gates i, f, g, o, each (..., H), from one affine map of x and h."""
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (..., 4H)
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=-1)
    return _sigmoid(a_i), _sigmoid(a_f), np.tanh(a_g), _sigmoid(a_o)


def lstm_cell_forward(
    x: ArrayLike,
    h: ArrayLike,
    c: ArrayLike,
    W_ih: ArrayLike,
    W_hh: ArrayLike,
    b_ih: ArrayLike,
    b_hh: ArrayLike,
) -> tuple[Array, Array]:
    """One LSTM step: ``(h_new, c_new)`` from the input and the previous state.

    Args:
        x: the input, (B, I) or one example (I,).
        h: the previous hidden state, (B, H) or (H,).
        c: the previous cell state, shaped like ``h``.
        W_ih: (4H, I), the input weights of the gates i, f, g, o stacked in that order
            (torch's ``weight_ih``).
        W_hh: (4H, H), the recurrent weights, stacked the same way (``weight_hh``).
        b_ih: (4H,), ``bias_ih``.
        b_hh: (4H,), ``bias_hh``.

    Returns:
        ``(h_new, c_new)``, each shaped like ``h``.

    Raises:
        ValueError: when the shapes do not fit one cell.
    """
    x, h, c, W_ih, W_hh, b_ih, b_hh = map(np.asarray, (x, h, c, W_ih, W_hh, b_ih, b_hh))
    _check_shapes(x, h, c, W_ih, W_hh, b_ih, b_hh)
    i, f, g, o = _gates(x, h, W_ih, W_hh, b_ih, b_hh)
    c_new = f * c + i * g  # keep part of the old memory, write part of the candidate
    h_new = o * np.tanh(c_new)  # show part of the squashed memory
    return h_new, c_new


def lstm_cell_backward(
    dh_new: ArrayLike,
    dc_new: ArrayLike,
    x: ArrayLike,
    h: ArrayLike,
    c: ArrayLike,
    W_ih: ArrayLike,
    W_hh: ArrayLike,
    b_ih: ArrayLike,
    b_hh: ArrayLike,
) -> tuple[Array, Array, Array, Array, Array, Array, Array]:
    """The gradients of a loss with respect to every input of one LSTM step.

    Given the gradients of the loss with respect to the step's outputs (``dh_new`` and
    ``dc_new``, each shaped like ``h``; ``dc_new`` is what the next step sends back
    through its cell), apply the chain rule to the forward's lines in reverse. The
    forward is recomputed from the same inputs.

    Args:
        dh_new: dL/dh_new, shaped like ``h``.
        dc_new: dL/dc_new, shaped like ``h`` (zeros at the last step).
        x, h, c, W_ih, W_hh, b_ih, b_hh: the forward's inputs (see
            :func:`lstm_cell_forward`).

    Returns:
        ``(dx, dh, dc, dW_ih, dW_hh, db_ih, db_hh)`` (:data:`GRAD_NAMES`), each shaped
        like its input. For a batch the weight
        and bias gradients are summed over its examples.
    """
    x, h, c, W_ih, W_hh, b_ih, b_hh = map(np.asarray, (x, h, c, W_ih, W_hh, b_ih, b_hh))
    _check_shapes(x, h, c, W_ih, W_hh, b_ih, b_hh)
    dh_new, dc_new = np.asarray(dh_new), np.asarray(dc_new)
    if dh_new.shape != h.shape or dc_new.shape != h.shape:
        raise ValueError(
            f"dh_new {dh_new.shape} and dc_new {dc_new.shape} must be shaped like h {h.shape}"
        )
    i, f, g, o = _gates(x, h, W_ih, W_hh, b_ih, b_hh)
    tanh_c = np.tanh(f * c + i * g)
    # h_new = o * tanh(c_new): c_new reaches the loss directly and through h_new.
    d_o = dh_new * tanh_c
    dc_total = dc_new + dh_new * o * (1.0 - tanh_c**2)
    # c_new = f * c + i * g
    d_f, d_c, d_i, d_g = dc_total * c, dc_total * f, dc_total * g, dc_total * i
    # back through the nonlinearities: sigmoid' = s (1 - s), tanh' = 1 - t^2
    da = np.concatenate(
        [d_i * i * (1.0 - i), d_f * f * (1.0 - f), d_g * (1.0 - g**2), d_o * o * (1.0 - o)],
        axis=-1,
    )  # (..., 4H), in the gate order of W_ih's rows
    # a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh; one example is a batch of one.
    da_rows = da.reshape(-1, da.shape[-1])
    d_W_ih = da_rows.T @ x.reshape(-1, x.shape[-1])
    d_W_hh = da_rows.T @ h.reshape(-1, h.shape[-1])
    d_b = da_rows.sum(axis=0)
    return (da @ W_ih, da @ W_hh, d_c, d_W_ih, d_W_hh, d_b, d_b.copy())


def gradient_check(
    f: Callable[[np.ndarray], float], x: ArrayLike, grad: ArrayLike, eps: float = 1e-6
) -> float:
    """How far an analytic gradient of ``f`` at ``x`` is from central finite differences.

    The numerical gradient has entries ``(f(x + eps e_k) - f(x - eps e_k)) / (2 eps)``;
    the result is the relative error of the whole arrays,
    ``|grad - numeric| / (|grad| + |numeric|)`` with ``|.|`` the Euclidean norm (0 when
    both are zero). Below about 1e-7 in float64 the gradient is right; a wrong term
    usually shows as 1e-2 or more.

    Args:
        f: a function of an array shaped like ``x`` returning one number (the loss).
        x: where to check; not modified.
        grad: the analytic gradient to check, shaped like ``x``.
        eps: the finite-difference step.

    Returns:
        The relative error, a float in [0, 1].
    """
    # subtle: imported here, so `import nlpjourney.rnn` does not load nlpjourney.ml (SciPy).
    from nlpjourney.ml.math import numerical_gradient

    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape != np.shape(x):
        raise ValueError(f"grad has shape {grad.shape}; it must be shaped like x {np.shape(x)}")
    numeric = numerical_gradient(f, x, eps)
    scale = np.linalg.norm(grad) + np.linalg.norm(numeric)
    if scale == 0:
        return 0.0
    return float(np.linalg.norm(grad - numeric) / scale)
