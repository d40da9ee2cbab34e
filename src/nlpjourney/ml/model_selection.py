"""Holding data out to measure a model honestly: splits, cross-validation, grid search.

A model scored on the rows it learned from looks better than it is; these functions keep
some rows out of training and score on those.

- :func:`train_test_split`: one shuffled split, the same rows as scikit-learn's for the
  same ``random_state``, optionally stratified (each class in the same proportion on
  both sides);
- :class:`KFold`, :class:`StratifiedKFold`: k train/test splits in which every row is
  tested exactly once, the same folds as scikit-learn's for the same seed;
- :func:`cross_val_score`: one score per fold, a fresh copy of the model trained on each;
- :class:`GridSearchCV`: cross-validate every combination of hyper-parameters, keep the
  best, refit it on all rows;
- :func:`clone`: a fresh, unfitted copy of an estimator with the same hyper-parameters.

Reference: ``sklearn.model_selection`` (the same splits for the same seed, the same
``cv_results_`` keys); nothing here imports scikit-learn.
"""

from __future__ import annotations

import copy
import itertools
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Self

import numpy as np
import scipy.sparse as sp

from nlpjourney.ml.base import Estimator, NotFittedError, r2_score


def _n_rows(array: Any) -> int:
    if sp.issparse(array) or isinstance(array, np.ndarray):
        return int(array.shape[0])
    try:
        return len(array)
    except TypeError:
        raise TypeError(f"cannot split a {type(array).__name__}: pass arrays, lists or "
                        "sparse matrices") from None  # fmt: skip


def _take(array: Any, rows: np.ndarray) -> Any:
    """``array``'s rows ``rows``, kept in its own kind (list, NumPy array, sparse matrix)."""
    if sp.issparse(array):
        return array.tocsr()[rows]
    if isinstance(array, np.ndarray) or hasattr(array, "iloc"):
        return array.iloc[rows] if hasattr(array, "iloc") else array[rows]
    return [array[i] for i in rows]


def _split_sizes(
    n: int, test_size: float | int | None, train_size: float | int | None
) -> tuple[int, int]:
    """(train rows, test rows) as scikit-learn counts them: test rounds up, train down."""

    def count(size: float | int, name: str) -> float:
        if isinstance(size, float):
            if not 0.0 < size < 1.0:
                raise ValueError(f"{name}={size} as a fraction must lie strictly between 0 and 1")
            return size * n
        if isinstance(size, int) and not isinstance(size, bool):
            if not 0 < size < n:
                raise ValueError(f"{name}={size} rows must be between 1 and {n - 1} "
                                 f"(there are {n} rows)")  # fmt: skip
            return size
        raise TypeError(f"{name} must be a float fraction or an int count, got {size!r}")

    if test_size is None and train_size is None:
        test_size = 0.25
    n_test = math.ceil(count(test_size, "test_size")) if test_size is not None else None
    n_train = math.floor(count(train_size, "train_size")) if train_size is not None else None
    if n_test is None:
        n_test = n - n_train  # type: ignore[operator]
    if n_train is None:
        n_train = n - n_test
    if n_train + n_test > n:
        raise ValueError(f"train ({n_train}) and test ({n_test}) rows add up to more than the "
                         f"{n} rows there are")  # fmt: skip
    if n_train == 0 or n_test == 0:
        raise ValueError(f"a split of {n} rows into {n_train} train and {n_test} test rows "
                         "leaves one side empty; use more rows or another size")  # fmt: skip
    return n_train, n_test


def train_test_split(
    *arrays: Any,
    test_size: float | int | None = None,
    train_size: float | int | None = None,
    random_state: int | None = None,
    shuffle: bool = True,
    stratify: Any = None,
) -> list[Any]:
    """Split each of ``arrays`` into train rows and test rows, the same rows for all.

    With ``shuffle`` the rows are drawn by a permutation of ``np.random.RandomState
    (random_state)``, the generator scikit-learn uses, so the same seed gives the same
    split as ``sklearn.model_selection.train_test_split``.

    Args:
        *arrays: lists, NumPy arrays or sparse matrices with the same number of rows.
        test_size: a fraction of the rows (rounded up) or a count; 0.25 when neither
            size is given.
        train_size: a fraction (rounded down) or a count; the rest of the rows by default.
        random_state: the seed of the shuffle.
        shuffle: without it the first rows train and the last rows test.
        stratify: labels (one per row, usually ``y``): each class then keeps its share
            of the rows on both sides, with the same rows as scikit-learn's
            ``StratifiedShuffleSplit`` for the same seed. Needs ``shuffle``.

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]``, each in its input's kind.

    Example:
        >>> X_train, X_test, y_train, y_test = train_test_split(
        ...     [[0], [1], [2], [3]], ["a", "b", "c", "d"], test_size=0.5, random_state=0)
        >>> X_test, y_test
        ([[2], [3]], ['c', 'd'])
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array to split")
    lengths = {_n_rows(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"the arrays have different numbers of rows: {sorted(lengths)}")
    n = lengths.pop()
    n_train, n_test = _split_sizes(n, test_size, train_size)
    if stratify is not None:
        if not shuffle:
            raise ValueError(
                "stratify needs shuffle=True: an unshuffled split cannot balance classes"
            )
        if _n_rows(stratify) != n:
            raise ValueError(
                f"stratify has {_n_rows(stratify)} labels but the arrays have {n} rows"
            )
        train, test = _stratified_split(np.asarray(stratify), n_train, n_test, random_state)
    elif shuffle:
        order = np.random.RandomState(random_state).permutation(n)
        test, train = order[:n_test], order[n_test : n_test + n_train]
    else:
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    result: list[Any] = []
    for array in arrays:
        result += [_take(array, train), _take(array, test)]
    return result


def _approximate_mode(counts: np.ndarray, draws: int, rng: np.random.RandomState) -> np.ndarray:
    """How many of ``draws`` rows to take from each class so the shares match ``counts``.

    Each class first gets the floor of its exact share; the rows left over go to the
    classes with the largest fractional parts, ties broken at random (scikit-learn's
    rule, which is what makes the same seed give the same rows).

    >>> _approximate_mode(np.array([4, 2]), 3, np.random.RandomState(0)).tolist()
    [2, 1]
    """
    exact = counts / counts.sum() * draws
    taken = np.floor(exact)
    missing = int(draws - taken.sum())
    remainder = exact - taken
    for value in np.sort(np.unique(remainder))[::-1]:
        if missing <= 0:
            break
        (tied,) = np.where(remainder == value)
        chosen = rng.choice(tied, size=min(len(tied), missing), replace=False)
        taken[chosen] += 1
        missing -= len(chosen)
    return taken.astype(int)


def _stratified_split(
    labels: np.ndarray, n_train: int, n_test: int, random_state: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Train and test rows with every class in proportion: ``StratifiedShuffleSplit``'s draw."""
    if labels.ndim != 1:
        raise ValueError(f"stratify must hold one label per row (1-D), got shape {labels.shape}")
    classes, codes = np.unique(labels, return_inverse=True)
    counts = np.bincount(codes)
    if counts.min() < 2:
        rare = classes[counts.argmin()]
        raise ValueError(f"class {rare!r} has only one row; stratifying needs at least two of "
                         "every class (drop it or split without stratify)")  # fmt: skip
    if n_train < len(classes) or n_test < len(classes):
        raise ValueError(f"{n_train} train and {n_test} test rows cannot each hold all "
                         f"{len(classes)} classes; use a larger split")  # fmt: skip
    rows_of_class = np.split(np.argsort(codes, kind="mergesort"), np.cumsum(counts)[:-1])
    rng = np.random.RandomState(random_state)
    train_counts = _approximate_mode(counts, n_train, rng)
    test_counts = _approximate_mode(counts - train_counts, n_test, rng)
    train: list[int] = []
    test: list[int] = []
    for rows, k_train, k_test in zip(rows_of_class, train_counts, test_counts, strict=True):
        shuffled = rows[rng.permutation(len(rows))]
        train.extend(shuffled[:k_train])
        test.extend(shuffled[k_train : k_train + k_test])
    return rng.permutation(train), rng.permutation(test)


def _check_n_splits(n_splits: Any, owner: str) -> None:
    if isinstance(n_splits, bool) or not isinstance(n_splits, int | np.integer) or n_splits < 2:
        raise ValueError(f"{owner}: n_splits must be an int of at least 2, got {n_splits!r}")


class KFold:
    """``n_splits`` folds of consecutive rows (after an optional shuffle); each is tested once.

    The first ``n % n_splits`` folds hold one row more than the others, and the shuffle is
    ``np.random.RandomState(random_state).shuffle``, as in scikit-learn, so the folds are
    the same as ``sklearn.model_selection.KFold``'s for the same seed.

    Args:
        n_splits: the number of folds (at least 2).
        shuffle: shuffle the rows before cutting them into folds.
        random_state: the seed of the shuffle (only with ``shuffle``).

    Example:
        >>> [test.tolist() for _, test in KFold(n_splits=3).split(list(range(7)))]
        [[0, 1, 2], [3, 4], [5, 6]]
    """

    def __init__(
        self, n_splits: int = 5, shuffle: bool = False, random_state: int | None = None
    ) -> None:
        _check_n_splits(n_splits, type(self).__name__)
        if not shuffle and random_state is not None:
            raise ValueError(f"{type(self).__name__}: random_state has no effect without "
                             "shuffle=True; pass shuffle=True or drop random_state")  # fmt: skip
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(n_splits={self.n_splits}, shuffle={self.shuffle}, "
                f"random_state={self.random_state!r})")  # fmt: skip

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds."""
        return self.n_splits

    def _test_folds(self, n: int, y: Any) -> np.ndarray:
        """Each row's fold number."""
        if self.n_splits > n:
            raise ValueError(f"cannot make {self.n_splits} folds of {n} rows; use n_splits <= {n}")
        order = np.arange(n)
        if self.shuffle:
            np.random.RandomState(self.random_state).shuffle(order)
        sizes = np.full(self.n_splits, n // self.n_splits)
        sizes[: n % self.n_splits] += 1
        folds = np.empty(n, dtype=np.int64)
        folds[order] = np.repeat(np.arange(self.n_splits), sizes)
        return folds

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_rows, test_rows)`` index arrays, one pair per fold.

        Both arrays are in ascending row order, as scikit-learn yields them.
        """
        n = _n_rows(X)
        folds = self._test_folds(n, y)
        rows = np.arange(n)
        for fold in range(self.n_splits):
            in_fold = folds == fold
            yield rows[~in_fold], rows[in_fold]


class StratifiedKFold(KFold):
    """:class:`KFold` in which each fold holds every class in about its overall share.

    The rows of the classes, sorted by label, are dealt round-robin to the folds (so fold
    sizes differ by at most one and each class is spread evenly), then each class's
    fold numbers are shuffled if asked: scikit-learn's algorithm, so the folds equal
    ``sklearn.model_selection.StratifiedKFold``'s for the same seed.

    Example:
        >>> y = ["a", "a", "a", "b", "b", "b"]
        >>> [test.tolist() for _, test in StratifiedKFold(n_splits=3).split(y, y)]
        [[0, 3], [1, 4], [2, 5]]
    """

    def _test_folds(self, n: int, y: Any) -> np.ndarray:
        if y is None:
            raise ValueError("StratifiedKFold.split needs the labels y to stratify by")
        labels = np.asarray(y)
        if labels.ndim != 1 or len(labels) != n:
            raise ValueError(f"y must hold one label per row ({n}), got shape {labels.shape}")
        # Classes numbered by first appearance (scikit-learn's order), not sorted order.
        _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
        codes = np.argsort(np.argsort(first))[inverse]
        counts = np.bincount(codes)
        if self.n_splits > counts.max():
            raise ValueError(f"cannot make {self.n_splits} folds: no class has that many rows "
                             f"(the largest has {counts.max()})")  # fmt: skip
        if counts.min() < self.n_splits:
            warnings.warn(f"the rarest class has only {counts.min()} rows, fewer than "
                          f"n_splits={self.n_splits}: some test folds will lack it",
                          UserWarning, stacklevel=3)  # fmt: skip
        dealt = np.sort(codes)
        allocation = np.array([np.bincount(dealt[f :: self.n_splits], minlength=len(counts))
                               for f in range(self.n_splits)])  # fmt: skip
        rng = np.random.RandomState(self.random_state) if self.shuffle else None
        folds = np.empty(n, dtype=np.int64)
        for k in range(len(counts)):
            of_class = np.repeat(np.arange(self.n_splits), allocation[:, k])
            if rng is not None:
                rng.shuffle(of_class)
            folds[codes == k] = of_class
        return folds


def clone(estimator: Any) -> Any:
    """A new, unfitted estimator with ``estimator``'s hyper-parameters (deep-copied).

    Built from ``get_params(deep=False)``, so it works for ours and for scikit-learn's
    (a ``Pipeline``'s steps are cloned one by one); anything that is not an estimator
    is deep-copied.

    Example:
        >>> from nlpjourney.ml.linear import Ridge
        >>> clone(Ridge(alpha=3.0))
        Ridge(alpha=3.0)
    """
    if isinstance(estimator, list | tuple):
        return type(estimator)(clone(item) for item in estimator)
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        return copy.deepcopy(estimator)
    params = estimator.get_params(deep=False)
    return type(estimator)(**{name: clone(value) for name, value in params.items()})


def _is_classifier(estimator: Any) -> bool:
    kind = getattr(estimator, "_estimator_type", None)
    if kind is not None:
        return kind == "classifier"
    steps = getattr(estimator, "steps", None)
    if steps:  # a Pipeline is what its last step is
        return _is_classifier(steps[-1][1])
    try:  # a scikit-learn estimator says it in its tags
        return estimator.__sklearn_tags__().estimator_type == "classifier"
    except (AttributeError, ImportError):
        return False


def _f1_macro(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """F1 averaged over the labels present in either array (scikit-learn's ``f1_macro``)."""
    labels = np.unique(np.concatenate([y_true, y_pred]))
    scores = []
    for label in labels:
        true, predicted = y_true == label, y_pred == label
        hits = np.sum(true & predicted)
        denominator = np.sum(true) + np.sum(predicted)
        scores.append(2.0 * hits / denominator if denominator else 0.0)
    return float(np.mean(scores))


#: A scorer: ``scorer(fitted_estimator, X, y) -> float``, larger is better.
Scorer = Callable[[Any, Any, Any], float]

_SCORERS: dict[str, Scorer] = {
    "accuracy": lambda est, X, y: float(np.mean(np.asarray(est.predict(X)) == np.asarray(y))),
    "f1_macro": lambda est, X, y: _f1_macro(np.asarray(y), np.asarray(est.predict(X))),
    "r2": lambda est, X, y: r2_score(y, est.predict(X)),
}


def _scorer(scoring: str | Scorer | None) -> Scorer:
    if scoring is None:
        return lambda est, X, y: float(est.score(X, y))
    if callable(scoring):
        return scoring
    if scoring not in _SCORERS:
        raise ValueError(f"unknown scoring {scoring!r}; use one of {', '.join(_SCORERS)}, None "
                         "(the estimator's own score) or a callable(estimator, X, y)")  # fmt: skip
    return _SCORERS[scoring]


def _folds(cv: Any, estimator: Any, X: Any, y: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) pairs ``cv`` stands for: an int (stratified for classifiers), a splitter, pairs."""
    if isinstance(cv, int | np.integer) and not isinstance(cv, bool):
        splitter = (
            StratifiedKFold(int(cv))
            if _is_classifier(estimator) and y is not None
            else KFold(int(cv))
        )
        return list(splitter.split(X, y))
    if hasattr(cv, "split"):
        return list(cv.split(X, y))
    try:
        return [(np.asarray(train), np.asarray(test)) for train, test in cv]
    except (TypeError, ValueError):
        raise TypeError(f"cv must be an int, a splitter with split(X, y) or (train, test) "
                        f"pairs, got {cv!r}") from None  # fmt: skip


def _fit_and_score(estimator: Any, X: Any, y: Any, train: np.ndarray, test: np.ndarray,
                   scorer: Scorer) -> float:  # fmt: skip
    model = clone(estimator)
    model.fit(_take(X, train), None if y is None else _take(y, train))
    return scorer(model, _take(X, test), None if y is None else _take(y, test))


def cross_val_score(
    estimator: Any, X: Any, y: Any = None, cv: Any = 5, scoring: str | Scorer | None = None
) -> np.ndarray:
    """Train a fresh copy of ``estimator`` on each fold's train rows, score it on its test rows.

    Args:
        estimator: anything with ``fit`` and ``get_params`` (ours, scikit-learn's, a
            ``Pipeline``); it is cloned per fold and itself left untouched.
        X: rows (a list of texts for a pipeline, an array, a sparse matrix).
        y: targets.
        cv: the number of folds (:class:`StratifiedKFold` for a classifier, else
            :class:`KFold`, unshuffled, as scikit-learn), a splitter, or (train, test) pairs.
        scoring: ``None`` (the estimator's ``score``), ``"accuracy"``, ``"f1_macro"``,
            ``"r2"``, or a callable ``scorer(estimator, X, y)``.

    Returns:
        (n_folds,) the score of each fold.

    Example:
        >>> from nlpjourney.ml.linear import Ridge
        >>> X = np.arange(20.0).reshape(10, 2)
        >>> cross_val_score(Ridge(alpha=1e-6), X, X[:, 0] * 2 + 1, cv=2).round(6).tolist()
        [1.0, 1.0]
    """
    scorer = _scorer(scoring)
    folds = _folds(cv, estimator, X, y)
    return np.array([_fit_and_score(estimator, X, y, train, test, scorer) for train, test in folds])


def _candidates(
    param_grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Sequence[Any]]],
) -> list[dict[str, Any]]:
    """Every combination, grid by grid, keys in sorted order (scikit-learn's ``ParameterGrid`` order)."""
    grids = [param_grid] if isinstance(param_grid, Mapping) else list(param_grid)
    candidates = []
    for grid in grids:
        if not isinstance(grid, Mapping):
            raise TypeError(
                f"param_grid must be a dict of lists or a list of such dicts, got {grid!r}"
            )
        names = sorted(grid)
        for name in names:
            values = grid[name]
            if (
                isinstance(values, str)
                or not isinstance(values, Sequence | np.ndarray)
                or len(values) == 0
            ):
                raise ValueError(
                    f"param_grid[{name!r}] must be a non-empty list of values, got {values!r}"
                )
        for values in itertools.product(*(grid[name] for name in names)):
            candidates.append(dict(zip(names, values, strict=True)))
    return candidates


class GridSearchCV(Estimator):
    """Cross-validate every combination in ``param_grid``; keep and refit the best.

    Candidates are tried in scikit-learn's order (each grid's keys sorted, the last key
    varying fastest), scored by :func:`cross_val_score` on the same folds, and ranked by
    mean score (ties share the best rank; the first such candidate wins).

    Args:
        estimator: the model to tune (ours, scikit-learn's, a ``Pipeline``: nested
            hyper-parameters are named ``step__param``).
        param_grid: ``{"name": [values, ...]}`` or a list of such dicts.
        cv: as in :func:`cross_val_score`.
        scoring: as in :func:`cross_val_score`.
        refit: fit ``best_estimator_`` on all rows afterwards (needed for ``predict``).

    Attributes:
        cv_results_: ``params``, ``mean_test_score``, ``std_test_score``,
            ``rank_test_score`` and ``split<i>_test_score``, one entry per candidate.
        best_index_, best_params_, best_score_: the winning candidate.
        best_estimator_: the winner refitted on every row (with ``refit``).

    Example:
        >>> from nlpjourney.ml.linear import Ridge
        >>> X = np.arange(40.0).reshape(20, 2)
        >>> search = GridSearchCV(Ridge(), {"alpha": [1e3, 1e-3]}, cv=4).fit(X, X[:, 1])
        >>> search.best_params_
        {'alpha': 0.001}
    """

    def __init__(
        self,
        estimator: Any,
        param_grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Sequence[Any]]],
        cv: Any = 5,
        scoring: str | Scorer | None = None,
        refit: bool = True,
    ) -> None:
        self.estimator = estimator
        self.param_grid = param_grid
        self.cv = cv
        self.scoring = scoring
        self.refit = refit

    @property
    def _estimator_type(self) -> str | None:
        """A search over a classifier is a classifier (for stratified folds, scikit-learn's tags)."""
        return (
            "classifier"
            if _is_classifier(self.estimator)
            else getattr(self.estimator, "_estimator_type", None)
        )

    def fit(self, X: Any, y: Any = None) -> Self:
        """Score every candidate on every fold, pick the best, refit it; returns ``self``."""
        candidates = _candidates(self.param_grid)
        scorer = _scorer(self.scoring)
        folds = _folds(self.cv, self.estimator, X, y)
        scores = np.empty((len(candidates), len(folds)))
        for c, params in enumerate(candidates):
            try:
                model = clone(self.estimator).set_params(**params)
            except ValueError as error:
                raise ValueError(
                    f"param_grid candidate {params} does not fit the estimator: {error}"
                ) from None
            for f, (train, test) in enumerate(folds):
                scores[c, f] = _fit_and_score(model, X, y, train, test, scorer)
        means, stds = scores.mean(axis=1), scores.std(axis=1)
        # Rank 1 is best; equal means share the smallest rank (scipy's "min" method).
        order = np.sort(-means)
        ranks = np.searchsorted(order, -means, side="left") + 1
        self.cv_results_: dict[str, Any] = {
            "params": candidates,
            "mean_test_score": means,
            "std_test_score": stds,
            "rank_test_score": ranks.astype(np.int32),
        }
        for f in range(len(folds)):
            self.cv_results_[f"split{f}_test_score"] = scores[:, f]
        self.best_index_ = int(np.flatnonzero(ranks == 1)[0])
        self.best_params_ = candidates[self.best_index_]
        self.best_score_ = float(means[self.best_index_])
        self.n_splits_ = len(folds)
        self._scorer = scorer
        if self.refit:
            best = clone(self.estimator).set_params(**self.best_params_)
            self.best_estimator_ = best.fit(X) if y is None else best.fit(X, y)
        return self

    def _best(self) -> Any:
        if not hasattr(self, "best_estimator_"):
            raise NotFittedError("this GridSearchCV has no best_estimator_: call fit(X, y) "
                                 "with refit=True first")  # fmt: skip
        return self.best_estimator_

    def predict(self, X: Any) -> Any:
        """``best_estimator_.predict(X)``."""
        return self._best().predict(X)

    def predict_proba(self, X: Any) -> Any:
        """``best_estimator_.predict_proba(X)``."""
        return self._best().predict_proba(X)

    def decision_function(self, X: Any) -> Any:
        """``best_estimator_.decision_function(X)``."""
        return self._best().decision_function(X)

    def score(self, X: Any, y: Any = None) -> float:
        """The search's scoring of ``best_estimator_`` on ``X, y``."""
        return float(self._scorer(self._best(), X, y))
