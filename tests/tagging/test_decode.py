"""Viterbi decoding against brute force over every tag path."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nlpjourney.tagging import viterbi


def _brute_force(emissions, transitions, start, end):
    """The best path by scoring all K**n of them (first best in lexicographic order)."""
    n, k = emissions.shape
    best_path, best_score = None, -np.inf
    for path in itertools.product(range(k), repeat=n):
        score = start[path[0]] + end[path[-1]]
        score += sum(emissions[t, tag] for t, tag in enumerate(path))
        score += sum(transitions[a, b] for a, b in itertools.pairwise(path))
        if score > best_score:
            best_path, best_score = path, score
    return list(best_path), best_score


@pytest.mark.parametrize("seed", range(30))
def test_decode_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    emissions, transitions = rng.normal(size=(n, k)), rng.normal(size=(k, k))
    start, end = rng.normal(size=k), rng.normal(size=k)
    path, score = viterbi(emissions, transitions, start, end)
    expected_path, expected_score = _brute_force(emissions, transitions, start, end)
    assert path.dtype == np.int64 and path.shape == (n,)
    assert path.tolist() == expected_path
    assert score == pytest.approx(expected_score)
    assert isinstance(score, float)


def test_decode_none_edges_are_zeros():
    rng = np.random.default_rng(7)
    emissions, transitions = rng.normal(size=(4, 3)), rng.normal(size=(3, 3))
    zeros = np.zeros(3)
    path, score = viterbi(emissions, transitions)
    assert path.tolist() == _brute_force(emissions, transitions, zeros, zeros)[0]
    assert score == pytest.approx(viterbi(emissions, transitions, zeros, zeros)[1])


def test_decode_ties_go_to_the_lower_index():
    path, score = viterbi(np.zeros((4, 3)), np.zeros((3, 3)))
    assert path.tolist() == [0, 0, 0, 0] and score == 0.0
    # Tags 1 and 2 tie everywhere and beat tag 0: the lower of the two wins.
    emissions = np.array([[0.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
    assert viterbi(emissions, np.zeros((3, 3)))[0].tolist() == [1, 1]


def test_decode_log_space_with_impossible_transitions():
    # -inf transitions (probability zero) are never taken while another path exists.
    emissions = np.log([[0.5, 0.5], [0.9, 0.1]])
    transitions = np.array([[0.0, -np.inf], [-np.inf, 0.0]])
    path, score = viterbi(emissions, transitions, start=np.array([-np.inf, 0.0]))
    assert path.tolist() == [1, 1]
    assert score == pytest.approx(np.log(0.5 * 0.1))


@pytest.mark.parametrize(
    ("emissions", "transitions", "start", "match"),
    [
        (np.zeros((0, 2)), np.zeros((2, 2)), None, "at least one token"),
        (np.zeros(3), np.zeros((3, 3)), None, "2-D"),
        (np.zeros((2, 3)), np.zeros((2, 2)), None, "transitions must be"),
        (np.zeros((2, 3)), np.zeros((3, 3)), np.zeros(2), "start must have shape"),
        (np.full((2, 2), np.nan), np.zeros((2, 2)), None, "NaN"),
    ],
)
def test_decode_bad_shapes_raise(emissions, transitions, start, match):
    with pytest.raises(ValueError, match=match):
        viterbi(emissions, transitions, start)
