"""Checks for exercise 3.1, run by ``journey check 3.1``.

Each check calls the learner's backward rule through the ``ex`` fixture and compares the
gradients with PyTorch's autograd (``torch.autograd.grad`` at float64, on random inputs
and a random ``grad_out``, shapes and values drawn fresh each run from ``rng``), with
worked examples small enough to do by hand, or with
central finite differences. With ``--exercise reference`` the same checks grade the
library, ``nlpjourney.autograd.backward_rules``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

REFERENCE = "nlpjourney.autograd.backward_rules"
# What the learner may not use: the model answer, and the libraries that answer it.
FORBIDDEN = ("nlpjourney", "torch", "jax", "autograd", "scipy")


def random_shapes(rng, ndim: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes that broadcast: random sizes, some set to 1, some leading axes dropped."""
    full = [int(v) for v in rng.integers(2, 5, size=ndim)]
    shapes = []
    for _ in range(2):
        shape = [1 if rng.random() < 0.4 else n for n in full]
        shapes.append(tuple(shape[int(rng.integers(0, ndim + 1)) :]))
    return shapes[0], shapes[1]


def torch_grads(fn, inputs, grad_out):
    """The gradients of ``fn(*inputs)`` weighted by ``grad_out``, from torch autograd."""
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    out = fn(*leaves)
    grads = torch.autograd.grad(out, leaves, torch.tensor(grad_out, dtype=torch.float64))
    return [g.numpy() for g in grads]


def assert_grad(result, expected, name) -> None:
    result = np.asarray(result)
    assert result.shape == expected.shape, (
        f"{name} should have shape {expected.shape} (its input's), got {result.shape}"
    )
    np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-12, err_msg=name)


def test_unbroadcast_sums_broadcast_axes(ex, rng) -> None:
    """unbroadcast sums a gradient down to the shape that was broadcast.

    Hint 1: each entry of a broadcast input was used several times; its gradient is the
    sum over all its copies.
    Hint 2: first sum away the leading axes the input did not have; then sum, keeping
    the axis, every axis where the input's size is one and the gradient's is not.
    """
    grad = np.arange(24.0).reshape(2, 3, 4)
    assert_grad(ex.unbroadcast(np.ones((2, 3, 4)), (3, 1)), np.full((3, 1), 8.0), "(3, 1)")
    assert_grad(ex.unbroadcast(grad, (2, 3, 4)), grad, "same shape")
    assert_grad(ex.unbroadcast(grad, (4,)), grad.sum(axis=(0, 1)), "(4,)")
    assert_grad(ex.unbroadcast(grad, (2, 1, 4)), grad.sum(axis=1, keepdims=True), "(2, 1, 4)")
    assert_grad(ex.unbroadcast(grad, ()), np.asarray(grad.sum()), "a scalar, shape ()")
    for ndim in (2, 3, 4):
        shape, _ = random_shapes(rng, ndim)
        aligned = (1,) * (ndim - len(shape)) + shape
        sizes = rng.integers(2, 5, size=ndim)
        full = tuple(int(n) if s == 1 else s for s, n in zip(aligned, sizes, strict=True))
        fresh = rng.normal(size=full)
        (expected,) = torch_grads(
            lambda t, full=full: t.expand(full), [rng.normal(size=shape)], fresh
        )
        assert_grad(ex.unbroadcast(fresh, shape), expected, f"{full} down to {shape}")


def test_add_backward_worked_example(ex) -> None:
    """add_backward of a (2, 3) matrix plus a (3,) row: the row's gradient sums the rows.

    Hint 1: the derivative of a sum with respect to each term is one.
    Hint 2: both inputs receive the output's gradient itself, each summed down to its own
    shape; the row was added to both rows, so its gradient adds the two rows.
    """
    grad_out = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    grad_a, grad_b = ex.add_backward((2, 3), (3,), grad_out)
    assert_grad(grad_a, grad_out, "grad_a")
    assert_grad(grad_b, np.array([5.0, 7.0, 9.0]), "grad_b")


def test_add_backward_broadcasting_cases(ex, rng) -> None:
    """add_backward equals torch for (3,1)+(1,4), (2,3)+(3,), a scalar, and batch shapes.

    Hint 1: both sides get the output's gradient, each summed down to its own shape.
    Hint 2: a column plus a row makes a grid: the column's gradient sums across the grid's
    columns, the row's down its rows; a scalar gets the sum of everything.
    """
    cases = [((3, 1), (1, 4)), ((2, 3), (3,)), ((), (2, 3)), ((5, 1, 3), (4, 1)), ((2, 3), ())]
    cases += [random_shapes(rng, ndim) for ndim in (2, 3, 3, 4)]
    for a_shape, b_shape in cases:
        a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
        grad_out = rng.normal(size=np.broadcast_shapes(a_shape, b_shape))
        expected_a, expected_b = torch_grads(torch.add, [a, b], grad_out)
        grad_a, grad_b = ex.add_backward(a_shape, b_shape, grad_out)
        assert_grad(grad_a, expected_a, f"grad_a for {a_shape} + {b_shape}")
        assert_grad(grad_b, expected_b, f"grad_b for {a_shape} + {b_shape}")


def test_matmul_backward_worked_example(ex) -> None:
    """matmul_backward of a (1, 2) row times a (2, 1) column, small enough to do by hand.

    Hint 1: the output is one times three plus two times four: differentiate it by hand.
    Hint 2: the gradient for a is b laid out as a row, and the gradient for b is a laid
    out as a column, each times the output's gradient; an operand with fewer than two
    axes is refused with a ValueError.
    """
    grad_a, grad_b = ex.matmul_backward(
        np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]), np.array([[1.0]])
    )
    assert_grad(grad_a, np.array([[3.0, 4.0]]), "grad_a")
    assert_grad(grad_b, np.array([[1.0], [2.0]]), "grad_b")
    for a, b in [(np.ones(2), np.ones((2, 1))), (np.ones((1, 2)), np.ones(2))]:
        with pytest.raises(ValueError):
            ex.matmul_backward(a, b, np.ones(np.matmul(a, b).shape))


def test_matmul_backward_matrices(ex, rng) -> None:
    """matmul_backward equals torch on random matrices of several shapes.

    Hint 1: let the shapes guide you: each gradient has its input's shape.
    Hint 2: a's gradient is the output's gradient times the transpose of b; b's is the
    transpose of a times the output's gradient.
    """
    sizes = [(3, 4, 5), (1, 6, 2), (7, 1, 3), (4, 4, 4)]
    for n, k, m in sizes + [tuple(int(v) for v in rng.integers(1, 8, size=3)) for _ in range(3)]:
        a, b, grad_out = rng.normal(size=(n, k)), rng.normal(size=(k, m)), rng.normal(size=(n, m))
        expected_a, expected_b = torch_grads(torch.matmul, [a, b], grad_out)
        grad_a, grad_b = ex.matmul_backward(a, b, grad_out)
        assert_grad(grad_a, expected_a, f"grad_a for ({n}, {k}) @ ({k}, {m})")
        assert_grad(grad_b, expected_b, f"grad_b for ({n}, {k}) @ ({k}, {m})")


def test_matmul_backward_batched(ex, rng) -> None:
    """matmul_backward equals torch on batches of matrices, (2, 5, 3, 4) @ (2, 5, 4, 6).

    Hint 1: transpose each matrix of the batch, not the batch itself.
    Hint 2: the plain transpose reverses every axis; swap only the last two.
    """
    batch = tuple(int(v) for v in rng.integers(1, 5, size=2))
    n, k, m = (int(v) for v in rng.integers(1, 7, size=3))
    a, b = rng.normal(size=(*batch, n, k)), rng.normal(size=(*batch, k, m))
    grad_out = rng.normal(size=(*batch, n, m))
    expected_a, expected_b = torch_grads(torch.matmul, [a, b], grad_out)
    grad_a, grad_b = ex.matmul_backward(a, b, grad_out)
    assert_grad(grad_a, expected_a, "grad_a")
    assert_grad(grad_b, expected_b, "grad_b")


def test_matmul_backward_shared_matrix(ex, rng) -> None:
    """matmul_backward sums over the batch when one matrix serves the whole batch.

    Hint 1: a matrix shared by the whole batch was used once per batch entry.
    Hint 2: its gradient, computed per batch entry, has the batch axes in front: sum them
    down to its own shape, as for a broadcast add.
    """
    for a_shape, b_shape in [((8, 3, 4), (4, 6)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2))]:
        a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
        grad_out = rng.normal(size=np.matmul(a, b).shape)
        expected_a, expected_b = torch_grads(torch.matmul, [a, b], grad_out)
        grad_a, grad_b = ex.matmul_backward(a, b, grad_out)
        assert_grad(grad_a, expected_a, f"grad_a for {a_shape} @ {b_shape}")
        assert_grad(grad_b, expected_b, f"grad_b for {a_shape} @ {b_shape}")


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_softmax_backward_last_axis(ex, rng) -> None:
    """softmax_backward gives the worked example and equals torch on (4, 7) scores.

    Hint 1: multiply the Jacobian by the output's gradient on paper; it collapses to one
    sum, no matrix.
    Hint 2: each entry's gradient is its y times (its output gradient minus the sum, over
    the slice, of output gradient times y); keep the summed axis so it lines up.
    """
    assert_grad(
        ex.softmax_backward(np.array([0.5, 0.5]), np.array([1.0, 0.0])),
        np.array([0.25, -0.25]),
        "the worked example",
    )
    shape = tuple(int(v) for v in rng.integers(1, 8, size=2))
    x, grad_out = rng.normal(size=shape) * 2, rng.normal(size=shape)
    (expected,) = torch_grads(lambda t: torch.softmax(t, -1), [x], grad_out)
    assert_grad(ex.softmax_backward(softmax(x), grad_out), expected, "grad_x")


def test_softmax_backward_other_axes(ex, rng) -> None:
    """softmax_backward honours axis: softmax over axis 0 and axis 1 of a (3, 4, 5) array.

    Hint 1: the sum in the rule runs along the softmax's own axis.
    Hint 2: not always the last one: use the axis you are given, keeping it.
    """
    shape = tuple(int(v) for v in rng.integers(2, 6, size=3))
    x, grad_out = rng.normal(size=shape), rng.normal(size=shape)
    for axis in (0, 1, -1):
        (expected,) = torch_grads(lambda t, axis=axis: torch.softmax(t, axis), [x], grad_out)
        result = ex.softmax_backward(softmax(x, axis), grad_out, axis=axis)
        assert_grad(result, expected, f"grad_x for axis={axis}")


def test_softmax_backward_finite_differences(ex, rng) -> None:
    """softmax_backward agrees with central finite differences of sum(grad_out * softmax(x)).

    Hint 1: adding a constant to every score changes nothing, so the gradient sums to zero
    along the softmax's axis.
    Hint 2: if yours does not, the term that subtracts the weighted sum is missing.
    """
    x, grad_out = rng.normal(size=(2, 6)), rng.normal(size=(2, 6))
    numeric = np.zeros_like(x)
    h = 1e-6
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        up = np.sum(grad_out * softmax(x + step))
        down = np.sum(grad_out * softmax(x - step))
        numeric[index] = (up - down) / (2 * h)
    result = np.asarray(ex.softmax_backward(softmax(x), grad_out))
    assert result.shape == x.shape, f"expected shape {x.shape}, got {result.shape}"
    np.testing.assert_allclose(result, numeric, atol=1e-8)
