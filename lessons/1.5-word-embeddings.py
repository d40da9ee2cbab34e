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
# # 1.5 Word embeddings: from counting neighbours to predicting them
#
# "You shall know a word by the company it keeps" (J. R. Firth, 1957). Words used in the
# same places tend to mean related things: *coffee* and *tea* both follow *a cup of*.
# A word embedding turns that idea into geometry: each word becomes a vector of a few
# hundred numbers, placed so that words used alike point in similar directions.
#
# This lesson builds embeddings three ways and measures them on the same benchmarks:
#
# 1. **counting**: a word-by-word co-occurrence matrix, reweighted by positive pointwise
#    mutual information (PPMI), shrunk by a truncated SVD;
# 2. **predicting**: skip-gram with negative sampling (word2vec), its loss and gradient
#    written by hand in NumPy, trained on a toy corpus, then checked equal to the
#    library's update and run at scale by `Word2Vec`;
# 3. **fitting the log counts**: GloVe;
# 4. one table of scores (WordSim-353, SimLex-999, the Google analogies) and a picture;
# 5. what the vectors encode: analogies, and a first look at the social bias they learn
#    from text (topic 4.10 returns to it);
# 6. a word has one static vector here, whatever its sentence; topic 4.3 (BERT) gives
#    each occurrence its own.
#
# Look for **Predict** cells: answer them in your head before you run the next cell.
# Two cells are **exercises** for you to fill in; a check cell under each says whether
# your answer is right (the lesson runs on while they are unsolved).
#
# Set `JOURNEY_QUICK=1` for short runs (seconds instead of minutes) on a small corpus.
# Every number the prose talks about is printed by a code cell. The prose describes the
# **full run**: `scripts/run_lessons.py` ran this lesson in full once and stored its
# numbers and pictures in `lessons/results/1.5/`, and the cells print them beside your
# own run's (in quick mode the corpus is a tenth of the size and the scores are lower).

# %%
import os
import tempfile
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.sparse.linalg import svds
from scipy.stats import spearmanr

from nlpjourney.course import check
from nlpjourney.course.embedding_diagrams import skipgram_figure
from nlpjourney.course.results import FullRun
from nlpjourney.embeddings import (
    GloVe,
    KeyedVectors,
    Word2Vec,
    cooccurrence,
    english_sentences,
    evaluate,
    ppmi,
    ppmi_svd,
)
from nlpjourney.embeddings.glove import glove_weight, vocabulary
from nlpjourney.embeddings.plots import place_labels, project
from nlpjourney.embeddings.word2vec import (
    keep_probabilities,
    negative_sampling_table,
    sgns_loss_and_grads,
    sgns_pairs_compiled,
    sgns_step,
)

try:  # shows a bare matplotlib Figure in a notebook; a script just prints its size
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("1.5")  # the stored full run of this lesson: its numbers and pictures
WORK = tempfile.mkdtemp(prefix="lesson-1.5-")
# The corpus: the registry's English text (Brown, webtext, inaugural addresses, State of
# the Union, movie reviews, Tiny Shakespeare, Multi30k captions), 3.6 million words in
# full mode; the Multi30k captions alone (0.35 million) in quick mode.
SOURCES = "multi30k" if QUICK else "all"
DIM = 50 if QUICK else 100
MIN_COUNT = 5 if QUICK else 10


def show(fig, keep_as=None):
    """Show a figure (pyplot's, or a bare diagram Figure); `keep_as`: store it with the
    full run's results (only the pictures that differ between the modes)."""
    if keep_as:
        full.figure(fig, keep_as)
    if plt.fignum_exists(getattr(fig, "number", -1)):
        fig.tight_layout()
        plt.show()
    else:
        display(fig)


# %% [markdown]
# ## 1. Counting: who appears near whom
#
# Start with a corpus small enough to read. A *window* of 2 means: for each word, the two
# words before it and the two after it are its context.

# %%
toy = [s.split() for s in [
    "the cat drinks milk", "the dog drinks water", "a cat chases a mouse",
    "a dog chases a cat", "the king rules the land", "the queen rules the land",
    "the king and the queen drink wine", "the dog and the cat drink water",
]]  # fmt: skip
toy_words = sorted({w for s in toy for w in s})
toy_index = {w: i for i, w in enumerate(toy_words)}
WINDOW = 2

counts = np.zeros((len(toy_words), len(toy_words)))
for sentence in toy:
    for i, word in enumerate(sentence):
        for j in range(max(0, i - WINDOW), min(len(sentence), i + WINDOW + 1)):
            if j != i:
                counts[toy_index[word], toy_index[sentence[j]]] += 1
print(f"{len(toy_words)} words; the row of 'cat':")
print({w: int(c) for w, c in zip(toy_words, counts[toy_index["cat"]], strict=True) if c})

# %% [markdown]
# Each row is a word's vector: how often each other word appears near it. Two words are
# similar when their rows point the same way, measured by the **cosine** of the angle
# between them (1: the same direction; 0: nothing in common).


# %%
def cosine(u, v):
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def row(matrix, word):
    return matrix[toy_index[word]]


for a, b in [("cat", "dog"), ("king", "queen"), ("cat", "king"), ("milk", "water")]:
    print(f"cos({a}, {b}) = {cosine(row(counts, a), row(counts, b)):.2f}")

# %% [markdown]
# The library counts the same way, streaming any corpus into a sparse matrix
# (`harmonic=False`: every pair in the window counts 1; GloVe's counts weigh a pair
# `d` words apart by `1/d`). Checked equal:

# %%
library_counts = cooccurrence(toy, toy_index, window=WINDOW, harmonic=False)
np.testing.assert_array_equal(library_counts.toarray(), counts)
print("cooccurrence(...) equals the counts made by hand")

# %% [markdown]
# **Predict:** *the* appears beside almost every word. What does that do to the cosine
# of two words that share nothing but *the*? Look at `cat` and `king` above: they have
# no meaning in common, yet their cosine is far from 0.
#
# ## 2. PPMI: counts that are surprising
#
# Raw counts are dominated by frequent words. **Pointwise mutual information** asks
# instead how much more often two words meet than they would by chance:
#
# $$\mathrm{PMI}(w, c) = \log \frac{P(w, c)}{P(w)\,P(c)}
#   = \log \frac{\#(w, c) \cdot N}{\#(w)\,\#(c)}$$
#
# where `#(w)` is a row's total, `#(c)` a column's and `N` the grand total. A pair seen
# more often than chance has PMI > 0. Pairs never seen have PMI = -infinity, and
# negative values are noisy on small counts, so **positive PMI** keeps `max(PMI, 0)`.


# %%
def ppmi_by_hand(counts):
    total = counts.sum()
    rows = counts.sum(axis=1, keepdims=True)
    cols = counts.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore"):  # log 0 = -inf for unseen pairs; clipped to 0 next
        pmi = np.log(counts * total / (rows * cols))
    return np.maximum(pmi, 0.0)


toy_ppmi = ppmi_by_hand(counts)
for a, b in [("cat", "dog"), ("king", "queen"), ("cat", "king"), ("milk", "water")]:
    before, after = (
        cosine(row(counts, a), row(counts, b)),
        cosine(row(toy_ppmi, a), row(toy_ppmi, b)),
    )
    print(f"cos({a}, {b}): counts {before:.2f} -> PPMI {after:.2f}")
np.testing.assert_allclose(ppmi(counts, alpha=1.0).toarray(), toy_ppmi)
print("ppmi(counts, alpha=1.0) equals ppmi_by_hand(counts)")

# %% [markdown]
# The pair that shared little more than *the* and *a*, `cat` and `king`, falls to almost
# 0; the pairs that share specific neighbours (*drinks*, *rules*) keep much more. The
# cell above also checked `ppmi_by_hand` equal to the library's `ppmi` with `alpha=1.0`
# (the next exercise explains `alpha`).

# %% [markdown]
# ### Exercise 1: smoothing the context distribution
#
# PMI overrates rare contexts: a context seen once, beside one word, gets a huge PMI.
# Levy, Goldberg and Dagan (2015) found a simple fix that word2vec applies without
# saying so: raise the column totals to a power `alpha = 0.75` and renormalise them to a
# probability before dividing,
# $P_\alpha(c) = \#(c)^\alpha / \sum_{c'} \#(c')^\alpha$, so
# $\mathrm{PMI}_\alpha(w, c) = \log \frac{P(w, c)}{P(w)\,P_\alpha(c)}$. Write it.


# %%
def my_ppmi(counts, alpha=0.75):
    """Positive PMI with the context probabilities smoothed by `alpha` (a dense array)."""
    return None  # your code


# %%
check("my_ppmi(counts, 0.75)", my_ppmi(counts, 0.75), ppmi(counts, alpha=0.75).toarray(),
      hint="P(w, c) and P(w) as before; for P(c) raise each column total to alpha and divide "
           "by the sum of the raised totals; then keep the positive part")  # fmt: skip

# %% [markdown]
# ## 3. From counts to short dense vectors: the truncated SVD
#
# A PPMI row is as long as the vocabulary (tens of thousands of numbers, nearly all 0),
# and two related words may share few non-zero columns. The singular value decomposition
# `PPMI = U S V^T` finds the directions along which the rows vary most; keeping the top
# `k` gives each word `k` numbers, `U_k S_k^{1/2}` (the square root weighs the singular
# values less than `U S` would, which works better on word similarity).
#
# Now the real corpus. Each step is scored on **WordSim-353**: 353 word pairs rated by
# people for relatedness (*tiger-cat* 7.35, *king-cabbage* 0.23); the score is the
# Spearman rank correlation between the people's ratings and the model's cosines, over
# the pairs whose words are in the vocabulary.

# %%
t0 = time.perf_counter()
sentences = list(english_sentences(SOURCES))
words, word_counts, total_words = vocabulary(sentences, MIN_COUNT, progress=False)
index = {w: i for i, w in enumerate(words)}
print(f"{total_words:,} words in {len(sentences):,} sentences; "
      f"{len(words):,} words seen at least {MIN_COUNT} times")  # fmt: skip
big_counts = cooccurrence(sentences, index, window=5, harmonic=False, progress=False)
print(f"co-occurrence matrix {big_counts.shape}, {big_counts.nnz:,} non-zero "
      f"({big_counts.nnz / len(words) ** 2:.2%} of the entries), "
      f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
wordsim = evaluate.read_word_pairs("wordsim353")


def spearman_of(similarity):
    """WordSim-353 Spearman of a function similarity(i, j) on word rows; pairs with an
    unknown word are left out, and counted."""
    people, model = [], []
    for a, b, rating in wordsim:
        a, b = a.lower(), b.lower()
        if a in index and b in index:
            people.append(rating)
            model.append(similarity(index[a], index[b]))
    return spearmanr(people, model).statistic, len(wordsim) - len(people)


def sparse_cosine(matrix):
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return lambda i, j: (matrix[i] @ matrix[j].T).toarray().item() / (norms[i] * norms[j])


ladder = {}
ladder["raw counts"], oov = spearman_of(sparse_cosine(big_counts))
ladder["PPMI"], _ = spearman_of(sparse_cosine(ppmi(big_counts, alpha=1.0)))
smoothed = ppmi(big_counts, alpha=0.75)
ladder["PPMI, alpha 0.75"], _ = spearman_of(sparse_cosine(smoothed))
print(f"{oov} of {len(wordsim)} WordSim pairs have a word outside the vocabulary")

# %% [markdown]
# **Predict:** the SVD keeps 100 dimensions (50 in quick mode) out of tens of thousands.
# Will the WordSim score go down, as losing information suggests, or up?

# %%
start = np.random.default_rng(1).uniform(-1, 1, size=min(smoothed.shape))
u, s, _ = svds(smoothed, k=DIM, v0=start)
svd_vectors = u * np.sqrt(s)  # svds's order does not matter for cosines
unit = svd_vectors / np.linalg.norm(svd_vectors, axis=1, keepdims=True)
ladder["+ SVD"], _ = spearman_of(lambda i, j: float(unit[i] @ unit[j]))
full.table(ladder, title="WordSim-353 Spearman, one step at a time")

# %% [markdown]
# What each step is for: frequent words make all count vectors look alike, PPMI keeps
# only the pairs that meet more often than chance, the smoothing stops rare contexts from
# getting huge PMI values, and the SVD merges columns that carry the same information
# (so *car* and *automobile* can match even where they share few context words). The
# full run's score after each step, and what the step changed:

# %%
steps = list(ladder)
print(f"the {full.label}: {steps[0]} {full[steps[0]]:.3f}")
for before, after in zip(steps, steps[1:], strict=False):
    print(f"  {after:<18} {full[after]:.3f}  ({full[after] - full[before]:+.3f})")

# %% [markdown]
# The library's `ppmi_svd` does the three steps from the sentences (it orders the
# dimensions by singular value, and an SVD's directions are defined only up to sign).
# Cosines do not depend on either, so compare them: checked equal.

# %%
ppmi_vectors = ppmi_svd(sentences, vector_size=DIM, window=5, min_count=MIN_COUNT)
sample = [index[w] for w in words[:300]]
theirs = ppmi_vectors.unit_vectors()[sample]
np.testing.assert_allclose(theirs @ theirs.T, unit[sample] @ unit[sample].T, atol=1e-4)
print("ppmi_svd(...) gives the same cosines as the cells above")
for word in ["king", "coffee", "good"]:
    if word in ppmi_vectors:
        print(word, "->", [w for w, _ in ppmi_vectors.most_similar(word, topn=6)])

# %% [markdown]
# ## 4. Predicting: skip-gram with negative sampling
#
# Word2vec (Mikolov et al., 2013) does not count. It turns the corpus into a prediction
# game and learns the vectors as the game's parameters. Each word has two vectors: an
# **input** vector (a row of `w_in`), used when the word is at the centre, and an
# **output** vector (a row of `w_out`), used when it is to be predicted. For each centre
# word and each word in its window, the model should say "yes, these meet": the sigmoid
# of the dot product of the two vectors should be near 1. To stop it saying yes to
# everything, each true pair comes with `K` **negative** words drawn at random, for
# which it should say no.

# %%
show(skipgram_figure("the quick brown fox jumps over the lazy dog".split(), centre=3))

# %% [markdown]
# For one pair, input vector `c`, output vector `o`, negatives `n_1..n_K`:
#
# $$L = -\log \sigma(c \cdot o) - \sum_k \log \sigma(-c \cdot n_k)$$
#
# Its gradient comes from one fact, $\frac{d}{dx}\,(-\log\sigma(x)) = \sigma(x) - 1$:
#
# - for `o`: $(\sigma(c\cdot o) - 1)\,c$ (negative, so a step *adds* some of `c` to `o`);
# - for each `n_k`: $\sigma(c\cdot n_k)\,c$ (a step pushes `n_k` away from `c`);
# - for `c`: $(\sigma(c\cdot o) - 1)\,o + \sum_k \sigma(c\cdot n_k)\,n_k$.
#
# Written for one pair (exercise 1.5 asks you for the batched version):


# %%
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def pair_loss_and_grads(c, o, n):
    """One pair: c, o (D,), n (K, D). The loss and its gradients for c, o and each n_k."""
    loss = -np.log(sigmoid(c @ o)) - np.sum(np.log(sigmoid(-(n @ c))))
    g_pos = sigmoid(c @ o) - 1  # a number, negative
    g_neg = sigmoid(n @ c)  # (K,), positive
    return float(loss), g_pos * o + g_neg @ n, g_pos * c, g_neg[:, None] * c


# %% [markdown]
# A derivation can be wrong in a way that still looks plausible; a **finite difference**
# cannot: nudge one number by `h` each way and see how the loss moves.

# %%
rng = np.random.default_rng(0)
c, o, n = rng.normal(size=4), rng.normal(size=4), rng.normal(size=(2, 4))
_, d_c, d_o, d_n = pair_loss_and_grads(c, o, n)
h = 1e-6
for name, array, grad in [("c", c, d_c), ("o", o, d_o), ("n", n, d_n)]:
    numeric = np.zeros_like(array)
    for k in np.ndindex(array.shape):
        saved = array[k]
        array[k] = saved + h
        up = pair_loss_and_grads(c, o, n)[0]
        array[k] = saved - h
        down = pair_loss_and_grads(c, o, n)[0]
        array[k] = saved
        numeric[k] = (up - down) / (2 * h)
    print(f"gradient for {name}: largest difference from finite differences "
          f"{np.abs(numeric - grad).max():.1e}")  # fmt: skip

# %% [markdown]
# Training is stochastic gradient descent, one pair after another, as word2vec.c does:
# compute the pair's gradients, subtract `lr` times each from the row it came from,
# go on to the next pair with the updated rows.


# %%
def my_sgd_pairs(w_in, w_out, centers, contexts, negatives, lr):
    """SGD over the pairs in order, updating w_in and w_out in place; the summed loss."""
    total = 0.0
    for center, context, negs in zip(centers, contexts, negatives, strict=True):
        loss, d_c, d_o, d_n = pair_loss_and_grads(w_in[center], w_out[context], w_out[negs])
        w_in[center] -= lr * d_c
        w_out[context] -= lr * d_o
        for neg, d in zip(negs, d_n, strict=True):  # a word drawn twice moves twice
            w_out[neg] -= lr * d
        total += loss
    return total


# %% [markdown]
# Where do the negatives come from? Word2vec draws them from the word frequencies raised
# to the power 0.75, the same smoothing as in exercise 1: frequent words are drawn less
# than their share, rare ones more.
#
# **Predict:** *the* makes up about 6 % of English text. With the 0.75 power, will it be
# drawn as a negative more or less than 6 % of the time?

# %%
toy_freq = np.bincount([toy_index[w] for s in toy for w in s], minlength=len(toy_words))
share = toy_freq / toy_freq.sum()
drawn = toy_freq**0.75 / (toy_freq**0.75).sum()
print(f"'the': {share[toy_index['the']]:.1%} of the toy corpus, "
      f"{drawn[toy_index['the']]:.1%} of the negatives")  # fmt: skip
print(f"'milk': {share[toy_index['milk']]:.1%} of the toy corpus, "
      f"{drawn[toy_index['milk']]:.1%} of the negatives")  # fmt: skip
# The library keeps the running sum of these probabilities, scaled to integers, and
# draws a negative by a binary search in it (word2vec.c's table): the same distribution.
table = negative_sampling_table(toy_freq)
np.testing.assert_allclose(np.diff(table, prepend=0) / table[-1], drawn, atol=1e-9)
print("negative_sampling_table(counts) draws with the same probabilities")

# %% [markdown]
# Now train the toy corpus: every (centre, context) pair within the window, 3 negatives
# each, 200 passes over the pairs in a random order.

# %%
pairs = np.array([(toy_index[s[i]], toy_index[s[j]]) for s in toy for i in range(len(s))
                  for j in range(max(0, i - WINDOW), min(len(s), i + WINDOW + 1)) if j != i])  # fmt: skip
V, D, K = len(toy_words), 10, 3
rng = np.random.default_rng(1)
w_in = rng.uniform(-0.5, 0.5, (V, D)) / D  # word2vec's start: small random inputs
w_out = np.zeros((V, D))  # and zero outputs
toy_losses = []
for _ in range(200):
    order = rng.permutation(len(pairs))
    negatives = rng.choice(V, size=(len(pairs), K), p=drawn)
    toy_losses.append(my_sgd_pairs(w_in, w_out, *pairs[order].T, negatives, lr=0.05))
toy_vectors = KeyedVectors(toy_words, w_in)
print(f"{len(pairs)} pairs; loss per pair {toy_losses[0] / len(pairs):.3f} -> "
      f"{toy_losses[-1] / len(pairs):.3f}")  # fmt: skip
for word in ["cat", "king", "water"]:
    print(word, "->", [w for w, _ in toy_vectors.most_similar(word, topn=3)])

# %%
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(np.array(toy_losses) / len(pairs), label="skip-gram, hand-written SGD")
ax.axhline((1 + K) * np.log(2), color="gray", linestyle="--",
           label=f"all logits 0: (1 + K) log 2 = {(1 + K) * np.log(2):.2f}")  # fmt: skip
ax.set_xlabel("pass over the pairs")
ax.set_ylabel("loss per pair")
ax.set_title("SGNS on the toy corpus")
ax.legend()
show(fig)

# %% [markdown]
# ### Batches, and their classic trap
#
# A Python loop over millions of pairs is slow. NumPy wants a **batch**: all the pairs'
# gradients at once, from the weights before the step, then each added into its row.
# That last part has a trap. In a batch the same word can appear several times (as the
# centre of two pairs, or as a context here and a negative there), and its row must move
# by the **sum** of its gradients. NumPy's fancy assignment `w[rows] -= g` does not do
# that: with a repeated row, only one of the updates survives. `np.add.at` adds every
# one.

# %%
w = np.zeros(3)
w[[0, 0, 1]] -= 1.0
print("w[[0, 0, 1]] -= 1           ->", w)
w = np.zeros(3)
np.add.at(w, [0, 0, 1], -1.0)
print("np.add.at(w, [0, 0, 1], -1) ->", w)

# %% [markdown]
# ### Meet the library's version, checked equal
#
# `nlpjourney.embeddings.word2vec` has the batched loss and step (`sgns_loss_and_grads`,
# `sgns_step`: exercise 1.5 asks you to write them). `Word2Vec` itself runs a compiled
# loop (`numba`), one pair after another like `my_sgd_pairs`; `sgns_pairs_compiled` runs
# that loop on pairs you give it. When no word appears in two pairs the order does not
# matter, and all three must agree:

# %%
rng = np.random.default_rng(2)
start_in, start_out = rng.normal(0, 0.3, (12, 8)), rng.normal(0, 0.3, (12, 8))
centers, contexts = np.array([0, 1, 2]), np.array([3, 4, 5])
negatives = np.array([[6, 7], [8, 9], [10, 11]])
mine = [start_in.copy(), start_out.copy()]
library = [start_in.copy(), start_out.copy()]
compiled = [start_in.astype(np.float32), start_out.astype(np.float32)]
loss_mine = my_sgd_pairs(*mine, centers, contexts, negatives, 0.1)
loss_library = sgns_step(*library, centers, contexts, negatives, 0.1)
sgns_pairs_compiled(*compiled, centers, contexts, negatives, 0.1)
batch_grads = sgns_loss_and_grads(start_in[centers], start_out[contexts], start_out[negatives])
for b in range(3):  # pair b's gradient for its centre, from the batch and by hand
    by_hand = pair_loss_and_grads(start_in[b], start_out[3 + b], start_out[negatives[b]])
    np.testing.assert_allclose(batch_grads[1][b], by_hand[1])
assert np.isclose(loss_mine, loss_library)
for ours, theirs, fast in zip(mine, library, compiled, strict=True):
    np.testing.assert_allclose(theirs, ours)
    np.testing.assert_allclose(fast, ours, rtol=1e-4, atol=1e-5)
print("sgns_step and Word2Vec's compiled loop make the same update as my_sgd_pairs")

# %% [markdown]
# Beyond the step, `Word2Vec` adds what makes it work on real text: a random window of 1
# to `window` words for each centre (near words count more often), the negatives' table,
# a learning rate falling linearly to almost 0, and **subsampling**: a word much more
# frequent than a threshold `t` is dropped from the text at random, so *the* does not
# take most of the training time.
#
# ### Exercise 2: the subsampling probability
#
# With `t = sample * total` (`sample = 1e-3`, `total` the corpus length) and `f` a word's
# count, each occurrence is kept with probability `min(1, (sqrt(f / t) + 1) * t / f)`
# (the formula of word2vec.c and gensim). Write it, for an array of counts.


# %%
def my_keep(counts, sample=1e-3):
    """The probability of keeping each occurrence of each word (an array like counts)."""
    return None  # your code


# %%
check("my_keep(word_counts)", my_keep(word_counts), keep_probabilities(word_counts, 1e-3),
      hint="the threshold t is sample times the sum of all the counts; the formula "
           "applies to every count at once, then cap it at 1")  # fmt: skip

# %%
kept = keep_probabilities(word_counts, 1e-3)
print(f"'the' ({word_counts[index['the']]:,} times): {kept[index['the']]:.1%} of its "
      f"occurrences kept; words below {1e-3 * total_words:,.0f} occurrences keep all")  # fmt: skip

# %% [markdown]
# Now `Word2Vec` on the corpus: skip-gram (`sg=1`) and CBOW (`sg=0`, which predicts the
# centre word from the mean of its context's input vectors), two threads each.

# %%
EPOCHS = 2 if QUICK else 5
models = {}
for name, sg in [("skip-gram", 1), ("CBOW", 0)]:
    t0 = time.perf_counter()
    model = Word2Vec(vector_size=DIM, window=5, min_count=MIN_COUNT, sg=sg, epochs=EPOCHS,
                     workers=2, seed=1).fit(sentences)  # fmt: skip
    seconds = time.perf_counter() - t0
    models[name] = model.wv
    print(f"{name}: {EPOCHS} epochs in {seconds:.1f} s "
          f"({EPOCHS * model.corpus_words / model.train_seconds:,.0f} words/s)")  # fmt: skip
for word in ["king", "coffee", "good"]:
    if word in models["skip-gram"]:
        print(word, "->", [w for w, _ in models["skip-gram"].most_similar(word, topn=6)])

# %% [markdown]
# ## 5. GloVe: fitting the logarithm of the counts
#
# GloVe (Pennington, Socher and Manning, 2014) brings the two ideas together. It counts,
# like section 1 (a pair `d` words apart adds `1/d`), then fits vectors so that
# `w_i . w~_j + b_i + b~_j` is close to `log X_ij` for every pair that co-occurs. Each
# pair's squared error is weighted by `f(X) = min(1, (X / x_max)^0.75)`: rare pairs,
# whose counts are mostly noise, weigh little, and very frequent pairs no more than 1.

# %%
x = np.logspace(-1, 3, 200)
fig, ax = plt.subplots(figsize=(6, 3.2))
for alpha in (0.75, 1.0):
    ax.plot(x, glove_weight(x, x_max=100, alpha=alpha), label=f"alpha = {alpha}")
ax.set_xscale("log")
ax.set_xlabel("co-occurrence count X (log scale)")
ax.set_ylabel("weight f(X)")
ax.set_title("GloVe's weighting, x_max = 100")
ax.legend()
show(fig)

# %%
t0 = time.perf_counter()
glove = GloVe(vector_size=DIM, window=5 if QUICK else 10, min_count=MIN_COUNT,
              epochs=2 if QUICK else 10, seed=1).fit(sentences)  # fmt: skip
models["GloVe"] = glove.wv
print(f"GloVe: {glove.counts_.nnz:,} co-occurring pairs, {time.perf_counter() - t0:.1f} s; "
      f"mean weighted loss per pair {glove.losses_[0]:.3f} -> {glove.losses_[-1]:.3f}")  # fmt: skip
models["PPMI-SVD"] = ppmi_vectors

# %% [markdown]
# ## 6. One table: all four on the same benchmarks
#
# - **WordSim-353**: relatedness (*cup-coffee* rates high);
# - **SimLex-999**: similarity proper (*cup-coffee* rates low, *cup-mug* high), harder
#   for vectors learned from co-occurrence, which mix the two;
# - **analogies**: the Google set, 19,544 questions *a : b :: c : ?* (*man : king :: woman
#   : queen*, *walk : walked :: run : ran*), answered by the word nearest to `b - a + c`
#   (3CosAdd) among the 30,000 most frequent words; a question with a word outside them
#   is counted as out of vocabulary, not as wrong.
#
# **Predict:** the count-based PPMI-SVD is the oldest method here. Will it be last?

# %%
table = {}
for name, wv in models.items():
    row = evaluate.evaluate_all(wv)
    table[name] = {"WordSim-353": row["wordsim353"], "SimLex-999": row["simlex999"],
                   "analogy 3CosAdd": row["analogy_3cosadd"]}  # fmt: skip
full.keep("table", table)
full.keep("questions", row["questions"])
columns = ["WordSim-353", "SimLex-999", "analogy 3CosAdd"]
for title, shown in [("this run" + (" (quick mode)" if QUICK else ""), table),
                     (full.label, full["table"])]:  # fmt: skip
    print(f"{title}:\n{'':<12}" + "".join(f"{c:>17}" for c in columns))
    for name in table:  # the same order in both tables (the stored one is sorted by name)
        print(f"{name:<12}" + "".join(f"{shown[name][c]:>17.3f}" for c in columns))
print(f"analogy questions answered: {row['questions']:,} this run, "
      f"{full['questions']:,} in the {full.label}")  # fmt: skip

# %%
fig, ax = plt.subplots(figsize=(7, 3.4))
stored = full["table"]
for k, name in enumerate(table):
    ax.bar(np.arange(3) + 0.2 * k - 0.3, [stored[name][c] for c in columns], width=0.2,
           label=name)  # fmt: skip
ax.set_xticks(range(3), columns)
ax.set_ylabel("Spearman / accuracy")
ax.set_title(f"Four embeddings, one corpus ({full.label})")
ax.legend(fontsize=8)
show(fig)

# %% [markdown]
# Which method leads on which benchmark depends on the corpus. Levy, Goldberg and Dagan
# (2015) found that the count-based method, given the same tricks (the smoothed
# context distribution, the square root of the singular values), is about as good as
# skip-gram: better on some benchmarks, worse on others, with no method ahead on all.
# All the analogy scores stay low next to published word2vec vectors, which answer well
# over half of the questions: those were trained on billions of words, this corpus has
# 3.6 million. The leaders in the full run:

# %%
for column in columns:
    ranked = sorted(full["table"], key=lambda m: -full["table"][m][column])
    print(f"{column:<16} " + " > ".join(f"{m} {full['table'][m][column]:.3f}" for m in ranked))

# %% [markdown]
# A picture of the skip-gram vectors: a few words of four kinds, brought from their
# dimensions down to two by t-SNE, a projection that keeps each word's nearest
# neighbours near it (the distances *between* the groups mean little). If the vectors
# encode meaning, the kinds should form groups, though no one told the model the kinds.

# %%
groups = {"family": ["father", "mother", "son", "daughter", "brother", "sister"],
          "numbers": ["two", "three", "four", "five", "six", "seven"],
          "places": ["london", "paris", "france", "england", "city", "river"],
          "verbs": ["walk", "run", "ran", "walked", "eat", "ate"]}  # fmt: skip
wv = models["skip-gram"]
shown = {g: [w for w in ws if w in wv] for g, ws in groups.items()}
everything = [w for ws in shown.values() for w in ws]
points = project(np.stack([wv[w] for w in everything]), "tsne")
fig, ax = plt.subplots(figsize=(7.5, 5.5))
at = 0
for group, ws in shown.items():
    xy = points[at : at + len(ws)]
    ax.scatter(xy[:, 0], xy[:, 1], label=group)
    at += len(ws)
ax.set_xlabel("t-SNE dimension 1")
ax.set_ylabel("t-SNE dimension 2")
ax.set_title(f"skip-gram vectors of {len(everything)} words, t-SNE to 2-D")
ax.legend(fontsize=8)
ax.margins(0.12)
fig.tight_layout()
place_labels(fig, ax, points, everything)  # plot_words's placer: labels that do not overlap
show(fig, "words")
full.show_figure("words", "the same words in the full run")

# %% [markdown]
# `plot_words(wv, words, path)` draws such a picture of any words into a PNG file
# (`method="pca"`, the default, or `"tsne"`).

# %% [markdown]
# ## 7. What the vectors encode
#
# **Analogies.** `b - a + c` lands near `d` when the difference `b - a` is a direction the
# space has learned (male to female, country to capital, present to past):

# %%
queries = [("man", "king", "woman", "queen"), ("france", "paris", "england", "london"),
           ("walk", "walked", "run", "ran"), ("good", "better", "bad", "worse")]  # fmt: skip
answers = {}
for a, b, c, d in queries:
    if all(x in wv for x in (a, b, c)):
        top = [w for w, _ in wv.most_similar(positive=[b, c], negative=[a], topn=3)]
        answers[f"{a} : {b} :: {c} : ? ({d})"] = ", ".join(top)
full.keep("analogies", answers)
for title, shown_answers in [("this run", answers), (f"the {full.label}", full["analogies"])]:
    print(f"{title} (top three; the expected answer in brackets):")
    for q, a in shown_answers.items():
        print(f"  {'✓' if q.split('(')[1][:-1] in a.split(', ') else '✗'} {q:<38} {a}")

# %% [markdown]
# On 3.6 million words some land and some do not: the full run's overall analogy
# accuracy is printed in the table above.

# %% [markdown]
# **A bias preview (topic 4.10).** The same geometry encodes how the texts use words,
# including who they describe doing which job. Take the direction `he - she` and
# project occupation words on it (cosine with the direction): positive leans towards
# *he*, negative towards *she*. Read the numbers carefully: they measure co-occurrence
# in *these* texts (many of them over a century old), not facts about people or the
# jobs; single words are noisy; and a direction made from one word pair is a crude
# instrument (4.10 uses several pairs and tests whether a difference is larger than
# chance).

# %%
direction = wv["he"] - wv["she"]
direction /= np.linalg.norm(direction)
jobs = [w for w in ["nurse", "teacher", "doctor", "engineer", "secretary", "lawyer",
                    "soldier", "farmer", "servant", "captain", "cook", "writer"] if w in wv]  # fmt: skip
lean = {w: float(wv[w] @ direction / np.linalg.norm(wv[w])) for w in jobs}
full.keep("he-she projection", lean)
stored_lean = full["he-she projection"]
order = sorted(stored_lean, key=stored_lean.get)
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.barh(order, [stored_lean[w] for w in order], color="tab:gray", label=full.label)
ax.scatter([lean.get(w, np.nan) for w in order], order, color="tab:orange", zorder=3,
           label="this run" + (" (quick mode)" if QUICK else ""))  # fmt: skip
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel("cosine with he - she  (<0: nearer 'she', >0: nearer 'he')")
ax.set_ylabel("occupation word")
ax.set_title("Projection on the he - she direction, skip-gram")
ax.legend(fontsize=8)
show(fig)
ends = sorted(stored_lean, key=stored_lean.get)
print(f"the {full.label}: nearest the 'she' end {', '.join(ends[:3])}; "
      f"nearest the 'he' end {', '.join(ends[-3:][::-1])}")  # fmt: skip

# %% [markdown]
# ## 8. One vector per word, whatever the sentence
#
# Every method here gives *bank* one vector, the same in "the bank raised its rates" and
# "the bank of the river": a mixture of its senses weighted by how often each occurs.

# %%
if "bank" in wv:
    print("bank ->", [w for w, _ in wv.most_similar("bank", topn=8)])

# %% [markdown]
# Contextual models compute a vector for each occurrence from the whole sentence, so
# the two *bank*s get different vectors. Topic 4.3 builds BERT, which does exactly that.
# Here is a first look, with the small pretrained BERT (all-MiniLM-L6-v2) that
# `nlpjourney.models.SentenceEncoder` runs: the vector its last layer gives *bank* in
# three sentences, two about money and one about a river.
#
# **Predict:** which two of the three *bank* vectors will be closest?

# %%
import torch  # noqa: E402  (only this last section needs it)

from nlpjourney.models import SentenceEncoder  # noqa: E402

encoder = SentenceEncoder.from_pretrained("all-minilm-l6-v2")
bank_sentences = [
    "the bank raised its interest rates",
    "the bank approved the loan",
    "we sat on the bank of the river",
]
bank_vectors = []
for sentence in bank_sentences:
    ids = encoder.encode(sentence)  # [CLS] pieces [SEP]
    pieces = [encoder.tokenizer.decode([i]) for i in ids]
    with torch.no_grad():
        states = encoder.model(torch.tensor([ids]))[0]  # (T, 384): one vector per piece
    bank_vectors.append(states[pieces.index("bank")].numpy())
unit_bank = [v / np.linalg.norm(v) for v in bank_vectors]
for i in range(3):
    for j in range(i + 1, 3):
        first, second = bank_sentences[i], bank_sentences[j]
        print(f"cos = {unit_bank[i] @ unit_bank[j]:.3f}   {first!r} / {second!r}")

# %% [markdown]
# The two money sentences give the closest pair: the same word gets a vector that
# follows its sense. The first layer of such a model is still a table of one vector per
# token, like the ones in this lesson; the layers above mix each token's vector with its
# neighbours'.
#
# ## Summary
#
# - Co-occurrence counts carry meaning, but frequent words swamp them; PPMI keeps what
#   is surprising, and a truncated SVD makes the vectors short and dense.
# - Skip-gram with negative sampling learns the vectors by predicting neighbours: a
#   logistic loss per (centre, context) pair and per negative, whose gradient is a few
#   lines; in a batch, a repeated word must get all of its updates (`np.add.at`).
# - GloVe fits the logarithm of the counts with a weighted least-squares loss.
# - On the same corpus and benchmarks the methods are close; the corpus size matters
#   more than the method.
# - The vectors encode analogies and the associations of their texts, biases included.
#
# **Exercise 1.5**: write `sgns_loss_and_grads` and `sgns_step` yourself in
# `exercises/1.5/exercise.py` (or your workspace), then run `journey check 1.5`.
