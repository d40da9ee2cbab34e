"""Exercise 1.6: Kneser-Ney continuation counts, on plain dicts and Counters.

Kneser-Ney smoothing asks not "how often did this word occur?" but "after how many
different words did it occur?". "York" is as frequent as "people" in Brown news, yet
almost always follows "New", so as a guess for an unseen context it is a poor bet.
Fill in the three functions below, replacing each ``raise NotImplementedError(...)``,
in plain Python (``collections.Counter`` helps). ``journey check`` refuses a file that
uses ``nlpjourney`` (the model answer) or NLTK. Then run ``journey check 1.6``: the checks
draw fresh bigram counts on every run, and ``--hint`` shows more of a hint.

1. ``continuation_counts``: for each word, the number of distinct words seen before it.
2. ``continuation_probability``: that count over the number of distinct bigram types.
3. ``kneser_ney_bigram_prob``: the interpolated Kneser-Ney bigram probability.

The lesson ``lessons/1.6-ngram-language-models.py`` builds these ideas on Brown. The
library's versions live in ``nlpjourney.lm.kneser_ney``; ``NgramLM`` builds every lower
order of its Kneser-Ney model with ``continuation_counts`` and evaluates every order with
``kneser_ney_bigram_prob`` (the context tuple as ``prev``, the next order down as ``lower``).
"""

from __future__ import annotations

from collections import Counter  # noqa: F401  (yours to use)


def continuation_counts(bigrams):
    """Return a Counter: for each right word, how many *distinct* left words came before it.

    ``bigrams`` is either an iterable of ``(left, right)`` pairs, repeated as often as
    they occur, or a dict/Counter mapping ``(left, right)`` to a count (ignore pairs whose
    count is 0). Only the distinct pairs matter: seeing "San Francisco" five times still
    gives "Francisco" one left context. Raise ``TypeError`` if an item is not a 2-tuple.

    Example: ``[("San", "Francisco")] * 5 + [("the", "cat"), ("a", "cat")]`` gives
    ``Counter({"cat": 2, "Francisco": 1})``.
    """
    raise NotImplementedError("write continuation_counts: count distinct left words per word")


def continuation_probability(word, bigrams):
    """Return ``N1+(. word) / N1+(. .)``: ``word``'s continuation count over the number of
    distinct bigram types. ``bigrams`` as for ``continuation_counts``; 0.0 if it is empty.

    Example: for ``{("San", "Francisco"): 5, ("the", "cat"): 1, ("a", "cat"): 1}`` the
    continuation probability of "cat" is 2/3 and of "Francisco" 1/3.
    """
    raise NotImplementedError("write continuation_probability: distinct contexts / bigram types")


def kneser_ney_bigram_prob(word, prev, bigram_counts, discount=0.75, lower=None):
    """Return the interpolated Kneser-Ney probability ``P(word | prev)``.

    ``bigram_counts`` maps each previous word to a dict/Counter of the words that followed
    it: ``{"San": {"Francisco": 3}, "the": {"cat": 1}}``. With ``c(prev)`` the total count
    after ``prev`` and ``N1+(prev .)`` the number of distinct words after it (a word with
    count 0 was never seen after it)::

        max(c(prev, word) - d, 0) / c(prev) + d * N1+(prev .) / c(prev) * P_lower(word)

    ``P_lower(word)`` is ``lower`` when given, else ``continuation_probability(word, ...)``
    over all the bigram types in ``bigram_counts``. When ``prev`` was never seen (or its
    counts are all 0), return ``P_lower(word)``. Raise ``ValueError`` unless
    ``0 < discount <= 1``.

    Example: with ``{"San": {"Francisco": 3}, "the": {"cat": 1}, "a": {"cat": 1}}`` and
    ``d = 0.75``: ``P(Francisco | San) = 2.25 / 3 + 0.25 * 1/3 = 5/6``.
    """
    raise NotImplementedError("write kneser_ney_bigram_prob: discounted count + weight * lower")
