"""Tests for nlpjourney.rnn.cells: each cell equals torch's with the same weights, on the
next state and on every gradient (input, state and each parameter), in float32 and
float64, batched and unbatched, with and without bias.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from nlpjourney.rnn import GRUCell, LSTMCell, RNNCell

#: Outputs and gradients to 1e-6 in float32 and 1e-12 in float64 (the issue's bar).
TOLERANCE = {torch.float32: {"rtol": 1e-6, "atol": 1e-6}, torch.float64: {"rtol": 0, "atol": 1e-12}}

CELLS = {
    "rnn_tanh": (lambda **k: RNNCell(**k), lambda **k: nn.RNNCell(**k)),
    "rnn_relu": (
        lambda **k: RNNCell(nonlinearity="relu", **k),
        lambda **k: nn.RNNCell(nonlinearity="relu", **k),
    ),
    "lstm": (LSTMCell, nn.LSTMCell),
    "gru": (GRUCell, nn.GRUCell),
}


def flat(result: torch.Tensor | tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    return result if isinstance(result, tuple) else (result,)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("given_state", [True, False])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("kind", sorted(CELLS))
def test_cells_match_torch(kind, batched, given_state, bias, dtype) -> None:
    make_ours, make_theirs = CELLS[kind]
    torch.manual_seed(0)
    ours = make_ours(input_size=5, hidden_size=4, bias=bias, dtype=dtype)
    theirs = make_theirs(input_size=5, hidden_size=4, bias=bias, dtype=dtype)
    theirs.load_state_dict(ours.state_dict())  # our names and shapes are torch's
    batch = (3,) if batched else ()
    x = torch.randn(*batch, 5, dtype=dtype)
    states = [torch.randn(*batch, 4, dtype=dtype) for _ in range(2 if kind == "lstm" else 1)]
    leaves = (
        [t.clone().requires_grad_() for t in [x, *states]],
        [t.clone().requires_grad_() for t in [x, *states]],
    )
    results = []
    for module, (x_in, *state_in) in zip((ours, theirs), leaves, strict=True):
        hx = (tuple(state_in) if kind == "lstm" else state_in[0]) if given_state else None
        out = flat(module(x_in, hx))
        weights = [torch.linspace(-1, 1, o.numel(), dtype=dtype).view_as(o) for o in out]
        sum((o * w).sum() for o, w in zip(out, weights, strict=True)).backward()
        results.append(out)
    tol = TOLERANCE[dtype]
    for a, b in zip(*results, strict=True):
        assert_close(a, b, **tol)
    for a, b in zip(*leaves, strict=True):
        if given_state or a is leaves[0][0]:
            assert_close(a.grad, b.grad, **tol)
    theirs_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        assert_close(param.grad, theirs_params[name].grad, **tol, msg=lambda m, n=name: f"{n}: {m}")


@pytest.mark.parametrize("kind", sorted(CELLS))
def test_cells_parameters_named_and_initialised_like_torch(kind) -> None:
    make_ours, make_theirs = CELLS[kind]
    ours, theirs = (
        make_ours(input_size=7, hidden_size=16),
        make_theirs(input_size=7, hidden_size=16),
    )
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [
        (n, p.shape) for n, p in theirs.named_parameters()
    ]
    for param in ours.parameters():
        assert param.abs().max() <= 0.25  # uniform in ±1/sqrt(16)
        assert param.std() > 0.1  # and spread over that range, not zeros


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: LSTMCell(3, 2)(torch.zeros(4, 5)), "input of shape"),
        (lambda: GRUCell(3, 2)(torch.zeros(4, 3), torch.zeros(4, 3)), "state must have shape"),
        (lambda: LSTMCell(3, 2)(torch.zeros(4, 3), torch.zeros(4, 2)), "pair"),
        (lambda: RNNCell(3, 2, nonlinearity="sigmoid"), "nonlinearity"),
        (lambda: RNNCell(0, 2), "input_size"),
    ],
)
def test_cells_bad_input_raises_clear_error(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()
