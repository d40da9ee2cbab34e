"""A picture of an alignment: soft weights as a heat map, gold links as squares.

One function for every model that relates target positions to source positions: IBM
Model 1's posterior ``p(a_j = i)``, a sequence-to-sequence decoder's attention weights,
a transformer's cross-attention. Rows are target tokens (top to bottom), columns source
tokens (left to right), as one reads a translation against its original.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["draw_alignment"]


def draw_alignment(
    matrix: np.ndarray | Sequence[Sequence[float]],
    source_tokens: Sequence[str],
    target_tokens: Sequence[str],
    links: Collection[tuple[int, int]] | None = None,
    sure: Collection[tuple[int, int]] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw ``matrix`` as a heat map with ``links`` and ``sure`` links outlined.

    Args:
        matrix: the weights, e.g. an attention or an alignment posterior, in [0, 1].
        source_tokens: the column labels (include ``"NULL"`` if the matrix has its column).
        target_tokens: the row labels.
        links: ``(i, j)`` links (source column, target row) to outline with a dashed
            square, e.g. gold possible links or a model's Viterbi alignment.
        sure: ``(i, j)`` links to outline with a solid square, e.g. gold sure links
            (a link in both is drawn solid).
        title: the picture's title.
        ax: draw into these axes (no colour bar then); None makes a new figure.

    Returns:
        The figure drawn on (``ax.figure`` when ``ax`` is given). It is not shown or
        saved: call ``figure.savefig(path)`` or display it in a notebook.

    Shapes:
        matrix: (len(target_tokens), len(source_tokens)).
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    weights = np.asarray(matrix, dtype=np.float64)
    shape = (len(target_tokens), len(source_tokens))
    if weights.ndim != 2 or weights.shape != shape:
        raise ValueError(
            f"matrix must be (len(target_tokens), len(source_tokens)) = {shape}, "
            f"got {weights.shape}"
        )
    sure_set = _checked(sure, shape, "sure")
    dashed_set = _checked(links, shape, "links") - sure_set
    own_figure = ax is None
    if ax is None:
        n_target, n_source = shape
        size = (max(4.0, 0.42 * n_source + 2.6), max(3.0, 0.36 * n_target + 1.8))
        figure = Figure(figsize=size, dpi=120)
        ax = figure.add_subplot()
    else:
        figure = ax.figure  # type: ignore[assignment]
    image = ax.imshow(weights, cmap="Blues", vmin=0.0, vmax=max(1.0, float(weights.max(initial=0))),
                      aspect="equal", interpolation="nearest")  # fmt: skip
    for link_set, style in ((dashed_set, "--"), (sure_set, "-")):
        for i, j in sorted(link_set):
            ax.add_patch(Rectangle((i - 0.5, j - 0.5), 1, 1, fill=False, edgecolor="tab:red",
                                   linewidth=1.6, linestyle=style))  # fmt: skip
    ax.set_xticks(range(shape[1]), list(source_tokens), rotation=60, ha="right",
                  rotation_mode="anchor")  # fmt: skip
    ax.set_yticks(range(shape[0]), list(target_tokens))
    ax.set_xlabel("source")
    ax.set_ylabel("target")
    handles = []
    if sure_set:
        handles.append(Line2D([], [], color="tab:red", linestyle="-", marker="s",
                              markerfacecolor="none", label="sure link"))  # fmt: skip
    if dashed_set:
        label = "possible link" if sure_set else "link"
        handles.append(Line2D([], [], color="tab:red", linestyle="--", marker="s",
                              markerfacecolor="none", label=label))  # fmt: skip
    if handles:  # in a row above the matrix, under the title
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2,
                  fontsize="small", frameon=False, borderaxespad=0.2)  # fmt: skip
    if title:
        ax.set_title(title, pad=24 if handles else 6)
    if own_figure:
        bar = figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        bar.set_label("weight")
        figure.tight_layout()
    return figure


def _checked(
    links: Collection[tuple[int, int]] | None, shape: tuple[int, int], name: str
) -> set[tuple[int, int]]:
    """``links`` as a set, each inside the matrix, or a ValueError naming the bad one."""
    if links is None:
        return set()
    result = set()
    for link in links:
        i, j = link
        if not (0 <= i < shape[1] and 0 <= j < shape[0]):
            raise ValueError(
                f"{name} link {link!r} is outside the matrix: a link is (source column, "
                f"target row) with {shape[1]} columns and {shape[0]} rows"
            )
        result.add((int(i), int(j)))
    return result
