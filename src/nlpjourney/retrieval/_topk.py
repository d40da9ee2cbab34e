"""Top-k selection shared by the dense and approximate searches: partial selection, never
a full sort of the scores, with ties broken by the lower id.

``np.argpartition`` finds the k best columns of each row in linear time, but among
columns that tie at the k-th score it keeps an arbitrary few. :func:`top_k_rows` repairs
the (rare) rows where that happened, then orders the k kept columns best first.

>>> scores = np.array([[0.5, 0.9, 0.5, 0.5], [1.0, 2.0, 3.0, 4.0]])
>>> cols, vals = top_k_rows(scores, 2)
>>> cols.tolist(), vals.tolist()
([[1, 0], [3, 2]], [[0.9, 0.5], [4.0, 3.0]])
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []


def top_k_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k highest columns of each row, best first; equal scores: lower column first.

    Args:
        scores: (R, n) float scores.
        k: how many to keep; at most n are returned.

    Returns:
        columns (R, min(k, n)) int64 and their scores (R, min(k, n)).
    """
    rows, n = scores.shape
    k = min(k, n)
    if k == 0:
        return np.empty((rows, 0), dtype=np.int64), np.empty((rows, 0), dtype=scores.dtype)
    if k < n:
        cols = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(scores, cols, axis=1)
        kth = vals.min(axis=1, keepdims=True)
        # subtle: argpartition keeps an arbitrary subset of the columns that tie at the
        # k-th score; where it left out some tied column, take the lowest tied ones.
        short = np.flatnonzero((scores == kth).sum(axis=1) > (vals == kth).sum(axis=1))
        for r in short:
            above = np.flatnonzero(scores[r] > kth[r, 0])
            tied = np.flatnonzero(scores[r] == kth[r, 0])[: k - len(above)]
            cols[r] = np.concatenate([above, tied])
        cols = cols.astype(np.int64, copy=False)
    else:
        cols = np.broadcast_to(np.arange(n, dtype=np.int64), (rows, n))
    vals = np.take_along_axis(scores, cols, axis=1)
    order = np.lexsort((cols, -vals), axis=1)  # by score down, then by column up
    return np.take_along_axis(cols, order, axis=1), np.take_along_axis(vals, order, axis=1)


def merge_top_k(ids: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best (id, score) candidates of each row, best first, ties by lower id.

    Candidates are few per row (a k from each block or list), so a sort of them is cheap.
    Padding candidates (id -1, score -inf) sort last.

    Shapes:
        ids, scores (R, c) -> (R, min(k, c)), (R, min(k, c)).
    """
    # subtle: padding is id -1, which would win a tie with a real -inf score; real
    # scores are finite, so sorting padding by a huge id keeps it last among equals.
    key_ids = np.where(ids < 0, np.iinfo(np.int64).max, ids)
    order = np.lexsort((key_ids, -scores), axis=1)[:, :k]
    return np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)
