"""Operations that move numbers without changing them: reshape, transpose, indexing.

Their backward functions move the gradient back: ``reshape`` reshapes it to the input's
shape, ``transpose`` applies the inverse permutation, and indexing scatters it into a
zero array of the input's shape. With integer arrays an element picked twice receives
both gradients, which is why the scatter uses ``np.add.at`` (``full[index] += g`` would
count a repeated index once); an embedding lookup ``weight[token_ids]`` relies on it.

These are the methods ``Tensor.reshape()``, ``Tensor.transpose()``, ``Tensor.T`` and
``tensor[index]`` of :class:`~nlpjourney.autograd.tensor.Tensor`.

Reference: ``torch.reshape``, ``torch.permute`` and torch's basic and advanced indexing;
the tests compare values and gradients at float64.

Simplifications:
    - ``transpose`` takes NumPy's full permutation (``t.transpose(2, 0, 1)``), not torch's
      two-axis swap.
    - No boolean-mask indexing in the tests (NumPy accepts it; the gradient is the same
      scatter).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from nlpjourney.autograd.tensor import Tensor


def reshape(x: Tensor, *shape: int | Sequence[int]) -> Tensor:
    """The same numbers in a new shape; ``-1`` infers one axis: ``t.reshape(2, -1)``."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = tuple(shape[0])
    try:
        data = x.data.reshape(shape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
            f"into {tuple(shape)}"
        ) from None
    original = x.shape
    return x._child(data, (x,), lambda g: (g.reshape(original),), "reshape")


def transpose(x: Tensor, *axes: int | Sequence[int]) -> Tensor:
    """Axes permuted as in ``numpy.transpose``; no axes reverses them (``t.T``)."""
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = tuple(axes[0])
    order = tuple(range(x.ndim))[::-1] if not axes else axes
    if sorted(a % max(x.ndim, 1) for a in order) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {axes} are not a permutation of {x.ndim} axes")
    inverse = tuple(np.argsort([a % x.ndim for a in order]))
    return x._child(x.data.transpose(order), (x,), lambda g: (g.transpose(inverse),), "transpose")


def index(x: Tensor, index: Any) -> Tensor:
    """``x[index]``: basic slicing (``t[1:, ::2]``, ``t[..., 0]``, ``t[None]``) and
    integer-array indexing (``t[ids]``, ``t[rows, cols]``); Tensors of integers work too.
    """
    index = _plain_index(index)
    try:
        data = x.data[index]
    except IndexError as error:
        raise IndexError(
            f"index {index!r} does not fit a tensor of shape {x.shape}: {error}"
        ) from None
    shape, dtype = x.shape, x.data.dtype
    advanced = _is_advanced(index)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        full = np.zeros(shape, dtype=dtype)
        if advanced:
            # subtle: full[index] += g would count a repeated index only once.
            np.add.at(full, index, g)
        else:
            full[index] = g
        return (full,)

    return x._child(data, (x,), backward, "index")


def _plain_index(index: Any) -> Any:
    """The index with Tensors replaced by their integer arrays."""
    if hasattr(index, "_parents"):  # a Tensor
        return _integer_array(index.data)
    if isinstance(index, tuple):
        return tuple(_integer_array(i.data) if hasattr(i, "_parents") else i for i in index)
    return index


def _integer_array(data: np.ndarray) -> np.ndarray:
    if data.dtype.kind == "f":
        if not np.all(data == np.round(data)):
            raise TypeError("a Tensor used as an index must hold whole numbers")
        return data.astype(np.int64)
    return data


def _is_advanced(index: Any) -> bool:
    """Whether NumPy treats the index as advanced (arrays or lists), which may repeat."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, list | np.ndarray) for p in parts)
