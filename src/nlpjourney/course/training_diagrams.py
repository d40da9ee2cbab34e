"""Diagrams of pretraining, drawn with matplotlib: the data pipeline and the training loop.

Lesson 4.2 shows them before writing the code they picture. Each function returns a
``matplotlib.figure.Figure`` made without pyplot (no window opens, nothing global
changes), sized to be read at notebook width (about 900 pixels at 100 dpi): show it with
``IPython.display.display(fig)`` or save it with ``fig.savefig(path)``.

Example:
    >>> fig = data_pipeline_figure()
    >>> "uint16 memmap" in " ".join(t.get_text() for t in fig.axes[0].texts)
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported when a diagram is drawn: it is slow to import
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["data_pipeline_figure", "training_loop_figure"]

#: Fill colours by role: data at rest, a computation, the optimizer's side.
DATA, COMPUTE, OPTIMIZE = "#dbe9f6", "#fde9c9", "#dff0d8"


def _canvas(width: float, height: float, xmax: float, ymax: float) -> tuple[Figure, Axes]:
    """A figure of ``width`` x ``height`` inches with one frameless axes in data units."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.9))  # room above for the title
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, ymax)
    ax.axis("off")
    return fig, ax


def _box(
    ax: Axes, x: float, y: float, w: float, h: float, title: str, detail: str, color: str
) -> None:
    """A rounded box with its lower-left corner at (x, y): a bold title over a detail line."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(
        FancyBboxPatch(
            (x, y), w, h, boxstyle="round,pad=0.4,rounding_size=1.2",
            facecolor=color, edgecolor="#555555", linewidth=1.0,
        )
    )  # fmt: skip
    ax.text(x + w / 2, y + h * 0.68, title, ha="center", va="center", fontsize=10,
            fontweight="bold")  # fmt: skip
    ax.text(x + w / 2, y + h * 0.3, detail, ha="center", va="center", fontsize=8.5,
            family="monospace", linespacing=1.3)  # fmt: skip


def _arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    label: str = "",
    *,
    curve: float = 0.0,
    offset: tuple[float, float] = (0.0, 1.8),
) -> None:
    """An arrow from ``start`` to ``end``, with an optional label beside its middle."""
    ax.annotate(
        "", xy=end, xytext=start,
        arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.3,
                    "connectionstyle": f"arc3,rad={curve}", "shrinkA": 2, "shrinkB": 2},
    )  # fmt: skip
    if label:
        middle = ((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1])
        ax.text(*middle, label, ha="center", va="center", fontsize=8, style="italic",
                color="#333333")  # fmt: skip


def data_pipeline_figure(block_size: int = 8) -> Figure:
    """The data pipeline: text file -> ids -> uint16 memmap -> random windows -> (x, y).

    The top row is the path a batch takes (``prepare_char`` writes the memmaps once;
    ``sample_windows`` draws every batch); the bottom row is one window of
    ``block_size + 1`` ids cut into the input ``x`` and the target ``y``, shifted by one.

    Args:
        block_size: the number of (x, y) positions drawn in the example window, 2 to 12.

    Returns:
        The figure, 9 x 4.2 inches.
    """
    if not 2 <= block_size <= 12:
        raise ValueError(
            f"block_size must be between 2 and 12 to fit the drawing, got {block_size}"
        )
    fig, ax = _canvas(9.0, 4.2, 100.0, 46.0)
    ax.set_title("From a text file to training batches", fontsize=12, pad=0)
    steps = [
        ("text file", "input.txt\n'First Citizen'", DATA),
        ("ids", "encode: one id\nper character", COMPUTE),
        ("train.bin, val.bin", "uint16 memmap\non disk", DATA),
        ("random windows", f"B starts, each\nT + 1 = {block_size + 1} ids", COMPUTE),
        ("(x, y) batch", "x = w[:-1]\ny = w[1:]", DATA),
    ]
    width, gap, top = 16.0, 4.0, 30.0
    for i, (title, detail, color) in enumerate(steps):
        x = 1.0 + i * (width + gap)
        _box(ax, x, top, width, 12.0, title, detail, color)
        if i:
            _arrow(ax, (x - gap + 0.3, top + 6.0), (x - 0.3, top + 6.0))
    ax.text(21.0, top - 3.2, "prepare_char: once, 90% train / 10% val", ha="center",
            fontsize=8, style="italic", color="#333333")  # fmt: skip
    ax.text(71.0, top - 3.2, "sample_windows: every step", ha="center", fontsize=8,
            style="italic", color="#333333")  # fmt: skip

    # One window of block_size + 1 ids, then x and y under it, y shifted left by one.
    text = "First Citizen:"[: block_size + 1]
    cell = min(5.0, 60.0 / (block_size + 1))
    left = 50.0 - cell * (block_size + 1) / 2
    rows = [("window", 0, block_size + 1, 17.0, DATA), ("x", 0, block_size, 9.5, COMPUTE),
            ("y", 1, block_size + 1, 2.0, OPTIMIZE)]  # fmt: skip
    from matplotlib.patches import Rectangle

    for name, first, last, y, color in rows:
        ax.text(left - 2.0, y + 2.5, name, ha="right", va="center", fontsize=9, fontweight="bold")
        for j in range(first, last):
            ax.add_patch(Rectangle((left + j * cell, y), cell, 5.0, facecolor=color,
                                   edgecolor="#555555", linewidth=0.8))  # fmt: skip
            shown = "␣" if text[j] == " " else text[j]
            ax.text(left + (j + 0.5) * cell, y + 2.5, shown, ha="center", va="center",
                    fontsize=9, family="monospace")  # fmt: skip
    right = left + cell * (block_size + 1) + 3.0
    ax.text(right, 12.0, "at position t the model\nreads x[:t + 1] and must\nguess y[t] = x[t + 1]",
            va="center", fontsize=8.5)  # fmt: skip
    return fig


def training_loop_figure() -> Figure:
    """One optimizer step, drawn as a loop: batch, forward, loss, backward, clip, step.

    The top row runs left to right (the forward pass), the bottom row right to left (the
    backward pass and the update); an arrow closes the loop for the next step, and the
    learning-rate schedule feeds the optimizer.

    Returns:
        The figure, 9 x 4.2 inches.
    """
    fig, ax = _canvas(9.0, 4.2, 100.0, 46.0)
    ax.set_title("One training step, repeated max_steps times", fontsize=12, pad=0)
    width, height, gap = 24.0, 10.0, 9.0
    xs = [6.0 + i * (width + gap) for i in range(3)]
    top, bottom = 29.0, 9.0
    forward = [
        ("1. sample a batch", "x, y = get_batch()\n(B, T) ids each", DATA),
        ("2. forward", "logits = model(x)\n(B, T, V)", COMPUTE),
        ("3. loss", "cross_entropy\n(logits, y)", COMPUTE),
    ]
    backward = [
        ("6. AdamW step", "optimizer.step()\nthen zero_grad()", OPTIMIZE),
        ("5. clip", "global grad norm\n<= grad_clip", OPTIMIZE),
        ("4. backward", "loss.backward()\n-> p.grad", COMPUTE),
    ]
    for x, (title, detail, color) in zip(xs, forward, strict=True):
        _box(ax, x, top, width, height, title, detail, color)
    for x, (title, detail, color) in zip(xs, backward, strict=True):
        _box(ax, x, bottom, width, height, title, detail, color)
    for i in range(2):
        _arrow(ax, (xs[i] + width + 0.6, top + height / 2), (xs[i + 1] - 0.6, top + height / 2))
        _arrow(
            ax, (xs[i + 1] - 0.6, bottom + height / 2), (xs[i] + width + 0.6, bottom + height / 2)
        )
    # loss -> backward, down the right side; AdamW step -> next batch, up the left side.
    _arrow(ax, (xs[2] + width / 2, top - 0.6), (xs[2] + width / 2, bottom + height + 0.6))
    _arrow(ax, (xs[0] + width / 2, bottom + height + 0.6), (xs[0] + width / 2, top - 0.6),
           "next step", offset=(-7.0, 0.0))  # fmt: skip
    ax.text(xs[0] - 5.0, 3.0, "lr(step): warm-up, then cosine", fontsize=8.5, ha="left",
            style="italic", color="#333333")  # fmt: skip
    _arrow(ax, (xs[0] + 4.0, 4.2), (xs[0] + 6.0, bottom - 0.6))
    return fig
