"""nlpjourney.autograd.backward_rules: the NumPy backward rules equal torch autograd.

The rules of ``a + b`` and ``a @ b`` on random broadcastable shapes (hypothesis) and of
softmax along every axis are compared with ``torch.autograd.grad`` at float64; bad
shapes raise a ValueError that names them.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from nlpjourney.autograd import backward_rules


def torch_grads(fn, inputs, grad_out):
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    grads = torch.autograd.grad(fn(*leaves), leaves, torch.tensor(grad_out, dtype=torch.float64))
    return [g.numpy() for g in grads]


def broadcast_pair(draw, min_dims: int = 0):
    """Two shapes that broadcast: a common shape with axes set to 1 or dropped in front."""
    common = draw(st.lists(st.integers(1, 4), min_size=min_dims, max_size=4))

    def squeeze(shape):
        kept = shape[draw(st.integers(0, max(0, len(shape) - min_dims))) :]
        return tuple(n if draw(st.booleans()) else 1 for n in kept)

    return squeeze(common), squeeze(common)


@st.composite
def add_shapes(draw):
    return broadcast_pair(draw)


@st.composite
def matmul_shapes(draw):
    batch_a, batch_b = broadcast_pair(draw)
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    return (*batch_a, n, k), (*batch_b, k, m)


@settings(max_examples=60, deadline=None)
@given(add_shapes(), st.integers(0, 2**31 - 1))
def test_backward_rules_add_equals_torch(shapes, seed) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    grad_out = rng.normal(size=np.broadcast_shapes(*shapes))
    expected = torch_grads(torch.add, [a, b], grad_out)
    for ours, theirs in zip(backward_rules.add_backward(*shapes, grad_out), expected, strict=True):
        assert_close(ours, theirs, rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(matmul_shapes(), st.integers(0, 2**31 - 1))
def test_backward_rules_matmul_equals_torch(shapes, seed) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    grad_out = rng.normal(size=np.matmul(a, b).shape)
    expected = torch_grads(torch.matmul, [a, b], grad_out)
    for ours, theirs in zip(backward_rules.matmul_backward(a, b, grad_out), expected, strict=True):
        assert_close(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_backward_rules_softmax_equals_torch(axis: int) -> None:
    rng = np.random.default_rng(axis + 10)
    x, grad_out = rng.normal(size=(3, 4, 5)) * 3, rng.normal(size=(3, 4, 5))
    y = torch.softmax(torch.tensor(x), axis).numpy()
    (expected,) = torch_grads(lambda t: torch.softmax(t, axis), [x], grad_out)
    assert_close(
        backward_rules.softmax_backward(y, grad_out, axis), expected, rtol=1e-10, atol=1e-12
    )


def test_backward_rules_bad_shapes_are_named() -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        backward_rules.add_backward((2, 3), (3,), np.ones((3, 3)))
    with pytest.raises(ValueError, match="cannot broadcast"):
        backward_rules.unbroadcast(np.ones((2, 3)), (4,))
    with pytest.raises(ValueError, match="at least 2 axes"):
        backward_rules.matmul_backward(np.ones(3), np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"a @ b has shape \(2, 4\)"):
        backward_rules.matmul_backward(np.ones((2, 3)), np.ones((3, 4)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="grad_out has shape"):
        backward_rules.softmax_backward(np.ones((2, 3)), np.ones((3, 2)))
