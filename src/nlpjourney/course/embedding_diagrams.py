"""Diagrams of word embeddings, drawn with matplotlib: skip-gram with negative sampling.

Lesson 1.5 shows the picture before writing the loss. The function returns a
``matplotlib.figure.Figure`` made without pyplot (no window opens, nothing global
changes), sized to be read at notebook width: show it with ``IPython.display.display(fig)``
or save it with ``fig.savefig(path)``.

Example:
    >>> fig = skipgram_figure("the cat sat on the mat".split(), centre=2, window=1)
    >>> "σ(c·o) → 1" in " ".join(t.get_text() for t in fig.axes[0].texts)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported when a diagram is drawn: it is slow to import
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["skipgram_figure"]

#: Fill colours by role: the centre word, a true context word, a negative, other words.
CENTRE, CONTEXT, NEGATIVE, PLAIN = "#fde9c9", "#dff0d8", "#f6d5d5", "#ffffff"
EDGE = "#555555"
MAX_TOKENS = 9


def _cell(ax: Axes, x: float, y: float, w: float, h: float, text: str, color: str, **font) -> None:
    """A rectangle with its lower-left corner at (x, y) and ``text`` in its middle."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.6",
                                facecolor=color, edgecolor=EDGE, linewidth=0.9))  # fmt: skip
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", **font)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], color: str) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.1,
                            "shrinkA": 1, "shrinkB": 1})  # fmt: skip


def skipgram_figure(
    tokens: Sequence[str],
    centre: int,
    window: int = 2,
    negatives: Sequence[str] = ("of", "piano"),
) -> Figure:
    """Skip-gram with negative sampling on one sentence: which vectors meet, and what
    each dot product is trained towards.

    The top row is the sentence: the centre word and the words within ``window`` of it.
    The centre word's row of ``w_in`` (its input vector ``c``) meets, by a dot product,
    the row of ``w_out`` of each true context word (``o``, trained towards
    sigmoid 1) and of each word drawn at random from the unigram^0.75 distribution
    (``n``, trained towards sigmoid 0).

    Args:
        tokens: the sentence, 2 to 9 words.
        centre: the position of the centre word in ``tokens``.
        window: how many words each side count as context, at least 1.
        negatives: the sampled negative words drawn for one of the pairs, 1 to 3.

    Returns:
        The figure, 9 x 4.4 inches.

    Raises:
        ValueError: for a sentence too long to draw, a centre outside it, a window
            under 1, or no or too many negatives.
    """
    if not 2 <= len(tokens) <= MAX_TOKENS:
        raise ValueError(f"tokens must hold 2 to {MAX_TOKENS} words to fit, got {len(tokens)}")
    if not 0 <= centre < len(tokens):
        raise ValueError(f"centre must be a position in tokens (0 to {len(tokens) - 1}), "
                         f"got {centre}")  # fmt: skip
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    if not 1 <= len(negatives) <= 3:
        raise ValueError(f"give 1 to 3 negatives to draw, got {len(negatives)}")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, 4.4), dpi=100)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.9))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 48)
    ax.axis("off")
    ax.set_title(f"Skip-gram with negative sampling: window {window}, "
                 f"{len(negatives)} negatives per pair", fontsize=12, pad=0)  # fmt: skip

    # The sentence, one cell per word.
    context = [i for i in range(centre - window, centre + window + 1)
               if 0 <= i < len(tokens) and i != centre]  # fmt: skip
    cell, gap = 10.0, 1.0
    left = 50.0 - (len(tokens) * (cell + gap) - gap) / 2
    middle = {}
    for i, word in enumerate(tokens):
        color = CENTRE if i == centre else CONTEXT if i in context else PLAIN
        x = left + i * (cell + gap)
        _cell(ax, x, 40.0, cell, 5.0, word, color, fontsize=10, family="monospace")
        middle[i] = x + cell / 2

    # The centre's input vector, on the left.
    c_box = (3.0, 19.0, 20.0, 8.0)
    _cell(ax, *c_box, f"c = w_in['{tokens[centre]}']\ninput vector", CENTRE, fontsize=9)
    _arrow(ax, (middle[centre], 39.6), (c_box[0] + c_box[2] / 2, c_box[1] + c_box[3] + 0.3),
           "#b07a1e")  # fmt: skip

    # The output vectors: true context words, then the negatives.
    outputs = [(tokens[i], CONTEXT, i) for i in context] + [(w, NEGATIVE, None) for w in negatives]
    width = min(13.0, 70.0 / len(outputs) - 1.5)
    for j, (word, color, position) in enumerate(outputs):
        x = 28.0 + j * (width + 1.5)
        true = color == CONTEXT
        _cell(ax, x, 19.0, width, 8.0, f"{'o' if true else 'n'} = w_out\n['{word}']", color,
              fontsize=8.5)  # fmt: skip
        target = "σ(c·o) → 1" if true else "σ(c·n) → 0"
        ax.text(x + width / 2, 14.5, target, ha="center", va="center", fontsize=9,
                family="monospace")  # fmt: skip
        if position is not None:
            _arrow(ax, (middle[position], 39.6), (x + width / 2, 27.3), "#3c763d")
    ax.text(28.0 + (len(context) + len(negatives) / 2) * (width + 1.5) - 0.75, 31.0,
            "negatives: drawn at\nrandom, ∝ count^0.75", ha="center", va="center", fontsize=8, style="italic",
            color="#a94442")  # fmt: skip
    _arrow(ax, (c_box[0] + c_box[2] + 0.3, 23.0), (27.7, 23.0), "#b07a1e")
    ax.text(13.0, 14.5, "c · each output vector\n= a logit, σ = sigmoid", ha="center",
            va="center", fontsize=8, style="italic")  # fmt: skip
    ax.text(50.0, 3.5,
            "loss = -log σ(c·o) - Σ over the negatives of log σ(-c·n),"
            " summed over every (centre, context) pair",
            ha="center", va="center", fontsize=8.5, family="monospace")  # fmt: skip
    return fig
