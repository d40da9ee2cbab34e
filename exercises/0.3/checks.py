"""Checks for exercise 0.3, run by ``journey check 0.3``.

Each check calls the learner's functions through the ``ex`` fixture. The expected values
come from a 2-2-2 network worked out by hand, from networks and batches of random sizes
drawn fresh on each run (``rng``) (the one in the lesson), from central finite
differences of a loss computed here in NumPy, and from PyTorch's autograd in float64.
With ``--exercise reference`` the same checks grade the library,
``nlpjourney.ml.two_layer``.
"""

from __future__ import annotations

import numpy as np
import torch

REFERENCE = "nlpjourney.ml.two_layer"
# What the learner may not use: the model answer, and the libraries that answer it.
FORBIDDEN = ("nlpjourney", "torch", "scipy", "sklearn")

# The lesson's 2-2-2 network: hidden unit 2 is off (pre-activation -1), the logits tie.
X_HAND = np.array([[1.0, 2.0]])
Y_HAND = np.array([0])
W1_HAND = np.array([[1.0, 1.0], [0.5, -1.0]])
B1_HAND = np.array([0.0, 0.0])
W2_HAND = np.array([[1.0, 0.5], [-1.0, 2.0]])
B2_HAND = np.array([-1.0, 0.0])
NAMES = ("W1", "b1", "W2", "b2")


def random_problem(rng, n: int = 7, d: int = 5, hidden: int = 6, classes: int = 4):
    """A batch and a network's parameters, in float64: (X, y, [W1, b1, W2, b2])."""
    X = rng.normal(size=(n, d))
    y = rng.integers(0, classes, size=n)
    params = [
        rng.normal(size=(d, hidden)) / np.sqrt(d),
        rng.normal(size=hidden) * 0.5,
        rng.normal(size=(hidden, classes)) / np.sqrt(hidden),
        rng.normal(size=classes) * 0.5,
    ]
    return X, y, params


def mean_cross_entropy(X, y, W1, b1, W2, b2) -> float:
    """The loss, computed here so finite differences never depend on the learner's code."""
    logits = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


def torch_gradients(X, y, params) -> dict[str, np.ndarray]:
    leaves = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    W1, b1, W2, b2 = leaves
    logits = torch.relu(torch.tensor(X) @ W1 + b1) @ W2 + b2
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y))
    grads = torch.autograd.grad(loss, leaves)
    return {f"d{name}": g.numpy() for name, g in zip(NAMES, grads, strict=True)}


def learner_gradients(ex, X, y, params) -> dict[str, np.ndarray]:
    _, cache = ex.forward(X, *params)
    grads = ex.backward(cache, y)
    assert isinstance(grads, dict), f"backward should return a dict, got {type(grads).__name__}"
    missing = [f"d{name}" for name in NAMES if f"d{name}" not in grads]
    assert missing == [], f"backward's dict lacks the keys {missing}"
    return {key: np.asarray(grads[key], dtype=np.float64) for key in grads}


def assert_gradients(result, expected, rtol=1e-10, atol=1e-12) -> None:
    for key, value in expected.items():
        got = result[key]
        assert got.shape == value.shape, (
            f"{key} should have shape {value.shape} (its parameter's), got {got.shape}"
        )
        np.testing.assert_allclose(got, value, rtol=rtol, atol=atol, err_msg=key)


def test_softmax_cross_entropy_worked_example(ex) -> None:
    """softmax_cross_entropy of tied logits: loss log 2, gradient (p - onehot) / n.

    Hint 1: the loss is the mean over the rows of minus the log probability of the true
    class; the gradient is the probabilities minus the one-hot labels.
    Hint 2: take the softmax of each row; subtract one at each row's true class; divide
    the whole gradient by the number of rows, because the loss is a mean.
    """
    loss, dlogits = ex.softmax_cross_entropy(np.array([[0.0, 0.0]]), np.array([1]))
    np.testing.assert_allclose(float(loss), np.log(2), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(dlogits), [[0.5, -0.5]], rtol=1e-12)
    # Two rows: each row's gradient carries 1/n = 1/2.
    loss, dlogits = ex.softmax_cross_entropy(np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([0, 1]))
    np.testing.assert_allclose(float(loss), np.log(2), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(dlogits), [[-0.25, 0.25], [0.25, -0.25]], rtol=1e-12)


def test_softmax_cross_entropy_matches_torch(ex, rng) -> None:
    """softmax_cross_entropy equals torch's loss and gradient, even on logits like 1000.

    Hint 1: shift each row by its largest logit, and never take the log of a probability
    that may have underflowed to zero.
    Hint 2: the log probability is the shifted logit minus the log of the sum of the
    exponentials of the shifted row; the probabilities are the exponentials of that.
    """
    for scale in [1.0, 1000.0]:
        n, classes = rng.integers(1, 9), rng.integers(2, 7)
        logits = rng.normal(size=(n, classes)) * scale
        y = rng.integers(0, classes, size=n)
        leaf = torch.tensor(logits, requires_grad=True)
        expected = torch.nn.functional.cross_entropy(leaf, torch.tensor(y))
        (expected_grad,) = torch.autograd.grad(expected, [leaf])
        with np.errstate(all="ignore"):  # a naive version overflows; let the assert say so
            loss, dlogits = ex.softmax_cross_entropy(logits, y)
        np.testing.assert_allclose(float(loss), expected.item(), rtol=1e-10, err_msg="loss")
        dlogits = np.asarray(dlogits)
        assert dlogits.shape == logits.shape, (
            f"dlogits should be {logits.shape}, got {dlogits.shape}"
        )
        np.testing.assert_allclose(dlogits, expected_grad.numpy(), rtol=1e-9, atol=1e-15)


def test_forward_logits(ex, rng) -> None:
    """forward returns logits = relu(X @ W1 + b1) @ W2 + b2, shape (n, C).

    Hint 1: two affine layers with a ReLU between them; return the logits and your cache
    as a pair.
    Hint 2: the hidden pre-activation is the inputs times the first weights plus the first
    bias; the ReLU keeps its positive part; the logits are that times the second weights
    plus the second bias. Each bias is added to every row.
    """
    result = ex.forward(X_HAND, W1_HAND, B1_HAND, W2_HAND, B2_HAND)
    assert isinstance(result, tuple) and len(result) == 2, "forward should return (logits, cache)"
    np.testing.assert_allclose(np.asarray(result[0]), [[1.0, 1.0]], rtol=1e-12)
    n, d, hidden, classes = (int(v) for v in rng.integers(1, 10, size=4))
    X, _, params = random_problem(rng, n=n, d=d, hidden=hidden, classes=classes)
    logits = np.asarray(ex.forward(X, *params)[0])
    assert logits.shape == (n, classes), f"logits should be {(n, classes)}, got {logits.shape}"
    W1, b1, W2, b2 = params
    np.testing.assert_allclose(logits, np.maximum(X @ W1 + b1, 0) @ W2 + b2, rtol=1e-12)


def test_backward_shapes(ex, rng) -> None:
    """backward returns dW1, db1, dW2, db2, each shaped like its parameter.

    Hint 1: every gradient has exactly its parameter's shape.
    Hint 2: a bias is shared by every row of the batch, so its gradient sums the rows'
    contributions; a bias gradient with one row per sample has not been summed.
    """
    X, y, params = random_problem(rng, n=7, d=5, hidden=6, classes=4)
    grads = learner_gradients(ex, X, y, params)
    for name, param in zip(NAMES, params, strict=True):
        assert grads[f"d{name}"].shape == param.shape, (
            f"d{name} should have shape {param.shape}, got {grads[f'd{name}'].shape}"
        )


def test_backward_worked_example(ex) -> None:
    """backward on the lesson's 2-2-2 network gives the gradients worked out by hand.

    Hint 1: follow the lesson's 2-2-2 network backwards: the logits' gradient, then the
    second layer, then through the ReLU, then the first layer.
    Hint 2: the logits' gradient is minus a half and a half; hidden unit 2 was off, so no
    gradient passes through it to the first layer.
    Hint 3: a weight's gradient is the transpose of that layer's input times the gradient
    at the layer's output.
    """
    grads = learner_gradients(ex, X_HAND, Y_HAND, [W1_HAND, B1_HAND, W2_HAND, B2_HAND])
    expected = {
        "dW2": np.array([[-1.0, 1.0], [0.0, 0.0]]),
        "db2": np.array([-0.5, 0.5]),
        "dW1": np.array([[-0.25, 0.0], [-0.5, 0.0]]),
        "db1": np.array([-0.25, 0.0]),
    }
    assert_gradients(grads, expected)


def test_backward_matches_finite_differences(ex, rng) -> None:
    """backward agrees with central finite differences of the mean loss.

    Hint 1: the loss is a mean over the batch, so every gradient carries one factor of
    one over n, and only one.
    Hint 2: that factor is already in the logits' gradient; the layers below only sum.
    This check nudges each weight up and down and measures the loss's slope.
    """
    X, y, params = random_problem(rng, n=5, d=3, hidden=4, classes=3)
    grads = learner_gradients(ex, X, y, params)
    eps = 1e-6
    for k, name in enumerate(NAMES):
        numeric = np.zeros_like(params[k])
        for index in np.ndindex(params[k].shape):
            up = [p.copy() for p in params]
            down = [p.copy() for p in params]
            up[k][index] += eps
            down[k][index] -= eps
            numeric[index] = (mean_cross_entropy(X, y, *up) - mean_cross_entropy(X, y, *down)) / (
                2 * eps
            )
        assert_gradients(grads, {f"d{name}": numeric}, rtol=1e-5, atol=1e-8)


def test_backward_matches_torch_autograd(ex, rng) -> None:
    """backward equals torch autograd's gradients on random data, to 1e-10.

    Hint 1: check the order of each matrix product against the shapes.
    Hint 2: a weight's gradient is its layer input, transposed, times the gradient at
    its output; the gradient flowing down to the hidden layer is the output gradient
    times the transpose of the second weights.
    """
    for _ in range(2):
        n, d, hidden, classes = (int(v) for v in rng.integers(2, 12, size=4))
        X, y, params = random_problem(rng, n=n, d=d, hidden=hidden, classes=classes)
        assert_gradients(learner_gradients(ex, X, y, params), torch_gradients(X, y, params))


def test_backward_is_a_batch_mean(ex, rng) -> None:
    """backward's gradients are of the mean loss: the batch repeated twice gives the same.

    Hint 1: a mean, not a sum: doubling the batch must not double the gradients.
    Hint 2: divide by the number of rows once, in the logits' gradient, and only sum over
    the rows after that.
    """
    X, y, params = random_problem(rng, n=int(rng.integers(2, 8)))
    once = learner_gradients(ex, X, y, params)
    twice = learner_gradients(ex, np.vstack([X, X]), np.concatenate([y, y]), params)
    assert_gradients(twice, once)


def test_backward_zero_where_relu_is_off(ex, rng) -> None:
    """A hidden unit that is off for every sample gets exactly zero gradient.

    Hint 1: the ReLU's slope is one where its input was positive and zero elsewhere.
    Hint 2: multiply the gradient arriving at the hidden layer by that slope before the
    first layer's gradients; keep the pre-activation (or the hidden values) in the cache.
    """
    X, y, params = random_problem(rng, n=8, d=5, hidden=6, classes=4)
    params[1][2] = -100.0  # hidden unit 2: its pre-activation is below 0 for every row
    grads = learner_gradients(ex, X, y, params)
    assert np.all(grads["dW1"][:, 2] == 0), f"dW1[:, 2] should be 0, got {grads['dW1'][:, 2]}"
    assert grads["db1"][2] == 0, f"db1[2] should be 0, got {grads['db1'][2]}"
    assert np.all(grads["dW2"][2] == 0), f"dW2[2] should be 0 (h[:, 2] is 0), got {grads['dW2'][2]}"
    assert np.any(grads["dW1"] != 0), "the units that are on should still get gradients"


def test_training_lowers_the_loss(ex) -> None:
    """200 steps of gradient descent with your gradients separate three blobs.

    Hint 1: if the loss goes up, a gradient has the wrong sign or the wrong scale.
    Hint 2: the checks against the worked example and against torch say which gradient.
    """
    rng = np.random.default_rng(38)  # fixed blobs: this check is about learning, not values
    centers = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    y = np.repeat(np.arange(3), 30)
    X = centers[y] + rng.normal(scale=0.6, size=(90, 2))
    params = [
        rng.normal(size=(2, 16)) * 0.5,
        np.zeros(16),
        rng.normal(size=(16, 3)) * 0.25,
        np.zeros(3),
    ]
    start = mean_cross_entropy(X, y, *params)
    for _ in range(200):
        grads = learner_gradients(ex, X, y, params)
        params = [p - 0.5 * grads[f"d{name}"] for p, name in zip(params, NAMES, strict=True)]
    end = mean_cross_entropy(X, y, *params)
    W1, b1, W2, b2 = params
    accuracy = np.mean(np.argmax(np.maximum(X @ W1 + b1, 0) @ W2 + b2, axis=1) == y)
    assert end < start / 4, f"the loss went from {start:.3f} to {end:.3f}; expected below a quarter"
    assert accuracy >= 0.95, f"training accuracy {accuracy:.0%}, expected at least 95%"
