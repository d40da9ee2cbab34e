"""Benchmark: our text clustering against scikit-learn's, on registry text with known labels.

Data: movie reviews (2,000 texts, 2 polarity labels) and Brown (500 files, 15 genres), as
TF-IDF rows from our ``TfidfVectorizer`` (English stop words, ``min_df=3``, ``max_df=0.5``).

- **k-means** (k = the number of labels, and k = 20): our ``KMeans`` and scikit-learn's
  with the same seed and ``n_init``: NMI and adjusted Rand index of each against the
  labels, the NMI gap (target: within 0.01), whether the labels are identical, and the fit
  time ratio ours / scikit-learn (target: at most 1.5);
- **spherical** k-means (ours only; scikit-learn has none): its NMI and ARI;
- **mini-batch** k-means: our ``MiniBatchKMeans`` against scikit-learn's (same seed and
  batch size): inertia ratio, NMI gap and fit time ratio;
- **agglomerative**, all four linkages: labels identical to scikit-learn's (yes/no) and
  the fit time ratio, on the 100-dimensional LSA of the TF-IDF (scikit-learn needs dense
  rows) and, for complete/average/single, on the same precomputed cosine distance matrix.

Times are the best of ``--repeat`` runs, the two sides alternating so that a busy moment
of the machine hurts neither alone. Run it with::

    uv run python benchmarks/cluster_text.py              # a few minutes
    uv run python benchmarks/cluster_text.py --repeat 1   # a quick look
"""

# ruff: noqa: B023  (each lambda is called within its own loop iteration)
from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import sklearn
from _timing import best_of
from sklearn import cluster as sk

from nlpjourney.cluster import (
    AgglomerativeClustering,
    KMeans,
    MiniBatchKMeans,
    SphericalKMeans,
    adjusted_rand_index,
    normalized_mutual_info,
)
from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml.decomposition import TruncatedSVD


def datasets() -> dict[str, tuple[Any, np.ndarray]]:
    reviews = corpora.movie_reviews()
    brown = corpora.brown_documents()
    raw = {"movie_reviews": ([t for t, _ in reviews], [label for _, label in reviews]),
           "brown": ([" ".join(w) for _, _, w in brown], [genre for _, genre, _ in brown])}  # fmt: skip
    out = {}
    for name, (texts, labels) in raw.items():
        X = TfidfVectorizer(stop_words="english", min_df=3, max_df=0.5).fit_transform(texts)
        out[name] = (X, np.array(labels))
    return out


def kmeans_table(data: dict, repeat: int, n_init: int, seeds: list[int]) -> None:
    print(f"\nk-means on TF-IDF (n_init={n_init}; NMI/ARI against the labels; mean over seeds "
          f"{seeds})")  # fmt: skip
    print(f"{'data':<14} {'k':>3} {'NMI ours':>8} {'NMI sk':>8} {'gap':>7} {'ARI ours':>8} "
          f"{'ARI sk':>8} {'same':>5} {'fit ours s':>10} {'fit ratio':>9} {'sph NMI':>7} "
          f"{'sph ARI':>7}")  # fmt: skip
    for name, (X, labels) in data.items():
        for k in (len(set(labels.tolist())), 20):
            rows = []
            for seed in seeds:
                ours = KMeans(k, n_init=n_init, random_state=seed).fit(X)
                theirs = sk.KMeans(k, n_init=n_init, random_state=seed).fit(X)
                spherical = SphericalKMeans(k, n_init=n_init, random_state=seed).fit(X)
                rows.append([normalized_mutual_info(labels, ours.labels_),
                             normalized_mutual_info(labels, theirs.labels_),
                             adjusted_rand_index(labels, ours.labels_),
                             adjusted_rand_index(labels, theirs.labels_),
                             float(np.array_equal(ours.labels_, theirs.labels_)),
                             normalized_mutual_info(labels, spherical.labels_),
                             adjusted_rand_index(labels, spherical.labels_)])  # fmt: skip
            nmi_o, nmi_s, ari_o, ari_s, same, sph_nmi, sph_ari = np.mean(rows, axis=0)
            t_o, t_s = best_of(repeat,
                               lambda: KMeans(k, n_init=n_init, random_state=seeds[0]).fit(X),
                               lambda: sk.KMeans(k, n_init=n_init, random_state=seeds[0]).fit(X))  # fmt: skip
            print(f"{name:<14} {k:>3} {nmi_o:>8.4f} {nmi_s:>8.4f} {nmi_o - nmi_s:>+7.4f} "
                  f"{ari_o:>8.4f} {ari_s:>8.4f} {same:>5.0%} {t_o:>10.3f} {t_o / t_s:>9.2f} "
                  f"{sph_nmi:>7.4f} {sph_ari:>7.4f}")  # fmt: skip


def minibatch_table(data: dict, repeat: int, seeds: list[int]) -> None:
    print(f"\nmini-batch k-means on TF-IDF (batch 1024; mean over seeds {seeds})")
    print(f"{'data':<14} {'k':>3} {'inertia ratio':>13} {'NMI ours':>8} {'NMI sk':>8} "
          f"{'gap':>7} {'fit ours s':>10} {'fit ratio':>9}")  # fmt: skip
    for name, (X, labels) in data.items():
        for k in (len(set(labels.tolist())), 20):
            rows = []
            for seed in seeds:
                ours = MiniBatchKMeans(k, random_state=seed).fit(X)
                theirs = sk.MiniBatchKMeans(k, random_state=seed).fit(X)
                rows.append([ours.inertia_ / theirs.inertia_,
                             normalized_mutual_info(labels, ours.labels_),
                             normalized_mutual_info(labels, theirs.labels_)])  # fmt: skip
            ratio, nmi_o, nmi_s = np.mean(rows, axis=0)
            t_o, t_s = best_of(repeat,
                               lambda: MiniBatchKMeans(k, random_state=seeds[0]).fit(X),
                               lambda: sk.MiniBatchKMeans(k, random_state=seeds[0]).fit(X))  # fmt: skip
            print(f"{name:<14} {k:>3} {ratio:>13.4f} {nmi_o:>8.4f} {nmi_s:>8.4f} "
                  f"{nmi_o - nmi_s:>+7.4f} {t_o:>10.3f} {t_o / t_s:>9.2f}")  # fmt: skip


def agglomerative_table(data: dict, repeat: int) -> None:
    print(
        "\nagglomerative clustering (k = the number of labels): labels identical to "
        "scikit-learn's, fit time"
    )
    print(f"{'data':<14} {'input':<22} {'linkage':<9} {'n':>5} {'same':>5} {'NMI':>7} "
          f"{'fit ours s':>10} {'fit ratio':>9}")  # fmt: skip
    for name, (X, labels) in data.items():
        k = len(set(labels.tolist()))
        lsa = TruncatedSVD(100, random_state=0).fit_transform(X)
        cosine = np.maximum(1 - (X @ X.T).toarray(), 0)  # TF-IDF rows are unit length
        np.fill_diagonal(cosine, 0)
        inputs = {"LSA-100, euclidean": (lsa, "euclidean"),
                  "cosine distance matrix": (cosine, "precomputed")}  # fmt: skip
        for what, (rows, metric) in inputs.items():
            for linkage in ("ward", "complete", "average", "single"):
                if linkage == "ward" and metric == "precomputed":
                    continue
                params = {"n_clusters": k, "linkage": linkage, "metric": metric}
                ours = AgglomerativeClustering(**params).fit(rows)
                theirs = sk.AgglomerativeClustering(**params).fit(rows)
                same = np.array_equal(ours.labels_, theirs.labels_)
                t_o, t_s = best_of(repeat,
                                   lambda: AgglomerativeClustering(**params).fit(rows),
                                   lambda: sk.AgglomerativeClustering(**params).fit(rows))  # fmt: skip
                print(f"{name:<14} {what:<22} {linkage:<9} {len(labels):>5} "
                      f"{'yes' if same else 'NO':>5} "
                      f"{normalized_mutual_info(labels, ours.labels_):>7.4f} {t_o:>10.3f} "
                      f"{t_o / t_s:>9.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side (best kept)")
    parser.add_argument("--n-init", type=int, default=3, help="k-means starts per fit")
    parser.add_argument("--seeds", type=int, default=3, help="seeds the scores are averaged over")
    args = parser.parse_args()
    seeds = list(range(args.seeds))
    print(f"scikit-learn {sklearn.__version__}; times are the best of {args.repeat} runs, "
          "ratio = ours / scikit-learn (below 1: ours is faster)")  # fmt: skip
    data = datasets()
    # Compile the numba kernels outside the timings.
    X, _ = data["brown"]
    KMeans(2, random_state=0).fit(X[:50])
    MiniBatchKMeans(2, random_state=0).fit(X[:50])
    for linkage in ("ward", "complete", "average", "single"):
        AgglomerativeClustering(2, linkage=linkage).fit(X[:20].toarray())
    AgglomerativeClustering(2, linkage="single", metric="cosine").fit(X[:20])
    kmeans_table(data, args.repeat, args.n_init, seeds)
    minibatch_table(data, args.repeat, seeds)
    agglomerative_table(data, args.repeat)


if __name__ == "__main__":
    main()
