"""An inverted index: for every term, the documents that contain it, how often, and where.

Grep reads every document for every query; an inverted index reads only the postings of
the query's terms. Building it is one pass over the corpus's token stream, vectorised:
tokens become integer term ids (a dict built at C speed), a counting sort groups the
stream by term (keeping document and position order inside a term), and the places where
the document changes cut each term's run into postings. No Python list per posting.

Layout (CSR, term-major). With ``V`` terms, ``P`` postings (distinct (term, document)
pairs), ``T`` tokens and ``D`` documents:

- ``term_ptr`` (V + 1,) int64: the postings of term ``t`` are ``term_ptr[t]:term_ptr[t + 1]``;
- ``doc_ids`` (P,) int32: each posting's document, increasing within a term;
- ``tfs`` (P,) int32: how often the term occurs in that document;
- ``position_ptr`` (P + 1,) int64 and ``positions`` (T,) int32: the token positions of
  posting ``p`` are ``positions[position_ptr[p]:position_ptr[p + 1]]``, increasing;
- ``doc_lengths`` (D,) int32: each document's length in (analysed) tokens.

On disk (:meth:`InvertedIndex.save`) a folder holds each of those arrays as
``<name>.npy`` (opened memory-mapped by :meth:`InvertedIndex.load`, so a large index costs
no reading until a posting list is used) and ``manifest.json``::

    {"format": "nlpjourney-inverted-index", "version": 1,
     "n_docs": D, "n_terms": V, "n_postings": P, "n_tokens": T,
     "analyzer": {"lowercase": true, "stop_words": "english", "stemmer": "porter",
                  "token_pattern": "(?u)\\\\b\\\\w\\\\w+\\\\b"} or null,
     "vocabulary": ["term 0", "term 1", ...]}

``analyzer`` is null for an index built from tokens; ``vocabulary[t]`` is term ``t``.
Other files in the folder are left alone (:class:`~nlpjourney.retrieval.BM25` adds its own).

The index does not store the documents' original texts: an application that shows
results (``journey search``) keeps the texts beside it and looks them up by document id.

Example:
    >>> index = InvertedIndex.from_texts(["The cat sat.", "Cats and dogs; a dog sat"])
    >>> index.analyze("Sitting cats")
    ['sit', 'cat']
    >>> index.postings("cat")
    (array([0, 1], dtype=int32), array([1, 1], dtype=int32))
    >>> index.positions("dog", 1)
    array([1, 2], dtype=int32)

Reference: the postings equal those of scikit-learn's ``CountVectorizer`` (tested), and
the positions those of a plain loop over each document.

Simplifications: one field per document, no deletions or merges (rebuild instead), and no
compression of the arrays (bm25s does not compress either).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from nlpjourney.features.analysis import DEFAULT_TOKEN_PATTERN, resolve_stop_words
from nlpjourney.progress import progress_bar
from nlpjourney.retrieval._kernels import group_by_term
from nlpjourney.retrieval._storage import (
    ARRAYS,
    FORMAT,
    MANIFEST,
    VERSION,
    IndexFormatError,
    load_array,
    read_manifest,
)
from nlpjourney.text.stem import PorterStemmer

__all__ = ["IndexFormatError", "InvertedIndex"]

_STEMMERS = ("porter",)
_CHUNK = 4096  # texts analysed between two progress-bar updates


class _Analyzer:
    """Text -> terms: lower-case, find tokens, drop stop words, stem (the 1.2 pipeline)."""

    def __init__(
        self,
        lowercase: bool = True,
        stop_words: str | Iterable[str] | None = "english",
        stemmer: str | None = "porter",
        token_pattern: str = DEFAULT_TOKEN_PATTERN,
    ) -> None:
        if stemmer is not None and stemmer not in _STEMMERS:
            raise ValueError(f"unknown stemmer {stemmer!r}: use one of {_STEMMERS} or None")
        if not isinstance(token_pattern, str):
            raise TypeError(
                f"token_pattern must be a regular expression string, got "
                f"{type(token_pattern).__name__}"
            )
        try:
            self.pattern = re.compile(token_pattern)
        except re.error as error:
            raise ValueError(
                f"token_pattern {token_pattern!r} is not a valid regular expression: {error}"
            ) from None
        if self.pattern.groups > 1:
            raise ValueError(
                f"token_pattern {token_pattern!r} has more than one capturing "
                "group; use (?:...) for groups that should not capture"
            )
        self.lowercase = bool(lowercase)
        self.stop_words_setting = (
            stop_words if stop_words is None or isinstance(stop_words, str) else sorted(stop_words)
        )
        self.stop_words = resolve_stop_words(stop_words) or frozenset()
        self.stemmer_name = stemmer
        self.stemmer = PorterStemmer() if stemmer == "porter" else None
        self.token_pattern = token_pattern

    def settings(self) -> dict[str, Any]:
        """The arguments that rebuild this analyzer, as JSON-ready values."""
        return {
            "lowercase": self.lowercase,
            "stop_words": self.stop_words_setting,
            "stemmer": self.stemmer_name,
            "token_pattern": self.token_pattern,
        }

    def tokens(self, text: str) -> list[str]:
        """The raw tokens of ``text``, before stop words and stemming."""
        if not isinstance(text, str):
            raise TypeError(f"a text must be a str, got {type(text).__name__}")
        return self.pattern.findall(text.lower() if self.lowercase else text)

    def term(self, token: str) -> str | None:
        """The term a raw token becomes, or None for a stop word."""
        if token in self.stop_words:
            return None
        # subtle: our stemmer lower-cases by default; with lowercase=False keep the case.
        return self.stemmer.stem(token, to_lowercase=self.lowercase) if self.stemmer else token

    def __call__(self, text: str) -> list[str]:
        terms = (self.term(token) for token in self.tokens(text))
        return [term for term in terms if term is not None]


class InvertedIndex:
    """Postings (documents, term frequencies, positions) for every term of a corpus.

    Build one with :meth:`build` (tokenized documents) or :meth:`from_texts` (raw texts,
    analysed as in topic 1.2); save it with :meth:`save` and open it again, memory-mapped,
    with :meth:`load`. The arrays (layout in the module docstring) are public, read-only
    attributes: ``term_ptr``, ``doc_ids``, ``tfs``, ``position_ptr``, ``token_positions``,
    ``doc_lengths``; ``vocabulary[t]`` is the term with id ``t``.
    """

    def __init__(
        self,
        vocabulary: list[str],
        arrays: dict[str, np.ndarray],
        analyzer: _Analyzer | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.term_ids = {term: i for i, term in enumerate(vocabulary)}
        self.term_ptr = arrays["term_ptr"]
        self.doc_ids = arrays["doc_ids"]
        self.tfs = arrays["tfs"]
        self.position_ptr = arrays["position_ptr"]
        self.token_positions = arrays["positions"]
        self.doc_lengths = arrays["doc_lengths"]
        self._analyzer = analyzer

    # --- building --------------------------------------------------------------------

    @classmethod
    def build(cls, corpus_tokens: Sequence[Sequence[str]]) -> InvertedIndex:
        """Index tokenized documents: ``corpus_tokens[d]`` is document ``d``'s token list.

        Terms get ids in order of first appearance. Queries must be tokenized the same
        way (:meth:`analyze` is not available on such an index).

        Raises:
            TypeError: ``corpus_tokens`` is a string, holds a string where a token list
                belongs (pass ``[text.split()]``, or use :meth:`from_texts`), or a token
                that is not a string.
        """
        return cls._build(_check_corpus(corpus_tokens), None)

    @classmethod
    def from_texts(
        cls,
        texts: Sequence[str],
        lowercase: bool = True,
        stop_words: str | Iterable[str] | None = "english",
        stemmer: str | None = "porter",
        token_pattern: str = DEFAULT_TOKEN_PATTERN,
        progress: bool | None = None,
    ) -> InvertedIndex:
        """Index raw texts, analysed by lower-casing, a token pattern, stop words, stemming.

        Args:
            texts: the documents.
            lowercase: lower-case before finding tokens.
            stop_words: ``"english"`` (NLTK's list, as in :mod:`nlpjourney.features`), a
                list of words, or None.
            stemmer: ``"porter"`` (:class:`nlpjourney.text.PorterStemmer`) or None.
            token_pattern: what a token is (the default: two or more word characters).
            progress: show a progress bar (None: only on a terminal).

        The index keeps the analyzer (and saves it), so :meth:`analyze` turns a query
        into the same terms. The result equals ``build([index.analyze(t) for t in texts])``.
        """
        if isinstance(texts, str):
            raise TypeError("texts must be a sequence of documents, got one str; wrap it: [text]")
        analyzer = _Analyzer(lowercase, stop_words, stemmer, token_pattern)
        texts = texts if isinstance(texts, Sequence) else list(texts)
        raw: list[list[str]] = []
        with progress_bar("Indexing texts", len(texts), "texts", progress) as bar:
            for start in range(0, len(texts), _CHUNK):
                chunk = texts[start : start + _CHUNK]
                raw.extend([analyzer.tokens(text) for text in chunk])
                bar.advance(len(chunk))
        # Stop words and stems are decided once per distinct raw token, not per token.
        return cls._build(raw, analyzer)

    @classmethod
    def _build(cls, docs: Sequence[Sequence[str]], analyzer: _Analyzer | None) -> InvertedIndex:
        n_docs = len(docs)
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=n_docs)
        flat = list(chain.from_iterable(docs))
        vocabulary = list(dict.fromkeys(flat))
        if not all(isinstance(term, str) for term in vocabulary):
            bad = next(term for term in vocabulary if not isinstance(term, str))
            raise TypeError(f"tokens must be strings, found {bad!r} ({type(bad).__name__})")
        ids_of = {term: i for i, term in enumerate(vocabulary)}
        term_ids = np.fromiter(map(ids_of.__getitem__, flat), dtype=np.int32, count=len(flat))
        del flat
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int32), lengths)
        if analyzer is not None:
            # Map each raw token type to its term (-1: a stop word), then drop stop words.
            terms = [analyzer.term(token) for token in vocabulary]
            vocabulary = list(dict.fromkeys(term for term in terms if term is not None))
            ids_of = {term: i for i, term in enumerate(vocabulary)}
            mapping = np.array([-1 if t is None else ids_of[t] for t in terms] or [0], np.int32)
            term_ids = mapping[term_ids]
            keep = term_ids >= 0
            if not keep.all():
                term_ids, doc_of = term_ids[keep], doc_of[keep]
                lengths = np.bincount(doc_of, minlength=n_docs)
        n_tokens = len(term_ids)
        starts = np.cumsum(lengths) - lengths
        position = np.arange(n_tokens, dtype=np.int64) - np.repeat(starts, lengths)

        order, token_ptr = group_by_term(term_ids, len(vocabulary))
        doc_sorted = doc_of[order]
        # A posting starts where the term changes or, inside a term, the document does.
        new = np.ones(n_tokens, dtype=bool)
        new[1:] = doc_sorted[1:] != doc_sorted[:-1]
        new[token_ptr[:-1][token_ptr[:-1] < n_tokens]] = True
        posting_starts = np.flatnonzero(new)
        position_ptr = np.append(posting_starts, n_tokens).astype(np.int64)
        arrays = {
            "term_ptr": np.searchsorted(posting_starts, token_ptr).astype(np.int64),
            "doc_ids": doc_sorted[posting_starts].astype(np.int32),
            "tfs": np.diff(position_ptr).astype(np.int32),
            "position_ptr": position_ptr,
            "positions": position[order].astype(np.int32),
            "doc_lengths": lengths.astype(np.int32),
        }
        return cls(vocabulary, arrays, analyzer)

    # --- reading ---------------------------------------------------------------------

    @property
    def n_docs(self) -> int:
        """The number of documents."""
        return len(self.doc_lengths)

    @property
    def n_terms(self) -> int:
        """The number of distinct terms (the vocabulary's size)."""
        return len(self.vocabulary)

    @property
    def df(self) -> np.ndarray:
        """(V,) int64: each term's document frequency, the length of its posting list."""
        return np.diff(self.term_ptr)

    @property
    def avgdl(self) -> float:
        """The average document length in tokens (0.0 for an empty corpus)."""
        return float(self.doc_lengths.mean(dtype=np.float64)) if self.n_docs else 0.0

    @property
    def analyzer_settings(self) -> dict[str, Any] | None:
        """The :meth:`from_texts` arguments of this index, or None if built from tokens."""
        return self._analyzer.settings() if self._analyzer else None

    def analyze(self, text: str) -> list[str]:
        """``text`` as this index's terms (the analysis :meth:`from_texts` applied).

        Raises:
            ValueError: the index was built from tokens, so it knows no analysis.
        """
        if self._analyzer is None:
            raise ValueError(
                "this index was built from tokens (InvertedIndex.build), so it "
                "has no analyzer: tokenize the query the way the corpus was "
                "tokenized, or build with InvertedIndex.from_texts"
            )
        return self._analyzer(text)

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(doc_ids, tfs) of ``term``, by increasing document id; empty if unknown."""
        t = self.term_ids.get(term)
        if t is None:
            return np.empty(0, np.int32), np.empty(0, np.int32)
        lo, hi = self.term_ptr[t], self.term_ptr[t + 1]
        return np.asarray(self.doc_ids[lo:hi]), np.asarray(self.tfs[lo:hi])

    def positions(self, term: str, doc_id: int) -> np.ndarray:
        """The token positions of ``term`` in document ``doc_id`` (empty if absent)."""
        if not 0 <= doc_id < self.n_docs:
            raise IndexError(
                f"doc_id {doc_id} is out of range: the index has {self.n_docs} documents"
            )
        t = self.term_ids.get(term)
        if t is None:
            return np.empty(0, np.int32)
        lo, hi = self.term_ptr[t], self.term_ptr[t + 1]
        p = lo + np.searchsorted(self.doc_ids[lo:hi], doc_id)
        if p == hi or self.doc_ids[p] != doc_id:
            return np.empty(0, np.int32)
        return np.asarray(self.token_positions[self.position_ptr[p] : self.position_ptr[p + 1]])

    def __repr__(self) -> str:
        return (
            f"InvertedIndex(n_docs={self.n_docs}, n_terms={self.n_terms}, "
            f"n_postings={len(self.doc_ids)})"
        )

    # --- disk ------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the index into the folder ``path`` (created; files of the same names replaced).

        Returns:
            The folder. Its format is in the module docstring.
        """
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        arrays = self._arrays()
        for name, (dtype, _) in ARRAYS.items():
            np.save(folder / f"{name}.npy", np.ascontiguousarray(arrays[name], dtype=dtype))
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "n_docs": self.n_docs,
            "n_terms": self.n_terms,
            "n_postings": len(self.doc_ids),
            "n_tokens": len(self.token_positions),
            "analyzer": self.analyzer_settings,
            "vocabulary": self.vocabulary,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
        return folder

    @classmethod
    def load(cls, path: str | Path, mmap: bool = True) -> InvertedIndex:
        """Open an index that :meth:`save` wrote.

        Args:
            path: the folder.
            mmap: map the arrays from disk (read-only, read on demand) instead of reading them.

        Raises:
            DataNotFoundError: no such folder, or no manifest in it.
            IndexFormatError: the manifest or an array is missing, corrupt, of another
                format or version, or does not fit the others.
        """
        folder = Path(path)
        manifest = read_manifest(folder)
        arrays = {}
        for name, (dtype, length) in ARRAYS.items():
            arrays[name] = load_array(folder, name, dtype, length(manifest), mmap)
        counts_agree = (
            arrays["term_ptr"][0] == 0
            and arrays["term_ptr"][-1] == manifest["n_postings"]
            and arrays["position_ptr"][-1] == manifest["n_tokens"]
        )
        if not counts_agree:
            raise IndexFormatError(
                f"{folder}: the index arrays do not fit together (a "
                "partly written or altered index?): save it again"
            )
        settings = manifest["analyzer"]
        try:
            analyzer = None if settings is None else _Analyzer(**settings)
        except (TypeError, ValueError) as error:
            raise IndexFormatError(
                f"{folder}: the saved analyzer settings are not valid "
                f"({error}): save the index again"
            ) from None
        return cls(list(manifest["vocabulary"]), arrays, analyzer)

    def _arrays(self) -> dict[str, np.ndarray]:
        return {
            "term_ptr": self.term_ptr,
            "doc_ids": self.doc_ids,
            "tfs": self.tfs,
            "position_ptr": self.position_ptr,
            "positions": self.token_positions,
            "doc_lengths": self.doc_lengths,
        }


def _check_corpus(corpus_tokens: Any) -> Sequence[Sequence[str]]:
    if isinstance(corpus_tokens, str):
        raise TypeError(
            "corpus_tokens must be a sequence of token lists, got one str; "
            "for raw texts use InvertedIndex.from_texts"
        )
    docs = corpus_tokens if isinstance(corpus_tokens, Sequence) else list(corpus_tokens)
    for doc in docs:
        if isinstance(doc, str) or not isinstance(doc, Sequence | np.ndarray):
            raise TypeError(
                f"each document must be a list of tokens, got {type(doc).__name__} "
                f"({str(doc)[:40]!r}); for raw texts use InvertedIndex.from_texts "
                "or tokenize first, e.g. text.split()"
            )
    return docs
