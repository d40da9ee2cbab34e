"""Diagrams of structure, drawn by code: the pictures of the lessons that are not plots.

Each function draws one diagram and returns a :class:`matplotlib.figure.Figure` (made
directly, not through pyplot, so a notebook shows it once, as the cell's value):

- :func:`transformer_block`: a pre-norm block, x -> norm -> attention -> + -> norm -> MLP -> +;
- :func:`encoder_decoder`: the two stacks, the encoder's output (the memory) feeding the
  cross-attention of every decoder layer;
- :func:`causal_mask_grid`: the T x T grid of which key each query may see;
- :func:`bpe_merging`: a word's bytes merged step by step into tokens, with the merge
  rule of each step (:func:`bpe_merge_steps` computes the steps from ranked merges);
- :func:`computation_graph`: an autograd graph after ``backward()``, with matplotlib
  alone (no Graphviz needed);
- :func:`kv_cache_growth`: a decoder's KV cache at one decoding step, the keys and
  values of every layer filled up to the new position of a buffer allocated once.

All boxes and arrows come from two small helpers, :func:`_box` and :func:`_arrow`, in
data coordinates with equal aspect, so a diagram's sizes are set by its layout alone.
The figures are sized to be read at notebook width (about 800 pixels).

>>> steps = bpe_merge_steps("low", [(b"l", b"o"), (b"lo", b"w")])
>>> [(tokens, rule) for tokens, rule in steps]
[([b'l', b'o', b'w'], None), ([b'lo', b'w'], (0, b'l', b'o')), ([b'low'], (1, b'lo', b'w'))]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot  # noqa: F401  (subtle: sets up the inline backend that shows a Figure)
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

__all__ = [
    "bpe_merge_steps",
    "bpe_merging",
    "causal_mask_grid",
    "computation_graph",
    "encoder_decoder",
    "kv_cache_growth",
    "transformer_block",
]

# One palette for every diagram: the same kind of part has the same colour everywhere.
COLOURS = {
    "norm": "#e3ecf7",
    "attention": "#fde9c8",
    "cross": "#f9d5d3",
    "mlp": "#dcefd6",
    "add": "#ffffff",
    "io": "#eeeeee",
    "embed": "#ece4f5",
}
EDGE = "#555555"


def _canvas(width: float, height: float, xlim: tuple[float, float], ylim: tuple[float, float]):
    """A figure of ``width`` x ``height`` inches with one bare, equal-aspect axes."""
    figure = Figure(figsize=(width, height))
    axes = figure.add_axes((0.01, 0.01, 0.98, 0.98))
    axes.set_xlim(*xlim)
    axes.set_ylim(*ylim)
    axes.set_aspect("equal")
    axes.set_axis_off()
    return figure, axes


def _box(
    axes: Axes,
    centre: tuple[float, float],
    text: str,
    *,
    size: tuple[float, float] = (1.6, 0.7),
    colour: str = "#ffffff",
    fontsize: float = 10,
    round_: bool = True,
    family: str = "sans-serif",
) -> dict[str, tuple[float, float]]:
    """Draw a labelled box centred at ``centre``; return its four edge midpoints.

    The returned dict has keys ``"left"``, ``"right"``, ``"top"``, ``"bottom"`` (points
    to start or end arrows at) and ``"centre"``.
    """
    x, y = centre
    w, h = size
    style = "round,pad=0,rounding_size=0.12" if round_ else "square,pad=0"
    axes.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle=style, facecolor=colour, edgecolor=EDGE
        )
    )
    axes.text(x, y, text, ha="center", va="center", fontsize=fontsize, family=family)
    return {
        "left": (x - w / 2, y),
        "right": (x + w / 2, y),
        "top": (x, y + h / 2),
        "bottom": (x, y - h / 2),
        "centre": (x, y),
    }


def _arrow(
    axes: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    colour: str = EDGE,
    style: str = "-|>",
    connection: str = "arc3",
    linestyle: str = "-",
) -> None:
    """Draw an arrow from ``start`` to ``end`` (a bare line with ``style="-"``)."""
    axes.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=14,
            color=colour,
            linewidth=1.3,
            connectionstyle=connection,
            linestyle=linestyle,
            shrinkA=0,
            shrinkB=0,
        )
    )


def _plus(axes: Axes, centre: tuple[float, float], radius: float = 0.22) -> dict:
    """A circled + (a residual addition); returns its edge points like :func:`_box`."""
    x, y = centre
    axes.add_patch(
        FancyBboxPatch(
            (x - radius, y - radius),
            2 * radius,
            2 * radius,
            boxstyle="circle,pad=0",
            facecolor=COLOURS["add"],
            edgecolor=EDGE,
        )
    )
    axes.text(x, y, "+", ha="center", va="center", fontsize=14)
    return {
        "left": (x - radius, y),
        "right": (x + radius, y),
        "top": (x, y + radius),
        "bottom": (x, y - radius),
        "centre": (x, y),
    }


def transformer_block() -> Figure:
    """The pre-norm transformer block (GPT-2, Llama): two sublayers, each with a residual.

    Left to right: the input ``x`` is normalised and fed to multi-head attention, whose
    output is *added* to ``x`` (the residual path runs above, untouched by any norm);
    the sum is normalised and fed to the MLP, whose output is added in the same way.

    Returns:
        A Figure about 10 x 3 inches.
    """
    figure, axes = _canvas(10, 3.1, (-0.3, 14.1), (-1.3, 2.9))
    y = 0.0
    x_in = _box(axes, (0.5, y), "x\n(B, T, C)", size=(1.0, 0.8), colour=COLOURS["io"])
    norm1 = _box(axes, (2.4, y), "LayerNorm", size=(1.5, 0.8), colour=COLOURS["norm"])
    attn = _box(
        axes, (4.5, y), "multi-head\nattention", size=(1.8, 1.0), colour=COLOURS["attention"]
    )
    add1 = _plus(axes, (6.3, y))
    norm2 = _box(axes, (8.0, y), "LayerNorm", size=(1.5, 0.8), colour=COLOURS["norm"])
    mlp = _box(axes, (10.1, y), "MLP\n(C -> 4C -> C)", size=(1.8, 1.0), colour=COLOURS["mlp"])
    add2 = _plus(axes, (11.9, y))
    x_out = _box(axes, (13.3, y), "out\n(B, T, C)", size=(1.0, 0.8), colour=COLOURS["io"])
    for a, b in [(x_in, norm1), (norm1, attn), (attn, add1), (add1, norm2), (norm2, mlp)]:
        _arrow(axes, a["right"], b["left"])
    _arrow(axes, mlp["right"], add2["left"])
    _arrow(axes, add2["right"], x_out["left"])
    # The residual paths: up from the branch point, along the top, down into the +.
    for branch_x, plus in ((1.3, add1), (6.9, add2)):
        top = 1.55
        axes.plot([branch_x, branch_x, plus["top"][0]], [y, top, top], color="#b5651d", lw=1.6)
        _arrow(axes, (plus["top"][0], top), plus["top"], colour="#b5651d")
        axes.plot([branch_x], [y], "o", color="#b5651d", markersize=4)
        axes.text(
            (branch_x + plus["top"][0]) / 2,
            top + 0.12,
            "residual: x passes unchanged",
            ha="center",
            va="bottom",
            fontsize=9,
            color="#b5651d",
        )
    axes.text(4.5, -0.95, "tokens exchange information", ha="center", fontsize=9, color="0.3")
    axes.text(10.1, -0.95, "each token on its own", ha="center", fontsize=9, color="0.3")
    axes.text(
        7.0,
        2.55,
        "A pre-norm transformer block: x = x + attn(norm1(x)); x = x + mlp(norm2(x))",
        ha="center",
        fontsize=11,
        weight="bold",
    )
    return figure


def encoder_decoder(n_layers: int = 2) -> Figure:
    """The encoder-decoder transformer: the memory feeds every decoder layer's cross-attention.

    The encoder (left) reads the source with self-attention in ``n_layers`` layers; its
    final output, the *memory*, is the keys and values of the cross-attention in each of
    the decoder's ``n_layers`` layers (right). The decoder reads the target shifted right
    with *masked* (causal) self-attention and predicts the next target token.

    Args:
        n_layers: layers drawn in each stack, 1 to 4.

    Returns:
        A Figure about 9 inches wide, taller with more layers.

    Raises:
        ValueError: if ``n_layers`` is not between 1 and 4.
    """
    if not 1 <= n_layers <= 4:
        raise ValueError(f"n_layers must be 1 to 4 to fit a notebook's width, got {n_layers}")
    layer_h = 3.6  # height of one layer's frame: three sublayers of 0.7 and their arrows
    top = 2.4 + n_layers * layer_h + 2.6
    figure, axes = _canvas(9, 0.62 * top + 0.4, (-0.2, 14.0), (-0.2, top + 0.3))
    enc_x, dec_x, bus_x = 3.0, 10.2, 6.6
    size = (3.4, 0.7)

    src = _box(axes, (enc_x, 0.4), "source tokens (German)", size=size, colour=COLOURS["io"])
    tgt = _box(axes, (dec_x, 0.4), "target tokens, shifted right", size=size, colour=COLOURS["io"])
    enc_prev = _box(axes, (enc_x, 1.6), "embed + positions", size=size, colour=COLOURS["embed"])
    dec_prev = _box(axes, (dec_x, 1.6), "embed + positions", size=size, colour=COLOURS["embed"])
    _arrow(axes, src["top"], enc_prev["bottom"])
    _arrow(axes, tgt["top"], dec_prev["bottom"])

    cross_boxes = []
    for i in range(n_layers):
        base = 2.4 + i * layer_h  # bottom of this layer's frame
        for x, name in ((enc_x, "encoder"), (dec_x, "decoder")):
            axes.add_patch(
                FancyBboxPatch(
                    (x - 2.0, base + 0.1),
                    4.0,
                    layer_h - 0.2,
                    boxstyle="round,pad=0,rounding_size=0.15",
                    facecolor="none",
                    edgecolor="0.6",
                    linestyle="--",
                )
            )
            axes.text(x - 1.9, base + layer_h - 0.32, f"{name} layer {i + 1}", fontsize=8,
                      color="0.35", va="center")  # fmt: skip
        # Encoder layer: self-attention (bidirectional), then MLP.
        enc_attn = _box(axes, (enc_x, base + 0.9), "self-attention (all tokens)", size=size,
                        colour=COLOURS["attention"], fontsize=9)  # fmt: skip
        enc_mlp = _box(axes, (enc_x, base + 2.5), "MLP", size=size, colour=COLOURS["mlp"])
        _arrow(axes, enc_prev["top"], enc_attn["bottom"])
        _arrow(axes, enc_attn["top"], enc_mlp["bottom"])
        enc_prev = enc_mlp
        # Decoder layer: masked self-attention, cross-attention, MLP.
        dec_attn = _box(axes, (dec_x, base + 0.6), "masked self-attention", size=size,
                        colour=COLOURS["attention"], fontsize=9)  # fmt: skip
        dec_cross = _box(axes, (dec_x, base + 1.6), "cross-attention", size=size,
                         colour=COLOURS["cross"], fontsize=9)  # fmt: skip
        dec_mlp = _box(axes, (dec_x, base + 2.6), "MLP", size=size, colour=COLOURS["mlp"])
        _arrow(axes, dec_prev["top"], dec_attn["bottom"])
        _arrow(axes, dec_attn["top"], dec_cross["bottom"])
        _arrow(axes, dec_cross["top"], dec_mlp["bottom"])
        dec_prev = dec_mlp
        cross_boxes.append(dec_cross)

    out_y = 2.4 + n_layers * layer_h + 0.4
    memory = _box(axes, (enc_x, out_y), "memory: (B, S, C)", size=size, colour=COLOURS["norm"])
    _arrow(axes, enc_prev["top"], memory["bottom"])
    head = _box(axes, (dec_x, out_y), "linear + softmax", size=size, colour=COLOURS["norm"])
    _arrow(axes, dec_prev["top"], head["bottom"])
    word = _box(axes, (dec_x, out_y + 1.2), "next target token", size=size, colour=COLOURS["io"])
    _arrow(axes, head["top"], word["bottom"])

    # The memory bus: out of the encoder's top, down between the stacks, into each
    # decoder layer's cross-attention from the left (its keys and values).
    red = "#c0392b"
    axes.plot([memory["right"][0], bus_x, bus_x], [out_y, out_y, cross_boxes[0]["left"][1]],
              color=red, lw=1.8)  # fmt: skip
    for box in cross_boxes:
        _arrow(axes, (bus_x, box["left"][1]), box["left"], colour=red)
        axes.plot([bus_x], [box["left"][1]], "o", color=red, markersize=4)
        axes.text(bus_x + 0.15, box["left"][1] + 0.12, "keys, values", fontsize=8, color=red,
                  va="bottom")  # fmt: skip
    axes.text(bus_x + 0.15, out_y + 0.12, "memory to every\ndecoder layer", fontsize=9,
              color=red, va="bottom")  # fmt: skip
    axes.text(enc_x, top, "encoder", ha="center", fontsize=12, weight="bold")
    axes.text(dec_x, top, "decoder", ha="center", fontsize=12, weight="bold")
    axes.text(bus_x, top - 0.55, "(each sublayer has its norm and residual, as in the block)",
              ha="center", fontsize=8, color="0.35")  # fmt: skip
    return figure


def causal_mask_grid(tokens: Sequence[str]) -> Figure:
    """The causal mask as a grid: row ``i`` (a query) may see columns ``0..i`` (keys).

    Args:
        tokens: the sequence's tokens, 2 to 16 of them, used as row and column labels.

    Returns:
        A Figure about 6.5 inches wide.

    Raises:
        ValueError: for fewer than 2 or more than 16 tokens.
    """
    size = len(tokens)
    if not 2 <= size <= 16:
        raise ValueError(f"give 2 to 16 tokens to draw a readable grid, got {size}")
    figure = Figure(figsize=(6.5, 5.2))
    axes = figure.add_axes((0.22, 0.2, 0.56, 0.68))
    seen, masked = "#7fbf7b", "#d9d9d9"
    for i in range(size):
        for j in range(size):
            allowed = j <= i
            axes.add_patch(
                FancyBboxPatch(
                    (j, size - 1 - i),
                    1,
                    1,
                    boxstyle="square,pad=0",
                    facecolor=seen if allowed else masked,
                    edgecolor="white",
                    linewidth=2,
                )  # fmt: skip
            )
            axes.text(j + 0.5, size - 0.5 - i, "✓" if allowed else "−∞", ha="center",
                      va="center", fontsize=10 if allowed else 9,
                      color="#1b5e20" if allowed else "0.45")  # fmt: skip
    axes.set_xlim(0, size)
    axes.set_ylim(0, size)
    axes.set_aspect("equal")
    axes.set_xticks([j + 0.5 for j in range(size)], list(tokens), rotation=45, ha="right")
    axes.set_yticks([size - 0.5 - i for i in range(size)], list(tokens))
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.set_xlabel("key j (the token looked at)")
    axes.set_ylabel("query i (the token looking)")
    axes.set_title("Causal mask: query i sees keys 0..i,\nits future is set to −∞ before softmax")
    figure.legend(
        handles=[Patch(color=seen, label="may see (score kept)"),
                 Patch(color=masked, label="masked (score −∞, weight 0)")],
        loc="lower center", ncol=2, frameon=False,
    )  # fmt: skip
    return figure


def bpe_merge_steps(
    word: str | bytes, merges: Sequence[tuple[bytes, bytes]]
) -> list[tuple[list[bytes], tuple[int, bytes, bytes] | None]]:
    """Apply ranked BPE merges to one word, keeping every intermediate step.

    Start from the word's UTF-8 bytes; at each step join the neighbouring pair whose
    merge has the lowest rank (the one learned first), everywhere it occurs; stop when no
    neighbouring pair has a merge. This is how byte-level BPE encodes one pre-token.

    Args:
        word: one pre-token (with its leading space if it has one).
        merges: the merges in rank order, each a pair of byte strings (the ``merges`` of
            a :class:`~nlpjourney.tokenizers.ByteLevelBPETokenizer`).

    Returns:
        The steps: ``(tokens, rule)`` pairs, the first with ``rule`` None (the bytes),
        each later one with ``rule = (rank, left, right)``, the merge that made it.
    """
    ranks = {pair: rank for rank, pair in enumerate(merges)}
    data = word.encode("utf-8") if isinstance(word, str) else word
    tokens = [bytes([b]) for b in data]
    steps: list[tuple[list[bytes], tuple[int, bytes, bytes] | None]] = [(list(tokens), None)]
    while len(tokens) > 1:
        pairs = [(ranks.get(p, len(ranks)), p) for p in zip(tokens, tokens[1:], strict=False)]
        rank, pair = min(pairs)
        if rank == len(ranks):
            break
        joined, i = [], 0
        while i < len(tokens):
            if i + 1 < len(tokens) and (tokens[i], tokens[i + 1]) == pair:
                joined.append(pair[0] + pair[1])
                i += 2
            else:
                joined.append(tokens[i])
                i += 1
        tokens = joined
        steps.append((list(tokens), (rank, *pair)))
    return steps


def _show_bytes(token: bytes) -> str:
    """A token as the reader should see it: text, with a visible space (␣)."""
    return token.decode("utf-8", errors="replace").replace(" ", "␣")


def bpe_merging(word: str, merges: Sequence[tuple[bytes, bytes]], title: str = "") -> Figure:
    """A word's bytes merged step by step into tokens, one row per merge.

    Each row shows the tokens after one merge, the token just made highlighted, and on
    the right the rule applied: its rank (learned first = 0) and the two pieces joined.

    Args:
        word: one pre-token, e.g. ``" tokenization"`` (a leading space shows as ␣).
        merges: the merges in rank order (a ByteLevelBPETokenizer's ``merges``).
        title: a title above the rows.

    Returns:
        A Figure about 9 inches wide, one row per step.
    """
    steps = bpe_merge_steps(word, merges)
    n_bytes = len(steps[0][0])
    char_w, gap, row_h = 0.28, 0.12, 0.9
    width = n_bytes * (char_w + gap) + 9.0
    height = len(steps) * row_h + 0.9
    figure, axes = _canvas(9, 9 * height / width, (0, width), (-0.2, height))
    for row, (tokens, rule) in enumerate(steps):
        y = height - 0.9 - row * row_h
        axes.text(0.1, y, "bytes" if rule is None else f"step {row}", va="center",
                  fontsize=9, color="0.35")  # fmt: skip
        x = 1.2
        made = None if rule is None else rule[1] + rule[2]
        for token in tokens:
            text = _show_bytes(token)
            w = max(1, len(text)) * char_w + 0.2
            colour = "#fde9c8" if token == made else ("#e3ecf7" if len(token) > 1 else "#f3f3f3")
            _box(axes, (x + w / 2, y), text, size=(w, 0.55), colour=colour, fontsize=10,
                 round_=False, family="monospace")  # fmt: skip
            x += w + gap
        if rule is not None:
            rank, left, right = rule
            axes.text(
                width - 0.1,
                y,
                f"merge #{rank}: {_show_bytes(left)} + {_show_bytes(right)}",
                ha="right",
                va="center",
                fontsize=9,
                family="monospace",
            )
    axes.text(0.1, height - 0.25, title or f"BPE merges {word!r} step by step", fontsize=11,
              weight="bold", va="center")  # fmt: skip
    return figure


def computation_graph(root: Any, title: str = "") -> Figure:
    """An autograd computation graph, drawn with matplotlib alone (no Graphviz needed).

    Each box is a node with its data and gradient (blue: an input, orange: the result
    of an operation); each arrow runs from an input to the operation that used it.
    Backpropagation walks the arrows in reverse.

    Args:
        root: a :class:`~nlpjourney.autograd.Value` or ``Tensor`` (call ``backward()``
            first to see gradients).
        title: a title above the graph.

    Returns:
        A Figure, as :func:`nlpjourney.autograd.draw_graph` draws it with matplotlib.
    """
    from nlpjourney.autograd import draw_graph

    figure = draw_graph(root, backend="matplotlib")
    figure.suptitle(
        title or "computation graph: forward runs left to right, backward right to left",
        fontsize=10,
    )
    figure.legend(
        handles=[Patch(facecolor="#e8f0fe", edgecolor="#4a6fa5", label="input (leaf)"),
                 Patch(facecolor="#fff4e0", edgecolor="#c08a2e", label="operation result")],
        loc="lower center", ncol=2, frameon=False, fontsize=8,
    )  # fmt: skip
    figure.tight_layout(rect=(0, 0.06, 1, 0.95))
    return figure


def kv_cache_growth(
    step: int, capacity: int = 10, layers: Sequence[str] = ("0", "1", "L-1")
) -> Figure:
    """A KV cache at decoding step ``step``: per layer, keys and values along positions.

    Each layer's row holds ``capacity`` slots, allocated once; positions ``0..step-1``
    are cached (written by earlier steps), position ``step`` is written now, the rest
    wait. The new query of each layer reads every filled slot of its own layer.

    Args:
        step: the position being decoded, 1 to ``capacity - 1``.
        capacity: slots per layer (the prompt plus the new tokens), 3 to 16.
        layers: the layers' labels, one row each (a ``"..."`` row may stand for many).

    Returns:
        A Figure about 8 inches wide.

    Raises:
        ValueError: ``step`` or ``capacity`` out of range.
    """
    if not 3 <= capacity <= 16 or not 1 <= step < capacity:
        raise ValueError(
            f"need 3 <= capacity <= 16 and 1 <= step < capacity, got step={step}, "
            f"capacity={capacity}"
        )
    colours = {"cached": "#9ecae1", "new": "#fdae6b", "empty": "#ffffff"}
    row_height, gap = 1.0, 0.55
    height = len(layers) * (row_height + gap) + 1.3
    figure, axes = _canvas(8.2, 0.62 * height + 0.3, (-2.2, capacity + 2.6), (-1.4, height - 0.6))
    for r, label in enumerate(layers):
        y = (len(layers) - 1 - r) * (row_height + gap)
        axes.text(-0.25, y + row_height / 2, f"layer {label}", ha="right", va="center",
                  fontsize=10)  # fmt: skip
        for j in range(capacity):
            kind = "cached" if j < step else "new" if j == step else "empty"
            for half, name in ((0.5, "k"), (0.0, "v")):
                axes.add_patch(
                    FancyBboxPatch(
                        (j, y + half),
                        1,
                        0.5,
                        boxstyle="square,pad=0",
                        facecolor=colours[kind],
                        edgecolor=EDGE,
                        linewidth=0.8,
                        linestyle="-" if kind != "empty" else ":",
                    )  # fmt: skip
                )
                if kind != "empty":
                    axes.text(j + 0.5, y + half + 0.25, f"{name}{j}", ha="center",
                              va="center", fontsize=7.5)  # fmt: skip
        qx = capacity + 1.3
        _box(axes, (qx, y + 0.5), f"q{step}", size=(0.9, 0.6), colour=colours["new"], fontsize=9)
        axes.text(qx, y - 0.05, f"attends to\nslots 0..{step}", ha="center", va="top", fontsize=7.5)
        _arrow(axes, (qx - 0.45, y + 0.5), (step + 1.05, y + 0.5), colour="#d9480f",
               connection="arc3,rad=0.25")  # fmt: skip
    axes.text(capacity / 2, -0.45, "position in the text (a slot of the buffer)", ha="center",
              va="top", fontsize=10)  # fmt: skip
    axes.text(capacity / 2, height - 0.75,
              f"The KV cache at step {step}: keys (k) and values (v) of every layer",
              ha="center", va="top", fontsize=11.5)  # fmt: skip
    figure.legend(
        handles=[Patch(facecolor=colours["cached"], edgecolor=EDGE, label="cached by earlier steps"),
                 Patch(facecolor=colours["new"], edgecolor=EDGE, label=f"written at step {step}"),
                 Patch(facecolor="white", edgecolor=EDGE, linestyle=":",
                       label="allocated, not yet written")],
        loc="lower center", ncol=3, frameon=False, fontsize=9,
    )  # fmt: skip
    return figure
