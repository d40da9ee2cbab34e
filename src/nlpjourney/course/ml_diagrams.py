"""Diagrams of classic machine learning, drawn with matplotlib (lesson 0.2).

- :func:`cross_validation_folds`: k-fold cross-validation as a grid, one row per round,
  one cell per training row, the round's held-out fold marked;
- :func:`logistic_unit`: logistic regression as one unit, from the features to the
  loss, with the gradient that flows back from the loss to the weights;
- :func:`decision_tree`: a fitted decision tree, node by node, from its flat node arrays
  (the library's ``tree_`` or scikit-learn's).

Each function returns a ``matplotlib.figure.Figure`` made without pyplot (no window
opens, nothing global changes), sized to be read at notebook width: a notebook shows it
as a cell's value, ``fig.savefig(path)`` writes it.

Example:
    >>> fig = cross_validation_folds(n_rows=10, n_splits=3)
    >>> fig.axes[0].get_title()
    '3-fold cross-validation of 10 rows: each row is held out exactly once'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is imported when a diagram is drawn: it is slow to import
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["cross_validation_folds", "decision_tree", "fold_sizes", "logistic_unit"]

TRAIN, HELD_OUT, EDGE = "#dbe9f6", "#f6c89f", "#555555"


def fold_sizes(n_rows: int, n_splits: int) -> list[int]:
    """How many rows each of ``n_splits`` consecutive folds holds (the first ones one more).

    >>> fold_sizes(10, 3)
    [4, 3, 3]
    """
    if isinstance(n_splits, bool) or not isinstance(n_splits, int) or n_splits < 2:
        raise ValueError(f"n_splits must be an int of at least 2, got {n_splits!r}")
    if isinstance(n_rows, bool) or not isinstance(n_rows, int) or n_rows < n_splits:
        raise ValueError(f"n_rows must be an int of at least n_splits={n_splits}, got {n_rows!r}")
    base, extra = divmod(n_rows, n_splits)
    return [base + (1 if i < extra else 0) for i in range(n_splits)]


def cross_validation_folds(n_rows: int = 20, n_splits: int = 5) -> Figure:
    """k-fold cross-validation: in round i, fold i is held out and the rest trains.

    Args:
        n_rows: how many rows to draw (2 to 60, so that each stays a visible cell).
        n_splits: the number of folds k (2 to 10, and at most ``n_rows``).

    Returns:
        The figure: k rows of ``n_rows`` cells, the held-out cells shaded and labelled
        with the score each round gives.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    sizes = fold_sizes(n_rows, n_splits)
    if n_rows > 60 or n_splits > 10:
        raise ValueError(f"draw at most 60 rows and 10 folds, got n_rows={n_rows}, "
                         f"n_splits={n_splits}")  # fmt: skip
    fig = Figure(figsize=(9, 0.5 * n_splits + 1.5), dpi=100)
    ax: Axes = fig.add_axes((0.13, 0.25, 0.75, 0.65))
    starts = [sum(sizes[:i]) for i in range(n_splits)]
    for round_ in range(n_splits):
        y = n_splits - 1 - round_  # round 1 on top
        for row in range(n_rows):
            held = starts[round_] <= row < starts[round_] + sizes[round_]
            ax.add_patch(Rectangle((row, y + 0.1), 0.9, 0.8, facecolor=HELD_OUT if held else TRAIN,
                                   edgecolor=EDGE, linewidth=0.6))  # fmt: skip
        ax.text(n_rows + 0.5, y + 0.5, f"score {round_ + 1}", va="center", fontsize=9)
    # Fold boundaries, so the k consecutive blocks read as blocks.
    for start in starts[1:]:
        ax.axvline(start - 0.05, color=EDGE, linewidth=1.2, linestyle=":")
    ax.set_xlim(-0.2, n_rows + 3.2)
    ax.set_ylim(0, n_splits)
    ax.set_yticks([n_splits - 0.5 - i for i in range(n_splits)],
                  [f"round {i + 1}" for i in range(n_splits)])  # fmt: skip
    ax.set_xticks([s + size / 2 - 0.05 for s, size in zip(starts, sizes, strict=True)],
                  [f"fold {i + 1}" for i in range(n_splits)])  # fmt: skip
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlabel("training rows, in order (after an optional shuffle)")
    ax.set_title(f"{n_splits}-fold cross-validation of {n_rows} rows: each row is held out "
                 "exactly once")  # fmt: skip
    fig.legend(handles=[Patch(facecolor=TRAIN, edgecolor=EDGE, label="fits the model"),
                        Patch(facecolor=HELD_OUT, edgecolor=EDGE, label="scores it")],
               loc="lower center", ncol=2, frameon=False)  # fmt: skip
    return fig


def _box(ax: Axes, x: float, y: float, text: str, color: str, width: float = 1.7) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - width / 2, y - 0.35), width, 0.7,
                                boxstyle="round,pad=0.05,rounding_size=0.12",
                                facecolor=color, edgecolor=EDGE))  # fmt: skip
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str = "",
           colour: str = "#333333", above: float = 0.22) -> None:  # fmt: skip
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.3,
                            "shrinkA": 0, "shrinkB": 0})  # fmt: skip
    if label:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + above, label,
                ha="center", va="center", fontsize=9, color=colour)  # fmt: skip


def logistic_unit() -> Figure:
    """Logistic regression as one unit: x -> z = w·x + b -> p = σ(z) -> loss(p, y).

    The forward pass runs left to right on the top line; the gradient runs back on the
    bottom line: ``∂loss/∂z = p - y``, then ``∂loss/∂w = (p - y) x`` and
    ``∂loss/∂b = p - y`` for one row.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.4), dpi=100)
    ax: Axes = fig.add_axes((0.01, 0.01, 0.98, 0.88))
    ax.set_xlim(0, 11)
    ax.set_ylim(0.4, 3.6)
    ax.axis("off")
    forward, backward = "#333333", "#b2182b"
    _box(ax, 1.0, 2.2, "features x", "#eeeeee")
    _box(ax, 3.7, 2.2, "z = w·x + b", "#fde9c8")
    _box(ax, 6.4, 2.2, "p = σ(z)", "#dcefd6")
    _box(ax, 9.3, 2.2, "loss = -log p(y)", "#f9d5d3", width=2.2)
    _box(ax, 9.3, 3.2, "label y ∈ {0, 1}", "#eeeeee", width=2.2)
    _box(ax, 3.7, 0.9, "w, b", "#ece4f5", width=1.2)
    _arrow(ax, (1.85, 2.2), (2.85, 2.2), "score", forward)
    _arrow(ax, (4.55, 2.2), (5.55, 2.2), "squash", forward)
    _arrow(ax, (7.25, 2.2), (8.2, 2.2), "compare", forward)
    _arrow(ax, (9.3, 2.85), (9.3, 2.55), colour=forward)
    _arrow(ax, (3.7, 1.25), (3.7, 1.85), colour=forward)
    # The gradient leaves the loss downwards, then runs back to the weights.
    ax.plot([9.3, 9.3], [1.85, 0.9], color=backward, lw=1.3)
    _arrow(ax, (9.3, 0.9), (4.3, 0.9), "gradient: ∂loss/∂z = p - y, so ∂w = (p - y)·x, ∂b = p - y",
           backward, above=0.25)  # fmt: skip
    ax.set_title("Logistic regression, one row: the forward pass (black) and its gradient (red)")
    return fig


#: Leaf fills by class, in the order of the classes (the lessons' scatter colours, light).
CLASS_FILLS = ("#c6dbef", "#c7e9c0", "#fdd0a2", "#dadaeb", "#fcbba1", "#d9d9d9")
MAX_LEAVES = 16


def _tree_layout(left: Any, right: Any) -> dict[int, tuple[float, int]]:
    """(x, depth) of every node: leaves at 0, 1, 2, ... left to right, parents centred."""
    places: dict[int, tuple[float, int]] = {}
    next_leaf = 0.0

    def place(node: int, depth: int) -> float:
        nonlocal next_leaf
        if left[node] < 0:
            x, next_leaf = next_leaf, next_leaf + 1.0
        else:
            x = (place(int(left[node]), depth + 1) + place(int(right[node]), depth + 1)) / 2
        places[node] = (x, depth)
        return x

    place(0, 0)
    return places


def decision_tree(
    nodes: Any, feature_names: Sequence[str], class_names: Sequence[str], title: str = ""
) -> Figure:
    """A fitted classification tree: each split's test, each leaf's class and share.

    Args:
        nodes: the flat node arrays of a fitted tree (``model.tree_``): ``feature``,
            ``threshold``, ``left``/``right`` (or scikit-learn's ``children_left``/
            ``children_right``; -1 at a leaf), ``value`` (per-node class proportions or
            counts) and ``n_node_samples``.
        feature_names: a name for each feature index.
        class_names: a name for each class, in the order of ``value``'s columns.
        title: the figure's title (a default names the depth and leaf count).

    Returns:
        The figure: splits as white boxes, leaves filled with their class's colour;
        the left branch of every split is "yes" (the test holds).

    Raises:
        ValueError: the tree has more than 16 leaves (too many to read; limit its depth).
    """
    from matplotlib.figure import Figure

    left = getattr(nodes, "left", None)
    left = nodes.children_left if left is None else left
    right = getattr(nodes, "right", None)
    right = nodes.children_right if right is None else right
    n_leaves = int((left < 0).sum())
    if n_leaves > MAX_LEAVES:
        raise ValueError(f"the tree has {n_leaves} leaves; draw at most {MAX_LEAVES} (fit it "
                         "with a smaller max_depth)")  # fmt: skip
    places = _tree_layout(left, right)
    depth = max(d for _, d in places.values())
    width = max(6.0, 1.7 * n_leaves)
    fig = Figure(figsize=(min(width, 16.0), 1.25 * (depth + 1) + 0.6), dpi=100)
    ax: Axes = fig.add_axes((0.01, 0.01, 0.98, 0.9))
    ax.set_xlim(-0.6, n_leaves - 0.4)
    ax.set_ylim(-depth - 0.5, 0.5)
    ax.axis("off")
    for node, (x, d) in places.items():
        if left[node] >= 0:
            for child, answer in ((int(left[node]), "yes"), (int(right[node]), "no")):
                cx, cd = places[child]
                ax.plot([x, cx], [-d - 0.15, -cd + 0.15], color=EDGE, lw=1.0)
                ax.text((x + cx) / 2, -(d + cd) / 2, answer, ha="center", va="center",
                        fontsize=8, style="italic", color="#333333",
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})  # fmt: skip
    for node, (x, d) in places.items():
        shares = nodes.value[node].ravel() / nodes.value[node].sum()
        n = int(nodes.n_node_samples[node])
        if left[node] >= 0:
            text = (
                f"{feature_names[int(nodes.feature[node])]} <= {nodes.threshold[node]:.2f}\nn = {n}"
            )
            fill = "white"
        else:
            best = int(shares.argmax())
            text = f"{class_names[best]}\nn = {n}, {shares[best]:.0%}"
            fill = CLASS_FILLS[best % len(CLASS_FILLS)]
        ax.text(x, -d, text, ha="center", va="center", fontsize=8.5,
                bbox={"boxstyle": "round,pad=0.35", "facecolor": fill, "edgecolor": EDGE})  # fmt: skip
    ax.set_title(title or f"A decision tree of depth {depth} with {n_leaves} leaves "
                 "(left branch: the test holds)")  # fmt: skip
    return fig
