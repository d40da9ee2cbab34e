"""Statistical machine translation: word alignment by IBM Model 1 (topic 3.5).

- :mod:`~nlpjourney.mt.ibm1`: :class:`IBMModel1`, the lexical table ``t(f | e)`` learned
  by EM, its Viterbi alignments and posterior alignment matrices;
- :mod:`~nlpjourney.mt.aer`: alignment error rate, precision and recall against sure and
  possible gold links (Och & Ney 2003);
- :mod:`~nlpjourney.mt.gold`: Multi30k English–French pairs aligned by hand;
- :mod:`~nlpjourney.mt.corpus`: the word tokenisation they share, and Multi30k's pairs;
- :mod:`~nlpjourney.mt.draw`: :func:`draw_alignment`, a heat map of any alignment or
  attention matrix with gold links marked.

Reference: NLTK's ``IBMModel1`` and ``alignment_error_rate`` (see each module).
"""

from __future__ import annotations

from nlpjourney.mt.aer import (
    AlignmentScores,
    alignment_error_rate,
    alignment_precision,
    alignment_recall,
    alignment_scores,
)
from nlpjourney.mt.corpus import TOKEN_PATTERNS, multi30k_pairs, pair_checksum, tokenize
from nlpjourney.mt.draw import draw_alignment
from nlpjourney.mt.gold import HandAlignedPair, hand_aligned_pairs, parse_links
from nlpjourney.mt.ibm1 import IBMModel1

__all__ = [
    "TOKEN_PATTERNS",
    "AlignmentScores",
    "HandAlignedPair",
    "IBMModel1",
    "alignment_error_rate",
    "alignment_precision",
    "alignment_recall",
    "alignment_scores",
    "draw_alignment",
    "hand_aligned_pairs",
    "multi30k_pairs",
    "pair_checksum",
    "parse_links",
    "tokenize",
]
