"""Exercise 2.1: multinomial naive Bayes, fit and predict, as two functions.

A multinomial naive Bayes model is counting plus one matrix product. Fitting counts, per
class, how many documents it has and how often each word occurs in them; predicting adds
up log-probabilities. Here you write both, for a count matrix ``X`` (documents x words,
a NumPy array or a SciPy CSR matrix) and one label per row.

Use NumPy (and SciPy, if you like) only: ``journey check`` refuses a file that uses
``nlpjourney`` (the model answer), scikit-learn or NLTK. Then run ``journey check 2.1``:
every check names what it tests and, when it fails, gives a hint (``--hint`` shows
more). The checks draw fresh random count matrices and label sets on every run, and
compare you with scikit-learn's ``MultinomialNB`` on real SMS spam counts.

1. ``fit_multinomial_nb``: the classes, their log priors, and the smoothed log
   probability of each word in each class.
2. ``predict_multinomial_nb``: the most probable class of each row.

The lesson ``lessons/2.1-text-classification.py`` builds the same steps on SMS spam.
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (yours to use)


def fit_multinomial_nb(X, y, alpha=1.0):
    """Fit multinomial naive Bayes; return ``(classes, class_log_prior, feature_log_prob)``.

    - ``classes``: the distinct labels of ``y``, sorted, as a NumPy array of length ``k``
      (labels may be strings or numbers).
    - ``class_log_prior``: float array ``(k,)``; entry ``c`` is ``log(n_c / n)``, the
      natural log of the share of rows whose label is ``classes[c]``.
    - ``feature_log_prob``: float array ``(k, n_features)``; entry ``[c, j]`` is
      ``log((N_cj + alpha) / (N_c + alpha * n_features))``, where ``N_cj`` is the sum of
      column ``j`` over the rows of class ``c`` and ``N_c`` is ``N_cj`` summed over every
      ``j``. ``alpha`` is added to every count, so a word never seen with a class still
      gets a finite log-probability.

    ``X`` is dense or a SciPy CSR matrix of non-negative counts; leave it unchanged.
    Raise ``ValueError`` when ``X`` has a negative entry, when ``y`` does not have one
    label per row of ``X``, or when ``alpha`` is negative.

    Example: for ``X = [[2, 1, 0], [3, 0, 0], [0, 1, 3]]`` and
    ``y = ["ham", "ham", "spam"]``, ``classes`` is ``["ham", "spam"]``,
    ``exp(class_log_prior)`` is ``[2/3, 1/3]`` and ``exp(feature_log_prob[0])`` is
    ``[6/9, 2/9, 1/9]``.
    """
    raise NotImplementedError("write fit_multinomial_nb: count per class, smooth, take logs")


def predict_multinomial_nb(X, classes, class_log_prior, feature_log_prob):
    """Return the predicted label of each row of ``X`` (an array of ``len(X)`` labels).

    Row ``i`` gets ``classes[c]`` for the ``c`` with the largest score
    ``class_log_prior[c] + sum_j X[i, j] * feature_log_prob[c, j]`` (on a tie, the first
    such ``c``). ``X`` is dense or CSR with the columns the model was fitted on; raise
    ``ValueError`` when its number of columns differs from ``feature_log_prob``'s.

    Example: with the model of ``fit_multinomial_nb``'s example, the rows
    ``[[1, 0, 0], [0, 0, 1], [0, 0, 0]]`` are predicted ``["ham", "spam", "ham"]`` (the
    empty row goes to the class with the larger prior).
    """
    raise NotImplementedError("write predict_multinomial_nb: one score per class, then argmax")
