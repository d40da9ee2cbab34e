"""Tests for nlpjourney.features.tfidf: the TF-IDF formulas and TfidfVectorizer.

Parity with scikit-learn's ``TfidfVectorizer`` (matrix, ``idf_``, feature names) on movie
reviews and SMS spam over a grid of weighting, norm, analyzer and pruning options, and
of the free functions with ``TfidfTransformer`` on dense count matrices; properties of
the normalization.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.feature_extraction import text as sk

from nlpjourney.data import corpora
from nlpjourney.features import CountVectorizer, TfidfVectorizer
from nlpjourney.features import tfidf as tf

WEIGHTING = [
    {},
    {"norm": "l1"},
    {"norm": None},
    {"use_idf": False},
    {"smooth_idf": False},
    {"sublinear_tf": True},
    {"sublinear_tf": True, "smooth_idf": False, "norm": "l1"},
    {"binary": True, "norm": None},
    {"dtype": np.float32},
]
ANALYSIS = [
    {"ngram_range": (1, 2)},
    {"ngram_range": (2, 3), "sublinear_tf": True},
    {"analyzer": "char", "ngram_range": (2, 4)},
    {"analyzer": "char_wb", "ngram_range": (1, 3), "norm": None},
    {"min_df": 2, "max_df": 0.8},
    {"min_df": 0.02, "max_df": 30},
    {"max_features": 100, "ngram_range": (1, 2)},
]


def _pair(**params):
    return TfidfVectorizer(**params), sk.TfidfVectorizer(**params)


def _check_fitted_pair(ours, theirs, docs, same_matrix) -> None:
    same_matrix(ours.fit_transform(docs), theirs.fit_transform(docs))
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    if ours.use_idf:
        assert ours.idf_.dtype == theirs.idf_.dtype
        rtol = 1e-6 if ours.idf_.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(ours.idf_, theirs.idf_, rtol=rtol)
    else:
        assert not hasattr(ours, "idf_")


@pytest.mark.parametrize("corpus", ["movie_reviews", "sms_spam"])
@pytest.mark.parametrize("params", WEIGHTING + ANALYSIS, ids=repr)
def test_tfidf_matches_sklearn(corpus, params, corpus_samples, same_matrix) -> None:
    _check_fitted_pair(*_pair(**params), corpus_samples[corpus], same_matrix)


@pytest.mark.parametrize("params", [{}, {"sublinear_tf": True, "norm": "l1"}, {"use_idf": False}])
def test_tfidf_transform_unseen_documents(params, sms_all, same_matrix) -> None:
    train, unseen = sms_all[:500], sms_all[-400:]
    ours, theirs = _pair(**params)
    ours.fit(train)
    theirs.fit(train)
    same_matrix(ours.transform(unseen), theirs.transform(unseen))


def test_tfidf_stop_words_and_fixed_vocabulary(movie_sample, same_matrix) -> None:
    stop_words = corpora.stopword_list("english")
    _check_fitted_pair(*_pair(stop_words=stop_words), movie_sample, same_matrix)
    vocabulary = ["bad", "film", "good", "never-seen-term", "plot", "the"]
    for smooth in (True, False):  # unsmoothed: an unseen term's idf is inf, as sklearn's
        ours, theirs = _pair(vocabulary=vocabulary, smooth_idf=smooth)
        with np.errstate(divide="ignore"):
            _check_fitted_pair(ours, theirs, movie_sample, same_matrix)


def test_tfidf_rows_have_unit_norm(sms_sample) -> None:
    for norm, order in (("l2", 2), ("l1", 1)):
        weights = TfidfVectorizer(norm=norm).fit_transform(sms_sample)
        sizes = np.linalg.norm(weights.toarray(), ord=order, axis=1)
        nonempty = weights.getnnz(axis=1) > 0
        np.testing.assert_allclose(sizes[nonempty], 1.0, rtol=1e-12)
        assert np.all(sizes[~nonempty] == 0)


def test_tfidf_vectorizer_is_counts_then_the_formulas(sms_sample) -> None:
    counts = CountVectorizer().fit_transform(sms_sample).toarray()
    weights = TfidfVectorizer(sublinear_tf=True).fit_transform(sms_sample).toarray()
    np.testing.assert_allclose(weights, tf.tfidf_from_counts(counts, sublinear_tf=True))


# --- the free functions on dense counts ----------------------------------------------

count_matrices = hnp.arrays(
    np.int64,
    st.tuples(st.integers(1, 8), st.integers(1, 8)),
    elements=st.integers(0, 5),
)


@given(count_matrices, st.booleans(), st.booleans(), st.sampled_from(["l1", "l2", None]))
def test_tfidf_from_counts_matches_tfidftransformer(counts, smooth, sublinear, norm) -> None:
    transformer = sk.TfidfTransformer(norm=norm, smooth_idf=smooth, sublinear_tf=sublinear)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = transformer.fit_transform(counts).toarray()
        dense = tf.tfidf_from_counts(counts, smooth, sublinear, norm)
        sparse = tf.tfidf_from_counts(sp.csr_matrix(counts), smooth, sublinear, norm)
    np.testing.assert_allclose(dense, expected, rtol=1e-12)
    np.testing.assert_allclose(sparse.toarray(), expected, rtol=1e-12)
    assert isinstance(dense, np.ndarray) and sp.issparse(sparse)


@given(count_matrices)
def test_tfidf_document_frequency_dense_equals_sparse(counts) -> None:
    expected = (counts > 0).sum(axis=0)
    np.testing.assert_array_equal(tf.document_frequency(counts), expected)
    np.testing.assert_array_equal(tf.document_frequency(sp.csr_matrix(counts)), expected)


def test_tfidf_idf_worked_example() -> None:
    np.testing.assert_allclose(tf.idf([3, 1], 3, smooth=False), [1.0, 1.0 + np.log(3)])
    np.testing.assert_allclose(tf.idf([3, 1], 3, smooth=True), [1.0, 1.0 + np.log(2)])


def test_tfidf_normalize_rows_leaves_zero_rows_and_the_input() -> None:
    dense = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(tf.normalize_rows(dense, "l2"), [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(tf.normalize_rows(dense, "l1"), [[3 / 7, 4 / 7], [0.0, 0.0]])
    assert dense[0, 0] == 3.0
    counts = np.array([[1, 2], [0, 3]])
    tf.tfidf_from_counts(sp.csr_matrix(counts))
    tf.tfidf_from_counts(counts)
    np.testing.assert_array_equal(counts, [[1, 2], [0, 3]])


def test_tfidf_bad_input() -> None:
    with pytest.raises(ValueError, match="norm must be"):
        TfidfVectorizer(norm="l3").fit(["aa bb"])
    with pytest.raises(ValueError, match="float32 or float64"):
        TfidfVectorizer(dtype=np.int64).fit(["aa bb"])
    with pytest.raises(ValueError, match="not fitted"):
        TfidfVectorizer().transform(["aa bb"])
    with pytest.raises(ValueError, match="Iterable over raw text documents expected"):
        TfidfVectorizer().fit_transform("aa bb")
    with pytest.raises(ValueError, match="2-D"):
        tf.tfidf_from_counts(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="df <= n_documents"):
        tf.idf([5, 1], n_documents=3)


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["movie_reviews", "sms_spam"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.9},
        {"analyzer": "char_wb", "ngram_range": (2, 4), "sublinear_tf": True},
        {"analyzer": "char", "ngram_range": (1, 3), "norm": "l1"},
        {"max_features": 5000, "ngram_range": (1, 3), "smooth_idf": False},
    ],
    ids=repr,
)
def test_tfidf_full_corpus_matches_sklearn(
    corpus, params, movie_reviews_all, sms_all, same_matrix
) -> None:
    docs = movie_reviews_all if corpus == "movie_reviews" else sms_all
    _check_fitted_pair(*_pair(**params), docs, same_matrix)
