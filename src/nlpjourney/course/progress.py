"""The learner's progress: every graded check run, in SQLite inside the workspace."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from nlpjourney.errors import WorkspaceError

PROGRESS_FILE = "progress.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS checks (
    topic TEXT NOT NULL,
    passed INTEGER NOT NULL,
    total INTEGER NOT NULL,
    at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class TopicProgress:
    """The latest and the best check result of one topic."""

    topic: str
    passed: int
    total: int
    best: int
    attempts: int
    at: str

    @property
    def done(self) -> bool:
        return self.total > 0 and self.best == self.total


class ProgressStore:
    """Check results of one workspace, read and written through SQLite."""

    def __init__(self, workspace: Path) -> None:
        self.file = workspace / PROGRESS_FILE

    def unreadable(self, error: sqlite3.DatabaseError) -> WorkspaceError:
        return WorkspaceError(
            f"progress file {self.file} is unreadable ({error}). It was left untouched; "
            "move it aside and a new one will be started."
        )

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if not self.file.exists() and not create:
            return None
        try:
            connection = sqlite3.connect(self.file)
            connection.execute(SCHEMA)
            return connection
        except sqlite3.DatabaseError as error:
            raise self.unreadable(error) from None

    def record(self, topic: str, passed: int, total: int) -> None:
        connection = self._connect(create=True)
        assert connection is not None
        with connection:
            connection.execute(
                "INSERT INTO checks VALUES (?, ?, ?, ?)",
                (topic, passed, total, time.strftime("%Y-%m-%d %H:%M")),
            )
        connection.close()

    def summary(self) -> dict[str, TopicProgress]:
        """Per topic: the latest result, the best passed count and the number of runs."""
        connection = self._connect(create=False)
        if connection is None:
            return {}
        try:
            rows = connection.execute(
                """
                SELECT topic, passed, total,
                       MAX(passed) OVER (PARTITION BY topic),
                       COUNT(*) OVER (PARTITION BY topic), at
                FROM checks ORDER BY rowid
                """
            ).fetchall()
        except sqlite3.DatabaseError as error:
            raise self.unreadable(error) from None
        finally:
            connection.close()
        return {row[0]: TopicProgress(*row) for row in rows}  # later rows win: the latest
