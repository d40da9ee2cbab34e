"""Tests for nlpjourney.models.char_rnn: shapes, torch parity, state carrying, sampling.

Parity: a CharRNN equals the same layout built from torch's own ``nn.Embedding``,
``nn.LSTM``/``GRU``/``RNN`` and ``nn.Linear`` with the same weights, on logits, final
state and every gradient. Property: reading a text in chunks with the state carried
gives the logits of reading it at once. Sampling carries the state, and equals sampling
that recomputes the whole prefix every step.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney.apps import char_rnn as app
from nlpjourney.models import CharRNN, CharRNNConfig
from nlpjourney.models.char_rnn import CELLS, PRESETS

TORCH_LAYERS = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}


def small(cell: str, embedding_dim: int = 5, layers: int = 2) -> CharRNNConfig:
    return CharRNNConfig(cell, 11, embedding_dim, 7, layers, 0.0)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("embedding_dim", [0, 5])
def test_char_rnn_shapes(cell: str, embedding_dim: int) -> None:
    model = CharRNN(small(cell, embedding_dim))
    idx = torch.randint(0, 11, (3, 4))
    logits, state = model(idx)
    assert logits.shape == (3, 4, 11)
    assert state.shape == (2 if cell == "lstm" else 1, 2, 3, 7)
    assert torch.equal(model.initial_state(3), torch.zeros_like(state))
    logits2, state2 = model(idx, state)  # the state goes back in as it came out
    assert logits2.shape == logits.shape and state2.shape == state.shape


@pytest.mark.parametrize("cell", CELLS)
def test_char_rnn_equals_torch_layers_values_and_gradients(cell: str) -> None:
    torch.manual_seed(0)
    config = small(cell)
    ours = CharRNN(config).double()
    embed = torch.nn.Embedding(11, 5).double()
    layer = TORCH_LAYERS[cell](5, 7, 2, batch_first=True).double()
    head = torch.nn.Linear(7, 11).double()
    embed.load_state_dict(ours.embed.state_dict())
    layer.load_state_dict(ours.rnn.state_dict())  # torch's names: a key-by-key copy
    head.load_state_dict(ours.head.state_dict())
    idx = torch.randint(0, 11, (3, 6))
    start = torch.randn(config.state_size, 2, 3, 7, dtype=torch.float64)
    logits, state = ours(idx, start)
    hx = (start[0], start[1]) if cell == "lstm" else start[0]
    out, last = layer(embed(idx), hx)
    expected_state = torch.stack(last) if cell == "lstm" else last[None]
    expected = head(out)
    torch.testing.assert_close(logits, expected, rtol=0, atol=1e-12)
    torch.testing.assert_close(state, expected_state, rtol=0, atol=1e-12)
    weights = torch.randn_like(expected)
    (logits * weights).sum().backward()
    (expected * weights).sum().backward()
    for name, p in ours.rnn.named_parameters():
        torch.testing.assert_close(p.grad, dict(layer.named_parameters())[name].grad,
                                   rtol=0, atol=1e-10)  # fmt: skip
    torch.testing.assert_close(ours.embed.weight.grad, embed.weight.grad, rtol=0, atol=1e-10)
    torch.testing.assert_close(ours.head.weight.grad, head.weight.grad, rtol=0, atol=1e-10)


def test_char_rnn_one_hot_input_is_the_identity_embedding() -> None:
    torch.manual_seed(1)
    one_hot = CharRNN(small("gru", embedding_dim=0, layers=1))
    assert one_hot.embed is None and one_hot.rnn.input_size == 11
    idx = torch.randint(0, 11, (2, 5))
    out, _ = one_hot.rnn(F.one_hot(idx, 11).float())
    torch.testing.assert_close(one_hot(idx)[0], one_hot.head(out))


@settings(max_examples=12, deadline=None)
@given(
    cell=st.sampled_from(CELLS),
    length=st.integers(2, 12),
    data=st.data(),
)
def test_char_rnn_carried_state_equals_one_pass(
    cell: str, length: int, data: st.DataObject
) -> None:
    """Chunks read with the state carried give the logits and state of the whole text."""
    torch.manual_seed(length)
    model = CharRNN(small(cell)).double()
    idx = torch.randint(0, 11, (2, length))
    cuts = sorted(data.draw(st.sets(st.integers(1, length - 1), max_size=3)))
    whole, whole_state = model(idx)
    pieces, state = [], None
    for a, b in zip([0, *cuts], [*cuts, length], strict=True):
        logits, state = model(idx[:, a:b], state)
        pieces.append(logits)
    torch.testing.assert_close(torch.cat(pieces, dim=1), whole, rtol=0, atol=1e-12)
    torch.testing.assert_close(state, whole_state, rtol=0, atol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
def test_char_rnn_generate_carries_the_state_as_recomputation_would(cell: str) -> None:
    torch.manual_seed(2)
    model = CharRNN(small(cell)).double()
    prompt = torch.randint(0, 11, (2, 3))
    greedy = model.generate(prompt, 8, temperature=0)
    assert greedy.shape == (2, 11) and torch.equal(greedy[:, :3], prompt)
    tokens = prompt
    for _ in range(8):  # recompute the whole prefix each step: the slow, obvious way
        next_id = model(tokens)[0][:, -1].argmax(-1, keepdim=True)
        tokens = torch.cat([tokens, next_id], dim=1)
    assert torch.equal(greedy, tokens)
    assert torch.equal(model.generate(prompt, 8, temperature=0), greedy)  # no randomness


def test_char_rnn_generate_is_repeatable_by_seed_and_top_k_limits_it() -> None:
    torch.manual_seed(3)
    model = CharRNN(small("lstm"))
    prompt = torch.zeros(1, 2, dtype=torch.long)

    def draw(seed: int, **options: object) -> torch.Tensor:
        return model.generate(prompt, 30, generator=torch.Generator().manual_seed(seed), **options)

    assert torch.equal(draw(5, temperature=1.0), draw(5, temperature=1.0))
    assert not torch.equal(draw(5, temperature=2.0), draw(6, temperature=2.0))
    assert torch.equal(draw(7, temperature=1.0, top_k=1), model.generate(prompt, 30, 0))
    assert model.training  # generate puts the mode back


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [({"cell": "tree"}, ValueError, "cell must be one of"),
     ({"embedding_dim": -1}, ValueError, "embedding_dim"),
     ({"hidden_size": 0}, ValueError, "hidden_size must be a positive int"),
     ({"dropout": 1.5}, ValueError, "dropout")],
)  # fmt: skip
def test_char_rnn_config_says_what_is_wrong(changes: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        CharRNNConfig(**changes)


def test_char_rnn_bad_input_says_what_is_wrong() -> None:
    model = CharRNN(small("lstm"))
    with pytest.raises(ValueError, match=r"idx must be character ids \(B, T\)"):
        model(torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="state must be a tensor of shape"):
        model(torch.zeros(2, 3, dtype=torch.long), torch.zeros(1, 2, 2, 7))
    with pytest.raises(ValueError, match="temperature"):
        model.generate(torch.zeros(1, 1, dtype=torch.long), 3, temperature=-1)
    with pytest.raises(ValueError, match="top_k"):
        model.generate(torch.zeros(1, 1, dtype=torch.long), 3, top_k=0)
    with pytest.raises(TypeError, match="CharRNNConfig"):
        CharRNN("lstm-tiny")  # type: ignore[arg-type]


def test_char_rnn_presets_and_recipes_agree() -> None:
    assert set(PRESETS) == set(app.RECIPES)  # every model preset has a recipe
    assert app.CELLS == CELLS  # the torch-free copy the command line reads
    assert {f"{cell}-{size}" for cell in CELLS for size in app.SIZES} == set(PRESETS)
    for name, config in PRESETS.items():
        assert name.startswith(config.cell + "-")
    round_trip = CharRNNConfig.from_dict(PRESETS["gru-15min"].to_dict())
    assert round_trip == PRESETS["gru-15min"]
