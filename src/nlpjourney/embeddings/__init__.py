"""Word embeddings (topic 1.5): vectors whose geometry follows how words are used.

- :mod:`~nlpjourney.embeddings.keyed_vectors`: :class:`KeyedVectors`, the vocabulary and
  vectors every model here produces, with ``most_similar`` and the word2vec file formats;
- :mod:`~nlpjourney.embeddings.corpus`: :func:`english_sentences`, the registry's English
  text streamed as lists of lower-cased words;
- :mod:`~nlpjourney.embeddings.word2vec`: :class:`Word2Vec`, skip-gram and CBOW with
  negative sampling (a numba-compiled loop, trained by several threads);
- :mod:`~nlpjourney.embeddings.fasttext`: :class:`FastText`, Word2Vec over hashed
  character n-grams, with vectors for words it never saw.
"""

from nlpjourney.embeddings.corpus import ENGLISH_SOURCES, english_sentences, parse_sources
from nlpjourney.embeddings.fasttext import FastText, FastTextKeyedVectors
from nlpjourney.embeddings.keyed_vectors import KeyedVectors, VectorsFileError
from nlpjourney.embeddings.word2vec import Word2Vec

__all__ = [
    "ENGLISH_SOURCES",
    "FastText",
    "FastTextKeyedVectors",
    "KeyedVectors",
    "VectorsFileError",
    "Word2Vec",
    "english_sentences",
    "parse_sources",
]
