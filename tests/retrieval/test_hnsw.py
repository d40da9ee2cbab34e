"""The HNSW graph index: recall against exact search rises with ef_search and is high,
a seed fixes the graph, and errors are clear."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlpjourney.errors import JourneyError
from nlpjourney.retrieval import DenseRetriever, HNSWIndex, exact_search


def clustered(n: int, d: int, centres: int, seed: int) -> np.ndarray:
    """Unit vectors around random centres, as sentence embeddings are."""
    rng = np.random.default_rng(seed)
    means = np.random.default_rng(0).normal(size=(centres, d))
    rows = means[rng.integers(0, centres, n)] + rng.normal(size=(n, d))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    return float(
        np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)])
    )


@pytest.fixture(scope="module")
def built() -> tuple[HNSWIndex, np.ndarray, np.ndarray]:
    vectors, queries = clustered(2000, 24, 30, seed=1), clustered(100, 24, 30, seed=2)
    return HNSWIndex(M=8, ef_construction=64).add(vectors), vectors, queries


def test_hnsw_recall_rises_with_ef_search(built: tuple[HNSWIndex, np.ndarray, np.ndarray]) -> None:
    index, vectors, queries = built
    truth, truth_scores = exact_search(queries, vectors, 10)
    recalls = []
    for ef in (10, 40, 200):
        index.ef_search = ef
        ids, scores = index.search(queries, 10)
        recalls.append(recall_at(ids, truth))
        assert (np.diff(scores, axis=1) <= 0).all()  # best first
    assert recalls == sorted(recalls) and recalls[-1] >= 0.98, recalls
    index.ef_search = 2000  # the beam holds every node: the exact top 10
    ids, scores = index.search(queries, 10)
    np.testing.assert_array_equal(ids, truth)
    np.testing.assert_allclose(scores, truth_scores, rtol=1e-12)


def test_hnsw_is_deterministic_for_a_seed(built: tuple[HNSWIndex, np.ndarray, np.ndarray]) -> None:
    index, vectors, queries = built
    again = HNSWIndex(M=8, ef_construction=64).add(vectors)
    np.testing.assert_array_equal(again.links_, index.links_)
    other = HNSWIndex(M=8, ef_construction=64, seed=1).add(vectors)
    assert not np.array_equal(other.links_, index.links_)
    # links never point at the node itself and hold at most 2 M on level 0, M above
    rows = np.arange(len(vectors))
    assert not (index.links_[0] == rows[:, None]).any()
    assert (index.links_[1:, :, 8:] == -1).all()


def test_hnsw_in_a_dense_retriever_saves_and_loads(tmp_path: Path) -> None:
    class Letters:
        def embed(self, texts: list[str]) -> np.ndarray:
            return np.array([[t.count(c) for c in "abcd"] for t in texts], float)

    texts = ["ab", "bbb", "c", "aa", "cab", "abc", "dd", "dab", "ddd", "a"]
    retriever = DenseRetriever(Letters(), index=HNSWIndex(M=4, ef_search=20)).index(texts)
    exact = DenseRetriever(Letters()).index(texts)
    np.testing.assert_array_equal(retriever.search("ad", 3)[0], exact.search("ad", 3)[0])
    loaded = DenseRetriever.load(retriever.save(tmp_path / "d"), encoder=Letters())
    assert isinstance(loaded.ann, HNSWIndex)
    np.testing.assert_array_equal(loaded.ann.links_, retriever.ann.links_)


def test_hnsw_errors_are_clear() -> None:
    vectors = np.random.default_rng(0).normal(size=(20, 4))
    with pytest.raises(JourneyError, match="no vectors"):
        HNSWIndex().search(vectors, 1)
    index = HNSWIndex(M=4).add(vectors)
    with pytest.raises(ValueError, match="dimensions"):
        index.search(np.ones((1, 5)), 1)
    with pytest.raises(ValueError, match="more than the 20"):
        index.search(vectors, 21)
    with pytest.raises(ValueError, match="M must be"):
        HNSWIndex(M=1)
    with pytest.raises(ValueError, match="ef_search"):
        HNSWIndex(ef_search=0)
