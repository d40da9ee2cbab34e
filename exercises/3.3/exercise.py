"""Exercise 3.3: an LSTM cell, forward and backward, and the gradient check that proves it.

The lesson ``lessons/3.3-recurrent-networks.py`` writes a plain RNN step and its
gradient by hand and checks that gradient with finite differences. Here you do the same
for the LSTM cell, in NumPy. The cell, in torch's gate order *i, f, g, o*::

    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh       (B, 4H): four blocks of H columns
    i = sigmoid(first block)     input gate
    f = sigmoid(second block)    forget gate
    g = tanh(third block)        candidate values
    o = sigmoid(fourth block)    output gate
    c_new = f * c + i * g
    h_new = o * tanh(c_new)

Shapes: ``x`` (B, I), ``h`` and ``c`` (B, H), ``W_ih`` (4H, I), ``W_hh`` (4H, H),
``b_ih`` and ``b_hh`` (4H,). One example without the batch axis, ``x`` (I,) and ``h``,
``c`` (H,), must work too.

1. ``lstm_cell_forward``: one step, ``(h_new, c_new)``.
2. ``lstm_cell_backward``: the gradients with respect to all seven inputs, given the
   gradients of the loss with respect to ``h_new`` and ``c_new``.
3. ``gradient_check``: compare an analytic gradient with central finite differences.

Use NumPy only: ``journey check`` refuses a file that uses ``nlpjourney`` (the model
answer) or torch. Then run ``journey check 3.3``: the checks compare your cell with
``torch.nn.LSTMCell`` holding the same weights and your gradients with torch's autograd,
on sizes drawn fresh each run, and each failing check gives a hint (``--hint`` shows
more).
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (yours to use)


def lstm_cell_forward(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """Return ``(h_new, c_new)``, one LSTM step; each is shaped like ``h``.

    Compute all four gates with one affine map (the formula above), split its last axis
    into four equal blocks in the order i, f, g, o, then update the cell and the hidden
    state. Raise ``ValueError`` when the shapes do not fit one cell: ``W_ih`` whose row
    count is not a multiple of four, ``W_hh`` or a bias that does not match it, ``x`` or
    ``h`` whose last axis does not match the weights, ``c`` shaped unlike ``h``, or ``x``
    and ``h`` with different batch sizes.

    Example: with every weight and bias zero, every sigmoid gate is one half and the
    candidate is zero, so ``c_new = c / 2`` and ``h_new = tanh(c / 2) / 2``.
    """
    raise NotImplementedError("write lstm_cell_forward: one affine map, four gates, two updates")


def lstm_cell_backward(dh_new, dc_new, x, h, c, W_ih, W_hh, b_ih, b_hh):
    """Return the gradients ``(dx, dh, dc, dW_ih, dW_hh, db_ih, db_hh)``.

    ``dh_new`` and ``dc_new`` (each shaped like ``h``) are the gradients of some loss
    with respect to the step's two outputs; return the gradient of the same loss with
    respect to each input, shaped like that input, as one tuple in that order. For a
    batch, the weight and bias gradients add up the examples' contributions. Recompute
    the forward's gates from the inputs, then walk its lines backward: ``c_new`` reaches
    the loss directly (``dc_new``) and through ``h_new``; ``sigmoid' = s (1 - s)`` and
    ``tanh' = 1 - t ** 2``, written with the gate values. Raise ``ValueError`` for
    shapes that do not fit, as the forward does, or when ``dh_new`` or ``dc_new`` is
    not shaped like ``h``.

    Example: with every weight and bias zero, ``dh_new = 0`` and ``dc_new = 1``, the only
    path back to ``c`` is through the forget gate, so ``dc`` is one half everywhere.
    """
    raise NotImplementedError("write lstm_cell_backward: the forward's lines in reverse")


def gradient_check(f, x, grad, eps=1e-6):
    """Return the relative error between ``grad`` and the numerical gradient of ``f``.

    ``f`` maps an array shaped like ``x`` to one number. The numerical gradient's entry
    ``k`` is ``(f(x + eps e_k) - f(x - eps e_k)) / (2 eps)``, where ``e_k`` is one at
    entry ``k`` and zero elsewhere (work on a float64 copy of ``x``: never change the
    caller's array). The result is ``norm(grad - numeric) / (norm(grad) + norm(numeric))``
    with the Euclidean norm of the whole array, a float; 0.0 when both norms are zero.
    Raise ``ValueError`` when ``grad`` is not shaped like ``x``.

    Example: for ``f(v) = sum(v)`` at any ``x``, the numerical gradient is all ones, so a
    ``grad`` of all ones gives about 0 and a ``grad`` of all minus ones gives 1.
    """
    raise NotImplementedError("write gradient_check: central differences, then the relative error")
