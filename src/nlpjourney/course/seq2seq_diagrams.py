"""Diagrams for lesson 3.5: a recurrent encoder-decoder unrolled, with and without attention.

- :func:`unrolled_encoder_decoder`: the encoder's cells over the source tokens, the
  decoder's cells over the target, and how the decoder sees the source. Without
  attention, one vector (the encoder's final state) feeds every decoder step, the
  fixed-vector bottleneck; with attention, one decoder step draws a weighted mix of
  every encoder state, the context, through a node that holds the weights.

Drawn with the helpers and the palette of :mod:`nlpjourney.course.diagrams`, so the
parts look the same in every lesson.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from nlpjourney.course.diagrams import COLOURS, _arrow, _box, _canvas

__all__ = ["CONTEXT_COLOUR", "unrolled_encoder_decoder"]

#: The colour of what carries the source to the decoder: the fixed vector, or the context.
CONTEXT_COLOUR = "#c0392b"
MAX_TOKENS = 8


def unrolled_encoder_decoder(
    source: Sequence[str], target: Sequence[str], attention: bool, step: int | None = None
) -> Figure:
    """An encoder-decoder unrolled over a short sentence pair.

    Bottom left, the source tokens, each read by one encoder cell (``h1`` ... ``hS``);
    bottom right, the decoder's inputs (``<s>`` then the target), each fed to one decoder
    cell (``s1`` ... ``sT``) that predicts the next target token, drawn above it.

    Args:
        source: the source tokens (1 to 8).
        target: the target tokens (1 to 8); the decoder's inputs are ``<s>`` and all but
            the last of them, its outputs all of them.
        attention: False: the final encoder state, one box ``c``, feeds every decoder
            step; True: every encoder state feeds an attention node whose context
            ``c_t`` feeds decoder step ``step``.
        step: the decoder step (0-based) whose attention is drawn; default the middle one.

    Returns:
        A Figure about 10 inches wide.

    Raises:
        ValueError: an empty or too long sentence, or a step outside the target.
    """
    for name, tokens in (("source", source), ("target", target)):
        if not 1 <= len(tokens) <= MAX_TOKENS:
            raise ValueError(
                f"{name} must have 1 to {MAX_TOKENS} tokens to fit a notebook's width, "
                f"got {len(tokens)}"
            )
    n_src, n_tgt = len(source), len(target)
    if step is None:
        step = n_tgt // 2
    if not 0 <= step < n_tgt:
        raise ValueError(f"step must be a target position, 0 to {n_tgt - 1}, got {step}")
    gap = 1.25  # between neighbouring cells
    dec_x0 = n_src * gap + 1.4  # the decoder starts right of the encoder
    width = dec_x0 + n_tgt * gap + 0.2
    figure, axes = _canvas(10, 10 * 5.0 / width, (-0.8, width), (-0.2, 4.8))
    size = (0.95, 0.55)

    encoder = []
    for i, token in enumerate(source):
        x = i * gap
        word = _box(axes, (x, 0.3), token, size=size, colour=COLOURS["io"], fontsize=9)
        cell = _box(axes, (x, 1.5), f"h{i + 1}", size=size, colour=COLOURS["mlp"])
        _arrow(axes, word["top"], cell["bottom"])
        if encoder:
            _arrow(axes, encoder[-1]["right"], cell["left"])
        encoder.append(cell)

    inputs = ["<s>", *target[:-1]]
    decoder = []
    for t, (token, output) in enumerate(zip(inputs, target, strict=True)):
        x = dec_x0 + t * gap
        word = _box(axes, (x, 0.3), token, size=size, colour=COLOURS["io"], fontsize=9)
        cell = _box(axes, (x, 1.5), f"s{t + 1}", size=size, colour=COLOURS["norm"])
        out = _box(axes, (x, 2.7), output, size=size, colour=COLOURS["io"], fontsize=9)
        _arrow(axes, word["top"], cell["bottom"])
        _arrow(axes, cell["top"], out["bottom"])
        if decoder:
            _arrow(axes, decoder[-1]["right"], cell["left"])
        decoder.append(cell)
    # The encoder's last state starts the decoder (through a bridge layer).
    _arrow(axes, encoder[-1]["right"], decoder[0]["left"])

    if not attention:
        c = _box(axes, (encoder[-1]["centre"][0] + 0.6, 3.9), "c", size=(0.6, 0.55),
                 colour="#ffffff")  # fmt: skip
        _arrow(axes, encoder[-1]["top"], c["bottom"], colour=CONTEXT_COLOUR)
        for cell in decoder:
            _arrow(axes, c["right"], (cell["top"][0] - 0.3, cell["top"][1]),
                   colour=CONTEXT_COLOUR, connection="arc3,rad=-0.15")  # fmt: skip
        axes.text(c["right"][0] + 0.2, 4.35, "the same vector c at every step: the bottleneck",
                  fontsize=9, color=CONTEXT_COLOUR)  # fmt: skip
        title = "without attention: the source reaches the decoder as one vector"
    else:
        target_cell = decoder[step]
        node = _box(axes, (dec_x0 - 0.9, 3.9), "attention", size=(1.5, 0.55),
                    colour=COLOURS["attention"], fontsize=9)  # fmt: skip
        for cell in encoder:
            _arrow(axes, cell["top"], node["bottom"], colour=CONTEXT_COLOUR,
                   connection="arc3,rad=-0.1")  # fmt: skip
        query_from = decoder[step - 1]["top"] if step > 0 else encoder[-1]["top"]
        _arrow(axes, query_from, node["right"], colour="0.45", linestyle="--")
        _arrow(axes, node["right"], (target_cell["top"][0] - 0.3, target_cell["top"][1]),
               colour=CONTEXT_COLOUR, connection="arc3,rad=-0.2")  # fmt: skip
        axes.text(node["left"][0] - 0.1, 4.35,
                  f"weights over h1..h{n_src}, recomputed at every step; context c{step + 1}",
                  fontsize=9, color=CONTEXT_COLOUR)  # fmt: skip
        title = f"with attention: step {step + 1} mixes every encoder state (query: dashed)"
    axes.text(-0.6, 4.75, title, fontsize=10, weight="bold", va="top")
    axes.text(0.0, -0.2, "encoder", fontsize=9, color="0.35", va="top")
    axes.text(dec_x0, -0.2, "decoder", fontsize=9, color="0.35", va="top")
    return figure
