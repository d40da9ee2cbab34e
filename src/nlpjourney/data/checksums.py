"""SHA-256 of data files, hashed once and remembered until the file changes.

Every data file is checked against the registry's SHA-256 the first time it is used. Hashing
the whole mirror takes a moment, so the digest of each file hashed is remembered in a small
JSON file in the cache, keyed by the file's path, size, modification time and change time
(``st_ctime_ns``, which no user tool can set back): a warm start only reads the file's
``stat``, and a file rewritten in place, even to the same size, is hashed again.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     file = Path(tmp) / "a.txt"
...     _ = file.write_bytes(b"abc")
...     digest(file, Path(tmp) / "verified.json")[:16]
'ba7816bf8f01cfea'
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

__all__ = ["CHUNK", "PROGRESS_BYTES", "digest", "forget", "remember", "sha256_of"]

CHUNK = 1 << 20
"""Bytes read at a time while hashing: large enough to be fast, small enough to stream."""

PROGRESS_BYTES = 100_000_000
"""Files larger than this show a progress bar while hashed (when stderr is a terminal)."""

_VERSION = 1

# State file -> {absolute path: {"stamp": [size, mtime_ns, ctime_ns], "sha256": hex}}, as
# read from disk once per process and kept up to date by this process.
_STATES: dict[Path, dict[str, dict[str, object]]] = {}


def sha256_of(file: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MB blocks (a progress bar for very large ones)."""
    digest_ = hashlib.sha256()
    size = file.stat().st_size
    with file.open("rb") as handle:
        if size <= PROGRESS_BYTES or not sys.stderr.isatty():
            while block := handle.read(CHUNK):
                digest_.update(block)
            return digest_.hexdigest()
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        columns = ("{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task(f"checking {file.name}", total=size)
            while block := handle.read(CHUNK):
                digest_.update(block)
                progress.advance(task, len(block))
    return digest_.hexdigest()


def _stamp(file: Path) -> list[int]:
    info = file.stat()
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _load(state_file: Path) -> dict[str, dict[str, object]]:
    """The remembered digests in ``state_file``; an unreadable or foreign file is empty."""
    try:
        document = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("version") != _VERSION:
        return {}
    files = document.get("files")
    if not isinstance(files, dict):
        return {}
    # subtle: a damaged entry must read as "not hashed yet", never as a match.
    return {
        key: entry
        for key, entry in files.items()
        if isinstance(entry, dict)
        and isinstance(entry.get("sha256"), str)
        and isinstance(entry.get("stamp"), list)
    }


def _state(state_file: Path) -> dict[str, dict[str, object]]:
    if state_file not in _STATES:
        _STATES[state_file] = _load(state_file)
    return _STATES[state_file]


def _save(state_file: Path) -> None:
    """Write the state, merged with what other processes saved meanwhile, atomically.

    A cache that cannot be written (a read-only home) only costs hashing again next time.
    """
    merged = _load(state_file) | _state(state_file)
    try:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=state_file.parent, prefix=".verified-", suffix=".json")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"version": _VERSION, "files": merged}, out, indent=0, sort_keys=True)
        os.replace(temp, state_file)
    except OSError:
        Path(temp).unlink(missing_ok=True)


def digest(file: Path, state_file: Path, fresh: bool = False) -> str:
    """The SHA-256 of ``file``, hashed only when it changed since it was last hashed.

    Args:
        file: the file to hash.
        state_file: the JSON file where digests are remembered (created if absent).
        fresh: hash even when the remembered stamp matches (``journey data verify``).

    Returns:
        The hex digest of the file's bytes.
    """
    key = os.path.abspath(file)
    # subtle: stamp before hashing, so a file changed while it is read is hashed again later.
    stamp = _stamp(file)
    state = _state(state_file)
    entry = state.get(key)
    if not fresh and entry is not None and entry["stamp"] == stamp:
        return str(entry["sha256"])
    hexdigest = sha256_of(file)
    state[key] = {"stamp": stamp, "sha256": hexdigest}
    _save(state_file)
    return hexdigest


def remember(file: Path, state_file: Path, hexdigest: str) -> None:
    """Record that ``file``, as it is now, has SHA-256 ``hexdigest`` (just moved into place)."""
    _state(state_file)[os.path.abspath(file)] = {"stamp": _stamp(file), "sha256": hexdigest}
    _save(state_file)


def forget() -> None:
    """Drop the digests held in memory, so the next look reads the state files again."""
    _STATES.clear()
