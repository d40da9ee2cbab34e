"""Lessons as notebooks: jupytext percent scripts turned into ``.ipynb`` and executed.

Lessons are kept as ``lessons/<id>-<slug>.py`` in jupytext's "percent" format so their
diffs are reviewable; the learner gets an ``.ipynb``. ``JOURNEY_QUICK=1`` asks a lesson
for its quick mode (smaller data, fewer steps), which the test suite runs on every CI run.
"""

from __future__ import annotations

import os
from pathlib import Path

from nlpjourney.course.results import QUICK_ENV, RECORD_ENV
from nlpjourney.extras import missing_extra

try:
    import jupytext
    import nbformat
except ImportError as error:
    raise missing_extra("course", error.name or "jupytext") from None

KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def lesson_notebook(lesson: Path) -> nbformat.NotebookNode:
    """Read a percent-format lesson into a notebook with a Python 3 kernel."""
    notebook = jupytext.read(lesson, fmt="py:percent")
    notebook.metadata["kernelspec"] = KERNEL
    notebook.metadata.pop("jupytext", None)
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number}"  # stable ids, so the same lesson gives the same file
    return notebook


def lesson_notebook_text(lesson: Path) -> str:
    """The ``.ipynb`` text of a lesson, stable for the same source."""
    return nbformat.writes(lesson_notebook(lesson)) + "\n"


def execute_lesson(
    lesson: Path, cwd: Path, quick: bool = True, timeout: int = 300, record: Path | None = None
):
    """Run every cell of a lesson in a fresh kernel; returns the executed notebook.

    ``timeout`` bounds each cell, in seconds. ``record`` (full mode only) is the folder the
    lesson's :class:`~nlpjourney.course.results.FullRun` records its results into.

    Raises ``nbclient.exceptions.CellExecutionError`` naming the failing cell.
    """
    try:
        from nbclient import NotebookClient
    except ImportError as error:
        raise missing_extra("course", error.name or "nbclient") from None

    notebook = lesson_notebook(lesson)
    env = dict(os.environ)
    env[QUICK_ENV] = "1" if quick else "0"
    env.pop(RECORD_ENV, None)
    if record is not None:
        if quick:
            raise ValueError("only a full run records the lesson's results")
        env[RECORD_ENV] = str(record)
    env.pop("MPLBACKEND", None)  # let ipykernel pick its inline backend
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    client.execute(env=env, cwd=str(cwd))
    return notebook
