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
# # 1.3 Features: bag-of-words, TF-IDF, n-grams, hashing
#
# A classifier, a search engine or a clustering algorithm wants numbers, and a text is a
# string. The oldest answer, still a strong baseline, is to forget word order and describe
# each document by **which words it uses and how often**: a *bag of words*. In this lesson
# you build, step by step on real SMS messages:
#
# 1. a bag-of-words count matrix, by hand;
# 2. document frequency and **idf**, which says how rare (and so how telling) a word is;
# 3. **TF-IDF** weights with **l2 normalization**, checked against the project's
#    `nlpjourney.features.TfidfVectorizer` (itself checked against scikit-learn's);
# 4. word and character **n-grams**, which bring back a little word order and spelling;
# 5. the **hashing trick**, which needs no vocabulary at all, and what its collisions cost.
#
# Then you use the result: the words that mark spam, and finding similar messages.
#
# Set `JOURNEY_QUICK=1` in the environment to run everything on a sample.

# %%
import os
import re
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np

from nlpjourney.course.results import FullRun
from nlpjourney.data import corpora
from nlpjourney.features import CountVectorizer, HashingVectorizer, TfidfVectorizer
from nlpjourney.features.hashing import murmurhash3_32
from nlpjourney.features.tfidf import document_frequency, idf

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("1.3")  # the full run's stored numbers, shown beside this run's own
np.set_printoptions(precision=3, suppress=True)

sms = corpora.sms_spam()  # [(text, "ham" | "spam")]
if QUICK:
    sms = sms[::3]  # every third message: both classes, a third of the time
texts = [text for text, _ in sms]
labels = np.array([label for _, label in sms])
full.table({"messages": len(texts), "spam (%)": 100 * np.mean(labels == "spam")})
if QUICK:
    print("(quick mode: every third message; the counts below are from this sample)")

# %% [markdown]
# ## 1. A bag of words by hand
#
# Three steps turn documents into a matrix:
#
# - **tokenize**: lowercase, then take the runs of two or more letters or digits (the
#   regular expression `\b\w\w+\b`, scikit-learn's default, which drops "a" and "I");
# - **vocabulary**: every distinct token gets a column, here in alphabetical order;
# - **count**: row `d`, column `t` holds how often token `t` occurs in document `d`.

# %%
few = [
    "Free entry in a weekly competition, text WIN to win the FA Cup final tickets",
    "Are you free tonight? I'll call you later",
    "WINNER! You have won a free prize, call now to claim your prize",
    "Ok lar, see you at the cup final tonight",
]
token_re = re.compile(r"(?u)\b\w\w+\b")


def tokenize(text):
    return token_re.findall(text.lower())


vocabulary = sorted({token for doc in few for token in tokenize(doc)})
column = {token: j for j, token in enumerate(vocabulary)}
bag = np.zeros((len(few), len(vocabulary)), dtype=np.int64)
for d, doc in enumerate(few):
    for token in tokenize(doc):
        bag[d, column[token]] += 1

print(f"{len(vocabulary)} words: {vocabulary[:12]} ...")
for word in ["free", "prize", "you", "tonight"]:
    print(f"{word:>8}: {bag[:, column[word]]}")

# %% [markdown]
# The library's `CountVectorizer` does exactly this, returning a *sparse* matrix: almost
# every entry is zero, so only the non-zero ones are stored (SciPy's CSR format).

# %%
counter = CountVectorizer()
library_bag = counter.fit_transform(few)
assert list(counter.get_feature_names_out()) == vocabulary
assert np.array_equal(library_bag.toarray(), bag)
print(type(library_bag).__name__, library_bag.shape, f"{library_bag.nnz} non-zeros")

# %% [markdown]
# ## 2. Counts on the whole SMS corpus
#
# On real data the matrix is large and very sparse: a message uses a dozen of the
# thousands of words in the vocabulary. The most frequent words are the ones that carry
# the least meaning.

# %%
count_vectorizer = CountVectorizer()
counts = count_vectorizer.fit_transform(texts)  # (messages, words), sparse
words = count_vectorizer.get_feature_names_out()
density = counts.nnz / (counts.shape[0] * counts.shape[1])
print(f"The count matrix of {counts.shape[0]} messages")
full.table(
    {
        "words (columns)": counts.shape[1],
        "non-zeros": counts.nnz,
        "density (%)": 100 * density,
    },
)

totals = np.asarray(counts.sum(axis=0)).ravel()
top = np.argsort(-totals)[:10]
print("most frequent:", [(words[j], int(totals[j])) for j in top])

# %% [markdown]
# ## 3. Document frequency
#
# How many *documents* contain each word: not how often it is used.
#
# **Predict, then run.** Rank "you", "call", "free", "prize" and "claim" by how many
# messages contain them. For which of them will *every* message that contains it be spam?

# %%
df_by_hand = np.asarray((counts > 0).sum(axis=0)).ravel()
assert np.array_equal(df_by_hand, document_frequency(counts))
n_documents = counts.shape[0]
for word in ["you", "call", "free", "prize", "claim"]:
    j = count_vectorizer.vocabulary_[word]
    in_spam = counts[labels == "spam"][:, j].getnnz()
    print(f"{word:>6}: in {df_by_hand[j]:4d} of {n_documents} messages ({in_spam} of them spam)")
    full.keep(f"df {word}", [int(df_by_hand[j]), int(in_spam)])
if QUICK:
    print(f"the {full.label}:")
    for word in ["you", "call", "free", "prize", "claim"]:
        df_word, in_spam = full[f"df {word}"]
        print(f"{word:>6}: in {df_word:4d} messages ({in_spam} of them spam)")

# %% [markdown]
# In the full run (and, on a third of the messages, in quick mode too) "you" is in far
# more messages than the rest, and most of them ham; the rarer words lean to spam, the
# rarest ("prize", "claim") entirely or almost. A word in few documents tells you more
# about each document that has it.

# %% [markdown]
# ## 4. Inverse document frequency, and why it is smoothed
#
# $\mathrm{idf}(t) = \ln\frac{n}{\mathrm{df}(t)} + 1$: large for rare words, exactly 1 for
# a word in every document (the $+1$ keeps such words from vanishing altogether).
#
# A word with $\mathrm{df} = 0$ (in a fixed vocabulary, say) would get $\ln(n / 0)$, infinite.
# *Smoothing* pretends there is one extra document containing every word once:
# $\mathrm{idf}(t) = \ln\frac{1 + n}{1 + \mathrm{df}(t)} + 1$. It is the default, and it also
# pulls the weights of the rarest words down a little.
#
# **Predict, then run.** The last line below asks for the idf of a word that no message
# contains. What will the unsmoothed formula give, and what the smoothed one?

# %%
idf_raw = np.log(n_documents / df_by_hand) + 1
idf_smooth = np.log((1 + n_documents) / (1 + df_by_hand)) + 1
for word in ["you", "free", "prize", "claim"]:
    j = count_vectorizer.vocabulary_[word]
    print(f"{word:>6}: df {df_by_hand[j]:4d}  idf {idf_raw[j]:.3f}  smoothed {idf_smooth[j]:.3f}")
assert np.allclose(idf_smooth, idf(df_by_hand, n_documents, smooth=True))
never_seen = np.array([0])  # a word of a fixed vocabulary that no message uses
print("a word in no message: idf", idf(never_seen, n_documents, smooth=False),
      "smoothed", idf(never_seen, n_documents, smooth=True))  # fmt: skip

# %% [markdown]
# Unsmoothed, $\ln(n / 0)$ is infinite (NumPy prints `inf` and would spread `nan`s
# through any later product with a zero count); smoothed, it is $\ln(n + 1) + 1$, just
# above the rarest seen word's weight.

# %% [markdown]
# ## 5. TF-IDF and the l2 norm
#
# Multiply each count (the *term frequency*, tf) by its word's idf, then scale each row to
# length 1. After that scaling a long message and a short one are comparable, and the dot
# product of two rows is their **cosine similarity**. We build it densely on the first 300
# messages and check it against `TfidfVectorizer`.

# %%
sample = texts[:300]
sample_counts = CountVectorizer().fit_transform(sample).toarray().astype(float)
sample_df = (sample_counts > 0).sum(axis=0)
sample_idf = np.log((1 + len(sample)) / (1 + sample_df)) + 1
weights = sample_counts * sample_idf  # (messages, words) * (words,): one idf per column
lengths = np.sqrt((weights**2).sum(axis=1, keepdims=True))
weights = weights / np.where(lengths == 0, 1, lengths)  # an empty message stays all zeros

tfidf_sample = TfidfVectorizer()
library_weights = tfidf_sample.fit_transform(sample)
assert np.allclose(tfidf_sample.idf_, sample_idf)
assert np.allclose(library_weights.toarray(), weights)
print("cell-built TF-IDF equals TfidfVectorizer on", weights.shape)

# %% [markdown]
# From here on we use the library. Which words weigh most in one spam message?

# %%
tfidf = TfidfVectorizer()
X = tfidf.fit_transform(texts)  # (messages, words), rows of length 1
vocab = tfidf.get_feature_names_out()
first_spam = int(np.flatnonzero(labels == "spam")[0])
row = X[first_spam]
order = np.argsort(-row.data)[:6]
print(texts[first_spam])
print([(vocab[row.indices[k]], round(float(row.data[k]), 3)) for k in order])

# %% [markdown]
# ## 6. n-grams: a little word order, a little spelling
#
# A bag of words cannot tell "not good" from "good, not bad". **Word n-grams** add each
# run of n neighbouring words as a feature of its own. **Character n-grams** (windows of
# letters) match pieces of words, so "winner", "winners" and "WINNERRR" share most of
# their features; `char_wb` keeps the windows inside word boundaries, padding words with
# a space.

# %%
message = "Call FREE now to claim your prize"
tokens = tokenize(message)
bigrams = [" ".join(pair) for pair in zip(tokens, tokens[1:], strict=False)]
print("word bigrams:", bigrams)
analyze_12 = CountVectorizer(ngram_range=(1, 2)).build_analyzer()
assert analyze_12(message) == tokens + bigrams

# %% [markdown]
# **Your turn: any n.** Replace the `None` so that `word_ngrams(tokens, n)` returns every
# run of `n` neighbouring tokens, joined by one space, in order (for n = 2, the bigrams
# above).


# %%
def word_ngrams(tokens, n):
    return None  # your code: one string per window of n tokens


# %%
from nlpjourney.course import check  # noqa: E402

check(
    "word trigrams of the message",
    word_ngrams(tokens, 3),
    CountVectorizer(ngram_range=(3, 3)).build_analyzer()(message),
    hint="a message of k tokens has k - n + 1 windows; slide a window of width n along it",
)

# %%
word = " prize "  # char_wb pads each word with a space on both sides
trigrams = [word[i : i + 3] for i in range(len(word) - 2)]
print("char_wb trigrams of 'prize':", trigrams)
assert CountVectorizer(analyzer="char_wb", ngram_range=(3, 3)).build_analyzer()("prize") == trigrams

feature_sets = {
    "words": {},
    "words and word bigrams": {"ngram_range": (1, 2)},
    "char_wb 2- to 4-grams": {"analyzer": "char_wb", "ngram_range": (2, 4)},
}
print("Features on the SMS corpus")
full.table(
    {
        name: CountVectorizer(**params).fit(texts).get_feature_names_out().size
        for name, params in feature_sets.items()
    },
)


# %% [markdown]
# **Predict, then run.** "winner" and "WINNERRR" share no word feature (the bag sees two
# different words). What share of their character 2- to 4-grams will they share: none, a
# little, or most?


# %%
def jaccard(a, b, **params):
    """Share of features two strings have in common."""
    analyze = CountVectorizer(**params).build_analyzer()
    first, second = set(analyze(a)), set(analyze(b))
    return len(first & second) / len(first | second)


for a, b in [("winner", "WINNERRR"), ("free prize", "fre prizes")]:
    print(f"{a!r} vs {b!r}: words {jaccard(a, b):.2f}, "
          f"char_wb 2-4 {jaccard(a, b, analyzer='char_wb', ngram_range=(2, 4)):.2f}")  # fmt: skip

# %% [markdown]
# Most of them (printed above): lower-casing makes "winner" a prefix of "winnerrr", so
# almost every window of "winner" is in "winnerrr" too. Character n-grams forgive spelling.

# %% [markdown]
# ## 7. The hashing trick
#
# A vocabulary must be learned, stored and shipped with the model, and it cannot grow.
# Instead, send feature $f$ to column $h(f) \bmod m$ for a hash function $h$ and a fixed
# number of columns $m$. No vocabulary, constant memory, works on a stream. The price:
# different features can share a column (a **collision**), and a column no longer names
# its word. `HashingVectorizer` uses MurmurHash3 and, to make collisions cancel out on
# average rather than add up, adds $+1$ or $-1$ by the hash's sign.

# %%
n_columns = 2**12
features = list(count_vectorizer.vocabulary_)
hashes = np.array([murmurhash3_32(feature) for feature in features], dtype=np.int64)
columns = np.abs(hashes) % n_columns
signs = np.where(hashes >= 0, 1.0, -1.0)

# Build the hashed matrix of a few messages by hand; compare with HashingVectorizer.
hashed = np.zeros((5, n_columns))
for d, doc in enumerate(texts[:5]):
    for token in tokenize(doc):
        h = murmurhash3_32(token)
        hashed[d, abs(h) % n_columns] += 1.0 if h >= 0 else -1.0
library_hashed = HashingVectorizer(n_features=n_columns, norm=None).transform(texts[:5])
assert np.array_equal(library_hashed.toarray(), hashed)
print("cell-built hashing equals HashingVectorizer")

# %% [markdown]
# How many words share a column? If $k$ words fall into $m$ columns at random, the
# expected number of occupied columns is $m (1 - (1 - 1/m)^k)$, so about
# $k - m(1 - (1 - 1/m)^k)$ words collide with an earlier one.
#
# **Predict, then run.** With $2^{20}$ columns, over a hundred times as many columns as
# words, will any two words of the vocabulary still share a column?

# %%
vocabulary_size = len(features)
collisions = {}
for bits in (10, 12, 14, 16, 18, 20):
    m = 2**bits
    occupied = np.unique(np.abs(hashes) % m).size
    expected = m * (1 - (1 - 1 / m) ** vocabulary_size)
    collisions[f"2**{bits}"] = vocabulary_size - occupied
    print(f"m = 2**{bits:<2}: {vocabulary_size - occupied:5d} of {vocabulary_size} words "
          f"collide (expected {vocabulary_size - expected:7.1f})")  # fmt: skip
print(f"Collisions among the {vocabulary_size} words of the vocabulary")
full.table(
    {f"words colliding, m = {m}": n for m, n in collisions.items()},
)

# %% [markdown]
# Yes, a few in the full run (the last line of the table; quick mode's smaller vocabulary
# may have none): this is the birthday paradox. The chance that *some* pair
# collides grows with the number of pairs, $k^2/2$, not with $k$, so collisions vanish
# only when $m$ is far beyond $k^2$.

# %% [markdown]
# ## 8. What marks spam? Top TF-IDF terms by class
#
# Average each word's TF-IDF weight over the spam messages and over the ham messages, and
# plot the top words of each. Even with idf, the commonest short words ("you", "to",
# "the") top both lists, so this time we drop stop words: `stop_words="english"` is
# NLTK's English list (note: scikit-learn's built-in "english" list is a different one).
# What is left (the full run's lists are printed below the chart) shows spam is about
# calls, prizes and replies; ham is everyday chat. (The "lt" and "gt" in ham are leftovers of the HTML escapes `&lt;#&gt;` that stand for a
# number removed from the messages: real data is never quite clean.)

# %%
chart_tfidf = TfidfVectorizer(stop_words="english")
X_chart = chart_tfidf.fit_transform(texts)
chart_vocab = chart_tfidf.get_feature_names_out()
mean_spam = np.asarray(X_chart[labels == "spam"].mean(axis=0)).ravel()
mean_ham = np.asarray(X_chart[labels == "ham"].mean(axis=0)).ravel()
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, means, name, colour in ((axes[0], mean_spam, "spam", "tab:red"),
                                (axes[1], mean_ham, "ham", "tab:blue")):  # fmt: skip
    top = np.argsort(-means)[:15][::-1]  # largest at the top of the chart
    full.keep(f"top terms, {name}", list(chart_vocab[top][::-1]))
    ax.barh(chart_vocab[top], means[top], color=colour)
    ax.set_title(f"top TF-IDF terms in {name}")
    ax.set_xlabel("mean TF-IDF weight")
    ax.set_ylabel("word")
    ax.locator_params(axis="x", nbins=4)  # few ticks: the labels must not run together
fig.tight_layout()
plt.show()
for name in ("spam", "ham"):
    print(f"the full run's top {name} terms: {', '.join(full[f'top terms, {name}'])}")

# %% [markdown]
# ## 9. Nearest neighbours by cosine similarity
#
# Rows have length 1, so `X @ X[i].T` is the cosine similarity of every message with
# message `i`. Its nearest neighbours are messages that share its rare words.
#
# **Predict, then run.** The query is a spam message. Of its 10 nearest neighbours, how
# many will be spam, when only about one message in seven is?

# %%
query = first_spam
similarity = (X @ X[query].T).toarray().ravel()
similarity[query] = -1  # not itself
print("query:", texts[query], "\n")
for j in np.argsort(-similarity)[:3]:
    print(f"{similarity[j]:.3f} [{labels[j]}] {texts[j]}")
nearest = np.argsort(-similarity)[:10]
print("\nlabels of the 10 nearest:", Counter(labels[j] for j in nearest))
full.keep("query", texts[query])
full.table({"spam among the 10 nearest": sum(labels[j] == "spam" for j in nearest)})

# %% [markdown]
# Nearly all (the table above has the count): spam is written from templates, so a spam
# message's rare words are shared with other spam. The cell below prints the query's words
# that its spam neighbours share, rarest (highest idf) first; quick mode's sample starts
# with a different spam message, so its query differs from the full run's. That is why a
# nearest-neighbour vote on TF-IDF rows is already a fair spam filter.

# %%
query_columns = X[query].indices
shared = Counter(int(column) for j in nearest if labels[j] == "spam" for column in X[j].indices)
shared_words = sorted(
    (column for column in query_columns if shared[column]), key=lambda c: -tfidf.idf_[c]
)
full.keep("query's words shared with its spam neighbours", [vocab[c] for c in shared_words[:8]])
print("this run's query shares, rarest first:", [vocab[c] for c in shared_words[:8]])
if QUICK:
    print("the full run's query:", full["query"])
    print("and its shared words:", full["query's words shared with its spam neighbours"])

# %% [markdown]
# **Your turn: nearest neighbours of any message.** Replace the `None` so that
# `most_similar(X, i, k)` returns the row indices of the `k` messages most similar to
# message `i` (never `i` itself), most similar first.


# %%
def most_similar(X, i, k):
    return None  # your code: score every row against row i, leave i out, keep the top k


# %%
found = most_similar(X, query, 3)
check(
    "the 3 messages most similar to the query",
    None if found is None else [int(j) for j in found],
    [int(j) for j in np.argsort(-similarity)[:3]],
    hint="rows of length 1 make a dot product a cosine; sort the scores in decreasing order",
)

# %% [markdown]
# ## Summary
#
# - A bag of words is a sparse (documents x vocabulary) count matrix; the library builds
#   it with one dictionary lookup per distinct feature and one SciPy CSR construction.
# - idf weighs a word by its rarity, $\ln\frac{1+n}{1+\mathrm{df}} + 1$ with smoothing;
#   TF-IDF rows scaled to unit length make dot products cosine similarities.
# - Word n-grams add local word order, character n-grams robustness to spelling, at the
#   price of many more features.
# - Hashing trades the vocabulary for collisions, which shrink as the columns grow.
#
# Next: exercise 1.3 asks you to write the TF-IDF formulas yourself (`journey check 1.3`),
# and topic 2.1 trains classifiers on exactly these features.
