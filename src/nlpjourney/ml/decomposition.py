"""Linear dimensionality reduction: :class:`PCA` (centred, dense) and :class:`TruncatedSVD` (sparse).

Both find the directions along which the rows of ``X`` spread the most, through one
singular value decomposition ``X = U Σ Vᵀ``: the rows of ``Vᵀ`` are the directions
(``components_``), ``Σ²`` how much each one explains.

- :class:`PCA` first subtracts the column means, so the directions are those of the
  covariance matrix; ``explained_variance_`` is ``Σ² / (n - 1)``.
- :class:`TruncatedSVD` does not centre (centring would make a sparse TF-IDF matrix
  dense), which is what latent semantic analysis (LSA) is. Its default solver is the
  randomized range finder of Halko, Martinsson and Tropp (2011), :func:`randomized_svd`:
  multiply ``X`` by a random Gaussian matrix, sharpen the result with a few power
  iterations, orthonormalise it, and take the exact SVD of the small projected matrix.

An SVD is unique only up to the sign of each pair (column of ``U``, row of ``Vᵀ``), so both
classes apply scikit-learn's rule (:func:`svd_flip`): the entry of largest magnitude in
each row of ``components_`` is positive. With it, our components equal scikit-learn's.

Example:
    >>> import numpy as np
    >>> X = np.array([[2.0, 0.0], [0.0, 1.0], [-2.0, 0.0], [0.0, -1.0]])
    >>> pca = PCA(n_components=1).fit(X)
    >>> pca.components_.round(3).tolist(), pca.explained_variance_ratio_.round(3).tolist()
    ([[1.0, 0.0]], [0.8])

Reference: scikit-learn's ``PCA`` (``svd_solver="full"``, ``"covariance_eigh"`` and
``"randomized"``) and ``TruncatedSVD`` (``algorithm="randomized"`` and ``"arpack"``), the
parity tests' references; our random draws follow the same NumPy ``RandomState`` calls, so a seeded
randomized fit gives scikit-learn's numbers up to rounding.

Simplifications: no ``"auto"`` or ``"arpack"`` solver for PCA (our default is ``"full"``;
scikit-learn's ``"auto"`` picks ``"covariance_eigh"`` for tall data), no
``n_components="mle"``, and PCA takes dense input only.
"""

from __future__ import annotations

from typing import Any, Literal, Self

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg

from nlpjourney.ml.base import (
    Estimator,
    Matrix,
    TransformerMixin,
    check_array,
    check_is_fitted,
    check_n_features,
)

__all__ = ["PCA", "TruncatedSVD", "randomized_svd", "svd_flip"]


def _random_state(seed: int | np.random.RandomState | None) -> np.random.RandomState:
    # subtle: the legacy RandomState (not default_rng) so that a seed draws the same
    # Gaussian matrix as scikit-learn's and the results can be compared exactly.
    if isinstance(seed, np.random.RandomState):
        return seed
    return np.random.RandomState(seed)


def svd_flip(U: np.ndarray | None, Vt: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """Fix each singular pair's sign: the largest-magnitude entry of each row of ``Vt`` is positive.

    Args:
        U: left singular vectors, one per column (or None when they are not needed).
        Vt: right singular vectors, one per row.

    Returns:
        ``(U, Vt)`` with the same column of ``U`` and row of ``Vt`` negated where needed,
        so ``U @ diag(S) @ Vt`` is unchanged.

    Example:
        >>> svd_flip(None, np.array([[0.6, -0.8], [0.8, 0.6]]))[1].tolist()
        [[-0.6, 0.8], [0.8, 0.6]]
    """
    largest = np.argmax(np.abs(Vt), axis=1)
    signs = np.sign(Vt[np.arange(len(Vt)), largest])
    signs[signs == 0] = 1.0
    return (None if U is None else U * signs), Vt * signs[:, None]


def randomized_svd(
    X: Matrix,
    n_components: int,
    *,
    n_oversamples: int = 10,
    n_iter: int = 4,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An approximate rank-``n_components`` SVD by a randomized range finder (Halko et al., 2011).

    1. ``Q = X Ω`` with ``Ω`` Gaussian, ``n_components + n_oversamples`` columns: a sample
       of the range of ``X``;
    2. ``n_iter`` power iterations ``Q ← X (Xᵀ Q)``, renormalised by an LU factorisation
       each half-step (more than two iterations) so small singular values do not vanish
       in rounding; this sharpens ``Q`` toward the top singular directions;
    3. orthonormalise ``Q`` (QR), project ``B = Qᵀ X`` (small) and take its exact SVD;
       ``U = Q Û``.

    When ``X`` is wider than tall it works on ``Xᵀ`` (the smaller range), as scikit-learn.

    Args:
        X: the matrix, dense or sparse.
        n_components: how many singular triplets to return.
        n_oversamples: extra random directions that make the top ones more accurate.
        n_iter: power iterations.
        random_state: seed of the Gaussian test matrix.

    Returns:
        ``(U, S, Vt)``, no sign fixing (see :func:`svd_flip`).

    Shapes:
        X: (n, d) -> U: (n, k), S: (k,), Vt: (k, d).
    """
    transpose = X.shape[0] < X.shape[1]
    A = X.T if transpose else X
    rng = _random_state(random_state)
    Q = rng.normal(size=(A.shape[1], n_components + n_oversamples))
    normalise = (lambda M: M) if n_iter <= 2 else (
        lambda M: scipy.linalg.lu(M, permute_l=True, check_finite=False)[0])  # fmt: skip
    for _ in range(n_iter):
        Q = normalise(A @ Q)
        Q = normalise(A.T @ Q)
    Q, _ = scipy.linalg.qr(A @ Q, mode="economic", check_finite=False)
    B = np.asarray((A.T @ Q).T)  # Qᵀ A, written so a sparse A stays on the left
    U_hat, S, Vt = scipy.linalg.svd(B, full_matrices=False, check_finite=False)
    U = Q @ U_hat
    if transpose:
        return Vt[:n_components].T, S[:n_components], U[:, :n_components].T
    return U[:, :n_components], S[:n_components], Vt[:n_components]


def _centrable(X: Any) -> np.ndarray:
    """``X`` checked as a dense array; a sparse one is refused with the way out."""
    if sp.issparse(X):
        raise TypeError(
            "PCA centres its input, which would turn a sparse matrix dense; use TruncatedSVD "
            "(no centring) for sparse TF-IDF, or pass X.toarray() if it fits in memory"
        )
    return check_array(X, sparse=False)


class PCA(TransformerMixin, Estimator):
    """Principal component analysis: centre the columns, then project on the top directions.

    Args:
        n_components: directions to keep: all (None), a count (int), or the smallest
            number whose explained variance ratios sum past a share (float in (0, 1)).
        whiten: scale the projections to unit variance (divide by the square root of
            ``explained_variance_``).
        svd_solver: ``"full"`` (exact LAPACK SVD of the centred data),
            ``"covariance_eigh"`` (eigenvectors of the d x d covariance matrix: much
            faster when rows far outnumber features, at the price of squaring the
            condition number, so tiny variances lose digits) or ``"randomized"``
            (:func:`randomized_svd`, for a few components of a large matrix).
        random_state: seed of the randomized solver.

    Attributes:
        components_: (n_components, n_features) directions, unit rows, sign fixed.
        explained_variance_: variance of the data along each direction (ddof 1).
        explained_variance_ratio_: that variance as a share of the total.
        singular_values_: the matching singular values of the centred data.
        mean_: the column means subtracted before projecting.
        n_components_: the number of directions kept.
    """

    def __init__(
        self,
        n_components: int | float | None = None,
        whiten: bool = False,
        svd_solver: Literal["full", "covariance_eigh", "randomized"] = "full",
        random_state: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.random_state = random_state

    def _n_kept(self, n: int, d: int) -> int | float:
        k = self.n_components
        if k is None:
            return min(n, d)
        if isinstance(k, (bool, np.bool_)) or not isinstance(
            k, (int, float, np.integer, np.floating)
        ):
            raise TypeError(f"n_components must be None, an int or a float, got {k!r}")
        if isinstance(k, (float, np.floating)) and not float(k).is_integer():
            if not 0 < k < 1:
                raise ValueError(f"a float n_components is a share of variance in (0, 1), got {k}")
            if self.svd_solver == "randomized":
                raise ValueError(
                    "a float n_components needs svd_solver='full' or 'covariance_eigh'"
                )
            return float(k)
        if not 1 <= int(k) <= min(n, d):
            raise ValueError(f"n_components={k} must be between 1 and min(n_samples, "
                             f"n_features)={min(n, d)}")  # fmt: skip
        return int(k)

    def fit(self, X: Any, y: Any = None) -> Self:
        """Learn the mean and the principal directions of ``X`` (rows = samples)."""
        X = _centrable(X)
        if self.svd_solver not in ("full", "covariance_eigh", "randomized"):
            raise ValueError(f"svd_solver must be 'full', 'covariance_eigh' or 'randomized', "
                             f"got {self.svd_solver!r}")  # fmt: skip
        n, d = X.shape
        if n < 2:
            raise ValueError("PCA needs at least two rows to measure variance")
        k = self._n_kept(n, d)
        self.mean_ = X.mean(axis=0)
        if self.svd_solver == "full":
            centred = X - self.mean_
            _, S, Vt = scipy.linalg.svd(centred, full_matrices=False, check_finite=False)
            total = (S**2).sum() / (n - 1)
        elif self.svd_solver == "covariance_eigh":
            # Σ = (XᵀX - n μμᵀ) / (n - 1), then its eigenvectors: no centred copy of X.
            covariance = X.T @ X
            covariance -= n * np.outer(self.mean_, self.mean_)
            covariance /= n - 1
            eigenvalues, vectors = np.linalg.eigh(covariance)  # ascending
            eigenvalues = np.maximum(eigenvalues[::-1], 0.0)  # rounding can dip below 0
            S, Vt = np.sqrt(eigenvalues * (n - 1)), vectors[:, ::-1].T
            total = eigenvalues.sum()
        else:
            centred = X - self.mean_
            # scikit-learn's "auto" number of power iterations for the randomized solver.
            n_iter = 7 if k < 0.1 * min(n, d) else 4
            _, S, Vt = randomized_svd(centred, int(k), n_iter=n_iter,
                                      random_state=self.random_state)  # fmt: skip
            total = (centred**2).sum() / (n - 1)
        _, Vt = svd_flip(None, Vt)
        variance = S**2 / (n - 1)
        ratio = variance / total
        if isinstance(k, float):
            # The fewest components whose cumulated ratio passes k (strictly: side="right").
            k = int(np.searchsorted(np.cumsum(ratio), k, side="right")) + 1
            k = min(k, len(S))
        self.n_components_ = int(k)
        self.components_ = Vt[:k].copy()
        self.explained_variance_ = variance[:k].copy()
        self.explained_variance_ratio_ = ratio[:k].copy()
        self.singular_values_ = S[:k].copy()
        # The mean variance left in the discarded directions (probabilistic PCA's σ²).
        if k >= min(n, d):
            self.noise_variance_ = 0.0
        elif self.svd_solver != "randomized":
            self.noise_variance_ = float(variance[k:].mean())
        else:  # only the top singular values are known: spread the remaining variance
            self.noise_variance_ = float((total - variance.sum()) / (min(n, d) - k))
        self.n_features_in_ = d
        self.n_samples_ = n
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Project ``X`` on the components. Shapes: (n, n_features) -> (n, n_components_)."""
        check_is_fitted(self, "components_")
        X = _centrable(X)
        check_n_features(self, X)
        projected = (X - self.mean_) @ self.components_.T
        if self.whiten:
            projected /= np.sqrt(self.explained_variance_)
        return projected

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Map projections back to feature space (exact only if every component was kept)."""
        check_is_fitted(self, "components_")
        Z = check_array(Z, sparse=False, name="Z")
        if Z.shape[1] != self.n_components_:
            raise ValueError(f"Z has {Z.shape[1]} columns but this PCA keeps "
                             f"{self.n_components_} components")  # fmt: skip
        components = self.components_
        if self.whiten:
            components = np.sqrt(self.explained_variance_)[:, None] * components
        return Z @ components + self.mean_


class TruncatedSVD(TransformerMixin, Estimator):
    """The top singular directions of an uncentred (typically sparse TF-IDF) matrix: LSA.

    Args:
        n_components: directions to keep (less than the number of features).
        algorithm: ``"randomized"`` (:func:`randomized_svd`, ours) or ``"arpack"``
            (SciPy's ``svds``, an exact Lanczos method).
        n_iter: power iterations of the randomized solver.
        random_state: seed of the random draws of either solver.

    Attributes:
        components_: (n_components, n_features) directions, sign fixed.
        explained_variance_: variance of the training projections along each direction.
        explained_variance_ratio_: that variance over the total variance of ``X``'s columns.
        singular_values_: the top singular values of ``X``.

    Note: ``explained_variance_`` is not sorted as ``singular_values_`` is, because ``X``
    is not centred (scikit-learn's definition, kept).
    """

    def __init__(
        self,
        n_components: int = 2,
        algorithm: Literal["randomized", "arpack"] = "randomized",
        n_iter: int = 5,
        random_state: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.algorithm = algorithm
        self.n_iter = n_iter
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> Self:
        """Learn the components; see :meth:`fit_transform`."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Learn the components of ``X`` and return its projections ``U Σ``.

        Shapes:
            X: (n, n_features), dense or sparse -> (n, n_components).
        """
        X = check_array(X, sparse=True)
        k = self.n_components
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < X.shape[1]:
            raise ValueError(f"n_components must be an int in [1, n_features={X.shape[1]}), "
                             f"got {k!r}")  # fmt: skip
        if k > min(X.shape):
            raise ValueError(f"n_components={k} exceeds min(n_samples, n_features)={min(X.shape)}")
        rng = _random_state(self.random_state)
        if self.algorithm == "randomized":
            U, S, Vt = randomized_svd(X, k, n_iter=self.n_iter, random_state=rng)
        elif self.algorithm == "arpack":
            # scikit-learn's start vector: uniform in [-1, 1], from the same generator.
            v0 = rng.uniform(-1, 1, size=min(X.shape))
            U, S, Vt = scipy.sparse.linalg.svds(X, k=k, v0=v0)
            U, S, Vt = U[:, ::-1], S[::-1], Vt[::-1]  # svds returns them smallest first
        else:
            raise ValueError(f"algorithm must be 'randomized' or 'arpack', got {self.algorithm!r}")
        U, Vt = svd_flip(U, Vt)
        assert U is not None
        projected = U * S
        self.components_ = Vt
        self.singular_values_ = S
        self.explained_variance_ = projected.var(axis=0)
        if sp.issparse(X):
            squares = np.asarray(X.multiply(X).mean(axis=0)).ravel()
            total = float((squares - np.asarray(X.mean(axis=0)).ravel() ** 2).sum())
        else:
            total = float(X.var(axis=0).sum())
        self.explained_variance_ratio_ = self.explained_variance_ / total
        self.n_features_in_ = X.shape[1]
        return projected

    def transform(self, X: Any) -> np.ndarray:
        """Project ``X`` on the components. Shapes: (n, n_features) -> (n, n_components)."""
        check_is_fitted(self, "components_")
        X = check_array(X, sparse=True)
        check_n_features(self, X)
        return np.asarray(X @ self.components_.T)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Map projections back to (dense) feature space: ``Z @ components_``."""
        check_is_fitted(self, "components_")
        Z = check_array(Z, sparse=False, name="Z")
        return Z @ self.components_
