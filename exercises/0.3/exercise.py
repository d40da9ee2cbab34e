"""Exercise 0.3: backprop for a two-layer network, by hand.

The network: ``logits = relu(X @ W1 + b1) @ W2 + b2``, trained with the softmax
cross-entropy averaged over the batch. Shapes: ``X`` (n, d), ``W1`` (d, H), ``b1`` (H,),
``W2`` (H, C), ``b2`` (C,), ``y`` (n,) integer class indices.

Fill in the three functions below, replacing each ``raise NotImplementedError(...)``.
Use NumPy only: ``journey check`` refuses a file that uses ``nlpjourney`` (the model
answer), torch, SciPy or scikit-learn. Then run ``journey check 0.3``: the checks compare
your numbers with a worked example, with finite differences and with PyTorch's autograd,
on networks of random sizes drawn fresh each run, and each failing check gives a hint
(``--hint`` shows more).

1. ``softmax_cross_entropy``: the loss and its gradient with respect to the logits.
2. ``forward``: the logits, plus whatever ``backward`` will need (your choice).
3. ``backward``: the gradients of the loss with respect to ``W1``, ``b1``, ``W2``, ``b2``.

The lesson ``lessons/0.3-numpy-neural-network.py`` derives every formula on a 2-2-2
network with numbers before writing it in code.
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (yours to use)


def softmax_cross_entropy(logits, y):
    """Return ``(loss, dlogits)`` for the mean softmax cross-entropy of a batch.

    ``p = softmax(logits)`` row by row (subtract each row's max before ``np.exp``);
    ``loss`` is the mean over the rows of ``-log p[i, y[i]]``, a float; ``dlogits`` is
    ``(p - onehot(y)) / n``, the gradient of that mean, shape (n, C). For a stable loss,
    use ``log p = shifted - log(sum(exp(shifted)))`` instead of ``np.log(p)``.

    Example: ``softmax_cross_entropy(np.array([[0.0, 0.0]]), np.array([1]))`` is
    ``(0.6931..., [[0.5, -0.5]])``: two equal logits give p = [0.5, 0.5], loss log 2.
    """
    raise NotImplementedError("write softmax_cross_entropy: softmax, -log p[y], then p - onehot")


def forward(X, W1, b1, W2, b2):
    """Return ``(logits, cache)`` with ``logits = relu(X @ W1 + b1) @ W2 + b2``.

    ``cache`` is yours to design (a dict or a tuple): put in it everything ``backward``
    needs, and nothing else is read from it. ``logits`` has shape (n, C).

    Example: with ``X = [[1, 2]]``, ``W1 = [[1, 1], [0.5, -1]]``, ``b1 = [0, 0]``,
    ``W2 = [[1, 0.5], [-1, 2]]``, ``b2 = [-1, 0]``: the hidden pre-activations are
    ``[2, -1]``, the ReLU makes them ``[2, 0]``, and the logits are ``[[1, 1]]``.
    """
    raise NotImplementedError("write forward: z1 = X @ W1 + b1, h = relu(z1), h @ W2 + b2")


def backward(cache, y):
    """Return ``{"dW1": ..., "db1": ..., "dW2": ..., "db2": ...}`` for the mean loss.

    Each gradient has its parameter's shape. Going backward from the loss:

    - ``delta2 = dlogits`` from ``softmax_cross_entropy`` (already divided by n);
    - ``dW2 = h.T @ delta2`` and ``db2 = delta2`` summed over the rows;
    - ``dh = delta2 @ W2.T``, then ``delta1 = dh * (z1 > 0)`` (the ReLU's slope);
    - ``dW1 = X.T @ delta1`` and ``db1 = delta1`` summed over the rows.

    Example: for the network in ``forward``'s example and ``y = [0]``, ``dW2`` is
    ``[[-1, 1], [0, 0]]`` and ``dW1`` is ``[[-0.25, 0], [-0.5, 0]]``.
    """
    raise NotImplementedError("write backward: delta2 = p - onehot, then back through W2 and relu")
