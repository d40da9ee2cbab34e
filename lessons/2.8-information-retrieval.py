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
# # 2.8 Information retrieval: inverted index, BM25, evaluation, dense and hybrid search
#
# A search engine takes a few words and returns, out of many documents, the handful most
# likely to answer them, in order. This lesson builds one on **Cranfield**, a collection
# made in the 1960s for exactly this purpose: 1,400 abstracts of aeronautics papers, 225
# questions engineers asked, and for each question a list of the abstracts that answer it,
# graded by how well. You build each piece yourself, then meet the library's version,
# checked equal:
#
# 1. the collection: documents, queries and graded judgements;
# 2. from grep to an **inverted index**: scanning every document per query against
#    reading only the lists of the documents that hold the query's words;
# 3. ranking by **TF-IDF** cosine;
# 4. **BM25**, term by term: its idf, term-frequency saturation (`k1`) and length
#    normalisation (`b`), each with a plot;
# 5. **evaluation** with the judgements: P@10, average precision, reciprocal rank and
#    nDCG@10, by hand; why graded relevance matters;
# 6. **query expansion** with RM3: a query it helps and one it hurts;
# 7. **dense search** with a sentence encoder (all-MiniLM-L6-v2), exact and approximate
#    (IVF), and **hybrid** ranking by reciprocal rank fusion;
# 8. where each system wins on Cranfield, query by query.
#
# Look for **Predict, then run** questions: answer them in your head before you run the
# next cell. Two cells are **exercises** with a check cell under each; the lesson runs on
# while they are unsolved.
#
# Set `JOURNEY_QUICK=1` for a fast run: the lexical systems still run on all of
# Cranfield, but the sentence encoder embeds only a few abstracts. Every number the prose
# talks about is printed by a code cell: `scripts/run_lessons.py` ran this lesson in full
# once and stored its numbers in `lessons/results/2.8/`, and the cells print them beside
# your run's.

# %%
import math
import os
import re
import time
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np

from nlpjourney.course import check
from nlpjourney.course.results import FullRun
from nlpjourney.course.retrieval_diagrams import inverted_index_figure
from nlpjourney.data import corpora
from nlpjourney.evaluate import ir
from nlpjourney.retrieval import (
    BM25,
    IVFIndex,
    InvertedIndex,
    exact_search,
    reciprocal_rank_fusion,
)
from nlpjourney.text import PorterStemmer

try:  # shows a bare matplotlib Figure in a notebook; a script prints instead
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("2.8")  # the stored full run of this lesson: its numbers, beside this run's
np.set_printoptions(precision=3, suppress=True)
METRICS = ("map", "ndcg_cut_10", "recip_rank", "P_10")  # trec_eval's names
DEPTH = 1000  # documents retrieved per query for evaluation, as trec_eval's runs keep


def results_table(title, rows, key):
    """Print MAP, nDCG@10, MRR and P@10 of each system: this run's beside the full run's.

    ``rows`` maps a system's name to its mean metrics (``ir.mean`` of ``ir.evaluate``),
    or to None when this run did not run the system (quick mode).
    """
    full.keep(key, {name: m for name, m in rows.items() if m is not None})
    stored = full[key]
    mode = "this run (quick)" if QUICK else "this run"
    print(f"{title}\n{'':<16}{mode:>34}   {full.label}")
    print(f"{'':<16}{'MAP  nDCG@10  MRR   P@10':>34}   {'MAP  nDCG@10  MRR   P@10'}")

    def cells(m):
        return "     (not run)" if m is None else "  ".join(f"{m[k]:.3f}" for k in METRICS)

    for name in list(rows) + [n for n in stored if n not in rows]:
        print(f"{name:<16}{cells(rows.get(name)):>34}   {cells(stored.get(name))}")


# %% [markdown]
# ## 1. The collection: documents, queries, judgements
#
# An IR test collection has three parts: the documents, the queries, and the **qrels**
# (query relevance judgements): for each query, which documents a person judged relevant,
# and how much. Cranfield grades its judgements from 1 (of minimum interest) to 4 (a
# complete answer); a higher grade is better. A document without a judgement for a query
# counts as not relevant to it.

# %%
cran = corpora.cranfield()
doc_ids = [doc_id for doc_id, _, _ in cran.documents]  # Cranfield's own ids, as strings
titles = [title for _, title, _ in cran.documents]
texts = [text for _, _, text in cran.documents]
query_ids = [qid for qid, _ in cran.queries]
query_texts = [text for _, text in cran.queries]
qrels = cran.qrels  # query id -> {document id -> grade}
N = len(texts)
grades = Counter(g for judged in qrels.values() for g in judged.values())
print(f"{N:,} documents, {len(query_ids)} queries, "
      f"{sum(grades.values()):,} judgements; grades: {dict(sorted(grades.items()))}")  # fmt: skip
print(f"judged documents per query: from {min(map(len, qrels.values()))} to "
      f"{max(map(len, qrels.values()))}, {np.mean([len(j) for j in qrels.values()]):.1f} on average")  # fmt: skip
print(f"\nquery {query_ids[0]}: {query_texts[0]}")
best = max(qrels[query_ids[0]].items(), key=lambda item: item[1])
print(f"judged {best[1]} for it, document {best[0]}: {texts[doc_ids.index(best[0])][:300]}...")

# %% [markdown]
# Documents and queries become lists of **terms** the way topic 1.2 taught: lower-case,
# tokens of two or more letters or digits, English stop words dropped, and the Porter
# stemmer, so that *flows*, *flowing* and *flow* meet as one term. A query must be
# analysed exactly like the documents, or its terms will not match theirs.

# %%
TOKEN = re.compile(r"(?u)\b\w\w+\b")
STOP = set(corpora.stopword_list("english"))
stemmer = PorterStemmer()
stems = {}  # each distinct token is stemmed once


def analyze(text):
    """Text -> terms: lower-case, tokens, stop words out, Porter stems."""
    out = []
    for token in TOKEN.findall(text.lower()):
        if token not in STOP:
            if token not in stems:
                stems[token] = stemmer.stem(token)
            out.append(stems[token])
    return out


doc_terms = [analyze(text) for text in texts]
query_terms = [analyze(text) for text in query_texts]
lengths = np.array([len(terms) for terms in doc_terms])
print(f"query {query_ids[0]} as terms: {query_terms[0]}")
print(f"document lengths in terms: median {np.median(lengths):.0f}, from {lengths.min()} "
      f"to {lengths.max()}; {int((lengths == 0).sum())} documents are empty")  # fmt: skip

# %% [markdown]
# ## 2. From grep to an inverted index
#
# The plainest search reads every document and keeps those that contain a query term:
# that is what `grep` does with a file. It needs no preparation, and its work is the
# whole collection for every query.

# %%
doc_sets = [set(terms) for terms in doc_terms]


def grep(query):
    """Every document that contains at least one term of ``query``: reads all of them."""
    wanted = set(query)
    return [d for d in range(len(doc_sets)) if doc_sets[d] & wanted]


hits = grep(query_terms[0])
print(f"grep read {N:,} documents to find the {len(hits)} that contain a term of query "
      f"{query_ids[0]}")  # fmt: skip

# %% [markdown]
# An **inverted index** turns the collection around once, ahead of any query: for every
# term, the list of documents that contain it, with how often (the term frequency, tf).
# Each list is a **postings list**, kept in document order. A query then reads only the
# postings of its own terms. Here is the structure for five made-up abstracts of a few
# terms each, with the two rows a query for *lift slipstream* reads:

# %%
toy = [["wing", "lift", "slipstream", "wing"], ["flow", "wing", "pressur"],
       ["flow", "lift", "flow", "boundari", "layer"], ["heat", "transfer", "boundari", "layer"],
       ["lift", "slipstream", "propel"]]  # fmt: skip
display(inverted_index_figure(toy, query=["lift", "slipstream"]))

# %% [markdown]
# Building it is one pass over the collection: count each document's terms, and append
# `(document, tf)` to the list of each term it holds. Because the documents are visited
# in order, every list comes out sorted by document.

# %%
postings = {}  # term -> [(doc, tf), ...], doc increasing
for d, terms in enumerate(doc_terms):
    for term, tf in Counter(terms).items():
        postings.setdefault(term, []).append((d, tf))


def lookup(query):
    """The documents that contain at least one term of ``query``, from the postings."""
    return sorted({d for term in set(query) for d, _ in postings.get(term, [])})


assert all(lookup(q) == grep(q) for q in query_terms)  # the same answers as grep
touched = sum(len(postings.get(t, [])) for t in set(query_terms[0]))
print(f"{len(postings):,} distinct terms; query {query_ids[0]} reads {touched} postings "
      f"instead of {N:,} documents")  # fmt: skip

# %% [markdown]
# **Predict, then run.** Make the collection twice as large, with documents like the
# ones it has. How much more work does a query cost grep? And the index: does its work
# stay the same, or grow too?
#
# The next cell builds both on growing parts of Cranfield (the first 175, 350, 700 and
# 1,400 abstracts) and runs every query against each, counting the documents each method
# reads per query and timing them.

# %%
SIZES = [175, 350, 700, 1400]
timed_queries = query_terms[:60] if QUICK else query_terms
growth = {"documents read, grep": [], "postings read, index": [], "ms per query, grep": [],
          "ms per query, index": []}  # fmt: skip
for size in SIZES:
    part_sets = doc_sets[:size]
    part = {}
    for d, terms in enumerate(doc_terms[:size]):
        for term, tf in Counter(terms).items():
            part.setdefault(term, []).append((d, tf))
    started = time.perf_counter()
    for q in timed_queries:
        wanted = set(q)
        [d for d in range(size) if part_sets[d] & wanted]
    grep_ms = (time.perf_counter() - started) * 1e3 / len(timed_queries)
    started = time.perf_counter()
    for q in timed_queries:
        {d for term in set(q) for d, _ in part.get(term, [])}
    index_ms = (time.perf_counter() - started) * 1e3 / len(timed_queries)
    read = np.mean([sum(len(part.get(t, [])) for t in set(q)) for q in timed_queries])
    for name, value in zip(growth, (size, read, grep_ms, index_ms), strict=True):
        growth[name].append(float(value))
full.keep("growth", growth)
for i, size in enumerate(SIZES):
    print(f"{size:>5} documents: grep reads {size:>5}, the index {growth['postings read, index'][i]:6.0f}"
          f" postings; {growth['ms per query, grep'][i]:.3f} ms vs "
          f"{growth['ms per query, index'][i]:.3f} ms per query")  # fmt: skip


# %%
def plot_growth(growth, label):
    """Work per query against the collection's size: documents read, and time."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, unit in ((left, "read"), (right, "ms per query")):
        for method, colour in (("grep", "tab:red"), ("index", "tab:blue")):
            name = next(n for n in growth if unit in n and n.endswith(method))
            ax.plot(SIZES, growth[name], "o-", color=colour, label=name.split(",")[0]
                    + f" ({method})")  # fmt: skip
        ax.set_xlabel("documents in the collection")
        ax.legend()
    left.set_ylabel("documents or postings read per query")
    left.set_title(f"work per query ({label})")
    right.set_ylabel("milliseconds per query")
    right.set_title(f"time per query ({label})")
    fig.tight_layout()
    plt.show()


plot_growth(growth, "this run")
if QUICK:
    plot_growth(full["growth"], full.label)

# %% [markdown]
# Both lines grow in step with the collection: a collection twice as large, made of
# similar documents, holds about twice as many documents with each query term. What the
# index changes is the slope. Grep reads every document; the index reads only the
# postings of the query's terms, and most terms occur in few documents, so its line lies
# far below. The cell under this one prints the ratio at full size. Real engines go
# further: they stop reading a long postings list once no remaining document can enter
# the top 10 (WAND, block-max), which this lesson does not do.

# %%
at_full = {name: values[-1] for name, values in growth.items()}
print(f"at {SIZES[-1]:,} documents the index reads "
      f"{at_full['postings read, index'] / at_full['documents read, grep']:.0%} of what grep reads "
      f"(full run: {full['growth']['postings read, index'][-1] / SIZES[-1]:.0%})")  # fmt: skip

# %% [markdown]
# ### Exercise 1: documents that hold every query term
#
# `lookup` answers an OR query: a document needs only one of the terms. An AND query
# wants the documents that hold all of them. With two postings lists sorted by document,
# you can find the common documents in one walk down both lists at once, without sets:
# look at the front of each, and move forward the list whose front document is smaller.
# Write it: return the sorted list of documents that are in both postings lists.


# %%
def intersect(first, second):
    """The documents in both postings lists (each a list of (doc, tf), doc increasing)."""
    return []  # your code


# %%
a, b = postings[stems["flow"]], postings[stems["wing"]]
check("intersect: flow AND wing", intersect(a, b),
      sorted({d for d, _ in a} & {d for d, _ in b}),
      hint="two positions, one per list; when the fronts hold the same document, keep it "
           "and move both; otherwise move the one with the smaller document")  # fmt: skip

# %% [markdown]
# Now the library's version. `InvertedIndex` keeps the same postings, in NumPy arrays
# instead of Python lists (one array of documents and one of term frequencies for the
# whole collection, cut into lists by offsets), which it can save to disk and open again
# memory-mapped. Built from our terms, its postings equal ours, list for list.

# %%
index = InvertedIndex.build(doc_terms)
for term, plist in postings.items():
    docs_of, tfs_of = index.postings(term)
    assert docs_of.tolist() == [d for d, _ in plist] and tfs_of.tolist() == [t for _, t in plist]
print(f"the library's index: {index.n_terms:,} terms, {len(index.doc_ids):,} postings; "
      "every postings list equals ours")
library_index = InvertedIndex.from_texts(texts)  # analyses the texts itself, as we did
assert library_index.analyze(query_texts[0]) == query_terms[0]

# %% [markdown]
# ## 3. Ranking by TF-IDF
#
# A user reads the first results, not a set of hundreds. So the engine must **rank**:
# give each document a score for the query and sort. Topic 1.3's TF-IDF vectors give one.
# Each document is a vector with one weight per term, `tf * idf`, where
# `idf = ln((1 + N) / (1 + df)) + 1` is large for a term in few documents (`df` of them)
# and small for a common one; the vector is divided by its length. The query becomes a
# vector the same way, and the score is the cosine of the two: the sum, over the query's
# terms, of the query's weight times the document's weight.
#
# The postings give the document weights without ever building a full matrix: each
# document's length needs its own terms once, and a query then reads only its terms'
# postings, adding each posting's share into an **accumulator** per document. This is
# *term-at-a-time* scoring.

# %%
df = {term: len(plist) for term, plist in postings.items()}
idf_tfidf = {term: math.log((1 + N) / (1 + n)) + 1 for term, n in df.items()}
norms = np.zeros(N)
for term, plist in postings.items():
    for d, tf in plist:
        norms[d] += (tf * idf_tfidf[term]) ** 2
norms = np.sqrt(norms)


def tfidf_scores(query):
    """The cosine of the query's TF-IDF vector with every document's: an array of N."""
    weights = {t: tf * idf_tfidf[t] for t, tf in Counter(query).items() if t in postings}
    q_norm = math.sqrt(sum(w * w for w in weights.values()))
    scores = np.zeros(N)
    for term, q_weight in weights.items():
        for d, tf in postings[term]:
            scores[d] += q_weight * tf * idf_tfidf[term]
    return scores / np.where(norms > 0, norms, 1) / (q_norm or 1)


def top(scores, k=10):
    """The k best documents, best first; equal scores go to the lower document."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    return order[:k]


def show_ranking(q, ranked, scores, k=5):
    judged = qrels[query_ids[q]]
    print(f"query {query_ids[q]}: {query_texts[q]}")
    for rank, d in enumerate(ranked[:k], 1):
        grade = judged.get(doc_ids[d], "-")
        print(f"  {rank}. doc {doc_ids[d]:>4}  score {scores[d]:.3f}  grade {grade}  {titles[d][:60]}")


scores = tfidf_scores(query_terms[0])
show_ranking(0, top(scores), scores)

# %% [markdown]
# ## 4. BM25, term by term
#
# TF-IDF lets a term's weight grow with every repeat: a document that says *slipstream*
# ten times gets ten times the weight of one that says it once. BM25 (Robertson and
# others, 1994) keeps the idea and changes that: a document's score for the query is a
# sum over the query's terms of
#
# $$\mathrm{idf}(t) \cdot \frac{tf}{tf + k_1 \left(1 - b + b \, \frac{|d|}{\mathrm{avgdl}}\right)}$$
#
# where $|d|$ is the document's length in terms and avgdl the average length. Three
# pieces, each with a job:
#
# - **idf**: Lucene's BM25 uses $\ln\left(1 + \frac{N - df + 0.5}{df + 0.5}\right)$,
#   close to $\ln(N / df)$ for rare terms and near 0 for a term in every document;
# - **saturation**: $tf / (tf + k_1)$ rises quickly at first and then flattens towards
#   1; $k_1$ sets how fast (it is half way at $tf = k_1$);
# - **length normalisation**: a long document says every term more often just because it
#   is long; $b$ sets how much its length counts against it, from 0 (not at all) to 1
#   (in full proportion).
#
# (There are several BM25 formulas; this is the one Lucene and Elasticsearch use,
# without the factor $k_1 + 1$ on top, which scales every score alike and so changes no
# ranking.)
#
# **Predict, then run.** Two documents of average length; one says *slipstream* once,
# the other ten times. With $k_1 = 1.5$, how many times the first one's score for that
# term does the second get: about 10, about 2, or exactly 1?

# %%
K1, B = 1.5, 0.75
avgdl = lengths.mean()


def bm25_idf_lucene(n):
    return math.log(1 + (N - n + 0.5) / (n + 0.5))


def saturation(tf, length, k1=K1, b=B):
    return tf / (tf + k1 * (1 - b + b * length / avgdl))


once, ten = saturation(1, avgdl), saturation(10, avgdl)
print(f"tf part: once {once:.3f}, ten times {ten:.3f}: ratio {ten / once:.2f} (TF-IDF: 10)")

# %% [markdown]
# The three pieces as curves. Left: idf against the number of documents that hold the
# term, for TF-IDF and BM25. Middle: the tf part for a document of average length, for
# several $k_1$. Right: the tf part of a term said twice, against the document's length,
# for several $b$.

# %%
fig, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 3.8))
dfs = np.arange(1, N + 1)
left.plot(dfs, [math.log((1 + N) / (1 + n)) + 1 for n in dfs], label="TF-IDF: ln((1+N)/(1+df)) + 1")
left.plot(dfs, [bm25_idf_lucene(n) for n in dfs], label="BM25 (Lucene)")
left.set_xscale("log")
left.set_xlabel("documents holding the term (df, log scale)")
left.set_ylabel("idf")
left.set_title(f"idf on Cranfield (N = {N:,})")
left.legend(fontsize=8)
tfs = np.arange(0, 21)
for k1 in (0.5, 1.2, 1.5, 3.0):
    middle.plot(tfs, [saturation(t, avgdl, k1=k1) for t in tfs], label=f"k1 = {k1}")
middle.set_xlabel("term frequency in the document (tf)")
middle.set_ylabel("tf part")
middle.set_title("saturation: repeats count less and less")
middle.legend(fontsize=8)
doc_lengths = np.linspace(10, 4 * avgdl, 60)
for b in (0.0, 0.25, 0.75, 1.0):
    right.plot(doc_lengths, [saturation(2, n, b=b) for n in doc_lengths], label=f"b = {b}")
right.axvline(avgdl, color="grey", linestyle=":", label="average length")
right.set_xlabel("document length in terms |d|")
right.set_ylabel("tf part of tf = 2")
right.set_title("length normalisation (k1 = 1.5)")
right.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# At $k_1 = 1.5$ the tenth repeat adds little: the second document scores about twice the
# first, not ten times. Large $k_1$ lets repeats count for longer (in the limit, raw tf);
# $k_1 = 0$ ignores them (only whether the term is there counts). All curves on the right
# cross at the average length, where the normalisation is 1 whatever $b$ is: $b$ only
# moves documents longer or shorter than average.
#
# Now the whole score, over the postings, term at a time as before. A query term said
# twice counts twice, as in bm25s and Lucene.

# %%
idf_bm25 = {term: bm25_idf_lucene(n) for term, n in df.items()}


def bm25_scores(query, k1=K1, b=B):
    """BM25 (Lucene's idf, no k1 + 1 factor) of every document for ``query``."""
    scores = np.zeros(N)
    for term in query:  # a repeated query term adds its score again
        for d, tf in postings.get(term, []):
            scores[d] += idf_bm25[term] * saturation(tf, lengths[d], k1, b)
    return scores


scores = bm25_scores(query_terms[0])
show_ranking(0, top(scores), scores)

# %% [markdown]
# The library's `BM25` scores the same way, but vectorised: it computes every posting's
# score once at indexing time, so a query only sums a few precomputed arrays, and it picks
# the top k by partial selection instead of sorting all documents. For every query, its
# top 10 must be our top 10, with the same scores.

# %%
bm25 = BM25(k1=K1, b=B, method="lucene").index(doc_terms)
worst = 0.0
for q, terms in enumerate(query_terms):
    ours = bm25_scores(terms)
    ids, their_scores = bm25.search(terms, k=10)
    assert ids.tolist() == top(ours).tolist(), f"query {query_ids[q]}: another top 10"
    worst = max(worst, float(np.abs(their_scores - ours[ids]).max()))
print(f"all {len(query_terms)} queries: the same top 10; largest score difference {worst:.1e}")

# %% [markdown]
# ## 5. Evaluation with real judgements
#
# Is BM25 better than TF-IDF? A few eyeballed results cannot tell; the judgements can.
# Four measures, each of one query's ranking, then averaged over the queries (a document
# counts as **relevant** when its grade is at least 1):
#
# - **P@10**, precision at 10: the share of the first 10 results that are relevant;
# - **AP**, average precision: walk down the ranking, and at each relevant document note
#   the precision so far; AP is the mean of those over *all* the query's relevant
#   documents, so one never retrieved adds 0. Its mean over queries is **MAP**;
# - **RR**, reciprocal rank: 1 / the rank of the first relevant document. Its mean is
#   **MRR**: how soon the first useful answer comes;
# - **nDCG@10**: each result earns its *grade* as gain, discounted by its rank,
#   $\mathrm{DCG@10} = \sum_{i=1}^{10} \mathrm{grade}_i / \log_2(i + 1)$, divided by
#   the DCG of the best possible ranking of the query's judged documents (the ideal
#   DCG), so 1 is perfect. It is the only one of the four that reads the grades.
#
# By hand, for one query's BM25 ranking:

# %%
q = 0
judged = qrels[query_ids[q]]
ranking = [doc_ids[d] for d in top(bm25_scores(query_terms[q]), k=DEPTH)]
relevant = {doc for doc, grade in judged.items() if grade >= 1}
hits_at = [doc in relevant for doc in ranking]

p10 = sum(hits_at[:10]) / 10
precisions = [sum(hits_at[: i + 1]) / (i + 1) for i, hit in enumerate(hits_at) if hit]
ap = sum(precisions) / len(relevant)
rr = next((1 / (i + 1) for i, hit in enumerate(hits_at) if hit), 0.0)
dcg = sum(judged.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:10]))
ideal = sorted((g for g in judged.values() if g > 0), reverse=True)
idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal[:10]))
ndcg = dcg / idcg
print(f"query {query_ids[q]}: {len(relevant)} relevant documents; relevant in the top 10 at "
      f"ranks {[i + 1 for i, hit in enumerate(hits_at[:10]) if hit]}")  # fmt: skip
print(f"P@10 {p10:.3f}  AP {ap:.3f}  RR {rr:.3f}  nDCG@10 {ndcg:.3f}")

# %% [markdown]
# `nlpjourney.evaluate.ir` has each of them, and its own tests hold it equal to
# `trec_eval` (through `pytrec_eval`), the program IR research reports its numbers with.
# Ours agree with it:

# %%
assert math.isclose(p10, ir.precision_at_k(ranking, judged, k=10))
assert math.isclose(ap, ir.average_precision(ranking, judged))
assert math.isclose(rr, ir.reciprocal_rank(ranking, judged))
assert math.isclose(ndcg, ir.ndcg_at_k(ranking, judged, k=10))
assert math.isclose(dcg, ir.dcg_at_k([judged.get(doc, 0) for doc in ranking], k=10))
print("P@10, AP, RR, nDCG@10 and DCG@10 equal the library's")

# %% [markdown]
# `ir.evaluate` takes a whole **run** (for each query, its retrieved documents and their
# scores) in the shape trec_eval reads, ranks each query's documents by score itself, and
# `ir.mean` averages over the queries. The first table compares TF-IDF with BM25 and its
# variants (the idf and tf formulas differ a little; the docstring of
# `nlpjourney.retrieval.scoring` gives them).


# %%
def run_of(ids, scores):
    """A run in trec_eval's shape from search_many's (Q, k) arrays."""
    return {qid: {doc_ids[d]: float(s) for d, s in zip(row, row_scores, strict=True)}
            for qid, row, row_scores in zip(query_ids, ids, scores, strict=True)}  # fmt: skip


def tfidf_run(k=DEPTH):
    run = {}
    for qid, terms in zip(query_ids, query_terms, strict=True):
        scores = tfidf_scores(terms)
        run[qid] = {doc_ids[d]: float(scores[d]) for d in top(scores, k)}
    return run


runs = {"TF-IDF": tfidf_run()}
for method in ("lucene", "robertson", "atire", "bm25l", "bm25+"):
    ranker = BM25(k1=K1, b=B, method=method).index(doc_terms)
    runs[f"BM25 {method}"] = run_of(*ranker.search_many(query_terms, k=DEPTH))
per_query = {name: ir.evaluate(run, qrels, METRICS) for name, run in runs.items()}
results_table("mean over Cranfield's 225 queries", {name: ir.mean(pq) for name, pq in per_query.items()},
              "lexical table")  # fmt: skip

# %% [markdown]
# **Predict, then run.** Take one query's BM25 ranking and swap two of its relevant
# documents in the top 10: the one with the highest grade and the one with the lowest.
# Which of P@10, AP and nDCG@10 change?

# %%
q = next(i for i, qid in enumerate(query_ids)
         if len({g for d, g in qrels[qid].items() if d in runs["BM25 lucene"][qid]}) >= 3)  # fmt: skip
judged = qrels[query_ids[q]]
ranking = ir.rank_run(runs["BM25 lucene"][query_ids[q]])
in_top = [(i, judged[doc]) for i, doc in enumerate(ranking[:10]) if judged.get(doc, 0) >= 1]
hi = max(in_top, key=lambda pair: pair[1])[0]
lo = min(in_top, key=lambda pair: pair[1])[0]
swapped = list(ranking)
swapped[hi], swapped[lo] = swapped[lo], swapped[hi]
for name, r in (("BM25's ranking", ranking), ("with the two swapped", swapped)):
    print(f"{name:>22}: grades of the top 10 {[judged.get(d, 0) for d in r[:10]]}  "
          f"P@10 {ir.precision_at_k(r, judged):.3f}  AP {ir.average_precision(r, judged):.3f}  "
          f"nDCG@10 {ir.ndcg_at_k(r, judged):.3f}")  # fmt: skip

# %% [markdown]
# P@10 counts relevant documents and does not look at their places, so it cannot move. AP
# looks at the places of relevant documents but not at their grades: when both are
# relevant, swapping them leaves every precision the same. Only nDCG reads the grades, and
# it drops when the complete answer moves down. On a collection with graded judgements, a
# system that puts the best answers first is told apart from one that merely finds
# relevant ones only by a graded measure.
#
# ### Exercise 2: recall at k
#
# Recall@k is the share of the query's relevant documents (grade at least 1) found in the
# first k results; a query with no relevant document has recall 0. Write it for one
# query's ranking (document ids, best first) and judgements (document id -> grade).


# %%
def recall_at_k(ranking, judged, k):
    """Relevant documents in ranking[:k], divided by all relevant documents of the query."""
    return 0.0  # your code


# %%
mine = [recall_at_k(ir.rank_run(runs["BM25 lucene"][qid]), qrels[qid], 100) for qid in query_ids]
library = [ir.recall_at_k(ir.rank_run(runs["BM25 lucene"][qid]), qrels[qid], 100)
           for qid in query_ids]  # fmt: skip
check("recall_at_k: BM25's recall@100 on every query", mine, library,
      hint="count the relevant documents (grade 1 or more) among the first k; divide by how "
           "many relevant documents the judgements list for the query")  # fmt: skip
print(f"BM25's mean recall@100: {np.mean(library):.3f}")
