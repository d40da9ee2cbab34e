"""A spam filter: a bag-of-words vectorizer and a naive Bayes model, saved without pickle.

:class:`SpamFilter` turns texts into counts or TF-IDF weights
(:class:`~nlpjourney.features.CountVectorizer`,
:class:`~nlpjourney.features.TfidfVectorizer`) and classifies them with
:class:`~nlpjourney.classify.MultinomialNB`, :class:`~nlpjourney.classify.BernoulliNB` or
:class:`~nlpjourney.classify.ComplementNB`. :meth:`SpamFilter.top_features` lists the
words that push hardest towards each class: every model scores a text as
``X @ W.T + b``, so a word's push towards a class is its weight there minus its mean
weight in the other classes.

The saved format
----------------
:meth:`SpamFilter.save` writes a folder that nothing can run code from (no pickle):

- ``model.json``: ``{"format": "nlpjourney-spam-filter", "version": 1, "params": {...},
  "classes": [...], "vocabulary": [...]}``: the hyper-parameters the vectorizer and
  the model need (:data:`SAVED_PARAMS`), the class labels (strings or integers) in
  ``classes_`` order, and the terms in column order;
- ``weights.npz`` (NumPy, read with ``allow_pickle=False``): ``class_count``
  ``(k,)``, ``feature_count`` ``(k, n_terms)``, ``class_log_prior`` ``(k,)``,
  ``feature_log_prob`` ``(k, n_terms)``, and ``idf`` ``(n_terms,)`` for TF-IDF features.

:meth:`SpamFilter.load` checks every piece (format name, version, parameter names and
types, array names, shapes and dtypes) and raises one :class:`ModelFormatError` naming
what is wrong; a filter loaded back predicts exactly what the saved one did. A custom
``tokenizer`` function cannot be saved and is refused.

Example::

    spam = SpamFilter(features="tfidf").fit(texts, labels)
    spam.predict(["WIN a FREE prize, call now"])  # array(['spam'], ...)
    spam.save("runs/classify-sms-spam/model")
    SpamFilter.load("runs/classify-sms-spam/model").predict_proba(["see you at 6"])
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np

from nlpjourney.classify.naive_bayes import BernoulliNB, ComplementNB, MultinomialNB
from nlpjourney.errors import ModelFormatError
from nlpjourney.features import CountVectorizer, TfidfVectorizer
from nlpjourney.ml.base import ClassifierMixin, Estimator, check_is_fitted

__all__ = ["FORMAT", "MODELS", "SAVED_PARAMS", "VERSION", "ModelFormatError", "SpamFilter"]

#: The format name and version ``model.json`` carries.
FORMAT, VERSION = "nlpjourney-spam-filter", 1
#: The files of a saved filter.
MODEL_JSON, WEIGHTS = "model.json", "weights.npz"
#: The naive Bayes model of each ``model=`` name.
MODELS = {"multinomial": MultinomialNB, "bernoulli": BernoulliNB, "complement": ComplementNB}
FEATURES = ("counts", "tfidf")
#: What ``model.json`` keeps: every hyper-parameter but ``tokenizer``.
SAVED_PARAMS = (
    "model", "features", "ngram_range", "alpha", "lowercase", "stop_words", "min_df",
    "max_df", "max_features", "sublinear_tf", "fit_prior",
)  # fmt: skip
RETRAIN = "retrain it with: journey classify train sms-spam"


class SpamFilter(ClassifierMixin, Estimator):
    """Texts in, labels out: a vectorizer and a naive Bayes model trained together.

    Args:
        model: ``"multinomial"``, ``"bernoulli"`` or ``"complement"`` naive Bayes.
        features: ``"counts"`` (bag of words) or ``"tfidf"``.
        ngram_range: Word n-gram lengths, ``(1, 1)`` words, ``(1, 2)`` words and pairs.
        alpha: Additive smoothing of the model.
        lowercase: Lowercase texts before tokenizing.
        stop_words: None, ``"english"`` (NLTK's list) or a list of words to drop.
        min_df: Drop terms in fewer documents (int) or a smaller share (float).
        max_df: Drop terms in more documents (int) or a larger share (float).
        max_features: Keep only the most frequent terms.
        sublinear_tf: TF-IDF only: ``1 + log(count)`` instead of the count.
        fit_prior: Learn class priors from the class frequencies.
        tokenizer: Your own ``str -> list[str]`` (such a filter cannot be saved).

    Attributes (after ``fit``):
        vectorizer_: The fitted vectorizer.
        model_: The fitted naive Bayes model.
        classes_: The class labels, sorted.

    Example:
        >>> texts = ["WIN a free prize now", "call me when you land", "free cash, claim now",
        ...          "lunch at noon?", "you have won a prize", "see you at home"]
        >>> labels = ["spam", "ham", "spam", "ham", "spam", "ham"]
        >>> spam = SpamFilter().fit(texts, labels)
        >>> spam.predict(["claim your free prize", "see you at lunch"]).tolist()
        ['spam', 'ham']
    """

    def __init__(
        self,
        model: str = "multinomial",
        features: str = "counts",
        ngram_range: tuple[int, int] = (1, 1),
        alpha: float = 1.0,
        lowercase: bool = True,
        stop_words: str | Sequence[str] | None = None,
        min_df: float | int = 1,
        max_df: float | int = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = False,
        fit_prior: bool = True,
        tokenizer: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.model = model
        self.features = features
        self.ngram_range = ngram_range
        self.alpha = alpha
        self.lowercase = lowercase
        self.stop_words = stop_words
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.fit_prior = fit_prior
        self.tokenizer = tokenizer

    # -- building ----------------------------------------------------------------------

    def _check_params(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if self.features not in FEATURES:
            raise ValueError(f"features must be 'counts' or 'tfidf', got {self.features!r}")
        ngrams = self.ngram_range
        if (not isinstance(ngrams, tuple | list) or len(ngrams) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in ngrams)
                or not 1 <= ngrams[0] <= ngrams[1]):  # fmt: skip
            raise ValueError(f"ngram_range must be (min_n, max_n) with 1 ≤ min_n ≤ max_n, "
                             f"got {ngrams!r}")  # fmt: skip

    def _make_vectorizer(self) -> CountVectorizer | TfidfVectorizer:
        common: dict[str, Any] = {
            "lowercase": self.lowercase,
            "tokenizer": self.tokenizer,
            "stop_words": self.stop_words,
            "ngram_range": tuple(self.ngram_range),
            "min_df": self.min_df,
            "max_df": self.max_df,
            "max_features": self.max_features,
        }
        if self.tokenizer is not None:
            common["token_pattern"] = None
        if self.features == "tfidf":
            return TfidfVectorizer(sublinear_tf=self.sublinear_tf, **common)
        return CountVectorizer(**common)

    def _make_model(self) -> MultinomialNB | BernoulliNB | ComplementNB:
        return MODELS[self.model](alpha=self.alpha, fit_prior=self.fit_prior)

    # -- the estimator API ------------------------------------------------------------

    def fit(self, texts: Iterable[str], labels: Iterable[Any]) -> Self:
        """Learn the vocabulary and the model from ``texts`` and their ``labels``."""
        self._check_params()
        texts, labels = list(texts), np.asarray(list(labels))
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} texts but {len(labels)} labels; give one label each")
        self.vectorizer_ = self._make_vectorizer()
        X = self.vectorizer_.fit_transform(texts)
        self.model_ = self._make_model().fit(X, labels)
        self.classes_ = self.model_.classes_
        return self

    def _matrix(self, texts: Iterable[str]) -> Any:
        check_is_fitted(self, "model_")
        if isinstance(texts, str):
            raise TypeError("texts must be a list of strings; wrap one text as [text]")
        return self.vectorizer_.transform(list(texts))

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """The label of each text."""
        return self.model_.predict(self._matrix(texts))

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """``(n_texts, n_classes)`` probabilities, columns in ``classes_`` order."""
        return self.model_.predict_proba(self._matrix(texts))

    def predict_log_proba(self, texts: Iterable[str]) -> np.ndarray:
        """The log of :meth:`predict_proba`, computed without underflow."""
        return self.model_.predict_log_proba(self._matrix(texts))

    def top_features(self, n: int = 10) -> dict[Any, list[tuple[str, float]]]:
        """The ``n`` terms that push a text hardest towards each class.

        A term's push towards class ``c`` is how much one occurrence adds to the
        log-odds of ``c``: its weight for ``c`` minus its mean weight for the others
        (for two classes: ``log θ_spam,j - log θ_ham,j`` under the multinomial model).

        Returns:
            ``{label: [(term, push), ...]}``, strongest first, for every class.
        """
        check_is_fitted(self, "model_")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a whole number ≥ 1, got {n!r}")
        weights = self._weights()
        terms = self.vectorizer_.get_feature_names_out()
        k = len(self.classes_)
        if k < 2:
            return {self.classes_[0]: []}
        pushes = (k * weights - weights.sum(axis=0)) / (k - 1)  # own minus mean of others
        top: dict[Any, list[tuple[str, float]]] = {}
        for label, push in zip(self.classes_.tolist(), pushes, strict=True):
            order = np.argsort(-push, kind="stable")[:n]
            top[label] = [(str(terms[j]), float(push[j])) for j in order]
        return top

    def _weights(self) -> np.ndarray:
        """``W`` with scores ``X @ W.T + b``: for Bernoulli a present word swaps
        ``log(1 - θ)`` for ``log θ``."""
        log_prob = self.model_.feature_log_prob_
        if self.model == "bernoulli":
            return log_prob - np.log1p(-np.exp(log_prob))
        return log_prob

    # -- saving and loading -----------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        """Write ``model.json`` and ``weights.npz`` into ``folder`` (made if needed).

        Raises:
            ValueError: The filter uses a custom ``tokenizer`` (code cannot be saved).
            NotFittedError: The filter has not been fitted.
        """
        check_is_fitted(self, "model_")
        if self.tokenizer is not None:
            raise ValueError("a SpamFilter with a custom tokenizer cannot be saved (a function "
                             "is code, not data); use the default tokenizer to save it")  # fmt: skip
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        classes = self.classes_.tolist()
        if not all(isinstance(c, str | int) and not isinstance(c, bool) for c in classes):
            raise ValueError(f"only string or integer labels can be saved, got {classes!r}")
        params = {name: getattr(self, name) for name in SAVED_PARAMS}
        params["ngram_range"] = list(self.ngram_range)
        if params["stop_words"] is not None and not isinstance(params["stop_words"], str):
            params["stop_words"] = list(params["stop_words"])
        header = {"format": FORMAT, "version": VERSION, "params": params, "classes": classes,
                  "vocabulary": self.vectorizer_.get_feature_names_out().tolist()}  # fmt: skip
        arrays = {
            "class_count": self.model_.class_count_,
            "feature_count": self.model_.feature_count_,
            "class_log_prior": self.model_.class_log_prior_,
            "feature_log_prob": self.model_.feature_log_prob_,
        }
        if self.features == "tfidf":
            arrays["idf"] = self.vectorizer_.idf_
        # The weights first: a folder whose model.json is there is complete.
        np.savez(folder / WEIGHTS, **arrays)
        (folder / MODEL_JSON).write_text(json.dumps(header, ensure_ascii=False) + "\n",
                                         encoding="utf-8")  # fmt: skip
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> SpamFilter:
        """A filter saved by :meth:`save`, checked piece by piece.

        Raises:
            ModelFormatError: The folder, ``model.json`` or ``weights.npz`` is missing,
                unreadable, from another format or version, or inconsistent.
        """
        folder = Path(folder)
        header = _read_header(folder)
        params = header["params"]
        params["ngram_range"] = tuple(params["ngram_range"])
        try:
            spam = cls(**params)
            spam._check_params()
        except (TypeError, ValueError) as error:
            raise ModelFormatError(f"{folder / MODEL_JSON} has bad parameters ({error}); "
                                   f"{RETRAIN}") from None  # fmt: skip
        vocabulary, classes = header["vocabulary"], header["classes"]
        arrays = _read_weights(folder, len(classes), len(vocabulary), spam.features == "tfidf")
        spam.vectorizer_ = spam._make_vectorizer()
        spam.vectorizer_.vocabulary_ = {term: j for j, term in enumerate(vocabulary)}
        spam.vectorizer_.fixed_vocabulary_ = False
        if spam.features == "tfidf":
            spam.vectorizer_.idf_ = arrays["idf"]
        model = spam._make_model()
        model.classes_ = np.asarray(classes)
        model.n_features_in_ = len(vocabulary)
        model.class_count_ = arrays["class_count"]
        model.feature_count_ = arrays["feature_count"]
        model.class_log_prior_ = arrays["class_log_prior"]
        model.feature_log_prob_ = arrays["feature_log_prob"]
        if spam.model == "complement":
            model.feature_all_ = model.feature_count_.sum(axis=0)
        spam.model_, spam.classes_ = model, model.classes_
        return spam


def _read_header(folder: Path) -> dict[str, Any]:
    """``model.json`` of ``folder``, checked: format, version, fields and their types."""
    path = folder / MODEL_JSON
    if not folder.is_dir():
        raise ModelFormatError(f"no saved spam filter at {folder}: no such folder; {RETRAIN}")
    try:
        header = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFormatError(f"{folder} holds no {MODEL_JSON}, so it is no saved spam "
                               f"filter (or its saving stopped early); {RETRAIN}") from None  # fmt: skip
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFormatError(f"{path} is damaged ({error}); {RETRAIN}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFormatError(f"{path} is not a spam filter (its format is not {FORMAT!r}); "
                               f"{RETRAIN}")  # fmt: skip
    if header.get("version") != VERSION:
        raise ModelFormatError(f"{path} is format version {header.get('version')!r}, but this "
                               f"nlpjourney reads version {VERSION}; {RETRAIN}")  # fmt: skip
    params, classes, vocabulary = (header.get(k) for k in ("params", "classes", "vocabulary"))
    problems = []
    if not isinstance(params, dict) or set(params) != set(SAVED_PARAMS):
        problems.append(f"params must have exactly {', '.join(SAVED_PARAMS)}")
    if (
        not isinstance(classes, list)
        or not classes
        or not all(isinstance(c, str | int) and not isinstance(c, bool) for c in classes)
    ):
        problems.append("classes must be a non-empty list of strings or integers")
    if not isinstance(vocabulary, list) or not vocabulary or not all(
        isinstance(t, str) for t in vocabulary
    ) or len(set(vocabulary)) != len(vocabulary):  # fmt: skip
        problems.append("vocabulary must be a non-empty list of distinct strings")
    if isinstance(params, dict) and set(params) == set(SAVED_PARAMS):
        problems += [f"params.{name} must be {kind}" for name, (types, kind) in PARAM_TYPES.items()
                     if not _is(params[name], types)]  # fmt: skip
    if problems:
        raise ModelFormatError(f"{path} is damaged: {'; '.join(problems)}; {RETRAIN}")
    return header


def _is(value: Any, types: tuple[type, ...]) -> bool:
    """``isinstance`` where a bool is no number (JSON's true is not 1)."""
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, list):
        return list in types
    return isinstance(value, types)


#: The JSON type each saved parameter must have (lists are lists of strings, except
#: ``ngram_range``, checked by the filter itself).
PARAM_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "model": ((str,), "a string"),
    "features": ((str,), "a string"),
    "ngram_range": ((list,), "a list of two integers"),
    "alpha": ((int, float), "a number"),
    "lowercase": ((bool,), "true or false"),
    "stop_words": ((str, list, type(None)), "null, a string or a list of strings"),
    "min_df": ((int, float), "a number"),
    "max_df": ((int, float), "a number"),
    "max_features": ((int, type(None)), "null or an integer"),
    "sublinear_tf": ((bool,), "true or false"),
    "fit_prior": ((bool,), "true or false"),
}


def _read_weights(folder: Path, k: int, n_terms: int, tfidf: bool) -> dict[str, np.ndarray]:
    """``weights.npz`` of ``folder`` (no pickle), every array present with its shape."""
    path = folder / WEIGHTS
    shapes = {"class_count": (k,), "feature_count": (k, n_terms), "class_log_prior": (k,),
              "feature_log_prob": (k, n_terms)}  # fmt: skip
    if tfidf:
        shapes["idf"] = (n_terms,)
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in shapes}
    except FileNotFoundError:
        raise ModelFormatError(f"{folder} holds {MODEL_JSON} but no {WEIGHTS}; {RETRAIN}") from None
    except KeyError as error:
        raise ModelFormatError(f"{path} lacks the array {error}; {RETRAIN}") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ModelFormatError(f"{path} is damaged or truncated ({error}); {RETRAIN}") from None
    for name, shape in shapes.items():
        array = arrays[name]
        if array.shape != shape or array.dtype != np.float64:
            raise ModelFormatError(f"{path}: {name} is {array.dtype} {array.shape}, expected "
                                   f"float64 {shape} for {k} classes and {n_terms} terms; "
                                   f"{RETRAIN}")  # fmt: skip
    return arrays
