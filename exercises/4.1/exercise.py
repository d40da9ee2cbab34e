"""Exercise 4.1: causal self-attention and rotary position embeddings (RoPE).

The two pieces at the heart of every GPT-style model, written as plain torch functions,
the ones the lesson ``lessons/4.1-the-transformer.py`` builds in cells:

1. ``causal_self_attention``: multi-head attention where each token looks only at
   itself and the tokens before it, with the weights given as matrices;
2. ``rope_inv_freq``: the angular frequency of each pair of dims;
3. ``rotate_half``: the "rotate by 90 degrees" helper of the half-split layout;
4. ``apply_rope``: rotate each pair of dims by its angle, given the cosines and sines.

Use torch's tensor operations (``@``, ``softmax``, ``view``, ``transpose``, ``cat``...),
but not ``torch.nn.functional.scaled_dot_product_attention``, ``torch.nn.MultiheadAttention``,
``transformers`` or ``nlpjourney`` (the model answer): ``journey check`` refuses a file
that uses them, since the checks compare you with them. Then run ``journey check 4.1``;
each failing check gives a hint (``--hint`` shows more), on inputs drawn fresh each run.
"""

from __future__ import annotations

import torch  # noqa: F401  (yours to use)
from torch import Tensor


def causal_self_attention(x: Tensor, w_qkv: Tensor, w_out: Tensor, num_heads: int) -> Tensor:
    """Multi-head causal self-attention of ``x`` with the weights ``w_qkv`` and ``w_out``.

    The weights are laid out like ``nn.Linear``'s (out_features, in_features), with no
    biases, so a projection is ``x @ w.T``:

    1. ``x @ w_qkv.T`` is (B, T, 3C): its first C columns are the queries, the next C
       the keys, the last C the values (GPT-2's ``c_attn`` layout);
    2. split each into ``num_heads`` heads of ``hs = C // num_heads`` dims: (B, T, C)
       -> (B, T, nh, hs) -> (B, nh, T, hs);
    3. per head, scores ``q @ k^T / sqrt(hs)`` (B, nh, T, T); forbid the future
       (key ``j > i`` for query ``i``) by setting those scores to ``-inf``; softmax over
       the keys; weighted sum of the values (B, nh, T, hs);
    4. merge the heads back side by side, (B, T, nh, hs) -> (B, T, C), and ``@ w_out.T``.

    Shapes:
        x (B, T, C), w_qkv (3C, C), w_out (C, C) -> (B, T, C).

    Example: with one head, C = 2, identity projections and ``x = [[1, 0], [0, 1]]``
    (one sequence of two tokens), token 0 can only see itself, so ``y[0] = [1, 0]``;
    token 1 scores ``0`` for token 0 and ``1 / sqrt(2)`` for itself, so its weights are
    ``softmax([0, 0.7071]) = [0.330, 0.670]`` and ``y[1] = [0.330, 0.670]``.
    """
    raise NotImplementedError("write causal_self_attention: project, split heads, mask, merge")


def rope_inv_freq(head_dim: int, base: float = 10000.0) -> Tensor:
    """The angular frequencies of RoPE: ``base ** (-2i / head_dim)`` for ``i < head_dim / 2``.

    Pair ``i`` of a query or key at position ``p`` turns by the angle ``p * inv_freq[i]``:
    the first pair turns fastest (1 radian per position), the last slowest.

    Shapes:
        returns (head_dim / 2,), float32.

    Example: ``rope_inv_freq(4, base=100.0)`` is ``[1.0, 0.1]``.
    """
    raise NotImplementedError("write rope_inv_freq: base to the power -(0, 2, 4, ...) / head_dim")


def rotate_half(x: Tensor) -> Tensor:
    """``[x1, x2] -> [-x2, x1]``, where ``x1`` and ``x2`` are the halves of the last dim.

    In the half-split layout dim ``i`` is paired with dim ``i + d/2``; turning each pair
    ``(a, b)`` by 90 degrees gives ``(-b, a)``, which is this function.

    Example: ``rotate_half([1, 2, 3, 4])`` is ``[-3, -4, 1, 2]``.
    """
    raise NotImplementedError("write rotate_half: split the last dim in two, swap, negate")


def apply_rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    """Rotate each pair ``(i, i + d/2)`` of ``x``'s last dim by its angle (half-split RoPE).

    ``cos`` and ``sin`` hold one value per position and per pair, ``cos(p * inv_freq[i])``
    and ``sin(...)``. A pair ``(a, b)`` turned by angle ``t`` is
    ``(a cos t - b sin t, b cos t + a sin t)``; for all pairs at once that is
    ``x * cos + rotate_half(x) * sin`` once ``cos`` and ``sin`` are repeated to the full
    width, ``[c0, c1, ..., c0, c1, ...]``.

    Shapes:
        x (..., T, d); cos, sin (T, d/2) -> (..., T, d).

    Example: ``x = [1, 0, 0, 0]`` at an angle of 90 degrees in pair 0 (cos ``[0, 1]``,
    sin ``[1, 0]``) becomes ``[0, 0, 1, 0]``: dim 0 turned into its partner, dim 2.
    """
    raise NotImplementedError("write apply_rope: x * cos + rotate_half(x) * sin, full width")
