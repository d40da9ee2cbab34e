"""Clustering scores against scikit-learn's (nlpjourney.cluster.metrics), to 1e-10."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as sk
from sklearn.cluster import KMeans as SkKMeans
from sklearn.datasets import load_iris

from nlpjourney.cluster import (
    adjusted_rand_index,
    contingency_matrix,
    normalized_mutual_info,
    purity,
    silhouette_samples,
    silhouette_score,
)
from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer

AVERAGES = ["min", "geometric", "arithmetic", "max"]


@pytest.fixture(scope="module")
def reviews() -> tuple[object, np.ndarray, np.ndarray]:
    """TF-IDF of 400 movie reviews, their polarity and a 6-cluster k-means labeling."""
    rows = corpora.movie_reviews()[:200] + corpora.movie_reviews()[-200:]
    X = TfidfVectorizer(stop_words="english", min_df=3).fit_transform([t for t, _ in rows])
    truth = np.array([label for _, label in rows])
    found = SkKMeans(6, n_init=1, random_state=0).fit_predict(X)
    return X, truth, found


def test_metrics_equal_sklearn_on_real_clustering(reviews) -> None:
    _, truth, found = reviews
    for method in AVERAGES:
        assert normalized_mutual_info(truth, found, method) == pytest.approx(
            sk.normalized_mutual_info_score(truth, found, average_method=method), abs=1e-10)  # fmt: skip
    assert adjusted_rand_index(truth, found) == pytest.approx(
        sk.adjusted_rand_score(truth, found), abs=1e-10)  # fmt: skip
    table = contingency_matrix(truth, found)
    np.testing.assert_array_equal(table, sk.cluster.contingency_matrix(truth, found))
    assert purity(truth, found) == table.max(axis=0).sum() / len(truth)


labelings = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=n, max_size=n),
        st.lists(st.integers(0, 6), min_size=n, max_size=n),
    )
)


@settings(max_examples=150, deadline=None)
@given(labelings)
def test_metrics_equal_sklearn_on_any_labels(pair: tuple[list[str], list[int]]) -> None:
    truth, found = pair
    for method in AVERAGES:
        assert normalized_mutual_info(truth, found, method) == pytest.approx(
            sk.normalized_mutual_info_score(truth, found, average_method=method), abs=1e-10)  # fmt: skip
    assert adjusted_rand_index(truth, found) == pytest.approx(
        sk.adjusted_rand_score(truth, found), abs=1e-10)  # fmt: skip
    np.testing.assert_array_equal(contingency_matrix(truth, found),
                                  sk.cluster.contingency_matrix(truth, found))  # fmt: skip


@pytest.mark.parametrize(
    ("truth", "found"),
    [([0, 0, 0], [1, 1, 1]), ([0, 1, 2], [0, 1, 2]), ([0, 1, 2], [5, 5, 5]),
     ([0, 0, 0], [0, 1, 2]), (["x"], ["y"]), ([0, 1], [1, 0])],
)  # fmt: skip
def test_metrics_edge_cases_match_sklearn(truth: list, found: list) -> None:
    assert normalized_mutual_info(truth, found) == sk.normalized_mutual_info_score(truth, found)
    assert adjusted_rand_index(truth, found) == sk.adjusted_rand_score(truth, found)


def test_metrics_purity_rewards_majorities() -> None:
    assert purity([0, 0, 1, 1, 1], [0, 0, 0, 1, 1]) == pytest.approx(0.8)
    assert purity(list("abcd"), [0, 1, 2, 3]) == 1.0  # one row per cluster: trivially pure


def test_metrics_reject_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        adjusted_rand_index([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="average_method"):
        normalized_mutual_info([0], [0], average_method="mean")


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_metrics_silhouette_equals_sklearn_on_tfidf(reviews, metric: str) -> None:
    X, _, found = reviews
    np.testing.assert_allclose(silhouette_samples(X, found, metric=metric),
                               sk.silhouette_samples(X, found, metric=metric), atol=1e-10)  # fmt: skip
    assert silhouette_score(X, found, metric=metric, sample_size=150, random_state=3) == (
        pytest.approx(sk.silhouette_score(X, found, metric=metric, sample_size=150,
                                          random_state=3), abs=1e-10))  # fmt: skip


def test_metrics_silhouette_dense_with_singletons_and_strings() -> None:
    X = load_iris().data
    labels = np.array(["big"] * 100 + ["small"] * 49 + ["alone"])  # one singleton cluster
    np.testing.assert_allclose(silhouette_samples(X, labels), sk.silhouette_samples(X, labels),
                               atol=1e-10)  # fmt: skip
    assert silhouette_samples(X, labels)[-1] == 0.0


@pytest.mark.parametrize("labels", [[0] * 5, [0, 1, 2, 3, 4]])
def test_metrics_silhouette_refuses_one_or_all_clusters(labels: list[int]) -> None:
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError, match="2 to n_samples - 1"):
        silhouette_score(X, labels)
    with pytest.raises(ValueError):
        sk.silhouette_score(X, labels)
