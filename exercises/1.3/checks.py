"""Checks for exercise 1.3, run by ``journey check 1.3``.

Each check calls the learner's function through the ``ex`` fixture and compares it with
scikit-learn: count matrices come from ``CountVectorizer`` on a handful of SMS-style
messages written here, and the expected weights from ``TfidfTransformer``. With
``--exercise reference`` the same checks grade the library, ``nlpjourney.features.tfidf``.
Beside the fixed messages, every run draws fresh random count matrices and documents of
random words (``rng``).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer

REFERENCE = "nlpjourney.features.tfidf"
# What the learner may not use: the model answer, and the library that answers it.
FORBIDDEN = ("nlpjourney", "sklearn")

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


def random_counts(rng) -> np.ndarray:
    """A fresh sparse-ish count matrix: some terms in every document, some in none."""
    n_docs, n_terms = rng.integers(2, 12), rng.integers(2, 15)
    counts = rng.poisson(rng.uniform(0.3, 2.0), size=(n_docs, n_terms))
    counts[:, 0] += 1  # a term in every document
    counts[0, -1] += rng.integers(3, 9)  # a big count, where sublinear tf matters
    return counts


def random_documents(rng, n_docs: int = 30) -> list[str]:
    """Documents of words drawn from a skewed vocabulary: common, middling and rare words."""
    words = [f"w{i:02d}" for i in range(40)]
    weights = 1.0 / np.arange(1, 41) ** rng.uniform(0.6, 1.4)
    weights /= weights.sum()
    return [" ".join(rng.choice(words, size=rng.integers(3, 12), p=weights)) for _ in range(n_docs)]


def expected_tfidf(counts, **params) -> np.ndarray:
    return TfidfTransformer(**params).fit_transform(counts).toarray()


def test_document_frequency_counts_documents(ex, rng) -> None:
    """document_frequency counts documents containing a term, not occurrences.

    Hint 1: a term occurs in a document when its count there is above zero.
    Hint 2: per column, count the rows where the count is above zero; a term used five
    times in one document adds one, not five.
    """
    counts = np.array([[2, 0, 1], [0, 0, 3], [5, 0, 0]])
    result = np.asarray(ex.document_frequency(counts))
    np.testing.assert_array_equal(result, [2, 0, 2])
    real = counts_matrix()
    np.testing.assert_array_equal(np.asarray(ex.document_frequency(real)), (real > 0).sum(axis=0))
    fresh = random_counts(rng)
    expected = [sum(1 for row in fresh if row[t] > 0) for t in range(fresh.shape[1])]
    np.testing.assert_array_equal(np.asarray(ex.document_frequency(fresh)), expected)


def test_idf_smoothed(ex, rng) -> None:
    """idf with smoothing equals scikit-learn's default idf_ on real messages and fresh counts.

    Hint 1: smoothing pretends one extra document holds every term once.
    Hint 2: the natural log of one plus the number of documents over one plus the
    document frequency, and then one added outside the log.
    """
    for counts in (counts_matrix(), random_counts(rng)):
        df = (counts > 0).sum(axis=0)
        expected = TfidfTransformer(smooth_idf=True).fit(counts).idf_
        np.testing.assert_allclose(ex.idf(df, counts.shape[0], smooth=True), expected, rtol=1e-12)
        np.testing.assert_allclose(ex.idf(df, counts.shape[0]), expected, rtol=1e-12)
    one_document = ex.idf(np.array([1, 0]), 1)  # a single document is a corpus too
    np.testing.assert_allclose(one_document, [1.0, 1 + np.log(2)], rtol=1e-12)


def test_idf_unsmoothed(ex, rng) -> None:
    """idf without smoothing is ln(n / df) + 1; a term in every document gets exactly 1.

    Hint 1: without smoothing, nothing is added to the number of documents or to the
    document frequency.
    Hint 2: the one is added outside the log, so a term in every document gets the log
    of one plus one, exactly one, and is not dropped.
    """
    for counts in (counts_matrix(), random_counts(rng)):
        counts = counts[:, (counts > 0).any(axis=0)]  # unsmoothed idf of an absent term is inf
        df = (counts > 0).sum(axis=0)
        expected = TfidfTransformer(smooth_idf=False).fit(counts).idf_
        result = ex.idf(df, counts.shape[0], smooth=False)
        np.testing.assert_allclose(result, expected, rtol=1e-12)
    np.testing.assert_allclose(ex.idf(np.array([4, 4]), 4, smooth=False), [1.0, 1.0])


def test_normalize_rows_l2_and_l1(ex, rng) -> None:
    """normalize_rows scales rows to unit length (l2) or unit sum (l1) and keeps zero rows.

    Hint 1: divide each row by its size: its Euclidean length for l2, the sum of its
    absolute values for l1.
    Hint 2: the sizes are taken along each row and kept as a column, so they line up
    with the rows; where a size is zero, divide by one, so an empty row stays zero
    instead of becoming nan.
    """
    matrix = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, -3.0]])
    before = matrix.copy()
    l2 = np.asarray(ex.normalize_rows(matrix, "l2"))
    l1 = np.asarray(ex.normalize_rows(matrix, norm="l1"))
    np.testing.assert_allclose(l2, [[0.6, 0.8], [0, 0], [1 / 10**0.5, -3 / 10**0.5]])
    np.testing.assert_allclose(l1, [[3 / 7, 4 / 7], [0, 0], [0.25, -0.75]])
    np.testing.assert_array_equal(matrix, before)
    np.testing.assert_allclose(np.asarray(ex.normalize_rows(matrix, None)), matrix)
    fresh = rng.normal(size=(rng.integers(1, 8), rng.integers(1, 8))) * 5
    fresh[rng.integers(len(fresh))] = 0.0
    for norm, order in (("l2", 2), ("l1", 1)):
        sizes = np.array([sum(abs(v) ** order for v in row) ** (1 / order) for row in fresh])
        expected = fresh / np.where(sizes == 0, 1, sizes)[:, None]
        np.testing.assert_allclose(np.asarray(ex.normalize_rows(fresh, norm)), expected, atol=1e-12)


def test_tfidf_from_counts_default(ex, rng) -> None:
    """tfidf_from_counts with its defaults equals TfidfTransformer() on real and fresh counts.

    Hint 1: the counts, times each term's idf, then each row scaled to length one.
    Hint 2: the idf is learned from these same counts (their document frequencies and
    their number of rows), one weight per column, multiplied into every row.
    """
    for counts in (counts_matrix(), random_counts(rng)):
        result = np.asarray(ex.tfidf_from_counts(counts))
        assert result.shape == counts.shape, f"expected shape {counts.shape}, got {result.shape}"
        np.testing.assert_allclose(result, expected_tfidf(counts), rtol=1e-10, atol=1e-12)


def test_tfidf_from_counts_options(ex, rng) -> None:
    """tfidf_from_counts honours smooth_idf and norm (l1 and None).

    Hint 1: hand the options on: smoothing to the idf, the norm to the row scaling.
    Hint 2: with no norm the rows are not scaled at all.
    """
    counts = random_counts(rng)
    for smooth in (True, False):
        for norm in ("l1", None):
            result = np.asarray(ex.tfidf_from_counts(counts, smooth_idf=smooth, norm=norm))
            expected = expected_tfidf(counts, smooth_idf=smooth, norm=norm)
            np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-12)


def test_tfidf_from_counts_sublinear(ex, rng) -> None:
    """tfidf_from_counts with sublinear_tf uses 1 + ln(count), and 0 for absent terms.

    Hint 1: a count becomes one plus its natural log; an absent term stays zero.
    Hint 2: the log of zero is minus infinity: take the log only where the count is above
    zero, and put zero everywhere else.
    """
    counts = random_counts(rng)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.asarray(ex.tfidf_from_counts(counts, sublinear_tf=True))
    expected = expected_tfidf(counts, sublinear_tf=True)
    assert np.all(np.isfinite(result)), "got inf or nan: take the log only where counts > 0"
    np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-12)


def test_tfidf_from_counts_leaves_counts_alone(ex) -> None:
    """tfidf_from_counts leaves the caller's integer count matrix unchanged.

    Hint 1: never write into the caller's matrix.
    Hint 2: start from a float copy of the counts; an integer array cannot hold the
    weights anyway.
    """
    counts = counts_matrix()
    before = counts.copy()
    ex.tfidf_from_counts(counts, sublinear_tf=True)
    np.testing.assert_array_equal(counts, before)


def test_document_frequency_mask_worked_example(ex) -> None:
    """document_frequency_mask: an int bound counts documents, a float is a fraction.

    Hint 1: turn each bound into a number of documents first, then keep the terms whose
    document frequency lies between the two, both ends included.
    Hint 2: an integer bound is already a number of documents; a float bound is that
    fraction of the number of documents.
    """
    df = np.array([1, 4, 2, 3])
    mask = np.asarray(ex.document_frequency_mask(df, 4, min_df=2, max_df=0.75))
    assert mask.dtype == bool, f"return a boolean mask, got dtype {mask.dtype}"
    np.testing.assert_array_equal(mask, [False, False, True, True])
    np.testing.assert_array_equal(np.asarray(ex.document_frequency_mask(df, 4)), [True] * 4)
    np.testing.assert_array_equal(
        np.asarray(ex.document_frequency_mask(df, 4, min_df=0.5, max_df=2)),
        [False, False, True, False],
    )


def test_document_frequency_mask_equals_countvectorizer(ex, rng) -> None:
    """document_frequency_mask keeps the terms CountVectorizer(min_df, max_df) keeps, on
    fresh random documents.

    Hint 1: both ends are included: a term in exactly min_df documents stays, and so does
    one in exactly max_df documents.
    Hint 2: a float max_df of 0.5 over 30 documents allows 15 of them; an int min_df of 2
    asks for 2.
    """
    documents = random_documents(rng)
    counter = CountVectorizer(token_pattern=r"\S+")
    counts = counter.fit_transform(documents).toarray()
    terms = counter.get_feature_names_out()
    df = (counts > 0).sum(axis=0)
    bounds = [(2, 1.0), (1, 0.5), (0.1, 0.9), (int(rng.integers(1, 4)), float(rng.uniform(0.3, 1)))]
    for min_df, max_df in bounds:
        kept = CountVectorizer(token_pattern=r"\S+", min_df=min_df, max_df=max_df)
        expected = set(kept.fit(documents).vocabulary_)
        mask = np.asarray(ex.document_frequency_mask(df, len(documents), min_df, max_df))
        got = set(terms[mask])
        assert got == expected, (
            f"min_df={min_df}, max_df={max_df}: kept {sorted(got - expected)} too many, "
            f"dropped {sorted(expected - got)} wrongly"
        )


def test_document_frequency_mask_then_tfidf(ex, rng) -> None:
    """The pruned counts weighed by tfidf_from_counts equal TfidfVectorizer(min_df, max_df).

    Hint 1: keep the columns the mask chooses, then weigh what is left.
    Hint 2: the idf of the kept terms is computed over all the documents, as before.
    """
    documents = random_documents(rng, n_docs=25)
    counter = CountVectorizer(token_pattern=r"\S+")
    counts = counter.fit_transform(documents).toarray()
    mask = np.asarray(ex.document_frequency_mask((counts > 0).sum(axis=0), 25, 2, 0.8))
    result = np.asarray(ex.tfidf_from_counts(counts[:, mask]))
    expected = TfidfVectorizer(token_pattern=r"\S+", min_df=2, max_df=0.8).fit_transform(documents)
    np.testing.assert_allclose(result, expected.toarray(), rtol=1e-10, atol=1e-12)


def test_document_frequency_mask_rejects_bad_bounds(ex) -> None:
    """document_frequency_mask raises ValueError for bounds that cannot hold.

    Hint 1: check the bounds before using them.
    Hint 2: refuse a negative bound, a float above one, and a max_df that allows fewer
    documents than min_df asks for.
    """
    df = np.array([1, 2, 3])
    for min_df, max_df in [(3, 2), (0.9, 0.2), (-1, 1.0), (1, 1.5)]:
        with pytest.raises(ValueError):
            ex.document_frequency_mask(df, 10, min_df=min_df, max_df=max_df)
