"""KMeans against scikit-learn's Lloyd k-means (nlpjourney.ml.kmeans).

Our starts use the same NumPy ``RandomState`` calls in the same order as scikit-learn's,
so a seeded fit is expected to give its very clustering, not just a close inertia.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import cluster as sk_cluster
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.pipeline import Pipeline

from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml.base import NotFittedError
from nlpjourney.ml.decomposition import PCA
from nlpjourney.ml.kmeans import KMeans

DATA = {"iris": load_iris(return_X_y=True)[0], "digits": load_digits(return_X_y=True)[0]}


def assert_same_fit(ours: KMeans, theirs: sk_cluster.KMeans) -> None:
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, atol=1e-9)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-9)
    assert ours.n_iter_ == theirs.n_iter_


@pytest.mark.parametrize("name", ["iris", "digits"])
@pytest.mark.parametrize(
    "params",
    [{"n_clusters": 3}, {"n_clusters": 10, "n_init": 4},
     {"n_clusters": 8, "init": "random"}, {"n_clusters": 5, "init": "random", "n_init": 2}],
)  # fmt: skip
@pytest.mark.parametrize("seed", [0, 7])
def test_kmeans_seeded_fit_is_sklearns(name: str, params: dict, seed: int) -> None:
    X = DATA[name]
    ours = KMeans(**params, random_state=seed).fit(X)
    theirs = sk_cluster.KMeans(**params, random_state=seed).fit(X)
    assert abs(ours.inertia_ - theirs.inertia_) <= 0.01 * theirs.inertia_  # the bar
    assert_same_fit(ours, theirs)


@pytest.mark.parametrize("name", ["iris", "digits"])
def test_kmeans_from_given_centres_gives_the_same_clusters(name: str) -> None:
    X = DATA[name]
    start = X[np.random.RandomState(1).choice(len(X), 6, replace=False)]
    ours = KMeans(n_clusters=6, init=start).fit(X)
    theirs = sk_cluster.KMeans(n_clusters=6, init=start, n_init=1).fit(X)
    assert_same_fit(ours, theirs)


def test_kmeans_relocates_empty_clusters_as_sklearn() -> None:
    X = DATA["iris"]
    start = np.vstack([X[:3], np.full((1, 4), 100.0)])  # the far centre wins no row at first
    ours = KMeans(n_clusters=4, init=start).fit(X)
    theirs = sk_cluster.KMeans(n_clusters=4, init=start, n_init=1).fit(X)
    assert len(np.unique(ours.labels_)) == 4
    assert_same_fit(ours, theirs)


def test_kmeans_on_sparse_rows_is_sklearns() -> None:
    X = sp.csr_matrix(DATA["digits"])
    ours = KMeans(n_clusters=10, random_state=0).fit(X)
    theirs = sk_cluster.KMeans(n_clusters=10, random_state=0).fit(X)
    assert_same_fit(ours, theirs)
    np.testing.assert_array_equal(ours.predict(X), ours.labels_)


def test_kmeans_on_sms_spam_tfidf_matches_sklearns_inertia() -> None:
    # Real sparse rows: our TF-IDF of the SMS spam corpus (the compiled sparse pass).
    texts = [text for text, _ in corpora.sms_spam()]
    X = TfidfVectorizer().fit_transform(texts)
    for seed in range(2):
        ours = KMeans(n_clusters=8, n_init=1, random_state=seed).fit(X)
        theirs = sk_cluster.KMeans(n_clusters=8, n_init=1, random_state=seed).fit(X)
        assert abs(ours.inertia_ - theirs.inertia_) <= 0.01 * theirs.inertia_
        np.testing.assert_array_equal(ours.predict(X), ours.labels_)
        assert ours.score(X) == pytest.approx(-ours.inertia_)


def test_kmeans_predict_transform_and_score() -> None:
    X = DATA["iris"]
    ours = KMeans(n_clusters=3, random_state=0).fit(X)
    theirs = sk_cluster.KMeans(n_clusters=3, random_state=0).fit(X)
    np.testing.assert_array_equal(ours.predict(X), ours.labels_)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), atol=1e-9)
    assert ours.score(X) == pytest.approx(-ours.inertia_)
    np.testing.assert_array_equal(KMeans(n_clusters=3, random_state=0).fit_predict(X), ours.labels_)
    assert ours.fit_transform(X).shape == (len(X), 3)


def test_kmeans_keeps_the_estimator_contract() -> None:
    X = DATA["iris"]
    km = KMeans(n_clusters=3, random_state=0)
    with pytest.raises(NotFittedError, match="not fitted"):
        km.predict(X)
    assert km.fit(X) is km
    with pytest.raises(ValueError, match="fitted on 4"):
        km.predict(X[:, :2])
    assert clone(km).get_params() == km.get_params()
    pipe = Pipeline([("pca", PCA(n_components=2)), ("km", KMeans(n_clusters=3, random_state=0))])
    assert len(np.unique(pipe.fit(X).predict(X))) == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [({"n_clusters": 0}, "n_clusters"), ({"n_clusters": 200}, "n_samples"),
     ({"init": "kmeans"}, "init"), ({"init": np.zeros((2, 4))}, "shape"),
     ({"n_init": 0}, "n_init"), ({"max_iter": 0}, "max_iter")],
)  # fmt: skip
def test_kmeans_refuses_bad_settings(params: dict, message: str) -> None:
    X = DATA["iris"][:150]
    params = {"n_clusters": 3, **params}
    with pytest.raises(ValueError, match=message):
        KMeans(**params).fit(X)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_kmeans_few_centre_kernel_is_bit_for_bit_the_general_one(k: int) -> None:
    """The kernel for two centres only reorders loops: the same sums in the same order."""
    from nlpjourney.ml.kmeans import _assign_csr, _assign_csr_few

    texts = [text for text, _ in corpora.movie_reviews()[:300]]
    X = TfidfVectorizer(stop_words="english").fit_transform(texts)
    centres = X[[0, 100, 200][:k]].toarray() * 0.9
    half = 0.5 * (centres**2).sum(axis=1)
    out = []
    for kernel, layout in (
        (_assign_csr, np.ascontiguousarray(centres.T)),
        (_assign_csr_few, centres),
    ):
        sums, counts = np.zeros((k, X.shape[1])), np.zeros(k)
        labels, partial = kernel(X.data, X.indices, X.indptr, layout, half, sums, counts)
        out.append((labels, partial, sums, counts))
    for ours, general in zip(out[1], out[0], strict=True):
        np.testing.assert_array_equal(ours, general)
