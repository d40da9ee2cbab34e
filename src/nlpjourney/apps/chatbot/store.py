"""Saved conversations, in one SQLite file: save, list, load, rename, delete, resume.

Two tables (schema version 1, kept in ``PRAGMA user_version``)::

    conversations(id, title, persona, system_prompt, created, updated, summary, folded)
    messages(conversation_id -> conversations.id, position, role, content, time)

``summary`` and ``folded`` are the conversation's memory
(:class:`~nlpjourney.apps.chatbot.memory.ConversationMemory`): every message is kept,
and the first ``folded`` of them are the ones the summary stands for.

The file holds a person's conversations, so it is handled with care:

- every write is one transaction: a crash leaves the file as it was before it, or after;
- messages are only ever appended (positions are unique), never rewritten;
- ``PRAGMA application_id`` marks the file as ours, and on opening, a file that is not
  SQLite, fails SQLite's ``quick_check``, belongs to another program or was written by a
  newer schema raises :class:`ChatStoreError` with what to do, and is left untouched;
- the file is made only at the first write, so listing a missing store writes nothing.

>>> import tempfile, pathlib
>>> store = ConversationStore(pathlib.Path(tempfile.mkdtemp()) / "chats.sqlite")
>>> cid = store.save(None, title="Hello", persona="assistant", system_prompt="Be brief.",
...                  messages=[{"role": "user", "content": "hi"}])
>>> [(c.id, c.title, c.messages) for c in store.list()]
[(1, 'Hello', 1)]
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlpjourney.errors import JourneyError

__all__ = ["ChatStoreError", "ConversationInfo", "ConversationStore", "SavedConversation"]

SCHEMA_VERSION = 1
#: ``PRAGMA application_id``: "NJCB" (NLP Journey chatbot) in four bytes.
APPLICATION_ID = int.from_bytes(b"NJCB", "big")
SQLITE_HEADER = b"SQLite format 3\x00"

SCHEMA = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    persona TEXT NOT NULL,
    system_prompt TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    folded INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE messages (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    time TEXT NOT NULL,
    PRIMARY KEY (conversation_id, position)
);
"""
TABLES = {"conversations", "messages", "sqlite_sequence"}


class ChatStoreError(JourneyError):
    """A conversation store that cannot be read or written, or a conversation not in it."""


@dataclass(frozen=True)
class ConversationInfo:
    """One saved conversation, as listed: its id, title, persona, times and length."""

    id: int
    title: str
    persona: str
    created: str
    updated: str
    messages: int


@dataclass
class SavedConversation:
    """A saved conversation in full: what :meth:`ConversationStore.load` returns."""

    info: ConversationInfo
    system_prompt: str
    summary: str
    folded: int
    messages: list[dict[str, str]] = field(default_factory=list)
    times: list[str] = field(default_factory=list)


class ConversationStore:
    """The conversations saved in the SQLite file ``path``.

    Raises:
        ChatStoreError: ``path`` is a folder, not a SQLite file, damaged, another
            program's database, or from a newer version of this one.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        if self.path.exists():
            self._check()

    def __repr__(self) -> str:
        return f"ConversationStore({str(self.path)!r})"

    # --- opening -------------------------------------------------------------------------

    def _refuse(self, why: str) -> ChatStoreError:
        return ChatStoreError(
            f"cannot use {self.path} as a conversation store: {why}. The file was left "
            "untouched; move it aside or choose another (--db PATH)"
        )

    def _check(self) -> None:
        if not self.path.is_file():
            raise self._refuse("it is not a file")
        with self.path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
        if header and header != SQLITE_HEADER:
            raise self._refuse("it is not a SQLite database")
        try:
            # Read-only, so a check never changes the file; as_uri escapes "?", "#", "%".
            connection = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                check = connection.execute("PRAGMA quick_check").fetchone()[0]
                app = connection.execute("PRAGMA application_id").fetchone()[0]
                version = connection.execute("PRAGMA user_version").fetchone()[0]
                tables = {row[0] for row in connection.execute(_TABLES_SQL)}
            finally:
                connection.close()
        except sqlite3.DatabaseError as error:
            raise self._refuse(f"it is damaged or not a database ({error})") from None
        if check != "ok":
            raise self._refuse(f"SQLite finds it damaged ({check})")
        if not tables and app == 0 and version == 0:
            return  # an empty database: the first write gives it our tables
        if app != APPLICATION_ID:
            raise self._refuse(f"it is another program's database (tables: {sorted(tables)})")
        if version > SCHEMA_VERSION:
            raise self._refuse(
                f"it was written by a newer nlpjourney (schema {version}; this one reads "
                f"up to {SCHEMA_VERSION}): upgrade nlpjourney"
            )
        if version < 1 or not {"conversations", "messages"} <= tables:
            raise self._refuse(f"its schema is incomplete (version {version}, {sorted(tables)})")

    def _connect(self, write: bool) -> sqlite3.Connection | None:
        """A connection, or None when nothing is stored yet and nothing is to be written."""
        if not self.path.exists():
            if not write:
                return None
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(self.path)
            connection.execute("PRAGMA foreign_keys = ON")
            if connection.execute("PRAGMA user_version").fetchone()[0] == 0:
                with connection:
                    connection.executescript(
                        f"BEGIN; {SCHEMA} PRAGMA application_id = {APPLICATION_ID}; "
                        f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                    )
        except sqlite3.DatabaseError as error:
            raise self._refuse(f"SQLite could not open it ({error})") from None
        return connection

    # --- reading ---------------------------------------------------------------------------

    def list(self) -> list[ConversationInfo]:
        """Every saved conversation, the most recently updated first."""
        connection = self._connect(write=False)
        if connection is None:
            return []
        with _closing(connection, self):
            rows = connection.execute(
                _INFO_SQL + " GROUP BY c.id ORDER BY c.updated DESC, c.id DESC"
            )
            return [ConversationInfo(*row) for row in rows]

    def load(self, conversation_id: int) -> SavedConversation:
        """The conversation ``conversation_id``: its messages, times, summary and persona.

        Raises:
            ChatStoreError: no conversation has that id.
        """
        connection = self._connect(write=False)
        row = None
        if connection is not None:
            with _closing(connection, self):
                row = connection.execute(
                    _INFO_SQL + " WHERE c.id = ? GROUP BY c.id", (conversation_id,)
                ).fetchone()
                extra = connection.execute(
                    "SELECT system_prompt, summary, folded FROM conversations WHERE id = ?",
                    (conversation_id,),
                ).fetchone()
                messages = connection.execute(
                    "SELECT role, content, time FROM messages WHERE conversation_id = ? "
                    "ORDER BY position",
                    (conversation_id,),
                ).fetchall()
        if row is None:
            raise self._missing(conversation_id)
        return SavedConversation(
            ConversationInfo(*row),
            *extra,
            messages=[{"role": role, "content": content} for role, content, _ in messages],
            times=[time for *_, time in messages],
        )

    def _missing(self, conversation_id: int) -> ChatStoreError:
        return ChatStoreError(
            f"no conversation {conversation_id} in {self.path}; `journey chat --list` shows "
            "the saved ones"
        )

    # --- writing ---------------------------------------------------------------------------

    def save(
        self,
        conversation_id: int | None,
        *,
        title: str,
        persona: str,
        system_prompt: str,
        messages: Sequence[dict[str, str]],
        times: Sequence[str] | None = None,
        summary: str = "",
        folded: int = 0,
    ) -> int:
        """Save a conversation in one transaction; returns its id.

        ``conversation_id`` None saves a new conversation; otherwise the conversation
        is updated and the messages past those already stored are appended (stored ones
        are never rewritten).

        Raises:
            ChatStoreError: ``conversation_id`` is not in the store, or has more messages
                stored than given (saving would lose some).
        """
        from nlpjourney.apps.chatbot.memory import now

        stamp = now()
        times = list(times) if times is not None else [stamp] * len(messages)
        connection = self._connect(write=True)
        assert connection is not None
        with _closing(connection, self), connection:
            if conversation_id is None:
                conversation_id = connection.execute(
                    "INSERT INTO conversations (title, persona, system_prompt, created, updated) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (title, persona, system_prompt, stamp, stamp),
                ).lastrowid
                stored = 0
            else:
                found = connection.execute(
                    "SELECT COUNT(m.position) FROM conversations c LEFT JOIN messages m "
                    "ON m.conversation_id = c.id WHERE c.id = ? GROUP BY c.id",
                    (conversation_id,),
                ).fetchone()
                if found is None:
                    raise self._missing(conversation_id)
                stored = found[0]
                if stored > len(messages):
                    raise ChatStoreError(
                        f"conversation {conversation_id} has {stored} messages stored but "
                        f"{len(messages)} were given; saving would lose some, so nothing was saved"
                    )
            connection.execute(
                "UPDATE conversations SET title = ?, persona = ?, system_prompt = ?, "
                "updated = ?, summary = ?, folded = ? WHERE id = ?",
                (title, persona, system_prompt, stamp, summary, folded, conversation_id),
            )
            connection.executemany(
                "INSERT INTO messages (conversation_id, position, role, content, time) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (conversation_id, i, messages[i]["role"], messages[i]["content"], times[i])
                    for i in range(stored, len(messages))
                ],
            )
        assert conversation_id is not None
        return conversation_id

    def rename(self, conversation_id: int, title: str) -> None:
        """Give conversation ``conversation_id`` a new title."""
        self._change("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def delete(self, conversation_id: int) -> None:
        """Delete conversation ``conversation_id`` and its messages."""
        self._change("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def _change(self, sql: str, arguments: tuple) -> None:
        conversation_id = arguments[-1]
        connection = self._connect(write=False)
        if connection is None:
            raise self._missing(conversation_id)
        with _closing(connection, self), connection:
            if connection.execute(sql, arguments).rowcount == 0:
                raise self._missing(conversation_id)


_TABLES_SQL = "SELECT name FROM sqlite_master WHERE type = 'table'"
_INFO_SQL = (
    "SELECT c.id, c.title, c.persona, c.created, c.updated, COUNT(m.position) "
    "FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id"
)


class _closing:
    """Close a connection on leaving; a database error becomes a :class:`ChatStoreError`."""

    def __init__(self, connection: sqlite3.Connection, store: ConversationStore) -> None:
        self.connection, self.store = connection, store

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, kind: type | None, error: BaseException | None, trace: object) -> bool:
        self.connection.close()
        if isinstance(error, sqlite3.DatabaseError):
            raise self.store._refuse(f"SQLite failed ({error})") from None
        return False
