"""Splits against scikit-learn's (nlpjourney.ml.model_selection)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import datasets
from sklearn import model_selection as skms
from sklearn.model_selection import train_test_split as sk_train_test_split
from sklearn.pipeline import Pipeline

from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml.base import NotFittedError
from nlpjourney.ml.linear import LogisticRegression, Ridge
from nlpjourney.ml.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    clone,
    cross_val_score,
    train_test_split,
)


@pytest.mark.parametrize(
    ("n", "sizes"),
    [(10, {}), (103, {"test_size": 0.2}), (50, {"train_size": 0.3}), (40, {"test_size": 7}),
     (40, {"test_size": 0.1, "train_size": 0.5}), (33, {"train_size": 12})],
)  # fmt: skip
@pytest.mark.parametrize("seed", [0, 42])
def test_model_selection_train_test_split_gives_sklearns_rows(
    n: int, sizes: dict, seed: int
) -> None:
    X = np.arange(2 * n).reshape(n, 2)
    y = list(range(n))
    ours = train_test_split(X, y, random_state=seed, **sizes)
    theirs = sk_train_test_split(X, y, random_state=seed, **sizes)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)
    assert isinstance(ours[2], list)


def test_model_selection_train_test_split_keeps_kinds_and_order_without_shuffle() -> None:
    X = sp.csr_matrix(np.eye(5))
    X_train, X_test = train_test_split(X, test_size=2, shuffle=False)
    assert sp.issparse(X_train) and X_train.shape == (3, 5)
    np.testing.assert_array_equal(X_test.toarray(), np.eye(5)[3:])


def test_model_selection_train_test_split_refuses_bad_sizes() -> None:
    with pytest.raises(ValueError, match="different numbers of rows"):
        train_test_split([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        train_test_split([1, 2, 3], test_size=1.5)
    with pytest.raises(ValueError, match="more than the 4 rows"):
        train_test_split([1, 2, 3, 4], test_size=3, train_size=3)
    with pytest.raises(ValueError, match="leaves one side empty"):
        train_test_split([1, 2], test_size=0.01, train_size=0.01)
    with pytest.raises(ValueError, match="at least one array"):
        train_test_split()


def _labels(n: int, seed: int) -> np.ndarray:
    return np.random.RandomState(seed).choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])


@pytest.mark.parametrize("n", [20, 57, 103])
@pytest.mark.parametrize(("test_size", "seed"), [(0.25, 0), (0.3, 7), (9, 42)])
def test_model_selection_stratified_split_gives_sklearns_rows(n, test_size, seed) -> None:
    y = _labels(n, seed)
    X = np.arange(n)[:, None]
    ours = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    theirs = sk_train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_model_selection_stratified_split_refuses_what_cannot_be_balanced() -> None:
    with pytest.raises(ValueError, match="has only one row"):
        train_test_split(list(range(5)), stratify=["a", "a", "b", "b", "c"])
    with pytest.raises(ValueError, match="cannot each hold all 3 classes"):
        train_test_split(list(range(9)), test_size=2, stratify=list("aaabbbccc"))
    with pytest.raises(ValueError, match="needs shuffle=True"):
        train_test_split(list(range(4)), shuffle=False, stratify=list("aabb"))
    with pytest.raises(ValueError, match="3 labels but the arrays have 4"):
        train_test_split(list(range(4)), stratify=list("aab"))


@pytest.mark.parametrize("n", [10, 37, 101])
@pytest.mark.parametrize("n_splits", [2, 3, 5])
@pytest.mark.parametrize(("shuffle", "seed"), [(False, None), (True, 0), (True, 42)])
def test_model_selection_folds_equal_sklearns(n, n_splits, shuffle, seed) -> None:
    y = _labels(n, 1)
    X = np.zeros((n, 1))
    for ours, theirs in ((KFold, skms.KFold), (StratifiedKFold, skms.StratifiedKFold)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # both warn of a class rarer than n_splits
            a = list(ours(n_splits, shuffle=shuffle, random_state=seed).split(X, y))
            b = list(theirs(n_splits, shuffle=shuffle, random_state=seed).split(X, y))
        assert len(a) == len(b) == n_splits
        for (train_a, test_a), (train_b, test_b) in zip(a, b, strict=True):
            np.testing.assert_array_equal(train_a, train_b)
            np.testing.assert_array_equal(test_a, test_b)


def test_model_selection_folds_refuse_bad_settings() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        KFold(1)
    with pytest.raises(ValueError, match="without shuffle=True"):
        KFold(3, random_state=0)
    with pytest.raises(ValueError, match="cannot make 5 folds of 3 rows"):
        list(KFold(5).split([1, 2, 3]))
    with pytest.raises(ValueError, match="no class has that many rows"):
        list(StratifiedKFold(3).split([1, 2, 3, 4], ["a", "a", "b", "b"]))
    with pytest.warns(UserWarning, match="only 1 rows, fewer than n_splits=2"):
        list(StratifiedKFold(2).split([1, 2, 3, 4, 5], ["a", "a", "b", "b", "c"]))
    with pytest.raises(ValueError, match="needs the labels"):
        list(StratifiedKFold(2).split([1, 2, 3, 4]))


@pytest.mark.parametrize("scoring", [None, "accuracy", "f1_macro"])
def test_model_selection_cross_val_score_equals_sklearns(scoring) -> None:
    X, y = datasets.load_iris(return_X_y=True)
    model = LogisticRegression(C=0.3, max_iter=500)
    ours = cross_val_score(model, X, y, cv=5, scoring=scoring)
    theirs = skms.cross_val_score(model, X, y, cv=5, scoring=scoring)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert not hasattr(model, "coef_")  # the estimator passed in is never fitted


def test_model_selection_cross_val_score_regression_and_callable() -> None:
    X, y = datasets.load_diabetes(return_X_y=True)
    ours = cross_val_score(Ridge(alpha=0.1), X, y, cv=4, scoring="r2")
    np.testing.assert_allclose(ours, skms.cross_val_score(Ridge(alpha=0.1), X, y, cv=4), rtol=1e-10)
    folds = KFold(3, shuffle=True, random_state=0)
    negative_error = lambda est, X_, y_: -float(np.mean((est.predict(X_) - y_) ** 2))  # noqa: E731
    scores = cross_val_score(Ridge(), X, y, cv=folds, scoring=negative_error)
    assert scores.shape == (3,) and np.all(scores < 0)
    with pytest.raises(ValueError, match="unknown scoring 'rmse'"):
        cross_val_score(Ridge(), X, y, scoring="rmse")
    with pytest.raises(TypeError, match="cv must be"):
        cross_val_score(Ridge(), X, y, cv=1.5)


def test_model_selection_clone_makes_a_fresh_copy() -> None:
    model = LogisticRegression(C=2.0).fit([[0.0], [1.0]], [0, 1])
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    assert not hasattr(copy, "coef_")
    pipe = Pipeline([("tfidf", TfidfVectorizer(min_df=2)), ("clf", LogisticRegression())])
    pipe_copy = clone(pipe)
    assert pipe_copy.steps[0][1] is not pipe.steps[0][1]
    assert pipe_copy.get_params()["tfidf__min_df"] == 2


def test_model_selection_grid_search_equals_sklearns_on_iris() -> None:
    X, y = datasets.load_iris(return_X_y=True)
    grid = [{"C": [0.01, 0.1, 1.0], "solver": ["lbfgs"]}, {"C": [10.0], "solver": ["newton"]}]
    model = LogisticRegression(max_iter=1000, tol=1e-8)
    ours = GridSearchCV(model, grid, cv=4).fit(X, y)
    theirs = skms.GridSearchCV(model, grid, cv=4).fit(X, y)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    for key in ("mean_test_score", "std_test_score", "rank_test_score", "split0_test_score"):
        np.testing.assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], atol=1e-12)
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == pytest.approx(theirs.best_score_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y))


def test_model_selection_grid_search_over_a_tfidf_pipeline_ours_and_sklearns() -> None:
    rows = corpora.sms_spam()[:1200]
    texts, labels = [text for text, _ in rows], np.array([label for _, label in rows])
    pipe = Pipeline([("tfidf", TfidfVectorizer()), ("clf", LogisticRegression())])
    grid = {"clf__C": [0.1, 10.0], "tfidf__sublinear_tf": [False, True]}
    ours = GridSearchCV(pipe, grid, cv=3, scoring="f1_macro").fit(texts, labels)
    theirs = skms.GridSearchCV(pipe, grid, cv=3, scoring="f1_macro").fit(texts, labels)
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=1e-10
    )
    assert ours.best_estimator_.predict(texts[:20]).tolist() == theirs.predict(texts[:20]).tolist()


def test_model_selection_grid_search_refuses_bad_grids_and_early_use() -> None:
    X, y = datasets.load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="does not fit the estimator"):
        GridSearchCV(LogisticRegression(), {"alpha": [1.0]}, cv=2).fit(X, y)
    with pytest.raises(ValueError, match="non-empty list"):
        GridSearchCV(LogisticRegression(), {"C": []}, cv=2).fit(X, y)
    with pytest.raises(NotFittedError, match="call fit"):
        GridSearchCV(LogisticRegression(), {"C": [1.0]}).predict(X)
    search = GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=2, refit=False).fit(X, y)
    assert search.best_params_ == {"C": 1.0} and not hasattr(search, "best_estimator_")


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(st.sampled_from("abc"), min_size=6, max_size=60),
    n_splits=st.integers(2, 5),
    seed=st.integers(0, 2**31 - 1),
)
def test_model_selection_stratified_folds_partition_rows_and_balance_classes(
    labels, n_splits, seed
) -> None:
    y = np.array(labels)
    counts = {label: int(np.sum(y == label)) for label in set(labels)}
    if max(counts.values()) < n_splits:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a class rarer than n_splits is allowed here
        folds = list(StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(y, y))
    tests = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(tests), np.arange(len(y)))  # each row tested once
    for train, test in folds:
        assert np.intersect1d(train, test).size == 0 and train.size + test.size == len(y)
        for label, count in counts.items():  # each class spread evenly: at most one apart
            assert abs(np.sum(y[test] == label) - count / n_splits) < 1


def test_model_selection_grid_search_nests_in_cross_val_score() -> None:
    X, y = datasets.load_iris(return_X_y=True)
    search = GridSearchCV(LogisticRegression(max_iter=500), {"C": [0.1, 1.0]}, cv=3)
    assert search.get_params()["estimator__max_iter"] == 500
    assert repr(clone(search)) == repr(search)
    ours = cross_val_score(search, X, y, cv=3)  # the outer folds are stratified too
    theirs = skms.cross_val_score(search, X, y, cv=3)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
