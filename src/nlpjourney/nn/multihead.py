"""Multi-head attention, the one attention module every model here is built with.

``x -> projections -> split into heads -> (rotary) -> attention -> merge heads -> out_proj``.

One class covers what the models need, each by a constructor argument rather than a
subclass:

- **self or cross**: self-attention takes queries, keys and values from ``x`` with one
  matmul (``qkv_proj``, the three projections stacked, as GPT-2's ``c_attn`` and torch's
  ``in_proj_weight``: one matmul is cheaper than three on a CPU); cross-attention
  (``cross=True``, the decoder of an encoder-decoder) takes queries from ``x``
  (``q_proj``) and keys and values from the encoder's ``memory`` (``kv_proj``);
- **causal or not**: a decoder masks the future; the mask is aligned bottom-right, so it
  stays right when a :class:`KVCache` holds earlier positions;
- **grouped-query heads** (``num_kv_heads < num_heads``, Llama 2 70B, Llama 3, SmolLM2):
  fewer key/value heads, each shared by a group of query heads;
- **rotary positions** (:class:`~nlpjourney.nn.positional.RotaryEmbedding`, Llama) on
  queries and keys at their absolute positions;
- **a KV cache** for decoding one token at a time: self-attention appends the new keys
  and values; cross-attention projects the memory once and reuses it. A decoding step
  into a :class:`StaticKVCache` is :func:`attend_with_cache`, written as one function
  (write the new keys and values at their positions, attend causally over the filled
  part);
- **which kernel** (``fused``): torch's fused kernels through
  :func:`~nlpjourney.nn.attention.fast_attention` (what models train with), or our
  :func:`~nlpjourney.nn.attention.scaled_dot_product_attention` (what a reader follows
  line by line); the same numbers to float rounding (tested).

Set ``keep_weights = True`` to keep the last call's attention weights in :attr:`weights`
(B, nh, T, S), for pictures of what each head looks at.

Reference: ``torch.nn.MultiheadAttention`` (same outputs from the same weights),
``torch.nn.TransformerDecoderLayer``'s cross-attention, and full recomputation for the
cached decoding.

Simplifications:
    - :class:`KVCache` grows by concatenation; :class:`StaticKVCache` writes into a buffer
      of a fixed capacity instead (what generation uses). Neither evicts old positions.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from nlpjourney.nn.attention import (
    _apply_mask,
    causal_mask,
    fast_attention,
    masked_softmax,
    repeat_kv_heads,
    scaled_dot_product_attention,
)
from nlpjourney.nn.linear import Linear
from nlpjourney.nn.positional import RotaryEmbedding

__all__ = ["KVCache", "MultiHeadAttention", "StaticKVCache", "attend_with_cache", "layer_caches"]


class KVCache:
    """The keys and values of the positions seen so far, for one attention layer.

    Decoding feeds one new token at a time; its query attends to every earlier key, so
    the layer appends the new keys/values here instead of recomputing them.

    Shapes:
        key, value: (B, Hkv, S, hs), S growing with each :meth:`update`.
    """

    def __init__(self) -> None:
        self.key: Tensor | None = None
        self.value: Tensor | None = None

    def __len__(self) -> int:
        return 0 if self.key is None else self.key.shape[-2]

    def update(self, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
        """Append the new positions; return all keys and values so far."""
        if self.key is None or self.value is None:
            self.key, self.value = key, value
        else:
            self.key = torch.cat([self.key, key], dim=-2)
            self.value = torch.cat([self.value, value], dim=-2)
        return self.key, self.value

    def reorder(self, index: Tensor) -> None:
        """Keep rows ``index`` of the batch (the beams that survive a beam-search step)."""
        if self.key is not None and self.value is not None:
            self.key = self.key.index_select(0, index)
            self.value = self.value.index_select(0, index)


class StaticKVCache(KVCache):
    """A :class:`KVCache` in buffers allocated once for ``capacity`` positions.

    :class:`KVCache` concatenates at every step, so step ``t`` copies all ``t`` earlier
    positions again; here each step writes only its own positions into place, and the
    attention reads views of the filled part. Use it when the most positions are known
    in advance (a prompt plus ``max_new_tokens``).

    Args:
        batch: rows B.
        n_kv_heads: key/value heads Hkv.
        capacity: the most positions it holds.
        head_dim: dims per head hs.
        dtype, device: of the keys and values (the model's).

    Shapes:
        key, value: views (B, Hkv, S, hs) of the buffers (B, Hkv, capacity, hs), S the
        positions filled so far.

    Example:
        >>> cache = StaticKVCache(1, 2, capacity=4, head_dim=3)
        >>> k, v = cache.update(torch.ones(1, 2, 3, 3), torch.ones(1, 2, 3, 3))
        >>> k.shape, len(cache)
        (torch.Size([1, 2, 3, 3]), 3)
        >>> cache.update(torch.ones(1, 2, 2, 3), torch.ones(1, 2, 2, 3))
        Traceback (most recent call last):
        ...
        ValueError: StaticKVCache holds 4 positions; 3 cached + 2 new exceed it. Make the caches with a larger capacity
    """

    # subtle: KVCache.__init__ is not called: it would assign the attributes that are
    # read-only views (properties) here.
    def __init__(  # noqa: PLR0913 - one argument per buffer dimension, as torch.empty
        self,
        batch: int,
        n_kv_heads: int,
        capacity: int,
        head_dim: int,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str | None = None,
    ) -> None:
        sizes = {"batch": batch, "n_kv_heads": n_kv_heads, "capacity": capacity,
                 "head_dim": head_dim}  # fmt: skip
        for name, size in sizes.items():
            if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
                raise ValueError(f"{name} must be a positive int, got {size!r}")
        self.capacity = capacity
        self._key = torch.empty(batch, n_kv_heads, capacity, head_dim, dtype=dtype, device=device)
        self._value = torch.empty_like(self._key)
        self._length = 0

    @classmethod
    def over(cls, key: Tensor, value: Tensor, length: int = 0) -> StaticKVCache:
        """A cache whose buffers are the given tensors (usually views of larger ones).

        A server batching many requests keeps one buffer of many rows and runs the model
        on some of them at a time: ``StaticKVCache.over(big_key[:n], big_value[:n],
        length)`` writes the new positions straight into those rows, after the first
        ``length`` positions (which count as filled, whatever they hold: mask them).

        Shapes:
            key, value: (B, Hkv, capacity, hs), the same shape.
        """
        if key.ndim != 4 or key.shape != value.shape:
            raise ValueError(
                "key and value must be buffers of one shape (B, Hkv, capacity, hs), got "
                f"{tuple(key.shape)} and {tuple(value.shape)}"
            )
        if not 0 <= length <= key.shape[2]:
            raise ValueError(f"length must be in 0..{key.shape[2]}, got {length}")
        cache = cls.__new__(cls)
        cache.capacity, cache._key, cache._value, cache._length = key.shape[2], key, value, length
        return cache

    def __len__(self) -> int:
        return self._length

    @property
    def key(self) -> Tensor:  # type: ignore[override]
        """The keys filled so far, a view (B, Hkv, S, hs)."""
        return self._key[:, :, : self._length]

    @property
    def value(self) -> Tensor:  # type: ignore[override]
        """The values filled so far, a view (B, Hkv, S, hs)."""
        return self._value[:, :, : self._length]

    def update(self, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
        """Write the new positions after the cached ones; return views of all so far.

        Raises:
            ValueError: the new positions do not fit the capacity, or their batch, heads
                or head size differ from the buffers'.
        """
        batch, heads, _, head_dim = self._key.shape
        new = key.shape[-2]
        for name, t in (("key", key), ("value", value)):
            if t.ndim != 4 or (t.shape[0], t.shape[1], t.shape[3]) != (batch, heads, head_dim):
                raise ValueError(
                    f"{name} must be ({batch}, {heads}, T, {head_dim}) to fit this cache, "
                    f"got {tuple(t.shape)}"
                )
        if self._length + new > self.capacity:
            raise ValueError(
                f"StaticKVCache holds {self.capacity} positions; {self._length} cached + "
                f"{new} new exceed it. Make the caches with a larger capacity"
            )
        end = self._length + new
        self._key[:, :, self._length : end] = key
        self._value[:, :, self._length : end] = value
        self._length = end
        return self.key, self.value

    def reorder(self, index: Tensor) -> None:
        """Keep rows ``index`` of the batch (the beams that survive a beam-search step)."""
        self._key = self._key.index_select(0, index)
        self._value = self._value.index_select(0, index)


def attend_with_cache(
    q: Tensor,
    k_new: Tensor,
    v_new: Tensor,
    cache_k: Tensor,
    cache_v: Tensor,
    pos: int,
    *,
    fused: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """One decoding step of attention with a preallocated KV cache.

    Writes the T new keys and values into the caches at positions ``pos .. pos + T - 1``
    (in place: nothing earlier is copied), then lets the new query at position
    ``pos + t`` attend to the keys at positions ``0 .. pos + t`` (causal), with
    softmax(q k^T / sqrt(hs)) v. With fewer key/value heads than query heads
    (grouped-query attention) each key/value head serves ``nh // nkv`` query heads in a
    row.

    :class:`MultiHeadAttention` does the same at a decoding step through its
    :class:`StaticKVCache`, with two shortcuts for one new position (no mask: it sees
    every key; grouped heads read in place, not repeated); both equal full attention in
    ``tests/nn/test_multihead.py``.

    Args:
        q: the new positions' queries (rotated already, when the model uses RoPE).
        k_new, v_new: the new positions' keys (rotated) and values.
        cache_k, cache_v: the caches, written in place; positions ``pos + T`` and
            later are ignored (their contents may be anything).
        pos: how many positions the caches hold before this step.
        fused: compute the attention with torch's fused kernel instead of our formula.

    Returns:
        (out, cache_k, cache_v): the attention output and the two caches (the same
        tensors as given, now holding the new positions).

    Shapes:
        q (B, nh, T, hs); k_new, v_new (B, nkv, T, hs); cache_k, cache_v
        (B, nkv, capacity, hs) -> out (B, nh, T, hs).

    Example:
        >>> cache_k, cache_v = torch.zeros(1, 1, 4, 2), torch.zeros(1, 1, 4, 2)
        >>> q = k = torch.ones(1, 1, 1, 2)
        >>> out, cache_k, cache_v = attend_with_cache(q, k, 2 * k, cache_k, cache_v, pos=0)
        >>> out.tolist(), cache_v[0, 0, :2].tolist()
        ([[[[2.0, 2.0]]]], [[2.0, 2.0], [0.0, 0.0]])
    """
    new = q.shape[-2]
    if not 0 <= pos <= cache_k.shape[-2] - new:
        raise ValueError(
            f"pos={pos} + {new} new positions do not fit a cache of {cache_k.shape[-2]} "
            "positions; make the caches longer or start at an earlier position"
        )
    end = pos + new
    cache_k[:, :, pos:end] = k_new
    cache_v[:, :, pos:end] = v_new
    k, v = cache_k[:, :, :end], cache_v[:, :, :end]  # (B, nkv, S, hs), S = pos + T
    if k.shape[1] != q.shape[1]:
        k, v = repeat_kv_heads(q, k, v)  # (B, nh, S, hs)
    # subtle: the new queries are the last T of the S positions (bottom-right triangle)
    mask = causal_mask(new, end, offset=pos, device=q.device)  # (T, S), True = attend
    attend = fast_attention if fused else scaled_dot_product_attention
    return attend(q, k, v, attn_mask=mask), cache_k, cache_v


def layer_caches(
    n_layers: int,
    batch_size: int,
    n_kv_heads: int,
    head_dim: int,
    capacity: int | None,
    context: tuple[str, int],
    like: Tensor,
) -> list[KVCache]:
    """One empty cache per layer of a decoder, for its ``forward``.

    Args:
        n_layers, batch_size, n_kv_heads, head_dim: the caches' sizes.
        capacity: the most positions they will hold: each layer then gets a
            :class:`StaticKVCache` allocated once. None: a :class:`KVCache` that grows
            by concatenation, for any batch.
        context: the model's position limit as (its config name, value), e.g.
            ``("block_size", 1024)``; the capacity may not exceed it.
        like: a weight of the model: the caches take its dtype and device.

    Raises:
        ValueError: ``capacity`` exceeds the context, or a size is not positive.
    """
    if capacity is None:
        return [KVCache() for _ in range(n_layers)]
    name, limit = context
    if capacity > limit:
        raise ValueError(
            f"capacity={capacity} exceeds {name}={limit}; the model reads no more positions "
            "than that"
        )
    shape = (batch_size, n_kv_heads, capacity, head_dim)
    return [StaticKVCache(*shape, dtype=like.dtype, device=like.device) for _ in range(n_layers)]


class MultiHeadAttention(nn.Module):
    """Multi-head attention: self or cross, causal or not, with GQA, RoPE and a KV cache.

    See the module docstring for what each option is for.

    Args:
        embed_dim: model width C.
        num_heads: query heads; must divide ``embed_dim``.
        num_kv_heads: key/value heads; must divide ``num_heads``. Default ``num_heads``.
        bias: whether the projections have biases (GPT-2 yes, Llama no).
        dropout: dropout on the attention weights, in training mode only.
        is_causal: mask future positions (a decoder).
        rotary: a :class:`~nlpjourney.nn.positional.RotaryEmbedding` for queries and keys,
            or None (positions added elsewhere). Self-attention only.
        cross: attend to a ``memory`` (keys and values from it) instead of to ``x``.
        fused: compute attention with torch's fused kernels instead of our formula.

    Shapes:
        forward: x (B, T, C), memory (B, S, C) when ``cross`` -> (B, T, C).

    Example:
        >>> mha = MultiHeadAttention(16, 4, is_causal=True)
        >>> mha(torch.randn(2, 5, 16)).shape
        torch.Size([2, 5, 16])
        >>> mha.qkv_proj.weight.shape  # queries, keys, values stacked
        torch.Size([48, 16])
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        *,
        num_kv_heads: int | None = None,
        bias: bool = True,
        dropout: float = 0.0,
        is_causal: bool = False,
        rotary: RotaryEmbedding | None = None,
        cross: bool = False,
        fused: bool = False,
    ) -> None:
        super().__init__()
        num_kv_heads = num_heads if num_kv_heads is None else num_kv_heads
        if embed_dim <= 0 or num_heads <= 0 or num_kv_heads <= 0:
            raise ValueError(
                f"embed_dim, num_heads and num_kv_heads must be positive, got "
                f"{embed_dim}, {num_heads}, {num_kv_heads}"
            )
        if embed_dim % num_heads != 0:
            raise ValueError(
                f"num_heads={num_heads} does not divide embed_dim={embed_dim}; each head gets "
                "embed_dim // num_heads dims, so pick a divisor"
            )
        if num_heads % num_kv_heads != 0:
            raise ValueError(
                f"num_kv_heads={num_kv_heads} does not divide num_heads={num_heads}; each "
                "key/value head must serve the same number of query heads"
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.embed_dim, self.num_heads, self.num_kv_heads = embed_dim, num_heads, num_kv_heads
        self.head_dim = embed_dim // num_heads
        if rotary is not None and cross:
            raise ValueError(
                "rotary positions are for self-attention: a query and a memory key have no "
                "shared position to rotate by"
            )
        if rotary is not None and rotary.head_dim != self.head_dim:
            raise ValueError(
                f"rotary.head_dim={rotary.head_dim} but the heads have {self.head_dim} dims"
            )
        self.dropout, self.is_causal, self.cross, self.fused = dropout, is_causal, cross, fused
        self.kv_dim = num_kv_heads * self.head_dim
        if cross:
            self.q_proj = Linear(embed_dim, embed_dim, bias=bias)
            self.kv_proj = Linear(embed_dim, 2 * self.kv_dim, bias=bias)
        else:
            self.qkv_proj = Linear(embed_dim, embed_dim + 2 * self.kv_dim, bias=bias)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)
        self.rotary = rotary
        self.keep_weights = False
        self.weights: Tensor | None = None
        # Checkpoints from before the projections were stacked still load.
        self._register_load_state_dict_pre_hook(self._stack_separate_projections)

    def _heads(self, t: Tensor, heads: int) -> Tensor:
        """(B, T, heads * hs) -> (B, heads, T, hs)."""
        batch, length, _ = t.shape
        return t.view(batch, length, heads, self.head_dim).transpose(1, 2)

    def forward(
        self,
        x: Tensor,
        memory: Tensor | None = None,
        *,
        attn_mask: Tensor | None = None,
        kv_cache: KVCache | None = None,
        last_only: bool = False,
    ) -> Tensor:
        """Attend each position of ``x`` to itself and the cache, or to ``memory``.

        Args:
            x: the queries' sequence (only the new positions, when decoding with a cache).
            memory: the encoder's output; required for cross-attention, else None.
            attn_mask: bool (True = attend) or additive float mask broadcastable to
                (B, nh, T, S), S = cached + T (self) or the memory's length (cross);
                combined with the causal mask.
            kv_cache: the layer's cache. Self-attention appends this call's keys and
                values; cross-attention fills it on the first call and reuses it after.
            last_only: self-attention: return only the last position's output. Keys and
                values (and the cache) still cover every position; only the last query
                is attended and projected, which is all the top layer of a model that
                scores one position needs.

        Shapes:
            x (B, T, C), memory (B, S, C) -> (B, T, C), or (B, 1, C) with ``last_only``.
        """
        if x.ndim != 3 or x.shape[-1] != self.embed_dim:
            raise ValueError(f"x must be (B, T, {self.embed_dim}), got {tuple(x.shape)}")
        if (memory is None) == self.cross:
            raise ValueError(
                "cross-attention needs the encoder's memory" if self.cross
                else "this is self-attention: it takes no memory (build it with cross=True)"
            )  # fmt: skip
        batch, seq_len, _ = x.shape
        past = 0 if kv_cache is None else len(kv_cache)
        if self.cross:
            if last_only:
                raise ValueError(
                    "last_only is for self-attention; cross-attention returns every position"
                )
            q = self._heads(self.q_proj(x), self.num_heads)  # (B, nh, T, hs)
            if kv_cache is not None and past:
                k, v = kv_cache.key, kv_cache.value  # the memory, projected at the first step
            else:
                assert memory is not None  # checked above
                k, v = self.kv_proj(memory).split(self.kv_dim, dim=-1)
                k, v = self._heads(k, self.num_kv_heads), self._heads(v, self.num_kv_heads)
                if kv_cache is not None:
                    kv_cache.update(k, v)
        else:
            qkv = self.qkv_proj(x)  # (B, T, C + 2 kv_dim)
            if self.rotary is None:
                # subtle: equal parts by split(int) when there are as many key/value heads
                # as query heads; its backward is cheaper than split_with_sizes'
                # (measurable in a training step), which grouped-query heads need.
                sizes = (
                    self.embed_dim
                    if self.kv_dim == self.embed_dim
                    else [self.embed_dim, self.kv_dim, self.kv_dim]
                )
                q, k, v = qkv.split(sizes, dim=-1)
                q = self._heads(q, self.num_heads)  # (B, nh, T, hs)
                k = self._heads(k, self.num_kv_heads)  # (B, nkv, T, hs)
            else:
                # Queries and keys sit side by side in qkv: rotate their heads in one go.
                qk, v = qkv.split([self.embed_dim + self.kv_dim, self.kv_dim], dim=-1)
                qk = self.rotary.rotate(self._heads(qk, self.num_heads + self.num_kv_heads), past)
                q, k = qk.split([self.num_heads, self.num_kv_heads], dim=1)
            v = self._heads(v, self.num_kv_heads)
            if kv_cache is not None:
                k, v = kv_cache.update(k, v)  # (B, nkv, S, hs), S = past + T
            if last_only and seq_len > 1:
                q, seq_len = q[:, :, -1:], 1  # the last query sees every key: no causal mask
                if attn_mask is not None and attn_mask.ndim >= 2 and attn_mask.shape[-2] > 1:
                    attn_mask = attn_mask[..., -1:, :]
        assert k is not None and v is not None  # a filled cache holds both
        if self._one_query_per_group(q, attn_mask):
            # subtle: one new position per row (decoding): each group of query heads
            # becomes the query rows of its key/value head, (B, nkv, g, hs), so the shared
            # keys and values are read in place instead of copied g times.
            q = q.reshape(batch, self.num_kv_heads, -1, self.head_dim)  # (B, nkv, g, hs)
            y = self._attend(q, k, v, attn_mask, causal=False)  # (B, nkv, g, hs)
        else:
            # One query, the last position, sees every key: no causal mask needed.
            y = self._attend(q, k, v, attn_mask, causal=self.is_causal and seq_len > 1)
        y = y.reshape(batch, self.num_heads, seq_len, self.head_dim).transpose(1, 2)
        return self.out_proj(y.reshape(batch, seq_len, self.embed_dim))  # (B, T, C)

    def _one_query_per_group(self, q: Tensor, attn_mask: Tensor | None) -> bool:
        """Grouped heads, one query position, and a mask (if any) the same for every head."""
        return (
            self.num_kv_heads != self.num_heads
            and q.shape[-2] == 1
            and not self.keep_weights
            and (attn_mask is None or attn_mask.ndim < 3 or attn_mask.shape[-3] == 1)
        )

    def _attend(
        self, q: Tensor, k: Tensor, v: Tensor, attn_mask: Tensor | None, causal: bool
    ) -> Tensor:
        """Masked attention by the chosen kernel; keeps the weights when asked."""
        query_len, key_len = q.shape[-2], k.shape[-2]
        dropout_p = self.dropout if self.training else 0.0
        grouped = k.shape[-3] != q.shape[-3]  # fewer key/value heads than query heads
        if causal and attn_mask is None and query_len == key_len and not self.keep_weights:
            # No cache, no padding: the kernels' own causal path (no mask tensor at all),
            # which also reads grouped key/value heads in place.
            attend = fast_attention if self.fused else scaled_dot_product_attention
            return attend(q, k, v, dropout_p=dropout_p, is_causal=True, enable_gqa=grouped)
        if grouped:
            k, v = repeat_kv_heads(q, k, v)  # (B, nh, S, hs)
        mask = attn_mask
        if causal:
            # subtle: the T queries are the *last* T of the S positions, so the triangle is
            # aligned bottom-right; is_causal=True would align it top-left and hide the
            # cached keys from all but the first new query.
            causal = causal_mask(query_len, key_len, offset=key_len - query_len, device=q.device)
            mask = _combine(mask, causal)
        if self.keep_weights:
            scores = (q @ k.transpose(-2, -1)) * self.head_dim**-0.5  # (B, nh, T, S)
            if mask is not None:
                scores = _apply_mask(scores, mask)
            self.weights = masked_softmax(scores.float()).detach()
        if self.fused:
            return fast_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p)
        return scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p)

    def _stack_separate_projections(
        self, state_dict: dict[str, Any], prefix: str, *args: Any
    ) -> None:
        """Turn separate ``q_proj``/``k_proj``/``v_proj`` weights into the stacked ones.

        Checkpoints written before the projections were stacked (``journey train
        translator`` runs among them) hold three matrices; this module holds one
        (self-attention) or two (cross-attention). Stacking them in place lets
        ``load_state_dict`` read both layouts.
        """
        for part in ("weight", "bias"):
            names = [f"{prefix}{p}_proj.{part}" for p in ("q", "k", "v")]
            if not all(name in state_dict for name in names):
                continue
            q, k, v = (state_dict.pop(name) for name in names)
            if self.cross:
                state_dict[f"{prefix}q_proj.{part}"] = q
                state_dict[f"{prefix}kv_proj.{part}"] = torch.cat([k, v])
            else:
                state_dict[f"{prefix}qkv_proj.{part}"] = torch.cat([q, k, v])


def _combine(mask: Tensor | None, causal: Tensor) -> Tensor:
    """A padding mask (bool or additive) and the bool causal mask, as one mask."""
    if mask is None:
        return causal
    if mask.dtype == torch.bool:
        return mask & causal
    # additive: a (B, 1, 1, S) padding mask must still broadcast to (T, S)
    return mask + torch.zeros_like(causal, dtype=mask.dtype).masked_fill(~causal, float("-inf"))
