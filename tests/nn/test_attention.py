"""Tests for nlpjourney.nn.attention: parity with torch's SDPA and MultiheadAttention, properties.

Every attention function is checked against ``torch.nn.functional.scaled_dot_product_attention``
on values and on the gradients of all three inputs at float64, through one helper. Properties
(hypothesis): future positions never change earlier outputs; blockwise equals full attention
for any block size; decoding with a KV cache equals recomputing the whole sequence.
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
from nlpjourney.nn.positional import RotaryEmbedding

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


# --- the module ------------------------------------------------------------------------


def test_attention_module_matches_torch_multihead_attention() -> None:
    torch.manual_seed(0)
    ours = A.MultiHeadAttention(16, 4, is_causal=True).double()
    theirs = torch.nn.MultiheadAttention(16, 4, batch_first=True).double()
    with torch.no_grad():
        q_w, k_w, v_w = theirs.in_proj_weight.chunk(3)
        q_b, k_b, v_b = theirs.in_proj_bias.chunk(3)
        for proj, w, b in (
            (ours.q_proj, q_w, q_b),
            (ours.k_proj, k_w, k_b),
            (ours.v_proj, v_w, v_b),
        ):
            proj.weight.copy_(w)
            proj.bias.copy_(b)
        ours.out_proj.load_state_dict(theirs.out_proj.state_dict())
    x = torch.randn(3, 7, 16, dtype=F64)
    # subtle: nn.MultiheadAttention's bool mask is the opposite of SDPA's: True = blocked.
    blocked = ~A.causal_mask(7, 7)
    expected, _ = theirs(x, x, x, attn_mask=blocked, need_weights=False)
    assert_close(ours(x), expected)


@pytest.mark.parametrize("num_kv_heads", [1, 2, 4])
@pytest.mark.parametrize("use_rope", [False, True])
def test_attention_module_kv_cache_equals_full_recomputation(num_kv_heads, use_rope) -> None:
    torch.manual_seed(1)
    rotary = RotaryEmbedding(4) if use_rope else None
    mha = A.MultiHeadAttention(16, 4, num_kv_heads=num_kv_heads, is_causal=True, rotary=rotary)
    mha = mha.double()
    x = torch.randn(2, 9, 16, dtype=F64)
    full = mha(x)
    cache = A.KVCache()
    steps = [mha(x[:, :4], kv_cache=cache)]  # a prompt, then one token at a time
    steps += [mha(x[:, t : t + 1], kv_cache=cache) for t in range(4, 9)]
    assert len(cache) == 9
    assert_close(torch.cat(steps, dim=1), full)


def test_attention_module_combines_padding_mask_with_causal() -> None:
    torch.manual_seed(2)
    mha = A.MultiHeadAttention(8, 2, is_causal=True).double()
    x = torch.randn(2, 5, 8, dtype=F64)
    keep = torch.ones(2, 1, 1, 5, dtype=torch.bool)
    keep[1, ..., 3:] = False  # the second sequence has 2 padding tokens at the end
    out = mha(x, attn_mask=keep)
    assert_close(out[1, :3], mha(x[1:, :3])[0])


def test_attention_module_combines_float_padding_mask_with_causal() -> None:
    torch.manual_seed(3)
    mha = A.MultiHeadAttention(8, 2, is_causal=True).double()
    x = torch.randn(2, 5, 8, dtype=F64)
    keep = torch.ones(2, 1, 1, 5, dtype=torch.bool)
    keep[0, ..., 4:] = False
    additive = torch.zeros(2, 1, 1, 5, dtype=F64).masked_fill(~keep, float("-inf"))
    assert_close(mha(x, attn_mask=additive), mha(x, attn_mask=keep))


def test_attention_module_gqa_has_smaller_kv_projections() -> None:
    mha = A.MultiHeadAttention(32, 8, num_kv_heads=2, bias=False)
    assert mha.k_proj.weight.shape == (8, 32) and mha.v_proj.weight.shape == (8, 32)
    assert mha(torch.randn(2, 3, 32)).shape == (2, 3, 32)


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


def test_attention_module_num_heads_must_divide_embed_dim() -> None:
    with pytest.raises(ValueError, match="num_heads=5 does not divide embed_dim=16"):
        A.MultiHeadAttention(16, 5)
    with pytest.raises(ValueError, match="num_kv_heads=3 does not divide num_heads=4"):
        A.MultiHeadAttention(16, 4, num_kv_heads=3)
    with pytest.raises(ValueError, match=r"\(B, T, 16\)"):
        A.MultiHeadAttention(16, 4)(torch.randn(2, 3, 8))


# --- the functional causal self-attention ----------------------------------------------


def test_attention_causal_self_attention_equals_the_module_and_torch() -> None:
    """The functional form equals MultiHeadAttention (bias-free, causal) given the same
    weights, and torch's SDPA on the same heads; gradients too."""
    torch.manual_seed(0)
    batch, seq_len, dim, heads = 2, 7, 12, 3
    module = A.MultiHeadAttention(dim, heads, bias=False, is_causal=True).double()
    x = torch.randn(batch, seq_len, dim, dtype=F64, requires_grad=True)
    w_qkv = torch.cat([module.q_proj.weight, module.k_proj.weight, module.v_proj.weight])
    w_qkv = w_qkv.detach().requires_grad_()
    w_out = module.out_proj.weight.detach().clone().requires_grad_()
    out = A.causal_self_attention(x, w_qkv, w_out, heads)
    assert_close(out, module(x))

    def torch_version(x, w_qkv, w_out):
        q, k, v = (x @ w_qkv.T).split(dim, dim=-1)
        q, k, v = (t.unflatten(-1, (heads, -1)).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return y.transpose(1, 2).flatten(-2) @ w_out.T

    expected = torch_version(x, w_qkv, w_out)
    assert_close(out, expected)
    grad_out = torch.randn_like(out)
    ours = torch.autograd.grad(out, (x, w_qkv, w_out), grad_out)
    theirs = torch.autograd.grad(expected, (x, w_qkv, w_out), grad_out)
    for a, b in zip(ours, theirs, strict=True):
        assert_close(a, b)


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
