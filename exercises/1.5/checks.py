"""Checks for exercise 1.5, run by ``journey check 1.5``.

Each check calls the learner's functions through the ``ex`` fixture on float64 arrays
drawn fresh each run (``rng``), and compares them with the loss and the gradients that
torch autograd computes here from the formula alone, so a hand-derived gradient is
checked against one nobody derived. The step is compared with autograd's gradient with
respect to the whole weight matrices, which adds up every use of a word in the batch.
The last check trains a toy corpus with the learner's step. With ``--exercise reference``
the same checks grade the library, ``nlpjourney.embeddings.word2vec``.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch.testing import assert_close

REFERENCE = "nlpjourney.embeddings.word2vec"
# What the learner may not use: the model answer (and the rest of the library), gensim,
# and the automatic-differentiation libraries that would compute the gradient for them.
FORBIDDEN = ("nlpjourney", "gensim", "torch", "jax", "tensorflow", "autograd", "mlx")


def batch(rng, size: int | None = None, k: int | None = None, dim: int | None = None, scale=0.7):
    """Fresh (center, context, negatives) arrays of a random (B, K, D)."""
    size = size or int(rng.integers(2, 9))
    k = k or int(rng.integers(1, 6))
    dim = dim or int(rng.integers(3, 12))
    return (
        rng.normal(0, scale, (size, dim)),
        rng.normal(0, scale, (size, dim)),
        rng.normal(0, scale, (size, k, dim)),
    )


def torch_loss(center, context, negatives):
    """The SGNS batch loss written with torch, from the formula alone."""
    positive = (center * context).sum(-1)
    negative = torch.einsum("bd,bkd->bk", center, negatives)
    return -(F.logsigmoid(positive).sum() + F.logsigmoid(-negative).sum())


def autograd(center, context, negatives):
    """(loss, d_center, d_context, d_negatives) by torch autograd, as NumPy."""
    leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
              for a in (center, context, negatives)]  # fmt: skip
    loss = torch_loss(*leaves)
    grads = torch.autograd.grad(loss, leaves)
    return (loss.item(), *(g.numpy() for g in grads))


def autograd_step(w_in, w_out, centers, contexts, negatives, lr):
    """The reference step: the gradient of the loss with respect to the whole matrices."""
    leaf_in = torch.tensor(w_in, requires_grad=True)
    leaf_out = torch.tensor(w_out, requires_grad=True)
    idx = [torch.as_tensor(i) for i in (centers, contexts, negatives)]
    loss = torch_loss(leaf_in[idx[0]], leaf_out[idx[1]], leaf_out[idx[2]])
    d_in, d_out = torch.autograd.grad(loss, [leaf_in, leaf_out])
    return loss.item(), w_in - lr * d_in.numpy(), w_out - lr * d_out.numpy()


def weights(rng, vocab: int, dim: int):
    return rng.normal(0, 0.5, (vocab, dim)), rng.normal(0, 0.5, (vocab, dim))


def test_worked_example(ex) -> None:
    """The docstring's example: both logits 0 give 2 log 2 and gradients of +-0.5.

    Hint 1: with both logits 0, each sigmoid is one half and each log sigmoid is minus
    log 2; the loss adds the true pair's term and the negative's term.
    Hint 2: the derivative of minus log sigmoid at x is sigmoid of x minus one, and of
    minus log sigmoid of minus x it is sigmoid of x; multiply each by the other vector
    of its dot product.
    """
    loss, d_center, d_context, d_negatives = ex.sgns_loss_and_grads(
        np.ones((1, 2)), np.zeros((1, 2)), np.zeros((1, 1, 2))
    )
    assert math.isclose(float(loss), 2 * math.log(2), rel_tol=1e-9), f"loss {loss}, want 1.3863"
    assert_close(np.asarray(d_center, float), np.zeros((1, 2)))
    assert_close(np.asarray(d_context, float), np.full((1, 2), -0.5))
    assert_close(np.asarray(d_negatives, float), np.full((1, 1, 2), 0.5))


def test_shapes_and_types(ex, rng) -> None:
    """The loss is one float and each gradient has its argument's shape.

    Hint 1: the loss is summed over the whole batch into one number; each gradient
    has one entry per entry of its argument.
    Hint 2: the negatives' gradient keeps its three axes (batch, negatives, dimension);
    for a single pair or a single negative, keep the axes of size one.
    """
    for size, k, dim in [(1, 1, 4), (5, 3, 7), (int(rng.integers(2, 20)), 2, 3)]:
        center, context, negatives = batch(rng, size, k, dim)
        loss, d_center, d_context, d_negatives = ex.sgns_loss_and_grads(center, context, negatives)
        assert isinstance(loss, float), f"return the loss as a float, got {type(loss).__name__}"
        for name, got, want in [("d_center", d_center, center), ("d_context", d_context, context),
                                ("d_negatives", d_negatives, negatives)]:  # fmt: skip
            assert np.shape(got) == want.shape, (
                f"B={size}, K={k}, D={dim}: {name} has shape {np.shape(got)}, want {want.shape}"
            )


def test_loss_matches_autograd(ex, rng) -> None:
    """The loss equals torch's on fresh batches: a sum over pairs and negatives.

    Hint 1: the loss is a sum, over the pairs, of the true pair's term and of one term
    per negative; not a mean.
    Hint 2: the negatives enter with a minus sign inside the sigmoid: each asks "is this
    not a true context word?".
    """
    for _ in range(4):
        center, context, negatives = batch(rng)
        got = ex.sgns_loss_and_grads(center, context, negatives)[0]
        want = autograd(center, context, negatives)[0]
        assert math.isclose(got, want, rel_tol=1e-9), f"loss {got}, torch says {want}"


def test_loss_is_stable_for_large_logits(ex, rng) -> None:
    """Logits of size 1000 give the right finite loss, not inf or nan.

    Hint 1: the exponential of 1000 overflows; compute log sigmoid without forming it.
    Hint 2: minus log sigmoid of x is the log of one plus the exponential of minus x;
    NumPy has a function for the log of a sum of exponentials of two numbers.
    """
    center, context, negatives = batch(rng, 3, 2, 4)
    center, context, negatives = center * 40, -context * 40, negatives * 40
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        got = ex.sgns_loss_and_grads(center, context, negatives)
    want = autograd(center, context, negatives)
    assert math.isfinite(got[0]), f"the loss is {got[0]} for logits in the thousands"
    assert math.isclose(got[0], want[0], rel_tol=1e-9), f"loss {got[0]}, torch says {want[0]}"
    for name, g, w in zip(("d_center", "d_context", "d_negatives"), got[1:], want[1:], strict=True):
        assert np.isfinite(g).all(), f"{name} holds inf or nan for large logits"
        assert_close(np.asarray(g, float), w, msg=lambda m, n=name: f"{n}: {m}")


def test_context_gradient_matches_autograd(ex, rng) -> None:
    """The gradient for the true context vectors equals torch autograd's.

    Hint 1: the true pair's term depends on the context vector only through one dot
    product with the centre vector.
    Hint 2: the derivative of minus log sigmoid at x is sigmoid of x minus one (negative:
    the step pulls the context towards the centre); multiply by the centre vector.
    """
    for _ in range(3):
        center, context, negatives = batch(rng)
        got = ex.sgns_loss_and_grads(center, context, negatives)[2]
        assert_close(np.asarray(got, float), autograd(center, context, negatives)[2])


def test_negatives_gradient_matches_autograd(ex, rng) -> None:
    """The gradient for the negative vectors equals torch autograd's.

    Hint 1: each negative appears in one term, through one dot product with its pair's
    centre vector.
    Hint 2: the derivative of minus log sigmoid of minus x, with respect to x, is
    sigmoid of x (positive: the step pushes the negative away); multiply it by the
    centre vector of the same pair.
    """
    for _ in range(3):
        center, context, negatives = batch(rng)
        got = ex.sgns_loss_and_grads(center, context, negatives)[3]
        assert_close(np.asarray(got, float), autograd(center, context, negatives)[3])


def test_center_gradient_matches_autograd(ex, rng) -> None:
    """The gradient for the centre vectors equals torch autograd's.

    Hint 1: the centre vector appears in every term of its pair: the true one and each
    negative; its gradient adds all of them.
    Hint 2: the true term gives (sigmoid minus one) times the context vector; each
    negative gives its sigmoid times that negative's vector; sum over the negatives.
    """
    for _ in range(3):
        center, context, negatives = batch(rng)
        got = ex.sgns_loss_and_grads(center, context, negatives)[1]
        assert_close(np.asarray(got, float), autograd(center, context, negatives)[1])


def test_step_matches_autograd(ex, rng) -> None:
    """With every word used once, each row moves by minus lr times its gradient.

    Hint 1: look up the rows, get the loss and gradients from your first function, then
    subtract the learning rate times each gradient from the row it came from.
    Hint 2: a negative's row belongs to the output matrix, like the context's.
    """
    vocab, dim, k = 40, int(rng.integers(3, 8)), 2
    words = rng.permutation(vocab)
    centers, contexts, negatives = words[:4], words[4:8], words[8:16].reshape(4, k)
    w_in, w_out = weights(rng, vocab, dim)
    lr = float(rng.uniform(0.01, 0.5))
    _, want_in, want_out = autograd_step(w_in, w_out, centers, contexts, negatives, lr)
    ex.sgns_step(w_in, w_out, centers, contexts, negatives, lr)
    assert_close(w_in, want_in, msg=lambda m: f"w_in after the step: {m}")
    assert_close(w_out, want_out, msg=lambda m: f"w_out after the step: {m}")


def test_step_adds_up_a_repeated_word(ex, rng) -> None:
    """A word used twice in a batch gets both updates, not only the last one.

    Hint 1: assigning to rows chosen by an index array that repeats an index keeps one
    of the values, not their sum.
    Hint 2: NumPy's ufuncs have an unbuffered in-place method that adds at given indices
    and accumulates repeated ones; or loop over the pairs and add one row at a time.
    """
    vocab, dim = 6, int(rng.integers(3, 8))
    w_in, w_out = weights(rng, vocab, dim)
    # word 0 is the centre twice; word 1 is a context twice and a negative once; word 2
    # is a negative of both pairs.
    centers, contexts = np.array([0, 0, 3]), np.array([1, 1, 4])
    negatives = np.array([[2, 5], [2, 1], [2, 5]])
    lr = float(rng.uniform(0.05, 0.5))
    _, want_in, want_out = autograd_step(w_in, w_out, centers, contexts, negatives, lr)
    ex.sgns_step(w_in, w_out, centers, contexts, negatives, lr)
    assert_close(w_in, want_in, msg=lambda m: f"w_in (word 0 is the centre of two pairs): {m}")
    assert_close(w_out, want_out,
                 msg=lambda m: f"w_out (words 1 and 2 are used several times): {m}")  # fmt: skip


def test_step_uses_the_weights_before_the_step(ex, rng) -> None:
    """All gradients come from the weights before the step, even for a centre and a context.

    Hint 1: if you update one matrix before computing the other's gradient, the second
    gradient sees weights that have already moved.
    Hint 2: compute the loss and every gradient first, from rows looked up once; update
    the matrices only afterwards.
    """
    vocab, dim = 5, int(rng.integers(3, 8))
    w_in, w_out = weights(rng, vocab, dim)
    centers, contexts, negatives = (
        np.array([0, 1, 2]),
        np.array([1, 2, 0]),
        np.array([[2], [0], [1]]),
    )
    lr = 0.3
    _, want_in, want_out = autograd_step(w_in, w_out, centers, contexts, negatives, lr)
    ex.sgns_step(w_in, w_out, centers, contexts, negatives, lr)
    assert_close(w_in, want_in)
    assert_close(w_out, want_out)


def test_step_returns_the_loss_before_the_step(ex, rng) -> None:
    """The step returns the loss before the update and changes the arrays it was given.

    Hint 1: the loss to return is the one computed with the gradients, before any row
    moves.
    Hint 2: update the caller's arrays in place (in-place operators on rows of the
    arrays you received); rebinding a name to a new array leaves the caller's unchanged.
    """
    vocab, dim = 12, 5
    w_in, w_out = weights(rng, vocab, dim)
    centers, contexts = rng.integers(0, vocab, 6), rng.integers(0, vocab, 6)
    negatives = rng.integers(0, vocab, (6, 3))
    want_loss, want_in, _ = autograd_step(w_in, w_out, centers, contexts, negatives, 0.2)
    got = ex.sgns_step(w_in, w_out, centers, contexts, negatives, 0.2)
    assert isinstance(got, float), f"return the loss as a float, got {type(got).__name__}"
    assert math.isclose(got, want_loss, rel_tol=1e-9), (
        f"returned {got}; the loss before the step is {want_loss}"
    )
    assert_close(w_in, want_in, msg=lambda m: f"the w_in you were given did not move right: {m}")


def test_step_on_fresh_batches_with_repeats(ex, rng) -> None:
    """On random batches with many repeated words, the step equals autograd's.

    Hint 1: every use of a row in the batch contributes to that row's change, whether it
    is a centre, a context or a negative.
    Hint 2: the output matrix receives two sets of updates, from the contexts and from
    the negatives; add both, accumulating repeats in each.
    """
    for _ in range(3):
        vocab, dim, size, k = 7, int(rng.integers(3, 9)), int(rng.integers(5, 30)), 3
        w_in, w_out = weights(rng, vocab, dim)
        centers, contexts = rng.integers(0, vocab, size), rng.integers(0, vocab, size)
        negatives = rng.integers(0, vocab, (size, k))
        lr = float(rng.uniform(0.01, 0.2))
        _, want_in, want_out = autograd_step(w_in, w_out, centers, contexts, negatives, lr)
        ex.sgns_step(w_in, w_out, centers, contexts, negatives, lr)
        assert_close(w_in, want_in)
        assert_close(w_out, want_out)


def toy_pairs(rng, groups: int = 2, per_group: int = 4, n: int = 64):
    """Skip-gram pairs of a toy corpus: words only ever appear beside words of their group."""
    group = rng.integers(0, groups, n)
    centers = group * per_group + rng.integers(0, per_group, n)
    contexts = group * per_group + rng.integers(0, per_group, n)
    return centers, contexts


def cosine(a, b) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_training_brings_co_occurring_words_together(ex, rng) -> None:
    """Training a toy corpus lowers the loss and brings words of shared contexts together.

    Words of one group share their contexts; after a few hundred steps their input
    vectors must be closer to each other than to the other group's.

    Hint 1: if the other checks pass, this one should too; if not, check the signs: a
    step goes against the gradient.
    Hint 2: the true pair's dot product must grow and each negative's shrink; a sign
    error in a gradient moves them the other way.
    """
    groups, per_group, dim = 2, 4, 10
    vocab = groups * per_group
    w_in = rng.uniform(-0.5, 0.5, (vocab, dim)) / dim
    w_out = np.zeros((vocab, dim))
    losses = []
    for _ in range(300):
        centers, contexts = toy_pairs(rng, groups, per_group)
        negatives = rng.integers(0, vocab, (len(centers), 3))
        losses.append(ex.sgns_step(w_in, w_out, centers, contexts, negatives, 0.05))
    first, last = np.mean(losses[:20]), np.mean(losses[-20:])
    assert last < 0.8 * first, f"the loss went from {first:.2f} to {last:.2f}: it should fall"
    same = np.mean([cosine(w_in[a], w_in[b]) for a in range(per_group) for b in range(a)])
    other = np.mean([cosine(w_in[a], w_in[per_group + b])
                     for a in range(per_group) for b in range(per_group)])  # fmt: skip
    assert same > other + 0.5, (
        f"words of one group: mean cosine {same:.2f}; of different groups: {other:.2f}"
    )
