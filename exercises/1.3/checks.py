"""Checks for exercise 1.3, run by ``journey check 1.3``.

Each check calls the learner's function through the ``ex`` fixture and compares it with
scikit-learn: count matrices come from ``CountVectorizer`` on a handful of SMS-style
messages written here, and the expected weights from ``TfidfTransformer``. With
``--exercise reference`` the same checks grade the library, ``nlpjourney.features.tfidf``.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

REFERENCE = "nlpjourney.features.tfidf"

MESSAGES = [
    "WINNER!! You have won a free prize. Call now to claim your free prize",
    "Are you coming to dinner tonight? Call me when you leave",
    "Free entry in a weekly competition to win tickets, text WIN now",
    "Sorry, I'll call later, in a meeting",
    "Ok lar... see you tonight at dinner",
    "URGENT! Your mobile has won a cash prize, call now",
]


def counts_matrix() -> np.ndarray:
    """Documents x terms counts of MESSAGES, dense, int64."""
    return CountVectorizer().fit_transform(MESSAGES).toarray()


def expected_tfidf(counts, **params) -> np.ndarray:
    return TfidfTransformer(**params).fit_transform(counts).toarray()


def test_document_frequency_counts_documents(ex) -> None:
    """document_frequency counts documents containing a term, not occurrences.

    Hint: a term occurs in a document when its count there is > 0; count those rows per
    column, e.g. (counts > 0).sum(axis=0).
    """
    counts = np.array([[2, 0, 1], [0, 0, 3], [5, 0, 0]])
    result = np.asarray(ex.document_frequency(counts))
    np.testing.assert_array_equal(result, [2, 0, 2])
    real = counts_matrix()
    np.testing.assert_array_equal(np.asarray(ex.document_frequency(real)), (real > 0).sum(axis=0))


def test_idf_smoothed(ex) -> None:
    """idf with smoothing equals scikit-learn's default idf_ on real messages.

    Hint: ln((1 + n_documents) / (1 + df)) + 1, with np.log (the natural log).
    """
    counts = counts_matrix()
    df = (counts > 0).sum(axis=0)
    expected = TfidfTransformer(smooth_idf=True).fit(counts).idf_
    np.testing.assert_allclose(ex.idf(df, counts.shape[0], smooth=True), expected, rtol=1e-12)
    np.testing.assert_allclose(ex.idf(df, counts.shape[0]), expected, rtol=1e-12)


def test_idf_unsmoothed(ex) -> None:
    """idf without smoothing is ln(n / df) + 1; a term in every document gets exactly 1.

    Hint: without smoothing add nothing to n or df; keep the + 1 outside the log, so a
    term in all n documents gets ln(1) + 1 = 1 and is not dropped.
    """
    counts = counts_matrix()
    df = (counts > 0).sum(axis=0)
    expected = TfidfTransformer(smooth_idf=False).fit(counts).idf_
    np.testing.assert_allclose(ex.idf(df, counts.shape[0], smooth=False), expected, rtol=1e-12)
    np.testing.assert_allclose(ex.idf(np.array([4, 4]), 4, smooth=False), [1.0, 1.0])


def test_normalize_rows_l2_and_l1(ex) -> None:
    """normalize_rows scales rows to unit length (l2) or unit sum (l1) and keeps zero rows.

    Hint: sizes = np.linalg.norm(m, ord=2 (or 1), axis=1, keepdims=True); divide by
    np.where(sizes == 0, 1, sizes) so an empty row stays 0 instead of becoming nan.
    """
    matrix = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, -3.0]])
    before = matrix.copy()
    l2 = np.asarray(ex.normalize_rows(matrix, "l2"))
    l1 = np.asarray(ex.normalize_rows(matrix, norm="l1"))
    np.testing.assert_allclose(l2, [[0.6, 0.8], [0, 0], [1 / 10**0.5, -3 / 10**0.5]])
    np.testing.assert_allclose(l1, [[3 / 7, 4 / 7], [0, 0], [0.25, -0.75]])
    np.testing.assert_array_equal(matrix, before)
    np.testing.assert_allclose(np.asarray(ex.normalize_rows(matrix, None)), matrix)


def test_tfidf_from_counts_default(ex) -> None:
    """tfidf_from_counts with its defaults equals TfidfTransformer() on real messages.

    Hint: counts * idf(document_frequency(counts), n_documents) (idf broadcasts over the
    rows), then normalize_rows(..., "l2").
    """
    counts = counts_matrix()
    result = np.asarray(ex.tfidf_from_counts(counts))
    assert result.shape == counts.shape, f"expected shape {counts.shape}, got {result.shape}"
    np.testing.assert_allclose(result, expected_tfidf(counts), rtol=1e-10, atol=1e-12)


def test_tfidf_from_counts_options(ex) -> None:
    """tfidf_from_counts honours smooth_idf and norm (l1 and None).

    Hint: pass smooth_idf on to idf as its smooth argument, and norm on to normalize_rows;
    with norm=None the rows are not scaled at all.
    """
    counts = counts_matrix()
    for smooth in (True, False):
        for norm in ("l1", None):
            result = np.asarray(ex.tfidf_from_counts(counts, smooth_idf=smooth, norm=norm))
            expected = expected_tfidf(counts, smooth_idf=smooth, norm=norm)
            np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-12)


def test_tfidf_from_counts_sublinear(ex) -> None:
    """tfidf_from_counts with sublinear_tf uses 1 + ln(count), and 0 for absent terms.

    Hint: np.log(0) is -inf: compute 1 + ln(count) only where count > 0, e.g.
    np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0).
    """
    counts = counts_matrix()
    counts[0, :5] += 6  # some big counts, where sublinear tf differs the most
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.asarray(ex.tfidf_from_counts(counts, sublinear_tf=True))
    expected = expected_tfidf(counts, sublinear_tf=True)
    assert np.all(np.isfinite(result)), "got inf or nan: take the log only where counts > 0"
    np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-12)


def test_tfidf_from_counts_leaves_counts_alone(ex) -> None:
    """tfidf_from_counts leaves the caller's integer count matrix unchanged.

    Hint: work on a float copy, e.g. tf = counts.astype(float); an integer array cannot
    hold the weights anyway.
    """
    counts = counts_matrix()
    before = counts.copy()
    ex.tfidf_from_counts(counts, sublinear_tf=True)
    np.testing.assert_array_equal(counts, before)
