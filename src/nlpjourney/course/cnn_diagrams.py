"""The CNN sentence classifier of lesson 3.4 drawn by code (Kim, 2014).

:func:`kim_cnn_figure` draws one sentence going through the model, left to right::

    words -> word vectors (T x E) -> filters of several widths slide over them
          -> one feature map per filter (T - k + 1 values) -> max over time (one value)
          -> the values of all filters side by side -> dropout -> linear -> pos / neg

Each filter width has its own colour, from its windows on the sentence to its values
in the sentence vector, so the picture shows why the vector has the same size for a
sentence of any length: one number per filter. It uses the boxes, arrows and colours of
:mod:`nlpjourney.course.diagrams`.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nlpjourney.course.diagrams import COLOURS, EDGE, _arrow, _box, _canvas

__all__ = ["kim_cnn_figure"]

#: One colour per filter width, used from the window on the words to the pooled values.
WIDTH_COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3")


def _cells(
    axes: Axes, x: float, y_top: float, n: int, colour: str, *, size: float = 0.4
) -> list[tuple[float, float]]:
    """A column of ``n`` square cells from ``y_top`` down; the centre of each."""
    centres = []
    for i in range(n):
        y = y_top - (i + 1) * size
        axes.add_patch(Rectangle((x, y), size, size, facecolor=colour, edgecolor=EDGE, lw=0.8))
        centres.append((x + size / 2, y + size / 2))
    return centres


def kim_cnn_figure(
    words: Sequence[str],
    widths: Sequence[int] = (3, 4, 5),
    filters_per_width: int = 2,
    dim: int = 5,
    title: str = "A CNN sentence classifier: filters of several widths, max over time",
) -> Figure:
    """One sentence through a Kim CNN: windows, feature maps, max over time, the classifier.

    Args:
        words: The sentence, one word a row (about 5 to 10 words draws best).
        widths: The filter widths, each drawn in its own colour (at most 5).
        filters_per_width: How many filters of each width to draw.
        dim: How many cells a word vector is drawn with (its dimensions, E).
        title: The figure's title.

    Returns:
        A figure about 11 inches wide (fits notebook width).

    Raises:
        ValueError: No words, more than 5 widths, or a width longer than the sentence.

    Example:
        >>> fig = kim_cnn_figure("a gripping , funny film".split(), widths=(2, 3))
        >>> "max over time" in " ".join(t.get_text() for t in fig.axes[0].texts)
        True
    """
    words, widths = list(words), list(widths)
    if not words:
        raise ValueError("kim_cnn_figure needs a sentence of at least one word")
    if not 1 <= len(widths) <= len(WIDTH_COLOURS):
        raise ValueError(f"give 1 to {len(WIDTH_COLOURS)} filter widths, not {len(widths)}")
    if max(widths) > len(words) or min(widths) < 1:
        raise ValueError(
            f"filter widths {widths} must be between 1 and the sentence's {len(words)} words"
        )
    cell, n = 0.4, len(words)
    height = n * cell + 3.4
    figure, axes = _canvas(11.0, 11.0 * height / 17.0, (0, 17.0), (0, height))
    axes.text(8.5, height - 0.35, title, ha="center", va="center", fontsize=12,
              fontweight="bold")  # fmt: skip
    top = height - 1.3
    axes.text(2.7, top + 0.35, f"word vectors (T = {n}, E)", ha="center", fontsize=9.5)
    # the words and their vectors: one row of `dim` cells per word
    for i, word in enumerate(words):
        y = top - (i + 1) * cell
        axes.text(1.45, y + cell / 2, word, ha="right", va="center", fontsize=9.5)
        for j in range(dim):
            axes.add_patch(Rectangle((1.6 + j * cell, y), cell, cell,
                                     facecolor=COLOURS["embed"], edgecolor=EDGE, lw=0.6))  # fmt: skip
    right_of_words = 1.6 + dim * cell
    # each width: one window bracket on the words, its feature maps, and the pooled cells
    map_x = right_of_words + 2.6
    pool_y = top - n * cell - 0.9  # the row of pooled values, under the feature maps
    pooled: list[tuple[tuple[float, float], str]] = []
    for w_i, width in enumerate(widths):
        colour = WIDTH_COLOURS[w_i]
        first = w_i % max(1, n - width + 1)  # windows start lower for each width, to be seen
        y_hi = top - first * cell
        y_lo = y_hi - width * cell
        axes.add_patch(Rectangle((1.6 - 0.05 - 0.08 * w_i, y_lo), dim * cell + 0.1 + 0.16 * w_i,
                                 y_hi - y_lo, fill=False, edgecolor=colour, lw=2.0))  # fmt: skip
        axes.text(map_x + filters_per_width * cell / 2, top + 0.35, f"k = {width}",
                  ha="center", fontsize=9.5, color=colour, fontweight="bold")  # fmt: skip
        maps = []
        for f in range(filters_per_width):
            column = _cells(axes, map_x + f * cell, top, n - width + 1, colour + "40", size=cell)
            # the position where this filter fires most (any one, for the picture)
            best = (3 * f + 2 * w_i + 1) % len(column)
            bx, by = column[best]
            axes.add_patch(Rectangle((bx - cell / 2, by - cell / 2), cell, cell,
                                     facecolor=colour, edgecolor=EDGE, lw=0.8))  # fmt: skip
            maps.append(column)
            # max over time: the best value drops to one cell under the feature map
            px, py = map_x + f * cell, pool_y
            axes.add_patch(Rectangle((px, py), cell, cell, facecolor=colour, edgecolor=EDGE,
                                     lw=0.8))  # fmt: skip
            _arrow(axes, (bx, by - cell / 2), (px + cell / 2, py + cell), colour=colour,
                   style="-", linestyle=":")  # fmt: skip
            pooled.append(((px + cell, py + cell / 2), colour))  # its right edge
        _arrow(axes, (right_of_words + 0.25, (y_hi + y_lo) / 2),
               (map_x - 0.1, maps[0][min(first, len(maps[0]) - 1)][1]), colour=colour)  # fmt: skip
        map_x += filters_per_width * cell + 0.9
    axes.text(map_x - 0.4, top - 0.3, "one feature map\nper filter:\nT - k + 1 values",
              ha="left", va="top", fontsize=9)  # fmt: skip
    # the pooled values of every filter, side by side, are the sentence vector
    first_x, last_x = pooled[0][0][0] - cell, pooled[-1][0][0]
    axes.text(right_of_words + 1.0, pool_y + cell / 2, "max over time:\none value\nper filter",
              ha="center", va="center", fontsize=9)  # fmt: skip
    axes.plot([first_x, first_x, last_x, last_x], [pool_y - 0.1, pool_y - 0.25, pool_y - 0.25,
              pool_y - 0.1], color=EDGE, lw=1.0)  # fmt: skip
    axes.text((first_x + last_x) / 2, pool_y - 0.35,
              f"side by side: the sentence vector, {len(widths)} widths x {filters_per_width} "
              "filters, the same size for any sentence length",
              ha="center", va="top", fontsize=9)  # fmt: skip
    middle = pool_y + cell / 2
    head = _box(axes, (last_x + 1.7, middle), "dropout\n+ linear", size=(1.9, 1.0),
                colour=COLOURS["mlp"], fontsize=9.5)  # fmt: skip
    out = _box(axes, (last_x + 4.0, middle), "pos / neg", size=(1.7, 0.8), colour=COLOURS["io"],
               fontsize=9.5)  # fmt: skip
    _arrow(axes, (last_x + 0.1, middle), head["left"])
    _arrow(axes, head["right"], out["left"])
    return figure
