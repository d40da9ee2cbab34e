"""`journey classify train|predict` as a learner meets them: real processes on the
registry's SMS spam, and one clear line for each mistake. Each process that trains takes
a few seconds with the start-up, so those tests are marked slow; the refusals before
training are not (tests/apps/test_classify.py trains in the quick suite)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def journey(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", NLPJOURNEY_CACHE=str(cwd / "cache"))
    return subprocess.run(
        [sys.executable, "-m", "nlpjourney.cli", *args],
        capture_output=True, text=True, env=env, timeout=300, cwd=cwd,
    )  # fmt: skip


def assert_one_clear_line(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where `journey classify train sms-spam` has made runs/."""
    root = tmp_path_factory.mktemp("classify")
    result = journey("classify", "train", "sms-spam", "--model", "complement", "--ngrams", "2",
                     cwd=root)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.slow
def test_cli_classify_train_prints_report_and_writes_a_run(workdir: Path) -> None:
    run = workdir / "runs" / "classify-sms-spam"
    assert {p.name for p in run.iterdir()} == {"model", "scores.json", "confusion.png"}
    result = journey("classify", "train", "sms-spam", "--features", "tfidf", "--seed", "1",
                     "--out", "runs/tfidf", cwd=workdir)  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "precision    recall  f1-score   support" in out
    assert "weighted avg" in out and "accuracy 9" in out
    assert "top spam words: " in out and "top ham words: " in out
    assert "wrote runs/tfidf/" in out


@pytest.mark.slow
def test_cli_classify_predict_labels_texts_with_the_latest_model(workdir: Path) -> None:
    result = journey("classify", "predict", "WINNER!! Claim your FREE prize, call 09061701461",
                     "see you at home later", "--model", "runs/classify-sms-spam", cwd=workdir)  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "labels from runs/classify-sms-spam/model:"
    assert lines[1].split()[0] == "spam" and lines[2].split()[0] == "ham"
    latest = journey("classify", "predict", "ok", cwd=workdir)
    assert latest.returncode == 0 and latest.stdout.startswith("labels from runs/"), latest.stderr


def test_cli_classify_mistakes_are_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "runs" / "classify-sms-spam" / "model").mkdir(parents=True)
    assert_one_clear_line(journey("classify", "train", "sms-spam", cwd=tmp_path),
                          "already holds a trained model", "--force")  # fmt: skip
    assert_one_clear_line(journey("classify", "train", "imdb", cwd=tmp_path),
                          "unknown dataset 'imdb'", "sms-spam or movie-reviews")  # fmt: skip
    assert_one_clear_line(journey("classify", "predict", "hi", cwd=tmp_path / "runs"),
                          "journey classify train sms-spam")  # fmt: skip
    assert_one_clear_line(journey("classify", "train", "sms-spam", "--model", "svm", cwd=tmp_path),
                          "--model must be")  # fmt: skip
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.json").write_text("{")
    assert_one_clear_line(journey("classify", "predict", "hi", "--model", "broken", cwd=tmp_path),
                          "is damaged", "retrain")  # fmt: skip
