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
# # 3.5 Sequence to sequence: attention, beam search, BLEU
#
# A translator reads a sentence in one language and writes one in another, of a different
# length and word order. The recurrent networks of lesson 3.3 do both halves: an
# **encoder** reads the source token by token, and a **decoder**, a language model like
# the character model of 3.3, writes the target token by token, conditioned on what the
# encoder read. How the decoder gets at the source is the whole story of this lesson:
#
# 1. the data: Multi30k image captions, English to French, in one BPE vocabulary (1.4);
# 2. the encoder, and the **fixed-vector bottleneck**: the first encoder-decoders (Cho et
#    al. 2014, Sutskever et al. 2014) handed the decoder one vector for the whole source;
# 3. **attention** (Bahdanau, Cho and Bengio 2015): one step by hand, checked against
#    `nlpjourney.seq2seq.additive_attention`;
# 4. one decoder step with attention, checked against the library's model;
# 5. both models trained on the same data, and BLEU against the source's length: where the
#    single vector runs out;
# 6. attention weights as pictures: the model's own word alignment;
# 7. beam search step by step, checked against `nlpjourney.seq2seq.beam_search_step`;
# 8. IBM Model 1, the statistical aligner of 1993, beside the neural attention on the same
#    sentence.
#
# Set `JOURNEY_QUICK=1` in the environment for a tiny model trained for a few steps; the
# numbers and pictures of the stored full run print beside it.

# %%
import os
import tempfile
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from nlpjourney.apps.seq2seq_translation import bleu_by_length as library_bleu_by_length
from nlpjourney.apps.translation import (
    ParallelBatches,
    corpus_bleu,
    encode_pairs,
    pad_batch,
    special_ids,
    train_joint_bpe,
)
from nlpjourney.course import check
from nlpjourney.course.results import FullRun
from nlpjourney.course.seq2seq_diagrams import unrolled_encoder_decoder
from nlpjourney.data.corpora import multi30k
from nlpjourney.mt.corpus import multi30k_pairs, tokenize
from nlpjourney.mt.draw import draw_alignment
from nlpjourney.mt.ibm1 import IBMModel1
from nlpjourney.seq2seq import Seq2Seq, Seq2SeqConfig, additive_attention, beam_search_step
from nlpjourney.train import TrainConfig, Trainer

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("3.5")  # the lesson's stored full run: its numbers print beside this run's
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

# %% [markdown]
# ## 1. The data
#
# Multi30k pairs each English caption of a Flickr photo with a French translation:
# 29,000 training pairs, 1,014 for validation and 1,000 in the 2016 test set. One
# byte-level BPE vocabulary (lesson 1.4) is trained on the training captions of both
# languages, so "restaurant" or "Paris" is one token on either side, plus three special
# tokens: `<pad>` fills short rows of a batch, `<s>` starts the target and `</s>` ends
# both. Quick mode uses 2,000 pairs and a smaller vocabulary.

# %%
N_TRAIN = 2000 if QUICK else 29000
VOCAB = 600 if QUICK else 4000
en_train, fr_train = multi30k("train", "en")[:N_TRAIN], multi30k("train", "fr")[:N_TRAIN]
en_test, fr_test = multi30k("test_2016_flickr", "en"), multi30k("test_2016_flickr", "fr")
tokenizer = train_joint_bpe(en_train + fr_train, VOCAB)
SPECIAL = special_ids(tokenizer)
PAD, BOS, EOS = SPECIAL["pad_id"], SPECIAL["bos_id"], SPECIAL["eos_id"]
pairs = {
    "train": encode_pairs(tokenizer, en_train, fr_train, max_len=64),
    "val": encode_pairs(tokenizer, multi30k("val", "en"), multi30k("val", "fr"), max_len=64),
}


def pieces(ids):
    """Each token id as the text it stands for (a space shown as _)."""
    return [tokenizer.decode([i]).replace(" ", "_") for i in ids]


src_ids, tgt_ids = encode_pairs(tokenizer, en_train[:1], fr_train[:1], max_len=64)
print(en_train[0], "\n ->", pieces(src_ids[0]))
print(fr_train[0], "\n ->", pieces(tgt_ids[0]))
print(f"\n{len(pairs['train'][0])} training pairs, {tokenizer.vocab_size} tokens in the vocabulary")

# %% [markdown]
# ## 2. The encoder, and the bottleneck
#
# The encoder embeds each source token and runs a bidirectional GRU (lesson 3.3) over
# them: one GRU reads left to right, one right to left, and each position's two states
# side by side are its **memory** vector, a summary of the sentence centred on that
# token. The two GRUs' *last* states, side by side, summarise the whole sentence in one
# vector, the **final** state.
#
# The model is `nlpjourney.seq2seq.Seq2Seq`. Its `attention` setting picks how the decoder
# sees the source: `"none"` hands it the final state at every step and nothing else (the
# fixed-vector design); `"bahdanau"` lets it look at every memory vector, differently at
# every step. Everything else, sizes included, is the same. An untrained model already
# shows the shapes:

# %%
EMBED, HIDDEN, ATTN = (32, 64, 32) if QUICK else (128, 256, 128)


def make_model(attention):
    config = Seq2SeqConfig(
        vocab_size=tokenizer.vocab_size, embed_size=EMBED, hidden_size=HIDDEN,
        attention_size=ATTN, attention=attention, dropout=0.0 if QUICK else 0.2,
        max_len=80, **SPECIAL,
    )  # fmt: skip
    return Seq2Seq(config)


torch.manual_seed(0)
untrained = make_model("bahdanau").eval()
src = pad_batch([ids for ids in pairs["train"][0][:3]], PAD)  # three sentences, padded
memory, mask, state, final = untrained.encode(src)
print("source ids  ", tuple(src.shape), " (B sentences, S tokens)")
print("memory      ", tuple(memory.shape), " one vector per source token")
print("mask        ", tuple(mask.shape), " True at real tokens, False at padding")
print("final state ", tuple(final.shape), "  the whole sentence in one vector")
print(mask.int())

# %% [markdown]
# With `attention="none"`, that last line is all the decoder ever learns about the
# source: a 20-word caption has to fit in the same number of floats as a 3-word one, and
# every word it writes must be read back out of them. Section 5 measures what that costs.
# Unrolled over a short pair, the red arrows are all the decoder gets from the source:

# %%
unrolled_encoder_decoder(["a", "red", "car", "."], ["une", "voiture", "rouge", ".", "</s>"],
                         attention=False)  # fmt: skip

# %% [markdown]
#
# ## 3. One attention step by hand
#
# Bahdanau's idea: at every output step, let the decoder *choose* which source tokens to
# read. Its state before the step, $s_{t-1}$, is the **query**; the memory vectors $h_j$
# are the **keys** (what is scored) and the **values** (what is averaged). A small
# one-layer network scores each key against the query,
#
# $$e_j = v^\top \tanh(W_q\, s_{t-1} + W_k\, h_j),$$
#
# the softmax turns the scores into weights $\alpha_j$ that sum to 1 over the *real*
# tokens (padding is scored $-\infty$, so $e^{-\infty} = 0$), and the **context** is the
# weighted average $c_t = \sum_j \alpha_j h_j$. This is *additive* attention: query and
# key are added inside the tanh, where the transformer of 4.1 multiplies them. The same
# pair as above, with attention drawn at one step (every step has its own weights):

# %%
unrolled_encoder_decoder(["a", "red", "car", "."], ["une", "voiture", "rouge", ".", "</s>"],
                         attention=True, step=2)  # fmt: skip

# %% [markdown]
#
# By hand, for the third sentence of the batch (it has padding), with the untrained
# model's weights and a made-up decoder state:

# %%
att = untrained.attention  # holds W_q (A, H), W_k (A, H) and v (A,)
b = 2
n_real = int(mask[b].sum())
with torch.no_grad():
    query = torch.randn(1, HIDDEN)  # a decoder state s_{t-1}
    hidden = torch.tanh(query @ att.w_query.T + memory[b] @ att.w_key.T)  # (S, A)
    scores = hidden @ att.v  # (S,)
    scores = scores.masked_fill(~mask[b], float("-inf"))  # padding never wins
    weights = torch.exp(scores - scores.max()) / torch.exp(scores - scores.max()).sum()
    context = weights @ memory[b]  # (H,)

tokens = pieces(src[b].tolist())
print(f"{'token':>12} {'score':>8} {'weight':>8}")
for token, e, a in list(zip(tokens, scores.tolist(), weights.tolist(), strict=True))[: n_real + 2]:
    print(f"{token:>12} {e:8.3f} {a:8.3f}")
if len(tokens) > n_real + 2:
    print(f"{'...':>12} and {len(tokens) - n_real - 2} more <pad>")
print(f"\nweights sum to {weights.sum():.4f} over the {n_real} real tokens")

# %% [markdown]
# The library's `additive_attention` takes the same pieces for a whole batch (one query
# per sentence, a mask over each sentence's padding) and gives the same numbers:

# %%
with torch.no_grad():
    queries = torch.randn(3, HIDDEN)
    queries[b] = query[0]
    lib_context, lib_weights = additive_attention(
        queries, memory, memory, att.w_query, att.w_key, att.v, mask
    )
assert_close(lib_weights[b], weights)
assert_close(lib_context[b], context)
print("the step by hand == nlpjourney.seq2seq.additive_attention")

# %% [markdown]
# **Predict:** set $v$ to all zeros. What weights does the attention give the real tokens
# of a sentence, and what is the context then?

# %%
with torch.no_grad():
    _, flat_weights = additive_attention(
        queries, memory, memory, att.w_query, att.w_key, torch.zeros(ATTN), mask
    )
print(flat_weights)

# %% [markdown]
# Every score is $0 \cdot \tanh(\ldots) = 0$, so every real token gets the same weight,
# $1/n$ for a sentence of $n$ real tokens, and padding still gets 0. The context is then
# the plain mean of the memory vectors: attention with nothing learned yet is averaging,
# and training $v$, $W_q$ and $W_k$ is what lets it *pick*.
#
# **Exercise: the mean over the real tokens.** Write `my_mean_memory(memory, mask)`,
# which returns (B, H): for each sentence, the mean of its memory vectors over its real
# tokens only. The check compares it with `additive_attention`'s context at $v = 0$.


# %%
def my_mean_memory(memory, mask):
    return None  # your code


# %%
with torch.no_grad():
    mean_context, _ = additive_attention(
        queries, memory, memory, att.w_query, att.w_key, torch.zeros(ATTN), mask
    )
check(
    "the mean of the memory over the real tokens",
    my_mean_memory(memory.detach(), mask),
    mean_context,
    hint="zero the padded rows before you sum over the source axis, and divide by the "
    "number of real tokens of each sentence, not by the padded length",
    rtol=1e-5,
    atol=1e-6,
)

# %% [markdown]
# ## 4. One decoder step with attention
#
# A decoder step takes the previous target token $y_{t-1}$ (during training, the
# reference's: **teacher forcing**) and the state $s_{t-1}$, and:
#
# 1. attends with $s_{t-1}$ as the query: context $c_t$ and weights $\alpha_t$;
# 2. feeds the embedded token and the context, side by side, to a GRU: $s_t$;
# 3. mixes context and state, $\tilde h_t = \tanh(W_c [c_t; s_t])$ (Luong's "attentional
#    state"), and scores every token of the vocabulary with the embedding matrix itself,
#    $\text{logits} = \tilde h_t E^\top$ (input and output embeddings tied, as in 4.1).
#
# The fixed-vector model runs the same step with $c_t$ = the final state at every step.
# Written out with the untrained model's own layers, and checked against its `step`:


# %%
def my_decoder_step(model, y_prev, s_prev, memory, mask):
    """One Bahdanau decoder step: (logits (B, V), new state (B, H), weights (B, S))."""
    a = model.attention
    context, weights = additive_attention(s_prev, memory, memory, a.w_query, a.w_key, a.v, mask)
    rnn_in = torch.cat([model.embed(y_prev), context], dim=-1)  # (B, E + H)
    out, _ = model.decoder(rnn_in[:, None], s_prev[None])  # one step of the GRU
    s = out[:, 0]
    attentional = torch.tanh(model.combine(torch.cat([context, s], dim=-1)))  # (B, E)
    return attentional @ model.embed.weight.T, s, weights


with torch.no_grad():
    y_prev = torch.full((3,), BOS)
    s_prev = state[-1]  # the bridge turned the final state into the first decoder state
    mine = my_decoder_step(untrained, y_prev, s_prev, memory, mask)
    keys = untrained.attention.project_keys(memory)  # W_k h_j, once per sentence
    theirs = untrained.step(untrained.embed(y_prev), state, memory, mask, keys, final)
assert_close(mine[0], theirs[0])  # logits
assert_close(mine[1], theirs[1][-1])  # the new state
assert_close(mine[2], theirs[2])  # the attention weights
print("my decoder step == Seq2Seq.step; logits", tuple(mine[0].shape))

# %% [markdown]
# (The library projects the keys, $W_k h_j$, once per sentence rather than at every
# step, since they do not change: that is `project_keys`.) Training runs this step
# once per target token and sums the cross-entropy of each next token.
#
# ## 5. Training both
#
# Two models, the same sizes, the same data, the same steps, the same seed; only the
# attention differs. Training is `nlpjourney.train.Trainer`, the loop of every model in
# the course, with batches of 64 sentence pairs bucketed by length (`ParallelBatches`
# from the translator of 4.1), AdamW, warm-up and cosine decay, gradients clipped at 1.

# %%
STEPS = 12 if QUICK else 1500
BATCH = 32 if QUICK else 64
runs = {}


def loss_fn(logits, targets):
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=PAD)


for name, attention in (("no attention", "none"), ("attention", "bahdanau")):
    torch.manual_seed(0)
    model = make_model(attention)
    config = TrainConfig(
        max_steps=STEPS, batch_size=BATCH, lr=3e-3, min_lr=1e-4, warmup_steps=STEPS // 20,
        weight_decay=0.0, eval_interval=max(STEPS // 3, 1), eval_steps=4 if QUICK else 16,
        checkpoint_interval=10 * STEPS, seed=0,
        out_dir=os.path.join(tempfile.gettempdir(), f"lesson-3.5-{attention}"),
    )  # fmt: skip
    batches = ParallelBatches(pairs, BATCH, PAD, seed=0)
    trainer = Trainer(model, config, batches, loss_fn=loss_fn, overwrite=True, plot=False,
                      progress=False)  # fmt: skip
    start = time.perf_counter()
    trainer.fit()
    model.eval()
    runs[name] = {"model": model, "seconds": time.perf_counter() - start,
                  "val loss": trainer.history[-1]["val_loss"]}  # fmt: skip
    print(f"{name}: {runs[name]['seconds']:.0f} s, validation loss by step:",
          [(int(r["step"]), round(r["val_loss"], 3)) for r in trainer.history])  # fmt: skip

# %% [markdown]
# Now translate the first 500 sentences of the test set (40 in quick mode).
# `Seq2Seq.search` decodes greedily (`beam_size=1`: at each step the likeliest token) or
# by beam search (section 7), and returns, with the tokens, the attention weights of
# every output token. BLEU is sacreBLEU's (through
# `nlpjourney.apps.translation.corpus_bleu`) against the raw French references.

# %%
test_count = 40 if QUICK else 500


def translate(model, sentences, beam_size=1, length_penalty=0.6):
    """Translations: texts, total scores, output ids (to </s>) and attention weights."""
    texts, scores, outputs, weights = [], [], [], []
    device = next(model.parameters()).device
    for i in range(0, len(sentences), 100):
        batch = pad_batch([tokenizer.encode(s) + [EOS] for s in sentences[i : i + 100]], PAD)
        found = model.search(batch.to(device), beam_size=beam_size, length_penalty=length_penalty)
        for row, score in zip(found.tokens.tolist(), found.scores.tolist(), strict=True):
            ids = row[: row.index(EOS) + 1] if EOS in row else row
            outputs.append(ids)
            texts.append(tokenizer.decode([t for t in ids if t not in (PAD, EOS)]).strip())
            scores.append(score)
        if found.extras is not None:
            weights.extend(found.extras.cpu())
    return texts, scores, outputs, weights


outputs = {name: translate(run["model"], en_test[:test_count]) for name, run in runs.items()}
for name, run in runs.items():
    run["bleu"] = corpus_bleu(outputs[name][0], fr_test[:test_count])
full.table(
    {
        "training steps (each model)": STEPS,
        "parameters, no attention": runs["no attention"]["model"].num_parameters(),
        "parameters, attention": runs["attention"]["model"].num_parameters(),
        "seconds, no attention": round(runs["no attention"]["seconds"]),
        "seconds, attention": round(runs["attention"]["seconds"]),
        "val loss, no attention": runs["no attention"]["val loss"],
        "val loss, attention": runs["attention"]["val loss"],
        "test sentences": test_count,
        "BLEU greedy, no attention": runs["no attention"]["bleu"],
        "BLEU greedy, attention": runs["attention"]["bleu"],
    },
    title="two encoder-decoders, English to French",
)
for i in (0, 7):
    print(f"\nEnglish:      {en_test[i]}\nreference:    {fr_test[i]}")
    for name in runs:
        print(f"{name + ':':<14}{outputs[name][0][i]}")

# %% [markdown]
# Attention costs some parameters ($W_q$, $W_k$, $v$, and a wider input to the decoder's
# GRU) and time per step (a score for every source token at every target step); the
# table shows what it buys on the test sentences. Where does the difference come from?
#
# **Predict:** sort the test sentences by the length of the English source. As the
# sources get longer, which model's BLEU falls faster, and why?

# %%
lengths = np.array([len(s.split()) for s in en_test[:test_count]])
edges = [(1, 9), (10, 11), (12, 13), (14, 16), (17, 99)]


def bleu_by_length(hypotheses):
    scores = []
    for low, high in edges:
        rows = np.flatnonzero((lengths >= low) & (lengths <= high))
        scores.append(corpus_bleu([hypotheses[i] for i in rows], [fr_test[i] for i in rows]))
    return scores


beam_texts, *_ = translate(runs["attention"]["model"], en_test[:test_count], 4)
curves = {
    "no attention, greedy": bleu_by_length(outputs["no attention"][0]),
    "attention, greedy": bleu_by_length(outputs["attention"][0]),
    "attention, beam 4": bleu_by_length(beam_texts),
}
labels = [f"{low}-{high}" if high < 99 else f"{low}+" for low, high in edges]
counts = [int(((lengths >= low) & (lengths <= high)).sum()) for low, high in edges]
full.keep("BLEU by source length", curves)
fig, ax = plt.subplots(figsize=(7, 4))
for (name, values), style in zip(curves.items(), ("o-", "s-", "^--"), strict=True):
    ax.plot(range(len(edges)), values, style, label=name)
ax.set_xticks(range(len(edges)), [f"{x}\n({n} sent.)" for x, n in zip(labels, counts, strict=True)])
ax.set_xlabel("English source length in words (sentences in the bucket)")
ax.set_ylabel("BLEU")
ax.set_title("BLEU against source length, English to French (test 2016)")
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
full.figure(fig, "bleu-by-length")
plt.show()
full.show_figure("bleu-by-length", "BLEU against source length")

# %%
print(f"{'source words':>24}  " + "".join(f"{x:>8}" for x in labels))
for name in curves:
    print(f"{name:>24}: " + " ".join(f"{v:7.1f}" for v in curves[name]))
stored = full["BLEU by source length"]
gap = [a - b for a, b in zip(stored["attention, greedy"], stored["no attention, greedy"],
                             strict=True)]  # fmt: skip
print(f"\n{full.label}, BLEU of attention minus no attention (greedy), by source length:")
print(f"{'':>24}  " + " ".join(f"{v:7.1f}" for v in gap))

# %% [markdown]
# The library has the same bucketing, `bleu_by_length` in
# `nlpjourney.apps.seq2seq_translation` (what `journey translate` and the benchmarks
# use): it takes the first length of each bucket and leaves empty buckets out. It must
# agree with ours bucket for bucket.

# %%
library_rows = library_bleu_by_length(
    en_test[:test_count],
    outputs["attention"][0],
    fr_test[:test_count],
    starts=[low for low, _ in edges],
)
ours_by_label = dict(zip(labels, curves["attention, greedy"], strict=True))
for row in library_rows:
    assert abs(row["bleu"] - ours_by_label[row["bucket"]]) < 1e-9, row
print(
    "our bleu_by_length == nlpjourney.apps.seq2seq_translation.bleu_by_length, on",
    len(library_rows),
    "buckets",
)

# %% [markdown]
# Read the stored full run's lines (the second picture in quick mode) and the gap under
# them. What to expect, and why: everything the fixed-vector decoder writes must come out
# of one vector of the same size whatever the sentence, and the longer the sentence the
# more it has to forget; it tends to get the start of a long caption right and then
# drift, repeat itself or stop early. With attention, each output step reads the source
# positions it needs, so a long sentence costs it less. The gap between the two lines,
# bucket by bucket, is the price of the bottleneck on this data. Multi30k's captions are
# short (a dozen words on average); on the news sentences of Bahdanau et al., up to 50
# words, the fixed-vector model's BLEU collapsed past 20 or 30 words while the attention
# model's held.
#
# ## 6. Attention as pictures
#
# `search` returned, for every output token, its weights over the source tokens. Drawn as
# a grid (one row per French token written, one column per English token read), they
# are the model's own alignment of the two sentences, learned without anyone marking
# which word translates which.

# %%
examples = [0, 7, 25]
fig, axes = plt.subplots(1, len(examples), figsize=(12, 4.2))
kept_maps = []
for ax, i in zip(axes, examples, strict=True):
    source = pieces(tokenizer.encode(en_test[i]) + [EOS])
    output = pieces(outputs["attention"][2][i])
    grid = outputs["attention"][3][i][: len(output), : len(source)].numpy()
    # what the next cell prints: each output token and the source token it reads most
    kept_maps.append([(o, source[int(row.argmax())]) for o, row in zip(output, grid, strict=True)])
    ax.imshow(grid, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(source)), source, rotation=70, fontsize=7)
    ax.set_yticks(range(len(output)), output, fontsize=7)
    ax.set_xlabel("English source token")
    ax.set_title(f"test sentence {i}", fontsize=9)
axes[0].set_ylabel("French output token")
fig.suptitle("Bahdanau attention weights, greedy translations", fontsize=10)
fig.tight_layout()
full.figure(fig, "attention-maps")
plt.show()
full.show_figure("attention-maps", "attention weights of the full run")
full.keep("attention maps", kept_maps)

# %% [markdown]
# Each row is one French token and sums to 1 across the English tokens; bright is
# heavy. The cell lists, row by row, the English token each French token reads most.


# %%
def strongest(maps):
    for links in maps:
        print("  " + ", ".join(f"{o}->{source}" for o, source in links[:30]) + "\n")


print("this run:")
strongest(kept_maps)
if QUICK:
    print(f"{full.label}:")
    strongest(full["attention maps"])

# %% [markdown]
# What to look for in the full run's maps and lists: where English and French put words
# in the same order, the bright cells run down the diagonal, each French token reading
# its English counterpart ("homme" and "man"). Where French puts the adjective after the
# noun ("a red car", "une voiture rouge"), the diagonal steps aside: the French noun
# reads the English noun, past the adjective, and the French adjective then goes back
# for it. Small words that no single English token accounts for (de, la, une) spread
# their weight, or look at the token the decoder will need next. A model trained for a
# dozen steps (quick mode) has not learned where to look yet, and its rows are flat.
#
# ## 7. Beam search, step by step
#
# Greedy decoding commits to the likeliest token at each step and never looks back. A
# translation is scored by the *sum* of its tokens' log-probabilities, and the likeliest
# first word need not start the likeliest sentence. **Beam search** keeps the $K$ best
# partial translations (the *beam*). One step, for one sentence:
#
# 1. every hypothesis $k$ (cumulative score $S_k$) is extended by every token $t$:
#    candidate score $S_k + \log p(t \mid \text{hypothesis } k)$, a $(K, V)$ grid;
# 2. the grid is flattened row by row, and the $K$ best candidates survive;
# 3. each survivor remembers its **parent** (flat index $\div V$) and its **token**
#    (flat index $\bmod V$).
#
# By hand, on a tiny grid, and against the library's `beam_search_step`:

# %%
beam_scores_now = torch.tensor([-0.4, -1.2, -1.5])  # three live hypotheses
grid_log_probs = torch.log_softmax(torch.randn(3, 6) * 2, dim=-1)  # (K=3, V=6)
candidates = beam_scores_now[:, None] + grid_log_probs  # (3, 6)
flat = candidates.reshape(-1)
order = torch.sort(flat, descending=True, stable=True).indices[:3]
mine = (flat[order], order // 6, order % 6)
print("candidate scores (row: hypothesis, column: token):")
print(candidates)
print("survivors: scores", mine[0], "parents", mine[1].tolist(), "tokens", mine[2].tolist())
for got, want in zip(beam_search_step(beam_scores_now, grid_log_probs, 3), mine, strict=True):
    assert_close(got, want)
print("the step by hand == nlpjourney.seq2seq.beam_search_step")

# %% [markdown]
# A whole search repeats that step, feeding each survivor's token to the decoder from its
# parent's state. A hypothesis that has written `</s>` is finished: it stays in the beam
# with one candidate, itself (its grid row is $-\infty$ except for a free `<pad>`), and
# the search stops when every hypothesis has finished. Below, the beam ($K = 4$) for one
# test sentence, with the trained attention model, every step printed; the summed
# log-probability is the score (no length penalty yet).
#
# **Predict:** can beam search with $K = 4$ end with a translation whose total
# log-probability is *lower* than greedy's?

# %%
model = runs["attention"]["model"]
sentence = en_test[examples[0]]


def text_of(ids):
    return tokenizer.decode([t for t in ids if t not in (PAD, EOS)]).strip()


@torch.no_grad()
def beam_walk(model, sentence, beam_size):
    """Beam search for one sentence by hand: the best output, the back-pointers, the log."""
    src = torch.tensor([tokenizer.encode(sentence) + [EOS]])
    memory, mask, state, final = model.encode(src)
    keys = model.attention.project_keys(memory)
    seqs = torch.tensor([[BOS]])  # (K, t): one live hypothesis, <s>, to begin with
    scores, done, history, log = torch.zeros(1), torch.zeros(1, dtype=torch.bool), [], []
    for step in range(min(2 * src.shape[1] + 10, model.config.max_len)):  # as search() does
        rows = torch.zeros(len(seqs), dtype=torch.long)  # every hypothesis reads sentence 0
        logits, state, _ = model.step(model.embed(seqs[:, -1]), state, memory[rows],
                                      mask[rows], keys[rows], final[rows])  # fmt: skip
        log_probs = torch.log_softmax(logits, dim=-1)
        log_probs[done] = float("-inf")  # a finished hypothesis: only itself, by a pad
        log_probs[done, PAD] = 0.0
        scores, parents, tokens = beam_search_step(scores, log_probs, beam_size)
        history.append((parents.tolist(), tokens.tolist()))
        seqs = torch.cat([seqs[parents], tokens[:, None]], dim=1)
        state, done = state[:, parents], done[parents] | (tokens == EOS)
        for k in range(len(seqs)):
            end = " </s>" if done[k] else ""
            log.append(
                f"step {step + 1:2d}  {scores[k]:7.2f}  {text_of(seqs[k, 1:].tolist())}{end}"
            )
        if done.all():
            break
    if len(history) > 10:  # a long walk: its first 8 steps and its last are enough to read
        log = log[: 8 * len(seqs)] + ["   ..."] + log[-len(seqs) :]
    best = int(scores.argmax())  # the likeliest hypothesis in the final beam
    return best, seqs[:, 1:], scores, history, log


best, beam_seqs, final_scores, history, walk = beam_walk(model, sentence, 4)
out_ids, out_score = beam_seqs[best], float(final_scores[best])
print("English:", sentence, "\n")
print("\n".join(walk))
full.keep("beam walk", walk)
_, greedy_seqs, greedy_final, _, _ = beam_walk(model, sentence, 1)
print(f"\ngreedy: {text_of(greedy_seqs[0].tolist())}  (total {float(greedy_final[0]):.2f})")
print(f"beam 4: {text_of(out_ids.tolist())}  (total {out_score:.2f})")
if QUICK:
    print(f"\n{full.label}, the same sentence:")
    print("\n".join(full["beam walk"]))

# %% [markdown]
# Read a step's four lines as the beam after that step, best first: the first words
# usually agree, and the hypotheses differ in a word or two further on; a line ending
# in `</s>` is finished and keeps its score from then on, while the live ones keep
# paying for every token they add. The same search, for a batch of sentences at once, is
# `Seq2Seq.search`; with no length penalty it finds exactly this translation:

# %%
found = model.search(torch.tensor([tokenizer.encode(sentence) + [EOS]]), beam_size=4,
                     length_penalty=0.0)  # fmt: skip
real = lambda ids: [t for t in ids if t != PAD]  # noqa: E731  (both pad after </s>)
assert real(found.tokens[0].tolist()) == real(out_ids.tolist()), (found.tokens, out_ids)
assert_close(found.scores[0], torch.tensor(out_score), rtol=1e-4, atol=1e-4)
print("beam_walk == Seq2Seq.search(beam_size=4, length_penalty=0)")

# %% [markdown]
# Now the prediction, over the test sentences: the total log-probability of greedy's
# translation and of beam 4's, sentence by sentence.

# %%
greedy_totals = outputs["attention"][1]  # the greedy translations of section 5
beam_totals = translate(model, en_test[:test_count], 4, length_penalty=0.0)[1]
greedy_totals, beam_totals = np.array(greedy_totals), np.array(beam_totals)
full.table(
    {
        "sentences": test_count,
        "beam 4 higher than greedy": int((beam_totals > greedy_totals + 1e-4).sum()),
        "the same": int((np.abs(beam_totals - greedy_totals) <= 1e-4).sum()),
        "beam 4 lower than greedy": int((beam_totals < greedy_totals - 1e-4).sum()),
    },
    title="total log-probability of the translation, beam 4 against greedy",
)

# %% [markdown]
# Usually beam search finds the same translation as greedy or a likelier one. But it is
# not guaranteed: greedy's partial translation can drop out of the beam when four
# others score higher *so far*, and none of those need end better. The last line counts
# the sentences where that happened; for a model trained as briefly as this one, whose
# next-token probabilities are far from sharp, it is not rare.
#
# Beam search also has a bias: every token adds a negative log-probability, so a short
# translation that ends early beats a complete one. `Seq2Seq.search` divides each score
# by GNMT's length penalty $((5 + n)/6)^{\alpha}$ (lesson 4.1), $\alpha = 0.6$ by
# default, before it ranks; that is the "attention, beam 4" line of section 5's plot.
#
# **Exercise: following the back-pointers.** A search that keeps only each step's
# `parents` and `tokens` (as `history` above does, one pair of lists per step) can still
# rebuild any final hypothesis, walking backwards from the last step. Write
# `my_backtrack(history, k)`, which returns the tokens of hypothesis `k` after the last
# step, first token first.


# %%
def my_backtrack(history, k):
    return None  # your code


# %%
check(
    "the best hypothesis rebuilt from the back-pointers",
    my_backtrack(history, best),
    out_ids.tolist(),
    hint="start at the last step: hypothesis k's last token is that step's token k, and "
    "its parent says which hypothesis of the step before to look at next",
)

# %% [markdown]
# ## 8. IBM Model 1 beside attention
#
# Before neural translators, a statistical system learned the word alignment *first*,
# then built phrases from it. **IBM Model 1** (Brown et al. 1993) says each French word
# was produced by one English word (or a NULL word, for French words with no English
# counterpart), chosen uniformly, then translated by a table $t(f \mid e)$; the table is
# learned by expectation-maximisation from sentence pairs alone (`nlpjourney.mt.ibm1`,
# on lowercased words). Both models on the same pair, a test caption and its reference
# translation: IBM Model 1's posterior $p(a_j = i \mid e, f)$, and the attention weights
# of the neural model fed the same reference (teacher forcing) token by token.

# %%
start = time.perf_counter()
ibm = IBMModel1(n_iter=5 if QUICK else 10, progress=False).fit(
    multi30k_pairs("train", "en", "fr", limit=N_TRAIN)
)
print(f"IBM Model 1: {N_TRAIN} pairs, {ibm.n_iter} EM iterations, "
      f"{time.perf_counter() - start:.0f} s")  # fmt: skip
i = examples[0]
en_words, fr_words = tokenize(en_test[i], "en"), tokenize(fr_test[i], "fr")
ibm_grid = ibm.alignment_matrix(en_words, fr_words, include_null=False)

src = torch.tensor([tokenizer.encode(en_test[i]) + [EOS]])
tgt = torch.tensor([[BOS, *tokenizer.encode(fr_test[i]), EOS]])
with torch.no_grad():
    _, forced = model.decode_teacher_forced(src, tgt[:, :-1])  # (1, T, S)
neural_source, neural_target = pieces(src[0].tolist()), pieces(tgt[0, 1:].tolist())

links = ibm.align(en_words, fr_words)  # (English i, French j): each French word's best
# Both panels are drawn by nlpjourney.mt.draw.draw_alignment (rows: the French reference,
# columns: the English source); IBM Model 1's own choice for each French word is outlined.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
draw_alignment(forced[0].numpy(), neural_source, neural_target,
               title="neural attention (BPE tokens)", ax=axes[0])  # fmt: skip
draw_alignment(ibm_grid, en_words, fr_words, links=links,
               title="IBM Model 1 posterior (words, NULL not drawn)", ax=axes[1])  # fmt: skip
fig.suptitle(f"the same pair, test sentence {i}", fontsize=10)
fig.tight_layout()
full.figure(fig, "ibm1-vs-attention")
plt.show()
full.show_figure("ibm1-vs-attention", "IBM Model 1 beside attention")
full.keep("IBM Model 1 links", [f"{fr_words[j]}->{en_words[i]}" for i, j in links])
print(f"IBM Model 1 ({full.label}), each French word's likeliest English word:")
print("  " + ", ".join(full["IBM Model 1 links"]))

# %% [markdown]
# Compare the two pictures row by row. The red squares on the right are IBM Model 1's
# own links (`align`): for each French word, the English word it most likely came from;
# a French word left to NULL has none. IBM Model 1 knows nothing of word order: it aligns
# a French word to the English word whose translation table explains it best, wherever
# that word is, so its rows are sharp for content words ("homme" and "man") and unsure
# for common words (articles, "de"), which it can leave to NULL (not drawn, so those rows
# are dim). The neural attention works on BPE pieces, and its query is the decoder's
# state *before* it writes the token, so a row can look one token ahead or behind; where
# the statistical model is sure, see whether the network's brightest cell is in the same
# place. Alignment was a model of its own in 1993; in 2015 it fell out of training a
# translator end to end, and the transformer of 4.1 does the same with many heads.
#
# ## What you built
#
# - an encoder-decoder two ways: with the source squeezed into one vector, and with
#   Bahdanau attention reading every source token at every step;
# - one attention step and one decoder step by hand, equal to the library's;
# - BLEU against source length: the fixed vector's cost grows with the sentence;
# - attention maps, the model's learned alignment; IBM Model 1's beside them;
# - beam search one step at a time, back-pointers included, equal to `Seq2Seq.search`.
#
# Exercise 3.5 (`journey check 3.5`) asks for `additive_attention` for a padded batch
# and `beam_search_step` with its ties. Lesson 4.1 removes the recurrence altogether and
# keeps only attention.
