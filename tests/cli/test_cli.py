"""The `journey` command as a learner meets it: real processes, exit codes, messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import assert_one_clear_line, journey


def test_cli_roadmap_shows_every_topic_id(roadmap_ids: list[str], tmp_path: Path) -> None:
    result = journey(env={"JOURNEY_WORKSPACE": str(tmp_path / "none")})
    assert result.returncode == 0, result.stderr
    shown = {line.split("│")[1].strip() for line in result.stdout.splitlines() if "│" in line}
    assert set(roadmap_ids) <= shown
    assert "Next: `journey lesson 0.1`" in result.stdout


def test_cli_data_list_finds_everything_in_the_mirror() -> None:
    result = journey("data", "list")
    assert result.returncode == 0
    assert "missing" not in result.stdout
    assert "tinyshakespeare" in result.stdout and "mirror" in result.stdout


def test_cli_data_verify_passes_on_the_mirror() -> None:
    result = journey("data", "verify")
    assert result.returncode == 0, result.stdout
    assert "0 mismatched, 0 missing" in result.stdout


def test_cli_missing_dataset_is_one_clear_line(tmp_path: Path) -> None:
    env = {"NLPJOURNEY_DATA_MIRROR": "", "NLPJOURNEY_CACHE": str(tmp_path / "cache")}
    result = journey("data", "path", "tinyshakespeare", env=env)
    assert_one_clear_line(result, "tinyshakespeare", "journey data fetch tinyshakespeare")


def test_cli_unknown_topic_and_dataset_are_clear(tmp_path: Path) -> None:
    assert_one_clear_line(journey("lesson", "0.99", cwd=tmp_path), "unknown topic id '0.99'")
    assert_one_clear_line(journey("data", "fetch", "tiny"), "unknown dataset 'tiny'")


def test_cli_check_without_workspace_says_how_to_start(tmp_path: Path) -> None:
    result = journey("check", "0.1", env={"JOURNEY_WORKSPACE": str(tmp_path / "nowhere")})
    assert_one_clear_line(result, "no workspace", "journey lesson 0.1")


def test_cli_corrupt_progress_is_reported_and_kept(tmp_path: Path) -> None:
    (tmp_path / "progress.sqlite").write_bytes(b"\x00garbage" * 64)
    result = journey("progress", env={"JOURNEY_WORKSPACE": str(tmp_path)})
    assert_one_clear_line(result, "progress.sqlite", "unreadable")
    assert (tmp_path / "progress.sqlite").read_bytes() == b"\x00garbage" * 64


@pytest.mark.slow
def test_cli_lesson_check_progress_journey(tmp_path: Path) -> None:
    """A learner's first topic, end to end: stub fails with hints, real code passes."""
    env = {"JOURNEY_WORKSPACE": str(tmp_path / "work")}
    result = journey("lesson", "0.1", env=env)
    assert result.returncode == 0, result.stderr
    exercise = tmp_path / "work" / "0.1-math-for-ml" / "exercise.py"
    assert exercise.is_file() and (exercise.parent / "lesson.ipynb").is_file()

    failing = journey("check", "0.1", env=env)
    assert failing.returncode == 1
    assert "✗" in failing.stdout and "hint" in failing.stdout  # "hint:" or "hint 1/3:"
    assert "0/" in failing.stdout

    exercise.write_text(solved_exercise(exercise.read_text()))
    again = journey("lesson", "0.1", env=env)
    assert "kept your edited copy" in again.stdout
    passing = journey("check", "0.1", env=env)
    assert passing.returncode == 0, passing.stdout
    assert "✗" not in passing.stdout

    progress = journey("progress", env=env)
    assert progress.returncode == 0
    assert "0.1" in progress.stdout and "✓" in progress.stdout


def solved_exercise(stub: str) -> str:
    """A learner's correct answer: the library's code, written into the file (importing
    the library, the exercise's model answer, would be refused)."""
    import nlpjourney.ml.math

    return Path(nlpjourney.ml.math.__file__).read_text()


def test_cli_check_prints_messages_as_written(tmp_path: Path) -> None:
    """Check output is plain text: "x[i]" in a message is not read as rich markup."""
    wrong = tmp_path / "exercise.py"
    wrong.write_text('def softmax(x, axis=-1):\n    raise ValueError("bad x[i] at [b]")\n')
    result = journey("check", "0.1", "--file", str(wrong), env={"JOURNEY_WORKSPACE": str(tmp_path)})
    assert result.returncode == 1
    assert "bad x[i] at [b]" in result.stdout, result.stdout


def test_cli_test_runs_one_worker_per_core_unless_asked_for_one_process() -> None:
    from nlpjourney.cli import parallel_args

    assert parallel_args([]) == ["-n", "auto", "--dist", "worksteal"]
    assert parallel_args(["-m", "not slow", "tests/text"]) == parallel_args([])
    for serial in (
        ["-s"],
        ["-n", "0"],
        ["-n4"],
        ["--numprocesses=2"],
        ["-p", "no:xdist"],
        ["--pdb"],
    ):
        assert parallel_args(["tests/text", *serial]) == [], serial


def test_cli_our_warnings_are_one_line(capsys: pytest.CaptureFixture) -> None:
    import warnings

    from nlpjourney.cli import one_line_warnings
    from nlpjourney.data import DataWarning

    before = warnings.showwarning
    try:
        one_line_warnings()
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn(
                "the mirror copy of x is damaged; using the cache's", DataWarning, stacklevel=1
            )
            warnings.warn("something of another package's", UserWarning, stacklevel=1)
    finally:
        warnings.showwarning = before
    # Ours is one line; another package's goes on to Python's own display (pytest's here).
    err = capsys.readouterr().err.splitlines()
    assert err == ["journey: warning: the mirror copy of x is damaged; using the cache's"]


@pytest.mark.slow
def test_cli_chat_once_answers_through_our_llama(tmp_path: Path) -> None:
    result = journey("chat", "--once", "What is the capital of France?", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Paris" in result.stdout


def test_cli_chat_bad_options_are_one_line(tmp_path: Path) -> None:
    assert_one_clear_line(journey("chat", "--model", "nope", "--once", "hi"), "unknown model")
    assert_one_clear_line(journey("chat", "--temperature", "-1", "--once", "hi"), "--temperature")
    assert_one_clear_line(journey("chat", "--once", " "), "--once needs a question")
