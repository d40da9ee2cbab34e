"""Exercise 2.6: the linear-chain CRF's path score and its forward algorithm.

A linear-chain CRF scores a whole tag path ``y = (y_0, ..., y_{n-1})`` of a sentence of
``n`` tokens over ``K`` tags as

    score(y) = start[y_0] + sum_t emissions[t, y_t]
               + sum_{t >= 1} transitions[y_{t-1}, y_t] + end[y_{n-1}]

and gives it the probability ``exp(score(y)) / Z``, where the partition function ``Z``
sums ``exp(score)`` over all ``K ** n`` paths. Training needs ``log Z`` for every
sentence, and listing ``K ** n`` paths is out of the question (9 tags, 30 tokens: about
4e28 paths). The forward algorithm gets it in ``n * K * K`` steps.

Write three functions, in log space and numerically stable (scores of a trained model
reach the hundreds and thousands, and ``exp(1000)`` overflows a float64):

1. ``sequence_score``: the score above for one given path;
2. ``forward_log_alphas``: the table of forward log-scores ``alpha``;
3. ``log_partition``: ``log Z`` from the last row of ``alpha`` and ``end``.

Use NumPy and the standard library, but not ``nlpjourney`` (the model answer),
``scipy`` (its ``logsumexp`` would do the stable part for you: write that yourself),
``torch``, ``pycrfsuite``, ``sklearn_crfsuite`` or ``torchcrf``: ``journey check``
refuses a file that uses them. Then run ``journey check 2.6``: the checks draw fresh
random scores every run and compare your numbers with brute force over all paths, try
scores in the thousands, and check a real CRF trained by python-crfsuite on CoNLL-2003
sentences, whose path probabilities must equal ``exp(score - log Z)``. Each failing
check gives a hint (``--hint`` shows more).

The lesson ``lessons/2.6-named-entity-recognition.py`` builds the same pieces by hand in
cells.
"""

from __future__ import annotations

import math  # noqa: F401  (yours to use)
from collections.abc import Sequence

import numpy as np


def sequence_score(
    emissions: np.ndarray,
    transitions: np.ndarray,
    tags: Sequence[int],
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> float:
    """The score of one tag path: start + emissions + transitions + end.

    ``start[y_0] + sum_t emissions[t, y_t] + sum_{t>=1} transitions[y_{t-1}, y_t]
    + end[y_{n-1}]``, where ``transitions[i, j]`` is the score of tag ``i`` followed by
    tag ``j``. ``start`` or ``end`` None counts as zeros.

    Args:
        emissions: (n, K) score of each tag at each position, n >= 1.
        transitions: (K, K) score of each pair of consecutive tags.
        tags: n tag indices in ``0..K-1``, the path to score.
        start: (K,) score of the first tag, or None.
        end: (K,) score of the last tag, or None.

    Returns:
        The path's score, a Python float.

    Raises:
        ValueError: emissions not (n, K) with n >= 1, transitions not (K, K), start or
            end not (K,), or ``tags`` not n indices in ``0..K-1``.

    Example: with ``emissions = [[1, 0], [0, 2]]``, ``transitions = [[0, 3], [0, 0]]``
    and ``tags = [0, 1]`` the score is ``1 + 2 + 3 = 6.0``.
    """
    raise NotImplementedError("write sequence_score: add the path's scores, term by term")


def forward_log_alphas(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> np.ndarray:
    """The forward table: ``alpha[t, j]``, the log-sum of exp(score) of every path prefix.

    ``alpha[t, j]`` is the log of the sum of ``exp(score)`` over all tag prefixes
    ``y_0 .. y_t`` that end with ``y_t = j``, counting ``start`` and emissions and
    transitions up to ``t`` (not ``end``). It obeys

    - ``alpha[0] = start + emissions[0]``;
    - ``alpha[t, j] = logsumexp_i(alpha[t-1, i] + transitions[i, j]) + emissions[t, j]``

    with ``logsumexp_i(x_i) = log(sum_i exp(x_i))`` computed without overflow.
    ``end`` is accepted for a uniform signature and does not enter the table.

    Args:
        emissions: (n, K), n >= 1.
        transitions: (K, K).
        start: (K,) or None (zeros).
        end: (K,) or None; not used by the table.

    Returns:
        float64 array of shape (n, K), finite for finite inputs of any size.

    Raises:
        ValueError: emissions not (n, K) with n >= 1, transitions not (K, K), or start
            or end not (K,).

    Example: with ``emissions = [[0, 0], [0, 0]]`` and zero transitions, ``alpha[0]``
    is ``[0, 0]`` and ``alpha[1]`` is ``[log 2, log 2]`` (two prefixes end in each tag).
    """
    raise NotImplementedError("write forward_log_alphas: fill the table one position at a time")


def log_partition(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> float:
    """``log Z``: the log of the sum of exp(score) over all ``K ** n`` tag paths.

    Equal to ``logsumexp_j(alpha[n-1, j] + end[j])`` with ``alpha`` from
    :func:`forward_log_alphas`; ``exp(sequence_score(...) - log_partition(...))`` is
    then the probability of a path, and these sum to 1 over all paths.

    Args:
        emissions: (n, K), n >= 1.
        transitions: (K, K).
        start: (K,) or None (zeros).
        end: (K,) or None (zeros).

    Returns:
        ``log Z`` as a Python float, finite for finite inputs of any size.

    Raises:
        ValueError: emissions not (n, K) with n >= 1, transitions not (K, K), or start
            or end not (K,).

    Example: one position and two tags with emissions ``[[0, 0]]`` give ``log 2``.
    """
    raise NotImplementedError("write log_partition: the last alpha row, plus end, log-summed")
