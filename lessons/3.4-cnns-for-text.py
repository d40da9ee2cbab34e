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
# # 3.4 CNNs for text: convolution over words
#
# A bag of words (topic 2.1) forgets the order of the words: *not good* and *good, not*
# are the same bag. A **convolutional network** reads short stretches of a sentence, a
# few words at a time, with small learned detectors called **filters**: one filter may
# learn to fire on *not good*, another on *a must see*. Then it keeps, for each filter,
# only how strongly the filter fired *anywhere* in the sentence. That is Kim's
# sentence classifier (Yoon Kim, *Convolutional Neural Networks for Sentence
# Classification*, 2014), and you build it here, piece by piece:
#
# 1. the data: 10,662 movie-review sentences, half positive, half negative, and the
#    bag-of-words baselines of topic 2.1 on them;
# 2. one filter sliding over word vectors, written as a loop;
# 3. the same convolution as **windows → unfold → one matrix product**, checked equal to
#    `torch.nn.Conv1d` and to the library's `conv1d`;
# 4. **max-over-time pooling**: a vector of the same size for a sentence of any length,
#    and what batch padding does to it;
# 5. the whole classifier, and a ladder of what each piece buys: one filter width or
#    several, dropout, random or word2vec vectors;
# 6. what the filters learned: the n-grams that make each one fire.
#
# Look for **Predict, then run** questions: answer them in your head before you run the
# next cell. Two cells are **exercises** with a check cell under each; the lesson runs on
# while they are unsolved.
#
# Set `JOURNEY_QUICK=1` for a fast run: small models, a slice of the data and short
# training. `scripts/run_lessons.py` ran this lesson in full once and stored its numbers
# and pictures in `lessons/results/3.4/`; the cells print them beside your run's, and the
# prose quotes only numbers that a cell prints.

# %%
import os
import time
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.testing import assert_close

from nlpjourney.classify import MultinomialNB
from nlpjourney.cnn import (
    Conv1d,
    KimCNN,
    KimConfig,
    KimNetwork,
    conv1d,
    max_over_time,
    top_ngrams,
    unfold1d,
)
from nlpjourney.cnn.kim import tokenize
from nlpjourney.course import check
from nlpjourney.course.cnn_diagrams import kim_cnn_figure
from nlpjourney.course.results import FullRun
from nlpjourney.data import corpora
from nlpjourney.embeddings import Word2Vec, english_sentences
from nlpjourney.features import CountVectorizer, TfidfVectorizer
from nlpjourney.ml import LogisticRegression
from nlpjourney.ml.model_selection import train_test_split

try:  # shows a bare matplotlib Figure in a notebook; a script prints instead
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("3.4")  # the stored full run of this lesson: its numbers, beside this run's
torch.manual_seed(0)
np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1. The data, and what a bag of words gets
#
# Pang and Lee's **sentence polarity** data: 5,331 positive and 5,331 negative snippets
# of movie reviews, already tokenized and lower-cased by their authors, so a sentence's
# words are its pieces between spaces. We hold out a tenth, stratified, as the test set
# and never train on it. Quick mode trains on a slice.

# %%
rows = corpora.sentence_polarity()  # [(sentence, "neg" | "pos")]
texts = np.array([text for text, _ in rows], dtype=object)
labels = np.array([int(label == "pos") for _, label in rows])  # 1 = positive
train_texts, test_texts, y_train, y_test = train_test_split(
    texts, labels, test_size=0.1, random_state=0, stratify=labels
)
if QUICK:
    train_texts, y_train = train_texts[:1000], y_train[:1000]
    test_texts, y_test = test_texts[:400], y_test[:400]
lengths_in_words = np.array([len(text.split()) for text in train_texts])
print(f"train {len(train_texts):,} sentences, test {len(test_texts):,}; "
      f"{y_train.mean():.1%} of the training sentences are positive")  # fmt: skip
print(f"words per sentence: median {np.median(lengths_in_words):.0f}, "
      f"longest {lengths_in_words.max()}")  # fmt: skip
for text, label in zip(train_texts[:4], y_train[:4], strict=True):
    print(f"  {'pos' if label else 'neg'}: {text[:95]}")

# %% [markdown]
# The baselines are topic 2.1's: multinomial naive Bayes on word and word-pair (bigram)
# counts, and logistic regression on their TF-IDF weights. A bigram such as *not good*
# is a feature of its own here, so the bag already sees some local order; the question
# for the CNN is whether learned detectors over word vectors do better than counting.

# %%
counter = CountVectorizer(ngram_range=(1, 2))
nb = MultinomialNB().fit(counter.fit_transform(train_texts), y_train)
nb_accuracy = float(np.mean(nb.predict(counter.transform(test_texts)) == y_test))
tfidf = TfidfVectorizer(ngram_range=(1, 2))
logistic = LogisticRegression(C=10.0).fit(tfidf.fit_transform(train_texts), y_train)
lr_accuracy = float(np.mean(logistic.predict(tfidf.transform(test_texts)) == y_test))
full.table({"naive Bayes, uni+bigram counts": nb_accuracy,
            "logistic regression, uni+bigram TF-IDF": lr_accuracy},
           title="Test accuracy of the bag-of-words baselines")  # fmt: skip

# %% [markdown]
# ## 2. One filter sliding over word vectors
#
# A network reads words as vectors: an **embedding** table gives each word of the
# vocabulary a row of E numbers (lesson 3.2), learned with the rest of the model. A
# sentence of T words becomes a T x E matrix, one row per word.
#
# The vocabulary is the training set's words seen at least twice; rarer words, and
# words the training set never had, share the id of `<unk>`. Id 0 is `<pad>`, the filler
# that makes the sentences of a batch equally long.

# %%
word_counts = Counter(word for text in train_texts for word in text.split())
itos = ["<pad>", "<unk>"] + sorted(w for w, n in word_counts.items() if n >= 2)
stoi = {word: i for i, word in enumerate(itos)}


def encode(text):
    return [stoi.get(word, 1) for word in text.split()]


train_ids = [encode(text) for text in train_texts]
test_ids = [encode(text) for text in test_texts]
unknown = np.mean([i == 1 for ids in test_ids for i in ids])
print(f"vocabulary: {len(itos):,} words; {unknown:.1%} of the test words are <unk>")

# %% [markdown]
# A **filter** of width k is a k x E block of weights and a bias. Put it on k consecutive
# word vectors (a **window**), multiply element by element, add everything up and add
# the bias: that is its score for that window, one number. Slide it one word along and
# score again. So a filter is an n-gram detector: its score is large where the k word
# vectors under it point the way its weights point.
#
# Here it is as a loop, on one real sentence with small random vectors (E = 4).
#
# **Predict, then run.** A sentence of T words and a filter of width k: how many scores
# does the slide give? And for a sentence shorter than the filter?

# %%
E_SMALL = 4
small_embed = torch.randn(len(itos), E_SMALL)
sentence = next(text for text in train_texts if 6 <= len(text.split()) <= 9)
words = sentence.split()
X = small_embed[torch.tensor(encode(sentence))]  # (T, E): one row per word
k = 3
weight = torch.randn(k, E_SMALL)  # one filter: k word positions x E dims
bias = torch.tensor(0.1)

scores_loop = torch.stack([(weight * X[t : t + k]).sum() + bias for t in range(len(words) - k + 1)])
print(f"{len(words)} words, width {k}: {len(scores_loop)} scores")
for t, score in enumerate(scores_loop):
    print(f"  {' '.join(words[t : t + k]):<35} {score:+.3f}")

# %% [markdown]
# T - k + 1 scores: a window may start at any of the first T - k + 1 words, and no
# later. A sentence shorter than the filter has **no** window at all. Two fixes are
# usual: pad every sentence with `<pad>` to at least the widest filter (the library's
# choice, and ours below), or pad (k - 1) zero vectors at each end so that even the first
# and last words sit in k windows ("full" padding, what Kim's own code did).
#
# ## 3. The same, as unfold and one matrix product
#
# A Python loop pays its overhead at every step, and one filter is only the start: a layer
# has a hundred filters of each width and runs over a batch of fifty sentences. Three
# steps turn the loop into one matrix product:
#
# 1. **layout**: the layers here take (B, C, T), a batch of B sentences with C channels
#    (the embedding dims) at T positions, the layout of `torch.nn.Conv1d`;
# 2. **windows**: gather each window's k positions with one index matrix, of shape
#    (k, T - k + 1): entry (j, t) is t + j, the j-th word of window t;
# 3. **unfold**: lay each window out as one column of C x k numbers, channel by channel.
#    Each filter, flattened the same way, is a row of C x k weights; all the filters
#    times all the columns is one matrix product, (F, C k) @ (B, C k, T - k + 1).


# %%
def windows(x, k):
    """x (B, C, T) -> (B, C, k, T - k + 1): the k positions of every window."""
    index = torch.arange(x.shape[2] - k + 1)[None, :] + torch.arange(k)[:, None]  # (k, T_out)
    return x[:, :, index]


def conv_by_unfold(x, weight, bias):
    """x (B, C, T), weight (F, C, k), bias (F,) -> (B, F, T - k + 1)."""
    filters, channels, k = weight.shape
    columns = windows(x, k).reshape(x.shape[0], channels * k, -1)  # (B, C k, T_out): unfold
    return weight.reshape(filters, channels * k) @ columns + bias[:, None]


x = X.T[None]  # (1, E, T): one sentence, channels first
w = weight.T[None]  # (1, E, k): our one filter as a Conv1d weight, (filters, channels, width)
assert_close(conv_by_unfold(x, w, bias[None])[0, 0], scores_loop)
layer = nn.Conv1d(E_SMALL, 1, k)
with torch.no_grad():
    layer.weight.copy_(w)
    layer.bias.fill_(0.1)
    assert_close(layer(x)[0, 0], scores_loop)
print("loop == windows, unfold and one matmul == torch.nn.Conv1d")
print("the index matrix for T = 6, k = 3:\n", torch.arange(4)[None, :] + torch.arange(3)[:, None])

# %% [markdown]
# Now at the size of a real layer: 50 sentences of 40 positions, 128-dimensional vectors, 100
# filters of width 3, against torch's `nn.Conv1d` (its own kernel) and the library's
# `nlpjourney.cnn.conv1d` (the same idea as our cell, with stride, padding and dilation
# too), on values and on the gradients of the input and the weights.

# %%
xb = torch.randn(50, 128, 40, dtype=torch.float64, requires_grad=True)
torch_layer = nn.Conv1d(128, 100, 3).double()
ours = conv_by_unfold(xb, torch_layer.weight, torch_layer.bias)
theirs = torch_layer(xb)
library = conv1d(xb, torch_layer.weight, torch_layer.bias)
assert_close(ours, theirs)
assert_close(library, theirs)
upstream = torch.randn_like(theirs)
grads = [torch.autograd.grad((out * upstream).sum(), [xb, torch_layer.weight])
         for out in (ours, theirs)]  # fmt: skip
for mine, reference in zip(grads[0], grads[1], strict=True):
    assert_close(mine, reference)
print("values and gradients: ours == nn.Conv1d == nlpjourney.cnn.conv1d")
print(
    "unfold1d's columns for stride 1 are our windows:",
    torch.equal(unfold1d(xb.detach(), 3), windows(xb.detach(), 3).reshape(50, 128 * 3, -1)),
)


# %% [markdown]
# How much does the one product buy? Time four ways of computing one layer of 100
# filters of width 3 over 50 sentences of 128-dimensional vectors, at 40 positions (a
# long sentence here) and at 400 (a paragraph): the loop over positions (each step is
# already one product over the batch and the filters), our unfold cell, the library's
# `conv1d` (the same unfold, its product laid out differently) and torch's own kernel.
# Float32, forward only, one thread, the best of a few runs.


# %%
def best_time(fn, repeats=1 if QUICK else 5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


threads = torch.get_num_threads()
torch.set_num_threads(1)
wf, bf = torch_layer.weight.detach().float(), torch_layer.bias.detach().float()
timings = {}
with torch.no_grad():
    for positions in (40, 400):
        xf = torch.randn(50, 128, positions)
        ways = {
            "loop over positions": lambda xf=xf: torch.stack(
                [torch.einsum("bck,fck->bf", xf[:, :, t : t + 3], wf) + bf
                 for t in range(xf.shape[2] - 2)], dim=2),
            "our windows + unfold + matmul": lambda xf=xf: conv_by_unfold(xf, wf, bf),
            "nlpjourney.cnn.conv1d": lambda xf=xf: conv1d(xf, wf, bf),
            "torch.nn.functional.conv1d": lambda xf=xf: F.conv1d(xf, wf, bf),
        }  # fmt: skip
        for name, way in ways.items():
            timings[f"{name}, T = {positions} (ms)"] = 1000 * best_time(way)
torch.set_num_threads(threads)
full.table(timings, title="One layer of 100 filters of width 3 on 50 sentences, milliseconds")

# %% [markdown]
# Two costs compete here. The loop pays Python's overhead once per position; the unfold
# pays it once per layer but copies every word k times (each word sits in k windows), and
# at 400 positions that copy is a lot of memory to move. The library's `conv1d` does the
# same unfold with the product laid out so that its large operand is read in order, and
# torch's kernel never builds the copy at all. These are wall-clock times on whatever
# machine ran the lesson, on one thread and perhaps beside other work: compare the rows
# of one column, and expect the order of close rows to change from run to run.
#
# ### Exercise 1: a filter that detects *not good*
#
# A filter's score is a dot product between its weights and the window, and a dot
# product of vectors of fixed length is largest when they point the same way. Below,
# every word vector has length 1. Write `not_good_filter(vectors)`: the weight (1, E, 2)
# and bias of a width-2 filter whose highest score, in any sentence, is on the words
# *not good*.

# %%
unit_embed = F.normalize(torch.randn(len(itos), 16), dim=1)  # every word vector has length 1


def not_good_filter(vectors):
    """vectors (V, E) -> (weight (1, E, 2), bias (1,)): a filter that fires most on 'not good'."""
    weight = torch.zeros(1, vectors.shape[1], 2)  # your code
    return weight, torch.zeros(1)


# %%
with_not_good = [text for text in texts if " not good " in f" {text} "]  # from all sentences
fired = []
weight_ng, bias_ng = not_good_filter(unit_embed)
for text in with_not_good:
    scores = conv_by_unfold(unit_embed[torch.tensor(encode(text))].T[None], weight_ng, bias_ng)
    best = int(scores[0, 0].argmax())
    fired.append(text.split()[best : best + 2] == ["not", "good"] and scores.max() > scores.min())
check(f"the filter's best window is 'not good', in all {len(with_not_good)} sentences that "
      "have it", all(fired),
      hint="which window has the largest dot product with a given vector of the same length? "
           "Place the two words' vectors in the filter, one per window position, channels "
           "first")  # fmt: skip

# %% [markdown]
# ## 4. Max over time: one vector for any length
#
# A filter gives T - k + 1 scores, so a longer sentence gives more. The classifier on top
# needs a vector of one fixed size. **Max-over-time pooling** keeps, for each filter,
# only its largest score in the sentence: *did this detector fire anywhere, and how
# strongly?* With F filters, every sentence, of 3 words or of 50, becomes F numbers.
# Where in the sentence the detector fired is thrown away on purpose: *a must see*
# means the same at the start or at the end.
#
# Kim's network puts a ReLU after the convolution (negative scores become 0), then takes
# the maximum. In a batch, shorter sentences are padded with `<pad>` up to the longest.
#
# **Predict, then run.** A short sentence is scored alone, then in a batch beside a much
# longer one (so it gets many `<pad>` positions, whose vector is all zeros). With 100
# filters of width 3 and a plain maximum over all positions, padding included: how many
# of its 100 pooled values change? None, a few, or most?

# %%
dim, n_filters = 64, 100
embed = nn.Embedding(len(itos), dim, padding_idx=0)  # <pad> is the zero vector
conv3 = nn.Conv1d(dim, n_filters, 3)
short = [text for text in test_texts if 5 <= len(text.split()) <= 7][0]
longest = max(test_texts, key=lambda text: len(text.split()))
ids_alone = torch.tensor([encode(short)])
padded = torch.zeros(2, len(longest.split()), dtype=torch.long)
padded[0, : ids_alone.shape[1]] = ids_alone[0]
padded[1] = torch.tensor(encode(longest))
with torch.no_grad():
    alone = torch.relu(conv3(embed(ids_alone).transpose(1, 2))).max(dim=2).values[0]
    batched = torch.relu(conv3(embed(padded).transpose(1, 2))).max(dim=2).values[0]
changed = int((alone != batched).sum())
full.table({"pooled values that change when padded (of 100)": changed},
           title=f"'{short}' ({len(short.split())} words) alone, and padded to "
                 f"{len(longest.split())} positions")  # fmt: skip

# %% [markdown]
# In the full run, most of them (the table's last column), and the count depends on the
# batch. A window of `<pad>` vectors scores just the filter's bias, and a window across
# the sentence's end scores part of a real window; after the ReLU such a score beats
# every real score of a filter whose real scores are lower (a filter that finds nothing
# in this sentence). So the
# sentence's vector depends on which other sentences share its batch: a model trained
# that way also learns from the padding, and predicts differently in batches of other
# lengths.
#
# The fix is to tell the pooling each sentence's length: after a convolution of width k
# (no padding), a sentence of n words has n - k + 1 real scores; every position after
# those must lose, which a score of minus infinity does. The library's `max_over_time`
# takes those lengths; here it is checked against our masked maximum, and the short
# sentence gets its own vector back.


# %%
def masked_max(h, lengths):
    """h (B, F, T_out), lengths (B,) real positions -> (B, F), padding never wins."""
    past_end = torch.arange(h.shape[2])[None, :] >= lengths[:, None]  # (B, T_out)
    return h.masked_fill(past_end[:, None, :], float("-inf")).max(dim=2).values


with torch.no_grad():
    h = torch.relu(conv3(embed(padded).transpose(1, 2)))
    real = torch.tensor([ids_alone.shape[1], padded.shape[1]]) - 3 + 1
    assert_close(masked_max(h, real), max_over_time(h, real))
    assert_close(max_over_time(h, real)[0], alone)
print("masked max == nlpjourney.cnn.max_over_time, and the short sentence's vector is "
      "the one it has alone")  # fmt: skip

# %% [markdown]
# The other common pooling is the **mean** over time (with the same mask): it keeps how
# much of the sentence the detector liked rather than its single best place. Kim used
# the maximum, and so do we; trying the mean is a one-line change to the module below,
# if you want to see what it does on this data.
#
# ## 5. The classifier, and what each piece buys
#
# Kim's network, in the order the picture draws it: embed the words; for each filter
# width, a convolution, a ReLU and max-over-time pooling; the pooled values of all the
# filters side by side; dropout; a linear layer to the two classes.

# %%
display(kim_cnn_figure(short.split()[:8], widths=(3, 4, 5), filters_per_width=2))

# %% [markdown]
# Here it is as a module, built from the pieces above: the library's `Conv1d` for the
# convolutions (the unfold and matmul of section 3, with `torch.nn.Conv1d`'s parameter
# names) and `max_over_time` with each sentence's number of real windows. A sentence
# shorter than a filter is read with its padding: every batch is padded to at least the
# widest filter, and each sentence keeps at least its first window.


# %%
class SentenceCNN(nn.Module):
    """Word vectors -> a convolution per width -> ReLU -> max over time -> dropout -> linear."""

    def __init__(self, vocab_size, dim, widths=(3, 4, 5), filters=100, dropout=0.5):
        super().__init__()
        self.widths = tuple(widths)
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.convs = nn.ModuleList(Conv1d(dim, filters, width) for width in self.widths)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(filters * len(self.widths), 2)

    def forward(self, ids, lengths):
        """ids (B, T), lengths (B,) -> logits (B, 2)."""
        x = self.embedding(ids).transpose(1, 2)  # (B, E, T): the embedding dims are channels
        pooled = []
        for width, conv in zip(self.widths, self.convs, strict=True):
            h = torch.relu(conv(x))  # (B, filters, T - width + 1)
            real = (lengths - width + 1).clamp(min=1)  # each sentence's real windows
            pooled.append(max_over_time(h, real))
        return self.out(self.dropout(torch.cat(pooled, dim=1)))  # (B, filters x widths) -> (B, 2)


def make_batch(id_lists, min_length):
    """Pad id lists with <pad> (0) to the longest, and at least min_length: (ids, lengths)."""
    lengths = torch.tensor([max(len(ids), 1) for ids in id_lists])
    batch = torch.zeros(len(id_lists), max(int(lengths.max()), min_length), dtype=torch.long)
    for row, ids in enumerate(id_lists):
        batch[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
    return batch, lengths


mine = SentenceCNN(len(itos), 32, filters=20).eval()
ids, lengths = make_batch(test_ids[:64], 5)
library = KimNetwork(len(itos), 32, (3, 4, 5), 20, classes=2, dropout=0.5).eval()
library.load_state_dict(mine.state_dict())  # the same parameter names, so the same weights
with torch.no_grad():
    assert_close(mine(ids, lengths), library(ids, lengths))
print("our SentenceCNN == nlpjourney.cnn.KimNetwork on 64 test sentences;",
      f"{sum(p.numel() for p in mine.parameters()):,} parameters at this small size")  # fmt: skip

# %% [markdown]
# From here on the library's `KimCNN` trains it: an estimator in the style of topic 2.1's
# models (`fit(texts, labels)`, `predict`, `score`) around that same network. It holds
# out a tenth of the *training* sentences, trains with Adam on mini-batches of 50 for at
# most a fixed number of epochs, and keeps the epoch that scores best on the held-out
# tenth (early stopping), so the test set is never used to choose anything. It also
# keeps Kim's max-norm limit on the output weights.
#
# **Predict, then run.** The first rung: one filter width (3 words), no dropout, random
# word vectors learned from these ten thousand sentences alone. Will it beat naive Bayes
# on word and bigram counts?

# %%
DIM = 32 if QUICK else 64  # small, so that the full run takes minutes on a laptop CPU
FILTERS = 16 if QUICK else 64  # per width
EPOCHS = 1 if QUICK else 6
ladder, histories, fitted = {}, {}, {}


def climb(rung, vectors=None, **options):
    """Train one rung's KimCNN (the same seed for every rung); record its test accuracy."""
    settings = {"embedding_dim": DIM, "filters": FILTERS, "epochs": EPOCHS, "seed": 0, **options}
    config = KimConfig(**settings)
    start = time.perf_counter()
    model = KimCNN(config, vectors=vectors).fit(list(train_texts), y_train)
    ladder[rung] = model.score(list(test_texts), y_test)
    histories[rung] = [record["score"] for record in model.history_]
    fitted[rung] = model
    print(f"{rung}: test accuracy {ladder[rung]:.4f} (epoch {model.best_epoch_} kept, "
          f"{time.perf_counter() - start:.0f} s)")  # fmt: skip


climb("1. one width (3), no dropout", widths=(3,), filters=3 * FILTERS, dropout=0.0)
full.table({"CNN, one width (3), no dropout": ladder["1. one width (3), no dropout"],
            "naive Bayes": nb_accuracy}, title="Test accuracy")  # fmt: skip

# %% [markdown]
# The full run's column answers the question. A CNN with random vectors has to learn
# what every word means from about nine thousand short sentences, in most of which a
# given word occurs a handful of times at best, while naive Bayes only counts; on data
# this small that is a strong opponent. What helps the CNN? Climb the ladder, one change
# at a time, with the same number of filters each time (so the model does not simply
# grow):
#
# 2. three widths (3, 4 and 5 words) instead of three times as many filters of width 3;
# 3. dropout 0.5 on the sentence vector (in training, each value is zeroed with
#    probability one half, so the classifier cannot lean on a few filters): this is
#    Kim's CNN-rand;
# 4. word vectors from word2vec (topic 1.5) instead of random ones to start from, then
#    fine-tuned with the rest (Kim's CNN-non-static).
#
# **Predict, then run.** Which of the three changes will buy the most?

# %%
climb("2. widths 3, 4, 5", widths=(3, 4, 5), dropout=0.0)
climb("3. + dropout 0.5", widths=(3, 4, 5), dropout=0.5)

# %% [markdown]
# For rung 4 we need word vectors. Topic 1.5's `Word2Vec` (skip-gram with negative
# sampling) trains them here on the registry's movie reviews (the 2,000 long reviews, a
# different collection from these sentences, in the same domain) plus our training
# sentences, never the test ones. Words it has no vector for start random.

# %%
w2v_sentences = [text.split() for text in train_texts]
if not QUICK:
    w2v_sentences += list(english_sentences("movie_reviews"))
start = time.perf_counter()
w2v = Word2Vec(vector_size=DIM, window=5, min_count=2, sg=1, epochs=1 if QUICK else 2,
               workers=2, seed=1).fit(w2v_sentences)  # fmt: skip
covered = np.mean([word in w2v.wv for word in itos[2:]])
print(f"word2vec: {len(w2v_sentences):,} sentences in {time.perf_counter() - start:.0f} s; "
      f"{covered:.1%} of our vocabulary has a vector")  # fmt: skip
for word in ("good", "boring"):
    if word in w2v.wv:
        print(f"  {word} ->", [w for w, _ in w2v.wv.most_similar(word, topn=5)])

climb("4. + word2vec vectors", vectors=w2v.wv, widths=(3, 4, 5), dropout=0.5)

# %%
full.table({**ladder, "naive Bayes": nb_accuracy, "logistic regression": lr_accuracy},
           title="The ladder: test accuracy of each rung, beside the bag-of-words baselines")  # fmt: skip
full.keep("held-out curves", histories)

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
colours = plt.cm.viridis(np.linspace(0, 0.85, len(ladder)))
for (rung, curve), colour in zip(histories.items(), colours, strict=True):
    left.plot(range(1, len(curve) + 1), curve, marker="o", color=colour, label=rung)
left.set_xticks(range(1, max(map(len, histories.values())) + 1))
left.set_xlabel("epoch")
left.set_ylabel("accuracy on the held-out tenth of train")
left.set_title("Held-out accuracy after each epoch")
left.legend(fontsize=8, loc="lower right")
names = ["naive\nBayes", "logistic\nregression"] + [f"rung {rung.split('.')[0]}" for rung in ladder]
values = [nb_accuracy, lr_accuracy, *ladder.values()]
right.bar(names, values, color=["grey", "silver", *colours])
right.set_ylim(min(values) - 0.04, max(values) + 0.02)
right.set_xlabel("model (the rungs as on the left)")
right.set_ylabel("test accuracy")
right.set_title("Test accuracy, one split")
fig.tight_layout()
full.figure(fig, "ladder")
plt.show()
full.show_figure("ladder", "the ladder, trained in full")

# %% [markdown]
# How far apart must two rungs be to differ? Each is one run at one seed, scored on one
# test set of about a thousand sentences, and an accuracy measured on n sentences wobbles
# by about its standard error, sqrt(p (1 - p) / n), from the luck of which sentences
# landed in the test set. And did the training stop too early? A rung whose held-out
# accuracy was still rising at the last epoch has not finished learning.

# %%
p_mid = float(np.mean(list(ladder.values())))
standard_error = float(np.sqrt(p_mid * (1 - p_mid) / len(y_test)))
full.table({"two standard errors of a test accuracy near the rungs'": 2 * standard_error,
            "best rung minus worst rung": max(ladder.values()) - min(ladder.values()),
            "best rung minus naive Bayes": max(ladder.values()) - nb_accuracy},
           title="How big are the differences?")  # fmt: skip
rising = {rung: len(curve) > 1 and curve[-1] > max(curve[:-1]) for rung, curve in histories.items()}
full.keep("still rising at the last epoch", rising)
for rung, fitted_model in fitted.items():
    print(f"{rung}: kept epoch {fitted_model.best_epoch_} of {len(histories[rung])}"
          f"{'; still rising at the last epoch' if rising[rung] else ''}")  # fmt: skip
if QUICK:
    print(
        f"{full.label}: still rising at the last epoch:",
        [rung for rung, up in full["still rising at the last epoch"].items() if up],
    )

# %% [markdown]
# Read the two tables together. Differences between rungs smaller than two standard
# errors are within the noise of one split: at this size the ladder cannot tell those
# rungs apart, and the fair comparison is the 10-fold cross-validation
# (`benchmarks/cnn_kim.py`, which trains the same `KimCNN` on every fold beside naive
# Bayes and logistic regression). The curves say the rest: a curve that peaks and then
# falls is a model starting to memorise its training sentences (early stopping keeps the
# peak); one still rising at the last epoch was stopped by the epoch budget, which the
# full mode keeps small so that the lesson runs in minutes. Dropout works against
# memorising by design, so its rungs tend to learn more slowly; the neighbours printed
# above show that the word2vec vectors already knew something about the words before the
# classifier saw a single label.
#
# ## 6. What the filters learned
#
# A filter is an n-gram detector, so ask each one which n-grams make it fire most. The
# output layer says what a filter is *for*: its weight towards "positive" minus its
# weight towards "negative" tells whether its firing pushes the verdict up or down.
#
# ### Exercise 2: one filter's best n-gram in a sentence
#
# Write `best_ngram(words, activations, width)`: given a sentence's words and one
# filter's activations over it (one per window, `len(words) - width + 1` of them), the
# words of the window with the highest activation, joined by spaces. On a tie, the
# first such window.


# %%
def best_ngram(words, activations, width):
    """The words (joined by spaces) of the window where the filter fires most."""
    return ""  # your code


# %%
model = fitted["3. + dropout 0.5"]
network = model.network_.cpu().eval()
sentence = test_texts[1]
words = tokenize(sentence)
ids = torch.tensor([[model.words_.index(w) if w in model.words_ else 1 for w in words]])
with torch.no_grad():
    maps = torch.relu(network.convs[1](network.embedding(ids).transpose(1, 2)))[0]  # (F, T_out)
width = network.widths[1]
got = [best_ngram(words, maps[f], width) for f in range(FILTERS)]
expected = [row.ngrams[0][0] for row in top_ngrams(model, [sentence], n=1) if row.width == width]
check(f"best_ngram of the {FILTERS} filters of width {width} on '{sentence[:50]}...'",
      got, expected,
      hint="the best window starts where the activations are largest; its words run from "
           "there for width words")  # fmt: skip

# %% [markdown]
# The library's `top_ngrams` does this over a whole corpus: for each filter, the
# distinct n-grams that excite it most. Below, the filters of the CNN-rand rung that
# push hardest towards each verdict, with their top n-grams over the test sentences.

# %%
push = (network.out.weight[1] - network.out.weight[0]).detach()  # towards "pos" (class 1)
rows = top_ngrams(model, list(test_texts), n=4)  # widths in order, filters in order
shown = {}
for direction, order in (("positive", torch.argsort(push, descending=True)),
                         ("negative", torch.argsort(push))):  # fmt: skip
    for index in order[:3].tolist():
        row = rows[index]
        grams = [gram for gram, _ in row.ngrams]
        shown[f"{direction}: width {row.width}, filter {row.filter}"] = grams
        print(f"pushes {direction:<8} width {row.width}, filter {row.filter:>3} "
              f"({push[index]:+.2f}):  " + " | ".join(grams))  # fmt: skip
full.keep("filters shown", shown)
if QUICK:
    print(f"\nthe {full.label}'s filters (the prose below describes them):")
    for name, grams in full["filters shown"].items():
        print(f"  {name}: " + " | ".join(grams))

# %% [markdown]
# Look at the lists before believing any story about them. A readable filter fires on
# n-grams that share a sentiment word or a phrase pattern, and its sign in the output
# layer agrees with that word's sentiment. Many filters are not that clean: a filter is
# one direction in the space of all its n-grams, and it can respond to several unrelated
# things at once, or to something no person would name; the classifier reads all of them
# together, through one linear layer, so no single filter has to make sense on its own.
#
# ## Summary
#
# - A 1-D convolution over word vectors slides k-word filters along the sentence; each
#   filter is an n-gram detector, its score a dot product with the window.
# - Written as windows (one index matrix), unfold (each window a column) and one matrix
#   product, it equals `torch.nn.Conv1d` in values and gradients and does all the work
#   in one large product.
# - Max-over-time pooling turns any length into one value per filter. Padding must be
#   masked out, or a sentence's vector depends on the batch it sits in.
# - On sentence polarity, the ladder's table shows what each piece buys (filter widths,
#   dropout, pretrained vectors) beside the bag-of-words baselines of topic 2.1.
#
# Next: exercise 3.4 (`journey check 3.4`) asks for the general convolution by unfold
# (stride, padding, dilation, gradients) and max-over-time pooling with lengths, graded
# against torch's `unfold`, `conv1d` and `Conv1d` on inputs drawn fresh each run.
