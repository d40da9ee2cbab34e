"""Checks for exercise 1.6, run by ``journey check 1.6``.

Each check calls the learner's function through the ``ex`` fixture and compares it with
values counted here by hand or by brute force on a slice of Brown. With
``--exercise reference`` the same checks grade the library, ``nlpjourney.lm.kneser_ney``.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

REFERENCE = "nlpjourney.lm.kneser_ney"

NESTED = {"San": {"Francisco": 3}, "the": {"cat": 1, "dog": 2}, "a": {"cat": 1}}


def flat(nested):
    return Counter({(p, w): c for p, row in nested.items() for w, c in row.items()})


def test_continuation_counts_distinct_left_words(ex) -> None:
    """continuation_counts counts distinct left words, not occurrences.

    Hint: put the pairs in a set first, then count the right word of each distinct pair.
    """
    pairs = [("San", "Francisco")] * 5 + [("the", "cat"), ("a", "cat"), ("the", "cat")]
    assert ex.continuation_counts(pairs) == Counter({"cat": 2, "Francisco": 1})


def test_continuation_counts_from_a_counter(ex) -> None:
    """continuation_counts accepts a Counter of pair counts and skips zero counts.

    Hint: for a dict/Counter, take the keys whose count is above 0; for anything else,
    iterate over the pairs.
    """
    counts = Counter({("San", "Francisco"): 7, ("the", "cat"): 2, ("a", "cat"): 1})
    counts[("my", "dog")] = 0
    result = ex.continuation_counts(counts)
    assert result == Counter({"cat": 2, "Francisco": 1}), result
    assert result["dog"] == 0


def test_continuation_counts_on_brown(ex) -> None:
    """continuation_counts agrees with a brute-force count on Brown news bigrams.

    Hint: the answer for a word w is len({left for (left, right) in bigrams if right == w}).
    """
    from nlpjourney.data import corpora

    words = [w for s in corpora.brown_sents("news")[:300] for w in s]
    bigrams = list(zip(words, words[1:], strict=False))
    result = ex.continuation_counts(bigrams)
    lefts: dict[str, set[str]] = {}
    for left, right in bigrams:
        lefts.setdefault(right, set()).add(left)
    assert dict(result) == {w: len(s) for w, s in lefts.items()}


def test_continuation_counts_rejects_non_pairs(ex) -> None:
    """continuation_counts raises TypeError for items that are not (left, right) pairs.

    Hint: check isinstance(pair, tuple) and len(pair) == 2 for each distinct item.
    """
    with pytest.raises(TypeError):
        ex.continuation_counts([("New", "York", "City")])


def test_continuation_probability_values(ex) -> None:
    """continuation_probability divides by the number of distinct bigram types.

    Hint: the denominator is how many distinct (left, right) pairs there are (here 4),
    not the total count 7.
    """
    counts = flat(NESTED)
    assert math.isclose(ex.continuation_probability("cat", counts), 2 / 4)
    assert math.isclose(ex.continuation_probability("Francisco", counts), 1 / 4)
    assert ex.continuation_probability("York", counts) == 0.0
    assert ex.continuation_probability("cat", []) == 0.0


def test_continuation_probability_sums_to_one(ex) -> None:
    """continuation_probability sums to 1 over the words that occur.

    Hint: sum over w of N1+(. w) is the number of distinct bigrams, N1+(. .).
    """
    counts = flat(NESTED)
    total = sum(ex.continuation_probability(w, counts) for w in ["Francisco", "cat", "dog"])
    assert math.isclose(total, 1.0)


def test_kneser_ney_bigram_prob_worked_example(ex) -> None:
    """kneser_ney_bigram_prob gives 5/6 for Francisco after San in a small example.

    Hint: c(San) = 3 and one distinct follower: (3 - 0.75) / 3 + 0.75 * 1 / 3 * P_cont, where
    P_cont(Francisco) = 1/3 counts distinct bigram types.
    """
    nested = {"San": {"Francisco": 3}, "the": {"cat": 1}, "a": {"cat": 1}}
    assert math.isclose(ex.kneser_ney_bigram_prob("Francisco", "San", nested), 5 / 6)
    assert math.isclose(ex.kneser_ney_bigram_prob("cat", "San", nested), 0.25 * 2 / 3)


def test_kneser_ney_bigram_prob_unseen_previous_word(ex) -> None:
    """kneser_ney_bigram_prob falls back to the lower order for an unseen previous word.

    Hint: when prev is not a key of bigram_counts (or its total is 0), return P_lower(word).
    """
    assert math.isclose(ex.kneser_ney_bigram_prob("cat", "zebra", NESTED), 2 / 4)
    assert math.isclose(ex.kneser_ney_bigram_prob("cat", "zebra", NESTED, lower=0.3), 0.3)


def test_kneser_ney_bigram_prob_uses_lower(ex) -> None:
    """kneser_ney_bigram_prob mixes in the lower-order probability it is given.

    Hint: with lower given, do not compute the continuation probability; the weight
    d * N1+(the .) / c(the) is 0.75 * 2 / 3 here.
    """
    result = ex.kneser_ney_bigram_prob("dog", "the", NESTED, discount=0.75, lower=0.1)
    assert math.isclose(result, (2 - 0.75) / 3 + 0.75 * 2 / 3 * 0.1)


def test_kneser_ney_bigram_prob_sums_to_one(ex) -> None:
    """kneser_ney_bigram_prob sums to 1 over the vocabulary for every previous word and discount.

    Hint: the discount taken from each of the N1+(prev .) seen followers must be given
    back through the weight d * N1+(prev .) / c(prev); max(c - d, 0) keeps counts >= 0.
    """
    vocab = ["Francisco", "cat", "dog"]
    for discount in (0.1, 0.5, 1.0):
        for prev in ["San", "the", "a", "zebra"]:
            total = sum(ex.kneser_ney_bigram_prob(w, prev, NESTED, discount) for w in vocab)
            assert math.isclose(total, 1.0), (prev, discount, total)
    with pytest.raises(ValueError):
        ex.kneser_ney_bigram_prob("cat", "the", NESTED, discount=0.0)
