"""`journey check`, `journey lesson` and `journey progress` as a learner meets them:
refusals in one line, hint tiers, progress only after a clean pass, output that never
breaks a path or a command."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console
from support.cli import journey
from typer.testing import CliRunner

from nlpjourney.cli import app
from nlpjourney.cli import course as course_cli
from nlpjourney.course import topics
from nlpjourney.course.grading import CheckReport, CheckResult, RefusedError
from nlpjourney.course.progress import ProgressStore

CHECKS = '''
REFERENCE = "html"
FORBIDDEN = ("json",)


def test_double(ex) -> None:
    """double doubles a number.

    Hint 1: a number added to itself.
    Hint 2: two of the same number, summed.
    Hint 3: the number, and the number again.
    """
    assert ex.double(2) == 4
'''


@dataclass(frozen=True)
class FolderTopic(topics.Topic):
    """A topic whose exercise lives in a folder of the test's own."""

    folder: Path = Path()

    @property
    def exercise_dir(self) -> Path:
        return self.folder


@pytest.fixture
def made_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A made-up topic 0.9 with one check in three hint tiers; returns the learner's file."""
    folder = tmp_path / "exercises" / "0.9"
    folder.mkdir(parents=True)
    (folder / "checks.py").write_text(CHECKS)
    (folder / "exercise.py").write_text("def double(x):\n    raise NotImplementedError\n")
    topic = FolderTopic("0.9", "made-up", "A made-up exercise", folder=folder)
    real_get = topics.get
    monkeypatch.setattr(topics, "get", lambda i: topic if i == "0.9" else real_get(i))
    root = tmp_path / "work"
    monkeypatch.setenv("JOURNEY_WORKSPACE", str(root))
    exercise = root / topic.name / "exercise.py"
    exercise.parent.mkdir(parents=True)
    exercise.write_text((folder / "exercise.py").read_text())
    return exercise


def failing_report(message: str = "assert 3 == 4") -> CheckReport:
    tiers = ("a number added to itself.", "two of the same, summed.", "x and x again.")
    check = CheckResult("test_double", "double doubles.", tiers[0], False, message, tiers)
    return CheckReport("0.9", [check])


def test_course_cli_hint_shows_the_next_tier_each_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ProgressStore(tmp_path)
    shown = []
    for next_hint in (False, True, True, True, False):
        course_cli.show_results(failing_report(), store, next_hint=next_hint)
        shown.append(next(line for line in capsys.readouterr().out.splitlines() if "hint" in line))
    assert [line.strip() for line in shown] == [
        "hint 1/3: a number added to itself.",
        "hint 2/3: two of the same, summed.",
        "hint 3/3: x and x again.",
        "hint 3/3: x and x again.",  # past the last tier, the last again
        "hint 1/3: a number added to itself.",
    ]


def test_course_cli_output_never_breaks_a_path_or_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = io.StringIO()
    monkeypatch.setattr(course_cli, "console", Console(file=out, width=80, no_color=True))
    path = "/home/learner/" + "a-rather-long-folder-name/" * 4 + "1.3-features/exercise.py"
    course_cli.say(f"Checking {path} with seed 12 (`journey check 1.3 --seed 12` replays it) ...")
    course_cli.show_results(failing_report(f"could not open {path} for x[i]"), None, False)
    text = out.getvalue()
    assert path in text and "`journey check 1.3 --seed 12`" in text and "x[i]" in text
    # Prose still wraps, between words.
    assert all(len(line) <= 80 for line in text.splitlines() if path not in line)


def test_course_cli_refuses_a_forbidden_import_in_one_line(made_up: Path) -> None:
    made_up.write_text("import json\n\n\ndef double(x):\n    return json.loads(str(2 * x))\n")
    result = CliRunner().invoke(app, ["check", "0.9"])
    assert result.exit_code == 1 and isinstance(result.exception, RefusedError)
    assert str(result.exception) == (
        "exercise.py line 1 uses json, which exercise 0.9 may not use: write that part yourself."
    )
    assert result.stdout == ""  # no check ran
    assert ProgressStore(made_up.parents[1]).summary() == {}  # and nothing was recorded


@pytest.mark.slow
def test_course_cli_progress_counts_only_a_clean_pass(made_up: Path) -> None:
    runner = CliRunner()
    failing = runner.invoke(app, ["check", "0.9"])
    assert failing.exit_code == 1 and "hint 1/3: a number added to itself." in failing.stdout
    assert "journey check 0.9 --hint" in failing.stdout
    made_up.write_text("import importlib\n\n\ndef double(x):\n    importlib.import_module('js' + 'on')\n    return 2 * x\n")  # fmt: skip
    refused = runner.invoke(app, ["check", "0.9"])
    assert refused.exit_code == 1 and "uses json" in str(refused.exception)
    summary = ProgressStore(made_up.parents[1]).summary()
    assert summary["0.9"].attempts == 1 and not summary["0.9"].done  # the refusal is not kept
    made_up.write_text("def double(x):\n    return x + x\n")
    passing = runner.invoke(app, ["check", "0.9"])
    assert passing.exit_code == 0, passing.stdout
    assert "Topic 0.9 done." in passing.stdout
    summary = ProgressStore(made_up.parents[1]).summary()
    assert summary["0.9"].attempts == 2 and summary["0.9"].done


@pytest.mark.slow
def test_course_cli_lesson_at_80_columns_keeps_paths_whole(tmp_path: Path) -> None:
    root = tmp_path / ("a-workspace-with-a-name-long-enough-to-need-wrapping-" * 2)
    result = journey("lesson", "0.1", env={"JOURNEY_WORKSPACE": str(root), "COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    folder = root / topics.get("0.1").name
    for path in (folder / "lesson.ipynb", folder / "exercise.py"):
        assert str(path) in result.stdout, result.stdout
    assert f"uv run jupyter lab {folder / 'lesson.ipynb'}" in result.stdout
    assert "journey check 0.1" in result.stdout


def test_course_cli_check_topic_without_exercise_advises_one_that_has(tmp_path: Path) -> None:
    result = journey("check", "4.4", env={"JOURNEY_WORKSPACE": str(tmp_path)})
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "topic 4.4 has no exercise yet" in line and "`journey lesson 4.3`" in line
    assert "journey lesson 4.4" not in line


def test_course_cli_check_hint_option_is_documented() -> None:
    result = CliRunner().invoke(app, ["check", "--help"], env={"COLUMNS": "120"})
    assert "--hint" in result.stdout and "--seed" in result.stdout
