"""`journey tag` as a learner meets it: train a tagger on a CoNLL-U file and tag text
with it, and one clear line for a mistake. The mistakes that need no process
are checked in process on the workflow (each process here costs seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import assert_one_clear_line, journey

from nlpjourney.apps.tagging import TagPredictConfig, TagTrainConfig, predict_tags, train_tagger
from nlpjourney.errors import JourneyError


@pytest.fixture(scope="module")
def small_conllu(tmp_path_factory) -> Path:
    """The first 300 sentences of UD English LinES dev, as a training file of our own."""
    from nlpjourney.data import path

    text = (path("ud_english_lines") / "en_lines-ud-dev.conllu").read_text(encoding="utf-8")
    blocks = text.split("\n\n")[:300]
    file = tmp_path_factory.mktemp("data") / "small.conllu"
    file.write_text("\n\n".join(blocks) + "\n\n", encoding="utf-8")
    return file


def test_cli_tag_trains_then_tags_text_and_conllu(tmp_path: Path, small_conllu: Path) -> None:
    trained = journey("tag", "train", "--data", str(small_conllu), "--model", "hmm", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "training a hmm tagger on 300 sentences" in trained.stdout
    assert "runs/tag-hmm/" in trained.stdout

    (tmp_path / "two.txt").write_text("The user connects to the database .\n\nShe reads it .\n")
    tagged = journey("tag", "predict", "runs/tag-hmm", "two.txt", cwd=tmp_path)
    assert tagged.returncode == 0, tagged.stderr
    lines = tagged.stdout.splitlines()
    assert (
        len(lines) == 2
        and lines[0].startswith("The/DET user/NOUN ")
        and lines[1].endswith("./PUNCT")
    )


def test_cli_tag_refuses_a_bad_model_name_in_one_line(tmp_path: Path) -> None:
    result = journey("tag", "train", "--model", "crf", cwd=tmp_path)
    assert_one_clear_line(result, "no tagger model 'crf'", "perceptron, hmm")


def test_cli_tag_workflow_fills_upos_and_keeps_the_rest(tmp_path: Path, small_conllu: Path) -> None:
    from nlpjourney.parsing.conllu import read_conllu

    config = TagTrainConfig(str(small_conllu), "perceptron", out_dir=tmp_path / "model", n_iter=2)
    result = train_tagger(config, echo=lambda line: None)
    assert result.accuracy is None and result.n_train_sentences == 300
    text = predict_tags(TagPredictConfig(result.folder, small_conllu), echo=lambda line: None)
    before, after = read_conllu(small_conllu), read_conllu(text)
    assert [s.forms for s in after] == [s.forms for s in before]
    assert [s.heads for s in after] == [s.heads for s in before]
    agree = sum(
        a == b
        for s, t in zip(before, after, strict=True)
        for a, b in zip(s.upos, t.upos, strict=True)
    )
    assert agree / sum(map(len, before)) > 0.9  # tagging its own training data
    with pytest.raises(JourneyError, match="already holds a saved model"):
        train_tagger(config, echo=lambda line: None)
    out = tmp_path / "out.conllu"
    predict_tags(TagPredictConfig(result.folder, small_conllu, out=out), echo=lambda line: None)
    assert read_conllu(out)[0].forms == before[0].forms
    with pytest.raises(JourneyError, match="already exists; add --force"):
        predict_tags(TagPredictConfig(result.folder, small_conllu, out=out))


def test_cli_tag_workflow_errors_are_clear(tmp_path: Path, small_conllu: Path) -> None:
    with pytest.raises(JourneyError, match="no such file"):
        train_tagger(TagTrainConfig(str(tmp_path / "missing.conllu"), out_dir=tmp_path / "m"))
    (tmp_path / "empty.txt").write_text("\n\n")
    (tmp_path / "not-a-model").mkdir()
    with pytest.raises(JourneyError, match="not a saved tagger"):
        predict_tags(TagPredictConfig(tmp_path / "not-a-model", tmp_path / "empty.txt"))
    with pytest.raises(JourneyError, match="no such file"):
        predict_tags(TagPredictConfig(tmp_path / "not-a-model", tmp_path / "nothing.txt"))
    with pytest.raises(JourneyError, match="neither a dataset"):
        TagTrainConfig("brown")
