"""Attention as functions, from matmul and softmax: scaled dot-product, blockwise, one layer.

The ladder, each rung built on the one before:

- :func:`scaled_dot_product_attention`: ``softmax(q k^T * scale + mask) v``, with
  ``torch.nn.functional.scaled_dot_product_attention``'s arguments, shapes and masking
  rules (boolean masks: True = attend; float masks are added; ``is_causal`` is the
  lower triangle aligned top-left; ``enable_gqa`` repeats key/value heads);
- :func:`blockwise_attention`: the same numbers computed one block of keys at a time
  with an online softmax (FlashAttention's idea), so neither pass ever holds the full
  ``(L, S)`` score matrix: the forward keeps a running max, sum and output per query,
  and the backward recomputes each block's scores from the saved log-sum-exp;
- :func:`fast_attention`: the same numbers by the quickest kernel for the dtype and
  device (torch's fused ones), what models train with;
- :func:`causal_self_attention`: a whole causal self-attention layer as one function of
  its weight matrices, the form to read (and exercise 4.1's answer); the module models
  are built with is :class:`~nlpjourney.nn.multihead.MultiHeadAttention` (Llama's
  form, grouped-query heads and RoPE, is :func:`~nlpjourney.nn.layers.gqa_attention`).

A row that may attend to nothing (every key masked) gives zeros, values and gradients,
as torch's ``_safe_softmax`` does since torch 2.5; the textbook formula would give NaN
(0/0). Example: with ``attn_mask = [[True, True], [False, False]]`` the second query's
output row is all zeros.

Reference: ``torch.nn.functional.scaled_dot_product_attention`` (values and gradients,
float64) for every function.

Simplifications:
    - dropout on the attention weights uses ``torch.nn.functional.dropout``, so with the
      same seed it draws the same mask as torch's math backend; blockwise attention has
      no dropout and no ``attn_mask`` (causal masking only).
    - blockwise attention tiles keys only, not queries, and runs as a Python loop over
      blocks: it saves memory, not time (no fused kernel); it has no double backward.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor


def causal_mask(
    query_len: int, key_len: int, *, offset: int = 0, device: torch.device | None = None
) -> Tensor:
    """The boolean causal mask: query ``i`` may attend to key ``j`` when ``j <= i + offset``.

    ``offset=0`` aligns the triangle top-left, as ``is_causal=True`` does in torch when
    ``query_len != key_len``; ``offset=key_len - query_len`` aligns it bottom-right, which
    is what decoding with a cache needs (the queries are the *last* ``query_len``
    positions). Example: ``causal_mask(2, 3)`` is ``[[T, F, F], [T, T, F]]`` and
    ``causal_mask(2, 3, offset=1)`` is ``[[T, T, F], [T, T, T]]``.

    Shapes:
        returns (query_len, key_len), True = attend.
    """
    rows = torch.arange(query_len, device=device)[:, None]  # (L, 1)
    cols = torch.arange(key_len, device=device)[None, :]  # (1, S)
    return cols <= rows + offset


def _check_qkv(query: Tensor, key: Tensor, value: Tensor) -> None:
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.ndim < 2:
            raise ValueError(
                f"{name} must have at least 2 dims (..., seq, dim), got {tuple(t.shape)}"
            )
        if not t.is_floating_point():
            raise TypeError(f"{name} must be a floating-point tensor, got {t.dtype}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"query {tuple(query.shape)} and key {tuple(key.shape)} differ in their last "
            "dim (the head size); project them to the same size"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"key {tuple(key.shape)} and value {tuple(value.shape)} differ in sequence "
            "length (dim -2); every key needs one value"
        )


def _batch_shape(query: Tensor, key: Tensor, value: Tensor) -> torch.Size:
    """The broadcast of the leading dims, or a ValueError naming the three shapes."""
    # subtle: NumPy's broadcast_shapes, not torch's: torch's first call imports its
    # symbolic-shapes machinery, over a second of start-up for one shape check.
    try:
        return torch.Size(np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2]))
    except ValueError:
        raise ValueError(
            f"the batch/head dims of query {tuple(query.shape)}, key {tuple(key.shape)} "
            f"and value {tuple(value.shape)} do not broadcast"
        ) from None


def repeat_kv_heads(query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """Key and value with each head repeated so they have as many heads as ``query``.

    Grouped-query attention shares one key/value head among ``Hq // Hkv`` query heads:
    query heads ``0..g-1`` use key head 0, the next ``g`` use head 1, and so on
    (``repeat_interleave``, not ``repeat``). Example: key heads ``[a, b]`` for 4 query
    heads become ``[a, a, b, b]``.

    Shapes:
        query (..., Hq, L, E); key (..., Hkv, S, E); value (..., Hkv, S, Ev)
        -> key (..., Hq, S, E), value (..., Hq, S, Ev).
    """
    if query.ndim < 3 or key.ndim < 3 or value.ndim < 3:
        raise ValueError(
            "grouped-query attention needs a heads dim (-3): got query "
            f"{tuple(query.shape)}, key {tuple(key.shape)}, value {tuple(value.shape)}"
        )
    q_heads, kv_heads = query.shape[-3], key.shape[-3]
    if value.shape[-3] != kv_heads:
        raise ValueError(
            f"key {tuple(key.shape)} and value {tuple(value.shape)} have different head counts"
        )
    if q_heads % kv_heads != 0:
        raise ValueError(
            f"query has {q_heads} heads, not a multiple of the {kv_heads} key/value heads; "
            "choose num_kv_heads dividing num_heads"
        )
    groups = q_heads // kv_heads
    if groups == 1:
        return key, value
    return key.repeat_interleave(groups, dim=-3), value.repeat_interleave(groups, dim=-3)


def masked_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last dim where a row of all ``-inf`` gives zeros, not NaN.

    Example: ``masked_softmax([[0, 0], [-inf, -inf]])`` is ``[[0.5, 0.5], [0, 0]]``.
    """
    row_max = scores.amax(dim=-1, keepdim=True)
    # subtle: for an all -inf row the max is -inf and -inf - (-inf) is NaN. Subtract 0
    # there instead; any constant leaves the softmax unchanged, so detaching is exact too.
    row_max = torch.where(row_max == float("-inf"), 0.0, row_max).detach()
    exp = torch.exp(scores - row_max)
    total = exp.sum(dim=-1, keepdim=True)
    return exp / torch.where(total == 0, 1.0, total)


def _apply_mask(scores: Tensor, attn_mask: Tensor) -> Tensor:
    try:
        fits = np.broadcast_shapes(attn_mask.shape, scores.shape) == scores.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"attn_mask {tuple(attn_mask.shape)} does not broadcast to the scores "
            f"{tuple(scores.shape)} (..., L, S)"
        )
    if attn_mask.dtype == torch.bool:
        return scores.masked_fill(~attn_mask, float("-inf"))
    if attn_mask.is_floating_point():
        return scores + attn_mask.to(scores.dtype)
    raise TypeError(
        f"attn_mask must be bool (True = attend) or floating point (added), got {attn_mask.dtype}"
    )


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value``, torch's SDPA from matmul and softmax.

    Args:
        query: the queries.
        key: the keys; leading dims broadcast against the query's.
        value: one value per key.
        attn_mask: a bool mask (True = may attend) or a float mask added to the scores
            (``-inf`` forbids), broadcastable to (..., L, S).
        dropout_p: dropout probability on the attention weights; pass 0 in evaluation.
        is_causal: mask key ``j > i`` for query ``i`` (top-left aligned when L != S, as
            torch does). Cannot be combined with ``attn_mask``.
        scale: the factor on the scores; default ``1 / sqrt(E)``.
        enable_gqa: allow fewer key/value heads than query heads (dim -3), repeating
            each for its group of query heads.

    Returns:
        The attended values. Rows with every key masked are zeros.

    Shapes:
        query (..., L, E); key (..., S, E); value (..., S, Ev) -> (..., L, Ev).
        With ``enable_gqa``: query (..., Hq, L, E), key/value (..., Hkv, S, *).
    """
    _check_qkv(query, key, value)
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"dropout_p must be in [0, 1), got {dropout_p}")
    if is_causal and attn_mask is not None:
        raise ValueError(
            "pass either is_causal=True or an attn_mask, not both; fold the causal mask "
            "into attn_mask with causal_mask(L, S) if you need both"
        )
    if enable_gqa:
        key, value = repeat_kv_heads(query, key, value)
    _batch_shape(query, key, value)
    query_len, key_len = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale

    scores = (query @ key.transpose(-2, -1)) * scale  # (..., L, S)
    if is_causal:
        scores = scores.masked_fill(
            ~causal_mask(query_len, key_len, device=scores.device), float("-inf")
        )
    if attn_mask is not None:
        scores = _apply_mask(scores, attn_mask)
    weights = masked_softmax(scores)  # (..., L, S), rows sum to 1 (or 0 if all masked)
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    return weights @ value  # (..., L, Ev)


def fast_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    enable_gqa: bool = False,
) -> Tensor:
    """The same numbers as :func:`scaled_dot_product_attention`, by the quickest kernel here.

    Models call this when they train; the from-scratch function is the one to read.
    Which kernel, and why:

    - float32, or any GPU: torch's fused ``F.scaled_dot_product_attention``; ours is
      slower because its softmax is several kernels, each a pass over the scores;
    - bfloat16 on a CPU: two matmuls around torch's ``softmax``, because the fused
      kernel's CPU backward in bfloat16 is several times slower than that. Under
      autocast the softmax runs in float32, so the weights are no coarser than float32
      attention's.

    Rows where every key is masked come out as NaN on the second path, not zeros; the
    models that call this never mask a whole row (causal masks keep the diagonal).

    Args:
        query, key, value, attn_mask, dropout_p, is_causal, enable_gqa: as in
            :func:`scaled_dot_product_attention` (no ``scale``). With ``enable_gqa`` the
            fused kernel reads each key/value head in place for its group of query heads.

    Shapes:
        query (..., L, E); key (..., S, E); value (..., S, Ev) -> (..., L, Ev).
    """
    if is_causal and attn_mask is not None:
        raise ValueError("pass either is_causal=True or an attn_mask, not both")
    if query.dtype != torch.bfloat16 or query.device.type != "cpu":
        return F.scaled_dot_product_attention(
            query, key, value, attn_mask=attn_mask, dropout_p=dropout_p, is_causal=is_causal,
            enable_gqa=enable_gqa and key.shape[-3] != query.shape[-3],
        )  # fmt: skip
    if enable_gqa:
        key, value = repeat_kv_heads(query, key, value)
    if is_causal:
        attn_mask = causal_mask(query.shape[-2], key.shape[-2], device=query.device)
    scores = (query @ key.transpose(-2, -1)) * (1.0 / math.sqrt(query.shape[-1]))
    if attn_mask is not None:
        scores = _apply_mask(scores, attn_mask)
    weights = torch.softmax(scores, dim=-1)  # (..., L, S)
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    return weights.to(value.dtype) @ value  # (..., L, Ev)


def causal_self_attention(x: Tensor, w_qkv: Tensor, w_out: Tensor, num_heads: int) -> Tensor:
    """Multi-head causal self-attention as one function of its weights (nanoGPT's layout).

    ``q, k, v = split(x @ w_qkv^T)``, each split into ``num_heads`` heads of
    ``C // num_heads`` dims, then causal :func:`scaled_dot_product_attention` per head,
    heads merged back side by side and ``@ w_out^T``. The weights follow
    ``nn.Linear`` (``out_features, in_features``) with no biases: rows ``0..C-1`` of
    ``w_qkv`` make the queries, ``C..2C-1`` the keys, ``2C..3C-1`` the values, as in
    GPT-2's ``c_attn``, and as
    :class:`~nlpjourney.nn.multihead.MultiHeadAttention`'s ``qkv_proj``, which computes
    the same layer (tested). The readable reference of exercise 4.1.

    Args:
        x: the sequence.
        w_qkv: the stacked query, key and value projections.
        w_out: the output projection.
        num_heads: heads; must divide C.

    Shapes:
        x (B, T, C), w_qkv (3C, C), w_out (C, C) -> (B, T, C).
    """
    if x.ndim != 3:
        raise ValueError(f"x must be (B, T, C), got {tuple(x.shape)}")
    batch, seq_len, dim = x.shape
    if w_qkv.shape != (3 * dim, dim) or w_out.shape != (dim, dim):
        raise ValueError(
            f"for x with C={dim}, w_qkv must be ({3 * dim}, {dim}) and w_out ({dim}, {dim}); "
            f"got {tuple(w_qkv.shape)} and {tuple(w_out.shape)}"
        )
    if num_heads <= 0 or dim % num_heads != 0:
        raise ValueError(f"num_heads={num_heads} must be positive and divide C={dim}")
    head_dim = dim // num_heads
    q, k, v = (x @ w_qkv.T).split(dim, dim=-1)  # 3 x (B, T, C)
    q, k, v = (t.view(batch, seq_len, num_heads, head_dim).transpose(1, 2) for t in (q, k, v))
    y = scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, nh, T, hs)
    y = y.transpose(1, 2).reshape(batch, seq_len, dim)  # (B, T, C)
    return y @ w_out.T


# --- blockwise (flash-style) attention -------------------------------------------------


def _block_scores(
    query: Tensor, key_block: Tensor, start: int, scale: float, is_causal: bool
) -> Tensor:
    """Scores of every query against keys ``start .. start + block - 1``, causally masked."""
    scores = (query @ key_block.transpose(-2, -1)) * scale  # (..., L, Bk)
    if is_causal:
        rows = torch.arange(query.shape[-2], device=query.device)[:, None]
        cols = torch.arange(start, start + key_block.shape[-2], device=query.device)[None, :]
        scores = scores.masked_fill(cols > rows, float("-inf"))
    return scores


class _BlockwiseAttention(torch.autograd.Function):
    """Forward with an online softmax over key blocks; backward recomputes each block."""

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: Any,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        block_size: int,
        is_causal: bool,
        scale: float,
    ) -> Tensor:
        query_len, key_len = query.shape[-2], key.shape[-2]
        out = query.new_zeros(*query.shape[:-1], value.shape[-1])  # (..., L, Ev)
        row_max = query.new_full((*query.shape[:-1], 1), float("-inf"))  # (..., L, 1)
        row_sum = query.new_zeros(*query.shape[:-1], 1)  # (..., L, 1)
        for start in range(0, key_len, block_size):
            if is_causal and start > query_len - 1:
                break  # top-left causal: no query sees a key past index L - 1
            stop = start + block_size
            scores = _block_scores(query, key[..., start:stop, :], start, scale, is_causal)
            new_max = torch.maximum(row_max, scores.amax(dim=-1, keepdim=True))
            safe_max = torch.where(new_max == float("-inf"), 0.0, new_max)
            probs = torch.exp(scores - safe_max)  # (..., L, Bk), unnormalised
            # Rescale what was accumulated under the old max to the new one.
            correction = torch.exp(row_max - safe_max)  # (..., L, 1); 0 on the first block
            row_sum = row_sum * correction + probs.sum(dim=-1, keepdim=True)
            out = out * correction + probs @ value[..., start:stop, :]
            row_max = new_max
        out = out / torch.where(row_sum == 0, 1.0, row_sum)
        # The log-sum-exp per query is all the backward needs to rebuild any block's
        # probabilities: p = exp(score - lse). It is -inf for a row that saw no key.
        lse = torch.where(row_max == float("-inf"), 0.0, row_max) + torch.log(row_sum)
        ctx.save_for_backward(query, key, value, out, lse)
        ctx.block_size, ctx.is_causal, ctx.scale = block_size, is_causal, scale
        return out

    @staticmethod
    def backward(ctx: Any, grad_out: Tensor) -> tuple[Tensor, Tensor, Tensor, None, None, None]:  # type: ignore[override]
        query, key, value, out, lse = ctx.saved_tensors
        block_size, is_causal, scale = ctx.block_size, ctx.is_causal, ctx.scale
        query_len, key_len = query.shape[-2], key.shape[-2]
        # subtle: lse = -inf only for rows that attend to nothing; +inf there makes every
        # rebuilt probability exp(score - inf) = 0 instead of NaN.
        lse = torch.where(lse == float("-inf"), float("inf"), lse)
        # D_i = sum_j P_ij dP_ij = dO_i . O_i: the softmax backward's row term, one number
        # per query, computed once instead of from the full P.
        delta = (grad_out * out).sum(dim=-1, keepdim=True)  # (..., L, 1)
        grad_q = torch.zeros_like(query)
        grad_k = torch.zeros_like(key)
        grad_v = torch.zeros_like(value)
        for start in range(0, key_len, block_size):
            if is_causal and start > query_len - 1:
                break
            stop = start + block_size
            k_block, v_block = key[..., start:stop, :], value[..., start:stop, :]
            probs = torch.exp(_block_scores(query, k_block, start, scale, is_causal) - lse)
            grad_v[..., start:stop, :] = probs.transpose(-2, -1) @ grad_out  # (..., Bk, Ev)
            grad_probs = grad_out @ v_block.transpose(-2, -1)  # (..., L, Bk)
            grad_scores = probs * (grad_probs - delta) * scale  # through softmax and scale
            grad_q += grad_scores @ k_block  # (..., L, E)
            grad_k[..., start:stop, :] = grad_scores.transpose(-2, -1) @ query  # (..., Bk, E)
        return grad_q, grad_k, grad_v, None, None, None


def blockwise_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    block_size: int = 128,
    is_causal: bool = False,
    scale: float | None = None,
) -> Tensor:
    """Exact attention computed ``block_size`` keys at a time (FlashAttention's online softmax).

    For each key block the scores ``s`` of every query are computed, the running max
    ``m`` and sum ``l`` are updated, and the partial output rescaled:
    ``m' = max(m, max s)``, ``l' = l e^(m - m') + sum e^(s - m')``,
    ``o' = o e^(m - m') + e^(s - m') v``; at the end ``o / l`` is the softmax-weighted
    sum. Memory for the scores is (..., L, block_size) instead of (..., L, S), in the
    backward pass too (a custom autograd function recomputes each block).

    Args:
        query, key, value: as in :func:`scaled_dot_product_attention`.
        block_size: keys per block, at least 1.
        is_causal: mask key ``j > i`` for query ``i`` (top-left aligned, like torch).
        scale: the factor on the scores; default ``1 / sqrt(E)``.

    Shapes:
        query (..., L, E); key (..., S, E); value (..., S, Ev) -> (..., L, Ev).
    """
    _check_qkv(query, key, value)
    if not isinstance(block_size, int) or block_size < 1:
        raise ValueError(f"block_size must be a positive int, got {block_size!r}")
    batch = _batch_shape(query, key, value)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    # Broadcast outside the Function: autograd then sums gradients over broadcast dims.
    query = query.expand(*batch, *query.shape[-2:])
    key = key.expand(*batch, *key.shape[-2:])
    value = value.expand(*batch, *value.shape[-2:])
    return _BlockwiseAttention.apply(query, key, value, block_size, is_causal, scale)
