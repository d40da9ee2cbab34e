"""Exact dense search and the DenseRetriever.

Parity: :func:`exact_search` returns sentence-transformers' ``util.semantic_search`` ids
and scores on real embeddings (our encoder on SMS messages from the registry), and a
brute-force full sort on random data (hypothesis), ties included.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlpjourney.data import corpora
from nlpjourney.errors import DataNotFoundError, JourneyError
from nlpjourney.retrieval import DenseRetriever, IndexFormatError, IVFIndex, exact_search
from nlpjourney.retrieval import dense as dense_module


def brute_force(queries: np.ndarray, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """A full sort of every score, by score down then id up: the obvious answer."""
    scores = queries @ vectors.T
    ids = np.empty((len(queries), min(k, len(vectors))), dtype=np.int64)
    for q, row in enumerate(scores):
        ids[q] = sorted(range(len(row)), key=lambda i: (-row[i], i))[: ids.shape[1]]
    return ids, np.take_along_axis(scores, ids, axis=1)


class Letters:
    """A toy encoder: a text's counts of a, b and c (no model to load)."""

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.array([[t.count("a"), t.count("b"), t.count("c")] for t in texts], float)


@given(
    n=st.integers(1, 60),
    n_queries=st.integers(1, 5),
    k=st.integers(1, 70),
    levels=st.integers(1, 4),
    seed=st.integers(0, 10_000),
)
def test_dense_exact_search_equals_a_full_sort(
    n: int, n_queries: int, k: int, levels: int, seed: int
) -> None:
    """Integer vectors with few levels make many exact ties: lower ids must win them."""
    rng = np.random.default_rng(seed)
    vectors = rng.integers(-levels, levels + 1, size=(n, 3)).astype(np.float64)
    queries = rng.integers(-levels, levels + 1, size=(n_queries, 3)).astype(np.float64)
    ids, scores = exact_search(queries, vectors, k)
    expected_ids, expected_scores = brute_force(queries, vectors, k)
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_array_equal(scores, expected_scores)
    assert ids.dtype == np.int64 and ids.shape == (n_queries, min(k, n))


def test_dense_exact_search_blocks_agree_with_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.integers(-2, 3, size=(5000, 4)).astype(np.float32)
    queries = rng.normal(size=(7, 4)).astype(np.float32)
    whole = exact_search(queries, vectors, 25)
    monkeypatch.setattr(dense_module, "_BLOCK_ENTRIES", 7 * 1024)  # 1024 rows a block
    blocked = exact_search(queries, vectors, 25)
    np.testing.assert_array_equal(whole[0], blocked[0])
    np.testing.assert_array_equal(whole[1], blocked[1])
    np.testing.assert_array_equal(whole[0], brute_force(queries, vectors, 25)[0])
    assert blocked[1].dtype == np.float32


def test_dense_exact_search_cosine_normalises_both_sides() -> None:
    vectors = np.array([[10.0, 0.0], [0.6, 0.8], [0.0, 0.0]])
    ids, scores = exact_search(np.array([[0.0, 5.0]]), vectors, k=3, metric="cosine")
    assert ids.tolist() == [[1, 0, 2]]
    np.testing.assert_allclose(scores, [[0.8, 0.0, 0.0]])


def test_dense_exact_search_refuses_bad_input() -> None:
    vectors = np.ones((3, 2))
    with pytest.raises(ValueError, match="dimensions"):
        exact_search(np.ones((1, 3)), vectors)
    with pytest.raises(ValueError, match="2-D"):
        exact_search(np.ones(2), vectors)
    with pytest.raises(ValueError, match="k must be"):
        exact_search(np.ones((1, 2)), vectors, k=0)
    with pytest.raises(ValueError, match="metric"):
        exact_search(np.ones((1, 2)), vectors, metric="l2")  # type: ignore[arg-type]


@pytest.mark.slow
def test_dense_exact_search_equals_semantic_search_on_sms_embeddings() -> None:
    """Our encoder's embeddings of 300 distinct SMS messages, 40 others as queries.

    Repeated messages are dropped: their scores tie exactly, and ``torch.topk`` orders
    ties arbitrarily where we put the lower id first.
    """
    import torch
    from sentence_transformers import util

    texts = list(dict.fromkeys(text for text, _ in corpora.sms_spam()))[:300]
    retriever = DenseRetriever(batch_size=64).index(texts)
    vectors = retriever.vectors
    assert vectors is not None and vectors.shape == (300, 384)
    query_texts = [text for text, _ in corpora.sms_spam()[2000:2040]]
    ids, scores = retriever.search_many(query_texts, k=10)
    queries = retriever.embed(query_texts)
    hits = util.semantic_search(torch.from_numpy(queries), torch.from_numpy(vectors), top_k=10)
    expected_ids = np.array([[h["corpus_id"] for h in row] for row in hits])
    expected_scores = np.array([[h["score"] for h in row] for row in hits])
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_allclose(scores, expected_scores, atol=1e-6)
    one_ids, one_scores = retriever.search(query_texts[0], k=10)
    np.testing.assert_array_equal(one_ids, ids[0])
    np.testing.assert_allclose(one_scores, scores[0], atol=1e-6)


def test_dense_retriever_with_a_given_encoder_follows_the_ranker_contract() -> None:
    encoder = Letters()
    retriever = DenseRetriever(encoder, batch_size=1).index(["ab", "bbb", "c", "aa", "cab"])
    assert encoder.calls == 1  # 5 texts fit in one chunk of 8 batches
    ids, scores = retriever.search("b", k=10)
    assert ids.tolist() == [1, 0, 4, 2, 3] and scores.tolist() == [3.0, 1.0, 1.0, 0.0, 0.0]
    many_ids, many_scores = retriever.search_many(["a", "c"], k=2)
    assert many_ids.tolist() == [[3, 0], [2, 4]] and many_ids.dtype == np.int64
    assert many_scores.shape == (2, 2)


def test_dense_retriever_with_ivf_probing_all_lists_is_exact() -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(300, 8))
    queries = rng.normal(size=(20, 8))
    exact = DenseRetriever(Letters()).index_vectors(vectors)
    approx = DenseRetriever(Letters(), index=IVFIndex(n_lists=6, n_probe=6)).index_vectors(vectors)
    for retriever in (exact, approx):
        ids, scores = retriever.search_vectors(queries, 10)
        np.testing.assert_array_equal(ids, exact_search(queries, vectors, 10)[0])


def test_dense_retriever_save_and_load_round_trip(tmp_path: Path) -> None:
    encoder = Letters()
    retriever = DenseRetriever(encoder, index=IVFIndex(n_lists=2, n_probe=1), metric="cosine")
    retriever.index(["ab", "bbb", "c", "aa", "cab", "abc"])
    retriever.save(tmp_path / "dense")
    manifest = json.loads((tmp_path / "dense" / "manifest.json").read_text())
    assert manifest["encoder"] is None and manifest["index"]["params"]["n_lists"] == 2
    loaded = DenseRetriever.load(tmp_path / "dense", encoder=encoder)
    assert isinstance(loaded.ann, IVFIndex) and loaded.metric == "cosine"
    for query in ("a", "bc", "cc"):
        np.testing.assert_array_equal(loaded.search(query, 3)[0], retriever.search(query, 3)[0])
    with pytest.raises(ValueError, match="encoder object"):
        DenseRetriever.load(tmp_path / "dense")


def test_dense_retriever_load_refuses_a_corrupt_folder(tmp_path: Path) -> None:
    folder = DenseRetriever(Letters()).index(["ab", "c"]).save(tmp_path / "dense")
    with pytest.raises(DataNotFoundError, match="manifest.json is missing"):
        DenseRetriever.load(tmp_path / "nowhere")
    (folder / "vectors.npy").rename(folder / "moved.npy")
    with pytest.raises(DataNotFoundError, match="vectors.npy is missing"):
        DenseRetriever.load(folder, encoder=Letters())
    (folder / "moved.npy").rename(folder / "vectors.npy")
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(IndexFormatError, match="not valid JSON"):
        DenseRetriever.load(folder, encoder=Letters())
    (folder / "manifest.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(IndexFormatError, match="not a DenseRetriever manifest"):
        DenseRetriever.load(folder, encoder=Letters())
    good = DenseRetriever(Letters()).index(["ab", "c"]).save(tmp_path / "good")
    np.save(good / "vectors.npy", np.zeros((5, 3)))
    with pytest.raises(IndexFormatError, match="corrupt"):
        DenseRetriever.load(good, encoder=Letters())
    (good / "vectors.npy").write_bytes(b"garbage")
    with pytest.raises(IndexFormatError, match="readable"):
        DenseRetriever.load(good, encoder=Letters())


def test_dense_retriever_errors_are_clear() -> None:
    with pytest.raises(TypeError, match="embed"):
        DenseRetriever(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="train, add and search"):
        DenseRetriever(Letters(), index=object())
    with pytest.raises(ValueError, match="device"):
        DenseRetriever(device="tpu")
    retriever = DenseRetriever(Letters())
    with pytest.raises(JourneyError, match="index"):
        retriever.search("a")
    retriever.index(["a", "b"])
    with pytest.raises(TypeError, match="query text"):
        retriever.search(["a"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="list of texts"):
        retriever.index("one long string")
    with pytest.raises(ValueError, match="no texts"):
        retriever.index([])
