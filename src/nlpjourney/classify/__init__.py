"""Text classification (topic 2.1): naive Bayes and a ready spam filter.

- :mod:`~nlpjourney.classify.naive_bayes`: :class:`MultinomialNB`, :class:`BernoulliNB`,
  :class:`ComplementNB`, scikit-learn's estimator contract on sparse features;
- :mod:`~nlpjourney.classify.spam`: :class:`SpamFilter`, a vectorizer and a naive Bayes
  model in one, saved and loaded in a documented format without pickle.
"""

from nlpjourney.classify.naive_bayes import BernoulliNB, ComplementNB, MultinomialNB
from nlpjourney.classify.spam import ModelFormatError, SpamFilter

__all__ = ["BernoulliNB", "ComplementNB", "ModelFormatError", "MultinomialNB", "SpamFilter"]
