"""BM25 ranking over an inverted index, with every term score computed once, at indexing.

A document's BM25 score for a query is a sum over the query's terms of
``bm25_idf(df) * bm25_tf(tf, |d|)`` (:mod:`nlpjourney.retrieval.scoring`). Both factors
are known when the corpus is indexed, so :class:`BM25` stores one float32 score per
posting, in the index's term-major layout (as bm25s does: "eager" scoring). A query then
only adds up its terms' posting scores into a dense vector of document scores and keeps
the best ``k`` with a heap: no per-query arithmetic beyond one addition per posting, and
no full sort.

BM25L and BM25+ give a document a positive score for a query term even when it lacks
the term (their ``delta`` floor): ``idf * bm25_tf(0, ...)``, the same for every document.
Like bm25s, we store each posting's score *minus* that "shift" and add the query's total
shift to every document afterwards, so postings stay sparse and the scores are exact.

Ranker contract (shared by every ranker of :mod:`nlpjourney.retrieval`):

- ``index(corpus_tokens) -> self``;
- ``search(query, k=10) -> (doc_ids, scores)``: ``query`` is a sequence of tokens (a
  repeated token counts each time) or a mapping token -> weight (score = sum of weight *
  term score); two 1-D arrays of length ``min(k, n_docs)``, best first; ties go to the
  lower document id; documents that match nothing fill the list with score 0 (or the
  query's shift) when fewer than ``k`` match. Unknown tokens count for nothing; an empty
  query returns the first ``k`` ids with zero scores;
- ``search_many(queries, k=10) -> (ids (Q, k), scores (Q, k))``.

Example:
    >>> corpus = [["a", "cat", "sat"], ["a", "dog", "sat", "down"], ["cats", "and", "dogs"]]
    >>> ranker = BM25().index(corpus)
    >>> ids, scores = ranker.search(["dog", "sat"], k=2)
    >>> ids
    array([1, 0])
    >>> scores.round(3)
    array([0.532, 0.197], dtype=float32)

From raw texts (what a search command does: the texts themselves are kept elsewhere,
the index stores only terms):

    >>> texts = ["The cat sat on the mat.", "Dogs were barking at the cats."]
    >>> ranker = BM25.from_index(InvertedIndex.from_texts(texts))
    >>> ranker.analyze("a barking dog")
    ['bark', 'dog']
    >>> ranker.search(ranker.analyze("a barking dog"))[0]
    array([1, 0])

Reference: bm25s (``bm25s.BM25``, the same five methods, equal top-10 ids and scores,
tested on Cranfield) and rank_bm25 (``BM25Okapi``; see ``tests/retrieval/test_bm25.py``
for how it differs).

Differences from bm25s: ties are broken by the lower document id (bm25s's order among
equal scores depends on its heap and is not specified); bm25s adds an empty token ``""``
to its vocabulary, we do not; a mapping query (weighted terms) is ours only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlpjourney.retrieval._kernels import search_postings
from nlpjourney.retrieval._storage import IndexFormatError, load_array
from nlpjourney.retrieval.index import InvertedIndex
from nlpjourney.retrieval.scoring import bm25_idf, bm25_tf, check_k1_b, check_method

__all__ = ["BM25"]

Query = Sequence[str] | Mapping[str, float]
_PARAMS = "bm25.json"
_DEFAULT_DELTA = 0.5  # bm25s's default for both BM25L and BM25+


class BM25:
    """The BM25 ranker: ``BM25(k1, b, method, delta).index(corpus_tokens).search(query)``.

    Args:
        k1: term-frequency saturation, ``>= 0`` (0: only presence counts).
        b: document-length normalisation in ``[0, 1]`` (0: length ignored).
        method: ``"lucene"`` (the default, as in bm25s and Lucene), ``"robertson"``,
            ``"atire"``, ``"bm25l"`` or ``"bm25+"`` (formulas in
            :mod:`nlpjourney.retrieval.scoring`).
        delta: the floor of ``"bm25l"`` and ``"bm25+"``; None means bm25s's default, 0.5,
            for both. Ignored by the other methods.

    Attributes (after :meth:`index` or :meth:`from_index`):
        inverted_index_: the :class:`InvertedIndex` (its ``analyze`` turns raw query text
            into terms when it was built from texts).
        posting_scores_: (P,) float32, the score of each posting minus its term's shift.
        shifts_: (V,) float32, each term's score for a document without it (zeros except
            for BM25L and BM25+).
    """

    def __init__(
        self,
        k1: float = 1.5,
        b: float = 0.75,
        method: str = "lucene",
        delta: float | None = None,
    ) -> None:
        self.k1 = k1
        self.b = b
        self.method = method
        self.delta = delta

    def __repr__(self) -> str:
        return f"BM25(k1={self.k1}, b={self.b}, method={self.method!r}, delta={self.delta})"

    # --- indexing --------------------------------------------------------------------

    def index(self, corpus_tokens: Sequence[Sequence[str]]) -> BM25:
        """Index tokenized documents (``corpus_tokens[d]`` is document ``d``'s tokens)."""
        return self._score(InvertedIndex.build(corpus_tokens))

    @classmethod
    def from_index(
        cls,
        inverted_index: InvertedIndex,
        k1: float = 1.5,
        b: float = 0.75,
        method: str = "lucene",
        delta: float | None = None,
    ) -> BM25:
        """A BM25 ranker over an existing :class:`InvertedIndex` (e.g. one from texts)."""
        if not isinstance(inverted_index, InvertedIndex):
            raise TypeError(
                f"from_index needs an InvertedIndex, got {type(inverted_index).__name__}; "
                "for token lists use BM25().index(corpus_tokens)"
            )
        return cls(k1, b, method, delta)._score(inverted_index)

    def _check_params(self) -> float:
        check_method(self.method)
        check_k1_b(self.k1, self.b)
        delta = _DEFAULT_DELTA if self.delta is None else self.delta
        if not delta >= 0:
            raise ValueError(f"delta must be >= 0, got {delta}")
        return float(delta)

    def _score(self, inverted_index: InvertedIndex) -> BM25:
        delta = self._check_params()
        if inverted_index.n_docs == 0:
            raise ValueError("the corpus is empty: give at least one document to index")
        # A corpus of empty documents has no postings; any positive avgdl then does.
        n_docs, avgdl = inverted_index.n_docs, max(inverted_index.avgdl, 1e-12)
        idf = bm25_idf(inverted_index.df, n_docs, self.method)
        shifts = np.zeros(inverted_index.n_terms)
        if self.method in ("bm25l", "bm25+"):
            # The score of a document without the term: tf = 0 at any length (bm25s
            # evaluates it at the average length; with tf = 0 the length drops out).
            zero = bm25_tf(0.0, avgdl, avgdl, self.k1, self.b, self.method, delta)
            shifts = idf * zero
        # One idf and one shift per posting, spread from the term-major layout.
        per_posting = np.repeat(np.arange(inverted_index.n_terms), inverted_index.df)
        doc_len = np.asarray(inverted_index.doc_lengths)[np.asarray(inverted_index.doc_ids)]
        tf_part = bm25_tf(
            np.asarray(inverted_index.tfs),
            doc_len,
            avgdl,
            self.k1,
            self.b,
            self.method,
            delta,
        )
        # subtle: bm25s keeps idf and shift in float32 and multiplies in float64; rounding
        # at the same places gives the same float32 scores, bit for bit.
        idf32 = idf.astype(np.float32).astype(np.float64)
        shifts32 = shifts.astype(np.float32)
        scores = idf32[per_posting] * tf_part - shifts32.astype(np.float64)[per_posting]
        self.inverted_index_ = inverted_index
        self.posting_scores_ = scores.astype(np.float32)
        self.shifts_ = shifts32
        self.delta_ = delta
        return self

    # --- searching -------------------------------------------------------------------

    @property
    def vocabulary(self) -> list[str]:
        """The indexed terms; ``vocabulary[t]`` has term id ``t``."""
        return self._fitted().vocabulary

    @property
    def n_docs(self) -> int:
        """The number of indexed documents."""
        return self._fitted().n_docs

    def analyze(self, text: str) -> list[str]:
        """``text`` as query terms, analysed as the indexed texts were
        (:meth:`InvertedIndex.analyze`; only for an index built from texts)."""
        return self._fitted().analyze(text)

    def search(self, query: Query, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best documents for one query (contract in the module docstring).

        Args:
            query: a sequence of tokens, or a mapping token -> weight.
            k: how many documents, at least 1.

        Returns:
            doc_ids (n,) int64 and scores (n,) float32, best first, n = ``min(k, n_docs)``.
        """
        ids, scores = self.search_many([query], k)
        return ids[0], scores[0]

    def search_many(self, queries: Sequence[Query], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best documents for each query, in one compiled pass.

        Returns:
            ids (Q, n) int64 and scores (Q, n) float32, n = ``min(k, n_docs)``.
        """
        index = self._fitted()
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"k must be a positive int (how many documents), got {k!r}")
        if isinstance(queries, str | Mapping):
            raise TypeError("search_many takes a list of queries; for one query use search()")
        terms: list[int] = []
        weights: list[float] = []
        ptr = [0]
        get = index.term_ids.get
        for query in queries:
            for term, weight in _pairs(query):
                t = get(term)
                if t is not None:
                    terms.append(t)
                    weights.append(weight)
            ptr.append(len(terms))
        weight_array = np.asarray(weights, dtype=np.float32)
        if not np.isfinite(weight_array).all():
            raise ValueError("query weights must be finite numbers (no NaN or infinity)")
        return search_postings(
            np.asarray(ptr, dtype=np.int64),
            np.asarray(terms, dtype=np.int64),
            weight_array,
            index.term_ptr,
            index.doc_ids,
            self.posting_scores_,
            self.shifts_,
            index.n_docs,
            min(int(k), index.n_docs),
        )

    def _fitted(self) -> InvertedIndex:
        index = getattr(self, "inverted_index_", None)
        if index is None:
            raise ValueError("this BM25 has no index yet: call index(corpus_tokens), "
                             "BM25.from_index(...) or BM25.load(folder) first")  # fmt: skip
        return index

    # --- disk ------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Save the index and the scores into the folder ``path`` (the index format plus
        ``bm25.json`` (the parameters), ``bm25_scores.npy`` and ``bm25_shifts.npy``)."""
        index = self._fitted()
        folder = index.save(path)
        np.save(folder / "bm25_scores.npy", self.posting_scores_)
        np.save(folder / "bm25_shifts.npy", self.shifts_)
        params = {"k1": self.k1, "b": self.b, "method": self.method, "delta": self.delta}
        (folder / _PARAMS).write_text(json.dumps(params), "utf-8")
        return folder

    @classmethod
    def load(cls, path: str | Path, mmap: bool = True) -> BM25:
        """Open a ranker that :meth:`save` wrote; the arrays are memory-mapped if ``mmap``.

        Raises:
            DataNotFoundError: no such folder or no index in it.
            IndexFormatError: the folder is corrupt, or holds an index without BM25 scores
                (then use ``BM25.from_index(InvertedIndex.load(path))``).
        """
        index = InvertedIndex.load(path, mmap)
        folder = Path(path)
        try:
            params: dict[str, Any] = json.loads((folder / _PARAMS).read_text("utf-8"))
            ranker = cls(params["k1"], params["b"], params["method"], params["delta"])
            delta = ranker._check_params()
        except FileNotFoundError:
            raise IndexFormatError(
                f"{folder} holds an inverted index but no BM25 scores ({_PARAMS}): use "
                "BM25.from_index(InvertedIndex.load(folder)) or save a BM25 there"
            ) from None
        except (ValueError, TypeError, KeyError) as error:
            raise IndexFormatError(
                f"{folder / _PARAMS} is corrupt ({error}): save the ranker again"
            ) from None
        n_postings, n_terms = len(index.doc_ids), index.n_terms
        ranker.posting_scores_ = load_array(folder, "bm25_scores", np.float32, n_postings, mmap)
        ranker.shifts_ = load_array(folder, "bm25_shifts", np.float32, n_terms, mmap)
        ranker.inverted_index_ = index
        ranker.delta_ = delta
        return ranker


def _pairs(query: Query) -> Iterable[tuple[str, float]]:
    """(term, weight) pairs of a query: weight 1 per token, or the mapping's weights."""
    if isinstance(query, str):
        raise TypeError(
            f"a query must be a list of tokens or a mapping token -> weight, got the str "
            f"{query[:40]!r}; split it first, e.g. index.analyze(text) or text.split()"
        )
    if isinstance(query, Mapping):
        return query.items()
    return ((token, 1.0) for token in query)
