"""Tests for nlpjourney.rnn.layers: RNN, LSTM and GRU equal torch's layers with the same
weights, on outputs, final states and every gradient (input, initial states, each
parameter), across layers, directions, ``batch_first``, initial states given or not and
variable lengths (by ``lengths=``, ``mask=`` and ``PackedSequence``, against torch's packed
sequences); the fused path equals the readable one; bad input raises a clear ValueError.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
from torch.testing import assert_close

from nlpjourney.rnn import GRU, LSTM, RNN, lengths_from_mask

#: Outputs and gradients to 1e-6 in float32 and 1e-12 in float64 (the issue's bar).
TOLERANCE = {torch.float32: {"rtol": 1e-6, "atol": 1e-6}, torch.float64: {"rtol": 0, "atol": 1e-12}}
KINDS = ["lstm", "gru", "rnn_tanh", "rnn_relu"]
INPUT, HIDDEN, TIME, BATCH = 3, 4, 5, 3


def make(kind: str, **options) -> tuple[nn.Module, nn.Module]:
    """Our layer and torch's with the same arguments; torch's loads our weights."""
    ours_class, theirs_class = {"lstm": (LSTM, nn.LSTM), "gru": (GRU, nn.GRU)}.get(
        kind, (RNN, nn.RNN)
    )
    extra = {"nonlinearity": kind.removeprefix("rnn_")} if kind.startswith("rnn") else {}
    fused = options.pop("fused", True)
    ours = ours_class(INPUT, HIDDEN, fused=fused, **extra, **options)
    theirs = theirs_class(INPUT, HIDDEN, **extra, **options)
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs


def run(
    module: nn.Module,
    x: torch.Tensor,
    hx: tuple[torch.Tensor, ...] | None,
    lengths: torch.Tensor | None,
    how: str,
) -> tuple[torch.Tensor, ...]:
    """(output padded to TIME, *final states); ``how`` passes the lengths: "lengths",
    "mask" or "packed" (torch's layers always get packed input)."""
    batch_first = module.batch_first
    state = None if hx is None else (hx if len(hx) == 2 else hx[0])
    if lengths is None:
        out, final = module(x, state)
    elif how == "packed" or isinstance(module, nn.RNNBase):
        packed = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
        out, final = module(packed, state)
        assert isinstance(out, PackedSequence)
        out = pad_packed_sequence(out, batch_first=batch_first, total_length=TIME)[0]
    elif how == "mask":
        mask = torch.arange(TIME)[None, :] < lengths[:, None]
        out, final = module(x, state, mask=mask)
    else:
        out, final = module(x, state, lengths=lengths)
    return (out, *(final if isinstance(final, tuple) else (final,)))


def compare(
    ours: nn.Module,
    theirs: nn.Module,
    *,
    dtype: torch.dtype = torch.float64,
    given_state: bool = True,
    lengths: torch.Tensor | None = None,
    how: str = "lengths",
    seed: int = 0,
) -> None:
    """Same outputs, final states and gradients of input, states and every parameter."""
    ours.to(dtype), theirs.to(dtype)
    gen = torch.Generator().manual_seed(seed)
    batch = BATCH if lengths is None else len(lengths)
    shape = (batch, TIME, INPUT) if ours.batch_first else (TIME, batch, INPUT)
    x = torch.randn(shape, generator=gen, dtype=dtype)
    rows = ours.num_layers * (2 if ours.bidirectional else 1)
    parts = 2 if isinstance(ours, LSTM) else 1
    hx = [torch.randn(rows, batch, HIDDEN, generator=gen, dtype=dtype) for _ in range(parts)]
    leaves = [[t.clone().requires_grad_() for t in (x, *hx)] for _ in range(2)]
    results = []
    for module, (x_in, *hx_in) in zip((ours, theirs), leaves, strict=True):
        out = run(module, x_in, tuple(hx_in) if given_state else None, lengths, how)
        # Fixed, different weights on every output element: a wrong gradient shows.
        weights = [
            torch.randn(o.shape, generator=torch.Generator().manual_seed(1), dtype=dtype)
            for o in out
        ]
        sum((o * w).sum() for o, w in zip(out, weights, strict=True)).backward()
        results.append(out)
    tol = TOLERANCE[dtype]
    for name, a, b in zip(["output", "h_n", "c_n"], *results, strict=False):
        assert_close(a, b, **tol, msg=lambda m, n=name: f"{n}: {m}")
    used = leaves[0] if given_state else leaves[0][:1]
    for name, a, b in zip(["input", "h_0", "c_0"], used, leaves[1], strict=False):
        assert_close(a.grad, b.grad, **tol, msg=lambda m, n=name: f"grad of {n}: {m}")
    theirs_params = dict(theirs.named_parameters())
    assert list(theirs_params) == [n for n, _ in ours.named_parameters()]
    for name, param in ours.named_parameters():
        assert_close(param.grad, theirs_params[name].grad, **tol, msg=lambda m, n=name: f"{n}: {m}")


@pytest.mark.parametrize("given_state", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("kind", KINDS)
def test_layers_match_torch(kind, num_layers, bidirectional, batch_first, given_state) -> None:
    ours, theirs = make(
        kind, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first
    )
    compare(ours, theirs, given_state=given_state)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("how", ["lengths", "mask", "packed"])
@pytest.mark.parametrize("kind", KINDS)
def test_layers_variable_lengths_match_torch_packed(kind, how, bidirectional, batch_first) -> None:
    ours, theirs = make(kind, num_layers=2, bidirectional=bidirectional, batch_first=batch_first)
    # Unsorted, with a full-length row, a length-1 row and a tie.
    lengths = torch.tensor([3, TIME, 1, 3])
    compare(ours, theirs, lengths=lengths, how=how)


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("kind", KINDS)
def test_layers_match_torch_in_float32(kind, fused) -> None:
    ours, theirs = make(kind, num_layers=2, bidirectional=True, fused=fused)
    compare(ours, theirs, dtype=torch.float32, lengths=torch.tensor([2, TIME, 4]))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("how", [None, "lengths", "packed"])
@pytest.mark.parametrize("kind", KINDS)
def test_layers_fused_equals_readable(kind, how, bias) -> None:
    readable, _ = make(kind, num_layers=2, bidirectional=True, bias=bias, fused=False)
    fused, _ = make(kind, num_layers=2, bidirectional=True, bias=bias, fused=True)
    fused.load_state_dict(readable.state_dict())
    compare(
        fused,
        readable,
        lengths=None if how is None else torch.tensor([4, 1, TIME]),
        how=how or "lengths",
    )


@given(
    kind=st.sampled_from(KINDS),
    fused=st.booleans(),
    num_layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    lengths=st.lists(st.integers(1, TIME), min_size=1, max_size=4),
    seed=st.integers(0, 2**16),
)
def test_layers_any_shape_and_lengths_match_torch(
    kind, fused, num_layers, bidirectional, batch_first, lengths, seed
) -> None:
    torch.manual_seed(seed)
    ours, theirs = make(
        kind,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        fused=fused,
    )
    compare(ours, theirs, lengths=torch.tensor(lengths), how="lengths", seed=seed)


def test_layers_load_state_dict_from_torch_lstm_unchanged() -> None:
    torch.manual_seed(0)
    theirs = nn.LSTM(INPUT, HIDDEN, num_layers=2, bidirectional=True, batch_first=True)
    ours = LSTM(INPUT, HIDDEN, num_layers=2, bidirectional=True, batch_first=True)
    ours.load_state_dict(theirs.state_dict())  # strict: the same keys and shapes
    x = torch.randn(2, TIME, INPUT)
    (out, (h, c)), (expected, (h_t, c_t)) = ours(x), theirs(x)
    assert_close(out, expected, rtol=1e-6, atol=1e-6)
    assert_close((h, c), (h_t, c_t), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_layers_unbatched_input_matches_torch(kind) -> None:
    ours, theirs = make(kind, num_layers=2, bidirectional=True)
    ours.double(), theirs.double()
    x = torch.randn(TIME, INPUT, dtype=torch.float64)
    rows = (4, HIDDEN)
    hx = (torch.randn(rows, dtype=torch.float64),) * (2 if kind == "lstm" else 1)
    state = hx if kind == "lstm" else hx[0]
    assert_close(ours(x, state), theirs(x, state), rtol=0, atol=1e-12)


def test_layers_dropout_between_layers_only_in_training() -> None:
    ours, theirs = make("lstm", num_layers=2, dropout=0.5)
    x = torch.randn(TIME, BATCH, INPUT)
    ours.eval(), theirs.eval()
    assert_close(ours(x)[0], theirs(x)[0], rtol=1e-6, atol=1e-6)
    ours.train()
    assert not torch.allclose(ours(x)[0], theirs(x)[0])


def test_layers_lengths_from_mask() -> None:
    mask = torch.tensor([[1, 1, 0], [1, 1, 1], [0, 0, 0]], dtype=torch.bool)
    assert lengths_from_mask(mask).tolist() == [2, 3, 0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m(torch.zeros(TIME, 2, INPUT + 1)), "input of shape"),
        (
            lambda m: m(torch.zeros(TIME, 2, INPUT), lengths=torch.tensor([TIME + 1, 2])),
            "between 0",
        ),
        (lambda m: m(torch.zeros(TIME, 2, INPUT), lengths=torch.tensor([2])), "one entry"),
        (lambda m: m(torch.zeros(TIME, 2, INPUT), lengths=torch.tensor([2.0, 1.0])), "integers"),
        (lambda m: m(torch.zeros(TIME, 2, INPUT), torch.zeros(1, 3, HIDDEN)), "initial state"),
        (lambda m: m(torch.zeros(TIME, 2, INPUT), torch.zeros(1, 2, HIDDEN + 1)), "initial state"),
        (
            lambda m: m(
                torch.zeros(TIME, 2, INPUT), mask=torch.tensor([[1, 0, 1, 0, 0], [1] * 5]).bool()
            ),
            "first steps",
        ),
        (
            lambda m: m(torch.zeros(TIME, 2, INPUT), mask=torch.ones(2, TIME + 1).bool()),
            "mask must",
        ),
        (
            lambda m: m(
                torch.zeros(TIME, 2, INPUT), lengths=torch.tensor([1, 2]), mask=torch.ones(2, TIME)
            ),
            "not both",
        ),
    ],
)
def test_layers_bad_input_raises_clear_error(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call(GRU(INPUT, HIDDEN))


def test_layers_lstm_state_must_be_a_pair() -> None:
    with pytest.raises(ValueError, match="pair"):
        LSTM(INPUT, HIDDEN)(torch.zeros(TIME, 2, INPUT), torch.zeros(1, 2, HIDDEN))


@pytest.mark.parametrize("bad", [{"num_layers": 0}, {"dropout": 1.5}, {"hidden_size": 0}])
def test_layers_bad_arguments_raise(bad) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        LSTM(**{"input_size": INPUT, "hidden_size": HIDDEN, **bad})
