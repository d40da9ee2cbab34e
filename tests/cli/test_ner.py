"""`journey ner train|predict`: a real process trains a tiny CRF and tags a file; the
workflow's refusals and the wiring of the neural models are tested in process
(each process costs seconds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.cli import assert_one_clear_line, journey

import nlpjourney.tagging
from nlpjourney.apps.ner import (
    NerPredictConfig,
    NerRunConfig,
    predict_ner,
    read_conll_columns,
    train_ner,
)
from nlpjourney.errors import JourneyError

TRAIN = """-DOCSTART- -X- O O

Peter NNP B-NP I-PER
lives VBZ B-VP O
in IN B-PP O
Paris NNP B-NP I-LOC
. . O O

Mary NNP B-NP I-PER
visited VBD B-VP O
Berlin NNP B-NP I-LOC
. . O O

John NNP B-NP I-PER
Smith NNP I-NP I-PER
likes VBZ B-VP O
Rome NNP B-NP I-LOC
"""

DEV = """Anna NNP B-NP I-PER
lives VBZ B-VP O
in IN B-PP O
Rome NNP B-NP I-LOC
"""


def _files(folder: Path) -> tuple[Path, Path]:
    (folder / "train.conll").write_text(TRAIN)
    (folder / "dev.conll").write_text(DEV)
    return folder / "train.conll", folder / "dev.conll"


def test_ner_cli_trains_a_crf_and_tags_a_file(tmp_path: Path) -> None:
    train, dev = _files(tmp_path)
    args = ("ner", "train", "--out", "model", "--train", str(train), "--dev", str(dev))
    trained = journey(*args, "--max-iter", "30", "--c2", "0.1", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "training crf on 3 sentences (13 tokens, 3 input columns, tags IOB1)" in trained.stdout
    assert "dev entity F1: 100.00 (1 sentences)" in trained.stdout
    assert "PER" in trained.stdout and "micro avg" in trained.stdout
    assert (tmp_path / "model" / "loss.png").read_bytes().startswith(b"\x89PNG")

    tagged = journey("ner", "predict", "model", str(dev), cwd=tmp_path)
    assert tagged.returncode == 0, tagged.stderr
    # The input columns, then the prediction, in the training file's scheme (IOB1).
    assert tagged.stdout == "".join(f"{line} {line.split()[-1]}\n" for line in DEV.splitlines())

    again = journey(*args, cwd=tmp_path)
    assert_one_clear_line(again, "already holds a trained NER model", "--force")
    # --out, in process (a process costs seconds): written, then kept unless --force.
    written = NerPredictConfig(tmp_path / "model", dev, out=tmp_path / "dev.out")
    assert predict_ner(written) == tagged.stdout == (tmp_path / "dev.out").read_text()
    with pytest.raises(JourneyError, match="dev.out exists; add --force"):
        predict_ner(written)
    (tmp_path / "dev.out").write_text("old")
    predict_ner(NerPredictConfig(tmp_path / "model", dev, out=tmp_path / "dev.out", force=True))
    assert (tmp_path / "dev.out").read_text() == tagged.stdout


def test_ner_cli_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    train, _ = _files(tmp_path)
    missing = journey("ner", "train", "--out", "m", "--train", "nope.conll", cwd=tmp_path)
    assert_one_clear_line(missing, "--train nope.conll does not exist")
    no_model = journey("ner", "predict", str(tmp_path), str(train), cwd=tmp_path)
    assert_one_clear_line(no_model, "holds no ner.json", "journey ner train")


def test_ner_workflow_refusals(tmp_path: Path) -> None:
    train, dev = _files(tmp_path)
    with pytest.raises(JourneyError, match="--model must be one of crf, bilstm-crf, bert"):
        NerRunConfig(tmp_path / "m", model="hmm")
    with pytest.raises(JourneyError, match="--max-iter must be at least 1"):
        NerRunConfig(tmp_path / "m", max_iter=0)
    with pytest.raises(JourneyError, match="--dev needs --train"):
        NerRunConfig(tmp_path / "m", dev_file=dev)
    ragged = tmp_path / "ragged.conll"
    ragged.write_text("Peter NNP B-NP I-PER\nlives O\n")
    with pytest.raises(JourneyError, match="has 2 columns, the first has 4"):
        train_ner(NerRunConfig(tmp_path / "m", train_file=ragged))
    empty = tmp_path / "empty.conll"
    empty.write_text("\n-DOCSTART- -X- O O\n\n")
    with pytest.raises(JourneyError, match="holds no token"):
        read_conll_columns(empty)
    train_ner(NerRunConfig(tmp_path / "m", train_file=train, max_iter=2), echo=lambda _: None)
    words = tmp_path / "words.conll"
    words.write_text("Anna\nlives\n")
    with pytest.raises(JourneyError, match="has 1 column.*reads 3"):
        predict_ner(NerPredictConfig(tmp_path / "m", words))
    (tmp_path / "m" / "ner.json").write_text("{")
    with pytest.raises(JourneyError, match="damaged"):
        predict_ner(NerPredictConfig(tmp_path / "m", dev))


class _FakeNeural:
    """Stands in for a neural tagger: records how the workflow calls it."""

    calls: list[dict[str, Any]] = []

    def fit(self, sentences, tags, **options) -> _FakeNeural:
        self.calls.append({"sentences": sentences, "tags": tags, **options})
        self.history_ = [{"loss": 2.0, "dev": 0.5}, {"loss": 1.0, "dev": 0.6}]
        return self

    def predict(self, sentences):
        return [["O"] * len(sentence) for sentence in sentences]

    def save(self, folder: Path) -> Path:
        Path(folder).mkdir(parents=True)
        return Path(folder)

    @classmethod
    def load(cls, folder: Path) -> _FakeNeural:
        return cls()


@pytest.mark.parametrize(("model", "name"), [("bilstm-crf", "BiLSTMCRF"), ("bert", "BertTagger")])
def test_ner_workflow_dispatches_neural_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model: str, name: str
) -> None:
    # The real classes train for minutes; the workflow's part is to pass words, dev and options.
    monkeypatch.setattr(nlpjourney.tagging, name, _FakeNeural, raising=False)
    _FakeNeural.calls = []
    train, dev = _files(tmp_path)
    config = NerRunConfig(tmp_path / "m", model=model, train_file=train, dev_file=dev, epochs=2)
    result = train_ner(config, echo=lambda _: None)
    (call,) = _FakeNeural.calls
    assert call["sentences"][0] == ["Peter", "lives", "in", "Paris", "."]
    assert call["tags"][0] == ["B-PER", "O", "O", "B-LOC", "O"]  # trained in IOB2
    assert call["dev"] == ([["Anna", "lives", "in", "Rome"]], [["B-PER", "O", "O", "B-LOC"]])
    assert call["epochs"] == 2 and call["device"] == "cpu"
    assert result.f1 == 0.0
    assert (tmp_path / "m" / "loss.png").is_file()  # one point per epoch
    assert predict_ner(NerPredictConfig(tmp_path / "m", dev)).splitlines()[0].endswith("I-PER O")
