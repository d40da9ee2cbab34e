"""A NumPy-backed tensor with reverse-mode autograd: the Value idea, one array per node.

:class:`Tensor` wraps a ``numpy.ndarray``. An operation on tensors computes its result
with NumPy and, when some input requires a gradient, records the inputs and a small
backward function: given the gradient of the output (same shape as the output) it returns
the gradient for each input. :meth:`Tensor.backward` walks the graph in reverse
topological order (iteratively, so deep graphs do not hit the recursion limit) and adds
the results up into ``.grad`` of the leaves.

This module holds the engine (graph building, ``backward``) and
arithmetic with broadcasting (``+ - * / ** @``, unary ``-``). Pointwise functions
(``exp``, ``relu``, ``gelu``...) live in :mod:`~nlpjourney.autograd.pointwise`, reductions
(``sum``, ``max``, ``softmax``...) in :mod:`~nlpjourney.autograd.reductions` and shape
operations (``reshape``, ``transpose``, indexing) in :mod:`~nlpjourney.autograd.shape_ops`;
all are methods of :class:`Tensor` too.

    >>> w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> loss = (w @ [1.0, -1.0]).sum()
    >>> loss.backward()
    >>> w.grad
    array([[ 1., -1.],
           [ 1., -1.]])

Broadcasting: an input that was broadcast gets the output's gradient summed over the
axes it was stretched along, so ``.grad`` always has the input's shape.

Reference: PyTorch eager autograd (``torch.Tensor`` with ``requires_grad=True``); the tests
compare values and gradients of every operation at float64.

Simplifications:
    - Only leaves keep ``.grad`` (as in PyTorch); :meth:`Tensor.retain_grad` keeps it on an
      intermediate. The graph is kept after ``backward``, so a second ``backward``
      accumulates again (PyTorch frees it unless ``retain_graph=True``).
    - No in-place operations on tensors in a graph, no higher-order gradients, no devices.
    - ``Tensor(ndarray)`` shares the array's memory, like ``torch.as_tensor``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nlpjourney.autograd import pointwise, reductions, shape_ops
from nlpjourney.autograd.grad_mode import _GradMode, is_grad_enabled, no_grad
from nlpjourney.autograd.topo import topological_order

__all__ = ["Tensor", "is_grad_enabled", "no_grad"]

Backward = Callable[[np.ndarray], tuple[np.ndarray | None, ...]]


class Tensor:
    """An n-dimensional array that records the operations on it for ``backward``.

    Args:
        data: an array, nested lists or a number. Integers and booleans become float64,
            float arrays keep their dtype (float32 stays float32). An ndarray is shared,
            not copied.
        requires_grad: whether ``backward`` should compute ``.grad`` for this tensor.
        dtype: an explicit dtype; an integer dtype keeps integers (for indices), and then
            ``requires_grad`` must be False.

    Attributes:
        data: the ndarray.
        grad: the gradient (an ndarray of ``data``'s shape and dtype) after ``backward``,
            or None.
        requires_grad: whether gradients flow to this tensor.
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_op", "_retain")
    # subtle: without this, ``ndarray + tensor`` would let NumPy broadcast over the tensor
    # as an object and never call Tensor.__radd__.
    __array_ufunc__ = None

    def __init__(
        self, data: ArrayLike, requires_grad: bool = False, dtype: np.dtype | type | None = None
    ) -> None:
        if isinstance(data, Tensor):
            raise TypeError(
                "Tensor(data) got a Tensor; use tensor.detach() for its data without the history"
            )
        array = np.asarray(data, dtype=dtype)
        if dtype is None and array.dtype.kind in "biu":
            array = array.astype(np.float64)
        elif array.dtype.kind not in "fbiu":
            raise TypeError(f"Tensor holds real numbers, got dtype {array.dtype}")
        if requires_grad and array.dtype.kind != "f":
            raise TypeError(
                f"only float tensors can require gradients, got dtype {array.dtype}; "
                "leave dtype unset to get float64"
            )
        self.data = array
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Backward | None = None
        self._op = ""
        self._retain = False

    # --- description ----------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = f", op={self._op!r}" if self._op else ""
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}{grad}{extra})"

    def item(self) -> float:
        """The single number of a one-element tensor, as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The data as an ndarray (shared, not copied; no gradient history)."""
        return self.data

    def detach(self) -> Tensor:
        """A tensor sharing this data, cut from the graph (``requires_grad=False``)."""
        return Tensor(self.data)

    def zero_grad(self) -> None:
        """Forget the gradient (``grad = None``), before the next ``backward``."""
        self.grad = None

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this intermediate tensor during ``backward``; returns self."""
        self._retain = True
        return self

    # --- the engine -----------------------------------------------------------------

    def _child(
        self, data: np.ndarray, parents: tuple[Tensor, ...], backward: Backward, op: str
    ) -> Tensor:
        """The output of an operation on ``parents``; records the graph only if needed."""
        out = Tensor.__new__(Tensor)
        out.data = data
        out.grad = None
        out._op = op
        out._retain = False
        if _GradMode.enabled and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out._parents = parents
            out._backward = backward
        else:  # no graph: the inputs can be freed as soon as nobody else holds them
            out.requires_grad = False
            out._parents = ()
            out._backward = None
        return out

    def _topological_order(self) -> list[Tensor]:
        """Nodes that need a gradient, each after all its inputs; iterative DFS."""
        return topological_order(self, follow=_needs_grad)

    def backward(self, grad: ArrayLike | None = None) -> None:
        """Add d(self)/d(leaf) into ``.grad`` of every leaf that requires a gradient.

        Args:
            grad: the gradient of some final scalar with respect to this tensor, of this
                tensor's shape. May be omitted only for a one-element tensor (it is 1).
        """
        if not self.requires_grad:
            raise ValueError(
                "backward() on a tensor that does not require grad: no input of the "
                "computation had requires_grad=True (or it ran inside no_grad())"
            )
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() without a gradient needs a scalar, got shape {self.shape}; "
                    "reduce it first (loss.sum().backward()) or pass the gradient "
                    "(t.backward(np.ones_like(t.data)))"
                )
            seed = np.ones_like(self.data)
        else:
            seed = np.asarray(grad, dtype=self.data.dtype)
            if seed.shape != self.shape:
                raise ValueError(
                    f"backward(grad): grad has shape {seed.shape} but the tensor has shape "
                    f"{self.shape}; they must be equal"
                )
        grads: dict[int, np.ndarray] = {id(self): seed}
        # Arrays created here by adding two contributions; only those may be added to in
        # place. subtle: a backward function may hand the same array to two inputs (the
        # two sides of ``a + b``), so adding into an array we did not create could corrupt
        # another node's gradient.
        owned: set[int] = set()
        for node in reversed(self._topological_order()):
            key = id(node)
            g = grads.pop(key, None)
            if g is None:  # no path from self reaches this node
                continue
            if node._backward is None or node._retain:
                node._accumulate(g, key in owned)
            if node._backward is None:
                continue
            for parent, parent_grad in zip(node._parents, node._backward(g), strict=True):
                if parent_grad is None or not parent.requires_grad:
                    continue
                pkey = id(parent)
                if pkey not in grads:
                    grads[pkey] = parent_grad
                elif pkey in owned:
                    grads[pkey] += parent_grad
                else:
                    grads[pkey] = grads[pkey] + parent_grad
                    owned.add(pkey)

    def _accumulate(self, g: np.ndarray, owned: bool) -> None:
        """``self.grad += g``, storing a private, writable copy the first time."""
        if self.grad is None:
            if owned and g.dtype == self.data.dtype and g.flags.writeable:
                self.grad = g
            else:
                self.grad = np.array(g, dtype=self.data.dtype)
        else:
            self.grad += g

    # --- arithmetic -----------------------------------------------------------------

    def _lift(self, other: Tensor | ArrayLike) -> Tensor:
        """``other`` as a constant tensor; numbers and integer arrays take our dtype.

        subtle: NumPy would promote ``float32 + np.asarray(2.0)`` to float64; PyTorch keeps
        the tensor's dtype for a Python number, and so do we.
        """
        if isinstance(other, Tensor):
            return other
        array = np.asarray(other)
        if array.dtype.kind in "biu" or (array.ndim == 0 and isinstance(other, float | int)):
            kind = self.data.dtype if self.data.dtype.kind == "f" else np.float64
            array = array.astype(kind)
        elif array.dtype.kind != "f":
            raise TypeError(f"cannot combine a Tensor with {type(other).__name__}")
        return Tensor(array)

    def __add__(self, other: Tensor | ArrayLike) -> Tensor:
        b = self._lift(other)
        a = self
        data = _broadcast("+", np.add, a.data, b.data)

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
            return _unbroadcast(g, a.shape), _unbroadcast(g, b.shape)

        return self._child(data, (a, b), backward, "+")

    def __sub__(self, other: Tensor | ArrayLike) -> Tensor:
        b = self._lift(other)
        a = self
        data = _broadcast("-", np.subtract, a.data, b.data)

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
            return _unbroadcast(g, a.shape), (
                -_unbroadcast(g, b.shape) if b.requires_grad else None
            )

        return self._child(data, (a, b), backward, "-")

    def __mul__(self, other: Tensor | ArrayLike) -> Tensor:
        b = self._lift(other)
        a = self
        data = _broadcast("*", np.multiply, a.data, b.data)

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
            return (
                _unbroadcast(g * b.data, a.shape) if a.requires_grad else None,
                _unbroadcast(g * a.data, b.shape) if b.requires_grad else None,
            )

        return self._child(data, (a, b), backward, "*")

    def __truediv__(self, other: Tensor | ArrayLike) -> Tensor:
        b = self._lift(other)
        a = self
        data = _broadcast("/", np.divide, a.data, b.data)

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
            # d(a/b)/db = -a / b**2 = -(a/b) / b: reuse the output.
            return (
                _unbroadcast(g / b.data, a.shape) if a.requires_grad else None,
                _unbroadcast(-g * data / b.data, b.shape) if b.requires_grad else None,
            )

        return self._child(data, (a, b), backward, "/")

    def __pow__(self, exponent: Tensor | ArrayLike) -> Tensor:
        b = self._lift(exponent)
        a = self
        data = _broadcast("**", np.power, a.data, b.data)

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
            grad_a = grad_b = None
            if a.requires_grad:
                grad_a = _unbroadcast(g * b.data * a.data ** (b.data - 1), a.shape)
            if b.requires_grad:
                # d(a**b)/db = a**b log a; PyTorch takes it as 0 where a == 0.
                with np.errstate(divide="ignore", invalid="ignore"):
                    log_a = np.where(a.data == 0, 0.0, np.log(a.data))
                grad_b = _unbroadcast(g * data * log_a, b.shape)
            return grad_a, grad_b

        return self._child(data, (a, b), backward, "**")

    def __matmul__(self, other: Tensor | ArrayLike) -> Tensor:
        b = self._lift(other)
        a = self
        try:
            data = a.data @ b.data
        except ValueError:
            raise ValueError(
                f"@ (matmul): shapes {a.shape} and {b.shape} do not match; the last axis of "
                "the left operand must equal the first axis of a 1-D right operand or the "
                "second-to-last axis of the right operand"
            ) from None
        return self._child(data, (a, b), _matmul_backward(a, b), "@")

    def __neg__(self) -> Tensor:
        return self._child(-self.data, (self,), lambda g: (-g,), "neg")

    def __radd__(self, other: ArrayLike) -> Tensor:
        return self._lift(other) + self

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return self._lift(other) - self

    def __rmul__(self, other: ArrayLike) -> Tensor:
        return self._lift(other) * self

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        return self._lift(other) / self

    def __rpow__(self, base: ArrayLike) -> Tensor:
        return self._lift(base) ** self

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return self._lift(other) @ self

    # --- shape (see shape_ops) ----------------------------------------------------

    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        return shape_ops.reshape(self, *shape)

    def transpose(self, *axes: int | Sequence[int]) -> Tensor:
        return shape_ops.transpose(self, *axes)

    @property
    def T(self) -> Tensor:  # noqa: N802 (NumPy's name)
        """All axes reversed (the matrix transpose for 2-D)."""
        return shape_ops.transpose(self)

    def __getitem__(self, index: Any) -> Tensor:
        return shape_ops.index(self, index)

    # --- pointwise functions and reductions (see their modules) ----------------------

    def exp(self) -> Tensor:
        return pointwise.exp(self)

    def log(self) -> Tensor:
        return pointwise.log(self)

    def tanh(self) -> Tensor:
        return pointwise.tanh(self)

    def sigmoid(self) -> Tensor:
        return pointwise.sigmoid(self)

    def relu(self) -> Tensor:
        return pointwise.relu(self)

    def gelu(self) -> Tensor:
        return pointwise.gelu(self)

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return reductions.sum(self, axis, keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return reductions.mean(self, axis, keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return reductions.max(self, axis, keepdims)

    def softmax(self, axis: int = -1) -> Tensor:
        return reductions.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return reductions.log_softmax(self, axis)


# The methods above delegate; give them their functions' documentation.
for _module, _names in (
    (pointwise, ("exp", "log", "tanh", "sigmoid", "relu", "gelu")),
    (reductions, ("sum", "mean", "max", "softmax", "log_softmax")),
    (shape_ops, ("reshape", "transpose", ("__getitem__", "index"))),
):
    for _name in _names:
        _method, _function = _name if isinstance(_name, tuple) else (_name, _name)
        getattr(Tensor, _method).__doc__ = getattr(_module, _function).__doc__
del _module, _names, _name, _method, _function


# --- helpers ---------------------------------------------------------------------------


def _broadcast(op: str, fn: Callable, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``fn(a, b)``, with a ValueError naming the op and both shapes if they don't broadcast."""
    try:
        return fn(a, b)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {a.shape} and {b.shape} do not broadcast; trailing axes must be "
            "equal or 1"
        ) from None


def _needs_grad(node: Tensor) -> bool:
    """Backward walks only into inputs that take part in the gradient."""
    return node.requires_grad


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes along which an input of ``shape`` was broadcast.

    Example: an input of shape (3, 1) added to one of shape (2, 3, 4) gets a gradient of
    shape (2, 3, 4), summed over axis 0 (added in front) and axis 2 (stretched from 1).
    """
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g


def _matmul_backward(a: Tensor, b: Tensor) -> Backward:
    """Gradients of ``a @ b`` for 1-D, 2-D and batched (broadcast) operands."""

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        # Treat a 1-D left operand as a row (1, n) and a 1-D right one as a column (n, 1),
        # as matmul does, and give g back the axes matmul dropped.
        a2 = a.data[None, :] if a.ndim == 1 else a.data
        b2 = b.data[:, None] if b.ndim == 1 else b.data
        if a.ndim == 1:
            g = np.expand_dims(g, -2 if b.ndim > 1 else 0)
        if b.ndim == 1:
            g = g[..., None]
        grad_a = grad_b = None
        if a.requires_grad:
            grad_a = _unbroadcast(g @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if b.requires_grad:
            grad_b = _unbroadcast(np.swapaxes(a2, -1, -2) @ g, b2.shape).reshape(b.shape)
        return grad_a, grad_b

    return backward
