"""Bag of words: a document becomes the counts of the features it contains.

:class:`CountVectorizer` learns a vocabulary (feature -> column, in alphabetical order),
optionally prunes it by document frequency (``min_df``, ``max_df``) and by total count
(``max_features``), and turns documents into a sparse ``scipy.sparse.csr_matrix`` of
counts, one row per document.

How it stays fast, in pure Python and NumPy: ``collections.Counter`` tallies each
document's features in C; each distinct feature is then mapped to a column id by one
dict lookup, done by ``map`` at C speed (a ``defaultdict`` whose default is its own
length hands out new ids while fitting). The ids and tallies of all documents go into
flat arrays, the vocabulary is sorted once and the ids remapped with one NumPy take,
and SciPy builds the CSR matrix once and sorts each row's columns in compiled code.

Reference: scikit-learn's ``CountVectorizer``; the tests compare matrices, structure and
``get_feature_names_out()`` on movie reviews and SMS spam.

Simplifications: see :mod:`nlpjourney.features.analysis`; no ``strip_accents``,
``encoding``/``decode_error`` options or ``inverse_transform``.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from nlpjourney.features.analysis import TextAnalysisMixin, check_documents


def _check_df(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be an int (documents) or a float (fraction), got {value!r}")
    if isinstance(value, Integral):
        if value < 0:
            raise ValueError(f"{name} as a document count must be >= 0, got {value}")
    elif not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} as a fraction of documents must be in [0, 1], got {value}")


def select_columns(matrix: sp.csr_matrix, keep: NDArray[np.bool_]) -> sp.csr_matrix:
    """The columns of a CSR matrix where ``keep`` is True, in their order; indices stay sorted."""
    new_column = np.cumsum(keep) - 1
    kept_entry = keep[matrix.indices]
    kept_before = np.concatenate(([0], np.cumsum(kept_entry)))
    return sp.csr_matrix(
        (
            matrix.data[kept_entry],
            new_column[matrix.indices[kept_entry]].astype(matrix.indices.dtype),
            kept_before[matrix.indptr].astype(matrix.indptr.dtype),
        ),
        shape=(matrix.shape[0], int(keep.sum())),
    )


class CountVectorizer(TextAnalysisMixin):
    """Raw documents to a sparse matrix of feature counts.

    Args:
        input: only ``"content"``: documents are the strings themselves.
        lowercase: lowercase before tokenizing (ignored when ``preprocessor`` is given).
        preprocessor: your own ``str -> str`` step, replacing lowercasing.
        tokenizer: your own ``str -> list[str]``, replacing ``token_pattern``.
        analyzer: ``"word"``, ``"char"``, ``"char_wb"`` or a callable ``str -> features``.
        stop_words: None, a list of words, or a language name of NLTK's lists such as
            ``"english"`` (NLTK's 179 words, *not* scikit-learn's built-in 318).
        token_pattern: the regex a token matches; the default takes runs of two or more
            word characters.
        ngram_range: ``(min_n, max_n)``: n-gram lengths to extract, in words or characters.
        max_df: drop features in more documents than this (int) or fraction (float).
        min_df: drop features in fewer documents than this (int) or fraction (float).
        max_features: keep only this many features, the most frequent over the corpus.
        vocabulary: a fixed vocabulary (a mapping term -> column, or terms in column
            order); then ``fit`` learns nothing and no pruning happens.
        binary: record presence (1) instead of counts.
        dtype: the matrix's dtype.

    Attributes (after ``fit``):
        vocabulary_: term -> column; columns are in alphabetical order of the terms.
        fixed_vocabulary_: whether ``vocabulary`` was given.

    Example:
        >>> vectorizer = CountVectorizer()
        >>> X = vectorizer.fit_transform(["free prize now", "call me now now"])
        >>> list(vectorizer.get_feature_names_out())
        ['call', 'free', 'me', 'now', 'prize']
        >>> X.toarray().tolist()
        [[0, 1, 0, 1, 1], [1, 0, 1, 2, 0]]
    """

    def __init__(
        self,
        *,
        input: str = "content",
        lowercase: bool = True,
        preprocessor: Callable[[str], str] | None = None,
        tokenizer: Callable[[str], list[str]] | None = None,
        analyzer: str | Callable[[str], Iterable[str]] = "word",
        stop_words: str | Iterable[str] | None = None,
        token_pattern: str | None = r"(?u)\b\w\w+\b",
        ngram_range: tuple[int, int] = (1, 1),
        max_df: float | int = 1.0,
        min_df: float | int = 1,
        max_features: int | None = None,
        vocabulary: Iterable[str] | Mapping[str, int] | None = None,
        binary: bool = False,
        dtype: type = np.int64,
    ) -> None:
        self.input = input
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.analyzer = analyzer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.max_df = max_df
        self.min_df = min_df
        self.max_features = max_features
        self.vocabulary = vocabulary
        self.binary = binary
        self.dtype = dtype

    # --- the public estimator API -------------------------------------------------------

    def fit(self, raw_documents: Iterable[str], y: Any = None) -> CountVectorizer:
        """Learn the vocabulary of ``raw_documents``; returns ``self``."""
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents: Iterable[str], y: Any = None) -> sp.csr_matrix:
        """Learn the vocabulary and return the count matrix, shape (n_docs, n_features)."""
        check_documents(raw_documents)
        _check_df(self.max_df, "max_df")
        _check_df(self.min_df, "min_df")
        if self.max_features is not None and (
            not isinstance(self.max_features, Integral) or self.max_features < 1
        ):
            raise ValueError(f"max_features must be a positive int or None, got {self.max_features!r}")  # fmt: skip
        fixed = self._set_fixed_vocabulary()
        if fixed:
            return self._count(raw_documents, self.vocabulary_)
        vocabulary: defaultdict[str, int] = defaultdict()
        vocabulary.default_factory = vocabulary.__len__  # a new feature gets the next id
        counts = self._count(raw_documents, vocabulary)
        if not vocabulary:
            raise ValueError(
                "empty vocabulary; perhaps the documents only contain stop words, or the "
                "token_pattern matches nothing (by default tokens need two word characters)"
            )
        terms, counts = self._prune(list(vocabulary), counts)
        self.vocabulary_ = dict(zip(terms, range(len(terms)), strict=True))
        return counts

    def transform(self, raw_documents: Iterable[str]) -> sp.csr_matrix:
        """Count ``raw_documents`` over the learned vocabulary; unknown features are dropped."""
        check_documents(raw_documents)
        if not hasattr(self, "vocabulary_"):
            if self.vocabulary is None:
                raise ValueError(
                    f"this {type(self).__name__} is not fitted yet; call fit (or pass vocabulary)"
                )
            self._set_fixed_vocabulary()
        return self._count(raw_documents, self.vocabulary_)

    def get_feature_names_out(self, input_features: Any = None) -> NDArray[np.object_]:
        """The feature (term) of each column, as an object array."""
        if not hasattr(self, "vocabulary_"):
            if self.vocabulary is None:
                raise ValueError(f"this {type(self).__name__} is not fitted yet; call fit first")
            self._set_fixed_vocabulary()
        by_column = sorted(self.vocabulary_.items(), key=lambda item: item[1])
        return np.asarray([term for term, _ in by_column], dtype=object)

    # --- the work -----------------------------------------------------------------------

    def _set_fixed_vocabulary(self) -> bool:
        """Validate a user-given ``vocabulary`` into ``vocabulary_``; False when there is none."""
        given = self.vocabulary
        self.fixed_vocabulary_ = given is not None
        if given is None:
            return False
        if isinstance(given, set | frozenset):
            given = sorted(given)
        if isinstance(given, Mapping):
            vocabulary = {term: int(column) for term, column in given.items()}
            if sorted(vocabulary.values()) != list(range(len(vocabulary))):
                raise ValueError(
                    "a vocabulary mapping must use each column 0 .. n-1 exactly once; "
                    "pass a list of terms to number them for you"
                )
        else:
            vocabulary = {}
            for column, term in enumerate(given):
                if vocabulary.setdefault(term, column) != column:
                    raise ValueError(f"Duplicate term in vocabulary: {term!r}")
        if not vocabulary:
            raise ValueError("empty vocabulary passed; give at least one term")
        self.vocabulary_ = vocabulary
        return True

    def _count(self, raw_documents: Iterable[str], vocabulary: dict[str, int]) -> sp.csr_matrix:
        """Count matrix over ``vocabulary``; a ``defaultdict`` vocabulary grows as it goes.

        A growing vocabulary ends sorted: columns are renumbered alphabetically, and the
        ``defaultdict`` is replaced by a plain dict in that order, in place.
        """
        analyze = self.build_analyzer()
        growing = isinstance(vocabulary, defaultdict)
        # Growing: __getitem__ adds unseen features. Fixed: .get(feature, -1) marks them.
        lookup = vocabulary.__getitem__ if growing else vocabulary.get
        extra = () if growing else (itertools.repeat(-1),)
        ids: list[int] = []
        tallies: list[int] = []
        lengths: list[int] = []
        for doc in raw_documents:
            # Counter tallies in C; then each distinct feature is looked up only once.
            counter = Counter(analyze(doc))
            ids.extend(map(lookup, counter, *extra))
            tallies.extend(counter.values())
            lengths.append(len(counter))
        columns = np.array(ids, dtype=np.int64)
        values = np.array(tallies, dtype=self.dtype)
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        if growing:
            terms = list(vocabulary)  # in id order: each new feature got id len(vocabulary)
            alphabetical = sorted(terms)
            vocabulary.clear()
            vocabulary.default_factory = None
            vocabulary.update(zip(alphabetical, range(len(alphabetical)), strict=True))
            new_of_old = np.fromiter(map(vocabulary.__getitem__, terms), dtype=np.int64,
                                     count=len(terms))  # fmt: skip
            columns = new_of_old[columns] if len(terms) else columns
        else:
            known = columns >= 0
            columns, values = columns[known], values[known]
            indptr = np.concatenate(([0], np.cumsum(known)))[indptr]
        index_dtype = np.int32 if len(columns) < 2**31 and len(vocabulary) < 2**31 else np.int64
        counts = sp.csr_matrix(
            (values, columns.astype(index_dtype), indptr.astype(index_dtype)),
            shape=(len(lengths), len(vocabulary)),
        )
        counts.sort_indices()  # no duplicates to sum: each row came from one Counter
        if self.binary:
            counts.data.fill(1)
        return counts

    def _prune(self, terms: list[str], counts: sp.csr_matrix) -> tuple[list[str], sp.csr_matrix]:
        """Apply ``max_df``, ``min_df`` and ``max_features`` to sorted ``terms`` and ``counts``."""
        n_documents = counts.shape[0]
        high = self.max_df if isinstance(self.max_df, Integral) else self.max_df * n_documents
        low = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n_documents
        if high < low:
            raise ValueError(
                f"max_df corresponds to < documents than min_df: max_df={self.max_df!r} allows "
                f"{high:g} documents but min_df={self.min_df!r} asks for {low:g} "
                f"(of {n_documents}); raise max_df or lower min_df"
            )
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        keep = (df <= high) & (df >= low)
        if self.max_features is not None and keep.sum() > self.max_features:
            totals = np.asarray(counts.sum(axis=0)).ravel()
            # subtle: ties in total count are broken by NumPy's default (unstable) argsort
            # over alphabetical columns, exactly as scikit-learn does, so both keep the
            # same features; a stable sort would pick differently at the cut-off.
            best = np.argsort(-totals[keep])[: self.max_features]
            chosen = np.flatnonzero(keep)[best]
            keep = np.zeros_like(keep)
            keep[chosen] = True
        if not keep.any():
            raise ValueError(
                "After pruning, no terms remain. Try a lower min_df or a higher max_df."
            )
        if keep.all():
            return terms, counts
        kept_terms = list(itertools.compress(terms, keep))
        return kept_terms, select_columns(counts, keep)
