"""Information retrieval: an inverted index, BM25 and other rankers, pseudo-relevance
feedback, dense and approximate nearest-neighbour search, and hybrid ranking.

- :mod:`~nlpjourney.retrieval.index`: :class:`InvertedIndex`, postings with term
  frequencies and positions, saved as memory-mapped arrays;
- :mod:`~nlpjourney.retrieval.scoring` and :mod:`~nlpjourney.retrieval.bm25`: the BM25
  formulas (:func:`bm25_idf`, :func:`bm25_tf`) and :class:`BM25` in five variants;
- :mod:`~nlpjourney.retrieval.ranking`: :class:`TfidfRanker` (cosine) and
  :class:`QueryLikelihood` (Dirichlet smoothing);
- :mod:`~nlpjourney.retrieval.feedback`: :class:`RM3` and :class:`Rocchio` around any ranker;
- :mod:`~nlpjourney.retrieval.dense`, :mod:`~nlpjourney.retrieval.ann`,
  :mod:`~nlpjourney.retrieval.hnsw`: :func:`exact_search`, :class:`DenseRetriever`,
  :class:`IVFIndex`, :class:`HNSWIndex`;
- :mod:`~nlpjourney.retrieval.hybrid`: :func:`reciprocal_rank_fusion`,
  :func:`interpolate_scores`, :class:`HybridRanker`.

Every lexical ranker follows one contract: ``index(corpus_tokens)``, then
``search(query, k) -> (doc_ids, scores)`` best first, where a query is a list of tokens or
a mapping token -> weight, and ``search_many`` for a batch. Dense retrievers take texts.

The ranking metrics :func:`~nlpjourney.evaluate.ir.dcg_at_k` and
:func:`~nlpjourney.evaluate.ir.ndcg_at_k` are shown here too, so that exercise 2.8's four
functions (BM25's two halves and nDCG) have one model-answer module.

References: bm25s and rank_bm25 (BM25), pytrec_eval (the metrics of
:mod:`nlpjourney.evaluate.ir`), sentence-transformers (dense search).
"""

from __future__ import annotations

from nlpjourney.evaluate.ir import dcg_at_k, ndcg_at_k
from nlpjourney.retrieval.ann import IVFIndex
from nlpjourney.retrieval.bm25 import BM25
from nlpjourney.retrieval.dense import DenseRetriever, Encoder, exact_search
from nlpjourney.retrieval.feedback import RM3, Rocchio
from nlpjourney.retrieval.hnsw import HNSWIndex
from nlpjourney.retrieval.hybrid import HybridRanker, interpolate_scores, reciprocal_rank_fusion
from nlpjourney.retrieval.index import IndexFormatError, InvertedIndex
from nlpjourney.retrieval.ranking import QueryLikelihood, TfidfRanker
from nlpjourney.retrieval.scoring import bm25_idf, bm25_tf

__all__ = [
    "BM25",
    "DenseRetriever",
    "Encoder",
    "HNSWIndex",
    "HybridRanker",
    "IVFIndex",
    "IndexFormatError",
    "InvertedIndex",
    "QueryLikelihood",
    "RM3",
    "Rocchio",
    "TfidfRanker",
    "bm25_idf",
    "bm25_tf",
    "dcg_at_k",
    "exact_search",
    "interpolate_scores",
    "ndcg_at_k",
    "reciprocal_rank_fusion",
]
