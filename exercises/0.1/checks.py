"""Checks for exercise 0.1, run by ``journey check 0.1``.

Each check calls the learner's function through the ``ex`` fixture and compares it with
a value computed here, from NumPy and SciPy directly. With ``--exercise reference`` the
same checks grade the library, ``nlpjourney.ml.math``.
"""

from __future__ import annotations

import numpy as np
import scipy.special

REFERENCE = "nlpjourney.ml.math"


def test_softmax_values(ex) -> None:
    """softmax turns each row of scores into probabilities.

    Hint: divide np.exp(x) by its sum along axis, with keepdims=True so the shapes line up.
    """
    x = np.random.default_rng(1).normal(size=(4, 7)) * 3
    expected = np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)
    result = np.asarray(ex.softmax(x))
    assert result.shape == x.shape, f"expected shape {x.shape}, got {result.shape}"
    np.testing.assert_allclose(result, expected, rtol=1e-9)


def test_softmax_extreme_scores(ex) -> None:
    """softmax stays finite on scores like 1000 and -1000.

    Hint: np.exp(1000.0) is inf. Subtract x.max(axis=axis, keepdims=True) first: the
    softmax is unchanged, and every exponent is then at most 0.
    """
    x = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]])
    with np.errstate(all="ignore"):  # a naive version overflows; let the assert say so
        result = np.asarray(ex.softmax(x))
    expected = scipy.special.softmax(np.array([0.0, 1.0, 2.0]))
    assert np.all(np.isfinite(result)), f"got non-finite values: {result}"
    np.testing.assert_allclose(result[0], expected, rtol=1e-9)
    np.testing.assert_allclose(result[1], expected[::-1], rtol=1e-9)


def test_softmax_axis(ex) -> None:
    """softmax normalises along the axis it is given.

    Hint: pass axis to both the max and the sum, e.g. x.sum(axis=axis, keepdims=True).
    """
    x = np.random.default_rng(2).normal(size=(3, 5))
    result = np.asarray(ex.softmax(x, axis=0))
    np.testing.assert_allclose(result, np.exp(x) / np.exp(x).sum(axis=0), rtol=1e-9)


def test_logsumexp_values(ex) -> None:
    """logsumexp equals log(sum(exp(x))), over everything and along one axis.

    Hint: with axis=None reduce over every entry (np.max(x) and np.sum(...) do by default);
    otherwise reduce along axis only.
    """
    x = np.random.default_rng(3).normal(size=(4, 6))
    np.testing.assert_allclose(ex.logsumexp(x), np.log(np.exp(x).sum()), rtol=1e-9)
    np.testing.assert_allclose(ex.logsumexp(x, axis=1), np.log(np.exp(x).sum(axis=1)), rtol=1e-9)


def test_logsumexp_extreme_and_keepdims(ex) -> None:
    """logsumexp stays finite on large scores and honours keepdims.

    Hint: take m = x.max(axis=axis, keepdims=True), return m + log(sum(exp(x - m))) and
    drop the kept axis afterwards unless keepdims is True.
    """
    x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0]])
    with np.errstate(all="ignore"):
        result = np.asarray(ex.logsumexp(x, axis=1))
        kept = np.asarray(ex.logsumexp(x, axis=1, keepdims=True))
    np.testing.assert_allclose(result, [1000 + np.log(2), -1000 + np.log(2)], rtol=1e-12)
    assert kept.shape == (2, 1), f"keepdims=True should give shape (2, 1), got {kept.shape}"


def test_numerical_gradient_accuracy(ex) -> None:
    """numerical_gradient is accurate to about 1e-6 on a curved function of a matrix.

    Hint: use central differences, (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), one
    entry i at a time, and return an array shaped like x.
    """
    x = np.random.default_rng(4).normal(size=(2, 3))

    def f(v):
        return np.sum(v**3) + np.sum(np.sin(v))

    grad = np.asarray(ex.numerical_gradient(f, x))
    assert grad.shape == x.shape, f"expected shape {x.shape}, got {grad.shape}"
    np.testing.assert_allclose(grad, 3 * x**2 + np.cos(x), atol=1e-6)


def test_numerical_gradient_leaves_input_alone(ex) -> None:
    """numerical_gradient leaves the caller's x unchanged, even integer arrays.

    Hint: start from point = np.array(x, dtype=float) (a copy), and put each entry back
    after nudging it. An integer array cannot hold x + eps.
    """
    x = np.array([1, 2, 3])
    before = x.copy()
    grad = np.asarray(ex.numerical_gradient(lambda v: np.sum(v**2), x))
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(grad, [2.0, 4.0, 6.0], atol=1e-6)


def test_cosine_similarity_vectors(ex) -> None:
    """cosine_similarity of two vectors: 1 for the same direction, 0 at right angles, -1 opposite.

    Hint: np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)); the length of a vector
    must not matter.
    """
    a = np.array([1.0, 2.0, 2.0])
    assert np.isclose(ex.cosine_similarity(a, 10 * a), 1.0)
    assert np.isclose(ex.cosine_similarity(a, np.array([2.0, -1.0, 0.0])), 0.0)
    assert np.isclose(ex.cosine_similarity(a, -a), -1.0)
    b = np.array([3.0, 0.0, 4.0])
    assert np.isclose(ex.cosine_similarity(a, b), 11 / 15)


def test_cosine_similarity_matrices(ex) -> None:
    """cosine_similarity of an (n, d) and an (m, d) array is the (n, m) table of all pairs.

    Hint: divide each row by its norm (np.linalg.norm(A, axis=1, keepdims=True)), then
    A_unit @ B_unit.T.
    """
    rng = np.random.default_rng(5)
    A, B = rng.normal(size=(4, 3)), rng.normal(size=(2, 3))
    expected = [[np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b) for b in B] for a in A]
    result = np.asarray(ex.cosine_similarity(A, B))
    assert result.shape == (4, 2), f"expected shape (4, 2), got {result.shape}"
    np.testing.assert_allclose(result, expected, rtol=1e-9)
