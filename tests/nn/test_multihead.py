"""Tests for nlpjourney.nn.multihead: the one attention module, against torch.

Parity: self-attention equals ``torch.nn.MultiheadAttention`` from the same weights (its
``in_proj_weight`` is our ``qkv_proj``), cross-attention too with keys and values from a
memory, and :func:`~nlpjourney.nn.attention.causal_self_attention` is the module written
as one function. Properties: decoding with a :class:`KVCache` equals recomputing the
whole sequence (with grouped-query heads and RoPE); torch's kernels (``fused=True``) give
our formula's numbers and gradients; a padding mask combines with the causal one. The
preallocated :class:`StaticKVCache` gives the growing cache's numbers, in place.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from nlpjourney.nn import (
    KVCache,
    MultiHeadAttention,
    RotaryEmbedding,
    StaticKVCache,
    attend_with_cache,
    causal_mask,
)
from nlpjourney.nn.attention import causal_self_attention

F64 = torch.float64


def test_multihead_self_attention_matches_torch_multihead_attention() -> None:
    torch.manual_seed(0)
    ours = MultiHeadAttention(16, 4, is_causal=True).double()
    theirs = torch.nn.MultiheadAttention(16, 4, batch_first=True).double()
    with torch.no_grad():
        ours.qkv_proj.weight.copy_(theirs.in_proj_weight)
        ours.qkv_proj.bias.copy_(theirs.in_proj_bias)
        ours.out_proj.load_state_dict(theirs.out_proj.state_dict())
    x = torch.randn(3, 7, 16, dtype=F64)
    # subtle: nn.MultiheadAttention's bool mask is the opposite of SDPA's: True = blocked.
    expected, _ = theirs(x, x, x, attn_mask=~causal_mask(7, 7), need_weights=False)
    assert_close(ours(x), expected)


def test_multihead_cross_attention_matches_torch_with_a_padded_memory() -> None:
    torch.manual_seed(1)
    ours = MultiHeadAttention(16, 4, cross=True).double()
    theirs = torch.nn.MultiheadAttention(16, 4, batch_first=True).double()
    with torch.no_grad():
        ours.q_proj.weight.copy_(theirs.in_proj_weight[:16])
        ours.kv_proj.weight.copy_(theirs.in_proj_weight[16:])
        ours.q_proj.bias.copy_(theirs.in_proj_bias[:16])
        ours.kv_proj.bias.copy_(theirs.in_proj_bias[16:])
        ours.out_proj.load_state_dict(theirs.out_proj.state_dict())
    x, memory = torch.randn(2, 4, 16, dtype=F64), torch.randn(2, 6, 16, dtype=F64)
    keep = torch.tensor([[True] * 6, [True] * 3 + [False] * 3])
    expected, _ = theirs(x, memory, memory, key_padding_mask=~keep, need_weights=False)
    assert_close(ours(x, memory, attn_mask=keep[:, None, None, :]), expected)
    cache = KVCache()  # the memory is projected once, then read back from the cache
    first = ours(x[:, :2], memory, attn_mask=keep[:, None, None, :], kv_cache=cache)
    again = ours(x[:, 2:], memory, attn_mask=keep[:, None, None, :], kv_cache=cache)
    assert len(cache) == 6
    assert_close(torch.cat([first, again], dim=1), expected)


@pytest.mark.parametrize("num_kv_heads", [1, 2, 4])
@pytest.mark.parametrize("use_rope", [False, True])
@pytest.mark.parametrize("fused", [False, True])
def test_multihead_kv_cache_equals_full_recomputation(num_kv_heads, use_rope, fused) -> None:
    torch.manual_seed(1)
    rotary = RotaryEmbedding(4) if use_rope else None
    mha = MultiHeadAttention(16, 4, num_kv_heads=num_kv_heads, is_causal=True, rotary=rotary,
                             fused=fused).double()  # fmt: skip
    x = torch.randn(2, 9, 16, dtype=F64)
    full = mha(x)
    cache = KVCache()
    steps = [mha(x[:, :4], kv_cache=cache)]  # a prompt, then one token at a time
    steps += [mha(x[:, t : t + 1], kv_cache=cache) for t in range(4, 9)]
    assert len(cache) == 9
    assert_close(torch.cat(steps, dim=1), full)


@pytest.mark.parametrize("is_causal", [False, True])
def test_multihead_fused_kernels_equal_our_formula(is_causal: bool) -> None:
    torch.manual_seed(2)
    ours = MultiHeadAttention(16, 4, num_kv_heads=2, is_causal=is_causal).double()
    fused = MultiHeadAttention(16, 4, num_kv_heads=2, is_causal=is_causal, fused=True).double()
    fused.load_state_dict(ours.state_dict())
    x = torch.randn(2, 5, 16, dtype=F64)
    keep = torch.ones(2, 1, 1, 5, dtype=torch.bool)
    keep[1, ..., 4:] = False
    for mask in (None, keep):
        out_ours, out_fused = ours(x, attn_mask=mask), fused(x, attn_mask=mask)
        assert_close(out_fused, out_ours)
        grads = [torch.autograd.grad(out.sum(), list(m.parameters()))
                 for out, m in ((out_ours, ours), (out_fused, fused))]  # fmt: skip
        for a, b in zip(*grads, strict=True):
            assert_close(a, b)


def test_multihead_combines_padding_mask_with_causal() -> None:
    torch.manual_seed(2)
    mha = MultiHeadAttention(8, 2, is_causal=True).double()
    x = torch.randn(2, 5, 8, dtype=F64)
    keep = torch.ones(2, 1, 1, 5, dtype=torch.bool)
    keep[1, ..., 3:] = False  # the second sequence has 2 padding tokens at the end
    out = mha(x, attn_mask=keep)
    assert_close(out[1, :3], mha(x[1:, :3])[0])
    additive = torch.zeros(2, 1, 1, 5, dtype=F64).masked_fill(~keep, float("-inf"))
    assert_close(mha(x, attn_mask=additive), out)


def test_multihead_keeps_weights_that_are_the_attention() -> None:
    torch.manual_seed(3)
    mha = MultiHeadAttention(8, 2, is_causal=True).double()
    x = torch.randn(1, 4, 8, dtype=F64)
    mha.keep_weights = True
    out = mha(x)
    weights = mha.weights
    assert weights is not None and weights.shape == (1, 2, 4, 4)
    assert_close(weights.sum(-1), torch.ones(1, 2, 4, dtype=weights.dtype))
    assert (weights.triu(1) == 0).all()  # causal: nothing on the future
    mha.keep_weights = False
    assert_close(out, mha(x))


def test_multihead_gqa_has_smaller_kv_projections() -> None:
    mha = MultiHeadAttention(32, 8, num_kv_heads=2, bias=False)
    assert mha.qkv_proj.weight.shape == (32 + 2 * 8, 32)
    assert mha(torch.randn(2, 3, 32)).shape == (2, 3, 32)


def test_multihead_loads_separate_q_k_v_weights() -> None:
    # The layout of checkpoints written before the projections were stacked.
    torch.manual_seed(4)
    for cross in (False, True):
        mha = MultiHeadAttention(8, 2, cross=cross).double()
        stacked = mha.qkv_proj if not cross else None
        weight = stacked.weight if stacked is not None else torch.cat(
            [mha.q_proj.weight, mha.kv_proj.weight])  # fmt: skip
        bias = stacked.bias if stacked is not None else torch.cat(
            [mha.q_proj.bias, mha.kv_proj.bias])  # fmt: skip
        old = {"out_proj.weight": mha.out_proj.weight, "out_proj.bias": mha.out_proj.bias}
        for name, w, b in zip("qkv", weight.chunk(3), bias.chunk(3), strict=True):
            old[f"{name}_proj.weight"], old[f"{name}_proj.bias"] = w, b
        fresh = MultiHeadAttention(8, 2, cross=cross).double()
        fresh.load_state_dict(old)
        x = torch.randn(1, 3, 8, dtype=F64)
        memory = x if cross else None
        assert_close(fresh(x, memory), mha(x, memory))


def test_multihead_bad_arguments_say_what_to_do() -> None:
    with pytest.raises(ValueError, match="num_heads=5 does not divide embed_dim=16"):
        MultiHeadAttention(16, 5)
    with pytest.raises(ValueError, match="num_kv_heads=3 does not divide num_heads=4"):
        MultiHeadAttention(16, 4, num_kv_heads=3)
    with pytest.raises(ValueError, match=r"\(B, T, 16\)"):
        MultiHeadAttention(16, 4)(torch.randn(2, 3, 8))
    with pytest.raises(ValueError, match="needs the encoder's memory"):
        MultiHeadAttention(16, 4, cross=True)(torch.randn(2, 3, 16))
    with pytest.raises(ValueError, match="takes no memory"):
        MultiHeadAttention(16, 4)(torch.randn(2, 3, 16), torch.randn(2, 3, 16))
    with pytest.raises(ValueError, match="rotary positions are for self-attention"):
        MultiHeadAttention(16, 4, cross=True, rotary=RotaryEmbedding(4))


def test_multihead_causal_self_attention_is_the_module_as_a_function() -> None:
    """The functional form equals the module (bias-free, causal) given the same weights,
    and torch's SDPA on the same heads; gradients too."""
    torch.manual_seed(0)
    batch, seq_len, dim, heads = 2, 7, 12, 3
    module = MultiHeadAttention(dim, heads, bias=False, is_causal=True).double()
    x = torch.randn(batch, seq_len, dim, dtype=F64, requires_grad=True)
    w_qkv = module.qkv_proj.weight.detach().clone().requires_grad_()
    w_out = module.out_proj.weight.detach().clone().requires_grad_()
    out = causal_self_attention(x, w_qkv, w_out, heads)
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


def test_multihead_static_cache_equals_growing_cache() -> None:
    torch.manual_seed(4)
    rotary = RotaryEmbedding(4)
    mha = MultiHeadAttention(16, 4, num_kv_heads=2, is_causal=True, rotary=rotary).double()
    x = torch.randn(2, 7, 16, dtype=F64)
    growing, static = KVCache(), StaticKVCache(2, 2, 10, 4, dtype=F64)
    buffer = static._key
    for start, stop in [(0, 3), (3, 4), (4, 5), (5, 7)]:
        assert_close(
            mha(x[:, start:stop], kv_cache=static), mha(x[:, start:stop], kv_cache=growing)
        )
    assert len(static) == len(growing) == 7
    assert_close(static.key, growing.key)
    assert static._key is buffer  # written in place, never reallocated
    assert static.key.data_ptr() == buffer.data_ptr()


def test_multihead_static_cache_overflow_and_misfit_are_clear_errors() -> None:
    cache = StaticKVCache(1, 2, 3, 4)
    cache.update(torch.zeros(1, 2, 2, 4), torch.zeros(1, 2, 2, 4))
    with pytest.raises(ValueError, match="holds 3 positions; 2 cached \\+ 2 new"):
        cache.update(torch.zeros(1, 2, 2, 4), torch.zeros(1, 2, 2, 4))
    with pytest.raises(ValueError, match=r"key must be \(1, 2, T, 4\)"):
        cache.update(torch.zeros(1, 3, 1, 4), torch.zeros(1, 3, 1, 4))
    with pytest.raises(ValueError, match="capacity must be a positive int"):
        StaticKVCache(1, 2, 0, 4)
    assert len(cache) == 2  # a refused update writes nothing


def test_multihead_static_cache_reorder_keeps_rows() -> None:
    cache, growing = StaticKVCache(3, 1, 4, 2), KVCache()
    key = torch.arange(3.0).view(3, 1, 1, 1).expand(3, 1, 2, 2)
    cache.update(key, key)
    growing.update(key, key)
    index = torch.tensor([2, 2, 0])
    cache.reorder(index)
    growing.reorder(index)
    assert_close(cache.key, growing.key)
    cache.update(key[:, :, :1], key[:, :, :1])  # still room after the reorder
    assert len(cache) == 3


@pytest.mark.parametrize(("heads", "kv_heads"), [(4, 4), (4, 2), (6, 3)])
def test_multihead_attend_with_cache_equals_full_causal_attention(
    heads: int, kv_heads: int
) -> None:
    """Steps of 1, 3 and 1 positions into a cache give the rows of full causal attention."""
    torch.manual_seed(0)
    batch, length, capacity, hs = 2, 5, 8, 4
    q = torch.randn(batch, heads, length, hs, dtype=F64)
    k, v = (torch.randn(batch, kv_heads, length, hs, dtype=F64) for _ in range(2))
    group = heads // kv_heads
    scores = q @ k.repeat_interleave(group, 1).transpose(-2, -1) / hs**0.5
    scores = scores.masked_fill(~causal_mask(length, length), float("-inf"))
    expected = scores.softmax(-1) @ v.repeat_interleave(group, 1)
    cache_k = torch.full((batch, kv_heads, capacity, hs), float("nan"), dtype=F64)
    cache_v = torch.full_like(cache_k, float("nan"))  # unfilled positions must not be read
    for start, end in [(0, 1), (1, 4), (4, 5)]:
        part = slice(start, end)
        out, cache_k, cache_v = attend_with_cache(
            q[:, :, part], k[:, :, part], v[:, :, part], cache_k, cache_v, start
        )
        assert_close(out, expected[:, :, part])
    assert_close(cache_k[:, :, :length], k)
    assert_close(cache_v[:, :, :length], v)
    with pytest.raises(ValueError, match="do not fit"):
        attend_with_cache(q, k, v, cache_k, cache_v, 4)


@pytest.mark.parametrize("fused", [False, True])
def test_multihead_static_cache_decoding_step_equals_recomputation(fused: bool) -> None:
    """MultiHeadAttention decodes through attend_with_cache and matches the full pass."""
    torch.manual_seed(1)
    rotary = RotaryEmbedding(4)
    mha = MultiHeadAttention(16, 4, num_kv_heads=2, is_causal=True, rotary=rotary, fused=fused)
    mha.eval()
    x = torch.randn(1, 6, 16)
    with torch.no_grad():
        full = mha(x)
        cache = StaticKVCache(1, 2, capacity=6, head_dim=4)
        steps = [mha(x[:, :3], kv_cache=cache)] + [
            mha(x[:, t : t + 1], kv_cache=cache) for t in range(3, 6)
        ]
    assert len(cache) == 6
    assert_close(torch.cat(steps, dim=1), full, rtol=1e-5, atol=1e-6)
