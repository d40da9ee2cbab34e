"""Language models before neural networks: n-gram counts, smoothing and perplexity.

:mod:`nlpjourney.lm.ngram` holds :class:`~nlpjourney.lm.ngram.NgramLM` (MLE, Laplace,
Lidstone, interpolated Kneser-Ney and stupid backoff); :mod:`nlpjourney.lm.kneser_ney`
holds Kneser-Ney's building blocks, continuation counts and discounted interpolation.
"""
