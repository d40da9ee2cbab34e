"""k-means for text (nlpjourney.cluster.kmeans): Lloyd's steps, spherical and mini-batch k-means."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import cluster as sk_cluster
from sklearn.base import clone
from sklearn.metrics import normalized_mutual_info_score

import nlpjourney.ml
from nlpjourney.cluster import (
    KMeans,
    MiniBatchKMeans,
    SphericalKMeans,
    assign_clusters,
    update_centres,
)
from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer


@pytest.fixture(scope="module")
def brown() -> tuple[sp.csr_matrix, list[str]]:
    """TF-IDF of Brown's 500 documents and their 15 genres."""
    docs = corpora.brown_documents()
    X = TfidfVectorizer(stop_words="english", min_df=3).fit_transform(
        [" ".join(words) for _, _, words in docs]
    )
    return X, [genre for _, genre, _ in docs]


@pytest.fixture(scope="module")
def sms() -> tuple[sp.csr_matrix, list[str]]:
    rows = corpora.sms_spam()
    X = TfidfVectorizer(stop_words="english", min_df=2).fit_transform([t for t, _ in rows])
    return X, [label for _, label in rows]


def test_kmeans_is_the_ml_class() -> None:
    assert KMeans is nlpjourney.ml.KMeans


def test_kmeans_assign_clusters_is_the_nearest_centre(brown) -> None:
    X = brown[0][:120]
    centres = X[[3, 40, 80, 110]].toarray()
    dense = X.toarray()
    distances = ((dense[:, None, :] - centres[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(assign_clusters(X, centres), distances.argmin(axis=1))
    np.testing.assert_array_equal(assign_clusters(dense, centres), distances.argmin(axis=1))
    assert assign_clusters(X, centres).dtype == np.int64


def test_kmeans_assign_clusters_ties_go_to_the_lowest_index() -> None:
    X = np.array([[0.0, 0.0], [1.0, 0.0]])
    centres = np.array([[0.5, 1.0], [0.5, -1.0], [0.5, 1.0]])
    assert assign_clusters(X, centres).tolist() == [0, 0]


def test_kmeans_update_centres_means_and_keeps_empty_centres(brown) -> None:
    X, _ = brown
    labels = np.arange(X.shape[0]) % 3  # cluster 3 gets no rows
    old = np.full((4, X.shape[1]), 7.0)
    new = update_centres(X, labels, old)
    for c in range(3):
        np.testing.assert_allclose(new[c], X.toarray()[labels == c].mean(axis=0), atol=1e-15)
    np.testing.assert_array_equal(new[3], old[3])
    assert (old == 7.0).all()  # the given centres are not changed
    np.testing.assert_allclose(update_centres(X.toarray(), labels, old), new, atol=1e-15)


def test_kmeans_steps_refuse_shape_mismatches() -> None:
    X = np.ones((4, 3))
    with pytest.raises(ValueError, match=r"centres must have shape \(k, 3\)"):
        assign_clusters(X, np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"labels must have shape \(4,\)"):
        update_centres(X, [0, 1], np.ones((2, 3)))
    with pytest.raises(ValueError, match="from 0 to k - 1 = 1"):
        update_centres(X, [0, 1, 2, 0], np.ones((2, 3)))


@pytest.mark.parametrize("dense", [False, True])
def test_kmeans_one_lloyd_iteration_is_assign_then_update(brown, dense: bool) -> None:
    X, _ = brown
    start = X[[5, 50, 150, 300, 450]].toarray()
    X = X.toarray() if dense else X
    model = KMeans(5, init=start, max_iter=1).fit(X)
    expected = update_centres(X, assign_clusters(X, start), start)
    np.testing.assert_allclose(model.cluster_centers_, expected, atol=1e-12)
    np.testing.assert_array_equal(model.labels_, assign_clusters(X, expected))


def _summed_cosine(X: sp.csr_matrix, labels: np.ndarray, centres: np.ndarray) -> float:
    unit = X.multiply(1 / np.sqrt(X.multiply(X).sum(axis=1))).tocsr()
    return float(np.asarray(unit.multiply(centres[labels]).sum()))


def test_kmeans_spherical_is_a_fixed_point_of_summed_cosine(brown) -> None:
    X, genres = brown
    model = SphericalKMeans(15, random_state=0).fit(X)
    centres = model.cluster_centers_
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 1.0, atol=1e-12)
    unit = X.multiply(1 / np.sqrt(X.multiply(X).sum(axis=1))).tocsr()
    # every row sits with its most similar centre ...
    np.testing.assert_array_equal(model.labels_, np.asarray(unit @ centres.T).argmax(axis=1))
    # ... and every centre is its rows' mean direction, the maximiser of Σ cos for its rows
    for c in range(15):
        direction = np.asarray(unit[model.labels_ == c].sum(axis=0)).ravel()
        np.testing.assert_allclose(centres[c], direction / np.linalg.norm(direction), atol=1e-10)
    objective = _summed_cosine(X, model.labels_, centres)
    assert model.similarity_ == pytest.approx(objective, rel=1e-10)
    # moving any one row to another cluster (centres refitted) cannot raise the objective
    rng = np.random.default_rng(0)
    for row in rng.choice(X.shape[0], 5, replace=False):
        labels = model.labels_.copy()
        labels[row] = (labels[row] + 1) % 15
        sums = np.vstack([np.asarray(unit[labels == c].sum(axis=0)) for c in range(15)])
        moved = sums / np.linalg.norm(sums, axis=1, keepdims=True)
        assert _summed_cosine(X, labels, moved) <= objective + 1e-9
    assert normalized_mutual_info_score(genres, model.labels_) > 0.25


def test_kmeans_spherical_on_unit_rows_starts_as_kmeans(brown) -> None:
    """On unit rows with unit centres, nearest is most similar: the first assignment is KMeans's."""
    X, _ = brown
    start = X[[1, 120, 240, 360, 480]].toarray()  # TF-IDF rows are unit length
    spherical = SphericalKMeans(5, init=start, max_iter=1).fit(X)
    euclidean = KMeans(5, init=start, max_iter=1).fit(X)
    first = assign_clusters(X, start)
    sums = update_centres(X, first, start) * np.bincount(first, minlength=5)[:, None]
    np.testing.assert_allclose(spherical.cluster_centers_,
                               sums / np.linalg.norm(sums, axis=1, keepdims=True), atol=1e-12)  # fmt: skip
    # the Euclidean centres are the same directions, only shorter (means of unit rows)
    lengths = np.linalg.norm(euclidean.cluster_centers_, axis=1, keepdims=True)
    np.testing.assert_allclose(euclidean.cluster_centers_ / lengths, spherical.cluster_centers_,
                               atol=1e-12)  # fmt: skip
    assert (lengths < 1).all()


def test_kmeans_spherical_ignores_row_length_and_keeps_the_contract(brown) -> None:
    X, _ = brown
    a = SphericalKMeans(6, random_state=3).fit(X)
    b = SphericalKMeans(6, random_state=3).fit(sp.diags(np.linspace(0.5, 9, X.shape[0])) @ X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.predict(X[:20]), a.labels_[:20])
    assert a.transform(X[:3]).shape == (3, 6)
    assert clone(a).get_params() == a.get_params()
    assert a.inertia_ == pytest.approx(2 * X.shape[0] - 2 * a.similarity_)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_minibatch_inertia_and_nmi_match_sklearns(brown, sms, seed: int) -> None:
    for (X, labels), k, batch in [(brown, 15, 256), (sms, 8, 1024)]:
        ours = MiniBatchKMeans(k, batch_size=batch, random_state=seed).fit(X)
        theirs = sk_cluster.MiniBatchKMeans(k, batch_size=batch, random_state=seed).fit(X)
        assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=0.03)
        assert normalized_mutual_info_score(labels, ours.labels_) == pytest.approx(
            normalized_mutual_info_score(labels, theirs.labels_), abs=0.03)  # fmt: skip


def test_kmeans_minibatch_partial_fit_learns_from_batches(sms) -> None:
    X, _ = sms
    model = MiniBatchKMeans(8, random_state=0)
    for start in range(0, X.shape[0], 500):
        model.partial_fit(X[start : start + 500])
    assert model.n_steps_ == int(np.ceil(X.shape[0] / 500))
    assert model.counts_.sum() == X.shape[0]
    full = MiniBatchKMeans(8, random_state=0).fit(X)
    assert -model.score(X) <= 1.05 * full.inertia_
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:10, :5])


def test_kmeans_minibatch_dense_equals_sparse(sms) -> None:
    X, _ = sms
    X = X[:600]
    dense = MiniBatchKMeans(4, batch_size=100, random_state=0).fit(X.toarray())
    sparse = MiniBatchKMeans(4, batch_size=100, random_state=0).fit(X)
    np.testing.assert_array_equal(dense.labels_, sparse.labels_)
    np.testing.assert_allclose(dense.cluster_centers_, sparse.cluster_centers_, atol=1e-10)


def test_kmeans_minibatch_refuses_bad_settings() -> None:
    X = np.random.default_rng(0).random((10, 2))
    with pytest.raises(ValueError, match="n_samples=10 should be >= n_clusters=11"):
        MiniBatchKMeans(11).fit(X)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        MiniBatchKMeans(2, batch_size=0).fit(X)
