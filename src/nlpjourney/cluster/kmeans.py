"""k-means for text: its two steps as plain functions, the spherical variant, mini-batches.

:class:`KMeans` itself lives in :mod:`nlpjourney.ml.kmeans` (topic 0.2: k-means++
seeding, Lloyd iterations, a compiled pass over sparse rows) and is the same class here.
This module adds what text clustering needs on top:

- :func:`assign_clusters` and :func:`update_centres`: Lloyd's two steps written as the
  plain vectorised NumPy a reader checks against the formulas (the model answer of
  exercise 2.2). ``KMeans`` keeps its own faster fused loop; the tests hold one of its
  iterations equal to these two functions on real TF-IDF;
- :class:`SphericalKMeans`: k-means for *directions* (Dhillon & Modha, 2001). TF-IDF rows
  of long and short documents about the same thing point the same way but differ in
  length; spherical k-means normalises every row to unit length, assigns it to the
  centre of highest cosine and renormalises each centre (the mean direction of its rows)
  to unit length after every update. For unit rows and centres ``‖x - c‖² = 2 - 2 x·c``,
  so the nearest centre *is* the most similar one, and each step raises the summed
  cosine ``Σ x·c`` (the objective) or leaves it; it is a subclass of ``KMeans`` (same
  parameters, seeding and stopping rule) rather than a flag on it, so the Euclidean class
  stays scikit-learn's estimator parameter for parameter;
- :class:`MiniBatchKMeans`: Sculley's web-scale k-means, each step a random batch of rows
  that pulls its centres with a per-centre learning rate ``1 / (rows the centre has seen)``.

Example:
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [4.0, 0.0], [4.0, 1.0]])
    >>> labels = assign_clusters(X, np.array([[0.0, 0.0], [5.0, 0.0]]))
    >>> labels.tolist(), update_centres(X, labels, np.zeros((2, 2))).tolist()
    ([0, 0, 1, 1], [[0.0, 0.5], [4.0, 0.5]])

Reference: scikit-learn's ``KMeans`` and ``MiniBatchKMeans``. ``MiniBatchKMeans`` makes
the same ``RandomState`` draws in the same order (validation rows, the start's sample,
k-means++, each batch, each reassignment), so a seeded fit usually ends on scikit-learn's
very centres; the tests hold it to inertia and NMI, since the sums are not added in the
same order and a near tie can go the other way.
Spherical k-means has no scikit-learn estimator: it is scikit-learn's ``KMeans`` on
L2-normalised rows, plus the renormalised centres.
"""

from __future__ import annotations

from typing import Any, Literal, Self

import numpy as np
import scipy.sparse as sp

from nlpjourney.ml.base import Estimator, Matrix, TransformerMixin, check_array
from nlpjourney.ml.kmeans import (
    KMeans,
    _assign,
    _assign_and_sum,
    _row,
    _row_norms_sq,
    kmeans_plusplus,
)

__all__ = ["KMeans", "MiniBatchKMeans", "SphericalKMeans", "assign_clusters", "update_centres"]


def _rows_and_centres(X: Any, centres: Any) -> tuple[Matrix, np.ndarray]:
    if not sp.issparse(X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (rows of features), got shape {X.shape}")
    centres = np.asarray(centres, dtype=np.float64)
    if centres.ndim != 2 or centres.shape[1] != X.shape[1]:
        raise ValueError(f"centres must have shape (k, {X.shape[1]}) to match X's "
                         f"{X.shape[1]} columns, got {centres.shape}")  # fmt: skip
    return X, centres


def assign_clusters(X: Any, centres: Any) -> np.ndarray:
    """The index of the nearest centre of every row (squared Euclidean distance).

    ``‖x - c‖² = ‖x‖² - 2 x·c + ‖c‖²``: the first term is the same for every centre, so
    the nearest centre has the smallest ``‖c‖² - 2 x·c``, and ``X Cᵀ`` gives every
    ``x·c`` in one matrix product (sparse rows stay sparse).

    Args:
        X: The rows, a dense 2-D float array or a SciPy CSR matrix.
        centres: The centres, shape (k, n_features).

    Returns:
        int64 array of shape (n,); ties go to the lowest centre index.

    Shapes:
        X (n, d), centres (k, d) -> (n,)

    Raises:
        ValueError: ``centres`` is not (k, d) for ``X``'s ``d`` columns, or there are no centres.
    """
    X, centres = _rows_and_centres(X, centres)
    if len(centres) == 0:
        raise ValueError("there must be at least one centre")
    products = X @ centres.T  # (n, k)
    products = products.toarray() if sp.issparse(products) else np.asarray(products)
    distances = (centres**2).sum(axis=1) - 2 * products  # ‖x‖² left out: same for all
    return distances.argmin(axis=1).astype(np.int64)  # argmin keeps the first of ties


def update_centres(X: Any, labels: Any, centres: Any) -> np.ndarray:
    """Every centre moved to the mean of the rows assigned to it.

    The sums of all clusters come from one product: a (k, n) indicator matrix (1 where
    row ``i`` is in cluster ``c``) times ``X``.

    Args:
        X: The rows, dense or CSR, shape (n, d).
        labels: The cluster of each row, ints in ``[0, k)``, shape (n,).
        centres: The current centres (k, d); a centre with no rows keeps its value.

    Returns:
        float64 array of shape (k, d), the new centres (``centres`` is not changed).

    Raises:
        ValueError: The shapes disagree, or a label is outside ``[0, k)``.
    """
    X, centres = _rows_and_centres(X, centres)
    labels = np.asarray(labels)
    k, n = len(centres), X.shape[0]
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), one per row of X, got {labels.shape}")
    if n and (not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"labels must be integers from 0 to k - 1 = {k - 1}")
    indicator = sp.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
    sums = indicator @ X
    sums = sums.toarray() if sp.issparse(sums) else np.asarray(sums)
    counts = np.bincount(labels, minlength=k)
    new = centres.copy()
    filled = counts > 0
    new[filled] = sums[filled] / counts[filled, None]
    return new


# -- spherical k-means ----------------------------------------------------------------


def _unit_rows(X: Matrix) -> Matrix:
    """Each row divided by its length (an all-zero row stays zero)."""
    lengths = np.sqrt(_row_norms_sq(X))
    lengths[lengths == 0] = 1.0
    if sp.issparse(X):
        return sp.csr_matrix(sp.diags(1.0 / lengths) @ X)
    return X / lengths[:, None]


def _spherical_lloyd(
    X: Matrix, centres: np.ndarray, max_iter: int, tol: float
) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Lloyd's iterations on unit rows with unit centres: (labels, Σ cosine, centres, iterations)."""
    previous = None
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 (read after the loop)
        # With unit centres the nearest centre is the most similar: ‖x-c‖² = 2 - 2x·c.
        labels, partial, sums, counts = _assign_and_sum(X, centres)
        empty = np.flatnonzero(counts == 0)
        if len(empty):
            # An empty cluster takes a row least similar to its own centre.
            similarity = (1.0 - partial) / 2  # partial = ‖c‖² - 2 x·c = 1 - 2 cos
            worst = np.argsort(similarity, kind="stable")[: len(empty)]
            for cluster, row in zip(empty, worst, strict=True):
                x = _row(X, row).ravel()
                sums[labels[row]] -= x
                counts[labels[row]] -= 1
                sums[cluster], counts[cluster] = x, 1
        lengths = np.sqrt((sums**2).sum(axis=1))
        # subtle: a cluster of all-zero rows has no direction; it keeps its centre.
        new = np.where(lengths[:, None] > 0, sums / np.maximum(lengths, 1e-300)[:, None], centres)
        shift = float(((new - centres) ** 2).sum())
        centres = new
        if previous is not None and np.array_equal(labels, previous):
            break
        if shift <= tol:
            break
        previous = labels
    labels, partial = _assign(X, centres)
    return labels, float(np.sum((1.0 - partial) / 2)), centres, n_iter


class SphericalKMeans(KMeans):
    """k-means by cosine: unit rows, assignment by highest cosine, unit centres.

    Takes :class:`KMeans`'s parameters and seeding (k-means++ on the normalised rows);
    ``init`` centres, if given, are normalised first. ``n_init`` runs keep the highest
    summed cosine.

    Attributes:
        cluster_centers_: (k, n_features) unit-length centres (mean directions).
        labels_: (n,) each row's cluster.
        similarity_: the objective, ``Σ cos(x, c_label(x))`` over the rows.
        inertia_: ``Σ ‖x̂ - c‖²`` over the normalised rows ``x̂`` (``2 n - 2 similarity_``
            when no row is zero), so lower is better as for ``KMeans``.
        n_iter_: iterations of the kept run.

    Example:
        >>> X = np.array([[1.0, 0.1], [5.0, 0.4], [0.1, 1.0], [0.3, 7.0]])
        >>> SphericalKMeans(2, random_state=0).fit(X).labels_.tolist()
        [1, 1, 0, 0]
    """

    def fit(self, X: Any, y: Any = None) -> Self:
        """Cluster the directions of the rows of ``X`` (dense or sparse)."""
        X = check_array(X, sparse=True)
        runs, given = self._check(X)
        X = _unit_rows(X)
        rng = np.random.RandomState(self.random_state)
        if sp.issparse(X):
            squares = np.asarray(X.multiply(X).mean(axis=0)).ravel()
            variance = squares - np.asarray(X.mean(axis=0)).ravel() ** 2
        else:
            variance = X.var(axis=0)
        tol = float(np.mean(variance) * self.tol)
        x_norms = _row_norms_sq(X)
        best: tuple[np.ndarray, float, np.ndarray, int] | None = None
        for _ in range(runs):
            if given is not None:
                start = given
            elif self.init == "random":
                n = X.shape[0]
                rows = rng.choice(n, size=self.n_clusters, replace=False, p=np.full(n, 1.0 / n))
                start = _row(X, rows).reshape(self.n_clusters, -1)
            else:
                start = kmeans_plusplus(X, self.n_clusters, rng, x_norms)
            run = _spherical_lloyd(X, _unit_rows(np.asarray(start, dtype=np.float64)),
                                   self.max_iter, tol)  # fmt: skip
            if best is None or run[1] > best[1]:
                best = run
        assert best is not None
        self.labels_, self.similarity_, self.cluster_centers_, self.n_iter_ = best
        # Σ ‖x̂ - c‖² = Σ ‖x̂‖² - 2 Σ x̂·c + Σ ‖c‖² (each ‖c‖² is 1)
        centre_norms = (self.cluster_centers_**2).sum(axis=1)[self.labels_]
        self.inertia_ = float(x_norms.sum() - 2 * self.similarity_ + centre_norms.sum())
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The most similar (highest cosine) centre of each row."""
        return _assign(_unit_rows(self._checked(X)), self.cluster_centers_)[0]

    def transform(self, X: Any) -> np.ndarray:
        """Cosine distances ``1 - cos`` to every centre. Shapes: (n, d) -> (n, k)."""
        X = _unit_rows(self._checked(X))
        return 1.0 - np.asarray(X @ self.cluster_centers_.T)

    def score(self, X: Any, y: Any = None) -> float:
        """The summed cosine of the rows of ``X`` to their most similar centres."""
        X = _unit_rows(self._checked(X))
        _, partial = _assign(X, self.cluster_centers_)
        return float(np.sum((1.0 - partial) / 2))


# -- mini-batch k-means ---------------------------------------------------------------


class MiniBatchKMeans(TransformerMixin, Estimator):
    """k-means from random mini-batches: each centre moves toward its batch rows by 1/count.

    One step draws ``batch_size`` rows (with replacement), assigns them to the nearest
    centres and moves every centre ``c`` that got rows to the running mean of all rows
    it has ever been given: ``c ← (c · n_c + Σ batch rows) / (n_c + m_c)`` with ``n_c``
    the rows it saw before and ``m_c`` now. The learning rate ``m_c / (n_c + m_c)``
    falls as a centre settles. Centres that get almost no rows (fewer than
    ``reassignment_ratio`` times the busiest) are moved onto random batch rows. It stops
    after ``max_iter`` passes' worth of steps, or when the batches' smoothed inertia has
    not improved for ``max_no_improvement`` steps, or (``tol > 0``) when the centres'
    squared shift is at most ``tol`` times the mean column variance.

    Args:
        n_clusters: ``k``.
        init: ``"k-means++"``, ``"random"`` or a (k, d) array of starting centres.
        max_iter: At most this many passes over the data, in steps of ``batch_size``.
        batch_size: Rows per step.
        tol: Stop on small centre moves (0 turns the rule off, the default).
        max_no_improvement: Stop after this many steps without a better smoothed
            inertia (``None``: never).
        init_size: Rows the starting centres are chosen from (default ``3 * batch_size``).
        n_init: Starts tried (each scored on one random validation sample); ``"auto"``
            is 1 for k-means++, 3 for random starts.
        reassignment_ratio: How small a centre's count may get before it is moved.
        random_state: Seed of every draw.

    Attributes:
        cluster_centers_, labels_, inertia_ (of the training rows, after the last step),
        n_steps_, n_iter_ (passes begun), counts_ (rows each centre has absorbed).
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Literal["k-means++", "random"] | Any = "k-means++",
        max_iter: int = 100,
        batch_size: int = 1024,
        tol: float = 0.0,
        max_no_improvement: int | None = 10,
        init_size: int | None = None,
        n_init: Literal["auto"] | int = "auto",
        reassignment_ratio: float = 0.01,
        random_state: int | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio
        self.random_state = random_state

    def _settings(self, X: Matrix) -> tuple[int, int, int, np.ndarray | None]:
        """Checked (batch size, init size, starts, given centres) for ``X``."""
        k = self.n_clusters
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"n_clusters must be a positive int, got {k!r}")
        if X.shape[0] < k:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={k}")
        for name in ("batch_size", "max_iter"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        batch = min(int(self.batch_size), X.shape[0])
        size = self.init_size
        if size is None or size < k:
            size = 3 * batch if size is None and 3 * batch >= k else 3 * k
        size = min(int(size), X.shape[0])
        given = None
        if not isinstance(self.init, str):
            given = np.array(self.init, dtype=np.float64)
            if given.shape != (k, X.shape[1]):
                raise ValueError(f"init has shape {given.shape}; it must be (n_clusters, "
                                 f"n_features) = {(k, X.shape[1])}")  # fmt: skip
        elif self.init not in ("k-means++", "random"):
            raise ValueError(f"init must be 'k-means++', 'random' or an array, got {self.init!r}")
        if self.n_init == "auto":
            runs = 3 if self.init == "random" else 1
        elif isinstance(self.n_init, bool) or not isinstance(self.n_init, (int, np.integer)) or self.n_init < 1:  # fmt: skip
            raise ValueError(f"n_init must be 'auto' or a positive int, got {self.n_init!r}")
        else:
            runs = 1 if given is not None else int(self.n_init)
        return batch, size, runs, given

    def _start(self, X: Matrix, size: int, given: np.ndarray | None) -> np.ndarray:
        """Starting centres chosen from ``size`` random rows (scikit-learn's draws)."""
        if given is not None:
            return given.copy()
        n = X.shape[0]
        if size < n:
            X = X[self._rng.randint(0, n, size)]
            n = size
        if self.init == "random":
            return _row(X, self._rng.permutation(n)[: self.n_clusters]).reshape(self.n_clusters, -1)
        return kmeans_plusplus(X, self.n_clusters, self._rng)

    def _step(self, batch: Matrix, norms: np.ndarray, reassign: bool) -> float:
        """One mini-batch update of ``cluster_centers_`` and ``counts_``; the batch's inertia.

        ``norms`` are the batch rows' squared lengths.
        """
        centres = self.cluster_centers_
        # one pass assigns the rows and sums them by cluster (compiled for sparse rows)
        labels, partial, sums, seen = _assign_and_sum(batch, centres)
        inertia = float(np.maximum(partial + norms, 0).sum())
        moved = seen > 0
        total = self.counts_[moved] + seen[moved]
        centres[moved] = (centres[moved] * self.counts_[moved, None] + sums[moved]) / total[:, None]
        self.counts_[moved] = total
        if reassign and self.reassignment_ratio > 0:
            low = self.counts_ < self.reassignment_ratio * self.counts_.max()
            if low.sum() > 0.5 * batch.shape[0]:  # move at most half a batch's worth
                low[np.argsort(self.counts_)[int(0.5 * batch.shape[0]) :]] = False
            if low.any():
                rows = self._rng.choice(batch.shape[0], replace=False, size=int(low.sum()))
                centres[low] = _row(batch, rows).reshape(int(low.sum()), -1)
                # not back to 0, or they would be moved again at once
                self.counts_[low] = np.min(self.counts_[~low])
        return inertia

    def _due(self, batch: int) -> bool:
        """Whether this step may move starved centres: every ``10 k`` rows, or when one is empty."""
        self._since_reassign += batch
        if (self.counts_ == 0).any() or self._since_reassign >= 10 * self.n_clusters:
            self._since_reassign = 0
            return True
        return False

    def fit(self, X: Any, y: Any = None) -> Self:
        """Cluster the rows of ``X`` (dense or sparse) by mini-batch steps."""
        X = check_array(X, sparse=True)
        batch, size, runs, given = self._settings(X)
        n = X.shape[0]
        self._rng = np.random.RandomState(self.random_state)
        valid = X[self._rng.randint(0, n, size)]
        best, best_inertia = None, np.inf
        for _ in range(runs):  # each start scored on the same validation rows
            centres = self._start(X, size, given)
            _, partial = _assign(valid, centres)
            inertia = float(np.maximum(partial + _row_norms_sq(valid), 0).sum())
            if best is None or inertia < best_inertia:
                best, best_inertia = centres, inertia
        assert best is not None
        self.cluster_centers_ = np.array(best, dtype=np.float64)
        self.counts_ = np.zeros(self.n_clusters)
        self._since_reassign = 0
        if sp.issparse(X):
            squares = np.asarray(X.multiply(X).mean(axis=0)).ravel()
            tol = float(np.mean(squares - np.asarray(X.mean(axis=0)).ravel() ** 2) * self.tol)
        else:
            tol = float(np.mean(X.var(axis=0)) * self.tol)
        steps = (int(self.max_iter) * n) // batch
        x_norms = _row_norms_sq(X)
        smoothed = lowest = None
        stale = 0
        step = 0
        for step in range(1, steps + 1):  # noqa: B007 (read after the loop)
            rows = self._rng.choice(n, batch, p=np.full(n, 1.0 / n), replace=True)
            before = self.cluster_centers_.copy() if tol > 0 else None
            inertia = self._step(X[rows], x_norms[rows], self._due(batch)) / batch
            if before is not None and ((self.cluster_centers_ - before) ** 2).sum() <= tol:
                break
            if step == 1:
                continue  # the first batch measures the starting centres only
            # A running average of the batch inertia smooths the batches' noise.
            weight = min(batch * 2.0 / (n + 1), 1.0)
            smoothed = inertia if smoothed is None else smoothed * (1 - weight) + inertia * weight
            if lowest is None or smoothed < lowest:
                lowest, stale = smoothed, 0
            else:
                stale += 1
            if self.max_no_improvement is not None and stale >= self.max_no_improvement:
                break
        self.n_steps_ = step
        self.n_iter_ = int(np.ceil(step * batch / n))
        self.labels_, partial = _assign(X, self.cluster_centers_)
        self.inertia_ = float(np.maximum(partial + x_norms, 0).sum())
        self.n_features_in_ = X.shape[1]
        return self

    def partial_fit(self, X: Any, y: Any = None) -> Self:
        """One mini-batch step on the rows of ``X`` (the first call also picks the starts).

        ``labels_`` and ``inertia_`` then describe this batch.
        """
        X = check_array(X, sparse=True)
        if not hasattr(self, "cluster_centers_"):
            _, size, _, given = self._settings(X)
            self._rng = np.random.RandomState(self.random_state)
            self.cluster_centers_ = np.array(self._start(X, size, given), dtype=np.float64)
            self.counts_ = np.zeros(self.n_clusters)
            self._since_reassign = 0
            self.n_steps_ = 0
            self.n_features_in_ = X.shape[1]
        elif X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but this model was fitted on "
                             f"{self.n_features_in_}")  # fmt: skip
        self._step(X, _row_norms_sq(X), self._due(X.shape[0]))
        self.n_steps_ += 1
        self.labels_, partial = _assign(X, self.cluster_centers_)
        self.inertia_ = float(np.maximum(partial + _row_norms_sq(X), 0).sum())
        return self

    def _checked(self, X: Any) -> Matrix:
        from nlpjourney.ml.base import check_is_fitted, check_n_features

        check_is_fitted(self, "cluster_centers_")
        X = check_array(X, sparse=True)
        check_n_features(self, X)
        return X

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(X).labels_

    def predict(self, X: Any) -> np.ndarray:
        """The nearest centre of each row."""
        return _assign(self._checked(X), self.cluster_centers_)[0]

    def transform(self, X: Any) -> np.ndarray:
        """Euclidean distances to every centre. Shapes: (n, d) -> (n, k)."""
        X = self._checked(X)
        products = np.asarray(X @ self.cluster_centers_.T)
        squared = _row_norms_sq(X)[:, None] - 2 * products + (self.cluster_centers_**2).sum(axis=1)
        return np.sqrt(np.maximum(squared, 0))

    def score(self, X: Any, y: Any = None) -> float:
        """Minus the inertia of ``X`` to the nearest centres (higher is better)."""
        X = self._checked(X)
        _, partial = _assign(X, self.cluster_centers_)
        return -float(np.maximum(partial + _row_norms_sq(X), 0).sum())
