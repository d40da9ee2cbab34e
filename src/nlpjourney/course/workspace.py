"""The learner's workspace: their copies of lessons and exercises, and their progress.

Default ``./journey-work``, or the folder named by ``JOURNEY_WORKSPACE``. One folder per
topic (``0.1-math-for-ml/lesson.ipynb`` and ``exercise.py``) and ``progress.sqlite``.
A file the learner may have edited is never overwritten: a reset first moves it aside.
Nothing is written through a symbolic link that leads out of the workspace (a dangling
one included): such a link is refused, never followed.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from nlpjourney.course.topics import TOPICS, Topic
from nlpjourney.errors import WorkspaceError

WORKSPACE_ENV = "JOURNEY_WORKSPACE"
LESSON_FILE = "lesson.ipynb"
EXERCISE_FILE = "exercise.py"


def workspace_root() -> Path:
    """The workspace folder (it may not exist yet)."""
    value = os.environ.get(WORKSPACE_ENV)
    return Path(value).expanduser() if value else Path.cwd() / "journey-work"


def topic_dir(topic: Topic, root: Path | None = None) -> Path:
    return (root or workspace_root()) / topic.name


@dataclass(frozen=True)
class Placed:
    """What happened to one file: action is "created", "unchanged", "kept" or "reset"."""

    path: Path
    action: str
    backup: Path | None = None


def check_inside(target: Path, root: Path) -> None:
    """Refuse ``target`` when a symbolic link on its way leads out of ``root``.

    Links are followed as writing would follow them, a dangling one too (``resolve``
    without ``strict``); a link that stays inside the workspace is fine, and so is a
    workspace folder that is itself a link.

    Raises:
        WorkspaceError: writing ``target`` would write outside ``root``.
    """
    inside = root.resolve()
    lands = target.resolve()
    if not lands.is_relative_to(inside):
        raise WorkspaceError(
            f"{target} is a symbolic link (or lies under one) that leads out of the "
            f"workspace, to {lands}; nothing was written. Remove the link, then run the "
            "command again."
        )


def place(target: Path, content: str, reset: bool = False, root: Path | None = None) -> Placed:
    """Write ``content`` to ``target`` unless the learner has a different file there.

    With ``reset``, a differing file is first renamed to ``<name>.bak-<timestamp>``.
    With ``root`` (the workspace), a ``target`` that a symbolic link takes out of it
    is refused (:func:`check_inside`).

    Raises:
        WorkspaceError: ``target`` leads out of ``root``.
    """
    if root is not None:
        check_inside(target, root)
    if target.is_file():
        if target.read_text(encoding="utf-8") == content:
            return Placed(target, "unchanged")
        if not reset:
            return Placed(target, "kept")
        backup = target.with_name(f"{target.name}.bak-{time.strftime('%Y%m%d-%H%M%S')}")
        target.rename(backup)
        target.write_text(content, encoding="utf-8")
        return Placed(target, "reset", backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    return Placed(target, "created")


def has_part(topic: Topic, part: str) -> bool:
    """Whether ``topic`` has its "lesson" or its "exercise" (without importing its modules,
    as :meth:`Topic.parts` does)."""
    if part == "lesson":
        return topic.lesson_path.is_file()
    folder = topic.exercise_dir
    return (folder / EXERCISE_FILE).is_file() and (folder / "checks.py").is_file()


def nearest_with(topic: Topic, part: str) -> Topic | None:
    """The roadmap topic nearest to ``topic`` that has ``part`` ("lesson", "exercise"),
    the earlier one on a tie; None when no topic has it.

    >>> from nlpjourney.course import topics
    >>> nearest_with(topics.get("2.1"), "exercise").id
    '1.6'
    """
    place_of = {t.id: i for i, t in enumerate(TOPICS)}
    here = place_of.get(topic.id, 0)
    having = [t for t in TOPICS if t.id != topic.id and has_part(t, part)]
    return min(having, key=lambda t: (abs(place_of[t.id] - here), place_of[t.id]), default=None)


def missing_part(topic: Topic, part: str) -> WorkspaceError:
    """A topic lacks its lesson or exercise: say so, and advise a command that works."""
    nearest = nearest_with(topic, part)
    advice = (
        f"the nearest topic with one is {nearest.id} ({nearest.title.split(':')[0]}): "
        f"`journey lesson {nearest.id}`; "
        if nearest
        else ""
    )
    return WorkspaceError(
        f"topic {topic.id} has no {part} yet; {advice}`journey` shows the roadmap."
    )


def install_topic(topic: Topic, reset: bool = False, root: Path | None = None) -> list[Placed]:
    """Copy the topic's lesson (as a notebook) and exercise stub into the workspace."""
    ws = root or workspace_root()
    folder = topic_dir(topic, ws)
    for name in (LESSON_FILE, EXERCISE_FILE):  # refuse before writing either
        check_inside(folder / name, ws)
    placed = []
    if topic.lesson_path.is_file():
        # Imported here: jupytext and nbformat take seconds to import, and every other
        # `journey` command starts without them.
        from nlpjourney.course.notebooks import lesson_notebook_text

        placed.append(
            place(folder / LESSON_FILE, lesson_notebook_text(topic.lesson_path), reset, ws)
        )
    stub = topic.exercise_dir / EXERCISE_FILE
    if stub.is_file():
        placed.append(place(folder / EXERCISE_FILE, stub.read_text(encoding="utf-8"), reset, ws))
    if not placed:
        raise missing_part(topic, "lesson")
    return placed


def exercise_file(topic: Topic, root: Path | None = None) -> Path:
    """The learner's exercise file for a topic, which must exist."""
    if not has_part(topic, "exercise"):
        raise missing_part(topic, "exercise")
    ws = root or workspace_root()
    file = topic_dir(topic, ws) / EXERCISE_FILE
    if not ws.is_dir():
        raise WorkspaceError(
            f"no workspace at {ws}. Run `journey lesson {topic.id}` first "
            f"(or set {WORKSPACE_ENV} to your workspace folder)."
        )
    if not file.is_file():
        raise WorkspaceError(
            f"no exercise file at {file}. Run `journey lesson {topic.id}` to get the stub."
        )
    return file
