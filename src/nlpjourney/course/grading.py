"""``journey check``: grade a learner's exercise file with the topic's checks.

The checks run in a subprocess (so a learner's infinite loop or crash cannot take the
command down) under a time limit, through the pytest plugin in
:mod:`nlpjourney.course.checking`, and come back as one result per check.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nlpjourney.course.topics import Topic
from nlpjourney.errors import WorkspaceError

DEFAULT_TIMEOUT = 120


@dataclass(frozen=True)
class CheckResult:
    name: str
    title: str
    hint: str
    passed: bool
    message: str


@dataclass
class CheckReport:
    """All check results of one run; ``problem`` says why the run itself failed."""

    topic: str
    results: list[CheckResult] = field(default_factory=list)
    problem: str = ""
    seed: int = 0

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def ok(self) -> bool:
        return not self.problem and self.total > 0 and self.passed == self.total


def checks_file(topic: Topic) -> Path:
    file = topic.exercise_dir / "checks.py"
    if not file.is_file():
        raise WorkspaceError(f"topic {topic.id} has no exercise yet; `journey` shows which do.")
    return file


def new_seed() -> int:
    """A fresh seed for a grading run, short enough to type back after ``--seed``."""
    return secrets.randbelow(1_000_000)


def run_checks(
    topic: Topic,
    exercise: Path | None,
    timeout: int = DEFAULT_TIMEOUT,
    seed: int | None = None,
) -> CheckReport:
    """Run the topic's checks against ``exercise`` (None: the library's reference).

    ``seed`` seeds the checks' fresh random inputs (None: a new one, kept in the report).

    Raises:
        MissingExtraError: pytest, part of the ``course`` extra, is not installed.
    """
    # Imported here: the plugin needs pytest (the course extra), and every other
    # `journey` command runs without it.
    from nlpjourney.course.checking import REFERENCE

    checks = checks_file(topic)
    report = CheckReport(topic.id, seed=new_seed() if seed is None else seed)
    with tempfile.TemporaryDirectory(prefix="journey-check-") as tmp:
        results_file = Path(tmp) / "results.json"
        (Path(tmp) / "pytest.ini").write_text("[pytest]\n")
        command = [
            sys.executable, "-m", "pytest", str(checks),
            "-p", "nlpjourney.course.checking",
            "--exercise", str(exercise.resolve()) if exercise else REFERENCE,
            "--results-json", str(results_file),
            "--seed", str(report.seed),
            "-c", str(Path(tmp) / "pytest.ini"), "--rootdir", tmp,
            "-p", "no:cacheprovider", "-q", "--no-header",
        ]  # fmt: skip
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
        output = ""
        try:
            run = subprocess.run(
                command, cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout
            )
            output = (run.stdout + run.stderr).strip()
        except subprocess.TimeoutExpired:
            report.problem = (
                f"the checks did not finish within {timeout} s: look for an endless loop, "
                "or code far slower than it needs to be."
            )
        if results_file.is_file():
            report.results = [CheckResult(**r) for r in json.loads(results_file.read_text())]
        elif not report.problem:
            last = output.splitlines()[-1] if output else "no output"
            report.problem = f"the checks could not run: {last}"
    return report
