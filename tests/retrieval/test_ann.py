"""The IVF approximate index: recall against exact search rises with n_probe and is 1.0
when every list is probed; seeded builds are deterministic; errors are clear."""

from __future__ import annotations

import numpy as np
import pytest

from nlpjourney.errors import JourneyError
from nlpjourney.retrieval import IVFIndex, exact_search


def clustered(n: int, d: int, centres: int, seed: int) -> np.ndarray:
    """Unit vectors around random centres, as sentence embeddings are (float32)."""
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(centres, d))
    rows = means[rng.integers(0, centres, n)] + 0.6 * rng.normal(size=(n, d))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    """The mean share of each query's true top-k that was found."""
    return float(
        np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)])
    )


@pytest.fixture(scope="module")
def corpus() -> tuple[np.ndarray, np.ndarray]:
    vectors = clustered(3000, 32, 40, seed=0)
    queries = clustered(100, 32, 40, seed=1)
    return vectors, queries


def test_ann_recall_rises_with_n_probe_and_is_exact_at_all_lists(
    corpus: tuple[np.ndarray, np.ndarray],
) -> None:
    vectors, queries = corpus
    truth_ids, truth_scores = exact_search(queries, vectors, 10)
    index = IVFIndex(n_lists=32, seed=0).train(vectors).add(vectors)
    recalls = []
    for n_probe in (1, 2, 4, 8, 16, 32):
        index.n_probe = n_probe
        ids, _ = index.search(queries, 10)
        recalls.append(recall_at(ids, truth_ids))
    assert recalls == sorted(recalls), recalls
    assert recalls[0] < 0.9 and recalls[3] > recalls[0]
    ids, scores = index.search(queries, 10)  # n_probe == n_lists: every list opened
    np.testing.assert_array_equal(ids, truth_ids)
    np.testing.assert_allclose(scores, truth_scores, rtol=1e-6)


def test_ann_all_lists_equal_exact_search_with_ties() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.integers(-1, 2, size=(400, 3)).astype(np.float64)
    queries = rng.integers(-1, 2, size=(30, 3)).astype(np.float64)
    index = IVFIndex(n_lists=5, n_probe=5).train(vectors).add(vectors)
    ids, scores = index.search(queries, 12)
    expected_ids, expected_scores = exact_search(queries, vectors, 12)
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_array_equal(scores, expected_scores)


def test_ann_is_deterministic_for_a_seed(corpus: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, queries = corpus
    runs = [IVFIndex(n_lists=16, n_probe=2, seed=s).train(vectors).add(vectors) for s in (7, 7, 8)]
    first, second, other = (index.search(queries, 10) for index in runs)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    np.testing.assert_array_equal(runs[0].centres_, runs[1].centres_)
    assert not np.array_equal(runs[0].centres_, runs[2].centres_)


def test_ann_trains_on_a_seeded_sample(corpus: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, queries = corpus
    truth, _ = exact_search(queries, vectors, 10)
    runs = [IVFIndex(n_lists=16, n_probe=16, train_per_list=20).train(vectors) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].centres_, runs[1].centres_)
    full = IVFIndex(n_lists=16).train(vectors)
    assert not np.array_equal(runs[0].centres_, full.centres_)
    ids, _ = runs[0].add(vectors).search(queries, 10)  # every list probed: still exact
    np.testing.assert_array_equal(ids, truth)


def test_ann_add_in_parts_equals_add_at_once(corpus: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, queries = corpus
    whole = IVFIndex(n_lists=8, n_probe=3).train(vectors).add(vectors)
    parts = IVFIndex(n_lists=8, n_probe=3).train(vectors).add(vectors[:1000]).add(vectors[1000:])
    assert parts.ntotal == whole.ntotal == len(vectors)
    np.testing.assert_array_equal(parts.list_ids_, whole.list_ids_)
    np.testing.assert_array_equal(parts.search(queries, 5)[0], whole.search(queries, 5)[0])


def test_ann_pads_when_the_probed_lists_are_short() -> None:
    vectors = np.array([[1.0, 0.0], [1.0, 0.1], [-1.0, 0.0], [-1.0, -0.1]])
    index = IVFIndex(n_lists=2, n_probe=1).train(vectors).add(vectors)
    ids, scores = index.search(np.array([[1.0, 0.0]]), k=3)
    assert ids.tolist() == [[0, 1, -1]]
    assert scores[0, 2] == -np.inf


def test_ann_errors_are_clear() -> None:
    vectors = np.random.default_rng(0).normal(size=(20, 4))
    with pytest.raises(JourneyError, match="not trained"):
        IVFIndex(n_lists=2).search(vectors, 1)
    with pytest.raises(JourneyError, match="not trained"):
        IVFIndex(n_lists=2).add(vectors)
    index = IVFIndex(n_lists=2).train(vectors)
    with pytest.raises(JourneyError, match="no vectors"):
        index.search(vectors, 1)
    index.add(vectors)
    with pytest.raises(ValueError, match="dimensions"):
        index.search(np.ones((1, 5)), 1)
    with pytest.raises(ValueError, match="dimensions"):
        index.add(np.ones((1, 3)))
    with pytest.raises(ValueError, match="more than the 20"):
        index.search(vectors, 21)
    with pytest.raises(ValueError, match="at least n_lists"):
        IVFIndex(n_lists=50).train(vectors)
    with pytest.raises(ValueError, match="n_probe"):
        IVFIndex(n_probe=0)
    with pytest.raises(ValueError, match="metric"):
        IVFIndex(metric="l2")  # type: ignore[arg-type]
