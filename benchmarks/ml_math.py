"""Benchmark: our softmax, log_softmax and logsumexp against scipy.special's.

Both sides get the same float32 logits, shaped like a batch of next-token scores over a
GPT-2-sized vocabulary (rows x 32000 by default), reduced over the last axis. Each
function is timed with ``timeit``, best of ``--repeat`` runs, in this one process, and
the table prints the ratio ours / scipy (below 1: ours is faster).

Run it with::

    uv run python benchmarks/ml_math.py                 # 1024 x 32000, about 10 s
    uv run python benchmarks/ml_math.py --rows 4096     # the full 4096 x 32000 (0.5 GB)
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable

import numpy as np
import scipy
import scipy.special

from nlpjourney.ml import math as ml_math

Array = np.ndarray
PAIRS: dict[str, tuple[Callable[[Array], Array], Callable[[Array], Array]]] = {
    "softmax": (
        lambda x: ml_math.softmax(x, axis=-1),
        lambda x: scipy.special.softmax(x, axis=-1),
    ),
    "log_softmax": (
        lambda x: ml_math.log_softmax(x, axis=-1),
        lambda x: scipy.special.log_softmax(x, axis=-1),
    ),
    "logsumexp": (
        lambda x: ml_math.logsumexp(x, axis=-1),
        lambda x: scipy.special.logsumexp(x, axis=-1),
    ),
}


def best_seconds(fn: Callable[[Array], Array], x: Array, repeat: int) -> float:
    """The fastest of ``repeat`` single calls: the least disturbed by other work."""
    return min(timeit.repeat(lambda: fn(x), number=1, repeat=repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1024, help="batch rows (default 1024)")
    parser.add_argument("--cols", type=int, default=32000, help="vocabulary size (default 32000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per function")
    args = parser.parse_args()

    x = np.random.default_rng(0).normal(scale=4.0, size=(args.rows, args.cols)).astype(np.float32)
    print(f"logits: {x.shape} {x.dtype}, best of {args.repeat}; numpy {np.__version__}, "
          f"scipy {scipy.__version__}")  # fmt: skip
    print(f"{'function':<12} {'ours (ms)':>10} {'scipy (ms)':>11} {'ours/scipy':>11}")
    for name, (ours, theirs) in PAIRS.items():
        # Same answer first: a fast wrong function is not worth timing.
        np.testing.assert_allclose(ours(x), theirs(x), rtol=1e-4, atol=1e-6)
        t_ours, t_theirs = best_seconds(ours, x, args.repeat), best_seconds(theirs, x, args.repeat)
        print(
            f"{name:<12} {t_ours * 1e3:>10.1f} {t_theirs * 1e3:>11.1f} {t_ours / t_theirs:>11.2f}"
        )


if __name__ == "__main__":
    main()
