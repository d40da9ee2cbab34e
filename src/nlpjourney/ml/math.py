"""The math under machine learning, in NumPy: vectors, derivatives, softmax, sampling, moments.

Four groups of small functions, each the one later topics reach for:

- vectors: :func:`dot`, :func:`norm`, :func:`cosine_similarity`, :func:`project`;
- derivatives by finite differences: :func:`numerical_gradient`, :func:`numerical_jacobian`,
  the tools every hand-written backward pass in this project is checked with;
- numerically stable exponentials: :func:`logsumexp`, :func:`softmax`, :func:`log_softmax`,
  finite on logits like ``1e4`` and ``-1e4`` where the textbook formulas overflow;
- probability: :func:`sample_categorical` (inverse CDF), :func:`variance`,
  :func:`skewness`, :func:`kurtosis` and :func:`covariance`.

Reference: NumPy (``numpy.dot``, ``numpy.linalg.norm``, ``numpy.cov``, ``numpy.var``),
``scipy.special.softmax``, ``scipy.special.logsumexp`` and ``scipy.special.log_softmax``,
``scipy.stats.skew`` and ``scipy.stats.kurtosis`` (their default, biased forms), and
``sklearn.metrics.pairwise.cosine_similarity``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.floating]


def _as_float_array(x: ArrayLike, name: str) -> FloatArray:
    """``x`` as a float array: float dtypes are kept, integers and booleans become float64."""
    array = np.asarray(x)
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array


def _as_vector(x: ArrayLike, name: str) -> FloatArray:
    array = _as_float_array(x, name)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D vector, got shape {array.shape}")
    return array


def _same_length(a: FloatArray, b: FloatArray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"the vectors differ in length: {a.shape[0]} and {b.shape[0]}")


# --- vectors -------------------------------------------------------------------------


def dot(a: ArrayLike, b: ArrayLike) -> float:
    """The dot product ``sum_i a[i] * b[i]`` of two vectors of the same length.

    Example: ``dot([1, 2, 3], [4, 5, 6]) == 32.0``.
    """
    a, b = _as_vector(a, "a"), _as_vector(b, "b")
    _same_length(a, b)
    return float(np.dot(a, b))


def norm(x: ArrayLike, p: float = 2) -> float:
    """The p-norm ``(sum_i |x[i]|**p) ** (1/p)`` of a vector; ``p=np.inf`` gives ``max |x[i]|``.

    Args:
        x: the vector.
        p: the order, at least 1 (below 1 the triangle inequality fails, so it is no norm).

    Example: for ``x = [3, -4]`` the 2-norm is 5.0, the 1-norm 7.0, the inf-norm 4.0.
    """
    x = _as_vector(x, "x")
    if not p >= 1:  # also rejects nan
        raise ValueError(f"p must be at least 1 (or np.inf), got {p}")
    magnitudes = np.abs(x)
    largest = magnitudes.max()
    if p == np.inf or largest == 0 or not np.isfinite(largest):
        return float(largest)
    # subtle: divide by the largest entry first. |x|**p overflows for entries as small as
    # 1e155 when p=2, although the norm itself is perfectly representable.
    scaled = magnitudes / largest
    return float(largest * np.sum(scaled**p) ** (1 / p))


def cosine_similarity(a: ArrayLike, b: ArrayLike) -> float | FloatArray:
    """The cosine of the angle between vectors: ``a . b / (|a| |b|)``, in ``[-1, 1]``.

    Args:
        a: one vector, shape (d,), or one vector per row, shape (n, d).
        b: likewise, shape (d,) or (m, d).

    Returns:
        A float when both are vectors; otherwise every pairing of a row of ``a`` with a row
        of ``b``: shape (n, m) for two matrices, (m,) or (n,) when one side is a vector.
        A zero vector has similarity 0 with everything, as in scikit-learn.

    Example: ``cosine_similarity([1, 0], [[2, 0], [0, 3], [-1, 0]])`` is ``[1., 0., -1.]``.
    """
    a, b = _as_float_array(a, "a"), _as_float_array(b, "b")
    if a.ndim not in (1, 2) or b.ndim not in (1, 2):
        raise ValueError(f"a and b must be 1-D or 2-D, got shapes {a.shape} and {b.shape}")
    rows_a, rows_b = np.atleast_2d(a), np.atleast_2d(b)
    if rows_a.shape[1] != rows_b.shape[1]:
        raise ValueError(
            f"a has {rows_a.shape[1]} features but b has {rows_b.shape[1]}; "
            "cosine similarity compares vectors of the same length"
        )
    # subtle: a zero vector has no direction. Dividing it by 1 instead of by its norm 0
    # keeps it zero, so its similarity is 0 rather than nan.
    norms_a = np.linalg.norm(rows_a, axis=1, keepdims=True)
    norms_b = np.linalg.norm(rows_b, axis=1, keepdims=True)
    unit_a = rows_a / np.where(norms_a == 0, 1, norms_a)
    unit_b = rows_b / np.where(norms_b == 0, 1, norms_b)
    # Rounding can push a cosine a hair past 1; clip so arccos and friends stay defined.
    similarity = np.clip(unit_a @ unit_b.T, -1.0, 1.0)  # (n, m)
    if a.ndim == 1 and b.ndim == 1:
        return float(similarity[0, 0])
    if a.ndim == 1:
        return similarity[0]
    if b.ndim == 1:
        return similarity[:, 0]
    return similarity


def project(a: ArrayLike, onto: ArrayLike) -> FloatArray:
    """The vector projection of ``a`` onto ``onto``: ``(a . onto / onto . onto) * onto``.

    It is the multiple of ``onto`` closest to ``a``; ``a - project(a, onto)`` is orthogonal
    to ``onto``. Example: ``project([2, 3], onto=[1, 0])`` is ``[2., 0.]``.
    """
    a, onto = _as_vector(a, "a"), _as_vector(onto, "onto")
    _same_length(a, onto)
    length_squared = np.dot(onto, onto)
    if length_squared == 0:
        raise ValueError("cannot project onto the zero vector: it spans no direction")
    return (np.dot(a, onto) / length_squared) * onto


# --- derivatives ---------------------------------------------------------------------


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: ArrayLike, eps: float = 1e-6
) -> NDArray[np.float64]:
    """The gradient of a scalar function by central differences.

    Each entry is ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``, whose error shrinks like
    ``eps**2`` (a one-sided difference only shrinks like ``eps``). Costs ``2 * x.size`` calls.

    Args:
        f: a function of an array shaped like ``x`` that returns one number.
        x: where to take the gradient; any shape. It is not modified.
        eps: the step. Too large and curvature biases the estimate; too small and
            rounding in ``f`` dominates. ``1e-6`` suits float64 inputs of size about 1.

    Returns:
        float64 array, shape of ``x``: ``grad[i] ~= df/dx[i]``.

    Example: for ``f = lambda v: (v**2).sum()``, ``numerical_gradient(f, [1., 2.])`` is
    about ``[2., 4.]``.
    """

    def scalar_f(point: np.ndarray) -> np.ndarray:
        value = np.asarray(f(point), dtype=np.float64)
        if value.size != 1:
            raise ValueError(
                f"f must return a single number, got shape {value.shape}; "
                "for a vector-valued f use numerical_jacobian"
            )
        return value.reshape(())

    # A gradient is the Jacobian of a function with one output: shape () + x.shape.
    return numerical_jacobian(scalar_f, x, eps)


def numerical_jacobian(
    f: Callable[[np.ndarray], ArrayLike], x: ArrayLike, eps: float = 1e-6
) -> NDArray[np.float64]:
    """The Jacobian of an array-valued function by central differences.

    Args:
        f: a function of an array shaped like ``x``, returning an array of any shape.
        x: where to take the derivatives; any shape. It is not modified.
        eps: the step, as for :func:`numerical_gradient`.

    Returns:
        float64 array, shape ``f(x).shape + x.shape``: ``jac[j..., i...] ~= df[j...]/dx[i...]``.
        So for ``f: R^n -> R^m`` it is the familiar (m, n) matrix.

    Example: for ``f = lambda v: A @ v`` the result is about ``A``.
    """
    if not eps > 0:
        raise ValueError(f"eps must be a positive step, got {eps}")
    # subtle: work on a float64 copy. An integer x would round x + eps back to x, and
    # float32 rounding would swamp a 1e-6 step.
    point = np.array(x, dtype=np.float64)
    out_shape = np.shape(f(point))
    columns = np.empty((point.size, *out_shape))  # one row per input coordinate
    flat_point = point.reshape(-1)  # a view: writing to it moves point
    for i in range(flat_point.size):
        original = flat_point[i]
        flat_point[i] = original + eps
        above = np.asarray(f(point), dtype=np.float64)
        flat_point[i] = original - eps
        below = np.asarray(f(point), dtype=np.float64)
        flat_point[i] = original  # restore before nudging the next coordinate
        columns[i] = (above - below) / (2 * eps)
    # (x.size, *out) -> (*out, x.size) -> (*out, *x.shape)
    return np.moveaxis(columns, 0, -1).reshape(*out_shape, *point.shape)


# --- stable exponentials -------------------------------------------------------------


def logsumexp(
    x: ArrayLike, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> FloatArray:
    """``log(sum(exp(x)))`` without overflow: ``m + log(sum(exp(x - m)))`` with ``m = max(x)``.

    Args:
        x: any shape; ``-inf`` entries contribute nothing (``exp(-inf) = 0``).
        axis: the axis or axes to reduce; None reduces over everything.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against x.

    Returns:
        ``x`` reduced over ``axis``; ``-inf`` where every entry is ``-inf``.

    Example: ``logsumexp([1000., 1000.])`` is ``1000 + log 2 = 1000.693...``; the naive
    formula overflows to ``inf``.
    """
    x = _as_float_array(x, "x")
    peak = np.max(x, axis=axis, keepdims=True)
    # subtle: where the max is -inf (every entry -inf) or +inf, shifting by it would give
    # -inf - -inf = nan. Shift by 0 there instead: the sum of exps is then 0 or inf and the
    # log comes out -inf or inf, the right answers.
    peak = np.where(np.isfinite(peak), peak, 0)
    with np.errstate(divide="ignore"):  # log(0) = -inf is the intended answer
        out = np.log(np.sum(np.exp(x - peak), axis=axis, keepdims=True)) + peak
    out = out if keepdims else np.squeeze(out, axis=axis)
    return out[()]  # a full reduction gives a NumPy scalar, not a 0-d array, as in SciPy


def softmax(x: ArrayLike, axis: int = -1) -> FloatArray:
    """``exp(x) / sum(exp(x))`` along ``axis``, computed after subtracting the max.

    Subtracting a constant from every logit leaves the softmax unchanged (it cancels
    between numerator and denominator) but keeps ``exp`` between 0 and 1, so logits like
    ``1e4`` no longer overflow to ``inf / inf = nan``.

    Args:
        x: logits, any shape. ``-inf`` entries get probability 0.
        axis: the axis that sums to one.

    Returns:
        Probabilities, shape and float dtype of ``x``. A slice that is all ``-inf`` has
        no distribution and comes out nan, as in SciPy.

    Example: ``softmax([1., 2., 3.])`` is ``[0.090, 0.245, 0.665]``, and so is
    ``softmax([10001., 10002., 10003.])``.
    """
    x = _as_float_array(x, "x")
    shifted = x - np.max(x, axis=axis, keepdims=True)  # <= 0, and exactly 0 at the max
    np.exp(shifted, out=shifted)  # in place: logits can be (batch, vocabulary)-sized
    shifted /= np.sum(shifted, axis=axis, keepdims=True)  # >= 1: the max adds exp(0) = 1
    return shifted


def log_softmax(x: ArrayLike, axis: int = -1) -> FloatArray:
    """``log(softmax(x))`` computed directly as ``x - logsumexp(x)``.

    Taking the log of a softmax loses tiny probabilities: ``softmax([0., -1000.])[1]``
    underflows to 0, whose log is ``-inf``; ``log_softmax`` returns the exact ``-1000``.
    Cross-entropy losses use this form.

    Args:
        x: logits, any shape.
        axis: the axis over which ``exp(result)`` sums to one.

    Returns:
        Log-probabilities, shape and float dtype of ``x``.
    """
    x = _as_float_array(x, "x")
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


# --- probability ---------------------------------------------------------------------


def sample_categorical(
    probs: ArrayLike, size: int | tuple[int, ...], rng: np.random.Generator
) -> NDArray[np.int64]:
    """Draw category indices ``0..K-1`` with the given probabilities, by inverse CDF.

    Lay the probabilities end to end on ``[0, 1)`` (the cumulative sums), throw a
    uniform number ``u``, and return the category whose interval it lands in: the first
    ``k`` with ``u < cdf[k]``.

    Args:
        probs: shape (K,), non-negative, summing to 1 within 1e-6.
        size: how many draws, or the shape of the result.
        rng: the random generator, e.g. ``np.random.default_rng(0)``; passing it in makes
            every draw reproducible.

    Returns:
        int64 array of shape ``size``, values in ``0..K-1``.

    Example: with ``probs = [0.2, 0.5, 0.3]`` the CDF is ``[0.2, 0.7, 1.0]``; ``u = 0.65``
    gives category 1.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}; "
            "make one with numpy.random.default_rng(seed)"
        )
    probs = _as_vector(probs, "probs")
    if not np.all(np.isfinite(probs)) or np.any(probs < 0):
        raise ValueError("probs must be finite and non-negative; got " + np.array2string(probs))
    total = probs.sum()
    if abs(total - 1) > 1e-6:
        raise ValueError(
            f"probs sum to {total:.6g}, not 1; normalise them with probs / probs.sum()"
        )
    cdf = np.cumsum(probs)
    u = rng.random(size) * cdf[-1]  # scale by the total, which rounding keeps off 1
    draws = np.searchsorted(cdf, u, side="right")
    # subtle: side="right" skips the empty interval of a zero-probability category, and in
    # the rare case rounding puts u at cdf[-1] itself, the index would run past the end;
    # the last category with positive probability owns that point.
    return np.minimum(draws, np.flatnonzero(probs)[-1]).astype(np.int64)


def _central_moment(x: FloatArray, order: int, axis: int | None) -> FloatArray:
    deviations = x - np.mean(x, axis=axis, keepdims=True)
    return np.mean(deviations**order, axis=axis)


def _as_sample(x: ArrayLike, axis: int | None) -> FloatArray:
    x = _as_float_array(x, "x")
    if (x.size if axis is None else x.shape[axis]) == 0:
        raise ValueError("the moments of an empty sample are undefined; pass at least one value")
    return x


def variance(x: ArrayLike, ddof: int = 0, axis: int | None = None) -> FloatArray:
    """The average squared deviation from the mean, ``sum((x - mean)**2) / (n - ddof)``.

    ``ddof=0`` (the default, as in ``numpy.var``) is the variance of the values
    themselves; ``ddof=1`` is the unbiased estimate of the variance of the population a
    sample came from.

    Args:
        x: the sample, any shape.
        ddof: "delta degrees of freedom", subtracted from the count ``n``.
        axis: the axis along which observations run; None uses every value.
    """
    x = _as_sample(x, axis)
    n = x.size if axis is None else x.shape[axis]
    if not 0 <= ddof < n:
        raise ValueError(f"ddof must be in [0, {n}) for a sample of {n} values, got {ddof}")
    return _central_moment(x, 2, axis) * n / (n - ddof)


def _standardized_moment(x: ArrayLike, order: int, axis: int | None) -> FloatArray:
    x = _as_sample(x, axis)
    m2 = _central_moment(x, 2, axis)
    scale = np.abs(np.mean(x, axis=axis))
    # subtle: a constant sample has no spread, but rounding in the mean can leave m2 a
    # tiny positive number and the ratio garbage. Treat spread below rounding as none: nan.
    flat = m2 <= (10 * np.finfo(x.dtype).eps * scale) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        out = _central_moment(x, order, axis) / m2 ** (order / 2)
    return np.where(flat, np.nan, out)[()]  # [()]: a NumPy scalar when axis is None


def skewness(x: ArrayLike, axis: int | None = None) -> FloatArray:
    """The skewness ``E[(x - mean)**3] / std**3``: 0 for symmetric data, > 0 for a long right tail.

    The plain (biased) sample estimate, as ``scipy.stats.skew`` computes by default;
    nan for a sample with no spread.
    """
    return _standardized_moment(x, 3, axis)


def kurtosis(x: ArrayLike, axis: int | None = None) -> FloatArray:
    """The excess kurtosis ``E[(x - mean)**4] / std**4 - 3``: 0 for a normal distribution.

    Positive means heavier tails than the normal, negative lighter (a uniform gives -1.2).
    The biased estimate, as ``scipy.stats.kurtosis`` computes by default; nan for a
    sample with no spread.
    """
    return _standardized_moment(x, 4, axis) - 3


def covariance(X: ArrayLike, ddof: int = 1) -> FloatArray:
    """The covariance matrix of the columns of ``X``, one observation per row.

    ``cov[i, j] = sum_k (X[k, i] - mean_i) (X[k, j] - mean_j) / (n - ddof)``; the diagonal
    holds each column's variance.

    Args:
        X: observations, shape (n, d): n rows, d variables.
        ddof: 1 (the default, as in ``numpy.cov``) for the unbiased estimate, 0 for the
            average over the rows.

    Returns:
        Shape (d, d), symmetric and positive semi-definite.
    """
    X = _as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(
            f"X must be 2-D with one observation per row, got shape {X.shape}; "
            "for a single variable pass x[:, None]"
        )
    n = X.shape[0]
    if not 0 <= ddof < n:
        raise ValueError(f"ddof must be in [0, {n}) for {n} observations, got {ddof}")
    centered = X - X.mean(axis=0)  # (n, d)
    return centered.T @ centered / (n - ddof)  # (d, d)
