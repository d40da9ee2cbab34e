"""Checks for exercise 3.5, run by ``journey check 3.5``.

Each check calls the learner's functions through the ``ex`` fixture. Attention is
compared with Bahdanau's formula written out here with torch (``bahdanau``), on a worked
example small enough to do by hand, on padded batches, and on sizes and values drawn
fresh each run (``rng``, and torch's generator seeded by the run's seed), values and
gradients alike. The beam step is compared with the selection written out here
(``best_extensions``: a stable sort of the flattened candidates, so ties go to the
lower flat number), on a worked example, on ties, on a beam wider than one row of the
vocabulary, on forbidden (``-inf``) tokens and on fresh random scores. With
``--exercise reference`` the same checks grade the library: ``nlpjourney.seq2seq``.
"""

from __future__ import annotations

import math
import zlib

import pytest
import torch
from torch.testing import assert_close

REFERENCE = "nlpjourney.seq2seq"
# What the learner may not use: the model answer (and the rest of the library), and
# transformers, whose generation code has the beam's bookkeeping.
FORBIDDEN = ("nlpjourney", "transformers")

F64 = torch.float64


@pytest.fixture(autouse=True)
def fresh_torch(seed: int, request: pytest.FixtureRequest) -> None:
    """torch's random draws are fresh each run: seeded by the run's seed and the check's
    name, so --seed replays them."""
    torch.manual_seed(seed * 100_003 + zlib.crc32(request.node.name.encode()))


# --- the formulas, written out here ---------------------------------------------------


def bahdanau(query, keys, values, w_query, w_key, v, mask=None):
    """Additive attention by its definition: (context (B, Hv), weights (B, S))."""
    hidden = torch.tanh((query @ w_query.T)[:, None, :] + keys @ w_key.T)  # (B, S, A)
    scores = hidden @ v  # (B, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return torch.einsum("bs,bsh->bh", weights, values), weights


def best_extensions(scores, log_probs, beam_size):
    """The beam step by its definition: a stable descending sort of every extension."""
    vocab = log_probs.shape[1]
    flat = (scores[:, None] + log_probs).reshape(-1)
    order = torch.sort(flat, descending=True, stable=True).indices[:beam_size]
    return flat[order], order // vocab, order % vocab


def random_attention_inputs(rng, gen, batch=None, dtype=F64):
    """Sizes drawn from ``rng``, values from the torch generator ``gen``; a random
    padding mask with at least one real position a row (the first)."""
    b = batch or int(rng.integers(1, 5))
    s, hq, hk, hv, a = (int(n) for n in rng.integers(1, 8, size=5))
    query = torch.randn(b, hq, generator=gen, dtype=dtype)
    keys = torch.randn(b, s, hk, generator=gen, dtype=dtype)
    values = torch.randn(b, s, hv, generator=gen, dtype=dtype)
    w_query = torch.randn(a, hq, generator=gen, dtype=dtype)
    w_key = torch.randn(a, hk, generator=gen, dtype=dtype)
    v = torch.randn(a, generator=gen, dtype=dtype)
    lengths = torch.as_tensor(rng.integers(1, s + 1, size=b))
    mask = torch.arange(s)[None, :] < lengths[:, None]
    return (query, keys, values, w_query, w_key, v), mask


def generator(rng) -> torch.Generator:
    return torch.Generator().manual_seed(int(rng.integers(2**31)))


def as_tensors(result, what: str):
    assert isinstance(result, tuple) and len(result) == len(what.split(", ")), (
        f"return a tuple ({what}), not {type(result).__name__}"
        + (f" of {len(result)}" if isinstance(result, tuple) else "")
    )
    return result


# --- additive attention ---------------------------------------------------------------


def test_attention_worked_example(ex) -> None:
    """additive_attention on two source positions, worked by hand: weights 1/4 and 3/4.

    Hint 1: the score of a position is v times the tanh of the projected query plus the
    projected key; the weights are the softmax of the scores over the positions.
    Hint 2: here the tanh terms are 0 and 0.5 and v is 2 ln 3, so the scores are 0 and
    ln 3, and the softmax makes them 1/4 and 3/4; the context averages the value rows
    with those weights.
    """
    one = torch.ones(1, 1, dtype=F64)
    keys = torch.tensor([[[0.0], [math.atanh(0.5)]]], dtype=F64)
    values = torch.tensor([[[4.0, 0.0], [0.0, 4.0]]], dtype=F64)
    v = torch.tensor([2 * math.log(3)], dtype=F64)
    context, weights = as_tensors(
        ex.additive_attention(torch.zeros(1, 1, dtype=F64), keys, values, one, one, v),
        "context, weights",
    )
    assert_close(weights, torch.tensor([[0.25, 0.75]], dtype=F64), msg="weights")
    assert_close(context, torch.tensor([[1.0, 3.0]], dtype=F64), msg="context")


def test_attention_shapes(ex, rng) -> None:
    """additive_attention returns context (B, Hv) and weights (B, S) for several sizes.

    Hint 1: the scores have one number per sentence and source position; the context
    one vector per sentence, as wide as a value.
    Hint 2: the projected query is one vector per sentence: give it a length-one source
    axis so that it adds to every projected key of its sentence.
    """
    gen = generator(rng)
    for _ in range(4):
        inputs, _ = random_attention_inputs(rng, gen)
        query, keys, values = inputs[:3]
        context, weights = as_tensors(ex.additive_attention(*inputs), "context, weights")
        b, s, hv = values.shape
        assert tuple(context.shape) == (b, hv), (
            f"query {tuple(query.shape)}, keys {tuple(keys.shape)}, values "
            f"{tuple(values.shape)}: context is {tuple(context.shape)}, should be {(b, hv)}"
        )
        assert tuple(weights.shape) == (b, s), f"weights {tuple(weights.shape)}, not {(b, s)}"


def test_attention_equals_the_formula(ex, rng) -> None:
    """additive_attention equals Bahdanau's formula on random batches (no mask).

    Hint 1: project the query with w_query and every key with w_key (a weight (A, H) is
    applied as the input times its transpose), add, take tanh, and dot with v.
    Hint 2: the softmax runs over the source positions (the last axis of the scores),
    and the context weights the value rows, not the key rows.
    """
    gen = generator(rng)
    for batch in (1, 2, None, None, None):
        inputs, _ = random_attention_inputs(rng, gen, batch)
        context, weights = as_tensors(ex.additive_attention(*inputs), "context, weights")
        want_context, want_weights = bahdanau(*inputs)
        assert_close(weights, want_weights, msg=lambda m: f"weights: {m}")
        assert_close(context, want_context, msg=lambda m: f"context: {m}")


def test_attention_asymmetric_sizes(ex) -> None:
    """additive_attention with keys and values of different widths from the query.

    Hint 1: w_query works on the query's width, w_key on the keys', and the values can be
    wider or narrower than both.
    Hint 2: use each weight with the input it belongs to, and average the values, not
    the keys.
    """
    gen = torch.Generator().manual_seed(35)
    b, s, hq, hk, hv, a = 3, 5, 2, 7, 4, 6
    inputs = (
        torch.randn(b, hq, generator=gen, dtype=F64),
        torch.randn(b, s, hk, generator=gen, dtype=F64),
        torch.randn(b, s, hv, generator=gen, dtype=F64),
        torch.randn(a, hq, generator=gen, dtype=F64),
        torch.randn(a, hk, generator=gen, dtype=F64),
        torch.randn(a, generator=gen, dtype=F64),
    )
    context, weights = as_tensors(ex.additive_attention(*inputs), "context, weights")
    want_context, want_weights = bahdanau(*inputs)
    assert_close(weights, want_weights, msg=lambda m: f"weights: {m}")
    assert_close(context, want_context, msg=lambda m: f"context: {m}")


def test_attention_mask_hides_padding(ex, rng) -> None:
    """With a padding mask, padded positions get weight 0 and their values change nothing.

    Hint 1: a masked position must get a weight of exactly zero, and the weights of the
    real positions must still sum to one.
    Hint 2: set the masked scores to minus infinity before the softmax (mask True means
    keep); zeroing weights after the softmax leaves rows that do not sum to one.
    """
    gen = generator(rng)
    for batch in (3, None, None):
        inputs, mask = random_attention_inputs(rng, gen, batch)
        context, weights = as_tensors(ex.additive_attention(*inputs, mask=mask), "context, weights")
        want_context, want_weights = bahdanau(*inputs, mask=mask)
        assert torch.all(weights[~mask] == 0), "a padded position has a weight that is not 0"
        assert_close(weights, want_weights, msg=lambda m: f"weights: {m}")
        assert_close(context, want_context, msg=lambda m: f"context: {m}")
        changed = list(inputs)
        changed[2] = inputs[2].masked_fill(~mask[..., None], 1e3)  # garbage in the padding
        changed[1] = inputs[1].masked_fill(~mask[..., None], -7.0)
        again, _ = ex.additive_attention(*changed, mask=mask)
        assert_close(again, context, msg=lambda m: f"padding changed the context: {m}")
    # one fixed case: the second sentence has one real position out of three
    query = torch.zeros(2, 1, dtype=F64)
    keys = torch.zeros(2, 3, 1, dtype=F64)
    values = torch.arange(12, dtype=F64).reshape(2, 3, 2)
    mask = torch.tensor([[True, True, True], [True, False, False]])
    one = torch.ones(1, 1, dtype=F64)
    context, weights = ex.additive_attention(
        query, keys, values, one, one, torch.ones(1, dtype=F64), mask=mask
    )
    assert_close(weights, torch.tensor([[1 / 3] * 3, [1.0, 0.0, 0.0]], dtype=F64))
    assert_close(context, torch.tensor([[2.0, 3.0], [6.0, 7.0]], dtype=F64))


def test_attention_gradients(ex, rng) -> None:
    """Gradients through additive_attention equal the formula's, for every input.

    Hint 1: training learns w_query, w_key and v through this function, so every step
    must be a torch operation on the tensors you were given.
    Hint 2: no detach, no item() or NumPy in the middle, and no new tensors built from
    copied numbers; masking with a masked fill keeps the gradient.
    """
    gen = generator(rng)
    inputs, mask = random_attention_inputs(rng, gen, 3)
    leaves = [x.clone().requires_grad_() for x in inputs]
    context, weights = ex.additive_attention(*leaves, mask=mask)
    outer = torch.randn(context.shape, generator=gen, dtype=F64)
    outer_w = torch.randn(weights.shape, generator=gen, dtype=F64)
    assert context.requires_grad, "the context carries no gradient"
    got = torch.autograd.grad(
        (context * outer).sum() + (weights * outer_w).sum(), leaves, allow_unused=True
    )
    want_context, want_weights = bahdanau(*leaves, mask=mask)
    want = torch.autograd.grad(
        (want_context * outer).sum() + (want_weights * outer_w).sum(), leaves
    )
    names = ("query", "keys", "values", "w_query", "w_key", "v")
    for name, g, w in zip(names, got, want, strict=True):
        assert g is not None, f"no gradient reaches {name}"
        assert_close(g, w, msg=lambda m, n=name: f"gradient of {n}: {m}")


def test_attention_float32_and_arguments(ex, rng) -> None:
    """additive_attention works in float32 too, and leaves its arguments unchanged.

    Hint 1: keep the dtype of the inputs; build nothing in float64 on the side.
    Hint 2: use out-of-place operations (a masked fill that returns a new tensor), so the
    caller's keys, values and weights are the same after the call.
    """
    gen = generator(rng)
    inputs, mask = random_attention_inputs(rng, gen, 2, dtype=torch.float32)
    copies = [x.clone() for x in inputs]
    context, weights = ex.additive_attention(*inputs, mask=mask)
    assert context.dtype == torch.float32 and weights.dtype == torch.float32, (
        f"float32 in, {context.dtype} and {weights.dtype} out"
    )
    want_context, want_weights = bahdanau(*copies, mask=mask)
    assert_close(weights, want_weights)
    assert_close(context, want_context)
    for name, x, c in zip(("query", "keys", "values"), inputs, copies, strict=False):
        assert torch.equal(x, c), f"additive_attention changed {name}"


# --- beam search step -----------------------------------------------------------------


def check_step(ex, scores, log_probs, beam_size, what: str) -> None:
    """The learner's step equals the written-out one, exactly (parents and tokens)."""
    kept_scores, kept_log_probs = scores.clone(), log_probs.clone()
    new_scores, parents, tokens = as_tensors(
        ex.beam_search_step(scores, log_probs, beam_size), "new_scores, parents, tokens"
    )
    want_scores, want_parents, want_tokens = best_extensions(scores, log_probs, beam_size)
    assert tuple(new_scores.shape) == (beam_size,), (
        f"{what}: new_scores has shape {tuple(new_scores.shape)}, not ({beam_size},)"
    )
    assert parents.tolist() == want_parents.tolist(), (
        f"{what}: parents {parents.tolist()}, should be {want_parents.tolist()}"
    )
    assert tokens.tolist() == want_tokens.tolist(), (
        f"{what}: tokens {tokens.tolist()}, should be {want_tokens.tolist()}"
    )
    assert_close(new_scores, want_scores, msg=lambda m: f"{what}: new_scores: {m}")
    assert torch.equal(scores, kept_scores) and torch.equal(log_probs, kept_log_probs), (
        f"{what}: beam_search_step changed its arguments"
    )


def test_beam_step_worked_example(ex) -> None:
    """beam_search_step keeps the three best of six extensions, worked by hand.

    Hint 1: an extension's score is its parent's score plus the token's log-probability;
    compare all six at once, not the best token of each hypothesis.
    Hint 2: flatten the (K, V) candidate scores row by row and take the best three flat
    numbers; the parent is a flat number divided by V (rounded down), the token the
    remainder.
    """
    scores = torch.tensor([-1.0, -2.0], dtype=F64)
    log_probs = torch.tensor([[0.5, 0.3, 0.2], [0.6, 0.3, 0.1]], dtype=F64).log()
    new_scores, parents, tokens = as_tensors(
        ex.beam_search_step(scores, log_probs, 3), "new_scores, parents, tokens"
    )
    assert parents.tolist() == [0, 0, 1], f"parents {parents.tolist()}, should be [0, 0, 1]"
    assert tokens.tolist() == [0, 1, 0], f"tokens {tokens.tolist()}, should be [0, 1, 0]"
    want = torch.tensor([-1 + math.log(0.5), -1 + math.log(0.3), -2 + math.log(0.6)], dtype=F64)
    assert_close(new_scores, want)


def test_beam_step_first_step(ex, rng) -> None:
    """The first step: one hypothesis (the start token) becomes the beam_size best tokens.

    Hint 1: with one live hypothesis the best extensions are its best tokens, all with
    parent 0.
    Hint 2: the new scores are the old score plus the chosen tokens' log-probabilities,
    best first.
    """
    vocab = int(rng.integers(5, 40))
    log_probs = torch.log_softmax(torch.randn(1, vocab, dtype=F64), dim=-1)
    for beam_size in (1, 4, vocab):
        check_step(ex, torch.zeros(1, dtype=F64), log_probs, beam_size, f"K=1, V={vocab}")


def test_beam_step_wider_than_a_row(ex, rng) -> None:
    """A beam wider than the vocabulary: the winners must come from several hypotheses.

    Hint 1: K hypotheses times V tokens give K times V candidates; the beam may keep
    more of them than one row holds, and then every row is a candidate for the places.
    Hint 2: the parent of flat number f is f divided by V rounded down, the token f
    modulo V: dividing by K, or by the beam size, goes wrong as soon as they differ.
    """
    scores = torch.tensor([-0.5, -0.7, -3.0], dtype=F64)
    log_probs = torch.tensor([[-0.1, -2.5], [-0.2, -1.0], [-0.01, -0.02]], dtype=F64)
    check_step(ex, scores, log_probs, 5, "K=3, V=2, beam 5")
    new_scores, parents, tokens = ex.beam_search_step(scores, log_probs, 5)
    assert parents.tolist() == [0, 1, 1, 0, 2], f"parents {parents.tolist()}"
    assert tokens.tolist() == [0, 0, 1, 1, 0], f"tokens {tokens.tolist()}"
    for _ in range(3):
        k, vocab = int(rng.integers(2, 6)), int(rng.integers(2, 5))
        beam_size = int(rng.integers(vocab + 1, k * vocab + 1))
        scores = -torch.rand(k, dtype=F64) * 3
        log_probs = torch.log_softmax(torch.randn(k, vocab, dtype=F64) * 2, dim=-1)
        check_step(ex, scores, log_probs, beam_size, f"K={k}, V={vocab}, beam {beam_size}")


def test_beam_step_ties_go_to_the_lower_number(ex, rng) -> None:
    """Equal candidate scores keep the order of their flat numbers (row by row).

    Hint 1: when two extensions score the same, the one whose hypothesis comes first
    wins, and within a hypothesis the smaller token.
    Hint 2: a plain sort or top-k need not keep equal entries in their original order; a
    stable sort does, and so does breaking ties by the flat number on purpose.
    """
    check_step(ex, torch.zeros(3, dtype=F64), torch.zeros(3, 4, dtype=F64), 5, "all equal")
    scores = torch.tensor([-1.0, 0.0], dtype=F64)
    log_probs = torch.tensor([[0.0, -2.0, -1.0, -5.0], [-1.0, -3.0, -2.0, -2.0]], dtype=F64)
    check_step(ex, scores, log_probs, 6, "ties across hypotheses")
    # fresh ties: scores on a coarse grid, so many candidates are equal
    for _ in range(3):
        k, vocab = int(rng.integers(2, 5)), int(rng.integers(3, 30))
        scores = torch.as_tensor(rng.integers(-3, 1, size=k), dtype=F64)
        log_probs = torch.as_tensor(rng.integers(-4, 1, size=(k, vocab)), dtype=F64)
        beam_size = int(rng.integers(1, k * vocab + 1))
        check_step(ex, scores, log_probs, beam_size, f"ties, K={k}, V={vocab}, beam {beam_size}")


def test_beam_step_forbidden_tokens(ex) -> None:
    """Tokens at -inf (a finished hypothesis, a banned token) lose to every finite one.

    Hint 1: an extension by a token of log-probability minus infinity has score minus
    infinity, whatever its parent's score.
    Hint 2: keep the scores as they are (no clamping, no exponentials): the order of the
    finite ones is all that decides, and minus infinity sorts last.
    """
    inf = float("inf")
    scores = torch.tensor([0.0, -1.0], dtype=F64)
    log_probs = torch.tensor([[-inf, -inf, 0.0], [-0.5, -inf, -0.1]], dtype=F64)
    check_step(ex, scores, log_probs, 3, "with -inf")
    new_scores, parents, tokens = ex.beam_search_step(scores, log_probs, 3)
    assert tokens.tolist() == [2, 2, 0], f"tokens {tokens.tolist()}, should be [2, 2, 0]"


def test_beam_step_equals_the_formula(ex, rng) -> None:
    """beam_search_step equals the written-out step on fresh random beams (float32 too).

    Hint 1: the new scores are sorted best first, and each one is its parent's score plus
    the log-probability of its token.
    Hint 2: parents and tokens are integer (int64) tensors of the beam's length; new
    scores keep the dtype of the scores.
    """
    for dtype in (F64, torch.float32, F64, torch.float32):
        k, vocab = int(rng.integers(1, 9)), int(rng.integers(2, 60))
        beam_size = int(rng.integers(1, k * vocab + 1))
        scores = (-torch.rand(k) * 5).to(dtype)
        log_probs = torch.log_softmax(torch.randn(k, vocab) * 3, dim=-1).to(dtype)
        what = f"K={k}, V={vocab}, beam {beam_size}, {dtype}"
        check_step(ex, scores, log_probs, beam_size, what)
        new_scores, parents, tokens = ex.beam_search_step(scores, log_probs, beam_size)
        assert new_scores.dtype == dtype, f"{what}: new_scores are {new_scores.dtype}"
        assert parents.dtype == torch.int64 and tokens.dtype == torch.int64, (
            f"{what}: parents {parents.dtype}, tokens {tokens.dtype}; both should be int64"
        )
        assert_close(new_scores, scores[parents] + log_probs[parents, tokens])
