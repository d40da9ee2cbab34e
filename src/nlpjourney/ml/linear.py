"""Linear models: least squares, ridge and logistic regression (topic 0.2).

- :class:`LinearRegression`: ordinary least squares, solved exactly (``solver="normal"``)
  or by batch gradient descent (``solver="gd"``), the method every later model trains by;
- :class:`Ridge`: least squares plus ``alpha·‖w‖²``, in closed form;
- :class:`LogisticRegression`: binary or multinomial (softmax) logistic regression with an
  L2 penalty, fitted by L-BFGS or Newton-CG on the same objective as scikit-learn's, so
  both reach the same optimum for the same ``C``;
- :func:`logistic_loss_and_grad`: that objective and its gradient as one plain function
  of named arrays, the statement a reader checks against the formulas, and
  :func:`logistic_gradient_step`, one plain gradient-descent step on it (the step
  lesson 0.2 writes and exercise 0.2 grades).

All of them take dense arrays or SciPy sparse matrices (TF-IDF features) and follow the
estimator contract of :mod:`nlpjourney.ml.base`.

Reference: scikit-learn's ``LinearRegression``, ``Ridge`` and ``LogisticRegression``
(coefficients ``allclose`` in ``tests/ml/test_linear.py``).

Simplifications: no sample weights, no L1 or elastic-net penalty, no multi-output ``y``.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal, Self

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse as sp
import scipy.sparse.linalg
from scipy.special import expit, log_expit

from nlpjourney.ml.base import (
    ClassifierMixin,
    ConvergenceWarning,
    Estimator,
    Matrix,
    RegressorMixin,
    check_array,
    check_is_fitted,
    check_n_features,
    check_X_y,
    linear_scores,
)


def _column_means(X: Matrix) -> np.ndarray:
    return np.asarray(X.mean(axis=0)).ravel()


def _column_stds(X: Matrix, means: np.ndarray) -> np.ndarray:
    squares = X.multiply(X).mean(axis=0) if sp.issparse(X) else (X * X).mean(axis=0)
    return np.sqrt(np.maximum(np.asarray(squares).ravel() - means**2, 0.0))


def _check_positive(value: Any, name: str, owner: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{owner}: {name} must be a positive number, got {value!r}")


class _LinearPredictor:
    """``predict`` = ``X @ coef_ + intercept_`` for the two regressors."""

    def predict(self, X: Matrix) -> np.ndarray:
        """Predicted targets, one per row of ``X``.

        Shapes:
            X: (n_samples, n_features) -> (n_samples,)
        """
        check_is_fitted(self, "coef_")
        X = check_array(X, sparse=True)
        check_n_features(self, X)
        return np.asarray(X @ self.coef_).ravel() + self.intercept_  # type: ignore[attr-defined]


class LinearRegression(RegressorMixin, _LinearPredictor, Estimator):
    """Ordinary least squares: the ``w, b`` that minimise ``‖X w + b - y‖²``.

    ``solver="normal"`` solves the least-squares problem exactly with ``np.linalg.lstsq``
    (an SVD) on the centred data, rather than forming ``XᵀX`` and inverting it: the SVD
    never squares the condition number and returns the minimum-norm solution when
    columns are collinear (as TF-IDF columns often are), the same solution scikit-learn's
    ``scipy.linalg.lstsq`` gives. Sparse input is solved by ``scipy.sparse.linalg.lsqr``
    on the implicitly centred matrix, as scikit-learn does, so it is never densified.

    ``solver="gd"`` runs batch gradient descent on the mean squared error of the
    standardised columns (centred, unit variance; done implicitly for sparse input). With
    step ``learning_rate / L``, where ``L`` is the largest eigenvalue of the standardised
    ``XᵀX / n`` (the gradient's Lipschitz constant), every step lowers the loss for any
    ``learning_rate`` in (0, 2), so the default 1.0 converges. With fewer features than
    rows the gradient is taken through the Gram matrix, formed once (a step then costs
    ``p²``, not ``n·p``); otherwise through two products with ``X`` and ``L`` by power
    iteration. It stops when the gradient's largest entry falls below ``tol`` or after
    ``max_iter`` steps; the weights are then mapped back to the original columns.

    Args:
        fit_intercept: learn ``intercept_`` (else it is 0 and the data are not centred).
        solver: ``"normal"`` (exact) or ``"gd"`` (gradient descent).
        learning_rate: the gradient-descent step as a fraction of ``1 / L``, in (0, 2).
        max_iter: the most gradient-descent steps.
        tol: gradient descent stops when every entry of the gradient is below this.

    Attributes:
        coef_: (n_features,) the weights.
        intercept_: the bias.
        n_iter_: gradient-descent steps taken (``None`` for the normal equations).

    Example:
        >>> model = LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
        >>> model.coef_.round(6).tolist(), round(model.intercept_, 6)
        ([2.0], 1.0)
    """

    def __init__(
        self,
        fit_intercept: bool = True,
        solver: Literal["normal", "gd"] = "normal",
        learning_rate: float = 1.0,
        max_iter: int = 10_000,
        tol: float = 1e-8,
    ) -> None:
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: Matrix, y: Any) -> Self:
        """Learn ``coef_`` and ``intercept_`` from rows ``X`` and targets ``y``; returns ``self``."""
        if self.solver not in ("normal", "gd"):
            raise ValueError(
                f"LinearRegression: solver must be 'normal' or 'gd', got {self.solver!r}"
            )
        X, y = check_X_y(X, y, sparse=True, numeric_y=True)
        self.n_features_in_ = X.shape[1]
        x_mean = _column_means(X) if self.fit_intercept else np.zeros(X.shape[1])
        y_mean = float(y.mean()) if self.fit_intercept else 0.0
        if self.solver == "normal":
            self.coef_ = self._solve_exact(X, y - y_mean, x_mean)
            self.n_iter_ = None
        else:
            if not 0.0 < self.learning_rate < 2.0:
                raise ValueError(f"LinearRegression: learning_rate must lie in (0, 2) for gradient "
                                 f"descent to converge, got {self.learning_rate}")  # fmt: skip
            self.coef_ = self._gradient_descent(X, y - y_mean, x_mean)
        self.intercept_ = float(y_mean - x_mean @ self.coef_)
        return self

    @staticmethod
    def _solve_exact(X: Matrix, y: np.ndarray, x_mean: np.ndarray) -> np.ndarray:
        if not sp.issparse(X):
            return np.linalg.lstsq(X - x_mean, y, rcond=None)[0]
        # Centring a sparse matrix would fill it: the operator subtracts the means instead.
        centred = scipy.sparse.linalg.LinearOperator(
            X.shape,
            matvec=lambda w: X @ w.ravel() - x_mean @ w.ravel(),
            rmatvec=lambda r: X.T @ r.ravel() - x_mean * r.sum(),
            dtype=np.float64,
        )
        return scipy.sparse.linalg.lsqr(centred, y, atol=1e-12, btol=1e-12, iter_lim=100_000)[0]

    def _gradient_descent(self, X: Matrix, y: np.ndarray, x_mean: np.ndarray) -> np.ndarray:
        n = X.shape[0]
        # Without an intercept x_mean is 0 and this is each column's root mean square.
        scale = _column_stds(X, x_mean)
        scale[scale == 0] = 1.0  # a constant column: its weight stays 0 anyway

        # The standardised matrix Z = (X - mean) / scale, used only through these products.
        def z_times(v: np.ndarray) -> np.ndarray:
            u = v / scale
            return np.asarray(X @ u).ravel() - x_mean @ u

        def z_t_times(r: np.ndarray) -> np.ndarray:
            return (np.asarray(X.T @ r).ravel() - x_mean * r.sum()) / scale

        p = X.shape[1]
        if p <= min(n, 2048):
            # Fewer features than rows: the gradient Zᵀ(Z w - y)/n equals G w - c with the
            # Gram matrix G = ZᵀZ/n formed once, so a step costs p² instead of n·p.
            gram = X.T @ X
            gram = (gram.toarray() if sp.issparse(gram) else gram) - n * np.outer(x_mean, x_mean)
            gram /= n * np.outer(scale, scale)
            target = z_t_times(y) / n

            def gradient_at(w: np.ndarray) -> np.ndarray:
                return gram @ w - target

            lipschitz = float(np.linalg.eigvalsh(gram)[-1])
        else:

            def gradient_at(w: np.ndarray) -> np.ndarray:
                return z_t_times(z_times(w) - y) / n

            lipschitz = self._largest_eigenvalue(z_times, z_t_times, p, n)
        # The gradient of ‖Z w - y‖² / (2n) is L-Lipschitz with L = λ_max(ZᵀZ) / n.
        step = self.learning_rate / (1.01 * lipschitz)  # 1 % margin on the estimate
        w = np.zeros(p)
        self.n_iter_ = self.max_iter
        for iteration in range(self.max_iter):
            gradient = gradient_at(w)
            if np.max(np.abs(gradient)) < self.tol:
                self.n_iter_ = iteration
                break
            w -= step * gradient
        else:
            warnings.warn(f"LinearRegression: gradient descent did not reach tol={self.tol} in "
                          f"max_iter={self.max_iter} steps; raise max_iter or use solver='normal'",
                          ConvergenceWarning, stacklevel=3)  # fmt: skip
        return w / scale

    @staticmethod
    def _largest_eigenvalue(z_times: Any, z_t_times: Any, p: int, n: int) -> float:
        """λ_max(ZᵀZ) / n by power iteration (it approaches from below)."""
        v = np.random.RandomState(0).standard_normal(p)
        estimate = 0.0
        for _ in range(1000):
            u = z_t_times(z_times(v)) / n
            new = float(np.linalg.norm(u))
            v = u / max(new, 1e-300)
            if abs(new - estimate) <= 1e-6 * new:
                break
            estimate = new
        return new


class Ridge(RegressorMixin, _LinearPredictor, Estimator):
    """Least squares with an L2 penalty: minimise ``‖X w + b - y‖² + alpha·‖w‖²``.

    The intercept is not penalised (as in scikit-learn): the data are centred first and
    the bias is the mean left over. The penalised normal equations are solved in closed
    form by a Cholesky factorisation, in the primal ``(XᵀX + αI) w = Xᵀy`` when there are
    fewer features than rows, else in the dual ``w = Xᵀ(XXᵀ + αI)⁻¹ y`` (an n × n system).
    Sparse input is centred implicitly, never densified; when both its dimensions exceed
    1000 (TF-IDF), the primal system is solved by conjugate gradients to a relative
    residual of 1e-10 instead, each step two sparse products, as a Cholesky factorisation
    of a dense system of that size would take seconds.

    Args:
        alpha: the penalty strength (> 0).
        fit_intercept: learn ``intercept_``.

    Attributes:
        coef_: (n_features,) the weights.
        intercept_: the bias.

    Example:
        >>> Ridge(alpha=1.0).fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0]).coef_.round(6).tolist()
        [0.666667]
    """

    def __init__(self, alpha: float = 1.0, fit_intercept: bool = True) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def fit(self, X: Matrix, y: Any) -> Self:
        """Learn ``coef_`` and ``intercept_``; returns ``self``."""
        _check_positive(self.alpha, "alpha", "Ridge")
        X, y = check_X_y(X, y, sparse=True, numeric_y=True)
        n, p = X.shape
        self.n_features_in_ = p
        x_mean = _column_means(X) if self.fit_intercept else np.zeros(p)
        y_mean = float(y.mean()) if self.fit_intercept else 0.0
        yc = y - y_mean
        if sp.issparse(X) and min(n, p) > 1000:
            self.coef_ = self._conjugate_gradients(X, yc, x_mean)
        elif p <= n:
            # (X - 1 μᵀ)ᵀ(X - 1 μᵀ) = XᵀX - n μ μᵀ, and Xcᵀ yc = Xᵀ yc since Σ yc = 0.
            gram = X.T @ X
            gram = (gram.toarray() if sp.issparse(gram) else gram) - n * np.outer(x_mean, x_mean)
            rhs = np.asarray(X.T @ yc).ravel()
            gram[np.diag_indices_from(gram)] += self.alpha
            self.coef_ = scipy.linalg.solve(gram, rhs, assume_a="pos")
        else:
            # Xc Xcᵀ = XXᵀ - (Xμ)1ᵀ - 1(Xμ)ᵀ + (μᵀμ) 11ᵀ
            kernel = X @ X.T
            kernel = kernel.toarray() if sp.issparse(kernel) else kernel
            x_mu = np.asarray(X @ x_mean).ravel()
            kernel = kernel - x_mu[:, None] - x_mu[None, :] + x_mean @ x_mean
            kernel[np.diag_indices_from(kernel)] += self.alpha
            dual = scipy.linalg.solve(kernel, yc, assume_a="pos")
            self.coef_ = np.asarray(X.T @ dual).ravel() - x_mean * dual.sum()
        self.intercept_ = float(y_mean - x_mean @ self.coef_)
        return self

    def _conjugate_gradients(self, X: Matrix, yc: np.ndarray, x_mean: np.ndarray) -> np.ndarray:
        """``(XcᵀXc + αI) w = Xcᵀ yc`` by conjugate gradients, ``Xc`` never formed."""
        p = X.shape[1]
        X_T = X.T.tocsr()  # row-major transpose: the product below is a fast CSR matvec

        def system(w: np.ndarray) -> np.ndarray:
            w = w.ravel()
            r = X @ w - x_mean @ w
            return X_T @ r - x_mean * r.sum() + self.alpha * w

        operator = scipy.sparse.linalg.LinearOperator((p, p), matvec=system, dtype=np.float64)
        rhs = X_T @ yc  # Σ yc = 0, so the mean term drops out
        w, info = scipy.sparse.linalg.cg(operator, rhs, rtol=1e-10, maxiter=10 * p)
        if info != 0:  # not reached in practice: the system is positive definite
            raise RuntimeError(f"Ridge: conjugate gradients did not converge ({info} steps)")
        return w


def logistic_loss_and_grad(
    W: np.ndarray, b: np.ndarray, X: Matrix, Y: np.ndarray, C: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """The L2-penalised logistic-regression objective and its gradient, in one pass.

    ``loss = Σᵢ ℓᵢ + ‖W‖² / (2C)``, the log-loss summed (not averaged) over the rows and
    the bias not penalised, exactly the objective scikit-learn's ``LogisticRegression``
    minimises (it divides the whole by ``n``, which moves no optimum).

    - one weight row (``K = 1``, binary): ``ℓᵢ = log(1 + exp(-sᵢ zᵢ))`` with
      ``zᵢ = xᵢ·w + b`` and ``sᵢ = ±1`` from ``Yᵢ ∈ {0, 1}``; ``∂/∂z = σ(zᵢ) - Yᵢ``;
    - ``K`` rows (multinomial): ``ℓᵢ = logsumexp(zᵢ) - zᵢ[yᵢ]`` with ``zᵢ = W xᵢ + b``;
      ``∂/∂z = softmax(zᵢ) - Yᵢ``.

    Then ``∂/∂W = (∂/∂Z)ᵀ X + W / C`` and ``∂/∂b = Σᵢ ∂/∂zᵢ``.

    Args:
        W: (K, n_features) weights, K = 1 for two classes.
        b: (K,) biases.
        X: (n, n_features) features, dense or sparse.
        Y: (n, K) targets: one-hot rows, or one column of 0/1 for K = 1.
        C: the inverse penalty strength (> 0).

    Returns:
        ``(loss, grad_W, grad_b)`` with the shapes of ``(scalar, W, b)``.

    Example:
        >>> loss, gW, gb = logistic_loss_and_grad(
        ...     np.zeros((1, 2)), np.zeros(1), np.eye(2), np.array([[1.0], [0.0]]), C=1.0)
        >>> round(loss, 6), gW.tolist(), gb.tolist()
        (1.386294, [[-0.5, 0.5]], [0.0])
    """
    Z = np.asarray(X @ W.T) + b  # (n, K)
    if W.shape[0] == 1:
        z, y = Z[:, 0], Y[:, 0]
        # subtle: log(1 + e^{-sz}) = -log σ(sz); log_expit stays finite for large |z|.
        loss = -float(np.sum(log_expit(np.where(y > 0, z, -z))))
        dZ = (expit(z) - y)[:, None]
    else:
        top = Z.max(axis=1, keepdims=True)
        shifted = Z - top
        exp = np.exp(shifted)
        sums = exp.sum(axis=1, keepdims=True)
        loss = float(np.sum(np.log(sums)) - np.sum(shifted * Y))
        dZ = exp / sums - Y
    grad_W = np.asarray(X.T @ dZ).T + W / C
    loss += float(np.sum(W * W)) / (2.0 * C)
    return loss, grad_W, dZ.sum(axis=0)


def logistic_gradient_step(
    W: np.ndarray, b: np.ndarray, X: Matrix, Y: np.ndarray, C: float, lr: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """One plain gradient-descent step on :func:`logistic_loss_and_grad`'s objective.

    ``W - lr · ∂loss/∂W`` and ``b - lr · ∂loss/∂b``, with the loss measured at the weights
    given (before the step). New arrays are returned; ``W`` and ``b`` are left as they
    were. The objective is a sum over the rows, so a safe ``lr`` shrinks as the data grow:
    any ``lr`` below ``1 / L`` lowers the loss, where ``L = λ_max([X 1]ᵀ[X 1]) / 4 + 1 / C``
    for one weight row (``/ 2`` in place of ``/ 4`` for a softmax), and repeated steps then
    reach the optimum that :class:`LogisticRegression` finds (the lesson shows it).

    Args:
        W: (K, n_features) weights, K = 1 for two classes.
        b: (K,) biases.
        X: (n, n_features) features, dense or sparse.
        Y: (n, K) targets: one-hot rows, or one column of 0/1 for K = 1.
        C: the inverse penalty strength (> 0).
        lr: the step size (> 0).

    Returns:
        ``(new_W, new_b, loss)``: the stepped weights and the loss before the step.

    Raises:
        ValueError: ``lr`` is not a positive number.

    Example:
        >>> W, b, loss = logistic_gradient_step(
        ...     np.zeros((1, 2)), np.zeros(1), np.eye(2), np.array([[1.0], [0.0]]), C=1.0, lr=0.5)
        >>> W.tolist(), b.tolist(), round(loss, 6)
        ([[0.25, -0.25]], [0.0], 1.386294)
    """
    _check_positive(lr, "lr", "logistic_gradient_step")
    loss, grad_W, grad_b = logistic_loss_and_grad(W, b, X, Y, C)
    return W - lr * grad_W, b - lr * grad_b, loss


def _newton_cg(
    objective: Any, hessp: Any, theta: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, int]:
    """Truncated Newton: solve ``H d = -g`` by conjugate gradients, then backtrack along ``d``.

    Stops when every entry of the gradient is at most ``tol`` (scikit-learn's test for its
    ``newton-cg``). The inner tolerance ``min(0.5, √‖g‖)·‖g‖`` solves loosely far from the
    optimum and tightly near it, which keeps the fast local convergence of Newton.
    """
    loss, grad = objective(theta)
    for iteration in range(max_iter):
        if np.max(np.abs(grad)) <= tol:
            return theta, iteration
        norm = float(np.linalg.norm(grad))
        hessian = scipy.sparse.linalg.LinearOperator(
            (theta.size, theta.size),
            matvec=lambda v, at=theta: hessp(at, v.ravel()),
            dtype=np.float64,
        )
        step, _ = scipy.sparse.linalg.cg(hessian, -grad, rtol=min(0.5, np.sqrt(norm)), maxiter=200)
        if grad @ step >= 0:  # not a descent direction (CG stopped early): use the gradient
            step = -grad
        # Armijo backtracking: a full Newton step is accepted near the optimum.
        rate = 1.0
        while rate > 1e-10:
            new_loss, new_grad = objective(theta + rate * step)
            if new_loss <= loss + 1e-4 * rate * (grad @ step):
                break
            rate *= 0.5
        else:
            return theta, iteration + 1  # no decrease left to find: as close as float allows
        theta, loss, grad = theta + rate * step, new_loss, new_grad
    return theta, max_iter


def _logistic_hessp(
    W: np.ndarray, b: np.ndarray, X: Matrix, C: float, V: np.ndarray, v_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The Hessian of :func:`logistic_loss_and_grad`'s loss times the direction ``(V, v_b)``."""
    Z = np.asarray(X @ W.T) + b
    R = np.asarray(X @ V.T) + v_b  # how each score moves along the direction
    if W.shape[0] == 1:
        p = expit(Z)
        dZ = p * (1.0 - p) * R
    else:
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        PR = P * R
        dZ = PR - P * PR.sum(axis=1, keepdims=True)  # (diag(p) - p pᵀ) r, row by row
    return np.asarray(X.T @ dZ).T + V / C, dZ.sum(axis=0)


class LogisticRegression(ClassifierMixin, Estimator):
    """Logistic regression with an L2 penalty, binary or multinomial (softmax).

    Minimises :func:`logistic_loss_and_grad`: the summed log-loss plus ``‖W‖² / (2C)``,
    bias unpenalised, the objective of scikit-learn's ``LogisticRegression``, so for the
    same ``C`` both find the same (unique) weights. Two classes get one weight row (the
    second class's log-odds); three or more get one row per class and a softmax.

    subtle: with a softmax the biases are unique only up to a constant shared by all
    classes (the probabilities ignore it, and the bias is not penalised). The gradient
    of the biases always sums to 0, so starting from zero keeps their sum at 0, which is
    what scikit-learn's solver does too; the fitted biases therefore agree.

    Solvers, both from zero weights and on the objective divided by ``n`` (so ``tol``
    means what it means to scikit-learn):

    - ``"lbfgs"``: ``scipy.optimize.minimize(method="L-BFGS-B")`` with the analytic
      gradient from one fused loss-and-gradient pass, ``gtol=tol`` as scikit-learn sets it;
    - ``"newton"``: Newton-CG (truncated Newton: each step solves ``H d = -g`` by
      conjugate gradients, then backtracks) with exact Hessian-vector products, never the
      Hessian itself: a TF-IDF model has tens of thousands of weights, and its Hessian
      would not fit in memory. It stops when every gradient entry is at most ``tol``.

    Args:
        C: the inverse penalty strength (> 0): larger trusts the data more.
        fit_intercept: learn ``intercept_``.
        solver: ``"lbfgs"`` or ``"newton"``.
        max_iter: the most optimiser iterations.
        tol: the optimiser's gradient tolerance.

    Attributes:
        classes_: the sorted labels (any kind: strings too).
        coef_: (1, n_features) for two classes, else (n_classes, n_features).
        intercept_: (1,) or (n_classes,).
        n_iter_: (1,) optimiser iterations.

    Example:
        >>> model = LogisticRegression().fit([[0.0], [1.0], [3.0], [4.0]], ["no", "no", "yes", "yes"])
        >>> model.predict([[0.5], [3.5]]).tolist()
        ['no', 'yes']
    """

    def __init__(
        self,
        C: float = 1.0,
        fit_intercept: bool = True,
        solver: Literal["lbfgs", "newton"] = "lbfgs",
        max_iter: int = 100,
        tol: float = 1e-4,
    ) -> None:
        self.C = C
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: Matrix, y: Any) -> Self:
        """Learn ``coef_`` and ``intercept_`` for rows ``X`` and labels ``y``; returns ``self``."""
        _check_positive(self.C, "C", "LogisticRegression")
        if self.solver not in ("lbfgs", "newton"):
            raise ValueError(f"LogisticRegression: solver must be 'lbfgs' or 'newton', got "
                             f"{self.solver!r}")  # fmt: skip
        X, y = check_X_y(X, y, sparse=True)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"LogisticRegression needs at least two classes in y, got only "
                             f"{self.classes_.tolist()}")  # fmt: skip
        n, p = X.shape
        self.n_features_in_ = p
        k = 1 if len(self.classes_) == 2 else len(self.classes_)
        Y = codes[:, None].astype(np.float64) if k == 1 else np.eye(k)[codes]
        C, scale, intercept = float(self.C), 1.0 / n, self.fit_intercept

        def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            W = theta[: k * p].reshape(k, p)
            return W, (theta[k * p :] if intercept else np.zeros(k))

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            W, b = unpack(theta)
            loss, grad_W, grad_b = logistic_loss_and_grad(W, b, X, Y, C)
            grad = np.concatenate([grad_W.ravel(), grad_b]) if intercept else grad_W.ravel()
            return loss * scale, grad * scale

        theta0 = np.zeros(k * p + (k if intercept else 0))
        if self.solver == "lbfgs":
            result = scipy.optimize.minimize(
                objective, theta0, method="L-BFGS-B", jac=True,
                options={"maxiter": self.max_iter, "maxls": 50, "gtol": self.tol,
                         "ftol": 64 * np.finfo(float).eps},
            )  # fmt: skip
        else:

            def hessp(theta: np.ndarray, direction: np.ndarray) -> np.ndarray:
                W, b = unpack(theta)
                V, v_b = unpack(direction)
                h_W, h_b = _logistic_hessp(W, b, X, C, V, v_b)
                h = np.concatenate([h_W.ravel(), h_b]) if intercept else h_W.ravel()
                return h * scale

            theta, nit = _newton_cg(objective, hessp, theta0, self.tol, self.max_iter)
            result = scipy.optimize.OptimizeResult(x=theta, nit=nit)
        W, b = unpack(result.x)
        self.coef_, self.intercept_ = W.copy(), np.array(b, dtype=np.float64)
        self.n_iter_ = np.array([int(result.nit)])
        if self.n_iter_[0] >= self.max_iter:
            warnings.warn(f"LogisticRegression ({self.solver}) stopped at max_iter="
                          f"{self.max_iter} before reaching tol={self.tol}; raise max_iter or "
                          "scale the features", ConvergenceWarning, stacklevel=2)  # fmt: skip
        return self

    def decision_function(self, X: Matrix) -> np.ndarray:
        """Scores ``X Wᵀ + b``: (n,) log-odds of ``classes_[1]`` for two classes, else (n, K)."""
        return linear_scores(self, X)

    def predict_proba(self, X: Matrix) -> np.ndarray:
        """(n, n_classes) class probabilities, columns in the order of ``classes_``."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = expit(scores)
            return np.column_stack([1.0 - p, p])
        exp = np.exp(scores - scores.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: Matrix) -> np.ndarray:
        """The logarithm of :meth:`predict_proba`, computed stably."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        shifted = scores - scores.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def predict(self, X: Matrix) -> np.ndarray:
        """The most probable label of each row."""
        scores = self.decision_function(X)
        best = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[best]
