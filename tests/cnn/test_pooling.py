"""Tests for nlpjourney.cnn.pooling: max-over-time equals ``amax`` over the real positions,
padding never wins whatever it holds (a property), the gradient goes to the winner only,
and bad input raises clear errors."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from nlpjourney.cnn import max_over_time


@given(
    lengths=st.lists(st.integers(1, 9), min_size=1, max_size=4),
    extra=st.integers(0, 3), channels=st.integers(1, 5), seed=st.integers(0, 2**16),
    junk=st.sampled_from([0.0, 1e6, -1e6, float("inf")]),
)  # fmt: skip
def test_pooling_padding_never_wins(
    lengths: list[int], extra: int, channels: int, seed: int, junk: float
) -> None:
    """Whatever the padding holds (even +inf), the result is the max of the real positions."""
    generator = torch.Generator().manual_seed(seed)
    t = max(lengths) + extra
    h = torch.randn(len(lengths), channels, t, generator=generator, dtype=torch.float64)
    for row, n in enumerate(lengths):
        h[row, :, n:] = junk
    pooled = max_over_time(h, torch.tensor(lengths))
    expected = torch.stack([h[row, :, :n].amax(dim=1) for row, n in enumerate(lengths)])
    assert torch.equal(pooled, expected)
    assert torch.equal(max_over_time(h, lengths), pooled)  # a list of ints is fine too


def test_pooling_without_lengths_is_the_max_over_time() -> None:
    h = torch.randn(3, 4, 7)
    assert torch.equal(max_over_time(h), h.amax(dim=2))


def test_pooling_gradient_goes_only_to_the_winner() -> None:
    h = torch.tensor([[[1.0, 4.0, 4.0, 9.0], [2.0, -1.0, 0.5, 8.0]]], requires_grad=True)
    pooled = max_over_time(h, torch.tensor([3]))  # the last step is padding
    pooled.backward(torch.tensor([[10.0, 20.0]]))
    # channel 0: a tie between t=1 and t=2 goes to the first; channel 1: t=0 wins
    expected = torch.tensor([[[0.0, 10.0, 0.0, 0.0], [20.0, 0.0, 0.0, 0.0]]])
    assert torch.equal(h.grad, expected)


@given(seed=st.integers(0, 2**16), length=st.integers(1, 6))
def test_pooling_gradient_is_one_hot_at_the_argmax(seed: int, length: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    h = torch.randn(2, 3, 6, generator=generator, dtype=torch.float64, requires_grad=True)
    lengths = torch.tensor([length, 6])
    max_over_time(h, lengths).sum().backward()
    real = h.detach().masked_fill(torch.arange(6) >= lengths[:, None, None], float("-inf"))
    winners = real.argmax(dim=2, keepdim=True)
    expected = torch.zeros_like(h).scatter_(2, winners, 1.0)
    assert torch.equal(h.grad, expected)


@pytest.mark.parametrize(
    ("h", "lengths", "error", "words"),
    [
        ([[1.0]], None, TypeError, "torch tensor"),
        (torch.randn(2, 3), None, ValueError, "batch, channels, time"),
        (torch.randn(2, 3, 0), None, ValueError, "time >= 1"),
        (torch.randn(2, 3, 4), [1, 2, 3], ValueError, "one length per sequence"),
        (torch.randn(2, 3, 4), [0, 2], ValueError, "between 1 and 4"),
        (torch.randn(2, 3, 4), [5, 2], ValueError, "between 1 and 4"),
        (torch.randn(2, 3, 4), [1.5, 2.0], TypeError, "integers"),
    ],
)
def test_pooling_bad_input_raises_clear_errors(h, lengths, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        max_over_time(h, lengths)
