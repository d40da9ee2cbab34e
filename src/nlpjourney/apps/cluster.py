"""Cluster a labelled registry corpus by TF-IDF and score the clusters against its labels.

:func:`cluster_corpus` loads a dataset (:data:`DATASETS`: ``sms-spam``, ``movie-reviews``
or ``brown``; ``_`` works for ``-``), turns the texts into TF-IDF rows (English stop
words dropped, words in fewer than :data:`MIN_DF` texts or more than half of them left
out), clusters them and writes a run folder (``runs/cluster-<dataset>-<method>`` by
default):

- ``scores.json``: the settings, each cluster's size, top terms and label mix, and
  purity, NMI and adjusted Rand index against the dataset's labels;
- ``clusters.png``: the texts on the plane of the first two LSA directions
  (:class:`~nlpjourney.ml.decomposition.TruncatedSVD` of the TF-IDF), coloured by cluster.

Methods: ``kmeans`` (:class:`~nlpjourney.cluster.KMeans`), ``spherical``
(:class:`~nlpjourney.cluster.SphericalKMeans`, by cosine) and ``agglomerative``
(:class:`~nlpjourney.cluster.AgglomerativeClustering`, Ward linkage on the unit-length
100-dimensional LSA vectors: a dense, much smaller form of the TF-IDF rows, so the
``n²/2`` distances fit in memory for every dataset here). A cluster's top terms are the
largest weights of its mean TF-IDF row (the k-means centre). A folder that already holds
``scores.json`` is refused unless ``force``. ``journey cluster`` calls this.

Example::

    result = cluster_corpus(ClusterRunConfig(dataset="brown", k=15), echo=print)
    result.scores["nmi"]  # 0.3 or so: genres are only partly told apart by words
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlpjourney.apps.runs import check_seed, claim_output_folder
from nlpjourney.errors import JourneyError, lookup

__all__ = ["DATASETS", "METHODS", "ClusterRunConfig", "ClusterRunResult", "cluster_corpus"]

#: Where runs go unless told otherwise.
RUNS = Path("runs")
SCORES, PICTURE = "scores.json", "clusters.png"
#: A word must be in at least this many texts to be a feature (rarer words only add noise).
MIN_DF = 3
#: Dimensions of the LSA vectors agglomerative clustering works on.
LSA_DIMENSIONS = 100
METHODS = ("kmeans", "spherical", "agglomerative")


def _sms_spam() -> list[tuple[str, str]]:
    from nlpjourney.data import corpora

    return corpora.sms_spam()


def _movie_reviews() -> list[tuple[str, str]]:
    from nlpjourney.data import corpora

    return corpora.movie_reviews()


def _brown() -> list[tuple[str, str]]:
    from nlpjourney.data import corpora

    return [(" ".join(words), genre) for _, genre, words in corpora.brown_documents()]


#: Each dataset by its command-line name: a function returning ``[(text, label), ...]``.
DATASETS: dict[str, Callable[[], list[tuple[str, str]]]] = {
    "sms-spam": _sms_spam,
    "movie-reviews": _movie_reviews,
    "brown": _brown,
}


def _dataset_name(name: str) -> str:
    """``name`` with ``_`` read as ``-``, checked against :data:`DATASETS`."""
    canonical = name.replace("_", "-") if isinstance(name, str) else name
    names = list(DATASETS)
    lookup(DATASETS, canonical, "dataset", f"Choose {', '.join(names[:-1])} or {names[-1]}.")
    return canonical


@dataclass(frozen=True)
class ClusterRunConfig:
    """One run of :func:`cluster_corpus`.

    Example:
        >>> ClusterRunConfig(dataset="sms_spam").run_dir
        PosixPath('runs/cluster-sms-spam-kmeans')
        >>> ClusterRunConfig(k=1)
        Traceback (most recent call last):
        ...
        nlpjourney.errors.JourneyError: --k must be a whole number of at least 2 clusters, got 1
    """

    dataset: str = "sms-spam"
    """``sms-spam``, ``movie-reviews`` or ``brown`` (``_`` for ``-`` is accepted)."""
    k: int = 8
    """The number of clusters."""
    method: str = "kmeans"
    """``kmeans``, ``spherical`` or ``agglomerative``."""
    seed: int = 0
    """Seeds the k-means starts and the LSA projection."""
    max_features: int | None = None
    """Keep only this many most frequent words (``None``: all that pass the document-frequency filter)."""
    out_dir: str | Path | None = None
    """The run folder (default ``runs/cluster-<dataset>-<method>``)."""
    force: bool = False
    """Replace the scores already in the folder."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "dataset", _dataset_name(self.dataset))
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 2:
            raise JourneyError(f"--k must be a whole number of at least 2 clusters, got {self.k}")
        if self.method not in METHODS:
            raise JourneyError(f"--method must be {', '.join(METHODS[:-1])} or {METHODS[-1]}, "
                               f"got {self.method!r}")  # fmt: skip
        if self.max_features is not None and (
            isinstance(self.max_features, bool)
            or not isinstance(self.max_features, int)
            or self.max_features < 2
        ):
            raise JourneyError(f"--max-features must be a whole number of at least 2, got "
                               f"{self.max_features}")  # fmt: skip
        check_seed(self.seed)

    @property
    def run_dir(self) -> Path:
        """Where the run's files go."""
        if self.out_dir is not None:
            return Path(self.out_dir)
        return RUNS / f"cluster-{self.dataset}-{self.method}"


@dataclass
class ClusterRunResult:
    """What :func:`cluster_corpus` leaves: the labels, the scores and where they are."""

    run_dir: Path
    labels: np.ndarray
    scores: dict[str, Any] = field(default_factory=dict)


def _cluster(X: Any, config: ClusterRunConfig) -> np.ndarray:
    """The cluster of each TF-IDF row by ``config.method``."""
    from nlpjourney.cluster import AgglomerativeClustering, KMeans, SphericalKMeans

    if config.method == "kmeans":
        return KMeans(config.k, n_init=3, random_state=config.seed).fit(X).labels_
    if config.method == "spherical":
        return SphericalKMeans(config.k, n_init=3, random_state=config.seed).fit(X).labels_
    from nlpjourney.ml.decomposition import TruncatedSVD

    dimensions = min(LSA_DIMENSIONS, X.shape[1] - 1)
    lsa = TruncatedSVD(dimensions, random_state=config.seed).fit_transform(X)
    lengths = np.linalg.norm(lsa, axis=1, keepdims=True)
    lsa = lsa / np.where(lengths > 0, lengths, 1.0)  # unit rows: Euclidean ~ cosine
    return AgglomerativeClustering(config.k, linkage="ward").fit(lsa).labels_


def _plot(X: Any, labels: np.ndarray, top: list[list[str]], path: Path, title: str,
          seed: int) -> None:  # fmt: skip
    """The texts on their first two LSA directions, coloured by cluster."""
    from matplotlib.figure import Figure

    from nlpjourney.ml.decomposition import TruncatedSVD

    points = TruncatedSVD(2, random_state=seed).fit_transform(X)
    k = len(top)
    figure = Figure(figsize=(8.5, 6), dpi=120)
    axes = figure.add_subplot()
    colours = [f"C{c % 10}" for c in range(k)]
    markers = "os^Dv<>ph*"
    sizes = np.bincount(labels, minlength=k)
    handles = {}
    # the biggest clusters first, so the small ones are drawn on top and stay visible
    for c in np.argsort(-sizes, kind="stable"):
        rows = labels == c
        handles[c] = axes.scatter(points[rows, 0], points[rows, 1], s=8, alpha=0.55,
                                  color=colours[c], marker=markers[(c // 10) % len(markers)],
                                  label=f"{c}: {', '.join(top[c][:3])} ({int(sizes[c])})")  # fmt: skip
    ordered = [handles[c] for c in range(k)]
    axes.set_xlabel("first LSA direction (TruncatedSVD of the TF-IDF)")
    axes.set_ylabel("second LSA direction")
    axes.set_title(title)
    axes.legend(handles=ordered, fontsize=7, markerscale=2, loc="center left", bbox_to_anchor=(1.01, 0.5),
                title="cluster: top terms (size)", title_fontsize=7)  # fmt: skip
    figure.tight_layout()
    figure.savefig(path)


def cluster_corpus(
    config: ClusterRunConfig, echo: Callable[[str], None] = print
) -> ClusterRunResult:
    """Cluster ``config.dataset`` by TF-IDF, print and save the clusters and their scores.

    Args:
        config: What to cluster, how, and where the run goes.
        echo: Called with each line to show (the command passes ``typer.echo``).

    Returns:
        The folder, each text's cluster and the scores written to ``scores.json``.

    Raises:
        JourneyError: The folder already holds a run (and not ``force``), ``k`` is more
            than the texts, or the dataset is missing.
    """
    from nlpjourney.cluster import adjusted_rand_index, normalized_mutual_info, purity
    from nlpjourney.features import TfidfVectorizer

    out = config.run_dir
    claim_output_folder(out, config.force, SCORES, "a clustering run")
    rows = DATASETS[config.dataset]()
    texts, truth = [text for text, _ in rows], np.array([label for _, label in rows])
    if config.k > len(texts):
        raise JourneyError(f"--k {config.k} is more clusters than the {len(texts):,} texts of "
                           f"{config.dataset}; choose a smaller --k")  # fmt: skip
    vectorizer = TfidfVectorizer(stop_words="english", min_df=MIN_DF, max_df=0.5,
                                 max_features=config.max_features)  # fmt: skip
    X = vectorizer.fit_transform(texts)
    terms = vectorizer.get_feature_names_out()
    echo(f"clustering {len(texts):,} texts of {config.dataset} into {config.k} clusters by "
         f"{config.method} on TF-IDF ({X.shape[1]:,} terms)")  # fmt: skip
    start = time.perf_counter()
    labels = _cluster(X, config)
    seconds = time.perf_counter() - start
    clusters = []
    for c in range(config.k):
        rows_c = labels == c
        centre = (
            np.asarray(X[rows_c].mean(axis=0)).ravel() if rows_c.any() else np.zeros(X.shape[1])
        )
        top = [str(terms[i]) for i in np.argsort(-centre, kind="stable")[:8] if centre[i] > 0]
        mix = Counter(truth[rows_c].tolist()).most_common()
        clusters.append({"cluster": c, "size": int(rows_c.sum()), "top_terms": top,
                         "labels": {str(label): count for label, count in mix}})  # fmt: skip
    scores = {
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "documents": len(texts),
        "terms": int(X.shape[1]),
        "seconds": seconds,
        "purity": purity(truth, labels),
        "nmi": normalized_mutual_info(truth, labels),
        "ari": adjusted_rand_index(truth, labels),
        "clusters": clusters,
    }
    for cluster in clusters:
        size = cluster["size"]
        mix = ", ".join(f"{label} {count / size:.0%}"
                        for label, count in list(cluster["labels"].items())[:3]) if size else "-"  # fmt: skip
        echo(f"cluster {cluster['cluster']:>2}  {size:>5,} texts  top terms: "
             f"{', '.join(cluster['top_terms'])}")  # fmt: skip
        echo(f"{'':>4}labels: {mix}")
    echo(f"purity {scores['purity']:.3f}  NMI {scores['nmi']:.3f}  ARI {scores['ari']:.3f} "
         f"against the {len(set(truth.tolist()))} labels of {config.dataset} "
         f"(clustered in {seconds:.2f} s)")  # fmt: skip
    _plot(X, labels, [c["top_terms"] for c in clusters], out / PICTURE,
          f"{config.dataset}: {config.method}, k={config.k} (NMI {scores['nmi']:.2f})",
          config.seed)  # fmt: skip
    (out / SCORES).write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    return ClusterRunResult(out, labels, scores)
