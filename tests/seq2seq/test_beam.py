"""Tests for nlpjourney.seq2seq.beam: one step by brute force, the batched search against
every sequence of a tiny vocabulary, width 1 against greedy, the length penalty.

Reference: brute force over the candidates (one step) and over every output sequence of a
Markov "decoder" whose next-token log-probabilities depend on the last token only.
"""

from __future__ import annotations

import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import Tensor

from nlpjourney.seq2seq import beam_search, beam_search_step, gnmt_length_penalty, greedy_search

BOS, EOS, PAD = 1, 2, 0


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31), k=st.integers(1, 4), v=st.integers(1, 5), width=st.integers(1, 8)
)
def test_beam_search_step_is_the_best_candidates_in_order(
    seed: int, k: int, v: int, width: int
) -> None:
    g = torch.Generator().manual_seed(seed)
    # few distinct values, so ties happen
    scores = torch.randint(-3, 1, (k,), generator=g).double()
    log_probs = torch.randint(-3, 1, (k, v), generator=g).double()
    width = min(width, k * v)
    new, parents, tokens = beam_search_step(scores, log_probs, width)
    candidates = [
        (float(scores[p] + log_probs[p, t]), p * v + t) for p in range(k) for t in range(v)
    ]
    best = sorted(candidates, key=lambda c: (-c[0], c[1]))[:width]  # ties: lower flat index
    assert new.tolist() == [c[0] for c in best]
    assert parents.tolist() == [c[1] // v for c in best]
    assert tokens.tolist() == [c[1] % v for c in best]


def test_beam_search_step_bad_input() -> None:
    with pytest.raises(ValueError, match="between 1 and K\\*V=4"):
        beam_search_step(torch.zeros(2), torch.zeros(2, 2), 5)
    with pytest.raises(ValueError, match="log_probs must be"):
        beam_search_step(torch.zeros(2), torch.zeros(3, 2), 1)


def markov(seed: int, vocab: int = 5, batch: int = 1) -> Tensor:
    """Next-token log-probabilities given the last token, one table per sentence: (B, V, V)."""
    g = torch.Generator().manual_seed(seed)
    logits = 2 * torch.randn(batch, vocab, vocab, generator=g)
    logits[..., PAD] = float("-inf")  # the pad is never predicted
    return torch.log_softmax(logits, dim=-1)


def markov_step(table: Tensor, rows_per_sentence: int):  # noqa: ANN201
    """A step function over ``table``: row r belongs to sentence r // rows_per_sentence.

    Its state is the sentence of each row (reordered by the search); its extra is the
    token it was fed, so the search's extras can be checked against its outputs.
    """

    def step(tokens: Tensor, sentence: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        return table[sentence, tokens[:, -1]], sentence, tokens[:, -1].float()

    def start(batch: int) -> Tensor:
        return torch.arange(batch).repeat_interleave(rows_per_sentence)

    return step, start


def reorder(state: Tensor, index: Tensor) -> Tensor:
    return state[index]


def brute_force(table: Tensor, max_new: int, alpha: float) -> tuple[list[int], float]:
    """The best output by ``score / lp(length)``: sequences that end in EOS, or run to max_new."""
    vocab = table.shape[-1]
    best: tuple[float, list[int]] = (float("-inf"), [])
    for n in range(1, max_new + 1):
        for seq in itertools.product(range(vocab), repeat=n):
            if PAD in seq or EOS in seq[:-1] or (seq[-1] != EOS and n < max_new):
                continue
            prev, total = BOS, 0.0
            for token in seq:
                total += float(table[prev, token])
                prev = token
            score = total / float(gnmt_length_penalty(torch.tensor(float(n)), alpha))
            best = max(best, (score, list(seq)))
    return best[1], best[0]


@pytest.mark.parametrize("alpha", [0.0, 0.6, 2.0])
@pytest.mark.parametrize("seed", range(4))
def test_beam_search_wide_enough_finds_the_best_sequence(alpha: float, seed: int) -> None:
    table = markov(seed, vocab=4)
    step, start = markov_step(table, 64)
    result = beam_search(step, start(1), reorder, 1, 64, BOS, EOS, PAD, 3, alpha)
    want, score = brute_force(table[0], 3, alpha)
    got = [t for t in result.tokens[0].tolist() if t != PAD]
    assert got == want
    assert result.scores.item() == pytest.approx(score, abs=1e-5)
    # the extras follow the chosen beam: the token fed at each step is the previous output
    assert result.extras[0, : len(got)].long().tolist() == [BOS, *got[:-1]]


@pytest.mark.parametrize("seed", range(5))
def test_beam_search_of_width_one_is_greedy(seed: int) -> None:
    table = markov(seed, vocab=6, batch=3)
    step, start = markov_step(table, 1)
    greedy = greedy_search(step, start(3), 3, BOS, EOS, PAD, 7)
    beam = beam_search(step, start(3), reorder, 3, 1, BOS, EOS, PAD, 7, length_penalty=0.6)
    width = beam.tokens.shape[1]
    assert torch.equal(beam.tokens, greedy.tokens[:, :width])
    assert (greedy.tokens[:, width:] == PAD).all()
    assert torch.equal(beam.extras, greedy.extras[:, :width])


@pytest.mark.parametrize("seed", range(4))
def test_beam_search_batched_equals_one_sentence_at_a_time(seed: int) -> None:
    table = markov(seed, vocab=7, batch=4)
    step, start = markov_step(table, 3)
    together = beam_search(step, start(4), reorder, 4, 3, BOS, EOS, PAD, 6)
    for b in range(4):
        one_step, one_start = markov_step(table[b : b + 1], 3)
        alone = beam_search(one_step, one_start(1), reorder, 1, 3, BOS, EOS, PAD, 6)
        row = together.tokens[b]
        assert torch.equal(row[: alone.tokens.shape[1]], alone.tokens[0])
        assert (row[alone.tokens.shape[1] :] == PAD).all()
        assert together.scores[b].item() == pytest.approx(alone.scores.item())


def test_beam_search_length_penalty_decides_between_short_and_long() -> None:
    """EOS at once costs -1.0; token 3 then EOS costs -1.2 in all. With no penalty the
    short output wins; with alpha 2, -1.2 / ((5 + 2) / 6)^2 = -0.88 beats -1.0 / 1."""
    vocab = 4
    table = torch.full((1, vocab, vocab), -30.0)
    table[0, BOS, EOS], table[0, BOS, 3] = -1.0, -0.7
    table[0, 3, EOS] = -0.5
    step, start = markov_step(table, 2)
    short = beam_search(step, start(1), reorder, 1, 2, BOS, EOS, PAD, 4, length_penalty=0.0)
    long = beam_search(step, start(1), reorder, 1, 2, BOS, EOS, PAD, 4, length_penalty=2.0)
    assert short.tokens.tolist() == [[EOS]]
    assert long.tokens.tolist() == [[3, EOS]]


def test_searches_stop_at_eos_and_pad_finished_rows() -> None:
    vocab = 5
    table = torch.full((2, vocab, vocab), -20.0)
    table[0, BOS, EOS] = 0.0  # sentence 0 ends at once
    table[1, BOS, 3], table[1, 3, 4], table[1, 4, EOS] = 0.0, 0.0, 0.0  # sentence 1: 3 4 EOS
    step, start = markov_step(table, 1)
    greedy = greedy_search(step, start(2), 2, BOS, EOS, PAD, 50)
    assert greedy.tokens.tolist() == [[EOS, PAD, PAD], [3, 4, EOS]]
    step, start = markov_step(table, 3)
    beam = beam_search(step, start(2), reorder, 2, 3, BOS, EOS, PAD, 50)
    assert beam.tokens.tolist() == [[EOS, PAD, PAD], [3, 4, EOS]]
