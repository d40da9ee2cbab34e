"""Tests for nlpjourney.nn.positional: RoPE vs transformers' Llama and a complex-number reference,
ALiBi vs the paper and BLOOM, sinusoids vs their formula; the relative-position property of RoPE.
"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close
from transformers import LlamaConfig
from transformers.models.bloom.modeling_bloom import build_alibi_tensor
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb

from nlpjourney.nn import positional as P

F64 = torch.float64


def llama_rotary(head_dim: int, rope_parameters: dict) -> LlamaRotaryEmbedding:
    """transformers' rotary embedding for a tiny Llama with the given head size and RoPE."""
    config = LlamaConfig(
        hidden_size=head_dim * 2, num_attention_heads=2, rope_parameters=rope_parameters
    )
    return LlamaRotaryEmbedding(config)


def complex_rope(x: torch.Tensor, positions: torch.Tensor, base: float) -> torch.Tensor:
    """Interleaved RoPE as Meta's llama code writes it: pairs as complex numbers times e^(i p w)."""
    dim = x.shape[-1]
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=F64) / dim))
    rotation = torch.polar(
        torch.ones(len(positions), dim // 2, dtype=F64), positions[:, None] * inv_freq
    )
    pairs = torch.view_as_complex(x.reshape(*x.shape[:-1], dim // 2, 2).contiguous())
    return torch.view_as_real(pairs * rotation).flatten(-2)


# --- RoPE: parity -----------------------------------------------------------------------


@pytest.mark.parametrize("head_dim", [4, 16, 64])
@pytest.mark.parametrize("base", [10000.0, 500000.0])
def test_positional_rope_half_split_matches_transformers_llama(head_dim, base) -> None:
    theirs = llama_rotary(head_dim, {"rope_type": "default", "rope_theta": base})
    ours = P.RotaryEmbedding(head_dim, base)
    assert_close(ours.inv_freq, theirs.inv_freq, rtol=0, atol=0)
    gen = torch.Generator().manual_seed(0)
    q = torch.randn(2, 3, 11, head_dim, generator=gen)  # (B, nh, T, hs), float32 like HF's cos
    k = torch.randn(2, 3, 11, head_dim, generator=gen)
    positions = torch.arange(5, 16)
    cos, sin = theirs(q, positions[None])
    q_expected, k_expected = apply_rotary_pos_emb(q, k, cos, sin)
    assert_close(ours(q, positions), q_expected)
    assert_close(ours(k, positions), k_expected)


@pytest.mark.parametrize(
    "rope_parameters",
    [
        {"rope_type": "linear", "rope_theta": 10000.0, "factor": 4.0},
        {
            "rope_type": "llama3",
            "rope_theta": 500000.0,
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 64,
        },
    ],
    ids=["linear", "llama3"],
)
def test_positional_rope_scaling_matches_transformers(rope_parameters) -> None:
    head_dim = 64
    theirs = llama_rotary(head_dim, rope_parameters)
    scaling = P.RopeScaling(
        kind=rope_parameters["rope_type"],
        factor=rope_parameters["factor"],
        low_freq_factor=rope_parameters.get("low_freq_factor", 1.0),
        high_freq_factor=rope_parameters.get("high_freq_factor", 4.0),
        original_max_positions=rope_parameters.get("original_max_position_embeddings", 8192),
    )
    ours = P.RotaryEmbedding(head_dim, rope_parameters["rope_theta"], scaling=scaling)
    assert_close(ours.inv_freq, theirs.inv_freq)
    unscaled = P.rope_inv_freq(head_dim, rope_parameters["rope_theta"])
    ratio = unscaled / ours.inv_freq
    if scaling.kind == "llama3":  # all three bands occur: kept, blended, divided by 8
        assert (
            ratio.min() == 1
            and ratio.max() == pytest.approx(8)
            and ((ratio > 1.01) & (ratio < 7.99)).any()
        )
    else:
        assert_close(ratio, torch.full_like(ratio, 4.0))


def test_positional_rope_linear_scaling_is_position_interpolation() -> None:
    x = torch.randn(1, 6, 8, dtype=F64)
    scaled = P.RotaryEmbedding(8, scaling=P.RopeScaling("linear", factor=2.0))
    plain = P.RotaryEmbedding(8)
    # Position 2p with factor 2 is rotated exactly like position p without scaling.
    assert_close(scaled(x, torch.arange(0, 12, 2)), plain(x, torch.arange(6)))


@pytest.mark.parametrize("head_dim", [2, 8, 32])
def test_positional_rope_interleaved_matches_complex_reference(head_dim) -> None:
    x = torch.randn(2, 4, 9, head_dim, dtype=F64)
    positions = torch.arange(3, 12)
    ours = P.RotaryEmbedding(head_dim, 10000.0, interleaved=True)(x, positions)
    # Our inv_freq is float32 (as in transformers), the reference's float64.
    assert_close(ours, complex_rope(x, positions.to(F64), 10000.0), rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("head_dim", [4, 16])
def test_positional_rope_conventions_agree_after_permuting_dims(head_dim) -> None:
    gen = torch.Generator().manual_seed(1)
    q = torch.randn(3, 7, head_dim, generator=gen, dtype=F64)
    k = torch.randn(3, 7, head_dim, generator=gen, dtype=F64)
    positions = torch.arange(7)
    inter = P.RotaryEmbedding(head_dim, interleaved=True)
    half = P.RotaryEmbedding(head_dim, interleaved=False)
    perm = P.rope_permutation(head_dim)
    scores_inter = inter(q, positions) @ inter(k, positions).transpose(-2, -1)
    scores_half = half(q[..., perm], positions) @ half(k[..., perm], positions).transpose(-2, -1)
    assert_close(scores_half, scores_inter)
    # and the rotated vectors themselves are the same numbers, reordered
    assert_close(half(q[..., perm], positions), inter(q, positions)[..., perm])


def test_positional_rope_helpers_worked_examples() -> None:
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert P.rotate_half(x).tolist() == [-3.0, -4.0, 1.0, 2.0]
    assert P.rotate_pairs(x).tolist() == [-2.0, 1.0, -4.0, 3.0]
    assert P.rope_permutation(4).tolist() == [0, 2, 1, 3]
    assert_close(P.rope_inv_freq(4, base=100.0), torch.tensor([1.0, 0.1]))


# --- RoPE: the relative-position property ------------------------------------------------


@settings(max_examples=40)
@given(
    m=st.integers(0, 2000),
    n=st.integers(0, 2000),
    shift=st.integers(0, 2000),
    interleaved=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_positional_rope_scores_depend_only_on_position_difference(
    m, n, shift, interleaved, seed
) -> None:
    gen = torch.Generator().manual_seed(seed)
    q, k = torch.randn(2, 16, generator=gen, dtype=F64)
    rope = P.RotaryEmbedding(16, interleaved=interleaved)

    def score(i: int, j: int) -> torch.Tensor:
        return rope(q[None], torch.tensor([i])) @ rope(k[None], torch.tensor([j]))[0]

    assert_close(score(m, n), score(m + shift, n + shift))


def test_positional_rope_keeps_norms() -> None:
    x = torch.randn(5, 12, 8, dtype=F64)
    rotated = P.RotaryEmbedding(8)(x, torch.arange(12))
    assert_close(rotated.norm(dim=-1), x.norm(dim=-1))


# --- sinusoidal and learned ---------------------------------------------------------------


def test_positional_sinusoidal_values_follow_the_formula() -> None:
    table = P.sinusoidal_positions(50, 16)
    assert table.shape == (50, 16)
    for pos in (0, 1, 7, 49):
        for i in range(8):
            angle = pos / 10000 ** (2 * i / 16)
            assert table[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-7)
            assert table[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-7)
    assert table[0].tolist() == [0.0, 1.0] * 8


def test_positional_embedding_modules_look_up_positions() -> None:
    sinus = P.SinusoidalPositionalEmbedding(32, 8)
    assert_close(sinus(torch.tensor([[3, 4]])), P.sinusoidal_positions(32, 8)[3:5][None])
    assert "table" not in sinus.state_dict()
    assert_close(sinus.span(3, 2), sinus(torch.arange(3, 5)))
    assert sinus.span(32, 0).shape == (0, 8)
    learned = P.LearnedPositionalEmbedding(32, 8)
    assert_close(learned(torch.arange(4)), learned.weight[:4])
    assert learned(torch.arange(4)).requires_grad


def test_positional_positions_past_the_table_are_refused() -> None:
    with pytest.raises(ValueError, match=r"\[0, 32\).*longer than the position table"):
        P.LearnedPositionalEmbedding(32, 8)(torch.arange(33))
    with pytest.raises(ValueError, match="30..33 are past the table of 32"):
        P.SinusoidalPositionalEmbedding(32, 8).span(30, 4)
    with pytest.raises(ValueError, match="even"):
        P.sinusoidal_positions(10, 7)
    with pytest.raises(ValueError, match="even"):
        P.RotaryEmbedding(5)
    with pytest.raises(ValueError, match="head_dim=8"):
        P.RotaryEmbedding(8)(torch.randn(2, 3, 6), torch.arange(3))
    with pytest.raises(ValueError, match="high_freq_factor > low_freq_factor"):
        P.RopeScaling("llama3", factor=8.0, low_freq_factor=4.0, high_freq_factor=1.0)


# --- ALiBi ------------------------------------------------------------------------------


def test_positional_alibi_slopes_for_8_heads_are_the_papers() -> None:
    # "For 8 heads, the slopes are 1/2^1, 1/2^2, ..., 1/2^8" (Press et al., 2022, sec. 3).
    assert P.alibi_slopes(8).tolist() == [1 / 2**h for h in range(1, 9)]
    assert P.alibi_slopes(16)[:3].tolist() == pytest.approx([2**-0.5, 2**-1, 2**-1.5])


@pytest.mark.parametrize("num_heads", [1, 2, 3, 5, 6, 8, 12, 16, 24, 40])
def test_positional_alibi_slopes_match_bloom(num_heads) -> None:
    # BLOOM's bias for one sequence of length 2 is [0, slope] per head: read the slopes off it.
    bloom = build_alibi_tensor(torch.ones(1, 2), num_heads, torch.float32)[:, 0, 1]
    assert_close(P.alibi_slopes(num_heads), bloom)


@pytest.mark.parametrize(("query_len", "key_len"), [(6, 6), (1, 6), (3, 8)])
def test_positional_alibi_bias_gives_blooms_attention_weights(query_len, key_len) -> None:
    heads = 6
    slopes = P.alibi_slopes(heads).double()
    bloom = build_alibi_tensor(torch.ones(1, key_len), heads, F64)  # (H, 1, S): slope * j
    scores = torch.randn(heads, query_len, key_len, dtype=F64)
    causal = torch.ones(query_len, key_len).tril(key_len - query_len).bool()
    ours = (scores + P.alibi_bias(slopes, query_len, key_len)).masked_fill(~causal, -math.inf)
    theirs = (scores + bloom).masked_fill(~causal, -math.inf)
    # The biases differ by a constant per row, which softmax cancels.
    assert_close(ours.softmax(-1), theirs.softmax(-1))


def test_positional_alibi_bias_worked_example() -> None:
    bias = P.alibi_bias(torch.tensor([0.5]), 3, 3)
    assert bias[0].tolist() == [[0.0, 0.5, 1.0], [-0.5, 0.0, 0.5], [-1.0, -0.5, 0.0]]


def test_positional_rope_rotate_equals_forward_and_recomputes_when_asked() -> None:
    rope = P.RotaryEmbedding(8)
    x = torch.randn(2, 3, 5, 8)
    for start in (0, 7, 7, 2):  # 7 twice: the kept angles; then other positions again
        expected = rope(x, torch.arange(start, start + 5))
        assert torch.equal(rope.rotate(x, start), expected)
    # the same start with another length or dtype is another set of angles
    assert torch.equal(rope.rotate(x[..., :2, :], 2), rope(x[..., :2, :], torch.arange(2, 4)))
    assert rope.rotate(x.double(), 2).dtype == torch.float64
