"""Reductions of a Tensor along axes, and the softmax family: sum, mean, max, (log_)softmax.

A reduction's backward spreads the gradient of each output element back over the input
elements it came from: ``sum`` copies it to all of them, ``mean`` divides it by their
count, ``max`` gives it to the maximal ones. With ``keepdims=False`` the reduced axes
have disappeared from the gradient, so they are put back before broadcasting.

``softmax`` and ``log_softmax`` subtract the maximum along the axis first, so logits like
``1e4`` do not overflow; their backward is the closed form (one node, not a chain of
exp / sum / divide nodes):

- softmax ``s``: ``dx = s * (g - sum(g * s))``;
- log_softmax: ``dx = g - softmax(x) * sum(g)``.

These are also the methods ``Tensor.sum()``, ``Tensor.softmax()``... of
:class:`~nlpjourney.autograd.tensor.Tensor`.

Reference: ``torch.sum``, ``torch.mean``, ``torch.amax`` (and ``torch.max`` without a
dim), ``torch.softmax`` and ``torch.log_softmax``; the tests compare values and gradients.

Simplifications:
    - ``max`` returns values only. Its gradient is shared equally between tied maxima, as
      ``torch.amax`` and ``torch.max(x)`` do; ``torch.max(x, dim)`` instead gives all of
      it to the one index it returns.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nlpjourney.autograd.tensor import Tensor

Axis = int | tuple[int, ...] | None


def _axes(axis: Axis, ndim: int, op: str) -> tuple[int, ...]:
    """The reduced axes as non-negative ints (all of them for None)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axes:
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} axes")
    return tuple(a % builtins.max(ndim, 1) for a in axes)


def _expand(g: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """``g`` with the reduced axes back as length-1 axes, ready to broadcast."""
    return g if keepdims or not axes else np.expand_dims(g, axes)


def sum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """The sum over ``axis`` (an int, a tuple of ints, or None for all axes).

    Shapes: (2, 3, 4) summed over axis 1 gives (2, 4), or (2, 1, 4) with ``keepdims``.
    """
    axes = _axes(axis, x.ndim, "sum")
    out = np.sum(x.data, axis=axes, keepdims=keepdims)
    shape = x.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        # A read-only view: backward functions never write into their input gradient.
        return (np.broadcast_to(_expand(g, axes, keepdims), shape),)

    return x._child(np.asarray(out), (x,), backward, "sum")


def mean(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The mean over ``axis`` (an int, a tuple of ints, or None for all axes)."""
    axes = _axes(axis, x.ndim, "mean")
    count = int(np.prod([x.shape[a] for a in axes]))
    out = np.mean(x.data, axis=axes, keepdims=keepdims)
    shape, dtype = x.shape, x.data.dtype

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        spread = (_expand(g, axes, keepdims) / count).astype(dtype, copy=False)
        return (np.broadcast_to(spread, shape),)

    return x._child(np.asarray(out), (x,), backward, "mean")


def max(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """The maximum over ``axis``; the gradient is split equally between tied maxima."""
    axes = _axes(axis, x.ndim, "max")
    if x.size == 0:
        raise ValueError("max: the tensor is empty; a maximum needs at least one element")
    data = x.data
    out = np.max(data, axis=axes, keepdims=True)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        winners = data == out
        ties = winners.sum(axis=axes, keepdims=True)
        return (winners * (_expand(g, axes, keepdims) / ties).astype(data.dtype, copy=False),)

    value = out if keepdims else np.squeeze(out, axis=axes)
    return x._child(np.asarray(value), (x,), backward, "max")


def softmax_grad(y: np.ndarray, g: np.ndarray, axis: int) -> np.ndarray:
    """The gradient reaching ``x`` of ``y = softmax(x)``, from ``y`` and ``y``'s gradient ``g``.

    The Jacobian ``diag(y) - y y^T`` of one slice, times ``g``, is
    ``y * (g - sum(g * y))`` along ``axis``; no Jacobian is built.
    """
    return y * (g - (g * y).sum(axis=axis, keepdims=True))


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``: each slice becomes a probability vector."""
    _axes(axis, x.ndim, "softmax")
    shifted = x.data - np.max(x.data, axis=axis, keepdims=True)
    e = np.exp(shifted)
    out = e / e.sum(axis=axis, keepdims=True)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (softmax_grad(out, g, axis),)

    return x._child(out, (x,), backward, "softmax")


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``, finite even where ``softmax`` underflows to 0."""
    _axes(axis, x.ndim, "log_softmax")
    shifted = x.data - np.max(x.data, axis=axis, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)

    return x._child(out, (x,), backward, "log_softmax")
