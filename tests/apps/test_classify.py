"""train_classifier and classify_texts on the registry's SMS spam: the run folder's
files, the seeded split scikit-learn would take, refusals, and labelling texts with the
latest model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import train_test_split as sk_split

from nlpjourney.apps.classify import (
    ClassifyRunConfig,
    classify_texts,
    latest_model,
    load_dataset,
    train_classifier,
)
from nlpjourney.classify import SpamFilter
from nlpjourney.errors import JourneyError, UnknownNameError
from nlpjourney.evaluate import accuracy_score


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    runs = tmp_path_factory.mktemp("runs")
    lines: list[str] = []
    config = ClassifyRunConfig(features="tfidf", ngrams=2, alpha=0.1, seed=3,
                               out_dir=runs / "classify-sms-spam")  # fmt: skip
    return runs, config, train_classifier(config, echo=lines.append), lines


def test_classify_run_writes_model_scores_and_picture(trained) -> None:  # noqa: ANN001
    runs, config, result, lines = trained
    run = runs / "classify-sms-spam"
    assert {p.name for p in run.iterdir()} == {"model", "scores.json", "confusion.png"}
    assert (run / "confusion.png").read_bytes()[:4] == b"\x89PNG"
    scores = json.loads((run / "scores.json").read_text())
    assert scores["accuracy"] == result.accuracy > 0.95
    assert scores["labels"] == ["ham", "spam"]
    assert sum(map(sum, scores["confusion_matrix"])) == 1115
    assert scores["report"]["accuracy"] == pytest.approx(result.accuracy)
    assert scores["config"]["features"] == "tfidf"
    assert any(line.startswith("accuracy 9") for line in lines)
    assert any(line.startswith("top spam words: ") for line in lines)
    assert result.report in "\n".join(lines) + "\n"


def test_classify_run_uses_sklearns_split_and_its_model_reloads(trained) -> None:  # noqa: ANN001
    runs, config, result, _ = trained
    texts, labels = load_dataset("sms-spam")
    _, test_x, _, test_y = sk_split(texts, labels, test_size=0.2, random_state=3, stratify=labels)
    loaded = SpamFilter.load(runs / "classify-sms-spam" / "model")
    assert accuracy_score(test_y, loaded.predict(test_x)) == result.accuracy
    np.testing.assert_array_equal(loaded.predict_proba(test_x[:50]),
                                  result.spam_filter.predict_proba(test_x[:50]))  # fmt: skip


def test_classify_texts_uses_the_latest_model(trained) -> None:  # noqa: ANN001
    runs, _, _, _ = trained
    assert latest_model(runs) == runs / "classify-sms-spam" / "model"
    folder, labelled = classify_texts(
        ["WINNER! Claim your free prize now, call 09061701461", "ok see you at home later"],
        runs=runs,
    )
    assert folder == runs / "classify-sms-spam" / "model"
    assert [label for label, _ in labelled] == ["spam", "ham"]
    assert all(0.5 < p <= 1 for _, p in labelled)
    same, again = classify_texts(["ok"], model=runs / "classify-sms-spam")
    assert same == folder and again[0][0] == "ham"


def test_classify_refusals_are_clear(trained, tmp_path: Path) -> None:  # noqa: ANN001
    _, config, _, _ = trained
    with pytest.raises(JourneyError, match="already holds a trained model; add --force"):
        train_classifier(config, echo=lambda line: None)
    with pytest.raises(JourneyError, match="run journey classify train sms-spam first"):
        classify_texts(["hi"], runs=tmp_path)
    with pytest.raises(UnknownNameError, match="Choose sms-spam or movie-reviews"):
        ClassifyRunConfig(dataset="spam")
    with pytest.raises(JourneyError, match="--model must be"):
        ClassifyRunConfig(model="svm")
    with pytest.raises(JourneyError, match="--test-size"):
        ClassifyRunConfig(test_size=1.5)
    with pytest.raises(JourneyError, match="--alpha"):
        ClassifyRunConfig(alpha=0)
    with pytest.raises(JourneyError, match="--ngrams"):
        ClassifyRunConfig(ngrams=0)
    (tmp_path / "file").write_text("x")
    with pytest.raises(JourneyError, match="is a file"):
        train_classifier(ClassifyRunConfig(out_dir=tmp_path / "file"))
