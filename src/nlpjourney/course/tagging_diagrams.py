"""A Viterbi lattice drawn by code: tags down, words across, back-pointers and the best path.

:func:`viterbi_lattice` draws the picture lesson 2.5 builds Viterbi with. One column per
word, one row per tag; each cell shows ``best[t, j]``, the score of the best path that
ends in tag ``j`` at word ``t``. From every cell an arrow comes in from the cell that
cell's back-pointer names (the best previous tag), and the cells and arrows of the best
path, followed back from the best last cell, are coloured::

    words      The      dog      barks
    DT       [-2.1] -> [-9.3]    [-15.0]
    NN       [-7.9]    [-5.4] -> [-11.2]
    VBZ      [-9.9]    [-8.0]  \\ [-7.7]   <- best last cell

It uses the boxes, arrows and colours of :mod:`nlpjourney.course.diagrams`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from nlpjourney.course.diagrams import COLOURS, _arrow, _box, _canvas

__all__ = ["viterbi_lattice"]

#: More than this does not fit at notebook width / height.
MAX_WORDS = 8
MAX_TAGS = 10
PATH_COLOUR = "#c0392b"
POINTER_COLOUR = "#9a9a9a"


def viterbi_lattice(
    words: Sequence[str],
    tags: Sequence[str],
    best: np.ndarray,
    back: np.ndarray,
    path: Sequence[int],
    title: str = "",
) -> Figure:
    """The lattice of a Viterbi run: best scores, back-pointers and the best path.

    Args:
        words: the sentence, at most :data:`MAX_WORDS` words.
        tags: the tag of each row, at most :data:`MAX_TAGS`.
        best: ``best[t, j]``, the best score of a path ending in tag ``j`` at word ``t``
            (``-inf`` for none: the cell is drawn empty and gets no arrow).
        back: ``back[t, j]``, the tag at word ``t - 1`` on that path (row 0 unused).
        path: the best path, one tag index per word (its cells and arrows are coloured).
        title: the figure's title (a default one says what the picture shows).

    Returns:
        A figure sized to the lattice, at most about 12 inches wide.

    Shapes:
        best (n, K), back (n, K), path (n,) with ``n = len(words)``, ``K = len(tags)``.

    Raises:
        ValueError: no words, too many words or tags, or shapes that do not match.
    """
    n, k = len(words), len(tags)
    best, back = np.asarray(best, dtype=np.float64), np.asarray(back)
    if n == 0 or k == 0:
        raise ValueError("the lattice needs at least one word and one tag")
    if n > MAX_WORDS or k > MAX_TAGS:
        raise ValueError(
            f"at most {MAX_WORDS} words and {MAX_TAGS} tags fit; got {n} words and {k} tags "
            "(draw a shorter sentence or fewer candidate tags)"
        )
    if best.shape != (n, k) or back.shape != (n, k) or len(path) != n:
        raise ValueError(
            f"best and back must be ({n}, {k}) and path of length {n} for {n} words and "
            f"{k} tags; got {best.shape}, {back.shape} and {len(path)}"
        )
    dx, dy, size = 2.6, 0.95, (1.5, 0.62)
    left, top = -2.2, 1.1
    figure, axes = _canvas(
        min(12.0, 1.6 + 1.55 * n), 2.0 + 0.62 * k, (left - 0.2, dx * (n - 1) + 1.0),
        (-dy * (k - 1) - 1.4, top + 0.9),
    )  # fmt: skip
    on_path = {(t, int(j)) for t, j in enumerate(path)}
    cells = {}
    for j, tag in enumerate(tags):
        axes.text(left, -dy * j, tag, ha="left", va="center", fontsize=10, weight="bold")
    for t, word in enumerate(words):
        axes.text(dx * t, top, word, ha="center", va="center", fontsize=11, style="italic")
        for j in range(k):
            score = best[t, j]
            text = f"{score:.1f}" if math.isfinite(score) else ""
            colour = COLOURS["attention"] if (t, j) in on_path else COLOURS["add"]
            cells[t, j] = _box(axes, (dx * t, -dy * j), text, size=size, colour=colour,
                               fontsize=9, round_=False)  # fmt: skip
    for t in range(1, n):
        for j in range(k):
            if not math.isfinite(best[t, j]):
                continue
            i = int(back[t, j])
            coloured = (t, j) in on_path and (t - 1, i) in on_path
            _arrow(
                axes,
                cells[t - 1, i]["right"],
                cells[t, j]["left"],
                colour=PATH_COLOUR if coloured else POINTER_COLOUR,
                linestyle="-" if coloured else (0, (3, 2)),
            )
    axes.legend(
        handles=[
            Patch(facecolor=COLOURS["attention"], edgecolor="#555555", label="best path"),
            Line2D([], [], color=PATH_COLOUR, label="its back-pointers"),
            Line2D(
                [], [], color=POINTER_COLOUR, linestyle="--", label="other cells' back-pointers"
            ),  # fmt: skip
        ],
        loc="lower center",
        ncol=3,
        fontsize=9,
        framealpha=0.9,
    )
    axes.text(
        (left + dx * (n - 1)) / 2, top + 0.6,
        title or "Viterbi lattice: each cell is the best score of a path ending there",
        ha="center", va="center", fontsize=11, weight="bold",
    )  # fmt: skip
    return figure
