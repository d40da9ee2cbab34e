"""Information retrieval: an inverted index, BM25 and other rankers, pseudo-relevance
feedback, dense and approximate nearest-neighbour search, and hybrid ranking.

References: bm25s and rank_bm25 (BM25), sentence-transformers (dense search).
"""

from __future__ import annotations

from nlpjourney.retrieval.feedback import RM3, Rocchio
from nlpjourney.retrieval.ranking import QueryLikelihood, TfidfRanker

__all__: list[str] = []
__all__ += ["RM3", "QueryLikelihood", "Rocchio", "TfidfRanker"]
