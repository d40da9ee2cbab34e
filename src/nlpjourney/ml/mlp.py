"""Neural networks by hand: Rosenblatt's perceptron and a multilayer perceptron with backprop.

Two classifiers in plain NumPy, the library form of lesson 0.3:

- :class:`Perceptron`: one linear unit with a step output, trained by Rosenblatt's rule
  (on a mistake, add ``lr * y * x`` to the weights). It finds a separating hyperplane
  whenever one exists (Novikoff's theorem) and never stops looking when none does: the
  limit that the hidden layers of an MLP remove.
- :class:`MLP`: affine layers with ReLU, tanh or sigmoid between them, a softmax
  cross-entropy loss on the output, and the backward pass written out layer by layer
  (:meth:`MLP.backward` returns the gradients as arrays, one per weight and bias),
  trained by minibatch SGD with momentum.

Shapes: ``X`` is ``(n, d)``; a layer computes ``h @ W + b`` with ``W`` of shape
``(fan_in, fan_out)`` (the transpose of ``torch.nn.Linear.weight``).

Reference: ``torch.autograd`` (the gradients of the same network and loss, checked in
float64) and finite differences (:func:`nlpjourney.ml.math.numerical_gradient`) for
:class:`MLP`; ``sklearn.linear_model.Perceptron`` (``shuffle=False, eta0=1``) for
:class:`Perceptron`.

Simplifications: dense layers only, no dropout or batch norm; the optimizer inside
:meth:`MLP.fit` is SGD with momentum (:mod:`nlpjourney.optim` has the general ones);
the perceptron is binary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nlpjourney.ml.math import log_softmax, softmax

FloatArray = NDArray[np.floating]


# --- activations: each with its derivative, written in terms of the output ----------


def relu(z: FloatArray) -> FloatArray:
    """``max(0, z)`` elementwise."""
    return np.maximum(z, 0)


def sigmoid(z: FloatArray) -> FloatArray:
    """``1 / (1 + exp(-z))`` elementwise, without overflow for large ``|z|``."""
    # subtle: exp(-z) overflows for z < -709; 0.5 (1 + tanh(z / 2)) is the same function
    # and stays finite everywhere.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# Each activation's derivative is expressed through its *output* a = f(z): the backward
# pass then needs only the layer outputs it already kept.
ACTIVATIONS: dict[
    str, tuple[Callable[[FloatArray], FloatArray], Callable[[FloatArray], FloatArray]]
] = {
    "relu": (relu, lambda a: (a > 0).astype(a.dtype)),
    "tanh": (np.tanh, lambda a: 1.0 - a * a),
    "sigmoid": (sigmoid, lambda a: a * (1.0 - a)),
}


def cross_entropy(logits: FloatArray, y: NDArray[np.integer]) -> float:
    """The mean softmax cross-entropy ``-log softmax(logits)[i, y_i]`` over the rows.

    Shapes: ``logits`` (n, C), ``y`` (n,) class indices in ``[0, C)``.
    """
    return float(-log_softmax(logits, axis=1)[np.arange(len(y)), y].mean())


@dataclass
class ForwardCache:
    """What the forward pass keeps for the backward pass.

    Attributes:
        inputs: the input of each layer: ``X``, then each hidden layer's activations.
        logits: the output layer's pre-softmax scores, shape (n, C).
    """

    inputs: list[FloatArray]
    logits: FloatArray


def _as_features(X: ArrayLike, n_features: int | None = None) -> FloatArray:
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold real numbers, got dtype {X.dtype}")
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(
            f"X must be a non-empty 2-D array (samples, features), got shape {X.shape}"
        )
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"X has {X.shape[1]} features, but the model expects {n_features}")
    return X if X.dtype.kind == "f" else X.astype(np.float64)


class MLP:
    """A multilayer perceptron classifier with a hand-written backward pass.

    The weights are drawn at construction (He initialization for ReLU, LeCun for tanh
    and sigmoid), so :meth:`forward` and :meth:`backward` work before any training;
    :meth:`fit` continues from the current weights.

    Args:
        layer_sizes: ``[n_features, hidden_1, ..., n_classes]``, at least two sizes.
        activation: ``"relu"``, ``"tanh"`` or ``"sigmoid"``, between hidden layers.
        seed: seeds the initial weights.
        dtype: the floating type of the weights.

    Attributes:
        weights: one ``(fan_in, fan_out)`` array per layer.
        biases: one ``(fan_out,)`` array per layer.
        history_: the mean training loss of each epoch, after :meth:`fit`.

    Example:
        >>> net = MLP([4, 8, 3], seed=0)
        >>> X, y = np.ones((5, 4)), np.array([0, 1, 2, 1, 0])
        >>> cache = net.forward(X)
        >>> grad_w, grad_b = net.backward(cache, y)
        >>> [g.shape for g in grad_w]
        [(4, 8), (8, 3)]
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str = "relu",
        seed: int = 0,
        dtype: type[np.floating] = np.float64,
    ) -> None:
        sizes = list(layer_sizes)
        if len(sizes) < 2 or not all(isinstance(s, int | np.integer) and s > 0 for s in sizes):
            raise ValueError(
                f"layer_sizes must be at least two positive ints [inputs, ..., classes], got {sizes}"
            )
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}"
            )
        self.layer_sizes = sizes
        self.activation = activation
        self.seed = seed
        rng = np.random.default_rng(seed)
        # ReLU zeroes half its inputs, so it needs twice the variance to keep the signal's
        # scale from layer to layer (He et al., 2015); tanh and sigmoid take 1 / fan_in.
        gain = 2.0 if activation == "relu" else 1.0
        self.weights = [
            (rng.standard_normal((fan_in, fan_out)) * np.sqrt(gain / fan_in)).astype(dtype)
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        self.biases = [np.zeros(fan_out, dtype=dtype) for fan_out in sizes[1:]]
        self.history_: list[float] = []

    def forward(self, X: ArrayLike) -> ForwardCache:
        """Runs the network; returns the logits and the layer inputs backward needs.

        Shapes: ``X`` (n, d) -> ``logits`` (n, C).
        """
        h = _as_features(X, self.layer_sizes[0])
        act = ACTIVATIONS[self.activation][0]
        inputs = [h]
        last = len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = h @ W + b  # (n, fan_out)
            if i == last:
                return ForwardCache(inputs, z)
            h = act(z)
            inputs.append(h)
        raise AssertionError("unreachable: an MLP has at least one layer")

    def backward(
        self, cache: ForwardCache, y: ArrayLike
    ) -> tuple[list[FloatArray], list[FloatArray]]:
        """The gradients of the mean cross-entropy with respect to every weight and bias.

        Args:
            cache: what :meth:`forward` returned for the batch.
            y: the batch's class indices, shape (n,).

        Returns:
            ``(grad_weights, grad_biases)``, shaped like :attr:`weights` and :attr:`biases`.
        """
        y = self._check_labels(y, len(cache.logits))
        n = len(y)
        derivative = ACTIVATIONS[self.activation][1]
        # d(mean CE)/d(logits) = (softmax - onehot) / n: the softmax and the log cancel
        # into this one line, which is why the two are always fused into one loss.
        delta = softmax(cache.logits, axis=1)
        delta[np.arange(n), y] -= 1.0
        delta /= n  # (n, C)
        grad_w: list[FloatArray] = [np.empty(0)] * len(self.weights)
        grad_b: list[FloatArray] = [np.empty(0)] * len(self.weights)
        for i in reversed(range(len(self.weights))):
            grad_w[i] = cache.inputs[i].T @ delta  # (fan_in, fan_out)
            grad_b[i] = delta.sum(axis=0)  # (fan_out,)
            if i > 0:
                # Back through the affine map, then through the activation that made
                # this layer's input: the chain rule, one factor per step.
                delta = (delta @ self.weights[i].T) * derivative(cache.inputs[i])
        return grad_w, grad_b

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """The mean softmax cross-entropy of the network on ``(X, y)``."""
        cache = self.forward(X)
        return cross_entropy(cache.logits, self._check_labels(y, len(cache.logits)))

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        epochs: int = 30,
        lr: float = 0.1,
        batch_size: int = 32,
        seed: int = 0,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
    ) -> MLP:
        """Trains by minibatch SGD with momentum, from the current weights.

        Args:
            X: training features, shape (n, d).
            y: class indices, shape (n,), in ``[0, n_classes)``.
            epochs: passes over the data.
            lr: the learning rate.
            batch_size: samples per gradient step (the last batch may be smaller).
            seed: seeds the order of the samples in each epoch.
            momentum: the momentum factor (0: plain SGD), as in ``torch.optim.SGD``.
            weight_decay: L2 penalty on the weights (not the biases).

        Returns:
            ``self``; the mean loss of each epoch is appended to :attr:`history_`.
        """
        X = _as_features(X, self.layer_sizes[0])
        y = self._check_labels(y, len(X))
        if epochs < 0 or batch_size < 1 or not lr > 0 or not 0 <= momentum < 1:
            raise ValueError(
                "need epochs >= 0, batch_size >= 1, lr > 0 and 0 <= momentum < 1; got "
                f"epochs={epochs}, batch_size={batch_size}, lr={lr}, momentum={momentum}"
            )
        rng = np.random.default_rng(seed)
        params = [*self.weights, *self.biases]
        velocity = [np.zeros_like(p) for p in params]
        for _ in range(epochs):
            order = rng.permutation(len(X))
            total = 0.0
            for start in range(0, len(X), batch_size):
                batch = order[start : start + batch_size]
                cache = self.forward(X[batch])
                total += cross_entropy(cache.logits, y[batch]) * len(batch)
                grad_w, grad_b = self.backward(cache, y[batch])
                if weight_decay:
                    grad_w = [
                        g + weight_decay * W for g, W in zip(grad_w, self.weights, strict=True)
                    ]
                for p, v, g in zip(params, velocity, [*grad_w, *grad_b], strict=True):
                    v *= momentum
                    v += g
                    p -= lr * v  # in place: self.weights and self.biases see it
            self.history_.append(total / len(X))
        return self

    def predict_proba(self, X: ArrayLike) -> FloatArray:
        """Class probabilities, shape (n, C); each row sums to 1."""
        return softmax(self.forward(X).logits, axis=1)

    def predict(self, X: ArrayLike) -> NDArray[np.intp]:
        """The most probable class of each row, shape (n,)."""
        return np.argmax(self.forward(X).logits, axis=1)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy: the fraction of rows whose predicted class is ``y``."""
        X = _as_features(X, self.layer_sizes[0])
        return float(np.mean(self.predict(X) == self._check_labels(y, len(X))))

    def _check_labels(self, y: ArrayLike, n: int) -> NDArray[np.intp]:
        y = np.asarray(y)
        if y.shape != (n,):
            raise ValueError(f"y must have one label per row of X, shape ({n},), got {y.shape}")
        if y.dtype.kind not in "iu":
            raise TypeError(f"y must hold integer class indices, got dtype {y.dtype}")
        n_classes = self.layer_sizes[-1]
        if n and (y.min() < 0 or y.max() >= n_classes):
            raise ValueError(
                f"labels must be class indices in [0, {n_classes}), got {y.min()}..{y.max()}"
            )
        return y.astype(np.intp)


class Perceptron:
    """Rosenblatt's perceptron: a linear binary classifier trained by its mistakes.

    For each sample in turn, if ``y * (w . x + b) <= 0`` (a mistake, ``y`` in {-1, +1})
    it adds ``lr * y * x`` to ``w`` and ``lr * y`` to ``b``. Training stops after the
    first epoch without a mistake, or after ``epochs``.

    Attributes (after :meth:`fit`):
        classes_: the two labels, sorted; the second is the positive class.
        coef_: the weights ``w``, shape (d,).
        intercept_: the bias ``b``.
        mistakes_: the number of mistakes in each epoch.
        converged_: whether an epoch ended without a mistake (the data were separated).
    """

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        epochs: int = 100,
        lr: float = 1.0,
        seed: int | None = None,
    ) -> Perceptron:
        """Runs the perceptron rule until an epoch makes no mistake, or ``epochs`` times.

        Args:
            X: features, shape (n, d).
            y: labels with exactly two distinct values, shape (n,).
            epochs: the most passes over the data.
            lr: the step size; with zero initial weights it only scales ``w`` and ``b``.
            seed: ``None`` visits the samples in order (as the classic algorithm and
                scikit-learn's ``shuffle=False``); an int shuffles every epoch.

        Returns:
            ``self``.
        """
        X = _as_features(X)
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(
                f"y must have one label per row of X, shape ({len(X)},), got {y.shape}"
            )
        classes = np.unique(y)
        if len(classes) != 2:
            raise ValueError(
                f"a perceptron separates exactly two classes, got {len(classes)}: {classes[:5]}"
            )
        if not lr > 0 or epochs < 1:
            raise ValueError(f"need lr > 0 and epochs >= 1, got lr={lr}, epochs={epochs}")
        signs = np.where(y == classes[1], 1.0, -1.0)
        w, b = np.zeros(X.shape[1]), 0.0
        rng = np.random.default_rng(seed) if seed is not None else None
        self.mistakes_: list[int] = []
        self.converged_ = False
        for _ in range(epochs):
            order = rng.permutation(len(X)) if rng is not None else range(len(X))
            mistakes = 0
            for i in order:
                # subtle: <= 0, not < 0: a point on the boundary is a mistake, or the
                # all-zero start would count every sample as correct and never move.
                if signs[i] * (X[i] @ w + b) <= 0:
                    w += lr * signs[i] * X[i]
                    b += lr * signs[i]
                    mistakes += 1
            self.mistakes_.append(mistakes)
            if mistakes == 0:
                self.converged_ = True
                break
        self.classes_, self.coef_, self.intercept_ = classes, w, b
        return self

    def decision_function(self, X: ArrayLike) -> FloatArray:
        """The signed score ``X @ w + b``; positive means the second class."""
        self._check_fitted()
        return _as_features(X, len(self.coef_)) @ self.coef_ + self.intercept_

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The label of each row: ``classes_[1]`` where the score is positive."""
        return np.where(self.decision_function(X) > 0, self.classes_[1], self.classes_[0])

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ValueError("this Perceptron is not fitted yet; call fit(X, y) first")
