"""Every exercise is gradeable and every lesson runs.

For each exercise the untouched stub fails every check (so no check passes vacuously).
The library's reference solution passing every check through grading's reference path
(no learner file) is tested on the template topic; every exercise's model answer is
graded at a fresh seed in ``test_grader_strength.py``, which measures them all. For each
lesson: it executes top to bottom in quick mode in a fresh kernel.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from nlpjourney.course import grading, topics
from nlpjourney.course.notebooks import execute_lesson

WITH_EXERCISE = [t for t in topics.TOPICS if t.parts()["exercise"]]
WITH_LESSON = [t for t in topics.TOPICS if t.parts()["lesson"]]


def stub_functions(topic: topics.Topic) -> list[str]:
    tree = ast.parse((topic.exercise_dir / "exercise.py").read_text())
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]


def reference_module(topic: topics.Topic):
    tree = ast.parse((topic.exercise_dir / "checks.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "REFERENCE":
            return importlib.import_module(node.value.value)
    pytest.fail(f"exercises/{topic.id}/checks.py does not set REFERENCE")


def test_exercises_exist_for_the_template_topic() -> None:
    assert "0.1" in [t.id for t in WITH_EXERCISE]


@pytest.mark.parametrize("topic", [topics.get("0.1")], ids=lambda t: t.id)
def test_exercise_reference_passes_every_check(topic: topics.Topic) -> None:
    report = grading.run_checks(topic, None)
    assert report.problem == ""
    assert report.total >= 3
    assert report.ok, [r for r in report.results if not r.passed]


@pytest.mark.parametrize("topic", WITH_EXERCISE, ids=lambda t: t.id)
def test_exercise_untouched_stub_fails_every_check(topic: topics.Topic) -> None:
    report = grading.run_checks(topic, topic.exercise_dir / "exercise.py")
    assert report.total >= 3
    assert [r.name for r in report.results if r.passed] == []
    assert all(r.hint for r in report.results), "every check needs a Hint: line"


@pytest.mark.parametrize("topic", WITH_EXERCISE, ids=lambda t: t.id)
def test_exercise_stub_names_exist_in_reference(topic: topics.Topic) -> None:
    module = reference_module(topic)
    missing = [name for name in stub_functions(topic) if not hasattr(module, name)]
    assert missing == [], f"the reference {module.__name__} lacks {missing}"


def test_grading_reports_a_broken_file_per_check(tmp_path: Path) -> None:
    broken = tmp_path / "exercise.py"
    broken.write_text("def softmax(x:\n")  # a syntax error
    report = grading.run_checks(topics.get("0.1"), broken)
    assert report.total > 0 and report.passed == 0
    assert any("SyntaxError" in r.message for r in report.results)


def test_grading_time_limit_stops_an_endless_loop(tmp_path: Path) -> None:
    looping = tmp_path / "exercise.py"
    looping.write_text("while True:\n    pass\n")
    report = grading.run_checks(topics.get("0.1"), looping, timeout=5)
    assert "did not finish within 5 s" in report.problem
    assert not report.ok


@pytest.mark.slow
@pytest.mark.lesson
@pytest.mark.parametrize("topic", WITH_LESSON, ids=lambda t: t.id)
def test_lesson_runs_in_quick_mode(topic: topics.Topic, tmp_path: Path) -> None:
    # A cell may take up to a minute on a busy machine; the limit stops runaways only.
    notebook = execute_lesson(topic.lesson_path, cwd=tmp_path, quick=True, timeout=600)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
