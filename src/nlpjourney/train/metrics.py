"""A run's metrics: one CSV row per evaluation, and a loss-curve picture drawn from them.

``metrics.csv`` has the columns :data:`COLUMNS`; ``loss.png`` shows the train and val
losses against the step, with the learning rate below, and is redrawn at every
evaluation so it can be opened while the run goes on. Both are written to a temporary
file and renamed, so a reader never sees half a file.

Reference: nanoGPT's printed ``step N: train loss ..., val loss ...`` lines, kept as a
table instead; matplotlib's object-oriented API (``Figure`` without pyplot, so drawing
never touches a notebook's current figure or needs a display).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from pathlib import Path

__all__ = ["COLUMNS", "MetricsLog", "plot_losses"]

#: The columns of ``metrics.csv``, in order.
COLUMNS = ("step", "train_loss", "val_loss", "lr", "tokens_per_s", "elapsed")


def _replace(path: Path, write: object) -> None:
    """Call ``write(temporary_path)``, then rename the temporary file onto ``path``."""
    temporary = path.with_name(path.stem + ".tmp" + path.suffix)
    write(temporary)  # type: ignore[operator]
    os.replace(temporary, path)


class MetricsLog:
    """The rows of ``metrics.csv``, kept in memory and rewritten on each :meth:`add`.

    Args:
        path: the CSV file (created on the first row).

    Attributes:
        rows: one dict per evaluation, keyed by :data:`COLUMNS`, floats (NaN when unknown).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows: list[dict[str, float]] = []

    @classmethod
    def read(cls, path: str | Path, up_to_step: int | None = None) -> MetricsLog:
        """The log in ``path`` (empty when there is none), without rows after ``up_to_step``.

        A resumed run drops the rows of steps after its checkpoint: they came from the
        part of the interrupted run that is being redone.
        """
        log = cls(path)
        if log.path.is_file():
            with open(log.path, newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    values = {k: float(row[k]) if row.get(k) else math.nan for k in COLUMNS}
                    if up_to_step is None or values["step"] <= up_to_step:
                        log.rows.append(values)
        return log

    def add(self, **values: float) -> None:
        """Append one row (missing columns become NaN) and rewrite the file."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown metrics {sorted(unknown)}; the columns are {COLUMNS}")
        self.rows.append({k: float(values.get(k, math.nan)) for k in COLUMNS})
        self.write()

    def write(self) -> None:
        """Write every row to :attr:`path` (atomically)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)

        def write(temporary: Path) -> None:
            with open(temporary, "w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(COLUMNS)
                for row in self.rows:
                    writer.writerow([_format(k, row[k]) for k in COLUMNS])

        _replace(self.path, write)

    def column(self, name: str) -> list[float]:
        """One column's values, in row order."""
        return [row[name] for row in self.rows]


def _format(column: str, value: float) -> str:
    if math.isnan(value):
        return ""
    if column == "step":
        return str(int(value))
    if column in ("tokens_per_s", "elapsed"):
        return f"{value:.6g}"
    # Losses and rates in full (repr round-trips a float): a resumed run reads earlier
    # rows back from the file and they must equal the ones it would have kept in memory.
    return repr(value)


def plot_losses(
    rows: Sequence[dict[str, float]], path: str | Path, title: str = "", log_y: bool = False
) -> Path:
    """Draw the train and val losses (and the learning rate) against the step to a PNG.

    Args:
        rows: :class:`MetricsLog` rows.
        path: the PNG to write.
        title: shown above the curves (the run's folder, say).
        log_y: a logarithmic loss axis (helps when the loss falls by orders of magnitude).

    Returns:
        The path written.
    """
    # Imported here: matplotlib takes about half a second to import, and only runs
    # that evaluate need it.
    from matplotlib.figure import Figure

    path = Path(path)
    steps = [r["step"] for r in rows]
    fig = Figure(figsize=(8, 5.5), layout="constrained")
    loss_ax, lr_ax = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    for name, colour in (("train_loss", "tab:blue"), ("val_loss", "tab:orange")):
        values = [r[name] for r in rows]
        label = name.replace("_loss", "")
        if values and not math.isnan(values[-1]):
            label += f" ({values[-1]:.4f})"  # the latest value, readable without zooming
        loss_ax.plot(steps, values, marker="o", markersize=3, color=colour, label=label)
    loss_ax.set_ylabel("cross-entropy loss (nats/token)")
    if log_y:
        loss_ax.set_yscale("log")
    loss_ax.grid(True, which="both", alpha=0.3)
    loss_ax.legend(loc="upper right")
    loss_ax.set_title(title or "loss", loc="left")
    lr_ax.plot(steps, [r["lr"] for r in rows], color="tab:green")
    lr_ax.set_ylabel("learning rate\n(at evaluations)")
    lr_ax.set_xlabel("optimizer step")
    lr_ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
    lr_ax.grid(True, alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, lambda temporary: fig.savefig(temporary, dpi=100))
    return path
