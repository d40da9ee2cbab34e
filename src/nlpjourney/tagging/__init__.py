"""Sequence tagging: part-of-speech tagging and named entity recognition.

Reference: NLTK's taggers, python-crfsuite and seqeval (see each module).
"""

from __future__ import annotations

from nlpjourney.tagging.crf import CRF, forward_log_alphas, log_partition, sequence_score
from nlpjourney.tagging.decode import viterbi
from nlpjourney.tagging.features import ner_features

__all__: list[str] = [
    "CRF",
    "forward_log_alphas",
    "log_partition",
    "ner_features",
    "sequence_score",
    "viterbi",
]
