"""NMF against scikit-learn's on real TF-IDF (State of the Union speeches, Brown files).

With equal settings both start from the same initialization (scikit-learn's random
draws) and take the same steps, so the reconstruction errors agree far inside the
issue's 1 %, and the topics themselves agree to rounding.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import clone
from sklearn.decomposition import NMF as SkNMF

from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml.base import ConvergenceWarning, NotFittedError
from nlpjourney.topics import NMF


def _tfidf(texts: list[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    vectorizer = TfidfVectorizer(stop_words="english", min_df=2)
    X = vectorizer.fit_transform(texts)
    return X, vectorizer.get_feature_names_out()


@pytest.fixture(scope="module")
def sotu() -> tuple[sp.csr_matrix, np.ndarray]:
    return _tfidf([text for _, _, text in corpora.state_union()])


def _pair(X: sp.csr_matrix, **settings: object) -> tuple[NMF, SkNMF, np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn alike when they stop at max_iter
        ours = NMF(**settings)  # type: ignore[arg-type]
        theirs = SkNMF(**settings)  # type: ignore[arg-type]
        return ours, theirs, ours.fit_transform(X), theirs.fit_transform(X)


@pytest.mark.parametrize(
    "options",
    [
        {"solver": "cd"},
        {"solver": "mu"},
        {"solver": "mu", "beta_loss": "kullback-leibler"},
        {"solver": "cd", "init": "random", "max_iter": 60},
        {"solver": "mu", "init": "nndsvd", "max_iter": 50},
        {"solver": "mu", "init": "nndsvdar", "alpha_W": 1e-4, "l1_ratio": 0.5},
        {"solver": "cd", "alpha_W": 1e-4, "alpha_H": 2e-4, "l1_ratio": 0.3},
        {"solver": "mu", "beta_loss": "kullback-leibler", "init": "random", "max_iter": 40},
    ],
)
def test_nmf_equals_sklearn_on_state_union(
    sotu: tuple[sp.csr_matrix, np.ndarray], options: dict[str, object]
) -> None:
    X, _ = sotu
    ours, theirs, W, W_sk = _pair(X, n_components=8, random_state=0, **options)
    assert ours.reconstruction_err_ == pytest.approx(theirs.reconstruction_err_, rel=1e-6)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-8)
    np.testing.assert_allclose(W, W_sk, atol=1e-8)


@pytest.mark.parametrize("solver", ["cd", "mu"])
def test_nmf_transform_and_inverse_equal_sklearn(
    sotu: tuple[sp.csr_matrix, np.ndarray], solver: str
) -> None:
    X, _ = sotu
    ours, theirs, W, _ = _pair(X[:50], n_components=6, solver=solver, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        new, new_sk = ours.transform(X[50:]), theirs.transform(X[50:])
    np.testing.assert_allclose(new, new_sk, atol=1e-8)
    np.testing.assert_allclose(ours.inverse_transform(W), theirs.inverse_transform(W), atol=1e-10)


@pytest.mark.slow
def test_nmf_reconstruction_error_within_one_percent_on_brown() -> None:
    X, _ = _tfidf([" ".join(words) for _, _, words in corpora.brown_documents()])
    # KL on Brown is left to the benchmark: scikit-learn alone takes about 20 s there.
    for options in ({"solver": "cd"}, {"solver": "mu"}):
        ours, theirs, _, _ = _pair(X, n_components=10, random_state=0, **options)
        assert ours.reconstruction_err_ == pytest.approx(theirs.reconstruction_err_, rel=0.01)


def test_nmf_top_words_read_as_topics(sotu: tuple[sp.csr_matrix, np.ndarray]) -> None:
    X, names = sotu
    model = NMF(10, random_state=0, max_iter=400).fit(X, feature_names=names)
    topics = model.top_words(8)
    assert len(topics) == 10 and all(len(t) == 8 for t in topics)
    assert all(w in names for t in topics for w in t)
    # Each topic's words are its heaviest columns, heaviest first.
    weights = model.components_[0, [list(names).index(w) for w in topics[0]]]
    assert np.all(np.diff(weights) <= 0)
    assert model.top_words(3, feature_names=names) == [t[:3] for t in topics]


def test_nmf_dense_and_sparse_input_agree(sotu: tuple[sp.csr_matrix, np.ndarray]) -> None:
    X = sotu[0][:, :400]
    for beta in ("frobenius", "kullback-leibler"):
        sparse = NMF(4, solver="mu", beta_loss=beta, random_state=0, max_iter=30, tol=0)
        dense = clone(sparse)
        sparse.fit(X)
        dense.fit(X.toarray())
        np.testing.assert_allclose(sparse.components_, dense.components_, atol=1e-10)
        assert sparse.reconstruction_err_ == pytest.approx(dense.reconstruction_err_, rel=1e-9)


@settings(max_examples=25)
@given(
    X=hnp.arrays(
        np.float64, st.tuples(st.integers(3, 8), st.integers(3, 8)), elements=st.floats(0, 5)
    ),  # fmt: skip
    solver=st.sampled_from(["cd", "mu"]),
)
@example(X=np.full((3, 3), 5e-324), solver="mu")  # squares underflow: the loss starts at 0
def test_nmf_factors_stay_non_negative_and_reduce_the_loss(X: np.ndarray, solver: str) -> None:
    if X.sum() == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one = NMF(2, solver=solver, init="nndsvda", max_iter=1, random_state=0).fit(X)
        many = NMF(2, solver=solver, init="nndsvda", max_iter=100, random_state=0).fit(X)
    assert (one.components_ >= 0).all() and (many.components_ >= 0).all()
    assert many.reconstruction_err_ <= one.reconstruction_err_ + 1e-9


@pytest.mark.parametrize(
    ("options", "X", "match"),
    [
        ({"solver": "cd", "beta_loss": "kullback-leibler"}, None, "solver='mu'"),
        ({"solver": "als"}, None, "unknown solver"),
        ({"beta_loss": "itakura-saito"}, None, "unknown beta_loss"),
        ({"init": "svd"}, None, "unknown init"),
        ({"n_components": 0}, None, "positive int"),
        ({"n_components": 9, "init": "nndsvd"}, None, "init='random'"),
        ({}, -np.eye(3), "non-negative"),
    ],
)
def test_nmf_bad_settings_say_what_to_do(
    options: dict[str, object], X: np.ndarray | None, match: str
) -> None:
    data = np.abs(np.random.RandomState(0).rand(5, 4)) if X is None else X
    with pytest.raises(ValueError, match=match):
        NMF(**{"n_components": 2, **options}).fit(data)  # type: ignore[arg-type]


def test_nmf_unfitted_and_nameless_errors() -> None:
    with pytest.raises(NotFittedError):
        NMF(2).transform(np.ones((2, 3)))
    model = NMF(2, random_state=0).fit(np.random.RandomState(0).rand(5, 4))
    with pytest.raises(ValueError, match="feature_names"):
        model.top_words(3)
    with pytest.raises(ValueError, match="features"):
        model.transform(np.ones((2, 7)))
    assert "n_components=2" in repr(clone(model))
