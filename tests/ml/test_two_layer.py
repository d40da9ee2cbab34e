"""Tests for nlpjourney.ml.two_layer: the spelled-out two-layer backprop.

Its gradients equal torch autograd's in float64 and :meth:`MLP.backward`'s on the same
weights, for any batch shape hypothesis draws; bad shapes and labels are refused with a
message.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney.ml.mlp import MLP
from nlpjourney.ml.two_layer import backward, forward, softmax_cross_entropy


def torch_reference(X, y, W1, b1, W2, b2):
    leaves = [torch.tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]
    w1, c1, w2, c2 = leaves
    logits = torch.relu(torch.tensor(X) @ w1 + c1) @ w2 + c2
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y))
    return loss.item(), [g.numpy() for g in torch.autograd.grad(loss, leaves)]


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 9),
    d=st.integers(1, 6),
    hidden=st.integers(1, 8),
    classes=st.integers(2, 5),
    seed=st.integers(0, 2**16),
)
def test_two_layer_gradients_match_torch_and_mlp(n, d, hidden, classes, seed) -> None:
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, d)), rng.integers(0, classes, size=n)
    net = MLP([d, hidden, classes], "relu", seed=seed)
    net.biases = [rng.normal(size=b.shape) for b in net.biases]
    W1, W2 = net.weights
    b1, b2 = net.biases
    logits, cache = forward(X, W1, b1, W2, b2)
    grads = backward(cache, y)
    loss, expected = torch_reference(X, y, W1, b1, W2, b2)
    assert softmax_cross_entropy(logits, y)[0] == pytest.approx(loss, rel=1e-12)
    for key, theirs in zip(["dW1", "db1", "dW2", "db2"], expected, strict=True):
        np.testing.assert_allclose(grads[key], theirs, rtol=1e-10, atol=1e-14, err_msg=key)
    grad_w, grad_b = net.backward(net.forward(X), y)
    np.testing.assert_allclose(logits, net.forward(X).logits, rtol=1e-14)
    for ours, mlp in zip(
        [grads["dW1"], grads["db1"], grads["dW2"], grads["db2"]],
        [grad_w[0], grad_b[0], grad_w[1], grad_b[1]],
        strict=True,
    ):
        np.testing.assert_allclose(ours, mlp, rtol=1e-12, atol=1e-15)


def test_two_layer_worked_example() -> None:
    """The 2-2-2 network of lesson 0.3, worked by hand there."""
    W1, b1 = np.array([[1.0, 1.0], [0.5, -1.0]]), np.zeros(2)
    W2, b2 = np.array([[1.0, 0.5], [-1.0, 2.0]]), np.array([-1.0, 0.0])
    logits, cache = forward(np.array([[1.0, 2.0]]), W1, b1, W2, b2)
    grads = backward(cache, np.array([0]))
    np.testing.assert_array_equal(logits, [[1.0, 1.0]])
    np.testing.assert_array_equal(grads["dW2"], [[-1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(grads["db2"], [-0.5, 0.5])
    np.testing.assert_array_equal(grads["dW1"], [[-0.25, 0.0], [-0.5, 0.0]])
    np.testing.assert_array_equal(grads["db1"], [-0.25, 0.0])


def test_two_layer_softmax_cross_entropy_is_finite_on_huge_logits() -> None:
    loss, dlogits = softmax_cross_entropy(np.array([[1e4, -1e4]]), np.array([1]))
    assert loss == pytest.approx(2e4)
    np.testing.assert_allclose(dlogits, [[1.0, -1.0]])


def test_two_layer_rejects_bad_input() -> None:
    W1, b1, W2, b2 = np.ones((3, 4)), np.zeros(4), np.ones((4, 2)), np.zeros(2)
    with pytest.raises(ValueError, match="do not chain"):
        forward(np.ones((5, 2)), W1, b1, W2, b2)
    with pytest.raises(ValueError, match="b1 must have shape"):
        forward(np.ones((5, 3)), W1, np.zeros(3), W2, b2)
    _, cache = forward(np.ones((5, 3)), W1, b1, W2, b2)
    with pytest.raises(ValueError, match="one class index per row"):
        backward(cache, np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\)"):
        backward(cache, np.array([0, 1, 2, 0, 1]))
    with pytest.raises(TypeError, match="integer class indices"):
        backward(cache, np.zeros(5))
