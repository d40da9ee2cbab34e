"""Kim's CNN on sentence polarity, cross-validated beside naive Bayes and logistic regression.

:func:`polarity_cross_validation` reads Pang & Lee's 10,662 movie-review snippets
(:func:`nlpjourney.data.corpora.sentence_polarity`), cuts them into stratified folds
(:class:`~nlpjourney.ml.StratifiedKFold`, shuffled with the seed) and, on every fold,
trains each method on the other folds and scores its accuracy on this one:

- ``kim-cnn``: :class:`~nlpjourney.cnn.KimCNN` with random embeddings (Kim's CNN-rand:
  widths 3, 4, 5 x 100 maps, dropout 0.5, max-norm 3, Adam, early stopping on a tenth of
  the training folds), with 128-dimensional word vectors rather than Kim's 300;
- ``nb`` and ``logreg``: :class:`~nlpjourney.sentiment.SentimentClassifier`, our
  multinomial naive Bayes and logistic regression on TF-IDF of words and word pairs,
  the features they are normally given in this project (lesson 2.3's table).

Every method sees the same folds, so the rows compare like with like.
``benchmarks/cnn_kim.py`` prints the table.

Example::

    table = polarity_cross_validation(PolarityCVConfig(folds=10), echo=print)
    print(table.format())
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nlpjourney.apps.runs import check_seed, check_threads
from nlpjourney.errors import JourneyError

__all__ = ["METHODS", "PolarityCVConfig", "PolarityCVRow", "PolarityCVTable",
           "polarity_cross_validation"]  # fmt: skip

METHODS = ("kim-cnn", "nb", "logreg")


@dataclass(frozen=True)
class PolarityCVConfig:
    """One cross-validation run of :func:`polarity_cross_validation`.

    Example:
        >>> PolarityCVConfig().folds, PolarityCVConfig().methods
        (10, ('kim-cnn', 'nb', 'logreg'))
        >>> PolarityCVConfig(folds=1)
        Traceback (most recent call last):
        ...
        nlpjourney.errors.JourneyError: folds must be a whole number of at least 2, got 1
    """

    folds: int = 10
    """The number of stratified folds."""
    seed: int = 0
    """Seeds the folds' shuffle and every model."""
    epochs: int = 3
    """The CNN's epochs per fold (with ``holdout``, the most: it stops early)."""
    holdout: float = 0.0
    """The share of each fold's training texts the CNN holds out to pick its best epoch
    (Kim's dev split is 0.1). With 0.1, the held-out tenth picked epoch 3 or 4 in each
    fold looked at (``benchmarks/cnn_kim.py --holdout 0.1 --epochs 10`` prints the
    curves), so the default trains 3 epochs on all the training texts instead."""
    embedding_dim: int = 128
    """The CNN's random word vectors' size (Kim's is 300; 128 costs a CPU a third of its
    time per step)."""
    threads: int | None = 1
    """torch's threads (None: torch's default, one per core)."""
    methods: tuple[str, ...] = METHODS
    """Which rows to compute, in order."""
    limit: int | None = None
    """Use a seeded random subset of this many snippets (a quick look); None: all."""
    device: str = "auto"
    """Where the CNN trains: ``"auto"`` (a GPU when there is one), ``"cpu"``, ``"cuda"``."""

    def __post_init__(self) -> None:
        if isinstance(self.folds, bool) or not isinstance(self.folds, int) or self.folds < 2:
            raise JourneyError(f"folds must be a whole number of at least 2, got {self.folds}")
        if not 0.0 <= self.holdout < 1.0:
            raise JourneyError(f"holdout must be in [0, 1), got {self.holdout}")
        for name in ("epochs", "embedding_dim"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise JourneyError(f"{name} must be a positive whole number, got {value}")
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown or not self.methods:
            raise JourneyError(f"methods must be some of {METHODS}, got {self.methods}")
        if self.limit is not None and (isinstance(self.limit, bool) or self.limit < 2 * self.folds):
            raise JourneyError(f"limit must be at least 2 x folds ({2 * self.folds}) or None, "
                               f"got {self.limit}")  # fmt: skip
        check_seed(self.seed)
        check_threads(self.threads)


@dataclass(frozen=True)
class PolarityCVRow:
    """One method's accuracy on each fold and the seconds it took (training and testing)."""

    method: str
    scores: tuple[float, ...]
    seconds: float

    @property
    def mean(self) -> float:
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        return float(np.std(self.scores))


@dataclass(frozen=True)
class PolarityCVTable:
    """The rows of :func:`polarity_cross_validation` and what they were measured on."""

    config: PolarityCVConfig
    texts: int
    rows: list[PolarityCVRow] = field(default_factory=list)

    def format(self) -> str:
        """The table as text: one line a method, mean ± std accuracy over the folds."""
        lines = [f"sentence polarity, {self.texts:,} snippets, {self.config.folds}-fold "
                 f"stratified cross-validation (seed {self.config.seed})",
                 f"{'method':<10} {'accuracy':>16} {'min':>7} {'max':>7} {'seconds':>9}"]  # fmt: skip
        for row in self.rows:
            lines.append(f"{row.method:<10} {100 * row.mean:>8.2f} ± {100 * row.std:<5.2f} "
                         f"{100 * min(row.scores):>7.2f} {100 * max(row.scores):>7.2f} "
                         f"{row.seconds:>9.1f}")  # fmt: skip
        return "\n".join(lines)


def polarity_cross_validation(
    config: PolarityCVConfig | None = None,
    echo: Callable[[str], None] = print,
    progress: bool | None = None,
) -> PolarityCVTable:
    """Cross-validate Kim's CNN, naive Bayes and logistic regression on the same folds.

    Args:
        config: the folds, seed, epochs and threads (default :class:`PolarityCVConfig`).
        echo: called with a line after each (method, fold).
        progress: show the CNN's progress bars (None: only on a terminal).

    Returns:
        The table: one :class:`PolarityCVRow` per method, in ``config.methods`` order.

    Raises:
        DataNotFoundError: sentence polarity is not in the data mirror or cache.
    """
    import torch

    from nlpjourney.cnn import KimCNN, KimConfig
    from nlpjourney.data import corpora
    from nlpjourney.ml.model_selection import StratifiedKFold
    from nlpjourney.sentiment import SentimentClassifier
    from nlpjourney.sentiment.learned import sample_rows

    config = config if config is not None else PolarityCVConfig()
    if config.threads is not None:
        torch.set_num_threads(config.threads)
    rows = sample_rows(corpora.sentence_polarity(), config.limit, config.seed)
    texts = [text for text, _ in rows]
    labels = np.array([label for _, label in rows])
    splitter = StratifiedKFold(n_splits=config.folds, shuffle=True, random_state=config.seed)
    folds = list(splitter.split(texts, labels))
    table = PolarityCVTable(config, len(texts))

    def make(method: str, fold: int) -> KimCNN | SentimentClassifier:
        if method == "kim-cnn":
            return KimCNN(KimConfig(embedding_dim=config.embedding_dim, epochs=config.epochs,
                                    holdout=config.holdout, seed=config.seed + fold,
                                    device=config.device))  # fmt: skip
        return SentimentClassifier(model=method)  # type: ignore[arg-type]

    for method in config.methods:
        scores, seconds = [], 0.0
        for k, (train, test) in enumerate(folds):
            started = time.perf_counter()
            model = make(method, k)
            if isinstance(model, KimCNN):
                model.fit([texts[i] for i in train], labels[train], progress=progress)
            else:
                model.fit([texts[i] for i in train], labels[train])
            accuracy = float(np.mean(model.predict([texts[i] for i in test]) == labels[test]))
            seconds += time.perf_counter() - started
            scores.append(accuracy)
            held_out = ""
            if isinstance(model, KimCNN) and config.holdout:
                curve = " ".join(f"{100 * r['score']:.1f}" for r in model.history_)
                held_out = f"; held-out accuracy by epoch {curve}, kept epoch {model.best_epoch_}"
            echo(f"{method} fold {k + 1}/{config.folds}: accuracy {100 * accuracy:.2f} % "
                 f"({time.perf_counter() - started:.1f} s){held_out}")  # fmt: skip
        table.rows.append(PolarityCVRow(method, tuple(scores), seconds))
    return table
