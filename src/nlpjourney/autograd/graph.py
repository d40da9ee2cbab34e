"""Pictures of computation graphs: every node with its operation, data and gradient.

:func:`draw_graph` takes the output of a computation (a :class:`~.value.Value` or a
:class:`~.tensor.Tensor`) and draws the graph that produced it, inputs on the left and
the output on the right. It uses Graphviz when both the ``graphviz`` Python package and
its ``dot`` program are installed, else matplotlib with a layered layout of its own:

- a node's layer (its column) is the length of the longest path from an input to it,
  so every arrow points right;
- within a column, nodes are sorted by the mean height of their inputs (the barycenter
  heuristic), which removes most crossings in the small graphs of a lesson.

Either result shows itself in a notebook and saves to PNG: a matplotlib ``Figure``
(``fig.savefig("graph.png")``) or a ``graphviz.Digraph`` (``g.render("graph",
format="png")``).

Reference: micrograd's ``draw_dot`` picture (Graphviz), drawn here without it when needed.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any, Literal

from nlpjourney.autograd.topo import topological_order

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Node = Any  # a Value or a Tensor: anything with _parents and _op


def graphviz_available() -> bool:
    """Whether the ``graphviz`` package and its ``dot`` program are both installed."""
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def draw_graph(root: Node, backend: Literal["auto", "graphviz", "matplotlib"] = "auto") -> Any:
    """Draw the computation graph that produced ``root``.

    Args:
        root: the output Value or Tensor (call ``backward()`` first to see gradients).
        backend: ``"auto"`` picks Graphviz when installed, else matplotlib.

    Returns:
        A ``graphviz.Digraph`` or a ``matplotlib.figure.Figure``.
    """
    if not hasattr(root, "_parents"):
        raise TypeError(f"draw_graph takes a Value or a Tensor, got {type(root).__name__}")
    if backend not in ("auto", "graphviz", "matplotlib"):
        raise ValueError(f"backend must be 'auto', 'graphviz' or 'matplotlib', got {backend!r}")
    if backend == "graphviz" and not graphviz_available():
        raise ValueError(
            "backend='graphviz' needs the graphviz package and its dot program "
            "(pip install graphviz; apt install graphviz); or use backend='matplotlib'"
        )
    nodes = topological_order(root)
    if backend == "graphviz" or (backend == "auto" and graphviz_available()):
        return _draw_graphviz(nodes)
    return _draw_matplotlib(nodes)


def node_label(node: Node) -> str:
    """The text of a node's box: its name or operation, then data and gradient."""
    name = getattr(node, "label", "") or ""
    if node._op:
        title = f"{name} ({node._op})" if name else node._op
    else:
        # A tensor that needs no gradient is a constant (a Value has no such flag).
        title = name or ("input" if getattr(node, "requires_grad", True) else "constant")
    data, grad = node.data, node.grad
    if hasattr(data, "shape") and getattr(data, "size", 1) != 1:  # a Tensor
        gtext = "none" if grad is None else f"|g| {float((grad**2).sum() ** 0.5):.3g}"
        return f"{title}\nshape {tuple(data.shape)}\ngrad {gtext}"
    value = float(data.item() if hasattr(data, "item") else data)
    gvalue = (
        "none" if grad is None else f"{float(grad.item() if hasattr(grad, 'item') else grad):.4f}"
    )
    return f"{title}\ndata {value:.4f}\ngrad {gvalue}"


def _layout(nodes: list[Node]) -> dict[int, tuple[float, float]]:
    """(column, row) of each node by id: longest-path layers, barycenter order."""
    column: dict[int, int] = {}
    consumers: dict[int, list[Node]] = {id(n): [] for n in nodes}
    for node in nodes:  # inputs come first, so their columns are known
        column[id(node)] = 1 + max((column[id(p)] for p in node._parents), default=-1)
        for parent in node._parents:
            consumers[id(parent)].append(node)
    # An input sits just left of its first consumer, not far away in column 0.
    for node in reversed(nodes):
        if not node._parents and consumers[id(node)]:
            column[id(node)] = min(column[id(c)] for c in consumers[id(node)]) - 1
    columns: dict[int, list[Node]] = {}
    for node in nodes:
        columns.setdefault(column[id(node)], []).append(node)
    row: dict[int, float] = {}

    def place(members: list[Node], neighbours: dict[int, list[Node]]) -> None:
        known = [n for n in members if any(id(m) in row for m in neighbours[id(n)])]
        if known:  # sort by the mean row of the neighbours already placed
            members.sort(
                key=lambda n: (
                    _mean([row[id(m)] for m in neighbours[id(n)] if id(m) in row])
                    if n in known
                    else row.get(id(n), 0.0)
                )
            )
        offset = (len(members) - 1) / 2  # centre each column vertically
        for i, node in enumerate(members):
            row[id(node)] = i - offset

    parents = {id(n): list(n._parents) for n in nodes}
    # Sweep left to right (by inputs), right to left (by consumers), left to right again:
    # the barycenter heuristic, which untangles most crossings in a lesson's small graphs.
    for order, neighbours in ((1, parents), (-1, consumers), (1, parents)):
        placed = dict(row)
        row.clear()
        for c in sorted(columns)[::order]:
            for node in columns[c]:
                if id(node) in placed and not any(id(m) in row for m in neighbours[id(node)]):
                    row[id(node)] = placed[id(node)]
            place(columns[c], neighbours)
    return {id(n): (float(column[id(n)]), row[id(n)]) for n in nodes}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _draw_matplotlib(nodes: list[Node]) -> Figure:
    # subtle: importing pyplot starts the notebook's inline backend, which is what teaches
    # IPython to show a Figure as a picture; without it a fresh kernel prints "<Figure>".
    import matplotlib.pyplot  # noqa: F401
    from matplotlib.figure import Figure

    position = _layout(nodes)
    first = min(x for x, _ in position.values())
    columns = 1 + int(max(x for x, _ in position.values()) - first)
    rows = max(sum(1 for x, _ in position.values() if x == c + first) for c in range(columns))
    # Not pyplot: a Figure made directly is shown once in a notebook (as the cell's
    # value), not a second time by the inline backend.
    figure = Figure(figsize=(2.2 * columns + 0.4, 0.9 * rows + 0.6))
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_xlim(first - 0.6, first + columns - 0.4)
    axes.set_ylim(-(rows / 2), rows / 2)
    boxes = {}
    for node in nodes:
        x, y = position[id(node)]
        leaf = not node._parents
        boxes[id(node)] = axes.text(
            x,
            -y,
            node_label(node),
            ha="center",
            va="center",
            fontsize=8,
            family="monospace",
            bbox={
                "boxstyle": "round,pad=0.4",
                "facecolor": "#e8f0fe" if leaf else "#fff4e0",
                "edgecolor": "#4a6fa5" if leaf else "#c08a2e",
            },
        )
    for node in nodes:
        x, y = position[id(node)]
        for parent in node._parents:
            px, py = position[id(parent)]
            # Arrows run centre to centre, clipped at the two boxes' edges.
            axes.annotate(
                "",
                xy=(x, -y),
                xytext=(px, -py),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "0.45",
                    "patchA": boxes[id(parent)].get_bbox_patch(),
                    "patchB": boxes[id(node)].get_bbox_patch(),
                },
            )
    figure.tight_layout()
    return figure


def _draw_graphviz(nodes: list[Node]) -> Any:
    import graphviz

    dot = graphviz.Digraph(graph_attr={"rankdir": "LR"}, node_attr={"shape": "record"})
    for node in nodes:
        text = node_label(node).replace("\n", " | ")
        dot.node(str(id(node)), "{ " + text + " }")
        for parent in node._parents:
            dot.edge(str(id(parent)), str(id(node)))
    return dot
