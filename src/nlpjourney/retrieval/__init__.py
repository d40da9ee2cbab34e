"""Information retrieval: an inverted index, BM25 and other rankers, pseudo-relevance
feedback, dense and approximate nearest-neighbour search, and hybrid ranking.

The ranking metrics ``dcg_at_k`` and ``ndcg_at_k`` of :mod:`nlpjourney.evaluate.ir` are
shown here too, so that exercise 2.8's four functions (BM25's two halves and nDCG) have
one model-answer module.

References: bm25s and rank_bm25 (BM25), sentence-transformers (dense search).
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

__all__: list[str] = []
__all__ += ["BM25", "IndexFormatError", "InvertedIndex", "bm25_idf", "bm25_tf"]
__all__ += ["DenseRetriever", "Encoder", "HNSWIndex", "HybridRanker", "IVFIndex", "exact_search",
            "interpolate_scores", "reciprocal_rank_fusion"]  # fmt: skip
__all__ += ["RM3", "QueryLikelihood", "Rocchio", "TfidfRanker"]
__all__ += ["dcg_at_k", "ndcg_at_k"]  # from nlpjourney.evaluate.ir: exercise 2.8's reference
