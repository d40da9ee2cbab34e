"""Sequence tagging: part-of-speech tagging and named entity recognition.

Reference: NLTK's taggers, python-crfsuite and seqeval (see each module).
"""

from __future__ import annotations

from nlpjourney.tagging.decode import viterbi
from nlpjourney.tagging.hmm import HMMTagger
from nlpjourney.tagging.ner import GazetteerMatcher, Rule, RuleMatcher, convert_scheme
from nlpjourney.tagging.perceptron import PerceptronTagger

__all__: list[str] = [
    "GazetteerMatcher",
    "HMMTagger",
    "PerceptronTagger",
    "Rule",
    "RuleMatcher",
    "convert_scheme",
    "viterbi",
]
