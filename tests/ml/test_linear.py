"""Linear models against scikit-learn's (nlpjourney.ml.linear): same optimum, same contract."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import datasets
from sklearn import linear_model as sk
from sklearn.base import clone as sk_clone
from sklearn.preprocessing import StandardScaler

from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml.base import ConvergenceWarning, NotFittedError
from nlpjourney.ml.linear import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    logistic_gradient_step,
    logistic_loss_and_grad,
)
from nlpjourney.ml.math import numerical_gradient


@pytest.fixture(scope="module")
def diabetes() -> tuple[np.ndarray, np.ndarray]:
    return datasets.load_diabetes(return_X_y=True)


@pytest.fixture(scope="module")
def sms_tfidf() -> tuple[sp.csr_matrix, np.ndarray]:
    messages = corpora.sms_spam()
    X = TfidfVectorizer().fit_transform([text for text, _ in messages])
    return X, np.array([label for _, label in messages])


def _classification(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "iris":
        return datasets.load_iris(return_X_y=True)
    if name == "breast_cancer":
        X, y = datasets.load_breast_cancer(return_X_y=True)
        return StandardScaler().fit_transform(X), y
    X, y = datasets.load_digits(return_X_y=True)
    return X / 16.0, y  # pixel intensities in [0, 1]: the optimiser converges in fewer steps


@pytest.mark.parametrize("sparse", [False, True])
def test_linear_regression_normal_equations_equal_sklearn_on_diabetes(diabetes, sparse) -> None:
    X, y = diabetes
    theirs = sk.LinearRegression().fit(X, y)
    ours = LinearRegression().fit(sp.csr_matrix(X) if sparse else X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-7, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), abs=1e-10)


@pytest.mark.parametrize("sparse", [False, True])
def test_linear_regression_gradient_descent_reaches_sklearns_coefficients(diabetes, sparse) -> None:
    X, y = diabetes
    theirs = sk.LinearRegression().fit(X, y)
    ours = LinearRegression(solver="gd").fit(sp.csr_matrix(X) if sparse else X, y)
    # Gradient descent stops at a gradient below tol=1e-8 on standardised columns: the
    # coefficients (up to ~800 on diabetes) agree to 1e-3 absolute, R² to 1e-9.
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-3)
    assert 0 < ours.n_iter_ < ours.max_iter
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), abs=1e-9)


def test_linear_regression_without_intercept_equals_sklearn(diabetes) -> None:
    X, y = diabetes
    theirs = sk.LinearRegression(fit_intercept=False).fit(X, y)
    for solver in ("normal", "gd"):
        ours = LinearRegression(fit_intercept=False, solver=solver, max_iter=50_000).fit(X, y)
        np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-3)
        assert ours.intercept_ == 0.0


@pytest.mark.parametrize("alpha", [0.01, 1.0, 30.0])
def test_ridge_equals_sklearn_dense_sparse_and_wide(diabetes, alpha) -> None:
    X, y = diabetes
    theirs = sk.Ridge(alpha=alpha).fit(X, y)
    for features in (X, sp.csr_matrix(X)):
        ours = Ridge(alpha=alpha).fit(features, y)
        np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-10)
    # More features than rows: the dual system.
    wide_theirs = sk.Ridge(alpha=alpha).fit(X[:6], y[:6])
    wide_ours = Ridge(alpha=alpha).fit(sp.csr_matrix(X[:6]), y[:6])
    np.testing.assert_allclose(wide_ours.coef_, wide_theirs.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(wide_ours.intercept_, wide_theirs.intercept_, rtol=1e-8)


@pytest.mark.parametrize("name", ["iris", "breast_cancer", "digits"])
@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
def test_logistic_regression_same_optimum_as_sklearn(name, solver) -> None:
    X, y = _classification(name)
    # Both run to a tight tolerance, so the comparison is of optima, not stopping points.
    theirs = sk.LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X, y)
    ours = LogisticRegression(C=1.0, solver=solver, tol=1e-10, max_iter=10_000).fit(X, y)
    assert ours.coef_.shape == theirs.coef_.shape
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-5)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), abs=0.005)


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
def test_logistic_regression_same_optimum_as_sklearn_on_sms_tfidf(sms_tfidf, solver) -> None:
    X, y = sms_tfidf
    theirs = sk.LogisticRegression(C=10.0, tol=1e-10, max_iter=10_000).fit(X, y)
    ours = LogisticRegression(C=10.0, solver=solver, tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-5)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_logistic_regression_default_tol_stops_where_sklearn_does(sms_tfidf) -> None:
    X, y = sms_tfidf
    # Same objective scaling and L-BFGS settings: the same iterates, the same stop.
    theirs = sk.LogisticRegression().fit(X, y)
    ours = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-8)
    assert ours.n_iter_.tolist() == theirs.n_iter_.tolist()


@pytest.mark.parametrize("k", [1, 3])
def test_logistic_loss_and_grad_matches_finite_differences_and_sklearn_scaling(k) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 4))
    W, b = rng.normal(size=(k, 4)), rng.normal(size=k)
    labels = rng.integers(0, 2 if k == 1 else k, size=12)
    Y = labels[:, None].astype(float) if k == 1 else np.eye(k)[labels]
    C = 0.7
    loss, grad_W, grad_b = logistic_loss_and_grad(W, b, X, Y, C)
    numeric_W = numerical_gradient(lambda w: logistic_loss_and_grad(w, b, X, Y, C)[0], W)
    numeric_b = numerical_gradient(lambda v: logistic_loss_and_grad(W, v, X, Y, C)[0], b)
    np.testing.assert_allclose(grad_W, numeric_W, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_b, numeric_b, rtol=1e-5, atol=1e-6)
    # The summed log-loss equals n times scikit-learn's mean log-loss.
    scores = X @ W.T + b
    if k == 1:
        p = 1 / (1 + np.exp(-scores[:, 0]))
        log_loss = -np.sum(labels * np.log(p) + (1 - labels) * np.log(1 - p))
    else:
        log_p = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        log_loss = -np.sum(log_p[np.arange(12), labels])
    assert loss == pytest.approx(log_loss + np.sum(W**2) / (2 * C), rel=1e-12)
    # Sparse X gives the same.
    sparse_loss, sparse_grad_W, _ = logistic_loss_and_grad(W, b, sp.csr_matrix(X), Y, C)
    assert sparse_loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(sparse_grad_W, grad_W, rtol=1e-12)


@pytest.mark.parametrize("name", ["iris", "breast_cancer"])
def test_linear_logistic_gradient_step_descends_to_the_sklearn_optimum(name) -> None:
    X, y = _classification(name)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    k = 1 if name == "breast_cancer" else 3
    Y = y[:, None].astype(float) if k == 1 else np.eye(k)[y]
    C = 0.1 if k == 1 else 1.0  # a stronger penalty keeps 30 features well conditioned
    W, b = np.zeros((k, X.shape[1])), np.zeros(k)
    # One step is W - lr * gradient, with the loss before the step; inputs stay unchanged.
    new_W, new_b, loss = logistic_gradient_step(W, b, X, Y, C, lr=0.01)
    first, grad_W, grad_b = logistic_loss_and_grad(W, b, X, Y, C)
    assert loss == first and not W.any() and not b.any()
    np.testing.assert_allclose(new_W, -0.01 * grad_W, rtol=1e-15)
    np.testing.assert_allclose(new_b, -0.01 * grad_b, rtol=1e-15)
    # At lr = 1/L (L bounds the Hessian) every step lowers the loss, down to the optimum.
    augmented = np.hstack([X, np.ones((len(X), 1))])
    lipschitz = np.linalg.eigvalsh(augmented.T @ augmented)[-1] * (0.25 if k == 1 else 0.5) + 1 / C
    losses = []
    for _ in range(3000):
        W, b, loss = logistic_gradient_step(W, b, X, Y, C, lr=1 / lipschitz)
        losses.append(loss)
    assert np.all(np.diff(losses) <= 1e-9)
    reference = sk.LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(W, reference.coef_, atol=1e-4)
    np.testing.assert_allclose(b, reference.intercept_, atol=1e-4)


@pytest.mark.parametrize("lr", [0.0, -0.1, "0.1", True])
def test_linear_logistic_gradient_step_rejects_a_bad_learning_rate(lr) -> None:
    with pytest.raises(ValueError, match="lr must be a positive number"):
        logistic_gradient_step(np.zeros((1, 2)), np.zeros(1), np.eye(2), np.ones((2, 1)), 1.0, lr)


def test_logistic_regression_string_labels_and_probabilities() -> None:
    X, y = _classification("iris")
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = LogisticRegression(max_iter=500).fit(X, names)
    assert model.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert set(model.predict(X)) <= set(names)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba, rtol=1e-10)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X))
    binary = LogisticRegression().fit(X[:100], names[:100])
    assert binary.coef_.shape == (1, 4) and binary.decision_function(X[:5]).shape == (5,)
    np.testing.assert_allclose(binary.predict_proba(X[:5]).sum(axis=1), 1.0)


def test_linear_contract_fit_returns_self_and_clones_with_sklearn(diabetes) -> None:
    X, y = diabetes
    for model in (LinearRegression(solver="gd", tol=1e-6), Ridge(alpha=2.0)):
        assert model.fit(X, y) is model
        copy = sk_clone(model)
        assert copy.get_params() == model.get_params() and not hasattr(copy, "coef_")
    classifier = LogisticRegression(C=0.5)
    assert classifier.fit(X, y > 140) is classifier
    assert repr(classifier) == "LogisticRegression(C=0.5)"


def test_linear_refuses_bad_input(diabetes) -> None:
    X, y = diabetes
    with pytest.raises(NotFittedError, match="call fit"):
        LinearRegression().predict(X)
    with pytest.raises(NotFittedError, match="call fit"):
        LogisticRegression().predict_proba(X)
    with pytest.raises(ValueError, match="fitted on 10"):
        Ridge().fit(X, y).predict(X[:, :3])
    with pytest.raises(ValueError, match="solver must be"):
        LinearRegression(solver="qr").fit(X, y)
    with pytest.raises(ValueError, match="learning_rate must lie in"):
        LinearRegression(solver="gd", learning_rate=3.0).fit(X, y)
    with pytest.raises(ValueError, match="alpha must be a positive"):
        Ridge(alpha=0).fit(X, y)
    with pytest.raises(ValueError, match="C must be a positive"):
        LogisticRegression(C=-1.0).fit(X, y > 140)
    with pytest.raises(ValueError, match="at least two classes"):
        LogisticRegression().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="rows but y has"):
        LogisticRegression().fit(X, y[:5])
    with pytest.warns(ConvergenceWarning, match="stopped at max_iter=3"):
        LogisticRegression(max_iter=3).fit(X, y > 140)
    with pytest.warns(ConvergenceWarning, match="did not reach tol"):
        LinearRegression(solver="gd", max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        LinearRegression().fit(np.full((3, 2), np.nan), [1.0, 2.0, 3.0])


def test_linear_regression_gradient_descent_on_wide_sparse_input_interpolates() -> None:
    # More columns than rows: the matrix-free path. Many weight vectors fit exactly; the
    # predictions, not the weights, are what must agree with the exact solution.
    X = sp.random(40, 150, density=0.1, random_state=0, format="csr")
    y = np.random.default_rng(0).normal(size=40)
    ours = LinearRegression(solver="gd", tol=1e-10, max_iter=100_000).fit(X, y)
    exact = sk.LinearRegression().fit(X.toarray(), y)
    np.testing.assert_allclose(ours.predict(X), exact.predict(X.toarray()), atol=1e-7)


def test_ridge_on_sms_tfidf_equals_sklearn(sms_tfidf) -> None:
    X, labels = sms_tfidf
    y = (labels == "spam").astype(float)
    # Both iterate (conjugate gradients) to a relative residual of 1e-10.
    theirs = sk.Ridge(alpha=1.0, solver="sparse_cg", tol=1e-10).fit(X, y)
    ours = Ridge(alpha=1.0).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-8)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, abs=1e-8)
