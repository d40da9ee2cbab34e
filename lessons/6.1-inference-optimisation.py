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
# # 6.1 Inference: generation and the KV cache
#
# A language model does one thing: given the tokens so far, it scores every token of its
# vocabulary as the next one. Everything a chat model writes comes from calling that
# function again and again, each time appending one chosen token. This lesson is about
# the loop around the model, and about making that loop fast:
#
# 1. the next-token scores of a real model, SmolLM2-135M-Instruct, run by our own code;
# 2. greedy decoding, written as a loop, checked equal to `nlpjourney.infer.generate`;
# 3. temperature: reshaping the distribution before drawing from it;
# 4. top-k and top-p (nucleus) sampling, built step by step and checked equal to the
#    library; the repetition penalty and stop strings;
# 5. the KV cache: why recomputing is quadratic, a cache built by hand that gives the
#    same tokens, what it saves per token, and how much memory it takes;
# 6. several prompts at once, with left padding.
#
# Look for **Predict** cells: answer them in your head before you run the next cell.
# Two cells are **exercises** for you to fill in; a check cell under each says whether
# your answer is right (the lesson runs on while they are unsolved).
#
# Set `JOURNEY_QUICK=1` for a short run. The texts the model writes are the same in both
# modes (greedy decoding and seeded sampling repeat exactly); only the timing of section
# 5 is shorter. `scripts/run_lessons.py` ran this lesson in full once and stored its
# timings in `lessons/results/6.1/`; the cells print them beside your own.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.testing import assert_close
from transformers.generation.logits_process import RepetitionPenaltyLogitsProcessor

from nlpjourney.course import check
from nlpjourney.course.diagrams import kv_cache_growth
from nlpjourney.course.results import FullRun
from nlpjourney.infer import END_OF_TURN, generate
from nlpjourney.infer.generate import top_k_filter, top_p_filter
from nlpjourney.models import load

try:  # shows a bare matplotlib Figure in a notebook; a script just prints its size
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
MODE = "quick mode" if QUICK else "full mode"
if QUICK:  # one thread beats several fighting over shared cores
    torch.set_num_threads(1)
full = FullRun("6.1")  # the stored full run of this lesson: its timings and picture

# %% [markdown]
# ## 1. The model, and the scores of the next token
#
# `nlpjourney.models.load` reads SmolLM2-135M-Instruct from the GGUF file in the
# installed package into our own `Llama` (lesson 4.5 builds it): 30 blocks, 9 query
# heads and 3 key/value heads of 64 dims, a vocabulary of 49,152 tokens. `model(ids)`
# returns logits `(B, T, V)`: at every position, a score for every possible next token.
# Only the last position's scores matter for writing the next token.

# %%
pretrained = load("smollm2-135m-instruct")
model, tokenizer, config = pretrained.model.eval(), pretrained.tokenizer, pretrained.config
END_IDS = {tokenizer.special_tokens[n] for n in (*END_OF_TURN, tokenizer.eos_token)
           if n in tokenizer.special_tokens}  # fmt: skip
print(f"{model.num_parameters():,} parameters; {config.n_layers} layers, {config.n_heads} "
      f"query heads, {config.kv_heads} key/value heads of {config.head_dim} dims")  # fmt: skip


def next_logits(ids):
    """The scores (V,) of the token after `ids`, by one full forward pass."""
    with torch.no_grad():
        return model(torch.tensor([ids]))[0, -1]


def show_top(logits, n=8, temperature=1.0):
    probs = (logits / temperature).softmax(-1)
    top = probs.topk(n)
    for p, i in zip(top.values.tolist(), top.indices.tolist(), strict=True):
        print(f"  {tokenizer.decode([i])!r:>14}  {p:6.1%}")


prompt = "The capital of France is"
ids = tokenizer.encode(prompt)
logits = next_logits(ids)
print(f"{prompt!r} is {len(ids)} tokens; the scores of the next token: {tuple(logits.shape)}")
show_top(logits)

# %% [markdown]
# ## 2. Greedy decoding: always the most likely token
#
# The simplest loop: take the token with the highest score, append it, score again. It
# ends when the model writes its end-of-turn token or after a fixed number of tokens.
# This first version recomputes the whole text at every step.


# %%
def greedy(ids, max_new_tokens):
    ids, new = list(ids), []
    for _ in range(max_new_tokens):
        token = int(next_logits(ids).argmax())
        if token in END_IDS:
            break
        ids.append(token)
        new.append(token)
    return new


messages = [{"role": "user", "content": "What is the capital of France? One sentence."}]
chat_ids = tokenizer.encode(tokenizer.apply_chat_template(messages, add_generation_prompt=True))
mine = tokenizer.decode(greedy(chat_ids, 24))
library = generate(model, tokenizer, messages, max_new_tokens=24)
print(f"ours:     {mine!r}\ngenerate: {library!r}")
assert mine == library

# %% [markdown]
# The chat prompt is the user's message wrapped in the template the model was trained
# on (`tokenizer.apply_chat_template`), ending with the header of the assistant's turn,
# so the most likely continuation is an answer.
#
# **Predict:** now a plain beginning to continue, with no chat template: "Once upon a
# time". Greedy decoding has no randomness. Will 100 greedy tokens read like a person
# writing, or will something go wrong?


# %%
def repeats(text, size=4):
    """How many stretches of `size` words occur again later in the text."""
    words = text.split()
    stretches = [tuple(words[i : i + size]) for i in range(len(words) - size + 1)]
    return len(stretches) - len(set(stretches))


story_prompt = "Once upon a time"
story = generate(model, tokenizer, story_prompt, max_new_tokens=100)
print(repr(story))
print(f"{len(story.split())} words; 4-word stretches written again: {repeats(story)}")

# %% [markdown]
# The story goes in circles: a whole sentence comes back word for word. Once a phrase
# has been written, writing it again is often the most likely continuation, and greedy
# never takes anything else.
# Two remedies follow: drawing the token at random from the model's distribution
# (sections 3 and 4), and making tokens already written less likely (the repetition
# penalty).
#
# ## 3. Temperature
#
# The softmax turns scores into probabilities. Dividing the scores by a temperature
# $T$ first, $p_i = \mathrm{softmax}(z / T)_i$, keeps their order but changes how far
# apart the probabilities are: below 1 the likely tokens get likelier, above 1 the
# distribution flattens, and as $T \to 0$ all the mass goes to the top token (greedy).
#
# **Predict:** after "My favourite food is", the top token has some probability at
# $T = 1$. Is it higher or lower at $T = 0.5$, and what happens to the 20th token?

# %%
food_prompt = "My favourite food is"
food_logits = next_logits(tokenizer.encode(food_prompt))
order = food_logits.argsort(descending=True)[:20]
labels = [tokenizer.decode([int(i)]) for i in order]
fig, ax = plt.subplots(figsize=(9, 3.8))
width = 0.27
for n, temperature in enumerate((0.5, 1.0, 1.5)):
    probs = (food_logits / temperature).softmax(-1)
    entropy = float(-(probs * probs.clamp_min(1e-30).log()).sum())
    ax.bar(np.arange(20) + (n - 1) * width, probs[order].numpy(), width,
           label=f"T = {temperature} (entropy {entropy:.2f} nats)")  # fmt: skip
    print(f"T = {temperature}: top token {probs[order[0]]:.1%}, 20th token {probs[order[19]]:.2%}")
ax.set_xticks(np.arange(20), [repr(s)[1:-1] for s in labels], rotation=60, fontsize=8)
ax.set(xlabel="the 20 most likely next tokens (at T = 1)", ylabel="probability",
       title="Next token after 'My favourite food is' at three temperatures")  # fmt: skip
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# Sampling with a temperature is one line more than greedy: `torch.multinomial` draws a
# token with those probabilities. A `torch.Generator` with a fixed seed makes the draws
# repeat, so two runs (and `generate` with the same `seed`) write the same text.


# %%
def sample(ids, max_new_tokens, temperature, seed, keep=lambda logits: logits):
    """Sampled decoding; `keep` filters the scaled logits (top-k, top-p) before the draw."""
    generator = torch.Generator().manual_seed(seed)
    ids, new = list(ids), []
    for _ in range(max_new_tokens):
        probs = keep(next_logits(ids)[None] / temperature).softmax(-1)  # (1, V)
        token = int(torch.multinomial(probs, 1, generator=generator))
        if token in END_IDS:
            break
        ids.append(token)
        new.append(token)
    return new


food_ids = tokenizer.encode(food_prompt)
for temperature in (0.7, 1.5):
    mine = tokenizer.decode(sample(food_ids, 30, temperature, seed=3))
    library = generate(model, tokenizer, food_prompt, max_new_tokens=30,
                       temperature=temperature, seed=3)  # fmt: skip
    assert mine == library
    print(f"T = {temperature}: {mine!r}")

# %% [markdown]
# At 0.7 the text stays on topic and varies; at 1.5 rare tokens are drawn often enough
# to derail it. The tail of the distribution is the problem: 49,152 tokens each with a
# tiny probability add up to a real chance of drawing nonsense.
#
# ## 4. Cutting the tail: top-k and top-p
#
# **Top-k** keeps the `k` highest scores and sets the others to $-\infty$ (probability
# 0 after the softmax). One comparison with the k-th largest score does it.


# %%
def my_top_k(logits, k):
    kth = logits.topk(k, dim=-1).values[..., -1:]  # the k-th largest score of each row
    return logits.masked_fill(logits < kth, float("-inf"))


kept = my_top_k(food_logits, 50)
print(f"top-50 keeps {int(kept.isfinite().sum())} tokens holding "
      f"{float(food_logits.softmax(-1)[kept.isfinite()].sum()):.1%} of the probability")  # fmt: skip
assert torch.equal(my_top_k(food_logits, 50), top_k_filter(food_logits, 50))

# %% [markdown]
# A fixed `k` is too many where the model is sure (after "The capital of France is",
# a handful of tokens hold nearly all the mass) and too few where many continuations
# are fine. **Top-p** (nucleus sampling, Holtzman et al. 2020) keeps instead the fewest
# most likely tokens whose probabilities add up to at least `p`. Built in four steps:
# sort, softmax, add up, and drop every token whose predecessors already reach `p`.


# %%
def my_top_p(logits, p):
    ordered, order = logits.sort(dim=-1, descending=True)  # 1. most likely first
    probs = ordered.softmax(dim=-1)  # 2. their probabilities
    before = probs.cumsum(dim=-1) - probs  # 3. the mass of the tokens before each one
    drop = before >= p  # 4. the nucleus is complete without it (the first never drops)
    return logits.scatter(-1, order, ordered.masked_fill(drop, float("-inf")))


# %% [markdown]
# **Predict:** with `p = 0.9`, how many tokens does the nucleus hold after "The capital
# of France is", and how many after "My favourite food is"?

# %%
nucleus_sizes = {}
for text in (prompt, food_prompt, story_prompt):
    nucleus = my_top_p(next_logits(tokenizer.encode(text)), 0.9)
    nucleus_sizes[text] = int(nucleus.isfinite().sum())
    print(f"{text!r:>26}: the 0.9 nucleus holds {nucleus_sizes[text]:>4} tokens")
    assert torch.equal(nucleus, top_p_filter(next_logits(tokenizer.encode(text)), 0.9))

# %% [markdown]
# The nucleus adapts: a few tokens where the model is confident, many where it is not.
# Both filters equal the library's (`top_k_filter`, `top_p_filter`, which `generate`
# applies in this order: temperature, top-k, top-p). So a sampling loop with both gives,
# draw for draw, `generate`'s text for the same seed:


# %%
def top_k_then_p(logits):
    return my_top_p(my_top_k(logits, 50), 0.9)


mine = tokenizer.decode(sample(food_ids, 30, 0.8, seed=5, keep=top_k_then_p))
library = generate(model, tokenizer, food_prompt, max_new_tokens=30, temperature=0.8,
                   top_k=50, top_p=0.9, seed=5)  # fmt: skip
print(f"ours:     {mine!r}\ngenerate: {library!r}")
assert mine == library

# %% [markdown]
# ### Exercise 1: the repetition penalty
#
# Keskar et al. (2019) make the tokens already in the text less likely: for every token
# id that occurs in the text so far, a positive score is **divided** by the penalty and
# a negative score is **multiplied** by it (both move the score down for a penalty
# above 1). Tokens not yet seen keep their score. Write it for one row of scores.


# %%
def penalise(logits, seen_ids, penalty):
    """logits (V,) with the scores of the ids in seen_ids pushed down by `penalty`."""
    return None  # your code


# %%
seen = tokenizer.encode(story_prompt + story)
expected = RepetitionPenaltyLogitsProcessor(1.3)(torch.tensor([seen]), food_logits[None].clone())[0]
check("penalise(food_logits, seen, 1.3)", penalise(food_logits.clone(), seen, 1.3), expected,
      hint="only the seen ids change; look at the sign of each score before choosing to "
           "divide or multiply")  # fmt: skip

# %% [markdown]
# With the penalty in `generate`, the greedy story of section 2 takes other turns:

# %%
penalised = generate(model, tokenizer, story_prompt, max_new_tokens=100, repetition_penalty=1.3)
print(repr(penalised))
print(f"4-word stretches written again: {repeats(penalised)} (without the penalty: "
      f"{repeats(story)})")  # fmt: skip

# %% [markdown]
# **Stop strings** end the text where a given string first appears, the string itself
# left out: the way to ask for one line, or one item of a list.

# %%
listing = "Three fruits:\n1."
print(repr(generate(model, tokenizer, listing, max_new_tokens=30)))
print(repr(generate(model, tokenizer, listing, max_new_tokens=30, stop="\n")))

# %% [markdown]
# ## 5. The KV cache
#
# Every loop so far called `next_logits(ids)`: the full forward pass over the whole
# text, at every step. But a causal model's computation at position $i$ depends only on
# positions $\le i$, so everything computed for the earlier positions comes out the
# same as at the previous step. Of that work, only the **keys and values** of each
# attention layer are read again later (by the queries of later positions). Keep them
# per layer, and each step needs to run only the one new token.
#
# What recomputing costs: a prompt of $P$ tokens and $n$ new ones means forward passes
# over $P, P + 1, \dots, P + n - 1$ tokens, about $nP + n^2/2$ token-passes, quadratic in
# the length, and attention inside each pass adds another factor of the length. With a
# cache: $P$ for the prompt (one pass, the **prefill**), then 1 per new token.

# %%
P, n = 30, 500
print(f"P = {P}, n = {n}: recomputing runs {sum(P + t for t in range(n)):,} token-passes, "
      f"the cache {P + n - 1:,}")  # fmt: skip

# %% [markdown]
# One layer of SmolLM2, written with its own weights: the pre-norm, the stacked query,
# key and value projection, the rotary positions (queries and keys are rotated by their
# absolute position, so a new token must be told where it is), attention over the
# cache, the output projection, and the SwiGLU feed-forward. The cache of a layer is a
# pair `(keys, values)` that grows by one position per step; grouped-query attention
# means it holds 3 heads, each shared by 3 of the 9 query heads.

# %%
H, HKV, HS, C = config.n_heads, config.kv_heads, config.head_dim, config.dim


def layer_with_cache(layer, x, cache, pos):
    """One block on the new positions x (1, T, C) at positions pos.., its cache grown."""
    attn, length = layer.attn, x.shape[1]
    q, k, v = attn.qkv_proj(layer.norm1(x)).split([C, HKV * HS, HKV * HS], dim=-1)
    q = q.view(1, length, H, HS).transpose(1, 2)  # (1, H, T, hs)
    k = k.view(1, length, HKV, HS).transpose(1, 2)  # (1, HKV, T, hs)
    v = v.view(1, length, HKV, HS).transpose(1, 2)
    positions = torch.arange(pos, pos + length)
    q, k = attn.rotary(q, positions), attn.rotary(k, positions)
    if cache is not None:  # the keys and values of positions 0..pos-1
        k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
    cache = (k, v)
    k, v = k.repeat_interleave(H // HKV, dim=1), v.repeat_interleave(H // HKV, dim=1)
    scores = q @ k.transpose(-2, -1) / HS**0.5  # (1, H, T, pos + T)
    future = torch.arange(pos + length)[None, :] > positions[:, None]  # key after query
    y = scores.masked_fill(future, float("-inf")).softmax(-1) @ v  # (1, H, T, hs)
    x = x + attn.out_proj(y.transpose(1, 2).reshape(1, length, C))
    return x + layer.mlp(layer.norm2(x)), cache


def step_with_cache(new_ids, caches, pos):
    """Logits of the last new position; `caches` (one per layer) grown in place."""
    with torch.no_grad():
        x = model.embed_tokens(torch.tensor([new_ids]))
        for i, layer in enumerate(model.layers):
            x, caches[i] = layer_with_cache(layer, x, caches[i], pos)
        return model.lm_head(model.norm(x[:, -1]))[0]


caches = [None] * config.n_layers
assert_close(step_with_cache(chat_ids, caches, 0), next_logits(chat_ids), rtol=1e-4, atol=1e-4)
print(f"the prompt through our layers: the model's logits; each layer caches keys "
      f"{tuple(caches[0][0].shape)}")  # fmt: skip

# %% [markdown]
# **Predict:** the cached loop feeds the prompt once and then one token per step. Will
# it write exactly the greedy text of section 2, token for token?


# %%
def greedy_cached(ids, max_new_tokens):
    caches, new = [None] * config.n_layers, []
    logits, pos = step_with_cache(list(ids), caches, 0), len(ids)  # prefill
    for _ in range(max_new_tokens):
        token = int(logits.argmax())
        if token in END_IDS:
            break
        new.append(token)
        logits, pos = step_with_cache([token], caches, pos), pos + 1
    return new


cached, recomputed = greedy_cached(chat_ids, 24), greedy(chat_ids, 24)
print(repr(tokenizer.decode(cached)))
print(f"cached == recomputed: {cached == recomputed} ({len(cached)} tokens)")
assert cached == recomputed

# %% [markdown]
# The same tokens: the cache changes what is computed, not what comes out (the logits
# agree to float rounding, and the argmax did not move). One cost remains in our cache:
# `torch.cat` copies all earlier keys and values at every step, so step $t$ still moves
# $t$ positions of memory. The library's cache, `nlpjourney.nn.StaticKVCache`, is
# allocated once for the prompt plus `max_new_tokens` positions; a step writes its
# keys and values into their slots and attends over the filled part, a view. The
# picture shows it at step 6 (`layer_caches` makes one per layer; `model.new_caches`
# calls it).

# %%
display(kv_cache_growth(6))

# %% [markdown]
# Writing that step as a function, `attend_with_cache`, is exercise 6.1 (`journey check
# 6.1`): its checks run SmolLM2 with your function in every layer.
#
# ### How much time the cache saves
#
# **Predict:** plot the time of one step against the position it writes. Without the
# cache, how does the time per token grow with the position; and with it?

# %%
last = 96 if QUICK else 512  # the longest context measured
probe = list(range(16 if QUICK else 32, last + 1, 16 if QUICK else 32))  # timed positions
text_ids = tokenizer.encode("The history of the city goes back many centuries. " * 60)[:last]


def timed(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best * 1e3


# the fastest of 3 tries: on a shared machine a single try can be slowed by others
without_ms = [timed(lambda p=p: next_logits(text_ids[:p]), 3) for p in probe]
library_caches = model.new_caches(1, last)
with torch.no_grad():
    model(torch.tensor([text_ids[:8]]), library_caches)  # a prefill of 8 tokens
    with_ms = []
    for p in range(8, last):
        token = torch.tensor([[text_ids[p]]])
        started = time.perf_counter()
        model(token, library_caches)
        with_ms.append((time.perf_counter() - started) * 1e3)
# each probe: the median of the steps at the 9 positions up to it (steps are run once)
with_at_probe = [float(np.median(with_ms[max(p - 16, 0) : p - 7])) for p in probe]
full.keep("timing positions", probe)
full.keep("ms per token without the cache", without_ms)
full.keep("ms per token with the cache", with_at_probe)
full.table({"longest context measured (tokens)": probe[-1],
            "ms per token there, without the cache": without_ms[-1],
            "ms per token there, with the cache": with_at_probe[-1],
            "ratio": without_ms[-1] / with_at_probe[-1]},
           title=f"one decoding step at the longest context ({MODE})")  # fmt: skip

# %%
fig, ax = plt.subplots(figsize=(8.5, 3.8))
ax.plot(probe, without_ms, "o-", label="without the cache (a full pass over the text)")
ax.plot(probe, with_at_probe, "s-", label="with the cache (StaticKVCache, one token)")
ax.set(xlabel="position of the new token (tokens in the context)", ylabel="ms per token",
       title=f"SmolLM2-135M, one decoding step on the CPU ({MODE})")  # fmt: skip
ax.set_ylim(bottom=0)
ax.legend()
fig.tight_layout()
full.figure(fig, "kv-timing")
plt.show()
full.show_figure("kv-timing", "one decoding step")

# %% [markdown]
# Without the cache a step is a forward pass over the whole context, so its time grows
# with the position (about linearly here, where the matrix products over the tokens
# dominate; the attention part grows with the square). With the cache a step runs one
# token through the layers and reads the cached keys and values: its time is nearly
# flat, set mostly by reading the 135 million weights once per token. The ratio at the
# longest context, in the full run:

# %%
print(f"the {full.label}: at position {full['timing positions'][-1]}, "
      f"{full['ms per token without the cache'][-1]:.0f} ms without the cache, "
      f"{full['ms per token with the cache'][-1]:.0f} ms with it")  # fmt: skip

# %% [markdown]
# ### Exercise 2: what the cache costs in memory
#
# Each layer keeps a key and a value for every position: `n_kv_heads * head_dim`
# numbers each. Write the total size in bytes of the caches of a whole model, for a
# given number of positions and bytes per number (4 for float32).


# %%
def kv_cache_bytes(n_layers, n_kv_heads, head_dim, positions, bytes_per_number):
    """Bytes of all layers' cached keys and values for `positions` positions (batch 1)."""
    return None  # your code


# %%
filled = len(library_caches[0])
measured = sum(c.key.numel() * c.key.element_size() + c.value.numel() * c.value.element_size()
               for c in library_caches)  # fmt: skip
check("kv_cache_bytes(...) for the caches just filled",
      kv_cache_bytes(config.n_layers, HKV, HS, filled, 4), measured,
      hint="two tensors (keys and values) per layer, each positions x heads x head size")  # fmt: skip
per_position = 2 * config.n_layers * HKV * HS * 4
print(f"{filled} positions: {measured / 2**20:.1f} MiB; the whole context of "
      f"{config.max_seq_len:,} positions: {per_position * config.max_seq_len / 2**20:.0f} MiB "
      f"(with 9 key/value heads instead of 3: {3 * per_position * config.max_seq_len / 2**20:.0f}"
      " MiB)")  # fmt: skip

# %% [markdown]
# Grouped-query attention is mostly about this number: three times fewer key/value
# heads, a cache three times smaller, for every token of every conversation being
# served.
#
# ## 6. Several prompts at once: left padding
#
# A batch of prompts of different lengths must be made one rectangle. Padding on the
# **left** puts every prompt's last token in the last column, so every row's next token
# comes from the same position and is appended in the same column. An attention mask
# hides the padding; because RoPE scores depend only on the distance between two
# positions, a shifted row gets the same numbers. So a batch writes what one-by-one
# generation writes:

# %%
prompts = ["The capital of France is", "Water boils at", "The three primary colours are"]
rows = [tokenizer.encode(p) for p in prompts]
longest = max(map(len, rows))
print("left-padded ids (. = padding):")
for row in rows:
    print("  " + " ".join(["    ."] * (longest - len(row)) + [f"{t:>5}" for t in row]))
batch = generate(model, tokenizer, prompts, max_new_tokens=12)
one_by_one = [generate(model, tokenizer, p, max_new_tokens=12) for p in prompts]
for p, text in zip(prompts, batch, strict=True):
    print(f"{p!r:>32} -> {text!r}")
assert batch == one_by_one

# %% [markdown]
# ## Where next
#
# `generate` is this lesson's loop with the cache inside, streaming and stop strings
# added; `journey chat` talks to SmolLM2 through it. The other parts of topic 6.1
# (speculative decoding, quantization, continuous batching) come with a later issue.
