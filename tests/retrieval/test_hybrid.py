"""Hybrid ranking: reciprocal rank fusion by hand and by property, score interpolation's
edge cases, and the HybridRanker over a stand-in lexical ranker and a toy dense side."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlpjourney.retrieval import (
    BM25,
    DenseRetriever,
    HybridRanker,
    interpolate_scores,
    reciprocal_rank_fusion,
)


class Overlap:
    """A stand-in lexical ranker of the contract: score = query tokens the document has."""

    def index(self, corpus_tokens: Sequence[Sequence[str]]) -> Overlap:
        self.docs = [list(tokens) for tokens in corpus_tokens]
        return self

    def search(self, query: Sequence[str], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        scores = np.array([sum(doc.count(t) for t in query) for doc in self.docs], float)
        order = np.lexsort((np.arange(len(scores)), -scores))[:k]
        return order.astype(np.int64), scores[order]


class Letters:
    def embed(self, texts: list[str]) -> np.ndarray:
        return np.array([[t.count("a"), t.count("b"), t.count("c")] for t in texts], float)


def test_hybrid_rrf_by_hand() -> None:
    ids, scores = reciprocal_rank_fusion([[2, 0, 1], [0, 3]], k=60)
    # 0: 1/62 + 1/61; 2: 1/61; 3: 1/62; 1: 1/63
    assert ids.tolist() == [0, 2, 3, 1]
    np.testing.assert_allclose(scores, [1 / 62 + 1 / 61, 1 / 61, 1 / 62, 1 / 63])
    ids, scores = reciprocal_rank_fusion([[5, 4], [4, 5]], k=0, top_k=1)
    assert ids.tolist() == [4] and scores.tolist() == [1.5]  # a tie: the lower id


def test_hybrid_rrf_reads_pairs_padding_and_repeats() -> None:
    pair = (np.array([7, 3, -1]), np.array([9.0, 1.0, -np.inf]))
    ids, scores = reciprocal_rank_fusion([pair, [3, 3, 8]], k=1, weights=[2.0, 1.0])
    # 7: 2/2; 3: 2/3 + 1/2; 8 is third in its list (the repeat keeps its place): 1/4
    assert ids.tolist() == [3, 7, 8]
    np.testing.assert_allclose(scores, [2 / 3 + 1 / 2, 1.0, 1 / 4])
    assert ids.dtype == np.int64
    assert reciprocal_rank_fusion([])[0].size == 0


rankings = st.lists(
    st.lists(st.integers(0, 30), min_size=1, max_size=12, unique=True), min_size=1, max_size=4
)


@given(rankings=rankings, first=st.integers(31, 40), k=st.integers(0, 100))
def test_hybrid_rrf_a_document_first_everywhere_is_first(
    rankings: list[list[int]], first: int, k: int
) -> None:
    fused, _ = reciprocal_rank_fusion([[first, *r] for r in rankings], k=k)
    assert fused[0] == first


@given(rankings=rankings, scale=st.floats(0.1, 10), top_k=st.integers(1, 50))
def test_hybrid_rrf_scaling_every_weight_scales_the_scores(
    rankings: list[list[int]], scale: float, top_k: int
) -> None:
    ids, scores = reciprocal_rank_fusion(rankings, top_k=top_k)
    scaled_ids, scaled = reciprocal_rank_fusion(
        rankings, weights=[scale] * len(rankings), top_k=top_k
    )
    np.testing.assert_allclose(scaled, scale * scores, rtol=1e-12)
    assert len(ids) == min(top_k, len(set().union(*rankings)))
    assert all(np.diff(scores) <= 0)
    for a, b, sa, sb in zip(ids, ids[1:], scores, scores[1:], strict=False):
        assert sa > sb or a < b  # ties: lower id first


@given(rankings=rankings)
def test_hybrid_rrf_a_zero_weight_silences_a_system(rankings: list[list[int]]) -> None:
    alone, alone_scores = reciprocal_rank_fusion(rankings[:1], top_k=100)
    ids, scores = reciprocal_rank_fusion(
        rankings, weights=[1.0] + [0.0] * (len(rankings) - 1), top_k=100
    )
    nonzero = scores > 0
    np.testing.assert_array_equal(ids[nonzero], alone)
    np.testing.assert_allclose(scores[nonzero], alone_scores)


def test_hybrid_interpolate_minmax_by_hand() -> None:
    lexical = (np.array([0, 1, 2]), np.array([12.0, 8.0, 2.0]))
    dense = (np.array([2, 3]), np.array([0.9, 0.5]))
    ids, scores = interpolate_scores([lexical, dense], weights=[0.5, 0.5])
    # lexical minmax: 0 -> 1, 1 -> 0.6, 2 -> 0, 3 missing -> 0; dense: 2 -> 1, 3 -> 0, others 0
    assert ids.tolist() == [0, 2, 1, 3]
    np.testing.assert_allclose(scores, [0.5, 0.5, 0.3, 0.0])


def test_hybrid_interpolate_zscore_and_raw_floors() -> None:
    a = (np.array([0, 1]), np.array([3.0, 1.0]))
    b = (np.array([2]), np.array([5.0]))
    ids, scores = interpolate_scores([a, b], normalize="zscore")
    # a: z = +1, -1; missing 2 -> -1.  b: one score, z = 0; missing 0, 1 -> 0
    assert ids.tolist() == [0, 1, 2] and scores.tolist() == [1.0, -1.0, -1.0]
    ids, scores = interpolate_scores([a, b], normalize=None)
    # raw: a's floor is 1.0, b's floor is 5.0; 1 and 2 tie at 6: the lower id first
    assert ids.tolist() == [0, 1, 2] and scores.tolist() == [8.0, 6.0, 6.0]


def test_hybrid_interpolate_all_equal_scores_and_a_single_system() -> None:
    flat = (np.array([4, 2, 9]), np.array([0.7, 0.7, 0.7]))
    ids, scores = interpolate_scores([flat])
    assert ids.tolist() == [2, 4, 9] and scores.tolist() == [1.0, 1.0, 1.0]
    ids, scores = interpolate_scores([flat], normalize="zscore")
    assert ids.tolist() == [2, 4, 9] and scores.tolist() == [0.0, 0.0, 0.0]
    single = (np.array([3, 1, 0]), np.array([5.0, 4.0, 1.0]))
    ids, scores = interpolate_scores([single], top_k=2)
    assert ids.tolist() == [3, 1] and np.allclose(scores, [1.0, 0.75])


def test_hybrid_fusion_errors_are_clear() -> None:
    with pytest.raises(TypeError, match="interpolation needs scores"):
        interpolate_scores([[1, 2]])
    with pytest.raises(ValueError, match="one number per ranking"):
        reciprocal_rank_fusion([[1], [2]], weights=[1.0])
    with pytest.raises(ValueError, match="non-negative"):
        reciprocal_rank_fusion([[1]], weights=[-1.0])
    with pytest.raises(ValueError, match="ids but"):
        interpolate_scores([(np.array([1, 2]), np.array([1.0]))])
    with pytest.raises(TypeError, match="ids are ints"):
        reciprocal_rank_fusion([["a", "b"]])
    with pytest.raises(ValueError, match="normalize"):
        interpolate_scores([([1], [1.0])], normalize="rank")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="top_k"):
        reciprocal_rank_fusion([[1]], top_k=0)


TEXTS = ["apple banana", "banana cherry", "cherry cherry", "abc abc", "bb", "a note on apples"]


@pytest.mark.parametrize("fusion", ["rrf", "interpolate"])
def test_hybrid_ranker_fuses_both_sides(fusion: str) -> None:
    lexical, dense = Overlap(), DenseRetriever(Letters())
    hybrid = HybridRanker(lexical, dense, fusion=fusion, depth=6).index(TEXTS)  # type: ignore[arg-type]
    ids, scores = hybrid.search("cherry", k=4)
    lex = lexical.search(hybrid.analyzer("cherry"), k=6)
    den = dense.search("cherry", k=6)
    if fusion == "rrf":
        expected = reciprocal_rank_fusion([lex, den], top_k=4)
    else:
        expected = interpolate_scores([lex, den], top_k=4)
    np.testing.assert_array_equal(ids, expected[0])
    np.testing.assert_allclose(scores, expected[1])
    many_ids, many_scores = hybrid.search_many(["cherry", "apple"], k=4)
    np.testing.assert_array_equal(many_ids[0], ids)
    assert many_ids.shape == many_scores.shape == (2, 4)


def test_hybrid_ranker_weights_pick_a_side() -> None:
    lexical_only = HybridRanker(Overlap(), DenseRetriever(Letters()), weights=(1.0, 0.0))
    lexical_only.index(TEXTS)
    ids, _ = lexical_only.search("cherry", k=2)
    assert ids.tolist() == [2, 1]  # "cherry cherry" has it twice
    tokens = [["x"], ["y"], ["x", "x"], ["z"], ["y"], ["x"]]
    custom = HybridRanker(Overlap(), DenseRetriever(Letters()), weights=(1.0, 0.0))
    custom.index(TEXTS, corpus_tokens=tokens)
    assert custom.search("ignored", k=1, query_tokens=["y"])[0].tolist() == [1]


def test_hybrid_ranker_with_bm25_analyses_queries_as_the_corpus() -> None:
    """The default analyzer stems and drops stop words on both sides, so "cherries"
    finds "cherry" through BM25; with the dense side weighted 0 the result is BM25's."""
    bm25 = BM25()
    hybrid = HybridRanker(bm25, DenseRetriever(Letters()), weights=(1.0, 0.0), depth=3)
    hybrid.index(TEXTS)
    ids, scores = hybrid.search("the cherries", k=2)
    assert ids.tolist() == bm25.search(["cherri"], k=2)[0].tolist() == [2, 1]
    np.testing.assert_allclose(scores, [1 / 61, 1 / 62])


def test_hybrid_ranker_errors_are_clear() -> None:
    with pytest.raises(TypeError, match="lexical must be a ranker"):
        HybridRanker(object(), DenseRetriever(Letters()))
    with pytest.raises(ValueError, match="fusion"):
        HybridRanker(Overlap(), DenseRetriever(Letters()), fusion="max")  # type: ignore[arg-type]
    hybrid = HybridRanker(Overlap(), DenseRetriever(Letters()))
    with pytest.raises(ValueError, match="index"):
        hybrid.search("a")
    with pytest.raises(ValueError, match="one per text"):
        hybrid.index(TEXTS, corpus_tokens=[["a"]])
