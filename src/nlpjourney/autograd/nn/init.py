"""Weight initialization: Xavier/Glorot and Kaiming/He schemes, with gains per nonlinearity.

A layer's output variance is ``fan_in * Var(w) * Var(x)``; to keep signals (and
gradients) from shrinking or exploding through depth, the schemes pick ``Var(w)``:

- Xavier (Glorot & Bengio 2010): ``Var(w) = gain**2 * 2 / (fan_in + fan_out)``, a
  compromise between the forward pass (``fan_in``) and the backward pass (``fan_out``);
- Kaiming (He et al. 2015): ``Var(w) = gain**2 / fan``, with ``gain = sqrt 2`` for ReLU,
  which zeroes half its inputs and so halves the variance.

A uniform distribution on ``[-b, b]`` has variance ``b**2 / 3``, so the uniform variants
use ``b = sqrt(3 * Var(w))``. For a weight of shape (out, in, *kernel) the receptive field
``prod(kernel)`` multiplies both fans; a Linear weight has ``fan_in = in``.

Every function fills ``tensor.data`` in place (keeping its dtype) and returns the tensor.
Randomness comes from ``generator`` or else this module's default generator, which
:func:`manual_seed` reseeds.

Reference: ``torch.nn.init`` (``calculate_gain``, ``xavier_uniform_``, ``xavier_normal_``,
``kaiming_uniform_``, ``kaiming_normal_``); the tests compare bounds and moments, since
the random streams differ.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from nlpjourney.autograd.tensor import Tensor

_default = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Reseed the default generator, so initializations and dropout masks repeat."""
    global _default
    _default = np.random.default_rng(seed)


def default_generator() -> np.random.Generator:
    """The generator used when a function is given none."""
    return _default


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which a nonlinearity's output standard deviation needs restoring.

    ``linear``/``conv*``/``sigmoid`` 1, ``tanh`` 5/3, ``relu`` sqrt(2),
    ``leaky_relu`` sqrt(2 / (1 + slope**2)) (slope ``param``, default 0.01), ``selu`` 3/4.
    """
    if nonlinearity in ("linear", "identity", "sigmoid") or nonlinearity.startswith("conv"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, int | float):
            raise ValueError(f"leaky_relu's negative slope must be a number, got {slope!r}")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(
        f"unknown nonlinearity {nonlinearity!r}; use linear, conv1d/2d/3d, sigmoid, tanh, "
        "relu, leaky_relu or selu"
    )


def fans(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape (out, in, *kernel)."""
    if tensor.ndim < 2:
        raise ValueError(
            f"fan in and fan out need a weight with at least 2 axes, got shape {tensor.shape}"
        )
    receptive = int(np.prod(tensor.shape[2:]))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    tensor.data[...] = values  # in place: whoever holds this tensor sees the new values
    return tensor


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Fill with draws from the uniform distribution on ``[a, b)``."""
    return _fill(tensor, (generator or _default).uniform(a, b, size=tensor.shape))


def normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Fill with draws from the normal distribution ``N(mean, std**2)``."""
    return _fill(tensor, (generator or _default).normal(mean, std, size=tensor.shape))


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill(tensor, np.zeros(tensor.shape))


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(tensor, np.ones(tensor.shape))


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Uniform on ``[-b, b]`` with ``b = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Normal with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fans(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: Literal["fan_in", "fan_out"] = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Uniform on ``[-b, b]`` with ``b = sqrt(3) * gain / sqrt(fan)``.

    ``a`` is the negative slope of a leaky ReLU (used when ``nonlinearity="leaky_relu"``).
    ``torch.nn.Linear`` uses ``a = sqrt(5)``, which gives ``b = 1 / sqrt(fan_in)``.
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: Literal["fan_in", "fan_out"] = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Normal with ``std = gain / sqrt(fan)``."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)
