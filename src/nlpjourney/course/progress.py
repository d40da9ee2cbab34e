"""The learner's progress: every graded check run, in SQLite inside the workspace.

A topic is done after a clean, complete pass: every check passed, nothing forbidden was
used and the run itself did not fail (time-out, crash). ``journey check`` records every
run it grades except refused ones, each with its ``clean`` flag; a failed run is an
attempt, never a pass. The store also remembers which hint tier each check last showed,
so ``journey check ID --hint`` can show the next one.

Databases written before the ``clean`` flag existed stay readable: their runs count as
clean when every check passed, the rule of that time.

Only ``journey check`` records runs, and only what its grader read back from the checks'
process itself (:mod:`nlpjourney.course.grading`), never a results file found on disk.
A ``progress.sqlite`` that is a symbolic link leading out of the workspace is refused,
never written through.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from nlpjourney.course.workspace import check_inside
from nlpjourney.errors import WorkspaceError

PROGRESS_FILE = "progress.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS checks (
    topic TEXT NOT NULL,
    passed INTEGER NOT NULL,
    total INTEGER NOT NULL,
    at TEXT NOT NULL,
    clean INTEGER
);
CREATE TABLE IF NOT EXISTS hints (
    topic TEXT NOT NULL,
    check_name TEXT NOT NULL,
    tier INTEGER NOT NULL,
    PRIMARY KEY (topic, check_name)
);
"""


@dataclass(frozen=True)
class TopicProgress:
    """The latest and the best check result of one topic.

    Attributes:
        passed, total: the latest run's passed and total checks.
        best: the most checks passed in one run.
        attempts: how many runs were recorded.
        at: when the latest run was.
        clean_passes: how many runs were clean, complete passes.
    """

    topic: str
    passed: int
    total: int
    best: int
    attempts: int
    at: str
    clean_passes: int = 0

    @property
    def done(self) -> bool:
        return self.clean_passes > 0


class ProgressStore:
    """Check results of one workspace, read and written through SQLite."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.file = workspace / PROGRESS_FILE

    def unreadable(self, error: sqlite3.DatabaseError) -> WorkspaceError:
        return WorkspaceError(
            f"progress file {self.file} is unreadable ({error}). It was left untouched; "
            "move it aside and a new one will be started."
        )

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if not self.file.exists() and not create:
            return None
        if create:
            check_inside(self.file, self.workspace)
        try:
            connection = sqlite3.connect(self.file)
            connection.executescript(SCHEMA)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(checks)")}
            if "clean" not in columns:  # a database from before the flag: add it, empty
                connection.execute("ALTER TABLE checks ADD COLUMN clean INTEGER")
            return connection
        except sqlite3.DatabaseError as error:
            raise self.unreadable(error) from None

    def record(self, topic: str, passed: int, total: int, *, clean: bool) -> None:
        """Record one graded run; ``clean`` only for a complete pass with no refusal or
        problem (:attr:`nlpjourney.course.grading.CheckReport.ok`)."""
        if clean and not (total > 0 and passed == total):
            raise ValueError(f"a clean run passes every check, not {passed} of {total}")
        connection = self._connect(create=True)
        assert connection is not None
        with connection:
            connection.execute(
                "INSERT INTO checks (topic, passed, total, at, clean) VALUES (?, ?, ?, ?, ?)",
                (topic, passed, total, time.strftime("%Y-%m-%d %H:%M"), int(clean)),
            )
        connection.close()

    def summary(self) -> dict[str, TopicProgress]:
        """Per topic: the latest result, the best passed count, the runs and clean passes."""
        connection = self._connect(create=False)
        if connection is None:
            return {}
        try:
            rows = connection.execute(
                """
                SELECT topic, passed, total,
                       MAX(passed) OVER (PARTITION BY topic),
                       COUNT(*) OVER (PARTITION BY topic), at,
                       SUM(COALESCE(clean, total > 0 AND passed = total))
                           OVER (PARTITION BY topic)
                FROM checks ORDER BY rowid
                """
            ).fetchall()
        except sqlite3.DatabaseError as error:
            raise self.unreadable(error) from None
        finally:
            connection.close()
        return {row[0]: TopicProgress(*row) for row in rows}  # later rows win: the latest

    def hint_tier(self, topic: str, check: str) -> int:
        """The hint tier last shown for a check (1, the default, when none was asked for)."""
        connection = self._connect(create=False)
        if connection is None:
            return 1
        try:
            row = connection.execute(
                "SELECT tier FROM hints WHERE topic = ? AND check_name = ?", (topic, check)
            ).fetchone()
        except sqlite3.DatabaseError as error:
            raise self.unreadable(error) from None
        finally:
            connection.close()
        return row[0] if row else 1

    def remember_hint_tier(self, topic: str, check: str, tier: int) -> None:
        connection = self._connect(create=True)
        assert connection is not None
        with connection:
            connection.execute(
                "INSERT OR REPLACE INTO hints (topic, check_name, tier) VALUES (?, ?, ?)",
                (topic, check, tier),
            )
        connection.close()
