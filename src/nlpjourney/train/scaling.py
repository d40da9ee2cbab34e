"""Scaling laws: power laws fitted in log space, the compute frontier, the sweep's picture.

A scaling law says the loss falls as a power of what was spent on the model::

    L(x) = a * x ** (-alpha)        x: parameters N, or training FLOPs C

Taking logs makes it a straight line, ``log L = log a - alpha log x``, so
:func:`fit_power_law` is ordinary least squares on ``(log x, log L)``: exact, no
starting guess, no iterations. The slope is ``-alpha``.

Why no irreducible term ``E`` (``L = E + a x^-alpha``, Chinchilla's form): a sweep on two
CPU cores spans two or three decades of ``x`` with five or six points, and over such a
short range ``E`` and ``alpha`` trade off against each other (a bigger ``E`` with a
steeper ``alpha`` fits about as well), so a three-parameter fit is poorly determined and
needs a nonlinear solver with a guess. The pure power law is the form of Kaplan et al.
(2020), whose exponents we compare with; over a short range it reads as the local slope
of the curve on a log-log plot.

:func:`frontier` keeps, from every run's loss curve against cumulative FLOPs, the points
no run beat with less compute: the compute-efficient frontier of Kaplan et al.'s figure 1
(and Chinchilla's figure 2), which follows ``L(C) = a C^-alpha_C`` where it is straight.
:func:`plot_scaling` draws both laws (see :mod:`nlpjourney.train.sweep`).

Reference: ``scipy.optimize.curve_fit`` on the log-space line (same ``a`` and ``alpha``,
``tests/train/test_sweep.py``); Kaplan et al. (2020), "Scaling Laws for Neural Language
Models", sections 3 and 6.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["PowerLaw", "fit_power_law", "frontier", "plot_scaling"]


@dataclass(frozen=True)
class PowerLaw:
    """``y = a * x ** (-alpha)``, as fitted by :func:`fit_power_law`.

    Attributes:
        a: the value at ``x = 1``.
        alpha: the exponent; positive when ``y`` falls as ``x`` grows.
        r2: the fit's R² in log space (1: the points lie on the line).
    """

    a: float
    alpha: float
    r2: float = 1.0

    def __call__(self, x: float | np.ndarray) -> float | np.ndarray:
        """The law's value at ``x``."""
        return self.a * np.asarray(x, dtype=float) ** (-self.alpha)

    def label(self, x_name: str = "x") -> str:
        """The equation for a legend, e.g. ``L = 7.09 · N^-0.083``."""
        return f"L = {self.a:.3g} · {x_name}$^{{-{self.alpha:.3f}}}$"


def fit_power_law(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> PowerLaw:
    """Least-squares fit of ``y = a * x^-alpha`` on ``(log x, log y)``.

    Args:
        x: positive values (parameters, FLOPs), at least two distinct.
        y: positive values (losses), one per ``x``.

    Returns:
        The fitted :class:`PowerLaw`.

    Example:
        >>> law = fit_power_law([1, 10, 100], [8.0, 4.0, 2.0])
        >>> round(law.a, 6), round(law.alpha, 6)
        (8.0, 0.30103)
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.ndim != 1 or xs.shape != ys.shape:
        raise ValueError(
            f"x and y must be 1-d and of one length, got shapes {xs.shape}, {ys.shape}"
        )
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("x and y must be finite numbers (no NaN or inf)")
    if np.any(xs <= 0) or np.any(ys <= 0):
        raise ValueError("a power law is fitted on logarithms: x and y must all be > 0")
    if len(np.unique(xs)) < 2:
        raise ValueError(f"a line needs at least two distinct x values, got {len(np.unique(xs))}")
    log_x, log_y = np.log(xs), np.log(ys)
    design = np.stack([np.ones_like(log_x), log_x], axis=1)  # columns: log a, -alpha
    (log_a, slope), *_ = np.linalg.lstsq(design, log_y, rcond=None)
    residual = log_y - design @ np.array([log_a, slope])
    spread = float(((log_y - log_y.mean()) ** 2).sum())
    r2 = 1.0 - float((residual**2).sum()) / spread if spread > 0 else 1.0
    return PowerLaw(a=float(np.exp(log_a)), alpha=float(-slope), r2=r2)


def frontier(points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """The compute frontier: points whose loss no point with less or equal compute beats.

    Args:
        points: ``(compute, loss)`` pairs, from any number of runs.

    Returns:
        The frontier's points, by increasing compute and strictly decreasing loss.

    Example:
        >>> frontier([(1, 3.0), (2, 3.5), (3, 2.0), (3, 2.5), (4, 2.0)])
        [(1, 3.0), (3, 2.0)]
    """
    best = math.inf
    kept = []
    # subtle: at equal compute the lower loss must come first, or both would be kept.
    for compute, loss in sorted(points):
        if loss < best:
            kept.append((compute, loss))
            best = loss
    return kept


def _count(value: float) -> str:
    """A parameter count for an axis: 20000 -> '20k', 3e6 -> '3M'."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _power_of_ten(value: float) -> str:
    """A number for a title in mathtext: 8e12 -> '$8\\times10^{12}$'."""
    exponent = math.floor(math.log10(value))
    mantissa = value / 10**exponent
    return f"${mantissa:.3g}\\times10^{{{exponent}}}$"


def _loss_ticks(ax: Any) -> None:
    """Round, evenly spaced loss labels on a log axis (its own ticks are 1, 10, 100)."""
    from matplotlib.ticker import FixedLocator, NullLocator

    low, high = ax.get_ylim()
    step = 0.1 if high / low < 1.6 else 0.2 if high / low < 3 else 0.5
    ticks = np.arange(math.ceil(low / step) * step, high, step)
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(lambda value, _: f"{value:.1f}")
    ax.yaxis.set_minor_locator(NullLocator())


def plot_scaling(
    names: Sequence[str],
    params: Sequence[float],
    losses: Sequence[float],
    curves: Sequence[tuple[Sequence[float], Sequence[float]]],
    path: str | os.PathLike[str],
    size_law: PowerLaw | None = None,
    fitted: Sequence[str] = (),
    compute_law: PowerLaw | None = None,
    budget: float | None = None,
) -> Path:
    """Draw loss against parameters and against FLOPs, with fitted laws, to a PNG.

    Left: each run's final validation loss against its parameters N, log-log, the runs
    in ``fitted`` filled and the others hollow, with ``size_law``. Right: each run's
    validation loss curve against cumulative training FLOPs, the frontier of all of them
    (:func:`frontier`) and ``compute_law``.

    Args:
        names: one name per run (``"3x96"``).
        params: each run's N.
        losses: each run's final validation loss.
        curves: each run's ``(cumulative FLOPs, val loss)`` at its evaluations.
        path: the PNG to write.
        size_law: the law fitted to the runs named in ``fitted`` (None: none drawn).
        fitted: the names of the runs ``size_law`` was fitted on.
        compute_law: the law fitted to the frontier (None: none drawn).
        budget: the FLOPs each run spent, marked on the right panel.

    Returns:
        The path written.
    """
    from matplotlib import colormaps
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    path = Path(path)
    colours = colormaps["viridis"](np.linspace(0.0, 0.85, max(len(names), 1)))
    fig = Figure(figsize=(14.5, 5.5), layout="constrained")
    size_ax, flops_ax = fig.subplots(1, 2)

    for name, n, loss, colour in zip(names, params, losses, colours, strict=True):
        filled = size_law is None or name in fitted
        size_ax.scatter(n, loss, s=70, zorder=3, color=colour if filled else "white",
                        edgecolors=colour, linewidths=2)  # fmt: skip
        size_ax.annotate(name, (n, loss), textcoords="offset points", xytext=(6, 6), fontsize=9)
    if size_law is not None:
        chosen = [n for name, n in zip(names, params, strict=True) if name in fitted]
        grid = np.geomspace(min(chosen) / 1.5, max(chosen) * 1.5, 50)
        size_ax.plot(grid, size_law(grid), "k--", lw=1.2,
                     label=f"{size_law.label('N')}\nfitted on the filled runs")  # fmt: skip
    if size_law is None:
        size_ax.text(0.03, 0.03, "no L(N) fit: the smallest model has the lowest loss",
                     transform=size_ax.transAxes, fontsize=9)  # fmt: skip
    elif len(fitted) < len(names):
        size_ax.scatter([], [], s=70, color="white", edgecolors="grey", linewidths=2,
                        label="hollow: past the lowest loss, not fitted")  # fmt: skip
    size_ax.set_xscale("log")
    size_ax.set_yscale("log")
    size_ax.set_xlabel("parameters N (without the embeddings)")
    size_ax.set_ylabel("validation loss (nats/token)")
    at = f": {_power_of_ten(budget)} FLOPs per run" if budget else ""
    size_ax.set_title(f"final loss against size, equal compute{at}", loc="left")

    for name, (flops, curve), colour in zip(names, curves, colours, strict=True):
        kept = [(c, v) for c, v in zip(flops, curve, strict=True) if c > 0 and v == v]
        if kept:
            flops_ax.plot(*zip(*kept, strict=True), "o-", ms=3, lw=1.2, color=colour, label=name)
    edge = frontier((c, v) for flops, curve in curves for c, v in zip(flops, curve, strict=True)
                    if c > 0 and v == v)  # fmt: skip
    if edge:
        flops_ax.plot(*zip(*edge, strict=True), color="black", lw=2.5, alpha=0.35,
                      label="frontier (lowest loss so far)")  # fmt: skip
    if compute_law is not None and edge:
        grid = np.geomspace(edge[0][0], edge[-1][0], 50)
        flops_ax.plot(
            grid,
            compute_law(grid),
            "k--",
            lw=1.2,
            label=f"{compute_law.label('C')}, fitted on the frontier",
        )
    if budget:
        flops_ax.axvline(budget, color="grey", lw=0.8, ls=":")
    flops_ax.set_xscale("log")
    flops_ax.set_yscale("log")
    flops_ax.set_xlabel("training FLOPs C so far (≈ 6 N D)")
    flops_ax.set_title("loss curves against compute", loc="left")
    flops_ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0))

    if params:
        size_ax.set_xlim(min(params) / 1.6, max(params) * 1.6)
    size_ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _count(value)))
    size_ax.xaxis.set_minor_formatter(NullFormatter())
    for ax in (size_ax, flops_ax):
        ax.margins(y=0.08)
        ax.grid(True, which="both", alpha=0.25)
        _loss_ticks(ax)
    flops_ax.xaxis.set_minor_locator(LogLocator(subs=(2, 5)))
    flops_ax.xaxis.set_minor_formatter(FuncFormatter(lambda value, _: _power_of_ten(value)))
    if size_ax.get_legend_handles_labels()[0]:
        size_ax.legend(fontsize=9, loc="upper left")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.stem + ".tmp" + path.suffix)
    fig.savefig(temporary, dpi=100)
    os.replace(temporary, path)
    return path
