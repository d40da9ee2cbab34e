"""Tests for nlpjourney.apps.char_rnn: the TBPTT stream, the whole-split loss, a tiny run.

The stream's chunks continue each other row by row and its state is the one the loss
stored; :func:`stream_loss` scores every prediction once whatever its chunking; a tiny
run on a slice of Tiny Shakespeare written into ``tmp_path`` lowers its loss, and a run
stopped and resumed ends with the same weights, bit for bit, as one that never stopped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney import data
from nlpjourney.apps.char_rnn import (
    META_KIND,
    CharRNNRunConfig,
    TBPTTStream,
    generate_text,
    holds_char_rnn,
    load_run,
    stream_loss,
    train_char_rnn,
)
from nlpjourney.errors import JourneyError, UnknownNameError
from nlpjourney.models import CharRNN, CharRNNConfig
from nlpjourney.train import load_checkpoint, save_checkpoint


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(8, 300),
    batch_size=st.integers(1, 5),
    bptt=st.integers(1, 9),
)
def test_char_rnn_stream_chunks_are_contiguous_rows(n: int, batch_size: int, bptt: int) -> None:
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


def test_char_rnn_stream_resumes_from_its_state_dict() -> None:
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


def test_char_rnn_stream_loss_scores_every_character_once_whatever_the_chunks() -> None:
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


@pytest.fixture
def text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The first 4,000 characters of Tiny Shakespeare, as a file in tmp_path."""
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "shakespeare.txt"
    content = data.path("tinyshakespeare").read_text(encoding="utf-8")[:4000]
    path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.slow
def test_char_rnn_training_lowers_the_loss_and_resumes_bit_for_bit(text: Path) -> None:
    def run(out: str, **options: object) -> object:
        config = CharRNNRunConfig(cell="gru", preset="tiny", text=text, max_steps=8,
                                  eval_interval=4, out_dir=text.parent / out, device="cpu",
                                  **options)  # fmt: skip
        return train_char_rnn(config)

    whole = run("whole")
    history = whole.trainer.history
    assert [row["step"] for row in history] == [0, 4, 8]
    assert history[-1]["train_loss"] < history[0]["train_loss"] - 0.2
    assert whole.val_loss is not None and whole.val_loss < history[0]["val_loss"]
    first = run("split", stop_after=4)
    assert first.val_loss is None and first.trainer.step == 4
    second = run("split", resume=True)
    assert second.trainer.step == 8
    for name, weight in whole.trainer.model.state_dict().items():
        assert torch.equal(weight, second.trainer.model.state_dict()[name]), name
    assert second.val_loss == whole.val_loss
    run_dir = text.parent / "whole"
    assert {"ckpt.pt", "metrics.csv", "loss.png"} <= {p.name for p in run_dir.iterdir()}
    assert holds_char_rnn(run_dir) and not holds_char_rnn(text.parent / "nowhere")
    model, tokenizer = load_run(run_dir)
    sample = generate_text(model, tokenizer, "ROMEO:", 20, temperature=0)
    assert sample.startswith("ROMEO:") and len(sample) == 26
    assert generate_text(model, tokenizer, "ROMEO:", 20, temperature=0) == sample


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [({"cell": "tree"}, JourneyError, "--cell must be one of lstm, gru, rnn"),
     ({"preset": "huge"}, UnknownNameError, "15min, tiny"),
     ({"text": "no/such/file.txt"}, JourneyError, "no such file"),
     ({"max_steps": 0}, JourneyError, "--max-steps must be at least 1"),
     ({"seed": -1}, JourneyError, "--seed")],
)  # fmt: skip
def test_char_rnn_run_config_says_what_is_wrong(changes: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        CharRNNRunConfig(**changes)


def test_char_rnn_load_run_says_what_is_wrong(tmp_path: Path) -> None:
    assert CharRNNRunConfig(cell="rnn", preset="tiny").run_dir == Path("runs/char-rnn-tiny")
    with pytest.raises(JourneyError, match="no run folder .*journey train char-rnn"):
        load_run(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(JourneyError, match="has no ckpt.pt"):
        load_run(tmp_path / "empty")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    rest = {"optimizer": {}, "config": {}, "step": 0, "rng": {}}  # what a checkpoint holds
    save_checkpoint(
        foreign / "ckpt.pt", {"model": {}, "meta": {"kind": "nlpjourney.models.gpt"}, **rest}
    )
    with pytest.raises(JourneyError, match="not written by journey train char-rnn"):
        load_run(foreign)
    assert not holds_char_rnn(foreign)
    forged = tmp_path / "forged"
    forged.mkdir()
    config = CharRNNConfig("lstm", 9, 4, 6, 1, 0.0)
    weights = CharRNN(config).state_dict()
    meta = {"kind": META_KIND, "model_config": config.replace(hidden_size=600).to_dict(),
            "tokenizer": {"type": "char", "chars": list("abcdefghi")}}  # fmt: skip
    save_checkpoint(forged / "ckpt.pt", {"model": weights, "meta": meta, **rest})
    assert load_checkpoint(forged / "ckpt.pt")["meta"]["kind"] == META_KIND
    with pytest.raises(JourneyError, match="describes another model than its weights"):
        load_run(forged)
