"""Checks for exercise 0.2, run by ``journey check 0.2``.

Each check calls the learner's functions through the ``ex`` fixture. The data, weights
and penalty are drawn fresh on each run (``rng``), binary and multinomial, dense; the
expected loss is the formula written here in PyTorch, and the expected gradients are
its autograd gradients, in float64. The last check runs the learner's step a few
thousand times on two of scikit-learn's bundled datasets (breast cancer, two classes;
iris, three) and compares the weights reached with scikit-learn's
``LogisticRegression`` at the same ``C``. With ``--exercise reference`` the same checks
grade the library, ``nlpjourney.ml.linear``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression

REFERENCE = "nlpjourney.ml.linear"
# What the learner may not use: the model answer, and the libraries that would compute
# the gradient or the optimum for them.
FORBIDDEN = ("nlpjourney", "sklearn", "torch", "jax", "scipy.optimize")


def random_problem(rng, k: int, scale: float = 1.0):
    """(W, b, X, Y, C) for ``k`` weight rows (k = 1: two classes), in float64."""
    n, p = int(rng.integers(3, 12)), int(rng.integers(1, 6))
    X = rng.normal(size=(n, p)) * scale
    W, b = rng.normal(size=(k, p)), rng.normal(size=k)
    labels = rng.integers(0, 2 if k == 1 else k, size=n)
    Y = labels[:, None].astype(np.float64) if k == 1 else np.eye(k)[labels]
    C = float(rng.uniform(0.2, 3.0))
    return W, b, X, Y, C


def torch_loss_and_grad(W, b, X, Y, C):
    """The objective written from its formula, and its autograd gradients."""
    W_t, b_t = (torch.tensor(a, requires_grad=True) for a in (W, b))
    scores = torch.tensor(X) @ W_t.T + b_t
    Y_t = torch.tensor(Y)
    if W.shape[0] == 1:
        log_loss = F.binary_cross_entropy_with_logits(scores, Y_t, reduction="sum")
    else:
        log_loss = -(torch.log_softmax(scores, dim=1) * Y_t).sum()
    loss = log_loss + (W_t**2).sum() / (2 * C)
    grad_W, grad_b = torch.autograd.grad(loss, [W_t, b_t])
    return loss.item(), grad_W.numpy(), grad_b.numpy()


def learner_loss_and_grad(ex, W, b, X, Y, C):
    with np.errstate(all="ignore"):  # a naive version overflows; let the asserts say so
        result = ex.logistic_loss_and_grad(W.copy(), b.copy(), X.copy(), Y.copy(), C)
    assert isinstance(result, tuple) and len(result) == 3, "return a tuple (loss, grad_W, grad_b)"
    loss, grad_W, grad_b = result
    return float(loss), np.asarray(grad_W, dtype=np.float64), np.asarray(grad_b, dtype=np.float64)


def assert_gradients(got_W, got_b, want_W, want_b) -> None:
    assert got_W.shape == want_W.shape, (
        f"grad_W should have W's shape {want_W.shape}, got {got_W.shape}"
    )
    assert got_b.shape == want_b.shape, (
        f"grad_b should have b's shape {want_b.shape}, got {got_b.shape}"
    )
    np.testing.assert_allclose(got_W, want_W, rtol=1e-9, atol=1e-10, err_msg="grad_W")
    np.testing.assert_allclose(got_b, want_b, rtol=1e-9, atol=1e-10, err_msg="grad_b")


def test_binary_loss_matches_the_formula(ex, rng) -> None:
    """Two classes (one weight row): the loss is the summed log-loss plus ‖W‖² / (2C).

    Hint 1: add up (do not average) minus the log probability of each row's true class,
    then add the penalty on the weights only, not on the bias.
    Hint 2: with the score z of a row, the probability of class 1 is the sigmoid of z
    and of class 0 one minus it; the penalty is the sum of the squared weights over 2C.
    """
    for _ in range(3):
        W, b, X, Y, C = random_problem(rng, k=1)
        expected, _, _ = torch_loss_and_grad(W, b, X, Y, C)
        loss, _, _ = learner_loss_and_grad(ex, W, b, X, Y, C)
        np.testing.assert_allclose(loss, expected, rtol=1e-10, err_msg="loss")


def test_binary_gradients_match_autograd(ex, rng) -> None:
    """Two classes: grad_W and grad_b equal PyTorch's autograd of the loss.

    Hint 1: the loss's derivative with respect to a row's score is its probability of
    class 1 minus its target; the penalty adds W / C to grad_W.
    Hint 2: grad_W is that column of score derivatives, transposed, times X, plus W / C;
    grad_b is the sum of the score derivatives over the rows (shape (1,)).
    """
    for _ in range(3):
        W, b, X, Y, C = random_problem(rng, k=1)
        _, want_W, want_b = torch_loss_and_grad(W, b, X, Y, C)
        _, got_W, got_b = learner_loss_and_grad(ex, W, b, X, Y, C)
        assert_gradients(got_W, got_b, want_W, want_b)


def test_multinomial_loss_matches_the_formula(ex, rng) -> None:
    """K >= 3 classes (K weight rows, softmax): the summed log-loss plus ‖W‖² / (2C).

    Hint 1: each row's loss is the log of the sum of the exponentials of its K scores,
    minus the score of its true class.
    Hint 2: the scores are X times W transposed, plus b (shape (n, K)); pick the true
    class's score with the one-hot Y (multiply and sum along the classes).
    """
    for _ in range(3):
        W, b, X, Y, C = random_problem(rng, k=int(rng.integers(3, 6)))
        expected, _, _ = torch_loss_and_grad(W, b, X, Y, C)
        loss, _, _ = learner_loss_and_grad(ex, W, b, X, Y, C)
        np.testing.assert_allclose(loss, expected, rtol=1e-10, err_msg="loss")


def test_multinomial_gradients_match_autograd(ex, rng) -> None:
    """K >= 3 classes: grad_W and grad_b equal PyTorch's autograd of the loss.

    Hint 1: the derivative with respect to a row's scores is its softmax probabilities
    minus its one-hot target.
    Hint 2: grad_W is that (n, K) matrix, transposed, times X, plus W / C; grad_b sums it
    over the rows (one number per class).
    """
    for _ in range(3):
        W, b, X, Y, C = random_problem(rng, k=int(rng.integers(3, 6)))
        _, want_W, want_b = torch_loss_and_grad(W, b, X, Y, C)
        _, got_W, got_b = learner_loss_and_grad(ex, W, b, X, Y, C)
        assert_gradients(got_W, got_b, want_W, want_b)


@pytest.mark.parametrize("k", [1, 4])
def test_large_scores_stay_finite_and_exact(ex, rng, k) -> None:
    """Scores in the thousands: the loss and gradients are still finite and exact.

    Hint 1: e to the power 1000 overflows, and the log of a probability that rounded to 0
    is minus infinity: never form either.
    Hint 2: for the softmax, subtract each row's largest score before exponentiating (the
    loss does not change); for the sigmoid, rewrite log(1 + e^(-z)) so that the
    exponential never sees a large positive number, or use scipy.special's log_expit.
    """
    for _ in range(3):
        W, b, X, Y, C = random_problem(rng, k=k, scale=500.0)
        expected, want_W, want_b = torch_loss_and_grad(W, b, X, Y, C)
        loss, got_W, got_b = learner_loss_and_grad(ex, W, b, X, Y, C)
        assert np.isfinite(loss), f"the loss is {loss} for scores of size {np.abs(X).max():.0f}"
        np.testing.assert_allclose(loss, expected, rtol=1e-10, err_msg="loss")
        assert_gradients(got_W, got_b, want_W, want_b)


@pytest.mark.parametrize("k", [1, 3])
def test_step_moves_against_the_gradient(ex, rng, k) -> None:
    """The step returns W - lr·grad_W, b - lr·grad_b and the loss before the step.

    Hint 1: compute the loss and gradient at the weights you are given, then move each
    array by minus the step size times its gradient.
    Hint 2: build new arrays (W - lr * grad_W) rather than changing W in place, and return
    the loss you computed before moving.
    """
    W, b, X, Y, C = random_problem(rng, k=k)
    lr = float(rng.uniform(0.01, 0.3))
    W_before, b_before = W.copy(), b.copy()
    expected, want_W, want_b = torch_loss_and_grad(W, b, X, Y, C)
    result = ex.logistic_gradient_step(W, b, X, Y, C, lr)
    assert isinstance(result, tuple) and len(result) == 3, "return a tuple (new_W, new_b, loss)"
    new_W, new_b, loss = (np.asarray(r, dtype=np.float64) for r in result)
    np.testing.assert_allclose(
        float(loss), expected, rtol=1e-10, err_msg="the loss before the step"
    )
    np.testing.assert_allclose(
        new_W, W_before - lr * want_W, rtol=1e-10, atol=1e-12, err_msg="new W"
    )
    np.testing.assert_allclose(
        new_b, b_before - lr * want_b, rtol=1e-10, atol=1e-12, err_msg="new b"
    )
    assert np.array_equal(W, W_before) and np.array_equal(b, b_before), (
        "the step changed the W or b it was given; return new arrays instead"
    )


@pytest.mark.parametrize("lr", [0.0, -0.5])
def test_step_rejects_a_learning_rate_that_is_not_positive(ex, lr) -> None:
    """A step size of zero or below raises ValueError, with a message.

    Hint 1: check lr before doing any work.
    Hint 2: raise ValueError (with a message that names lr) unless lr is greater than 0.
    """
    W, b, X, Y = np.zeros((1, 2)), np.zeros(1), np.eye(2), np.array([[1.0], [0.0]])
    with pytest.raises(ValueError):
        ex.logistic_gradient_step(W, b, X, Y, 1.0, lr)


def standardised(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0)


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_steps_reach_sklearn_optimum(ex, rng, dataset) -> None:
    """3000 steps at lr = 1/L on a real dataset reach scikit-learn's weights at that C.

    L bounds how fast the gradient can change (the loss's curvature), so every step of
    size 1/L lowers the loss. Rows (90 % of the dataset) and C are drawn fresh.

    Hint 1: if the loss goes down but the weights end far from the optimum, look at the
    penalty: scikit-learn minimises C times the summed log-loss plus ‖W‖² / 2, which has
    the same minimum as the summed log-loss plus ‖W‖² / (2C).
    Hint 2: the bias has no penalty, and for three classes every class has its own row
    of weights and its own bias (not K - 1 of them).
    """
    X, y = (
        load_breast_cancer(return_X_y=True)
        if dataset == "breast_cancer"
        else load_iris(return_X_y=True)
    )
    rows = np.sort(rng.permutation(len(y))[: int(0.9 * len(y))])
    X, y = standardised(X[rows]), y[rows]
    k = 1 if dataset == "breast_cancer" else 3
    C = float(rng.uniform(0.05, 0.1) if k == 1 else rng.uniform(0.5, 1.0))
    Y = y[:, None].astype(np.float64) if k == 1 else np.eye(k)[y]
    augmented = np.hstack([X, np.ones((len(X), 1))])
    lipschitz = np.linalg.eigvalsh(augmented.T @ augmented)[-1] * (0.25 if k == 1 else 0.5) + 1 / C
    W, b = np.zeros((k, X.shape[1])), np.zeros(k)
    first = None
    for _ in range(3000):
        W, b, loss = ex.logistic_gradient_step(W, b, X, Y, C, 1.0 / lipschitz)
        W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
        first = float(loss) if first is None else first
    reference = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)
    assert float(loss) < first, f"3000 steps did not lower the loss ({first} -> {float(loss)})"
    np.testing.assert_allclose(
        W, reference.coef_, atol=1e-3, err_msg=f"weights on {dataset}, C={C:.3f}"
    )
    np.testing.assert_allclose(
        b, reference.intercept_, atol=1e-3, err_msg=f"biases on {dataset}, C={C:.3f}"
    )
