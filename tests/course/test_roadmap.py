"""The roadmap and progress as data (what the web lab's progress page shows)."""

from __future__ import annotations

import json
from pathlib import Path

from nlpjourney.course import TOPICS
from nlpjourney.course.progress import ProgressStore
from nlpjourney.course.roadmap import roadmap_progress


def test_roadmap_progress_marks_clean_passes_done(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    store.record("1.1", 3, 5, clean=False)
    store.record("0.1", 4, 4, clean=True)
    data = json.loads(json.dumps(roadmap_progress(tmp_path)))  # plain JSON, as served
    rows = {t["id"]: t for area in data["areas"] for t in area["topics"]}
    assert list(rows) == [t.id for t in TOPICS] and data["total"] == len(TOPICS)
    assert rows["0.1"]["done"] and rows["0.1"]["best"] == 4
    assert not rows["1.1"]["done"] and (rows["1.1"]["passed"], rows["1.1"]["total"]) == (3, 5)
    assert rows["1.2"]["attempts"] == 0 and rows["1.2"]["passed"] is None
    assert data["done"] == 1 and data["workspace"] == str(tmp_path)


def test_roadmap_progress_without_a_workspace(tmp_path: Path) -> None:
    data = roadmap_progress(tmp_path / "nowhere")
    assert data["done"] == 0 and not (tmp_path / "nowhere").exists()
    assert all(not t["done"] for area in data["areas"] for t in area["topics"])
