"""The linear-chain conditional random field: scores, forward-backward, training, decoding.

A linear-chain CRF scores a tag path ``y`` for a sentence of ``n`` tokens as

    score(y) = start[y_0] + sum_t emissions[t, y_t] + sum_t transitions[y_{t-1}, y_t] + end[y_{n-1}]

and defines ``p(y | x) = exp(score(y)) / Z`` where the partition function ``Z`` sums
``exp(score)`` over all ``K^n`` paths. The forward algorithm computes ``log Z`` in
``O(n K^2)`` by dynamic programming in log space:

    alpha[0, j] = start[j] + emissions[0, j]
    alpha[t, j] = logsumexp_i(alpha[t-1, i] + transitions[i, j]) + emissions[t, j]
    log Z       = logsumexp_j(alpha[n-1, j] + end[j])

and the backward algorithm the mirror image; together they give the marginals
``p(y_t = j)`` and ``p(y_{t-1} = i, y_t = j)``, which are the expected feature counts of
the log-likelihood's gradient.

Reference: python-crfsuite (CRFsuite's ``lbfgs`` trainer over the same attributes);
every function here is also checked against brute-force enumeration of all paths.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

__all__ = [
    "backward_log_betas",
    "forward_log_alphas",
    "log_partition",
    "marginals",
    "sequence_score",
]


def _check_scores(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None,
    end: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four score arrays as float64, with ``start``/``end`` zeros when None; shapes checked."""
    emissions = np.asarray(emissions, dtype=np.float64)
    transitions = np.asarray(transitions, dtype=np.float64)
    if emissions.ndim != 2 or emissions.shape[0] == 0:
        raise ValueError(
            f"emissions must be a non-empty (n, K) array of scores, got shape {emissions.shape}"
        )
    k = emissions.shape[1]
    if transitions.shape != (k, k):
        raise ValueError(
            f"transitions must be ({k}, {k}) for {k} tags, got shape {transitions.shape}"
        )
    start = np.zeros(k) if start is None else np.asarray(start, dtype=np.float64)
    end = np.zeros(k) if end is None else np.asarray(end, dtype=np.float64)
    if start.shape != (k,) or end.shape != (k,):
        raise ValueError(f"start and end must be ({k},) arrays, got {start.shape} and {end.shape}")
    return emissions, transitions, start, end


def sequence_score(
    emissions: np.ndarray,
    transitions: np.ndarray,
    tags: np.ndarray | list[int],
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> float:
    """The unnormalised score of one tag path.

    Args:
        emissions: Per-token tag scores.
        transitions: ``transitions[i, j]`` scores tag ``i`` followed by tag ``j``.
        tags: The path, one tag index per token.
        start: Score of each tag opening the sentence (zeros when None).
        end: Score of each tag closing the sentence (zeros when None).

    Returns:
        ``start[y0] + sum_t emissions[t, y_t] + sum_t transitions[y_{t-1}, y_t] + end[y_{n-1}]``.

    Shapes:
        emissions (n, K), transitions (K, K), tags (n,), start and end (K,).

    Example:
        >>> emissions = np.array([[1.0, 0.0], [0.0, 2.0]])
        >>> transitions = np.array([[0.0, 0.5], [0.0, 0.0]])
        >>> sequence_score(emissions, transitions, [0, 1])
        3.5
    """
    emissions, transitions, start, end = _check_scores(emissions, transitions, start, end)
    tags = np.asarray(tags, dtype=np.int64)
    n, k = emissions.shape
    if tags.shape != (n,):
        raise ValueError(f"tags must hold one tag per token ({n}), got shape {tags.shape}")
    if tags.min() < 0 or tags.max() >= k:
        raise ValueError(f"tags must be indices in [0, {k}), got {tags.tolist()}")
    score = start[tags[0]] + emissions[np.arange(n), tags].sum()
    score += transitions[tags[:-1], tags[1:]].sum() + end[tags[-1]]
    return float(score)


def forward_log_alphas(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> np.ndarray:
    """The forward table: ``alpha[t, j]`` = log of the summed ``exp(score)`` of every prefix ending in ``j``.

    ``alpha[0] = start + emissions[0]`` and
    ``alpha[t, j] = logsumexp_i(alpha[t-1, i] + transitions[i, j]) + emissions[t, j]``. The
    ``end`` scores are not in the table (they enter :func:`log_partition`); the argument is
    accepted so all the functions here take the same scores.

    Args:
        emissions: Per-token tag scores.
        transitions: ``transitions[i, j]`` scores tag ``i`` followed by tag ``j``.
        start: Score of each tag opening the sentence (zeros when None).
        end: Score of each tag closing the sentence (checked, unused).

    Returns:
        The log-space forward table.

    Shapes:
        emissions (n, K), transitions (K, K), start and end (K,) -> (n, K).

    Example:
        >>> forward_log_alphas(np.zeros((2, 2)), np.zeros((2, 2))).round(4).tolist()
        [[0.0, 0.0], [0.6931, 0.6931]]
    """
    emissions, transitions, start, end = _check_scores(emissions, transitions, start, end)
    alphas = np.empty_like(emissions)
    alphas[0] = start + emissions[0]
    for t in range(1, len(emissions)):
        # (K, 1) + (K, K): entry [i, j] is a prefix ending in i, stepping to j.
        alphas[t] = logsumexp(alphas[t - 1][:, None] + transitions, axis=0) + emissions[t]
    return alphas


def backward_log_betas(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> np.ndarray:
    """The backward table: ``beta[t, i]`` = log of the summed ``exp(score)`` of every suffix after ``i`` at ``t``.

    ``beta[n-1] = end`` and
    ``beta[t, i] = logsumexp_j(transitions[i, j] + emissions[t+1, j] + beta[t+1, j])``, so
    ``alpha[t] + beta[t]`` is log of the summed score of the paths through each tag at ``t``.

    Args:
        emissions: Per-token tag scores.
        transitions: ``transitions[i, j]`` scores tag ``i`` followed by tag ``j``.
        start: Score of each tag opening the sentence (checked, unused).
        end: Score of each tag closing the sentence (zeros when None).

    Returns:
        The log-space backward table.

    Shapes:
        emissions (n, K), transitions (K, K), start and end (K,) -> (n, K).
    """
    emissions, transitions, start, end = _check_scores(emissions, transitions, start, end)
    betas = np.empty_like(emissions)
    betas[-1] = end
    for t in range(len(emissions) - 2, -1, -1):
        betas[t] = logsumexp(transitions + (emissions[t + 1] + betas[t + 1])[None, :], axis=1)
    return betas


def log_partition(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> float:
    """``log Z``: the log of ``exp(score)`` summed over every tag path, by the forward algorithm.

    Args:
        emissions: Per-token tag scores.
        transitions: ``transitions[i, j]`` scores tag ``i`` followed by tag ``j``.
        start: Score of each tag opening the sentence (zeros when None).
        end: Score of each tag closing the sentence (zeros when None).

    Returns:
        ``logsumexp(alpha[-1] + end)``.

    Shapes:
        emissions (n, K), transitions (K, K), start and end (K,).

    Example:
        >>> round(log_partition(np.zeros((3, 2)), np.zeros((2, 2))), 4)  # log 2**3
        2.0794
    """
    emissions, transitions, start, end = _check_scores(emissions, transitions, start, end)
    alphas = forward_log_alphas(emissions, transitions, start, end)
    return float(logsumexp(alphas[-1] + end))


def marginals(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The tag marginals ``p(y_t = j)`` and the pairwise marginals ``p(y_{t-1} = i, y_t = j)``.

    These are the expected counts of the log-likelihood's gradient: the state weights
    move by observed minus ``unary`` counts, the transition weights by observed minus
    ``pairwise.sum(0)``.

    Args:
        emissions: Per-token tag scores.
        transitions: ``transitions[i, j]`` scores tag ``i`` followed by tag ``j``.
        start: Score of each tag opening the sentence (zeros when None).
        end: Score of each tag closing the sentence (zeros when None).

    Returns:
        ``(unary, pairwise)``: each row of ``unary`` and each ``pairwise[t]`` sums to 1.

    Shapes:
        emissions (n, K), transitions (K, K), start and end (K,) -> unary (n, K),
        pairwise (n - 1, K, K) (``pairwise[t - 1]`` is the step into position ``t``).

    Example:
        >>> unary, pairwise = marginals(np.zeros((2, 2)), np.zeros((2, 2)))
        >>> unary.tolist(), pairwise.shape
        ([[0.5, 0.5], [0.5, 0.5]], (1, 2, 2))
    """
    emissions, transitions, start, end = _check_scores(emissions, transitions, start, end)
    alphas = forward_log_alphas(emissions, transitions, start, end)
    betas = backward_log_betas(emissions, transitions, start, end)
    log_z = logsumexp(alphas[-1] + end)
    unary = np.exp(alphas + betas - log_z)
    # [t, i, j]: a prefix ending in i at t, the step i -> j, then j's emission and suffix.
    pairwise = np.exp(
        alphas[:-1, :, None]
        + transitions[None, :, :]
        + (emissions[1:] + betas[1:])[:, None, :]
        - log_z
    )
    return unary, pairwise
