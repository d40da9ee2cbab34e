"""Pointwise functions of a Tensor and their derivatives: exp, log, tanh, sigmoid, ReLU, GELU.

Each function applies a scalar function ``f`` to every element and records a backward
function that multiplies the incoming gradient by ``f'(x)`` elementwise. Where ``f'`` is
easiest written with the output (``exp' = exp``, ``tanh' = 1 - tanh**2``,
``sigmoid' = s (1 - s)``) the backward reuses the output instead of recomputing it.

These are the methods ``Tensor.exp()``, ``Tensor.relu()``... of
:class:`~nlpjourney.autograd.tensor.Tensor`; call them either way.

Reference: ``torch.exp``, ``torch.log``, ``torch.tanh``, ``torch.sigmoid``,
``torch.relu`` and ``torch.nn.functional.gelu`` (default ``approximate="none"``, the
exact erf form); the tests compare values and gradients at float64.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import erf

if TYPE_CHECKING:
    from nlpjourney.autograd.tensor import Tensor

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def exp(x: Tensor) -> Tensor:
    """``e ** x`` elementwise; the derivative is the output itself."""
    out = np.exp(x.data)
    return x._child(out, (x,), lambda g: (g * out,), "exp")


def log(x: Tensor) -> Tensor:
    """The natural logarithm elementwise (``-inf`` at 0, ``nan`` below); derivative ``1/x``."""
    data = x.data
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf, as PyTorch
        out = np.log(data)
    return x._child(out, (x,), lambda g: (g / data,), "log")


def tanh(x: Tensor) -> Tensor:
    """``tanh(x)`` elementwise; derivative ``1 - tanh(x)**2``."""
    out = np.tanh(x.data)
    return x._child(out, (x,), lambda g: (g * (1 - out * out),), "tanh")


def sigmoid(x: Tensor) -> Tensor:
    """``1 / (1 + e**-x)`` elementwise, without overflow; derivative ``s (1 - s)``."""
    data = x.data
    # subtle: e**-x overflows (with a warning) for x < -709 in float64 and x < -88 in
    # float32. e**-|x| never does; the two branches are the same function.
    z = np.exp(-np.abs(data))
    out = np.where(data >= 0, 1 / (1 + z), z / (1 + z)).astype(data.dtype, copy=False)
    return x._child(out, (x,), lambda g: (g * out * (1 - out),), "sigmoid")


def relu(x: Tensor) -> Tensor:
    """``max(0, x)`` elementwise; derivative 1 where ``x > 0``, else 0 (0 at 0, as PyTorch)."""
    data = x.data
    out = np.maximum(data, 0)
    # The mask is computed in backward, not kept from forward: one fewer array alive
    # between the two passes.
    return x._child(out, (x,), lambda g: (g * (data > 0),), "relu")


def gelu(x: Tensor) -> Tensor:
    """The Gaussian error linear unit ``x Phi(x)``, with the exact normal CDF ``Phi``.

    ``Phi(x) = (1 + erf(x / sqrt 2)) / 2``; the derivative is ``Phi(x) + x phi(x)`` with
    ``phi`` the normal density. This is PyTorch's default (not the tanh approximation).
    """
    data = x.data
    cdf = 0.5 * (1.0 + erf(data * _INV_SQRT2))
    out = (data * cdf).astype(data.dtype, copy=False)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * data * data)
        return (g * (cdf + data * pdf),)

    return x._child(out, (x,), backward, "gelu")
