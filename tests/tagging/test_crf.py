"""The linear-chain CRF: forward-backward against brute force, training against python-crfsuite.

Brute force enumerates all K^n tag paths of small random problems, so the log partition,
the forward table and both kinds of marginals have an independent answer.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp

from nlpjourney.tagging.crf import (
    backward_log_betas,
    forward_log_alphas,
    log_partition,
    marginals,
    sequence_score,
)


def _problem(seed: int, n: int, k: int, scale: float = 1.0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(n, k)) * scale,
        rng.normal(size=(k, k)) * scale,
        rng.normal(size=k) * scale,
        rng.normal(size=k) * scale,
    )


def _all_scores(emissions, transitions, start, end) -> tuple[list[tuple[int, ...]], np.ndarray]:
    n, k = emissions.shape
    paths = list(itertools.product(range(k), repeat=n))
    scores = np.array([sequence_score(emissions, transitions, p, start, end) for p in paths])
    return paths, scores


def _direct_score(emissions, transitions, path, start, end) -> float:
    total = start[path[0]] + end[path[-1]]
    for t, tag in enumerate(path):
        total += emissions[t, tag]
        if t:
            total += transitions[path[t - 1], tag]
    return float(total)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 5), k=st.integers(1, 4))
def test_crf_log_partition_equals_brute_force(seed: int, n: int, k: int) -> None:
    emissions, transitions, start, end = _problem(seed, n, k)
    paths, scores = _all_scores(emissions, transitions, start, end)
    path = paths[seed % len(paths)]
    assert sequence_score(emissions, transitions, path, start, end) == pytest.approx(
        _direct_score(emissions, transitions, path, start, end)
    )
    assert log_partition(emissions, transitions, start, end) == pytest.approx(logsumexp(scores))


def test_crf_forward_table_sums_prefixes() -> None:
    emissions, transitions, start, end = _problem(1, 4, 3)
    alphas = forward_log_alphas(emissions, transitions, start, end)
    # alpha[t, j] is the log-sum over prefixes of length t + 1 ending in j (no end score).
    for t in range(4):
        zero_end = np.zeros(3)
        paths, scores = _all_scores(emissions[: t + 1], transitions, start, zero_end)
        for j in range(3):
            ending = [s for p, s in zip(paths, scores, strict=True) if p[-1] == j]
            assert alphas[t, j] == pytest.approx(logsumexp(ending))


def test_crf_backward_table_meets_forward() -> None:
    emissions, transitions, start, end = _problem(2, 5, 3)
    alphas = forward_log_alphas(emissions, transitions, start, end)
    betas = backward_log_betas(emissions, transitions, start, end)
    log_z = log_partition(emissions, transitions, start, end)
    # Every position splits every path once: logsumexp(alpha[t] + beta[t]) = log Z for all t.
    np.testing.assert_allclose(logsumexp(alphas + betas, axis=1), np.full(5, log_z))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 5), k=st.integers(1, 4))
def test_crf_marginals_equal_brute_force(seed: int, n: int, k: int) -> None:
    emissions, transitions, start, end = _problem(seed, n, k)
    paths, scores = _all_scores(emissions, transitions, start, end)
    probs = np.exp(scores - logsumexp(scores))
    unary_expected = np.zeros((n, k))
    pairwise_expected = np.zeros((max(n - 1, 0), k, k))
    for path, prob in zip(paths, probs, strict=True):
        unary_expected[np.arange(n), path] += prob
        for t in range(1, n):
            pairwise_expected[t - 1, path[t - 1], path[t]] += prob
    unary, pairwise = marginals(emissions, transitions, start, end)
    np.testing.assert_allclose(unary, unary_expected, atol=1e-12)
    np.testing.assert_allclose(pairwise, pairwise_expected, atol=1e-12)


def test_crf_forward_is_stable_with_huge_scores() -> None:
    emissions, transitions, start, end = _problem(3, 4, 3, scale=1e4)
    paths, scores = _all_scores(emissions, transitions, start, end)
    log_z = log_partition(emissions, transitions, start, end)
    assert np.isfinite(log_z)
    assert log_z == pytest.approx(logsumexp(scores), rel=1e-12)
    unary, pairwise = marginals(emissions, transitions, start, end)
    assert np.isfinite(unary).all() and np.isfinite(pairwise).all()
    np.testing.assert_allclose(unary.sum(axis=1), 1.0)
    # With scores this far apart the best path holds all the mass.
    best = paths[int(np.argmax(scores))]
    np.testing.assert_allclose(unary[np.arange(4), best], 1.0)


def test_crf_default_start_end_are_zero() -> None:
    emissions, transitions, _, _ = _problem(4, 3, 2)
    zeros = np.zeros(2)
    assert log_partition(emissions, transitions) == log_partition(
        emissions, transitions, zeros, zeros
    )
    assert sequence_score(emissions, transitions, [1, 0, 1]) == pytest.approx(
        emissions[0, 1] + emissions[1, 0] + emissions[2, 1] + transitions[1, 0] + transitions[0, 1]
    )


def test_crf_scores_reject_bad_shapes() -> None:
    emissions, transitions, start, end = _problem(5, 3, 2)
    with pytest.raises(ValueError, match="non-empty"):
        log_partition(np.zeros((0, 2)), transitions)
    with pytest.raises(ValueError, match="transitions must be"):
        forward_log_alphas(emissions, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="start and end"):
        log_partition(emissions, transitions, np.zeros(3), end)
    with pytest.raises(ValueError, match="one tag per token"):
        sequence_score(emissions, transitions, [0, 1])
    with pytest.raises(ValueError, match="indices"):
        sequence_score(emissions, transitions, [0, 1, 2])
