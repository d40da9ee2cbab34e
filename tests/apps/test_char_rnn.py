"""Tests for nlpjourney.apps.char_rnn: a tiny run, and reading it back.

(The TBPTT stream and the whole-split loss it uses are tested in tests/train/test_tbptt.py.)
A tiny
run on a slice of Tiny Shakespeare written into ``tmp_path`` lowers its loss, and a run
stopped and resumed ends with the same weights, bit for bit, as one that never stopped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from nlpjourney import data
from nlpjourney.apps.char_rnn import (
    META_KIND,
    CharRNNRunConfig,
    generate_text,
    holds_char_rnn,
    load_run,
    train_char_rnn,
)
from nlpjourney.errors import JourneyError, UnknownNameError
from nlpjourney.models import CharRNN, CharRNNConfig
from nlpjourney.train import load_checkpoint, save_checkpoint


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
