"""The course registry, the learner's workspace and the progress store."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from nlpjourney.course import topics, workspace
from nlpjourney.course.paths import course_root
from nlpjourney.course.progress import ProgressStore
from nlpjourney.errors import UnknownNameError, WorkspaceError


def test_topics_are_exactly_the_roadmap_ids_in_order(roadmap_ids: list[str]) -> None:
    assert len(roadmap_ids) == 48
    assert [t.id for t in topics.TOPICS] == roadmap_ids


def test_topics_unknown_id_names_close_ones() -> None:
    with pytest.raises(UnknownNameError, match="unknown topic id '0.11'.*Did you mean 0.1"):
        topics.get("0.11")


def test_topics_every_course_file_belongs_to_a_topic() -> None:
    names = {t.name for t in topics.TOPICS}
    for lesson in (course_root() / "lessons").glob("*.py"):
        assert lesson.stem in names, f"{lesson.name} is not named <id>-<slug>.py of a topic"
    for folder in (course_root() / "exercises").iterdir():
        if folder.is_dir() and not folder.name.startswith(("_", ".")):
            assert folder.name in topics.BY_ID, f"exercises/{folder.name} is not a topic id"
            assert {"exercise.py", "checks.py"} <= {p.name for p in folder.iterdir()}


def test_topics_declared_parts_exist() -> None:
    """Whatever a topic lists (modules, tests, benchmarks) must really be there."""
    for topic in topics.TOPICS:
        parts = topic.parts()
        if topic.modules:
            assert parts["library"], f"{topic.id}: a listed module is missing"
        if topic.tests:
            assert parts["tests"], f"{topic.id}: a listed test file is missing"
        if topic.benchmarks:
            assert parts["benchmark"], f"{topic.id}: a listed benchmark is missing"


def test_topics_template_topic_is_complete() -> None:
    assert all(topics.get("0.1").parts().values())


def test_workspace_place_never_overwrites_edits(tmp_path: Path) -> None:
    target = tmp_path / "topic" / "exercise.py"
    assert workspace.place(target, "stub\n").action == "created"
    assert workspace.place(target, "stub\n").action == "unchanged"
    target.write_text("my work\n")
    assert workspace.place(target, "stub\n").action == "kept"
    assert target.read_text() == "my work\n"
    placed = workspace.place(target, "stub\n", reset=True)
    assert placed.action == "reset" and target.read_text() == "stub\n"
    assert placed.backup is not None and placed.backup.read_text() == "my work\n"


def test_workspace_install_topic_writes_notebook_and_stub(learner_workspace: Path) -> None:
    topic = topics.get("0.1")
    placed = workspace.install_topic(topic)
    assert [p.action for p in placed] == ["created", "created"]
    folder = learner_workspace / topic.name
    assert (folder / "exercise.py").read_text() == (topic.exercise_dir / "exercise.py").read_text()
    assert '"nbformat": 4' in (folder / "lesson.ipynb").read_text()
    assert [p.action for p in workspace.install_topic(topic)] == ["unchanged", "unchanged"]


def test_workspace_missing_says_how_to_start(learner_workspace: Path) -> None:
    with pytest.raises(WorkspaceError, match=re.escape("journey lesson 0.1")):
        workspace.exercise_file(topics.get("0.1"))


def test_workspace_topic_without_exercise_advises_what_exists(learner_workspace: Path) -> None:
    """`journey check 4.4` must not advise `journey lesson 4.4`, which has nothing."""
    assert not workspace.has_part(topics.get("4.4"), "exercise")
    with pytest.raises(WorkspaceError) as error:
        workspace.exercise_file(topics.get("4.4"))
    message = str(error.value)
    assert "topic 4.4 has no exercise yet" in message
    assert "`journey lesson 4.3`" in message and "journey lesson 4.4" not in message
    nearest = workspace.nearest_with(topics.get("4.4"), "exercise")
    assert nearest is not None and workspace.has_part(nearest, "exercise")


def test_progress_keeps_latest_and_best(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    assert store.summary() == {}
    store.record("0.1", 2, 8, clean=False)
    store.record("0.1", 8, 8, clean=True)
    store.record("0.1", 5, 8, clean=False)
    store.record("1.2", 1, 4, clean=False)
    summary = store.summary()
    assert (summary["0.1"].passed, summary["0.1"].best, summary["0.1"].attempts) == (5, 8, 3)
    assert summary["0.1"].done and not summary["1.2"].done


def test_progress_done_only_after_a_clean_pass(tmp_path: Path) -> None:
    """Every check passed but the run had a problem: an attempt, not a pass."""
    store = ProgressStore(tmp_path)
    store.record("1.3", 8, 8, clean=False)
    assert not store.summary()["1.3"].done and store.summary()["1.3"].best == 8
    store.record("1.3", 8, 8, clean=True)
    assert store.summary()["1.3"].done
    with pytest.raises(ValueError, match="a clean run passes every check"):
        store.record("1.3", 7, 8, clean=True)


def test_progress_reads_a_database_from_before_the_clean_flag(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "progress.sqlite") as old:
        old.execute("CREATE TABLE checks (topic TEXT, passed INTEGER, total INTEGER, at TEXT)")
        old.execute("INSERT INTO checks VALUES ('0.1', 4, 4, '2025-01-01 10:00')")
        old.execute("INSERT INTO checks VALUES ('1.2', 2, 4, '2025-01-01 11:00')")
    old.close()
    store = ProgressStore(tmp_path)
    summary = store.summary()
    assert summary["0.1"].done and not summary["1.2"].done  # the rule of that time
    store.record("1.2", 4, 4, clean=False)
    store.record("0.1", 1, 4, clean=False)
    summary = store.summary()
    assert not summary["1.2"].done and summary["0.1"].done
    assert summary["0.1"].attempts == 2


def test_progress_remembers_the_hint_tier_per_topic_and_check(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    assert store.hint_tier("1.3", "test_idf") == 1
    store.remember_hint_tier("1.3", "test_idf", 2)
    store.remember_hint_tier("1.3", "test_idf", 3)
    assert store.hint_tier("1.3", "test_idf") == 3
    assert store.hint_tier("1.3", "test_df") == 1 and store.hint_tier("1.4", "test_idf") == 1


def test_progress_corrupt_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    garbage = b"this is not a database" * 100
    (tmp_path / "progress.sqlite").write_bytes(garbage)
    store = ProgressStore(tmp_path)
    with pytest.raises(WorkspaceError, match="unreadable.*left untouched"):
        store.summary()
    with pytest.raises(WorkspaceError):
        store.record("0.1", 1, 1, clean=True)
    assert (tmp_path / "progress.sqlite").read_bytes() == garbage
