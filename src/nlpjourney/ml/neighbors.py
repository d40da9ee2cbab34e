"""k-nearest-neighbour classification by brute force, dense or sparse, in bounded memory.

A k-NN classifier learns nothing: ``fit`` keeps the training rows, and ``predict`` lets the
``k`` training rows nearest to a query vote on its class. All the work is finding those
neighbours, which here is a matrix product per chunk of query rows:

- **Euclidean**: ``‖a - b‖² = ‖a‖² + ‖b‖² - 2 a·b``; the ``a·b`` block is one product
  ``Q Xᵀ`` (BLAS for dense rows, a sparse-sparse product for TF-IDF rows, which stay
  sparse), clipped at 0 before the square root because rounding can make it slightly
  negative;
- **cosine**: ``1 - cos(a, b)``, the product of the L2-normalised rows (a zero row is
  at distance 1 from everything, as in scikit-learn).

Each chunk of query rows is sized so its dense distance block stays under a fixed number
of entries; the ``k`` smallest of each row come from one compiled pass over the row that
keeps a sorted buffer of ``k`` (linear in practice: most entries lose one comparison).

Ties: neighbours at equal distance are ordered by their training index, and when several
rows tie for the last place the lower indices are kept. scikit-learn's brute-force search
keeps whichever of the tied rows its heap happens to hold, which is no simple rule, so we
do not imitate it: the distances always agree, but on data with exact ties (integer
pixels, duplicate messages) a query whose k-th and (k+1)-th neighbours are equally far
can get another neighbour set, and then another vote, than scikit-learn's. A vote tie
goes to the class that sorts first (``classes_`` order), as in scikit-learn.

Example:
    >>> X = [[0.0], [1.0], [2.0], [10.0]]
    >>> knn = KNeighborsClassifier(n_neighbors=3).fit(X, ["a", "a", "b", "b"])
    >>> knn.predict([[0.4], [9.0]]).tolist()
    ['a', 'b']
    >>> knn.kneighbors([[0.4]], n_neighbors=2)[1].tolist()
    [[0, 1]]

Reference: scikit-learn's ``KNeighborsClassifier(algorithm="brute")`` with the same
``metric`` and ``weights``.

Simplifications: brute force only (no KD or ball tree), two metrics, no sample weights.
"""

from __future__ import annotations

from typing import Any, Literal, Self

import numpy as np
import scipy.sparse as sp

from nlpjourney.compiled import compiled
from nlpjourney.ml.base import (
    ClassifierMixin,
    Estimator,
    Matrix,
    check_array,
    check_is_fitted,
    check_n_features,
    check_X_y,
)

__all__ = ["KNeighborsClassifier"]

# A chunk's dense distance block holds at most this many float64 entries (32 MiB).
_CHUNK_ENTRIES = 1 << 22


def _normalise_rows(X: Matrix) -> Matrix:
    norms = np.sqrt(_row_norms_sq(X))
    norms[norms == 0] = 1.0  # a zero row stays zero: cosine 0, distance 1
    if sp.issparse(X):
        return sp.csr_matrix(sp.diags(1.0 / norms) @ X)
    return X / norms[:, None]


def _row_norms_sq(X: Matrix) -> np.ndarray:
    if sp.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", X, X)


@compiled
def _smallest(D, k):  # noqa: ANN001, ANN202
    """Column indices of the ``k`` smallest entries of each row of ``D``, by (value, index).

    One pass per row keeps a sorted buffer of the best ``k`` so far: an entry enters only
    if strictly smaller than the buffer's last, and goes after any equal one, so among
    equal values the lower index wins. Most entries are rejected by one comparison, which
    makes this linear in practice (``np.argpartition`` along rows is several times slower
    here, and keeps an arbitrary subset of ties).
    """
    rows, n = D.shape
    chosen = np.empty((rows, k), dtype=np.int64)
    best = np.empty(k)
    for i in range(rows):
        filled = 0
        for j in range(n):
            d = D[i, j]
            if filled == k and d >= best[k - 1]:
                continue
            p = filled if filled < k else k - 1  # the slot freed (or the last one, dropped)
            while p > 0 and best[p - 1] > d:
                best[p] = best[p - 1]
                chosen[i, p] = chosen[i, p - 1]
                p -= 1
            best[p] = d
            chosen[i, p] = j
            if filled < k:
                filled += 1
    return chosen


class KNeighborsClassifier(ClassifierMixin, Estimator):
    """Vote among the ``n_neighbors`` nearest training rows (Euclidean or cosine distance).

    Args:
        n_neighbors: how many neighbours vote (``k``).
        metric: ``"euclidean"`` or ``"cosine"`` (``1 - cos``, the usual choice for TF-IDF).
        weights: ``"uniform"`` (one vote each) or ``"distance"`` (a vote weighs
            ``1 / distance``; a neighbour at distance 0 takes the whole vote, shared with
            any other at distance 0).

    Attributes:
        classes_: the sorted class labels.
        n_features_in_: the number of features seen by ``fit``.
    """

    def __init__(
        self,
        n_neighbors: int = 5,
        metric: Literal["euclidean", "cosine"] = "euclidean",
        weights: Literal["uniform", "distance"] = "uniform",
    ) -> None:
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.weights = weights

    def fit(self, X: Any, y: Any) -> Self:
        """Keep the training rows (dense, or CSR when sparse) and their labels."""
        X, y = check_X_y(X, y, sparse=True)
        if self.metric not in ("euclidean", "cosine"):
            raise ValueError(f"metric must be 'euclidean' or 'cosine', got {self.metric!r}")
        if self.weights not in ("uniform", "distance"):
            raise ValueError(f"weights must be 'uniform' or 'distance', got {self.weights!r}")
        self._check_k(self.n_neighbors, X.shape[0])
        self.classes_, self._y = np.unique(y, return_inverse=True)
        self._fit_X = _normalise_rows(X) if self.metric == "cosine" else X
        self._fit_norms = _row_norms_sq(self._fit_X)
        self.n_features_in_ = X.shape[1]
        self.n_samples_fit_ = X.shape[0]
        return self

    @staticmethod
    def _check_k(k: Any, n_train: int) -> None:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"n_neighbors must be a positive int, got {k!r}")
        if k > n_train:
            raise ValueError(f"n_neighbors={k} exceeds the {n_train} training rows")

    def _distances(self, Q: Matrix) -> np.ndarray:
        """Dense distances (rows of Q, training rows) for one chunk of queries.

        For Euclidean these are *squared* distances (same order, one square root per
        kept neighbour instead of one per pair); :meth:`kneighbors` takes the root.
        """
        products = Q @ self._fit_X.T
        products = products.toarray() if sp.issparse(products) else np.asarray(products)
        if self.metric == "cosine":
            np.subtract(1.0, products, out=products)
            return np.clip(products, 0.0, 2.0, out=products)
        products *= -2.0
        products += _row_norms_sq(Q)[:, None]
        products += self._fit_norms[None, :]
        return np.maximum(products, 0.0, out=products)

    def kneighbors(
        self, X: Any = None, n_neighbors: int | None = None, return_distance: bool = True
    ) -> tuple[np.ndarray, np.ndarray] | np.ndarray:
        """The nearest training rows of each query row, nearest first.

        Args:
            X: the queries; None queries the training rows themselves, each row left out
                of its own neighbours.
            n_neighbors: ``k`` (default: the estimator's ``n_neighbors``).
            return_distance: also return the distances.

        Returns:
            ``(distances, indices)``, or only ``indices``.

        Shapes:
            X: (n, n_features) -> distances, indices: (n, k).
        """
        check_is_fitted(self, "_fit_X")
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        own = X is None
        if own:
            Q, k = self._fit_X, k + 1  # each row finds itself first; dropped below
            self._check_k(k - 1, self.n_samples_fit_ - 1)
        else:
            Q = check_array(X, sparse=True)
            check_n_features(self, Q)
            self._check_k(k, self.n_samples_fit_)
            if self.metric == "cosine":
                Q = _normalise_rows(Q)
        n = Q.shape[0]
        indices = np.empty((n, k), dtype=np.int64)
        distances = np.empty((n, k))
        step = max(1, _CHUNK_ENTRIES // self.n_samples_fit_)
        for start in range(0, n, step):
            D = self._distances(Q[start : start + step])
            chosen = _smallest(D, k)
            indices[start : start + step] = chosen
            distances[start : start + step] = np.take_along_axis(D, chosen, axis=1)
        if self.metric == "euclidean":
            np.sqrt(distances, out=distances)
        if own:
            # Drop each row itself (or, if duplicates pushed it out, the farthest one).
            keep = indices != np.arange(n)[:, None]
            keep[keep.all(axis=1), -1] = False
            indices = indices[keep].reshape(n, k - 1)
            distances = distances[keep].reshape(n, k - 1)
        return (distances, indices) if return_distance else indices

    def predict_proba(self, X: Any) -> np.ndarray:
        """Each class's share of the (weighted) votes. Shapes: (n, n_features) -> (n, n_classes)."""
        distances, indices = self.kneighbors(X)
        if self.weights == "uniform":
            votes = np.ones_like(distances)
        else:
            with np.errstate(divide="ignore"):
                votes = 1.0 / distances
            exact = np.isinf(votes)
            on_top = exact.any(axis=1)
            votes[on_top] = exact[on_top]  # a neighbour at distance 0 decides alone
        n, n_classes = len(indices), len(self.classes_)
        flat = (np.arange(n)[:, None] * n_classes + self._y[indices]).ravel()
        proba = np.bincount(flat, weights=votes.ravel(), minlength=n * n_classes)
        proba = proba.reshape(n, n_classes)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """The winning class of each row (a tie goes to the first class in ``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
