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
# # 2.3 Topic modelling: LDA, NMF, coherence
#
# A topic model reads a pile of documents and finds, with no labels at all, groups of
# words that tend to turn up together (the *topics*), and how much of each document is
# about each topic. This lesson builds one from its assumptions upwards:
#
# 1. **latent Dirichlet allocation** (LDA) as a story of how documents are written, and
#    a tiny corpus written by that story from topics we choose;
# 2. **collapsed Gibbs sampling** by hand: one token at a time, then a whole sweep,
#    checked equal to the library's `gibbs_sweep`; many sweeps find the planted topics,
#    and the library's `LDA` gives the same numbers as our chain of sweeps;
# 3. the State of the Union addresses of 1945-2006: LDA (online variational Bayes) on
#    their paragraphs, the topics it finds, and how much each year's address spends on
#    each;
# 4. **NMF** on TF-IDF beside LDA on counts, on the same paragraphs;
# 5. **coherence**, UMass and NPMI, counted by hand for one topic and checked equal to
#    the library's `coherence`;
# 6. why held-out **perplexity** misleads when choosing the number of topics;
# 7. the command that does it all.
#
# Look for **Predict, then run** questions: answer them in your head before you run the
# next cell. Two cells are **exercises** with a check cell under each; the lesson runs on
# while they are unsolved.
#
# Set `JOURNEY_QUICK=1` for a fast run on part of the data. Every number the prose talks
# about is printed by a code cell: `scripts/run_lessons.py` ran this lesson in full once
# and stored its numbers in `lessons/results/2.3/`, and the cells print them beside your
# run's (in quick mode your numbers come from less data and differ).

# %%
import itertools
import os
import re

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linear_sum_assignment

from nlpjourney.course import check
from nlpjourney.course.results import FullRun
from nlpjourney.course.topic_diagrams import lda_plate_diagram
from nlpjourney.data import corpora
from nlpjourney.features import CountVectorizer, TfidfVectorizer
from nlpjourney.topics import LDA, NMF, coherence, coherences, gibbs_sweep

try:  # shows a bare matplotlib Figure in a notebook; a script prints instead
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("2.3")  # the stored full run of this lesson: its numbers, beside this run's
np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1. A story of how documents are written
#
# LDA does not read. It assumes the documents were written by a random process, and then
# asks which settings of that process make the documents we have most likely. The
# process, for a corpus of $D$ documents over a vocabulary of $V$ words, with $K$ topics:
#
# - each **topic** $k$ is a probability distribution $\varphi_k$ over the $V$ words,
#   drawn once from a Dirichlet distribution with parameter $\eta$;
# - each **document** $d$ first draws its own mix of topics $\theta_d$ (a distribution
#   over the $K$ topics) from a Dirichlet with parameter $\alpha$;
# - then, for each word position of the document, it picks a topic $z$ from $\theta_d$
#   and a word from that topic's $\varphi_z$.
#
# A Dirichlet draw is a random list of non-negative numbers that sum to 1. Its parameter
# sets how even they are: a small one (below 1) gives lists with a few large entries and
# many near 0; a large one gives nearly equal entries. The picture is the same story in
# *plate notation*: a circle is a random quantity, an arrow says what it is drawn from,
# and a rectangle (a plate) repeats what is inside it as many times as its corner says.
# Only the words are observed (the shaded circle).

# %%
TOPIC_NAMES = ["sport", "food", "money"]
VOCAB = ["goal", "match", "team", "coach", "bread", "soup", "cheese", "wine",
         "bank", "price", "tax", "loan"]  # fmt: skip
K, V, D = len(TOPIC_NAMES), len(VOCAB), 60
display(lda_plate_diagram(n_topics=K, n_docs=D, n_words=V))

# %% [markdown]
# We write a corpus by this story with NumPy. We choose the topics ourselves (we
# *plant* them) so that we can later see whether sampling finds them again: each topic
# draws its word distribution from a Dirichlet that favours four words of its theme, so
# it puts most of its weight there and a little on the rest.

# %%
rng = np.random.default_rng(7)
ETA_TRUE = np.full((K, V), 0.1)
for k in range(K):
    ETA_TRUE[k, 4 * k : 4 * k + 4] = 5.0  # topic k favours its four words
phi_true = np.array([rng.dirichlet(ETA_TRUE[k]) for k in range(K)])  # (K, V)


def write_corpus(alpha, n_docs, rng):
    """Documents (lists of word ids), their topic mixes and each word's hidden topic."""
    docs, topics_of_words, thetas = [], [], []
    for _ in range(n_docs):
        theta = rng.dirichlet(np.full(K, alpha))
        length = int(rng.integers(20, 60))
        z = rng.choice(K, size=length, p=theta)  # a topic for each position
        words = np.array([rng.choice(V, p=phi_true[k]) for k in z])  # a word of that topic
        docs.append(words)
        topics_of_words.append(z)
        thetas.append(theta)
    return docs, topics_of_words, np.array(thetas)


print("planted topics, their five likeliest words:")
for k in range(K):
    top = np.argsort(-phi_true[k])[:5]
    print(f"  {TOPIC_NAMES[k]:>6}: " + ", ".join(f"{VOCAB[j]} {phi_true[k, j]:.2f}" for j in top))

# %% [markdown]
# **Predict, then run.** With $\alpha = 0.3$, will a typical document mix the three
# topics about evenly, or lean on one of them? And with $\alpha = 10$?

# %%
ALPHA_TRUE = 0.3
docs, hidden_z, theta_true = write_corpus(ALPHA_TRUE, D, rng)
_, _, theta_even = write_corpus(10.0, D, np.random.default_rng(8))
for d in range(2):
    shown = " ".join(
        f"{VOCAB[w]}/{TOPIC_NAMES[k]}" for w, k in zip(docs[d][:9], hidden_z[d][:9], strict=True)
    )
    print(f"document {d}, θ = {theta_true[d]}: {shown} ...")
full.table(
    {"alpha 0.3: mean weight of a document's main topic": theta_true.max(axis=1).mean(),
     "alpha 0.3: documents whose main topic has over 80 %": int(np.sum(theta_true.max(1) > 0.8)),
     "alpha 10: mean weight of a document's main topic": theta_even.max(axis=1).mean()},
    title=f"The topic mixes of {D} documents written by the story",
)  # fmt: skip

# %% [markdown]
# With $\alpha = 0.3$ most documents lean on one topic (the second line counts those
# where the main topic has over 80 % of the weight), the way a real article is mostly
# about one thing. With $\alpha = 10$ every document mixes all three topics about evenly
# (a main topic near 1/3 would be perfectly even). Each printed word carries the topic
# it was drawn from: that label is what a topic model has to guess, since the documents
# we are given hold only the words.
#
# ## 2. Running the story backwards: collapsed Gibbs sampling
#
# Given only the words, which topic produced each one? **Gibbs sampling** guesses
# them one token at a time. Start with a random topic for every token. Then visit the
# tokens in turn and draw a new topic for each, from its probability *given the topics
# of all the other tokens*. Repeat. After enough sweeps the guesses settle into draws
# from the model's posterior, and the topics can be read off the counts.
#
# "Collapsed" means $\theta$ and $\varphi$ are never sampled: they are integrated out,
# and everything needed is three count tables, kept equal to the current topics $z$:
# $n_{dk}$ (tokens of document $d$ in topic $k$), $n_{kw}$ (tokens of word $w$ in topic
# $k$) and $n_k$ (tokens in topic $k$). For token $i$, word $w$ in document $d$, with
# the token itself taken out of the counts:
#
# $$P(z_i = k \mid \text{the rest}) \;\propto\;
#   \underbrace{(n_{dk} + \alpha)}_{\text{the document likes topic } k}\;\cdot\;
#   \underbrace{\frac{n_{kw} + \eta}{n_k + V\eta}}_{\text{topic } k \text{ likes word } w}.$$
#
# The first factor pulls a token towards the topics its document already uses; the
# second towards the topics that already hold this word. The priors $\alpha$ and $\eta$
# keep every topic possible.
#
# The documents become a list of tokens: `doc_ids[i]` and `word_ids[i]`. LDA sees a
# document as a bag of words, so their order inside a document does not matter; we list
# each document's tokens by word id, as the library does from a count matrix.

# %%
X_toy = np.zeros((D, V), dtype=np.int64)
for d, words in enumerate(docs):
    np.add.at(X_toy[d], words, 1)
rows, cols = np.nonzero(X_toy)  # row by row, columns sorted: CSR order
doc_ids = np.repeat(rows, X_toy[rows, cols])
word_ids = np.repeat(cols, X_toy[rows, cols])
N = len(word_ids)

ALPHA, ETA, CHAIN_SEED = 0.3, 0.1, 11
chain = np.random.default_rng(CHAIN_SEED)
z = chain.integers(K, size=N)  # a random topic for every token


def count_tables(z):
    n_dk = np.zeros((D, K), dtype=np.int64)
    n_kw = np.zeros((K, V), dtype=np.int64)
    np.add.at(n_dk, (doc_ids, z), 1)
    np.add.at(n_kw, (z, word_ids), 1)
    return n_dk, n_kw, n_kw.sum(axis=1)


n_dk, n_kw, n_k = count_tables(z)
print(f"{N} tokens in {D} documents; tokens per topic at the start: {n_k}")

# %% [markdown]
# Token 0, step by step. The draw uses a uniform number $u$ in $[0, 1)$: the new topic
# is the first one whose running total of the scores passes $u$ times their sum (the
# inverse of the cumulative distribution). Each sweep draws one $u$ per token up front.

# %%
uniforms = chain.random(N)  # the first sweep's draws
i = 0
d, w, old = doc_ids[i], word_ids[i], z[i]
print(f"token {i}: '{VOCAB[w]}' in document {d}, now in topic {old}")
taken_dk, taken_kw, taken_k = n_dk[d].copy(), n_kw[:, w].copy(), n_k.copy()
taken_dk[old] -= 1  # take the token out of the counts
taken_kw[old] -= 1
taken_k[old] -= 1
document_likes = taken_dk + ALPHA
topic_likes = (taken_kw + ETA) / (taken_k + V * ETA)
p = document_likes * topic_likes
running = np.cumsum(p)
new = min(int(np.searchsorted(running, uniforms[i] * running[-1], side="right")), K - 1)
print("the document likes each topic: ", document_likes)
print("each topic likes the word:     ", topic_likes)
print("scores, normalised:            ", p / p.sum())
print(f"u = {uniforms[i]:.3f}: u * total = {uniforms[i] * running[-1]:.4f}, "
      f"running totals {running} -> topic {new}")  # fmt: skip

# %% [markdown]
# The whole sweep repeats that for every token in order, putting each token back under
# its new topic before the next one is scored (so token $i + 1$ sees token $i$'s new
# topic). Here it is on copies of the tables, then the library's `gibbs_sweep` on other
# copies, with the same uniforms: the two must agree on every topic and every count.


# %%
def resample_token(i, u, z, n_dk, n_kw, n_k):
    """Token i out of the counts, a new topic drawn with u, the token back in."""
    d, w, old = doc_ids[i], word_ids[i], z[i]
    n_dk[d, old] -= 1
    n_kw[old, w] -= 1
    n_k[old] -= 1
    p = (n_dk[d] + ALPHA) * (n_kw[:, w] + ETA) / (n_k + V * ETA)
    running = np.cumsum(p)
    new = min(int(np.searchsorted(running, u * running[-1], side="right")), K - 1)
    z[i] = new
    n_dk[d, new] += 1
    n_kw[new, w] += 1
    n_k[new] += 1


ours = [a.copy() for a in (z, n_dk, n_kw, n_k)]
for i in range(N):
    resample_token(i, uniforms[i], *ours)
library = [a.copy() for a in (z, n_dk, n_kw, n_k)]
gibbs_sweep(doc_ids, word_ids, *library, ALPHA, ETA, uniforms)
for name, a, b in zip(("z", "n_dk", "n_kw", "n_k"), ours, library, strict=True):
    assert np.array_equal(a, b), name
print(f"one sweep by hand equals gibbs_sweep; {int(np.sum(ours[0] != z))} of {N} tokens "
      "changed topic")  # fmt: skip

# %% [markdown]
# **Predict, then run.** The topics start random, so at first every topic is a blur of
# all twelve words. How many sweeps until the recovered topics are close to the planted
# ones: one, ten, a hundred?
#
# To compare, we estimate each topic's word distribution from the counts,
# $\hat\varphi_{kw} = (n_{kw} + \eta) / (n_k + V\eta)$. The sampler's topic numbers are
# arbitrary (its topic 0 may be our "money"), so each recovered topic is first matched
# to a planted one. The distance between two distributions is the total variation: half
# the sum of absolute differences, 0 when equal, 1 when they share nothing.
#
# ### Exercise 1: match the topics
#
# Write `match_topics(phi_true, phi_found)`: a list `m` where `m[k]` is the index of the
# recovered topic paired with planted topic `k`, each recovered topic used once, so that
# the sum of the total-variation distances of the pairs is as small as possible.


# %%
def match_topics(phi_true, phi_found):
    """m[k]: the recovered topic paired with planted topic k (smallest total distance)."""
    return None  # your code


# %%
def tv_distances(phi_a, phi_b):
    """(K, K): the total-variation distance of every topic of a to every topic of b."""
    return 0.5 * np.abs(phi_a[:, None, :] - phi_b[None, :, :]).sum(axis=2)


def matched(phi_found):
    """The library's pairing: the assignment of least total distance (scipy)."""
    _, columns = linear_sum_assignment(tv_distances(phi_true, phi_found))
    return columns


phi_random = np.random.default_rng(3).dirichlet(np.ones(V), size=K)
check(
    "match_topics on three random topics",
    match_topics(phi_true, phi_random),
    matched(phi_random),
    hint="with three topics there are only six ways to pair them: score each by its "
    "summed distance and keep the best",
)

# %% [markdown]
# Now many sweeps. After a **burn-in** (the first half, while the chain is still leaving
# its random start) the count tables of every sweep are averaged: the estimate rests on
# many draws, not on the last one.

# %%
N_SWEEPS = 60 if QUICK else 200
BURN_IN = N_SWEEPS // 2
distance = []
sum_kw = np.zeros((K, V))
for sweep in range(N_SWEEPS):
    if sweep > 0:  # the first sweep's uniforms were drawn above
        uniforms = chain.random(N)
    gibbs_sweep(doc_ids, word_ids, z, n_dk, n_kw, n_k, ALPHA, ETA, uniforms)
    phi_hat = (n_kw + ETA) / (n_k[:, None] + V * ETA)
    distance.append(float(tv_distances(phi_true, phi_hat[matched(phi_hat)]).diagonal().mean()))
    if sweep >= BURN_IN:
        sum_kw += n_kw
components = sum_kw / (N_SWEEPS - BURN_IN) + ETA
phi_found = components / components.sum(axis=1, keepdims=True)
phi_found = phi_found[matched(phi_found)]
full.keep("toy distance by sweep", [round(x, 4) for x in distance])
full.table(
    {"distance after 1 sweep": distance[0], "distance after 10 sweeps": distance[9],
     "distance after the last sweep": distance[-1],
     "distance of the averaged estimate": tv_distances(phi_true, phi_found).diagonal().mean()},
    title="Mean total-variation distance, recovered to planted topics",
)  # fmt: skip

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(np.arange(1, N_SWEEPS + 1), distance, color="tab:blue", label="this run")
if QUICK:
    stored = full["toy distance by sweep"]
    ax.plot(np.arange(1, len(stored) + 1), stored, color="tab:orange", linestyle=":",
            label=full.label)  # fmt: skip
ax.axvline(BURN_IN, color="grey", linestyle="--", label="end of burn-in (this run)")
ax.set_xscale("log")
ax.set_xlabel("sweep (log scale)")
ax.set_ylabel("mean distance to the planted topics")
ax.set_title("Gibbs sampling finds the planted topics")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The distance falls fast over the first ten or so sweeps and then levels off: the
# chain has found the topics and now wanders around them. It does not reach 0: sixty
# short documents do not pin down twelve probabilities per topic exactly, and the
# estimate carries the prior $\eta$. The picture below puts the planted and the
# recovered word distributions side by side.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True, layout="constrained")
for ax, phi, title in ((axes[0], phi_true, "planted φ"),
                       (axes[1], phi_found, "recovered φ (matched, averaged)")):  # fmt: skip
    image = ax.imshow(phi, cmap="Blues", vmin=0, vmax=phi_true.max(), aspect="auto")
    ax.set_xticks(range(V), VOCAB, rotation=45, ha="right")
    ax.set_xlabel("word")
    ax.set_title(title)
axes[0].set_yticks(range(K), TOPIC_NAMES)
axes[0].set_ylabel("topic")
fig.colorbar(image, ax=axes, label="P(word | topic)")
fig.suptitle("The topics that wrote the toy corpus, and the topics Gibbs sampling found")
plt.show()

# %% [markdown]
# **Now meet the library's version, checked equal.** `LDA(method="gibbs")` runs this
# same chain: from the seed, a random topic per token, then one set of uniforms per
# sweep, the sweeps themselves in compiled code that does the same arithmetic as
# `gibbs_sweep`, and the average of the counts after burn-in. With our seed and sweeps
# its `components_` must equal our averaged $n_{kw} + \eta$.

# %%
lda_toy = LDA(n_topics=K, method="gibbs", alpha=ALPHA, eta=ETA, seed=CHAIN_SEED,
              n_iter=N_SWEEPS, burn_in=BURN_IN).fit(X_toy, feature_names=VOCAB)  # fmt: skip
assert np.allclose(lda_toy.components_, sum_kw / (N_SWEEPS - BURN_IN) + ETA, rtol=1e-12)
print("LDA(method='gibbs') equals our chain of sweeps; its top words:")
for k, top in enumerate(lda_toy.top_words(4)):
    print(f"  topic {k}: {', '.join(top)}")

# %% [markdown]
# ## 3. The State of the Union, 1945-2006
#
# The registry holds the 65 State of the Union addresses from Truman's in 1945 to
# George W. Bush's in 2006. An address covers many subjects, so we take its
# **paragraphs** as the documents (those of 25 words or more) and keep the year of
# each. Stop words go, and so do words in fewer than 5 paragraphs (too rare to shape a
# topic) or in more than 10 % of them ("world", "people", "congress", "must": words of
# every subject). We also drop "applause", which transcripts of later addresses insert:
# it is the audience, not the speaker. Quick mode keeps every sixth paragraph.

# %%
addresses = corpora.state_union()  # [(year, president, text)]
paragraphs = [(year, text) for year, _, speech in addresses for text in speech.split("\n")
              if len(text.split()) >= 25]  # fmt: skip
if QUICK:
    paragraphs = paragraphs[::6]
texts = [text for _, text in paragraphs]
para_years = np.array([year for year, _ in paragraphs])
stop = sorted(set(corpora.stopword_list("english")) | {"applause"})
counter = CountVectorizer(stop_words=stop, min_df=5, max_df=0.1)
X = counter.fit_transform(texts)
words = counter.get_feature_names_out()
full.table({"paragraphs": X.shape[0], "vocabulary": X.shape[1], "tokens": int(X.sum())},
           title="State of the Union paragraphs as counts")  # fmt: skip

# %% [markdown]
# Gibbs sampling works here too (we meet it again in section 6), but here we use the
# library's default for larger corpora, **online variational Bayes** (Hoffman, Blei and
# Bach, 2010): instead of sampling topics it fits a simpler distribution to the
# posterior, by passes over mini-batches of documents. It has the same model and the
# same story; it is the method of scikit-learn's `LatentDirichletAllocation`, and the
# library's version reproduces scikit-learn's numbers for the same seed.

# %%
N_TOPICS = 10
lda = LDA(n_topics=N_TOPICS, method="online", seed=0, max_iter=3 if QUICK else 10)
lda.fit(X, feature_names=words)
lda_topics = lda.top_words(10)
full.keep("lda topics", lda_topics)
for k, top in enumerate(lda_topics):
    print(f"topic {k}: {' '.join(top)}")
if QUICK:
    print(f"\ntopics of the {full.label}:")
    for k, top in enumerate(full["lda topics"]):
        print(f"topic {k}: {' '.join(top)}")

# %% [markdown]
# In the full run (printed above in quick mode) several topics read as one subject: the
# budget and taxes, health care and help for children and jobs, peace and freedom among
# the nations, economic and trade programmes, the war in Iraq. Others gather the words
# of speech-making itself ("tonight", "know", "say", "let", "together"). LDA was told
# only the number of topics; the subjects, and the words that stand for them, came out
# of the counts.
#
# ### Exercise 2: a topic's top words
#
# Write `top_words(components, words, n)`: for each row of `components` (one topic's
# weight on each word), the `n` words with the largest weight, largest first, as a list
# of lists of strings.


# %%
def top_words(components, words, n):
    """The n heaviest words of each topic, heaviest first."""
    return None  # your code


# %%
check(
    "top_words of the State of the Union topics",
    top_words(lda.components_, words, 10),
    lda.top_words(10),
    hint="sort each row's weights from the largest down and keep the first n positions; "
    "then look the positions up among the words",
)

# %% [markdown]
# ### Topics over time
#
# `transform` gives each paragraph's topic mix $\theta_d$. An address's weight on a topic
# is the mean of its paragraphs' mixes, each weighted by its number of tokens, and the
# years with two addresses are averaged.
#
# **Predict, then run.** Which subjects do you expect to rise and fall over these six
# decades? Think of the Cold War, the oil crises, the health-care debates of the 1990s
# and the wars after 2001.

# %%
theta = lda.transform(X)  # (paragraphs, topics)
length = np.asarray(X.sum(axis=1)).ravel()
years = np.unique(para_years)
by_year = np.array([np.average(theta[para_years == y], axis=0, weights=length[para_years == y])
                    for y in years])  # fmt: skip
labels = [", ".join(top[:3]) for top in lda_topics]
full.keep("years", years)
full.keep("topic weight by year", np.round(by_year, 3))
full.keep("topic labels", labels)


def plot_topics_over_time(years, weights, labels, title):
    fig, ax = plt.subplots(figsize=(11, 5))
    ax.stackplot(years, weights.T, labels=labels, colors=plt.cm.tab10.colors, alpha=0.9)
    ax.set_xlim(years[0], years[-1])
    ax.set_ylim(0, 1)
    ax.set_xlabel("year of the address")
    ax.set_ylabel("share of the address (topic weight)")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="topic")
    fig.tight_layout()
    plt.show()


plot_topics_over_time(years, by_year, labels, "Topic weight by year (this run)")
if QUICK:
    plot_topics_over_time(np.array(full["years"]), np.array(full["topic weight by year"]),
                          full["topic labels"], f"Topic weight by year ({full.label})")  # fmt: skip

# %% [markdown]
# Each band is one topic; its height in a year is the share of that year's address
# spent on it. The cell below reads, from the full run's numbers, the decade in which
# each topic weighs most and how much more that is than its weight over all years.

# %%
stored_years = np.array(full["years"])
stored_weights = np.array(full["topic weight by year"])
decades = np.arange(1940, 2010, 10)
for k, label in enumerate(full["topic labels"]):
    per_decade = [stored_weights[(stored_years >= s) & (stored_years < s + 10), k].mean()
                  for s in decades]  # fmt: skip
    peak = int(np.argmax(per_decade))
    print(
        f"{label:<32} peaks in the {decades[peak]}s: {per_decade[peak]:.2f} "
        f"(over all years {stored_weights[:, k].mean():.2f})"
    )

# %% [markdown]
# In the full run (the list above) the topics rise and fall with the period. The
# budget topic, full of dollar sums, weighs most in the 1940s, when Truman's addresses
# went through the budget line by line; peace among the nations in the Cold War years;
# economic and trade programmes in the 1950s; health care in the 1990s, the decade of
# the health-care reform debates; the Iraq topic in the 2000s. The topics of
# speech-making peak late too: from the 1980s on, the addresses are speeches written
# for television ("tonight"), no longer reports to Congress. Nobody told the model any
# of this: it only saw which words share paragraphs.
#
# ## 4. NMF beside LDA
#
# **Non-negative matrix factorisation** (NMF) approaches the same task as algebra, not
# as a story: it looks for two non-negative matrices $W$ (documents x topics) and $H$
# (topics x words) whose product is close to the document-word matrix. Non-negativity
# makes it additive: a document is a sum of topics, each a weighted set of words, and
# nothing cancels. It is usually run on TF-IDF, which plays down the words that are
# frequent everywhere.

# %%
tfidf = TfidfVectorizer(stop_words=stop, min_df=5, max_df=0.1)
T = tfidf.fit_transform(texts)
nmf = NMF(n_components=N_TOPICS, init="nndsvd", random_state=0, max_iter=200 if QUICK else 500)
nmf.fit(T)
nmf_words = tfidf.get_feature_names_out()
nmf_topics = [[str(nmf_words[j]) for j in np.argsort(-row)[:10]] for row in nmf.components_]
full.keep("nmf topics", nmf_topics)

# %% [markdown]
# To put the two sets of topics side by side, each NMF topic is paired with the LDA
# topic that shares the most of its ten top words.

# %%
shared = np.array([[len(set(a) & set(b)) for b in lda_topics] for a in nmf_topics])
pairs = [(k, int(np.argmax(shared[k]))) for k in range(N_TOPICS)]
for k, j in pairs:
    print(f"NMF {k}: {' '.join(nmf_topics[k][:6]):<48} LDA {j}: {' '.join(lda_topics[j][:6])}"
          f"   ({shared[k, j]} shared)")  # fmt: skip
full.table({"NMF topics sharing 3+ top words with an LDA topic": int(np.sum(shared.max(1) >= 3)),
            "LDA topics paired with no NMF topic": N_TOPICS - len({j for _, j in pairs})},
           title="NMF and LDA topics, paired by shared top words")  # fmt: skip
if QUICK:
    print(f"\nNMF topics of the {full.label}:")
    for k, top in enumerate(full["nmf topics"]):
        print(f"NMF {k}: {' '.join(top[:8])}")

# %% [markdown]
# Many of the subjects come out of both (the table counts them), with words in a
# different order. NMF's topics tend to be narrower: TF-IDF rewards words that are
# frequent in a few paragraphs, so a topic can form around one theme's vocabulary
# (one war, one programme). LDA on raw counts spreads frequent words over topics. Which
# is "better" is not settled by reading: we need a number.
#
# ## 5. Coherence: do a topic's words belong together?
#
# A topic is useful when its top words make one subject. **Coherence** measures estimate
# that from a reference corpus: words of a good topic occur together more often than
# chance. Two common ones, counted here by hand for the first LDA topic, over the
# paragraphs as token lists (the words the model saw):
#
# - **UMass** counts *documents*. For each word $w_i$ and each word $w_j$ ranked above
#   it, $\log\frac{D(w_i, w_j)/N + \epsilon}{D(w_j)/N}$, where $D(\cdot)$ counts the
#   documents holding the word(s), $N$ the documents and $\epsilon = 10^{-12}$; then the
#   mean. It is at most about 0, reached when the words always appear together.
# - **NPMI** counts *windows* of 10 tokens sliding along each document. For every
#   ordered pair of different top words, the normalised pointwise mutual information
#   $\frac{\log \frac{p(a, b) + \epsilon}{p(a)\,p(b)}}{-\log (p(a, b) + \epsilon)}$,
#   where $p$ is the share of windows holding the word(s); then the mean. It is 0 for
#   words that meet as often as chance predicts, 1 for words that never appear apart.

# %%
analyse = re.compile(r"(?u)\b\w\w+\b")
vocabulary = set(words)
token_texts = [[t for t in analyse.findall(text.lower()) if t in vocabulary] for text in texts]
topic = full.keep("topic for coherence", lda_topics[0])  # the first LDA topic
print("the topic:", " ".join(topic))

# %%
EPS = 1e-12
doc_sets = [set(t) for t in token_texts]
n_docs = len(doc_sets)
D1 = {w: sum(w in s for s in doc_sets) for w in topic}
D2 = {(a, b): sum(a in s and b in s for s in doc_sets) for a in topic for b in topic}
umass_terms = [np.log((D2[topic[i], topic[j]] / n_docs + EPS) / (D1[topic[j]] / n_docs))
               for i in range(1, len(topic)) for j in range(i)]  # fmt: skip
umass = float(np.mean(umass_terms))
print(f"UMass by hand: {umass:.6f} (mean of {len(umass_terms)} pairs)")

# %% [markdown]
# For NPMI we need the windows. A document shorter than the window is one window;
# a longer one has one window per start position. We count them the way gensim's
# `CoherenceModel` does, since that is the convention the library follows (and checks
# against): the window slides one token at a time, marking the entering token present
# and the leaving token absent. That last step marks a word absent even when another
# copy of it is still inside the window, until its next occurrence enters. It is a
# quirk of gensim's counter, small on real text, kept so the numbers agree.


# %%
def window_counts(token_texts, words, size=10):
    """(windows, how many windows hold each word, how many hold each pair)."""
    single = dict.fromkeys(words, 0)
    pair = dict.fromkeys(itertools.combinations(words, 2), 0)
    n_windows = 0

    def count(present):
        nonlocal n_windows
        n_windows += 1
        here = [w for w in words if w in present]
        for w in here:
            single[w] += 1
        for a, b in itertools.combinations(here, 2):  # in the order of `words`
            pair[a, b] += 1

    for text in token_texts:
        present = set(text[:size])
        count(present)
        for start in range(1, len(text) - size + 1):
            present.discard(text[start - 1])  # the token leaving (gensim's quirk)
            present.add(text[start + size - 1])  # the token entering
            count(present)
    return n_windows, single, pair


n_windows, single, pair = window_counts(token_texts, topic)
npmi_terms = []
for a, b in itertools.permutations(topic, 2):
    joint = (pair[a, b] if (a, b) in pair else pair[b, a]) / n_windows
    pa, pb = single[a] / n_windows, single[b] / n_windows
    npmi_terms.append(np.log((joint + EPS) / (pa * pb)) / -np.log(joint + EPS))
npmi = float(np.mean(npmi_terms))
print(f"NPMI by hand: {npmi:.6f} over {n_windows:,} windows")

# %% [markdown]
# **Now meet the library's version, checked equal.** `coherence(top_words, texts,
# measure)` counts with one sparse matrix product instead of loops, for many topics at
# once (`coherences`). Where gensim is installed, it is checked against gensim's
# `CoherenceModel` as well.

# %%
assert np.isclose(coherence(topic, token_texts, "u_mass"), umass, rtol=0, atol=1e-9)
assert np.isclose(coherence(topic, token_texts, "c_npmi"), npmi, rtol=0, atol=1e-9)
try:
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel
except ImportError:
    print("gensim is not installed: the check against it is skipped")
else:
    dictionary = Dictionary(token_texts)
    for measure, ours in (("u_mass", umass), ("c_npmi", npmi)):
        theirs = CoherenceModel(topics=[topic], texts=token_texts, dictionary=dictionary,
                                coherence=measure).get_coherence_per_topic()[0]  # fmt: skip
        assert np.isclose(theirs, ours, rtol=0, atol=1e-6), measure
    print("gensim's CoherenceModel agrees")
full.table({"UMass of the topic": umass, "NPMI of the topic": npmi},
           title="Coherence of one topic, by hand = the library's")  # fmt: skip

# %% [markdown]
# With the library's function, the two models of section 4 can be compared:

# %%
model_coherence = {}
for name, model_topics in (("LDA", lda_topics), ("NMF", nmf_topics)):
    for measure in ("u_mass", "c_npmi"):
        model_coherence[f"{name}: mean {measure}"] = float(np.mean(
            coherences(model_topics, token_texts, measure)))  # fmt: skip
full.table(model_coherence, title="Mean coherence of the ten topics of each model")
for measure in ("u_mass", "c_npmi"):
    ahead = max(("LDA", "NMF"), key=lambda name: full[f"{name}: mean {measure}"])
    print(f"more coherent by {measure}: {ahead} ({full.label})")

# %% [markdown]
# In the full run NMF's topics are the more coherent by both measures (the lines
# above). Its narrower topics gather words that really do occur together, in the same
# paragraphs (UMass) and within a few words of each other (NPMI); LDA's looser topics,
# with their speech-making words, pull the average down. The two measures count
# different things (whole paragraphs, ten-word windows) and need not agree in general.
#
# ## 6. Why perplexity misleads
#
# How many topics? A likelihood-minded answer: hold some paragraphs out, fit on the rest,
# and pick the number of topics that makes the held-out words most probable. The usual
# number is **perplexity**, $\exp(-\log p(\text{held-out words}) / \text{their count})$:
# lower is better. We measure it two ways: for Gibbs LDA from each held-out paragraph's
# topic mix, sampled with the topics fixed ("folding in"), the estimate the topic-model
# literature uses; for online LDA from its variational bound, the number scikit-learn
# reports. Beside it, the mean NPMI coherence of the topics' ten top words.
#
# **Predict, then run.** As the number of topics grows from 5 to 80, what happens to the
# held-out perplexity? And to the coherence of the topics?

# %%
order = np.random.default_rng(0).permutation(X.shape[0])
cut = int(0.8 * len(order))
train, held_out = np.sort(order[:cut]), np.sort(order[cut:])
ks = [5, 10, 20] if QUICK else [5, 10, 20, 40, 80]
sweeps = dict(n_iter=40, burn_in=20) if QUICK else dict(n_iter=150, burn_in=100)
curve = {"k": ks}
for name in ("gibbs", "online"):
    curve[f"{name} perplexity"], curve[f"{name} npmi"] = [], []
    for k in ks:
        if name == "gibbs":
            model = LDA(n_topics=k, method="gibbs", alpha=0.1, eta=0.01, seed=0, **sweeps)
        else:
            model = LDA(n_topics=k, method="online", seed=0, max_iter=3 if QUICK else 10)
        model.fit(X[train], feature_names=words)
        curve[f"{name} perplexity"].append(model.perplexity(X[held_out]))
        npmi_k = np.mean(coherences(model.top_words(10), token_texts, "c_npmi"))
        curve[f"{name} npmi"].append(float(npmi_k))
full.keep("k curve", curve)
print(f"{'topics':>6}  Gibbs: perplexity  NPMI    online: perplexity  NPMI")
for i, k in enumerate(ks):
    print(
        f"{k:>6}  {curve['gibbs perplexity'][i]:17.0f}  {curve['gibbs npmi'][i]:5.3f}"
        f"  {curve['online perplexity'][i]:18.0f}  {curve['online npmi'][i]:5.3f}"
    )

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
runs = [(curve, "this run", "-")] + ([(full["k curve"], full.label, ":")] if QUICK else [])
for data, label, style in runs:
    for name, colour in (("gibbs", "tab:purple"), ("online", "tab:green")):
        left.plot(data["k"], data[f"{name} perplexity"], marker="o", color=colour,
                  linestyle=style, label=f"{name} LDA ({label})")  # fmt: skip
        right.plot(data["k"], data[f"{name} npmi"], marker="s", color=colour,
                   linestyle=style, label=f"{name} LDA ({label})")  # fmt: skip
for ax in (left, right):
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(full["k curve"]["k"], [str(k) for k in full["k curve"]["k"]])
    ax.set_xlabel("number of topics (log scale)")
    ax.legend(fontsize=8)
left.set_yscale("log")
left.set_ylabel("held-out perplexity (lower is better)")
left.set_title("Held-out perplexity")
right.set_ylabel("mean NPMI of the top words (higher is better)")
right.set_title("Coherence of the topics")
fig.suptitle("Choosing the number of topics of the State of the Union paragraphs")
fig.tight_layout()
plt.show()

# %%
stored = full["k curve"]
directions = {
    "Gibbs perplexity falls at every step": bool(np.all(np.diff(stored["gibbs perplexity"]) < 0)),
    "Gibbs: topics with the lowest perplexity": stored["k"][int(np.argmin(stored["gibbs perplexity"]))],
    "Gibbs: topics with the highest NPMI": stored["k"][int(np.argmax(stored["gibbs npmi"]))],
    "online: topics with the lowest perplexity": stored["k"][int(np.argmin(stored["online perplexity"]))],
    "online: topics with the highest NPMI": stored["k"][int(np.argmax(stored["online npmi"]))],
}  # fmt: skip
for key, value in directions.items():
    print(f"{key:<42} {value}   ({full.label})")

# %% [markdown]
# In the full run (the lines above), the Gibbs model's held-out perplexity keeps
# falling as topics are added, all the way to 80: more topics always fit the held-out
# words a little better. Its coherence does not follow: it is highest with few topics
# and drifts down. The online model's perplexity moves the other way and rises with the
# number of topics: it comes from a bound on the likelihood, not from the likelihood
# itself, and the bound does not track the held-out fit the same way. So the same
# question gets opposite answers from two estimates of one quantity, and neither answer
# is about what a reader sees.
#
# Perplexity rewards spreading probability sensibly over every word of held-out text,
# the thousands of words no reader looks at included; coherence looks only at the top
# words a reader reads. Chang and others ("Reading tea leaves", 2009) asked people to
# judge topics and found that models with better held-out likelihood often had topics
# people found *less* interpretable. Choose the number of topics by reading them and by
# coherence; use perplexity to compare fits of one model and one estimate, not to pick
# what people will read.
#
# ## 7. The command that does it all
#
# From a terminal, `journey topics --dataset state_union --k 10` does sections 3 to 5
# in one command: it cuts the addresses into paragraphs, fits the topics (NMF on TF-IDF
# by default; `--method lda` for online LDA, `--method gibbs` for Gibbs LDA), prints each
# topic's top words with its NPMI coherence, and writes `topics.json` and a heat map of
# each year's topic shares into `runs/topics-state_union` (`--force` replaces an earlier
# run there). `--dataset brown` does the same for Brown's files, by genre.
#
# ## Summary
#
# - LDA is a story of how documents are written: topics are distributions over words,
#   documents are mixes of topics, and every word is drawn from one topic of its
#   document's mix. Small $\alpha$ makes documents lean on few topics.
# - Collapsed Gibbs sampling runs the story backwards with three count tables: take a
#   token out, score each topic by how much the document likes it times how much it
#   likes the word, draw, put the token back. On a planted corpus the chain finds the
#   topics within a few dozen sweeps.
# - On the State of the Union paragraphs, online variational LDA finds readable
#   subjects, and their weight by year follows the history of the period. NMF on
#   TF-IDF finds many of the same subjects, often narrower.
# - Coherence (UMass over documents, NPMI over windows) measures whether a topic's top
#   words belong together. Held-out perplexity measures something else: it keeps
#   improving with more topics (Gibbs) or worsens (the variational bound) while
#   coherence peaks early, so it is a poor guide to the number of topics.
#
# Next: exercise 2.3 asks you to write one collapsed Gibbs sweep (`journey check 2.3`),
# graded on fresh random corpora and on real State of the Union tokens.
