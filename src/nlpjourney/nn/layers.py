"""The rest of a transformer block: normalisation, feed-forward networks, the residual block.

- :class:`LayerNorm`: ``(x - mean) / sqrt(var + eps) * weight + bias`` over the last dim
  (biased variance, eps *inside* the square root);
- :class:`RMSNorm`: ``x / sqrt(mean(x^2) + eps) * weight``, no centring, no bias
  (Llama, T5); again eps inside the root; :func:`rms_norm` is the same as a function;
- :func:`gelu` (exact, or the tanh approximation GPT-2 used) and :func:`silu`;
- :class:`FeedForward`: ``down(gelu(up(x)))``, width ``4 C`` by default (GPT-2);
- :class:`SwiGLU`: ``down(silu(gate(x)) * up(x))`` (Llama, PaLM), three matrices;
- :class:`TransformerBlock`: attention and feed-forward, each wrapped in a residual
  connection with dropout, normalised before (pre-norm, GPT-2 and later) or after
  (post-norm, the original transformer and BERT);
- :func:`gqa_attention` and :func:`llama_block`: the block's Llama setting (RMSNorm,
  grouped-query attention with RoPE, SwiGLU) as functions of the weights, the readable
  reference of exercise 4.5 (with :func:`rms_norm` and
  :func:`~nlpjourney.nn.positional.apply_rope`).

Reference: ``torch.nn.LayerNorm``, ``torch.nn.RMSNorm`` and ``transformers``'
``LlamaRMSNorm``; ``torch.nn.functional.gelu`` / ``silu``; ``transformers``' ``LlamaMLP``
and ``GPT2MLP``; ``torch.nn.TransformerEncoderLayer`` (both ``norm_first`` settings)
for the block.

Simplifications:
    - the block's dropout is applied to each sublayer's output before the residual add,
      not also inside the feed-forward network (``TransformerEncoderLayer`` has one there).
    - ``LlamaRMSNorm`` normalises in float32 whatever the input dtype; :class:`RMSNorm`
      normalises in the input's dtype, as ``torch.nn.RMSNorm`` does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from nlpjourney.nn.attention import repeat_kv_heads, scaled_dot_product_attention
from nlpjourney.nn.linear import Linear, stacked_weights
from nlpjourney.nn.multihead import KVCache, MultiHeadAttention
from nlpjourney.nn.positional import RotaryEmbedding, apply_rope


def _check_last_dim(x: Tensor, dim: int, what: str) -> None:
    if x.shape[-1:] != (dim,):
        raise ValueError(f"{what} expects inputs ending in {dim} features, got {tuple(x.shape)}")


class LayerNorm(nn.Module):
    """Normalise each vector to mean 0 and variance 1, then scale and shift.

    Args:
        dim: the size of the last dim.
        eps: added to the variance inside the square root.
        bias: learn a shift (``bias``) as well as a scale (``weight``).
        fused: compute with torch's one-kernel ``F.layer_norm`` instead of the formula
            written out: the same numbers to float rounding, in one pass and one backward
            node instead of six (models train with it; the formula is for reading).

    Shapes:
        forward: x (..., dim) -> (..., dim).
    """

    def __init__(self, dim: int, eps: float = 1e-5, bias: bool = True, fused: bool = False) -> None:
        super().__init__()
        self.dim, self.eps, self.fused = dim, eps, fused
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        _check_last_dim(x, self.dim, "LayerNorm")
        if self.fused:
            return F.layer_norm(x, (self.dim,), self.weight, self.bias, self.eps)
        mean = x.mean(dim=-1, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # biased: divide by dim, not dim-1
        out = (x - mean) / torch.sqrt(var + self.eps) * self.weight
        return out if self.bias is None else out + self.bias


class RMSNorm(nn.Module):
    """Scale each vector to root-mean-square 1, then by a learned ``weight``.

    Args:
        dim: the size of the last dim.
        eps: added to ``mean(x^2)`` inside the root; None uses the input dtype's machine
            epsilon, like ``torch.nn.RMSNorm`` (Llama uses 1e-5 or 1e-6).
        fused: torch's one-call ``F.rms_norm`` instead of the formula written out.

    Shapes:
        forward: x (..., dim) -> (..., dim).
    """

    def __init__(self, dim: int, eps: float | None = None, *, fused: bool = False) -> None:
        super().__init__()
        self.dim, self.eps, self.fused = dim, eps, fused
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        _check_last_dim(x, self.dim, "RMSNorm")
        if self.fused:
            return F.rms_norm(x, (self.dim,), self.weight, self.eps)
        eps = torch.finfo(x.dtype).eps if self.eps is None else self.eps
        return rms_norm(x, self.weight, eps)


def rms_norm(x: Tensor, weight: Tensor, eps: float) -> Tensor:
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last dim: :class:`RMSNorm` as a function.

    Example: ``rms_norm([3., 4.], [1., 1.], 0)`` is ``[3, 4] / sqrt(12.5)``, about
    ``[0.849, 1.131]``.

    Args:
        x: the vectors to normalise.
        weight: the learned per-feature scale.
        eps: added to the mean square inside the root, so all-zero vectors stay finite.

    Shapes:
        x (..., C), weight (C,) -> (..., C).
    """
    if weight.shape != x.shape[-1:]:
        raise ValueError(
            f"weight {tuple(weight.shape)} must be ({x.shape[-1]},) for x {tuple(x.shape)}"
        )
    # subtle: eps goes inside the root, x / sqrt(ms + eps), not x / (sqrt(ms) + eps):
    # the two differ by a lot for small vectors, and checkpoints assume the first.
    return x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps) * weight


def gelu(x: Tensor, approximate: Literal["none", "tanh"] = "none") -> Tensor:
    """``x * Phi(x)``, Phi the standard normal CDF; ``"tanh"``: GPT-2's approximation
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``."""
    if approximate == "none":
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if approximate == "tanh":
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(x: Tensor) -> Tensor:
    """``x * sigmoid(x)`` (also called swish)."""
    return x * torch.sigmoid(x)


class FeedForward(nn.Module):
    """The position-wise MLP of GPT-2 and the 2017 transformer: ``down(gelu(up(x)))``.

    Args:
        dim: model width C.
        hidden_dim: inner width; default ``4 * dim``.
        approximate: ``"none"`` for exact GELU, ``"tanh"`` for GPT-2's approximation.
        bias: biases on both linear layers.
        fused: GELU by torch's one-kernel ``F.gelu`` instead of :func:`gelu` written out
            (the same numbers to float rounding; models train with it).

    Shapes:
        forward: x (..., C) -> (..., C).
    """

    def __init__(
        self,
        dim: int,
        hidden_dim: int | None = None,
        *,
        approximate: Literal["none", "tanh"] = "none",
        bias: bool = True,
        fused: bool = False,
    ) -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
        hidden_dim = 4 * dim if hidden_dim is None else hidden_dim
        self.approximate = approximate
        self.gelu = F.gelu if fused else gelu
        self.up = Linear(dim, hidden_dim, bias=bias)
        self.down = Linear(hidden_dim, dim, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        return self.down(self.gelu(self.up(x), approximate=self.approximate))  # (..., H) inside


class SwiGLU(nn.Module):
    """The gated feed-forward of Llama: ``down_proj(silu(gate_proj(x)) * up_proj(x))``.

    The gate decides, feature by feature, how much of ``up_proj(x)`` passes. With three
    matrices instead of two, Llama picks ``hidden_dim`` about ``8/3 C`` to keep the
    parameter count of a ``4 C`` MLP. Names match ``LlamaMLP`` so weights copy by key.

    Args:
        dim: model width C.
        hidden_dim: the inner width.
        bias: biases on the three linear layers (Llama: none).
        fused: SiLU by torch's one-kernel ``F.silu`` instead of :func:`silu` written out.

    Shapes:
        forward: x (..., C) -> (..., C).
    """

    def __init__(
        self, dim: int, hidden_dim: int, *, bias: bool = False, fused: bool = False
    ) -> None:
        super().__init__()
        self.fused = fused
        # (the weights' addresses, their (2, C, H) view or None), see _gate_up
        self._pair: tuple[tuple[int, int], Tensor | None] | None = None
        self.gate_proj = Linear(dim, hidden_dim, bias=bias)
        self.up_proj = Linear(dim, hidden_dim, bias=bias)
        self.down_proj = Linear(hidden_dim, dim, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        pair = self._gate_up(x)
        if pair is not None:  # decoding: both products in one call, one per thread
            rows = x.numel() // self.gate_proj.in_features
            both = torch.bmm(x.reshape(1, rows, -1).expand(2, -1, -1), pair)  # (2, rows, H)
            gate, up = both.view(2, *x.shape[:-1], -1).unbind(0)
        else:
            gate, up = self.gate_proj(x), self.up_proj(x)
        gate = F.silu(gate) if self.fused else silu(gate)
        return self.down_proj(gate * up)

    def _gate_up(self, x: Tensor) -> Tensor | None:
        """The gate and up weights as one (2, C, H) view, when a decoding step can use it.

        Never when either projection was replaced (an adapter) or is watched by a hook:
        the one batched product would skip their calls.
        """
        gate, up = self.gate_proj, self.up_proj
        if (
            torch.is_grad_enabled()
            or type(gate) is not Linear
            or type(up) is not Linear
            or gate._forward_hooks
            or gate._forward_pre_hooks
            or up._forward_hooks
            or up._forward_pre_hooks
            or gate.bias is not None
            or x.numel() > Linear.SPLIT_ROWS * gate.in_features
            or x.is_cuda
            or torch.get_num_threads() < 2
        ):
            return None
        key = (gate.weight.data_ptr(), up.weight.data_ptr())
        found = self._pair  # one read: a model shared by threads may replace it meanwhile
        if found is None or found[0] != key:  # the weights moved (loaded, converted)
            found = self._pair = (key, stacked_weights(gate.weight, up.weight))
        return found[1]


class TransformerBlock(nn.Module):
    """Self-attention and a feed-forward network, each inside a residual connection.

    Pre-norm (``norm_first=True``, GPT-2, Llama)::

        x = x + dropout(attn(norm1(x)))
        x = x + dropout(mlp(norm2(x)))

    Post-norm (``norm_first=False``, the 2017 transformer, BERT)::

        x = norm1(x + dropout(attn(x)))
        x = norm2(x + dropout(mlp(x)))

    Pre-norm keeps an un-normalised residual path from input to output, which is why deep
    pre-norm stacks train without warm-up tricks; a pre-norm model then needs one final
    norm after its last block.

    Args:
        embed_dim: model width C.
        num_heads: attention heads.
        hidden_dim: feed-forward inner width; default ``4 C`` (GELU) or the Llama rule
            ``8/3 C`` rounded up to a multiple of 8 (SwiGLU).
        num_kv_heads: key/value heads for grouped-query attention; default ``num_heads``.
        norm_first: pre-norm if True, post-norm if False.
        norm: ``"layer"`` (:class:`LayerNorm`) or ``"rms"`` (:class:`RMSNorm`).
        mlp: ``"gelu"``, ``"gelu_tanh"`` (:class:`FeedForward`) or ``"swiglu"``.
        bias: biases in the attention and feed-forward projections (and LayerNorm).
        dropout: on each sublayer's output (and on the attention weights).
        is_causal: mask future positions (a decoder block).
        norm_eps: the norms' eps.
        rotary: an optional :class:`~nlpjourney.nn.positional.RotaryEmbedding` for the
            attention.
        fused: torch's fused kernels for the norms, GELU, SiLU and attention (models train
            with them) instead of our formulas written out; the same numbers.

    Shapes:
        forward: x (B, T, C) -> (B, T, C).
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        *,
        hidden_dim: int | None = None,
        num_kv_heads: int | None = None,
        norm_first: bool = True,
        norm: Literal["layer", "rms"] = "layer",
        mlp: Literal["gelu", "gelu_tanh", "swiglu"] = "gelu",
        bias: bool = True,
        dropout: float = 0.0,
        is_causal: bool = True,
        norm_eps: float = 1e-5,
        rotary: RotaryEmbedding | None = None,
        fused: bool = False,
    ) -> None:
        super().__init__()
        if norm not in ("layer", "rms"):
            raise ValueError(f"norm must be 'layer' or 'rms', got {norm!r}")
        if mlp not in ("gelu", "gelu_tanh", "swiglu"):
            raise ValueError(f"mlp must be 'gelu', 'gelu_tanh' or 'swiglu', got {mlp!r}")
        self.norm_first = norm_first
        self.attn = MultiHeadAttention(
            embed_dim,
            num_heads,
            num_kv_heads=num_kv_heads,
            bias=bias,
            dropout=dropout,
            is_causal=is_causal,
            rotary=rotary,
            fused=fused,
        )
        if norm == "layer":
            self.norm1: nn.Module = LayerNorm(embed_dim, norm_eps, bias=bias, fused=fused)
            self.norm2: nn.Module = LayerNorm(embed_dim, norm_eps, bias=bias, fused=fused)
        else:
            self.norm1 = RMSNorm(embed_dim, norm_eps, fused=fused)
            self.norm2 = RMSNorm(embed_dim, norm_eps, fused=fused)
        if mlp == "swiglu":
            if hidden_dim is None:
                hidden_dim = 8 * (math.ceil(8 * embed_dim / 3 / 8))
            self.mlp: nn.Module = SwiGLU(embed_dim, hidden_dim, bias=bias, fused=fused)
        else:
            approximate: Literal["none", "tanh"] = "tanh" if mlp == "gelu_tanh" else "none"
            self.mlp = FeedForward(
                embed_dim, hidden_dim, approximate=approximate, bias=bias, fused=fused
            )
        self.dropout = nn.Dropout(dropout)

    def forward(
        self,
        x: Tensor,
        attn_mask: Tensor | None = None,
        kv_cache: KVCache | None = None,
        last_only: bool = False,
    ) -> Tensor:
        """Run the block; ``attn_mask`` and ``kv_cache`` go to the attention unchanged.

        With ``last_only`` only the last position comes out, (B, 1, C): every position
        still gives its keys and values (to the cache too), but only the last one goes
        through the rest of the block. A model's top block needs no more when only the
        next token is scored.
        """
        # No dropout module calls when there is nothing to drop (decoding: 2 a layer a token).
        drop = self.dropout if self.training and self.dropout.p > 0 else _identity
        rest = x[:, -1:] if last_only else x
        if self.norm_first:
            h = self.attn(
                self.norm1(x), attn_mask=attn_mask, kv_cache=kv_cache, last_only=last_only
            )
            x = rest + drop(h)
            return x + drop(self.mlp(self.norm2(x)))
        h = self.attn(x, attn_mask=attn_mask, kv_cache=kv_cache, last_only=last_only)
        x = self.norm1(rest + drop(h))
        return self.norm2(x + drop(self.mlp(x)))


def _identity(x: Tensor) -> Tensor:
    return x


def gqa_attention(
    x: Tensor,
    w_q: Tensor,
    w_k: Tensor,
    w_v: Tensor,
    w_o: Tensor,
    cos: Tensor,
    sin: Tensor,
    num_heads: int,
    num_kv_heads: int,
) -> Tensor:
    """Causal grouped-query self-attention with rotary positions, as one function of its weights.

    Llama's attention layer: ``q = x @ w_q^T`` split into ``num_heads`` heads of
    ``C // num_heads`` dims, ``k = x @ w_k^T`` and ``v = x @ w_v^T`` into
    ``num_kv_heads`` heads of the same size; queries and keys rotated by
    :func:`~nlpjourney.nn.positional.apply_rope` (half-split pairs, Hugging Face's
    layout); each key/value head shared by ``num_heads // num_kv_heads`` neighbouring
    query heads (:func:`~nlpjourney.nn.attention.repeat_kv_heads`); causal attention
    per head; heads side by side, then ``@ w_o^T``. Weights follow ``nn.Linear``
    (``out_features, in_features``), no biases. :class:`~nlpjourney.nn.multihead.MultiHeadAttention` with
    ``num_kv_heads`` and a rotary embedding computes the same layer (tested).

    Args:
        x: the sequence.
        w_q: the query projection.
        w_k: the key projection (``num_kv_heads * head_dim`` rows).
        w_v: the value projection (as ``w_k``).
        w_o: the output projection.
        cos: cosines of each position's rotation angles (position ``t``, frequency ``i``).
        sin: their sines.
        num_heads: query heads; must divide C.
        num_kv_heads: key/value heads; must divide ``num_heads``.

    Shapes:
        x (B, T, C), w_q (C, C), w_k and w_v (Hkv * hd, C), w_o (C, C), cos and sin
        (T, hd/2) with hd = C // num_heads -> (B, T, C).
    """
    if x.ndim != 3:
        raise ValueError(f"x must be (B, T, C), got {tuple(x.shape)}")
    batch, seq_len, dim = x.shape
    if num_heads <= 0 or num_kv_heads <= 0 or dim % num_heads or num_heads % num_kv_heads:
        raise ValueError(
            f"num_heads={num_heads} must divide C={dim}, and num_kv_heads={num_kv_heads} "
            "must divide num_heads"
        )
    head_dim = dim // num_heads
    kv_dim = num_kv_heads * head_dim
    expected = {"w_q": (dim, dim), "w_k": (kv_dim, dim), "w_v": (kv_dim, dim), "w_o": (dim, dim)}
    for name, weight in zip(expected, (w_q, w_k, w_v, w_o), strict=True):
        if tuple(weight.shape) != expected[name]:
            raise ValueError(
                f"{name} must be {expected[name]} for C={dim}, {num_heads} heads and "
                f"{num_kv_heads} key/value heads; got {tuple(weight.shape)}"
            )
    q = (x @ w_q.T).view(batch, seq_len, num_heads, head_dim).transpose(1, 2)  # (B, Hq, T, hd)
    k = (x @ w_k.T).view(batch, seq_len, num_kv_heads, head_dim).transpose(1, 2)  # (B, Hkv, T, hd)
    v = (x @ w_v.T).view(batch, seq_len, num_kv_heads, head_dim).transpose(1, 2)
    q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    k, v = repeat_kv_heads(q, k, v)  # (B, Hq, T, hd)
    y = scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, Hq, T, hd)
    return y.transpose(1, 2).reshape(batch, seq_len, dim) @ w_o.T  # (B, T, C)


#: The weights :func:`llama_block` reads, by their Hugging Face names in a Llama layer.
LLAMA_BLOCK_WEIGHTS = (
    "input_layernorm",
    "q_proj",
    "k_proj",
    "v_proj",
    "o_proj",
    "post_attention_layernorm",
    "gate_proj",
    "up_proj",
    "down_proj",
)


def llama_block(
    x: Tensor,
    weights: Mapping[str, Tensor],
    cos: Tensor,
    sin: Tensor,
    num_heads: int,
    num_kv_heads: int,
    eps: float,
) -> Tensor:
    """One Llama decoder layer as a function of its weights (pre-norm, no dropout, no cache).

    ``h = x + gqa_attention(rms_norm(x, input_layernorm), q, k, v, o)``, then
    ``h + down(silu(gate(g)) * up(g))`` with ``g = rms_norm(h, post_attention_layernorm)``.
    :class:`TransformerBlock` with ``norm="rms", mlp="swiglu"`` and a rotary embedding
    computes the same (tested); :meth:`nlpjourney.models.Llama.layer_weights` gives a
    model's layer in this form.

    Args:
        x: the residual stream entering the layer.
        weights: the nine tensors named in :data:`LLAMA_BLOCK_WEIGHTS`: the two norms'
            scales (C,), the attention's ``q_proj``, ``k_proj``, ``v_proj``, ``o_proj``
            and the feed-forward's ``gate_proj``, ``up_proj`` (F, C), ``down_proj`` (C, F),
            as ``nn.Linear`` weights.
        cos: cosines of the rotation angles, as :func:`gqa_attention` takes them.
        sin: their sines.
        num_heads: query heads.
        num_kv_heads: key/value heads.
        eps: the norms' epsilon.

    Shapes:
        x (B, T, C), cos and sin (T, C // num_heads // 2) -> (B, T, C).
    """
    missing = [name for name in LLAMA_BLOCK_WEIGHTS if name not in weights]
    if missing:
        raise ValueError(f"weights lacks {missing}; it needs {list(LLAMA_BLOCK_WEIGHTS)}")
    w = weights
    attn_in = rms_norm(x, w["input_layernorm"], eps)
    h = x + gqa_attention(
        attn_in, w["q_proj"], w["k_proj"], w["v_proj"], w["o_proj"], cos, sin, num_heads,
        num_kv_heads,
    )  # fmt: skip
    g = rms_norm(h, w["post_attention_layernorm"], eps)
    return h + (silu(g @ w["gate_proj"].T) * (g @ w["up_proj"].T)) @ w["down_proj"].T
