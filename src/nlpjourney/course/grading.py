"""``journey check``: grade a learner's exercise file with the topic's checks.

First the learner's file is read for what the exercise forbids
(:mod:`nlpjourney.course.forbidden`); a file that uses any of it is refused and no check
runs. Then the checks run in a subprocess (so a learner's infinite loop or crash cannot
take the command down) under a time limit, through the pytest plugin in
:mod:`nlpjourney.course.checking`, and come back as one result per check; a forbidden
use caught while they ran refuses the run too.
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

from nlpjourney.course.forbidden import Use, declared, find_uses, refusal
from nlpjourney.course.topics import Topic
from nlpjourney.course.workspace import missing_part
from nlpjourney.errors import JourneyError

DEFAULT_TIMEOUT = 120


class RefusedError(JourneyError):
    """The learner's file uses what its exercise forbids; the message says what and where."""


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome; ``hints`` are its hint tiers and ``hint`` is tier 1."""

    name: str
    title: str
    hint: str
    passed: bool
    message: str
    hints: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, entry: dict) -> CheckResult:
        hints = tuple(entry.get("hints") or ([entry["hint"]] if entry.get("hint") else []))
        return cls(**{**entry, "hints": hints})


@dataclass
class CheckReport:
    """All check results of one run.

    ``refused`` is the one line saying what forbidden thing the learner's file used (then
    no check ran, or the run does not count); ``problem`` says why the run itself failed
    (a time-out, a crash). A run is ``ok`` only when neither is set and every check passed.
    """

    topic: str
    results: list[CheckResult] = field(default_factory=list)
    problem: str = ""
    seed: int = 0
    refused: str = ""

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def ok(self) -> bool:
        return (
            not self.problem and not self.refused and self.total > 0 and self.passed == self.total
        )


def checks_file(topic: Topic) -> Path:
    file = topic.exercise_dir / "checks.py"
    if not file.is_file():
        raise missing_part(topic, "exercise")
    return file


def forbidden_use(topic: Topic, exercise: Path) -> str:
    """The refusal line for the first forbidden use in ``exercise``, or "" when it has none.

    Reads the file only; nothing of it runs.
    """
    source = exercise.read_text(encoding="utf-8", errors="replace")
    uses = find_uses(source, declared(checks_file(topic)), exercise.name)
    return refusal(uses[0], topic.id) if uses else ""


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
    A learner's file that uses what the exercise forbids comes back ``refused``: before
    any check runs when reading the file shows it, after them when the guard caught it.

    Raises:
        MissingExtraError: pytest, part of the ``course`` extra, is not installed.
    """
    # Imported here: the plugin needs pytest (the course extra), and every other
    # `journey` command runs without it.
    from nlpjourney.course.checking import REFERENCE

    checks = checks_file(topic)
    report = CheckReport(topic.id, seed=new_seed() if seed is None else seed)
    if exercise is not None:
        report.refused = forbidden_use(topic, exercise)
        if report.refused:
            return report
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
            found = json.loads(results_file.read_text())
            report.results = [CheckResult.from_json(entry) for entry in found["checks"]]
            uses = [Use(**use) for use in found["forbidden_uses"]]
            if uses:
                report.refused = refusal(uses[0], topic.id)
        elif not report.problem:
            last = output.splitlines()[-1] if output else "no output"
            report.problem = f"the checks could not run: {last}"
    return report
