"""Features from text (topic 1.3): bag-of-words counts, TF-IDF, n-grams and hashing.

- :mod:`~nlpjourney.features.analysis`: documents to feature strings (tokens, word and
  character n-grams, stop words);
- :mod:`~nlpjourney.features.counting`: :class:`CountVectorizer`, the bag of words;
- :mod:`~nlpjourney.features.tfidf`: the TF-IDF formulas and :class:`TfidfVectorizer`;
- :mod:`~nlpjourney.features.hashing`: MurmurHash3 and :class:`HashingVectorizer`.

All three vectorizers follow scikit-learn's estimator contract and give the same
matrices as scikit-learn's classes of the same names. The steps inside them are public
too: the n-gram functions, the TF-IDF formulas on a count matrix and MurmurHash3.
NumPy and SciPy sparse matrices; no torch.
"""

from nlpjourney.features.analysis import char_ngrams, char_wb_ngrams, word_ngrams
from nlpjourney.features.counting import CountVectorizer
from nlpjourney.features.hashing import HashingVectorizer, murmurhash3_32, murmurhash3_32_many
from nlpjourney.features.tfidf import (
    TfidfVectorizer,
    document_frequency,
    idf,
    normalize_rows,
    tfidf_from_counts,
    weight_counts,
)

__all__ = [
    "CountVectorizer",
    "HashingVectorizer",
    "TfidfVectorizer",
    "char_ngrams",
    "char_wb_ngrams",
    "document_frequency",
    "idf",
    "murmurhash3_32",
    "murmurhash3_32_many",
    "normalize_rows",
    "tfidf_from_counts",
    "weight_counts",
    "word_ngrams",
]
