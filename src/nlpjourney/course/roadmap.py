"""The roadmap and the learner's progress as plain data, for the web lab's progress page.

``journey progress`` and ``journey`` print the same facts as tables
(:mod:`nlpjourney.cli.course`); :func:`roadmap_progress` returns them as a dict that
JSON can carry. ``journey serve`` hands this function to the server
(:attr:`nlpjourney.serve.app.ServerSettings.progress`), since the server's package may
not import the course.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nlpjourney.course import topics, workspace
from nlpjourney.course.progress import ProgressStore

__all__ = ["roadmap_progress"]


def roadmap_progress(root: Path | None = None) -> dict[str, Any]:
    """Every area and topic, whether it has a lesson and an exercise, and the learner's check results.

    Args:
        root: the workspace (default: :func:`~nlpjourney.course.workspace.workspace_root`);
            one that does not exist yet has no results, every topic not done.

    Returns:
        ``{"workspace", "done", "total", "areas": [{"id", "title", "topics": [{"id",
        "title", "lesson", "exercise", "done", "passed", "total", "best", "attempts", "at"}]}]}``, the
        result fields None for a topic never checked.
    """
    root = workspace.workspace_root() if root is None else root
    summary = ProgressStore(root).summary() if root.is_dir() else {}
    areas = []
    for area, title in topics.AREAS.items():
        rows = []
        for topic in (t for t in topics.TOPICS if t.area == area):
            p = summary.get(topic.id)
            rows.append({
                "id": topic.id, "title": topic.title,
                # not topic.parts(): it imports every library package to find modules
                "lesson": topic.lesson_path.is_file(),
                "exercise": (topic.exercise_dir / "exercise.py").is_file(),
                "done": bool(p and p.done), "passed": p.passed if p else None,
                "total": p.total if p else None, "best": p.best if p else None,
                "attempts": p.attempts if p else 0, "at": p.at if p else None,
            })  # fmt: skip
        areas.append({"id": area, "title": title, "topics": rows})
    return {
        "workspace": str(root),
        "done": sum(p.done for p in summary.values()),
        "total": len(topics.TOPICS),
        "areas": areas,
    }
