"""Linear support vector machines: :class:`LinearSVC` (topic 0.2).

A linear SVM finds the weights ``w, b`` of the widest-margin separating hyperplane,
allowing violations at a price: it minimises ``½‖w‖² + C Σᵢ loss(yᵢ(w·xᵢ + b))`` with the
hinge loss ``max(0, 1 - m)`` or its square. Two solvers:

- ``"dual_cd"``: dual coordinate descent (Hsieh, Chang, Lin, Keerthi and Sundararajan,
  *A Dual Coordinate Descent Method for Large-scale Linear SVM*, ICML 2008), liblinear's
  method and what scikit-learn's ``LinearSVC`` runs: exact, fast on sparse text;
- ``"pegasos"``: stochastic sub-gradient descent on the primal (Shalev-Shwartz, Singer
  and Srebro, *Pegasos*, ICML 2007), the teaching alternative: a few lines, approximate.

Several classes are handled one-vs-rest: one binary SVM per class, the highest score
wins. As in liblinear, the bias is the weight of an extra constant feature 1
(``intercept_scaling=1``), so it is penalised like the other weights.

The per-row loops are compiled with numba: each row's update changes the weights the
next row sees, so they cannot be vectorised.

Reference: scikit-learn's ``LinearSVC`` (liblinear): the same objective, so the dual
solver reaches its objective value and accuracy (``tests/ml/test_svm.py``).

Simplifications: L2 penalty only (no L1), no class weights; rows are visited in a
random order from NumPy's generator, not liblinear's, so the weights match liblinear's
to the solver tolerance, not bit for bit.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal, Self

import numpy as np
import scipy.sparse as sp

from nlpjourney.compiled import compiled
from nlpjourney.ml.base import (
    ClassifierMixin,
    ConvergenceWarning,
    Estimator,
    Matrix,
    check_X_y,
    linear_scores,
)

# The numba loops visit one row at a time, as CSR arrays (indptr, indices, data), so a row
# costs its non-zeros whether X came dense or sparse. The weight vector w has one extra
# last entry, the bias, whose feature is the constant 1 (liblinear's intercept_scaling=1);
# fit_bias=False leaves it at 0. The loops take no type hints: numba types each argument
# from the first call, and the caller always passes int64 indptr, int32 indices and
# float64 values, so each compiles once.


@compiled
def _dual_coordinate_descent(
    indptr, indices, data, y, C, squared, fit_bias, max_iter, tol, seed, w
):
    """Hsieh et al. (2008): coordinate descent on the dual of the linear SVM, ``w`` in place.

    Dual: min_α ½ αᵀ(Q + D)α - Σα, 0 ≤ αᵢ ≤ U, with Qᵢⱼ = yᵢyⱼ xᵢ·xⱼ and w = Σ αᵢ yᵢ xᵢ.
    Hinge loss: D = 0, U = C; squared hinge: D = 1/(2C), U = ∞. Each step solves for one
    αᵢ exactly (a clipped Newton step on a 1-D quadratic) and moves ``w`` along yᵢxᵢ.
    Rows are visited in a fresh random order each pass, rows stuck at a bound are shrunk
    away, and the loop stops when the spread of the projected gradient, max - min, falls
    to ``tol`` over every row (liblinear's test).

    Returns:
        the number of passes made.
    """
    n = y.shape[0]
    bias = 1.0 if fit_bias else 0.0
    diag = 0.5 / C if squared else 0.0
    upper = np.inf if squared else C
    alpha = np.zeros(n)
    qd = np.empty(n)
    for i in range(n):
        s = bias * bias + diag
        for k in range(indptr[i], indptr[i + 1]):
            s += data[k] * data[k]
        qd[i] = s
    np.random.seed(seed)
    order = np.arange(n)
    # Shrinking (the paper's section 3.2): a row whose αᵢ sits at a bound with a gradient
    # pushing it further out, beyond last pass's projected-gradient range, will likely stay
    # there; it leaves the active set until the active rows have converged.
    active = n
    pg_max_old = np.inf
    pg_min_old = -np.inf
    passes = 0
    while passes < max_iter:
        passes += 1
        np.random.shuffle(order[:active])
        pg_max = -np.inf
        pg_min = np.inf
        s = 0
        while s < active:
            i = order[s]
            z = w[-1] * bias
            for k in range(indptr[i], indptr[i + 1]):
                z += w[indices[k]] * data[k]
            g = y[i] * z - 1.0 + diag * alpha[i]
            # The projected gradient: zero where the bound blocks the descent direction.
            pg = 0.0
            if alpha[i] == 0.0:
                if g > pg_max_old:
                    active -= 1
                    order[s], order[active] = order[active], order[s]
                    continue
                pg = min(g, 0.0)
            elif alpha[i] >= upper:
                if g < pg_min_old:
                    active -= 1
                    order[s], order[active] = order[active], order[s]
                    continue
                pg = max(g, 0.0)
            else:
                pg = g
            pg_max = max(pg_max, pg)
            pg_min = min(pg_min, pg)
            if pg != 0.0 and qd[i] > 0.0:
                old = alpha[i]
                alpha[i] = min(max(old - g / qd[i], 0.0), upper)
                step = (alpha[i] - old) * y[i]
                for k in range(indptr[i], indptr[i + 1]):
                    w[indices[k]] += step * data[k]
                w[-1] += step * bias
            s += 1
        if pg_max - pg_min <= tol:
            if active == n:
                break
            # The active rows converged: check every row again before stopping.
            active = n
            pg_max_old = np.inf
            pg_min_old = -np.inf
            continue
        pg_max_old = pg_max if pg_max > 0.0 else np.inf
        pg_min_old = pg_min if pg_min < 0.0 else -np.inf
    return passes


@compiled
def _pegasos(indptr, indices, data, y, lam, squared, fit_bias, epochs, seed, w):
    """Shalev-Shwartz et al. (2007): stochastic sub-gradient descent on the primal, ``w`` in place.

    Minimises λ/2 ‖w‖² + (1/n) Σ loss(yᵢ w·xᵢ) with step 1/(λt) at step t. The shrink
    ``w ← (1 - 1/t) w`` of every step is kept as a scalar factor (``w = scale · v``) so
    a step costs the row's non-zeros, not the number of features. The returned weights
    are the average of the iterates of the last epoch, which is far less noisy than the
    last iterate. After each step ``w`` is projected onto the ball that must hold the
    optimum, which keeps the squared hinge's large early gradients from diverging.

    Returns:
        the number of epochs made.
    """
    n = y.shape[0]
    d = w.shape[0]
    bias = 1.0 if fit_bias else 0.0
    # The optimum has λ/2‖w‖² ≤ the objective at w = 0, which is at most 1, so projecting
    # onto the ball ‖w‖ ≤ √(2/λ) loses nothing and keeps the early, huge steps in check.
    radius2 = 2.0 / lam
    v = np.zeros(d)
    v_norm2 = 0.0  # ‖v‖², kept up to date so ‖w‖ = scale·‖v‖ costs nothing
    scale = 1.0
    total = np.zeros(d)  # running sum of the last epoch's iterates
    total_scale = 0.0
    np.random.seed(seed)
    order = np.arange(n)
    t = 0
    for epoch in range(epochs):
        np.random.shuffle(order)
        last = epoch == epochs - 1
        for s in range(n):
            i = order[s]
            t += 1
            eta = 1.0 / (lam * t)
            z = v[d - 1] * bias
            for k in range(indptr[i], indptr[i + 1]):
                z += v[indices[k]] * data[k]
            margin = y[i] * z * scale
            # shrink: w ← (1 - ηλ) w; at t = 1 the factor is 0, so restart from v = 0.
            factor = 1.0 - eta * lam
            if factor <= 0.0:
                v[:] = 0.0
                v_norm2 = 0.0
                scale = 1.0
            else:
                scale *= factor
            if margin < 1.0:
                grad = 2.0 * (1.0 - margin) if squared else 1.0
                step = eta * grad * y[i] / scale
                for k in range(indptr[i], indptr[i + 1]):
                    j = indices[k]
                    new = v[j] + step * data[k]
                    v_norm2 += new * new - v[j] * v[j]
                    v[j] = new
                new = v[d - 1] + step * bias
                v_norm2 += new * new - v[d - 1] * v[d - 1]
                v[d - 1] = new
            w_norm2 = scale * scale * v_norm2
            if w_norm2 > radius2:
                scale *= np.sqrt(radius2 / w_norm2)
            if scale < 1e-9:  # fold the factor back in before it underflows
                v *= scale
                v_norm2 = float(np.sum(v * v))
                scale = 1.0
            if last:
                for j in range(d):
                    total[j] += v[j] * scale
                total_scale += 1.0
    for j in range(d):
        w[j] = total[j] / total_scale
    return epochs


class LinearSVC(ClassifierMixin, Estimator):
    """A linear support vector classifier: ``½‖(w, b)‖² + C Σᵢ loss(yᵢ(w·xᵢ + b))``, minimised.

    Args:
        C: the price of a margin violation (> 0): larger fits the training rows harder.
        loss: ``"squared_hinge"`` (scikit-learn's default) or ``"hinge"``.
        fit_intercept: learn a bias (the weight of a constant feature 1, penalised).
        max_iter: the most passes over the rows (epochs, for Pegasos).
        tol: dual coordinate descent stops when the spread of the projected gradient
            falls to this (liblinear's test); Pegasos runs all ``max_iter`` epochs.
        solver: ``"dual_cd"`` (exact, liblinear's method) or ``"pegasos"`` (stochastic).
        random_state: the seed of the row order; ``None`` draws one.

    Attributes:
        classes_: the sorted labels.
        coef_: (1, n_features) for two classes, else (n_classes, n_features).
        intercept_: (1,) or (n_classes,).
        n_iter_: the most passes any one-vs-rest problem took.

    Example:
        >>> X = [[0.0, 0.0], [0.0, 1.0], [3.0, 3.0], [3.0, 4.0]]
        >>> LinearSVC(random_state=0).fit(X, ["a", "a", "b", "b"]).predict([[0.5, 0.5], [3.0, 3.5]]).tolist()
        ['a', 'b']
    """

    def __init__(
        self,
        C: float = 1.0,
        loss: Literal["squared_hinge", "hinge"] = "squared_hinge",
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
        solver: Literal["dual_cd", "pegasos"] = "dual_cd",
        random_state: int | None = None,
    ) -> None:
        self.C = C
        self.loss = loss
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.random_state = random_state

    def _check_params(self) -> None:
        if isinstance(self.C, bool) or not isinstance(self.C, int | float) or not self.C > 0:
            raise ValueError(f"LinearSVC: C must be a positive number, got {self.C!r}")
        if self.loss not in ("squared_hinge", "hinge"):
            raise ValueError(
                f"LinearSVC: loss must be 'squared_hinge' or 'hinge', got {self.loss!r}"
            )
        if self.solver not in ("dual_cd", "pegasos"):
            raise ValueError(
                f"LinearSVC: solver must be 'dual_cd' or 'pegasos', got {self.solver!r}"
            )
        if (
            isinstance(self.max_iter, bool)
            or not isinstance(self.max_iter, int)
            or self.max_iter < 1
        ):
            raise ValueError(f"LinearSVC: max_iter must be a positive int, got {self.max_iter!r}")

    def fit(self, X: Matrix, y: Any) -> Self:
        """Learn one hyperplane (two classes) or one per class (one-vs-rest); returns ``self``."""
        self._check_params()
        X, y = check_X_y(X, y, sparse=True)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"LinearSVC needs at least two classes in y, got only "
                             f"{self.classes_.tolist()}")  # fmt: skip
        X = sp.csr_matrix(X)
        X.sort_indices()
        indptr, indices = X.indptr.astype(np.int64), X.indices.astype(np.int32)
        data = np.ascontiguousarray(X.data, dtype=np.float64)
        n, p = X.shape
        self.n_features_in_ = p
        # Two classes: one problem, classes_[1] positive (as liblinear/scikit-learn).
        positives = [1] if len(self.classes_) == 2 else range(len(self.classes_))
        seeds = np.random.RandomState(self.random_state).randint(0, 2**31 - 1, len(positives))
        squared = self.loss == "squared_hinge"
        weights, passes = [], []
        for positive, seed in zip(positives, seeds, strict=True):
            signs = np.where(codes == positive, 1.0, -1.0)
            w = np.zeros(p + 1)
            if self.solver == "dual_cd":
                made = _dual_coordinate_descent(
                    indptr, indices, data, signs, float(self.C), squared, self.fit_intercept,
                    self.max_iter, float(self.tol), int(seed), w,
                )  # fmt: skip
            else:
                lam = 1.0 / (float(self.C) * n)  # λ/2‖w‖² + mean loss = (C Σ loss + ½‖w‖²) / (Cn)
                made = _pegasos(
                    indptr, indices, data, signs, lam, squared, self.fit_intercept,
                    self.max_iter, int(seed), w,
                )  # fmt: skip
            weights.append(w)
            passes.append(made)
        stacked = np.vstack(weights)
        self.coef_ = stacked[:, :p].copy()
        self.intercept_ = stacked[:, p].copy()
        self.n_iter_ = int(max(passes))
        if self.solver == "dual_cd" and self.n_iter_ >= self.max_iter:
            warnings.warn(f"LinearSVC stopped at max_iter={self.max_iter} passes before reaching "
                          f"tol={self.tol}; raise max_iter or scale the features",
                          ConvergenceWarning, stacklevel=2)  # fmt: skip
        return self

    def decision_function(self, X: Matrix) -> np.ndarray:
        """Signed distances (times ‖w‖): (n,) for two classes, else (n, n_classes)."""
        return linear_scores(self, X)

    def predict(self, X: Matrix) -> np.ndarray:
        """The label on the positive side (two classes) or with the highest score."""
        scores = self.decision_function(X)
        best = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[best]


def svm_objective(
    coef: np.ndarray,
    intercept: np.ndarray,
    X: Matrix,
    y: Any,
    C: float,
    loss: str = "squared_hinge",
) -> float:
    """The primal objective ``½‖(w, b)‖² + C Σ loss``, summed over the one-vs-rest problems.

    The measure by which two solvers (ours, liblinear) are compared: the same value means
    the same optimum, whatever the row order did to the weights.

    Args:
        coef: (K, n_features) weights, K = 1 for two classes.
        intercept: (K,) biases (penalised, as liblinear's constant feature).
        X: (n, n_features) features.
        y: (n,) labels; classes in sorted order as ``classes_``.
        C: the violation price.
        loss: ``"squared_hinge"`` or ``"hinge"``.
    """
    classes, codes = np.unique(np.asarray(y), return_inverse=True)
    positives = [1] if len(classes) == 2 else range(len(classes))
    scores = np.asarray(X @ np.asarray(coef).T) + intercept
    total = 0.0
    for column, positive in enumerate(positives):
        signs = np.where(codes == positive, 1.0, -1.0)
        slack = np.maximum(0.0, 1.0 - signs * scores[:, column])
        violations = slack**2 if loss == "squared_hinge" else slack
        total += 0.5 * (coef[column] @ coef[column] + intercept[column] ** 2) + C * violations.sum()
    return float(total)
