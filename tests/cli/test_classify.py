"""`journey classify train|predict` as a learner meets them: real processes on the
registry's SMS spam, and one clear line for each mistake. Each process that trains takes
a few seconds with the start-up, so those tests are marked slow; the refusals before
training are not (tests/apps/test_classify.py trains in the quick suite)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.cli import assert_one_clear_line, journey


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where `journey classify train sms-spam` has made runs/."""
    root = tmp_path_factory.mktemp("classify")
    result = journey("classify", "train", "sms-spam", "--model", "complement", "--ngrams", "2",
                     cwd=root, cache=root / "cache")  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.slow
def test_cli_classify_train_prints_report_and_writes_a_run(workdir: Path) -> None:
    run = workdir / "runs" / "classify-sms-spam"
    assert {p.name for p in run.iterdir()} == {"model", "scores.json", "confusion.png"}
    result = journey("classify", "train", "sms-spam", "--features", "tfidf", "--seed", "1",
                     "--out", "runs/tfidf", cwd=workdir, cache=workdir / "cache")  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "precision    recall  f1-score   support" in out
    assert "weighted avg" in out and "accuracy 9" in out
    assert "top spam words: " in out and "top ham words: " in out
    assert "wrote runs/tfidf/" in out


@pytest.mark.slow
def test_cli_classify_predict_labels_texts_with_the_latest_model(workdir: Path) -> None:
    texts = ["WINNER!! Claim your FREE prize, call 09061701461", "see you at home later"]
    result = journey("classify", "predict", *texts, "--model", "runs/classify-sms-spam",
                     cwd=workdir, cache=workdir / "cache")  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "labels from runs/classify-sms-spam/model:"
    assert lines[1].split()[0] == "spam" and lines[2].split()[0] == "ham"
    latest = journey("classify", "predict", "ok", cwd=workdir, cache=workdir / "cache")
    assert latest.returncode == 0 and latest.stdout.startswith("labels from runs/"), latest.stderr


def test_cli_classify_mistakes_are_one_clear_line(tmp_path: Path) -> None:
    def refused(*args: str, where: Path = tmp_path) -> subprocess.CompletedProcess:
        return journey("classify", *args, cwd=where, cache=tmp_path / "cache")

    (tmp_path / "runs" / "classify-sms-spam" / "model").mkdir(parents=True)
    assert_one_clear_line(refused("train", "sms-spam"), "already holds a trained model", "--force")
    assert_one_clear_line(
        refused("train", "imdb"), "unknown dataset 'imdb'", "sms-spam or movie-reviews"
    )
    assert_one_clear_line(
        refused("predict", "hi", where=tmp_path / "runs"), "journey classify train sms-spam"
    )
    assert_one_clear_line(refused("train", "sms-spam", "--model", "svm"), "--model must be")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.json").write_text("{")
    assert_one_clear_line(refused("predict", "hi", "--model", "broken"), "is damaged", "retrain")
