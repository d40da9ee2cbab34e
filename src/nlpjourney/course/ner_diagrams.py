"""Named entities and the CRF's forward lattice, drawn by code for lesson 2.6.

- :func:`entity_schemes_figure`: a sentence's tokens in a row, under each token its tag
  in every scheme (one row per scheme: IOB1, IOB2, BIOES...), and under all of them the
  entity spans the tags encode, as brackets labelled with the entity type. The boxes of
  an entity's tokens share the colour of its type, so one sees that the schemes differ
  in their letters and agree on the spans.
- :func:`forward_lattice_figure`: the tag lattice of a short sentence, positions across
  and tags down, one node ``alpha[t, j]`` per cell; the edges into one chosen node show
  that the forward step sums over every previous tag.

Both use the boxes, arrows and colours of :mod:`nlpjourney.course.diagrams`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from nlpjourney.course.diagrams import COLOURS, EDGE, _arrow, _box, _canvas

__all__ = ["entity_schemes_figure", "forward_lattice_figure"]

#: One colour per CoNLL entity type (others share the last one).
TYPE_COLOURS = {
    "PER": COLOURS["attention"],
    "LOC": COLOURS["mlp"],
    "ORG": COLOURS["norm"],
    "MISC": COLOURS["embed"],
    "": COLOURS["cross"],
}
MAX_TOKENS = 14


def _type_of(tag: str) -> str:
    return tag.split("-", 1)[1] if "-" in tag else ""


def entity_schemes_figure(
    tokens: Sequence[str],
    schemes: Mapping[str, Sequence[str]],
    spans: Sequence[tuple[str, int, int]],
    title: str = "",
) -> Figure:
    """Tokens, their tags in each scheme, and the entity spans they encode.

    Args:
        tokens: the sentence, at most :data:`MAX_TOKENS` tokens.
        schemes: scheme name -> one tag per token (e.g. ``{"IOB1": [...], "IOB2": [...]}``).
        spans: the entities, ``(type, start, end)`` with ``end`` exclusive.
        title: a line above the picture.

    Returns:
        The figure.

    Raises:
        ValueError: no tokens, too many, or a scheme or span that does not fit them.
    """
    n = len(tokens)
    if not 0 < n <= MAX_TOKENS:
        raise ValueError(f"draw between 1 and {MAX_TOKENS} tokens, got {n}")
    for name, tags in schemes.items():
        if len(tags) != n:
            raise ValueError(f"scheme {name} has {len(tags)} tags for {n} tokens")
    for kind, start, end in spans:
        if not 0 <= start < end <= n:
            raise ValueError(f"span {kind} [{start}, {end}) is outside the {n} tokens")
    width = max(1.25, 0.13 * max(len(t) for t in tokens) + 0.35)
    rows = len(schemes)
    figure, axes = _canvas(
        min(13.0, 1.3 + n * width * 0.78),
        1.7 + 0.55 * rows,
        (-1.6, n * width + 0.1),
        (-1.5 - 0.8 * rows, 1.2 if title else 0.6),
    )
    colour_of = {}
    for kind, start, end in spans:
        for i in range(start, end):
            colour_of[i] = TYPE_COLOURS.get(kind, TYPE_COLOURS[""])
    axes.text(-1.5, 0.0, "token", ha="left", va="center", fontsize=9, style="italic")
    for i, token in enumerate(tokens):
        x = i * width + width / 2
        _box(axes, (x, 0.0), token, size=(width - 0.12, 0.6),
             colour=colour_of.get(i, "#ffffff"), fontsize=9)  # fmt: skip
        for r, tags in enumerate(schemes.values()):
            y = -0.8 * (r + 1)
            tag = tags[i]
            _box(axes, (x, y), tag, size=(width - 0.12, 0.5), fontsize=8.5,
                 colour=TYPE_COLOURS.get(_type_of(tag), "#ffffff") if tag != "O" else "#ffffff")  # fmt: skip
    for r, name in enumerate(schemes):
        axes.text(-1.5, -0.8 * (r + 1), name, ha="left", va="center", fontsize=9)
    base = -0.8 * rows - 0.55
    for kind, start, end in spans:
        left, right = start * width + 0.08, end * width - 0.08
        _arrow(axes, (left, base + 0.15), (left, base), style="-")
        _arrow(axes, (left, base), (right, base), style="-")
        _arrow(axes, (right, base), (right, base + 0.15), style="-")
        axes.text((left + right) / 2, base - 0.3, kind, ha="center", va="center", fontsize=9,
                  weight="bold")  # fmt: skip
    axes.text(-1.5, base - 0.3, "entities", ha="left", va="center", fontsize=9, style="italic")
    if title:
        axes.text(-1.5, 0.85, title, ha="left", va="center", fontsize=10)
    return figure


def forward_lattice_figure(
    tokens: Sequence[str], tags: Sequence[str], step: int = 2, target: int = 0
) -> Figure:
    """The lattice of ``len(tokens)`` positions by ``len(tags)`` tags, one forward step lit.

    Every node is ``alpha[t, j]``. The edges drawn are those into node ``(step, target)``:
    one from each tag of the position before, each labelled ``+ trans[i, j]``, so the
    picture reads as the recursion ``alpha[t, j] = logsumexp_i(alpha[t-1, i] +
    trans[i, j]) + emit[t, j]``.

    Args:
        tokens: the positions' words (at most 6).
        tags: the tag names (at most 6).
        step: the position ``t >= 1`` whose step is drawn.
        target: the tag ``j`` whose node the edges enter.

    Returns:
        The figure.

    Raises:
        ValueError: too many tokens or tags, or ``step``/``target`` outside the lattice.
    """
    n, k = len(tokens), len(tags)
    if not (1 < n <= 6 and 1 < k <= 6):
        raise ValueError(f"draw 2 to 6 tokens and 2 to 6 tags, got {n} and {k}")
    if not (1 <= step < n and 0 <= target < k):
        raise ValueError(f"step must be in [1, {n}) and target in [0, {k}), got {step}, {target}")
    dx, dy = 2.4, 1.0
    figure, axes = _canvas(
        1.6 + 1.45 * n, 1.3 + 0.62 * k, (-1.9, n * dx - 0.6), (-k * dy - 0.4, 1.2)
    )
    for t, token in enumerate(tokens):
        axes.text(t * dx, 0.75, token, ha="center", va="center", fontsize=10, weight="bold")
    for j, tag in enumerate(tags):
        axes.text(-1.1, -j * dy, tag, ha="right", va="center", fontsize=9)
    for t in range(n):
        for j in range(k):
            lit = (t == step and j == target) or t == step - 1
            colour = COLOURS["attention"] if (t, j) == (step, target) else (
                COLOURS["norm"] if lit else "#ffffff")  # fmt: skip
            _box(axes, (t * dx, -j * dy), f"α[{t},{j}]", size=(1.0, 0.55), colour=colour,
                 fontsize=8)  # fmt: skip
    for i in range(k):
        _arrow(axes, ((step - 1) * dx + 0.5, -i * dy), (step * dx - 0.5, -target * dy),
               colour=EDGE)  # fmt: skip
        # the label sits a third of the way along its edge, where the edges are apart
        x0, y0 = (step - 1) * dx + 0.5, -i * dy
        x1, y1 = step * dx - 0.5, -target * dy
        axes.text(x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0) + 0.1, f"+T[{i},{target}]",
                  fontsize=7, color="#444444", ha="center")  # fmt: skip
    axes.text(
        -1.8, -k * dy + 0.05,
        f"α[{step},{target}] = logsumexp over i of (α[{step - 1},i] + T[i,{target}]) "
        f"+ emit[{step},{target}]",
        ha="left", va="center", fontsize=9,
    )  # fmt: skip
    return figure
