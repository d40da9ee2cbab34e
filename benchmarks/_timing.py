"""Timing shared by the benchmarks: ours and the reference, run in turns, best of N.

The benchmarks run as scripts (``uv run python benchmarks/<name>.py``), so this folder
is on ``sys.path`` and they import it as ``from _timing import best_of``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_of(repeat: int, ours: Callable[[], Any], theirs: Callable[[], Any]) -> tuple[float, float]:
    """The fastest of ``repeat`` runs of each side, in seconds, the sides taking turns so
    that a slow moment of a shared machine falls on both alike."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for side, run in enumerate((ours, theirs)):
            start = time.perf_counter()
            run()
            best[side] = min(best[side], time.perf_counter() - start)
    return best[0], best[1]
