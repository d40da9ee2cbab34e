"""Kneser-Ney's two ideas on plain dicts: continuation counts and discounted interpolation.

A word's ordinary count says how often it occurs; its *continuation count* says in how
many different places it has occurred: the number of distinct words seen just before it.
"Francisco" is frequent in news text, but nearly always after "San", so as a guess for
a new context it deserves little weight. Kneser-Ney smoothing replaces the lower-order
counts of an n-gram model with continuation counts, and mixes orders by *absolute
discounting*: take a fixed ``d`` off every seen count and give the mass freed to the
lower order.

- :func:`continuation_counts`: ``N1+(. w)``, distinct left neighbours of each item;
- :func:`continuation_probability`: ``N1+(. w) / N1+(. .)``;
- :func:`kneser_ney_bigram_prob`: the interpolated bigram estimate
  ``max(c(prev, w) - d, 0) / c(prev) + d * N1+(prev .) / c(prev) * P_lower(w)``.

:class:`nlpjourney.lm.ngram.NgramLM` builds every lower order of its Kneser-Ney model with
:func:`continuation_counts` (left item: a word; right item: the tuple after it) and
evaluates every order with :func:`kneser_ney_bigram_prob`, passing the next order down as
``lower`` and the whole context tuple as ``prev``.

Reference: the formulas of Chen & Goodman (1998), "An empirical study of smoothing
techniques for language modeling", section 3 (interpolated Kneser-Ney), and
Jurafsky & Martin, *Speech and Language Processing* (3rd ed.), section 3.7.
``tests/lm/test_ngram.py`` checks them on hand-counted examples and on Brown.

Simplifications: one discount ``d`` for every count (no modified-KN ``D1, D2, D3+``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from operator import countOf
from typing import TypeVar

L = TypeVar("L", bound=Hashable)
R = TypeVar("R", bound=Hashable)


def _distinct_pairs(bigrams: Iterable[tuple[L, R]] | Mapping[tuple[L, R], int]) -> set:
    """The distinct ``(left, right)`` pairs of an iterable of pairs or a mapping pair -> count."""
    if isinstance(bigrams, Mapping):
        pairs = {pair for pair, count in bigrams.items() if count > 0}
    else:
        pairs = set(bigrams)
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise TypeError(f"bigrams must be (left, right) pairs, got {pair!r}")
    return pairs


def continuation_counts(bigrams: Iterable[tuple[L, R]] | Mapping[tuple[L, R], int]) -> Counter:
    """For each right item, the number of distinct left items seen before it: ``N1+(. w)``.

    Args:
        bigrams: ``(left, right)`` pairs, repeated as often as they occur, or a mapping from
            pair to count (pairs with count 0 are ignored). Only the distinct pairs matter.

    Returns:
        A Counter ``right -> number of distinct left``.

    Example: ``[("San", "Francisco")] * 5 + [("the", "cat"), ("a", "cat")]`` gives
    ``Counter({"cat": 2, "Francisco": 1})``: five sightings, one context.
    """
    return Counter(right for _, right in _distinct_pairs(bigrams))


def continuation_probability(
    word: Hashable, bigrams: Iterable[tuple[L, R]] | Mapping[tuple[L, R], int]
) -> float:
    """``N1+(. word) / N1+(. .)``: the share of distinct bigram types that end in ``word``.

    Args:
        word: the right item to score.
        bigrams: as for :func:`continuation_counts`.

    Returns:
        A probability; over all right items they sum to 1. 0.0 when there are no bigrams.

    Example: for ``{("San", "Francisco"): 5, ("the", "cat"): 1, ("a", "cat"): 1}`` the
    continuation probability of "cat" is 2/3 and of "Francisco" 1/3.
    """
    pairs = _distinct_pairs(bigrams)
    if not pairs:
        return 0.0
    return sum(1 for _, right in pairs if right == word) / len(pairs)


def kneser_ney_bigram_prob(
    word: Hashable,
    prev: Hashable,
    bigram_counts: Mapping[Hashable, Mapping[Hashable, int]],
    discount: float = 0.75,
    lower: float | None = None,
) -> float:
    """Interpolated Kneser-Ney ``P(word | prev)`` from the counts of what followed ``prev``.

    ``max(c(prev, word) - d, 0) / c(prev) + d * N1+(prev .) / c(prev) * P_lower(word)``,
    where ``c(prev)`` is the total count after ``prev`` and ``N1+(prev .)`` the number of
    distinct words after it. When ``prev`` was never seen, ``P_lower(word)`` alone.

    Args:
        word: the word to score.
        prev: the previous word (or, in an n-gram model, the context tuple).
        bigram_counts: ``prev -> {next word: count}``, e.g. ``{"San": Counter(Francisco=5)}``.
        discount: ``d``, taken off every seen count; in ``(0, 1]`` so that no count goes
            negative and the result sums to 1 over the words.
        lower: ``P_lower(word)``, the lower-order probability to mix in. None means the
            textbook bigram model: :func:`continuation_probability` of ``word`` among the
            bigram types of ``bigram_counts``.

    Returns:
        The probability. Summed over every word that ``lower`` covers, it is 1.

    Example: with ``{"San": {"Francisco": 3}, "the": {"cat": 1}, "a": {"cat": 1}}`` and
    ``d = 0.75``, ``P(Francisco | San) = 2.25/3 + 0.25 * 1/3 = 5/6``.
    """
    if not 0 < discount <= 1:
        raise ValueError(f"discount must be in (0, 1], got {discount}")
    if lower is None:
        lower = continuation_probability(
            word, {(p, w): c for p, row in bigram_counts.items() for w, c in row.items()}
        )
    followers = bigram_counts.get(prev)
    total = sum(followers.values()) if followers else 0
    if total == 0:
        return lower
    # subtle: countOf runs in C; a generator here would dominate an n-gram model's queries.
    seen = len(followers) - countOf(followers.values(), 0)
    kept = max(followers.get(word, 0) - discount, 0.0) / total
    return kept + discount * seen / total * lower
