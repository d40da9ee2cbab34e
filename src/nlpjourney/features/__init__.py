"""Features from text (topic 1.3): bag-of-words counts, TF-IDF, n-grams and hashing.

- :mod:`~nlpjourney.features.analysis`: documents to feature strings (tokens, word and
  character n-grams, stop words);
- :mod:`~nlpjourney.features.counting`: :class:`CountVectorizer`, the bag of words;
- :mod:`~nlpjourney.features.tfidf`: the TF-IDF formulas and :class:`TfidfVectorizer`;
- :mod:`~nlpjourney.features.hashing`: MurmurHash3 and :class:`HashingVectorizer`.

All three vectorizers follow scikit-learn's estimator contract and give the same
matrices as scikit-learn's classes of the same names.
"""

from nlpjourney.features.counting import CountVectorizer
from nlpjourney.features.hashing import HashingVectorizer
from nlpjourney.features.tfidf import TfidfVectorizer

__all__ = ["CountVectorizer", "HashingVectorizer", "TfidfVectorizer"]
