"""Turning a raw document into the list of features a vectorizer counts.

Every vectorizer in :mod:`nlpjourney.features` runs the same pipeline on each document:

1. *preprocess*: lowercase it (or run your own ``preprocessor``);
2. *tokenize*: cut it into words with ``token_pattern`` (or your ``tokenizer``);
3. drop stop words, then make n-grams: word n-grams join neighbouring tokens with a
   space, character n-grams slide a window over the text (``"char"``) or over each
   space-padded word (``"char_wb"``).

:class:`TextAnalysisMixin` holds the hyper-parameters these steps share and builds the
analyzer (``document -> list of feature strings``) from them. The free functions
:func:`word_ngrams`, :func:`char_ngrams` and :func:`char_wb_ngrams` are the n-gram steps
on their own, e.g. ``word_ngrams(["not", "very", "good"], (1, 2))`` gives
``["not", "very", "good", "not very", "very good"]``.

Reference: scikit-learn's ``sklearn.feature_extraction.text`` analyzers
(``CountVectorizer().build_analyzer()``), which produce the same features.

Simplifications: documents are strings (``input="content"``; ``bytes`` are decoded as
UTF-8), there is no ``strip_accents``, and ``stop_words="english"`` means NLTK's English
list from the data registry, not scikit-learn's own built-in list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from nlpjourney.data import corpora
from nlpjourney.ml.base import Estimator, TransformerMixin

Analyzer = Callable[[str], list[str]]
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_ANALYZERS = ("word", "char", "char_wb")
# subtle: only runs of two or more whitespace characters collapse to one space, so a
# lone "\n" survives into character n-grams. scikit-learn does the same.
_WHITE_SPACES = re.compile(r"\s\s+")
_CACHE_LIMIT = 200_000  # distinct words whose char_wb n-grams an analyzer remembers


def word_ngrams(tokens: Sequence[str], ngram_range: tuple[int, int] = (1, 1)) -> list[str]:
    """All word n-grams with ``min_n <= n <= max_n``, shortest first, each in text order.

    Example: ``word_ngrams(["a", "b", "c"], (2, 3))`` is ``["a b", "b c", "a b c"]``.
    """
    min_n, max_n = ngram_range
    if min_n == max_n == 1:
        return list(tokens)
    grams: list[str] = []
    for n in range(min_n, min(max_n, len(tokens)) + 1):
        if n == 1:
            grams.extend(tokens)
        else:
            # zip of n shifted views yields each window as a tuple, joined at C speed;
            # the views differ in length on purpose, so zip stops at the shortest.
            grams.extend(map(" ".join, zip(*(tokens[k:] for k in range(n)), strict=False)))
    return grams


def _slices(text: str, n: int) -> Iterable[str]:
    """Every length-``n`` window of ``text``, left to right."""
    return map(text.__getitem__, map(slice, range(len(text) - n + 1), range(n, len(text) + 1)))


def char_ngrams(text: str, ngram_range: tuple[int, int] = (1, 1)) -> list[str]:
    """Character n-grams over the whole text, after collapsing whitespace runs.

    Example: ``char_ngrams("ab c", (2, 2))`` is ``["ab", "b ", " c"]``.
    """
    text = _WHITE_SPACES.sub(" ", text)
    min_n, max_n = ngram_range
    grams: list[str] = []
    for n in range(min_n, min(max_n, len(text)) + 1):
        grams.extend(_slices(text, n))
    return grams


def char_wb_ngrams(text: str, ngram_range: tuple[int, int] = (1, 1)) -> list[str]:
    """Character n-grams inside word boundaries: each word is padded with one space a side.

    A padded word no longer than ``n`` is emitted whole, once, and longer n are skipped
    for it. Example: ``char_wb_ngrams("hi there", (3, 3))`` is
    ``[" hi", "hi ", " th", "the", "her", "ere", "re "]``.
    """
    min_n, max_n = ngram_range
    grams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        padded = f" {word} "
        for n in range(min_n, max_n + 1):
            if n >= len(padded):
                grams.append(padded)
                break
            grams.extend(_slices(padded, n))
    return grams


def resolve_stop_words(stop_words: str | Iterable[str] | None) -> frozenset[str] | None:
    """The stop word set for a ``stop_words`` argument.

    ``None`` means none; a string names an NLTK stop word list in the data registry
    (``"english"`` is NLTK's 179 words, which differ from scikit-learn's built-in 318);
    any other iterable is taken as the words themselves.
    """
    if stop_words is None:
        return None
    if isinstance(stop_words, str):
        languages = corpora.stopword_languages()
        if stop_words not in languages:
            raise ValueError(
                f"stop_words={stop_words!r} names no stop word list; pass a list of words "
                f"or one of {languages}"
            )
        return frozenset(corpora.stopword_list(stop_words))
    return frozenset(stop_words)


def check_documents(raw_documents: Any) -> None:
    """Reject a lone string, the most common mistake: it would be read as one doc per char."""
    if isinstance(raw_documents, str | bytes):
        raise ValueError(
            "Iterable over raw text documents expected, string object received; "
            "wrap a single document in a list: [text]"
        )
    if not isinstance(raw_documents, Iterable):
        raise TypeError(
            f"expected an iterable of str documents, got {type(raw_documents).__name__}"
        )


def _decode(doc: Any) -> str:
    if isinstance(doc, str):
        return doc
    if isinstance(doc, bytes):
        return doc.decode("utf-8")
    raise TypeError(f"each document must be a str (or UTF-8 bytes), got {type(doc).__name__}")


class TextAnalysisMixin(TransformerMixin, Estimator):
    """The text-analysis hyper-parameters and ``build_analyzer``, shared by all vectorizers.

    Subclasses store these attributes in ``__init__``; nothing here is learned. The
    parameter protocol (``get_params``, ``set_params``, the ``repr``) is
    :class:`nlpjourney.ml.base.Estimator`'s, so ``clone()`` and grid searches work.
    """

    input: str
    lowercase: bool
    preprocessor: Callable[[str], str] | None
    tokenizer: Callable[[str], list[str]] | None
    stop_words: str | Iterable[str] | None
    token_pattern: str | None
    ngram_range: tuple[int, int]
    analyzer: str | Callable[[str], Iterable[str]]

    # --- building the pipeline ----------------------------------------------------------

    def _check_analysis_params(self) -> None:
        if self.input != "content":
            raise ValueError(f"only input='content' (documents as strings) is supported, "
                             f"got {self.input!r}")  # fmt: skip
        try:
            min_n, max_n = self.ngram_range
        except (TypeError, ValueError):
            raise TypeError(
                f"ngram_range must be a pair (min_n, max_n), got {self.ngram_range!r}"
            ) from None
        if not (isinstance(min_n, int) and isinstance(max_n, int) and 1 <= min_n <= max_n):
            raise ValueError(
                f"Invalid value for ngram_range={self.ngram_range}: need integers "
                "1 <= min_n <= max_n, e.g. (1, 2)"
            )
        if not callable(self.analyzer) and self.analyzer not in _ANALYZERS:
            raise ValueError(
                f"analyzer={self.analyzer!r} is not a valid analyzer; use one of {_ANALYZERS} "
                "or a callable"
            )

    def build_preprocessor(self) -> Callable[[str], str]:
        """The preprocessing step: the user's ``preprocessor``, else optional lowercasing."""
        if self.preprocessor is not None:
            return self.preprocessor  # subtle: a custom preprocessor replaces lowercasing
        return str.lower if self.lowercase else _identity

    def build_tokenizer(self) -> Callable[[str], list[str]]:
        """The tokenizing step: the user's ``tokenizer``, else ``token_pattern.findall``."""
        if self.tokenizer is not None:
            return self.tokenizer
        pattern = re.compile(self.token_pattern or DEFAULT_TOKEN_PATTERN)
        if pattern.groups > 1:
            raise ValueError(
                f"token_pattern {self.token_pattern!r} has {pattern.groups} capturing groups; "
                "use at most one, or (?:...) for groups that should not capture"
            )
        return pattern.findall

    def get_stop_words(self) -> frozenset[str] | None:
        """The effective stop words (see :func:`resolve_stop_words`)."""
        return resolve_stop_words(self.stop_words)

    def build_analyzer(self) -> Analyzer:
        """A function ``document -> list of features``: preprocess, tokenize, n-grams."""
        self._check_analysis_params()
        if callable(self.analyzer):
            custom = self.analyzer
            return lambda doc: list(custom(_decode(doc)))
        preprocess = self.build_preprocessor()
        ngram_range = tuple(self.ngram_range)
        if self.analyzer == "char":
            return lambda doc: char_ngrams(preprocess(_decode(doc)), ngram_range)
        if self.analyzer == "char_wb":
            return _cached_char_wb_analyzer(preprocess, ngram_range)
        tokenize = self.build_tokenizer()
        stop_words = self.get_stop_words()
        if stop_words is None and ngram_range == (1, 1):  # the common case, kept lean
            return lambda doc: list(tokenize(preprocess(_decode(doc))))

        def analyze(doc: str) -> list[str]:
            tokens = tokenize(preprocess(_decode(doc)))
            if stop_words is not None:
                tokens = [token for token in tokens if token not in stop_words]
            return word_ngrams(tokens, ngram_range)

        return analyze


def _cached_char_wb_analyzer(
    preprocess: Callable[[str], str], ngram_range: tuple[int, int]
) -> Analyzer:
    """``char_wb`` n-grams, remembering each word's n-grams: words repeat far more than
    they are new, so most words cost one dict lookup instead of a dozen slices."""
    cache: dict[str, list[str]] = {}

    def analyze(doc: str) -> list[str]:
        grams: list[str] = []
        for word in _WHITE_SPACES.sub(" ", preprocess(_decode(doc))).split():
            word_grams = cache.get(word)
            if word_grams is None:
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()  # bound the memory on an endless stream of new words
                word_grams = cache[word] = char_wb_ngrams(word, ngram_range)
            grams.extend(word_grams)
        return grams

    return analyze


def _identity(text: str) -> str:
    return text
