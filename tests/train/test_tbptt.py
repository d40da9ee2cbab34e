"""Tests for nlpjourney.train.tbptt: the TBPTT stream and the whole-stream loss.

The stream's chunks continue each other row by row and its state is the one the loss
stored; its state_dict resumes it exactly; :func:`stream_loss` scores every prediction
once whatever its chunking, equal to one pass over the whole text.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney.errors import JourneyError
from nlpjourney.models import CharRNN, CharRNNConfig
from nlpjourney.train import TBPTTStream, stream_loss


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(8, 300),
    batch_size=st.integers(1, 5),
    bptt=st.integers(1, 9),
)
def test_tbptt_stream_chunks_are_contiguous_rows(n: int, batch_size: int, bptt: int) -> None:
    """Row b of each chunk starts where row b of the chunk before ended, until the wrap."""
    tokens = np.arange(n)
    if (n - 1) // batch_size < bptt:
        with pytest.raises(JourneyError, match="too few"):
            TBPTTStream({"train": tokens}, batch_size, bptt, (1, 1, 3))
        return
    stream = TBPTTStream({"train": tokens}, batch_size, bptt, (1, 1, 3))
    chunks = stream.chunks["train"]
    previous = None
    for k in range(chunks + 1):
        (x, state), y = stream("train")
        stream.loss((torch.zeros(batch_size, bptt, n), state + 1), y)
        assert torch.equal(y[:, :-1], x[:, 1:])  # targets are the inputs shifted by one
        if k == chunks:  # wrapped round: the first chunk again, from a zero state
            assert torch.equal(x[:, 0], torch.arange(batch_size) * stream.length["train"])
            assert not state.any()
        elif previous is not None:
            assert torch.equal(x[:, 0], previous[:, -1])  # contiguous row by row
            assert torch.equal(state, torch.full_like(state, k))  # the state carried
        previous = y
    rows = x[:, 0]
    assert len(set(rows.tolist())) == batch_size  # the streams never overlap


def test_tbptt_stream_resumes_from_its_state_dict() -> None:
    tokens = np.arange(500) % 7
    a = TBPTTStream({"train": tokens, "val": tokens}, 3, 5, (2, 1, 4), chunks={"val": 2})
    for split in ("train", "train", "val", "val", "val"):
        (_, state), y = a(split)
        a.loss((torch.zeros(3, 5, 7), torch.randn_like(state)), y)
    assert a.position == {"train": 2, "val": 1}  # val wraps after its first 2 chunks
    b = TBPTTStream({"train": tokens, "val": tokens}, 3, 5, (2, 1, 4))
    b.load_state_dict(a.state_dict())
    (xa, sa), ya = a("train")
    (xb, sb), yb = b("train")
    assert torch.equal(xa, xb) and torch.equal(sa, sb) and torch.equal(ya, yb)
    with pytest.raises(RuntimeError, match="score each chunk"):
        a("train")  # the last chunk was never scored
    b.loss((torch.zeros(3, 5, 7), sb), yb)
    with pytest.raises(ValueError, match="split must be one of"):
        b("test")
    with pytest.raises(RuntimeError, match="without a chunk drawn"):
        b.loss((torch.zeros(3, 5, 7), sb), yb)


def test_tbptt_stream_loss_scores_every_character_once_whatever_the_chunks() -> None:
    torch.manual_seed(0)
    model = CharRNN(CharRNNConfig("lstm", 9, 4, 6, 2, 0.0)).double()
    tokens = np.random.default_rng(0).integers(0, 9, 103)
    logits, _ = model(torch.from_numpy(tokens[:-1])[None])
    one_pass = float(F.cross_entropy(logits[0].detach(), torch.from_numpy(tokens[1:])))
    assert stream_loss(model, tokens, streams=1, bptt=10) == pytest.approx(one_pass, abs=1e-12)
    by_chunks = [stream_loss(model, tokens, streams=4, bptt=b) for b in (1, 7, 100)]
    assert by_chunks == pytest.approx([by_chunks[0]] * 3, abs=1e-12)  # bptt: speed only
    # 102 predictions in 4 pieces of 25: the last 2 continue piece 4 with its state
    pieces = [tokens[i * 25 : i * 25 + 26] for i in range(3)] + [tokens[75:]]
    total = 0.0
    for piece in pieces:
        out, _ = model(torch.from_numpy(piece[:-1])[None])
        total += float(
            F.cross_entropy(out[0].detach(), torch.from_numpy(piece[1:]), reduction="sum")
        )
    assert by_chunks[0] == pytest.approx(total / 102, abs=1e-12)
    with pytest.raises(ValueError, match="no prediction"):
        stream_loss(model, tokens[:1])
