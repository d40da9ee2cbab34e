"""TfidfRanker against scikit-learn's TfidfVectorizer cosines on all 225 Cranfield queries;
QueryLikelihood against a direct dense computation of the Dirichlet formula; the ranker
contract (ties, empty and unknown queries, weighted queries, batches) and top_k."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.feature_extraction.text import TfidfVectorizer as SkTfidf

from nlpjourney.data.corpora import cranfield
from nlpjourney.features import CountVectorizer
from nlpjourney.retrieval import QueryLikelihood, TfidfRanker
from nlpjourney.retrieval._topk import top_k_rows
from nlpjourney.retrieval.ranking import count_matrix
from nlpjourney.text import PorterStemmer


@pytest.fixture(scope="module")
def cran() -> tuple[list[list[str]], list[list[str]]]:
    """Cranfield's documents and queries: lower-cased, English stop words out, stemmed."""
    collection = cranfield()
    words = CountVectorizer(stop_words="english").build_analyzer()
    stem = functools.lru_cache(maxsize=None)(PorterStemmer().stem)

    def analyze(text: str) -> list[str]:
        return [stem(word) for word in words(text)]

    docs = [analyze(text) for _, _, text in collection.documents]
    return docs, [analyze(text) for _, text in collection.queries]


def reference_top(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Full sort: score descending, then lower id."""
    order = np.lexsort((np.arange(len(scores)), -scores))[:k]
    return order, scores[order]


@pytest.mark.parametrize(
    ("sublinear_tf", "smooth_idf"), [(False, True), (True, True), (True, False)]
)
def test_ranking_tfidf_equals_sklearn_cosine_on_cranfield(
    cran: tuple[list[list[str]], list[list[str]]], sublinear_tf: bool, smooth_idf: bool
) -> None:
    docs, queries = cran
    sk = SkTfidf(analyzer=lambda tokens: tokens, sublinear_tf=sublinear_tf, smooth_idf=smooth_idf)
    cosines = (sk.fit_transform(docs) @ sk.transform(queries).T).toarray()
    ranker = TfidfRanker(sublinear_tf=sublinear_tf, smooth_idf=smooth_idf).index(docs)
    ids, scores = ranker.search_many(queries, k=10)
    for j in range(len(queries)):
        expected_ids, expected_scores = reference_top(cosines[:, j], 10)
        np.testing.assert_allclose(scores[j], expected_scores, rtol=0, atol=1e-12)
        # Ids may only differ where sklearn's cosine ties to within rounding.
        mismatch = ids[j] != expected_ids
        np.testing.assert_allclose(
            cosines[ids[j][mismatch], j], expected_scores[mismatch], atol=1e-12
        )


def dense_query_likelihood(docs: list[list[str]], query: dict[str, float], mu: float) -> np.ndarray:
    """log P(q | d) straight from the formula, one document at a time."""
    counts, vocabulary = count_matrix(docs)
    dense = counts.toarray().astype(float)
    collection = dense.sum(axis=0) / dense.sum()
    scores = np.zeros(len(docs))
    for d in range(len(docs)):
        for token, weight in query.items():
            if token in vocabulary:
                w = vocabulary[token]
                p = (dense[d, w] + mu * collection[w]) / (dense[d].sum() + mu)
                scores[d] += weight * np.log(p)
    return scores


@pytest.mark.parametrize("mu", [1.0, 300.0, 2000.0])
def test_ranking_query_likelihood_equals_dense_formula(
    cran: tuple[list[list[str]], list[list[str]]], mu: float
) -> None:
    docs, queries = cran
    docs = docs[:80]
    ranker = QueryLikelihood(mu=mu).index(docs)
    for query in queries[:20]:
        weighted = {}
        for token in [*query, "zzzunknown"]:
            weighted[token] = weighted.get(token, 0.0) + 1.0
        expected = dense_query_likelihood(docs, weighted, mu)
        ids, scores = ranker.search(query + ["zzzunknown"], k=len(docs))
        np.testing.assert_allclose(scores, expected[ids], rtol=1e-12, atol=1e-9)
        np.testing.assert_array_equal(ids, reference_top(expected, len(docs))[0])
    weighted_query = {queries[0][0]: 0.7, queries[0][-1]: 0.3}
    ids, scores = ranker.search(weighted_query, k=5)
    np.testing.assert_allclose(
        scores, dense_query_likelihood(docs, weighted_query, mu)[ids], rtol=1e-12
    )


@pytest.mark.parametrize("make", [TfidfRanker, QueryLikelihood])
def test_ranking_contract(make: type) -> None:
    docs = [["b", "a"], ["a", "a", "c"], [], ["b", "a"], ["c"]]
    ranker = make().index(docs)
    # An empty or all-unknown query: the first k ids, scores 0.
    for query in ([], ["zz"], {}):
        ids, scores = ranker.search(query, k=3)
        assert ids.tolist() == [0, 1, 2] and scores.tolist() == [0.0, 0.0, 0.0]
    # Documents 0 and 3 are identical: the lower id first.
    ids, _ = ranker.search(["b"], k=10)
    assert ids.dtype == np.int64 and len(ids) == 5 and ids.tolist()[:2] == [0, 3]
    # A repeated token counts each time, as a weight of 2 does.
    np.testing.assert_allclose(
        ranker.search(["a", "a", "c"], k=5)[1], ranker.search({"a": 2.0, "c": 1.0}, k=5)[1]
    )
    many_ids, many_scores = ranker.search_many([["a"], ["c", "b"]], k=4)
    assert many_ids.shape == many_scores.shape == (2, 4)
    np.testing.assert_array_equal(many_ids[1], ranker.search(["c", "b"], k=4)[0])


def test_ranking_bad_input() -> None:
    with pytest.raises(ValueError, match="no index yet"):
        TfidfRanker().search(["a"])
    ranker = QueryLikelihood().index([["a"]])
    with pytest.raises(TypeError, match="split it first"):
        ranker.search("a b")
    with pytest.raises(ValueError, match="k must be a positive int"):
        ranker.search(["a"], k=0)
    with pytest.raises(TypeError, match="for one query use search"):
        ranker.search_many(["a", "b"][0])
    with pytest.raises(TypeError, match="document 0 is a str"):
        TfidfRanker().index(["a b"])
    with pytest.raises(ValueError, match="mu must be a positive"):
        QueryLikelihood(mu=0).index([["a"]])


@settings(max_examples=200, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 40), elements=st.sampled_from([0.0, 1.0, 2.0, -1.5])),
    st.integers(1, 45),
)
def test_ranking_top_k_equals_a_full_sort(scores: np.ndarray, k: int) -> None:
    ids, top = top_k_rows(scores[None, :], k)  # the rankers' top-k, one row
    expected_ids, expected = reference_top(scores, k)
    np.testing.assert_array_equal(ids[0], expected_ids)
    np.testing.assert_array_equal(top[0], expected)
