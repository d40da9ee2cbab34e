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
# # 2.2 Text clustering: k-means and agglomerative clustering
#
# Clustering sorts documents into groups without being told what the groups are. No
# labels go in: the only thing the algorithm sees is how close documents are to each
# other. This lesson builds the two classic methods from the bottom up on files of the
# Brown corpus, and you write every piece before the library's version is brought in
# and checked equal to yours:
#
# 1. documents as vectors: TF-IDF rows of unit length, and what distance between them
#    means;
# 2. **k-means** by hand in NumPy: the assignment step, the update step, the inertia after
#    each of them, and pictures of the first iterations in two dimensions;
# 3. a bad start, and **k-means++** as the fix;
# 4. Euclidean against cosine: **spherical k-means**;
# 5. choosing k: the elbow of the inertia, and the silhouette;
# 6. **agglomerative** (hierarchical) clustering with single, complete, average and Ward
#    linkage, and its dendrogram;
# 7. scoring clusters against known labels: purity from the contingency table, then
#    normalised mutual information (NMI) and the adjusted Rand index (ARI);
# 8. all 500 Brown files in 15 clusters, and the top terms of each;
# 9. the command that does all of it.
#
# Look for **Predict, then run** questions: answer them in your head before you run the
# next cell. Two cells are **exercises** with a check cell under each; the lesson runs on
# while they are unsolved.
#
# Set `JOURNEY_QUICK=1` for a fast run with fewer restarts and fewer values of k. Every
# number the prose talks about is printed by a code cell: `scripts/run_lessons.py` ran
# this lesson in full once and stored its numbers in `lessons/results/2.2/`, and the
# cells print them beside your run's.

# %%
import os
import tempfile
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp

from nlpjourney.cluster import (
    AgglomerativeClustering,
    KMeans,
    SphericalKMeans,
    adjusted_rand_index,
    contingency_matrix,
    normalized_mutual_info,
    plot_dendrogram,
    purity,
    silhouette_score,
)
from nlpjourney.course import check
from nlpjourney.course.cluster_diagrams import lloyd_loop
from nlpjourney.course.results import FullRun
from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml import PCA
from nlpjourney.ml.kmeans import kmeans_plusplus as library_plusplus

try:  # shows a bare matplotlib Figure or a PNG in a notebook; a script prints instead
    from IPython.display import Image, display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display, Image = print, str

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("2.2")  # the stored full run of this lesson: its numbers, beside this run's
np.set_printoptions(precision=3, suppress=True)
WORK = tempfile.mkdtemp(prefix="lesson-2.2-")  # the dendrogram's PNG

# %% [markdown]
# ## 1. Documents as vectors
#
# The Brown corpus (1961) holds 500 samples of about 2,000 words each, from 15 genres. We
# start small enough to look at every document: the first 12 files of three genres,
# government documents, adventure stories and religious writing. The genres stay hidden
# from the clustering; we keep them only to see afterwards what the clusters found.
#
# Each document becomes a TF-IDF row (lesson 1.3): one column per word seen in at least
# two of the files, English stop words left out, each count weighted by how rare the
# word is across the files, and each row scaled to length 1.

# %%
GENRES = ["government", "adventure", "religion"]
small = [doc for genre in GENRES for doc in corpora.brown_documents(genre)[:12]]
small_genre = np.array([genre for _, genre, _ in small])
vectorizer = TfidfVectorizer(stop_words="english", min_df=2)
X = vectorizer.fit_transform([" ".join(words) for _, _, words in small])  # sparse (36, V)
terms = vectorizer.get_feature_names_out()
print(f"X: {X.shape[0]} documents x {X.shape[1]} words, {X.nnz} nonzeros (sparse)")
for i in (0, 12, 24):
    row = X[i].toarray().ravel()
    print(f"{small[i][0]} ({small_genre[i]}): " + ", ".join(terms[np.argsort(row)[::-1][:6]]))

# %% [markdown]
# Every row has length 1, so the squared Euclidean distance between two documents is
# $\lVert x - y\rVert^2 = \lVert x\rVert^2 - 2\,x\cdot y + \lVert y\rVert^2 = 2 - 2\cos(x, y)$:
# near documents are those with a large cosine similarity, those that share many of their
# heavy words. Two documents of one genre share some of them; two documents of different
# genres share fewer.

# %%
gram = (X @ X.T).toarray()  # all cosines at once: the rows have length 1
same = small_genre[:, None] == small_genre[None, :]
off_diagonal = ~np.eye(len(small), dtype=bool)
full.table(
    {"mean cosine, same genre": gram[same & off_diagonal].mean(),
     "mean cosine, different genres": gram[~same].mean()},
    title="How alike the 36 documents are",
)  # fmt: skip

# %% [markdown]
# Both are small (two documents share only a few of their thousands of possible words),
# but documents of one genre are clearly nearer each other. That is all a clustering
# method has to go on.
#
# ## 2. k-means, by hand
#
# k-means looks for $k$ points, the **centres**, and gives every document to its nearest
# centre. It scores a choice by the **inertia**, the sum over documents of the squared
# distance to their own centre, and looks for centres that make it small. Lloyd's
# algorithm alternates two steps from some starting centres:

# %%
display(lloyd_loop(n_docs=X.shape[0], n_words=X.shape[1], k=3))

# %% [markdown]
# **The start.** Three documents drawn at random serve as the first centres.

# %%
k = 3
start_rows = np.random.default_rng(28).choice(X.shape[0], size=k, replace=False)
start = X[start_rows].toarray()  # (k, V), dense: centres are averages, not sparse
print("starting documents:", [f"{small[i][0]} ({small_genre[i]})" for i in start_rows])

# %% [markdown]
# **The assignment step.** For each document, the squared distance to every centre,
# then the nearest. Expanding the square as above, all $n \times k$ distances need one
# sparse-times-dense product $X C^\top$; the documents stay sparse.


# %%
def squared_distances(X, centres):
    """(n, k): |x_i - c_j|^2 for every row and centre, from |x|^2 - 2 x.c + |c|^2."""
    x_sq = np.asarray(X.multiply(X).sum(axis=1))  # (n, 1)
    products = np.asarray(X @ centres.T)  # (n, k)
    return np.maximum(x_sq - 2 * products + (centres**2).sum(axis=1), 0.0)


def assign(X, centres):
    """The nearest centre of every row (the lowest index on a tie)."""
    return squared_distances(X, centres).argmin(axis=1)


labels = assign(X, start)
print("cluster sizes after the first assignment:", np.bincount(labels, minlength=k))

# %% [markdown]
# **The update step.** Each centre moves to the mean of its documents. With a one-hot
# matrix $Y$ ($k \times n$, a 1 where document $i$ is in cluster $c$), all the sums are
# one product $Y X$; dividing by the cluster sizes gives the means. A cluster that lost
# every document keeps its old centre (there is nothing to average).


# %%
def update(X, labels, centres):
    """Every centre to the mean of its rows; an empty cluster keeps its centre."""
    k, n = len(centres), X.shape[0]
    onehot = sp.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
    sums = (onehot @ X).toarray()
    sizes = np.bincount(labels, minlength=k)
    new = centres.copy()
    new[sizes > 0] = sums[sizes > 0] / sizes[sizes > 0, None]
    return new


centres = update(X, labels, start)
print("centre lengths after the first update:", np.linalg.norm(centres, axis=1))

# %% [markdown]
# The centres are shorter than 1: the mean of unit vectors that point in different
# directions is shorter than each of them. The more spread out a cluster, the shorter its
# centre.
#
# ### Exercise 1: the inertia
#
# Write `inertia(X, labels, centres)`: the sum over the rows of the squared distance from
# each row to the centre of its own cluster.


# %%
def inertia(X, labels, centres):
    """Sum over rows i of |X[i] - centres[labels[i]]|^2."""
    return None  # your code


# %%
check(
    "inertia of the first assignment, measured from the updated centres",
    inertia(X, labels, centres),
    sum(float(((X[i].toarray() - centres[labels[i]]) ** 2).sum()) for i in range(X.shape[0])),
    hint="pick, in each row of the n x k table of squared distances, the column of the "
    "row's own cluster, and add those up",
)

# %% [markdown]
# **Predict, then run.** Run Lloyd's loop from the same start, and measure the inertia
# after every assignment and after every update. Will it ever go up?


# %%
def cost(X, labels, centres):
    return float(squared_distances(X, centres)[np.arange(X.shape[0]), labels].sum())


history = []  # (iteration, step, inertia)
snapshots = []  # (labels, centres) after each assignment, for the pictures
centres, labels = start, None
for iteration in range(1, 51):
    new = assign(X, centres)
    history.append((iteration, "assign", cost(X, new, centres)))
    snapshots.append((new, centres))
    if labels is not None and np.array_equal(new, labels):
        break  # nothing moved: the next update would give the same centres
    labels = new
    centres = update(X, labels, centres)
    history.append((iteration, "update", cost(X, labels, centres)))
for iteration, step, value in history:
    print(f"iteration {iteration}, after {step:>6}: inertia {value:.4f}")
values = [value for _, _, value in history]
full.table(
    {"Lloyd iterations until nothing moves": iteration,
     "largest rise of the inertia between steps": max(np.diff(values).max(), 0.0),
     "inertia at the end": values[-1]},
    title="Lloyd's loop from three random documents",
)  # fmt: skip
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(range(len(values)), values, color="tab:grey", zorder=1)
for step, marker, colour in (("assign", "o", "tab:orange"), ("update", "s", "tab:green")):
    at = [i for i, (_, kind, _) in enumerate(history) if kind == step]
    ax.scatter(at, [values[i] for i in at], marker=marker, color=colour, zorder=2,
               label=f"after the {step} step")  # fmt: skip
ax.set_xticks(range(len(values)), [f"{it}{kind[0]}" for it, kind, _ in history])
# The first assignment, measured from the starting documents themselves, is far above
# the rest: keep the later steps readable and write its value in instead.
spread = values[1] - values[-1]
ax.set_ylim(values[-1] - 0.2 * spread, values[1] + 0.4 * spread)
ax.annotate(f"1a: {values[0]:.1f},\nabove the top", xy=(0, values[1] + 0.4 * spread),
            xytext=(0, values[-1]), ha="center", arrowprops={"arrowstyle": "->"})  # fmt: skip
ax.set_xlabel("iteration and step (a: assign, u: update)")
ax.set_ylabel("inertia")
ax.set_title("The inertia after each step of Lloyd's loop (36 Brown files, k = 3)")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# Never. The assignment step gives every document a centre at most as far as its old
# one, and the update step moves every centre to the mean of its documents, the point
# with the smallest summed squared distance to them. So the inertia can only fall or
# stay, and since there are finitely many ways to assign documents, the loop must stop.
# It stops at a *local* minimum: no single step improves it, which does not mean no
# other clustering is better (section 3).
#
# Here are the assignments of the first iterations, drawn in two dimensions. The
# documents live in thousands of dimensions; principal component analysis (lesson 0.2)
# finds the two directions along which they vary most, and we draw each document and
# each centre by its position along them.

# %%
pca = PCA(n_components=2).fit(X.toarray())
points = pca.transform(X.toarray())
markers = {"government": "o", "adventure": "s", "religion": "^"}
colours = ["tab:blue", "tab:orange", "tab:green"]
shown = snapshots[:4]
fig, axes = plt.subplots(1, len(shown), figsize=(3.2 * len(shown), 3.6), sharex=True,
                         sharey=True)  # fmt: skip
for step, (ax, (step_labels, step_centres)) in enumerate(zip(axes, shown, strict=True), 1):
    for genre, marker in markers.items():
        mine = small_genre == genre
        ax.scatter(points[mine, 0], points[mine, 1], c=[colours[c] for c in step_labels[mine]],
                   marker=marker, s=36, edgecolors="black", linewidths=0.4)  # fmt: skip
    where = pca.transform(step_centres)
    ax.scatter(where[:, 0], where[:, 1], c=colours, marker="X", s=180, edgecolors="black",
               linewidths=1.2)  # fmt: skip
    ax.set_title(f"iteration {step}: inertia {cost(X, step_labels, step_centres):.3f}",
                 fontsize=9)  # fmt: skip
    ax.set_xlabel("first principal component")
axes[0].set_ylabel("second principal component")
handles = [plt.Line2D([], [], marker=m, color="grey", linestyle="", label=g)
           for g, m in markers.items()]  # fmt: skip
handles += [plt.Line2D([], [], marker="s", color=c, linestyle="", label=f"cluster {i}")
            for i, c in enumerate(colours)]  # fmt: skip
handles.append(plt.Line2D([], [], marker="X", color="black", linestyle="", markersize=9,
                          label="centre"))  # fmt: skip
fig.legend(handles=handles, loc="lower center", ncol=7, fontsize=8)
fig.suptitle("k-means on 36 Brown files: assignments (colour) and centres (X) per iteration")
fig.tight_layout(rect=(0, 0.08, 1, 1))
plt.show()

# %% [markdown]
# Each panel shows the centres an assignment was made from and the colours it gave. The
# shape of a marker is the genre, which k-means never saw. Two dimensions lose most of
# the distances, so a document can look nearer to another centre than its own; the
# centres still drift towards the middle of their documents from panel to panel.
#
# Now meet the library's version, checked equal: `KMeans` started from the same three
# documents (`init=` our starting centres, one run) must end with the same clusters and
# the same inertia. With `tol=0` it too stops only when the assignment no longer changes.

# %%
library = KMeans(n_clusters=k, init=start, n_init=1, tol=0.0).fit(X)
assert np.array_equal(library.labels_, labels)
assert np.isclose(library.inertia_, values[-1])
print(f"our k-means equals KMeans: the same labels, inertia {library.inertia_:.4f}")

# %% [markdown]
# ## 3. A bad start, and k-means++
#
# The loop only goes downhill from where it starts.
#
# **Predict, then run.** Start from three documents of one genre, all government files.
# Will k-means still separate the three genres? Count the documents of each genre in
# each final cluster.


# %%
def lloyd(X, centres, max_iter=100):
    """Our loop, from the start to a stable assignment: (labels, inertia, iterations)."""
    labels = None
    for iteration in range(1, max_iter + 1):  # noqa: B007 (returned after the loop)
        new = assign(X, centres)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        centres = update(X, labels, centres)
    return labels, cost(X, labels, centres), iteration


def genre_counts(labels, genres=small_genre):
    """Rows: genres; columns: clusters; entries: how many documents."""
    names = sorted(set(genres))
    return np.array([np.bincount(labels[genres == g], minlength=labels.max() + 1) for g in names])


bad_labels, bad_inertia, _ = lloyd(X, X[[0, 1, 2]].toarray())  # three government files
good_labels, good_inertia = labels, values[-1]
for name, found in (
    ("three government files", bad_labels),
    ("one file of each genre", good_labels),
):
    print(f"start from {name}: documents per genre (rows) and cluster (columns)")
    for genre, row in zip(sorted(GENRES), genre_counts(found), strict=True):
        print(f"    {genre:>10}: {row}")
full.table({"inertia from three government files": bad_inertia,
            "inertia from the start of section 2": good_inertia})  # fmt: skip

# %% [markdown]
# No. The start from one genre ends with that genre cut in pieces and the two other
# genres thrown together, and its inertia is higher: a worse local minimum, which the
# loop cannot leave. A random start can land in one too. Two fixes are used together:
#
# - **restarts**: run from several starts and keep the lowest inertia (`n_init`);
# - **k-means++** (Arthur and Vassilvitskii, 2007): choose the first centre at random,
#   then each next one at random *in proportion to the squared distance* to the nearest
#   centre chosen so far, so that the start is spread out.


# %%
def kmeans_plusplus(X, k, rng):
    """k starting rows: the first uniform, each next one with probability ∝ D(x)^2."""
    rows = [int(rng.integers(X.shape[0]))]
    for _ in range(1, k):
        nearest = squared_distances(X, X[rows].toarray()).min(axis=1)
        rows.append(int(rng.choice(X.shape[0], p=nearest / nearest.sum())))
    return X[rows].toarray()


# %% [markdown]
# **Predict, then run.** From many starts of each kind, how often will Lloyd's loop end
# within 1 % of the lowest inertia found: from random documents, from our k-means++, and
# from the library's "greedy" k-means++ (`kmeans_plusplus`, scikit-learn's variant: at
# each pick it draws a few candidates by the same rule and keeps the one that lowers the
# inertia of the start most)?

# %%
n_starts = 12 if QUICK else 200
rng = np.random.default_rng(0)
final = {"random documents": [], "our k-means++": [], "greedy k-means++": []}
for seed in range(n_starts):
    random_start = X[rng.choice(X.shape[0], size=k, replace=False)].toarray()
    final["random documents"].append(lloyd(X, random_start)[1])
    final["our k-means++"].append(lloyd(X, kmeans_plusplus(X, k, rng))[1])
    greedy = library_plusplus(X, k, np.random.RandomState(seed))
    final["greedy k-means++"].append(lloyd(X, greedy)[1])
best = min(min(v) for v in final.values())
summary = {}
for name, found in final.items():
    summary[f"{name}: median final inertia"] = float(np.median(found))
    summary[f"{name}: share within 1 % of the best"] = float(
        np.mean(np.array(found) <= best * 1.01)
    )
full.table(summary, title=f"Final inertia from {n_starts} starts of each kind")

fig, ax = plt.subplots(figsize=(8, 4))
bins = np.linspace(best, max(max(v) for v in final.values()), 25)
for (name, found), colour in zip(final.items(), ("tab:grey", "tab:purple", "tab:green"),
                                 strict=True):  # fmt: skip
    ax.hist(found, bins=bins, histtype="step", linewidth=2, color=colour,
            label=f"{name} ({n_starts} starts)")  # fmt: skip
ax.axvline(bad_inertia, color="tab:red", linestyle="--", label="from three government files")
ax.axvline(best * 1.01, color="black", linestyle=":", label="1 % above the best")
ax.set_xlabel("inertia when Lloyd's loop stops")
ax.set_ylabel("number of starts")
ax.set_title("Where k-means ends, by how it starts (36 Brown files, k = 3)")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# Rarely, for all three, and our k-means++ does hardly better than random documents
# (the table). The reason is the geometry of text: two TF-IDF documents share few
# words, so almost every pair is at nearly the same distance, and "in proportion to the
# squared distance" is then almost "uniformly". Look at the weights of the second pick:

# %%
first = int(np.random.default_rng(0).integers(X.shape[0]))  # a first centre
weights = np.delete(squared_distances(X, X[[first]].toarray()).ravel(), first)  # the others
full.table({"squared distance to the first centre: smallest": weights.min(),
            "squared distance to the first centre: largest": weights.max()},
           title="k-means++ on text: the weights of the second pick")  # fmt: skip

# %% [markdown]
# The largest weight is not even twice the smallest (all the cosines are small), so no
# document is much likelier than another. k-means++ does well where some points are far
# from the others, as with the blobs of lesson 0.2. Here the greedy variant helps more,
# because it compares candidates by the inertia they give; and **restarts** help most:
# the library's `KMeans` runs greedy k-means++ and Lloyd `n_init` times and keeps the
# lowest inertia.

# %%
runs = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
full.table({"KMeans(k-means++, n_init=10) inertia": runs.inertia_,
            "the lowest inertia of all our starts": best})  # fmt: skip

# %% [markdown]
# ## 4. Euclidean or cosine: spherical k-means
#
# For text we usually think of closeness as cosine similarity, not as Euclidean
# distance. On unit-length rows they rank the *documents* alike, but the centres are
# shorter than 1: $\lVert x - c\rVert^2 = 1 - 2\,x\cdot c + \lVert c\rVert^2$, so a
# document's nearest centre depends on the centres' lengths, and a spread-out cluster,
# with a short centre, has an edge. **Spherical k-means** rescales every centre to length
# 1 after each update and assigns each document to the centre with the largest cosine,
# $x\cdot c$: it clusters by direction alone.
#
# **Predict, then run.** On all 500 Brown files with k = 15, from the same 15 starting
# documents, how differently will the two versions cluster: a few documents apart, or
# two unrelated clusterings? (We measure the agreement with the adjusted Rand index of
# section 7: 1 for the same clustering, about 0 for unrelated ones.)


# %%
def spherical_lloyd(X, centres, max_iter=100):
    """k-means by direction: unit centres, each row to the centre of largest cosine."""
    centres = centres / np.linalg.norm(centres, axis=1, keepdims=True)
    labels = None
    for _ in range(max_iter):
        new = np.asarray(X @ centres.T).argmax(axis=1)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        centres = update(X, labels, centres)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    return labels


brown = corpora.brown_documents()  # all 500 files
brown_genre = np.array([genre for _, genre, _ in brown])
brown_vectorizer = TfidfVectorizer(stop_words="english", min_df=2)
B = brown_vectorizer.fit_transform([" ".join(words) for _, _, words in brown])
print(f"B: {B.shape[0]} documents x {B.shape[1]} words, {len(set(brown_genre))} genres")

agreement, disagree, lengths = [], [], []
for seed in range(2 if QUICK else 10):
    begin = B[np.random.default_rng(seed).choice(B.shape[0], 15, replace=False)].toarray()
    euclidean = lloyd(B, begin)[0]
    cosine = spherical_lloyd(B, begin)
    agreement.append(adjusted_rand_index(euclidean, cosine))
    # Where the plain run ended: do its centres' two rules pick different centres?
    means = update(B, euclidean, begin)
    by_cosine = np.asarray(B @ (means / np.linalg.norm(means, axis=1, keepdims=True)).T)
    disagree.append(int(np.sum(by_cosine.argmax(axis=1) != euclidean)))
    lengths.append(np.linalg.norm(means, axis=1))
# The library's SphericalKMeans, from the last start, checked equal to ours:
library_spherical = SphericalKMeans(n_clusters=15, init=begin, n_init=1, tol=0.0).fit(B)
assert np.array_equal(library_spherical.labels_, cosine)
full.table({"ARI, Euclidean vs spherical, mean over starts": float(np.mean(agreement)),
            "ARI, the lowest of the starts": float(np.min(agreement)),
            "final centres: documents the two rules send apart": float(np.mean(disagree)),
            "final centres: shortest length": float(np.min(lengths)),
            "final centres: longest length": float(np.max(lengths))},
           title="Euclidean against spherical k-means, same starts (means over starts)")  # fmt: skip

# %% [markdown]
# (The library's `SphericalKMeans`, started from the same centres, ended with our
# spherical clusters exactly: the cell checks it.)
#
# Close: the ARI is near 1 from every start, far from the 0 of unrelated clusterings.
# On TF-IDF rows of unit length the two are nearly the same algorithm. The centres do
# differ in length (the table), but the term $\lVert c\rVert^2$ they add is small beside
# the gaps between a document's products with the centres, so at the end of a plain
# k-means run only a handful of the 500 documents would change cluster under the cosine
# rule; the runs then drift a little apart from those few. Unnormalised rows are another
# matter: with raw counts a long document is far from every short one, and Euclidean
# k-means tends to group documents by their length. Normalising the rows to length 1
# and running plain k-means is a common way to cluster text by cosine.
#
# ## 5. Choosing k
#
# k is an input. The inertia cannot guide the choice by its value: more centres always
# fit better, and with $k = n$ the inertia is 0. Two common looks:
#
# - the **elbow**: plot the best inertia against k and look for the k after which it
#   falls much more slowly;
# - the **silhouette**: for each document, $a$ is its mean distance to the other
#   documents of its cluster and $b$ its mean distance to the documents of the nearest
#   other cluster; its silhouette is $(b - a)/\max(a, b)$, near 1 when it sits well
#   inside its cluster, near 0 on a border, negative when it is closer to another
#   cluster. The mean over documents scores the clustering; higher is better.
#
# First the silhouette, by hand, on the cosine distances $1 - \cos(x, y)$:


# %%
def silhouette(X, labels):
    """Mean silhouette of the rows, with cosine distances (rows of length 1)."""
    distance = 1.0 - (X @ X.T).toarray()
    np.fill_diagonal(distance, 0.0)
    k = labels.max() + 1
    sizes = np.bincount(labels, minlength=k)
    to_cluster = distance @ np.eye(k)[labels]  # (n, k): summed distance to each cluster
    rows = np.arange(len(labels))
    a = to_cluster[rows, labels] / np.maximum(sizes[labels] - 1, 1)
    to_cluster[rows, labels] = np.inf
    b = (to_cluster / sizes).min(axis=1)
    s = (b - a) / np.maximum(a, b)
    return float(np.mean(np.where(sizes[labels] > 1, s, 0.0)))  # alone in a cluster: 0


ours = silhouette(X, runs.labels_)
assert np.isclose(ours, silhouette_score(X, runs.labels_, metric="cosine"))
print(
    f"silhouette of the 36 files in 3 clusters: {ours:.4f} (the library's silhouette_score agrees)"
)

# %% [markdown]
# **Predict, then run.** For the 36 files of three genres, will the elbow and the
# silhouette point at k = 3? And for the 500 files of 15 genres, at k = 15?

# %%
n_init = 1 if QUICK else 10
ks_small = list(range(2, 9))
ks_brown = [2, 8, 15, 30] if QUICK else [2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 22, 26, 30]
curves = {}
for name, data, ks in (("36 files", X, ks_small), ("500 files", B, ks_brown)):
    # The inertia of one cluster: squared distances to the mean of all rows.
    total = float(
        data.multiply(data).sum() - data.shape[0] * (np.asarray(data.mean(axis=0)) ** 2).sum()
    )
    fits = [KMeans(n_clusters=kk, n_init=n_init, random_state=0).fit(data) for kk in ks]
    curves[name] = {
        "k": ks,
        "inertia / inertia at k = 1": [f.inertia_ / total for f in fits],
        "silhouette": [silhouette(data, f.labels_) for f in fits],
    }
full.keep("choosing k", curves)

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for (name, curve), colour in zip(curves.items(), ("tab:blue", "tab:red"), strict=True):
    for ax, key in zip(axes, ("inertia / inertia at k = 1", "silhouette"), strict=True):
        ax.plot(curve["k"], curve[key], marker="o", color=colour, label=f"{name} (this run)")
        if QUICK:
            stored = full["choosing k"][name]
            ax.plot(stored["k"], stored[key], color=colour, linestyle=":",
                    label=f"{name} ({full.label})")  # fmt: skip
for ax, key in zip(axes, ("inertia / inertia at k = 1", "silhouette (cosine)"), strict=True):
    ax.axvline(3, color="tab:blue", linewidth=0.8, linestyle="--", label="3 genres (36 files)")
    ax.axvline(15, color="tab:red", linewidth=0.8, linestyle="--", label="15 genres (500 files)")
    ax.set_xlabel("k, the number of clusters")
    ax.set_ylabel(key)
    ax.legend(fontsize=8)
axes[0].set_title("The elbow: best inertia, relative to one cluster")
axes[1].set_title("The mean silhouette of the k-means clustering")
fig.tight_layout()
plt.show()
best_k = {f"{name}: k of the highest silhouette": curve["k"][int(np.argmax(curve["silhouette"]))]
          for name, curve in curves.items()}  # fmt: skip
full.table(best_k)

# %% [markdown]
# Neither look gives a sharp answer on text. The inertia curves bend gently with no
# clear elbow: each new cluster buys a little less, but never suddenly less. The
# silhouettes are all small, far below the values near 1 of well-separated blobs: in
# thousands of dimensions most documents are about equally far from most others (the
# weights of section 3), and the vocabularies of genres overlap.
# The highest silhouette (the table) need not sit at the number of genres. In practice k
# is chosen with these curves as a guide and the clusters read by a person, or by what
# the clustering is for.
#
# ## 6. Agglomerative clustering
#
# Agglomerative (hierarchical) clustering needs no k to start with. It begins with
# every document in a cluster of its own and repeatedly merges the two nearest
# clusters, until one is left. The history of merges is a tree, the **dendrogram**;
# cutting it at some height gives the clusters. What "the two nearest clusters" means is
# the **linkage**:
#
# - **single**: the distance of their closest pair of documents;
# - **complete**: the distance of their farthest pair;
# - **average**: the mean distance over all pairs;
# - **Ward**: how much the merge would raise the inertia (the within-cluster squared
#   distances), as a distance: the square root of twice that rise.
#
# After a merge, the distances from the new cluster to every other one follow from the
# old ones (the Lance-Williams update), so one distance matrix is all we need.


# %%
def agglomerate(distance, linkage):
    """Merge nearest clusters until one is left: rows (a, b, height, size), scipy's format.

    Clusters 0..n-1 are the documents; the merge at step s makes cluster n + s.
    """
    n = len(distance)
    D = distance.astype(float).copy()
    np.fill_diagonal(D, np.inf)
    ids, sizes, alive, merges = list(range(n)), np.ones(n), np.ones(n, dtype=bool), []
    for step in range(n - 1):
        i, j = np.unravel_index(np.argmin(D), D.shape)
        i, j = min(i, j), max(i, j)
        h, ni, nj = D[i, j], sizes[i], sizes[j]
        merges.append((min(ids[i], ids[j]), max(ids[i], ids[j]), h, ni + nj))
        di, dj, nk = D[i], D[j], sizes
        if linkage == "single":
            new = np.minimum(di, dj)
        elif linkage == "complete":
            new = np.maximum(di, dj)
        elif linkage == "average":
            new = (ni * di + nj * dj) / (ni + nj)
        else:  # ward
            new = np.sqrt(((ni + nk) * di**2 + (nj + nk) * dj**2 - nk * h**2) / (ni + nj + nk))
        new[~alive] = np.inf
        D[i], D[:, i] = new, new  # the merged cluster lives on in slot i
        D[i, i] = np.inf
        D[j], D[:, j] = np.inf, np.inf
        alive[j], sizes[i], ids[i] = False, ni + nj, n + step
    return np.array(merges)


def cut(merges, n_clusters):
    """Flat clusters: replay all but the last n_clusters - 1 merges (numbered by first row)."""
    n = len(merges) + 1
    parent = list(range(2 * n - 1))

    def root(a):
        while parent[a] != a:
            a = parent[a]
        return a

    for step, (a, b, _, _) in enumerate(merges[: n - n_clusters]):
        parent[root(int(a))] = parent[root(int(b))] = n + step
    roots = [root(i) for i in range(n)]
    first = {r: c for c, r in enumerate(dict.fromkeys(roots))}
    return np.array([first[r] for r in roots])


euclid = np.sqrt(np.maximum(2.0 - 2.0 * gram, 0.0))  # the 36 files, unit rows
np.fill_diagonal(euclid, 0.0)
trees = {name: agglomerate(euclid, name) for name in ("single", "complete", "average", "ward")}
print("the first three merges of single linkage (a, b, height, size):")
print(trees["single"][:3])

# %% [markdown]
# Now meet the library's version, checked equal: `AgglomerativeClustering` with each
# linkage must merge at the same heights, and its cut into three clusters must group the
# documents as ours does (the cluster numbers may differ, so we compare the groupings
# with the adjusted Rand index of section 7, which is 1 for the same grouping).

# %%
for name, merges in trees.items():
    model = AgglomerativeClustering(n_clusters=3, linkage=name, compute_distances=True)
    model.fit(X.toarray())
    assert np.allclose(np.sort(model.distances_), np.sort(merges[:, 2]))
    assert np.isclose(adjusted_rand_index(model.labels_, cut(merges, 3)), 1.0)
print("the same merge heights and the same three clusters as AgglomerativeClustering, "
      "for all four linkages")  # fmt: skip

# %% [markdown]
# **Predict, then run.** Cut each tree into three clusters. Which linkage will give one
# big cluster and two tiny ones?

# %%
sizes = {}
for name, merges in trees.items():
    flat = cut(merges, 3)
    sizes[name] = sorted(np.bincount(flat).tolist(), reverse=True)
    print(f"{name:>9}: cluster sizes {sizes[name]}, documents per genre and cluster:",
          genre_counts(flat).tolist())  # fmt: skip
full.keep("linkage sizes", sizes)
if QUICK:
    print(f"the {full.label}: {full['linkage sizes']}")

# %% [markdown]
# Single linkage. It merges two clusters as soon as *any* two of their documents are
# close, so a cluster grows by a chain of near neighbours, one document at a time, and
# the most isolated documents are left alone until the end: cut at three clusters, the
# tree is one big cluster and two single documents (**chaining**). Complete linkage asks
# for *all* pairs to be close and makes compact clusters of similar sizes; average lies
# between; Ward, which merges what raises the inertia least, makes compact clusters of
# similar sizes as k-means does (it minimises the same quantity, greedily).
#
# The dendrogram of Ward's tree, drawn by the library's `plot_dendrogram`: the height
# of each join is the distance at which its two clusters merged, and each leaf is a
# document, named by its genre and file number.

# %%
ward = AgglomerativeClustering(n_clusters=3, linkage="ward", compute_distances=True)
ward.fit(X.toarray())
leaf_names = [f"{genre} {name[-2:]}" for (name, genre, _) in small]
picture = plot_dendrogram(ward, os.path.join(WORK, "ward.png"), labels=leaf_names,
                          truncate=len(small),
                          title="Ward's agglomerative clustering of the 36 Brown files")  # fmt: skip
display(Image(filename=str(picture)))

# %% [markdown]
# ## 7. Scoring clusters against labels
#
# Clusters have no names, so a clustering cannot be scored by accuracy. When the true
# classes are known, the **contingency table** counts the documents of each class
# (rows) in each cluster (columns); every score reads it. We score the library's
# k-means of all 500 Brown files into 15 clusters against the 15 genres.

# %%
brown_kmeans = KMeans(n_clusters=15, n_init=n_init, random_state=0).fit(B)
brown_labels = brown_kmeans.labels_
genres = np.array(sorted(set(brown_genre)))
genre_index = np.searchsorted(genres, brown_genre)
table = np.zeros((len(genres), 15), dtype=np.int64)
np.add.at(table, (genre_index, brown_labels), 1)  # one count per document
assert np.array_equal(table, contingency_matrix(brown_genre, brown_labels))
for genre, row in zip(genres, table, strict=True):
    print(f"{genre:>16} {row}")

# %% [markdown]
# **Purity** gives each cluster the genre most of its documents have, and counts the
# share of documents that agree with their cluster's genre.
#
# ### Exercise 2: purity
#
# Write `purity_from_table(table)`: for each column (cluster), its largest count; the
# sum of those over the columns, divided by the number of documents.


# %%
def purity_from_table(table):
    """The share of documents in the majority class of their cluster."""
    return None  # your code


# %%
check(
    "purity of the 15 k-means clusters of Brown",
    purity_from_table(table),
    purity(brown_genre, brown_labels),
    hint="the largest entry of each column is how many documents agree with their "
    "cluster's majority genre; add them up over the columns and divide by the total",
)

# %% [markdown]
# Two scores that read the whole table, not only each cluster's majority:
#
# - **normalised mutual information** (NMI): how much knowing a document's cluster
#   tells about its genre (the mutual information, in nats), divided by the mean of the
#   two labellings' entropies. 1 for a clustering that matches the genres, 0 for one that
#   tells nothing about them.
# - **adjusted Rand index** (ARI): of all pairs of documents, how often the two
#   labellings agree on "same group" or "different groups", corrected so that a random
#   clustering scores 0 on average and a perfect one 1.
#
# Here they are by hand from the contingency table, checked against the library and,
# as a second check only, against scikit-learn.


# %%
def entropy(counts):
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def nmi_from_table(table):
    """Mutual information over the mean of the two entropies (scikit-learn's default)."""
    p = table / table.sum()
    outer = p.sum(axis=1, keepdims=True) * p.sum(axis=0, keepdims=True)
    nonzero = p > 0
    mutual = float((p[nonzero] * np.log(p[nonzero] / outer[nonzero])).sum())
    mean_entropy = (entropy(table.sum(axis=1)) + entropy(table.sum(axis=0))) / 2
    return mutual / mean_entropy if mean_entropy > 0 else 1.0


def ari_from_table(table):
    """Pairs placed together by both, against what chance would give."""
    pairs = lambda m: (m * (m - 1) / 2).sum()  # noqa: E731 (pairs among m things)
    both = pairs(table)
    rows, columns, total = pairs(table.sum(axis=1)), pairs(table.sum(axis=0)), pairs(table.sum())
    expected = rows * columns / total
    return float((both - expected) / ((rows + columns) / 2 - expected))


from sklearn import metrics as sk  # noqa: E402 (a check only)

scores = {"purity": purity(brown_genre, brown_labels),
          "NMI": nmi_from_table(table), "ARI": ari_from_table(table)}  # fmt: skip
assert np.isclose(scores["NMI"], normalized_mutual_info(brown_genre, brown_labels))
assert np.isclose(scores["ARI"], adjusted_rand_index(brown_genre, brown_labels))
assert np.isclose(scores["NMI"], sk.normalized_mutual_info_score(brown_genre, brown_labels))
assert np.isclose(scores["ARI"], sk.adjusted_rand_score(brown_genre, brown_labels))
full.table({f"k-means, k = 15: {name}": value for name, value in scores.items()},
           title="The 15 k-means clusters of Brown against the 15 genres")  # fmt: skip

# %% [markdown]
# **Predict, then run.** Put every document in a cluster of its own (k = n = 500). What
# will purity, NMI and ARI say?

# %%
alone = np.arange(len(brown_genre))
table_alone = contingency_matrix(brown_genre, alone)
full.table(
    {"one cluster per document: purity": purity(brown_genre, alone),
     "one cluster per document: NMI": nmi_from_table(table_alone),
     "one cluster per document: ARI": ari_from_table(table_alone)},
    title="Every document alone",
)  # fmt: skip

# %% [markdown]
# Purity is 1, a perfect score for a clustering that found nothing: every cluster of one
# document is "pure". Purity can only rise as clusters get smaller, so it is only fair
# between clusterings with the same k. NMI is well above 0 too: a document's singleton
# cluster tells its genre exactly, so the mutual information is the whole entropy of
# the genres, and only the large entropy of 500 singletons, averaged into the
# denominator, keeps NMI from 1. It favours many clusters as well, less than purity. ARI
# is 0: it counts *pairs*, and with no two documents
# together no pair of same-genre documents is found, exactly what chance would give.
# Report ARI, or NMI at a fixed k, and never purity alone.
#
# ## 8. What the 15 clusters are about
#
# A centre is a mean TF-IDF row, so its largest entries are the words its documents
# share most: the cluster's top terms. Beside them, the cluster's size and its most
# common genre with that genre's share.

# %%
brown_terms = brown_vectorizer.get_feature_names_out()
lines = []
order = np.argsort(-np.bincount(brown_labels, minlength=15))
for c in order:
    members = brown_genre[brown_labels == c]
    genre, count = Counter(members).most_common(1)[0]
    top = brown_terms[np.argsort(brown_kmeans.cluster_centers_[c])[::-1][:6]]
    lines.append(f"{len(members):>3} docs, {count / len(members):4.0%} {genre:<15} "
                 + ", ".join(top))  # fmt: skip
print("\n".join(lines))
full.keep("top terms", lines)
if QUICK:
    print(f"\nthe {full.label}:")
    print("\n".join(full["top terms"]))

# %% [markdown]
# Read the full run's list (printed in quick mode too). Some clusters are a genre, or a
# part of one, named by its vocabulary: tax, sales and federal money for government
# documents, god and Christ or church and catholic for religion, the temperatures and
# surfaces of learned (scientific) writing. Others are a *subject* that cuts across
# genres: baseball takes mostly news, music mostly reviews, and the Kennedy and
# Khrushchev cluster editorials and news. The largest clusters are the vaguest, named by
# common words (would, one, said) and spread over fiction and essays alike. This is what
# clustering gives in general: groups that share vocabulary, which may or may not be the
# groups someone had in mind.
#
# ## 9. The command that does all of it
#
# From a terminal, `journey cluster --dataset sms_spam --k 8` does sections 1, 7 and 8
# in one command on the SMS messages of lesson 2.1: TF-IDF rows, k-means from greedy
# k-means++ starts, then each cluster's size, top terms and mix of spam and ham, and the
# purity, NMI and ARI of the clusters against those labels. It writes the scores and a
# picture of the clusters into a run folder under `runs/`. `--method spherical` or
# `--method agglomerative` changes the algorithm, and `--dataset brown` clusters the 500
# files of section 8.
#
# ## Summary
#
# - Documents become TF-IDF rows of length 1; then the squared Euclidean distance is
#   $2 - 2\cos$, and near documents share heavy words.
# - k-means alternates two steps, assign to the nearest centre and move each centre to
#   its mean; neither can raise the inertia, so it stops, at a local minimum that depends
#   on the start. k-means++ spreads the start out, which helps little on text, where
#   documents are all about equally far apart; restarts that keep the best run help
#   most.
# - On unit-length rows, spherical (cosine) k-means and plain k-means almost agree.
# - Neither the elbow nor the silhouette settles k on text: the curves guide, a reader
#   decides.
# - Agglomerative clustering builds a tree of merges; single linkage chains, complete
#   and Ward make compact clusters.
# - Score clusters against labels with ARI (and NMI at a fixed k): purity is fooled by
#   many small clusters.
#
# Next: exercise 2.2 asks you to write the assignment and update steps as two functions
# (`journey check 2.2`); they are graded on fresh random matrices, dense and sparse, and
# by a whole k-means on Brown TF-IDF.
