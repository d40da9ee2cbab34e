"""Exercise 1.5: the skip-gram negative-sampling loss, its gradient, and one SGD step.

Skip-gram with negative sampling (SGNS) gives every word two vectors: an *input* vector
(a row of ``w_in``, used when the word is the centre) and an *output* vector (a row of
``w_out``, used when the word is predicted). For one pair, a centre word's input vector
``c``, the true context word's output vector ``o`` and ``K`` sampled negatives' output
vectors ``n_1 .. n_K``, the loss is::

    -log sigmoid(c . o) - sum_k log sigmoid(-c . n_k)

small when ``c . o`` is large and every ``c . n_k`` is very negative. A batch's loss is
the sum over its pairs. The lesson ``lessons/1.5-word-embeddings.py`` derives the
gradient and trains with it on a toy corpus before meeting ``Word2Vec``.

Fill in the two functions below in NumPy, replacing each ``raise NotImplementedError``.
``journey check`` refuses a file that uses ``nlpjourney`` (the model answer), gensim,
or an automatic-differentiation library (torch, JAX, TensorFlow, autograd): the point is
to write the gradient yourself. Then run ``journey check 1.5``; the checks compare you
with gradients computed by torch autograd on batches drawn fresh each run, and ``--hint``
shows more of a hint.
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (yours to use)


def sgns_loss_and_grads(center, context, negatives):
    """Return ``(loss, d_center, d_context, d_negatives)`` for a batch of ``B`` pairs.

    ``loss`` is a Python float, the *sum* over the batch of
    ``-log sigmoid(center_b . context_b) - sum_k log sigmoid(-center_b . negatives_bk)``.
    Each ``d_*`` is the gradient of ``loss`` with respect to that argument, an array of
    the argument's shape. Compute ``log sigmoid`` so that logits of size 1000 give a
    finite loss (``log sigmoid(x) = -log(1 + exp(-x))``; ``np.logaddexp`` computes
    ``log(exp(a) + exp(b))`` without overflow).

    Args:
        center: float array (B, D), the centre words' input vectors.
        context: float array (B, D), the true context words' output vectors.
        negatives: float array (B, K, D), the negative words' output vectors.

    Returns:
        ``(loss, d_center, d_context, d_negatives)`` with shapes ``()``, (B, D), (B, D),
        (B, K, D).

    Example: ``center = [[1, 1]]``, ``context = [[0, 0]]``, ``negatives = [[[0, 0]]]``:
    both logits are 0, so ``loss = 2 log 2 = 1.3863``, ``d_center = [[0, 0]]``,
    ``d_context = [[-0.5, -0.5]]`` and ``d_negatives = [[[0.5, 0.5]]]``.
    """
    raise NotImplementedError(
        "write sgns_loss_and_grads: the two dot products, then the chain rule"
    )


def sgns_step(w_in, w_out, centers, contexts, negatives, lr):
    """One SGD step on a batch of pairs; update ``w_in`` and ``w_out`` in place and
    return the batch's loss measured *before* the step, as a float.

    Pair ``b`` is the centre word ``centers[b]`` (a row of ``w_in``), its true context
    word ``contexts[b]`` (a row of ``w_out``) and ``K`` negative words ``negatives[b]``
    (rows of ``w_out``). Compute every gradient from the weights as they are before the
    step (with ``sgns_loss_and_grads``), then subtract ``lr`` times each from its row.

    The same word may appear several times in one batch (as the centre of two pairs, or
    as one pair's context and another's negative): its row must then move by the *sum*
    of all its gradients, exactly as if the loss were differentiated with respect to the
    whole matrices. Change only the rows the batch uses, and change the arrays you were
    given (the caller keeps them), not copies.

    Args:
        w_in: float array (V, D), input vectors, one row per word.
        w_out: float array (V, D), output vectors, one row per word.
        centers: int array (B,), rows of ``w_in``.
        contexts: int array (B,), rows of ``w_out``.
        negatives: int array (B, K), rows of ``w_out``.
        lr: the learning rate, a float.

    Returns:
        The batch's SGNS loss before the update (a float).

    Example: with the single pair of the example above (word 0 as centre, word 1 as
    context and word 2 as the negative) and ``lr = 0.1``, the step returns 1.3863 and
    adds 0.05 to both entries of ``w_out[1]`` and subtracts 0.05 from both of
    ``w_out[2]``; ``w_in[0]`` does not move.
    """
    raise NotImplementedError("write sgns_step: gradients first, then scatter-add them to the rows")
