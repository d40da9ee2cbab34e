"""Information retrieval: an inverted index, BM25 and other rankers, pseudo-relevance
feedback, dense and approximate nearest-neighbour search, and hybrid ranking.

References: bm25s and rank_bm25 (BM25), sentence-transformers (dense search).
"""

from __future__ import annotations

from nlpjourney.retrieval.ann import IVFIndex
from nlpjourney.retrieval.bm25 import BM25
from nlpjourney.retrieval.dense import DenseRetriever, Encoder, exact_search
from nlpjourney.retrieval.hybrid import HybridRanker, interpolate_scores, reciprocal_rank_fusion
from nlpjourney.retrieval.index import IndexFormatError, InvertedIndex
from nlpjourney.retrieval.scoring import bm25_idf, bm25_tf

__all__: list[str] = []
__all__ += ["BM25", "IndexFormatError", "InvertedIndex", "bm25_idf", "bm25_tf"]
__all__ += ["DenseRetriever", "Encoder", "HybridRanker", "IVFIndex", "exact_search",
            "interpolate_scores", "reciprocal_rank_fusion"]  # fmt: skip
