"""The estimator contract every model in :mod:`nlpjourney.ml` keeps (scikit-learn's).

- ``__init__`` only stores its hyper-parameters, under their own names;
- ``fit(X, y)`` learns and returns ``self``; what it learned ends in ``_`` (``coef_``);
- ``predict``/``predict_proba``/``transform``/``score`` are named and shaped as in
  scikit-learn.

:class:`Estimator` gives ``get_params``/``set_params`` (so ``sklearn.base.clone``, grid
searches and ``sklearn.pipeline.Pipeline`` can rebuild our models) and a short
``repr``. The three mixins add ``score`` (accuracy for a classifier, R² for a
regressor) and ``fit_transform``. The ``check_*`` helpers turn the inputs a user passes
(lists, NumPy arrays, SciPy sparse matrices) into one checked form, and say plainly what
is wrong when they cannot.

Reference: ``sklearn.base`` (the protocol and the tags scikit-learn reads); nothing here
imports scikit-learn except ``__sklearn_tags__``, which only scikit-learn calls.
"""

from __future__ import annotations

import inspect
from typing import Any, Self

import numpy as np
import scipy.sparse as sp

#: What ``fit`` takes as features: a dense 2-D array (or nested lists) or a sparse matrix.
Matrix = np.ndarray | sp.spmatrix | sp.sparray


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):  # arrays compare element-wise
        return a is b


class Estimator:
    """Hyper-parameters by name: ``get_params``, ``set_params`` and a ``repr`` of the changed ones.

    Subclasses take every hyper-parameter as a keyword argument of ``__init__`` and store
    it unchanged under the same name; checking happens in ``fit``.

    Example:
        >>> class Model(Estimator):
        ...     def __init__(self, alpha: float = 1.0, steps: int = 10) -> None:
        ...         self.alpha = alpha
        ...         self.steps = steps
        >>> m = Model(alpha=0.5)
        >>> m
        Model(alpha=0.5)
        >>> m.set_params(steps=20).get_params()
        {'alpha': 0.5, 'steps': 20}
    """

    @classmethod
    def _param_names(cls) -> list[str]:
        parameters = inspect.signature(cls.__init__).parameters
        return [name for name, p in parameters.items()
                if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]  # fmt: skip

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments, by name.

        With ``deep``, a parameter that is itself an estimator also gives its own
        parameters as ``name__param`` (as scikit-learn does).
        """
        params = {name: getattr(self, name) for name in self._param_names()}
        if deep:
            for name, value in list(params.items()):
                if hasattr(value, "get_params") and not isinstance(value, type):
                    params.update({f"{name}__{k}": v for k, v in value.get_params().items()})
        return params

    def set_params(self, **params: Any) -> Self:
        """Set constructor arguments by name (``inner__param`` for a nested one); returns ``self``."""
        valid = self._param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, inner = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"{name!r} is no parameter of {type(self).__name__}; its parameters are "
                    f"{', '.join(valid) or 'none'}"
                )
            if inner:
                nested.setdefault(name, {})[inner] = value
            else:
                setattr(self, name, value)
        for name, inner_params in nested.items():
            getattr(self, name).set_params(**inner_params)
        return self

    def __repr__(self) -> str:
        defaults = inspect.signature(type(self).__init__).parameters
        changed = [
            f"{name}={value!r}"
            for name, value in self.get_params(deep=False).items()
            if not _same(value, defaults[name].default)
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        """The tags scikit-learn (1.6 and later) reads; only scikit-learn calls this."""
        from sklearn.utils import InputTags, Tags, TargetTags  # present when sklearn asks

        return Tags(
            estimator_type=getattr(self, "_estimator_type", None),
            target_tags=TargetTags(required=False),
            input_tags=InputTags(sparse=True),
        )


class ClassifierMixin:
    """``score`` is accuracy; scikit-learn treats the estimator as a classifier."""

    _estimator_type = "classifier"

    def score(self, X: Matrix, y: Any, sample_weight: Any = None) -> float:
        """The share of rows of ``X`` whose prediction equals ``y`` (weighted if asked)."""
        predicted = np.asarray(self.predict(X))  # type: ignore[attr-defined]
        right = (predicted == np.asarray(y)).astype(np.float64)
        return float(np.average(right, weights=sample_weight))

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        return tags


class RegressorMixin:
    """``score`` is the coefficient of determination R²; scikit-learn sees a regressor."""

    _estimator_type = "regressor"

    def score(self, X: Matrix, y: Any, sample_weight: Any = None) -> float:
        """R² = 1 - (residual sum of squares) / (total sum of squares) of ``y``."""
        return r2_score(y, self.predict(X), sample_weight)  # type: ignore[attr-defined]

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import RegressorTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.regressor_tags = RegressorTags()
        tags.target_tags.required = True
        return tags


class TransformerMixin:
    """``fit_transform`` = ``fit`` then ``transform`` (a subclass may do both at once)."""

    def fit_transform(self, X: Matrix, y: Any = None) -> Any:
        """Fit to ``X`` and return ``X`` transformed."""
        return self.fit(X, y).transform(X)  # type: ignore[attr-defined]

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import TransformerTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.transformer_tags = TransformerTags()
        return tags


def r2_score(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """The coefficient of determination: 1 for a perfect fit, 0 for predicting the mean.

    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    1.0
    >>> r2_score([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    0.0
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred {y_pred.shape}")
    w = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight, float)
    w = w.reshape(-1, *([1] * (y_true.ndim - 1)))
    mean = np.average(y_true, axis=0, weights=w.ravel())
    residual = (w * (y_true - y_pred) ** 2).sum(axis=0)
    total = (w * (y_true - mean) ** 2).sum(axis=0)
    # A constant target: perfect predictions score 1, anything else 0 (scikit-learn's rule).
    scores = np.where(total > 0, 1 - residual / np.where(total > 0, total, 1),
                      np.where(residual == 0, 1.0, 0.0))  # fmt: skip
    return float(np.mean(scores))


def check_array(X: Any, *, sparse: bool = True, name: str = "X") -> Matrix:
    """``X`` as a 2-D float64 array, or a CSR matrix when it is sparse and ``sparse`` allows.

    Raises:
        ValueError: ``X`` is not 2-D, has no rows or columns, or holds NaN or infinity.
        TypeError: ``X`` is sparse where only dense input is supported, or not numeric.
    """
    if sp.issparse(X):
        if not sparse:
            raise TypeError(f"{name} is a sparse matrix; this estimator needs a dense array "
                            f"({name}.toarray() makes one)")  # fmt: skip
        X = sp.csr_matrix(X, dtype=np.float64)
        values = X.data
    else:
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must hold numbers: {error}") from None
        values = X
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows of samples, columns of features), got "
                         f"shape {X.shape}; reshape one feature with x.reshape(-1, 1)")  # fmt: skip
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} has shape {X.shape}: it needs at least one row and one column")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} holds NaN or infinity; fill or drop those values first")
    return X


def check_X_y(
    X: Any, y: Any, *, sparse: bool = True, numeric_y: bool = False
) -> tuple[Matrix, np.ndarray]:
    """``X`` checked by :func:`check_array` and ``y`` as a 1-D array with one entry per row.

    Raises:
        ValueError: the lengths differ, ``y`` is not 1-D, or a numeric ``y`` is not finite.
    """
    X = check_array(X, sparse=sparse)
    y = np.asarray(y, dtype=np.float64 if numeric_y else None)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one target per row), got shape {y.shape}")
    if len(y) != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {len(y)} entries")
    if numeric_y and not np.all(np.isfinite(y)):
        raise ValueError("y holds NaN or infinity")
    return X, y


def check_is_fitted(estimator: Any, attribute: str) -> None:
    """Raise a clear error when ``estimator`` has not learned ``attribute`` yet.

    Raises:
        NotFittedError: ``fit`` has not been called (or did not finish).
    """
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"this {type(estimator).__name__} is not fitted yet: call fit(X, y) before using it"
        )


def check_n_features(estimator: Any, X: Matrix) -> None:
    """Raise when ``X`` has another number of columns than the estimator was fitted on."""
    expected = estimator.n_features_in_
    if X.shape[1] != expected:
        raise ValueError(f"X has {X.shape[1]} features, but {type(estimator).__name__} was "
                         f"fitted on {expected}")  # fmt: skip


def linear_scores(estimator: Any, X: Any) -> np.ndarray:
    """``X @ coef_.T + intercept_`` for a fitted linear classifier: (n,) with one weight row, else (n, K).

    The ``decision_function`` of :class:`~nlpjourney.ml.LogisticRegression` and
    :class:`~nlpjourney.ml.LinearSVC`, with their input checks.
    """
    check_is_fitted(estimator, "coef_")
    X = check_array(X, sparse=True)
    check_n_features(estimator, X)
    scores = np.asarray(X @ estimator.coef_.T) + estimator.intercept_
    return scores[:, 0] if scores.shape[1] == 1 else scores


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit`` (a ValueError and an AttributeError, as in scikit-learn)."""


class ConvergenceWarning(UserWarning):
    """An iterative fit stopped at its iteration limit before meeting its tolerance."""
