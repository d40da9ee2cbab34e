"""Backprop for a two-layer network, written as three plain functions of arrays.

:class:`nlpjourney.ml.mlp.MLP` hides its weights inside an object and loops over any
number of layers. Here the smallest interesting case is spelled out with every weight
passed in by name, so each line of the backward pass can be read beside its formula
(the reference solution of exercise 0.3):

- :func:`softmax_cross_entropy`: the mean loss over the batch and its gradient with
  respect to the logits, ``(softmax(logits) - onehot(y)) / n``;
- :func:`forward`: ``logits = relu(X @ W1 + b1) @ W2 + b2``, plus what backward needs;
- :func:`backward`: the gradients of the mean loss with respect to ``W1, b1, W2, b2``.

    >>> X, y = np.array([[1.0, 2.0]]), np.array([0])
    >>> W1, b1 = np.array([[1.0, 1.0], [0.5, -1.0]]), np.zeros(2)
    >>> W2, b2 = np.array([[1.0, 0.5], [-1.0, 2.0]]), np.array([-1.0, 0.0])
    >>> logits, cache = forward(X, W1, b1, W2, b2)
    >>> logits
    array([[1., 1.]])
    >>> backward(cache, y)["dW1"]
    array([[-0.25,  0.  ],
           [-0.5 ,  0.  ]])

The activation and the loss come from :mod:`nlpjourney.ml.mlp` (:func:`relu`,
:func:`cross_entropy`) and the softmax from :mod:`nlpjourney.ml.math`, so this module
and the MLP compute the same function.

Reference: ``torch.autograd`` (the same network with ``torch.nn.functional.cross_entropy``
in float64) and :meth:`nlpjourney.ml.mlp.MLP.backward`; the exercise's checks also use
central finite differences.

Simplifications: one hidden layer, ReLU only, the loss always averaged over the batch.
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nlpjourney.ml.math import softmax
from nlpjourney.ml.mlp import cross_entropy, relu

__all__ = ["TwoLayerCache", "backward", "forward", "softmax_cross_entropy"]

FloatArray = NDArray[np.floating]


class TwoLayerCache(TypedDict):
    """What :func:`forward` keeps for :func:`backward`.

    ``X`` (n, d) the input, ``z1`` (n, H) the hidden pre-activations, ``h`` (n, H) their
    ReLU, ``W2`` (H, C) the output weights, ``logits`` (n, C).
    """

    X: FloatArray
    z1: FloatArray
    h: FloatArray
    W2: FloatArray
    logits: FloatArray


def _labels(y: ArrayLike, n: int, n_classes: int) -> NDArray[np.intp]:
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y must hold one class index per row, shape ({n},), got {y.shape}")
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class indices, got dtype {y.dtype}")
    if n and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must be in [0, {n_classes}), got {y.min()}..{y.max()}")
    return y.astype(np.intp)


def softmax_cross_entropy(logits: ArrayLike, y: ArrayLike) -> tuple[float, FloatArray]:
    """The mean softmax cross-entropy and its gradient with respect to the logits.

    Args:
        logits: the scores, shape (n, C).
        y: the class index of each row, shape (n,).

    Returns:
        ``(loss, dlogits)``: ``loss = mean_i -log softmax(logits_i)[y_i]`` and
        ``dlogits = (softmax(logits) - onehot(y)) / n``, shape (n, C).

    Example: ``softmax_cross_entropy([[0.0, 0.0]], [1])`` is
    ``(log 2, [[0.5, -0.5]])``.
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2 or logits.shape[0] == 0:
        raise ValueError(f"logits must be a non-empty (n, C) array, got shape {logits.shape}")
    n = len(logits)
    y = _labels(y, n, logits.shape[1])
    dlogits = softmax(logits, axis=1)  # (n, C), stable for large logits
    dlogits[np.arange(n), y] -= 1.0
    dlogits /= n  # the loss is a mean over the rows, so each row's share is 1/n
    return cross_entropy(logits, y), dlogits


def forward(
    X: ArrayLike, W1: ArrayLike, b1: ArrayLike, W2: ArrayLike, b2: ArrayLike
) -> tuple[FloatArray, TwoLayerCache]:
    """``logits = relu(X @ W1 + b1) @ W2 + b2``, and what :func:`backward` needs.

    Shapes: ``X`` (n, d), ``W1`` (d, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,) ->
    ``logits`` (n, C).

    Returns:
        ``(logits, cache)``; the cache is a :class:`TwoLayerCache`.
    """
    X, W1, b1, W2, b2 = (np.asarray(a, dtype=np.float64) for a in (X, W1, b1, W2, b2))
    if X.ndim != 2 or W1.ndim != 2 or W2.ndim != 2:
        raise ValueError(f"X, W1 and W2 must be 2-D, got shapes {X.shape}, {W1.shape}, {W2.shape}")
    if X.shape[1] != W1.shape[0] or W1.shape[1] != W2.shape[0]:
        raise ValueError(
            f"shapes do not chain: X {X.shape} @ W1 {W1.shape} @ W2 {W2.shape}; "
            "need X (n, d), W1 (d, H), W2 (H, C)"
        )
    if b1.shape != (W1.shape[1],) or b2.shape != (W2.shape[1],):
        raise ValueError(
            f"b1 must have shape ({W1.shape[1]},) and b2 ({W2.shape[1]},), "
            f"got {b1.shape} and {b2.shape}"
        )
    z1 = X @ W1 + b1  # (n, H)
    h = relu(z1)  # (n, H)
    logits = h @ W2 + b2  # (n, C)
    return logits, TwoLayerCache(X=X, z1=z1, h=h, W2=W2, logits=logits)


def backward(cache: TwoLayerCache, y: ArrayLike) -> dict[str, FloatArray]:
    """The gradients of the mean cross-entropy with respect to ``W1, b1, W2, b2``.

    Args:
        cache: the second value :func:`forward` returned.
        y: the class index of each row, shape (n,).

    Returns:
        ``{"dW1": (d, H), "db1": (H,), "dW2": (H, C), "db2": (C,)}``, each shaped like
        its parameter.
    """
    _, delta2 = softmax_cross_entropy(cache["logits"], y)  # (n, C), already / n
    dW2 = cache["h"].T @ delta2  # (H, C): a sum over the batch of outer products
    db2 = delta2.sum(axis=0)  # (C,)
    dh = delta2 @ cache["W2"].T  # (n, H): back through the output layer
    # subtle: the ReLU's derivative at exactly 0 is taken as 0, as torch does.
    delta1 = dh * (cache["z1"] > 0)  # (n, H): only the units that were on pass it back
    dW1 = cache["X"].T @ delta1  # (d, H)
    db1 = delta1.sum(axis=0)  # (H,)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
