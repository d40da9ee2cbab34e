"""Transformer building blocks on PyTorch: attention, positions, norms, feed-forward, blocks.

This is the torch engine: every model in :mod:`nlpjourney.models` is assembled from these
pieces, and they run on any torch device and dtype (CPU or CUDA, float32, bfloat16
autocast). The NumPy engine, for learning backpropagation by hand, is
:mod:`nlpjourney.autograd`.

One concept per module:

- :mod:`~nlpjourney.nn.attention`: attention as functions (scaled dot-product with
  torch's masking rules, blockwise with an online softmax, the fastest kernel here,
  a whole causal layer as a function of its weights);
- :mod:`~nlpjourney.nn.multihead`: :class:`MultiHeadAttention`, the one attention module
  (self or cross, causal or not, grouped-query heads, RoPE, the growing :class:`KVCache`
  and the preallocated :class:`StaticKVCache`);
- :mod:`~nlpjourney.nn.positional`: sinusoidal, learned, rotary and ALiBi positions;
- :mod:`~nlpjourney.nn.linear`: :class:`Linear`, ``torch.nn.Linear`` with a
  matrix-vector path that uses every CPU core, and the weight layout decoding reads fastest;
- :mod:`~nlpjourney.nn.layers`: LayerNorm, RMSNorm, GELU and SwiGLU feed-forward, and
  :class:`TransformerBlock`, the residual block GPT and the encoder are stacks of
  (:func:`rms_norm` and :func:`llama_block` are the Llama pieces as functions).

Each piece has a ``fused`` switch where torch has a one-kernel equivalent: models train
with the kernels, a reader follows the formulas, and the tests hold both to the same
numbers.
"""

from nlpjourney.nn.attention import (
    blockwise_attention,
    causal_mask,
    causal_self_attention,
    fast_attention,
    masked_softmax,
    repeat_kv_heads,
    scaled_dot_product_attention,
)
from nlpjourney.nn.layers import (
    LLAMA_BLOCK_WEIGHTS,
    FeedForward,
    LayerNorm,
    RMSNorm,
    SwiGLU,
    TransformerBlock,
    gelu,
    gqa_attention,
    llama_block,
    rms_norm,
    silu,
)
from nlpjourney.nn.linear import Linear, stacked_weights, transpose_weight_storage
from nlpjourney.nn.multihead import (
    KVCache,
    MultiHeadAttention,
    StaticKVCache,
    attend_with_cache,
    layer_caches,
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
    "LLAMA_BLOCK_WEIGHTS",
    "FeedForward",
    "KVCache",
    "LayerNorm",
    "LearnedPositionalEmbedding",
    "Linear",
    "MultiHeadAttention",
    "RMSNorm",
    "RopeScaling",
    "RotaryEmbedding",
    "SinusoidalPositionalEmbedding",
    "StaticKVCache",
    "attend_with_cache",
    "layer_caches",
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
    "gqa_attention",
    "llama_block",
    "masked_softmax",
    "repeat_kv_heads",
    "rms_norm",
    "rope_inv_freq",
    "rope_permutation",
    "rotate_half",
    "rotate_pairs",
    "scaled_dot_product_attention",
    "silu",
    "sinusoidal_positions",
    "stacked_weights",
    "transpose_weight_storage",
]
