"""Train a text classifier on a registry dataset, evaluate it, save it, and use it.

:func:`train_classifier` loads a labelled dataset (:data:`DATASETS`: ``sms-spam``, or
``movie-reviews``), splits it into train and test rows with a seeded, stratified shuffle
(:func:`~nlpjourney.ml.model_selection.train_test_split` with ``stratify``: both sides
keep the dataset's share of each class, and the rows are the ones scikit-learn's takes),
fits a :class:`~nlpjourney.classify.SpamFilter` on the train rows and writes a run
folder (``runs/classify-<dataset>`` by default):

- ``model/``: the saved filter (``model.json`` + ``weights.npz``, no pickle; see
  :mod:`nlpjourney.classify.spam`);
- ``scores.json``: the settings, accuracy, the classification report as numbers, the
  confusion matrix and the top words of each class;
- ``confusion.png``: the test rows' confusion matrix.

A folder that already holds a model is refused unless ``force`` is given.
:func:`classify_texts` labels texts with a saved filter, by default the run trained last.
``journey classify`` calls these functions.

Example::

    result = train_classifier(ClassifyRunConfig(model="complement"), echo=print)
    classify_texts(["WIN a FREE prize"])  # (Path('runs/classify-sms-spam'), [('spam', 0.99)])
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpjourney.apps.runs import check_seed, claim_output_folder
from nlpjourney.errors import JourneyError, lookup

if TYPE_CHECKING:
    from nlpjourney.classify import SpamFilter

__all__ = [
    "DATASETS",
    "ClassifyRunConfig",
    "ClassifyRunResult",
    "classify_texts",
    "latest_model",
    "load_dataset",
    "train_classifier",
]

#: Where runs go unless told otherwise (the folder every ``journey train`` uses).
RUNS = Path("runs")
#: The files and folder of a run.
MODEL_DIR, SCORES, PICTURE = "model", "scores.json", "confusion.png"


def _sms_spam() -> list[tuple[str, str]]:
    from nlpjourney.data import corpora

    return corpora.sms_spam()


def _movie_reviews() -> list[tuple[str, str]]:
    from nlpjourney.data import corpora

    return corpora.movie_reviews()


#: Each dataset by its command-line name: a function returning ``[(text, label), ...]``.
DATASETS: dict[str, Callable[[], list[tuple[str, str]]]] = {
    "sms-spam": _sms_spam,
    "movie-reviews": _movie_reviews,
}
MODELS = ("multinomial", "bernoulli", "complement")
FEATURES = ("counts", "tfidf")


@dataclass(frozen=True)
class ClassifyRunConfig:
    """One run of :func:`train_classifier`.

    Example:
        >>> ClassifyRunConfig(model="complement").run_dir
        PosixPath('runs/classify-sms-spam')
        >>> ClassifyRunConfig(dataset="imdb")
        Traceback (most recent call last):
        ...
        nlpjourney.errors.UnknownNameError: unknown dataset 'imdb'. Choose sms-spam or movie-reviews.
    """

    dataset: str = "sms-spam"
    """``sms-spam`` or ``movie-reviews``."""
    model: str = "multinomial"
    """``multinomial``, ``bernoulli`` or ``complement`` naive Bayes."""
    features: str = "counts"
    """``counts`` (bag of words) or ``tfidf``."""
    ngrams: int = 1
    """Longest word n-gram: 1 words, 2 words and pairs of words."""
    alpha: float = 1.0
    """Additive smoothing."""
    test_size: float = 0.2
    """The share of rows held out for testing."""
    seed: int = 0
    """Seeds the train/test shuffle."""
    out_dir: str | Path | None = None
    """The run folder (default ``runs/classify-<dataset>``)."""
    force: bool = False
    """Replace a model already in the folder."""

    def __post_init__(self) -> None:
        names = list(DATASETS)
        lookup(DATASETS, self.dataset, "dataset", f"Choose {', '.join(names[:-1])} or {names[-1]}.")
        choices = {"model": MODELS, "features": FEATURES}
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value not in allowed:
                raise JourneyError(f"--{name} must be {', '.join(allowed[:-1])} or "
                                   f"{allowed[-1]}, got {value!r}")  # fmt: skip
        if self.ngrams not in (1, 2, 3):
            raise JourneyError(f"--ngrams must be 1, 2 or 3, got {self.ngrams}")
        if (
            isinstance(self.alpha, bool)
            or not isinstance(self.alpha, int | float)
            or not self.alpha > 0
        ):
            raise JourneyError(f"--alpha must be a number above 0 (1.0 is Laplace smoothing), "
                               f"got {self.alpha}")  # fmt: skip
        if not isinstance(self.test_size, int | float) or not 0 < self.test_size < 1:
            raise JourneyError(f"--test-size must be a share between 0 and 1, got {self.test_size}")
        check_seed(self.seed)

    @property
    def run_dir(self) -> Path:
        """Where the run's files go."""
        return Path(self.out_dir) if self.out_dir is not None else RUNS / f"classify-{self.dataset}"


@dataclass
class ClassifyRunResult:
    """What :func:`train_classifier` leaves: the filter, its scores and where they are."""

    spam_filter: SpamFilter
    run_dir: Path
    accuracy: float
    report: str
    top: dict[Any, list[tuple[str, float]]] = field(default_factory=dict)
    seconds: float = 0.0


def load_dataset(name: str) -> tuple[list[str], list[str]]:
    """The texts and labels of dataset ``name`` (a key of :data:`DATASETS`).

    Raises:
        UnknownNameError: Not a dataset this command knows.
        DataNotFoundError: The data is not in the registry's mirror or cache.
    """
    names = list(DATASETS)
    rows = lookup(DATASETS, name, "dataset", f"Choose {', '.join(names[:-1])} or {names[-1]}.")()
    return [text for text, _ in rows], [label for _, label in rows]


def train_classifier(
    config: ClassifyRunConfig, echo: Callable[[str], None] = print
) -> ClassifyRunResult:
    """Train a naive Bayes text classifier by ``config``, evaluate it and write the run.

    Args:
        config: What to train and where.
        echo: Called with each line to show (the command passes ``typer.echo``).

    Returns:
        The fitted filter, the folder, the test accuracy, the report text and the top
        words of each class.

    Raises:
        JourneyError: The folder already holds a model (and not ``force``), or the
            dataset is missing.
    """
    import numpy as np

    from nlpjourney.classify import SpamFilter
    from nlpjourney.evaluate import classification_report, confusion_matrix, plot_confusion_matrix
    from nlpjourney.ml.model_selection import train_test_split

    out = config.run_dir
    claim_output_folder(out, config.force, MODEL_DIR, "a trained model")
    texts, labels = load_dataset(config.dataset)
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=config.test_size, random_state=config.seed, stratify=labels
    )
    echo(f"training {config.model} naive Bayes on {config.features} of {config.dataset}: "
         f"{len(train_x):,} train, {len(test_x):,} test texts")  # fmt: skip
    spam = SpamFilter(model=config.model, features=config.features,
                      ngram_range=(1, config.ngrams), alpha=config.alpha)  # fmt: skip
    start = time.perf_counter()
    spam.fit(train_x, train_y)
    seconds = time.perf_counter() - start
    predicted = spam.predict(test_x)
    report = classification_report(test_y, predicted, digits=3, zero_division=0)
    accuracy = float(np.mean(predicted == np.asarray(test_y)))
    classes = spam.classes_.tolist()
    matrix = confusion_matrix(test_y, predicted, labels=classes)
    top = spam.top_features(10)
    spam.save(out / MODEL_DIR)
    plot_confusion_matrix(matrix, classes, out / PICTURE,
                          title=f"{config.dataset}: {config.model} NB on {config.features} "
                          f"(accuracy {accuracy:.1%})")  # fmt: skip
    scores = {
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "seconds": seconds,
        "vocabulary": len(spam.vectorizer_.vocabulary_),
        "accuracy": accuracy,
        "report": classification_report(test_y, predicted, output_dict=True, zero_division=0),
        "labels": classes,
        "confusion_matrix": matrix.tolist(),
        "top_features": {str(label): words for label, words in top.items()},
    }
    (out / SCORES).write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    echo(report.rstrip("\n"))
    echo(f"accuracy {accuracy:.2%} on {len(test_x):,} test texts "
         f"({len(spam.vectorizer_.vocabulary_):,} features, fitted in {seconds:.2f} s)")  # fmt: skip
    for label, words in top.items():
        echo(f"top {label} words: {', '.join(word for word, _ in words)}")
    return ClassifyRunResult(spam, out, accuracy, report, top, seconds)


# -- using a trained model ------------------------------------------------------------


def latest_model(runs: Path = RUNS) -> Path:
    """The model folder under ``runs`` saved last.

    Raises:
        JourneyError: No run there holds a model.
    """
    found = sorted(Path(runs).glob(f"*/{MODEL_DIR}/model.json"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise JourneyError(f"no trained classifier in {runs}/; run journey classify train "
                           "sms-spam first (or give --model DIR)")  # fmt: skip
    return found[-1].parent


def classify_texts(
    texts: Sequence[str], model: str | Path | None = None, runs: Path = RUNS
) -> tuple[Path, list[tuple[Any, float]]]:
    """Label each text with a saved filter and give the label's probability.

    Args:
        texts: The texts to label.
        model: A run folder or a model folder (None: the latest under ``runs``).
        runs: Where to look for the latest run.

    Returns:
        The model folder used, and ``(label, probability)`` per text.

    Raises:
        JourneyError: No model found, or a saved model that is damaged.
    """
    from nlpjourney.classify import SpamFilter

    if not texts:
        raise JourneyError("give at least one text to classify, in quotes")
    if model is None:
        folder = latest_model(runs)
    else:
        folder = Path(model)
        if (folder / MODEL_DIR / "model.json").exists():
            folder = folder / MODEL_DIR
    spam = SpamFilter.load(folder)
    probabilities = spam.predict_proba(list(texts))
    best = probabilities.argmax(axis=1)
    labels = spam.classes_[best].tolist()
    return folder, [
        (label, float(p[j])) for label, p, j in zip(labels, probabilities, best, strict=True)
    ]
