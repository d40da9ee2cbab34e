"""Sequence tagging: part-of-speech tagging and named entity recognition.

- :mod:`~nlpjourney.tagging.decode`: :func:`viterbi`, the best tag path;
- :mod:`~nlpjourney.tagging.hmm` and :mod:`~nlpjourney.tagging.perceptron`:
  :class:`HMMTagger` and :class:`PerceptronTagger` (averaged, greedy or beam);
- :mod:`~nlpjourney.tagging.crf`: the linear-chain :class:`CRF` and its forward
  algorithm (:func:`sequence_score`, :func:`forward_log_alphas`, :func:`log_partition`),
  with :func:`ner_features` from :mod:`~nlpjourney.tagging.features`;
- :mod:`~nlpjourney.tagging.ner`: tag schemes (:func:`convert_scheme`), and rule and
  gazetteer matchers;
- :mod:`~nlpjourney.tagging.bilstm_crf` and :mod:`~nlpjourney.tagging.bert` (torch):
  :class:`BiLSTMCRF` and :class:`BertTagger` (all-MiniLM-L6-v2 fine-tuned). They are
  imported when first used, so the NumPy taggers load without torch.

Every tagger has ``fit(sentences, tags)``, ``predict(sentences)``, ``tags_``, ``save`` and
``load``. Entity-level scores are in :mod:`nlpjourney.evaluate.sequence`.

Reference: NLTK's taggers, python-crfsuite and seqeval (see each module).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nlpjourney.tagging.crf import CRF, forward_log_alphas, log_partition, sequence_score
from nlpjourney.tagging.decode import viterbi
from nlpjourney.tagging.features import ner_features
from nlpjourney.tagging.hmm import HMMTagger
from nlpjourney.tagging.ner import GazetteerMatcher, Rule, RuleMatcher, convert_scheme
from nlpjourney.tagging.perceptron import PerceptronTagger

if TYPE_CHECKING:
    from nlpjourney.tagging.bert import BertTagger
    from nlpjourney.tagging.bilstm_crf import BiLSTMCRF, CRFLayer

__all__: list[str] = [
    "CRF",
    "BertTagger",
    "BiLSTMCRF",
    "CRFLayer",
    "GazetteerMatcher",
    "HMMTagger",
    "PerceptronTagger",
    "Rule",
    "RuleMatcher",
    "convert_scheme",
    "forward_log_alphas",
    "log_partition",
    "ner_features",
    "sequence_score",
    "viterbi",
]

#: The torch taggers, imported on first use: name -> module.
_LAZY = {
    "BertTagger": "nlpjourney.tagging.bert",
    "BiLSTMCRF": "nlpjourney.tagging.bilstm_crf",
    "CRFLayer": "nlpjourney.tagging.bilstm_crf",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nlpjourney.tagging' has no attribute {name!r}")
