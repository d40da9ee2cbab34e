"""The BERT encoder drawn by code: embeddings, post-norm blocks, and what sits on top.

:func:`bert_encoder` draws the picture lesson 4.3 starts from, left to right::

    ids -> token + position + segment embeddings -> LayerNorm
        -> N x [ x = LayerNorm(x + attention(x)); x = LayerNorm(x + MLP(x)) ]
        -> hidden states -> pooler / masked-LM head / token head / mean pooling

with the sizes of a given configuration written in the boxes. It uses the boxes, arrows
and colours of :mod:`nlpjourney.course.diagrams`, so the parts look the same as in the
pictures of lesson 4.1.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nlpjourney.course.diagrams import COLOURS, _arrow, _box, _canvas, _plus

__all__ = ["bert_encoder"]

RESIDUAL = "#b5651d"


def bert_encoder(
    n_layers: int = 6,
    width: int = 384,
    heads: int = 12,
    vocab: int = 30522,
    positions: int = 512,
    name: str = "all-MiniLM-L6-v2",
) -> Figure:
    """BERT from ids to its heads, with the sizes of one configuration.

    Args:
        n_layers: blocks in the stack (N).
        width: the hidden size C.
        heads: attention heads per block.
        vocab: rows of the token embedding table.
        positions: rows of the position embedding table (the longest input).
        name: the model the sizes belong to, for the title.

    Returns:
        A Figure about 11 x 4.6 inches.

    Example:
        >>> figure = bert_encoder()
        >>> [round(float(v), 1) for v in figure.get_size_inches()]
        [11.0, 4.6]
    """
    figure, axes = _canvas(11, 4.6, (-0.2, 20.0), (-3.4, 4.9))
    ids = _box(
        axes,
        (0.75, 0),
        "ids (B, T)\n[CLS] ...\n... [SEP]",
        size=(1.55, 1.3),
        colour=COLOURS["io"],
        fontsize=8,
    )
    tables = [
        (1.4, f"token\n{vocab:,} x {width}"),
        (0.0, f"position\n{positions} x {width}"),
        (-1.4, f"segment\n2 x {width}"),
    ]
    plus = _plus(axes, (4.6, 0))
    for y, text in tables:
        table = _box(axes, (2.95, y), text, size=(1.9, 1.0), colour=COLOURS["embed"], fontsize=8.5)
        _arrow(axes, ids["right"], table["left"])
        _arrow(
            axes,
            table["right"],
            plus["left"]
            if y == 0
            else (plus["centre"][0], plus["centre"][1] + (0.22 if y > 0 else -0.22)),
        )
    norm0 = _box(axes, (5.8, 0), "LayerNorm", size=(1.4, 0.7), colour=COLOURS["norm"], fontsize=9)
    _arrow(axes, plus["right"], norm0["left"])

    # The stack: one block drawn, framed, N times.
    left, right = 6.9, 14.85
    axes.add_patch(
        Rectangle((left, -1.35), right - left, 3.55, fill=False, edgecolor="0.45", linestyle="--")
    )
    axes.text(
        (left + right) / 2,
        1.95,
        f"{n_layers} x post-norm block ({heads} heads)",
        ha="center",
        va="center",
        fontsize=9.5,
        weight="bold",
    )
    attn = _box(
        axes,
        (8.3, 0),
        "multi-head\nattention\n(no mask\nbut padding)",
        size=(1.7, 1.5),
        colour=COLOURS["attention"],
        fontsize=8,
    )
    add1 = _plus(axes, (9.7, 0))
    norm1 = _box(
        axes, (10.75, 0), "Layer\nNorm", size=(1.1, 0.9), colour=COLOURS["norm"], fontsize=8.5
    )
    mlp = _box(
        axes,
        (12.15, 0),
        f"MLP\n{width}->{4 * width}\n->{width}",
        size=(1.4, 1.2),
        colour=COLOURS["mlp"],
        fontsize=8,
    )
    add2 = _plus(axes, (13.3, 0))
    norm2 = _box(
        axes, (14.3, 0), "Layer\nNorm", size=(0.9, 0.9), colour=COLOURS["norm"], fontsize=8.5
    )
    _arrow(axes, norm0["right"], attn["left"])
    for a, b in [(attn, add1), (add1, norm1), (norm1, mlp), (mlp, add2), (add2, norm2)]:
        _arrow(axes, a["right"], b["left"])
    for branch_x, target in ((7.15, add1), (11.3, add2)):
        top = 1.3
        axes.plot([branch_x, branch_x, target["top"][0]], [0, top, top], color=RESIDUAL, lw=1.5)
        _arrow(axes, (target["top"][0], top), target["top"], colour=RESIDUAL)
        axes.plot([branch_x], [0], "o", color=RESIDUAL, markersize=3.5)
    axes.text(9.4, -1.05, "residual, then norm (post-LN)", ha="center", fontsize=8, color=RESIDUAL)

    hidden = _box(
        axes,
        (16.0, 0),
        f"hidden\nstates\n(B, T, {width})",
        size=(1.5, 1.3),
        colour=COLOURS["io"],
        fontsize=8.5,
    )
    _arrow(axes, norm2["right"], hidden["left"])
    heads_ = [
        (3.0, "pooler: tanh(W h[CLS])\n-> sentence classes"),
        (1.6, "masked-LM head\n-> a score per word"),
        (0.2, "token head\n-> a label per token"),
        (-1.2, "mean pool, normalise\n-> sentence vector"),
    ]
    for y, text in heads_:
        colour = "#fff7d6" if "mean" in text else "#ffffff"
        box = _box(axes, (18.6, y + 0.25), text, size=(2.7, 0.95), colour=colour, fontsize=8)
        _arrow(axes, hidden["right"], box["left"], connection="arc3,rad=0.0")
    axes.text(18.6, -1.8, f"{name} uses this one", ha="center", fontsize=8, color="0.3")
    axes.text(
        10.0,
        4.4,
        f"BERT, the encoder ({name}: {n_layers} blocks, width {width}, {heads} heads)",
        ha="center",
        fontsize=11,
        weight="bold",
    )
    axes.text(
        10.0,
        -2.95,
        "x = LayerNorm(x + attention(x));  x = LayerNorm(x + MLP(x))   every token sees every "
        "other token (no causal mask)",
        ha="center",
        fontsize=8.5,
        color="0.25",
    )
    return figure
