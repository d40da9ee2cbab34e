"""Tests for nlpjourney.ml.math: parity with NumPy/SciPy/scikit-learn, and properties.

Parity tests compare values with the reference library on random data; property tests
(hypothesis) check identities that hold for any input: analytic gradients agree with
finite differences, the stable formulas agree with the naive ones where those are safe.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics.pairwise import cosine_similarity as sklearn_cosine

from nlpjourney.ml import math as m


def finite_arrays(max_dims: int = 2, bound: float = 10.0, min_side: int = 1) -> st.SearchStrategy:
    """Float64 arrays of up to ``max_dims`` axes with entries in [-bound, bound]."""
    return hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=min_side, max_side=5),
        elements=st.floats(-bound, bound, allow_nan=False, allow_infinity=False),
    )


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240601)


# --- stable exponentials: parity with scipy.special ----------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_math_softmax_matches_scipy(rng, dtype, axis) -> None:
    x = (rng.normal(size=(6, 9)) * 5).astype(dtype)
    ours = m.softmax(x, axis=axis)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, scipy.special.softmax(x, axis=axis), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_math_log_softmax_matches_scipy(rng, dtype, axis) -> None:
    x = (rng.normal(size=(6, 9)) * 5).astype(dtype)
    ours = m.log_softmax(x, axis=axis)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, scipy.special.log_softmax(x, axis=axis), rtol=1e-5)


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_math_logsumexp_matches_scipy(rng, axis, keepdims) -> None:
    x = rng.normal(size=(3, 4, 5)) * 5
    ours = m.logsumexp(x, axis=axis, keepdims=keepdims)
    expected = scipy.special.logsumexp(x, axis=axis, keepdims=keepdims)
    assert np.shape(ours) == np.shape(expected)
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


def test_math_logsumexp_handles_infinities_like_scipy() -> None:
    x = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [-np.inf, 3.0], [1e308, 1e308]])
    with np.errstate(all="ignore"):  # scipy may warn on the all -inf row
        expected = scipy.special.logsumexp(x, axis=1)
    np.testing.assert_array_equal(m.logsumexp(x, axis=1), expected)


def test_math_logsumexp_full_reduction_is_a_scalar() -> None:
    assert np.ndim(m.logsumexp([[1.0, 2.0], [3.0, 4.0]])) == 0


# --- stable exponentials: properties -------------------------------------------------


@given(finite_arrays(bound=50.0))
def test_math_softmax_equals_naive_formula_on_safe_inputs(x) -> None:
    naive = np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(m.softmax(x), naive, rtol=1e-12, atol=1e-300)


@given(finite_arrays(bound=1e4), st.floats(-1e4, 1e4))
def test_math_softmax_is_finite_sums_to_one_and_ignores_shifts(x, shift) -> None:
    probs = m.softmax(x)
    assert np.all(np.isfinite(probs)) and np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-12)
    # Adding one constant to every logit changes nothing (up to rounding of x + shift).
    np.testing.assert_allclose(m.softmax(x + shift), probs, atol=1e-8)


def test_math_softmax_survives_extreme_logits() -> None:
    x = np.array([[1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4, -1e4], [0.0, -np.inf, 0.0]])
    probs = m.softmax(x)
    e = np.exp(-1.0)
    np.testing.assert_allclose(probs[0], [1 / (1 + e), e / (1 + e), 0.0])
    np.testing.assert_allclose(probs[1], [1 / 3] * 3)
    np.testing.assert_array_equal(probs[2], [0.5, 0.0, 0.5])


@given(finite_arrays(bound=30.0))
def test_math_log_softmax_equals_log_of_softmax_on_safe_inputs(x) -> None:
    np.testing.assert_allclose(m.log_softmax(x), np.log(m.softmax(x)), rtol=1e-10, atol=1e-12)


def test_math_log_softmax_keeps_tiny_probabilities() -> None:
    # softmax underflows to 0 here, so log(softmax) would be -inf; the answer is -2000.
    np.testing.assert_allclose(m.log_softmax([0.0, -2000.0]), [0.0, -2000.0])
    assert np.all(np.isfinite(m.log_softmax([1e4, -1e4])))


# --- derivatives ---------------------------------------------------------------------


@given(finite_arrays(max_dims=1, bound=5.0))
def test_math_gradient_of_logsumexp_is_softmax(x) -> None:
    np.testing.assert_allclose(m.numerical_gradient(m.logsumexp, x), m.softmax(x), atol=1e-7)


@settings(max_examples=50)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    hnp.arrays(np.float64, (n, n), elements=st.floats(-3, 3)),
    hnp.arrays(np.float64, n, elements=st.floats(-3, 3)),
)))  # fmt: skip
def test_math_gradient_of_quadratic_form_is_a_plus_a_transpose_x(a_and_x) -> None:
    A, x = a_and_x
    analytic = (A + A.T) @ x
    np.testing.assert_allclose(m.numerical_gradient(lambda v: v @ A @ v, x), analytic, atol=1e-6)


def test_math_numerical_gradient_keeps_shape_and_leaves_x_alone() -> None:
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    grad = m.numerical_gradient(lambda v: np.sum(np.sin(v) * v), x)
    assert grad.shape == (2, 3)
    np.testing.assert_allclose(grad, np.cos(x) * x + np.sin(x), atol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_math_numerical_gradient_accepts_integer_points() -> None:
    # An integer array would round x + eps back to x; the result must still be right.
    np.testing.assert_allclose(
        m.numerical_gradient(lambda v: np.sum(v**2), [1, 2, 3]), [2, 4, 6], atol=1e-6
    )


def test_math_numerical_jacobian_of_softmax_matches_analytic(rng) -> None:
    x = rng.normal(size=5)
    s = m.softmax(x)
    analytic = np.diag(s) - np.outer(s, s)  # d s_i / d x_j = s_i (delta_ij - s_j)
    np.testing.assert_allclose(m.numerical_jacobian(m.softmax, x), analytic, atol=1e-8)


def test_math_numerical_jacobian_has_output_then_input_axes(rng) -> None:
    W = rng.normal(size=(4, 3))
    X = rng.normal(size=(2, 4))
    jac = m.numerical_jacobian(lambda v: v @ W, X)  # f: (2, 4) -> (2, 3)
    assert jac.shape == (2, 3, 2, 4)
    expected = np.einsum("ac,bd->abcd", np.eye(2), W.T)  # d(XW)[a,b]/dX[c,d] = [a=c] W[d,b]
    np.testing.assert_allclose(jac, expected, atol=1e-8)


# --- vectors -------------------------------------------------------------------------


# Entries are 0 or at least 1e-6 in size: numpy.linalg.norm underflows on |x|**3 of tiny
# entries (1e-237 -> 0), where ours rescales first and stays right.
MODERATE = st.floats(-1e3, 1e3).filter(lambda v: v == 0 or abs(v) >= 1e-6)


@given(st.integers(1, 8).flatmap(lambda n: hnp.arrays(np.float64, (2, n), elements=MODERATE)))
def test_math_dot_and_norms_match_numpy(pair) -> None:
    a, b = pair
    np.testing.assert_allclose(m.dot(a, b), np.dot(a, b), rtol=1e-12, atol=1e-9)
    for p in (1, 2, 3, np.inf):
        np.testing.assert_allclose(m.norm(a, p), np.linalg.norm(a, ord=p), rtol=1e-12)


def test_math_norm_neither_overflows_nor_underflows() -> None:
    np.testing.assert_allclose(m.norm([3e200, 4e200]), 5e200)
    np.testing.assert_allclose(m.norm([3e-200, 4e-200]), 5e-200)
    np.testing.assert_allclose(m.norm([1e-120, 1e-120], p=3), 2 ** (1 / 3) * 1e-120)


def test_math_cosine_similarity_matches_sklearn_pairwise(rng) -> None:
    A, B = rng.normal(size=(4, 6)), rng.normal(size=(3, 6))
    A[1] = 0.0  # a zero row: similarity 0 with everything, as in scikit-learn
    expected = sklearn_cosine(A, B)
    np.testing.assert_allclose(m.cosine_similarity(A, B), expected, atol=1e-12)
    np.testing.assert_allclose(m.cosine_similarity(A[2], B), expected[2], atol=1e-12)
    np.testing.assert_allclose(m.cosine_similarity(A, B[0]), expected[:, 0], atol=1e-12)
    assert m.cosine_similarity(A[0], B[1]) == pytest.approx(expected[0, 1])


def test_math_cosine_similarity_ignores_length_and_stays_in_range() -> None:
    assert m.cosine_similarity([1, 2, 3], [10, 20, 30]) == 1.0
    assert m.cosine_similarity([1, 2, 3], [-2, -4, -6]) == -1.0
    assert m.cosine_similarity([1, 0], [0, 5]) == 0.0


@given(
    st.integers(1, 6).flatmap(
        lambda n: hnp.arrays(np.float64, (2, n), elements=st.floats(-100, 100))
    )
)
def test_math_project_leaves_an_orthogonal_residual(pair) -> None:
    a, onto = pair
    if np.dot(onto, onto) < 1e-6:
        return  # (near-)zero direction: covered by the bad-input test
    residual = a - m.project(a, onto)
    scale = np.linalg.norm(a) * np.linalg.norm(onto)
    assert abs(np.dot(residual, onto)) <= 1e-9 * max(scale, 1.0)


# --- probability ---------------------------------------------------------------------


def test_math_sample_categorical_frequencies_converge() -> None:
    probs = np.array([0.1, 0.0, 0.25, 0.4, 0.25])
    n = 200_000
    draws = m.sample_categorical(probs, n, np.random.default_rng(7))
    freq = np.bincount(draws, minlength=probs.size) / n
    # Each count is Binomial(n, p): its frequency has standard deviation sqrt(p (1-p) / n).
    # Five of those is a band a correct sampler leaves about once in 1.7 million runs.
    sd = np.sqrt(probs * (1 - probs) / n)
    assert np.all(np.abs(freq - probs) <= 5 * sd)
    assert freq[1] == 0.0  # a zero-probability category is never drawn


def test_math_sample_categorical_shape_and_reproducibility() -> None:
    probs = [0.5, 0.5]
    first = m.sample_categorical(probs, (3, 4), np.random.default_rng(1))
    again = m.sample_categorical(probs, (3, 4), np.random.default_rng(1))
    assert first.shape == (3, 4) and first.dtype == np.int64
    np.testing.assert_array_equal(first, again)


def test_math_sample_categorical_never_draws_a_trailing_zero_category() -> None:
    probs = [0.3, 0.7, 0.0, 0.0]
    draws = m.sample_categorical(probs, 50_000, np.random.default_rng(3))
    assert draws.max() == 1


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_math_moments_match_numpy_and_scipy(rng, axis) -> None:
    x = rng.gamma(2.0, size=(50, 4))  # skewed, heavy-ish right tail
    np.testing.assert_allclose(m.variance(x, axis=axis), np.var(x, axis=axis), rtol=1e-12)
    np.testing.assert_allclose(
        m.variance(x, ddof=1, axis=axis), np.var(x, ddof=1, axis=axis), rtol=1e-12
    )
    np.testing.assert_allclose(m.skewness(x, axis=axis), scipy.stats.skew(x, axis=axis), rtol=1e-10)
    np.testing.assert_allclose(
        m.kurtosis(x, axis=axis), scipy.stats.kurtosis(x, axis=axis), rtol=1e-10
    )


def test_math_moments_of_a_constant_sample() -> None:
    assert m.variance([0.1] * 5) == pytest.approx(0.0, abs=1e-30)
    assert np.isnan(m.skewness([0.1] * 5)) and np.isnan(m.kurtosis([0.1] * 5))


@pytest.mark.parametrize("ddof", [0, 1])
def test_math_covariance_matches_numpy_cov(rng, ddof) -> None:
    X = rng.normal(size=(30, 4)) @ rng.normal(size=(4, 4))  # correlated columns
    np.testing.assert_allclose(m.covariance(X, ddof=ddof), np.cov(X, rowvar=False, ddof=ddof))


# --- bad input -----------------------------------------------------------------------

GEN = np.random.default_rng(0)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: m.dot([1, 2], [1, 2, 3]), ValueError, "differ in length"),
        (lambda: m.dot([[1, 2]], [1, 2]), ValueError, "1-D vector"),
        (lambda: m.dot(["a"], ["b"]), TypeError, "real numbers"),
        (lambda: m.norm([1, 2], p=0.5), ValueError, "at least 1"),
        (lambda: m.cosine_similarity([1, 2], [1, 2, 3]), ValueError, "same length"),
        (lambda: m.project([1, 2], [0, 0]), ValueError, "zero vector"),
        (
            lambda: m.numerical_gradient(lambda v: v * 2, [1.0, 2.0]),
            ValueError,
            "numerical_jacobian",
        ),
        (lambda: m.numerical_gradient(np.sum, [1.0], eps=0), ValueError, "positive step"),
        (lambda: m.sample_categorical([0.5, 0.6], 3, GEN), ValueError, "normalise"),
        (lambda: m.sample_categorical([1.5, -0.5], 3, GEN), ValueError, "non-negative"),
        (lambda: m.sample_categorical([[0.5, 0.5]], 3, GEN), ValueError, "1-D"),
        (lambda: m.sample_categorical([0.5, 0.5], 3, 42), TypeError, "default_rng"),
        (lambda: m.variance([], ddof=0), ValueError, "empty"),
        (lambda: m.variance([1.0], ddof=1), ValueError, "ddof"),
        (lambda: m.covariance([1.0, 2.0, 3.0]), ValueError, r"x\[:, None\]"),
    ],
)
def test_math_bad_input_raises_a_clear_error(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()
