"""Hybrid ranking: fuse the rankings of several systems (lexical BM25 and a dense
retriever, say) into one.

Lexical and dense search fail differently: BM25 misses a paraphrase, an embedding blurs a
rare exact term. Two ways to combine their result lists:

- **reciprocal rank fusion** (:func:`reciprocal_rank_fusion`, Cormack, Clarke & Büttcher,
  SIGIR 2009): a document's fused score is ``sum over systems of w / (k + rank)``, rank
  counted from 1 in each system's list; a document a system did not return gets nothing
  from it. Only ranks matter, so scores on different scales need no calibration; ``k``
  (60 in the paper) damps the lead of the very first ranks.
- **score interpolation** (:func:`interpolate_scores`): each system's scores are first
  normalised (min-max to [0, 1], or z-scores), then summed with weights.

>>> ids, scores = reciprocal_rank_fusion([[3, 1, 2], [1, 3]], k=1)
>>> ids.tolist(), scores.round(3).tolist()
([1, 3, 2], [0.833, 0.833, 0.25])

:class:`HybridRanker` runs a lexical ranker (any ranker of the contract: ``index``
takes token lists, ``search`` a token list) and a
:class:`~nlpjourney.retrieval.dense.DenseRetriever` side by side, each to a depth, and
fuses their lists.

Reference: the RRF formula of Cormack et al. (2009), as in Elasticsearch's and
Vespa's ``rrf`` rank fusion; min-max and z-score normalisation as in
pyserini's hybrid search.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

from nlpjourney.retrieval.index import _Analyzer

__all__ = ["HybridRanker", "interpolate_scores", "reciprocal_rank_fusion"]

Ranking = Any  # (ids, scores) pair, or a sequence of ids
Normalize = Literal["minmax", "zscore"] | None


def _is_pair(ranking: Any) -> bool:
    """Whether ``ranking`` is an (ids, scores) pair rather than a list of ids."""
    if not isinstance(ranking, tuple) or len(ranking) != 2:
        return False
    return all(np.ndim(part) == 1 for part in ranking)


def _ids_and_scores(
    ranking: Any, i: int, need_scores: bool
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """One system's ids (padding -1 dropped, repeats after the first dropped), their
    scores, and their ranks (1 + their place in the list as given)."""
    if _is_pair(ranking):
        ids, scores = np.asarray(ranking[0]), np.asarray(ranking[1], dtype=np.float64)
        if ids.shape != scores.shape:
            raise ValueError(
                f"rankings[{i}]: {ids.shape[0]} ids but {scores.shape[0]} scores; pass the "
                "(ids, scores) a ranker's search returns"
            )
    elif need_scores:
        raise TypeError(f"rankings[{i}] must be an (ids, scores) pair: interpolation needs scores")
    else:
        ids, scores = np.asarray(ranking), None
    if ids.ndim != 1:
        raise ValueError(f"rankings[{i}] must hold a 1-D list of ids, got shape {ids.shape}")
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"rankings[{i}] holds {ids.dtype} ids; document ids are ints")
    ids = ids.astype(np.int64)
    _, first = np.unique(ids, return_index=True)
    keep = np.zeros(len(ids), dtype=bool)
    keep[first] = True
    keep &= ids >= 0  # -1: the padding of an approximate index that found fewer than k
    if scores is not None:
        keep &= np.isfinite(scores)
        scores = scores[keep]
    return ids[keep], scores, np.flatnonzero(keep) + 1.0


def _weights(weights: Sequence[float] | None, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"weights must hold one number per ranking ({n}), got {list(weights)}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError(f"weights must be finite and non-negative, got {list(weights)}")
    return w


def _check_top_k(top_k: object) -> int:
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ValueError(f"top_k must be a positive int, got {top_k!r}")
    return int(top_k)


def _best(doc_ids: np.ndarray, fused: np.ndarray, top_k: int) -> tuple[np.ndarray, np.ndarray]:
    """The top_k (id, score) by score down, then id up (few documents: a sort is fine)."""
    order = np.lexsort((doc_ids, -fused))[:top_k]
    return doc_ids[order], fused[order]


def reciprocal_rank_fusion(
    rankings: Sequence[Ranking],
    k: float = 60,
    weights: Sequence[float] | None = None,
    top_k: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """Fuse rankings by reciprocal rank: ``score(d) = sum_i w_i / (k + rank_i(d))``.

    Args:
        rankings: one per system, best first: an (ids, scores) pair as a ranker's
            ``search`` returns (the scores are not used), or a sequence of ids. Id -1
            (padding) is skipped; a repeated id counts at its first rank.
        k: the rank constant (60 in Cormack et al.); larger flattens the head.
        weights: one non-negative weight per system (default all 1).
        top_k: how many fused documents to return.

    Returns:
        ids (m,) int64 and fused scores (m,), m = min(top_k, distinct documents), best
        first, equal scores lower id first.
    """
    if isinstance(k, bool) or not isinstance(k, (int, float, np.integer, np.floating)) or k < 0:
        raise ValueError(f"k must be a non-negative number, got {k!r}")
    top_k = _check_top_k(top_k)
    w = _weights(weights, len(rankings))
    all_ids, all_scores = [], []
    for i, ranking in enumerate(rankings):
        ids, _, ranks = _ids_and_scores(ranking, i, need_scores=False)
        all_ids.append(ids)
        all_scores.append(w[i] / (k + ranks))
    return _fuse(all_ids, all_scores, top_k)


def _fuse(
    all_ids: list[np.ndarray], all_scores: list[np.ndarray], top_k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sum each document's contributions over the systems, then the best top_k."""
    if not all_ids:
        return np.empty(0, dtype=np.int64), np.empty(0)
    ids = np.concatenate(all_ids)
    docs, where = np.unique(ids, return_inverse=True)
    fused = np.bincount(where, weights=np.concatenate(all_scores), minlength=len(docs))
    return _best(docs, fused, top_k)


def _normalize(scores: np.ndarray, how: Normalize) -> tuple[np.ndarray, float]:
    """One system's normalised scores and the score it gives a document it did not return."""
    if len(scores) == 0:
        return scores, 0.0
    if how is None:
        return scores, float(scores.min())
    if how == "minmax":
        low, span = scores.min(), scores.max() - scores.min()
        # All equal: nothing tells the documents apart; each returned one is as good as
        # the best (1), and a missing one is still below them (0).
        return (np.ones_like(scores) if span == 0 else (scores - low) / span), 0.0
    # subtle: test max == min, not std == 0: equal scores can have a rounding-error std.
    if scores.max() == scores.min():
        return np.zeros_like(scores), 0.0
    z = (scores - scores.mean()) / scores.std()
    return z, float(z.min())


def interpolate_scores(
    rankings: Sequence[tuple[Any, Any]],
    weights: Sequence[float] | None = None,
    normalize: Normalize = "minmax",
    top_k: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """Fuse rankings by a weighted sum of normalised scores.

    Each system's returned scores are normalised on their own: ``"minmax"`` maps them
    to [0, 1] (all equal: all 1), ``"zscore"`` to mean 0 and deviation 1 (all equal: all
    0), ``None`` keeps them. A document a system did not return gets that system's floor:
    0 under min-max, else the lowest score the system returned, since it ranked below
    all of them there (the most it can be credited with; 0 under z-scores would credit an
    unseen document with the system's average).

    Args:
        rankings: one (ids, scores) pair per system, as a ranker's ``search`` returns.
        weights: one non-negative weight per system (default all 1).
        normalize: ``"minmax"``, ``"zscore"`` or None.
        top_k: how many fused documents to return.

    Returns:
        ids (m,) int64 and fused scores (m,), m = min(top_k, distinct documents), best
        first, equal scores lower id first.

    Example:
        >>> ids, scores = interpolate_scores([([0, 1], [10.0, 0.0]), ([1, 2], [0.9, 0.1])])
        >>> ids.tolist(), scores.tolist()
        ([0, 1, 2], [1.0, 1.0, 0.0])
    """
    if normalize not in ("minmax", "zscore", None):
        raise ValueError(f"normalize must be 'minmax', 'zscore' or None, got {normalize!r}")
    top_k = _check_top_k(top_k)
    w = _weights(weights, len(rankings))
    systems = [_ids_and_scores(r, i, need_scores=True) for i, r in enumerate(rankings)]
    if not systems:
        return np.empty(0, dtype=np.int64), np.empty(0)
    docs = np.unique(np.concatenate([ids for ids, _, _ in systems]))
    fused = np.zeros(len(docs))
    for weight, (ids, scores, _) in zip(w, systems, strict=True):
        assert scores is not None
        normed, floor = _normalize(scores, normalize)
        column = np.full(len(docs), floor)
        column[np.searchsorted(docs, ids)] = normed
        fused += weight * column
    return _best(docs, fused, top_k)


class HybridRanker:
    """A lexical ranker and a dense retriever, their result lists fused.

    Args:
        lexical: any ranker of the contract (``index(corpus_tokens)``,
            ``search(query_tokens, k)``), e.g. :class:`~nlpjourney.retrieval.BM25`.
        dense: a :class:`~nlpjourney.retrieval.dense.DenseRetriever` (or anything with
            ``index(texts)`` and ``search(query_text, k)``).
        fusion: ``"rrf"`` (:func:`reciprocal_rank_fusion`) or ``"interpolate"``
            (:func:`interpolate_scores`).
        weights: (lexical, dense) weights; default (1, 1).
        rrf_k: the RRF rank constant.
        normalize: the normalisation of ``"interpolate"``.
        depth: how many results each side contributes before fusing.
        analyzer: text -> tokens for the lexical side, used when tokens are not given;
            default the analyzer of :meth:`InvertedIndex.from_texts
            <nlpjourney.retrieval.InvertedIndex.from_texts>` (lower-case, words of two or
            more characters, no English stop words, Porter stems). Queries and corpus
            must go through the same analyzer.

    Example:
        >>> class Overlap:  # a stand-in lexical ranker: how many query tokens a doc has
        ...     def index(self, corpus_tokens):
        ...         self.docs = [set(d) for d in corpus_tokens]
        ...         return self
        ...     def search(self, query, k=10):
        ...         s = np.array([len(d & set(query)) for d in self.docs], float)
        ...         order = np.lexsort((np.arange(len(s)), -s))[:k]
        ...         return order, s[order]
        >>> class Length:  # a stand-in dense side: shorter texts score higher
        ...     def index(self, texts):
        ...         self.lengths = np.array([len(t) for t in texts], float)
        ...         return self
        ...     def search(self, query_text, k=10):
        ...         order = np.argsort(self.lengths, kind="stable")[:k]
        ...         return order, -self.lengths[order]
        >>> hybrid = HybridRanker(Overlap(), Length()).index(["red cat", "a blue dog", "red"])
        >>> hybrid.search("red dog", k=3)[0].tolist()
        [0, 2, 1]
    """

    def __init__(
        self,
        lexical: Any,
        dense: Any,
        fusion: Literal["rrf", "interpolate"] = "rrf",
        weights: Sequence[float] = (1.0, 1.0),
        rrf_k: float = 60,
        normalize: Normalize = "minmax",
        depth: int = 100,
        analyzer: Callable[[str], Sequence[str]] | None = None,
    ) -> None:
        for name, side in (("lexical", lexical), ("dense", dense)):
            if not all(callable(getattr(side, m, None)) for m in ("index", "search")):
                raise TypeError(
                    f"{name} must be a ranker with index and search methods, "
                    f"got {type(side).__name__}"
                )
        if fusion not in ("rrf", "interpolate"):
            raise ValueError(f"fusion must be 'rrf' or 'interpolate', got {fusion!r}")
        self.weights = tuple(_weights(weights, 2))
        if normalize not in ("minmax", "zscore", None):
            raise ValueError(f"normalize must be 'minmax', 'zscore' or None, got {normalize!r}")
        self.depth = _check_top_k(depth)
        self.lexical, self.dense, self.fusion = lexical, dense, fusion
        self.rrf_k, self.normalize = rrf_k, normalize
        self.analyzer = _Analyzer() if analyzer is None else analyzer

    def index(
        self, texts: Sequence[str], corpus_tokens: Sequence[Sequence[str]] | None = None
    ) -> HybridRanker:
        """Index the raw texts densely and their tokens lexically; returns ``self``.

        Args:
            texts: the documents.
            corpus_tokens: each document's tokens for the lexical side; default
                ``analyzer(text)`` for each text.
        """
        if isinstance(texts, str):
            raise TypeError("texts must be a list of documents, not one str")
        texts = list(texts)
        if corpus_tokens is None:
            corpus_tokens = [list(self.analyzer(text)) for text in texts]
        elif len(corpus_tokens) != len(texts):
            raise ValueError(
                f"{len(texts)} texts but {len(corpus_tokens)} token lists; give one per text"
            )
        self.lexical.index(corpus_tokens)
        self.dense.index(texts)
        self.n_docs_ = len(texts)
        return self

    def search(
        self, query_text: str, k: int = 10, query_tokens: Sequence[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The k best documents by the fused ranking of both sides.

        Args:
            query_text: the query, for the dense side.
            k: how many to return.
            query_tokens: the query's tokens for the lexical side (default
                ``analyzer(query_text)``).

        Returns:
            ids (min(k, documents found),) int64 and fused scores, best first.
        """
        if not isinstance(query_text, str):
            raise TypeError(f"query_text must be a str, got {type(query_text).__name__}")
        if not hasattr(self, "n_docs_"):
            raise ValueError("this ranker has no documents yet; call index(texts) first")
        k = _check_top_k(k)
        tokens = list(self.analyzer(query_text)) if query_tokens is None else list(query_tokens)
        depth = min(max(self.depth, k), self.n_docs_)
        lexical = self.lexical.search(tokens, k=depth)
        dense = self.dense.search(query_text, k=depth)
        if self.fusion == "rrf":
            return reciprocal_rank_fusion([lexical, dense], self.rrf_k, self.weights, k)
        return interpolate_scores([lexical, dense], self.weights, self.normalize, k)

    def search_many(
        self,
        query_texts: Sequence[str],
        k: int = 10,
        query_tokens: Sequence[Sequence[str]] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`search` for each query: ids (Q, k) and scores (Q, k), rows padded with
        id -1 and score 0 where fewer than k documents were found by either side."""
        if query_tokens is not None and len(query_tokens) != len(query_texts):
            raise ValueError("give one token list per query text")
        ids = np.full((len(query_texts), k), -1, dtype=np.int64)
        scores = np.zeros((len(query_texts), k))
        for q, text in enumerate(query_texts):
            tokens = None if query_tokens is None else query_tokens[q]
            found, fused = self.search(text, k, tokens)
            ids[q, : len(found)], scores[q, : len(found)] = found, fused
        return ids, scores
