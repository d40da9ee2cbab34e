"""`journey parse` as a learner meets it: one real process trains a perceptron parser on a
small CoNLL-U file, parses, scores and draws; the mistakes are checked in process through
the workflow (each process costs seconds), and one through the real entry point."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import assert_one_clear_line, journey

from nlpjourney.apps.parse import (
    ParsePredictConfig,
    ParseTrainConfig,
    evaluate_parse,
    predict_parse,
    train_parser,
)
from nlpjourney.errors import JourneyError
from nlpjourney.parsing import write_conllu
from nlpjourney.parsing.conllu import ud_english


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("treebank")
    train = [s for s in ud_english("lines", "train") if 2 <= len(s.words) <= 10][:40]
    dev = [s for s in ud_english("lines", "dev") if 2 <= len(s.words) <= 10][:5]
    paths = {"train": folder / "train.conllu", "dev": folder / "dev.conllu"}
    write_conllu(train, paths["train"])
    write_conllu(dev, paths["dev"])
    return paths


def test_cli_parse_trains_predicts_scores_and_draws(files: dict[str, Path], tmp_path: Path) -> None:
    model = tmp_path / "parser"
    trained = journey("parse", "train", "--model", "perceptron", "--data", str(files["train"]),
                      "--dev", str(files["dev"]), "--out", str(model), "--epochs", "2")  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    assert "dev UAS" in trained.stdout and (model / "model.json").is_file()
    assert (model / "scores.json").is_file()

    predicted = tmp_path / "pred.conllu"
    parsed = journey("parse", "predict", str(model), str(files["dev"]), "--out", str(predicted),
                     "--draw", str(tmp_path / "trees"))  # fmt: skip
    assert parsed.returncode == 0, parsed.stderr
    assert predicted.read_text().count("\n\n") == 5
    assert (tmp_path / "trees" / "1.svg").read_text().lstrip().startswith("<svg")

    scores = evaluate_parse(files["dev"], predicted)  # what `journey parse eval` prints
    assert 0 <= scores["las"] <= scores["uas"] <= 100

    again = journey("parse", "predict", str(model), str(files["dev"]), "--out", str(predicted))
    assert_one_clear_line(again, "already exists", "--force")


def test_cli_parse_workflow_refuses_bad_input(files: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(JourneyError, match="--model must be one of"):
        ParseTrainConfig(model="svm")
    with pytest.raises(JourneyError, match="--epochs must be at least 1"):
        ParseTrainConfig(epochs=0)
    with pytest.raises(JourneyError, match="--lstm is for --model neural only"):
        ParseTrainConfig(model="perceptron", lstm=8)
    with pytest.raises(JourneyError, match="no such file"):
        train_parser(
            ParseTrainConfig(data=str(tmp_path / "missing.conllu"), out_dir=tmp_path / "a")
        )
    broken = tmp_path / "broken.conllu"
    broken.write_text("1\tDogs\tdog\n\n")
    with pytest.raises(JourneyError, match="not valid CoNLL-U"):
        train_parser(ParseTrainConfig(data=str(broken), out_dir=tmp_path / "b"))
    untagged = tmp_path / "untagged.conllu"
    untagged.write_text(
        "1\tDogs\t_\t_\t_\t_\t2\tnsubj\t_\t_\n2\tbark\t_\t_\t_\t_\t0\troot\t_\t_\n\n"
    )
    with pytest.raises(JourneyError, match="no UPOS tags"):
        train_parser(ParseTrainConfig(data=str(untagged), out_dir=tmp_path / "c"))
    with pytest.raises(JourneyError, match="not a saved model|no such folder"):
        predict_parse(ParsePredictConfig(tmp_path / "nothing", files["dev"]))
    with pytest.raises(JourneyError, match="no such file"):
        evaluate_parse(files["dev"], tmp_path / "missing.conllu")
    with pytest.raises(JourneyError, match="cannot compare"):
        evaluate_parse(files["dev"], files["train"])


def test_cli_parse_train_keeps_an_existing_model(files: dict[str, Path], tmp_path: Path) -> None:
    config = ParseTrainConfig(model="perceptron", data=str(files["train"]), out_dir=tmp_path,
                              epochs=1, progress=False)  # fmt: skip
    result = train_parser(config)
    assert result.dev_uas is None and result.n_train == 40
    with pytest.raises(JourneyError, match="already holds a trained parser"):
        train_parser(config)
    text = predict_parse(ParsePredictConfig(tmp_path, files["dev"]))
    assert text.count("\n\n") == 5


def test_cli_parse_predict_tags_plain_text_first(files: dict[str, Path], tmp_path: Path) -> None:
    from nlpjourney.parsing import read_conllu
    from nlpjourney.tagging import PerceptronTagger

    train = read_conllu(files["train"])
    tagger = PerceptronTagger(n_iter=2).fit([s.forms for s in train], [s.upos for s in train])
    tagger.save(tmp_path / "tagger")
    config = ParseTrainConfig(model="perceptron", data=str(files["train"]),
                              out_dir=tmp_path / "parser", epochs=1, progress=False)  # fmt: skip
    train_parser(config)
    text = tmp_path / "plain.txt"
    text.write_text("The file is open .\n\nClick the button .\n")
    parsed = read_conllu(predict_parse(ParsePredictConfig(tmp_path / "parser", text,
                                                          tagger=tmp_path / "tagger")))  # fmt: skip
    assert [s.forms for s in parsed] == [["The", "file", "is", "open", "."],
                                         ["Click", "the", "button", "."]]  # fmt: skip
    assert all(s.heads[1:].count(0) == 1 for s in parsed)
    assert [s.upos for s in parsed] == tagger.predict([s.forms for s in parsed])
    with pytest.raises(JourneyError, match="--tagger"):
        predict_parse(ParsePredictConfig(tmp_path / "parser", text))
