"""Layers on the Tensor engine: Linear, Embedding, LayerNorm, Dropout and activations.

Each layer is a :class:`~.module.Module` whose parameters have PyTorch's names and shapes
(``weight`` of shape (out, in) for Linear), so ``load_state_dict`` can take a PyTorch
model's weights, and PyTorch's default initialization:

- ``Linear``: weight uniform on ``[-1/sqrt(in), 1/sqrt(in)]`` (``kaiming_uniform_`` with
  ``a = sqrt 5``), bias uniform on the same interval;
- ``Embedding``: ``N(0, 1)``;
- ``LayerNorm``: weight 1, bias 0.

Reference: ``torch.nn.Linear``, ``torch.nn.Embedding``, ``torch.nn.LayerNorm``,
``torch.nn.Dropout``, ``torch.nn.ReLU``/``Tanh``/``GELU``/``Sigmoid``; the tests copy
weights in and compare outputs and gradients.

Simplifications:
    - Parameters are float32 unless ``dtype`` says otherwise; no devices.
    - LayerNorm is built from Tensor operations (mean, subtract, multiply), so its backward
      comes from the chain rule rather than a hand-fused formula.
    - The random streams differ from PyTorch's: only the distributions match.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from nlpjourney.autograd import functional
from nlpjourney.autograd.nn import init
from nlpjourney.autograd.nn.module import Module, Parameter
from nlpjourney.autograd.tensor import Tensor


def _tensor(x: Tensor | ArrayLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


class Linear(Module):
    """``y = x @ weight.T + bias``.

    Args:
        in_features: size of the input's last axis.
        out_features: size of the output's last axis.
        bias: whether to add a learned bias.
        dtype: the parameters' dtype.
        generator: the random generator for initialization (default: ``init``'s).

    Shapes:
        x (..., in_features) -> (..., out_features).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: DTypeLike = np.float32,
        generator: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if in_features < 1 or out_features < 1:
            raise ValueError(f"Linear needs positive sizes, got {in_features} -> {out_features}")
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        self.bias: Parameter | None = None
        if bias:
            bound = 1 / math.sqrt(in_features)
            self.bias = Parameter(np.empty(out_features, dtype=dtype))
            init.uniform_(self.bias, -bound, bound, generator)

    def forward(self, x: Tensor | ArrayLike) -> Tensor:
        return functional.linear(_tensor(x), self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Embedding(Module):
    """A lookup table: row ``i`` of ``weight`` is the vector of token ``i``.

    Shapes:
        ids (...) integers -> (..., embedding_dim).
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        dtype: DTypeLike = np.float32,
        generator: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype))
        init.normal_(self.weight, 0.0, 1.0, generator)

    def forward(self, ids: ArrayLike | Tensor) -> Tensor:
        array = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
        if array.dtype.kind not in "iu":
            raise TypeError(
                f"Embedding takes integer ids, got dtype {array.dtype}; "
                "pass np.asarray(ids, dtype=np.int64)"
            )
        if array.size and (array.min() < 0 or array.max() >= self.num_embeddings):
            raise ValueError(
                f"Embedding: ids must be in [0, {self.num_embeddings}), got values from "
                f"{array.min()} to {array.max()}"
            )
        # Integer-array indexing: repeated ids accumulate their gradients (np.add.at).
        return self.weight[array]

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"


class LayerNorm(Module):
    """Normalize over the last axes to mean 0 and variance 1, then scale and shift.

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``, with the biased variance (divide
    by n, not n - 1), over the trailing ``normalized_shape`` axes.

    Shapes:
        x (..., *normalized_shape) -> the same shape.
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype: DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(shape)
        self.eps = eps
        self.weight = (
            Parameter(np.ones(self.normalized_shape, dtype=dtype)) if elementwise_affine else None
        )
        self.bias = (
            Parameter(np.zeros(self.normalized_shape, dtype=dtype))
            if elementwise_affine and bias
            else None
        )

    def forward(self, x: Tensor | ArrayLike) -> Tensor:
        x = _tensor(x)
        n = len(self.normalized_shape)
        if x.shape[x.ndim - n :] != self.normalized_shape:
            raise ValueError(
                f"LayerNorm{self.normalized_shape}: input shape {x.shape} does not end in "
                f"{self.normalized_shape}"
            )
        axes = tuple(range(x.ndim - n, x.ndim))
        centred = x - x.mean(axis=axes, keepdims=True)
        variance = (centred * centred).mean(axis=axes, keepdims=True)
        y = centred * (variance + self.eps) ** -0.5
        if self.weight is not None:
            y = y * self.weight
        if self.bias is not None:
            y = y + self.bias
        return y

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}"


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability ``p`` and scale
    the rest by ``1 / (1 - p)``, so the expected value is unchanged and evaluation (where
    dropout is the identity) needs no rescaling.
    """

    def __init__(self, p: float = 0.5, generator: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p = p
        self.generator = generator

    def forward(self, x: Tensor | ArrayLike) -> Tensor:
        x = _tensor(x)
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0
        rng = self.generator or init.default_generator()
        keep = rng.random(x.shape) >= self.p
        return x * (keep * (1.0 / (1.0 - self.p))).astype(x.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class ReLU(Module):
    """``max(0, x)``."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Tanh(Module):
    """``tanh(x)``."""

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Sigmoid(Module):
    """``1 / (1 + e**-x)``."""

    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class GELU(Module):
    """``x Phi(x)`` with the exact normal CDF (PyTorch's default GELU)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.gelu()
