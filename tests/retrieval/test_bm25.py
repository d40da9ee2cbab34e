"""BM25: top-10 ids and scores equal bm25s's for every method on Cranfield (all 225
queries), rank_bm25 where its variants are the same formula, the ranker contract, top-k
without a sort, save/load, and bad input.

rank_bm25, method by method:

- ``BM25Okapi`` uses Robertson's idf with the tf part ``tf (k1 + 1) / (tf + k1 L)``
  (ATIRE's), and replaces a negative idf by ``epsilon`` times the mean idf. With
  ``epsilon=0`` that is Robertson's clipping, so its scores are ``(k1 + 1)`` times our
  ``"robertson"`` scores (whose tf part has no ``k1 + 1``).
- ``BM25Plus`` is our ``"bm25+"`` exactly, once given the same ``delta`` (its default is 1,
  bm25s's 0.5).
- ``BM25L`` differs: it multiplies the BM25L term score by the term frequency once more
  and gives documents without the term nothing, so it is not compared.
"""

from __future__ import annotations

import os

os.environ.setdefault("DISABLE_TQDM", "1")

from functools import cache

import bm25s
import numpy as np
import pytest
import rank_bm25
from hypothesis import given, settings
from hypothesis import strategies as st
from support.bm25_corpora import cranfield_texts

from nlpjourney.retrieval import BM25, IndexFormatError, InvertedIndex
from nlpjourney.retrieval._kernels import top_k
from nlpjourney.retrieval.scoring import BM25_METHODS, bm25_idf, bm25_tf


@cache
def cranfield() -> tuple[list[list[str]], list[list[str]]]:
    docs, queries = cranfield_texts()
    tokenize = lambda texts: bm25s.tokenize(  # noqa: E731
        list(texts), return_ids=False, stopwords="en", show_progress=False
    )
    return tokenize(docs), tokenize(queries)


def assert_same_ranking(ids, scores, ref_ids, ref_scores, k: int) -> None:
    """Scores equal to 1e-5; ids equal wherever a rank's score is not tied with a
    neighbour (k + 1 results are given, so a tie across the cut is seen)."""
    np.testing.assert_allclose(scores[:, :k], ref_scores[:, :k], atol=1e-5, rtol=0)
    for q in range(len(ids)):
        for i in range(k):
            near = [scores[q, j] for j in (i - 1, i + 1) if 0 <= j <= k]
            tied = any(abs(scores[q, i] - s) <= 1e-9 for s in near)
            assert tied or ids[q, i] == ref_ids[q, i], f"query {q}, rank {i}"


@pytest.mark.parametrize("method", BM25_METHODS)
def test_bm25_equals_bm25s_on_cranfield(method: str) -> None:
    corpus, queries = cranfield()
    ours = BM25(method=method).index(corpus)
    ids, scores = ours.search_many(queries, k=11)
    ref = bm25s.BM25(method=method)
    ref.index(corpus, show_progress=False)
    ref_ids, ref_scores = ref.retrieve(queries, k=11, show_progress=False)
    assert ids.shape == (225, 11) and ids.dtype == np.int64
    assert_same_ranking(ids, scores, ref_ids, ref_scores, k=10)


def test_bm25_equals_bm25s_with_other_parameters() -> None:
    corpus, queries = cranfield()
    for method, k1, b, delta in [("lucene", 0.9, 0.4, None), ("bm25l", 1.2, 1.0, 1.0)]:
        ours = BM25(k1=k1, b=b, method=method, delta=delta).index(corpus)
        ref = bm25s.BM25(k1=k1, b=b, method=method, delta=0.5 if delta is None else delta)
        ref.index(corpus, show_progress=False)
        ids, scores = ours.search_many(queries[:50], k=11)
        ref_ids, ref_scores = ref.retrieve(queries[:50], k=11, show_progress=False)
        assert_same_ranking(ids, scores, ref_ids, ref_scores, k=10)


@pytest.mark.slow
def test_bm25_equals_bm25s_on_20000_passages() -> None:
    from nlpjourney.data import corpora

    words = " ".join(text for text, _ in corpora.movie_reviews()).split()
    texts = [" ".join(words[i : i + 70]) for i in range(0, 70 * 20_000, 70)]
    corpus = bm25s.tokenize(texts, return_ids=False, stopwords="en", show_progress=False)
    queries = [doc[:8] for doc in corpus[::100]]
    for method in BM25_METHODS:
        ids, scores = BM25(method=method).index(corpus).search_many(queries, k=11)
        ref = bm25s.BM25(method=method)
        ref.index(corpus, show_progress=False)
        ref_ids, ref_scores = ref.retrieve(queries, k=11, show_progress=False)
        assert_same_ranking(ids, scores, ref_ids, ref_scores, k=10)


def _all_scores(ranker: BM25, query: list[str]) -> np.ndarray:
    ids, scores = ranker.search(query, k=ranker.n_docs)
    full = np.empty(ranker.n_docs, dtype=np.float64)
    full[ids] = scores
    return full


def test_bm25_okapi_of_rank_bm25_is_k1_plus_1_times_robertson() -> None:
    corpus, queries = cranfield()
    ours = BM25(k1=1.2, method="robertson").index(corpus)
    okapi = rank_bm25.BM25Okapi(corpus, k1=1.2, epsilon=0.0)
    for query in queries[:15]:
        np.testing.assert_allclose(
            2.2 * _all_scores(ours, query), okapi.get_scores(query), rtol=1e-5, atol=1e-5
        )


def test_bm25_plus_equals_rank_bm25_plus() -> None:
    corpus, queries = cranfield()
    ours = BM25(method="bm25+", delta=1.0).index(corpus)
    plus = rank_bm25.BM25Plus(corpus, delta=1.0)
    for query in queries[:15]:
        np.testing.assert_allclose(
            _all_scores(ours, query), plus.get_scores(query), rtol=1e-5, atol=1e-5
        )


def test_bm25_weighted_query_is_a_weighted_sum_of_term_scores() -> None:
    corpus, _ = cranfield()
    for method in ("lucene", "bm25+"):
        ranker = BM25(method=method).index(corpus)
        weighted = _all_scores(ranker, {"flow": 0.5, "wing": 2.0, "unknownword": 9.0})
        alone = 0.5 * _all_scores(ranker, ["flow"]) + 2.0 * _all_scores(ranker, ["wing"])
        np.testing.assert_allclose(weighted, alone, rtol=1e-5, atol=1e-6)
        # A repeated token counts each time, as a weight of 2.
        np.testing.assert_allclose(
            _all_scores(ranker, ["wing", "wing"]), _all_scores(ranker, {"wing": 2.0}), rtol=1e-6
        )


def test_bm25_contract_unknown_and_empty_queries_and_small_corpora() -> None:
    ranker = BM25().index([["a", "b"], ["b", "c"], ["c"], ["a", "a"]])
    ids, scores = ranker.search(["zzz"], k=3)
    np.testing.assert_array_equal(ids, [0, 1, 2])
    np.testing.assert_array_equal(scores, [0, 0, 0])
    ids, scores = ranker.search([], k=10)  # k past the corpus: every document once
    np.testing.assert_array_equal(ids, [0, 1, 2, 3])
    ids, _ = ranker.search(["c", "zzz"], k=4)
    assert set(ids[:2]) == {1, 2} and list(ids[2:]) == [0, 3]  # zero scores fill, by id
    ids, scores = ranker.search_many([["a"], ["c"]], k=2)
    assert ids.shape == scores.shape == (2, 2)
    assert ranker.vocabulary == ["a", "b", "c"]


def test_bm25_ties_go_to_the_lower_document_id() -> None:
    ranker = BM25().index([["x"], ["y", "z"], ["y", "z"], ["q"], ["y", "z"]])
    ids, scores = ranker.search(["y"], k=4)
    np.testing.assert_array_equal(ids, [1, 2, 4, 0])
    assert scores[0] == scores[1] == scores[2] > scores[3] == 0


words = st.sampled_from(["a", "b", "c", "d", "e", "f"])


@settings(max_examples=40, deadline=None)
@given(
    corpus=st.lists(st.lists(words, max_size=8), min_size=1, max_size=12),
    query=st.dictionaries(words, st.floats(-2, 3, allow_nan=False), max_size=4),
    method=st.sampled_from(BM25_METHODS),
    k=st.integers(1, 15),
)
def test_bm25_search_equals_a_dense_numpy_ranking(corpus, query, method, k) -> None:
    """Any corpus, any weighted query: the ranking a dense document-term loop gives."""
    ranker = BM25(method=method).index(corpus)
    ids, scores = ranker.search(query, k=k)
    n = len(corpus)
    lengths = np.array([len(doc) for doc in corpus], dtype=np.float64)
    avgdl = max(lengths.mean(), 1e-12)
    dense = np.zeros(n)
    for term, weight in query.items():
        tf = np.array([doc.count(term) for doc in corpus], dtype=np.float64)
        df = int((tf > 0).sum())
        if df:
            part = bm25_tf(tf, lengths, avgdl, method=method)
            dense += weight * bm25_idf(df, n, method) * part
    dense = dense.astype(np.float32)
    assert len(ids) == min(k, n)
    np.testing.assert_allclose(scores, np.sort(dense)[::-1][: len(ids)], atol=1e-4)
    # ids may differ only among (nearly) equal scores, and then the lower id comes first
    np.testing.assert_allclose(dense[ids], scores, atol=1e-4)


def test_bm25_top_k_equals_its_numpy_twin() -> None:
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 20, size=3_000).astype(np.float32)  # many ties
    for k in (1, 10, 3_000):
        ids, best = np.empty(k, np.int64), np.empty(k, np.float32)
        top_k(scores, np.float32(0.5), k, ids, best)
        twin = np.argsort(-scores, kind="stable")[:k]  # by score, then by lower id
        np.testing.assert_array_equal(ids, twin)
        np.testing.assert_array_equal(best, scores[twin] + np.float32(0.5))


def test_bm25_search_does_not_sort(monkeypatch) -> None:
    corpus, queries = cranfield()
    ranker = BM25().index(corpus)
    expected = ranker.search_many(queries[:20], k=10)

    def refuse(*args, **kwargs):
        raise AssertionError("search must select the top k without sorting every score")

    for name in ("sort", "argsort", "lexsort", "argpartition", "partition"):
        monkeypatch.setattr(np, name, refuse)
    got = ranker.search_many(queries[:20], k=10)
    np.testing.assert_array_equal(got[0], expected[0])


def test_bm25_from_index_of_texts_equals_index_of_analyzed_tokens() -> None:
    docs, queries = cranfield_texts()
    inverted = InvertedIndex.from_texts(docs)
    ranker = BM25.from_index(inverted, method="atire")
    same = BM25(method="atire").index([inverted.analyze(doc) for doc in docs])
    for query in queries[:10]:
        terms = ranker.analyze(query)
        np.testing.assert_array_equal(ranker.search(terms)[0], same.search(terms)[0])


@pytest.mark.parametrize("method", ["lucene", "bm25l"])
def test_bm25_save_load_round_trip_memory_mapped(tmp_path, method: str) -> None:
    corpus, queries = cranfield()
    ranker = BM25(method=method, k1=1.1).index(corpus)
    ranker.save(tmp_path / "bm25")
    loaded = BM25.load(tmp_path / "bm25")
    assert isinstance(loaded.posting_scores_, np.memmap)
    assert (loaded.k1, loaded.method) == (1.1, method)
    for got, want in zip(
        loaded.search_many(queries, 10), ranker.search_many(queries, 10), strict=True
    ):
        np.testing.assert_array_equal(got, want)


def test_bm25_load_of_a_plain_index_folder_says_what_to_do(tmp_path) -> None:
    InvertedIndex.build([["a"], ["b"]]).save(tmp_path / "idx")
    with pytest.raises(IndexFormatError, match="from_index"):
        BM25.load(tmp_path / "idx")
    (tmp_path / "idx" / "bm25.json").write_text("{}", "utf-8")
    with pytest.raises(IndexFormatError, match="corrupt"):
        BM25.load(tmp_path / "idx")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: BM25(method="okapi").index([["a"]]), ValueError, "unknown BM25 method"),
        (lambda: BM25(k1=-1).index([["a"]]), ValueError, "k1 must be >= 0"),
        (lambda: BM25(b=2).index([["a"]]), ValueError, "b must be between"),
        (lambda: BM25(method="bm25+", delta=-1).index([["a"]]), ValueError, "delta"),
        (lambda: BM25().index([]), ValueError, "corpus is empty"),
        (lambda: BM25().index(["a text"]), TypeError, "list of tokens"),
        (lambda: BM25().search(["a"]), ValueError, "no index yet"),
        (lambda: BM25().index([["a"]]).search("a text"), TypeError, "split it first"),
        (lambda: BM25().index([["a"]]).search(["a"], k=0), ValueError, "k must be"),
        (lambda: BM25().index([["a"]]).search_many(["a"]), TypeError, "split it first"),
        (lambda: BM25().index([["a"]]).search_many({"a": 1.0}), TypeError, "list of queries"),
        (lambda: BM25.from_index([["a"]]), TypeError, "needs an InvertedIndex"),
        (lambda: BM25().index([["a"]]).search({"a": float("nan")}), ValueError, "finite"),
    ],
)
def test_bm25_bad_input_says_what_is_wrong(call, error, message: str) -> None:
    with pytest.raises(error, match=message):
        call()
