"""Naive Bayes text classifiers: count words per class, then add log-probabilities.

Naive Bayes assumes that, given the class, each feature is drawn independently, so
the log-probability of a document under class ``c`` is a sum over its features:

    log P(c | x) = log P(c) + Σ_j x_j · log θ_cj + const

That is one matrix product, ``X @ feature_log_prob_.T``, with the sparse document
matrix ``X`` on the left: nothing is densified. Fitting is counting too: with ``Y`` the
one-hot ``(n_samples, n_classes)`` class matrix (dense; it is narrow), ``feature_count_ = Y.T @ X``
sums each class's rows, so ``partial_fit`` on batches only adds to the counts.

- :class:`MultinomialNB`: θ_cj = (N_cj + α) / (N_c + α·n_features), word counts or
  TF-IDF weights as "how often";
- :class:`BernoulliNB`: features binarised (present or absent); an absent word is
  evidence too, ``log(1 - θ_cj)``;
- :class:`ComplementNB` (Rennie et al., 2003): θ from the counts of every *other*
  class, which behaves better when classes are unbalanced, as ham/spam are.

The hyper-parameter ``alpha`` (additive, Laplace/Lidstone smoothing) keeps a word
never seen with a class from ruling the class out.

The multinomial arithmetic is also written as plain functions,
:func:`fit_multinomial_nb` and :func:`predict_multinomial_nb` (exercise 2.1 asks for
them), built from the same helpers :class:`MultinomialNB` uses: :func:`count_by_class`,
:func:`multinomial_feature_log_prob` and :func:`multinomial_joint_log_likelihood`.

Reference: scikit-learn's ``MultinomialNB``, ``BernoulliNB`` and ``ComplementNB``:
``feature_log_prob_`` and ``predict_proba`` allclose on count and TF-IDF matrices of SMS
spam and movie reviews (``tests/classify/test_naive_bayes.py``).

Simplifications: ``alpha`` is one number (scikit-learn also takes one per feature);
``force_alpha`` is always on (an ``alpha`` of 0 is used as given, and a word never seen
with a class then gets log-probability -inf).
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp

from nlpjourney.ml.base import (
    ClassifierMixin,
    Estimator,
    Matrix,
    check_array,
    check_is_fitted,
    check_n_features,
    check_X_y,
)

__all__ = [
    "BernoulliNB",
    "ComplementNB",
    "MultinomialNB",
    "count_by_class",
    "fit_multinomial_nb",
    "multinomial_feature_log_prob",
    "multinomial_joint_log_likelihood",
    "predict_multinomial_nb",
]


def count_by_class(
    X: Matrix, index: np.ndarray, n_classes: int, sample_weight: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Sum the rows of ``X`` per class: how many documents, and how often each feature.

    Args:
        X: ``(n_samples, n_features)`` counts or weights, dense or CSR.
        index: The class of each row, as an integer in ``range(n_classes)``.
        n_classes: How many classes.
        sample_weight: A weight per row (default 1 each).

    Returns:
        ``(class_count, feature_count)``: ``(n_classes,)`` weighted rows per class and
        ``(n_classes, n_features)`` summed rows per class.

    Example:
        >>> X = np.array([[2, 1, 0], [3, 0, 0], [0, 1, 3]])
        >>> class_count, feature_count = count_by_class(X, np.array([0, 0, 1]), 2)
        >>> class_count.tolist(), feature_count.tolist()
        ([2.0, 1.0], [[5.0, 1.0, 0.0], [0.0, 1.0, 3.0]])
    """
    n = X.shape[0]
    weights = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    if weights.shape != (n,):
        raise ValueError(f"sample_weight must have one weight per row ({n}), got "
                         f"{weights.shape}")  # fmt: skip
    # The one-hot (n, k) class matrix, weighted: Y.T @ X sums each class's rows.
    # Y is dense (n x k is small) because dense.T @ sparse runs one tight C loop over
    # X's stored entries, several times faster than sparse @ sparse; X stays sparse.
    Y = np.zeros((n, n_classes))
    Y[np.arange(n), index] = weights
    feature_count = np.asarray(Y.T @ X, dtype=np.float64)
    class_count = np.bincount(index, weights=weights, minlength=n_classes).astype(np.float64)
    return class_count, feature_count


def multinomial_feature_log_prob(feature_count: np.ndarray, alpha: float) -> np.ndarray:
    """``log θ_cj = log(N_cj + α) - log(N_c + α·n_features)``: smoothed word frequencies.

    Shapes:
        feature_count: ``(n_classes, n_features)`` -> ``(n_classes, n_features)``.
    """
    smoothed = feature_count + alpha
    with np.errstate(divide="ignore"):  # alpha = 0 and an unseen word: log 0 = -inf
        return np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))


def multinomial_joint_log_likelihood(
    X: Matrix, class_log_prior: np.ndarray, feature_log_prob: np.ndarray
) -> np.ndarray:
    """``log P(c) + Σ_j x_j log θ_cj`` for each row and class: one (sparse) matrix product.

    Shapes:
        X: ``(n_samples, n_features)``, class_log_prior ``(n_classes,)``,
        feature_log_prob ``(n_classes, n_features)`` -> ``(n_samples, n_classes)``.
    """
    return np.asarray(X @ feature_log_prob.T) + class_log_prior


def _check_counts(X: Matrix, who: str) -> None:
    values = X.data if sp.issparse(X) else X
    if values.size and values.min() < 0:
        raise ValueError(
            f"negative values in X passed to {who}: it models counts "
            "or weights, which are never negative; use BernoulliNB or rescale X"
        )


def _checked_alpha(alpha: Any) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not alpha >= 0:
        raise ValueError(f"alpha must be a number ≥ 0 (1.0 is Laplace smoothing), got {alpha!r}")
    return float(alpha)


def fit_multinomial_nb(
    X: Matrix, y: Any, alpha: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit multinomial naive Bayes: class priors and smoothed word log-probabilities.

    Args:
        X: ``(n_samples, n_features)`` word counts (or other non-negative weights),
            dense or CSR.
        y: One class label per row (numbers or strings).
        alpha: Additive smoothing: ``alpha`` is added to every (class, word) count.

    Returns:
        ``(classes, class_log_prior, feature_log_prob)``: the sorted distinct labels
        ``(k,)``; ``log(n_c / n)``, the log share of rows in each class ``(k,)``; and
        ``log((N_cj + alpha) / (N_c + alpha * n_features))`` ``(k, n_features)``, with
        ``N_cj`` the total count of word ``j`` over class ``c``'s rows and ``N_c`` the
        sum of those over ``j``.

    Raises:
        ValueError: ``X`` has a negative entry, ``y`` has another length, or ``alpha``
            is not a number ≥ 0.

    Example:
        >>> X = np.array([[2, 1, 0], [3, 0, 0], [0, 1, 3]])
        >>> classes, prior, log_prob = fit_multinomial_nb(X, ["ham", "ham", "spam"])
        >>> classes.tolist(), np.exp(prior).round(3).tolist()
        (['ham', 'spam'], [0.667, 0.333])
        >>> np.exp(log_prob).round(3).tolist()  # ham: (5+1, 1+1, 0+1) / 9
        [[0.667, 0.222, 0.111], [0.143, 0.286, 0.571]]
    """
    X, y = check_X_y(X, y)
    _check_counts(X, "fit_multinomial_nb")
    alpha = _checked_alpha(alpha)
    classes, index = np.unique(y, return_inverse=True)
    class_count, feature_count = count_by_class(X, index, len(classes))
    class_log_prior = np.log(class_count) - np.log(class_count.sum())
    return classes, class_log_prior, multinomial_feature_log_prob(feature_count, alpha)


def predict_multinomial_nb(
    X: Matrix, classes: Any, class_log_prior: np.ndarray, feature_log_prob: np.ndarray
) -> np.ndarray:
    """The most probable class of each row under a fitted multinomial naive Bayes.

    Args:
        X: ``(n_samples, n_features)`` counts, dense or CSR, columns as at fit time.
        classes, class_log_prior, feature_log_prob: What :func:`fit_multinomial_nb`
            returned.

    Returns:
        ``(n_samples,)`` labels taken from ``classes``: for each row the class with the
        largest ``class_log_prior[c] + Σ_j X[i, j] * feature_log_prob[c, j]`` (the first
        such class on a tie).

    Example:
        >>> X = np.array([[2, 1, 0], [3, 0, 0], [0, 1, 3]])
        >>> model = fit_multinomial_nb(X, ["ham", "ham", "spam"])
        >>> predict_multinomial_nb(np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0]]), *model).tolist()
        ['ham', 'spam', 'ham']
    """
    X = check_array(X)
    n_features = np.shape(feature_log_prob)[1]
    if X.shape[1] != n_features:
        raise ValueError(f"X has {X.shape[1]} columns but the model has {n_features} features")
    joint = multinomial_joint_log_likelihood(X, class_log_prior, feature_log_prob)
    return np.asarray(classes)[np.argmax(joint, axis=1)]


class _DiscreteNB(ClassifierMixin, Estimator):
    """What the three models share: counting per class, priors, prediction.

    Subclasses say how a matrix is prepared (:meth:`_prepare`), how counts become
    ``feature_log_prob_`` (:meth:`_update_feature_log_prob`) and how a matrix is scored
    (:meth:`_joint_log_likelihood`).
    """

    alpha: float
    fit_prior: bool
    class_prior: Any

    # -- input ----------------------------------------------------------------------

    def _prepare(self, X: Matrix) -> Matrix:
        """Checked ``X``: counts must not be negative (Multinomial, Complement)."""
        _check_counts(X, type(self).__name__)
        return X

    def _check_alpha(self) -> float:
        return _checked_alpha(self.alpha)

    # -- fitting --------------------------------------------------------------------

    def fit(self, X: Matrix, y: Any, sample_weight: Any = None) -> Self:
        """Count each feature per class and turn the counts into log-probabilities.

        Args:
            X: ``(n_samples, n_features)`` counts or weights, dense or sparse (CSR).
            y: One class label per row (numbers or strings).
            sample_weight: A weight per row (default 1 each).

        Returns:
            ``self``, fitted: ``classes_``, ``class_count_``, ``feature_count_``,
            ``class_log_prior_``, ``feature_log_prob_``.
        """
        X, y = check_X_y(X, y)
        self._check_alpha()
        X = self._prepare(X)
        self.classes_ = np.unique(y)
        self.n_features_in_ = X.shape[1]
        self.class_count_ = np.zeros(len(self.classes_))
        self.feature_count_ = np.zeros((len(self.classes_), X.shape[1]))
        self._count(X, np.searchsorted(self.classes_, y), sample_weight)
        return self

    def partial_fit(
        self, X: Matrix, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> Self:
        """Add one batch's counts; the first call must name every class in ``classes``.

        Fitting batch by batch gives exactly what :meth:`fit` gives on all rows at once,
        since the model is its counts.

        Raises:
            ValueError: The first call has no ``classes``, a later one gives other
                classes, ``y`` holds a label not in them, or ``X`` has another width.
        """
        X, y = check_X_y(X, y)
        self._check_alpha()
        X = self._prepare(X)
        if not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError("the first partial_fit call needs classes=: every class "
                                 "label the model will see")  # fmt: skip
            self.classes_ = np.unique(np.asarray(classes))
            self.n_features_in_ = X.shape[1]
            self.class_count_ = np.zeros(len(self.classes_))
            self.feature_count_ = np.zeros((len(self.classes_), X.shape[1]))
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes={list(classes)} differ from the first call's "
                             f"{self.classes_.tolist()}")  # fmt: skip
        check_n_features(self, X)
        index = np.searchsorted(self.classes_, y)
        index = np.minimum(index, len(self.classes_) - 1)
        unknown = self.classes_[index] != y
        if unknown.any():
            raise ValueError(f"y holds labels not in classes: {np.unique(y[unknown]).tolist()}")
        self._count(X, index, sample_weight)
        return self

    def _count(self, X: Matrix, index: np.ndarray, sample_weight: Any) -> None:
        """Add the rows of ``X`` to their classes' counts, then refresh the probabilities."""
        class_count, feature_count = count_by_class(X, index, len(self.classes_), sample_weight)
        self.feature_count_ += feature_count
        self.class_count_ += class_count
        self._update_feature_log_prob(self._check_alpha())
        self._update_class_log_prior()

    def _update_class_log_prior(self) -> None:
        k = len(self.classes_)
        if self.class_prior is not None:
            prior = np.asarray(self.class_prior, dtype=np.float64)
            if prior.shape != (k,):
                raise ValueError(f"class_prior needs one probability per class ({k}), "
                                 f"got {prior.shape}")  # fmt: skip
            self.class_log_prior_ = np.log(prior)
        elif self.fit_prior:
            with np.errstate(divide="ignore"):  # a class with no rows yet: log 0 = -inf
                self.class_log_prior_ = np.log(self.class_count_) - np.log(self.class_count_.sum())
        else:
            self.class_log_prior_ = np.full(k, -np.log(k))

    def _update_feature_log_prob(self, alpha: float) -> None:
        raise NotImplementedError

    def _joint_log_likelihood(self, X: Matrix) -> np.ndarray:
        raise NotImplementedError

    # -- prediction -----------------------------------------------------------------

    def predict_joint_log_proba(self, X: Matrix) -> np.ndarray:
        """``log P(x, c)`` for each row and class, unnormalised.

        Shapes:
            X: ``(n_samples, n_features)`` -> ``(n_samples, n_classes)``.
        """
        check_is_fitted(self, "feature_log_prob_")
        X = self._prepare(check_array(X))
        check_n_features(self, X)
        return self._joint_log_likelihood(X)

    def predict(self, X: Matrix) -> np.ndarray:
        """The most probable class of each row."""
        joint = self.predict_joint_log_proba(X)  # checks fitted first
        return self.classes_[np.argmax(joint, axis=1)]

    def predict_log_proba(self, X: Matrix) -> np.ndarray:
        """``log P(c | x)``: the joint log-probabilities normalised by log-sum-exp."""
        joint = self.predict_joint_log_proba(X)
        return joint - logsumexp(joint, axis=1, keepdims=True)

    def predict_proba(self, X: Matrix) -> np.ndarray:
        """``P(c | x)`` per row, columns in ``classes_`` order; each row sums to 1."""
        return np.exp(self.predict_log_proba(X))


class MultinomialNB(_DiscreteNB):
    """Naive Bayes for counts: each class is a bag of words with its own word frequencies.

    Args:
        alpha: Additive smoothing (1.0: Laplace).
        fit_prior: Learn class priors from the class frequencies (else uniform).
        class_prior: Fixed class priors, one per class in sorted order (overrides
            ``fit_prior``).

    Example:
        >>> X = np.array([[2, 1, 0], [3, 0, 0], [0, 1, 3], [0, 0, 2]])
        >>> model = MultinomialNB().fit(X, ["ham", "ham", "spam", "spam"])
        >>> model.predict(np.array([[1, 0, 0], [0, 0, 1]])).tolist()
        ['ham', 'spam']
        >>> model.feature_log_prob_.round(3).tolist()  # ham: (5+1, 1+1, 0+1) / 9
        [[-0.405, -1.504, -2.197], [-2.197, -1.504, -0.405]]
    """

    def __init__(self, alpha: float = 1.0, fit_prior: bool = True, class_prior: Any = None) -> None:
        self.alpha = alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    # The arithmetic is the module's functions, shared with fit_multinomial_nb and
    # predict_multinomial_nb, so the class and the functions cannot drift apart.
    def _update_feature_log_prob(self, alpha: float) -> None:
        self.feature_log_prob_ = multinomial_feature_log_prob(self.feature_count_, alpha)

    def _joint_log_likelihood(self, X: Matrix) -> np.ndarray:
        return multinomial_joint_log_likelihood(X, self.class_log_prior_, self.feature_log_prob_)


class ComplementNB(_DiscreteNB):
    """Naive Bayes from the complement: a class's weights come from every other class.

    Each class's word weights are ``-log θ̃_cj``, with θ̃ estimated from the documents
    *not* in class ``c``; a document goes to the class whose complement fits it worst.
    With ``norm`` the weights of each class are divided by their sum (Rennie et al.'s
    weight normalisation). The prior only matters when there is a single class.

    Args:
        alpha: Additive smoothing.
        norm: Normalise each class's weights.
        fit_prior: As :class:`MultinomialNB` (used only with a single class).
        class_prior: As :class:`MultinomialNB`.

    Example:
        >>> X = np.array([[2, 1, 0], [3, 0, 0], [0, 1, 3], [0, 0, 2]])
        >>> ComplementNB().fit(X, [0, 0, 1, 1]).predict(np.array([[0, 0, 4]])).tolist()
        [1]
    """

    def __init__(
        self,
        alpha: float = 1.0,
        norm: bool = False,
        fit_prior: bool = True,
        class_prior: Any = None,
    ) -> None:
        self.alpha = alpha
        self.norm = norm
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    def _update_feature_log_prob(self, alpha: float) -> None:
        self.feature_all_ = self.feature_count_.sum(axis=0)
        complement = self.feature_all_ + alpha - self.feature_count_
        with np.errstate(divide="ignore", invalid="ignore"):
            logged = np.log(complement / complement.sum(axis=1, keepdims=True))
        if self.norm:
            self.feature_log_prob_ = logged / logged.sum(axis=1, keepdims=True)
        else:
            self.feature_log_prob_ = -logged

    def _joint_log_likelihood(self, X: Matrix) -> np.ndarray:
        joint = np.asarray(X @ self.feature_log_prob_.T)
        if len(self.classes_) == 1:
            joint = joint + self.class_log_prior_
        return joint


class BernoulliNB(_DiscreteNB):
    """Naive Bayes for presence: each word is in a document or not, and absence counts.

    Args:
        alpha: Additive smoothing (θ_cj = (docs of c with j + α) / (docs of c + 2α)).
        binarize: Features above this value count as present (None: ``X`` is already
            0/1).
        fit_prior: As :class:`MultinomialNB`.
        class_prior: As :class:`MultinomialNB`.

    Example:
        >>> X = np.array([[2, 1, 0], [3, 0, 0], [0, 1, 3], [0, 0, 2]])
        >>> BernoulliNB().fit(X, ["ham", "ham", "spam", "spam"]).predict(X).tolist()
        ['ham', 'ham', 'spam', 'spam']
    """

    def __init__(
        self,
        alpha: float = 1.0,
        binarize: float | None = 0.0,
        fit_prior: bool = True,
        class_prior: Any = None,
    ) -> None:
        self.alpha = alpha
        self.binarize = binarize
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    def _prepare(self, X: Matrix) -> Matrix:
        if self.binarize is None:
            return X
        if sp.issparse(X):
            # Only stored entries can exceed a threshold ≥ 0; below 0 zeros would count.
            if self.binarize < 0:
                X = X.toarray()
            else:
                X = X.copy()
                X.data = (X.data > self.binarize).astype(np.float64)
                X.eliminate_zeros()
                return X
        return (X > self.binarize).astype(np.float64)

    def _update_feature_log_prob(self, alpha: float) -> None:
        with np.errstate(divide="ignore"):
            self.feature_log_prob_ = np.log(self.feature_count_ + alpha) - np.log(
                self.class_count_ + 2 * alpha
            ).reshape(-1, 1)

    def _joint_log_likelihood(self, X: Matrix) -> np.ndarray:
        # log(1 - θ) for every word, then each present word swaps it for log θ.
        absent = np.log1p(-np.exp(self.feature_log_prob_))
        joint = np.asarray(X @ (self.feature_log_prob_ - absent).T)
        return joint + self.class_log_prior_ + absent.sum(axis=1)
