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
# # 1.6 n-gram language models
#
# A language model gives a probability to the next word given the words before it. Long
# before neural networks, the way to do that was to **count**: how often did "jury" follow
# "The"? In this lesson you build a bigram model from counts on the Brown news corpus, run
# into the problem that breaks it (the zeros), fix it with add-one smoothing, measure
# models with **perplexity**, and then build the idea behind the best of the classic
# smoothers, **Kneser-Ney**: count not how often a word occurs but in how many places.
#
# Every piece is built in cells first, checked against `nlpjourney.lm.ngram.NgramLM`, and
# then the library does the heavy lifting. Set `JOURNEY_QUICK=1` for a smaller corpus.

# %%
import math
import os
from collections import Counter, defaultdict

import matplotlib.pyplot as plt
import numpy as np

from nlpjourney.course.results import FullRun
from nlpjourney.data import corpora
from nlpjourney.lm.ngram import NgramLM

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("1.6")  # the full run's stored numbers, shown beside this run's own
sentences = corpora.brown_sents("news")
n_train = 1500 if QUICK else 4000
train, held_out = sentences[:n_train], sentences[n_train:]
print(f"{len(train)} training sentences, {len(held_out)} held-out; first: {train[0][:8]}")
full.keep("training sentences", len(train))
if QUICK:
    print("(quick mode: 1500 training sentences; the full run trains on 4000)")

# %% [markdown]
# ## 1. Counting bigrams
#
# To know where sentences start and end, pad each one: `<s>` before, `</s>` after. Then a
# bigram model's estimate is the **maximum-likelihood** one: of all the times `prev` was
# seen, the share followed by `word`,
# $P(w \mid prev) = c(prev\ w) / c(prev)$.

# %%
padded = [["<s>"] + s + ["</s>"] for s in train]
bigram_counts = defaultdict(Counter)  # prev -> Counter of the next words
for sent in padded:
    for prev, word in zip(sent, sent[1:], strict=False):
        bigram_counts[prev][word] += 1


def mle_bigram(word, prev):
    total = sum(bigram_counts[prev].values())
    return bigram_counts[prev][word] / total if total else 0.0


print("most common after 'The':", bigram_counts["The"].most_common(5))
full.table({"MLE P(jury | The)": mle_bigram("jury", "The")})

# %% [markdown]
# The library counts the same way (and pads like NLTK: `order - 1` symbols on each side).
# Its MLE bigram model agrees with ours on every pair we try.

# %%
mle = NgramLM(2, "mle").fit(train)
for prev, word in [("The", "jury"), ("the", "city"), ("<s>", "The"), ("said", "</s>")]:
    assert math.isclose(mle_bigram(word, prev), mle.prob(word, [prev])), (prev, word)
print("cell-built MLE == NgramLM(2, 'mle') on the pairs above")

# %% [markdown]
# ## 2. The zero problem
#
# A corpus of a few thousand sentences has seen only a sliver of the bigrams English
# allows. On held-out text, many bigrams were never counted, so MLE gives them probability
# 0, and a single zero makes the probability of the whole sentence 0.
#
# **Predict, then run.** What share of the held-out bigrams did training never see: a
# twentieth, a fifth, or more? And what perplexity does that leave the MLE model?

# %%
held_pairs = [(p, w) for s in held_out for p, w in zip(["<s>"] + s, s + ["</s>"], strict=False)]
unseen = [(p, w) for p, w in held_pairs if bigram_counts[p][w] == 0]
full.table(
    {
        "held-out bigrams never seen (%)": 100 * len(unseen) / len(held_pairs),
        "MLE perplexity": mle.perplexity(held_out),
    }
)
print("unseen, e.g.", unseen[:6])

# %% [markdown]
# Far more than most people guess (the share is in the table above), and one zero is enough:
# a probability of 0 is a log of $-\infty$, so the perplexity is infinite.

# %% [markdown]
# ## 3. Laplace: add one to every count
#
# Pretend every word of the vocabulary $V$ followed every context once more than it did:
# $P(w \mid prev) = (c(prev\ w) + 1) / (c(prev) + |V|)$. The vocabulary is every padded
# training token plus `<UNK>`, which stands for any word never seen in training.
#
# **Predict, then run.** Under MLE, P(jury | The) is the value in section 1's table.
# After adding one to every count, will it be a little lower, or lower by a factor of ten
# or more?

# %%
vocabulary = {w for sent in padded for w in sent} | {"<UNK>"}


def laplace_bigram(word, prev):
    word = word if word in vocabulary else "<UNK>"
    prev = prev if prev in vocabulary else "<UNK>"
    total = sum(bigram_counts[prev].values())
    return (bigram_counts[prev][word] + 1) / (total + len(vocabulary))


laplace = NgramLM(2, "laplace").fit(train)
assert len(vocabulary) == len(laplace.vocab)
for prev, word in [("The", "jury"), ("The", "zebra"), ("quantum", "the"), *unseen[:5]]:
    assert math.isclose(laplace_bigram(word, prev), laplace.prob(word, [prev])), (prev, word)
full.table(
    {
        "|V|": len(vocabulary),
        "MLE P(jury | The)": mle_bigram("jury", "The"),
        "Laplace P(jury | The)": laplace_bigram("jury", "The"),
    }
)

# %% [markdown]
# No more zeros, but look at the price: "jury" after "The" lost most of its probability,
# handed to thousands of words that never follow "The". Add-one steals too much.
#
# **Your turn: add less than one.** *Lidstone* smoothing adds a fraction $\gamma$ instead of
# one: $P(w \mid prev) = (c(prev\ w) + \gamma) / (c(prev) + \gamma |V|)$. Replace the `None`
# so that `lidstone_bigram(word, prev, gamma)` computes it, mapping unknown words to
# `<UNK>` as `laplace_bigram` does.


# %%
def lidstone_bigram(word, prev, gamma):
    return None  # your code: Laplace's formula, with gamma in place of the added one


# %%
from nlpjourney.course import check  # noqa: E402

lidstone = NgramLM(2, "lidstone", gamma=0.1).fit(train)
pairs = [("The", "jury"), ("The", "zebra"), *unseen[:3]]
check(
    "Lidstone P(w | prev), gamma 0.1, on five pairs",
    [lidstone_bigram(w, p, 0.1) for p, w in pairs],
    [lidstone.prob(w, [p]) for p, w in pairs],
    hint="every one of the |V| possible next words gets gamma extra, so the total grows by that",
)
#
# ## 4. Perplexity, by hand
#
# Perplexity is the standard score of a language model on held-out text: the inverse
# probability of the text, per word, $2^{-\frac1N \sum_i \log_2 P(w_i \mid h_i)}$. It is
# the number of equally likely words the model is, on average, choosing between: lower is
# better. We score every word and the end of each sentence.

# %%
log_sum, n_events = 0.0, 0
for sent in held_out:
    for prev, word in zip(["<s>"] + sent, sent + ["</s>"], strict=False):
        log_sum += math.log2(laplace_bigram(word, prev))
        n_events += 1
perplexity_by_hand = 2 ** (-log_sum / n_events)
full.table({"held-out events": n_events, "Laplace bigram perplexity": perplexity_by_hand})
assert math.isclose(perplexity_by_hand, laplace.perplexity(held_out), rel_tol=1e-9)

# %% [markdown]
# **Your turn: perplexity from probabilities.** Replace the `None` so that
# `my_perplexity(probs)` turns the probabilities a model gave to each event of a text
# into its perplexity. The check scores the first held-out sentence.


# %%
def my_perplexity(probs):
    return None  # your code: 2 to the power of minus the mean log2 probability


# %%
first = held_out[0]
first_probs = [
    laplace_bigram(w, p) for p, w in zip(["<s>"] + first, first + ["</s>"], strict=False)
]
check(
    "perplexity of the first held-out sentence",
    my_perplexity(first_probs),
    laplace.perplexity([first]),
    hint="average the log-probabilities per event, not per sentence; then undo the log",
)

# %% [markdown]
# ## 5. Kneser-Ney: in how many places does a word occur?
#
# When a context is rare, a smoother falls back on a lower-order guess: how likely is the
# word *anywhere*. The unigram count answers that badly. Take "York" and "people", which
# occur equally often in the full Brown news corpus.
#
# **Predict, then run.** How many *different* words come right before "York", and how many
# before "people"?

# %%
all_bigrams = {(p, w) for s in sentences for p, w in zip(["<s>"] + s, s + ["</s>"], strict=False)}
all_counts = Counter(w for s in sentences for w in s)
left_contexts = defaultdict(set)
for p, w in all_bigrams:
    left_contexts[w].add(p)
for w in ["York", "people", "Francisco", "year"]:
    print(f"{w:>10}: count {all_counts[w]:>4}, distinct words before it {len(left_contexts[w]):>3}")
print(
    "before York:",
    Counter(p for s in sentences for p, w in zip(s, s[1:], strict=False) if w == "York"),
)

# %% [markdown]
# "York" comes only after "New". As the guess for a new context, a word that has followed
# many different words is the better bet. Its **continuation count** $N_{1+}(\bullet\, w)$
# is the number of distinct words seen before it.

# %% [markdown]
# Interpolated Kneser-Ney mixes two orders. From each seen bigram count it takes off a
# fixed discount $d$ (0.75), and gives the freed mass to a lower order built from
# continuation counts, which in turn gives a little to the uniform distribution over the
# vocabulary (so unknown words are never 0):
#
# $P(w \mid prev) = \frac{\max(c(prev\,w) - d, 0)}{c(prev)} + \frac{d\, N_{1+}(prev\,\bullet)}{c(prev)} P_1(w)$,
#
# $P_1(w) = \frac{\max(N_{1+}(\bullet\,w) - d, 0)}{N_{1+}(\bullet\,\bullet)} + \frac{d\, |\{w: N_{1+}(\bullet\,w) > 0\}|}{N_{1+}(\bullet\,\bullet)} \frac{1}{|E|}$
#
# where $E$ is what a model can predict: the vocabulary without `<s>`. Built in cells on
# the training bigrams:

# %%
d = 0.75
train_types = {(p, w) for p, row in bigram_counts.items() for w in row}
continuation = Counter(w for _, w in train_types)
n_types = len(train_types)
events = sorted(vocabulary - {"<s>"})


def kn_unigram(word):
    floor = d * len(continuation) / n_types / len(events)
    return max(continuation[word] - d, 0) / n_types + floor


def kn_bigram(word, prev):
    word = word if word in vocabulary else "<UNK>"
    prev = prev if prev in vocabulary else "<UNK>"
    row = bigram_counts[prev]
    total = sum(row.values())
    if total == 0:
        return kn_unigram(word)
    return max(row[word] - d, 0) / total + d * len(row) / total * kn_unigram(word)


kn = NgramLM(2, "kneser_ney", discount=d).fit(train)
for prev, word in [("The", "jury"), ("New", "York"), ("the", "people"), ("quantum", "the")]:
    assert math.isclose(kn_bigram(word, prev), kn.prob(word, [prev])), (prev, word)
print("cell-built Kneser-Ney == NgramLM(2, 'kneser_ney')")
print(f"sum over E after 'The': {math.fsum(kn_bigram(w, 'The') for w in events):.12f}")
full.table(
    {
        "Laplace P(jury | The)": laplace_bigram("jury", "The"),
        "KN P(jury | The)": kn_bigram("jury", "The"),
        "Laplace bigram perplexity": laplace.perplexity(held_out),
        "KN bigram perplexity": kn.perplexity(held_out),
    }
)

# %% [markdown]
# The library generalises this to any order: the highest order uses raw counts, every
# lower one continuation counts over distinct left neighbours, each mixed with the next
# down. Exercise 1.6 asks you to write the two building blocks yourself.
#
# ## 6. Generating text
#
# A language model is also a generator: sample a word from $P(\cdot \mid h)$, append it,
# repeat. Here are Kneser-Ney samples at orders 1 to 4, with a fixed seed (in quick mode,
# the full run's samples follow this run's). In the full run's samples a unigram model is
# word salad; from order 3 on, local phrases look like news, and with so little data the
# higher orders start to copy whole training phrases.

# %%
for order in (1, 2, 3, 4):
    model = NgramLM(order, "kneser_ney").fit(train)
    words = full.keep(f"sample, order {order}", " ".join(model.generate(25, seed=order)))
    print(f"order {order}: {words}\n")
if QUICK:
    print(f"The samples of the {full.label}, on {full['training sentences']} sentences:\n")
    for order in (1, 2, 3, 4):
        print(f"order {order}: {full[f'sample, order {order}']}\n")

# %% [markdown]
# ## 7. Perplexity against order, for each smoother
#
# One model per smoothing and order, all on the same split. Here words seen only once in
# training become `<UNK>` (`unk_cutoff=2`), so every model has learned how often an unknown
# word turns up, and even MLE has no zeros at order 1. From order 2 on MLE is infinite
# (held-out text always holds an unseen bigram), so it appears only at order 1.
#
# **Predict, then run.** Going from order 1 to order 4, will add-one (Laplace) get better
# or worse? And Kneser-Ney?

# %%
orders = [1, 2, 3, 4]
smoothers = {"mle": {}, "laplace": {}, "lidstone": {"gamma": 0.1}, "kneser_ney": {}}
table = {
    name: [NgramLM(n, name, unk_cutoff=2, **kw).fit(train).perplexity(held_out) for n in orders]
    for name, kw in smoothers.items()
}
print("Held-out perplexity by smoother and order")
full.table(
    {
        f"{name}, order {n}": p
        for name, row in table.items()
        for n, p in zip(orders, row, strict=True)
    },
)
trends = {}
for name, row in table.items():
    best = int(np.argmin(row))
    if not np.isfinite(row).all():
        trend = f"infinite from order {orders[int(np.argmin(np.isfinite(row)))]}"
    elif all(np.diff(row[best:]) > 0):
        trend = "worse with every order"
    else:
        trend = "up and down"
    trends[name] = f"best at order {orders[best]} ({row[best]:.1f}), after that {trend}"
    print(f"{name:>11}: {trends[name]}")
full.keep("trends", trends)
if QUICK:
    print(f"(quick mode: {len(train)} training sentences; the full run trains on 4000)")
    print("The full run:")
    for name in table:
        print(f"{name:>11}: {full['trends'][name]}")

fig, ax = plt.subplots(figsize=(7, 4.5))
for name, row in table.items():
    finite = [(n, p) for n, p in zip(orders, row, strict=True) if np.isfinite(p)]
    style = {"marker": "s", "markersize": 12, "fillstyle": "none"} if name == "mle" else {}
    label = f"{name} (infinite from order {len(finite) + 1})" if len(finite) < len(orders) else name
    ax.plot(*zip(*finite, strict=True), **({"marker": "o"} | style), label=label)
ax.set_yscale("log")
ax.set_xticks(orders)
ax.set_xlabel("n-gram order")
ax.set_ylabel("held-out perplexity (log scale)")
ax.set_title(f"Brown news: {len(train)} training sentences" + (" (quick mode)" if QUICK else ""))
ax.legend()
fig.tight_layout()
fig.savefig("/tmp/lesson-1.6-perplexity.png", dpi=100)
full.figure(fig, "perplexity-by-order")
plt.show()
full.show_figure("perplexity-by-order", "held-out perplexity by order")

# %% [markdown]
# Read the full run's picture and summary (in quick mode they come after this run's, whose
# curves on fewer sentences may differ). Add-one and add-0.1 get *worse* with
# every order: the longer the context, the fewer times it was seen, and the more of its
# mass goes to unseen words. Kneser-Ney gains a lot from order 1 to 2 and then stays close
# to its best: it only backs off as much as the data demands. On corpora of millions of sentences instead of thousands its curve
# keeps falling through orders 3 and 4 (Chen & Goodman 1998 measure this), which is why it was the standard for speech recognition
# and machine translation until neural language models (topic 4) replaced counting.
