"""PCA and TruncatedSVD against scikit-learn's (nlpjourney.ml.decomposition).

Both libraries fix each component's sign the same way (its largest entry positive), so
components are compared as they are, without any sign juggling.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import decomposition as sk_decomposition
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.pipeline import Pipeline

from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml.base import NotFittedError
from nlpjourney.ml.decomposition import PCA, TruncatedSVD, randomized_svd, svd_flip

DIGITS = load_digits(return_X_y=True)[0]

FITTED = ("components_", "explained_variance_", "explained_variance_ratio_", "singular_values_", "mean_")  # fmt: skip


@pytest.fixture(scope="module")
def reviews_tfidf() -> sp.csr_matrix:
    return TfidfVectorizer().fit_transform([text for text, _ in corpora.movie_reviews()])


@pytest.mark.parametrize(
    "params",
    [{"n_components": 10}, {"n_components": 0.9}, {"n_components": 5, "whiten": True},
     {"n_components": 8, "svd_solver": "randomized", "random_state": 0},
     {"n_components": 10, "svd_solver": "covariance_eigh"},
     {"n_components": 0.8, "svd_solver": "covariance_eigh", "whiten": True}],
)  # fmt: skip
def test_decomposition_pca_equals_sklearns_on_digits(params: dict) -> None:
    ours = PCA(**params).fit(DIGITS)
    theirs = sk_decomposition.PCA(**params).fit(DIGITS)
    assert ours.n_components_ == theirs.n_components_
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(ours, name), getattr(theirs, name), atol=1e-9, err_msg=name
        )
    np.testing.assert_allclose(ours.transform(DIGITS), theirs.transform(DIGITS), atol=1e-8)
    Z = ours.transform(DIGITS)
    np.testing.assert_allclose(ours.inverse_transform(Z), theirs.inverse_transform(Z), atol=1e-8)
    assert ours.noise_variance_ == pytest.approx(theirs.noise_variance_)


def test_decomposition_pca_round_trips_and_whitens() -> None:
    X = load_iris(return_X_y=True)[0]
    full = PCA().fit(X)
    np.testing.assert_allclose(full.inverse_transform(full.transform(X)), X, atol=1e-12)
    np.testing.assert_allclose(full.explained_variance_ratio_.sum(), 1.0)
    white = PCA(n_components=3, whiten=True).fit_transform(X)
    np.testing.assert_allclose(white.var(axis=0, ddof=1), 1.0)
    assert np.all(np.abs(full.components_).argmax(axis=1) >= 0)
    rows = np.arange(len(full.components_))
    assert np.all(full.components_[rows, np.abs(full.components_).argmax(axis=1)] > 0)


def test_decomposition_svd_flip_makes_the_largest_entry_positive() -> None:
    U = np.array([[1.0, 2.0], [3.0, 4.0]])
    Vt = np.array([[0.1, -0.9], [0.8, 0.2]])
    U2, Vt2 = svd_flip(U, Vt)
    np.testing.assert_array_equal(Vt2, [[-0.1, 0.9], [0.8, 0.2]])
    np.testing.assert_array_equal(U2 @ Vt2, U @ Vt)  # the product is unchanged


def test_decomposition_randomized_svd_finds_the_top_singular_values() -> None:
    rng = np.random.RandomState(0)
    A = rng.normal(size=(200, 8)) @ rng.normal(size=(8, 120))  # rank 8
    _, S, _ = randomized_svd(A, 5, random_state=0)
    np.testing.assert_allclose(S, np.linalg.svd(A, compute_uv=False)[:5], rtol=1e-10)
    _, S_wide, Vt = randomized_svd(A.T, 5, random_state=0)  # wider than tall: works on Aᵀ
    np.testing.assert_allclose(S_wide, S, rtol=1e-10)
    assert Vt.shape == (5, 200)


@pytest.mark.parametrize("algorithm", ["randomized", "arpack"])
def test_decomposition_truncated_svd_equals_sklearns_on_movie_reviews(
    reviews_tfidf: sp.csr_matrix, algorithm: str
) -> None:
    params = {"n_components": 20, "algorithm": algorithm, "random_state": 0}
    ours = TruncatedSVD(**params)
    Z = ours.fit_transform(reviews_tfidf)
    theirs = sk_decomposition.TruncatedSVD(**params)
    Z_theirs = theirs.fit_transform(reviews_tfidf)
    for name in ("components_", "singular_values_", "explained_variance_", "explained_variance_ratio_"):  # fmt: skip
        np.testing.assert_allclose(
            getattr(ours, name), getattr(theirs, name), atol=1e-9, err_msg=name
        )
    np.testing.assert_allclose(Z, Z_theirs, atol=1e-9)
    np.testing.assert_allclose(ours.transform(reviews_tfidf[:50]), Z[:50], atol=1e-9)


def test_decomposition_randomized_explained_variance_is_close_to_exact(
    reviews_tfidf: sp.csr_matrix,
) -> None:
    exact = TruncatedSVD(n_components=10, algorithm="arpack", random_state=0).fit(reviews_tfidf)
    fast = TruncatedSVD(n_components=10, random_state=1).fit(reviews_tfidf)
    # Five power iterations pin the top directions; the tail ones come out a little low.
    np.testing.assert_allclose(fast.singular_values_[:3], exact.singular_values_[:3], rtol=1e-4)
    np.testing.assert_allclose(fast.singular_values_, exact.singular_values_, rtol=1e-2)
    np.testing.assert_allclose(fast.explained_variance_ratio_.sum(),
                               exact.explained_variance_ratio_.sum(), rtol=1e-2)  # fmt: skip


def test_decomposition_truncated_svd_works_on_dense_rows_too() -> None:
    ours = TruncatedSVD(n_components=5, random_state=0).fit(DIGITS)
    theirs = sk_decomposition.TruncatedSVD(n_components=5, random_state=0).fit(DIGITS)
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-9)
    assert ours.inverse_transform(ours.transform(DIGITS[:3])).shape == (3, 64)


def test_decomposition_keeps_the_estimator_contract() -> None:
    X, y = load_iris(return_X_y=True)
    for model in (PCA(n_components=2), TruncatedSVD(n_components=2, random_state=0)):
        with pytest.raises(NotFittedError, match="not fitted"):
            model.transform(X)
        assert model.fit(X) is model
        with pytest.raises(ValueError, match="fitted on 4"):
            model.transform(X[:, :3])
        copy = clone(model)
        assert copy.get_params() == model.get_params() and not hasattr(copy, "components_")
        pipe = Pipeline([("reduce", clone(model)), ("clf", SkLogisticRegression(max_iter=500))])
        assert pipe.fit(X, y).score(X, y) > 0.9


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [({"n_components": 5}, ValueError, "between 1 and"), ({"n_components": 1.5}, ValueError, r"\(0, 1\)"),
     ({"n_components": "mle"}, TypeError, "n_components"), ({"svd_solver": "arpack"}, ValueError, "svd_solver"),
     ({"n_components": 0.5, "svd_solver": "randomized"}, ValueError, "full")],
)  # fmt: skip
def test_decomposition_pca_refuses_bad_settings(params: dict, error: type, message: str) -> None:
    X = load_iris(return_X_y=True)[0]
    with pytest.raises(error, match=message):
        PCA(**params).fit(X)


def test_decomposition_refuses_bad_input() -> None:
    X = load_iris(return_X_y=True)[0]
    with pytest.raises(TypeError, match="use TruncatedSVD.*toarray"):
        PCA().fit(sp.csr_matrix(X))
    with pytest.raises(TypeError, match="use TruncatedSVD"):
        PCA(2).fit(X).transform(sp.csr_matrix(X))
    with pytest.raises(ValueError, match="n_components"):
        TruncatedSVD(n_components=4).fit(X)
    with pytest.raises(ValueError, match="algorithm"):
        TruncatedSVD(algorithm="lanczos").fit(X)
