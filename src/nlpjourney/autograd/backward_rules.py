"""Backward rules of three operations as plain NumPy functions: matmul, softmax, broadcast add.

Inside :class:`~nlpjourney.autograd.tensor.Tensor` each operation records a closure that
maps the gradient of its output to the gradients of its inputs. This module exposes three
of those rules as ordinary functions of arrays, so they can be read, tested and
re-derived one at a time (they are the reference solution of exercise 3.1):

- :func:`matmul_backward`: ``C = A @ B`` gives ``dA = G @ B^T`` and ``dB = A^T @ G``,
  with batch axes that were broadcast summed away;
- :func:`softmax_backward`: ``y = softmax(x)`` gives ``dx = y * (G - sum(G * y))``
  along the softmax axis;
- :func:`add_backward` and :func:`unbroadcast`: ``C = A + B`` passes ``G`` to both sides,
  each summed over the axes along which it was broadcast.

Each rule calls the engine's own helper, so the engine and this module cannot drift
apart.

    >>> g = np.ones((2, 3))
    >>> [x.shape for x in add_backward((2, 1), (3,), g)]
    [(2, 1), (3,)]

Reference: PyTorch autograd (``torch.matmul``, ``torch.softmax`` and ``+`` on tensors with
``requires_grad=True``); the exercise's checks compare with ``torch.autograd.grad``.

Simplifications:
    - ``matmul_backward`` takes operands with at least two axes (no 1-D vectors, which
      the Tensor engine also handles).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nlpjourney.autograd.reductions import softmax_grad
from nlpjourney.autograd.tensor import Tensor, _matmul_backward, _unbroadcast

__all__ = ["add_backward", "matmul_backward", "softmax_backward", "unbroadcast"]


def unbroadcast(grad: ArrayLike, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` down to ``shape``, undoing NumPy broadcasting.

    Axes that broadcasting added in front are summed away; axes where ``shape`` has 1 but
    ``grad`` does not are summed with ``keepdims``.

    Example: ``unbroadcast(np.ones((2, 3, 4)), (3, 1))`` is ``np.full((3, 1), 8.0)``.
    """
    grad = np.asarray(grad)
    shape = tuple(shape)
    try:
        fits = np.broadcast_shapes(shape, grad.shape) == grad.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"an input of shape {shape} cannot broadcast to {grad.shape}")
    return np.asarray(_unbroadcast(grad, shape))


def add_backward(
    a_shape: tuple[int, ...], b_shape: tuple[int, ...], grad_out: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of ``a + b`` (with broadcasting) given the output's gradient.

    Shapes:
        ``grad_out`` has the broadcast shape of ``a_shape`` and ``b_shape``; the results
        have ``a_shape`` and ``b_shape``.

    Example: for shapes (2, 3) and (3,) and ``grad_out = [[1, 2, 3], [4, 5, 6]]`` the
    gradients are ``grad_out`` itself and ``[5, 7, 9]``.
    """
    grad_out = np.asarray(grad_out)
    expected = np.broadcast_shapes(tuple(a_shape), tuple(b_shape))
    if grad_out.shape != expected:
        raise ValueError(
            f"grad_out has shape {grad_out.shape}, but {tuple(a_shape)} + {tuple(b_shape)} "
            f"has shape {expected}"
        )
    return unbroadcast(grad_out, a_shape), unbroadcast(grad_out, b_shape)


def matmul_backward(
    a: ArrayLike, b: ArrayLike, grad_out: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of ``a @ b`` with respect to ``a`` and ``b``.

    ``grad_a = grad_out @ b^T`` and ``grad_b = a^T @ grad_out`` (transposing the last two
    axes), each summed over the batch axes along which its operand was broadcast.

    Shapes:
        a (..., n, k), b (..., k, m), grad_out (..., n, m) -> grad_a like a, grad_b like b.

    Example: ``a = [[1, 2]]``, ``b = [[3], [4]]``, ``grad_out = [[1]]`` give
    ``grad_a = [[3, 4]]`` and ``grad_b = [[1], [2]]``.
    """
    a, b, grad_out = np.asarray(a), np.asarray(b), np.asarray(grad_out)
    if a.ndim < 2 or b.ndim < 2:
        raise ValueError(
            f"matmul_backward takes operands with at least 2 axes, got {a.shape} and {b.shape}"
        )
    expected = np.matmul(a, b).shape
    if grad_out.shape != expected:
        raise ValueError(f"grad_out has shape {grad_out.shape}, but a @ b has shape {expected}")
    backward = _matmul_backward(Tensor(a, requires_grad=True), Tensor(b, requires_grad=True))
    grad_a, grad_b = backward(grad_out)
    return np.asarray(grad_a), np.asarray(grad_b)


def softmax_backward(y: ArrayLike, grad_out: ArrayLike, axis: int = -1) -> np.ndarray:
    """Gradient of ``y = softmax(x, axis)`` with respect to ``x``, from ``y`` itself.

    The Jacobian of one slice is ``diag(y) - y y^T``; multiplied by the incoming gradient
    it collapses to ``y * (grad_out - sum(grad_out * y))``, the sum taken along ``axis``.
    No Jacobian is ever built.

    Shapes:
        y and grad_out of one shape -> grad_x of that shape.

    Example: ``y = [0.5, 0.5]`` and ``grad_out = [1, 0]`` give ``[0.25, -0.25]``.
    """
    y, grad_out = np.asarray(y), np.asarray(grad_out)
    if y.shape != grad_out.shape:
        raise ValueError(f"y has shape {y.shape} but grad_out has shape {grad_out.shape}")
    return softmax_grad(y, grad_out, axis)
