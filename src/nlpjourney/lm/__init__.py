"""Language models before neural networks: n-gram counts, smoothing and perplexity (topic 1.6).

- :mod:`~nlpjourney.lm.ngram`: :class:`NgramLM` (MLE, Laplace, Lidstone, interpolated
  Kneser-Ney and stupid backoff) over a :class:`Vocabulary`, and
  :func:`evaluation_ngrams`, the n-grams a sentence is scored on;
- :mod:`~nlpjourney.lm.kneser_ney`: Kneser-Ney's building blocks on plain dicts,
  continuation counts and discounted interpolation.

Plain Python and NumPy; no torch.
"""

from nlpjourney.lm.kneser_ney import (
    continuation_counts,
    continuation_probability,
    kneser_ney_bigram_prob,
)
from nlpjourney.lm.ngram import SMOOTHINGS, NgramLM, NotFittedError, Vocabulary, evaluation_ngrams

__all__ = [
    "SMOOTHINGS",
    "NgramLM",
    "NotFittedError",
    "Vocabulary",
    "continuation_counts",
    "continuation_probability",
    "evaluation_ngrams",
    "kneser_ney_bigram_prob",
]
