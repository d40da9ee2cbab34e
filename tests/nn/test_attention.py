"""Tests for nlpjourney.nn.attention: parity with torch's SDPA, properties.

Every attention function is checked against ``torch.nn.functional.scaled_dot_product_attention``
on values and on the gradients of all three inputs at float64, through one helper. Properties
(hypothesis): future positions never change earlier outputs; blockwise equals full attention
for any block size.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from nlpjourney.nn import attention as A

F64 = torch.float64


def qkv(
    batch: tuple[int, ...], q_len: int, k_len: int, dim: int = 8, v_dim: int = 6, seed: int = 0
):
    """Random float64 query, key, value that require gradients."""
    gen = torch.Generator().manual_seed(seed)
    make = lambda *shape: torch.randn(*shape, generator=gen, dtype=F64).requires_grad_()  # noqa: E731
    return make(*batch, q_len, dim), make(*batch, k_len, dim), make(*batch, k_len, v_dim)


def check_against_torch(ours: Callable, theirs: Callable, q, k, v) -> None:
    """Values and the gradients of q, k and v agree (float64, default tolerances)."""
    out, expected = ours(q, k, v), theirs(q, k, v)
    assert out.shape == expected.shape
    assert_close(out, expected)
    grad_out = torch.randn_like(expected)
    grads = torch.autograd.grad(out, (q, k, v), grad_out)
    expected_grads = torch.autograd.grad(expected, (q, k, v), grad_out)
    for name, g, e in zip("qkv", grads, expected_grads, strict=True):
        assert_close(g, e, msg=lambda m, name=name: f"grad of {name}: {m}")


SHAPES = [((), 5, 5), ((3,), 4, 7), ((2, 3), 7, 4), ((2, 4), 1, 9), ((1, 2), 16, 16)]


@pytest.mark.parametrize(("batch", "q_len", "k_len"), SHAPES)
@pytest.mark.parametrize("is_causal", [False, True])
def test_attention_sdpa_matches_torch(batch, q_len, k_len, is_causal) -> None:
    q, k, v = qkv(batch, q_len, k_len)
    check_against_torch(
        lambda q, k, v: A.scaled_dot_product_attention(q, k, v, is_causal=is_causal),
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=is_causal),
        q,
        k,
        v,
    )


@pytest.mark.parametrize("mask_kind", ["bool", "float"])
@pytest.mark.parametrize("mask_shape", ["LS", "B1LS", "BHLS"])
def test_attention_sdpa_masks_match_torch(mask_kind, mask_shape) -> None:
    q, k, v = qkv((2, 3), 5, 6)
    gen = torch.Generator().manual_seed(1)
    shape = {"LS": (5, 6), "B1LS": (2, 1, 5, 6), "BHLS": (2, 3, 5, 6)}[mask_shape]
    mask = torch.rand(shape, generator=gen) > 0.3
    mask[..., 0] = True  # no empty rows here; those have their own test
    if mask_kind == "float":
        mask = torch.where(mask, torch.randn(shape, generator=gen, dtype=F64), float("-inf"))
    check_against_torch(
        lambda q, k, v: A.scaled_dot_product_attention(q, k, v, attn_mask=mask),
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
        q,
        k,
        v,
    )


@pytest.mark.parametrize("mask_kind", ["bool", "float"])
def test_attention_sdpa_all_masked_row_is_zero_like_torch(mask_kind) -> None:
    q, k, v = qkv((2,), 3, 4)
    mask = torch.ones(3, 4, dtype=torch.bool)
    mask[1] = False
    if mask_kind == "float":
        mask = torch.zeros(3, 4, dtype=F64).masked_fill(~mask, float("-inf"))
    ours = lambda q, k, v: A.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # noqa: E731
    check_against_torch(
        ours, lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask), q, k, v
    )
    out = ours(q, k, v)
    assert torch.all(out[:, 1] == 0) and not out.isnan().any()


def test_attention_sdpa_scale_matches_torch() -> None:
    q, k, v = qkv((2,), 4, 5)
    check_against_torch(
        lambda q, k, v: A.scaled_dot_product_attention(q, k, v, scale=0.3),
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, scale=0.3),
        q,
        k,
        v,
    )


@pytest.mark.parametrize(("q_heads", "kv_heads"), [(4, 1), (4, 2), (6, 3), (4, 4)])
@pytest.mark.parametrize("is_causal", [False, True])
def test_attention_sdpa_gqa_matches_torch(q_heads, kv_heads, is_causal) -> None:
    gen = torch.Generator().manual_seed(2)
    q = torch.randn(2, q_heads, 5, 8, generator=gen, dtype=F64, requires_grad=True)
    k = torch.randn(2, kv_heads, 7, 8, generator=gen, dtype=F64, requires_grad=True)
    v = torch.randn(2, kv_heads, 7, 4, generator=gen, dtype=F64, requires_grad=True)
    kwargs = {"is_causal": is_causal, "enable_gqa": True}
    check_against_torch(
        lambda q, k, v: A.scaled_dot_product_attention(q, k, v, **kwargs),
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kwargs),
        q,
        k,
        v,
    )


def test_attention_sdpa_dropout_draws_torchs_mask() -> None:
    q, k, v = qkv((2, 2), 6, 6)
    torch.manual_seed(7)
    ours = A.scaled_dot_product_attention(q, k, v, dropout_p=0.3)
    torch.manual_seed(7)
    expected = F.scaled_dot_product_attention(q, k, v, dropout_p=0.3)
    assert_close(ours, expected)


def test_attention_repeat_kv_heads_is_interleaved() -> None:
    q = torch.zeros(1, 4, 2, 3)
    k = torch.arange(2.0).view(1, 2, 1, 1).expand(1, 2, 2, 3)
    k4, v4 = A.repeat_kv_heads(q, k, k)
    assert k4[0, :, 0, 0].tolist() == [0.0, 0.0, 1.0, 1.0]
    assert v4.shape == (1, 4, 2, 3)


def test_attention_causal_mask_alignment() -> None:
    assert A.causal_mask(2, 3).tolist() == [[True, False, False], [True, True, False]]
    assert A.causal_mask(2, 3, offset=1).tolist() == [[True, True, False], [True, True, True]]


def test_attention_masked_softmax_handles_all_masked_rows() -> None:
    scores = torch.tensor([[0.0, 0.0], [float("-inf"), float("-inf")]])
    assert A.masked_softmax(scores).tolist() == [[0.5, 0.5], [0.0, 0.0]]


# --- blockwise -------------------------------------------------------------------------


@pytest.mark.parametrize(("batch", "q_len", "k_len"), SHAPES)
@pytest.mark.parametrize("is_causal", [False, True])
@pytest.mark.parametrize("block_size", [1, 3, 64])
def test_attention_blockwise_matches_torch(batch, q_len, k_len, is_causal, block_size) -> None:
    q, k, v = qkv(batch, q_len, k_len)
    check_against_torch(
        lambda q, k, v: A.blockwise_attention(q, k, v, block_size, is_causal=is_causal),
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=is_causal),
        q,
        k,
        v,
    )


def test_attention_blockwise_broadcasts_batch_dims_like_torch() -> None:
    gen = torch.Generator().manual_seed(3)
    q = torch.randn(2, 3, 5, 4, generator=gen, dtype=F64, requires_grad=True)
    k = torch.randn(1, 3, 6, 4, generator=gen, dtype=F64, requires_grad=True)
    v = torch.randn(3, 6, 4, generator=gen, dtype=F64, requires_grad=True)
    check_against_torch(
        lambda q, k, v: A.blockwise_attention(q, k, v, block_size=4, scale=0.7),
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, scale=0.7),
        q,
        k,
        v,
    )


def test_attention_blockwise_passes_gradcheck() -> None:
    q, k, v = qkv((2,), 4, 5, dim=3, v_dim=2)
    assert torch.autograd.gradcheck(
        lambda q, k, v: A.blockwise_attention(q, k, v, block_size=2, is_causal=True), (q, k, v)
    )


@settings(max_examples=30)
@given(
    q_len=st.integers(1, 12),
    k_len=st.integers(1, 12),
    block_size=st.integers(1, 14),
    is_causal=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_attention_blockwise_equals_full_for_any_block_size(
    q_len, k_len, block_size, is_causal, seed
) -> None:
    q, k, v = qkv((2,), q_len, k_len, seed=seed)
    check_against_torch(
        lambda q, k, v: A.blockwise_attention(q, k, v, block_size, is_causal=is_causal),
        lambda q, k, v: A.scaled_dot_product_attention(q, k, v, is_causal=is_causal),
        q,
        k,
        v,
    )


# --- causality -------------------------------------------------------------------------


@settings(max_examples=30)
@given(seq_len=st.integers(2, 10), cut=st.integers(1, 9), seed=st.integers(0, 2**16))
def test_attention_causal_future_never_changes_the_past(seq_len, cut, seed) -> None:
    cut = min(cut, seq_len - 1)
    q, k, v = (t.detach() for t in qkv((2,), seq_len, seq_len, seed=seed))
    changed = [t.clone() for t in (q, k, v)]
    for t in changed:
        t[..., cut:, :] = torch.randn_like(t[..., cut:, :])
    for fn in (A.scaled_dot_product_attention, A.blockwise_attention):
        before, after = fn(q, k, v, is_causal=True), fn(*changed, is_causal=True)
        assert_close(before[..., :cut, :], after[..., :cut, :])


# --- bad input -------------------------------------------------------------------------


def test_attention_shape_mismatch_names_both_shapes() -> None:
    q, k, v = torch.randn(2, 5, 8), torch.randn(2, 6, 4), torch.randn(2, 6, 4)
    with pytest.raises(ValueError, match=r"\(2, 5, 8\).*\(2, 6, 4\)"):
        A.scaled_dot_product_attention(q, k, v)
    with pytest.raises(ValueError, match=r"\(2, 6, 8\).*\(2, 5, 8\)"):
        A.blockwise_attention(torch.randn(2, 5, 8), torch.randn(2, 6, 8), torch.randn(2, 5, 8))


def test_attention_bad_arguments_say_what_to_do() -> None:
    q = torch.randn(1, 4, 3, 8)
    with pytest.raises(ValueError, match="not both"):
        A.scaled_dot_product_attention(
            q, q, q, attn_mask=torch.ones(3, 3, dtype=torch.bool), is_causal=True
        )
    with pytest.raises(ValueError, match=r"does not broadcast"):
        A.scaled_dot_product_attention(q, q, q, attn_mask=torch.ones(2, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"\(2, 1, 4, 3, 3\) does not broadcast"):
        A.scaled_dot_product_attention(
            q, q, q, attn_mask=torch.ones(2, 1, 4, 3, 3, dtype=torch.bool)
        )
    with pytest.raises(TypeError, match="bool"):
        A.scaled_dot_product_attention(q, q, q, attn_mask=torch.ones(3, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="multiple of the 3"):
        A.scaled_dot_product_attention(q, q[:, :3], q[:, :3], enable_gqa=True)
    with pytest.raises(ValueError, match="block_size"):
        A.blockwise_attention(q, q, q, block_size=0)
    with pytest.raises(TypeError, match="floating-point"):
        A.scaled_dot_product_attention(q.long(), q, q)


# --- the functional causal self-attention ----------------------------------------------


def test_attention_causal_self_attention_future_never_changes_the_past() -> None:
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(1, 6, 8, generator=gen, dtype=F64)
    w_qkv, w_out = torch.randn(24, 8, generator=gen, dtype=F64), torch.randn(8, 8, dtype=F64)
    changed = x.clone()
    changed[:, 4:] = torch.randn(1, 2, 8, generator=gen, dtype=F64)
    before = A.causal_self_attention(x, w_qkv, w_out, 2)
    after = A.causal_self_attention(changed, w_qkv, w_out, 2)
    assert_close(after[:, :4], before[:, :4])
    assert not torch.allclose(after[:, 4:], before[:, 4:])


def test_attention_causal_self_attention_bad_shapes_say_which() -> None:
    x = torch.randn(2, 3, 8)
    with pytest.raises(ValueError, match=r"w_qkv must be \(24, 8\)"):
        A.causal_self_attention(x, torch.randn(8, 24), torch.randn(8, 8), 2)
    with pytest.raises(ValueError, match="num_heads=3 must be positive and divide C=8"):
        A.causal_self_attention(x, torch.randn(24, 8), torch.randn(8, 8), 3)
    with pytest.raises(ValueError, match=r"\(B, T, C\)"):
        A.causal_self_attention(x[0], torch.randn(24, 8), torch.randn(8, 8), 2)


@pytest.mark.parametrize("is_causal", [False, True])
def test_attention_fast_attention_equals_ours_in_float64(is_causal) -> None:
    q, k, v = qkv((2, 3), 6, 6)
    fast = lambda q, k, v: A.fast_attention(q, k, v, is_causal=is_causal)  # noqa: E731
    ours = lambda q, k, v: A.scaled_dot_product_attention(q, k, v, is_causal=is_causal)  # noqa: E731
    check_against_torch(fast, ours, q, k, v)


@pytest.mark.parametrize("mask", ["causal", "bool", "none"])
def test_attention_fast_attention_bfloat16_cpu_path_is_close_to_float64(mask) -> None:
    # The bfloat16 CPU path (matmuls + softmax, not torch's fused kernel) is the one
    # a model takes under autocast; compare it with float64 attention on the same inputs.
    q, k, v = qkv((2, 3), 9, 9, dim=16, v_dim=16)
    attn_mask = torch.rand(9, 9, generator=torch.Generator().manual_seed(3)) > 0.3
    attn_mask.fill_diagonal_(True)
    kwargs = {"causal": {"is_causal": True}, "bool": {"attn_mask": attn_mask}, "none": {}}[mask]
    low = [t.detach().bfloat16().requires_grad_() for t in (q, k, v)]
    out = A.fast_attention(*low, **kwargs)
    expected = A.scaled_dot_product_attention(q, k, v, **kwargs)
    assert out.dtype == torch.bfloat16
    assert_close(out.double(), expected, atol=0.03, rtol=0.03)
    grad_out = torch.randn_like(expected)
    grads = torch.autograd.grad(out, low, grad_out.bfloat16())
    expected_grads = torch.autograd.grad(expected, (q, k, v), grad_out)
    for g, e in zip(grads, expected_grads, strict=True):
        assert_close(g.double(), e, atol=0.06, rtol=0.05)


def test_attention_fast_attention_refuses_mask_and_causal_together() -> None:
    q, k, v = qkv((), 3, 3)
    with pytest.raises(ValueError, match="not both"):
        A.fast_attention(q, k, v, attn_mask=torch.ones(3, 3, dtype=torch.bool), is_causal=True)
