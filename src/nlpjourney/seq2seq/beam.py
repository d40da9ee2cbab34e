"""Greedy and beam search over any decoder, given as a step function.

A decoder is anything that, given the tokens chosen so far and its own state, scores
the next token: ``step(tokens, state) -> (log_probs, state, extra)``. The searches here
never look inside the state; beam search only asks ``reorder(state, index)`` to keep the
rows of the beams that survived a step. So the recurrent decoders of
:mod:`nlpjourney.seq2seq.model` and the transformer of
:mod:`nlpjourney.models.transformer` share one search.

:func:`beam_search_step` is one step for one sentence, written to be read (exercise
3.5's reference answer)::

    candidates = scores[:, None] + log_probs      (K, V): every beam extended by every token
    best = the beam_size largest, in descending order, ties to the lower flat index
    parents, tokens = best // V, best % V

:func:`beam_search` is the same idea for a batch of sentences at once, with finished
beams and a length penalty: all candidates of a sentence are ranked by
``log p(y) / lp(|y|)``, GNMT's penalty ``lp(n) = ((5 + n) / 6) ^ alpha`` (Wu et al. 2016;
``alpha = 0`` ranks by the plain sum of log-probabilities, larger ``alpha`` favours
longer outputs). A beam that produced EOS stays in the beam, frozen: its one candidate
is itself, extended by a pad at no cost. The search stops when every beam of every
sentence has finished. With ``beam_size=1`` it is :func:`greedy_search`.

Reference: fairseq's ``sequence_generator`` and GNMT (Wu et al. 2016, eq. 14) for the
length penalty; tested by brute force over every sequence of a tiny vocabulary and
against one sentence at a time in ``tests/seq2seq/test_beam.py``.

Simplifications: candidates are ranked by their normalised score at their current
length, finished ones frozen in the beam (fairseq moves finished hypotheses to a
separate list and fills the beam with live ones); no coverage penalty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

__all__ = [
    "SearchResult",
    "beam_search",
    "beam_search_step",
    "gnmt_length_penalty",
    "greedy_search",
]

#: ``step(tokens, state) -> (log_probs, state, extra)``: ``tokens`` (N, t) are the ids so
#: far (BOS first); ``log_probs`` (N, V) score the next one; ``extra`` is None or an (N,
#: ...) tensor kept for each step (a decoder's attention weights, for pictures).
StepFn = Callable[[Tensor, Any], tuple[Tensor, Any, Tensor | None]]
#: ``reorder(state, index) -> state``: the state of rows ``index`` (the beams kept).
ReorderFn = Callable[[Any, Tensor], Any]


@dataclass
class SearchResult:
    """What a search found, per sentence.

    Attributes:
        tokens: the output ids without BOS; each row ends at its EOS and is padded after
            it: (B, T).
        scores: the sum of the chosen tokens' log-probabilities (beam search: divided by
            the length penalty of the output's length): (B,).
        extras: the step function's ``extra`` at each output step, stacked: (B, T, ...),
            or None when it gave none.
    """

    tokens: Tensor
    scores: Tensor
    extras: Tensor | None = None


def beam_search_step(
    scores: Tensor, log_probs: Tensor, beam_size: int
) -> tuple[Tensor, Tensor, Tensor]:
    """One beam search step for one sentence: the ``beam_size`` best one-token extensions.

    Args:
        scores: the cumulative log-probability of each live hypothesis.
        log_probs: each hypothesis' log-probabilities of the next token.
        beam_size: how many extensions to keep (at most ``K * V``).

    Returns:
        ``(new_scores, parents, tokens)``, best first: the extension's cumulative
        log-probability, the hypothesis it extends, and the token it adds. Equal scores
        are ordered by their index in the flattened (K, V) candidates, lower first.

    Shapes:
        scores (K,), log_probs (K, V) -> three (beam_size,) tensors.

    Example:
        >>> scores = torch.tensor([-1.0, -2.0])
        >>> log_probs = torch.log(torch.tensor([[0.5, 0.5, 0.0], [0.9, 0.1, 0.0]]))
        >>> new, parents, tokens = beam_search_step(scores, log_probs, 3)
        >>> parents.tolist(), tokens.tolist()
        ([0, 0, 1], [0, 1, 0])
    """
    if not isinstance(scores, Tensor) or scores.ndim != 1:
        raise ValueError(f"scores must be a (K,) tensor, got {getattr(scores, 'shape', scores)!r}")
    if not isinstance(log_probs, Tensor) or log_probs.ndim != 2 or len(log_probs) != len(scores):
        raise ValueError(
            f"log_probs must be (K={len(scores)}, V), got {getattr(log_probs, 'shape', log_probs)!r}"
        )
    vocab = log_probs.shape[1]
    if isinstance(beam_size, bool) or not isinstance(beam_size, int):
        raise TypeError(f"beam_size must be an int, got {beam_size!r}")
    if not 1 <= beam_size <= log_probs.numel():
        raise ValueError(
            f"beam_size must be between 1 and K*V={log_probs.numel()}, got {beam_size}"
        )
    candidates = (scores[:, None] + log_probs).reshape(-1)  # (K*V,)
    # A stable sort keeps equal candidates in index order, so ties go to the lower index.
    order = torch.sort(candidates, descending=True, stable=True).indices[:beam_size]
    return candidates[order], order // vocab, order % vocab


def gnmt_length_penalty(length: Tensor, alpha: float) -> Tensor:
    """GNMT's ``lp(n) = ((5 + n) / 6) ^ alpha``; a score is divided by it.

    >>> gnmt_length_penalty(torch.tensor([1.0, 7.0]), 1.0).tolist()
    [1.0, 2.0]
    """
    return ((5.0 + length) / 6.0) ** alpha


def _check_search(batch: int, max_new_tokens: int, beam_size: int = 1) -> None:
    for name, value in (("batch", batch), ("max_new_tokens", max_new_tokens),
                        ("beam_size", beam_size)):  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")


def _extend(history: Tensor | None, extra: Tensor | None, rows: Tensor | None) -> Tensor | None:
    """``history`` (N, t, ...) with ``extra`` (N, ...) added as step t, rows ``rows`` kept."""
    if extra is None:
        return history
    extra = extra.detach()
    if rows is not None:  # the beams kept, each with its parent's past and this step
        history = None if history is None else history[rows]
        extra = extra[rows]
    step = extra[:, None]
    return step if history is None else torch.cat([history, step], dim=1)


@torch.no_grad()
def greedy_search(
    step: StepFn,
    state: Any,
    batch: int,
    bos_id: int,
    eos_id: int,
    pad_id: int,
    max_new_tokens: int,
    device: str | torch.device = "cpu",
) -> SearchResult:
    """Take the most likely next token at each step until every row has its EOS.

    Args:
        step: the decoder (see :data:`StepFn`); its log-probabilities may be any scores
            with the same argmax (logits).
        state: the decoder's state for the ``batch`` rows.
        batch: sentences.
        bos_id, eos_id, pad_id: the special tokens; a finished row is padded.
        max_new_tokens: the longest output.
        device: where the token ids go.

    Shapes:
        -> tokens (B, T_out), T_out <= max_new_tokens.
    """
    _check_search(batch, max_new_tokens)
    out = torch.full((batch, 1), bos_id, dtype=torch.long, device=device)
    done = torch.zeros(batch, dtype=torch.bool, device=device)
    total = torch.zeros(batch, device=device)
    history = None
    for _ in range(max_new_tokens):
        scores, state, extra = step(out, state)  # (B, V)
        best, next_id = scores.float().max(dim=-1)
        total += best.masked_fill(done, 0.0)
        next_id = next_id.masked_fill(done, pad_id)  # finished rows only pad
        out = torch.cat([out, next_id[:, None]], dim=1)
        history = _extend(history, extra, None)
        done |= next_id == eos_id
        if bool(done.all()):
            break
    return SearchResult(out[:, 1:], total, history)


@torch.no_grad()
def beam_search(
    step: StepFn,
    state: Any,
    reorder: ReorderFn,
    batch: int,
    beam_size: int,
    bos_id: int,
    eos_id: int,
    pad_id: int,
    max_new_tokens: int,
    length_penalty: float = 0.6,
    device: str | torch.device = "cpu",
) -> SearchResult:
    """Keep the ``beam_size`` best partial outputs of each sentence (the module's docstring).

    Beams are rows: sentence ``b``'s beams are rows ``b * K .. b * K + K - 1``, so
    ``state`` must already hold ``batch * beam_size`` rows (repeat each sentence's
    encoder output ``beam_size`` times, ``repeat_interleave``).

    Args:
        step: the decoder (see :data:`StepFn`); it must return log-probabilities.
        state: the decoder's state for the ``batch * beam_size`` rows.
        reorder: keeps rows of the state (see :data:`ReorderFn`); it may work in place.
        batch: sentences.
        beam_size: beams per sentence, K.
        bos_id, eos_id, pad_id: the special tokens.
        max_new_tokens: the longest output.
        length_penalty: alpha of :func:`gnmt_length_penalty` (0: none).
        device: where the token ids go.

    Returns:
        The best beam of each sentence, with its normalised score.

    Shapes:
        -> tokens (B, T_out), scores (B,), extras (B, T_out, ...).
    """
    _check_search(batch, max_new_tokens, beam_size)
    if not isinstance(length_penalty, int | float) or isinstance(length_penalty, bool):
        raise TypeError(f"length_penalty must be a number, got {length_penalty!r}")
    alpha, k = float(length_penalty), beam_size
    tokens = torch.full((batch * k, 1), bos_id, dtype=torch.long, device=device)
    # Only beam 0 is live at the start, so the first step's k picks differ.
    scores = torch.full((batch, k), float("-inf"), device=device)
    scores[:, 0] = 0.0
    scores = scores.view(-1)  # (B*k,) sum of log-probabilities
    lengths = torch.zeros(batch * k, device=device)  # tokens so far, EOS included
    done = torch.zeros(batch * k, dtype=torch.bool, device=device)
    offsets = torch.arange(batch, device=device)[:, None] * k
    history = None
    for _ in range(max_new_tokens):
        logp, state, extra = step(tokens, state)
        logp = logp.float()  # (B*k, V)
        vocab = logp.shape[-1]
        # A finished beam has one candidate: itself, extended by a pad at no cost.
        frozen = torch.full_like(logp, float("-inf"))
        frozen[:, pad_id] = 0.0
        logp = torch.where(done[:, None], frozen, logp)
        total = scores[:, None] + logp  # (B*k, V)
        new_len = torch.where(done, lengths, lengths + 1)[:, None]  # (B*k, 1)
        ranked = (total / gnmt_length_penalty(new_len, alpha)).view(batch, k * vocab)
        _, best = ranked.topk(k, dim=-1)  # (B, k) into each sentence's k*V candidates
        beam = (best // vocab + offsets).view(-1)  # (B*k,) the row each survivor extends
        token = (best % vocab).view(-1)
        scores = total.view(-1)[beam * vocab + token]
        lengths = new_len.view(-1)[beam]
        done = done[beam] | (token == eos_id)
        tokens = torch.cat([tokens[beam], token[:, None]], dim=1)
        history = _extend(history, extra, beam)
        state = reorder(state, beam)
        if bool(done.all()):
            break
    final = (scores / gnmt_length_penalty(lengths, alpha)).view(batch, k)
    best_score, best_beam = final.max(dim=-1)  # (B,)
    rows = best_beam + offsets[:, 0]
    out = tokens[rows, 1:]
    used = (out != pad_id).any(dim=0).nonzero()
    width = int(used.max()) + 1 if used.numel() else 0  # drop columns that are all padding
    extras = None if history is None else history[rows][:, :width]
    return SearchResult(out[:, :width], best_score, extras)
