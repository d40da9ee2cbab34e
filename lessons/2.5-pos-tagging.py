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
# # 2.5 Part-of-speech tagging: the HMM and Viterbi by hand, then the averaged perceptron
#
# A part-of-speech tagger gives every word of a sentence its word class: noun, verb,
# determiner, preposition, and so on. *Book* is a noun in *a good book* and a verb in
# *book a flight*, so a tagger cannot look words up in a dictionary: it has to use the
# context. Tags are the first layer of structure most NLP pipelines put on text: a
# parser (lesson 2.7) and many named-entity taggers (lesson 2.6) read them.
#
# You build each piece yourself on the Penn Treebank sample (3,914 sentences of the Wall
# Street Journal, tagged by hand) and meet the library's version, checked equal:
#
# 1. tag sets (the sample's 45 Penn Treebank tags against the 17 universal ones) and
#    how ambiguous words are;
# 2. the **most-frequent-tag** baseline, on words seen in training and on new words;
# 3. the **hidden Markov model** by hand: counts, smoothing, the probability of one
#    tagging, and why trying every tagging is hopeless;
# 4. **Viterbi**, step by step on a short sentence, with a picture of its lattice;
# 5. **unknown words**: guessing their tags from their last letters;
# 6. the **averaged perceptron**: features of a word in context, the update on one
#    mistake, why averaging helps; then the library's tagger against NLTK's;
# 7. an **error analysis**: which tags get confused, and a few real mistakes.
#
# Look for **Predict, then run** questions: answer them in your head before you run the
# next cell. Two cells are **exercises** with a check cell under each; the lesson runs on
# while they are unsolved. Exercise 2.5 (`journey check 2.5`) asks you to write Viterbi
# itself, graded against NLTK's HMM decoder.
#
# Set `JOURNEY_QUICK=1` for a fast run: the hand-built perceptron and the library's
# taggers then train on fewer sentences. Every number the prose talks about is printed
# by a code cell: `scripts/run_lessons.py` ran this lesson in full once and stored its
# numbers in `lessons/results/2.5/`, and the cells print them beside your run's.

# %%
import itertools
import math
import os
import random
import time
from collections import Counter, defaultdict

import numpy as np
from matplotlib.figure import Figure
from nltk.tag.perceptron import PerceptronTagger as NLTKPerceptron

from nlpjourney.course import check
from nlpjourney.course.results import FullRun
from nlpjourney.course.tagging_diagrams import viterbi_lattice
from nlpjourney.data import corpora
from nlpjourney.parsing.conllu import ud_english
from nlpjourney.tagging import HMMTagger, PerceptronTagger, viterbi

try:  # shows a bare matplotlib Figure in a notebook; a script prints instead
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("2.5")  # the stored full run of this lesson: its numbers, beside this run's
np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1. Tag sets and ambiguity
#
# The Penn Treebank sample comes from NLTK's data. Its annotators also marked *traces*,
# empty elements of the syntactic theory they used (tagged `-NONE-`, with forms such as
# `*-1` or `0`). They are not words anyone wrote, so we drop them. The first 3,000
# sentences are our training set and the remaining 914 our test set (a fixed split, so
# every number here can be reproduced, and the same one the library's tests use).

# %%
treebank = [
    [(word, tag) for word, tag in sentence if tag != "-NONE-"]
    for sentence in corpora.treebank_tagged_sents()
]
train, test = treebank[:3000], treebank[3000:]
train_tokens = [pair for sentence in train for pair in sentence]
test_tokens = [pair for sentence in test for pair in sentence]
penn_counts = Counter(tag for _, tag in train_tokens)
print(f"{len(train):,} training sentences ({len(train_tokens):,} tokens), "
      f"{len(test):,} test sentences ({len(test_tokens):,} tokens)")  # fmt: skip
print(f"{len(penn_counts)} Penn Treebank tags; the most frequent:")
for tag, count in penn_counts.most_common(12):
    print(f"  {tag:<5} {count:>6,}")
print("a sentence:", " ".join(f"{w}/{t}" for w, t in train[1]))

# %% [markdown]
# Penn's tags are fine-grained: a noun is `NN` (singular), `NNS` (plural), `NNP` (proper,
# singular) or `NNPS`; a verb is `VB`, `VBD` (past), `VBG` (-ing), `VBN` (past
# participle), `VBP` or `VBZ` (present). Each punctuation mark has its own tag. The
# **Universal Dependencies** project uses one small set for every language: 17 **UPOS**
# tags (`NOUN`, `VERB`, `AUX`, `ADJ`, `ADP`, `DET`, `PRON`, `PROPN`, `PUNCT`, ...). Its
# English LinES treebank (software manuals and novels, tagged with UPOS) is our second
# corpus; lesson 2.7 parses it.

# %%
lines_train, lines_test = ud_english("lines", "train"), ud_english("lines", "test")
upos_counts = Counter(tag for sentence in lines_train for tag in sentence.upos)
print(f"UD English LinES: {len(lines_train):,} training sentences, {len(lines_test):,} test "
      f"sentences, {len(upos_counts)} UPOS tags:")  # fmt: skip
print("  " + ", ".join(f"{tag} {count:,}" for tag, count in upos_counts.most_common()))
example = next(s for s in lines_train if len(s.forms) >= 10)
print("a sentence:", " ".join(f"{w}/{t}" for w, t in zip(example.forms, example.upos, strict=True)))

# %% [markdown]
# **Predict, then run.** Count, in the Penn training set, the word types (distinct words)
# seen with more than one tag. Most types are seen only once or twice, and those cannot
# show two tags. What share of the *types* do you expect to be ambiguous, and what share
# of the *tokens* (running words) belong to an ambiguous type: more, or fewer?

# %%
tags_of = defaultdict(Counter)  # word -> Counter of its tags in training
for word, tag in train_tokens:
    tags_of[word][tag] += 1
ambiguous = {word for word, counts in tags_of.items() if len(counts) > 1}
type_share = len(ambiguous) / len(tags_of)
token_share = sum(word in ambiguous for word, _ in train_tokens) / len(train_tokens)
full.table({"word types": len(tags_of), "ambiguous types, share": type_share,
            "tokens of an ambiguous type, share": token_share},
           title="Ambiguity in the Penn training set")  # fmt: skip
frequent = sorted(ambiguous, key=lambda w: -sum(tags_of[w].values()))[:8]
for word in frequent:
    print(f"  {word!r:>8}: {dict(tags_of[word].most_common(4))}")

# %% [markdown]
# A small share of the types is ambiguous, but they are the frequent words (*that*, *to*,
# *in*, *'s*), so a much larger share of the tokens is. Those are the words a tagger
# has to decide from context.
#
# ## 2. The most-frequent-tag baseline
#
# The simplest tagger gives each word the tag it had most often in training, and a word
# it never saw the most frequent tag of all (`NN`). We measure accuracy (the share of
# test tokens tagged right) separately on **known** words (seen in training) and
# **unknown** ones.

# %%
most_frequent = {word: counts.most_common(1)[0][0] for word, counts in tags_of.items()}
default_tag = penn_counts.most_common(1)[0][0]


def accuracy_by_known(predicted_sentences, gold_sentences, known):
    """Accuracy on all, known and unknown test tokens (lists of tags, lists of (word, tag))."""
    right, total = Counter(), Counter()
    for predicted, gold in zip(predicted_sentences, gold_sentences, strict=True):
        for guess, (word, tag) in zip(predicted, gold, strict=True):
            kind = "known" if word in known else "unknown"
            for key in ("all", kind):
                total[key] += 1
                right[key] += guess == tag
    return {key: right[key] / total[key] for key in ("all", "known", "unknown")}


baseline = [[most_frequent.get(w, default_tag) for w, _ in sentence] for sentence in test]
baseline_accuracy = accuracy_by_known(baseline, test, tags_of)
unknown_share = sum(w not in tags_of for w, _ in test_tokens) / len(test_tokens)
full.table({"test tokens never seen in training": unknown_share,
            **{f"baseline accuracy, {k}": v for k, v in baseline_accuracy.items()}},
           title="Most-frequent-tag baseline on the Penn test set")  # fmt: skip

# %% [markdown]
# Known words are easy even for this baseline. Unknown words are few but hard: most of
# them are names, numbers and rare nouns, adjectives and verbs, and one default tag
# cannot cover them. The rest of the lesson improves both, with context.
#
# ## 3. The hidden Markov model by hand
#
# A **hidden Markov model** (HMM) tells a story of how a tagged sentence was made: pick
# the first tag, then each next tag depending only on the tag before it (a *transition*),
# and at each position write a word depending only on its tag (an *emission*). The tags
# are *hidden*: we see only the words. Its probability of a sentence `w` with tags `y` is
#
# $$P(w, y) = P(y_1) \prod_{t=2}^{n} P(y_t \mid y_{t-1}) \prod_{t=1}^{n} P(w_t \mid y_t).$$
#
# Supervised training is counting: the probabilities that make the training data most
# likely are the relative frequencies. We number the tags and the words and count with
# `np.add.at`, which adds once per occurrence when an index repeats (`counts[indices] += 1`
# adds only once per distinct index).

# %%
TAGS = sorted(penn_counts)
K = len(TAGS)
tag_id = {tag: i for i, tag in enumerate(TAGS)}
VOCAB = sorted(tags_of)
word_id = {word: i for i, word in enumerate(VOCAB)}
UNK = len(VOCAB)  # one extra column for every word not seen in training

start_counts = np.zeros(K)
transition_counts = np.zeros((K, K))
emission_counts = np.zeros((K, len(VOCAB) + 1))
for sentence in train:
    t = np.array([tag_id[tag] for _, tag in sentence])
    w = np.array([word_id[word] for word, _ in sentence])
    start_counts[t[0]] += 1
    np.add.at(transition_counts, (t[:-1], t[1:]), 1)
    np.add.at(emission_counts, (t, w), 1)
i, j = tag_id["DT"], tag_id["NN"]
print(f"DT followed by NN {transition_counts[i, j]:.0f} times out of "
      f"{transition_counts[i].sum():.0f} DTs that have a next tag")  # fmt: skip
print(f"NN wrote 'market' {emission_counts[j, word_id['market']]:.0f} times out of "
      f"{emission_counts[j].sum():.0f} NNs")  # fmt: skip

# %% [markdown]
# Dividing by the row sums gives the maximum-likelihood estimates, with a problem: a pair
# never seen in training gets probability 0, and one zero makes the whole product 0. An
# unseen pair is usually rare, not impossible (3,000 sentences do not show every way
# English goes on). **Additive smoothing** adds a small `alpha` to every count before
# dividing, so every event keeps a little probability. We work with **logarithms** of
# probabilities: a product of 25 probabilities near 0.01 is about 1e-50, close to the
# smallest number a float64 holds, and sums of logs never underflow.

# %%
ALPHA = 0.1


def smoothed_log(counts, alpha=ALPHA):
    """log of (counts + alpha) / row total, row by row (the last axis sums to 1)."""
    counts = counts + alpha
    return np.log(counts / counts.sum(axis=-1, keepdims=True))


log_start = smoothed_log(start_counts)
log_transition = smoothed_log(transition_counts)
log_emission = smoothed_log(emission_counts)
print(f"P(NN | DT) = {math.exp(log_transition[i, j]):.3f}, "
      f"P(VBD | DT) = {math.exp(log_transition[i, tag_id['VBD']]):.4f} "
      f"(seen {transition_counts[i, tag_id['VBD']]:.0f} times)")  # fmt: skip
print(f"every row sums to 1: {np.allclose(np.exp(log_transition).sum(axis=1), 1)}, "
      f"{np.allclose(np.exp(log_emission).sum(axis=1), 1)}")  # fmt: skip

# %% [markdown]
# ### Exercise 1: the probability of one tagging
#
# Write `log_joint(words, tags)`: the log of $P(w, y)$ above for one tagged sentence,
# with `log_start`, `log_transition` and `log_emission` (a word missing from `word_id`
# uses column `UNK`). Add one term at a time, for the first tag, each transition and
# each word.


# %%
def log_joint(words, tags):
    """log P(words, tags) under the smoothed HMM: start + transitions + emissions."""
    return 0.0  # your code


# %%
sentence = test[0]
words, tags = [w for w, _ in sentence], [t for _, t in sentence]
y = np.array([tag_id[tag] for tag in tags])
x = np.array([word_id.get(word, UNK) for word in words])
expected = float(log_start[y[0]] + log_transition[y[:-1], y[1:]].sum() + log_emission[y, x].sum())
check("log_joint of the first test sentence with its gold tags", log_joint(words, tags),
      expected, hint="start with log_start of the first tag; then, for every word after the "
      "first, add log_transition[previous tag, this tag]; for every word, add log_emission"
      "[its tag, its word's column]")  # fmt: skip

# %% [markdown]
# To tag a sentence, the HMM wants the tags `y` with the largest $P(w, y)$. The obvious
# way is to score every possible tagging.
#
# **Predict, then run.** The first test sentence has about two dozen words and there are 45
# tags. How many taggings would you score, and how long would that take at a billion a
# second?

# %%
n = len(words)
taggings = K**n
print(f"{n} words, {K} tags: {taggings:.3e} taggings; at 1e9 a second that is "
      f"{taggings / 1e9 / 3600 / 24 / 365:.2e} years")  # fmt: skip
print(f"Viterbi (next section) does about n * K * K = {n * K * K:,} additions")

# %% [markdown]
# ## 4. Viterbi, step by step
#
# The trick: the best tagging that puts tag `j` at word `t` must reach it through the best
# tagging of the words before that ends in *some* tag `i`. So we keep a table
# `best[t, j]`, the score of the best path ending in tag `j` at word `t`, and fill it
# from left to right:
#
# $$\text{best}[0, j] = \text{start}[j] + \text{emission}[0, j], \qquad
# \text{best}[t, j] = \max_i \big(\text{best}[t-1, i] + \text{transition}[i, j]\big)
# + \text{emission}[t, j].$$
#
# Beside it, `back[t, j]` remembers *which* `i` won. At the end, the best last tag is the
# largest `best[n-1, j]`, and the back-pointers lead from it to the first word. We follow
# it on a short sentence, keeping only the tags its words were seen with, so the table
# fits on the screen.

# %%
short = next(s for s in train if len(s) == 6 and sum(w in ambiguous for w, _ in s) >= 3)
short_words = [w for w, _ in short]
candidates = sorted({tag for w in short_words for tag in tags_of[w]}, key=tag_id.get)[:8]
rows = np.array([tag_id[tag] for tag in candidates])
columns = np.array([word_id[w] for w in short_words])
emissions = log_emission[rows][:, columns].T  # (n, k): the score of each tag at each word
transitions = log_transition[np.ix_(rows, rows)]  # (k, k)
start = log_start[rows]
print("sentence:", " ".join(short_words))
print("candidate tags:", candidates)
print("emissions, log P(word | tag), a row per word:")
print(emissions)

# %% [markdown]
# The first column of the lattice needs no choice: the start score plus the emission.

# %%
best = np.full(emissions.shape, -np.inf)
back = np.zeros(emissions.shape, dtype=np.int64)
best[0] = start + emissions[0]
print({tag: round(float(score), 2) for tag, score in zip(candidates, best[0], strict=True)})

# %% [markdown]
# For the second word, every tag `j` looks at every tag `i` of the first word: the
# `(k, k)` table `best[0][:, None] + transitions` holds all those sums at once
# (broadcasting: row `i` is where we come from, column `j` where we go). Its maximum down
# each column is the best way into `j`, and its argmax the back-pointer.

# %%
into = best[0][:, None] + transitions  # into[i, j]: come from tag i, go to tag j
back[1] = into.argmax(axis=0)
best[1] = into.max(axis=0) + emissions[1]
for j, tag in enumerate(candidates):
    print(f"  best into {tag:<4} from {candidates[back[1, j]]:<4} score {best[1, j]:.2f}")

# %% [markdown]
# The same step, for every word after, then the path read back from the best last cell.

# %%
for t in range(2, len(short_words)):
    into = best[t - 1][:, None] + transitions
    back[t] = into.argmax(axis=0)
    best[t] = into.max(axis=0) + emissions[t]
path = [int(best[-1].argmax())]
for t in range(len(short_words) - 1, 0, -1):
    path.append(int(back[t, path[-1]]))
path = path[::-1]
print("Viterbi:", " ".join(f"{w}/{candidates[j]}" for w, j in zip(short_words, path, strict=True)))
print("gold:   ", " ".join(f"{w}/{t}" for w, t in short))
print(f"the first word's best tag on its own: {candidates[int(best[0].argmax())]}; "
      f"on the best path: {candidates[path[0]]}")  # fmt: skip
display(viterbi_lattice(short_words, candidates, best, back, path,
                        title="Viterbi on a training sentence (scores: natural logs)"))  # fmt: skip

# %% [markdown]
# Every cell keeps exactly one incoming arrow: the best way into it. Many arrows lead
# nowhere in the end; only the path from the best last cell is the answer. Note that the
# best tag of a word can change when later words arrive: the lattice decides a word's tag
# only at the end.
#
# ### Exercise 2: Viterbi is exact
#
# With 8 candidate tags and 6 words there are 8^6 = 262,144 taggings: few enough to try
# them all. Write `brute_force_best()`: score every path through this small lattice (use
# `itertools.product(range(k), repeat=n)`, `start`, `emissions` and `transitions` above)
# and return the best path as a list of tag indices.


# %%
def brute_force_best():
    """The highest-scoring path of the small lattice, found by trying every path."""
    return []  # your code


# %%
check("brute force finds Viterbi's path", brute_force_best(), path,
      hint="for each path, add start of its first tag, the emissions of each (word, tag), "
      "and the transitions between neighbouring tags; keep the path with the largest "
      "total")  # fmt: skip


# %% [markdown]
# Now the whole of it as one function over all 45 tags, and the library's
# `nlpjourney.tagging.viterbi` beside it, checked equal: same paths and scores on random
# score tables and on the HMM's tables for real sentences. The library's version also
# takes `end` scores (for the last tag) and checks its arguments; exercise 2.5 asks you
# to write it.


# %%
def my_viterbi(emissions, transitions, start):
    """Best path and score: the table of best scores, back-pointers, then the way back."""
    n, k = emissions.shape
    best = np.empty((n, k))
    back = np.zeros((n, k), dtype=np.int64)
    best[0] = start + emissions[0]
    for t in range(1, n):
        into = best[t - 1][:, None] + transitions
        back[t] = into.argmax(axis=0)
        best[t] = into.max(axis=0) + emissions[t]
    path = [int(best[-1].argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return np.array(path[::-1]), float(best[-1].max())


def hmm_emissions(words, log_emission):
    """The (n, K) table of log P(word | tag); unknown words use column UNK."""
    return log_emission[:, [word_id.get(w, UNK) for w in words]].T


rng = np.random.default_rng(0)
for _ in range(200):
    n_, k_ = rng.integers(1, 12), rng.integers(1, 9)
    e, tr, s = rng.normal(size=(n_, k_)), rng.normal(size=(k_, k_)), rng.normal(size=k_)
    mine, ours = my_viterbi(e, tr, s), viterbi(e, tr, start=s)
    assert np.array_equal(mine[0], ours[0]) and math.isclose(mine[1], ours[1])
for sentence in test[:100]:
    e = hmm_emissions([w for w, _ in sentence], log_emission)
    assert np.array_equal(my_viterbi(e, log_transition, log_start)[0],
                          viterbi(e, log_transition, start=log_start)[0])  # fmt: skip
print("my_viterbi equals nlpjourney.tagging.viterbi on 200 random tables and 100 sentences")

# %% [markdown]
# Tagging the test set with our HMM: one Viterbi call per sentence.


# %%
def hmm_tag(sentences, log_emission):
    """Tag each sentence (a list of (word, tag)) with the HMM; returns lists of tags."""
    tagged = []
    for sentence in sentences:
        e = hmm_emissions([w for w, _ in sentence], log_emission)
        path, _ = viterbi(e, log_transition, start=log_start)
        tagged.append([TAGS[j] for j in path])
    return tagged


started = time.perf_counter()
hmm_accuracy = accuracy_by_known(hmm_tag(test, log_emission), test, tags_of)
seconds = time.perf_counter() - started
full.table({**{f"baseline, {k}": v for k, v in baseline_accuracy.items()},
            **{f"HMM, {k}": v for k, v in hmm_accuracy.items()}},
           title="HMM against the baseline, Penn test set")  # fmt: skip
print(f"({len(test_tokens) / seconds:,.0f} words a second)")

# %% [markdown]
# The HMM beats the baseline on known words: the transitions settle most of the
# ambiguous ones. On unknown words it beats the baseline's plain `NN` too, from context
# alone, but it still gets most of them wrong. An unknown word gets, under each tag, only
# the smoothing's share, `alpha / (count(tag) + alpha * V)`, which is largest for the
# *rarest* tags: the model has no idea what an unknown word looks like, so only the
# neighbouring tags speak for it.
#
# ## 5. Unknown words: the last letters
#
# A new word still shows its ending: *-ing* words are mostly `VBG`, *-ly* `RB`, *-ed*
# `VBD` or `VBN`, capitalised ones `NNP`, words with digits `CD`. Brants' TnT tagger
# estimates, from the **rare** words of training (seen once: the best stand-in for words
# never seen), the tag distribution of each ending, `P(tag | suffix)`. The HMM needs
# `P(word | tag)`; Bayes' rule turns one into the other up to a factor that is the same
# for every tag (so Viterbi's choice does not change):
# `P(word | tag) ∝ P(tag | suffix) / P(tag)`.
#
# **Predict, then run.** Unknown words are a small share of the test tokens. How much of
# the overall accuracy can a better guess for them buy at most?

# %%
SUFFIX = 3
rare = [(w, t) for w, t in train_tokens if sum(tags_of[w].values()) == 1]


def shape_key(word, length):
    """What a rare word looks like: capitalised?, has a digit?, its last `length` letters."""
    return (word[:1].isupper(), any(c.isdigit() for c in word), word[-length:].lower())


suffix_counts = defaultdict(Counter)  # key -> Counter of tags, for every suffix length
for word, tag in rare:
    for length in range(SUFFIX + 1):
        suffix_counts[shape_key(word, length)][tag] += 1
rare_tags = Counter(tag for _, tag in rare)
rare_prior = np.array([rare_tags[t] for t in TAGS], dtype=np.float64)
tag_prior = np.array([penn_counts[t] for t in TAGS]) / len(train_tokens)


def unknown_log_emission(word):
    """log P(word | tag) up to a constant, for a word unseen in training (one per tag)."""
    p = (rare_prior + 0.01) / (rare_prior + 0.01).sum()  # tags of rare words, smoothed
    for length in range(1, SUFFIX + 1):  # each longer suffix refines the shorter one's guess
        counts = suffix_counts.get(shape_key(word, length))
        if counts is None:
            break
        seen = np.array([counts[t] for t in TAGS], dtype=np.float64)
        p = (seen + 2.0 * p) / (seen.sum() + 2.0)
    return np.log(p) - np.log(tag_prior) + log_emission[:, UNK].max()


print(f"{len(rare):,} rare training tokens")
for word in ("reorganizing", "cheaply", "Kowalski", "1,350", "overpriced"):
    top = np.argsort(-unknown_log_emission(word))[:3]
    print(f"  {word!r:>15}: most likely tags {[TAGS[j] for j in top]}")

# %% [markdown]
# The `+ 2.0 * p` line backs off: a long suffix seen only a few times among rare words
# keeps most of the shorter suffix's distribution, and a suffix seen often gets its own.
# The last term, a constant, puts these scores on the scale of the known words' log
# probabilities (Viterbi compares them within one sentence). Now the HMM with this
# emission model for words it has not seen:


# %%
def hmm_tag_suffix(sentences):
    """The HMM, with the suffix model's emissions for unknown words."""
    tagged = []
    for sentence in sentences:
        words = [w for w, _ in sentence]
        e = hmm_emissions(words, log_emission)
        for t, word in enumerate(words):
            if word not in word_id:
                e[t] = unknown_log_emission(word)
        path, _ = viterbi(e, log_transition, start=log_start)
        tagged.append([TAGS[j] for j in path])
    return tagged


suffix_accuracy = accuracy_by_known(hmm_tag_suffix(test), test, tags_of)
full.table({**{f"HMM, {k}": v for k, v in hmm_accuracy.items()},
            **{f"HMM + suffixes, {k}": v for k, v in suffix_accuracy.items()}},
           title="The suffix model for unknown words, Penn test set")  # fmt: skip
bound = unknown_share * (1 - hmm_accuracy["unknown"])
gain = suffix_accuracy["all"] - hmm_accuracy["all"]
print(f"the most a perfect unknown-word guess could add: {bound:.2%} of the tokens; "
      f"the suffix model added {gain:.2%}")  # fmt: skip

# %% [markdown]
# The suffix model lifts unknown-word accuracy a great deal and leaves known words almost
# as they were: the overall gain is a large part of the most that unknown words could
# give (printed above). The library's `HMMTagger` (in section 6) has the same model, with
# TnT's weighting of the suffix lengths and a class for capitalised words.
#
# ## 6. The averaged perceptron
#
# The HMM only knows `P(word | tag)` and `P(tag | previous tag)`. A tagger could use much
# more: the word before and after, the word's suffix *and* the previous tag together, its
# shape (capitals, digits, hyphens). Those overlap and depend on one another, which a
# generative model cannot easily count. A **discriminative** tagger scores each tag with
# a sum of weights of **features** and learns the weights from its mistakes.
#
# The features of word `i`, given the two tags already chosen before it (the tagger goes
# left to right, **greedily**: it commits to each tag before looking at the next word):


# %%
def shape(word):
    """The word's look: X for a capital, x for a small letter, d for a digit, repeats merged."""
    marks = ("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c
             for c in word)  # fmt: skip
    return "".join(mark for mark, _ in itertools.groupby(marks))


def features(words, i, prev, prev2):
    """The feature names of words[i] in context (prev, prev2: the two tags before it)."""
    lower = words[i].lower()
    before = words[i - 1].lower() if i > 0 else "<s>"
    after = words[i + 1].lower() if i + 1 < len(words) else "</s>"
    return [
        "bias",  # always on: a tag's prior
        "word=" + lower,
        "suffix3=" + lower[-3:],
        "suffix2=" + lower[-2:],
        "prefix1=" + lower[:1],
        "shape=" + shape(words[i]),
        "tag-1=" + prev,
        "tags-2,-1=" + prev2 + "," + prev,
        "tag-1,word=" + prev + "," + lower,
        "word-1=" + before,
        "word+1=" + after,
    ]


sample_words = [w for w, _ in train[1]]
print(" ".join(sample_words))
print(features(sample_words, 2, "NNP", "NNP"))

# %% [markdown]
# The score of tag `y` is the sum, over the word's features `f`, of a weight `w[f, y]`;
# the tagger picks the tag with the largest score. The **perceptron** update: when the
# tagger guesses `y'` but the right tag is `y`, add 1 to `w[f, y]` and subtract 1 from
# `w[f, y']` for every feature `f` of the word. Nothing changes when it is right. We keep
# the weights in a dict of dicts (feature -> tag -> weight), as most weights stay 0.


# %%
def scores_of(weights, feats):
    """Each tag's score: the sum of its weights over the features (tags never seen: 0)."""
    scores = defaultdict(float)
    for f in feats:
        for tag, weight in weights.get(f, {}).items():
            scores[tag] += weight
    return scores


def guess_of(weights, feats):
    scores = scores_of(weights, feats)
    return max(scores, key=scores.get) if scores else default_tag


weights = defaultdict(dict)
feats = features(sample_words, 2, "NNP", "NNP")  # "is", after "Mr. Vinken"
for tag in ("VBZ", "NNS"):  # a wrong answer first, as if the tagger had guessed NNS
    weights["suffix2=is"][tag] = weights["word-1=vinken"][tag] = 0.0
weights["suffix2=is"]["NNS"] = 1.0  # (pretend an earlier update left this weight)
guess, gold = guess_of(weights, feats), "VBZ"
print(f"before: scores {dict(scores_of(weights, feats))}, guess {guess}, gold {gold}")
for f in feats:  # the update on one mistake
    weights[f][gold] = weights[f].get(gold, 0.0) + 1
    weights[f][guess] = weights[f].get(guess, 0.0) - 1
print(f"after:  scores {dict(scores_of(weights, feats))}, guess {guess_of(weights, feats)}")
print("a word sharing some features, 'has':",
      dict(scores_of(weights, features(["Mr.", "Vinken", "has"], 2, "NNP", "NNP"))))  # fmt: skip

# %% [markdown]
# One update moved `VBZ` up by one for each of the word's features, and `NNS` down by as
# much. The word *has* shares some of them (the bias, its shape, the two tags and the
# word before), so its scores moved too: that is how the perceptron generalises.
#
# Trained over the training set a few times (**epochs**), the perceptron's weights keep
# jumping: each mistake, even on a rare odd sentence, shifts them. The **averaged**
# perceptron uses, at the end, the *average* of the weights over every step of training,
# which forgets those last jumps. Storing a copy per step would be far too much; instead
# each weight remembers when it last changed and the sum of its past values up to then,
# and adds `value * steps since` before every change.


# %%
class HandPerceptron:
    """A greedy averaged-perceptron tagger: weights, their running sums, and timestamps."""

    def __init__(self):
        self.weights = defaultdict(dict)  # feature -> tag -> weight
        self.sums = defaultdict(float)  # (feature, tag) -> sum of the weight over steps
        self.stamps = defaultdict(int)  # (feature, tag) -> step of the last change
        self.step = 0

    def update(self, feats, gold, guess):
        for f in feats:
            for tag, change in ((gold, 1.0), (guess, -1.0)):
                old = self.weights[f].get(tag, 0.0)
                self.sums[f, tag] += (self.step - self.stamps[f, tag]) * old
                self.stamps[f, tag] = self.step
                self.weights[f][tag] = old + change

    def train_epoch(self, sentences, rng):
        for sentence in rng.sample(sentences, len(sentences)):  # a shuffled copy
            words = [w for w, _ in sentence]
            prev, prev2 = "<s>", "<s2>"
            for i, (_, gold) in enumerate(sentence):
                feats = features(words, i, prev, prev2)
                guess = guess_of(self.weights, feats)
                if guess != gold:
                    self.update(feats, gold, guess)
                prev2, prev = prev, guess
                self.step += 1

    def averaged(self):
        """The weights averaged over every step so far."""
        average = defaultdict(dict)
        for f, tags in self.weights.items():
            for tag, weight in tags.items():
                total = self.sums[f, tag] + (self.step - self.stamps[f, tag]) * weight
                average[f][tag] = total / self.step
        return average


def greedy_tag(weights, sentences):
    tagged = []
    for sentence in sentences:
        words = [w for w, _ in sentence]
        prev, prev2, tags = "<s>", "<s2>", []
        for i in range(len(words)):
            tags.append(guess_of(weights, features(words, i, prev, prev2)))
            prev2, prev = prev, tags[-1]
        tagged.append(tags)
    return tagged


# %% [markdown]
# **Predict, then run.** We train for several epochs and measure test accuracy after each
# one, with the current weights and with the averaged ones. Which curve rises steadily,
# and which one wobbles? Which ends higher?

# %%
EPOCHS = 4 if QUICK else 8
hand_train = train[:800] if QUICK else train
hand_test = test[:300] if QUICK else test
hand = HandPerceptron()
shuffler = random.Random(0)
curves = {"current weights": [], "averaged weights": []}
started = time.perf_counter()
for epoch in range(EPOCHS):
    hand.train_epoch(hand_train, shuffler)
    for name, w in (("current weights", hand.weights), ("averaged weights", hand.averaged())):
        tagged = greedy_tag(w, hand_test)
        curves[name].append(accuracy_by_known(tagged, hand_test, tags_of)["all"])
    print(f"epoch {epoch + 1}: current {curves['current weights'][-1]:.4f}, "
          f"averaged {curves['averaged weights'][-1]:.4f}")  # fmt: skip
hand_seconds = time.perf_counter() - started
full.keep("hand perceptron curves", curves)
hand_averaged = hand.averaged()
full.table({"hand perceptron, current weights": curves["current weights"][-1],
            "hand perceptron, averaged weights": curves["averaged weights"][-1],
            "training sentences": len(hand_train), "epochs": EPOCHS},
           title="The hand-built perceptron after the last epoch")  # fmt: skip

# %%
fig = Figure(figsize=(8, 4.2))
ax = fig.add_subplot()
for (name, values), colour in zip(curves.items(), ("tab:orange", "tab:blue"), strict=True):
    label = f"{name}, this run" + (" (quick)" if QUICK else "")
    ax.plot(range(1, len(values) + 1), values, "o-", color=colour, label=label)
    if QUICK:
        stored = full["hand perceptron curves"][name]
        ax.plot(range(1, len(stored) + 1), stored, "s--", color=colour, alpha=0.6,
                label=f"{name}, {full.label}")  # fmt: skip
ax.set_xlabel("epoch (passes over the training sentences)")
ax.set_ylabel("test accuracy (share of tokens)")
ax.set_title("Greedy perceptron tagger: current against averaged weights")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
display(fig)

# %% [markdown]
# The current weights move after every mistake, so their accuracy climbs unevenly and
# can drop from one epoch to the next; the averaged weights are ahead from the first
# epoch and stay ahead. Averaging
# is a cheap stand-in for voting over every weight vector seen in training: a weight that
# was large for a long time counts for a lot, a last-minute jump for little.

# %% [markdown]
# ### Now meet the library's versions
#
# `nlpjourney.tagging` has both taggers behind one interface: `fit(sentences, tags)`
# with lists of words and lists of tags, `predict(sentences)`, `save` and `load`.
# `HMMTagger` is this lesson's HMM with TnT's unknown-word model (suffixes of rare words,
# capitals and digits); `PerceptronTagger` is the greedy averaged perceptron with a larger
# set of feature templates, weights kept in NumPy arrays, a tag dictionary for frequent
# words that always had one tag, and beam search as an option.
#
# First the HMM. `HMMTagger` counts what we counted, with one addition: the end of the
# sentence is one more "tag" that every sentence moves to after its last word, so a tag
# that rarely ends a sentence is less likely there. Its unknown words get no column of
# their own: their emissions come from the suffix model only. Fitted with our `ALPHA`,
# its tables equal ours with the end column added, checked here:


# %%
def split(sentences):
    """Lists of words and lists of tags, from sentences of (word, tag) pairs."""
    return [[w for w, _ in s] for s in sentences], [[t for _, t in s] for s in sentences]


train_words, train_tags = split(train)
test_words, _ = split(test)
library_hmm = HMMTagger(alpha=ALPHA).fit(train_words, train_tags)
assert library_hmm.tags_ == TAGS and list(library_hmm.vocabulary_) == VOCAB
end_counts = np.zeros(K)
for sentence in train:
    end_counts[tag_id[sentence[-1][1]]] += 1
with_end = smoothed_log(np.column_stack([transition_counts, end_counts]))  # (K, K + 1)
assert np.allclose(library_hmm.transitions_, with_end[:, :K])
assert np.allclose(library_hmm.end_, with_end[:, K])
assert np.allclose(library_hmm.start_, smoothed_log(np.append(start_counts, 0))[:K])
assert np.allclose(library_hmm.emissions_.T, smoothed_log(emission_counts[:, :UNK]))
print("HMMTagger's start, transition, end and emission tables equal ours (end column added)")

library_hmm_accuracy = accuracy_by_known(library_hmm.predict(test_words), test, tags_of)
full.table({**{f"our HMM + suffixes, {k}": v for k, v in suffix_accuracy.items()},
            **{f"HMMTagger, {k}": v for k, v in library_hmm_accuracy.items()}},
           title="Our HMM and the library's, Penn test set")  # fmt: skip

# %% [markdown]
# Then the perceptron, against NLTK's `PerceptronTagger` (Matthew Honnibal's averaged
# perceptron, the tagger behind `nltk.pos_tag`), both trained from nothing on the same
# sentences for 5 epochs, and timed on the same test set.

# %%
compare_train = train[:400] if QUICK else train
compare_test = test[:300] if QUICK else test
compare_words, compare_tags = split(compare_train)
compare_test_words = [[w for w, _ in s] for s in compare_test]
test_size = sum(map(len, compare_test_words))
started = time.perf_counter()
ours = PerceptronTagger(n_iter=5, seed=0).fit(compare_words, compare_tags)
ours_train_seconds = time.perf_counter() - started
random.seed(0)  # NLTK shuffles with the random module
started = time.perf_counter()
theirs = NLTKPerceptron(load=False)
theirs.train([list(s) for s in compare_train], nr_iter=5)
theirs_train_seconds = time.perf_counter() - started

ours.predict(compare_test_words[:5])  # the first call compiles the tagging loop: not timed
started = time.perf_counter()
ours_predicted = ours.predict(compare_test_words)
ours_rate = test_size / (time.perf_counter() - started)
started = time.perf_counter()
theirs_predicted = [[tag for _, tag in theirs.tag(words)] for words in compare_test_words]
theirs_rate = test_size / (time.perf_counter() - started)
ours_accuracy = accuracy_by_known(ours_predicted, compare_test, tags_of)
theirs_accuracy = accuracy_by_known(theirs_predicted, compare_test, tags_of)
full.table({
    "PerceptronTagger accuracy": ours_accuracy["all"],
    "NLTK's accuracy": theirs_accuracy["all"],
    "PerceptronTagger, unknown words": ours_accuracy["unknown"],
    "NLTK's, unknown words": theirs_accuracy["unknown"],
    "PerceptronTagger training, s": ours_train_seconds,
    "NLTK's training, s": theirs_train_seconds,
    "PerceptronTagger, words/s": ours_rate,
    "NLTK's, words/s": theirs_rate,
    "speed ratio, ours / NLTK's": ours_rate / theirs_rate,
}, title=f"Penn test set, trained on {len(compare_train):,} sentences")  # fmt: skip
stored_gap = full["PerceptronTagger accuracy"] - full["NLTK's accuracy"]
stored_ratio = full["speed ratio, ours / NLTK's"]
print(f"in the {full.label}: PerceptronTagger {stored_gap:+.2%} accuracy against NLTK's, "
      f"{stored_ratio:.1f} times its tagging speed")  # fmt: skip

# %% [markdown]
# **Greedy against beam search.** The greedy tagger commits to each tag at once: a wrong
# tag early feeds wrong `tag-1` features to the next word. A **beam** keeps the `b` best
# partial taggings at each word and extends each of them, so a tag that looked second best
# can still win once the next words are seen. Here the same trained weights tag the test
# set greedily and with beams of 3 and 8.

# %%
beam_rows = {}
for size in (1, 3, 8):
    ours.beam_size = size
    ours.predict(compare_test_words[:5])  # compiles the beam search once: not timed
    started = time.perf_counter()
    predicted = ours.predict(compare_test_words)
    rate = test_size / (time.perf_counter() - started)
    beam_rows[f"beam {size}: accuracy"] = accuracy_by_known(predicted, compare_test, tags_of)["all"]
    beam_rows[f"beam {size}: words/s"] = rate
ours.beam_size = 1
full.table(beam_rows, title="Decoding the same weights greedily (beam 1) and with beams")

# %% [markdown]
# A beam costs speed, and buys nothing here (it can even lose a little): the perceptron
# was trained greedily, so its weights are tuned to the greedy decoder's own mistakes. (Training with the beam, Collins' way, fixes that; the gain for English POS
# tagging stays small, since few errors depend on a tag several words back.)
#
# The same tagger on UD English LinES with universal tags: 17 coarser tags, and text of
# another kind (manuals and novels, not newspaper finance).

# %%
lines_fit = lines_train[:800] if QUICK else lines_train
lines_tagger = PerceptronTagger(n_iter=2 if QUICK else 5, seed=0)
lines_tagger.fit([s.forms for s in lines_fit], [s.upos for s in lines_fit])
lines_predicted = lines_tagger.predict([s.forms for s in lines_test])
right = sum(p == g for s, ps in zip(lines_test, lines_predicted, strict=True)
            for p, g in zip(ps, s.upos, strict=True))  # fmt: skip
full.table({"LinES test UPOS accuracy": right / sum(len(s.upos) for s in lines_test),
            "LinES training sentences": len(lines_fit)},
           title="PerceptronTagger on UD English LinES")  # fmt: skip

# %% [markdown]
# ## 7. Error analysis
#
# Accuracy hides *which* tags go wrong. A **confusion table** counts, for every pair (gold
# tag, predicted tag), how often the tagger chose the second where the first was right.
# Here are the most frequent pairs of the perceptron on the Penn test set, and a heat map
# of the confusions among the tags most involved in them.

# %%
confusions = Counter(
    (gold, guess)
    for predicted, sentence in zip(ours_predicted, compare_test, strict=True)
    for guess, (_, gold) in zip(predicted, sentence, strict=True)
    if guess != gold
)
errors = sum(confusions.values())
print(f"{errors:,} errors; the most frequent (gold -> predicted):")
for (gold, guess), count in confusions.most_common(10):
    print(f"  {gold:>5} -> {guess:<5} {count:>4}  ({count / errors:.1%} of the errors)")
involved = Counter()
for (gold, guess), count in confusions.items():
    involved[gold] += count
    involved[guess] += count
top_tags = sorted(tag for tag, _ in involved.most_common(10))
matrix = np.array([[confusions[g, p] for p in top_tags] for g in top_tags])
full.keep("confusion tags", top_tags)
full.keep("confusion matrix", matrix)
full.keep("top confusions", [[g, p, c] for (g, p), c in confusions.most_common(10)])


# %%
def confusion_heatmap(ax, tags, matrix, title):
    image = ax.imshow(matrix, cmap="Reds")
    ax.set_xticks(range(len(tags)), tags, rotation=60, fontsize=8)
    ax.set_yticks(range(len(tags)), tags, fontsize=8)
    for (row, column), count in np.ndenumerate(matrix):
        if count:
            ax.text(column, row, str(count), ha="center", va="center", fontsize=7,
                    color="white" if count > matrix.max() / 2 else "black")  # fmt: skip
    ax.set_xlabel("predicted tag")
    ax.set_ylabel("gold tag")
    ax.set_title(title, fontsize=10)
    return image


panels = [(top_tags, matrix, "this run" + (" (quick)" if QUICK else ""))]
if QUICK:  # the full run's tagger saw every training sentence
    panels.append((full["confusion tags"], np.array(full["confusion matrix"]), full.label))
fig = Figure(figsize=(6.2 * len(panels), 5.6))
for k, (tags_, matrix_, name) in enumerate(panels):
    ax = fig.add_subplot(1, len(panels), k + 1)
    image = confusion_heatmap(ax, tags_, matrix_, f"Perceptron errors, Penn test set: {name}")
    fig.colorbar(image, ax=ax, shrink=0.7, label="errors (count)")
fig.tight_layout()
display(fig)

# %% [markdown]
# The largest confusions are within families: common noun against adjective (`NN` and
# `JJ`, both ways: a noun before a noun, as in *a **chief** executive*, works like an
# adjective), plural proper nouns tagged as singular ones (`NNPS` as `NNP`), proper
# against common nouns, `-ing` forms used as nouns (`NN` as `VBG`), and the past tense
# against the past participle (`VBD` and `VBN`: *he **increased*** and *it was
# **increased*** are the same string). Many of these are hard for people too; the
# treebank's annotators disagree on some of them. A few real mistakes, with their
# context:

# %%
shown, frequent_pairs = 0, {pair for pair, _ in confusions.most_common(6)}
for predicted, sentence in zip(ours_predicted, compare_test, strict=True):
    for i, (guess, (word, gold)) in enumerate(zip(predicted, sentence, strict=True)):
        if guess != gold and shown < 6 and (gold, guess) in frequent_pairs:
            left = " ".join(w for w, _ in sentence[max(0, i - 4) : i])
            right_ = " ".join(w for w, _ in sentence[i + 1 : i + 4])
            print(f"... {left} [{word}] {right_} ...   gold {gold}, predicted {guess}")
            shown += 1

# %% [markdown]
# ## What you built
#
# - the most-frequent-tag baseline, and why accuracy must be split into known and unknown
#   words;
# - a hidden Markov model from counts, with additive smoothing and log probabilities;
# - Viterbi, which finds the best of `K ** n` taggings in `n * K * K` steps, checked
#   against brute force and against `nlpjourney.tagging.viterbi`;
# - a suffix model that guesses the tags of unknown words;
# - the averaged perceptron, and what averaging buys.
#
# Exercise 2.5 asks you to write `viterbi` with start and end scores, ties and argument
# checks: `journey check 2.5` grades it against brute force and NLTK's HMM decoder. Next,
# lesson 2.6 tags named entities, where a tag depends on its neighbours even more, and
# meets the conditional random field, which trains the whole tag sequence at once.
