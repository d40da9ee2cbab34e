"""LinearSVC against scikit-learn's (liblinear) on the same splits (nlpjourney.ml.svm)."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import datasets
from sklearn import svm as sk
from sklearn.preprocessing import StandardScaler

from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml.base import ConvergenceWarning, NotFittedError
from nlpjourney.ml.model_selection import train_test_split
from nlpjourney.ml.svm import LinearSVC, svm_objective


@functools.cache
def _split(name: str) -> tuple:
    """A fixed stratified 75/25 split, features scaled (or TF-IDF) on the train rows only.

    Cached across the tests of this module, which only read it.
    """
    if name in ("sms_spam", "movie_reviews"):
        rows = getattr(corpora, name)()
        texts, labels = [text for text, _ in rows], np.array([label for _, label in rows])
        X_train, X_test, y_train, y_test = train_test_split(
            texts, labels, test_size=0.25, random_state=0, stratify=labels
        )
        vectorizer = TfidfVectorizer().fit(X_train)
        return vectorizer.transform(X_train), vectorizer.transform(X_test), y_train, y_test
    load = {"iris": datasets.load_iris, "digits": datasets.load_digits,
            "breast_cancer": datasets.load_breast_cancer}[name]  # fmt: skip
    X, y = load(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def _liblinear(loss: str, X, y, max_iter: int = 1000) -> sk.LinearSVC:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # liblinear's ConvergenceWarning on digits
        return sk.LinearSVC(loss=loss, dual=True, max_iter=max_iter, random_state=0).fit(X, y)


@pytest.mark.parametrize("name", ["iris", "breast_cancer", "digits", "sms_spam", "movie_reviews"])
def test_svm_dual_cd_accuracy_within_half_a_point_of_sklearn(name) -> None:
    X_train, X_test, y_train, y_test = _split(name)
    theirs = _liblinear("squared_hinge", X_train, y_train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # digits: both stop at max_iter
        ours = LinearSVC(random_state=0).fit(X_train, y_train)
    assert ours.coef_.shape == theirs.coef_.shape
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) <= 0.005


@pytest.mark.parametrize("loss", ["squared_hinge", "hinge"])
@pytest.mark.parametrize("name", ["breast_cancer", "sms_spam"])
def test_svm_dual_cd_reaches_liblinears_objective(name, loss) -> None:
    X_train, _, y_train, _ = _split(name)
    theirs = _liblinear(loss, X_train, y_train, max_iter=5000)
    ours = LinearSVC(loss=loss, random_state=0, max_iter=5000).fit(X_train, y_train)
    ours_value = svm_objective(ours.coef_, ours.intercept_, X_train, y_train, 1.0, loss)
    theirs_value = svm_objective(theirs.coef_, theirs.intercept_, X_train, y_train, 1.0, loss)
    # Both stop at a projected-gradient spread of 1e-4: the objectives agree to 1e-4 relative.
    assert ours_value == pytest.approx(theirs_value, rel=1e-4)
    if loss == "squared_hinge":  # strictly convex: the optimum itself is unique
        np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=5e-3)


@pytest.mark.parametrize("name", ["breast_cancer", "sms_spam"])
def test_svm_pegasos_close_to_dual_cd(name) -> None:
    X_train, X_test, y_train, y_test = _split(name)
    exact = LinearSVC(loss="hinge", random_state=0).fit(X_train, y_train)
    sgd = LinearSVC(loss="hinge", solver="pegasos", max_iter=200, random_state=0).fit(
        X_train, y_train
    )
    exact_value = svm_objective(exact.coef_, exact.intercept_, X_train, y_train, 1.0, "hinge")
    sgd_value = svm_objective(sgd.coef_, sgd.intercept_, X_train, y_train, 1.0, "hinge")
    # Stochastic: near the optimum, never below it; held-out accuracy within 3 points
    # (4 of breast cancer's 143 test rows).
    assert exact_value * (1 - 1e-4) <= sgd_value <= exact_value * 1.05
    assert abs(sgd.score(X_test, y_test) - exact.score(X_test, y_test)) <= 0.03


def test_svm_seeded_runs_repeat_and_dense_equals_sparse() -> None:
    X_train, _, y_train, _ = _split("iris")
    a = LinearSVC(random_state=3).fit(X_train, y_train)
    b = LinearSVC(random_state=3).fit(sp.csr_matrix(X_train), y_train)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.intercept_, b.intercept_)


def test_svm_string_labels_binary_and_multiclass_shapes() -> None:
    X_train, X_test, y_train, _ = _split("iris")
    names = np.array(["setosa", "versicolor", "virginica"])
    model = LinearSVC(random_state=0).fit(X_train, names[y_train])
    assert model.classes_.tolist() == names.tolist()
    assert model.coef_.shape == (3, 4) and model.decision_function(X_test).shape == (len(X_test), 3)
    scores = model.decision_function(X_test)
    np.testing.assert_array_equal(model.predict(X_test), model.classes_[scores.argmax(axis=1)])
    two = y_train < 2
    binary = LinearSVC(random_state=0, fit_intercept=False).fit(X_train[two], names[y_train[two]])
    assert binary.coef_.shape == (1, 4) and binary.intercept_.tolist() == [0.0]
    assert binary.decision_function(X_test).shape == (len(X_test),)
    assert set(binary.predict(X_test)) <= {"setosa", "versicolor"}


def test_svm_contract_and_bad_input() -> None:
    X_train, _, y_train, _ = _split("iris")
    model = LinearSVC(C=0.5, random_state=0)
    assert model.fit(X_train, y_train) is model
    assert repr(model) == "LinearSVC(C=0.5, random_state=0)"
    with pytest.raises(NotFittedError, match="call fit"):
        LinearSVC().predict(X_train)
    with pytest.raises(ValueError, match="fitted on 4"):
        model.predict(X_train[:, :2])
    with pytest.raises(ValueError, match="C must be a positive"):
        LinearSVC(C=0).fit(X_train, y_train)
    with pytest.raises(ValueError, match="loss must be"):
        LinearSVC(loss="log").fit(X_train, y_train)
    with pytest.raises(ValueError, match="solver must be"):
        LinearSVC(solver="smo").fit(X_train, y_train)
    with pytest.raises(ValueError, match="at least two classes"):
        LinearSVC().fit(X_train, np.zeros(len(y_train)))
    with pytest.warns(ConvergenceWarning, match="stopped at max_iter=2"):
        LinearSVC(max_iter=2, random_state=0).fit(X_train, y_train)
