"""The naive Bayes spam filter drawn by code: what fitting computes, and how it predicts.

:func:`naive_bayes_pipeline` draws the picture lesson 2.1 builds towards, in two rows::

    fit:      labelled messages -> counts X -> sums per class N_cj, n_c -> log P(c), log θ_cj
    predict:  a new message -> its counts x -> log P(c) + Σ_j x_j log θ_cj -> the largest

with arrows from the fitted log-probabilities down to the score. It uses the boxes,
arrows and colours of :mod:`nlpjourney.course.diagrams`, so its parts look like the other
lessons' pictures.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from nlpjourney.course.diagrams import COLOURS, _arrow, _box, _canvas

__all__ = ["naive_bayes_pipeline"]


def naive_bayes_pipeline(n_words: int | None = None, alpha: float = 1.0) -> Figure:
    """Multinomial naive Bayes as a spam filter: the fit row over the predict row.

    Args:
        n_words: The vocabulary size to write in the boxes (``V`` when None).
        alpha: The smoothing written in the formula box.

    Returns:
        A figure about 11 x 4.4 inches (fits notebook width).

    Example:
        >>> fig = naive_bayes_pipeline(n_words=8_713)
        >>> "8,713" in " ".join(t.get_text() for t in fig.axes[0].texts)
        True
    """
    words = "V" if n_words is None else f"{n_words:,}"
    figure, axes = _canvas(11.0, 4.4, (0, 17.5), (0, 7.0))
    axes.text(8.75, 6.7, "Multinomial naive Bayes as a spam filter", ha="center",
              va="center", fontsize=12, fontweight="bold")  # fmt: skip
    axes.text(0.2, 5.95, "fit: once, on the labelled training messages", fontsize=9.5,
              style="italic")  # fmt: skip
    axes.text(0.2, 2.75, "predict: each new message", fontsize=9.5, style="italic")

    top, bottom, height = 4.7, 1.5, 1.6
    messages = _box(axes, (1.7, top), "messages\n+ ham/spam\nlabels", size=(2.8, height),
                    colour=COLOURS["io"])  # fmt: skip
    counts = _box(axes, (5.4, top), f"counts X\ndocuments x {words}\n(sparse)",
                  size=(3.0, height), colour=COLOURS["embed"])  # fmt: skip
    sums = _box(axes, (9.3, top), "sum rows per class\nN_cj: word j in class c\nn_c: messages",
                size=(3.4, height), colour=COLOURS["mlp"])  # fmt: skip
    logs = _box(axes, (14.3, top),
                f"log P(c) = log n_c / n\nlog θ_cj = log (N_cj + {alpha:g})\n"
                f"      - log (N_c + {alpha:g} · {words})",
                size=(5.0, height), colour=COLOURS["attention"], fontsize=9.5,
                family="monospace")  # fmt: skip
    for a, b in ((messages, counts), (counts, sums), (sums, logs)):
        _arrow(axes, a["right"], b["left"])

    new = _box(axes, (1.7, bottom), "a new\nmessage", size=(2.8, height), colour=COLOURS["io"])
    x = _box(axes, (5.4, bottom), "its counts x\n(same vocabulary)", size=(3.0, height),
             colour=COLOURS["embed"])  # fmt: skip
    score = _box(axes, (10.6, bottom), "score_c = log P(c)\n  + Σ_j x_j · log θ_cj\n(one per class)",
                 size=(4.6, height), colour=COLOURS["cross"], family="monospace",
                 fontsize=9.5)  # fmt: skip
    label = _box(axes, (15.6, bottom), "the class with\nthe largest score", size=(3.0, height),
                 colour=COLOURS["io"])  # fmt: skip
    for a, b in ((new, x), (x, score), (score, label)):
        _arrow(axes, a["right"], b["left"])
    _arrow(
        axes, logs["bottom"], (score["top"][0] + 1.2, score["top"][1]), connection="arc3,rad=-0.2"
    )
    return figure
