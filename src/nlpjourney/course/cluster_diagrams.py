"""k-means drawn by code: Lloyd's loop, from the documents to the final clusters.

:func:`lloyd_loop` draws the picture lesson 2.2 builds towards::

    documents -> TF-IDF rows X -> k starting centres -> assign -> update -> changed? -> clusters
                                                          ^------- yes -------'

with the formula of each step in its box and the inertia, which each step can only
lower, written under the loop. It uses the boxes, arrows and colours of
:mod:`nlpjourney.course.diagrams`, so its parts look like the other lessons' pictures.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from nlpjourney.course.diagrams import COLOURS, _arrow, _box, _canvas

__all__ = ["lloyd_loop"]


def lloyd_loop(
    n_docs: int | None = None, n_words: int | None = None, k: int | None = None
) -> Figure:
    """Lloyd's k-means loop on TF-IDF rows: start, assign, update, repeat until stable.

    Args:
        n_docs: The number of documents to write in the boxes (``n`` when None).
        n_words: The vocabulary size to write in the boxes (``V`` when None).
        k: The number of clusters to write in the boxes (``k`` when None).

    Returns:
        A figure about 11 x 4.6 inches (fits notebook width).

    Example:
        >>> fig = lloyd_loop(n_docs=36, n_words=1_204, k=3)
        >>> "36 x 1,204" in " ".join(t.get_text() for t in fig.axes[0].texts)
        True
    """
    n = "n" if n_docs is None else f"{n_docs:,}"
    v = "V" if n_words is None else f"{n_words:,}"
    kk = "k" if k is None else f"{k}"
    figure, axes = _canvas(11.0, 4.6, (0, 19.0), (0, 7.9))
    axes.text(9.5, 7.45, "k-means (Lloyd's algorithm) on TF-IDF rows", ha="center",
              va="center", fontsize=12, fontweight="bold")  # fmt: skip

    row, height = 4.6, 1.9
    docs = _box(axes, (1.45, row), f"{n}\ndocuments", size=(2.3, height), colour=COLOURS["io"])
    rows = _box(axes, (4.55, row), f"TF-IDF rows X\n{n} x {v}\n(sparse,\nlength 1)",
                size=(2.9, height), colour=COLOURS["embed"])  # fmt: skip
    start = _box(axes, (7.75, row), f"{kk} starting\ncentres C\n(random rows,\nor k-means++)",
                 size=(2.5, height), colour=COLOURS["norm"])  # fmt: skip
    assign = _box(axes, (10.85, row), "assign\nlabel_i =\nargmin_c\n|x_i - C_c|²",
                  size=(2.7, height), colour=COLOURS["attention"], fontsize=9.5)  # fmt: skip
    update = _box(axes, (14.0, row), "update\nC_c = mean of\nthe rows with\nlabel c",
                  size=(2.6, height), colour=COLOURS["mlp"], fontsize=9.5)  # fmt: skip
    done = _box(axes, (17.3, row), "labels\nchanged?\nno: stop,\nclusters", size=(2.5, height),
                colour=COLOURS["io"], fontsize=9.5)  # fmt: skip
    for a, b in ((docs, rows), (rows, start), (start, assign), (assign, update), (update, done)):
        _arrow(axes, a["right"], b["left"])
    _arrow(axes, done["bottom"], assign["bottom"], connection="arc3,rad=-0.45")
    axes.text(14.05, 1.85, "yes: again", ha="center", va="center", fontsize=9.5, style="italic")
    axes.text(9.5, 0.6,
              "inertia = Σ_i |x_i - C_label_i|²: assigning cannot raise it (each row moves to a "
              "nearer centre),\nand updating cannot raise it (the mean is the point nearest "
              "to a set of rows, in squared distance)",
              ha="center", va="center", fontsize=9.5)  # fmt: skip
    return figure
