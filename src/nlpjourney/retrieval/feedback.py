"""Pseudo-relevance feedback: assume the first search's top documents are relevant, learn
a better (weighted) query from them, and search again.

Both wrap any ranker of the :mod:`nlpjourney.retrieval` contract (``BM25``,
:class:`~nlpjourney.retrieval.ranking.TfidfRanker`,
:class:`~nlpjourney.retrieval.ranking.QueryLikelihood`): their ``index(corpus_tokens)``
indexes the base ranker and keeps the document-term counts feedback needs, and their
``search`` runs the first pass, builds a mapping token -> weight and searches again with
it (score = sum of weight * term score).

- :class:`RM3` (Lavrenko & Croft's relevance model, as Anserini's RM3 builds it):
  ``P(w | R) ∝ sum_d P(w | d) P(d | q)`` over the ``fb_docs`` top documents, with
  ``P(w | d) = c(w, d) / |d|`` and ``P(d | q)`` the documents' first-pass scores
  normalised to sum to one (a softmax for log-likelihood scores, as query likelihood
  gives); the ``fb_terms`` most probable terms, renormalised, are mixed with the original
  query's own distribution: ``λ P(w | q) + (1 - λ) P(w | R)``, λ =
  ``original_query_weight``. The weights sum to one.
- :class:`Rocchio` (Rocchio, 1971): ``alpha q + beta mean(relevant) - gamma
  mean(non-relevant)`` over L2-normalised TF-IDF vectors (raw term frequencies with
  ``use_idf=False``, as Anserini's Rocchio), the top documents as relevant and the
  ``nonrel_docs`` ranked just after them as non-relevant; the original terms and the
  ``fb_terms`` heaviest new terms with positive weight are kept.

Reference: Anserini's ``Rm3PrfReranker`` and ``RocchioReranker`` (the definitions; no
Python reference is installed, so ``tests/retrieval/test_feedback.py`` checks
properties and the effect on Cranfield).

Simplifications: no term filtering (Anserini drops terms with digits or under 2
characters: our analyzer has already removed stop words); ``original_query_weight=1``
(RM3) or ``beta = gamma = 0`` (Rocchio) search with the original query untouched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from nlpjourney.retrieval.ranking import Query, count_matrix, indexed_counts

__all__ = ["RM3", "Rocchio"]

#: A first-pass search result: (doc_ids, scores), best first.
FirstPass = tuple[np.ndarray, np.ndarray]


class _Ranker(Protocol):
    """The ranker contract feedback relies on."""

    def index(self, corpus_tokens: Sequence[Sequence[str]]) -> Any: ...

    def search(self, query: Query, k: int = 10) -> tuple[np.ndarray, np.ndarray]: ...


def _check_count(name: str, value: Any, low: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")


def _query_distribution(query: Query) -> dict[str, float]:
    """P(w | q): token counts (or the mapping's weights) divided by their sum."""
    if isinstance(query, str):
        raise TypeError(
            f"a query must be a list of tokens or a mapping token -> weight, got the str "
            f"{query[:40]!r}; split it first (the same analyzer as the documents)"
        )
    weights: dict[str, float] = {}
    pairs = query.items() if isinstance(query, Mapping) else ((token, 1.0) for token in query)
    for token, weight in pairs:
        weights[token] = weights.get(token, 0.0) + float(weight)
    total = sum(weights.values())
    return {token: w / total for token, w in weights.items()} if total > 0 else {}


class _Feedback:
    """Index, first pass, expanded query, second pass: what RM3 and Rocchio share."""

    ranker: _Ranker
    fb_docs: int
    fb_terms: int

    def index(self, corpus_tokens: Sequence[Sequence[str]]) -> _Feedback:
        """Index the base ranker and keep the document-term counts; returns ``self``."""
        self._check_params()
        self.ranker.index(corpus_tokens)
        self.counts_, self.vocabulary_ = count_matrix(corpus_tokens)
        self.terms_ = np.array(list(self.vocabulary_), dtype=object)
        return self

    def _known(self, original: Mapping[str, float]) -> bool:
        """Whether the query holds an indexed term: without one the first pass ranks
        by nothing, and feedback would expand an empty query."""
        return any(token in self.vocabulary_ for token, p in original.items() if p > 0)

    def _check_params(self) -> None:
        _check_count("fb_docs", self.fb_docs)
        _check_count("fb_terms", self.fb_terms)

    def _fitted(self) -> sp.csr_matrix:
        return indexed_counts(self)

    def _depth(self) -> int:
        """How many first-pass documents feedback reads."""
        return self.fb_docs

    def _first_pass(self, query: Query, first_pass: FirstPass | None) -> FirstPass:
        if first_pass is not None:
            return first_pass
        return self.ranker.search(query, self._depth())

    def expand(self, query: Query, first_pass: FirstPass | None = None) -> dict[str, float] | Query:
        """The expanded query (token -> weight) the second pass searches with."""
        raise NotImplementedError

    def search(self, query: Query, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Search with the expanded query (contract of :mod:`nlpjourney.retrieval`).

        Returns:
            doc_ids (n,) int64 and scores (n,), best first, as the base ranker gives them.
        """
        self._fitted()
        return self.ranker.search(self.expand(query), k)

    def search_many(self, queries: Sequence[Query], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`search` for each query; ids (Q, n) and scores (Q, n)."""
        if isinstance(queries, str | Mapping):
            raise TypeError("search_many takes a list of queries; for one query use search()")
        queries = list(queries)
        self._fitted()
        if not queries:
            n = min(k, self._fitted().shape[0])
            return np.zeros((0, n), dtype=np.int64), np.zeros((0, n))
        depth = min(self._depth(), self._fitted().shape[0])
        if depth > 0:
            # Both passes batched: the base ranker's search_many is its fast path.
            first_ids, first_scores = self.ranker.search_many(queries, depth)
            expanded = [
                self.expand(query, (first_ids[j], first_scores[j]))
                for j, query in enumerate(queries)
            ]
        else:
            expanded = [self.expand(query) for query in queries]
        return self.ranker.search_many(expanded, k)


class RM3(_Feedback):
    """RM3 pseudo-relevance feedback around any ranker.

    Args:
        ranker: the base ranker (a fresh one: :meth:`index` indexes it).
        fb_docs: how many top documents are taken as relevant.
        fb_terms: how many terms of the relevance model are kept.
        original_query_weight: λ, the original query's share of the expanded query.

    >>> from nlpjourney.retrieval.ranking import TfidfRanker
    >>> docs = [["jet", "engin", "nois"], ["jet", "wing"], ["wing", "flutter"]]
    >>> rm3 = RM3(TfidfRanker(), fb_docs=1, fb_terms=2).index(docs)
    >>> rm3.expand(["nois"])  # doctest: +ELLIPSIS
    {'nois': 0.5, 'jet': 0.25, 'engin': 0.25}
    """

    def __init__(
        self,
        ranker: _Ranker,
        fb_docs: int = 10,
        fb_terms: int = 10,
        original_query_weight: float = 0.5,
    ) -> None:
        self.ranker = ranker
        self.fb_docs = fb_docs
        self.fb_terms = fb_terms
        self.original_query_weight = original_query_weight

    def __repr__(self) -> str:
        return (
            f"RM3({self.ranker!r}, fb_docs={self.fb_docs}, fb_terms={self.fb_terms}, "
            f"original_query_weight={self.original_query_weight})"
        )

    def _check_params(self) -> None:
        super()._check_params()
        weight = self.original_query_weight
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
            raise ValueError(f"original_query_weight must be in [0, 1], got {weight!r}")

    def relevance_model(
        self, query: Query, first_pass: FirstPass | None = None
    ) -> dict[str, float]:
        """P(w | R): the ``fb_terms`` most probable terms of the top documents, summing
        to one (``{}`` when the first pass matched nothing).

        Args:
            query: the original query.
            first_pass: the base ranker's ``search(query, fb_docs)``, if already run.
        """
        counts = self._fitted()
        if self.fb_docs == 0 or self.fb_terms == 0:
            return {}
        ids, scores = self._first_pass(query, first_pass)
        ids, scores = ids[: self.fb_docs], np.asarray(scores[: self.fb_docs], dtype=np.float64)
        if getattr(self.ranker, "scores_are_log_likelihoods", False):
            weights = np.exp(scores - scores.max()) if len(scores) else scores
        else:
            weights = np.maximum(scores, 0.0)
        top = counts[ids]
        lengths = np.asarray(top.sum(axis=1), dtype=np.float64).ravel()
        usable = (weights > 0) & (lengths > 0)
        if not usable.any():
            return {}
        weights = weights[usable] / weights[usable].sum()
        # sum_d P(d | q) c(w, d) / |d|, over the vocabulary.
        model = np.asarray(top[usable].T @ (weights / lengths[usable])).ravel()
        n = min(self.fb_terms, int(np.count_nonzero(model)))
        # Heaviest first, ties to the earlier term (stable on the negated weights).
        best = np.argsort(-model, kind="stable")[:n]
        total = model[best].sum()
        return {str(self.terms_[t]): float(model[t] / total) for t in best}

    def expand(self, query: Query, first_pass: FirstPass | None = None) -> dict[str, float] | Query:
        """``λ P(w | q) + (1 - λ) P(w | R)``: the weighted query of the second pass.

        With λ = 1, for a query without an indexed term, or when feedback finds
        nothing, the original query is returned unchanged, so the search is the base
        ranker's.
        """
        self._check_params()
        original = _query_distribution(query)
        weight = float(self.original_query_weight)
        if weight == 1.0 or not self._known(original):
            return query
        model = self.relevance_model(query, first_pass)
        if not model:
            return query
        expanded = {token: weight * p for token, p in original.items()}
        for token, p in model.items():
            expanded[token] = expanded.get(token, 0.0) + (1.0 - weight) * p
        return expanded


class Rocchio(_Feedback):
    """Rocchio feedback around any ranker: move the query towards the top documents.

    Args:
        ranker: the base ranker (a fresh one: :meth:`index` indexes it).
        fb_docs: how many top documents are taken as relevant.
        fb_terms: how many new terms (not in the query) are added.
        alpha: weight of the original query vector.
        beta: weight of the relevant documents' centroid.
        gamma: weight of the non-relevant documents' centroid (subtracted).
        nonrel_docs: how many documents ranked just after the ``fb_docs`` top ones are
            taken as non-relevant (only used when ``gamma > 0``).
        use_idf: TF-IDF vectors (smoothed idf, as scikit-learn) rather than raw term
            frequencies, before L2 normalisation.
    """

    def __init__(
        self,
        ranker: _Ranker,
        fb_docs: int = 10,
        fb_terms: int = 10,
        alpha: float = 1.0,
        beta: float = 0.75,
        gamma: float = 0.0,
        nonrel_docs: int = 0,
        use_idf: bool = True,
    ) -> None:
        self.ranker = ranker
        self.fb_docs = fb_docs
        self.fb_terms = fb_terms
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.nonrel_docs = nonrel_docs
        self.use_idf = use_idf

    def __repr__(self) -> str:
        return (
            f"Rocchio({self.ranker!r}, fb_docs={self.fb_docs}, fb_terms={self.fb_terms}, "
            f"alpha={self.alpha}, beta={self.beta}, gamma={self.gamma}, "
            f"nonrel_docs={self.nonrel_docs}, use_idf={self.use_idf})"
        )

    def _check_params(self) -> None:
        super()._check_params()
        _check_count("nonrel_docs", self.nonrel_docs)
        for name in ("alpha", "beta", "gamma"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")

    def index(self, corpus_tokens: Sequence[Sequence[str]]) -> Rocchio:
        """Index the base ranker and keep the documents' normalised vectors; ``self``."""
        super().index(corpus_tokens)
        counts = self.counts_.astype(np.float64)
        n_docs = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
        self.idf_ = np.log((n_docs + 1.0) / (df + 1.0)) + 1.0 if self.use_idf else np.ones_like(df)
        counts.data *= self.idf_[counts.indices]
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        norms[norms == 0.0] = 1.0
        #: (n_docs, n_terms) CSR: the documents' L2-normalised vectors.
        self.vectors_ = sp.csr_matrix(sp.diags(1.0 / norms) @ counts)
        return self

    def _depth(self) -> int:
        return self.fb_docs + self.nonrel_docs

    def expand(self, query: Query, first_pass: FirstPass | None = None) -> dict[str, float] | Query:
        """``alpha q + beta mean(top) - gamma mean(next)``, original terms plus the
        ``fb_terms`` heaviest new ones, non-positive weights dropped.

        Args:
            query: the original query.
            first_pass: the base ranker's ``search(query, fb_docs + nonrel_docs)``, if
                already run.
        """
        self._fitted()
        self._check_params()
        original = _query_distribution(query)
        if (self.beta == 0 and self.gamma == 0) or self._depth() == 0 or not self._known(original):
            return query
        q = np.zeros(len(self.terms_))
        for token, p in original.items():
            t = self.vocabulary_.get(token)
            if t is not None:
                q[t] = p * self.idf_[t]
        norm = np.linalg.norm(q)
        vector = self.alpha * (q / norm if norm > 0 else q)
        ids, _ = self._first_pass(query, first_pass)
        relevant, other = ids[: self.fb_docs], ids[self.fb_docs :]
        if len(relevant) and self.beta:
            vector += self.beta * np.asarray(self.vectors_[relevant].mean(axis=0)).ravel()
        if len(other) and self.gamma:
            vector -= self.gamma * np.asarray(self.vectors_[other].mean(axis=0)).ravel()
        in_query = q > 0
        candidates = np.flatnonzero(~in_query & (vector > 0))
        new = candidates[np.argsort(-vector[candidates], kind="stable")[: self.fb_terms]]
        keep = np.concatenate([np.flatnonzero(in_query & (vector > 0)), new])
        expanded = {str(self.terms_[t]): float(vector[t]) for t in keep}
        return expanded or query
