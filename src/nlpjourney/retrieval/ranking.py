"""Two classic lexical rankers: TF-IDF cosine and query likelihood with Dirichlet smoothing.

Both follow the ranker contract of :mod:`nlpjourney.retrieval`: ``index(corpus_tokens)``
builds a sparse document-term count matrix (documents x vocabulary, CSR) from the
tokens, and ``search(query, k)`` takes a list of tokens (a repeated token counts each
time) or a mapping token -> weight, and returns ``(doc_ids, scores)``, best first, ties
to the lower doc id. A query token outside the vocabulary contributes nothing; an empty
query scores every document 0.

- :class:`TfidfRanker` scores the cosine between the query's and each document's TF-IDF
  vectors, weighted exactly as scikit-learn's ``TfidfVectorizer`` weighs them (raw or
  ``1 + log tf``, idf ``ln((1 + n) / (1 + df)) + 1``, L2-normalised rows).
- :class:`QueryLikelihood` scores ``log P(q | d) = sum_w c(w, q) log((c(w, d) + mu
  P(w | C)) / (|d| + mu))`` (Zhai & Lafferty, 2001): the document's unigram model,
  smoothed towards the collection's. It is written sparse: ``log((c + mu p) / (|d| +
  mu)) = log(1 + c / (mu p)) + log(mu p) - log(|d| + mu)``; the first part is non-zero
  only where the document holds the term (a precomputed sparse matrix), the second is
  the same for every document, the third a per-document constant.

Reference: scikit-learn's ``TfidfVectorizer`` (the same vectors, so the same cosines);
query likelihood against a direct dense computation of the formula
(``tests/retrieval/test_ranking.py``).

Simplifications: :class:`QueryLikelihood` scores every document (Lucene's
``LMDirichletSimilarity`` scores only documents holding a query term and clips scores at
0), and skips query terms outside the vocabulary (their ``P(w | C)`` is 0).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from nlpjourney.retrieval._topk import top_k_rows

__all__ = ["QueryLikelihood", "TfidfRanker", "count_matrix"]

Query = Sequence[str] | Mapping[str, float]

#: How many queries ``search_many`` scores in one sparse product (bounds the dense
#: (n_docs, batch) score block).
BATCH = 256


def count_matrix(
    corpus_tokens: Sequence[Sequence[str]],
) -> tuple[sp.csr_matrix, dict[str, int]]:
    """The document-term count matrix of tokenized documents and its vocabulary.

    Args:
        corpus_tokens: one list of tokens per document.

    Returns:
        counts (n_docs, n_terms) CSR int64, and the vocabulary term -> column, in order
        of first appearance.

    >>> counts, vocabulary = count_matrix([["a", "b", "a"], [], ["b"]])
    >>> counts.toarray().tolist(), vocabulary
    ([[2, 1], [0, 0], [0, 1]], {'a': 0, 'b': 1})
    """
    if isinstance(corpus_tokens, str) or not isinstance(corpus_tokens, Sequence):
        raise TypeError(
            "corpus_tokens must be a list of documents, each a list of tokens, got "
            f"{type(corpus_tokens).__name__}"
        )
    vocabulary: dict[str, int] = {}
    column = vocabulary.setdefault
    lengths = np.zeros(len(corpus_tokens) + 1, dtype=np.int64)
    columns: list[int] = []
    for i, tokens in enumerate(corpus_tokens):
        if isinstance(tokens, str):
            raise TypeError(
                f"document {i} is a str, not a list of tokens; split it first "
                "(e.g. InvertedIndex's analyzer or text.split())"
            )
        columns.extend(column(token, len(vocabulary)) for token in tokens)
        lengths[i + 1] = len(columns)
    indices = np.asarray(columns, dtype=np.int64)
    data = np.ones(len(indices), dtype=np.int64)
    counts = sp.csr_matrix((data, indices, lengths), shape=(len(corpus_tokens), len(vocabulary)))
    counts.sum_duplicates()  # also sorts each row's columns
    return counts, vocabulary


def query_weights(query: Query, vocabulary: Mapping[str, int]) -> dict[int, float]:
    """Column -> weight of one query: 1 per token occurrence, or the mapping's weights;
    tokens outside ``vocabulary`` are dropped."""
    if isinstance(query, str):
        raise TypeError(
            f"a query must be a list of tokens or a mapping token -> weight, got the str "
            f"{query[:40]!r}; split it first (the same analyzer as the documents)"
        )
    pairs = query.items() if isinstance(query, Mapping) else ((token, 1.0) for token in query)
    weights: dict[int, float] = {}
    for token, weight in pairs:
        column = vocabulary.get(token)
        if column is not None:
            weights[column] = weights.get(column, 0.0) + float(weight)
    return weights


def indexed_counts(ranker: Any) -> sp.csr_matrix:
    """``ranker.counts_``, the document-term counts its ``index`` kept; a clear error before."""
    counts = getattr(ranker, "counts_", None)
    if counts is None:
        raise ValueError(
            f"this {type(ranker).__name__} has no index yet: call index(corpus_tokens) first"
        )
    return counts


def _check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive int (how many documents), got {k!r}")
    return int(k)


class _SparseRanker:
    """What the two rankers share: the count matrix, the query matrix, batched top-k."""

    counts_: sp.csr_matrix
    vocabulary_: dict[str, int]

    def index(self, corpus_tokens: Sequence[Sequence[str]]) -> _SparseRanker:
        """Index tokenized documents (one list of tokens each); returns ``self``."""
        self.counts_, self.vocabulary_ = count_matrix(corpus_tokens)
        self._prepare()
        return self

    def _prepare(self) -> None:
        raise NotImplementedError

    def _parse(self, query: Query) -> dict[int, float]:
        """Column -> weight of one query, as this ranker weighs it."""
        return query_weights(query, self.vocabulary_)

    def _scores(self, queries: list[dict[int, float]]) -> np.ndarray:
        """Scores (n_docs, len(queries)) of parsed queries."""
        raise NotImplementedError

    @property
    def n_docs(self) -> int:
        """The number of indexed documents."""
        return self._fitted().shape[0]

    def _fitted(self) -> sp.csr_matrix:
        return indexed_counts(self)

    def _query_matrix(self, queries: list[dict[int, float]]) -> sp.csc_matrix:
        """Queries as columns of a sparse (n_terms, n_queries) matrix."""
        rows = [column for query in queries for column in query]
        data = [weight for query in queries for weight in query.values()]
        cols = np.repeat(np.arange(len(queries)), [len(query) for query in queries])
        shape = (len(self.vocabulary_), len(queries))
        return sp.csc_matrix((data, (rows, cols)), shape=shape, dtype=np.float64)

    def search(self, query: Query, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best documents for one query.

        Args:
            query: a list of tokens, or a mapping token -> weight.
            k: how many documents, at least 1.

        Returns:
            doc_ids (n,) int64 and scores (n,) float64, best first, n = ``min(k, n_docs)``.
        """
        ids, scores = self.search_many([query], k)
        return ids[0], scores[0]

    def search_many(self, queries: Sequence[Query], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best documents for each query.

        Returns:
            ids (Q, n) int64 and scores (Q, n) float64, n = ``min(k, n_docs)``.
        """
        n_docs = self.n_docs
        k = min(_check_k(k), n_docs)
        if isinstance(queries, str | Mapping):
            raise TypeError("search_many takes a list of queries; for one query use search()")
        parsed = [self._parse(query) for query in queries]
        ids = np.zeros((len(parsed), k), dtype=np.int64)
        scores = np.zeros((len(parsed), k), dtype=np.float64)
        for start in range(0, len(parsed), BATCH):
            block = self._scores(parsed[start : start + BATCH])  # (n_docs, queries)
            stop = start + block.shape[1]
            ids[start:stop], scores[start:stop] = top_k_rows(np.ascontiguousarray(block.T), k)
        return ids, scores


class TfidfRanker(_SparseRanker):
    """Cosine similarity between TF-IDF vectors, scikit-learn's weighting.

    Args:
        sublinear_tf: use ``1 + log(tf)`` instead of the raw count ``tf``.
        smooth_idf: idf ``ln((1 + n) / (1 + df)) + 1`` (as if one extra document held
            every term) rather than ``ln(n / df) + 1``.

    A token query's vector is weighed like a document's; a weighted query's vector is
    ``weight * idf`` per term (no sublinear transform of the weights). Both are
    L2-normalised, so scores are cosines in [0, 1].

    >>> ranker = TfidfRanker().index([["cat", "sat"], ["dog", "sat"], ["cat", "cat"]])
    >>> ranker.search(["cat"], k=2)[0]
    array([2, 0])
    """

    def __init__(self, sublinear_tf: bool = False, smooth_idf: bool = True) -> None:
        self.sublinear_tf = sublinear_tf
        self.smooth_idf = smooth_idf

    def __repr__(self) -> str:
        return f"TfidfRanker(sublinear_tf={self.sublinear_tf}, smooth_idf={self.smooth_idf})"

    def _tf(self, values: np.ndarray) -> np.ndarray:
        return 1.0 + np.log(values) if self.sublinear_tf else values

    def _prepare(self) -> None:
        counts = self.counts_
        n_docs = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
        extra = 1.0 if self.smooth_idf else 0.0
        self.idf_ = np.log((n_docs + extra) / (df + extra)) + 1.0
        weighted = counts.astype(np.float64)
        weighted.data = self._tf(weighted.data) * self.idf_[weighted.indices]
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0.0] = 1.0  # an empty document stays the zero vector
        #: (n_docs, n_terms) CSR: each document's L2-normalised TF-IDF vector.
        self.vectors_ = sp.csr_matrix(sp.diags(1.0 / norms) @ weighted)

    def _parse(self, query: Query) -> dict[int, float]:
        weights = query_weights(query, self.vocabulary_)
        tf = isinstance(query, Mapping) or not self.sublinear_tf
        vector = {t: (w if tf else 1.0 + math.log(w)) * self.idf_[t] for t, w in weights.items()}
        norm = math.sqrt(sum(v * v for v in vector.values()))
        return {t: v / norm for t, v in vector.items()} if norm > 0 else {}

    def vectorize(self, query: Query) -> np.ndarray:
        """The L2-normalised TF-IDF vector (n_terms,) of a query, as it is searched."""
        self._fitted()
        return self._query_matrix([self._parse(query)]).toarray().ravel()

    def _scores(self, queries: list[dict[int, float]]) -> np.ndarray:
        return (self.vectors_ @ self._query_matrix(queries)).toarray()


class QueryLikelihood(_SparseRanker):
    """Query likelihood ``log P(q | d)`` with Dirichlet smoothing (Zhai & Lafferty).

    Args:
        mu: the Dirichlet prior's weight: how many "pseudo-words" drawn from the
            collection model each document gets (2000 is the classic default; smaller
            trusts the document's own words more).

    Scores are log-probabilities (negative); a weighted query multiplies each term's
    log-probability by its weight. ``scores_are_log_likelihoods`` tells pseudo-relevance
    feedback (:class:`~nlpjourney.retrieval.feedback.RM3`) to turn them into document
    weights with a softmax.

    >>> ranker = QueryLikelihood(mu=10).index([["cat", "sat"], ["dog", "sat"], ["cat", "cat"]])
    >>> ranker.search(["cat"], k=3)[0]
    array([2, 0, 1])
    """

    scores_are_log_likelihoods = True

    def __init__(self, mu: float = 2000.0) -> None:
        self.mu = mu

    def __repr__(self) -> str:
        return f"QueryLikelihood(mu={self.mu})"

    def _prepare(self) -> None:
        if isinstance(self.mu, bool) or not isinstance(self.mu, int | float) or not self.mu > 0:
            raise ValueError(f"mu must be a positive number (the Dirichlet prior), got {self.mu!r}")
        counts = self.counts_
        collection = np.asarray(counts.sum(axis=0), dtype=np.float64).ravel()
        total = collection.sum()
        #: (n_terms,) P(w | C), the collection's unigram model.
        self.collection_model_ = collection / total if total > 0 else collection
        #: (n_docs,) log(|d| + mu): the per-document constant.
        self.log_norm_ = np.log(np.asarray(counts.sum(axis=1), dtype=np.float64).ravel() + self.mu)
        matched = counts.astype(np.float64)
        # log(1 + c(w, d) / (mu P(w | C))), only where d holds w.
        matched.data = np.log1p(matched.data / (self.mu * self.collection_model_[matched.indices]))
        self.matched_ = matched

    def _scores(self, queries: list[dict[int, float]]) -> np.ndarray:
        matrix = self._query_matrix(queries)
        lengths = np.asarray(matrix.sum(axis=0)).ravel()  # sum of weights, |q|
        per_term = np.zeros(matrix.shape[0])
        nonzero = self.collection_model_ > 0
        per_term[nonzero] = np.log(self.mu * self.collection_model_[nonzero])
        constant = matrix.T @ per_term  # sum_w c(w, q) log(mu P(w | C)), one per query
        scores = (self.matched_ @ matrix).toarray()
        scores += constant[None, :] - self.log_norm_[:, None] * lengths[None, :]
        return scores
