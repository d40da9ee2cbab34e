"""Tests for nlpjourney.autograd.tensor (with pointwise, reductions and shape operations).

Every operation goes through one helper, :func:`helper_test_op`: the same random float64
inputs feed an operation written for PyTorch and for us, and values and gradients (for a
random upstream gradient) must agree with ``torch.testing.assert_close``. Then the
engine's own behaviour: accumulation, no_grad, deep graphs, dtypes, error messages, and a
hypothesis property that finite differences agree with ``backward()`` on random graphs.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from nlpjourney.autograd import Tensor, gradcheck, is_grad_enabled, no_grad


def helper_test_op(
    shapes: Sequence[tuple[int, ...]],
    torch_fn: Callable[..., torch.Tensor],
    ours_fn: Callable[..., Tensor] | None = None,
    low: float = -2.0,
    high: float = 2.0,
    seed: int = 0,
) -> None:
    """Check values and gradients of ``ours_fn`` against ``torch_fn`` at float64.

    ``ours_fn`` defaults to ``torch_fn`` for operations spelled the same in both worlds
    (``lambda x, y: x @ y``). The inputs are uniform on ``[low, high)``; the upstream
    gradient is random, so every entry of the Jacobian matters.
    """
    ours_fn = ours_fn or torch_fn
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(low, high, size=shape) for shape in shapes]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]

    expected, got = torch_fn(*theirs), ours_fn(*ours)
    assert isinstance(got, Tensor)
    assert got.shape == tuple(expected.shape)
    assert got.dtype == np.float64
    assert_close(torch.from_numpy(np.array(got.data)), expected.detach())

    upstream = rng.standard_normal(tuple(expected.shape))
    expected.backward(torch.from_numpy(upstream))
    got.backward(upstream)
    for i, (t, o) in enumerate(zip(theirs, ours, strict=True)):
        if t.grad is None:
            assert o.grad is None or not o.grad.any(), f"input {i} should get no gradient"
            continue
        assert o.grad is not None, f"input {i} got no gradient"
        assert o.grad.shape == o.shape
        assert_close(torch.from_numpy(o.grad), t.grad, msg=lambda m, i=i: f"input {i}: {m}")


BROADCAST_PAIRS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((2, 3, 1), (3, 4)),
    ((3, 1), (1, 4)),
    ((), (2, 3)),
    ((2, 1, 4), (1,)),
]


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=str)
@pytest.mark.parametrize(
    "op",
    [
        lambda x, y: x + y,
        lambda x, y: x - y,
        lambda x, y: x * y,
        lambda x, y: x / (y * y + 0.5),
        lambda x, y: x * x + y * x,  # x used three times: gradients accumulate
    ],
    ids=["add", "sub", "mul", "div", "reuse"],
)
def test_tensor_binary_ops_broadcast_like_torch(op, shapes) -> None:
    helper_test_op(shapes, op)


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=str)
def test_tensor_pow_of_two_tensors_matches_torch(shapes) -> None:
    helper_test_op(shapes, lambda x, y: x**y, low=0.5, high=2.0)


@pytest.mark.parametrize(
    "name, torch_fn, ours_fn",
    [
        ("radd", lambda x: 3 + x, None),
        ("rsub", lambda x: 1.5 - x, None),
        ("rmul", lambda x: -2 * x, None),
        ("rdiv", lambda x: 2.0 / x, None),
        ("rpow", lambda x: 2.0**x, None),
        ("neg", lambda x: -x, None),
        ("square", lambda x: x**2, None),
        ("cube", lambda x: x**3, None),
        ("sqrt", lambda x: x**0.5, None),
        ("inverse_power", lambda x: x**-1.5, None),
        ("array_left", lambda x: torch.tensor(np.arange(4.0)) * x, lambda x: np.arange(4.0) * x),
        ("array_right", lambda x: x - torch.tensor(np.arange(4.0)), lambda x: x - np.arange(4.0)),
        ("array_div", lambda x: torch.tensor(np.arange(4.0)) / x, lambda x: np.arange(4.0) / x),
    ],
)
def test_tensor_ops_with_numbers_and_arrays_match_torch(name, torch_fn, ours_fn) -> None:
    helper_test_op([(3, 4)], torch_fn, ours_fn, low=0.5, high=2.0)


@pytest.mark.parametrize(
    "shapes",
    [
        ((3, 4), (4, 5)),
        ((4,), (4, 5)),
        ((3, 4), (4,)),
        ((4,), (4,)),
        ((2, 3, 4), (4, 5)),
        ((2, 3, 4), (2, 4, 5)),
        ((2, 1, 3, 4), (5, 4, 2)),
        ((4,), (2, 4, 3)),
        ((2, 3, 4), (4,)),
    ],
    ids=str,
)
def test_tensor_matmul_matches_torch(shapes) -> None:
    helper_test_op(shapes, lambda x, y: x @ y)


def test_tensor_rmatmul_with_array_matches_torch() -> None:
    m = np.arange(12.0).reshape(3, 4)
    helper_test_op([(4, 2)], lambda x: torch.tensor(m) @ x, lambda x: m @ x)


@pytest.mark.parametrize(
    "name, low",
    [("exp", -2), ("log", 0.1), ("tanh", -3), ("sigmoid", -6), ("relu", -2), ("gelu", -4)],
)
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)], ids=str)
def test_tensor_pointwise_matches_torch(name, low, shape) -> None:
    torch_fn = {
        "gelu": torch.nn.functional.gelu,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
    }.get(name, lambda x: getattr(x, name)())
    helper_test_op(
        [shape], torch_fn, lambda x: getattr(x, name)(), low=low, high=abs(low) if low < 0 else 3.0
    )


def test_tensor_sigmoid_is_finite_for_huge_inputs() -> None:
    x = Tensor(np.array([-1000.0, 0.0, 1000.0], dtype=np.float32), requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = x.sigmoid()
    np.testing.assert_array_equal(y.data, [0.0, 0.5, 1.0])
    assert y.dtype == np.float32


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "max"])
def test_tensor_reductions_match_torch(name, axis, keepdims) -> None:
    def torch_fn(x: torch.Tensor) -> torch.Tensor:
        dim = tuple(range(x.ndim)) if axis is None else axis
        if name == "max":
            return torch.amax(x, dim=dim, keepdim=keepdims)
        return getattr(x, name)(dim=dim, keepdim=keepdims)

    helper_test_op([(2, 3, 4)], torch_fn, lambda x: getattr(x, name)(axis, keepdims))


@pytest.mark.parametrize("axis", [None, 1])
def test_tensor_max_splits_gradient_between_ties_like_torch_amax(axis) -> None:
    data = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    ours = Tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    ours.max(axis).sum().backward()
    (theirs.max() if axis is None else theirs.amax(dim=axis)).sum().backward()
    assert_close(torch.from_numpy(ours.grad), theirs.grad)


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_tensor_softmax_family_matches_torch(name, axis) -> None:
    helper_test_op(
        [(2, 3, 5)], lambda x: getattr(x, name)(dim=axis), lambda x: getattr(x, name)(axis)
    )


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_tensor_softmax_family_is_stable_on_huge_logits(name) -> None:
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        ours = getattr(Tensor(logits), name)(-1).data
    expected = getattr(torch.tensor(logits), name)(-1).numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "name, torch_fn, ours_fn",
    [
        ("reshape", lambda x: x.reshape(4, 6), lambda x: x.reshape(4, 6)),
        ("reshape_tuple", lambda x: x.reshape(-1), lambda x: x.reshape((-1,))),
        ("transpose", lambda x: x.permute(2, 0, 1), lambda x: x.transpose(2, 0, 1)),
        ("transpose_none", lambda x: x.permute(2, 1, 0), lambda x: x.transpose()),
        ("T", lambda x: x.permute(2, 1, 0), lambda x: x.T),
        ("slice", lambda x: x[1:, ::2], None),
        ("ellipsis", lambda x: x[..., 0], None),
        ("int", lambda x: x[1], None),
        ("newaxis", lambda x: x[None, :, 1], None),
        ("negative_step", lambda x: x[:, ::-1], lambda x: x[:, ::-1]),
        ("ints_repeated", lambda x: x[[0, 1, 0, 0]], None),
        ("ints_2d", lambda x: x[np.array([[0, 1], [1, 1]])], None),
        ("ints_second_axis", lambda x: x[:, [2, 2, 0]], None),
        ("ints_pairs", lambda x: x[[0, 1, 1], [2, 2, 0]], None),
    ],
)
def test_tensor_shape_ops_match_torch(name, torch_fn, ours_fn) -> None:
    if name == "negative_step":  # torch has no negative steps; flip is the same thing
        torch_fn = lambda x: x.flip(1)  # noqa: E731
    helper_test_op([(2, 3, 4)], torch_fn, ours_fn)


def test_tensor_keeps_float32_and_promotes_ints_to_float64() -> None:
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(3).dtype == np.float64
    assert Tensor([1, 2], dtype=np.int64).dtype == np.int64
    for y in (x * 2, 2.5 / x, x**2, x - 1, (x @ x), x.gelu(), x.softmax(0), x.mean()):
        assert y.dtype == np.float32, y
    (x * 3).sum().backward()
    assert x.grad.dtype == np.float32


def test_tensor_gradients_accumulate_across_backward_calls() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    for _ in range(2):
        (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])
    x.zero_grad()
    assert x.grad is None


def test_tensor_shared_gradient_array_is_not_corrupted() -> None:
    # a + b hands the same gradient array to both sides; accumulating into one of them in
    # place must not change the other.
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    s = a + b
    (s + a + s * 2).sum().backward()
    np.testing.assert_array_equal(a.grad, [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(b.grad, [3.0, 3.0, 3.0])


def test_tensor_intermediates_keep_grad_only_when_asked() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True)
    h = (x * 3).retain_grad()
    y = (x * 3) * 2
    (h.sum() + y.sum()).backward()
    np.testing.assert_array_equal(h.grad, [1.0, 1.0])
    assert y.grad is None


def test_tensor_no_grad_records_nothing() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2
    assert is_grad_enabled()
    assert not y.requires_grad and y._parents == ()
    assert (x * 2).requires_grad


def test_tensor_no_grad_works_as_decorator() -> None:
    @no_grad()
    def predict(t: Tensor) -> Tensor:
        return t.exp()

    assert not predict(Tensor([0.0], requires_grad=True)).requires_grad


def test_tensor_deep_graph_does_not_hit_recursion_limit() -> None:
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y + 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0])


def test_tensor_detach_item_numpy() -> None:
    x = Tensor([[2.0]], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.data is x.data
    assert x.item() == 2.0 and isinstance(x.item(), float)
    assert x.numpy() is x.data
    assert x.shape == (1, 1) and x.ndim == 2 and len(x) == 1


def test_tensor_constant_inputs_get_no_gradient() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("op, symbol", [(lambda a, b: a + b, "+"), (lambda a, b: a * b, "*")])
def test_tensor_shape_mismatch_names_op_and_shapes(op, symbol) -> None:
    with pytest.raises(
        ValueError, match=rf"\{symbol}: shapes \(2, 3\) and \(4,\) do not broadcast"
    ):
        op(Tensor(np.ones((2, 3))), Tensor(np.ones(4)))


def test_tensor_matmul_mismatch_names_shapes() -> None:
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3\) and \(4, 5\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))


def test_tensor_backward_on_non_scalar_says_what_to_pass() -> None:
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*\.sum\(\)\.backward\(\).*ones_like"):
        (x * 2).backward()


def test_tensor_backward_checks_gradient_shape() -> None:
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(
        ValueError, match=r"grad has shape \(3,\) but the tensor has shape \(2, 3\)"
    ):
        (x * 2).backward(np.ones(3))


def test_tensor_backward_without_requires_grad_explains() -> None:
    with pytest.raises(ValueError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


def test_tensor_bad_construction_messages() -> None:
    with pytest.raises(TypeError, match="detach"):
        Tensor(Tensor([1.0]))
    with pytest.raises(TypeError, match="only float tensors can require gradients"):
        Tensor([1, 2], dtype=np.int64, requires_grad=True)
    with pytest.raises(
        ValueError, match=r"reshape: cannot reshape a tensor of shape \(6,\) .* into \(4, 2\)"
    ):
        Tensor(np.ones(6)).reshape(4, 2)
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        Tensor(np.ones((2, 3))).sum(axis=3)


# --- property: finite differences agree with backward on random graphs ------------------

N = 3
_PERMUTATION = np.array([2, 0, 0])
_MATRIX = np.random.default_rng(1).standard_normal((N, N))

# Smooth operations that keep the shape (N, N), so any sequence of them composes. Binary
# operations take the second input ``y``.
RANDOM_GRAPH_OPS: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "tanh": lambda x, y: x.tanh(),
    "sigmoid": lambda x, y: x.sigmoid(),
    "gelu": lambda x, y: x.gelu(),
    "exp_small": lambda x, y: (x * 0.3).exp(),
    "log_positive": lambda x, y: (x * x + 1.0).log(),
    "add": lambda x, y: x + y,
    "sub_row": lambda x, y: x - y[0],
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / (y * y + 1.0),
    "square": lambda x, y: x**2,
    "matmul": lambda x, y: x @ y,
    "matmul_const": lambda x, y: _MATRIX @ x,
    "transpose": lambda x, y: x.T,
    "softmax": lambda x, y: x.softmax(0),
    "log_softmax": lambda x, y: x.log_softmax(-1),
    "centre": lambda x, y: x - x.mean(axis=1, keepdims=True),
    "scale_by_sum": lambda x, y: x * x.sum(axis=0),
    "gather_rows": lambda x, y: x[_PERMUTATION],
    "reshape_roundtrip": lambda x, y: x.reshape(-1).reshape(N, N),
}


@settings(max_examples=60)
@given(
    ops=st.lists(st.sampled_from(sorted(RANDOM_GRAPH_OPS)), min_size=1, max_size=6),
    values=st.lists(st.floats(-1.0, 1.0), min_size=2 * N * N, max_size=2 * N * N),
)
def test_tensor_random_graphs_pass_gradcheck(ops, values) -> None:
    x = Tensor(np.array(values[: N * N]).reshape(N, N))
    y = Tensor(np.array(values[N * N :]).reshape(N, N))

    def f(x: Tensor, y: Tensor) -> Tensor:
        for name in ops:
            x = RANDOM_GRAPH_OPS[name](x, y)
        return x

    result = gradcheck(f, [x, y], atol=1e-6, rtol=1e-4)
    assert result.passed, f"{ops}\n{result.report}"


def test_tensor_engine_does_not_import_torch() -> None:
    # From scratch: torch is for the tests and benchmarks only.
    code = "import sys, nlpjourney.autograd; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
