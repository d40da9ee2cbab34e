"""bm25_idf and bm25_tf against bm25s's own score functions and score matrix, on Cranfield."""

from __future__ import annotations

import os

os.environ.setdefault("DISABLE_TQDM", "1")

from functools import cache

import bm25s
import numpy as np
import pytest
from bm25s import scoring as ref
from support.bm25_corpora import cranfield_texts

from nlpjourney.retrieval import InvertedIndex, bm25_idf, bm25_tf
from nlpjourney.retrieval.scoring import BM25_METHODS


@cache
def cranfield_tokens() -> list[list[str]]:
    docs, _ = cranfield_texts()
    return bm25s.tokenize(list(docs), return_ids=False, stopwords="en", show_progress=False)


@pytest.mark.parametrize("method", BM25_METHODS)
def test_scoring_idf_equals_bm25s_on_cranfield(method: str) -> None:
    index = InvertedIndex.build(cranfield_tokens())
    df = index.df
    ours = bm25_idf(df, index.n_docs, method)
    theirs = np.array([ref._select_idf_scorer(method)(int(d), N=index.n_docs) for d in df])
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
    if method == "robertson":  # the clipped idf of terms in more than half the documents
        assert (ours >= 0).all()


@pytest.mark.parametrize("method", BM25_METHODS)
def test_scoring_tf_equals_bm25s_on_cranfield(method: str) -> None:
    index = InvertedIndex.build(cranfield_tokens())
    tf = index.tfs.astype(np.float64)
    doc_len = index.doc_lengths[index.doc_ids]
    ours = bm25_tf(tf, doc_len, index.avgdl, k1=1.2, b=0.6, method=method, delta=0.7)
    fn = ref._select_tfc_scorer(method)
    theirs = fn(tf_array=tf, l_d=doc_len, l_avg=index.avgdl, k1=1.2, b=0.6, delta=0.7)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("method", BM25_METHODS)
def test_scoring_product_equals_bm25s_score_matrix(method: str) -> None:
    """idf * tf is bm25s's per-(term, document) score (its matrix holds it minus the
    non-occurrence score for BM25L and BM25+)."""
    corpus = cranfield_tokens()
    index = InvertedIndex.build(corpus)
    model = bm25s.BM25(method=method)
    model.index(corpus, show_progress=False)
    scores = model.scores
    for term in ["flow", "boundary", "results", "hypersonic", "wing"]:
        t = model.vocab_dict[term]
        lo, hi = scores["indptr"][t], scores["indptr"][t + 1]
        their_docs = scores["indices"][lo:hi]
        theirs = scores["data"][lo:hi].astype(np.float64)
        if model.nonoccurrence_array is not None:
            theirs += model.nonoccurrence_array[t]
        docs, tfs = index.postings(term)
        np.testing.assert_array_equal(docs, their_docs)
        idf = bm25_idf(index.df[index.term_ids[term]], index.n_docs, method)
        ours = idf * bm25_tf(tfs, index.doc_lengths[docs], index.avgdl, method=method)
        np.testing.assert_allclose(ours, theirs, rtol=1e-5)


def test_scoring_idf_of_an_absent_term_is_zero() -> None:
    for method in BM25_METHODS:
        assert bm25_idf(np.array([0, 3]), 10, method)[0] == 0.0


def test_scoring_delta_floor_applies_at_zero_tf() -> None:
    zero = bm25_tf(np.zeros(3), np.array([5, 10, 50]), 10.0, k1=1.5, method="bm25+", delta=1.0)
    np.testing.assert_allclose(zero, 1.0)
    for method in ("robertson", "lucene", "atire"):
        assert bm25_tf(0.0, 10, 10.0, method=method) == 0.0


def test_scoring_saturates_and_normalises_length() -> None:
    tf = np.arange(1, 50, dtype=float)
    part = bm25_tf(tf, 10, 10.0, k1=1.5, method="atire")
    assert (np.diff(part) > 0).all() and part[-1] < 2.5  # rises towards k1 + 1
    long_doc, short_doc = bm25_tf(2.0, np.array([40, 5]), 10.0, b=0.75)
    assert long_doc < short_doc
    flat = bm25_tf(2.0, np.array([40, 5]), 10.0, b=0.0)
    assert flat[0] == flat[1]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bm25_idf(np.array([1]), 10, "okapi"), "unknown BM25 method"),
        (lambda: bm25_idf(np.array([-1]), 10), r"\[0, n_docs=10\]"),
        (lambda: bm25_idf(np.array([11]), 10), r"\[0, n_docs=10\]"),
        (lambda: bm25_idf(np.array([1]), 0), "n_docs must be at least 1"),
        (lambda: bm25_tf(1.0, 5, 5.0, k1=-0.1), "k1 must be >= 0"),
        (lambda: bm25_tf(1.0, 5, 5.0, b=1.5), "b must be between 0 and 1"),
        (lambda: bm25_tf(-1.0, 5, 5.0), "term frequencies must be >= 0"),
        (lambda: bm25_tf(1.0, -5, 5.0), "document lengths must be >= 0"),
        (lambda: bm25_tf(1.0, 5, 0.0), "avgdl"),
        (lambda: bm25_tf(1.0, 5, 5.0, method="bm25"), "choose one of"),
    ],
)
def test_scoring_bad_input_says_what_is_wrong(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
