"""Random forests: many decorrelated decision trees, their class probabilities averaged.

One deep tree fits its training rows almost perfectly and so varies a lot with them
(high variance). A forest grows ``n_estimators`` such trees, each made different in two
ways, and averages them, which keeps their low bias and cancels much of the variance:

- **bootstrap**: each tree learns from ``n`` rows drawn *with replacement* from the ``n``
  training rows (about 63 % distinct); a row drawn ``c`` times weighs ``c``;
- **feature subsampling**: each split looks at only ``max_features`` features drawn at
  random (``"sqrt"`` of the number of features by default), so strong features do not
  make every tree alike.

Prediction is *soft voting*: the mean of the trees' ``predict_proba``, then its argmax.
The rows a tree did not draw are "out of bag" for it; ``oob_score=True`` scores each row
by the trees that never saw it, a free estimate of test accuracy.

Every tree gets its own seed drawn from ``random_state`` before any tree grows, so a
seeded forest is the same whether its trees grow one by one or in threads (``n_jobs``).
Sparse features (TF-IDF) are kept sparse: the trees search them without densifying (see
:mod:`~nlpjourney.ml.tree`), a seeded forest is the one its dense copy grows, and
prediction densifies the rows a block at a time.

Example:
    >>> import numpy as np
    >>> X = np.random.RandomState(0).normal(size=(60, 3))
    >>> y = np.where(X[:, 0] + X[:, 1] > 0, "up", "down")
    >>> forest = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    >>> len(forest.estimators_), forest.predict_proba(X[:1]).shape
    (20, (1, 2))
    >>> forest.predict([[2.0, 2.0, 0.0], [-2.0, -2.0, 0.0]]).tolist()
    ['up', 'down']

Reference: scikit-learn's ``RandomForestClassifier`` (same bootstrap-as-weights scheme and
soft voting). Its random numbers come from its own generator, so the two forests differ
tree by tree; their accuracies agree on average over seeds (the parity test's protocol).

Simplifications: no ``max_samples``, ``class_weight`` or ``warm_start``; integer leaf sizes.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, Self

import numpy as np
import scipy.sparse as sp

from nlpjourney.ml.base import (
    ClassifierMixin,
    Estimator,
    check_array,
    check_is_fitted,
    check_n_features,
    check_X_y,
)
from nlpjourney.ml.tree import (
    DecisionTreeClassifier,
    apply_tree,
    as_tree_features,
    dense_blocks,
)

__all__ = ["RandomForestClassifier"]


class RandomForestClassifier(ClassifierMixin, Estimator):
    """A forest of CART trees on bootstrap samples with random feature subsets per split.

    Args:
        n_estimators: the number of trees.
        criterion: ``"gini"`` or ``"entropy"``, for every tree.
        max_depth: each tree's depth limit (None: grow until pure).
        max_features: features tried per split (see
            :class:`~nlpjourney.ml.tree.DecisionTreeClassifier`); ``"sqrt"`` by default.
        min_samples_leaf: rows (distinct rows of the bootstrap sample) each leaf keeps.
        bootstrap: draw each tree's rows with replacement; False gives every tree all rows
            (the trees then differ only by their feature subsets).
        oob_score: compute ``oob_score_`` (needs ``bootstrap``).
        random_state: seed of the whole forest.
        n_jobs: threads growing trees at once (None or 1: one; -1: every core). The split
            search runs without Python's lock, so threads do help.

    Attributes:
        estimators_: the fitted trees.
        classes_: the sorted class labels.
        feature_importances_: the trees' impurity-decrease importances, averaged.
        oob_score_: accuracy of the out-of-bag votes (with ``oob_score``), over the rows
            that were out of bag for at least one tree.
        oob_decision_function_: (n_samples, n_classes) the out-of-bag mean probabilities
            (NaN for a row no tree left out).
    """

    def __init__(
        self,
        n_estimators: int = 100,
        criterion: Literal["gini", "entropy"] = "gini",
        max_depth: int | None = None,
        max_features: int | float | Literal["sqrt", "log2"] | None = "sqrt",
        min_samples_leaf: int = 1,
        bootstrap: bool = True,
        oob_score: bool = False,
        random_state: int | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _workers(self) -> int:
        if self.n_jobs is None:
            return 1
        if isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, (int, np.integer)) or self.n_jobs == 0:  # fmt: skip
            raise ValueError(f"n_jobs must be None, a positive int or -1, got {self.n_jobs!r}")
        return (os.cpu_count() or 1) if self.n_jobs < 0 else int(self.n_jobs)

    def fit(self, X: Any, y: Any) -> Self:
        """Grow the trees on ``X`` (dense or sparse) and class labels ``y``."""
        X, y = check_X_y(X, y, sparse=True)
        k = self.n_estimators
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"n_estimators must be a positive int, got {k!r}")
        if self.oob_score and not self.bootstrap:
            raise ValueError("oob_score needs bootstrap=True: without it no row is out of bag")
        workers = self._workers()
        self.classes_, codes = np.unique(y, return_inverse=True)
        X32 = as_tree_features(X)  # float32 (scikit-learn's convention), dense or CSR
        n = len(y)
        seeds = np.random.RandomState(self.random_state).randint(np.iinfo(np.int32).max, size=k)
        trees = [
            DecisionTreeClassifier(
                criterion=self.criterion,
                max_depth=self.max_depth,
                min_samples_leaf=self.min_samples_leaf,
                max_features=self.max_features,
                random_state=np.random.RandomState(seed),
            )
            for seed in seeds
        ]
        # The tree's own generator draws its bootstrap rows first, then its feature orders.
        weights = [
            np.bincount(t.random_state.randint(0, n, n), minlength=n).astype(np.float64)
            if self.bootstrap
            else np.ones(n)
            for t in trees
        ]
        trees[0]._params(X.shape[1])  # refuse bad tree settings before any work

        def grow(i: int) -> DecisionTreeClassifier:
            return trees[i]._fit_prepared(X32, codes, weights[i], self.classes_)

        if workers == 1:
            self.estimators_ = [grow(i) for i in range(k)]
        else:
            with ThreadPoolExecutor(workers) as pool:
                self.estimators_ = list(pool.map(grow, range(k)))
        self.n_features_in_ = X.shape[1]
        self.n_classes_ = len(self.classes_)
        if self.oob_score:
            self._score_out_of_bag(X32, codes, weights)
        return self

    def _score_out_of_bag(
        self, X32: np.ndarray | sp.csr_matrix, codes: np.ndarray, weights: list
    ) -> None:
        votes = np.zeros((len(codes), self.n_classes_))
        seen = np.zeros(len(codes))
        for tree, w in zip(self.estimators_, weights, strict=True):
            out = np.flatnonzero(w == 0)
            votes[out] += tree.tree_.value[apply_tree(tree.tree_, X32[out])]
            seen[out] += 1
        with np.errstate(invalid="ignore"):
            self.oob_decision_function_ = votes / seen[:, None]
        scored = seen > 0
        right = votes[scored].argmax(axis=1) == codes[scored]
        self.oob_score_ = float(right.mean()) if scored.any() else float("nan")

    def predict_proba(self, X: Any) -> np.ndarray:
        """The trees' mean class probabilities. Shapes: (n, n_features) -> (n, n_classes)."""
        check_is_fitted(self, "estimators_")
        X = check_array(X, sparse=True)
        check_n_features(self, X)
        X32 = as_tree_features(X)
        proba = np.zeros((X32.shape[0], self.n_classes_))
        # Sparse rows are densified one block at a time, every tree walking each block.
        for rows, block in dense_blocks(X32):
            for tree in self.estimators_:
                proba[rows] += tree.tree_.value[tree.tree_.apply(block)]
        return proba / len(self.estimators_)

    def predict(self, X: Any) -> np.ndarray:
        """The class with the highest mean probability (soft voting)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    @property
    def feature_importances_(self) -> np.ndarray:
        """The trees' normalised impurity-decrease importances, averaged and renormalised."""
        check_is_fitted(self, "estimators_")
        mean = np.mean([t.feature_importances_ for t in self.estimators_], axis=0)
        total = mean.sum()
        return mean / total if total > 0 else mean
