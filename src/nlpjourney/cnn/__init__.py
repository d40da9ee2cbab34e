"""Convolutional networks for text: classification and sequence labelling (topic 3.4).

- :mod:`~nlpjourney.cnn.conv`: the 1-D convolution as unfold + matmul (:func:`unfold1d`,
  :func:`conv1d`, :class:`Conv1d`), beside ``torch.nn.Conv1d``;
- :mod:`~nlpjourney.cnn.pooling`: :func:`max_over_time`, padding left out;
- :mod:`~nlpjourney.cnn.kim`: Kim's (2014) CNN sentence classifier (:class:`KimCNN`) and
  the n-grams its filters learned (:func:`top_ngrams`);
- :mod:`~nlpjourney.cnn.labeller`: :class:`CNNLabeller`, a tagger from word and character
  CNNs (and an optional BiLSTM);
- :mod:`~nlpjourney.cnn.vocab`: :class:`WordCharVocab`, the word and character
  vocabularies of the labeller (and of :mod:`nlpjourney.tagging`'s BiLSTM-CRF).

Reference: ``torch.nn.Conv1d`` (see each module).
"""

from __future__ import annotations

from nlpjourney.cnn.conv import Conv1d, conv1d, output_length, unfold1d
from nlpjourney.cnn.kim import FilterNgrams, KimCNN, KimConfig, KimNetwork, top_ngrams
from nlpjourney.cnn.labeller import CNNLabeller, LabellerNetwork
from nlpjourney.cnn.pooling import max_over_time
from nlpjourney.cnn.vocab import WordCharVocab

__all__: list[str] = [
    "CNNLabeller",
    "Conv1d",
    "FilterNgrams",
    "KimCNN",
    "KimConfig",
    "KimNetwork",
    "LabellerNetwork",
    "WordCharVocab",
    "conv1d",
    "max_over_time",
    "output_length",
    "top_ngrams",
    "unfold1d",
]
