"""Learned sentiment: a text classifier trained on labelled reviews, and the accuracy table.

A lexicon knows what words mean in general; a classifier learns what they mean in *this*
corpus. :class:`SentimentClassifier` is the usual pipeline in one estimator: a
vectorizer (TF-IDF or raw counts, words and word pairs by default) followed by
:class:`~nlpjourney.classify.MultinomialNB` or
:class:`~nlpjourney.ml.LogisticRegression`. It keeps scikit-learn's estimator contract
(:mod:`nlpjourney.ml.base`), so ``clone``, ``cross_val_score`` and ``GridSearchCV`` (ours
and scikit-learn's) accept it, and it takes raw texts.

:func:`accuracy_table` sets lexicon and learned methods side by side: for each dataset,
the same stratified folds (:class:`~nlpjourney.ml.StratifiedKFold`, shuffled with
``seed``); each learned method is trained on a fold's other parts and scored on the fold;
each lexicon method, which needs no training, is scored on the same fold, so every row
is a mean over the same test texts.

Lexicon labels: a score above 0 is "pos", below 0 "neg". A score of exactly 0 (no
sentiment word found, or words that cancel) is counted **wrong**: the lexicon abstained,
and guessing a class for it would credit the lexicon with a coin's accuracy.
:attr:`AccuracyRow.abstained` reports how often that happened. The scores are VADER's
compound score (for a text of several lines, the mean of the lines' compound scores, as
vaderSentiment's documentation advises for paragraphs; each line of the corpora is a
sentence), AFINN's sum of ratings, and the opinion lexicon's positive minus negative
word count, each over the whole text.

Reference: scikit-learn's ``make_pipeline(TfidfVectorizer(ngram_range=(1, 2)),
MultinomialNB())`` (or ``LogisticRegression``), tested equal on a split of
sentence_polarity; ``cross_val_score`` with ``StratifiedKFold(5, shuffle=True)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Self

import numpy as np

from nlpjourney.classify.naive_bayes import MultinomialNB
from nlpjourney.data import corpora
from nlpjourney.features import CountVectorizer, TfidfVectorizer
from nlpjourney.ml.base import ClassifierMixin, Estimator, check_is_fitted
from nlpjourney.ml.linear import LogisticRegression
from nlpjourney.ml.model_selection import StratifiedKFold, cross_val_score
from nlpjourney.progress import track
from nlpjourney.sentiment.lexicons import AfinnScorer, OpinionLexiconScorer
from nlpjourney.sentiment.vader import VaderAnalyzer

#: The datasets :func:`accuracy_table` knows by name: each a list of (text, label).
DATASETS: dict[str, Callable[[], list[tuple[str, str]]]] = {
    "sentence_polarity": corpora.sentence_polarity,
    "movie_reviews": corpora.movie_reviews,
}
LEXICON_METHODS = ("vader", "afinn", "opinion_lexicon")
LEARNED_METHODS = ("nb", "logreg")
METHODS = LEXICON_METHODS + LEARNED_METHODS


def _check_texts(texts: Any, owner: str) -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, Iterable):
        raise TypeError(
            f"{owner} needs a list of texts, got {type(texts).__name__}; wrap one text in a list"
        )
    texts = list(texts)
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"{owner}: every text must be a str, got {type(text).__name__}")
    return texts


class SentimentClassifier(ClassifierMixin, Estimator):
    """A vectorizer and a linear classifier, trained on labelled texts.

    Args:
        model: ``"nb"`` (multinomial naive Bayes) or ``"logreg"`` (L2 logistic regression).
        features: ``"tfidf"`` (l2-normalised TF-IDF) or ``"counts"`` (raw counts).
        ngram_range: the word n-gram lengths, ``(1, 2)``: words and word pairs, so that
            "not good" is a feature of its own.
        C: logistic regression's inverse penalty strength (ignored by ``"nb"``).
        alpha: naive Bayes' additive smoothing (ignored by ``"logreg"``).
        max_iter: logistic regression's most L-BFGS iterations.

    Attributes (after ``fit``):
        vectorizer_: the fitted vectorizer.
        classifier_: the fitted classifier.
        classes_: the sorted labels.

    Example:
        >>> texts = ["a good film", "a great film", "a bad film", "an awful film"]
        >>> model = SentimentClassifier().fit(texts, ["pos", "pos", "neg", "neg"])
        >>> model.predict(["good and great", "awful, bad"]).tolist()
        ['pos', 'neg']
    """

    def __init__(
        self,
        model: Literal["nb", "logreg"] = "nb",
        features: Literal["tfidf", "counts"] = "tfidf",
        ngram_range: tuple[int, int] = (1, 2),
        C: float = 1.0,
        alpha: float = 1.0,
        max_iter: int = 1000,
    ) -> None:
        self.model = model
        self.features = features
        self.ngram_range = ngram_range
        self.C = C
        self.alpha = alpha
        self.max_iter = max_iter

    def _parts(self) -> tuple[CountVectorizer, MultinomialNB | LogisticRegression]:
        if self.model not in LEARNED_METHODS:
            raise ValueError(f"SentimentClassifier: model must be 'nb' or 'logreg', got "
                             f"{self.model!r}")  # fmt: skip
        if self.features not in ("tfidf", "counts"):
            raise ValueError(f"SentimentClassifier: features must be 'tfidf' or 'counts', got "
                             f"{self.features!r}")  # fmt: skip
        vectorizer_type = TfidfVectorizer if self.features == "tfidf" else CountVectorizer
        vectorizer = vectorizer_type(ngram_range=tuple(self.ngram_range))
        if self.model == "nb":
            return vectorizer, MultinomialNB(alpha=self.alpha)
        return vectorizer, LogisticRegression(C=self.C, max_iter=self.max_iter)

    def fit(self, texts: Sequence[str], y: Any) -> Self:
        """Learn the vocabulary and the classifier from ``texts`` and their labels; returns self."""
        texts = _check_texts(texts, "SentimentClassifier.fit")
        labels = np.asarray(y)
        if labels.ndim != 1 or len(labels) != len(texts):
            raise ValueError(f"SentimentClassifier.fit needs one label per text: "
                             f"{len(texts)} texts, labels of shape {labels.shape}")  # fmt: skip
        vectorizer, classifier = self._parts()
        X = vectorizer.fit_transform(texts)
        self.classifier_ = classifier.fit(X, labels)
        self.vectorizer_ = vectorizer
        self.classes_ = self.classifier_.classes_
        return self

    def _features(self, texts: Sequence[str], owner: str) -> Any:
        check_is_fitted(self, "classifier_")
        return self.vectorizer_.transform(_check_texts(texts, owner))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """(n_texts,) the most probable label of each text."""
        features = self._features(texts, "SentimentClassifier.predict")
        return self.classifier_.predict(features)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(n_texts, n_classes) each class's probability, columns in ``classes_`` order."""
        features = self._features(texts, "SentimentClassifier.predict_proba")
        return self.classifier_.predict_proba(features)

    def word_weights(self) -> dict[str, float]:
        """Each feature's pull towards the second class (``classes_[1]``, "pos").

        For logistic regression, the feature's coefficient; for naive Bayes, the log of
        how much likelier the feature is under the second class than the first,
        ``log P(w | pos) - log P(w | neg)``. Either way, positive means "pos" evidence.

        Raises:
            ValueError: the model was trained on more than two classes.
        """
        check_is_fitted(self, "classifier_")
        if len(self.classes_) != 2:
            raise ValueError(f"word_weights needs two classes, the model has "
                             f"{len(self.classes_)}")  # fmt: skip
        if isinstance(self.classifier_, MultinomialNB):
            log_prob = self.classifier_.feature_log_prob_
            weights = log_prob[1] - log_prob[0]
        else:
            weights = self.classifier_.coef_[0]
        names = self.vectorizer_.get_feature_names_out()
        return dict(zip(names.tolist(), weights.tolist(), strict=True))


@dataclass(frozen=True)
class AccuracyRow:
    """One (dataset, method) row of :func:`accuracy_table`.

    Attributes:
        dataset: the dataset's name.
        method: one of :data:`METHODS`.
        scores: the accuracy on each fold's test texts.
        seconds: the time the method took: scoring every text once (a lexicon) or
            training and testing on every fold (a learned model).
        abstained: for a lexicon, the share of texts it scored exactly 0 (counted wrong);
            0.0 for a learned model.
    """

    dataset: str
    method: str
    scores: tuple[float, ...]
    seconds: float
    abstained: float = 0.0

    @property
    def mean(self) -> float:
        """The mean accuracy over the folds."""
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        """The standard deviation of the folds' accuracies (``ddof=0``, as ``np.std``)."""
        return float(np.std(self.scores))


def lexicon_scores(method: str, texts: Sequence[str]) -> np.ndarray:
    """(n_texts,) each text's score by a lexicon method; its sign is the label.

    Args:
        method: ``"vader"`` (mean compound score of the text's lines), ``"afinn"`` or
            ``"opinion_lexicon"``.
        texts: the texts.

    Example:
        >>> lexicon_scores("afinn", ["a good film", "a film"]).tolist()
        [3.0, 0.0]
    """
    texts = _check_texts(texts, "lexicon_scores")
    if method == "vader":
        vader = VaderAnalyzer()

        def score(text: str) -> float:
            lines = [line for line in text.split("\n") if line.strip()] or [text]
            return float(np.mean([vader.compound(line) for line in lines]))

    elif method == "afinn":
        score = AfinnScorer().score
    elif method == "opinion_lexicon":
        score = OpinionLexiconScorer().score
    else:
        raise ValueError(f"unknown lexicon method {method!r}; use one of {LEXICON_METHODS}")
    return np.array([score(text) for text in texts], dtype=np.float64)


def lexicon_labels(scores: np.ndarray) -> np.ndarray:
    """ "pos" for a score above 0, "neg" below 0, "neutral" (counted wrong) at 0."""
    scores = np.asarray(scores)
    return np.where(scores > 0, "pos", np.where(scores < 0, "neg", "neutral"))


def _load(datasets: Iterable[str] | Mapping[str, Sequence[tuple[str, str]]]) -> dict:
    if isinstance(datasets, str):
        raise TypeError("accuracy_table: pass dataset names as a tuple, e.g. ('movie_reviews',)")
    if isinstance(datasets, Mapping):
        return {name: list(rows) for name, rows in datasets.items()}
    loaded = {}
    for name in datasets:
        if name not in DATASETS:
            raise ValueError(f"unknown dataset {name!r}; use one of {tuple(DATASETS)} or pass "
                             "a mapping name -> [(text, label), ...]")  # fmt: skip
        loaded[name] = DATASETS[name]()
    return loaded


def sample_rows(
    rows: Sequence[tuple[str, str]], limit: int | None, seed: int
) -> list[tuple[str, str]]:
    """A seeded random subset of ``limit`` rows, in their original order (all when None).

    Example:
        >>> sample_rows([("a", "pos"), ("b", "neg"), ("c", "pos")], 2, seed=0)
        [('b', 'neg'), ('c', 'pos')]
    """
    rows = list(rows)
    if limit is None or limit >= len(rows):
        return rows
    keep = np.sort(np.random.default_rng(seed).choice(len(rows), size=limit, replace=False))
    return [rows[k] for k in keep]


def accuracy_table(
    datasets: Iterable[str] | Mapping[str, Sequence[tuple[str, str]]] = (
        "sentence_polarity",
        "movie_reviews",
    ),
    methods: Sequence[str] = METHODS,
    folds: int = 5,
    seed: int = 0,
    *,
    limit: int | None = None,
    C: float = 1.0,
    alpha: float = 1.0,
    progress: bool | None = None,
) -> list[AccuracyRow]:
    """Lexicon and learned sentiment, cross-validated on the same folds.

    Args:
        datasets: names from :data:`DATASETS`, or a mapping name -> ``[(text, label)]``.
        methods: any of :data:`METHODS`, in the order the rows should come.
        folds: the number of stratified folds (at least 2).
        seed: the folds' shuffle seed (and the subset's, with ``limit``).
        limit: use a seeded random subset of this many texts per dataset (a quick run).
        C: logistic regression's inverse penalty strength.
        alpha: naive Bayes' smoothing.
        progress: show a bar over the (dataset, method) pairs (None: on a terminal).

    Returns:
        One :class:`AccuracyRow` per (dataset, method), datasets outermost.

    Example:
        >>> rows = accuracy_table(methods=("afinn", "nb"), limit=400)  # doctest: +SKIP
        >>> [(r.dataset, r.method, round(r.mean, 2)) for r in rows]  # doctest: +SKIP
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; use any of {METHODS}")
    data = _load(datasets)
    pairs = [(name, method) for name in data for method in methods]
    rows = []
    splits: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for name, method in track(pairs, "Sentiment accuracy", unit="rows", enabled=progress):
        rows_of = sample_rows(data[name], limit, seed)
        texts = [text for text, _ in rows_of]
        labels = np.array([label for _, label in rows_of])
        if name not in splits:
            splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
            splits[name] = list(splitter.split(texts, labels))
        start = time.perf_counter()
        if method in LEXICON_METHODS:
            predicted = lexicon_labels(lexicon_scores(method, texts))
            right = predicted == labels
            scores = tuple(float(right[test].mean()) for _, test in splits[name])
            abstained = float(np.mean(predicted == "neutral"))
        else:
            model = SentimentClassifier(model=method, C=C, alpha=alpha)  # type: ignore[arg-type]
            scores = tuple(cross_val_score(model, texts, labels, cv=splits[name]).tolist())
            abstained = 0.0
        seconds = time.perf_counter() - start
        rows.append(AccuracyRow(name, method, scores, seconds, abstained))
    return rows


def format_table(rows: Sequence[AccuracyRow]) -> str:
    """The rows as a plain-text table: dataset, method, mean ± std accuracy, abstained, seconds.

    Example:
        >>> print(format_table([AccuracyRow("toy", "nb", (0.75, 0.85), 0.5)]))
        dataset  method  accuracy       abstained  seconds
        toy      nb      0.800 ± 0.050  -              0.5
    """
    header = ("dataset", "method", "accuracy", "abstained", "seconds")
    lines = [
        (
            r.dataset,
            r.method,
            f"{r.mean:.3f} ± {r.std:.3f}",
            f"{r.abstained:.1%}" if r.method in LEXICON_METHODS else "-",
            f"{r.seconds:.1f}",
        )
        for r in rows
    ]
    widths = [max(len(row[k]) for row in [header, *lines]) for k in range(len(header))]
    out = []
    for row in [header, *lines]:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        out.append("  ".join([*cells, row[-1].rjust(widths[-1])]).rstrip())
    return "\n".join(out)
