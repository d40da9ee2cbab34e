"""``run_checks`` end to end on small made-up exercises in ``tmp_path``.

In them ``json`` plays the library's forbidden model answer and ``textwrap.dedent`` a
forbidden reference function; the checks use both themselves, as real checks use
scikit-learn or torch to compute what to expect.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from nlpjourney.course import grading
from nlpjourney.course.topics import Topic

CHECKS = '''
import json
import textwrap

REFERENCE = "html"
FORBIDDEN = ("json", "textwrap.dedent")


def test_double(ex) -> None:
    """double doubles a number.

    Hint 1: a number added to itself.
    Hint 2: two of the same number, summed.
    """
    assert json.loads("[2]") == [2]  # the checks' own imports work under the guard
    assert textwrap.dedent("  a") == "a"  # and so do the forbidden callables
    assert ex.double(2) == 4


def test_double_of_zero(ex) -> None:
    """double of zero is zero.

    Hint: nothing twice is nothing.
    """
    assert ex.double(0) == 0
'''

SEEDED = '''
REFERENCE = "html"


def test_draw(rng, seed) -> None:
    """A draw from the run's generator, shown as the message."""
    assert False, f"seed {seed} drew {rng.integers(10**12)} {rng.integers(10**12)}"
'''


@dataclass(frozen=True)
class FolderTopic(Topic):
    """A topic whose exercise lives in a folder of the test's own."""

    folder: Path = Path()

    @property
    def exercise_dir(self) -> Path:
        return self.folder


def made_up_exercise(tmp_path: Path, checks: str = CHECKS) -> FolderTopic:
    folder = tmp_path / "exercises" / "0.9"
    folder.mkdir(parents=True)
    (folder / "checks.py").write_text(textwrap.dedent(checks))
    (folder / "exercise.py").write_text("def double(x):\n    raise NotImplementedError\n")
    return FolderTopic("0.9", "made-up", "A made-up exercise", folder=folder)


def learner_file(tmp_path: Path, source: str) -> Path:
    file = tmp_path / "work" / "exercise.py"
    file.parent.mkdir(exist_ok=True)
    file.write_text(textwrap.dedent(source))
    return file


def test_grading_honest_file_passes_with_hint_tiers(tmp_path: Path) -> None:
    topic = made_up_exercise(tmp_path)
    report = grading.run_checks(topic, learner_file(tmp_path, "def double(x):\n    return x + x\n"))
    assert report.ok and report.total == 2 and not report.refused, report
    stub = grading.run_checks(topic, topic.exercise_dir / "exercise.py")
    assert stub.passed == 0 and not stub.ok
    first = stub.results[0]
    assert first.hints == ("a number added to itself.", "two of the same number, summed.")
    assert first.hint == first.hints[0]
    assert stub.results[1].hints == ("nothing twice is nothing.",)


def test_grading_refuses_a_forbidden_import_before_any_check(tmp_path: Path) -> None:
    topic = made_up_exercise(tmp_path)
    cheat = learner_file(tmp_path, "import html\n\n\ndef double(x):\n    return 2 * x\n")
    report = grading.run_checks(topic, cheat)
    assert report.results == [] and not report.ok
    assert report.refused == (
        "exercise.py line 1 uses html, which exercise 0.9 may not use: write that part yourself."
    )


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ('import importlib\n\ndef double(x):\n    importlib.import_module("js" + "on")\n'
         "    return 2 * x\n", "json"),
        pytest.param(
            'def double(x):\n    try:\n        __import__("ht" + "ml")\n    except ImportError:\n'
            "        pass\n    return 2 * x\n", "html", marks=pytest.mark.slow),
        pytest.param(
            'import textwrap\n\ndef double(x):\n    getattr(textwrap, "ded" + "ent")("  a")\n'
            "    return 2 * x\n", "textwrap.dedent", marks=pytest.mark.slow),
    ],
)  # fmt: skip
def test_grading_guard_refuses_what_reading_cannot_see(
    tmp_path: Path, source: str, name: str
) -> None:
    """A computed import or a callable fetched by name is caught while the checks run,
    even when the learner's code swallows the error."""
    topic = made_up_exercise(tmp_path)
    file = learner_file(tmp_path, source)
    assert grading.forbidden_use(topic, file) == ""
    report = grading.run_checks(topic, file)
    assert not report.ok
    assert report.refused.startswith("exercise.py line ")
    assert f"uses {name}, which exercise 0.9 may not use" in report.refused


@pytest.mark.slow
def test_grading_reference_run_is_not_guarded(tmp_path: Path) -> None:
    """The checks themselves use the forbidden names; the reference run grades html."""
    checks = CHECKS.replace("ex.double(2) == 4", "ex.escape('<') == '&lt;'").replace(
        "ex.double(0) == 0", "ex.escape('') == ''"
    )
    report = grading.run_checks(made_up_exercise(tmp_path, checks), None)
    assert report.ok, report


@pytest.mark.slow
def test_grading_seed_replays_the_draws(tmp_path: Path) -> None:
    topic = made_up_exercise(tmp_path, SEEDED)
    file = learner_file(tmp_path, "x = 1\n")

    def draw(seed: int) -> str:
        report = grading.run_checks(topic, file, seed=seed)
        assert report.seed == seed and report.total == 1
        return report.results[0].message

    first, again, other = draw(7), draw(7), draw(8)
    assert first.startswith("AssertionError: seed 7 drew ")
    assert first == again
    assert other != first and other.startswith("AssertionError: seed 8 drew ")
