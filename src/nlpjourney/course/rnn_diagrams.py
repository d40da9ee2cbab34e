"""Pictures for lesson 3.3: a recurrent network unrolled in time, and the LSTM cell.

- :func:`unrolled_rnn`: one cell drawn once per input character, the hidden state
  passed from step to step, a prediction of the next character above each step; and,
  dashed and red, the road a gradient takes back from the last prediction.
- :func:`lstm_cell`: the cell state running straight through the step, touched only by
  a multiply (the forget gate) and an add (the input gate times the candidate), with the
  output gate reading it out.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from nlpjourney.course.diagrams import COLOURS, _arrow, _box, _canvas, _plus

__all__ = ["lstm_cell", "unrolled_rnn"]

GRADIENT = "#c0392b"


def unrolled_rnn(chars: Sequence[str] = "hello", title: str = "") -> Figure:
    """The same cell applied at every step of ``chars``, predicting the next character.

    Args:
        chars: the input characters, one step each (2 to 8 of them).
        title: a line drawn above the picture.
    """
    chars = list(chars)
    if not 2 <= len(chars) <= 8:
        raise ValueError(f"draw 2 to 8 steps, got {len(chars)}")
    n = len(chars)
    step = 1.9
    fig, ax = _canvas(1.2 + n * 1.45, 3.9, (-1.4, n * step + 0.2), (-0.3, 5.0))
    h0 = _box(ax, (-0.8, 2.0), "h₀ = 0", size=(0.9, 0.5), colour=COLOURS["io"], fontsize=9)
    previous = h0["right"]
    for t, char in enumerate(chars):
        x = t * step + 0.6
        cell = _box(ax, (x, 2.0), f"cell\nh{_sub(t + 1)}", size=(1.1, 0.8), colour=COLOURS["mlp"])
        shown = "␣" if char == " " else char
        inp = _box(ax, (x, 0.3), f"'{shown}'", size=(0.8, 0.5), colour=COLOURS["embed"])
        following = chars[t + 1] if t + 1 < n else "?"
        out = _box(ax, (x, 3.7), f"→ '{following}'", size=(1.0, 0.5), colour=COLOURS["io"])
        _arrow(ax, inp["top"], cell["bottom"])
        _arrow(ax, cell["top"], out["bottom"])
        _arrow(ax, previous, cell["left"])
        if t:  # the gradient of the last prediction flows back along the hidden states
            _arrow(ax, (x - 0.62, 1.55), (x - step + 0.62, 1.55), colour=GRADIENT,
                   linestyle="--")  # fmt: skip
        previous = cell["right"]
    ax.text(n * step / 2, 1.15, "gradient of the last prediction, back through time",
            ha="center", fontsize=9, color=GRADIENT)  # fmt: skip
    ax.text(-0.8, 2.55, "same weights\nat every step", ha="center", fontsize=8, color="#555555")
    if title:
        ax.text(n * step / 2 - 0.6, 4.75, title, ha="center", fontsize=11)
    return fig


def _sub(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def lstm_cell(title: str = "") -> Figure:
    """One LSTM step: gates from ``[x, h]``, the cell line with one multiply and one add.

    Args:
        title: a line drawn above the picture.
    """
    fig, ax = _canvas(7.6, 4.4, (-0.4, 10.6), (-0.6, 5.5))
    # the cell line: c_{t-1} -> x f -> + i*g -> c_t
    c_in = _box(ax, (0.4, 4.2), "c (old)", size=(1.1, 0.55), colour=COLOURS["io"], fontsize=9)
    c_out = _box(ax, (9.7, 4.2), "c' (new)", size=(1.2, 0.55), colour=COLOURS["io"], fontsize=9)
    times = _box(ax, (3.0, 4.2), "×", size=(0.5, 0.5), colour=COLOURS["add"], fontsize=13)
    _plus(ax, (5.6, 4.2))
    _arrow(ax, c_in["right"], times["left"])
    _arrow(ax, times["right"], (5.38, 4.2))
    _arrow(ax, (5.82, 4.2), c_out["left"])
    ax.text(4.3, 4.6, "the cell line: one ×, one +", ha="center", fontsize=9, color="#555555")
    # the gates, all from one affine map of x and h
    inputs = _box(ax, (0.4, 0.4), "x, h (old)", size=(1.3, 0.55), colour=COLOURS["embed"],
                  fontsize=9)  # fmt: skip
    gates = {
        "f": (3.0, "f = σ(·)\nforget: keep"),
        "i": (4.7, "i = σ(·)\ninput: write"),
        "g": (6.4, "g = tanh(·)\ncandidate"),
        "o": (8.1, "o = σ(·)\noutput: show"),
    }
    boxes = {k: _box(ax, (x, 1.9), text, size=(1.45, 0.8), colour=COLOURS["attention"],
                     fontsize=8.5) for k, (x, text) in gates.items()}  # fmt: skip
    for box in boxes.values():
        _arrow(ax, inputs["right"], box["bottom"], connection="arc3,rad=0.0")
    _arrow(ax, boxes["f"]["top"], times["bottom"])
    mult = _box(ax, (5.6, 3.2), "i × g", size=(0.8, 0.45), colour=COLOURS["add"], fontsize=9)
    _arrow(ax, boxes["i"]["top"], mult["left"])
    _arrow(ax, boxes["g"]["top"], mult["right"])
    _arrow(ax, mult["top"], (5.6, 3.98))
    read = _box(ax, (9.7, 3.1), "h' = o × tanh(c')", size=(1.7, 0.5), colour=COLOURS["mlp"],
                fontsize=9)  # fmt: skip
    _arrow(ax, (9.7, 3.92), read["top"])
    _arrow(ax, boxes["o"]["right"], read["bottom"])
    if title:
        ax.text(5.1, 5.2, title, ha="center", fontsize=11)
    return fig
