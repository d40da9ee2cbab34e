"""Diagrams of rule-based sentiment, drawn with matplotlib: VADER's valences, rule by rule.

Lesson 2.4 adds VADER's rules one at a time. :func:`valence_steps_figure` draws what each
rule did to a sentence: one column per token, one row per stage (the lexicon's ratings,
then each rule), each cell the token's valence after that stage, green for positive, red
for negative, blank for none; a changed cell is outlined. Under the last row, the sum
and the compound score ``s / sqrt(s² + 15)``. The figure is made without pyplot (no window
opens): show it with ``IPython.display.display(fig)`` or save it with ``fig.savefig``.

Example:
    >>> fig = valence_steps_figure(["not", "good"], [("lexicon", [0.0, 1.9]),
    ...                                               ("negation", [0.0, -1.406])])
    >>> "-1.41" in " ".join(t.get_text() for t in fig.axes[0].texts)
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported when a diagram is drawn: it is slow to import
    from matplotlib.figure import Figure

__all__ = ["valence_steps_figure"]

POSITIVE, NEGATIVE, NONE = "#dff0d8", "#f6d5d5", "#ffffff"
EDGE, CHANGED = "#555555", "#1f4e99"
MAX_TOKENS = 12
#: VADER's normalisation constant: compound = s / sqrt(s² + ALPHA).
ALPHA = 15.0


def valence_steps_figure(
    tokens: Sequence[str],
    stages: Sequence[tuple[str, Sequence[float]]],
    *,
    boost: float = 0.0,
    title: str = "",
) -> Figure:
    """A grid of each token's valence after each stage, with the sum and compound score.

    Args:
        tokens: the sentence's tokens (at most 12).
        stages: ``(name, valences)`` pairs, one valence per token, in the order applied.
        boost: the punctuation emphasis added to the size of the last stage's sum.
        title: the figure's title (default: the tokens joined).

    Returns:
        The figure.

    Raises:
        ValueError: no tokens, too many, no stages, or a stage of the wrong length.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, Rectangle

    if not 0 < len(tokens) <= MAX_TOKENS:
        raise ValueError(f"valence_steps_figure draws 1 to {MAX_TOKENS} tokens, got {len(tokens)}")
    if not stages:
        raise ValueError("valence_steps_figure needs at least one stage")
    for name, values in stages:
        if len(values) != len(tokens):
            raise ValueError(f"stage {name!r} has {len(values)} valences for {len(tokens)} tokens")
    n, rows = len(tokens), len(stages)
    cell_w, cell_h, label_w = 1.25, 0.62, 2.4
    fig = Figure(figsize=(1.9 + 0.95 * n, 1.5 + 0.55 * (rows + 1)))
    ax = fig.add_subplot()
    for k, token in enumerate(tokens):
        x = label_w + k * cell_w + cell_w / 2
        ax.text(x, 0.35, token, ha="center", va="center", fontsize=10, weight="bold")
    previous: Sequence[float] | None = None
    for r, (name, values) in enumerate(stages):
        y = -(r + 0.5) * cell_h - 0.2
        ax.text(label_w - 0.15, y, name, ha="right", va="center", fontsize=9)
        for k, value in enumerate(values):
            changed = previous is not None and not math.isclose(value, previous[k], abs_tol=1e-9)
            colour = POSITIVE if value > 0 else NEGATIVE if value < 0 else NONE
            x0 = label_w + k * cell_w
            ax.add_patch(Rectangle((x0 + 0.04, y - cell_h / 2 + 0.04), cell_w - 0.08, cell_h - 0.08,
                                   facecolor=colour, edgecolor=CHANGED if changed else EDGE,
                                   linewidth=2.2 if changed else 0.7))  # fmt: skip
            ax.text(x0 + cell_w / 2, y, "" if value == 0 else f"{value:+.2f}",
                    ha="center", va="center", fontsize=9)  # fmt: skip
        previous = values
    raw = total = float(sum(stages[-1][1]))
    if total > 0:
        total += boost
    elif total < 0:
        total -= boost
    compound = total / math.sqrt(total * total + ALPHA)
    bottom = -(rows * cell_h) - 0.2
    right = label_w + n * cell_w
    ax.add_patch(FancyArrowPatch((right / 2 + label_w / 2, bottom - 0.05),
                                 (right / 2 + label_w / 2, bottom - 0.45), arrowstyle="-|>",
                                 mutation_scale=12, color=EDGE))  # fmt: skip
    # The punctuation emphasis grows the sum's size, on the side of its sign.
    emphasis = f"sum {raw:+.3f}, {boost:.3f} more for '!'/'?': " if boost and raw else "sum "
    ax.text(right / 2 + label_w / 2, bottom - 0.75,
            f"{emphasis}s = {total:+.3f}    compound = s / √(s² + 15) = {compound:+.4f}",
            ha="center", va="center", fontsize=10)  # fmt: skip
    ax.set_xlim(0, right + 0.1)
    ax.set_ylim(bottom - 1.05, 0.7)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title or " ".join(tokens), fontsize=11)
    fig.tight_layout()
    return fig
