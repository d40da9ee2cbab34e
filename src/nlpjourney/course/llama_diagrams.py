"""Diagrams of lesson 4.5: the GPT-2 block and the LLaMA block, one above the other.

:func:`gpt_and_llama_blocks` draws both pre-norm blocks on the same grid, so the four
changes line up under the parts they replace (LayerNorm -> RMSNorm, a learned position
table -> rotary positions inside attention, multi-head -> grouped-query attention,
GELU MLP -> SwiGLU); the changed parts have a red edge. It reuses the boxes, arrows and
colours of :mod:`nlpjourney.course.diagrams` and returns a
:class:`matplotlib.figure.Figure` made without pyplot.

Example:
    >>> fig = gpt_and_llama_blocks()
    >>> "RMSNorm" in " ".join(t.get_text() for t in fig.axes[0].texts)
    True
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nlpjourney.course.diagrams import COLOURS, _arrow, _box, _canvas, _plus

__all__ = ["gpt_and_llama_blocks"]

CHANGED = "#c0392b"  # the edge and label colour of a part LLaMA replaces
RESIDUAL = "#b5651d"

# (text, colour key, changed in LLaMA) for the parts of each row, left to right; None
# marks a residual addition.
Part = tuple[str, str, bool] | None
GPT_PARTS: tuple[Part, ...] = (
    ("ids -> token emb.\n+ learned position\ntable", "embed", False),
    ("LayerNorm\n(mean, var,\nweight, bias)", "norm", False),
    ("multi-head attention\n12 q heads,\n12 k/v heads", "attention", False),
    None,
    ("LayerNorm", "norm", False),
    ("MLP\nGELU, C -> 4C -> C\n2 matrices", "mlp", False),
    None,
)
LLAMA_PARTS: tuple[Part, ...] = (
    ("ids -> token emb.\n(no position\ntable)", "embed", True),
    ("RMSNorm\n(root mean square,\nweight only)", "norm", True),
    ("grouped-query attn.\nRoPE turns q and k\n9 q, 3 k/v heads", "attention", True),
    None,
    ("RMSNorm", "norm", True),
    ("SwiGLU\nsilu(gate) * up -> down\n3 matrices, ~8C/3", "mlp", True),
    None,
)
# Each part's centre and width, in the diagram's units.
X_CENTRES = (1.45, 4.3, 7.35, 9.3, 11.1, 14.0, 15.95)
WIDTHS = {"embed": 2.6, "norm": 2.2, "attention": 2.9, "mlp": 3.0}


def _row(axes: Axes, y: float, parts: Sequence[Part], title: str) -> None:
    """One block, left to right at height ``y``, with its two residual paths above."""
    shapes, branches = [], []
    for part, x in zip(parts, X_CENTRES, strict=True):
        if part is None:
            shapes.append(_plus(axes, (x, y)))
            continue
        text, colour, changed = part
        wide = WIDTHS[colour]
        shape = _box(axes, (x, y), text, size=(wide, 1.15), colour=COLOURS[colour], fontsize=8)
        if changed:  # a red frame over the grey one
            axes.add_patch(
                Rectangle((x - wide / 2, y - 0.575), wide, 1.15, fill=False, edgecolor=CHANGED,
                          lw=2.2)
            )  # fmt: skip
        shapes.append(shape)
    for a, b in zip(shapes, shapes[1:], strict=False):
        _arrow(axes, a["right"], b["left"])
    out = _box(
        axes, (X_CENTRES[-1] + 1.4, y), "out\n(B, T, C)", size=(1.0, 0.8), colour=COLOURS["io"]
    )
    _arrow(axes, shapes[-1]["right"], out["left"])
    # Residual paths: from just before each norm, over the sublayer, into the +.
    for norm_index, plus_index in ((1, 3), (4, 6)):
        start = (shapes[norm_index - 1]["right"][0] + shapes[norm_index]["left"][0]) / 2
        end = shapes[plus_index]["top"]
        top = y + 1.0
        axes.plot([start, start, end[0]], [y, top, top], color=RESIDUAL, lw=1.5)
        _arrow(axes, (end[0], top), end, colour=RESIDUAL)
        axes.plot([start], [y], "o", color=RESIDUAL, markersize=4)
        branches.append(start)
    axes.text(branches[0] + 0.1, y + 1.08, "residual", fontsize=8, color=RESIDUAL, va="bottom")
    axes.text(0.15, y + 1.55, title, fontsize=11, weight="bold", va="bottom")


def gpt_and_llama_blocks() -> Figure:
    """GPT-2's block above LLaMA's, the four replaced parts framed in red.

    Returns:
        A Figure about 10 x 4.6 inches.
    """
    figure, axes = _canvas(10, 4.6, (0.0, 17.9), (-4.2, 3.9))
    _row(axes, 1.6, GPT_PARTS, "GPT-2 block (positions added once, at the input)")
    _row(axes, -2.4, LLAMA_PARTS, "LLaMA block (positions turn q and k in every layer)")
    axes.text(
        8.7, -3.75,
        "red frame: what LLaMA changes; the residual stream and the block order stay the same",
        ha="center", fontsize=9, color=CHANGED,
    )  # fmt: skip
    return figure
