"""LDA's generative story drawn by code: the plate diagram beside the steps it stands for.

:func:`lda_plate_diagram` draws the picture lesson 2.3 starts from. On the left, the
model in plate notation: a circle per random quantity, an arrow from what it is drawn
from, and a rectangle (a *plate*) around what repeats, with how many times in its
corner::

    α -> θ_d -> z_dn -> w_dn <- φ_k <- η       plates: words (N_d) inside documents (D);
                                               topics (K) around φ

The observed words are the only shaded circle: everything else is hidden and has to be
inferred. On the right, the same story as the numbered steps a program would take to
write a corpus. It uses the boxes, arrows and colours of :mod:`nlpjourney.course.diagrams`.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from nlpjourney.course.diagrams import COLOURS, EDGE, _arrow, _box, _canvas

__all__ = ["lda_plate_diagram"]

RADIUS = 0.55


def _node(
    axes, centre: tuple[float, float], label: str, caption: str, *, above: bool = False,
    observed: bool = False,
):  # fmt: skip
    """A circle for one variable with its caption above or below; returns its edge points."""
    x, y = centre
    colour = "#b0b0b0" if observed else "#ffffff"
    axes.add_patch(Circle(centre, RADIUS, facecolor=colour, edgecolor=EDGE, linewidth=1.3))
    axes.text(x, y, label, ha="center", va="center", fontsize=14)
    if above:
        axes.text(x, y + RADIUS + 0.15, caption, ha="center", va="bottom", fontsize=8.5)
    else:
        axes.text(x + RADIUS + 0.2, y, caption, ha="left", va="center", fontsize=8.5)
    return {
        "left": (x - RADIUS, y),
        "right": (x + RADIUS, y),
        "top": (x, y + RADIUS),
        "bottom": (x, y - RADIUS),
    }


def _plate(axes, corner: tuple[float, float], size: tuple[float, float], label: str) -> None:
    """A plate: a rectangle around what repeats, with its count in the lower right corner."""
    (x, y), (w, h) = corner, size
    axes.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="square,pad=0", facecolor="none",
                                  edgecolor=EDGE, linewidth=1.1))  # fmt: skip
    axes.text(x + 0.12, y + 0.1, label, ha="left", va="bottom", fontsize=9.5)


def lda_plate_diagram(
    n_topics: int | None = None, n_docs: int | None = None, n_words: int | None = None
) -> Figure:
    """LDA in plate notation, and its generative story as numbered steps.

    Args:
        n_topics: The number of topics to write on the topic plate (``K`` when None).
        n_docs: The number of documents on the document plate (``D`` when None).
        n_words: The vocabulary size written in the story (``V`` when None).

    Returns:
        A figure about 11 x 4.6 inches (fits notebook width).

    Example:
        >>> fig = lda_plate_diagram(n_topics=3, n_docs=40, n_words=12)
        >>> text = " ".join(t.get_text() for t in fig.axes[0].texts)
        >>> "K = 3" in text and "D = 40" in text and "12 words" in text
        True
    """
    k = "K" if n_topics is None else f"K = {n_topics:,}"
    d = "D" if n_docs is None else f"D = {n_docs:,}"
    v = "V words" if n_words is None else f"{n_words:,} words"
    figure, axes = _canvas(11.0, 4.8, (0, 22.0), (0, 9.6))
    axes.text(11.0, 9.2, "Latent Dirichlet allocation: how a corpus is written", ha="center",
              va="center", fontsize=12, fontweight="bold")  # fmt: skip

    row = 5.3
    alpha = _node(axes, (0.9, row), r"$\alpha$", "document\nprior", above=True)
    theta = _node(axes, (3.3, row), r"$\theta_d$", "topic mix\nof document d", above=True)
    z = _node(axes, (5.7, row), r"$z_{dn}$", "topic of\nword n", above=True)
    w = _node(axes, (8.1, row), r"$w_{dn}$", "word n\n(observed)", above=True, observed=True)
    phi = _node(axes, (8.1, 1.75), r"$\varphi_k$", "word mix\nof topic k")
    eta = _node(axes, (5.0, 1.75), r"$\eta$", "")
    axes.text(5.0, 1.75 - RADIUS - 0.15, "topic prior", ha="center", va="top", fontsize=8.5)
    for a, b in ((alpha, theta), (theta, z), (z, w), (eta, phi)):
        _arrow(axes, a["right"], b["left"])
    _arrow(axes, phi["top"], w["bottom"])
    _plate(axes, (4.7, 4.0), (4.5, 3.3), r"$N_d$ words")
    _plate(axes, (2.2, 3.45), (7.5, 4.35), d)
    _plate(axes, (7.2, 0.35), (3.6, 2.65), k)

    story = (
        f"1. for each of the {k.split(' = ')[-1]} topics k:\n"
        f"     φ_k ~ Dirichlet(η)       a mix of the {v}\n"
        f"2. for each of the {d.split(' = ')[-1]} documents d:\n"
        "     θ_d ~ Dirichlet(α)       a mix of the topics\n"
        "     for each word position n of d:\n"
        "       z_dn ~ Categorical(θ_d)    pick a topic\n"
        "       w_dn ~ Categorical(φ_z)    pick a word of it"
    )
    _box(axes, (16.6, 5.4), "", size=(10.2, 4.4), colour=COLOURS["io"])
    axes.text(11.8, 5.4, story, ha="left", va="center", fontsize=9.5, family="monospace",
              linespacing=1.5)  # fmt: skip
    axes.text(16.6, 1.75, "Only the words are seen. Fitting LDA runs the story\n"
              "backwards: from the words, infer the topics φ, the\nmixes θ and each z.",
              ha="center", va="center", fontsize=9.5, style="italic")  # fmt: skip
    return figure
