"""Exercise 4.5: the LLaMA block, from its weights.

The four pieces that turn a GPT block into a LLaMA block, as plain torch functions,
the ones the lesson ``lessons/4.5-llama-and-open-models.py`` builds in cells:

1. ``rms_norm``: scale each vector to root-mean-square 1, then by a learned weight;
2. ``apply_rope``: rotate each pair of dims of a query or key by its position's angle,
   in both pair layouts (half-split, as Hugging Face stores Llama; interleaved, as
   Meta's code and GGUF files store it);
3. ``gqa_attention``: causal self-attention with rotary positions and fewer key/value
   heads than query heads (grouped-query attention);
4. ``llama_block``: one decoder layer, ``x + attention(rms_norm(x))`` then
   ``h + swiglu(rms_norm(h))``.

The checks compare your functions with formulas written in the checks, on inputs drawn
fresh each run, and then run your ``llama_block`` with the real weights of a layer of
SmolLM2-135M-Instruct on a real prompt: its output must equal the model's own layer.

Use torch's tensor operations (``@``, ``softmax``, ``rsqrt``, ``view``, ``transpose``,
``cat``, ``repeat_interleave``, ``torch.sigmoid``...), but not ``nlpjourney`` (the model
answer), ``transformers``, ``torch.nn.functional.rms_norm``, ``torch.nn.RMSNorm`` or
``torch.nn.functional.scaled_dot_product_attention``: ``journey check`` refuses a file
that uses them. Then run ``journey check 4.5``; each failing check gives a hint
(``--hint`` shows more).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch  # noqa: F401  (yours to use)
from torch import Tensor


def rms_norm(x: Tensor, weight: Tensor, eps: float) -> Tensor:
    """``x / sqrt(mean(x^2) + eps) * weight``, the mean taken over the last dim.

    No mean is subtracted and there is no bias (that is what LayerNorm adds). ``eps``
    goes inside the square root.

    Args:
        x: the vectors to normalise.
        weight: the learned scale of each feature.
        eps: added to the mean square.

    Returns:
        A tensor of x's shape and dtype.

    Shapes:
        x (..., C), weight (C,) -> (..., C).

    Example: ``rms_norm(tensor([3., 4.]), tensor([1., 2.]), 0.0)`` is
    ``[3, 8] / sqrt(12.5)``, about ``[0.8485, 2.2627]``.
    """
    raise NotImplementedError("write rms_norm: divide by the root of the mean square plus eps")


def apply_rope(x: Tensor, cos: Tensor, sin: Tensor, *, interleaved: bool = False) -> Tensor:
    """Rotate each pair of dims of ``x`` by the angle whose cosine and sine are given.

    Pair ``i`` of position ``t`` is turned by the angle with cosine ``cos[t, i]`` and
    sine ``sin[t, i]``: ``(a, b) -> (a cos - b sin, a sin + b cos)``. Which dims form
    pair ``i`` depends on the layout:

    - half-split (``interleaved=False``, Hugging Face's Llama): dims ``i`` and
      ``i + d/2``;
    - interleaved (``interleaved=True``, Meta's Llama and GGUF): dims ``2i`` and
      ``2i + 1``.

    Args:
        x: queries or keys, the positions on dim -2.
        cos: the cosines, one row per position, one column per pair.
        sin: the sines, laid out as ``cos``.
        interleaved: which dims are paired (see above).

    Returns:
        The rotated tensor, x's shape.

    Shapes:
        x (..., T, d); cos, sin (T, d/2) -> (..., T, d).

    Example: half-split, ``x = [1, 0, 0, 0]`` (pairs ``(1, 0)`` and ``(0, 0)``) with
    a quarter turn on pair 0 (``cos = [[0, 1]]``, ``sin = [[1, 0]]``) gives
    ``[0, 0, 1, 0]``.
    """
    raise NotImplementedError("write apply_rope: x * cos + (x with each pair turned) * sin")


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
    """Causal grouped-query self-attention with rotary positions (Llama's attention).

    1. ``q = x @ w_q.T`` split into ``num_heads`` heads of ``hd = C // num_heads`` dims;
       ``k = x @ w_k.T`` and ``v = x @ w_v.T`` into ``num_kv_heads`` heads of ``hd`` dims;
    2. rotate q and k with ``apply_rope`` (half-split layout);
    3. key/value head ``j`` serves query heads ``j*g .. j*g + g - 1``, with
       ``g = num_heads // num_kv_heads``;
    4. per query head: ``softmax(q k^T / sqrt(hd))`` with every key after the query
       masked out, times v;
    5. the heads side by side again (head 0's dims first), then ``@ w_o.T``.

    Args:
        x: the sequence.
        w_q: the query projection, as an ``nn.Linear`` weight (out, in).
        w_k: the key projection.
        w_v: the value projection.
        w_o: the output projection.
        cos: the rotation cosines for positions ``0 .. T-1``.
        sin: the sines.
        num_heads: query heads.
        num_kv_heads: key/value heads; divides ``num_heads``.

    Returns:
        The layer's output, (B, T, C).

    Shapes:
        x (B, T, C); w_q, w_o (C, C); w_k, w_v (num_kv_heads * hd, C); cos, sin
        (T, hd/2) -> (B, T, C).
    """
    raise NotImplementedError("write gqa_attention: project, rotate, share k/v heads, attend")


def llama_block(
    x: Tensor,
    weights: Mapping[str, Tensor],
    cos: Tensor,
    sin: Tensor,
    num_heads: int,
    num_kv_heads: int,
    eps: float,
) -> Tensor:
    """One Llama decoder layer (pre-norm, residual connections, no biases).

    ``h = x + gqa_attention(rms_norm(x, weights["input_layernorm"], eps), q_proj,
    k_proj, v_proj, o_proj, ...)``, then with
    ``g = rms_norm(h, weights["post_attention_layernorm"], eps)`` return
    ``h + (silu(g @ gate_proj.T) * (g @ up_proj.T)) @ down_proj.T``, where
    ``silu(z) = z * sigmoid(z)`` and ``q_proj = weights["q_proj"]`` and so on.

    Args:
        x: the residual stream entering the layer.
        weights: nine tensors by their Hugging Face names: ``input_layernorm``,
            ``post_attention_layernorm`` (C,); ``q_proj``, ``k_proj``, ``v_proj``,
            ``o_proj``; ``gate_proj``, ``up_proj`` (F, C); ``down_proj`` (C, F).
        cos: the rotation cosines, as ``gqa_attention`` takes them.
        sin: the sines.
        num_heads: query heads.
        num_kv_heads: key/value heads.
        eps: the norms' epsilon.

    Returns:
        The residual stream leaving the layer, (B, T, C).

    Shapes:
        x (B, T, C) -> (B, T, C).
    """
    raise NotImplementedError("write llama_block: two residual branches, each after an rms_norm")
