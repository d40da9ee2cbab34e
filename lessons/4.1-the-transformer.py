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
# # 4.1 The transformer: attention, masks, positions, norms
#
# A recurrent network reads a sentence one word at a time and squeezes everything it has
# read into one state vector. A transformer does something blunter: every word looks at
# every other word directly, decides how much each one matters to it, and takes a
# weighted average of what they offer. That operation, **attention**, is a few matrix
# products and one softmax, so a whole sentence is processed at once on parallel
# hardware. Stack it with small per-word networks and you have GPT, BERT, T5 and Llama.
#
# In this lesson you build the pieces in cells and check each against
# `nlpjourney.nn`, then use the library's version:
#
# 1. attention by hand on a three-word sentence, every intermediate printed as a table;
# 2. why the scores are divided by $\sqrt{d}$: a softmax that saturates;
# 3. masks for padding and for the future, with pictures of attention maps;
# 4. several heads at once: splitting and merging shapes;
# 5. positions: attention cannot see order on its own; sinusoids; RoPE as rotations,
#    stretched for long contexts; ALiBi;
# 6. the block: layer norm, residuals, the feed-forward network, pre- and post-norm,
#    and what Llama changes (RMSNorm, SwiGLU, grouped-query attention);
# 7. attention a block of keys at a time with an online softmax (FlashAttention's idea);
# 8. an encoder and a decoder assembled from these parts, trained to reverse sequences;
# 9. the translator: the library's encoder-decoder on Multi30k, German to English, with
#    greedy and beam search, a cross-attention map and BLEU.
#
# Set `JOURNEY_QUICK=1` in the environment for shorter training runs at the end.

# %%
import math
import os
import tempfile
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from torch.testing import assert_close

from nlpjourney.apps.translation import (
    ParallelBatches,
    Translator,
    corpus_bleu,
    encode_pairs,
    label_smoothed_loss,
    special_ids,
    train_joint_bpe,
)
from nlpjourney.course import check, diagrams
from nlpjourney.course.results import FullRun
from nlpjourney.data.corpora import multi30k
from nlpjourney.models.transformer import DecoderLayer, Transformer, TransformerConfig
from nlpjourney.nn import (
    FeedForward,
    KVCache,
    LayerNorm,
    MultiHeadAttention,
    RMSNorm,
    RopeScaling,
    RotaryEmbedding,
    SwiGLU,
    TransformerBlock,
    alibi_bias,
    alibi_slopes,
    blockwise_attention,
    causal_mask,
    rope_inv_freq,
    rope_permutation,
    rotate_half,
    scaled_dot_product_attention,
    sinusoidal_positions,
)
from nlpjourney.tokenizers import load
from nlpjourney.train import TrainConfig, Trainer

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("4.1")  # the lesson's stored full run: its numbers print beside this run's
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)


def show(fig, name, keep=None):
    """Show a figure, and keep a copy as a PNG in the temp folder.

    With ``keep``, the full run also stores it with its results under that name.
    """
    fig.tight_layout()
    fig.savefig(os.path.join(tempfile.gettempdir(), name), dpi=80)
    if keep:
        full.figure(fig, keep)
    plt.show()


def table(matrix, rows, columns, title=""):
    """Print a 2-D tensor with row and column labels."""
    width = max(7, *(len(c) for c in columns))
    if title:
        print(title)
    print(" " * 8 + "".join(c.rjust(width) for c in columns))
    for label, row in zip(rows, matrix.tolist(), strict=True):
        print(label.ljust(8) + "".join(f"{v:{width}.3f}" for v in row))
    print()


# %% [markdown]
# ## 1. Attention by hand: "the cat sat"
#
# Give each of three words a four-number embedding. I picked them by hand: "cat" and
# "sat" share some features, "the" has little in common with either.
#
# Attention gives every word three roles, each a linear projection of its embedding:
#
# - a **query** $q$: what this word is looking for;
# - a **key** $k$: what this word offers to be found by;
# - a **value** $v$: what this word hands over when it is found.
#
# Word $i$ scores word $j$ by the dot product $q_i \cdot k_j$; a softmax over $j$ turns
# the scores into weights that sum to 1; the output of word $i$ is the weighted sum of
# the values. With the queries, keys and values stacked as rows of $Q, K, V$:
#
# $$\text{Attention}(Q, K, V) = \text{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}}\right) V.$$
#
# The $\sqrt{d}$ gets its own section; for now, just divide by it.

# %%
words = ["the", "cat", "sat"]
dims = ["d0", "d1", "d2", "d3"]
X = torch.tensor(
    [
        [0.1, 0.9, 0.0, 0.2],  # the
        [1.0, 0.1, 0.8, 0.0],  # cat
        [0.8, 0.0, 0.9, 0.6],  # sat
    ]
)
# Projections rounded to one decimal, so you can redo any number on paper.
W_q = torch.round(torch.randn(4, 4), decimals=1)
W_k = torch.round(torch.randn(4, 4), decimals=1)
W_v = torch.round(torch.randn(4, 4), decimals=1)

Q, K, V = X @ W_q, X @ W_k, X @ W_v
table(X, words, dims, "embeddings X")
table(Q, words, dims, "queries Q = X W_q")
table(K, words, dims, "keys K = X W_k")
table(V, words, dims, "values V = X W_v")

# %% [markdown]
# Row $i$ of $Q K^\top$ holds word $i$'s scores for every word (the columns). Then the
# division, the softmax along each row, and the weighted sum of values.
#
# **Predict:** the output of a word is a blend of the value rows. Could an output entry be
# larger than every entry of its column in $V$?

# %%
d = X.shape[1]
scores = Q @ K.T
scaled = scores / math.sqrt(d)
weights = torch.exp(scaled) / torch.exp(scaled).sum(dim=1, keepdim=True)
out = weights @ V

table(scores, words, words, "scores Q K^T (row: the word asking, column: the word asked)")
table(scaled, words, words, "scores / sqrt(4)")
table(weights, words, words, "weights: softmax of each row (rows sum to 1)")
table(out, words, dims, "output = weights @ V")
print("row sums of the weights:", weights.sum(dim=1))
print("every output entry within its column's range in V:",
      bool(((out >= V.min(dim=0).values) & (out <= V.max(dim=0).values)).all()))  # fmt: skip

# %% [markdown]
# No: weights that are positive and sum to 1 make an average, which always lies between
# the smallest and the largest value it averages. Each output row is a blend of the
# three value rows, mixed in the proportions of that word's weight row. The library's `scaled_dot_product_attention` takes $Q$, $K$ and $V$
# and does the rest; it gives the same numbers.

# %%
assert_close(scaled_dot_product_attention(Q, K, V), out)
print("matches nlpjourney.nn.scaled_dot_product_attention")

# %% [markdown]
# ## 2. Why divide by $\sqrt{d}$
#
# If the entries of $q$ and $k$ are independent with mean 0 and variance 1, their dot
# product is a sum of $d$ such products, so its variance is $d$ and its typical size
# $\sqrt{d}$. Real models use $d = 64$ or $128$ per head. Scores of size 10 or 20 push
# the softmax to put nearly all weight on one key, and a saturated softmax has almost
# no gradient: its derivative $p_i(1 - p_i)$ is close to 0 when $p_i$ is close to 0 or 1.
# Dividing by $\sqrt{d}$ brings the scores back to variance 1 whatever $d$ is.
#
# The next cell measures both effects on random vectors: the spread of the scores, and
# the largest weight in a row of 32 keys, with and without the division.
#
# **Predict:** with $d = 1024$ and no division, what is the largest of 32 softmax weights
# on average: about 1/32, about 0.5, or nearly 1?

# %%
head_dims = [4, 16, 64, 256, 1024]
spread, top_raw, top_scaled, grad_raw, grad_scaled = [], [], [], [], []
for dim in head_dims:
    q = torch.randn(2000, 1, dim)
    k = torch.randn(2000, 32, dim)
    raw = (q @ k.transpose(1, 2)).squeeze(1)  # (2000, 32)
    spread.append(raw.std().item())
    for s, top, grad in ((raw, top_raw, grad_raw), (raw / math.sqrt(dim), top_scaled, grad_scaled)):
        p = torch.softmax(s, dim=-1)
        top.append(p.max(dim=-1).values.mean().item())
        grad.append((p * (1 - p)).max(dim=-1).values.mean().item())  # largest p(1-p)

fig, axes = plt.subplots(1, 3, figsize=(12, 3.5))
axes[0].plot(head_dims, spread, "o-", label="measured std of q.k")
axes[0].plot(head_dims, np.sqrt(head_dims), "--", label="sqrt(d)")
axes[0].set_title("scores grow like sqrt(d)")
axes[0].set_ylabel("std of the scores")
axes[1].set_ylabel("largest weight, mean over rows")
axes[2].set_ylabel("largest p(1 - p), mean over rows")
axes[1].plot(head_dims, top_raw, "o-", label="q.k")
axes[1].plot(head_dims, top_scaled, "o-", label="q.k / sqrt(d)")
axes[1].set_title("largest softmax weight (32 keys)")
axes[1].set_ylim(0, 1.05)
axes[2].plot(head_dims, grad_raw, "o-", label="q.k")
axes[2].plot(head_dims, grad_scaled, "o-", label="q.k / sqrt(d)")
axes[2].set_title("largest p(1 - p) in a row: the gradient's size")
for ax in axes:
    ax.set_xscale("log", base=2)
    ax.set_xlabel("d")
    ax.grid(alpha=0.3)
    ax.legend()
show(fig, "lesson-4.1-scaling.png")
for dim, a, b in zip(head_dims, top_raw, top_scaled, strict=True):
    print(f"d = {dim:5d}: largest weight {a:.3f} unscaled, {b:.3f} scaled")

# %% [markdown]
# Without the division the largest weight climbs towards 1 as $d$ grows: the softmax
# becomes an arg-max. The gradient term $p(1-p)$ peaks at $p = 1/2$, so at small $d$ the
# unscaled scores are actually livelier, but from $d = 64$ on it sinks towards 0 (a row
# whose weights are one 1 and many 0s gives nothing to learn from). With the division,
# all three curves are flat: the behaviour no longer depends on $d$.
#
# ## 3. Masks: padding and the future
#
# A **mask** tells attention which keys a query may not look at. The library follows
# PyTorch's convention: a boolean mask with True where attending is allowed, or a float
# mask added to the scores. Either way a forbidden score becomes $-\infty$ before the
# softmax, and $e^{-\infty} = 0$ gives it a weight of exactly 0.
#
# Two masks cover almost every use:
#
# - **padding**: sentences in a batch have different lengths, so the short ones are
#   filled up with a pad token; nobody should attend to the padding;
# - **causal**: a language model predicts word $t+1$ from words $0..t$, so while
#   training on a whole sentence at once, position $t$ must not see anything after it.
#
# The causal mask as a grid: row $i$ is a query, column $j$ a key, and a query may see
# the keys up to and including itself (drawn by `nlpjourney.course.diagrams`).

# %%
diagrams.causal_mask_grid(["the", "cat", "sat", "on", "the", "mat"])

# %% [markdown]
#
# Here are two real sentences, tokenized with GPT-2's tokenizer and padded to one length.

# %%
gpt2 = load("gpt2")
sentences = ["the cat sat on the mat", "dogs bark loudly"]
encoded = [gpt2.encode(s) for s in sentences]
length = max(len(ids) for ids in encoded)
PAD = 0
batch_ids = torch.tensor([ids + [PAD] * (length - len(ids)) for ids in encoded])
is_real = torch.tensor([[1] * len(ids) + [0] * (length - len(ids)) for ids in encoded]).bool()
labels = [
    [gpt2.decode([i]).strip() for i in ids] + ["<pad>"] * (length - len(ids)) for ids in encoded
]
print(batch_ids)
print(is_real)

# %% [markdown]
# Random embeddings and projections are enough to see what the masks do (a trained model
# would give the maps meaning; the *shape* of what is allowed is the point here). The
# padding mask has shape (B, 1, S): one row per sentence, broadcast over every query.
# The causal mask is the lower triangle, from `causal_mask`. Combining them is a
# logical and.
#
# **Predict:** in the "padding + causal" map, how many keys does each sentence's *first*
# word give weight to?

# %%
embed = nn.Embedding(gpt2.vocab_size, 16)
x = embed(batch_ids).detach()  # (B, T, 16)
Wq, Wk = torch.randn(16, 16) / 4, torch.randn(16, 16) / 4


def attention_weights(x, mask=None):
    """Weights of one attention head, built in cells: (B, T, T)."""
    s = (x @ Wq) @ (x @ Wk).transpose(1, 2) / math.sqrt(x.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    return torch.softmax(s, dim=-1)


padding_mask = is_real[:, None, :]  # (B, 1, S)
causal = torch.tril(torch.ones(length, length, dtype=torch.bool))
assert torch.equal(causal, causal_mask(length, length))
maps = {
    "no mask": attention_weights(x),
    "padding mask": attention_weights(x, padding_mask),
    "padding + causal": attention_weights(x, padding_mask & causal),
}
# The padding+causal weights equal the library's attention with the same bool mask:
assert_close(
    scaled_dot_product_attention(x @ Wq, x @ Wk, x, attn_mask=padding_mask & causal),
    maps["padding + causal"] @ x,
)

fig, axes = plt.subplots(2, 3, figsize=(13, 8.5))
for col, (name, w) in enumerate(maps.items()):
    for row in range(2):
        ax = axes[row, col]
        ax.imshow(w[row], cmap="viridis", vmin=0, vmax=1)
        ax.set_xticks(range(length), labels[row], rotation=60)
        ax.set_yticks(range(length), labels[row])
        ax.set_title(f"sentence {row}: {name}")
        ax.set_xlabel("key (attended to)")
        if col == 0:
            ax.set_ylabel("query (attending)")
show(fig, "lesson-4.1-masks.png")

# %% [markdown]
# Read each picture row by row: a row is one query's weights over the keys (brighter is
# more weight) and always sums to 1. Sentence 0 has no padding, so its first two maps
# are the same. Without a mask, the real words of sentence 1 give
# weight to the `<pad>` columns. With the padding mask those columns are black. With the
# causal mask as well, everything above the diagonal is black: "cat" sees "the" and
# itself, never "sat". The first word can only attend to itself, so its row is one bright
# square.
#
# **Exercise: a padding mask from lengths.** A batch usually comes with each sentence's
# length rather than a mask. Write `my_padding_mask(lengths, T)`, which returns the
# (B, 1, T) boolean mask, True at the real tokens, for the sentence lengths `lengths`.


# %%
def my_padding_mask(lengths, T):
    return None  # your code


# %%
check(
    "padding mask from the lengths",
    my_padding_mask(torch.tensor([len(ids) for ids in encoded]), length),
    padding_mask,
    hint="position t of a sentence is real when t is smaller than its length: compare a "
    "row of positions with a column of lengths, then add the middle axis",
)

# %% [markdown]
# The pad *rows* still hold weights, computed from garbage; that does no harm, because
# the loss ignores pad positions. A row with every key masked would be 0/0; the library
# returns zeros there, as PyTorch does.
#
# ## 4. Several heads at once
#
# One head computes one weighting of the sentence. A word often needs several at once:
# its subject, the previous word, the matching bracket. **Multi-head attention** runs
# $h$ small heads side by side: the $C$ dims of the queries, keys and values are cut
# into $h$ slices of $C/h$, each slice does its own attention, and the results are put
# back side by side and mixed by one output projection. The cost is the same as one
# head of width $C$; only the shapes change:
#
# `(B, T, C) -> view (B, T, h, C/h) -> transpose (B, h, T, C/h)`, attention per head,
# then back: `transpose (B, T, h, C/h) -> reshape (B, T, C)`.
#
# I take the weights from a `MultiHeadAttention` module so the cell-built version can be
# compared with it. The module keeps the query, key and value matrices stacked in one
# `qkv_proj` of shape $(3C, C)$: one matmul makes all three, which is cheaper than three
# small ones, and `split` cuts the result back into $q$, $k$ and $v$.

# %%
B, T, C, h = 2, 6, 16, 4
mha = MultiHeadAttention(C, h, is_causal=True)
x = torch.randn(B, T, C)


def split_heads(t):
    return t.view(B, T, h, C // h).transpose(1, 2)  # (B, T, C) -> (B, h, T, C/h)


def merge_heads(t):
    return t.transpose(1, 2).reshape(B, T, C)  # (B, h, T, C/h) -> (B, T, C)


q, k, v = mha.qkv_proj(x).split(C, dim=-1)  # three (B, T, C) from one matmul
q, k, v = split_heads(q), split_heads(k), split_heads(v)
print("x", tuple(x.shape), "-> q, k, v per head", tuple(q.shape))
s = q @ k.transpose(-2, -1) / math.sqrt(C // h)  # (B, h, T, T): one score table per head
print("scores", tuple(s.shape))
s = s.masked_fill(~causal_mask(T, T), float("-inf"))
heads_out = torch.softmax(s, dim=-1) @ v  # (B, h, T, C/h)
mine = mha.out_proj(merge_heads(heads_out))
print("heads out", tuple(heads_out.shape), "-> merged and projected", tuple(mine.shape))
assert_close(mine, mha(x))
print("matches nlpjourney.nn.MultiHeadAttention")

# %% [markdown]
# Note the `reshape` in `merge_heads`: after `transpose` the tensor is no longer laid
# out contiguously in memory, and `view` would refuse it.
#
# ## 5. Positions
#
# ### Attention cannot see order
#
# Nothing in the formula knows where a word sits. Shuffle the input rows and the
# outputs come out shuffled in the same way, otherwise unchanged: attention is
# **permutation-equivariant**. "dog bites man" and "man bites dog" would give each word
# the same vector. The next cell checks this with a bidirectional attention layer (no
# causal mask, which would itself carry order).

# %%
layer = MultiHeadAttention(C, h)
x = torch.randn(1, T, C)
shuffle = torch.randperm(T)
print("permutation:", shuffle.tolist())
assert_close(layer(x[:, shuffle]), layer(x)[:, shuffle])
print("layer(shuffled x) == shuffled layer(x)")

# %% [markdown]
# So order must be put in from outside. The 2017 transformer adds a fixed vector to each
# embedding, made of sines and cosines of the position at different frequencies:
#
# $$PE_{p, 2i} = \sin\left(p / 10000^{2i/d}\right), \qquad
#   PE_{p, 2i+1} = \cos\left(p / 10000^{2i/d}\right).$$
#
# The first dims oscillate fast, the last ones barely move over hundreds of positions,
# like the hands of a clock with ever slower gears: together they give every position
# its own pattern. Build the table, check it against `sinusoidal_positions`, and look.

# %%
num_pos, dim = 100, 64
p = torch.arange(num_pos, dtype=torch.float64)[:, None]
freq = 10000 ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
pe = torch.zeros(num_pos, dim, dtype=torch.float64)
pe[:, 0::2] = torch.sin(p * freq)
pe[:, 1::2] = torch.cos(p * freq)
assert_close(pe.float(), sinusoidal_positions(num_pos, dim))

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
im = axes[0].imshow(pe.T, aspect="auto", cmap="RdBu", vmin=-1, vmax=1)
axes[0].set_xlabel("position")
axes[0].set_ylabel("dim")
axes[0].set_title("sinusoidal position table (transposed)")
fig.colorbar(im, ax=axes[0])
similarity = pe @ pe.T
axes[1].plot(similarity[50], label="PE[50] . PE[p]")
axes[1].set_xlabel("position p")
axes[1].set_ylabel("PE[50] . PE[p]")
axes[1].set_title("dot product with position 50")
axes[1].grid(alpha=0.3)
axes[1].legend()
show(fig, "lesson-4.1-sinusoids.png")

# %% [markdown]
# On the left, the top rows (dims 0, 1, ...) flip colour every few positions and the
# bottom rows hardly change. On the right, a position's vector is most similar to itself
# and to its near neighbours: nearby positions look alike, which is a hint of distance
# the model can learn to use. GPT-2 instead *learns* one vector per position
# (`LearnedPositionalEmbedding`); both add position to the embedding, once, at the bottom.
#
# ### RoPE: rotate instead of add
#
# Rotary position embedding (RoPE, used by Llama, Mistral, Qwen and most recent models)
# leaves the embeddings alone and acts inside attention. Group the dims of every query
# and key into pairs, read each pair as a point in the plane, and rotate it by an angle
# proportional to the position: $p \,\theta_i$ for pair $i$, with the same frequencies
# $\theta_i = 10000^{-2i/d}$ as the sinusoids.
#
# Why rotations? A dot product of two points in the plane depends only on their lengths
# and the angle between them. Rotate the query by $m\theta$ and the key by $n\theta$, and
# the angle between them changes by $(m - n)\theta$: the score depends on how far apart
# the two words are, not on where they are. The picture shows one pair of a vector at
# positions 0 to 7, once for the fastest pair ($\theta_0 = 1$ radian per step) and once
# for a slow one.

# %%
head_dim = 8
inv_freq = 10000 ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
assert_close(inv_freq, rope_inv_freq(head_dim))
print("frequencies per pair:", inv_freq)

point = torch.tensor([1.0, 0.3])
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, pair in zip(axes, [0, 1], strict=True):
    colours = plt.cm.plasma(np.linspace(0, 0.9, 8))
    for pos in range(8):
        angle = pos * inv_freq[pair]
        rotation = torch.tensor(
            [[torch.cos(angle), -torch.sin(angle)], [torch.sin(angle), torch.cos(angle)]]
        )
        xy = rotation @ point
        ax.annotate("", xy=xy.tolist(), xytext=(0, 0), arrowprops={"color": colours[pos]})
        ax.text(*(1.12 * xy).tolist(), f"p={pos}", color=colours[pos], ha="center")
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.4, 1.4)
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.set_xlabel(f"dim {2 * pair}")
    ax.set_ylabel(f"dim {2 * pair + 1}")
    ax.set_title(f"pair {pair}: {inv_freq[pair]:.2f} rad per position")
show(fig, "lesson-4.1-rope-rotation.png")

# %% [markdown]
# The fast pair goes once round the circle in about six positions; the slow pair has
# turned only 0.7 radians (40 degrees) after seven. Fast pairs tell near neighbours apart, slow
# pairs still differ between words hundreds of positions apart.
#
# Now the cell-built version. In the **interleaved** layout (the RoFormer paper, GPT-J,
# Meta's Llama code) the pairs are dims (0, 1), (2, 3), ...; rotating $(a, b)$ by $t$
# gives $(a\cos t - b\sin t,\; a \sin t + b \cos t)$.


# %%
def rope_interleaved(x, positions):
    """Rotate pairs (0, 1), (2, 3), ... of the last dim of x (..., T, d)."""
    angle = positions[:, None].float() * inv_freq  # (T, d/2)
    cos, sin = torch.cos(angle), torch.sin(angle)
    a, b = x[..., 0::2], x[..., 1::2]  # the two halves of every pair, (..., T, d/2)
    rotated = torch.stack([a * cos - b * sin, a * sin + b * cos], dim=-1)  # (..., T, d/2, 2)
    return rotated.flatten(-2)


positions = torch.arange(T)
qs = torch.randn(2, T, head_dim)  # (heads, T, d)
assert_close(
    rope_interleaved(qs, positions), RotaryEmbedding(head_dim, interleaved=True)(qs, positions)
)
print("matches RotaryEmbedding(interleaved=True)")

# %% [markdown]
# The relative-position property, numerically: take one query vector and one key vector,
# put them at positions $(m, n)$, rotate, and score. Every pair of positions with the
# same distance $m - n$ gives the same score, up to float rounding.

# %%
q1, k1 = torch.randn(head_dim), torch.randn(head_dim)


def rope_score(m, n):
    qm = rope_interleaved(q1[None], torch.tensor([m]))[0]
    kn = rope_interleaved(k1[None], torch.tensor([n]))[0]
    return (qm @ kn).item()


print(" m    n   m-n   score")
for m, n in [(3, 1), (10, 8), (52, 50), (1, 3), (8, 10), (50, 52)]:
    print(f"{m:2d}  {n:3d}  {m - n:4d}  {rope_score(m, n):7.4f}")

grid = torch.tensor([[rope_score(m, n) for n in range(32)] for m in range(32)])
fig, ax = plt.subplots(figsize=(5, 4.5))
im = ax.imshow(grid, cmap="RdBu")
ax.set_xlabel("key position n")
ax.set_ylabel("query position m")
ax.set_title("q . k after RoPE: constant along each diagonal")
fig.colorbar(im, ax=ax)
show(fig, "lesson-4.1-rope-scores.png")

# %% [markdown]
# Each diagonal of the picture (fixed $m - n$) has one colour: the score is a function of
# the distance alone.
#
# **The half-split layout.** Hugging Face's Llama (and GPT-NeoX) pair dim $i$ with dim
# $i + d/2$ instead of with $i + 1$. The rotation is the same, written as
# `x * cos + rotate_half(x) * sin`, where `rotate_half` turns $[x_1, x_2]$ into
# $[-x_2, x_1]$ and `cos`, `sin` are repeated to full width as $[c_0, c_1, .., c_0, c_1, ..]$.


# %%
def rope_half_split(x, positions):
    angle = positions[:, None].float() * inv_freq  # (T, d/2)
    cos = torch.cat([torch.cos(angle), torch.cos(angle)], dim=-1)  # (T, d)
    sin = torch.cat([torch.sin(angle), torch.sin(angle)], dim=-1)
    return x * cos + rotate_half(x) * sin


print("rotate_half([1, 2, 3, 4]) =", rotate_half(torch.tensor([1.0, 2.0, 3.0, 4.0])))
assert_close(rope_half_split(qs, positions), RotaryEmbedding(head_dim)(qs, positions))
print("matches RotaryEmbedding() (half-split, the default)")

# %% [markdown]
# The two layouts are the same rotations applied to differently ordered dims. Reorder
# the dims with `rope_permutation` (evens first, then odds) and interleaved pair
# $(2i, 2i+1)$ lands on half-split pair $(i, i + d/2)$. That is how Meta's Llama weights
# are converted for Hugging Face: the rows of the query and key projections are
# permuted once, and then half-split RoPE gives the same attention scores.

# %%
perm = rope_permutation(head_dim)
print("rope_permutation(8) =", perm.tolist())
assert_close(rope_half_split(qs[..., perm], positions), rope_interleaved(qs, positions)[..., perm])
ks = torch.randn(2, T, head_dim)
assert_close(
    rope_half_split(qs[..., perm], positions) @ rope_half_split(ks[..., perm], positions).mT,
    rope_interleaved(qs, positions) @ rope_interleaved(ks, positions).mT,
)
print("same scores from both layouts once the dims are permuted")

# %% [markdown]
# ### Longer contexts: stretching RoPE
#
# Each pair of dims turns at its own frequency; the slowest pairs have wavelengths of
# tens of thousands of positions. A model trained on 8,192 positions has only seen a
# fraction of a turn of those. Llama 3.1 reaches 128k positions by slowing the slow
# pairs down by a factor (8) so that long distances map onto angles it has seen, while
# the fast pairs, which encode the order of nearby words, are left alone; a smooth band
# joins the two. `RopeScaling(kind="llama3", ...)` does this to the frequencies. The
# plot shows every pair's wavelength before and after.

# %%
plain = rope_inv_freq(128, base=500000.0)
stretched = rope_inv_freq(
    128, base=500000.0, scaling=RopeScaling(kind="llama3", factor=8.0, high_freq_factor=4.0)
)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(2 * math.pi / plain, "o", markersize=3, label="Llama 3 (base 500,000)")
ax.plot(2 * math.pi / stretched, "x", markersize=3, label="with llama3 scaling, factor 8")
ax.axhline(8192, color="grey", linestyle="--", label="trained context, 8,192")
ax.set_yscale("log")
ax.set_xlabel("pair of dims i")
ax.set_ylabel("wavelength (positions per turn)")
ax.set_title("RoPE scaling slows only the slow pairs")
ax.legend()
show(fig, "lesson-4.1-rope-scaling.png")
kept = int((stretched == plain).sum())
print(f"{kept} of {len(plain)} pairs unchanged; the slowest turn 8x slower")

# %% [markdown]
# ### A fourth way: ALiBi
#
# ALiBi (Press et al., 2022, used by BLOOM and MPT) adds no position vector at all. It
# subtracts from each score a penalty that grows with the distance between query and
# key, `slope * (i - j)`, with one slope per head: steep heads look near, shallow heads
# look far. `alibi_bias` builds the penalty; added to causal attention scores it gives
# each head its own preferred reach.

# %%
slopes = alibi_slopes(4)
bias = alibi_bias(slopes, 16, 16)  # (heads, query, key)
print("slopes of 4 heads:", [round(v, 4) for v in slopes.tolist()])
last_query = bias[:, -1, :]  # the bias the last of 16 queries puts on keys 0..15
distance = torch.arange(15, -1, -1)  # query 15 to key j: 15 - j positions back
fig, ax = plt.subplots(figsize=(6, 3.5))
for head in range(4):
    ax.plot(distance, last_query[head], "o-", markersize=3,
            label=f"head {head}, slope {slopes[head]:.4f}")  # fmt: skip
ax.set_xlabel("distance from query to key (positions back)")
ax.set_ylabel("bias added to the score")
ax.set_title("ALiBi: a penalty that grows with distance, one slope per head")
ax.legend()
show(fig, "lesson-4.1-alibi.png")

# %% [markdown]
# ## 6. The block
#
# Attention mixes information *between* positions. A transformer block adds three
# things around it:
#
# - a **feed-forward network** applied to each position on its own, `down(gelu(up(x)))`
#   with a hidden width of $4C$, where most of a model's parameters live;
# - **residual connections**: each sublayer's output is *added* to its input,
#   `x + attn(x)`, so a block only has to learn a correction and gradients have a
#   direct path down through the stack;
# - **layer normalisation**: each position's vector is shifted to mean 0 and scaled to
#   variance 1 (then scaled and shifted by learned weights), which keeps the numbers in
#   a range where training behaves.
#
# Here is the block GPT-2 and Llama use, drawn left to right:

# %%
diagrams.transformer_block()

# %% [markdown]
# Attention is the only place where tokens exchange information; the MLP works on each
# token alone. Each sublayer's output is *added* to the stream that flows straight along
# the residual path.
#
# Layer norm first, by hand:

# %%
x = torch.randn(B, T, C) * 3 + 1
norm = LayerNorm(C)
mean = x.mean(dim=-1, keepdim=True)
var = x.var(dim=-1, keepdim=True, unbiased=False)
mine = (x - mean) / torch.sqrt(var + 1e-5) * norm.weight + norm.bias
assert_close(mine, norm(x))
print("per-position mean after LayerNorm:", mine.mean(-1)[0])
print("per-position std after LayerNorm: ", mine.std(-1, unbiased=False)[0])

# %% [markdown]
# Where the norm goes is a real design choice. The 2017 transformer normalised *after*
# each residual addition (**post-norm**); GPT-2 and nearly every model since normalise
# the sublayer's *input* and leave the residual path untouched (**pre-norm**):
#
# ```
# post-norm:  x = norm1(x + attn(x));        x = norm2(x + mlp(x))
# pre-norm:   x = x + attn(norm1(x));        x = x + mlp(norm2(x))
# ```
#
# I wire both from a `TransformerBlock`'s own sublayers and compare with the block.

# %%
for norm_first in (True, False):
    block = TransformerBlock(C, h, norm_first=norm_first, is_causal=True).eval()
    x = torch.randn(B, T, C)
    if norm_first:
        y = x + block.attn(block.norm1(x))
        y = y + block.mlp(block.norm2(y))
    else:
        y = block.norm1(x + block.attn(x))
        y = block.norm2(y + block.mlp(y))
    assert_close(y, block(x))
    print(f"norm_first={norm_first}: matches TransformerBlock")
assert isinstance(block.mlp, FeedForward)

# %% [markdown]
# Why pre-norm won: in a post-norm stack every gradient passes through every norm on its
# way down, while pre-norm keeps a plain sum `x + f(x) + g(x) + ...` from the input to
# the output. One visible consequence at initialisation is how the gradient is shared
# out among the blocks. The cell builds 12 blocks of each kind (the pre-norm stack gets
# its final norm, as real models have), runs a random batch through them towards a
# random target, and measures the gradient norm of each block's weights.
#
# **Predict:** in the post-norm stack, which block gets the largest gradient: the first
# (nearest the input), one in the middle, or the last?


# %%
def gradient_per_layer(norm_first, depth=12, width=64):
    torch.manual_seed(1)
    blocks = nn.Sequential(
        *[TransformerBlock(width, 4, norm_first=norm_first) for _ in range(depth)]
    )
    final = LayerNorm(width) if norm_first else nn.Identity()  # post-norm ends in a norm
    x, target = torch.randn(8, 32, width), torch.randn(8, 32, width)
    (final(blocks(x)) - target).pow(2).mean().backward()
    return [torch.cat([p.grad.flatten() for p in b.parameters()]).norm().item() for b in blocks]


fig, ax = plt.subplots(figsize=(6, 3.5))
for norm_first, name in ((True, "pre-norm"), (False, "post-norm")):
    grads = gradient_per_layer(norm_first)
    ax.plot(range(1, 13), grads, "o-", label=name)
    print(f"{name:9s}: " + " ".join(f"{g:.3f}" for g in grads))
    print(f"{'':9s}  last block / median of the others: {grads[-1] / np.median(grads[:-1]):.1f}")
ax.set_ylim(0, None)
ax.set_xlabel("block (1 = nearest the input)")
ax.set_ylabel("gradient norm of the block's weights")
ax.set_title("gradient per block at initialisation, 12 blocks")
ax.grid(alpha=0.3)
ax.legend()
show(fig, "lesson-4.1-pre-post-norm.png")

# %% [markdown]
# In the pre-norm stack every block gets a gradient of about the same size. In the
# post-norm stack the last block, right under the output, gets well over twice as much
# as the others (the ratio under its row). With a large learning rate that block is
# yanked around in the first steps, which is why the original transformer needed a
# learning-rate warm-up and why Xiong et al. (2020, "On Layer Normalization in the
# Transformer Architecture") could drop the warm-up once the norms moved inside.
#
# **Exercise: count a block's parameters.** Write `my_block_parameters(C)`, the number of
# parameters of `TransformerBlock(C, heads)` with its defaults (layer norms, a GELU
# feed-forward of width $4C$, biases everywhere), as a formula in $C$. The number of heads
# does not enter it: why not?


# %%
def my_block_parameters(C):
    return None  # your code


# %%
check(
    "parameters of a block of width 16, 64 and 256",
    [my_block_parameters(width) for width in (16, 64, 256)],
    [sum(p.numel() for p in TransformerBlock(width, 4).parameters()) for width in (16, 64, 256)],
    hint="count matrix by matrix: attention projects to q, k and v and back, the MLP goes "
    "to 4C and back; every linear layer has a bias of its output's size, and each "
    "norm has a scale and a shift",
)

# %% [markdown]
#
# ### What Llama changes in the block
#
# Llama, Mistral, Qwen and SmolLM2 keep the pre-norm block and change three of its parts:
#
# - **RMSNorm** instead of layer norm: no mean subtracted, no bias, only a division by
#   the root mean square, `x / sqrt(mean(x^2) + eps) * weight`. Cheaper, and as good;
# - **SwiGLU** instead of the GELU feed-forward: `down(silu(gate(x)) * up(x))`, where the
#   gate decides feature by feature how much of `up(x)` passes. It has three matrices,
#   so the hidden width shrinks to about $8C/3$ to keep the parameter count of $4C$;
# - **grouped-query attention**: fewer key/value heads than query heads, each shared by a
#   group, which shrinks the KV cache a decoder keeps.
#
# Build the first two by hand and check them against the library:

# %%
x = torch.randn(B, T, C) * 3 + 1
rms = RMSNorm(C, eps=1e-6)
mine = x / torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + 1e-6) * rms.weight
assert_close(mine, rms(x))
print("RMSNorm: mean of squares after it", mine.pow(2).mean(-1)[0, :3])

swiglu = SwiGLU(C, hidden_dim=8 * math.ceil(8 * C / 3 / 8))
gate, up = swiglu.gate_proj(x), swiglu.up_proj(x)
mine = swiglu.down_proj(gate * torch.sigmoid(gate) * up)  # silu(g) = g * sigmoid(g)
assert_close(mine, swiglu(x))
gelu_mlp = FeedForward(C)
count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
print(f"SwiGLU: {count(swiglu):,} parameters (hidden {swiglu.gate_proj.out_features}); "
      f"GELU feed-forward: {count(gelu_mlp):,} (hidden {4 * C})")  # fmt: skip

# %% [markdown]
# Put together with rotary positions and two key/value heads for four query heads, the
# library's `TransformerBlock` is a Llama block. The KV cache of a decoder holds one key
# and one value per key/value head, so it is half the size here.

# %%
llama_block = TransformerBlock(C, h, num_kv_heads=2, norm="rms", mlp="swiglu", bias=False,
                               rotary=RotaryEmbedding(C // h)).eval()  # fmt: skip
gpt_block = TransformerBlock(C, h, mlp="gelu_tanh").eval()
for name, block in (("GPT-2 style", gpt_block), ("Llama style", llama_block)):
    cache = KVCache()
    block(torch.randn(1, T, C), kv_cache=cache)
    print(f"{name}: {count(block):,} parameters, KV cache of {T} positions holds "
          f"{cache.key.numel() + cache.value.numel()} numbers")  # fmt: skip

# %% [markdown]
# ## 7. Attention one block of keys at a time
#
# Plain attention builds the whole $T \times T$ score matrix. At $T = 8192$ that is 67
# million numbers per head, per layer, per sequence, kept until the backward pass.
# FlashAttention never builds it. It walks through the keys a block at a time, keeping
# for each query only three running things: the largest score seen so far $m$, the sum
# of exponentials $\ell$, and the unnormalised output $o$. When a block brings a larger
# maximum $m'$, whatever was accumulated under the old maximum is rescaled by
# $e^{m - m'}$. After the last block, $o / \ell$ is exactly the softmax-weighted sum.
# This is the **online softmax**.


# %%
def online_attention(q, k, v, block):
    """Exact attention, visiting `block` keys at a time; never holds all (L, S) scores."""
    scale = 1 / math.sqrt(q.shape[-1])
    m = torch.full((*q.shape[:-1], 1), float("-inf"))  # running max, (..., L, 1)
    total = torch.zeros(*q.shape[:-1], 1)  # running sum of exp, (..., L, 1)
    o = torch.zeros(*q.shape[:-1], v.shape[-1])  # running weighted sum, (..., L, Ev)
    for start in range(0, k.shape[-2], block):
        s = q @ k[..., start : start + block, :].mT * scale  # (..., L, block)
        new_m = torch.maximum(m, s.amax(dim=-1, keepdim=True))
        rescale = torch.exp(m - new_m)  # 0 on the first block, since m = -inf
        e = torch.exp(s - new_m)
        total = total * rescale + e.sum(dim=-1, keepdim=True)
        o = o * rescale + e @ v[..., start : start + block, :]
        m = new_m
    return o / total


q, k, v = torch.randn(2, 3, 100, 16), torch.randn(2, 3, 100, 16), torch.randn(2, 3, 100, 16)
for block in (1, 7, 32, 100):
    assert_close(online_attention(q, k, v, block), scaled_dot_product_attention(q, k, v))
assert_close(online_attention(q, k, v, 32), blockwise_attention(q, k, v, block_size=32))
print("equal to full attention for blocks of 1, 7, 32 and 100 keys, and to blockwise_attention")

# %% [markdown]
# The library's `blockwise_attention` adds the causal mask and a backward pass that
# also works block by block: it saves only the log-sum-exp $m + \log \ell$ per query
# and recomputes each block's weights from it. What that buys is memory. The cell
# compares the tensors each version keeps for the backward pass (autograd's saved
# tensors, counted through a hook) at one sequence length.


# %%
def saved_bytes(fn, *inputs):
    total = 0

    def pack(t):
        nonlocal total
        total += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(*inputs)
    return total


seq = 512 if QUICK else 2048
q, k, v = (torch.randn(1, 4, seq, 32, requires_grad=True) for _ in range(3))
full_mb = (
    saved_bytes(lambda a, b, c: scaled_dot_product_attention(a, b, c, is_causal=True), q, k, v)
    / 1e6
)
block_mb = (
    saved_bytes(lambda a, b, c: blockwise_attention(a, b, c, 128, is_causal=True), q, k, v) / 1e6
)
print(
    f"T = {seq}: plain attention keeps {full_mb:.1f} MB for backward, blockwise {block_mb:.1f} MB"
)
assert_close(
    blockwise_attention(q, k, v, 128, is_causal=True),
    scaled_dot_product_attention(q, k, v, is_causal=True),
)

# %% [markdown]
# Plain attention keeps its score and weight matrices, $T \times T$ per head, for the
# backward pass, so its memory grows with the square of the length: double $T$ and it
# keeps four times as much. The blockwise version keeps the inputs, the output and one
# number per query, all growing linearly. (It is not faster here: a Python loop over
# blocks cannot compete with a fused kernel. FlashAttention's speed comes from doing the
# same loop inside one GPU kernel, in fast on-chip memory.) `benchmarks/nn_attention.py`
# measures both against PyTorch's own kernel.
#
# ## 8. An encoder and a decoder, assembled
#
# The 2017 transformer translated sentences with two stacks. The **encoder** reads the
# source with bidirectional self-attention (every word sees every word). The **decoder**
# writes the target one token at a time; each of its blocks has causal self-attention
# over what it has written so far, then **cross-attention**, whose queries come from the
# decoder and whose keys and values come from the encoder's output, then a feed-forward
# network. Two layers of each, as this section builds them:

# %%
diagrams.encoder_decoder(n_layers=2)

# %% [markdown]
# The encoder runs once per source sentence; its output, the memory, is the keys and
# values of *every* decoder layer's cross-attention, while the queries come from the
# decoder's own stream.
#
# The one piece still to build is cross-attention: the same as multi-head attention,
# but keys and values are projected from a second sequence. Build it with three separate
# projections, then check it two ways: given the same sequence twice it must be ordinary
# self-attention, and with a real second sequence it must equal the library's
# `MultiHeadAttention(..., cross=True)`, whose `q_proj` makes the queries and whose
# `kv_proj` stacks the key and value matrices.


# %%
class CrossAttention(nn.Module):
    """Queries from x (B, T, C), keys and values from memory (B, S, C) -> (B, T, C)."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj = nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.v_proj, self.out_proj = nn.Linear(dim, dim), nn.Linear(dim, dim)

    def split(self, t):  # (B, S, C) -> (B, h, S, C/h)
        return t.unflatten(-1, (self.heads, -1)).transpose(1, 2)

    def forward(self, x, memory):
        q = self.split(self.q_proj(x))
        k, v = self.split(self.k_proj(memory)), self.split(self.v_proj(memory))
        y = scaled_dot_product_attention(q, k, v)  # (B, h, T, C/h)
        return self.out_proj(y.transpose(1, 2).flatten(-2))


cross = CrossAttention(C, h)
self_attention = MultiHeadAttention(C, h)
library_cross = MultiHeadAttention(C, h, cross=True)
with torch.no_grad():
    q_w, k_w, v_w = cross.q_proj.weight, cross.k_proj.weight, cross.v_proj.weight
    q_b, k_b, v_b = cross.q_proj.bias, cross.k_proj.bias, cross.v_proj.bias
    self_attention.qkv_proj.weight.copy_(torch.cat([q_w, k_w, v_w]))
    self_attention.qkv_proj.bias.copy_(torch.cat([q_b, k_b, v_b]))
    library_cross.q_proj.load_state_dict(cross.q_proj.state_dict())
    library_cross.kv_proj.weight.copy_(torch.cat([k_w, v_w]))
    library_cross.kv_proj.bias.copy_(torch.cat([k_b, v_b]))
    for module in (self_attention, library_cross):
        module.out_proj.load_state_dict(cross.out_proj.state_dict())
x, memory = torch.randn(B, T, C), torch.randn(B, T + 3, C)
assert_close(cross(x, x), self_attention(x))
print("cross-attention of a sequence with itself == self-attention")
assert_close(cross(x, memory), library_cross(x, memory))
print("cross-attention to a memory of", T + 3, "positions == MultiHeadAttention(cross=True)")

# %% [markdown]
# The Multi30k translator (German to English) of section 9 is built from these parts
# (`nlpjourney.models.transformer`). Here the task is small
# enough to train on a CPU in seconds: the source is 8 random digits and the target is
# the same digits reversed. Copying would be easy for any network; reversing forces the
# decoder to find, at output step $i$, source position $7 - i$, which only
# cross-attention with positions can do.
#
# The encoder is a stack of library `TransformerBlock`s with `is_causal=False`; the
# decoder block is wired in the cell from library parts plus the cross-attention above,
# pre-norm throughout. Positions are sinusoidal, added to the embeddings. (The 2017 paper
# also multiplied the embeddings by $\sqrt{C}$; with PyTorch's embeddings, which start
# with entries of size 1 like the sinusoids, that would drown the positions, and
# reversal is all about positions.)

# %%
DIGITS, LENGTH, BOS = 10, 8, 10  # tokens 0-9 are digits, 10 starts the output


class DecoderBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1, self.self_attn = LayerNorm(dim), MultiHeadAttention(dim, heads, is_causal=True)
        self.norm2, self.cross_attn = LayerNorm(dim), CrossAttention(dim, heads)
        self.norm3, self.mlp = LayerNorm(dim), FeedForward(dim)

    def forward(self, x, memory):
        x = x + self.self_attn(self.norm1(x))
        x = x + self.cross_attn(self.norm2(x), memory)
        return x + self.mlp(self.norm3(x))


class Seq2Seq(nn.Module):
    def __init__(self, dim=32, heads=4, layers=2):
        super().__init__()
        self.dim = dim
        self.src_embed = nn.Embedding(DIGITS, dim)
        self.tgt_embed = nn.Embedding(DIGITS + 1, dim)  # + BOS
        self.register_buffer("positions", sinusoidal_positions(LENGTH, dim), persistent=False)
        self.encoder = nn.ModuleList(
            [TransformerBlock(dim, heads, is_causal=False) for _ in range(layers)]
        )
        self.encoder_norm = LayerNorm(dim)
        self.decoder = nn.ModuleList([DecoderBlock(dim, heads) for _ in range(layers)])
        self.decoder_norm = LayerNorm(dim)
        self.head = nn.Linear(dim, DIGITS)

    def encode(self, src):  # (B, S) -> (B, S, C)
        x = self.src_embed(src) + self.positions[: src.shape[1]]
        for block in self.encoder:
            x = block(x)
        return self.encoder_norm(x)

    def decode(self, tgt_in, memory):  # (B, T), (B, S, C) -> logits (B, T, DIGITS)
        x = self.tgt_embed(tgt_in) + self.positions[: tgt_in.shape[1]]
        for block in self.decoder:
            x = block(x, memory)
        return self.head(self.decoder_norm(x))


def make_batch(size, generator):
    src = torch.randint(0, DIGITS, (size, LENGTH), generator=generator)
    tgt = src.flip(1)
    tgt_in = torch.cat([torch.full((size, 1), BOS), tgt[:, :-1]], dim=1)  # shifted right
    return src, tgt_in, tgt


torch.manual_seed(0)
model = Seq2Seq()
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")
src, tgt_in, tgt = make_batch(2, torch.Generator().manual_seed(0))
print("source        ", src[0].tolist())
print("decoder input ", tgt_in[0].tolist(), "(BOS = 10, then the target shifted right)")
print("target        ", tgt[0].tolist())

# %% [markdown]
# Training uses teacher forcing: the decoder gets the true previous tokens as input and
# is scored on predicting each next one, all positions at once, which the causal mask
# makes honest. The loss starts near $\ln 10 \approx 2.3$, a uniform guess among ten
# digits. The full mode trains for 300 steps, the quick mode for 120; the table under
# the cell shows where this run's loss ends beside where the stored full run's did.

# %%
steps = 120 if QUICK else 300
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
generator = torch.Generator().manual_seed(1)
losses, start = [], time.perf_counter()
for step in range(steps):
    src, tgt_in, tgt = make_batch(64, generator)
    logits = model.decode(tgt_in, model.encode(src))
    loss = nn.functional.cross_entropy(logits.reshape(-1, DIGITS), tgt.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if step % 50 == 0 or step == steps - 1:
        print(f"step {step:4d}  loss {loss.item():.4f}")
seconds = time.perf_counter() - start
print()
full.table(
    {
        "training steps": steps,
        "loss, mean of the last 20 steps": float(np.mean(losses[-20:])),
        "seconds": round(seconds, 1),
    },
    title="reversing digits: training",
)

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(losses)
ax.set_xlabel("step")
ax.set_ylabel("cross-entropy")
ax.set_yscale("log")
ax.set_title("reversing 8 digits: training loss")
ax.grid(alpha=0.3)
show(fig, "lesson-4.1-seq2seq-loss.png")

# %% [markdown]
# At test time there is no true previous token: the decoder starts from BOS alone,
# predicts one digit, appends it to its input and goes again (greedy decoding). The
# encoder runs once; its output serves every step.


# %%
@torch.no_grad()
def reverse(model, src):
    memory = model.encode(src)
    out = torch.full((src.shape[0], 1), BOS)
    for _ in range(LENGTH):
        next_digit = model.decode(out, memory)[:, -1].argmax(dim=-1, keepdim=True)
        out = torch.cat([out, next_digit], dim=1)
    return out[:, 1:]


model.eval()
src, _, tgt = make_batch(1000, torch.Generator().manual_seed(123))
predicted = reverse(model, src)
full.table(
    {
        "digits right (%)": 100 * (predicted == tgt).float().mean().item(),
        "sequences right (of 1000)": int((predicted == tgt).all(dim=1).sum()),
    },
    title="reversing 1000 test sequences",
)
print()
for i in range(3):
    print(src[i].tolist(), "->", predicted[i].tolist())

# %% [markdown]
# Where does each output step look? The last decoder block's cross-attention weights,
# averaged over its heads, for one test sequence:

# %%
with torch.no_grad():
    example = src[:1]
    memory = model.encode(example)
    tgt_in = torch.cat([torch.tensor([[BOS]]), predicted[:1, :-1]], dim=1)
    x = model.tgt_embed(tgt_in) + model.positions[:LENGTH]
    for block in model.decoder[:-1]:
        x = block(x, memory)
    last = model.decoder[-1]
    x = x + last.self_attn(last.norm1(x))
    cross = last.cross_attn
    q = cross.split(cross.q_proj(last.norm2(x)))
    k = cross.split(cross.k_proj(memory))
    weights = torch.softmax(q @ k.mT / math.sqrt(q.shape[-1]), dim=-1).mean(dim=1)[0]

fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.imshow(weights, cmap="viridis", vmin=0)
ax.set_xticks(range(LENGTH), [str(d) for d in example[0].tolist()])
ax.set_yticks(range(LENGTH), [str(d) for d in predicted[0].tolist()])
ax.set_xlabel("source digit (key)")
ax.set_ylabel("output digit (query)")
ax.set_title("cross-attention, last decoder block")
show(fig, "lesson-4.1-cross-attention.png")

# %% [markdown]
# A model that has learned the reversal has output step 0 (the top row) look at the last
# source digit, step 1 at the one before, and so on: the bright cells run along the
# anti-diagonal. The cell below reads the map row by row: for each output step, the
# source position it attends to most, in this run and in the stored full run, and how
# many of the eight rows put their brightest cell on the anti-diagonal.

# %%
looks_at = weights.argmax(dim=-1).tolist()
full.keep("reversal: position each step looks at", looks_at)
full.table(
    {
        "rows brightest at position 7 - step (of 8)": sum(
            j == LENGTH - 1 - i for i, j in enumerate(looks_at)
        )
    },
    title="cross-attention of the digit reverser",
)
print("output step:                 ", list(range(LENGTH)))
print("source position, this run:  ", looks_at)
print("source position, full run:  ", full["reversal: position each step looks at"])
print(f"the full run reversed {full['sequences right (of 1000)']} of the 1000 test sequences")

# %% [markdown]
# Nobody told the model to look there; it found that the positions added at the bottom
# of both stacks let a query at step $i$ match the key at position $7 - i$. Looking in
# the right place is not yet getting every digit right: the last line gives how many of
# the 1000 test sequences the full run reverses without a single wrong digit, and the
# quick run, with fewer steps, has its own count in the table above.
#
# ## 9. The translator
#
# `nlpjourney.models.transformer.Transformer` is the `Seq2Seq` above grown up into the
# 2017 model: padding masks (sentences differ in length), one embedding shared by source,
# target and output layer (a joint vocabulary of both languages), embeddings scaled by
# $\sqrt{C}$ as in the paper, and dropout. Its decoder layer is the `DecoderBlock` of
# section 8, same names and all, so the weights of our cell-built block load into it and
# give the same numbers:

# %%
block = model.decoder[0]
library_layer = DecoderLayer(
    TransformerConfig(vocab_size=16, d_model=32, n_heads=4, d_ff=128, dropout=0.0)
).eval()
library_layer.load_state_dict(block.state_dict())
x, memory = torch.randn(2, 5, 32), torch.randn(2, 8, 32)
assert_close(library_layer(x, memory), block(x, memory))
print("our DecoderBlock == nlpjourney.models.transformer.DecoderLayer")

# %% [markdown]
# The data: Multi30k, 29,000 image captions in German with English translations. One
# byte-level BPE vocabulary (lesson 1.4) is trained on both languages' training
# captions, with three special tokens: `<pad>`, `<s>` (begin) and `</s>` (end). The
# source gets `</s>` at its end; the target sits between `<s>` and `</s>`, and the
# decoder learns to predict each next token, `</s>` included, which is how it knows
# when to stop.

# %%
de_train, en_train = multi30k("train", "de"), multi30k("train", "en")
tokenizer = train_joint_bpe(de_train + en_train, 8000)
src_ids, tgt_ids = encode_pairs(tokenizer, de_train[:1], en_train[:1], max_len=128)
print(de_train[0], "->", [tokenizer.decode([i]) for i in src_ids[0]])
print(en_train[0], "->", [tokenizer.decode([i]) for i in tgt_ids[0]])

# %% [markdown]
# Training is `nlpjourney.train.Trainer`, the loop every model of the course
# uses: its batches are `((source, target_in), target_out)` and the model is called as
# `model(source, target_in)`. Sentences are bucketed by length so a batch pads little;
# the loss is cross-entropy with label smoothing 0.1, as in the paper (the target
# distribution puts 0.9 on the right token and spreads 0.1 over the rest, which keeps
# the model from becoming overconfident, at some cost in perplexity and a gain in BLEU).
#
# If you have trained the big translator with `journey train translator --pair de-en`,
# it is loaded from `runs/translator-de-en`. Otherwise a small one trains here: 2 + 2
# layers of width 128, for 1200 steps in full mode or 30 in quick mode. The lesson's
# stored full run (made by `scripts/run_lessons.py 4.1` in a fresh folder, so it always
# trains) is this small translator after 1200 steps: every "full run" column below is
# that translator, and every number and picture this run prints comes from whichever
# translator this cell made, which the cell says.

# %%
RUN = os.environ.get("JOURNEY_TRANSLATOR_RUN", os.path.join("runs", "translator-de-en"))
loaded = os.path.exists(os.path.join(RUN, "ckpt.pt"))
if loaded:
    checkpoint = torch.load(os.path.join(RUN, "ckpt.pt"), weights_only=True)
    translator = Translator.from_meta(checkpoint["meta"], checkpoint["model"])
    which = f"the big translator of {RUN}"
    print(f"loaded {which} ({translator.model.num_parameters():,} parameters)")
else:
    torch.manual_seed(0)
    small = TransformerConfig.from_name("multi30k").replace(
        d_model=128, d_ff=512, n_encoder_layers=2, n_decoder_layers=2,
        vocab_size=tokenizer.vocab_size, **special_ids(tokenizer),
    )  # fmt: skip
    translator = Translator(Transformer(small), tokenizer, "de-en")
    pairs = {
        "train": encode_pairs(tokenizer, de_train, en_train, small.max_len),
        "val": encode_pairs(tokenizer, multi30k("val", "de"), multi30k("val", "en"), 128),
    }
    steps = 30 if QUICK else 1200
    config = TrainConfig(max_steps=steps, batch_size=64, lr=2e-3, min_lr=1e-4,
                         warmup_steps=steps // 10, weight_decay=0.0, betas=(0.9, 0.98),
                         eval_interval=steps // 4, eval_steps=2 if QUICK else 4,
                         out_dir=os.path.join(tempfile.gettempdir(), "lesson-4.1-translator"))  # fmt: skip
    trainer = Trainer(
        translator.model,
        config,
        ParallelBatches(pairs, 64, small.pad_id, seed=0),
        loss_fn=lambda logits, y: label_smoothed_loss(logits, y, small.pad_id, 0.1),
        overwrite=True,
        plot=False,
        progress=False,
    )
    start = time.perf_counter()
    trainer.fit()
    translator.model.eval()
    seconds = time.perf_counter() - start
    for row in trainer.history:
        print(f"step {row['step']:5.0f}  train {row['train_loss']:.3f}  val {row['val_loss']:.3f}")
    which = f"a small translator trained here for {steps} steps"
    print(f"\nthis is {which}\n")
    full.table(
        {
            "training steps": steps,
            "parameters": translator.model.num_parameters(),
            "val loss at the end": trainer.history[-1]["val_loss"],
            "training seconds": round(seconds),
        },
        title="the small translator",
    )

# %% [markdown]
# Decoding. **Greedy** takes the likeliest token at every step. **Beam search** keeps the
# `k` likeliest partial translations, extends each by every token, and keeps the best
# `k` of those; a translation that ends early is compared with the others by its
# log-probability divided by a length penalty $((5 + n)/6)^{0.6}$, since every extra
# token lowers a sum of log-probabilities and a bare sum would favour short outputs.
# Both feed the decoder one token per step, with the keys and values of earlier steps
# kept in a cache. The cell translates four test sentences; in quick mode (or with the
# big translator loaded) it prints the stored full run's translations under each.

# %%
de_test, en_test = multi30k("test_2016_flickr", "de"), multi30k("test_2016_flickr", "en")
examples = [0, 3, 10, 42]
greedy = translator.translate([de_test[i] for i in examples], beam_size=1)
beam = translator.translate([de_test[i] for i in examples], beam_size=4)
full.keep("translations", [{"greedy": g, "beam 4": b} for g, b in zip(greedy, beam, strict=True)])
print(f"translations by {which}:\n")
for n, (i, g, b) in enumerate(zip(examples, greedy, beam, strict=True)):
    print(f"German:    {de_test[i]}\nreference: {en_test[i]}\ngreedy:    {g}\nbeam 4:    {b}")
    if QUICK or loaded:
        stored = full["translations"][n]
        print(f"{full.label}, greedy: {stored['greedy']}")
        print(f"{full.label}, beam 4: {stored['beam 4']}")
    print()

# %% [markdown]
# How good these are depends on which translator ran (the first line says). A translator
# trained for a few dozen steps, as in quick mode, has learned which English words are
# common, not yet how to order them, and its sentences show it. The stored full run's
# translations (under each quick one) are captions in good English that carry most of
# the German, with the slips of a small model: its greedy man in an orange hat "is
# walking on a lock", and its snowmobiles become more "snow". Beam search changes some
# of that ("is putting something at something", "with snow in the background") but does
# not find the snowmobiles either.

# %% [markdown]
# Where does the decoder look while it writes? The last decoder layer's cross-attention
# weights, averaged over its heads, with the beam's translation fed back in (teacher
# forcing): one row per output token, one column per source token.

# %%
sentence = de_test[examples[1]]
src = translator.encode_sources([sentence])
out = translator.model.beam_search(src, beam_size=4)  # (1, T) ending in </s>
bos = torch.full((1, 1), translator.model.config.bos_id)
cross = translator.model.decoder[-1].cross_attn
cross.keep_weights = True
with torch.no_grad():
    translator.model(src, torch.cat([bos, out[:, :-1]], dim=1))
cross.keep_weights = False
weights = cross.weights.mean(dim=1)[0]  # (T, S)


def labels(ids):
    return [tokenizer.decode([i]).strip() or "_" for i in ids]


source_tokens, output_tokens = labels(src[0].tolist()), labels(out[0].tolist())
full.keep("cross-attention", {"source": source_tokens, "output": output_tokens,
                              "weights": weights.numpy().round(3)})  # fmt: skip
fig, ax = plt.subplots(figsize=(6, 5))
ax.imshow(weights, cmap="viridis", vmin=0)
ax.set_xticks(range(len(source_tokens)), source_tokens, rotation=60, ha="right")
ax.set_yticks(range(len(output_tokens)), output_tokens)
ax.set_xlabel("German source token (key)")
ax.set_ylabel("English output token (query)")
ax.set_title("cross-attention, last decoder layer")
show(fig, "lesson-4.1-translator-attention.png", keep="translator-attention")
full.show_figure("translator-attention", "cross-attention of the small translator, 1200 steps")

# %% [markdown]
# Each row of the map is one English token; its brightest cell is the German token it
# attends to most. The cell below lists those, for this run and (in quick mode) for the
# stored full run, whose map is the second picture above.


# %%
def strongest(attention):
    """For each output token, the source token with the largest weight, and that weight."""
    rows = np.asarray(attention["weights"])
    for token, row in zip(attention["output"], rows, strict=True):
        j = int(row.argmax())
        print(f"  {token:>12} -> {attention['source'][j]:<12} {row[j]:.2f}")


print(f"this run ({which}):")
strongest({"source": source_tokens, "output": output_tokens, "weights": weights.numpy()})
if QUICK or loaded:
    print(f"\n{full.label}:")
    strongest(full["cross-attention"])

# %% [markdown]
# What to look for, in the stored full run's map: the bright cells run down from the
# top left, roughly along the diagonal while the word orders agree. "Five", "people",
# "in" and "winter" each look at their German counterpart, and "are standing" looks at
# "stehen", which German puts after "Helmen". Further down the map blurs: that translator
# writes "with snow in the background" and has dropped the snowmobiles, so its rows
# there spread over "Schnee", the pieces of "Schneemobilen" and "Hintergrund". The list
# above gives the brightest German token of every row; a translator trained for a few
# dozen steps, as in quick mode, has had little time to learn where to look, and its
# own map is the one drawn first.
#
# **BLEU** (Papineni et al. 2002) scores a whole test set at once: the geometric mean
# of the 1- to 4-gram precisions of the translations against the references, times a
# penalty for translations shorter than the references, on a 0-100 scale. We compute it
# with sacreBLEU (its standard 13a tokenization, case-sensitive) on the raw German and
# English of the 2016 test set, so the number is comparable with published ones. The
# full mode scores all 1000 test sentences, the quick mode the first 100; the cell
# prints this run's scores beside the full run's.

# %%
count = 100 if QUICK else len(de_test)
scores = {}
for k in (1, 4):
    start = time.perf_counter()
    scores[k] = corpus_bleu(translator.translate(de_test[:count], beam_size=k), en_test[:count])
    print(f"beam {k}: {time.perf_counter() - start:.0f} s to translate {count} sentences")
print()
full.table(
    {"test sentences": count, "BLEU, greedy": scores[1], "BLEU, beam 4": scores[4]},
    title=f"BLEU of {which}",
)

# %% [markdown]
# BLEU rewards n-grams shared with the reference: a few-step translator that repeats
# common words matches almost no 3- or 4-grams and scores a few points at most. The
# small translator of the full run scores what the table shows; the big one that
# `journey train translator --pair de-en` trains (the README's records table quotes its
# score) does better again, with more layers, more width and more steps.

# %% [markdown]
# ## What you built
#
# - attention as three projections, a scaled dot product, a softmax and a weighted sum;
#   masks that set forbidden scores to $-\infty$; heads as a reshape;
# - positions added as sinusoids, or turned into rotations (RoPE) so that scores depend
#   on distance, in both layouts that real checkpoints use;
# - the residual block with its norms, and why pre-norm is the default;
# - exact attention in blocks with an online softmax;
# - padding masks from lengths, the causal mask as a grid, and the parameter count of a
#   block as a formula;
# - an encoder-decoder that learned to reverse digits through cross-attention;
# - the translator: the same architecture at the size of the paper's smaller cousins,
#   trained on Multi30k, decoded greedily and by beam search, scored with BLEU.
#
# Exercise 4.1 (`journey check 4.1`) asks you to write causal self-attention and RoPE
# as functions. Lesson 4.2 stacks the decoder half into GPT and pretrains it.
