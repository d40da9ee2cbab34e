"""Exercise 1.3: TF-IDF from counts, and pruning the vocabulary by document frequency.

A vectorizer's hard part is counting; after that, TF-IDF is four lines of NumPy. Here
you get the counts, a dense matrix ``counts[d, t]`` = how often term ``t`` occurs in
document ``d`` (documents x terms), and write the weighting exactly as scikit-learn's
``TfidfTransformer`` does it, then one step the lesson does not take: the ``min_df`` /
``max_df`` filter of scikit-learn's ``CountVectorizer``, which drops terms that are too
rare or too common to be worth a column.

Use NumPy only: ``journey check`` refuses a file that uses ``nlpjourney`` (the model
answer) or scikit-learn. Then run ``journey check 1.3``: every check names what it tests
and, when it fails, gives a hint (``--hint`` shows more); the checks draw fresh random
count matrices on every run.

1. ``document_frequency``: in how many documents each term occurs.
2. ``idf``: inverse document frequency, ``ln(n / df) + 1``, optionally smoothed.
3. ``normalize_rows``: scale each document's row to length 1 (l2) or sum 1 (l1).
4. ``tfidf_from_counts``: the whole chain, with optional sublinear tf.
5. ``document_frequency_mask``: which terms ``min_df`` and ``max_df`` keep (new: the
   lesson does not write this one out).

The lesson ``lessons/1.3-features.py`` builds steps 1-4 step by step on SMS messages.
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (yours to use)


def document_frequency(counts):
    """Return, for each term (column), the number of documents (rows) where it occurs.

    Not the total count: a term used five times in one document has document frequency 1.
    The result is an integer vector of length ``counts.shape[1]``.

    Example: for ``counts = [[2, 0, 1], [0, 0, 3]]`` the result is ``[1, 0, 2]``.
    """
    raise NotImplementedError("write document_frequency: count the non-zero rows per column")


def idf(df, n_documents, smooth=True):
    """Return the inverse document frequency of each term as a float vector.

    Without smoothing: ``ln(n_documents / df) + 1``. With smoothing (the default), pretend
    one extra document contains every term once: ``ln((1 + n_documents) / (1 + df)) + 1``.
    The ``+ 1`` keeps terms that occur in every document from being ignored entirely.

    Example: ``idf(np.array([3, 1]), 3, smooth=False)`` is ``[1.0, 1 + ln 3]``.
    """
    raise NotImplementedError("write idf: ln(n / df) + 1, with 1 added to n and df when smooth")


def normalize_rows(matrix, norm="l2"):
    """Return a float copy of ``matrix`` with each row scaled to unit size.

    ``norm="l2"``: divide each row by its Euclidean length ``sqrt(sum(x**2))``;
    ``norm="l1"``: by ``sum(|x|)``; ``norm=None``: return it unscaled. A row of zeros
    stays zeros (do not divide by zero). Leave the caller's array unchanged.

    Example: ``normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))`` is ``[[0.6, 0.8], [0, 0]]``.
    """
    raise NotImplementedError("write normalize_rows: divide each row by its norm (1 for zero rows)")


def tfidf_from_counts(counts, smooth_idf=True, sublinear_tf=False, norm="l2"):
    """Return the TF-IDF matrix (float, same shape as ``counts``) of a dense count matrix.

    1. tf: the counts, or ``1 + ln(count)`` where ``count > 0`` (0 stays 0) when
       ``sublinear_tf``;
    2. multiply each column by its ``idf`` (learned from these same counts);
    3. scale each row with ``normalize_rows(..., norm)``.

    Example: ``tfidf_from_counts(np.array([[1, 1], [0, 2]]))`` is about
    ``[[0.815, 0.580], [0.0, 1.0]]``.
    """
    raise NotImplementedError("write tfidf_from_counts: tf, times idf per column, then normalize")


def document_frequency_mask(df, n_documents, min_df=1, max_df=1.0):
    """Return a boolean mask of the terms to keep: those with ``min_df <= df <= max_df``.

    As scikit-learn's ``CountVectorizer(min_df=..., max_df=...)`` does: a bound that is an
    ``int`` counts documents, a ``float`` is a fraction of ``n_documents`` (``max_df=0.5``:
    at most half of the documents). The mask has one entry per term, so
    ``counts[:, mask]`` keeps the chosen columns. Raise ``ValueError`` when a bound is
    negative, a float bound is above 1, or ``max_df`` allows fewer documents than
    ``min_df`` asks for.

    Example: ``document_frequency_mask(np.array([1, 4, 2, 3]), 4, min_df=2, max_df=0.75)``
    is ``[False, False, True, True]``: max_df allows 0.75 * 4 = 3 documents.
    """
    raise NotImplementedError("write document_frequency_mask: turn each bound into a count")
