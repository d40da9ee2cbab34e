"""A scalar autograd engine: one number per node, the smallest complete idea of backprop.

A :class:`Value` wraps a float. Every arithmetic operation on values makes a new value
that remembers its inputs (``_parents``), the operation's name (``_op``) and a small
function that, given the gradient of the output, adds the chain-rule contribution to
each input's ``.grad``. :meth:`Value.backward` sorts the graph so that every node comes
after everything it feeds into, seeds the output's gradient with 1 and runs those
functions from the output back to the leaves.

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a          # a is used twice: its gradient accumulates
    >>> c.backward()
    >>> a.grad, b.grad         # dc/da = b + 1, dc/db = a
    (-2.0, 2.0)

:func:`nlpjourney.autograd.graph.draw_graph` draws the graph with data and gradients.

Reference: PyTorch autograd on 0-dimensional float64 tensors (``torch.tensor(2.0,
requires_grad=True)``); the tests compare values and gradients on scalar expressions.

Simplifications:
    - ``backward`` accumulates into every node's ``.grad``, intermediate nodes included (so
      a picture can show them); call :meth:`Value.zero_grad` on the output before a second
      ``backward``, where PyTorch would keep only the leaves' gradients.
    - Only scalar floats; :mod:`nlpjourney.autograd.tensor` does arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from nlpjourney.autograd.topo import topological_order

Number = int | float


class Value:
    """A scalar in a computation graph, with its gradient.

    Args:
        data: the number.
        label: an optional name shown in graph pictures.

    Attributes:
        data: the float value.
        grad: d(output)/d(this value) after ``backward`` on some output; 0.0 before.
    """

    __slots__ = ("data", "grad", "label", "_parents", "_op", "_backward")

    def __init__(
        self,
        data: Number,
        label: str = "",
        _parents: tuple[Value, ...] = (),
        _op: str = "",
    ) -> None:
        if isinstance(data, Value):
            raise TypeError("Value(data) takes a number; a Value is already a node in a graph")
        if not isinstance(data, int | float):
            raise TypeError(f"Value(data) takes an int or float, got {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._parents = _parents
        self._op = _op
        # Leaves have nothing to pass a gradient on to.
        self._backward: Callable[[], None] = _no_backward

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.4g}, grad={self.grad:.4g})"

    # --- binary operations ----------------------------------------------------------

    def __add__(self, other: Value | Number) -> Value:
        other = _lift(other)
        out = Value(self.data + other.data, _parents=(self, other), _op="+")

        def backward() -> None:
            # d(a+b)/da = d(a+b)/db = 1: the gradient passes through unchanged.
            self.grad += out.grad
            other.grad += out.grad

        out._backward = backward
        return out

    def __mul__(self, other: Value | Number) -> Value:
        other = _lift(other)
        out = Value(self.data * other.data, _parents=(self, other), _op="*")

        def backward() -> None:
            # Each factor's gradient is the other factor times the output's gradient.
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = backward
        return out

    def __pow__(self, exponent: Value | Number) -> Value:
        if not isinstance(exponent, Value):
            return self._pow_number(exponent)
        # A Value exponent: a ** b = exp(b * log(a)), defined for a > 0.
        return (exponent * self.log()).exp()

    def _pow_number(self, exponent: Number) -> Value:
        if not isinstance(exponent, int | float):
            raise TypeError(f"** takes a number or a Value, got {type(exponent).__name__}")
        if self.data < 0 and not float(exponent).is_integer():
            raise ValueError(
                f"{self.data} ** {exponent}: a negative base needs a whole exponent "
                "(the result would be complex)"
            )
        out = Value(self.data**exponent, _parents=(self,), _op=f"**{exponent:g}")

        def backward() -> None:
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = backward
        return out

    def __rpow__(self, base: Number) -> Value:
        # base ** x = exp(x log base), so d/dx = base ** x * log(base).
        if not isinstance(base, int | float) or base <= 0:
            raise ValueError(f"number ** Value needs a positive number as base, got {base!r}")
        return (self * math.log(base)).exp()

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | Number) -> Value:
        return self + (-_lift(other))

    def __truediv__(self, other: Value | Number) -> Value:
        return self * _lift(other) ** -1

    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rsub__(self, other: Number) -> Value:
        return _lift(other) + (-self)

    def __rtruediv__(self, other: Number) -> Value:
        return _lift(other) * self**-1

    # --- unary functions ------------------------------------------------------------

    def _unary(self, data: float, op: str, local_grad: float) -> Value:
        """A node for ``f(self)`` whose derivative at ``self.data`` is ``local_grad``."""
        out = Value(data, _parents=(self,), _op=op)

        def backward() -> None:
            self.grad += local_grad * out.grad

        out._backward = backward
        return out

    def exp(self) -> Value:
        """``e ** x``; its derivative is itself."""
        value = math.exp(self.data)
        return self._unary(value, "exp", value)

    def log(self) -> Value:
        """The natural logarithm, for ``x > 0``; derivative ``1 / x``."""
        if self.data <= 0:
            raise ValueError(f"log needs a positive number, got {self.data}")
        return self._unary(math.log(self.data), "log", 1.0 / self.data)

    def tanh(self) -> Value:
        """``tanh(x)``; derivative ``1 - tanh(x)**2``."""
        value = math.tanh(self.data)
        return self._unary(value, "tanh", 1.0 - value * value)

    def relu(self) -> Value:
        """``max(0, x)``; derivative 1 for ``x > 0``, else 0 (0 at 0, as PyTorch)."""
        return self._unary(max(0.0, self.data), "relu", 1.0 if self.data > 0 else 0.0)

    def sigmoid(self) -> Value:
        """``1 / (1 + e**-x)``; derivative ``s (1 - s)``."""
        # subtle: e**-x overflows for x < -709; branch so the exponent is never positive.
        if self.data >= 0:
            value = 1.0 / (1.0 + math.exp(-self.data))
        else:
            z = math.exp(self.data)
            value = z / (1.0 + z)
        return self._unary(value, "sigmoid", value * (1.0 - value))

    # --- backward -------------------------------------------------------------------

    def nodes(self) -> list[Value]:
        """Every node this value depends on, itself last, each after all its inputs.

        Iterative depth-first search, so a chain of 100,000 additions does not hit
        Python's recursion limit.
        """
        return topological_order(self)

    def backward(self) -> None:
        """Fill ``.grad`` of every node with d(self)/d(node), by the chain rule.

        Gradients add up (``+=``), so a node used twice gets both contributions; it also
        means a second call adds to the first one's gradients: :meth:`zero_grad` first.
        """
        order = self.nodes()
        self.grad = 1.0
        # Reverse topological order: a node's gradient is complete before it is passed on.
        for node in reversed(order):
            node._backward()

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on this node and everything it depends on."""
        for node in self.nodes():
            node.grad = 0.0


def _no_backward() -> None:
    """The backward function of a leaf: nothing to pass on."""


def _lift(x: Value | Number) -> Value:
    """``x`` as a Value: numbers become constant leaves."""
    if isinstance(x, Value):
        return x
    if isinstance(x, int | float):
        return Value(x)
    raise TypeError(f"a Value combines with numbers and Values, not {type(x).__name__}")
