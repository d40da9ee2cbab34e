"""Checks for exercise 1.6, run by ``journey check 1.6``.

Each check calls the learner's function through the ``ex`` fixture and compares it with
values counted here by hand or by brute force on a slice of Brown, and on bigram counts
drawn fresh each run (``rng``). With
``--exercise reference`` the same checks grade the library, ``nlpjourney.lm.kneser_ney``.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

REFERENCE = "nlpjourney.lm.kneser_ney"
# What the learner may not use: the model answer, and the library that answers it.
FORBIDDEN = ("nlpjourney", "nltk")

NESTED = {"San": {"Francisco": 3}, "the": {"cat": 1, "dog": 2}, "a": {"cat": 1}}


def random_nested(rng) -> dict[str, dict[str, int]]:
    """Fresh bigram counts: random words after random previous words, some counts 0
    (a pair with count 0 was never seen)."""
    words = [f"w{i}" for i in range(rng.integers(3, 9))]
    nested: dict[str, dict[str, int]] = {}
    for prev in rng.choice(words, size=rng.integers(2, len(words) + 1), replace=False):
        followers = rng.choice(words, size=rng.integers(1, len(words) + 1), replace=False)
        nested[str(prev)] = {str(w): int(rng.integers(0, 6)) for w in followers}
    return nested


def kn_by_hand(word, prev, nested, d, lower=None) -> float:
    """Interpolated Kneser-Ney, written out here: the expected value for the checks."""
    types = {(p, w) for p, row in nested.items() for w, c in row.items() if c > 0}
    if lower is None:
        lower = len({p for p, w in types if w == word}) / len(types) if types else 0.0
    row = {w: c for w, c in nested.get(prev, {}).items() if c > 0}
    total = sum(row.values())
    if total == 0:
        return lower
    return max(row.get(word, 0) - d, 0) / total + d * len(row) / total * lower


def flat(nested):
    return Counter({(p, w): c for p, row in nested.items() for w, c in row.items()})


def test_continuation_counts_distinct_left_words(ex, rng) -> None:
    """continuation_counts counts distinct left words, not occurrences.

    Hint 1: only distinct pairs count: seeing a pair five times is seeing it once.
    Hint 2: gather the distinct pairs first, then, for each right word, count how many
    distinct pairs end with it.
    """
    pairs = [("San", "Francisco")] * 5 + [("the", "cat"), ("a", "cat"), ("the", "cat")]
    assert ex.continuation_counts(pairs) == Counter({"cat": 2, "Francisco": 1})
    fresh = [tuple(p) for p in flat(random_nested(rng)).elements()]
    rng.shuffle(fresh)
    expected = Counter(right for _, right in set(fresh))
    assert ex.continuation_counts(fresh) == expected


def test_continuation_counts_from_a_counter(ex) -> None:
    """continuation_counts accepts a Counter of pair counts and skips zero counts.

    Hint 1: a mapping holds each pair once, with its count; a zero count means the pair
    was never seen.
    Hint 2: for a dict or Counter, use the pairs whose count is above zero; for anything
    else, go through the pairs themselves.
    """
    counts = Counter({("San", "Francisco"): 7, ("the", "cat"): 2, ("a", "cat"): 1})
    counts[("my", "dog")] = 0
    result = ex.continuation_counts(counts)
    assert result == Counter({"cat": 2, "Francisco": 1}), result
    assert result["dog"] == 0


def test_continuation_counts_on_brown(ex, rng) -> None:
    """continuation_counts agrees with a brute-force count on Brown news bigrams.

    Hint 1: for a word, the number of different words that ever came right before it.
    Hint 2: the lists of bigrams repeat pairs; make sure a repeated pair adds nothing.
    """
    from nlpjourney.data import corpora

    sentences = corpora.brown_sents("news")
    start = int(rng.integers(0, len(sentences) - 300))
    words = [w for s in sentences[start : start + 300] for w in s]
    bigrams = list(zip(words, words[1:], strict=False))
    result = ex.continuation_counts(bigrams)
    lefts: dict[str, set[str]] = {}
    for left, right in bigrams:
        lefts.setdefault(right, set()).add(left)
    assert dict(result) == {w: len(s) for w, s in lefts.items()}


def test_continuation_counts_rejects_non_pairs(ex) -> None:
    """continuation_counts raises TypeError for items that are not (left, right) pairs.

    Hint 1: check every item's type and length before using it.
    Hint 2: a pair is a tuple of exactly two items; anything else is a TypeError.
    """
    with pytest.raises(TypeError):
        ex.continuation_counts([("New", "York", "City")])


def test_continuation_probability_values(ex) -> None:
    """continuation_probability divides by the number of distinct bigram types.

    Hint 1: the denominator counts bigram types, not bigram occurrences.
    Hint 2: here there are four distinct pairs, though they occur seven times in all; an
    empty input gives zero.
    """
    counts = flat(NESTED)
    assert math.isclose(ex.continuation_probability("cat", counts), 2 / 4)
    assert math.isclose(ex.continuation_probability("Francisco", counts), 1 / 4)
    assert ex.continuation_probability("York", counts) == 0.0
    assert ex.continuation_probability("cat", []) == 0.0


def test_continuation_probability_sums_to_one(ex, rng) -> None:
    """continuation_probability sums to 1 over the words that occur.

    Hint 1: every distinct bigram is counted once, under its right word.
    Hint 2: so the continuation counts of all the words add up to the number of distinct
    bigrams, and the probabilities to one.
    """
    counts = flat(NESTED)
    total = sum(ex.continuation_probability(w, counts) for w in ["Francisco", "cat", "dog"])
    assert math.isclose(total, 1.0)
    fresh = flat(random_nested(rng))
    seen = [pair for pair, count in fresh.items() if count > 0]
    for word in {w for _, w in fresh}:
        expected = len({p for p, w in seen if w == word}) / max(len(seen), 1)
        got = ex.continuation_probability(word, fresh)
        assert math.isclose(got, expected), f"{word}: got {got}, expected {expected}"


def test_kneser_ney_bigram_prob_worked_example(ex) -> None:
    """kneser_ney_bigram_prob gives 5/6 for Francisco after San in a small example.

    Hint 1: the discounted count over the context's total, plus the weight given back
    times the lower-order probability.
    Hint 2: "San" was followed three times, by one distinct word: the first part is three
    minus the discount, over three; the weight is the discount times one, over three; the
    lower order is the continuation probability, one third here.
    """
    nested = {"San": {"Francisco": 3}, "the": {"cat": 1}, "a": {"cat": 1}}
    assert math.isclose(ex.kneser_ney_bigram_prob("Francisco", "San", nested), 5 / 6)
    assert math.isclose(ex.kneser_ney_bigram_prob("cat", "San", nested), 0.25 * 2 / 3)


def test_kneser_ney_bigram_prob_unseen_previous_word(ex) -> None:
    """kneser_ney_bigram_prob falls back to the lower order for an unseen previous word.

    Hint 1: an unseen context has nothing to discount: all the mass goes to the lower order.
    Hint 2: when the previous word is missing, or its counts add up to zero, return the
    lower-order probability itself.
    """
    assert math.isclose(ex.kneser_ney_bigram_prob("cat", "zebra", NESTED), 2 / 4)
    assert math.isclose(ex.kneser_ney_bigram_prob("cat", "zebra", NESTED, lower=0.3), 0.3)


def test_kneser_ney_bigram_prob_uses_lower(ex, rng) -> None:
    """kneser_ney_bigram_prob mixes in the lower-order probability it is given.

    Hint 1: a given lower-order probability replaces the continuation probability.
    Hint 2: the weight is the discount times the number of distinct followers, over the
    total count after the previous word: three quarters times two, over three, here.
    """
    result = ex.kneser_ney_bigram_prob("dog", "the", NESTED, discount=0.75, lower=0.1)
    assert math.isclose(result, (2 - 0.75) / 3 + 0.75 * 2 / 3 * 0.1)
    nested = random_nested(rng)
    d, lower = float(rng.uniform(0.05, 1.0)), float(rng.uniform(0.01, 0.5))
    for prev in nested:
        for word in {w for row in nested.values() for w in row}:
            got = ex.kneser_ney_bigram_prob(word, prev, nested, discount=d, lower=lower)
            expected = kn_by_hand(word, prev, nested, d, lower)
            assert math.isclose(got, expected), (
                f"P({word} | {prev}), d={d:.3f}: {got} != {expected}"
            )


def test_kneser_ney_bigram_prob_sums_to_one(ex, rng) -> None:
    """kneser_ney_bigram_prob sums to 1 over the vocabulary for every previous word and discount.

    Hint 1: what the discount takes from the seen followers must be given back, in full,
    to the lower order.
    Hint 2: each of the distinct followers gives up the discount, so the weight is the
    discount times their number, over the context's total; a count never goes below zero,
    and a follower with count zero was never seen. A discount outside zero (excluded) to
    one (included) is a ValueError.
    """
    vocab = ["Francisco", "cat", "dog"]
    for discount in (0.1, 0.5, 1.0):
        for prev in ["San", "the", "a", "zebra"]:
            total = sum(ex.kneser_ney_bigram_prob(w, prev, NESTED, discount) for w in vocab)
            assert math.isclose(total, 1.0), (prev, discount, total)
    nested = random_nested(rng)
    words = {w for row in nested.values() for w in row}
    discount = float(rng.uniform(0.05, 1.0))
    for prev in [*nested, "unseen"]:
        for word in words:
            got = ex.kneser_ney_bigram_prob(word, prev, nested, discount)
            expected = kn_by_hand(word, prev, nested, discount)
            assert math.isclose(got, expected), f"P({word} | {prev}): {got} != {expected}"
    for bad in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError):
            ex.kneser_ney_bigram_prob("cat", "the", NESTED, discount=bad)
