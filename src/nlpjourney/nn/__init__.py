"""Torch building blocks of the transformer: attention, positions, norms, feed-forward, blocks.

One concept per module: :mod:`~nlpjourney.nn.attention` (scaled dot-product, blockwise,
multi-head and grouped-query attention, the KV cache), :mod:`~nlpjourney.nn.positional`
(sinusoidal, learned, rotary and ALiBi positions) and :mod:`~nlpjourney.nn.layers`
(LayerNorm, RMSNorm, GELU and SwiGLU feed-forward, the residual block). Everything works
on the device and dtype of its inputs.
"""

from nlpjourney.nn.attention import (
    KVCache,
    MultiHeadAttention,
    blockwise_attention,
    causal_mask,
    causal_self_attention,
    fast_attention,
    masked_softmax,
    repeat_kv_heads,
    scaled_dot_product_attention,
)
from nlpjourney.nn.layers import (
    FeedForward,
    LayerNorm,
    RMSNorm,
    SwiGLU,
    TransformerBlock,
    gelu,
    silu,
)
from nlpjourney.nn.positional import (
    LearnedPositionalEmbedding,
    RopeScaling,
    RotaryEmbedding,
    SinusoidalPositionalEmbedding,
    alibi_bias,
    alibi_slopes,
    apply_rope,
    rope_inv_freq,
    rope_permutation,
    rotate_half,
    rotate_pairs,
    sinusoidal_positions,
)

__all__ = [
    "FeedForward",
    "KVCache",
    "LayerNorm",
    "LearnedPositionalEmbedding",
    "MultiHeadAttention",
    "RMSNorm",
    "RopeScaling",
    "RotaryEmbedding",
    "SinusoidalPositionalEmbedding",
    "SwiGLU",
    "TransformerBlock",
    "alibi_bias",
    "alibi_slopes",
    "apply_rope",
    "blockwise_attention",
    "causal_mask",
    "causal_self_attention",
    "fast_attention",
    "gelu",
    "masked_softmax",
    "repeat_kv_heads",
    "rope_inv_freq",
    "rope_permutation",
    "rotate_half",
    "rotate_pairs",
    "scaled_dot_product_attention",
    "silu",
    "sinusoidal_positions",
]
