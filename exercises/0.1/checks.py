"""Checks for exercise 0.1, run by ``journey check 0.1``.

Each check calls the learner's function through the ``ex`` fixture and compares it with
a value computed here, from NumPy and SciPy directly, on fixed readable cases and on
fresh random inputs drawn from the run's seed (``rng``). With ``--exercise reference`` the
same checks grade the library, ``nlpjourney.ml.math``.
"""

from __future__ import annotations

import numpy as np
import scipy.spatial.distance
import scipy.special

REFERENCE = "nlpjourney.ml.math"
# What the learner may not use: the model answer, and the libraries that answer it.
FORBIDDEN = ("nlpjourney", "scipy", "sklearn", "torch")


def test_softmax_values(ex, rng) -> None:
    """softmax turns each row of scores into probabilities, on fresh random scores.

    Hint 1: each probability is the exponential of its score over the sum of the
    exponentials of its row.
    Hint 2: the sum runs along the axis you were given and must keep that axis (length
    one), so that it lines up with every score of its row when you divide.
    """
    shape = tuple(rng.integers(1, 8, size=rng.integers(1, 4)))
    x = rng.normal(size=shape) * rng.uniform(0.5, 5)
    expected = scipy.special.softmax(x, axis=-1)
    result = np.asarray(ex.softmax(x))
    assert result.shape == x.shape, f"expected shape {x.shape}, got {result.shape}"
    np.testing.assert_allclose(result, expected, rtol=1e-9)


def test_softmax_extreme_scores(ex) -> None:
    """softmax stays finite on scores like 1000 and -1000.

    Hint 1: the exponential of 1000 overflows to infinity; shift the scores first.
    Hint 2: subtracting the same number from every score of a row leaves its softmax
    unchanged; subtract the row's largest score, so every exponent is at most zero.
    """
    x = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]])
    with np.errstate(all="ignore"):  # a naive version overflows; let the assert say so
        result = np.asarray(ex.softmax(x))
    expected = scipy.special.softmax(np.array([0.0, 1.0, 2.0]))
    assert np.all(np.isfinite(result)), f"got non-finite values: {result}"
    np.testing.assert_allclose(result[0], expected, rtol=1e-9)
    np.testing.assert_allclose(result[1], expected[::-1], rtol=1e-9)


def test_softmax_axis(ex, rng) -> None:
    """softmax normalises along the axis it is given.

    Hint 1: along the axis you are given, not always the last one.
    Hint 2: both the maximum you subtract and the sum you divide by are taken along that
    axis, keeping it with length one.
    """
    x = rng.normal(size=tuple(rng.integers(2, 6, size=3))) * 2
    for axis in (0, 1, -1):
        result = np.asarray(ex.softmax(x, axis=axis))
        expected = scipy.special.softmax(x, axis=axis)
        np.testing.assert_allclose(result, expected, rtol=1e-9, err_msg=f"axis={axis}")


def test_logsumexp_values(ex, rng) -> None:
    """logsumexp equals log(sum(exp(x))), over everything and along one axis.

    Hint 1: with no axis, reduce over every entry at once; otherwise along that axis only.
    Hint 2: the maximum and the sum are both taken over the same entries: every entry
    when the axis is None, else along the axis; only the reduced axis goes away, even
    when another axis also has length one.
    """
    shape = [int(v) for v in rng.integers(2, 7, size=3)]
    shape[int(rng.integers(3))] = 1  # an axis of length 1 that must survive the reduction
    x = rng.normal(size=shape) * rng.uniform(0.5, 3)
    np.testing.assert_allclose(ex.logsumexp(x), scipy.special.logsumexp(x), rtol=1e-9)
    for axis in (0, 1, 2, -1):
        result = np.asarray(ex.logsumexp(x, axis=axis))
        expected_shape = scipy.special.logsumexp(x, axis=axis).shape
        assert result.shape == expected_shape, (
            f"axis={axis}: shape {result.shape}, not {expected_shape}"
        )
        np.testing.assert_allclose(
            ex.logsumexp(x, axis=axis), scipy.special.logsumexp(x, axis=axis), rtol=1e-9,
            err_msg=f"axis={axis}",
        )  # fmt: skip


def test_logsumexp_extreme_and_keepdims(ex, rng) -> None:
    """logsumexp stays finite on large scores and honours keepdims.

    Hint 1: factor the largest entry out of the sum before exponentiating.
    Hint 2: the log of the sum of exponentials equals the maximum plus the log of the sum
    of the exponentials of each entry minus that maximum; keep the reduced axis while you
    compute, and drop it at the end unless keepdims asks to keep it.
    Hint 3: a row where every entry is minus infinity has minus infinity as its maximum;
    shift it by zero instead, so its answer is minus infinity rather than nan.
    """
    x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0]])
    with np.errstate(all="ignore"):
        result = np.asarray(ex.logsumexp(x, axis=1))
        kept = np.asarray(ex.logsumexp(x, axis=1, keepdims=True))
    np.testing.assert_allclose(result, [1000 + np.log(2), -1000 + np.log(2)], rtol=1e-12)
    assert kept.shape == (2, 1), f"keepdims=True should give shape (2, 1), got {kept.shape}"
    with np.errstate(all="ignore"):
        masked = np.asarray(ex.logsumexp(np.array([[-np.inf, -np.inf], [0.0, -np.inf]]), axis=1))
    np.testing.assert_array_equal(masked, [-np.inf, 0.0], err_msg="a row of -inf gives -inf")
    big = rng.normal(size=(3, 4)) * 400
    with np.errstate(all="ignore"):
        kept = np.asarray(ex.logsumexp(big, axis=0, keepdims=True))
    expected = scipy.special.logsumexp(big, axis=0, keepdims=True)
    assert kept.shape == expected.shape, f"expected shape {expected.shape}, got {kept.shape}"
    np.testing.assert_allclose(kept, expected, rtol=1e-12)


def test_numerical_gradient_accuracy(ex, rng) -> None:
    """numerical_gradient is accurate to about 1e-6 on a curved function of a matrix.

    Hint 1: central differences, one entry of x at a time.
    Hint 2: nudge one entry up by eps and down by eps, leaving the others alone; the
    difference of the two values of f, over twice eps, is that entry's slope.
    """
    x = rng.normal(size=tuple(rng.integers(1, 4, size=rng.integers(1, 4))))

    def f(v):
        return np.sum(v**3) + np.sum(np.sin(v))

    grad = np.asarray(ex.numerical_gradient(f, x))
    assert grad.shape == x.shape, f"expected shape {x.shape}, got {grad.shape}"
    np.testing.assert_allclose(grad, 3 * x**2 + np.cos(x), atol=1e-6)


def test_numerical_gradient_leaves_input_alone(ex) -> None:
    """numerical_gradient leaves the caller's x unchanged, even integer arrays.

    Hint 1: work on a float copy of x, never on x itself.
    Hint 2: an integer array cannot hold a nudged value; copy x as floats, and put each
    entry back after nudging it.
    """
    x = np.array([1, 2, 3])
    before = x.copy()
    grad = np.asarray(ex.numerical_gradient(lambda v: np.sum(v**2), x))
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(grad, [2.0, 4.0, 6.0], atol=1e-6)


def test_cosine_similarity_vectors(ex) -> None:
    """cosine_similarity of two vectors: 1 for the same direction, 0 at right angles, -1 opposite.

    Hint 1: the dot product over the product of the two lengths.
    Hint 2: the length of a vector is the square root of the sum of its squared entries;
    scaling a vector must not change the answer.
    """
    a = np.array([1.0, 2.0, 2.0])
    assert np.isclose(ex.cosine_similarity(a, 10 * a), 1.0)
    assert np.isclose(ex.cosine_similarity(a, np.array([2.0, -1.0, 0.0])), 0.0)
    assert np.isclose(ex.cosine_similarity(a, -a), -1.0)
    b = np.array([3.0, 0.0, 4.0])
    assert np.isclose(ex.cosine_similarity(a, b), 11 / 15)


def test_cosine_similarity_matrices(ex, rng) -> None:
    """cosine_similarity of an (n, d) and an (m, d) array is the (n, m) table of all pairs.

    Hint 1: scale every row of both arrays to length one; then one matrix product gives
    all the pairs.
    Hint 2: the rows' lengths are taken along the feature axis, keeping it, so each row
    is divided by its own length; the product is of the first array with the transpose
    of the second.
    """
    n, m, d = rng.integers(1, 7, size=3)
    A, B = rng.normal(size=(n, d)) * 3, rng.normal(size=(m, d))
    expected = 1 - scipy.spatial.distance.cdist(A, B, "cosine")
    result = np.asarray(ex.cosine_similarity(A, B))
    assert result.shape == (n, m), f"expected shape {(n, m)}, got {result.shape}"
    np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-12)


def test_cosine_similarity_zero_vector(ex) -> None:
    """A zero vector has cosine similarity 0 with everything (not nan).

    Hint 1: a zero vector has no direction: its length is zero, and you divide by it.
    Hint 2: where a length is zero, divide by one instead; the zero vector stays zero,
    and so do its dot products.
    """
    A = np.vstack([np.zeros(4), np.random.default_rng(0).normal(size=(2, 4))])
    with np.errstate(all="ignore"):
        table = np.asarray(ex.cosine_similarity(A, A[::-1]))
        single = ex.cosine_similarity(np.zeros(3), np.array([1.0, 2.0, 3.0]))
    assert np.all(np.isfinite(table)), f"got nan or inf: {table}"
    np.testing.assert_allclose(table[0], 0.0)
    np.testing.assert_allclose(table[:, -1], 0.0)
    assert single == 0.0, f"a zero vector gave {single}"


def test_cosine_similarity_stays_within_one(ex, rng) -> None:
    """cosine_similarity never leaves [-1, 1], not even by rounding.

    Hint 1: rounding can push the cosine of two parallel vectors a hair past one.
    Hint 2: clip the result to the interval from minus one to one.
    """
    A = rng.normal(size=(300, 7))
    table = np.asarray(ex.cosine_similarity(A, np.vstack([A * 3.0, -A])))
    assert table.max() <= 1.0 and table.min() >= -1.0, (
        f"values from {table.min()!r} to {table.max()!r}"
    )
