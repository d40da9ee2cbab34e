"""Pictures of dependency trees and parser configurations, as SVG (our own text) or PNG.

:func:`draw_tree` draws a sentence the way displaCy does: the words in a row with their
UPOS tags under them, and every arc above the row, labelled with its relation, its
arrow head at the dependent. Arcs nested inside others are drawn lower, so a projective
tree never has two arcs crossing. :func:`draw_configuration` draws one state of a
transition-based parser: the same row with the arcs built so far (ROOT shown as a word),
each word coloured by where it is (stack, buffer, done), and below it the stack and the
buffer as rows of boxes.

Both build one list of shapes (arcs, arrow heads, boxes, texts) in pixel coordinates,
then write it as SVG text or paint it on a matplotlib ``Figure`` for PNG.

Reference: spaCy's displaCy dependency visualiser (the look, not its code).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from nlpjourney.parsing.conllu import Sentence
from nlpjourney.parsing.transitions import Configuration

__all__ = ["draw_configuration", "draw_tree"]

FONT = "DejaVu Sans, Arial, sans-serif"
WORD_SIZE = 16  # px
SMALL_SIZE = 12  # px: tags and relation labels
LEVEL_HEIGHT = 34  # px between nested arc levels
CHAR_WIDTH = 0.62  # a sans-serif character's width, as a share of its font size
COLOURS = {"stack": "#1f77b4", "buffer": "#2ca02c", "done": "#7f7f7f", "ink": "#222222"}


@dataclass(frozen=True)
class _Text:
    x: float
    y: float
    text: str
    size: float
    colour: str = COLOURS["ink"]
    bold: bool = False
    anchor: str = "middle"  # "start" or "middle"
    halo: bool = False  # a white box behind, so an arc does not run through it


@dataclass(frozen=True)
class _Arc:
    x0: float  # the head's end
    x1: float  # the dependent's end
    base: float
    top: float  # the highest point of the curve
    colour: str


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass
class _Scene:
    width: float
    height: float
    texts: list[_Text]
    arcs: list[_Arc]
    boxes: list[_Box]


def _text_width(text: str, size: float, bold: bool = False) -> float:
    # subtle: capitals and bold letters run wider than the average character.
    wide = sum(1 for char in text if char.isupper() or char in "mwMW@%")
    return (len(text) + 0.3 * wide) * size * (CHAR_WIDTH + (0.06 if bold else 0.0))


def _levels(arcs: Sequence[tuple[int, int]]) -> list[int]:
    """Each arc's height level: one above the highest arc nested under it (1 if none)."""
    spans = [(min(h, d), max(h, d)) for h, d in arcs]
    order = sorted(range(len(spans)), key=lambda i: spans[i][1] - spans[i][0])
    levels = [0] * len(spans)
    for i in order:
        lo, hi = spans[i]
        inner = [
            levels[j]
            for j in range(len(spans))
            if j != i and lo <= spans[j][0] and spans[j][1] <= hi and spans[j] != spans[i]
        ]
        levels[i] = 1 + max(inner, default=0)
    return levels


def _row(
    forms: Sequence[str],
    tags: Sequence[str],
    arcs: Sequence[tuple[int, int, str]],
    colours: Sequence[str],
    top: float,
    root_word: int = -1,
    root_label: str = "",
) -> tuple[_Scene, list[float]]:
    """Words in a row (index i at ``xs[i]``) with ``arcs`` (head, dependent, label) above.

    ``root_word`` (if >= 0) gets a short arrow from above labelled ``root_label``.
    """
    widths = [
        max(_text_width(f, WORD_SIZE), _text_width(t, SMALL_SIZE))
        for f, t in zip(forms, tags, strict=True)
    ]
    xs, x = [], 20.0 + (widths[0] / 2 if widths else 0.0)
    for i, width in enumerate(widths):
        # Leave room for the labels of arcs between neighbours.
        gap = max(
            [
                _text_width(label, SMALL_SIZE)
                for h, d, label in arcs
                if abs(h - d) == 1 and min(h, d) == i - 1
            ],
            default=0.0,
        )
        if i:
            x += max(widths[i - 1] / 2 + width / 2 + 24, gap + 30)
        xs.append(x)
    levels = _levels([(h, d) for h, d, _ in arcs])
    highest = max(levels + [1 if root_word >= 0 else 0], default=0)
    base = top + highest * LEVEL_HEIGHT + 18
    scene = _Scene(xs[-1] + widths[-1] / 2 + 20 if xs else 60, base + 48, [], [], [])
    for (head, dependent, label), level in zip(arcs, levels, strict=True):
        # Ends pulled a little apart so arcs meeting at one word stay distinguishable.
        shift = 6 if dependent > head else -6
        x0, x1 = xs[head] + shift, xs[dependent] - shift / 2
        peak = base - level * LEVEL_HEIGHT
        scene.arcs.append(_Arc(x0, x1, base, peak, COLOURS["ink"]))
        scene.texts.append(_Text((x0 + x1) / 2, peak + 4, label, SMALL_SIZE, halo=True))
    if root_word >= 0:
        x = xs[root_word]
        peak = base - LEVEL_HEIGHT * highest
        scene.arcs.append(_Arc(x, x, base, peak, COLOURS["ink"]))
        scene.texts.append(_Text(x, peak - 4, root_label, SMALL_SIZE, halo=True))
    for x, form, tag, colour in zip(xs, forms, tags, colours, strict=True):
        scene.texts.append(_Text(x, base + 22, form, WORD_SIZE, colour, bold=True))
        scene.texts.append(_Text(x, base + 40, tag, SMALL_SIZE, colour))
    return scene, xs


def _tree_scene(sentence: Sentence) -> _Scene:
    if not isinstance(sentence, Sentence):
        raise TypeError(
            f"draw_tree takes a Sentence (see read_conllu), got {type(sentence).__name__}"
        )
    if not sentence.words:
        raise ValueError("the sentence has no words to draw")
    arcs = [(w.head - 1, w.id - 1, w.deprel) for w in sentence.words if w.head > 0]
    roots = [w for w in sentence.words if w.head == 0]
    scene, _ = _row(
        sentence.forms,
        sentence.upos,
        arcs,
        [COLOURS["ink"]] * len(sentence),
        top=16,
        root_word=roots[0].id - 1 if roots else -1,
        root_label=roots[0].deprel if roots else "",
    )
    return scene


def _configuration_scene(config: Configuration, sentence: Sentence) -> _Scene:
    if len(sentence) != config.n:
        raise ValueError(
            f"the configuration is for {config.n} words but the sentence has {len(sentence)}"
        )
    on_stack = set(config.stack)
    colours = [
        COLOURS["stack"]
        if w in on_stack
        else COLOURS["buffer"]
        if w >= config.next
        else COLOURS["done"]
        for w in range(config.n + 1)
    ]
    arcs = [
        (config.heads[w], w, config.labels[w])
        for w in range(1, config.n + 1)
        if config.heads[w] != -1
    ]
    forms = ["ROOT", *sentence.forms]
    scene, xs = _row(forms, ["", *sentence.upos], arcs, colours, top=40)
    scene.texts.append(
        _Text(
            12,
            20,
            "arcs so far (blue: on the stack, green: in the buffer, grey: done)",
            SMALL_SIZE,
            anchor="start",
        )
    )
    # The stack (bottom to top, the top at the right, next to the buffer) and the buffer.
    y = scene.height + 26
    x = 30.0
    scene.texts.append(_Text(x, y - 8, "stack (top at the right)", SMALL_SIZE, anchor="start"))
    for part, (items, colour) in enumerate(
        ((config.stack, COLOURS["stack"]), (config.buffer, COLOURS["buffer"]))
    ):
        if part == 1:
            x += 40
            scene.texts.append(
                _Text(x, y - 8, "buffer (front at the left)", SMALL_SIZE, anchor="start")
            )
        if not items:
            scene.boxes.append(_Box(x, y, 60, 34, COLOURS["done"]))
            scene.texts.append(_Text(x + 30, y + 22, "empty", SMALL_SIZE, COLOURS["done"]))
            x += 60
        for word in items:
            width = max(_text_width(forms[word], WORD_SIZE, bold=True) + 16, 40)
            scene.boxes.append(_Box(x, y, width, 34, colour))
            scene.texts.append(
                _Text(x + width / 2, y + 23, forms[word], WORD_SIZE, colour, bold=True)
            )
            x += width
    scene.width = max(scene.width, x + 30)
    scene.height = y + 50
    return scene


def _svg(scene: _Scene) -> str:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{scene.width:.0f}" '
        f'height="{scene.height:.0f}" viewBox="0 0 {scene.width:.0f} {scene.height:.0f}" '
        f'font-family="{FONT}">',
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    for box in scene.boxes:
        out.append(
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
            f'fill="none" stroke="{box.colour}" stroke-width="2"/>'
        )
    for arc in scene.arcs:
        out.append(
            f'<path d="{_arc_path(arc)}" fill="none" stroke="{arc.colour}" stroke-width="2"/>'
        )
        (ax, ay), (bx, by), (cx, cy) = _arrow_head(arc)
        out.append(
            f'<path d="M{ax:.1f},{ay:.1f} L{bx:.1f},{by:.1f} L{cx:.1f},{cy:.1f} Z" fill="{arc.colour}"/>'
        )
    for text in scene.texts:
        if not text.text:
            continue
        if text.halo:
            width = _text_width(text.text, text.size) + 6
            x = text.x - width / 2 if text.anchor == "middle" else text.x - 3
            out.append(
                f'<rect x="{x:.1f}" y="{text.y - text.size:.1f}" width="{width:.1f}" '
                f'height="{text.size + 4:.1f}" fill="white"/>'
            )
        weight = ' font-weight="bold"' if text.bold else ""
        out.append(
            f'<text x="{text.x:.1f}" y="{text.y:.1f}" font-size="{text.size}" fill="{text.colour}" '
            f'text-anchor="{text.anchor}"{weight}>{escape(text.text)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _arc_path(arc: _Arc) -> str:
    if arc.x0 == arc.x1:  # the root's arrow: a straight line down
        return f"M{arc.x0:.1f},{arc.top:.1f} L{arc.x1:.1f},{arc.base - 6:.1f}"
    # A cubic Bézier with both control points 4/3 of the height up peaks at ``top``.
    control = arc.base - (arc.base - arc.top) * 4 / 3
    return (
        f"M{arc.x0:.1f},{arc.base:.1f} C{arc.x0:.1f},{control:.1f} "
        f"{arc.x1:.1f},{control:.1f} {arc.x1:.1f},{arc.base - 6:.1f}"
    )


def _arrow_head(arc: _Arc) -> tuple[tuple[float, float], ...]:
    tip = arc.base + 2
    return ((arc.x1 - 5, tip - 9), (arc.x1 + 5, tip - 9), (arc.x1, tip))


def _png(scene: _Scene) -> bytes:
    # Imported here: matplotlib is slow to import and only pictures need it.
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch, Polygon, Rectangle
    from matplotlib.path import Path as MplPath

    dpi = 100
    points = 72 / dpi  # font sizes are in px; matplotlib's in points
    figure = Figure(figsize=(scene.width / dpi, scene.height / dpi), dpi=dpi)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, scene.width)
    axes.set_ylim(scene.height, 0)  # y grows downwards, as in SVG
    axes.axis("off")
    for box in scene.boxes:
        axes.add_patch(
            Rectangle(
                (box.x, box.y),
                box.width,
                box.height,
                fill=False,
                edgecolor=box.colour,
                linewidth=2 * points,
            )
        )
    for arc in scene.arcs:
        if arc.x0 == arc.x1:
            vertices = [(arc.x0, arc.top), (arc.x1, arc.base - 6)]
            codes = [MplPath.MOVETO, MplPath.LINETO]
        else:
            control = arc.base - (arc.base - arc.top) * 4 / 3
            vertices = [
                (arc.x0, arc.base),
                (arc.x0, control),
                (arc.x1, control),
                (arc.x1, arc.base - 6),
            ]
            codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4]
        axes.add_patch(
            PathPatch(
                MplPath(vertices, codes), fill=False, edgecolor=arc.colour, linewidth=2 * points
            )
        )
        axes.add_patch(Polygon(_arrow_head(arc), closed=True, color=arc.colour))
    for text in scene.texts:
        if not text.text:
            continue
        axes.text(
            text.x,
            text.y,
            text.text,
            fontsize=text.size * points,
            color=text.colour,
            fontweight="bold" if text.bold else "normal",
            ha="center" if text.anchor == "middle" else "left",
            va="baseline",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1} if text.halo else None,
        )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _render(scene: _Scene, path: str | Path | None, format: str | None) -> str | bytes:
    if format is None:
        format = Path(path).suffix.lstrip(".").lower() if path is not None else "svg"
    if format not in ("svg", "png"):
        raise ValueError(f"format must be 'svg' or 'png', got {format!r}")
    picture: str | bytes = _svg(scene) if format == "svg" else _png(scene)
    if path is not None:
        target = Path(path)
        if isinstance(picture, str):
            target.write_text(picture, encoding="utf-8")
        else:
            target.write_bytes(picture)
    return picture


def draw_tree(
    sentence: Sentence, path: str | Path | None = None, format: str | None = None
) -> str | bytes:
    """Draw a sentence's dependency tree: words and UPOS in a row, labelled arcs above.

    Args:
        sentence: The sentence (its HEAD and DEPREL columns are drawn).
        path: Where to write the picture, if anywhere.
        format: ``"svg"`` or ``"png"``; by default the suffix of ``path``, else SVG.

    Returns:
        The SVG text, or the PNG bytes.

    Example:
        >>> from nlpjourney.parsing.conllu import read_conllu
        >>> [sentence] = read_conllu("1\\tDogs\\t_\\tNOUN\\t_\\t_\\t2\\tnsubj\\t_\\t_\\n"
        ...                          "2\\tbark\\t_\\tVERB\\t_\\t_\\t0\\troot\\t_\\t_\\n\\n")
        >>> svg = draw_tree(sentence)
        >>> svg.startswith("<svg") and ">nsubj</text>" in svg
        True
    """
    return _render(_tree_scene(sentence), path, format)


def draw_configuration(
    config: Configuration,
    sentence: Sentence,
    path: str | Path | None = None,
    format: str | None = None,
) -> str | bytes:
    """Draw a parser state: the arcs built so far, then the stack and the buffer.

    Args:
        config: The configuration (from :mod:`nlpjourney.parsing.transitions`).
        sentence: The sentence being parsed (its forms and UPOS are shown).
        path: Where to write the picture, if anywhere.
        format: ``"svg"`` or ``"png"``; by default the suffix of ``path``, else SVG.

    Returns:
        The SVG text, or the PNG bytes.
    """
    return _render(_configuration_scene(config, sentence), path, format)
