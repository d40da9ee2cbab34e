"""Tests for nlpjourney.train.scaling: power laws fitted to losses, and the frontier.

Checked on synthetic power laws: exact recovery, and scipy's ``curve_fit`` on noisy points.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nlpjourney.train.scaling import fit_power_law, frontier


@pytest.mark.parametrize(("a", "alpha"), [(7.0, 0.076), (1e3, 0.5), (2.5, -0.2)])
def test_fit_power_law_recovers_exact_points(a: float, alpha: float) -> None:
    x = np.geomspace(1e4, 3e6, 6)
    law = fit_power_law(x, a * x**-alpha)
    assert law.a == pytest.approx(a, rel=1e-10)
    assert law.alpha == pytest.approx(alpha, rel=1e-10, abs=1e-12)
    assert law.r2 == pytest.approx(1.0)
    assert law(1e5) == pytest.approx(a * 1e5**-alpha, rel=1e-10)


def test_fit_power_law_agrees_with_scipy_curve_fit_on_noisy_points() -> None:
    optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(1)
    x = np.geomspace(1e4, 3e6, 8)
    y = 6.0 * x**-0.08 * np.exp(rng.normal(0, 0.02, x.size))
    law = fit_power_law(x, y)

    def line(log_x: np.ndarray, log_a: float, alpha: float) -> np.ndarray:
        return log_a - alpha * log_x

    (log_a, alpha), _ = optimize.curve_fit(line, np.log(x), np.log(y))
    assert law.a == pytest.approx(math.exp(log_a), rel=1e-6)
    assert law.alpha == pytest.approx(alpha, rel=1e-6)
    assert 0.5 < law.r2 < 1.0
    assert abs(law.alpha - 0.08) < 0.03  # the noise moves it a little


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [([1, 2], [1.0], "one length"), ([1, 1], [2.0, 3.0], "two distinct"),
     ([0, 2], [2.0, 3.0], "> 0"), ([1, 2], [2.0, float("nan")], "finite")],
)  # fmt: skip
def test_fit_power_law_rejects_bad_points(x: list, y: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_power_law(x, y)


def test_frontier_keeps_the_lowest_loss_so_far() -> None:
    points = [(3, 2.5), (1, 3.0), (2, 3.5), (3, 2.0), (4, 2.0), (5, 1.0)]
    assert frontier(points) == [(1, 3.0), (3, 2.0), (5, 1.0)]
    assert frontier([]) == []
