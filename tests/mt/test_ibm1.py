"""IBM Model 1: EM by hand, NLTK's IBMModel1 as reference, the likelihood property."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from nlpjourney.errors import ModelFormatError
from nlpjourney.ml.base import NotFittedError
from nlpjourney.mt import IBMModel1, multi30k_pairs

TOY = [(["a"], ["x"]), (["a", "b"], ["x", "y"])]


@pytest.fixture(scope="module")
def slice_pairs():
    """The first 150 Multi30k English-French training pairs, as tokens."""
    return multi30k_pairs("train", "en", "fr", limit=150)


@pytest.fixture(scope="module")
def nltk_model(slice_pairs):
    from nltk.translate import AlignedSent
    from nltk.translate import IBMModel1 as NLTKModel1

    # NLTK's AlignedSent(words, mots) aligns `words` (the target) to `mots` (the source).
    bitext = [AlignedSent(target, source) for source, target in slice_pairs]
    return NLTKModel1(bitext, 5), bitext


def test_ibm1_one_em_step_by_hand():
    model = IBMModel1(n_iter=1, null=False).fit(TOY)
    # Uniform start 1/2; pair 2 splits x and y evenly over a and b: counts (x,a) = 1.5,
    # (y,a) = 0.5, (x,b) = (y,b) = 0.5, so t(.|a) = (.75, .25) and t(.|b) = (.5, .5).
    assert model.prob("x", "a") == pytest.approx(0.75)
    assert model.prob("y", "a") == pytest.approx(0.25)
    assert model.prob("x", "b") == pytest.approx(0.5)
    assert model.prob("y", "b") == pytest.approx(0.5)
    before = 3 * math.log(0.5)  # pair 1: t = 1/2; pair 2: two words of mass (1/2+1/2)/2
    after = math.log(0.75) + math.log((0.75 + 0.5) / 2) + math.log((0.25 + 0.5) / 2)
    assert model.log_likelihoods_ == pytest.approx([before, after])
    assert model.log_likelihood(TOY) == pytest.approx(after)


def test_ibm1_table_equals_nltk_on_multi30k(slice_pairs, nltk_model):
    nltk, _ = nltk_model
    # NLTK counts a target word type once per sentence (its normaliser is keyed by the
    # word, so k copies each get 1/k); ours counts every occurrence. On the pairs with
    # repeated target words removed the two are the same EM.
    once = [(s, list(dict.fromkeys(t))) for s, t in slice_pairs]
    ours = IBMModel1(n_iter=5).fit(once).translation_table
    assert sum(len(row) for row in ours.values()) > 10_000
    for target, row in ours.items():
        for source, p in row.items():
            assert p == pytest.approx(nltk.translation_table[target][source], rel=1e-9, abs=1e-12)


def test_ibm1_differs_from_nltk_only_by_repeated_target_words(slice_pairs, nltk_model):
    nltk, _ = nltk_model
    ours = IBMModel1(n_iter=5).fit(slice_pairs)
    repeated = sum(len(set(t)) < len(t) for _, t in slice_pairs)
    assert repeated > 0  # "un homme ... un autre homme": the difference is real
    assert abs(ours.prob("un", "a") - nltk.translation_table["un"]["a"]) > 1e-3


def test_ibm1_viterbi_alignment_equals_nltk_up_to_ties(slice_pairs, nltk_model):
    nltk, bitext = nltk_model
    once = [(s, list(dict.fromkeys(t))) for s, t in slice_pairs]
    model = IBMModel1(n_iter=5).fit(once)
    table = nltk.translation_table
    for (source, target), sentence in zip(slice_pairs, bitext, strict=True):
        ours = dict((j, i) for i, j in model.align(source, target))
        for j, i in sentence.alignment:
            best = table[target[j]][source[i] if i is not None else None]
            mine = ours.get(j)
            # Exact ties (words seen once) can round either way; the probability must agree.
            chosen = table[target[j]][source[mine] if mine is not None else None]
            assert chosen == pytest.approx(best, rel=1e-9)


corpora = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abcde"), min_size=1, max_size=5),
        st.lists(st.sampled_from("vwxyz"), min_size=0, max_size=5),
    ),
    min_size=1,
    max_size=8,
)


@given(pairs=corpora, null=st.booleans())
@example(pairs=[(["a"], ["x", "x"]), (["a", "a", "b"], ["x", "y"])], null=True)
def test_ibm1_log_likelihood_never_decreases(pairs, null):
    if not any(t for _, t in pairs):
        return  # nothing to align: fit refuses it (tested below)
    model = IBMModel1(n_iter=6, null=null).fit(pairs)
    history = np.array(model.log_likelihoods_)
    assert len(history) == 7 and np.all(np.isfinite(history))
    assert np.all(np.diff(history) >= -1e-9 * np.abs(history[:-1]))
    assert model.log_likelihood(pairs) == pytest.approx(history[-1], rel=1e-12)


def test_ibm1_rows_are_distributions_and_posteriors_sum_to_one(slice_pairs):
    model = IBMModel1(n_iter=3).fit(slice_pairs[:60])
    per_source: dict = {}
    for row in model.translation_table.values():
        for source, p in row.items():
            per_source[source] = per_source.get(source, 0.0) + p
    assert np.allclose(list(per_source.values()), 1.0)  # sum over f of t(f|e) = 1
    source, target = slice_pairs[3]
    matrix = model.alignment_matrix(source, target)
    assert matrix.shape == (len(target), len(source) + 1)
    assert np.allclose(matrix.sum(axis=1), 1.0)
    assert model.alignment_matrix(source, target, include_null=False).shape == (
        len(target), len(source))  # fmt: skip
    # The Viterbi link is the posterior's largest entry, ties going to the later word.
    best = matrix.shape[1] - 1 - matrix[:, ::-1].argmax(axis=1)
    assert model.align(source, target) == [(b - 1, j) for j, b in enumerate(best) if b > 0]


def test_ibm1_unknown_words_have_probability_zero():
    model = IBMModel1(n_iter=2).fit(TOY)
    assert model.prob("x", "zzz") == 0.0 and model.prob("zzz", "a") == 0.0
    assert model.prob("x", None) > 0.0
    assert model.align(["a", "b"], ["qqq", "y"]) in ([(1, 1)], [(0, 1)])
    assert model.log_likelihood([(["a"], ["qqq"])]) == -math.inf
    assert np.allclose(model.alignment_matrix(["a"], ["qqq"]), 0.5)  # uniform row


def test_ibm1_without_null_aligns_every_word():
    model = IBMModel1(n_iter=5, null=False).fit(TOY)
    assert model.prob("x", None) == 0.0
    assert model.align(["a", "b"], ["x", "y"]) == [(0, 0), (1, 1)]
    assert model.alignment_matrix(["a", "b"], ["x", "y"]).shape == (2, 2)


def test_ibm1_save_and_load_round_trip(tmp_path, slice_pairs):
    model = IBMModel1(n_iter=2).fit(slice_pairs[:40])
    model.save(tmp_path / "ibm1")
    loaded = IBMModel1.load(tmp_path / "ibm1")
    assert loaded.translation_table == model.translation_table
    assert loaded.log_likelihoods_ == model.log_likelihoods_
    source, target = slice_pairs[5]
    assert loaded.align(source, target) == model.align(source, target)
    with pytest.raises(ModelFormatError, match="no such folder"):
        IBMModel1.load(tmp_path / "absent")


def test_ibm1_rejects_bad_input():
    with pytest.raises(TypeError, match="tokenise"):
        IBMModel1().fit([("a dog", "un chien")])
    with pytest.raises(TypeError, match="pair"):
        IBMModel1().fit([(["a"],)])
    with pytest.raises(ValueError, match="n_iter"):
        IBMModel1(n_iter=-1).fit(TOY)
    with pytest.raises(ValueError, match="at least one"):
        IBMModel1().fit([])
    with pytest.raises(ValueError, match="no words"):
        IBMModel1().fit([(["a"], [])])
    with pytest.raises(ValueError, match="null=True"):
        IBMModel1(null=False).fit([([], ["x"])])
    with pytest.raises(NotFittedError, match="fit"):
        IBMModel1().align(["a"], ["x"])


@pytest.mark.slow
def test_ibm1_aligns_the_hand_aligned_pairs_on_all_of_multi30k():
    from nlpjourney.mt import alignment_scores, hand_aligned_pairs

    model = IBMModel1(n_iter=10).fit(multi30k_pairs("train", "en", "fr"))
    assert np.all(np.diff(model.log_likelihoods_) > 0)
    gold = hand_aligned_pairs("en", "fr")
    predicted = [model.align(p.source, p.target) for p in gold]
    scores = alignment_scores([p.sure for p in gold], [p.possible for p in gold], predicted)
    assert scores.aer < 0.4 and scores.precision > 0.6 and scores.recall > 0.6
