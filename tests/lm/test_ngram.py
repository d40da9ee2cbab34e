"""Tests for nlpjourney.lm.ngram and nlpjourney.lm.kneser_ney.

Parity: MLE, Laplace, Lidstone and stupid backoff give NLTK's scores, log-scores and
perplexities on Brown news, including unseen contexts and out-of-vocabulary words.
Properties: Kneser-Ney sums to one for every context (Brown, and random small corpora
with hypothesis); it beats Laplace on held-out text. The comparison with NLTK's
``KneserNeyInterpolated`` asserts the differences the module docstring states.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.lm import MLE, KneserNeyInterpolated, Laplace, Lidstone, StupidBackoff, Vocabulary
from nltk.lm.preprocessing import padded_everygram_pipeline

from nlpjourney.data import corpora
from nlpjourney.lm.kneser_ney import (
    continuation_counts,
    continuation_probability,
    kneser_ney_bigram_prob,
)
from nlpjourney.lm.ngram import BOS, EOS, UNK, NgramLM, NotFittedError, evaluation_ngrams

GAMMA = 0.1
CUTOFF = 2  # so that training text itself holds <UNK>


@pytest.fixture(scope="module")
def brown() -> tuple[list[list[str]], list[list[str]]]:
    """Brown news: 400 training sentences and 60 held-out ones."""
    sents = corpora.brown_sents("news")
    return sents[:400], sents[2000:2060]


def nltk_model(smoothing: str, order: int, train: list[list[str]], cutoff: int = CUTOFF):
    vocabulary = Vocabulary(unk_cutoff=cutoff)
    model = {
        "mle": lambda: MLE(order, vocabulary=vocabulary),
        "laplace": lambda: Laplace(order, vocabulary=vocabulary),
        "lidstone": lambda: Lidstone(GAMMA, order, vocabulary=vocabulary),
        "stupid_backoff": lambda: StupidBackoff(0.4, order, vocabulary=vocabulary),
        "kneser_ney": lambda: KneserNeyInterpolated(order, discount=0.75, vocabulary=vocabulary),
    }[smoothing]()
    ngrams, words = padded_everygram_pipeline(order, train)
    model.fit(ngrams, words)
    return model


def query_pairs(order: int, train, held_out) -> list[tuple[str, tuple[str, ...]]]:
    """(word, context) pairs: held-out events, random words after them, OOV, shorter contexts."""
    rng = random.Random(order)
    train_words = [w for s in train for w in s]
    pairs = []
    for sentence in held_out[:25]:
        for ngram in evaluation_ngrams(sentence, order):
            context = ngram[:-1]
            pairs.append((ngram[-1], context))
            pairs.append((rng.choice(train_words), context))
            pairs.append(("qwertyuiop", context))
            pairs.append((rng.choice(train_words), context[1:]))  # a lower order
            pairs.append((EOS, context))
    return pairs


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("smoothing", ["mle", "laplace", "lidstone", "stupid_backoff"])
def test_ngram_scores_match_nltk(brown, smoothing, order) -> None:
    train, held_out = brown
    ours = NgramLM(order, smoothing, gamma=GAMMA, unk_cutoff=CUTOFF).fit(train)
    theirs = nltk_model(smoothing, order, train)
    pairs = query_pairs(order, train, held_out)
    ours_p = np.array([ours.prob(w, c) for w, c in pairs])
    theirs_p = np.array([theirs.score(w, c) for w, c in pairs])
    np.testing.assert_allclose(ours_p, theirs_p, rtol=1e-12, atol=0)
    ours_log = np.array([ours.logprob(w, c) for w, c in pairs])
    theirs_log = np.array([theirs.logscore(w, c) for w, c in pairs])
    np.testing.assert_allclose(ours_log, theirs_log, rtol=1e-12, atol=1e-12)
    # The pairs really cover the hard cases.
    assert sum(ours.vocab.lookup(w) == UNK for w, _ in pairs) > 100
    if order > 1:
        unseen = [c for _, c in pairs if tuple(map(ours.vocab.lookup, c)) not in ours.counts[order]]
        assert len(unseen) > 10
    if smoothing == "mle" and order > 1:
        assert (ours_p == 0).sum() > 100 and np.isneginf(ours_log).sum() > 100


@pytest.mark.parametrize("order", [1, 2, 3])
def test_ngram_vocab_and_counts_match_nltk(brown, order) -> None:
    train, _ = brown
    ours = NgramLM(order, unk_cutoff=CUTOFF).fit(train)
    theirs = nltk_model("mle", order, train)
    assert len(ours.vocab) == len(theirs.vocab)
    assert list(ours.vocab) == list(theirs.vocab)
    for word in ["the", "Fulton", "qwertyuiop", BOS, EOS, UNK]:
        assert ours.vocab.lookup(word) == theirs.vocab.lookup(word)
    for k in range(1, order + 1):
        nltk_table = theirs.counts[k]
        ours_table = ours.counts[k]
        if k == 1:
            assert dict(ours_table[()]) == dict(nltk_table)
        else:
            assert set(ours_table) == set(nltk_table.conditions())
            for context, row in ours_table.items():
                assert dict(row) == dict(nltk_table[context])


@pytest.mark.parametrize("order", [1, 2, 3])
def test_ngram_perplexity_matches_nltk(brown, order) -> None:
    train, held_out = brown
    for smoothing, sentences in [
        ("laplace", held_out),
        ("lidstone", held_out),
        ("mle", train[:50]),
    ]:
        # MLE on training sentences: every event was seen, so no zero probabilities.
        ours = NgramLM(order, smoothing, gamma=GAMMA, unk_cutoff=CUTOFF).fit(train)
        theirs = nltk_model(smoothing, order, train)
        ngrams = [g for s in sentences for g in evaluation_ngrams(s, order)]
        expected = theirs.perplexity(ngrams)
        assert math.isfinite(expected)
        assert ours.perplexity(sentences) == pytest.approx(expected, rel=1e-10)


def test_ngram_mle_perplexity_is_infinite_on_unseen_bigrams(brown) -> None:
    train, held_out = brown
    assert NgramLM(2, "mle").fit(train).perplexity(held_out) == math.inf


def test_ngram_evaluation_ngrams_score_each_word_and_one_end() -> None:
    assert evaluation_ngrams(["a", "b"], 2) == [(BOS, "a"), ("a", "b"), ("b", EOS)]
    assert evaluation_ngrams(["a"], 3) == [(BOS, BOS, "a"), (BOS, "a", EOS)]
    assert evaluation_ngrams(["a", "b"], 1) == [("a",), ("b",)]


def test_ngram_stupid_backoff_scores_are_not_probabilities(brown) -> None:
    train, held_out = brown
    lm = NgramLM(3, "stupid_backoff").fit(train)
    assert not lm.is_probability
    totals = [lm.distribution(g[:-1]).sum() for g in evaluation_ngrams(held_out[0], 3)]
    assert any(abs(t - 1) > 0.05 for t in totals)
    with pytest.raises(ValueError, match="not probabilities"):
        lm.perplexity(held_out)


# --- Kneser-Ney ----------------------------------------------------------------------


def test_kneser_ney_functions_on_a_hand_counted_example() -> None:
    bigrams = {("San", "Francisco"): 3, ("the", "cat"): 1, ("a", "cat"): 1, ("a", "dog"): 0}
    assert continuation_counts(bigrams) == {"cat": 2, "Francisco": 1}
    assert continuation_counts([("San", "Francisco")] * 5) == {"Francisco": 1}
    assert continuation_probability("cat", bigrams) == pytest.approx(2 / 3)
    assert continuation_probability("dog", bigrams) == 0.0
    nested = {"San": {"Francisco": 3}, "the": {"cat": 1}, "a": {"cat": 1}}
    # max(3 - 0.75, 0) / 3 + 0.75 * 1 / 3 * P_cont(Francisco) = 0.75 + 0.25 / 3
    assert kneser_ney_bigram_prob("Francisco", "San", nested) == pytest.approx(5 / 6)
    assert kneser_ney_bigram_prob("cat", "San", nested) == pytest.approx(0.25 * 2 / 3)
    assert kneser_ney_bigram_prob("cat", "unseen", nested) == pytest.approx(2 / 3)
    assert kneser_ney_bigram_prob("cat", "San", nested, lower=0.5) == pytest.approx(0.125)
    for prev in ["San", "the", "a", "unseen"]:
        total = sum(kneser_ney_bigram_prob(w, prev, nested) for w in ["Francisco", "cat"])
        assert total == pytest.approx(1.0)
    with pytest.raises(ValueError, match="discount"):
        kneser_ney_bigram_prob("cat", "San", nested, discount=1.5)
    with pytest.raises(TypeError, match="pairs"):
        continuation_counts([("a", "b", "c")])


def test_ngram_kneser_ney_lower_orders_hold_continuation_counts(brown) -> None:
    train, _ = brown
    lm = NgramLM(3, "kneser_ney").fit(train)
    trigram_types = {h + (w,) for h, row in lm.counts[3].items() for w in row}
    expected: dict[tuple[str, ...], set[str]] = {}
    for x, y, z in trigram_types:
        expected.setdefault((y, z), set()).add(x)
    for (y, z), lefts in list(expected.items())[:2000]:
        assert lm._kn_tables[2][(y,)][z] == len(lefts)
    # The San Francisco effect on Brown news: "York" and "people" both occur 52 times,
    # but "York" nearly only after "New"; its continuation count is far smaller.
    full = NgramLM(2, "kneser_ney").fit(corpora.brown_sents("news"))
    unigrams, continuation = full.counts[1][()], full._kn_tables[1][()]
    assert unigrams["York"] == unigrams["people"]
    assert continuation["York"] * 10 < continuation["people"]
    assert full.prob("York", ["the"]) * 5 < full.prob("people", ["the"])


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_ngram_kneser_ney_sums_to_one_on_brown(brown, order) -> None:
    train, held_out = brown
    lm = NgramLM(order, "kneser_ney", unk_cutoff=CUTOFF).fit(train)
    contexts = {g[:-1] for s in held_out[:15] for g in evaluation_ngrams(s, order)}
    contexts |= {("qwerty",) * (order - 1), (EOS,) * (order - 1), (UNK,) * (order - 1), ()}
    events = lm.events
    assert BOS not in events and UNK in events and (EOS in events) == (order > 1)
    for context in contexts:
        assert lm.distribution(context).sum() == pytest.approx(1.0, abs=1e-12)
    for context in list(contexts)[:3]:  # the per-word path, word by word
        per_word = np.array([lm.prob(w, context) for w in events])
        np.testing.assert_allclose(per_word, lm.distribution(context), rtol=1e-12, atol=1e-18)
        assert math.fsum(per_word) == pytest.approx(1.0, abs=1e-12)
        if order > 1:  # at order 1 there is no padding, and "<s>" is an unknown word
            assert lm.prob(BOS, context) == 0.0


@settings(max_examples=60)
@given(
    sentences=st.lists(
        st.lists(st.sampled_from("abcde"), min_size=0, max_size=7), min_size=1, max_size=6
    ).filter(any),
    order=st.integers(1, 4),
    discount=st.floats(0.05, 1.0),
    cutoff=st.integers(1, 2),
    context=st.lists(st.sampled_from(["a", "b", "c", "z", BOS, EOS]), max_size=4),
)
def test_ngram_kneser_ney_sums_to_one_on_random_corpora(
    sentences, order, discount, cutoff, context
) -> None:
    lm = NgramLM(order, "kneser_ney", discount=discount, unk_cutoff=cutoff).fit(sentences)
    probs = [lm.prob(w, context) for w in lm.events]
    assert min(probs) > 0
    assert math.fsum(probs) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("order", [2, 3])
def test_ngram_kneser_ney_beats_laplace_on_held_out_brown(brown, order) -> None:
    train, held_out = brown
    kn = NgramLM(order, "kneser_ney").fit(train).perplexity(held_out)
    laplace = NgramLM(order, "laplace").fit(train).perplexity(held_out)
    assert math.isfinite(kn) and kn < laplace / 2


@pytest.mark.slow
@pytest.mark.parametrize("order", [2, 3])
def test_ngram_kneser_ney_compared_with_nltk(brown, order) -> None:
    """The facts behind the module docstring's comparison with KneserNeyInterpolated."""
    train = brown[0][:60]  # NLTK rescans every n-gram per query: keep it small
    held_out = brown[1][:20]
    ours = NgramLM(order, "kneser_ney", discount=0.75).fit(train)
    theirs = nltk_model("kneser_ney", order, train, cutoff=1)
    pairs = [(g[-1], g[:-1]) for s in held_out for g in evaluation_ngrams(s, order)]
    ours_p = np.array([ours.prob(w, c) for w, c in pairs])
    theirs_p = np.array([theirs.score(w, c) for w, c in pairs])
    unknown = np.array([ours.vocab.lookup(w) == UNK for w, _ in pairs])
    # 1. No uniform floor in NLTK: every unknown word gets probability 0 there, not here.
    assert unknown.sum() > 50
    assert np.all(theirs_p[unknown] == 0) and np.all(ours_p > 0)
    assert theirs.perplexity([c + (w,) for w, c in pairs]) == math.inf
    # 2. Elsewhere the two agree closely (same discount, same counts).
    rel = np.abs(ours_p[~unknown] - theirs_p[~unknown]) / theirs_p[~unknown]
    assert rel.max() < (0.005 if order == 2 else 0.05)
    # 3. After <s> <s>, NLTK's trigram distribution sums to more than 1; ours to 1.
    start = (BOS,) * (order - 1)
    nltk_total = math.fsum(theirs.score(w, start) for w in theirs.vocab)
    assert ours.distribution(start).sum() == pytest.approx(1.0, abs=1e-12)
    if order == 3:
        assert nltk_total > 1.005
        assert theirs.score(BOS, ("the", "jury")) > 0 and ours.prob(BOS, ["the", "jury"]) == 0
    else:
        assert nltk_total == pytest.approx(1.0, abs=1e-9)


def test_ngram_nltk_kneser_ney_fails_at_order_one(brown) -> None:
    train = brown[0][:20]
    with pytest.raises(ZeroDivisionError):
        nltk_model("kneser_ney", 1, train, cutoff=1).score("the")
    assert 0 < NgramLM(1, "kneser_ney").fit(train).prob("the") < 1


# --- generation ----------------------------------------------------------------------


@pytest.mark.parametrize("smoothing", ["mle", "laplace", "kneser_ney", "stupid_backoff"])
def test_ngram_generate_is_reproducible_and_in_vocabulary(brown, smoothing) -> None:
    train, _ = brown
    lm = NgramLM(3, smoothing).fit(train)
    first = lm.generate(40, seed=7)
    assert first == lm.generate(40, seed=7)
    assert first != lm.generate(40, seed=8)
    assert len(first) == 40 and set(first) <= set(lm.vocab) and BOS not in first
    continued = lm.generate(5, seed=1, context=["The", "jury"])
    assert len(continued) == 5 and set(continued) <= set(lm.vocab)
    assert lm.generate(0, seed=1) == []


def test_ngram_mle_generation_follows_seen_trigrams(brown) -> None:
    train, _ = brown
    lm = NgramLM(3, "mle").fit(train)
    history = [BOS, BOS]
    for word in lm.generate(60, seed=3):
        assert lm.counts[3][tuple(history[-2:])][word] > 0
        history = [BOS, BOS] if word == EOS else history + [word]


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize("order", [0, -1, 1.5, True, "2"])
def test_ngram_rejects_bad_order(order) -> None:
    with pytest.raises(ValueError, match="order must be an integer of at least 1"):
        NgramLM(order)


def test_ngram_rejects_unknown_smoothing_and_bad_parameters() -> None:
    with pytest.raises(ValueError, match="unknown smoothing 'kneser'.*kneser_ney"):
        NgramLM(2, "kneser")
    with pytest.raises(ValueError, match="discount"):
        NgramLM(2, "kneser_ney", discount=1.5)
    with pytest.raises(ValueError, match="gamma"):
        NgramLM(2, "lidstone", gamma=0)
    with pytest.raises(ValueError, match="unk_cutoff"):
        NgramLM(2, unk_cutoff=0)


def test_ngram_needs_fit_before_use() -> None:
    lm = NgramLM(2, "laplace")
    for call in [
        lambda: lm.prob("a", ["b"]),
        lambda: lm.logprob("a"),
        lambda: lm.perplexity([["a"]]),
        lambda: lm.generate(3, seed=0),
        lambda: lm.vocab,
    ]:
        with pytest.raises(NotFittedError, match="call fit"):
            call()


def test_ngram_rejects_strings_where_tokens_belong() -> None:
    with pytest.raises(TypeError, match="split the text into words"):
        NgramLM(2).fit(["the cat sat"])
    lm = NgramLM(2).fit([["the", "cat"]])
    with pytest.raises(TypeError, match="split the text into words"):
        lm.prob("cat", "the")
    with pytest.raises(ValueError, match="non-empty"):
        NgramLM(1).fit([[]])
