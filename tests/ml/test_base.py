"""The estimator contract (nlpjourney.ml.base) against scikit-learn's own machinery."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.metrics import r2_score as sk_r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml.base import (
    ClassifierMixin,
    Estimator,
    NotFittedError,
    RegressorMixin,
    check_array,
    check_is_fitted,
    check_X_y,
    r2_score,
)


class Majority(ClassifierMixin, Estimator):
    def __init__(self, prior: float = 0.5, name: str = "m") -> None:
        self.prior = prior
        self.name = name

    def fit(self, X, y):  # noqa: ANN001, ANN201
        X, y = check_X_y(X, y)
        values, counts = np.unique(y, return_counts=True)
        self.classes_ = values
        self.majority_ = values[np.argmax(counts)]
        return self

    def predict(self, X):  # noqa: ANN001, ANN201
        check_is_fitted(self, "majority_")
        return np.full(check_array(X).shape[0], self.majority_)


class Mean(RegressorMixin, Estimator):
    def fit(self, X, y):  # noqa: ANN001, ANN201
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):  # noqa: ANN001, ANN201
        return np.full(check_array(X).shape[0], self.mean_)


def test_base_params_round_trip_and_repr() -> None:
    model = Majority(prior=0.25)
    assert model.get_params() == {"prior": 0.25, "name": "m"}
    assert repr(model) == "Majority(prior=0.25)"
    assert model.set_params(name="x") is model and model.name == "x"
    with pytest.raises(ValueError, match="no parameter of Majority.*prior, name"):
        model.set_params(alpha=1)


def test_base_clone_pipeline_and_grid_search_work_through_sklearn() -> None:
    pipe = Pipeline([("tfidf", TfidfVectorizer()), ("clf", Majority())])
    assert is_classifier(pipe) and is_regressor(Mean())
    copy = clone(pipe)
    assert copy.get_params()["clf__prior"] == 0.5 and copy is not pipe
    docs, labels = ["spam offer now", "hello friend", "win cash offer"] * 4, [1, 0, 1] * 4
    search = GridSearchCV(pipe, {"clf__prior": [0.1, 0.9], "tfidf__lowercase": [True]}, cv=3)
    search.fit(docs, labels)
    assert search.best_params_["tfidf__lowercase"] is True
    assert search.score(docs, labels) == pytest.approx(8 / 12)


def test_base_nested_set_params_reaches_the_inner_estimator() -> None:
    class Wrapper(Estimator):
        def __init__(self, inner: Estimator | None = None) -> None:
            self.inner = inner

    wrapper = Wrapper(Majority()).set_params(inner__prior=0.75)
    assert wrapper.inner.prior == 0.75
    assert wrapper.get_params()["inner__prior"] == 0.75


def test_base_r2_matches_sklearn() -> None:
    rng = np.random.default_rng(0)
    y, pred, w = rng.normal(size=50), rng.normal(size=50), rng.random(50)
    assert r2_score(y, pred) == pytest.approx(sk_r2_score(y, pred))
    assert r2_score(y, pred, w) == pytest.approx(sk_r2_score(y, pred, sample_weight=w))
    assert r2_score([2.0, 2.0], [2.0, 2.0]) == 1.0 and r2_score([2.0, 2.0], [1.0, 2.0]) == 0.0
    assert Mean().fit([[0], [1]], [1.0, 3.0]).score([[0], [1]], [1.0, 3.0]) == 0.0


def test_base_checks_name_what_is_wrong() -> None:
    assert check_array([[1, 2]]).dtype == np.float64
    assert sp.isspmatrix_csr(check_array(sp.coo_matrix(np.eye(2))))
    with pytest.raises(ValueError, match="must be 2-D.*reshape"):
        check_array([1.0, 2.0])
    with pytest.raises(ValueError, match="NaN or infinity"):
        check_array([[np.nan]])
    with pytest.raises(TypeError, match="dense array"):
        check_array(sp.eye(2), sparse=False)
    with pytest.raises(TypeError, match="must hold numbers"):
        check_array([["a", "b"]])
    with pytest.raises(ValueError, match="3 rows but y has 2"):
        check_X_y(np.zeros((3, 1)), [0, 1])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Majority().predict([[1.0]])
