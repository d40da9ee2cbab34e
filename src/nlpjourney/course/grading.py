"""``journey check``: grade a learner's exercise file with the topic's checks.

First the learner's file is read for what the exercise forbids
(:mod:`nlpjourney.course.forbidden`); a file that uses any of it is refused and no check
runs. Then the checks run in a subprocess (so a learner's infinite loop or crash cannot
take the command down) under a time limit, through the pytest plugin in
:mod:`nlpjourney.course.checking`, and come back as one result per check; a forbidden
use caught while they ran refuses the run too.

Where the results travel, and what that protects: the grader opens a file with no name
(``tempfile.TemporaryFile``: it is in no folder, so no path reaches it) and hands its
descriptor to the checks' process, whose plugin writes the results into it at the end,
first emptying it. The grader reads nothing else: not a ``results.json`` anywhere, not
the process's output (which it reads as raw bytes, only to say why a run failed). So a
learner's file that writes a results file into the workspace or the working folder, or
prints a forged report, changes nothing, and ``journey progress`` records only what came
through the descriptor, checked for shape (garbage is a failed run, never a pass) and
against pytest's exit status (every check passed, yet pytest failed: the run does not
count). What it cannot protect: the learner's code runs inside the same Python process
as the plugin, so code written to attack the grader itself (finding the descriptor in
``/proc/self/fd``, or patching the plugin's objects) can still forge a result; reading
the file for forbidden names (``sys.modules``, importlib's loaders) closes the common
doors, not all of them. A grade is evidence of work, not proof against a determined
forger.

The checks' process is the leader of its own process group; when it ends, or its time
is up, the whole group is killed, so nothing the learner's code started keeps running.
A process that deliberately leaves the group (``setsid``) escapes this.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from nlpjourney.course import sandbox as sandboxing
from nlpjourney.course.forbidden import Use, declared, find_uses, refusal
from nlpjourney.course.topics import Topic
from nlpjourney.course.workspace import missing_part
from nlpjourney.errors import JourneyError

DEFAULT_TIMEOUT = 120
MAX_TIMEOUT = 24 * 60 * 60
MAX_SEED = 2**63 - 1
# Set in every grading run's environment, sandboxed or not.
#: The checks' process loads only the plugins its command names: pytest's autoloaded
#: plugins (hypothesis's, which imports all of hypothesis at the end, and the rest) cost
#: seconds per grading and the checks use none of them.
GRADING_ENV = {
    "PYTHONDONTWRITEBYTECODE": "1",
    "MPLBACKEND": "Agg",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
}
#: pytest's own plugins that grading turns off: they report exceptions raised where no
#: one can catch them (a ``__del__``, a thread), and to find them they run the garbage
#: collector over the whole heap at the end, which with torch loaded takes most of a
#: second. They never decide whether a check passes.
QUIET_PLUGINS = ("-p", "no:unraisableexception", "-p", "no:threadexception")


class RefusedError(JourneyError):
    """The learner's file uses what its exercise forbids; the message says what and where."""


class GradingOptionError(JourneyError, ValueError):
    """A grading option (time limit, seed) out of the range a run can use."""


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
    ``sandbox`` holds one line per protection of a ``--sandbox`` run (else empty).
    """

    topic: str
    results: list[CheckResult] = field(default_factory=list)
    problem: str = ""
    seed: int = 0
    refused: str = ""
    sandbox: list[str] = field(default_factory=list)

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


def check_options(timeout: float, seed: int) -> None:
    """Refuse a time limit or seed a grading run cannot use, saying what would do.

    Raises:
        GradingOptionError: ``timeout`` is not between 1 s and a day, or ``seed`` is
            negative or needs more than 63 bits.
    """
    if not 1 <= timeout <= MAX_TIMEOUT:
        raise GradingOptionError(
            f"--timeout {timeout:g} is out of range: give a number of seconds from 1 to "
            f"{MAX_TIMEOUT} (the default, {DEFAULT_TIMEOUT}, suits every exercise)."
        )
    if not 0 <= seed <= MAX_SEED:
        raise GradingOptionError(
            f"--seed {seed} is out of range: give a whole number from 0 to {MAX_SEED} "
            "(each run prints the seed that replays it)."
        )


def read_results(raw: bytes) -> tuple[list[CheckResult], list[Use]]:
    """The check results and forbidden uses the checks' process wrote.

    Raises:
        ValueError: ``raw`` is not the JSON the grading plugin writes; says what is wrong.
    """
    try:
        found = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"they are not JSON ({error})") from None
    if not isinstance(found, dict) or not isinstance(found.get("checks"), list):
        raise ValueError("they hold no list of checks")
    results, uses = [], []
    text = {"name", "title", "hint", "message"}
    for entry in found["checks"]:
        if (
            not isinstance(entry, dict)
            or set(entry) != text | {"passed", "hints"}
            or not all(isinstance(entry[key], str) for key in text)
            or not isinstance(entry["passed"], bool)
            or not isinstance(entry["hints"], list)
            or not all(isinstance(hint, str) for hint in entry["hints"])
        ):
            raise ValueError(f"a check's entry is malformed: {str(entry)[:80]}")
        results.append(CheckResult.from_json(entry))
    for use in found.get("forbidden_uses", []):
        try:
            uses.append(Use(**use))
        except TypeError:
            raise ValueError(f"a forbidden use is malformed: {str(use)[:80]}") from None
    return results, uses


def wait_then_end_group(process: subprocess.Popen, timeout: float) -> bool:
    """Wait up to ``timeout`` s for ``process``, then kill its whole process group.

    Any process the checks left behind (a learner's code that started a child and did
    not wait for it) is ended too, whether the checks finished in time or not.

    Returns:
        True when the checks ran out of time.
    """
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        # subtle: WNOWAIT leaves the finished leader a zombie, so its process group id
        # cannot be given to a new process before killpg below has used it.
        # (macOS has no waitid before Python 3.13: there poll reaps it, a tiny risk.)
        if (
            os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if hasattr(os, "waitid")
            else process.poll() is not None
        ):
            timed_out = False
            break
        if time.monotonic() >= deadline:
            timed_out = True
            break
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # the group is gone already
        pass
    process.wait()
    return timed_out


def run_checks(
    topic: Topic,
    exercise: Path | None,
    timeout: float = DEFAULT_TIMEOUT,
    seed: int | None = None,
    sandbox: bool = False,
) -> CheckReport:
    """Run the topic's checks against ``exercise`` (None: the library's reference).

    ``seed`` seeds the checks' fresh random inputs (None: a new one, kept in the report).
    A learner's file that uses what the exercise forbids comes back ``refused``: before
    any check runs when reading the file shows it, after them when the guard caught it.
    With ``sandbox`` the checks run under :mod:`nlpjourney.course.sandbox` (Linux only);
    ``report.sandbox`` then says what it protected.

    Raises:
        MissingExtraError: pytest, part of the ``course`` extra, is not installed.
        GradingOptionError: ``timeout`` or ``seed`` out of range (:func:`check_options`).
        SandboxError: ``sandbox`` asked for where it cannot be set up.
    """
    # Imported here: the plugin needs pytest (the course extra), and every other
    # `journey` command runs without it.
    from nlpjourney.course.checking import REFERENCE

    checks = checks_file(topic)
    report = CheckReport(topic.id, seed=new_seed() if seed is None else seed)
    check_options(timeout, report.seed)
    if exercise is not None:
        report.refused = forbidden_use(topic, exercise)
        if report.refused:
            return report
    with (
        tempfile.TemporaryDirectory(prefix="journey-check-") as tmp,
        # No name in any folder: nothing can open these by path. The results travel
        # through a descriptor the checks' process inherits (see the module docstring).
        tempfile.TemporaryFile() as results,
        tempfile.TemporaryFile() as output,
    ):
        (Path(tmp) / "pytest.ini").write_text("[pytest]\n")
        command = [
            sys.executable, "-m", "pytest", str(checks),
            "-p", "nlpjourney.course.checking",
            "--exercise", str(exercise.resolve()) if exercise else REFERENCE,
            "--results-fd", str(results.fileno()),
            "--seed", str(report.seed),
            "-c", str(Path(tmp) / "pytest.ini"), "--rootdir", tmp,
            "-p", "no:cacheprovider", "-q", "--no-header", *QUIET_PLUGINS,
        ]  # fmt: skip
        env = {**os.environ, **GRADING_ENV}
        enter = None
        if sandbox:
            plan = sandboxing.plan(Path(tmp), cpu_seconds=math.ceil(timeout) + 5)
            report.sandbox = plan.describe()
            env = {**sandboxing.environment(Path(tmp)), **GRADING_ENV}
            enter = sandboxing.enter(plan)
        try:
            process = subprocess.Popen(
                command, cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT, pass_fds=(results.fileno(),),
                start_new_session=True, preexec_fn=enter,
            )  # fmt: skip
        except subprocess.SubprocessError as error:  # the sandbox could not be entered
            raise sandboxing.SandboxError(f"the sandbox could not be set up: {error}") from None
        timed_out = wait_then_end_group(process, timeout)
        output.seek(0)
        # Raw bytes: the learner's code may print anything, valid UTF-8 or not.
        lines = output.read().decode("utf-8", errors="replace").strip().splitlines()
        results.seek(0)
        raw = results.read()
    if timed_out:
        report.problem = (
            f"the checks did not finish within {timeout:g} s: look for an endless loop, "
            "or code far slower than it needs to be."
        )
    if raw:
        try:
            report.results, uses = read_results(raw)
        except ValueError as error:
            report.results, uses = [], []
            report.problem = (
                f"the checks' results could not be read: {error}; the run does not count."
            )
        if uses:
            report.refused = refusal(uses[0], topic.id)
        all_passed = report.results and all(r.passed for r in report.results)
        if all_passed and process.returncode != 0 and not report.problem:
            report.problem = (
                f"the checks' process ended with exit status {process.returncode} although "
                "every check passed; the run does not count."
            )
    elif not report.problem:
        report.problem = f"the checks could not run: {lines[-1] if lines else 'no output'}"
    return report
