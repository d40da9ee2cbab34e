"""AgglomerativeClustering against scikit-learn's: the same tree and the same labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.cluster import AgglomerativeClustering as SkAgglomerative
from sklearn.datasets import load_digits, load_iris

from nlpjourney.cluster import AgglomerativeClustering, plot_dendrogram
from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml.decomposition import TruncatedSVD

LINKAGES = ["ward", "complete", "average", "single"]


@pytest.fixture(scope="module")
def brown() -> dict[str, np.ndarray]:
    """Brown's 500 documents: TF-IDF, its 40-dimensional LSA and the cosine distances."""
    docs = corpora.brown_documents()
    X = TfidfVectorizer(stop_words="english", min_df=3).fit_transform(
        [" ".join(words) for _, _, words in docs]
    )
    cosine = 1 - (X @ X.T).toarray()  # the rows are unit length
    np.fill_diagonal(cosine, 0)
    return {"tfidf": X, "lsa": TruncatedSVD(40, random_state=0).fit_transform(X),
            "cosine": np.maximum(cosine, 0)}  # fmt: skip


def assert_same(ours: AgglomerativeClustering, theirs: SkAgglomerative) -> None:
    np.testing.assert_array_equal(ours.children_, theirs.children_)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.n_clusters_ == theirs.n_clusters_
    assert ours.n_leaves_ == theirs.n_leaves_
    if hasattr(theirs, "distances_"):
        np.testing.assert_allclose(ours.distances_, theirs.distances_, rtol=1e-12)


@pytest.mark.parametrize("linkage", LINKAGES)
@pytest.mark.parametrize("k", [2, 15, 60])
def test_agglomerative_labels_are_sklearns_on_lsa_of_brown(brown, linkage: str, k: int) -> None:
    params = {"n_clusters": k, "linkage": linkage, "compute_distances": True}
    assert_same(AgglomerativeClustering(**params).fit(brown["lsa"]),
                SkAgglomerative(**params).fit(brown["lsa"]))  # fmt: skip


@pytest.mark.parametrize("linkage", ["complete", "average", "single"])
def test_agglomerative_labels_are_sklearns_on_a_distance_matrix(brown, linkage: str) -> None:
    params = {"n_clusters": 15, "linkage": linkage, "metric": "precomputed"}
    assert_same(AgglomerativeClustering(**params).fit(brown["cosine"]),
                SkAgglomerative(**params).fit(brown["cosine"]))  # fmt: skip


@pytest.mark.parametrize("linkage", ["complete", "average", "single"])
def test_agglomerative_cosine_metric_is_sklearns(linkage: str) -> None:
    X = load_digits().data[:400]
    params = {"n_clusters": 10, "linkage": linkage, "metric": "cosine"}
    assert_same(AgglomerativeClustering(**params).fit(X), SkAgglomerative(**params).fit(X))


def test_agglomerative_sparse_tfidf_equals_its_dense_form(brown) -> None:
    X = brown["tfidf"][:150]
    for metric in ["euclidean", "cosine"]:
        sparse = AgglomerativeClustering(15, linkage="average", metric=metric).fit(X)
        dense = SkAgglomerative(15, linkage="average", metric=metric).fit(X.toarray())
        np.testing.assert_array_equal(sparse.labels_, dense.labels_)


@pytest.mark.parametrize("threshold", [0.5, 2.0, 6.0])
def test_agglomerative_distance_threshold_cuts_as_sklearn(threshold: float) -> None:
    X = load_iris().data
    params = {"n_clusters": None, "distance_threshold": threshold, "linkage": "ward"}
    assert_same(AgglomerativeClustering(**params).fit(X), SkAgglomerative(**params).fit(X))


def test_agglomerative_ties_are_broken_as_sklearn() -> None:
    X = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1], [3, 0], [3, 1], [0, 5], [1, 5]])
    for linkage in LINKAGES:
        for k in range(1, 9):
            assert_same(AgglomerativeClustering(k, linkage=linkage).fit(X),
                        SkAgglomerative(k, linkage=linkage).fit(X))  # fmt: skip


def test_agglomerative_merge_heights_never_fall(brown) -> None:
    for linkage in LINKAGES:
        model = AgglomerativeClustering(4, linkage=linkage, compute_distances=True)
        assert np.all(np.diff(model.fit(brown["lsa"]).distances_) >= 0)


def test_agglomerative_refuses_bad_settings() -> None:
    X = load_iris().data[:10]
    with pytest.raises(ValueError, match="ward linkage works only with metric='euclidean'"):
        AgglomerativeClustering(metric="cosine").fit(X)
    with pytest.raises(ValueError, match="exactly one of n_clusters and distance_threshold"):
        AgglomerativeClustering(n_clusters=3, distance_threshold=1.0).fit(X)
    with pytest.raises(ValueError, match="n_clusters must be an int from 1 to the 10 rows"):
        AgglomerativeClustering(n_clusters=11).fit(X)
    with pytest.raises(ValueError, match="square distance matrix"):
        AgglomerativeClustering(linkage="average", metric="precomputed").fit(X)
    with pytest.raises(ValueError, match="linkage must be one of"):
        AgglomerativeClustering(linkage="centroid").fit(X)


def test_agglomerative_dendrogram_png(tmp_path: Path) -> None:
    X = load_iris().data
    model = AgglomerativeClustering(3, compute_distances=True).fit(X)
    path = plot_dendrogram(model, tmp_path / "tree.png", truncate=20)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    names = [f"flower {i}" for i in range(12)]
    small = AgglomerativeClustering(3, linkage="average", compute_distances=True).fit(X[::13])
    assert plot_dendrogram(small, tmp_path / "small.png", labels=names).exists()
    with pytest.raises(ValueError, match="compute_distances=True"):
        plot_dendrogram(AgglomerativeClustering(3).fit(X), tmp_path / "no.png")


def test_agglomerative_keeps_the_estimator_contract() -> None:
    from sklearn.base import clone

    model = AgglomerativeClustering(4, linkage="average", metric="cosine")
    assert clone(model).get_params() == model.get_params()
    X = load_iris().data
    assert model.fit(X) is model
    np.testing.assert_array_equal(model.fit_predict(X), model.labels_)
    assert model.n_features_in_ == 4 and not hasattr(model, "distances_")
