"""k-means clustering: k-means++ seeding, then Lloyd's iterations, best of ``n_init`` runs.

k-means looks for ``k`` centres that minimise the *inertia*, the sum of squared distances
from each row to its nearest centre. Lloyd's algorithm alternates two steps, each of
which can only lower the inertia:

1. **assign** every row to its nearest centre. The squared distance
   ``‖x - c‖² = ‖x‖² - 2 x·c + ‖c‖²`` needs one matrix product ``X Cᵀ`` (BLAS) per chunk
   of rows; ``‖x‖²`` is the same for every centre, so the argmin ignores it;
2. **update** every centre to the mean of its rows (one sparse indicator-matrix product).

It stops when the assignment no longer changes, or the centres moved (summed squared
shift) by at most ``tol`` times the mean variance of the columns, or after ``max_iter``.
A cluster that loses all its rows takes the rows farthest from their own centres.

The result depends on the start. **k-means++** picks the first centre at random and each
next one with probability proportional to the squared distance to the nearest centre
chosen so far; as scikit-learn, each step draws ``2 + ⌊ln k⌋`` candidates and keeps the
one that lowers the inertia most (the "greedy" variant). ``n_init`` runs are made and the
one with the lowest inertia is kept.

Example:
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(km.cluster_centers_.tolist()), float(km.inertia_)
    ([[0.0, 0.5], [10.0, 0.5]], 1.0)

Reference: scikit-learn's ``KMeans`` (``algorithm="lloyd"``). The random draws are the same
NumPy ``RandomState`` calls in the same order, and dense data is centred before the
distances as there, so a seeded fit usually lands on scikit-learn's very clustering.

On sparse rows (TF-IDF) one Lloyd iteration is a single compiled pass over the nonzeros
that assigns each row and adds it to its cluster's sum (:func:`_assign_csr`).

Simplifications: no sample weights, no Elkan algorithm, one thread (BLAS may use more).
"""

from __future__ import annotations

from typing import Any, Literal, Self

import numpy as np
import scipy.sparse as sp

from nlpjourney.compiled import compiled
from nlpjourney.ml.base import (
    Estimator,
    Matrix,
    TransformerMixin,
    check_array,
    check_is_fitted,
    check_n_features,
)

__all__ = ["KMeans", "kmeans_plusplus"]

# Rows per chunk of the assignment step scale so a chunk's distance block holds about
# this many numbers: big enough for BLAS to be efficient, small enough to stay in cache.
_CHUNK_ENTRIES = 1 << 18


def _row_norms_sq(X: Matrix) -> np.ndarray:
    if sp.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", X, X)


def _sq_distances(X: Matrix, x_norms: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Squared distances (len(centres), n) from each centre to each row, clipped at 0."""
    products = np.asarray(X @ np.ascontiguousarray(centres.T)).T
    d = (centres**2).sum(axis=1)[:, None] - 2 * products + x_norms[None, :]
    return np.maximum(d, 0, out=d)


def _row(X: Matrix, i: int | np.ndarray) -> np.ndarray:
    return X[i].toarray() if sp.issparse(X) else X[i]


def kmeans_plusplus(
    X: Matrix, n_clusters: int, rng: np.random.RandomState, x_norms: np.ndarray | None = None
) -> np.ndarray:
    """Greedy k-means++ seeds: ``n_clusters`` rows of ``X``, spread out by squared distance.

    Args:
        X: the data, dense or CSR.
        n_clusters: how many centres to pick.
        rng: the random generator (consumed as scikit-learn's ``_kmeans_plusplus`` does).
        x_norms: the squared row norms of ``X``, if already known.

    Returns:
        The centres, shape (n_clusters, n_features), dense.
    """
    n = X.shape[0]
    x_norms = _row_norms_sq(X) if x_norms is None else x_norms
    trials = 2 + int(np.log(n_clusters))
    centres = np.empty((n_clusters, X.shape[1]))
    first = rng.choice(n, p=np.full(n, 1.0 / n))
    centres[0] = _row(X, first)
    closest = _sq_distances(X, x_norms, centres[:1])[0]
    potential = closest.sum()
    for c in range(1, n_clusters):
        # Sample candidates in proportion to their squared distance to the chosen centres.
        targets = rng.uniform(size=trials) * potential
        candidates = np.searchsorted(np.cumsum(closest), targets)
        np.clip(candidates, None, n - 1, out=candidates)
        to_candidates = _sq_distances(X, x_norms, _row(X, candidates).reshape(trials, -1))
        np.minimum(closest, to_candidates, out=to_candidates)
        potentials = to_candidates.sum(axis=1)
        best = int(np.argmin(potentials))  # greedy: the candidate that lowers inertia most
        potential, closest = potentials[best], to_candidates[best]
        centres[c] = _row(X, candidates[best])
    return centres


@compiled
def _assign_csr(data, indices, indptr, centres_t, half_norms, sums, counts):  # noqa: ANN001, ANN202
    """:func:`_assign` and :func:`_sums` in one pass over CSR rows (compiled).

    Each row's products with the ``k`` centres are summed over its nonzeros in order,
    the arithmetic of SciPy's sparse-times-dense product, then the row is added to its
    cluster's sum: one read of ``X`` per Lloyd iteration, no (n, k) block, no indicator.
    """
    n, k = len(indptr) - 1, centres_t.shape[1]
    labels = np.empty(n, dtype=np.int64)
    partial = np.empty(n)
    scores = np.empty(k)
    sums[:] = 0.0
    counts[:] = 0.0
    for i in range(n):
        scores[:] = 0.0
        for j in range(indptr[i], indptr[i + 1]):
            v, at = data[j], indices[j]
            for c in range(k):
                scores[c] += v * centres_t[at, c]
        best, best_score = 0, scores[0] - half_norms[0]
        for c in range(1, k):
            score = scores[c] - half_norms[c]
            if score > best_score:  # the first of equal scores, as argmax
                best, best_score = c, score
        labels[i], partial[i] = best, -2.0 * best_score
        for j in range(indptr[i], indptr[i + 1]):
            sums[best, indices[j]] += data[j]
        counts[best] += 1.0
    return labels, partial


@compiled
def _assign_csr_few(data, indices, indptr, centres, half_norms, sums, counts):  # noqa: ANN001, ANN202
    """:func:`_assign_csr` for a few centres: each score summed in a register, centre by centre.

    With two centres (a polarity split) the per-nonzero loop over centres costs more than the
    arithmetic, so here each row is read once per centre instead (``centres`` row-major,
    as scikit-learn's sparse Lloyd step does). The sums run over the nonzeros in the
    same order, so the results are bit for bit those of :func:`_assign_csr`.
    """
    n, k = len(indptr) - 1, centres.shape[0]
    labels = np.empty(n, dtype=np.int64)
    partial = np.empty(n)
    sums[:] = 0.0
    counts[:] = 0.0
    for i in range(n):
        lo, hi = indptr[i], indptr[i + 1]
        best, best_score = 0, 0.0
        for c in range(k):
            product = 0.0
            for j in range(lo, hi):
                product += data[j] * centres[c, indices[j]]
            score = product - half_norms[c]
            if c == 0 or score > best_score:  # the first of equal scores, as argmax
                best, best_score = c, score
        labels[i], partial[i] = best, -2.0 * best_score
        for j in range(lo, hi):
            sums[best, indices[j]] += data[j]
        counts[best] += 1.0
    return labels, partial


#: Up to this many centres :func:`_assign_csr_few` is the faster kernel.
_FEW_CENTRES = 2


def _assign_and_sum(X: Matrix, centres: np.ndarray) -> tuple[np.ndarray, ...]:
    """Labels and partial distances (:func:`_assign`), cluster sums and counts (:func:`_sums`)."""
    k = len(centres)
    if not sp.issparse(X):
        labels, partial = _assign(X, centres)
        return labels, partial, *_sums(X, labels, k)
    sums, counts = np.zeros((k, X.shape[1])), np.zeros(k)
    half_norms = 0.5 * (centres**2).sum(axis=1)
    if k <= _FEW_CENTRES:
        labels, partial = _assign_csr_few(X.data, X.indices, X.indptr,
                                          np.ascontiguousarray(centres), half_norms, sums, counts)  # fmt: skip
    else:
        labels, partial = _assign_csr(X.data, X.indices, X.indptr, np.ascontiguousarray(centres.T),
                                      half_norms, sums, counts)  # fmt: skip
    return labels, partial, sums, counts


def _assign(X: Matrix, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre of every row, and ``‖c‖² - 2 x·c`` for it (the distance less ``‖x‖²``)."""
    if sp.issparse(X):
        return _assign_and_sum(X, centres)[:2]
    n, k = X.shape[0], len(centres)
    labels = np.empty(n, dtype=np.int64)
    partial = np.empty(n)
    # subtle: argmax of x·c - ‖c‖²/2 is argmin of ‖c‖² - 2x·c bit for bit (halving and
    # doubling are exact in floating point), and it saves one pass over the block.
    half_norms = 0.5 * (centres**2).sum(axis=1)
    step = max(1, _CHUNK_ENTRIES // max(k, 1))
    centres_t = np.ascontiguousarray(centres.T)  # BLAS is faster on a contiguous operand
    for start in range(0, n, step):
        block = np.asarray(X[start : start + step] @ centres_t)  # (rows, k), BLAS
        block -= half_norms
        best = block.argmax(axis=1)
        labels[start : start + step] = best
        partial[start : start + step] = -2.0 * block[np.arange(len(best)), best]
    return labels, partial


def _sums(X: Matrix, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-cluster sums of rows and counts: an indicator matrix (k, n) times ``X``.

    The indicator is dense (one BLAS product) while it is small, sparse beyond that.
    """
    n = X.shape[0]
    if k * n <= _CHUNK_ENTRIES * 16:
        indicator = np.zeros((k, n))
        indicator[labels, np.arange(n)] = 1.0
    else:
        indicator = sp.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
    sums = indicator @ X
    sums = sums.toarray() if sp.issparse(sums) else np.asarray(sums)
    return sums, np.bincount(labels, minlength=k).astype(np.float64)


def _lloyd(
    X: Matrix, x_norms: np.ndarray, centres: np.ndarray, max_iter: int, tol: float
) -> tuple[np.ndarray, float, np.ndarray, int]:
    previous = None
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 (read after the loop)
        labels, partial, sums, counts = _assign_and_sum(X, centres)
        empty = np.flatnonzero(counts == 0)
        if len(empty):
            # Each empty cluster takes one of the rows farthest from their own centre,
            # which leaves its old cluster (scikit-learn's relocation rule).
            gap = partial + x_norms
            farthest = np.argpartition(gap, -len(empty))[: -len(empty) - 1 : -1]
            for cluster, row in zip(empty, farthest, strict=True):
                x = _row(X, row).ravel()
                sums[labels[row]] -= x
                counts[labels[row]] -= 1
                sums[cluster], counts[cluster] = x, 1
        new = sums / np.maximum(counts, 1)[:, None]
        shift = float(((new - centres) ** 2).sum())
        centres = new
        if previous is not None and np.array_equal(labels, previous):
            break  # the assignment is stable: nothing can move any more
        if shift <= tol:
            break
        previous = labels
    # The last update moved the centres: assign again so labels and inertia match them
    # (after a stable assignment this gives the same labels).
    labels, partial = _assign(X, centres)
    inertia = float(np.maximum(partial + x_norms, 0).sum())
    return labels, inertia, centres, n_iter


def _same_clustering(a: np.ndarray, b: np.ndarray, k: int) -> bool:
    """Whether two labelings are the same partition under some renaming of the clusters."""
    mapping = np.full(k, -1)
    mapping[a] = b
    return bool(
        np.array_equal(mapping[a], b) and len(np.unique(mapping[np.unique(a)])) == len(np.unique(a))
    )


class KMeans(TransformerMixin, Estimator):
    """k-means clustering (Lloyd) from k-means++, random or given starting centres.

    Args:
        n_clusters: the number of clusters ``k``.
        init: ``"k-means++"`` (greedy, see the module docstring), ``"random"`` (``k``
            distinct rows) or an array of shape (k, n_features) of starting centres.
        n_init: runs from different starts, the lowest inertia kept; ``"auto"`` is 1 for
            k-means++ or given centres and 10 for random starts (scikit-learn's rule).
        max_iter: at most this many Lloyd iterations per run.
        tol: stop when the centres' summed squared shift is at most ``tol`` times the
            mean variance of the columns of ``X``.
        random_state: seed of the starts.

    Attributes:
        cluster_centers_: (n_clusters, n_features) the centres.
        labels_: (n_samples,) each training row's cluster.
        inertia_: the summed squared distance of the rows to their centres.
        n_iter_: Lloyd iterations of the kept run.
    """

    def __init__(
        self,
        n_clusters: int = 8,
        init: Literal["k-means++", "random"] | Any = "k-means++",
        n_init: Literal["auto"] | int = "auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: int | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _check(self, X: Matrix) -> tuple[int, np.ndarray | None]:
        k = self.n_clusters
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"n_clusters must be a positive int, got {k!r}")
        if X.shape[0] < k:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={k}")
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:  # fmt: skip
            raise ValueError(f"max_iter must be a positive int, got {self.max_iter!r}")
        given = None
        if isinstance(self.init, str):
            if self.init not in ("k-means++", "random"):
                raise ValueError(f"init must be 'k-means++', 'random' or an array of centres, "
                                 f"got {self.init!r}")  # fmt: skip
        else:
            given = np.array(self.init, dtype=np.float64)
            if given.shape != (k, X.shape[1]):
                raise ValueError(f"init has shape {given.shape}; it must be (n_clusters, "
                                 f"n_features) = {(k, X.shape[1])}")  # fmt: skip
        if self.n_init == "auto":
            runs = 10 if isinstance(self.init, str) and self.init == "random" else 1
        elif isinstance(self.n_init, bool) or not isinstance(self.n_init, (int, np.integer)) or self.n_init < 1:  # fmt: skip
            raise ValueError(f"n_init must be 'auto' or a positive int, got {self.n_init!r}")
        else:
            runs = 1 if given is not None else int(self.n_init)
        return runs, given

    def fit(self, X: Any, y: Any = None) -> Self:
        """Cluster the rows of ``X`` (dense or sparse)."""
        X = check_array(X, sparse=True)
        runs, given = self._check(X)
        rng = np.random.RandomState(self.random_state)
        if sp.issparse(X):
            squares = np.asarray(X.multiply(X).mean(axis=0)).ravel()
            variance = squares - np.asarray(X.mean(axis=0)).ravel() ** 2
            offset = np.zeros(X.shape[1])
        else:
            # Centring first makes ‖x‖² - 2x·c + ‖c‖² lose fewer digits (scikit-learn does it).
            variance = X.var(axis=0)
            offset = X.mean(axis=0)
            X = X - offset
        tol = float(np.mean(variance) * self.tol)
        x_norms = _row_norms_sq(X)
        best: tuple[np.ndarray, float, np.ndarray, int] | None = None
        for _ in range(runs):
            if given is not None:
                start = given - offset
            elif self.init == "random":
                n = X.shape[0]
                rows = rng.choice(n, size=self.n_clusters, replace=False, p=np.full(n, 1.0 / n))
                start = _row(X, rows).reshape(self.n_clusters, -1)
            else:
                start = kmeans_plusplus(X, self.n_clusters, rng, x_norms)
            run = _lloyd(X, x_norms, start, self.max_iter, tol)
            if best is None or (run[1] < best[1] and not _same_clustering(run[0], best[0], self.n_clusters)):  # fmt: skip
                best = run
        assert best is not None
        self.labels_, self.inertia_, centres, self.n_iter_ = best
        self.cluster_centers_ = centres + offset
        self.n_features_in_ = X.shape[1]
        return self

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(X).labels_

    def _checked(self, X: Any) -> Matrix:
        check_is_fitted(self, "cluster_centers_")
        X = check_array(X, sparse=True)
        check_n_features(self, X)
        return X

    def predict(self, X: Any) -> np.ndarray:
        """The nearest learned centre of each row of ``X``."""
        return _assign(self._checked(X), self.cluster_centers_)[0]

    def transform(self, X: Any) -> np.ndarray:
        """Euclidean distances to every centre. Shapes: (n, n_features) -> (n, n_clusters)."""
        X = self._checked(X)
        return np.sqrt(_sq_distances(X, _row_norms_sq(X), self.cluster_centers_).T)

    def score(self, X: Any, y: Any = None) -> float:
        """Minus the inertia of ``X`` with respect to the learned centres (higher is better)."""
        X = self._checked(X)
        _, partial = _assign(X, self.cluster_centers_)
        return -float(np.maximum(partial + _row_norms_sq(X), 0).sum())
