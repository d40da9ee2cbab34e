"""The neural parser at a tiny size: it learns a small real treebank (plain Chen & Manning
features and with the BiLSTM), batched greedy decoding equals one sentence at a time,
it saves and loads exactly, draws its loss curve, and refuses bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from nlpjourney.errors import ModelFormatError
from nlpjourney.ml import NotFittedError
from nlpjourney.parsing import NeuralParser
from nlpjourney.parsing.conllu import ud_english

TINY = {
    "embedding_dim": 16,
    "tag_dim": 8,
    "hidden": 64,
    "batch_size": 8,
    "dropout": 0.0,
    "lr": 1e-2,
}


def _short(split: str, count: int, longest: int = 12) -> list:
    return [s for s in ud_english("lines", split) if 2 <= len(s.words) <= longest][:count]


def _uas(gold: list, parsed: list) -> float:
    right = sum(
        int(np.sum(np.array(g.heads[1:]) == np.array(p.heads[1:])))
        for g, p in zip(gold, parsed, strict=True)
    )
    return right / sum(len(g.words) for g in gold)


@pytest.fixture(scope="module")
def train() -> list:
    return _short("train", 60)


@pytest.fixture(scope="module")
def fitted(train: list) -> NeuralParser:
    torch.set_num_threads(1)
    return NeuralParser(**TINY, epochs=10, word_dropout=0.0).fit(train, progress=False)


def test_neural_learns_a_small_treebank(fitted: NeuralParser, train: list) -> None:
    assert _uas(train, fitted.parse(train)) > 0.9
    assert fitted.history_[-1]["train_loss"] < fitted.history_[0]["train_loss"] / 3


@pytest.fixture(scope="module")
def bilstm(train: list) -> NeuralParser:
    parser = NeuralParser(**{**TINY, "lstm": 16}, epochs=15, word_dropout=0.0)
    return parser.fit(train[:40], progress=False)


def test_neural_bilstm_learns_too(bilstm: NeuralParser, train: list) -> None:
    assert _uas(train[:40], bilstm.parse(train[:40])) > 0.85


@pytest.mark.parametrize("model", ["fitted", "bilstm"])
def test_neural_batched_decoding_equals_one_at_a_time(
    model: str, request: pytest.FixtureRequest
) -> None:
    parser = request.getfixturevalue(model)
    held_out = _short("dev", 30, longest=25)  # lengths differ: padding inside a batch
    together = parser.parse(held_out, batch_size=256)
    alone = parser.parse(held_out, batch_size=1)
    assert [s.heads for s in together] == [s.heads for s in alone]
    assert [s.deprels for s in together] == [s.deprels for s in alone]


def test_neural_save_load_and_loss_curve(fitted: NeuralParser, train: list, tmp_path: Path) -> None:
    fitted.save(tmp_path / "model")
    loaded = NeuralParser.load(tmp_path / "model")
    held_out = _short("dev", 20)
    assert [s.heads for s in loaded.parse(held_out)] == [s.heads for s in fitted.parse(held_out)]
    assert loaded.history_ == fitted.history_
    png = fitted.plot(tmp_path / "loss.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "model" / "model.json").write_text("{}")
    with pytest.raises(ModelFormatError, match="not an nlpjourney model"):
        NeuralParser.load(tmp_path / "model")


def test_neural_fit_with_dev_keeps_the_best_epoch(train: list, tmp_path: Path) -> None:
    parser = NeuralParser(**TINY, epochs=3).fit(
        train[:20], dev=_short("dev", 10), out_dir=tmp_path, progress=False
    )
    assert [row["epoch"] for row in parser.history_] == [1.0, 2.0, 3.0]
    assert all(0 <= row["dev_las"] <= row["dev_uas"] <= 100 for row in parser.history_)
    assert (tmp_path / "loss.png").is_file()


def test_neural_refuses_bad_input(train: list) -> None:
    with pytest.raises(NotFittedError, match="fit"):
        NeuralParser().parse(train[:1])
    with pytest.raises(ValueError, match="hidden"):
        NeuralParser(hidden=0)
    with pytest.raises(ValueError, match="lstm"):
        NeuralParser(lstm=-1)
    with pytest.raises(TypeError, match="read_conllu"):
        NeuralParser().fit([["Dogs", "bark"]])
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            NeuralParser(device="cuda", epochs=1).fit(train[:2], progress=False)
