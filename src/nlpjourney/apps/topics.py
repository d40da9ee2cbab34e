"""Find the topics of a registry corpus, score them, and draw how they are spread.

:func:`find_topics` loads a corpus (:data:`DATASETS`), fits a topic model with ``k``
topics and writes a run folder (``runs/topics-<dataset>`` by default):

- ``topics.json``: the settings, each topic's top words with their weights and its
  coherence (``c_npmi`` over the documents' own tokens, :func:`~nlpjourney.topics.coherence`),
  and the mean topic share of each group (a year or a genre);
- ``topics.png``: a heat map of the mean topic share per year (State of the Union) or per
  genre (Brown), each topic labelled by its top three words.

The documents:

- ``state_union``: the 65 addresses of 1945-2006 cut into paragraphs (lines of at least
  20 words; a few thousand). A whole speech touches every subject of its year, so
  speech-sized documents blur the topics together; paragraphs each hold one subject,
  and the topics read as subjects (defence, taxes, health care...). A year's topic share
  is the mean over its paragraphs.
- ``brown``: Brown's 500 files (about 2,000 words each), grouped by their 15 genres.

The models (``method``): ``nmf`` (:class:`~nlpjourney.topics.NMF`, coordinate descent on
TF-IDF, NNDSVD start), ``lda`` (online variational Bayes) and ``gibbs`` (collapsed Gibbs
sampling), both :class:`~nlpjourney.topics.LDA` on word counts. Each document's topic
weights are normalised to shares that sum to 1 before they are averaged.
``journey topics`` calls :func:`find_topics`.

Example::

    result = find_topics(TopicsRunConfig(dataset="state_union", k=10), echo=print)
    result.topics[0]  # ['tax', 'budget', 'billion', ...]
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlpjourney.apps.runs import check_seed, claim_output_folder
from nlpjourney.errors import JourneyError, lookup

__all__ = [
    "DATASETS",
    "METHODS",
    "TopicsRunConfig",
    "TopicsRunResult",
    "find_topics",
    "load_documents",
    "plot_topic_weights",
]

#: Where runs go unless told otherwise.
RUNS = Path("runs")
SCORES, PICTURE = "topics.json", "topics.png"
#: A State of the Union line shorter than this is a heading or a salutation, not a paragraph.
MIN_PARAGRAPH_WORDS = 20


def _state_union() -> tuple[list[str], list[str]]:
    from nlpjourney.data import corpora

    documents, groups = [], []
    for year, _, text in corpora.state_union():
        for line in re.split(r"\n+", text):
            if len(line.split()) >= MIN_PARAGRAPH_WORDS:
                documents.append(line)
                groups.append(str(year))
    return documents, groups


def _brown() -> tuple[list[str], list[str]]:
    from nlpjourney.data import corpora

    rows = corpora.brown_documents()
    return [" ".join(words) for _, _, words in rows], [genre for _, genre, _ in rows]


#: Each dataset by its command-line name: ``(documents, group of each document)``, and
#: what a group is (the picture's axis).
DATASETS: dict[str, Callable[[], tuple[list[str], list[str]]]] = {
    "state_union": _state_union,
    "brown": _brown,
}
GROUP_NAMES = {"state_union": "year", "brown": "genre"}
TITLES = {"state_union": "State of the Union paragraphs", "brown": "Brown corpus files"}
MODEL_NAMES = {"nmf": "NMF", "lda": "online-VB LDA", "gibbs": "Gibbs LDA"}
METHODS = ("nmf", "lda", "gibbs")


@dataclass(frozen=True)
class TopicsRunConfig:
    """One run of :func:`find_topics`.

    Example:
        >>> TopicsRunConfig(k=8).run_dir
        PosixPath('runs/topics-state_union')
        >>> TopicsRunConfig(k=1)
        Traceback (most recent call last):
        ...
        nlpjourney.errors.JourneyError: --k must be a whole number from 2 to 100, got 1
    """

    dataset: str = "state_union"
    """``state_union`` (paragraphs of the addresses, by year) or ``brown`` (files, by genre)."""
    k: int = 10
    """How many topics."""
    method: str = "nmf"
    """``nmf`` (on TF-IDF), ``lda`` (online variational Bayes) or ``gibbs`` (Gibbs LDA)."""
    seed: int = 0
    """Seeds the model's initialization (and sampling)."""
    top: int = 10
    """Words shown (and scored) per topic."""
    out_dir: str | Path | None = None
    """The run folder (default ``runs/topics-<dataset>``)."""
    force: bool = False
    """Replace the topics already in the folder."""

    def __post_init__(self) -> None:
        lookup(DATASETS, self.dataset, "dataset", "Choose state_union or brown.")
        if self.method not in METHODS:
            raise JourneyError(f"--method must be nmf, lda or gibbs, got {self.method!r}")
        for name, low, high in (("k", 2, 100), ("top", 3, 50)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise JourneyError(
                    f"--{name} must be a whole number from {low} to {high}, got {value}"
                )
        check_seed(self.seed)

    @property
    def run_dir(self) -> Path:
        """Where the run's files go."""
        return Path(self.out_dir) if self.out_dir is not None else RUNS / f"topics-{self.dataset}"


@dataclass
class TopicsRunResult:
    """What :func:`find_topics` leaves: the topics, their scores and where they are."""

    run_dir: Path
    topics: list[list[str]]
    coherences: list[float]
    groups: list[str]
    weights: np.ndarray  # (groups, k): mean topic share per group
    seconds: float = 0.0
    model: Any = field(default=None, repr=False)


def load_documents(name: str) -> tuple[list[str], list[str]]:
    """The documents of dataset ``name`` and the group (year or genre) of each.

    Raises:
        UnknownNameError: not a dataset this command knows.
        DataNotFoundError: the data is not in the registry's mirror or cache.
    """
    return lookup(DATASETS, name, "dataset", "Choose state_union or brown.")()


def _lda(config: TopicsRunConfig) -> Any:
    from nlpjourney.topics import LDA

    method = "online" if config.method == "lda" else "gibbs"
    return LDA(config.k, method=method, seed=config.seed)


def _fit(
    config: TopicsRunConfig, documents: list[str]
) -> tuple[Any, np.ndarray, list[list[str]], list[list[float]], Callable[[str], list[str]]]:
    """Fit the model; returns it, the document shares, top words and weights, and the analyzer."""
    from nlpjourney.features import CountVectorizer, TfidfVectorizer
    from nlpjourney.topics import NMF

    settings: dict[str, Any] = {"stop_words": "english", "min_df": 5, "max_df": 0.5}
    if config.method == "nmf":
        vectorizer: Any = TfidfVectorizer(**settings)
        model: Any = NMF(config.k, init="nndsvd", random_state=config.seed, max_iter=400)
    else:
        vectorizer = CountVectorizer(**settings)
        model = _lda(config)
    X = vectorizer.fit_transform(documents)
    names = vectorizer.get_feature_names_out()
    import warnings

    from nlpjourney.ml.base import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the topics are read, not the optimum
        if config.method == "nmf":
            weights = model.fit_transform(X)
        elif config.method == "gibbs":
            # The sampler's own averaged document-topic counts; transform would fold the
            # same documents in again by more sweeps.
            weights = model.fit(X, feature_names=names).doc_topic_
        else:
            weights = model.fit(X, feature_names=names).transform(X)
    components = np.asarray(model.components_)
    order = np.argsort(-components, axis=1, kind="stable")[:, : config.top]
    topics = [[str(names[j]) for j in row] for row in order]
    top_weights = [[float(components[t, j]) for j in row] for t, row in enumerate(order)]
    totals = weights.sum(axis=1, keepdims=True)
    shares = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    return model, shares, topics, top_weights, vectorizer.build_analyzer()


def find_topics(config: TopicsRunConfig, echo: Callable[[str], None] = print) -> TopicsRunResult:
    """Fit a topic model by ``config``, print and score its topics, and write the run.

    Args:
        config: what to fit and where.
        echo: called with each line to show (the command passes ``typer.echo``).

    Returns:
        The topics, their coherence, the mean topic share per group, and the folder.

    Raises:
        JourneyError: the folder already holds topics (and not ``force``), or the dataset
            is missing.
    """
    from nlpjourney.topics import coherences

    out = config.run_dir
    claim_output_folder(out, config.force, SCORES, "topics")
    documents, groups = load_documents(config.dataset)
    echo(f"fitting {config.method} with {config.k} topics on {len(documents):,} documents "
         f"of {config.dataset}")  # fmt: skip
    start = time.perf_counter()
    model, shares, topics, top_weights, analyzer = _fit(config, documents)
    seconds = time.perf_counter() - start
    texts = [analyzer(document) for document in documents]
    scores = coherences(topics, texts, "c_npmi")
    names = sorted(set(groups))
    index = {g: i for i, g in enumerate(names)}
    member = np.array([index[g] for g in groups])
    counts = np.bincount(member, minlength=len(names))
    by_group = np.zeros((len(names), config.k))
    np.add.at(by_group, member, shares)
    by_group /= counts[:, None]
    for t, (words, score) in enumerate(zip(topics, scores, strict=True)):
        echo(f"topic {t + 1:>2}  (c_npmi {score:+.3f})  {', '.join(words)}")
    echo(f"mean coherence (c_npmi) {np.mean(scores):+.3f}; fitted in {seconds:.1f} s")
    labels = [f"{t + 1}: {', '.join(words[:3])}" for t, words in enumerate(topics)]
    group_name = GROUP_NAMES[config.dataset]
    plot_topic_weights(
        by_group, labels, names, out / PICTURE, group_name=group_name,
        title=f"{TITLES[config.dataset]}: {config.k} {MODEL_NAMES[config.method]} topics, "
        f"mean share per {group_name}",
    )  # fmt: skip
    record = {
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "documents": len(documents),
        "seconds": seconds,
        "coherence_measure": "c_npmi",
        "mean_coherence": float(np.mean(scores)),
        "topics": [
            {"words": words, "weights": w, "coherence": float(c)}
            for words, w, c in zip(topics, top_weights, scores, strict=True)
        ],
        "group": group_name,
        "mean_share": {g: by_group[i].tolist() for i, g in enumerate(names)},
    }
    (out / SCORES).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return TopicsRunResult(out, topics, scores, names, by_group, seconds, model)


def plot_topic_weights(
    weights: np.ndarray,
    topic_labels: list[str],
    groups: list[str],
    path: str | Path,
    *,
    group_name: str = "year",
    title: str = "Topic share",
) -> Path:
    """A heat map of topic shares: one row per topic, one column per group; saves a PNG.

    Args:
        weights: the mean share of each topic in each group.
        topic_labels: a label per topic (its number and top words).
        groups: the group names (years or genres), in the columns' order.
        path: where to write the PNG (its folder must exist).
        group_name: what a group is, for the x axis.
        title: the picture's title.

    Returns:
        ``path`` as a Path.

    Shapes:
        weights: (len(groups), len(topic_labels)).
    """
    from matplotlib.figure import Figure

    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (len(groups), len(topic_labels)):
        raise ValueError(
            f"weights must be ({len(groups)}, {len(topic_labels)}) for the groups and topics, "
            f"got {weights.shape}"
        )
    k, n = len(topic_labels), len(groups)
    width = min(max(8.0, 0.22 * n + 4.5), 20.0)
    figure = Figure(figsize=(width, max(3.5, 0.45 * k + 1.8)), dpi=120)
    axes = figure.add_subplot()
    image = axes.imshow(weights.T, aspect="auto", cmap="viridis", vmin=0, interpolation="nearest")
    bar = figure.colorbar(image, ax=axes, fraction=0.03, pad=0.02)
    bar.set_label(f"mean topic share per {group_name}")
    axes.set_yticks(range(k), topic_labels)
    # Many years: label the round ones (1950, 1955...), so the labels do not overlap.
    if n > 20 and all(g.isdigit() for g in groups):
        shown = [i for i, g in enumerate(groups) if int(g) % 5 == 0]
        axes.set_xticks(shown, [groups[i] for i in shown])
    else:
        axes.set_xticks(range(n), groups, rotation=45 if n > 8 else 0,
                        ha="right" if n > 8 else "center")  # fmt: skip
    axes.set_xlabel(group_name)
    axes.set_ylabel("topic (top 3 words)")
    axes.set_title(title)
    figure.tight_layout()
    target = Path(path)
    figure.savefig(target)
    return target
