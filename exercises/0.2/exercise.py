"""Exercise 0.2: logistic regression's loss, its gradient, and one gradient step.

Logistic regression turns a score ``z = W x + b`` into class probabilities and is
trained by walking downhill on the log-loss. The lesson ``lessons/0.2-classic-ml.py``
builds it in cells; here you write the two functions every fit is made of:

1. ``logistic_loss_and_grad(W, b, X, Y, C)``: the L2-penalised log-loss, summed over the
   rows, and its gradient with respect to ``W`` and ``b``;
2. ``logistic_gradient_step(W, b, X, Y, C, lr)``: one plain gradient-descent step.

A model of two classes has one weight row (``K = 1``) and scores with the sigmoid; a
model of ``K >= 3`` classes has ``K`` rows and scores with the softmax.

Use NumPy (``scipy.special`` is allowed too), but not ``nlpjourney`` (the model answer),
scikit-learn, torch, jax or ``scipy.optimize``: ``journey check`` refuses a file that uses
them. Then run ``journey check 0.2``; each failing check gives a hint (``--hint`` shows
more). The checks draw fresh data each run, compare with PyTorch's autograd, and finally
run your step a few thousand times on two real datasets to see it reach the same
weights as scikit-learn's ``LogisticRegression``.
"""

from __future__ import annotations

import numpy as np


def logistic_loss_and_grad(
    W: np.ndarray, b: np.ndarray, X: np.ndarray, Y: np.ndarray, C: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """The penalised logistic loss and its gradient.

    ``loss = Σᵢ ℓᵢ + ‖W‖² / (2C)``: the log-loss of every row added up (not averaged),
    plus the squared weights divided by ``2C``; the bias ``b`` is not penalised.

    - ``K = 1`` (two classes): ``zᵢ = xᵢ·W[0] + b[0]``, ``pᵢ = σ(zᵢ) = 1 / (1 + e^{-zᵢ})``
      and ``ℓᵢ = -(Yᵢ log pᵢ + (1 - Yᵢ) log(1 - pᵢ))`` with ``Yᵢ`` (column 0) in {0, 1};
    - ``K >= 2`` rows (softmax): ``zᵢ = W xᵢ + b`` (K scores), ``ℓᵢ = log Σₖ e^{zᵢₖ} - zᵢ·Yᵢ``
      with ``Yᵢ`` one-hot.

    The loss must stay finite and exact when scores are in the hundreds or thousands
    (a probability that rounds to 0 or 1 must not make a log infinite).

    Args:
        W: (K, n_features) weights.
        b: (K,) biases.
        X: (n, n_features) features (a dense array).
        Y: (n, K) targets: one 0/1 column for K = 1, one-hot rows otherwise.
        C: the inverse penalty strength (> 0).

    Returns:
        ``(loss, grad_W, grad_b)``: the loss as a float, and its gradient with respect to
        ``W`` (shape (K, n_features)) and ``b`` (shape (K,)).

    Example: ``W = [[0, 0]]``, ``b = [0]``, ``X`` the 2 x 2 identity, ``Y = [[1], [0]]``,
    ``C = 1``: every p is 0.5, the loss is ``2 log 2 ≈ 1.386294``, ``grad_W = [[-0.5, 0.5]]``
    and ``grad_b = [0.0]``.
    """
    raise NotImplementedError("write the loss (stable for large scores) and its gradient")


def logistic_gradient_step(
    W: np.ndarray, b: np.ndarray, X: np.ndarray, Y: np.ndarray, C: float, lr: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """One gradient-descent step on ``logistic_loss_and_grad``'s loss.

    Returns new arrays ``W - lr · grad_W`` and ``b - lr · grad_b``, and the loss measured
    at the ``W, b`` given (before the step). ``W`` and ``b`` themselves must not change.

    Args:
        W, b, X, Y, C: as in ``logistic_loss_and_grad``.
        lr: the step size.

    Returns:
        ``(new_W, new_b, loss)``.

    Raises:
        ValueError: ``lr`` is not a positive number (zero, negative, or not a number).

    Example: with the example of ``logistic_loss_and_grad`` and ``lr = 0.5`` the new
    weights are ``[[0.25, -0.25]]``, the new bias ``[0.0]`` and the loss ``1.386294``.
    """
    raise NotImplementedError("step W and b against the gradient; return the loss before it")
