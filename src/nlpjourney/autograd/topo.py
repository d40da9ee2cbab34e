"""Topological order of a computation graph: every node after all of its inputs.

Backpropagation needs it (a node may pass its gradient on only once every use of it has
added its share), and so does drawing the graph. Both :class:`~nlpjourney.autograd.Value`
and :class:`~nlpjourney.autograd.Tensor` keep their inputs in ``_parents``; this module
walks them.

The walk is an iterative depth-first search, so a chain of 100,000 operations does not
hit Python's recursion limit.

Reference: the reverse-mode order torch's autograd engine follows (each node's gradient
is complete before it is propagated); tested through ``Value.backward`` and
``Tensor.backward`` against torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["topological_order"]


def topological_order(root: Any, follow: Callable[[Any], bool] | None = None) -> list[Any]:
    """``root`` and the nodes it depends on, each after all of its inputs, ``root`` last.

    Args:
        root: a graph node: anything with a ``_parents`` sequence of nodes.
        follow: which inputs to walk into (e.g. only those that need a gradient); all of
            them when None.

    Example: for ``c = a * b; d = c + a`` the order is ``[a, b, c, d]``.
    """
    order: list[Any] = []
    seen = {id(root)}
    stack: list[tuple[Any, Iterator[Any]]] = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if id(parent) not in seen and (follow is None or follow(parent)):
                seen.add(id(parent))
                stack.append((parent, iter(parent._parents)))
                break
        else:  # every input placed: the node can follow them
            stack.pop()
            order.append(node)
    return order
