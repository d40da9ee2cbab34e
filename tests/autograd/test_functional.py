"""Tests for nlpjourney.autograd.functional and gradcheck: parity with torch.nn.functional.

Cross-entropy, linear, concatenate and stack go through the same values-and-gradients
helper as every Tensor operation; then the bad-input messages, and gradcheck's own
behaviour (it must catch a wrong backward).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as torch_F
from torch.testing import assert_close

from nlpjourney.autograd import Tensor, gradcheck
from nlpjourney.autograd import functional as F

from .test_tensor import helper_test_op

TARGETS = np.array([0, 3, 4, 3, 1, 2])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("ignore", [False, True])
def test_functional_cross_entropy_matches_torch(reduction, label_smoothing, ignore) -> None:
    targets = TARGETS.copy()
    if ignore:
        targets[[1, 4]] = -100
    helper_test_op(
        [(6, 5)],
        lambda z: torch_F.cross_entropy(
            z, torch.from_numpy(targets), reduction=reduction, label_smoothing=label_smoothing
        ),
        lambda z: F.cross_entropy(z, targets, reduction=reduction, label_smoothing=label_smoothing),
        low=-4,
        high=4,
    )


def test_functional_cross_entropy_custom_ignore_index_matches_torch() -> None:
    targets = np.array([0, 7, 2, 7])
    helper_test_op(
        [(4, 3)],
        lambda z: torch_F.cross_entropy(z, torch.from_numpy(targets), ignore_index=7),
        lambda z: F.cross_entropy(z, targets, ignore_index=7),
    )


def test_functional_cross_entropy_is_stable_on_huge_logits() -> None:
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]])
    targets = np.array([2, 0])
    z = Tensor(logits, requires_grad=True)
    loss = F.cross_entropy(z, targets)
    loss.backward()
    expected = torch.tensor(logits, requires_grad=True)
    torch_F.cross_entropy(expected, torch.from_numpy(targets)).backward()
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(2e4)
    assert_close(torch.from_numpy(z.grad), expected.grad)


def test_functional_cross_entropy_all_ignored_is_nan_like_torch() -> None:
    loss = F.cross_entropy(Tensor(np.zeros((2, 3))), np.array([-100, -100]))
    assert np.isnan(loss.item())


def test_functional_cross_entropy_uniform_logits_cost_log_classes() -> None:
    loss = F.cross_entropy(Tensor(np.zeros((3, 4))), np.array([0, 1, 2]))
    assert loss.item() == pytest.approx(np.log(4))


def test_functional_cross_entropy_keeps_float32() -> None:
    z = Tensor(np.zeros((2, 3), dtype=np.float32), requires_grad=True)
    loss = F.cross_entropy(z, np.array([0, 1]))
    loss.backward()
    assert loss.dtype == np.float32 and z.grad.dtype == np.float32


def test_functional_cross_entropy_rejects_float_targets() -> None:
    with pytest.raises(TypeError, match="targets must be integer class indices, got dtype float64"):
        F.cross_entropy(Tensor(np.zeros((2, 3))), np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match="integer class indices"):
        F.cross_entropy(Tensor(np.zeros((2, 3))), Tensor([0, 1]))  # Tensor() makes floats


def test_functional_cross_entropy_bad_shapes_and_classes() -> None:
    with pytest.raises(ValueError, match=r"targets have shape \(3,\) but logits have 2 rows"):
        F.cross_entropy(Tensor(np.zeros((2, 3))), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"logits of shape \(N, C\), got \(2, 3, 4\).*reshape"):
        F.cross_entropy(Tensor(np.zeros((2, 3, 4))), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"target 3 is not a class index in \[0, 3\)"):
        F.cross_entropy(Tensor(np.zeros((2, 3))), np.array([0, 3]))


@pytest.mark.parametrize("x_shape", [(5, 4), (2, 5, 4), (4,)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_functional_linear_matches_torch(x_shape, bias) -> None:
    shapes = [x_shape, (3, 4)] + ([(3,)] if bias else [])
    helper_test_op(shapes, torch_F.linear, F.linear)


def test_functional_linear_shape_mismatch_names_shapes() -> None:
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 5\) does not fit weight"):
        F.linear(Tensor(np.ones((2, 5))), Tensor(np.ones((3, 4))))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_functional_concatenate_matches_torch(axis) -> None:
    shapes = [(2, 3, 4), (2, 3, 4), (2, 3, 4)]
    helper_test_op(
        shapes,
        lambda *ts: torch.cat(ts, dim=axis),
        lambda *ts: F.concatenate(ts, axis=axis),
    )


def test_functional_concatenate_uneven_pieces_match_torch() -> None:
    helper_test_op(
        [(2, 3), (4, 3), (1, 3)],
        lambda *ts: torch.cat(ts, dim=0),
        lambda *ts: F.concatenate(ts, axis=0),
    )


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_functional_stack_matches_torch(axis) -> None:
    helper_test_op(
        [(3, 4), (3, 4)],
        lambda *ts: torch.stack(ts, dim=axis),
        lambda *ts: F.stack(ts, axis=axis),
    )


def test_functional_join_errors_name_the_shapes() -> None:
    with pytest.raises(ValueError, match=r"concatenate along axis 1: shapes \(2, 3\), \(4, 3\)"):
        F.concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((4, 3)))], axis=1)
    with pytest.raises(ValueError, match=r"stack along axis 0: shapes \(2,\), \(3,\)"):
        F.stack([Tensor(np.ones(2)), Tensor(np.ones(3))])
    with pytest.raises(ValueError, match="at least one tensor"):
        F.stack([])


# --- gradcheck ----------------------------------------------------------------------


def test_gradcheck_passes_a_correct_gradient_and_reports() -> None:
    x = Tensor(np.random.default_rng(0).standard_normal((3, 4)))
    result = gradcheck(lambda x: (x.tanh() * x).softmax(0), [x])
    assert result and result.passed
    assert result.max_abs_error < 1e-7
    assert str(result).startswith("gradcheck passed")
    assert "input 0 (3, 4): ok" in result.report


def test_gradcheck_catches_a_wrong_backward() -> None:
    def wrong_square(x: Tensor) -> Tensor:
        # value x**2, but a backward of x instead of 2x
        return x._child(x.data**2, (x,), lambda g: (g * x.data,), "wrong_square")

    result = gradcheck(wrong_square, [Tensor([1.0, 2.0, 3.0])])
    assert not result.passed
    assert "MISMATCH" in result.report and "gradcheck FAILED" in result.report
    np.testing.assert_allclose(result.numeric[0] / result.analytic[0], 2.0, rtol=1e-6)


def test_gradcheck_works_in_float64_for_float32_inputs() -> None:
    x = Tensor(np.linspace(-1, 1, 5, dtype=np.float32))
    result = gradcheck(lambda x: x.gelu().sum(), [x])
    assert result.passed and result.analytic[0].dtype == np.float64
    assert x.dtype == np.float32 and x.grad is None  # input untouched


def test_gradcheck_rejects_non_tensors() -> None:
    with pytest.raises(TypeError, match="inputs must be a non-empty sequence of Tensors"):
        gradcheck(lambda x: x, [np.ones(3)])
