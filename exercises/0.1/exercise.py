"""Exercise 0.1: four tools of ML math, written with NumPy.

Fill in the four functions below, replacing each ``raise NotImplementedError(...)``.
Use NumPy only; the point is to write the formulas yourself. ``journey check`` refuses a
file that uses ``nlpjourney`` (the model answer), SciPy, scikit-learn or torch. Then run
``journey check 0.1``: every check names what it tests and, when it fails, gives a hint
(``--hint`` shows more); the checks draw fresh inputs on every run.

1. ``softmax``: turn scores into probabilities, without overflowing on big scores.
2. ``logsumexp``: ``log(sum(exp(x)))``, also without overflow.
3. ``numerical_gradient``: estimate a gradient by central differences.
4. ``cosine_similarity``: the cosine of the angle between vectors, one pair or many.

The lesson ``lessons/0.1-math-for-ml.py`` builds each of these ideas step by step.
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (yours to use)


def softmax(x, axis=-1):
    """Return ``exp(x) / sum(exp(x))`` along ``axis``, the same shape as ``x``.

    Subtract the maximum along ``axis`` (``keepdims=True``) before calling ``np.exp``:
    the answer does not change, but ``np.exp(1000.0)`` would overflow to ``inf``.
    Every slice along ``axis`` of the result must sum to 1.

    Example: ``softmax(np.array([1.0, 2.0, 3.0]))`` is about ``[0.090, 0.245, 0.665]``.
    """
    raise NotImplementedError("write softmax: subtract the max, exponentiate, divide by the sum")


def logsumexp(x, axis=None, keepdims=False):
    """Return ``log(sum(exp(x)))`` over ``axis`` (None: over every entry).

    Use ``m + log(sum(exp(x - m)))`` with ``m`` the maximum, so ``x = [1000., 1000.]`` gives
    ``1000 + log(2)`` instead of ``inf``. With ``keepdims=True`` keep the reduced axes
    with length 1 (as ``np.sum(..., keepdims=True)`` does). A slice whose entries are all
    ``-inf`` gives ``-inf`` (every exponential is 0), not nan.

    Example: ``logsumexp(np.array([[0.0, 0.0], [1.0, 1.0]]), axis=1)`` is
    ``[log 2, 1 + log 2]``.
    """
    raise NotImplementedError("write logsumexp: factor out the max before exponentiating")


def numerical_gradient(f, x, eps=1e-6):
    """Return the gradient of the scalar function ``f`` at ``x`` by central differences.

    For each entry ``i`` of ``x`` (any shape), nudge only that entry up by ``eps`` and
    down by ``eps`` and set ``grad[i] = (f(x_up) - f(x_down)) / (2 * eps)``. Work on a
    float64 copy of ``x``: the caller's array must come back unchanged, and the result
    has the shape of ``x``. (``np.ndindex(x.shape)`` visits every index of any shape.)

    Example: for ``f = lambda v: np.sum(v ** 2)`` at ``[1.0, 2.0]`` the result is about
    ``[2.0, 4.0]``.
    """
    raise NotImplementedError("write numerical_gradient: (f(x + eps) - f(x - eps)) / (2 eps)")


def cosine_similarity(a, b):
    """Return ``a . b / (|a| |b|)``, the cosine of the angle between ``a`` and ``b``.

    Two 1-D vectors give one float. Two 2-D arrays, shape (n, d) and (m, d), hold one
    vector per row; return the (n, m) array of every row of ``a`` against every row of
    ``b`` (normalise the rows to length 1, then one matrix product does it). A zero
    vector has similarity 0 with everything (not nan), and the result never leaves
    [-1, 1], even where rounding would push it a hair past (clip it).

    Example: ``cosine_similarity(np.array([1.0, 0.0]), np.array([3.0, 3.0]))`` is
    ``0.7071...``, the cosine of 45 degrees.
    """
    raise NotImplementedError("write cosine_similarity: dot product over the product of norms")
