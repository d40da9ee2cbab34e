"""Word embeddings (topic 1.5): vectors whose geometry follows how words are used.

- :mod:`~nlpjourney.embeddings.keyed_vectors`: :class:`KeyedVectors`, the vocabulary and
  vectors every model here produces, with ``most_similar`` and the word2vec file formats.
"""

from nlpjourney.embeddings.keyed_vectors import KeyedVectors, VectorsFileError

__all__ = ["KeyedVectors", "VectorsFileError"]
