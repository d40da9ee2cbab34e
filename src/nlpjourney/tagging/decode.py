"""Viterbi decoding: the best tag path through a table of scores.

A tagger that scores each token's tags (``emissions``) and each pair of neighbouring
tags (``transitions``) wants the one path of tags with the largest total score. There
are ``K**n`` paths, but the best path to tag ``j`` at token ``t`` only needs the best
path to each tag at token ``t - 1``: dynamic programming fills an ``(n, K)`` table of
best scores and remembers, for each cell, which previous tag it came from
(back-pointers); following those back from the best last cell gives the path in
``O(n K^2)``.

The scores are added, so the same function serves the HMM (log probabilities), the
perceptron and the CRF (linear scores).

Reference: ``nltk.tag.hmm.HiddenMarkovModelTagger._best_path`` (the same recurrence in
log space), and brute force over all paths in ``tests/tagging/test_decode.py``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["viterbi"]


def viterbi(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """The highest-scoring tag path and its score.

    The score of a path ``y`` is
    ``start[y0] + sum_t emissions[t, y_t] + sum_t transitions[y_{t-1}, y_t] + end[y_{n-1}]``.

    Args:
        emissions: the score of each tag at each token.
        transitions: ``transitions[i, j]`` is the score of tag ``i`` followed by tag ``j``.
        start: the score of each tag opening the sequence (``None``: zeros).
        end: the score of each tag closing the sequence (``None``: zeros).

    Returns:
        The path (int64 tag indices, one per token) and its score. Ties go to the lower
        tag index, as ``np.argmax`` breaks them.

    Shapes:
        emissions (n, K), transitions (K, K), start (K,), end (K,) -> path (n,).

    Raises:
        ValueError: for an empty sequence (n == 0), mismatched shapes or NaN scores.

    Example:
        >>> emissions = np.log([[0.9, 0.1], [0.4, 0.6]])
        >>> transitions = np.log([[0.2, 0.8], [0.5, 0.5]])
        >>> path, score = viterbi(emissions, transitions)
        >>> path.tolist(), round(float(np.exp(score)), 3)
        ([0, 1], 0.432)
    """
    emissions, transitions, start, end = _checked(emissions, transitions, start, end)
    n, k = emissions.shape
    best = np.empty((n, k))  # best[t, j]: the best score of a path ending in tag j at token t
    back = np.zeros((n, k), dtype=np.int64)  # back[t, j]: the tag at t - 1 on that path
    best[0] = start + emissions[0]
    for t in range(1, n):
        # candidates[i, j]: come from tag i at t - 1, go to tag j at t.
        candidates = best[t - 1][:, None] + transitions
        back[t] = candidates.argmax(axis=0)
        best[t] = candidates[back[t], np.arange(k)] + emissions[t]
    final = best[n - 1] + end
    path = np.empty(n, dtype=np.int64)
    path[n - 1] = final.argmax()
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, float(final[path[n - 1]])


def _checked(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None,
    end: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four score arrays as float64, with their shapes checked against each other."""
    emissions = np.asarray(emissions, dtype=np.float64)
    transitions = np.asarray(transitions, dtype=np.float64)
    if emissions.ndim != 2:
        raise ValueError(f"emissions must be a 2-D (n, K) array, got shape {emissions.shape}")
    n, k = emissions.shape
    if n == 0:
        raise ValueError("viterbi needs at least one token; an empty sequence has no path")
    if k == 0:
        raise ValueError("emissions has no tag columns (K == 0); there is nothing to choose from")
    if transitions.shape != (k, k):
        raise ValueError(
            f"transitions must be ({k}, {k}) to match emissions, got {transitions.shape}"
        )
    edges = []
    for name, value in (("start", start), ("end", end)):
        array = np.zeros(k) if value is None else np.asarray(value, dtype=np.float64)
        if array.shape != (k,):
            raise ValueError(f"{name} must have shape ({k},) to match emissions, got {array.shape}")
        edges.append(array)
    for name, array in (
        ("emissions", emissions),
        ("transitions", transitions),
        ("start", edges[0]),
        ("end", edges[1]),
    ):
        if np.isnan(array).any():
            raise ValueError(
                f"{name} holds NaN scores; every score must be a number (-inf is allowed)"
            )
    return emissions, transitions, edges[0], edges[1]
