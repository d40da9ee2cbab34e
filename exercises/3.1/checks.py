"""Checks for exercise 3.1, run by ``journey check 3.1``.

Each check calls the learner's backward rule through the ``ex`` fixture and compares the
gradients with PyTorch's autograd (``torch.autograd.grad`` at float64, on random inputs
and a random ``grad_out``), with worked examples small enough to do by hand, or with
central finite differences. With ``--exercise reference`` the same checks grade the
library, ``nlpjourney.autograd.backward_rules``.
"""

from __future__ import annotations

import numpy as np
import torch

REFERENCE = "nlpjourney.autograd.backward_rules"


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


def test_unbroadcast_sums_broadcast_axes(ex) -> None:
    """unbroadcast sums a gradient down to the shape that was broadcast.

    Hint: first sum over the leading axes that the input did not have
    (grad.ndim - len(shape) of them), then over every axis where shape has 1 but grad
    does not, with keepdims=True.
    """
    grad = np.arange(24.0).reshape(2, 3, 4)
    assert_grad(ex.unbroadcast(np.ones((2, 3, 4)), (3, 1)), np.full((3, 1), 8.0), "(3, 1)")
    assert_grad(ex.unbroadcast(grad, (2, 3, 4)), grad, "same shape")
    assert_grad(ex.unbroadcast(grad, (4,)), grad.sum(axis=(0, 1)), "(4,)")
    assert_grad(ex.unbroadcast(grad, (2, 1, 4)), grad.sum(axis=1, keepdims=True), "(2, 1, 4)")
    assert_grad(ex.unbroadcast(grad, ()), np.asarray(grad.sum()), "a scalar, shape ()")


def test_add_backward_worked_example(ex) -> None:
    """add_backward of a (2, 3) matrix plus a (3,) row: the row's gradient sums the rows.

    Hint: grad_a = unbroadcast(grad_out, a_shape), grad_b = unbroadcast(grad_out, b_shape);
    the (3,) row was added to both rows, so its gradient is grad_out.sum(axis=0).
    """
    grad_out = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    grad_a, grad_b = ex.add_backward((2, 3), (3,), grad_out)
    assert_grad(grad_a, grad_out, "grad_a")
    assert_grad(grad_b, np.array([5.0, 7.0, 9.0]), "grad_b")


def test_add_backward_broadcasting_cases(ex) -> None:
    """add_backward equals torch for (3,1)+(1,4), (2,3)+(3,), a scalar, and batch shapes.

    Hint: both sides get grad_out, each summed down to its own shape; a column (3, 1)
    plus a row (1, 4) makes a (3, 4) grid, so the column sums over axis 1 and the row
    over axis 0; a scalar (shape ()) gets the sum of everything.
    """
    rng = np.random.default_rng(31)
    cases = [((3, 1), (1, 4)), ((2, 3), (3,)), ((), (2, 3)), ((5, 1, 3), (4, 1)), ((2, 3), ())]
    for a_shape, b_shape in cases:
        a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
        grad_out = rng.normal(size=np.broadcast_shapes(a_shape, b_shape))
        expected_a, expected_b = torch_grads(torch.add, [a, b], grad_out)
        grad_a, grad_b = ex.add_backward(a_shape, b_shape, grad_out)
        assert_grad(grad_a, expected_a, f"grad_a for {a_shape} + {b_shape}")
        assert_grad(grad_b, expected_b, f"grad_b for {a_shape} + {b_shape}")


def test_matmul_backward_worked_example(ex) -> None:
    """matmul_backward of a (1, 2) row times a (2, 1) column, small enough to do by hand.

    Hint: out = 1*3 + 2*4, so d out / d a = [3, 4] (b, laid out as a row) and
    d out / d b = [1, 2] (a, laid out as a column): grad_out @ b.T and a.T @ grad_out.
    """
    grad_a, grad_b = ex.matmul_backward(
        np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]), np.array([[1.0]])
    )
    assert_grad(grad_a, np.array([[3.0, 4.0]]), "grad_a")
    assert_grad(grad_b, np.array([[1.0], [2.0]]), "grad_b")


def test_matmul_backward_matrices(ex) -> None:
    """matmul_backward equals torch on random matrices of several shapes.

    Hint: grad_a = grad_out @ b.T has a's shape (n, k), grad_b = a.T @ grad_out has b's
    shape (k, m); if the shapes do not fit, the transpose is on the wrong side.
    """
    rng = np.random.default_rng(32)
    for n, k, m in [(3, 4, 5), (1, 6, 2), (7, 1, 3), (4, 4, 4)]:
        a, b, grad_out = rng.normal(size=(n, k)), rng.normal(size=(k, m)), rng.normal(size=(n, m))
        expected_a, expected_b = torch_grads(torch.matmul, [a, b], grad_out)
        grad_a, grad_b = ex.matmul_backward(a, b, grad_out)
        assert_grad(grad_a, expected_a, f"grad_a for ({n}, {k}) @ ({k}, {m})")
        assert_grad(grad_b, expected_b, f"grad_b for ({n}, {k}) @ ({k}, {m})")


def test_matmul_backward_batched(ex) -> None:
    """matmul_backward equals torch on batches of matrices, (2, 5, 3, 4) @ (2, 5, 4, 6).

    Hint: .T reverses *all* axes; transpose only the last two, np.swapaxes(b, -1, -2),
    so each matrix of the batch is transposed in place.
    """
    rng = np.random.default_rng(33)
    a, b = rng.normal(size=(2, 5, 3, 4)), rng.normal(size=(2, 5, 4, 6))
    grad_out = rng.normal(size=(2, 5, 3, 6))
    expected_a, expected_b = torch_grads(torch.matmul, [a, b], grad_out)
    grad_a, grad_b = ex.matmul_backward(a, b, grad_out)
    assert_grad(grad_a, expected_a, "grad_a")
    assert_grad(grad_b, expected_b, "grad_b")


def test_matmul_backward_shared_matrix(ex) -> None:
    """matmul_backward sums over the batch when one matrix serves the whole batch.

    Hint: in (8, 3, 4) @ (4, 6) the weight (4, 6) is used by all 8 batch entries, so
    a^T @ grad_out has shape (8, 4, 6): unbroadcast it to b's shape (sum over the batch).
    """
    rng = np.random.default_rng(34)
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


def test_softmax_backward_last_axis(ex) -> None:
    """softmax_backward gives the worked example and equals torch on (4, 7) scores.

    Hint: sum_i grad_out_i * y_i (delta_ij - y_j) = y_j * (grad_out_j - sum_i grad_out_i
    y_i): compute the sum along axis with keepdims=True so it broadcasts back.
    """
    assert_grad(
        ex.softmax_backward(np.array([0.5, 0.5]), np.array([1.0, 0.0])),
        np.array([0.25, -0.25]),
        "the worked example",
    )
    rng = np.random.default_rng(35)
    x, grad_out = rng.normal(size=(4, 7)) * 2, rng.normal(size=(4, 7))
    (expected,) = torch_grads(lambda t: torch.softmax(t, -1), [x], grad_out)
    assert_grad(ex.softmax_backward(softmax(x), grad_out), expected, "grad_x")


def test_softmax_backward_other_axes(ex) -> None:
    """softmax_backward honours axis: softmax over axis 0 and axis 1 of a (3, 4, 5) array.

    Hint: the sum in the rule runs along the softmax's own axis, sum(axis=axis,
    keepdims=True), not always along the last one.
    """
    rng = np.random.default_rng(36)
    x, grad_out = rng.normal(size=(3, 4, 5)), rng.normal(size=(3, 4, 5))
    for axis in (0, 1, -1):
        (expected,) = torch_grads(lambda t, axis=axis: torch.softmax(t, axis), [x], grad_out)
        result = ex.softmax_backward(softmax(x, axis), grad_out, axis=axis)
        assert_grad(result, expected, f"grad_x for axis={axis}")


def test_softmax_backward_finite_differences(ex) -> None:
    """softmax_backward agrees with central finite differences of sum(grad_out * softmax(x)).

    Hint: the gradient of a softmax sums to 0 along its axis (adding a constant to every
    score changes nothing); if yours does not, the - sum(grad_out * y) term is missing.
    """
    rng = np.random.default_rng(37)
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
