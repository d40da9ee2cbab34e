"""Sequence tagging: part-of-speech tagging and named entity recognition.

Reference: NLTK's taggers, python-crfsuite and seqeval (see each module).
"""

from __future__ import annotations

from nlpjourney.tagging.bert import BertTagger
from nlpjourney.tagging.bilstm_crf import BiLSTMCRF, CRFLayer
from nlpjourney.tagging.crf import CRF, forward_log_alphas, log_partition, sequence_score
from nlpjourney.tagging.decode import viterbi
from nlpjourney.tagging.features import ner_features
from nlpjourney.tagging.hmm import HMMTagger
from nlpjourney.tagging.ner import GazetteerMatcher, RuleMatcher, convert_scheme
from nlpjourney.tagging.perceptron import PerceptronTagger

__all__: list[str] = [
    "BertTagger",
    "BiLSTMCRF",
    "CRF",
    "CRFLayer",
    "GazetteerMatcher",
    "HMMTagger",
    "PerceptronTagger",
    "RuleMatcher",
    "convert_scheme",
    "forward_log_alphas",
    "log_partition",
    "ner_features",
    "sequence_score",
    "viterbi",
]
