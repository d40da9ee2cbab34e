"""Tests for nlpjourney.cnn.conv: ``conv1d`` and ``Conv1d`` equal torch's in values and
gradients (float32 and float64, stride, padding, dilation, hypothesis over shapes), the
column layout of ``unfold1d`` equals ``torch.nn.functional.unfold``'s, and bad input
raises clear errors."""

from __future__ import annotations

import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st

from nlpjourney.cnn import Conv1d, conv1d, output_length, unfold1d

TOLERANCE = {torch.float32: {"atol": 1e-5, "rtol": 1e-5},
             torch.float64: {"atol": 1e-12, "rtol": 1e-12}}  # fmt: skip


def check_against_torch(
    shape: tuple[int, int, int, int, int],
    stride: int,
    padding: int | str,
    dilation: int,
    bias: bool,
    dtype: torch.dtype,
    seed: int = 0,
) -> None:
    """Ours and torch's conv1d on the same input: outputs and every gradient."""
    batch, c_in, length, c_out, k = shape
    generator = torch.Generator().manual_seed(seed)

    def leaf(*size: int) -> torch.Tensor:
        return torch.randn(*size, generator=generator, dtype=dtype).requires_grad_()

    x, weight = leaf(batch, c_in, length), leaf(c_out, c_in, k)
    b = leaf(c_out) if bias else None
    ours = conv1d(x, weight, b, stride=stride, padding=padding, dilation=dilation)
    theirs = torch.nn.functional.conv1d(
        x, weight, b, stride=stride, padding=padding, dilation=dilation
    )
    torch.testing.assert_close(ours, theirs, **TOLERANCE[dtype])
    upstream = torch.randn(theirs.shape, generator=generator, dtype=dtype)
    inputs = [x, weight] + ([b] if bias else [])
    ours_grads = torch.autograd.grad(ours, inputs, upstream)
    theirs_grads = torch.autograd.grad(theirs, inputs, upstream)
    for mine, reference in zip(ours_grads, theirs_grads, strict=True):
        torch.testing.assert_close(mine, reference, **TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    ("stride", "padding", "dilation"),
    [(1, 0, 1), (2, 1, 1), (1, 2, 3), (3, 0, 2), (1, "same", 2), (1, "valid", 1)],
)
def test_conv_conv1d_equals_torch_values_and_gradients(
    dtype: torch.dtype, stride: int, padding: int | str, dilation: int
) -> None:
    check_against_torch((3, 5, 17, 7, 4), stride, padding, dilation, True, dtype)


@given(
    batch=st.integers(1, 3), c_in=st.integers(1, 6), c_out=st.integers(1, 6),
    k=st.integers(1, 5), extra=st.integers(0, 12), stride=st.integers(1, 3),
    padding=st.integers(0, 3), dilation=st.integers(1, 3), bias=st.booleans(),
    double=st.booleans(), seed=st.integers(0, 2**16),
)  # fmt: skip
@example(batch=1, c_in=1, c_out=1, k=1, extra=0, stride=1, padding=0, dilation=1, bias=False,
         double=False, seed=0)  # fmt: skip
@example(batch=2, c_in=3, c_out=2, k=5, extra=0, stride=3, padding=0, dilation=3, bias=True,
         double=True, seed=1)  # the window is exactly the input  # fmt: skip
def test_conv_conv1d_equals_torch_over_shapes(
    batch: int, c_in: int, c_out: int, k: int, extra: int, stride: int, padding: int,
    dilation: int, bias: bool, double: bool, seed: int,
) -> None:  # fmt: skip
    # The shortest input a window fits in, plus ``extra`` steps (less the padding).
    length = max(1, dilation * (k - 1) + 1 - 2 * padding + extra)
    dtype = torch.float64 if double else torch.float32
    check_against_torch((batch, c_in, length, c_out, k), stride, padding, dilation, bias, dtype,
                        seed)  # fmt: skip


@given(
    c=st.integers(1, 4), length=st.integers(1, 12), k=st.integers(1, 4),
    stride=st.integers(1, 3), padding=st.integers(0, 2), dilation=st.integers(1, 3),
)  # fmt: skip
def test_conv_unfold1d_layout_equals_torch_unfold(
    c: int, length: int, k: int, stride: int, padding: int, dilation: int
) -> None:
    """A (B, C, T) sequence is a (B, C, 1, T) image; torch's unfold with a (1, k) kernel."""
    x = torch.randn(2, c, length, dtype=torch.float64)
    if length + 2 * padding < dilation * (k - 1) + 1:
        with pytest.raises(ValueError, match="longer than the padded input"):
            unfold1d(x, k, stride, padding, dilation)
        return
    ours = unfold1d(x, k, stride=stride, padding=padding, dilation=dilation)
    theirs = torch.nn.functional.unfold(
        x.unsqueeze(2), (1, k), dilation=(1, dilation), padding=(0, padding), stride=(1, stride)
    )
    assert ours.shape == (2, c * k, output_length(length, k, stride, padding, dilation))
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)


def test_conv_unfold1d_rows_are_channel_major() -> None:
    """Row c*k + j of column t is channel c at step t + j."""
    x = torch.tensor([[[10.0, 11.0, 12.0, 13.0], [20.0, 21.0, 22.0, 23.0]]])
    cols = unfold1d(x, kernel_size=3)
    expected = torch.tensor([[10.0, 11.0], [11.0, 12.0], [12.0, 13.0],
                             [20.0, 21.0], [21.0, 22.0], [22.0, 23.0]])  # fmt: skip
    assert torch.equal(cols[0], expected)


def test_conv_conv1d_takes_one_unbatched_sequence() -> None:
    x, weight = torch.randn(3, 9), torch.randn(4, 3, 2)
    torch.testing.assert_close(conv1d(x, weight, padding=1),
                               torch.nn.functional.conv1d(x, weight, padding=1))  # fmt: skip


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_conv_module_loads_torch_state_and_matches_it(dtype: torch.dtype) -> None:
    theirs = torch.nn.Conv1d(6, 5, 3, stride=2, padding=1, dilation=2, dtype=dtype)
    ours = Conv1d(6, 5, 3, stride=2, padding=1, dilation=2, dtype=dtype)
    ours.load_state_dict(theirs.state_dict())
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    x = torch.randn(4, 6, 20, dtype=dtype, requires_grad=True)
    out_ours, out_theirs = ours(x), theirs(x)
    torch.testing.assert_close(out_ours, out_theirs, **TOLERANCE[dtype])
    upstream = torch.randn_like(out_theirs)
    grads_ours = torch.autograd.grad(out_ours, [x, ours.weight, ours.bias], upstream)
    grads_theirs = torch.autograd.grad(out_theirs, [x, theirs.weight, theirs.bias], upstream)
    for mine, reference in zip(grads_ours, grads_theirs, strict=True):
        torch.testing.assert_close(mine, reference, **TOLERANCE[dtype])


@pytest.mark.parametrize("bias", [True, False])
def test_conv_module_initialises_as_torch(bias: bool) -> None:
    """The same seed draws the same weights and bias as torch.nn.Conv1d, bit for bit."""
    torch.manual_seed(3)
    ours = Conv1d(7, 11, 5, bias=bias)
    torch.manual_seed(3)
    theirs = torch.nn.Conv1d(7, 11, 5, bias=bias)
    assert torch.equal(ours.weight, theirs.weight)
    assert (ours.bias is None) == (theirs.bias is None)
    if bias:
        assert torch.equal(ours.bias, theirs.bias)


def test_conv_double_backward_matches_finite_differences() -> None:
    """gradcheck: our backward (unfold's view + matmul) against finite differences."""
    x = torch.randn(2, 3, 8, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(4, 3, 3, dtype=torch.float64, requires_grad=True)
    bias = torch.randn(4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda a, w, b: conv1d(a, w, b, stride=2, padding=1, dilation=2), (x, weight, bias)
    )


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: conv1d(torch.randn(2, 3, 8), torch.randn(4, 5, 3)), ValueError, "3 channels"),
        (lambda: conv1d(torch.randn(2, 3, 2), torch.randn(4, 3, 3)), ValueError, "spans 3 steps"),
        (lambda: conv1d(torch.randn(2, 3, 8, 1), torch.randn(4, 3, 3)), ValueError,
         "batch, channels, length"),
        (lambda: conv1d(torch.randn(2, 3, 8), torch.randn(4, 3)), ValueError, "out, in, kernel"),
        (lambda: conv1d(torch.randn(2, 3, 8), torch.randn(4, 3, 3), torch.randn(3)), ValueError,
         "bias must be"),
        (lambda: conv1d(torch.randn(2, 3, 8), torch.randn(4, 3, 3), stride=0), ValueError,
         "stride must be at least 1"),
        (lambda: conv1d(torch.randn(2, 3, 8), torch.randn(4, 3, 3), padding=-1), ValueError,
         "padding must be at least 0"),
        (lambda: conv1d(torch.randn(2, 3, 8), torch.randn(4, 3, 3), padding="full"), ValueError,
         "'valid' or 'same'"),
        (lambda: conv1d(torch.randn(2, 3, 8), torch.randn(4, 3, 3), stride=2,
                        padding="same"), ValueError,
         "needs stride=1"),
        (lambda: unfold1d([[1.0, 2.0]], 1), TypeError, "torch tensor"),
        (lambda: unfold1d(torch.randn(1, 1, 4), 2.5), TypeError, "kernel_size must be an int"),
        (lambda: Conv1d(0, 4, 3), ValueError, "in_channels must be at least 1"),
    ],
)  # fmt: skip
def test_conv_bad_input_raises_clear_errors(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()
