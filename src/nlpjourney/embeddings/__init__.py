"""Word embeddings (topic 1.5): vectors whose geometry follows how words are used.

- :mod:`~nlpjourney.embeddings.keyed_vectors`: :class:`KeyedVectors`, the vocabulary and
  vectors every model here produces, with ``most_similar`` and the word2vec file formats;
- :mod:`~nlpjourney.embeddings.corpus`: :func:`english_sentences`, the registry's English
  text streamed as lists of lower-cased words;
- :mod:`~nlpjourney.embeddings.word2vec`: :class:`Word2Vec`, skip-gram and CBOW with
  negative sampling (a numba-compiled loop, trained by several threads);
- :mod:`~nlpjourney.embeddings.fasttext`: :class:`FastText`, Word2Vec over hashed
  character n-grams, with vectors for words it never saw.
- :mod:`~nlpjourney.embeddings.glove`: :class:`GloVe` and its counting step,
  :func:`cooccurrence`;
- :mod:`~nlpjourney.embeddings.ppmi`: :func:`ppmi_svd`, count-based vectors, and its
  :func:`ppmi` step;
- :mod:`~nlpjourney.embeddings.evaluate`: WordSim-353, SimLex-999 and the Google
  analogies (:func:`~nlpjourney.embeddings.evaluate.evaluate_all`);
- :mod:`~nlpjourney.embeddings.plots`: :func:`plot_words`, a 2-D picture of chosen words.
"""

from nlpjourney.embeddings import evaluate
from nlpjourney.embeddings.corpus import ENGLISH_SOURCES, english_sentences, parse_sources
from nlpjourney.embeddings.evaluate import AnalogyResult, SimilarityResult
from nlpjourney.embeddings.fasttext import FastText, FastTextKeyedVectors
from nlpjourney.embeddings.glove import GloVe, Vocabulary, cooccurrence
from nlpjourney.embeddings.keyed_vectors import KeyedVectors, VectorsFileError
from nlpjourney.embeddings.plots import plot_words
from nlpjourney.embeddings.ppmi import ppmi, ppmi_svd
from nlpjourney.embeddings.word2vec import Word2Vec

__all__ = [
    "AnalogyResult",
    "ENGLISH_SOURCES",
    "FastText",
    "FastTextKeyedVectors",
    "GloVe",
    "KeyedVectors",
    "SimilarityResult",
    "VectorsFileError",
    "Word2Vec",
    "Vocabulary",
    "cooccurrence",
    "english_sentences",
    "evaluate",
    "parse_sources",
    "plot_words",
    "ppmi",
    "ppmi_svd",
]
