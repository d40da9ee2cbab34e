"""Tests for nlpjourney.data.checksums and how ``data.path`` uses it: each file is hashed
on first use, remembered by path, size and times, and hashed again only when it changes."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from nlpjourney import data
from nlpjourney.data import checksums, store
from nlpjourney.data.registry import REGISTRY, DataFile, Dataset
from nlpjourney.errors import ChecksumError


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files ``checksums.sha256_of`` is asked to hash, in order."""
    calls: list[Path] = []
    real = checksums.sha256_of

    def counting(file: Path) -> str:
        calls.append(file)
        return real(file)

    monkeypatch.setattr(checksums, "sha256_of", counting)
    return calls


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[bytes], Path]:
    """Registers dataset 'local' with one file in an empty mirror; returns a function that
    writes the file's bytes (pinning the registry to the first bytes written)."""
    monkeypatch.setenv("NLPJOURNEY_DATA_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path / "cache"))
    file = tmp_path / "mirror" / "local" / "text.txt"
    file.parent.mkdir(parents=True)

    def write(content: bytes) -> Path:
        if "local" not in REGISTRY:
            entry = DataFile(
                "text.txt", len(content), hashlib.sha256(content).hexdigest(), "https://x.org/t"
            )
            dataset = Dataset("local", "d", "l", "https://x.org", "local", (entry,))
            monkeypatch.setitem(REGISTRY, "local", dataset)
        file.write_bytes(content)
        return file

    return write


def test_checksums_sha256_of_equals_hashlib(tmp_path: Path) -> None:
    file = tmp_path / "blob"
    content = os.urandom(3 * checksums.CHUNK + 17)  # several blocks and a short tail
    file.write_bytes(content)
    assert checksums.sha256_of(file) == hashlib.sha256(content).hexdigest()


def test_checksums_second_path_call_does_not_hash_again(local, hashed) -> None:
    file = local(b"to be or not to be\n")
    assert data.path("local") == file
    assert data.path("local") == file
    assert hashed == [file]


def test_checksums_warm_start_reads_the_state_file_not_the_bytes(local, hashed) -> None:
    file = local(b"a warm start\n")
    data.path("local")
    checksums.forget()  # as a new process would start
    data.path("local")
    assert hashed == [file]
    state = json.loads(store.state_file().read_text())
    assert state["files"][os.path.abspath(file)]["sha256"] == REGISTRY["local"].files[0].sha256


def test_checksums_same_size_rewrite_is_hashed_again_and_refused(local, hashed) -> None:
    file = local(b"ham\tcall me\n")
    data.path("local")
    before = file.stat()
    file.write_bytes(b"hzm\tcall me\n")  # the same size
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))  # even the same mtime
    with pytest.raises(ChecksumError, match="does not match the registry's SHA-256"):
        data.path("local")
    assert hashed == [file, file]


def test_checksums_touched_file_is_hashed_again(local, hashed) -> None:
    file = local(b"unchanged bytes\n")
    data.path("local")
    stat = file.stat()
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    data.path("local")
    assert hashed == [file, file]


@pytest.mark.parametrize("garbage", [b"\x00\xffnot json", b"[1, 2]", b'{"version": 1, "files": 3}'])
def test_checksums_damaged_state_file_only_costs_a_rehash(local, hashed, garbage) -> None:
    file = local(b"state may be damaged\n")
    store.state_file().parent.mkdir(parents=True)
    store.state_file().write_bytes(garbage)
    checksums.forget()
    assert data.path("local") == file
    assert hashed == [file]
    assert json.loads(store.state_file().read_text())["version"] == 1


def test_checksums_forged_state_entry_for_another_stamp_is_not_trusted(local, hashed) -> None:
    file = local(b"original\n")
    data.path("local")
    file.write_bytes(b"tampered\n")  # same size, new mtime: the remembered digest is stale
    with pytest.raises(ChecksumError):
        data.path("local")
    assert len(hashed) == 2


def test_checksums_unwritable_cache_still_verifies(local, hashed, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(blocker / "cache"))  # cannot be created
    file = local(b"read-only home\n")
    assert data.path("local") == file
    assert data.path("local") == file
    assert hashed == [file]  # remembered in memory for this process
