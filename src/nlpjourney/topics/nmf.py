"""Non-negative matrix factorization: ``X ≈ W H`` with ``W, H ≥ 0``, a topic model by algebra.

For a documents × terms TF-IDF matrix ``X``, each row of ``H`` (``components_``) is a topic,
a non-negative weight per term, and each row of ``W`` says how much of each topic a
document holds. Non-negativity is what makes the parts readable: a document is *built
up* from topics, never explained by cancellations.

Two losses and two solvers, as in scikit-learn:

- ``beta_loss="frobenius"``: ``½‖X - WH‖²``; ``"kullback-leibler"``: the generalized KL
  divergence ``Σ X log(X / WH) - X + WH`` (counts-like data).
- ``solver="mu"``: Lee & Seung's multiplicative updates, ``W ← W ⊙ (∂⁻ / ∂⁺)``, the
  negative and positive parts of the gradient, which keep entries non-negative without
  projection. For KL the numerator ``(X / WH) Hᵀ`` needs ``WH`` only where ``X`` is
  nonzero, computed by a compiled loop over the sparse entries; ``X`` stays sparse.
- ``solver="cd"``: coordinate descent (Cichocki & Phan; Hsieh & Dhillon), Frobenius only:
  one column of ``W`` at a time solves its 1-D problem exactly,
  ``W[:, t] ← max(0, W[:, t] - ∇ / (HHᵀ)[t, t])``; rows are independent, so a column is
  one vectorised step.

Initialization (``init``): NNDSVD (Boutsidis & Gallopoulos, 2008) from a randomized SVD —
each singular pair is split into its positive and negative parts and the larger kept —
with zeros left (``nndsvd``), filled with the mean of ``X`` (``nndsvda``) or with small
random values (``nndsvdar``); or ``random``, ``|N(0, 1)| · sqrt(mean(X) / k)``. The random
draws are scikit-learn's (the legacy ``RandomState``), so equal settings start equal.

Stopping: MU checks the loss every 10 iterations and stops when it fell by less than
``tol`` (relative to the initial loss) since the last check; CD stops when the summed
projected gradient falls under ``tol`` times its first value.

Reference: scikit-learn's ``sklearn.decomposition.NMF`` (same parameters, regularization
scaling, stopping rules and ``reconstruction_err_``).

Simplifications: no ``shuffle`` for CD, no ``init="custom"``, no other beta losses
(Itakura-Saito), no ``verbose``.
"""

from __future__ import annotations

import warnings
from typing import Any, Self

import numpy as np
import scipy.sparse as sp

from nlpjourney.compiled import compiled
from nlpjourney.ml.base import (
    ConvergenceWarning,
    Estimator,
    Matrix,
    TransformerMixin,
    check_array,
    check_is_fitted,
    check_n_features,
)
from nlpjourney.ml.decomposition import randomized_svd, svd_flip

__all__ = ["NMF"]

# scikit-learn's floor for values that are divided by or that must stay positive.
EPSILON = np.finfo(np.float32).eps
SOLVERS = ("mu", "cd")
LOSSES = ("frobenius", "kullback-leibler")
INITS = ("nndsvd", "nndsvda", "nndsvdar", "random", None)


@compiled
def _product_at(indptr, indices, W, H):  # noqa: ANN001, ANN202 (numba types them)
    """``(W @ H)[i, j]`` for every stored entry ``(i, j)`` of a CSR pattern, in its order."""
    out = np.empty(indices.size)
    k = W.shape[1]
    for i in range(indptr.size - 1):
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            total = 0.0
            for r in range(k):
                total += W[i, r] * H[r, j]
            out[p] = total
    return out


def _wh_at_nonzeros(X: Matrix, W: np.ndarray, H: np.ndarray) -> np.ndarray:
    """``WH`` where ``X`` has entries: the values of a sparse ``X``'s pattern, or all of it."""
    if sp.issparse(X):
        return _product_at(X.indptr, X.indices, W, np.ascontiguousarray(H))
    return W @ H


def _loss(X: Matrix, W: np.ndarray, H: np.ndarray, beta: str) -> float:
    """scikit-learn's ``reconstruction_err_``: ``‖X - WH‖_F``, or ``sqrt(2 · KL(X ‖ WH))``."""
    if beta == "frobenius":
        if sp.issparse(X):
            # ‖X‖² + ‖WH‖² - 2⟨X, WH⟩ without forming the dense WH.
            squared = X.data @ X.data
            squared += np.sum((W.T @ W) * (H @ H.T))
            squared -= 2.0 * np.sum((X @ H.T) * W)
        else:
            squared = np.sum((X - W @ H) ** 2)
        return float(np.sqrt(max(squared, 0.0)))
    x = X.data if sp.issparse(X) else X.ravel()
    wh = _wh_at_nonzeros(X, W, H)
    wh = wh if sp.issparse(X) else wh.ravel()
    kept = x > EPSILON  # 0 log 0 = 0: zeros of X add nothing but WH's own mass
    x, wh = x[kept], np.maximum(wh[kept], EPSILON)
    divergence = x @ np.log(x / wh) + W.sum(axis=0) @ H.sum(axis=1) - x.sum()
    return float(np.sqrt(2.0 * max(divergence, 0.0)))


def _nndsvd(
    X: Matrix, k: int, init: str, random_state: int | np.random.RandomState | None
) -> tuple[np.ndarray, np.ndarray]:
    """NNDSVD's ``W`` (n, k) and ``H`` (k, d) from the top ``k`` singular triplets of ``X``."""
    # scikit-learn's randomized_svd: more power iterations when k is small.
    n_iter = 7 if k < 0.1 * min(X.shape) else 4
    U, S, Vt = randomized_svd(X, k, n_iter=n_iter, random_state=random_state)
    # Signs decided on U's columns, as scikit-learn does (svd_flip looks at its 2nd argument's rows).
    Vt_T, U_T = svd_flip(Vt.T, U.T)
    U, Vt = U_T.T, Vt_T.T
    W = np.zeros_like(U)
    H = np.zeros_like(Vt)
    # The leading pair of a non-negative matrix is non-negative (Perron-Frobenius).
    W[:, 0] = np.sqrt(S[0]) * np.abs(U[:, 0])
    H[0] = np.sqrt(S[0]) * np.abs(Vt[0])
    for j in range(1, k):
        x, y = U[:, j], Vt[j]
        xp, yp, xn, yn = np.maximum(x, 0), np.maximum(y, 0), np.maximum(-x, 0), np.maximum(-y, 0)
        norms_p = np.linalg.norm(xp) * np.linalg.norm(yp)
        norms_n = np.linalg.norm(xn) * np.linalg.norm(yn)
        # Keep the part (positive or negative) carrying more of the rank-one term.
        u, v, sigma = (xp, yp, norms_p) if norms_p > norms_n else (xn, yn, norms_n)
        if sigma == 0:
            # subtle: a zero singular pair (X of rank < k); scikit-learn divides 0 by 0
            # here and carries NaN into the fit. We leave the column at zero (filled below
            # for nndsvda/nndsvdar).
            continue
        scale = np.sqrt(S[j] * sigma)
        W[:, j] = scale * u / np.linalg.norm(u)
        H[j] = scale * v / np.linalg.norm(v)
    W[W < 1e-6] = 0.0
    H[H < 1e-6] = 0.0
    if init == "nndsvda":
        mean = X.mean()
        W[W == 0] = mean
        H[H == 0] = mean
    elif init == "nndsvdar":
        rng = random_state if isinstance(random_state, np.random.RandomState) else (
            np.random.RandomState(random_state))  # fmt: skip
        mean = X.mean()
        W[W == 0] = np.abs(mean * rng.standard_normal(size=int((W == 0).sum())) / 100)
        H[H == 0] = np.abs(mean * rng.standard_normal(size=int((H == 0).sum())) / 100)
    return W, H


def _mu_step_w(
    X: Matrix, W: np.ndarray, H: np.ndarray, beta: str, l1: float, l2: float
) -> np.ndarray:
    """One multiplicative update of ``W`` (in place); ``H`` is held."""
    if beta == "frobenius":
        numerator = np.asarray(X @ H.T)
        denominator = W @ (H @ H.T)
    else:
        ratio = _ratio(X, W, H)
        numerator = np.asarray(ratio @ H.T)
        denominator = np.broadcast_to(H.sum(axis=1), W.shape).copy()
    if l1 > 0:
        denominator += l1
    if l2 > 0:
        denominator = denominator + l2 * W
    denominator[denominator == 0] = EPSILON
    W *= numerator / denominator
    return W


def _ratio(X: Matrix, W: np.ndarray, H: np.ndarray) -> Matrix:
    """``X / WH`` on ``X``'s pattern (sparse stays sparse), ``WH`` floored at epsilon."""
    wh = np.maximum(_wh_at_nonzeros(X, W, H), EPSILON)
    if sp.issparse(X):
        return sp.csr_matrix((X.data / wh, X.indices, X.indptr), shape=X.shape)
    return X / wh


def _mu_step_h(
    X: Matrix, W: np.ndarray, H: np.ndarray, beta: str, l1: float, l2: float
) -> np.ndarray:
    """One multiplicative update of ``H`` (in place); ``W`` is held."""
    if beta == "frobenius":
        numerator = np.asarray((X.T @ W).T)  # Wᵀ X, written so a sparse X stays on the left
        denominator = (W.T @ W) @ H
    else:
        numerator = np.asarray((_ratio(X, W, H).T @ W).T)
        column_sums = W.sum(axis=0)
        column_sums[column_sums == 0] = 1.0
        denominator = np.broadcast_to(column_sums[:, None], H.shape).copy()
    if l1 > 0:
        denominator += l1
    if l2 > 0:
        denominator = denominator + l2 * H
    denominator[denominator == 0] = EPSILON
    H *= numerator / denominator
    return H


@compiled
def _cd_columns(W, gram, XH):  # noqa: ANN001, ANN202 (numba types them)
    """The column-by-column updates of :func:`_cd_sweep`, compiled; returns the violation."""
    n, k = W.shape
    violation = 0.0
    for t in range(k):
        curvature = gram[t, t]
        for i in range(n):
            grad = -XH[i, t]
            for r in range(k):
                grad += W[i, r] * gram[r, t]
            if W[i, t] == 0.0:
                violation += -grad if grad < 0.0 else 0.0
            else:
                violation += abs(grad)
            if curvature != 0.0:
                W[i, t] = max(W[i, t] - grad / curvature, 0.0)
    return violation


def _cd_sweep(X: Matrix, W: np.ndarray, Ht: np.ndarray, l1: float, l2: float) -> float:
    """One coordinate-descent pass over the columns of ``W`` (in place); returns the violation.

    Column ``t`` minimises ``½‖X - W Hᵀ‖² + l1 Σ W + ½ l2 ‖W‖²`` with the other columns
    held: the gradient is ``W (HᵀH)[:, t] - (X H)[:, t]``, the curvature ``(HᵀH)[t, t]``,
    and the exact 1-D minimiser is clipped at 0. Rows are independent, so the compiled
    loop takes a column at a time. The violation sums the projected gradient (zero at a
    bound where the gradient points outward): the stopping measure.
    """
    gram = Ht.T @ Ht  # (k, k)
    gram[np.diag_indices_from(gram)] += l2
    XH = np.ascontiguousarray(X @ Ht) - l1  # (n, k)
    return float(_cd_columns(W, gram, XH))


class NMF(TransformerMixin, Estimator):
    """Non-negative matrix factorization ``X ≈ W H``; ``H`` is ``components_`` (the topics).

    Args:
        n_components: topics ``k`` (None: as many as features).
        solver: ``"mu"`` (multiplicative updates) or ``"cd"`` (coordinate descent).
        beta_loss: ``"frobenius"`` or ``"kullback-leibler"`` (``mu`` only).
        init: ``"nndsvd"``, ``"nndsvda"``, ``"nndsvdar"``, ``"random"``, or None
            (``nndsvda`` when ``k ≤ min(n, d)``, else ``random``).
        max_iter: most iterations.
        tol: stopping tolerance (see the module docstring).
        alpha_W: regularization of ``W``, scaled by the number of features.
        alpha_H: regularization of ``H``, scaled by the number of samples; ``"same"``
            takes ``alpha_W``.
        l1_ratio: share of L1 in the regularization (the rest is L2).
        random_state: seed of the SVD's test matrix and of random initializations.

    Attributes:
        components_: the topics ``H``. (k, d)
        reconstruction_err_: ``‖X - WH‖_F`` (Frobenius) or ``sqrt(2 KL)`` at the end of fit.
        n_iter_: iterations run.

    Example:
        >>> rng = np.random.RandomState(0)
        >>> X = rng.rand(6, 2) @ rng.rand(2, 5)  # exactly rank 2
        >>> model = NMF(2, init="nndsvda", max_iter=500, tol=1e-6, random_state=0)
        >>> W = model.fit_transform(X)
        >>> W.shape, model.components_.shape, bool(model.reconstruction_err_ < 1e-2)
        ((6, 2), (2, 5), True)
    """

    def __init__(
        self,
        n_components: int | None = None,
        *,
        solver: str = "cd",
        beta_loss: str = "frobenius",
        init: str | None = None,
        max_iter: int = 200,
        tol: float = 1e-4,
        alpha_W: float = 0.0,
        alpha_H: float | str = "same",
        l1_ratio: float = 0.0,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.n_components = n_components
        self.solver = solver
        self.beta_loss = beta_loss
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.alpha_W = alpha_W
        self.alpha_H = alpha_H
        self.l1_ratio = l1_ratio
        self.random_state = random_state

    def _check(self, X: Any) -> Matrix:
        if self.solver not in SOLVERS:
            raise ValueError(f"unknown solver {self.solver!r}; choose one of {list(SOLVERS)}")
        if self.beta_loss not in LOSSES:
            raise ValueError(f"unknown beta_loss {self.beta_loss!r}; choose one of {list(LOSSES)}")
        if self.solver == "cd" and self.beta_loss != "frobenius":
            raise ValueError(
                "coordinate descent (solver='cd') minimises the Frobenius loss only; "
                "use solver='mu' for beta_loss='kullback-leibler'"
            )
        if self.init not in INITS:
            raise ValueError(f"unknown init {self.init!r}; choose one of {list(INITS)}")
        if not isinstance(self.max_iter, int) or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive int, got {self.max_iter!r}")
        if self.tol < 0 or self.alpha_W < 0 or not 0 <= self.l1_ratio <= 1:
            raise ValueError("tol and alpha_W must be ≥ 0 and l1_ratio in [0, 1]")
        if self.alpha_H != "same" and (isinstance(self.alpha_H, str) or self.alpha_H < 0):
            raise ValueError(f"alpha_H must be ≥ 0 or 'same', got {self.alpha_H!r}")
        X = check_array(X, sparse=True)
        if sp.issparse(X):
            X = X.copy()
            X.sum_duplicates()
            X.eliminate_zeros()  # the KL loop visits stored entries: no explicit zeros
        if (X.data if sp.issparse(X) else X).min(initial=0.0) < 0:
            raise ValueError("NMF needs a non-negative X; negative entries found (shift or clip X)")
        return X

    def _k(self, X: Matrix) -> int:
        k = X.shape[1] if self.n_components is None else self.n_components
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"n_components must be a positive int, got {self.n_components!r}")
        return int(k)

    def _regularization(self, X: Matrix) -> tuple[float, float, float, float]:
        """(l1_W, l1_H, l2_W, l2_H), scaled as scikit-learn scales them."""
        n, d = X.shape
        alpha_H = self.alpha_W if self.alpha_H == "same" else float(self.alpha_H)
        return (d * self.alpha_W * self.l1_ratio, n * alpha_H * self.l1_ratio,
                d * self.alpha_W * (1 - self.l1_ratio), n * alpha_H * (1 - self.l1_ratio))  # fmt: skip

    def _initial(self, X: Matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
        n, d = X.shape
        init = self.init
        if init is None:
            init = "nndsvda" if k <= min(n, d) else "random"
        if init != "random" and k > min(n, d):
            raise ValueError(
                f"init={init!r} needs n_components ≤ min(n_samples, n_features) = "
                f"{min(n, d)}, got {k}; use init='random'"
            )
        if init == "random":
            rng = self.random_state if isinstance(self.random_state, np.random.RandomState) \
                else np.random.RandomState(self.random_state)  # fmt: skip
            scale = np.sqrt(X.mean() / k)
            H = np.abs(scale * rng.standard_normal(size=(k, d)))  # H first: scikit-learn's order
            W = np.abs(scale * rng.standard_normal(size=(n, k)))
            return W, H
        return _nndsvd(X, k, init, self.random_state)

    def _solve(
        self, X: Matrix, W: np.ndarray, H: np.ndarray, update_H: bool
    ) -> tuple[np.ndarray, np.ndarray, int]:
        l1_W, l1_H, l2_W, l2_H = self._regularization(X)
        if self.solver == "cd":
            Xt = X.T.tocsr() if sp.issparse(X) else np.ascontiguousarray(X.T)
            Ht = np.ascontiguousarray(H.T)
            first = 0.0
            for n_iter in range(1, self.max_iter + 1):
                violation = _cd_sweep(X, W, Ht, l1_W, l2_W)
                if update_H:
                    violation += _cd_sweep(Xt, Ht, W, l1_H, l2_H)
                if n_iter == 1:
                    first = violation
                if first == 0 or violation / first <= self.tol:
                    break
            return W, Ht.T.copy(), n_iter
        beta = self.beta_loss
        initial_loss = previous = _loss(X, W, H, beta)
        for n_iter in range(1, self.max_iter + 1):
            W = _mu_step_w(X, W, H, beta, l1_W, l2_W)
            if update_H:
                H = _mu_step_h(X, W, H, beta, l1_H, l2_H)
                if beta == "kullback-leibler":
                    H[H < np.finfo(np.float64).eps] = 0.0  # keeps KL's updates stable
            if self.tol > 0 and n_iter % 10 == 0:
                loss = _loss(X, W, H, beta)
                # a zero starting loss (X so tiny its squares underflow) has nothing to gain
                if initial_loss == 0 or (previous - loss) / initial_loss < self.tol:
                    break
                previous = loss
        return W, H, n_iter

    def _warn_if_not_converged(self, n_iter: int) -> None:
        if n_iter == self.max_iter and self.tol > 0:
            warnings.warn(
                f"NMF stopped at max_iter={self.max_iter} before converging; raise max_iter or tol",
                ConvergenceWarning,
                stacklevel=3,
            )

    def fit_transform(self, X: Any, y: Any = None, feature_names: Any = None) -> np.ndarray:
        """Learn ``W`` and ``H`` from ``X``; return ``W``.

        Args:
            X: non-negative data, dense or sparse (TF-IDF stays sparse).
            y: ignored (scikit-learn's signature).
            feature_names: optional names of the columns, for :meth:`top_words`.

        Returns:
            ``W``, each row a sample's topic weights.

        Shapes:
            X: (n, d) -> W: (n, k); ``components_``: (k, d).
        """
        X = self._check(X)
        k = self._k(X)
        if feature_names is not None:
            names = np.asarray(feature_names, dtype=object)
            if names.shape != (X.shape[1],):
                raise ValueError(f"feature_names has {names.size} names for {X.shape[1]} columns")
            self.feature_names_ = names
        W, H = self._initial(X, k)
        W, H, n_iter = self._solve(X, W, H, update_H=True)
        self._warn_if_not_converged(n_iter)
        self.components_ = H
        self.n_components_ = k
        self.n_features_in_ = X.shape[1]
        self.n_iter_ = n_iter
        self.reconstruction_err_ = _loss(X, W, H, self.beta_loss)
        return W

    def fit(self, X: Any, y: Any = None, feature_names: Any = None) -> Self:
        """Learn the topics ``components_`` from ``X``; returns ``self``."""
        self.fit_transform(X, feature_names=feature_names)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The topic weights ``W`` of new rows, with ``components_`` held fixed.

        Starts from a constant ``W`` (``mu``) or zeros (``cd``), as scikit-learn does.
        """
        check_is_fitted(self, "components_")
        X = self._check(X)
        check_n_features(self, X)
        k = self.n_components_
        if self.solver == "mu":
            W = np.full((X.shape[0], k), np.sqrt(X.mean() / k))
        else:
            W = np.zeros((X.shape[0], k))
        W, _, n_iter = self._solve(X, W, self.components_.copy(), update_H=False)
        self._warn_if_not_converged(n_iter)
        return W

    def inverse_transform(self, W: Any) -> np.ndarray:
        """``W @ components_``: the data the topic weights stand for. (n, k) -> (n, d)."""
        check_is_fitted(self, "components_")
        W = check_array(W, sparse=False, name="W")
        if W.shape[1] != self.n_components_:
            raise ValueError(f"W has {W.shape[1]} columns; this NMF has {self.n_components_}")
        return W @ self.components_

    def top_words(self, n: int = 10, feature_names: Any = None) -> list[list[str]]:
        """Each topic's ``n`` heaviest terms, heaviest first.

        Args:
            n: words per topic.
            feature_names: the column names (``vectorizer.get_feature_names_out()``);
                defaults to those given to ``fit``.

        Returns:
            One list of words per topic.
        """
        check_is_fitted(self, "components_")
        names = getattr(self, "feature_names_", None) if feature_names is None else (
            np.asarray(feature_names, dtype=object))  # fmt: skip
        if names is None:
            raise ValueError(
                "no feature names: pass feature_names= here or to fit "
                "(vectorizer.get_feature_names_out())"
            )
        if len(names) != self.components_.shape[1]:
            raise ValueError(f"{len(names)} feature names for {self.components_.shape[1]} columns")
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        # A stable sort on -weight: equal weights keep the vocabulary's order.
        order = np.argsort(-self.components_, axis=1, kind="stable")[:, :n]
        return [[str(names[j]) for j in row] for row in order]
