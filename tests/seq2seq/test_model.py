"""Tests for nlpjourney.seq2seq.model: the fast path equals the step loop, padding is never
read, the searches agree with each other and with the teacher-forced logits, and a tiny
model learns to reverse sequences.

Reference: the model's own step-by-step decoder (every path is held to it), and each
sentence encoded alone (for the variable-length batches).
"""

from __future__ import annotations

import pytest
import torch
from torch import Tensor
from torch.testing import assert_close

from nlpjourney.seq2seq import ATTENTIONS, CELLS, Seq2Seq, Seq2SeqConfig

TINY = Seq2SeqConfig.from_name("tiny")  # vocab 64, pad 0, bos 1, eos 2
KINDS = [(a, c) for a in ATTENTIONS for c in CELLS]


def tiny_model(seed: int = 0, **changes: object) -> Seq2Seq:
    torch.manual_seed(seed)
    return Seq2Seq(TINY.replace(**changes)).eval()


def batch() -> tuple[Tensor, Tensor]:
    src = torch.tensor([[5, 6, 7, 8, 2], [9, 10, 2, 0, 0], [11, 2, 0, 0, 0]])
    tgt_in = torch.tensor([[1, 5, 6, 7], [1, 9, 10, 0], [1, 11, 0, 0]])
    return src, tgt_in


def step_by_step(model: Seq2Seq, src: Tensor, tgt_in: Tensor) -> Tensor:
    memory, mask, state, final = model.encode(src)
    keys = model._keys(memory)
    embedded = model.embed(tgt_in)
    logits = []
    for t in range(tgt_in.shape[1]):
        step_logits, state, _ = model.step(embedded[:, t], state, memory, mask, keys, final)
        logits.append(step_logits)
    return torch.stack(logits, dim=1)


@pytest.mark.parametrize(("attention", "cell"), KINDS)
def test_model_teacher_forced_logits_equal_the_step_loop(attention: str, cell: str) -> None:
    model = tiny_model(attention=attention, cell=cell, num_layers=2)
    src, tgt_in = batch()
    logits, weights = model.decode_teacher_forced(src, tgt_in)
    assert logits.shape == (3, 4, TINY.vocab_size)
    assert_close(logits, step_by_step(model, src, tgt_in), atol=1e-5, rtol=1e-5)
    if attention == "none":
        assert weights is None
    else:  # weights over the real source positions only
        assert weights.shape == (3, 4, 5)
        assert (weights[src[:, None, :].expand_as(weights) == 0] == 0).all()
        assert_close(weights.sum(-1), torch.ones(3, 4))


@pytest.mark.parametrize(("attention", "cell"), [("bahdanau", "gru"), ("luong-general", "lstm")])
def test_model_each_sentence_decodes_as_if_alone(attention: str, cell: str) -> None:
    """Padding (in the source and the target) changes no real position's logits."""
    model = tiny_model(attention=attention, cell=cell)
    src, tgt_in = batch()
    together = model(src, tgt_in)
    for b, (s_len, t_len) in enumerate([(5, 4), (3, 3), (2, 2)]):
        alone = model(src[b : b + 1, :s_len], tgt_in[b : b + 1, :t_len])
        assert_close(together[b : b + 1, :t_len], alone, atol=1e-5, rtol=1e-5)


def test_model_gradients_reach_every_parameter() -> None:
    for attention in ATTENTIONS:
        model = tiny_model(attention=attention).train()
        src, tgt_in = batch()
        model(src, tgt_in).logsumexp(-1).mean().backward()
        for name, p in model.named_parameters():
            assert p.grad is not None and p.grad.abs().sum() > 0, (attention, name)


def test_model_teacher_forcing_ratio_feeds_its_own_predictions() -> None:
    src, tgt_in = batch()
    forced = tiny_model(teacher_forcing=1.0).train()
    sampled = tiny_model(teacher_forcing=0.0).train()
    assert_close(forced(src, tgt_in)[:, 0], sampled(src, tgt_in)[:, 0])  # same first step
    assert not torch.allclose(forced(src, tgt_in), sampled(src, tgt_in))
    # ratio 0: the reference after BOS is never read
    other = tgt_in.clone()
    other[:, 1:] = 3
    torch.manual_seed(1)
    a = sampled(src, tgt_in)
    torch.manual_seed(1)
    assert_close(a, sampled(src, other))
    # evaluation always reads the reference
    assert_close(sampled.eval()(src, tgt_in), forced.eval()(src, tgt_in))


@pytest.mark.parametrize(
    ("attention", "cell"), [("bahdanau", "gru"), ("luong-dot", "lstm"), ("none", "gru")]
)
def test_model_greedy_search_follows_its_own_argmax(attention: str, cell: str) -> None:
    model = tiny_model(attention=attention, cell=cell)
    src, _ = batch()
    result = model.search(src, beam_size=1, max_new_tokens=6)
    tokens = result.tokens
    tgt_in = torch.cat([torch.full((3, 1), TINY.bos_id), tokens[:, :-1]], dim=1)
    logits, weights = model.decode_teacher_forced(src, tgt_in)
    for b in range(3):
        row = tokens[b].tolist()
        n = row.index(TINY.eos_id) + 1 if TINY.eos_id in row else len(row)
        assert logits[b, :n].argmax(-1).tolist() == row[:n]
        if weights is not None:
            assert_close(result.extras[b, :n], weights[b, :n], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("attention", ["bahdanau", "luong-general"])
def test_model_beam_of_one_is_greedy_and_a_batch_is_each_alone(attention: str) -> None:
    model = tiny_model(attention=attention, cell="lstm")
    src, _ = batch()
    greedy = model.greedy_decode(src, 8)
    one = model.beam_search(src, 1, 8)
    assert torch.equal(one, greedy[:, : one.shape[1]])
    together = model.search(src, beam_size=3, max_new_tokens=8)
    for b, s_len in enumerate([5, 3, 2]):
        alone = model.search(src[b : b + 1, :s_len], beam_size=3, max_new_tokens=8)
        width = alone.tokens.shape[1]
        assert torch.equal(together.tokens[b, :width], alone.tokens[0])
        assert together.scores[b].item() == pytest.approx(alone.scores.item(), abs=1e-5)
        assert_close(together.extras[b, :width, :s_len], alone.extras[0], atol=1e-5, rtol=1e-5)


def test_model_config_and_input_errors_say_what_to_do() -> None:
    with pytest.raises(ValueError, match="unknown attention"):
        TINY.replace(attention="luong")
    with pytest.raises(ValueError, match="unknown cell"):
        TINY.replace(cell="rnn")
    with pytest.raises(ValueError, match="make it even"):
        TINY.replace(hidden_size=33)
    with pytest.raises(ValueError, match="teacher_forcing"):
        TINY.replace(teacher_forcing=1.5)
    with pytest.raises(ValueError, match="must differ"):
        TINY.replace(eos_id=0)
    with pytest.raises(ValueError, match="unknown Seq2SeqConfig fields"):
        Seq2SeqConfig.from_dict({"heads": 2})
    assert Seq2SeqConfig.from_dict(TINY.to_dict()) == TINY
    model = tiny_model()
    with pytest.raises(ValueError, match="token ids"):
        model(torch.randn(2, 3), torch.ones(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="beam_size"):
        model.search(torch.ones(1, 2, dtype=torch.long), beam_size=0)
    with pytest.raises(TypeError, match="Seq2SeqConfig"):
        Seq2Seq({"vocab_size": 10})


def reversal_data(n: int, seed: int) -> tuple[Tensor, Tensor, Tensor]:
    """Source: 3-6 tokens from 3..12 then EOS; target: the tokens reversed, BOS/EOS around."""
    g = torch.Generator().manual_seed(seed)
    src = torch.zeros(n, 7, dtype=torch.long)
    tgt = torch.zeros(n, 8, dtype=torch.long)
    for i in range(n):
        length = int(torch.randint(3, 7, (1,), generator=g))
        words = torch.randint(3, 13, (length,), generator=g)
        src[i, :length], src[i, length] = words, TINY.eos_id
        tgt[i, 0], tgt[i, 1 : length + 1], tgt[i, length + 1] = (
            TINY.bos_id,
            words.flip(0),
            TINY.eos_id,
        )
    return src, tgt[:, :-1], tgt[:, 1:]


@pytest.mark.slow
@pytest.mark.parametrize("attention", ["bahdanau", "luong-general"])
def test_model_learns_to_reverse_and_stops_at_eos(attention: str) -> None:
    torch.manual_seed(0)
    model = Seq2Seq(TINY.replace(attention=attention, hidden_size=64, embed_size=32))
    src, tgt_in, tgt_out = reversal_data(512, 0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for step in range(300):
        rows = torch.randint(0, 512, (64,), generator=torch.Generator().manual_seed(step))
        logits = model(src[rows], tgt_in[rows])
        loss = torch.nn.functional.cross_entropy(
            logits.transpose(1, 2), tgt_out[rows], ignore_index=0
        )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    test_src, _, test_out = reversal_data(32, 1)  # unseen sequences
    for beam_size in (1, 3):
        out = model.search(test_src, beam_size=beam_size, max_new_tokens=20).tokens
        width = test_out.shape[1]
        assert out.shape[1] <= width  # it stopped at its EOS, well before 20 tokens
        padded = torch.zeros_like(test_out)
        padded[:, : out.shape[1]] = out
        accuracy = (padded == test_out).all(dim=1).float().mean().item()
        assert accuracy >= 0.9, accuracy
