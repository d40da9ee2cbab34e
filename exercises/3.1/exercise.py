"""Exercise 3.1: backward rules for matmul, broadcasting add and softmax.

An autograd engine is a graph walker plus one *backward rule* per operation: given
``grad_out``, the gradient of the loss with respect to the operation's output (same
shape as the output), return the gradient with respect to each input (same shape as
that input). Here you write three rules as plain NumPy functions, the ones the lesson
``lessons/3.1-autograd-and-backprop.py`` derives:

1. ``unbroadcast``: sum a gradient back down to the shape of an input that NumPy
   broadcast;
2. ``add_backward``: the rule of ``a + b`` when the shapes differ;
3. ``matmul_backward``: the rule of ``a @ b``, for matrices and for batches of them;
4. ``softmax_backward``: the rule of ``y = softmax(x)``, written with ``y``.

Use NumPy only: ``journey check`` refuses a file that uses ``nlpjourney`` (the model
answer), torch (``torch.autograd`` would answer it) or another autodiff library. Then run
``journey check 3.1``: the checks compare your gradients with PyTorch's autograd and with
finite differences, on shapes drawn fresh each run, and each failing check gives a hint
(``--hint`` shows more).
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (yours to use)


def unbroadcast(grad, shape):
    """Return ``grad`` summed down to ``shape``, undoing NumPy broadcasting.

    When an input of ``shape`` was broadcast to ``grad.shape``, each of its entries was
    used several times, so its gradient is the *sum* of the gradients of all its copies:

    - axes that broadcasting added on the left are summed away;
    - axes where ``shape`` has 1 and ``grad`` does not are summed, keeping the axis.

    Example: ``unbroadcast(np.ones((2, 3, 4)), (3, 1))`` is ``np.full((3, 1), 8.0)``
    (axis 0 was added: sum it away; axis 2 was stretched from 1 to 4: sum it, keep it).
    """
    raise NotImplementedError("write unbroadcast: sum the leading extra axes, then the 1-axes")


def add_backward(a_shape, b_shape, grad_out):
    """Return ``(grad_a, grad_b)`` for ``out = a + b``, where the shapes may broadcast.

    ``d(a + b)/da = 1``, so both inputs receive ``grad_out`` itself, each reduced to its
    own shape with ``unbroadcast``. ``grad_out`` has the broadcast shape of the two.

    Example: shapes ``(2, 3)`` and ``(3,)`` with ``grad_out = [[1, 2, 3], [4, 5, 6]]``
    give ``grad_a = grad_out`` and ``grad_b = [5, 7, 9]`` (b was added to both rows).
    """
    raise NotImplementedError("write add_backward: unbroadcast grad_out to each shape")


def matmul_backward(a, b, grad_out):
    """Return ``(grad_a, grad_b)`` for ``out = a @ b``.

    For matrices, ``grad_a = grad_out @ b.T`` and ``grad_b = a.T @ grad_out``: check the
    shapes, (n, m) @ (m, k) is (n, k) and (k, n) @ (n, m) is (k, m). With batch axes in
    front, ``a @ b`` multiplies matching matrices, so transpose only the last two axes
    (``np.swapaxes(x, -1, -2)``); and when one operand was broadcast over the batch (one
    weight matrix for a whole batch), ``unbroadcast`` its gradient to its shape. An
    operand with fewer than 2 axes is not a matrix: raise ``ValueError``.

    Shapes:
        a (..., n, k), b (..., k, m), grad_out (..., n, m) -> grad_a like a, grad_b like b.

    Example: ``a = [[1, 2]]``, ``b = [[3], [4]]``, ``grad_out = [[1]]`` give
    ``grad_a = [[3, 4]]`` and ``grad_b = [[1], [2]]``.
    """
    raise NotImplementedError("write matmul_backward: grad_out @ b^T and a^T @ grad_out")


def softmax_backward(y, grad_out, axis=-1):
    """Return the gradient with respect to ``x`` of ``y = softmax(x, axis)``.

    You get the output ``y``, not ``x``: the softmax's derivative is easiest written with
    it, ``dy_i/dx_j = y_i (1[i == j] - y_j)``. Multiply that Jacobian by ``grad_out``
    on paper first; it simplifies to a one-liner that never builds the Jacobian, with one
    sum along ``axis``.

    Example: ``y = [0.5, 0.5]`` and ``grad_out = [1, 0]`` give ``[0.25, -0.25]``.
    """
    raise NotImplementedError("write softmax_backward: the Jacobian times grad_out, simplified")
