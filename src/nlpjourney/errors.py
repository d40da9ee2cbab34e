"""Errors meant for people.

Every error the project raises on bad input derives from :class:`JourneyError`, so the
``journey`` command can print its message as one clear line instead of a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TypeVar

__all__ = [
    "ChecksumError",
    "DataNotFoundError",
    "JourneyError",
    "MissingExtraError",
    "ModelFormatError",
    "UnknownNameError",
    "WorkspaceError",
    "check_str",
    "lookup",
]

T = TypeVar("T")


class JourneyError(Exception):
    """Base class for errors whose message tells the user what to do."""


class DataNotFoundError(JourneyError, FileNotFoundError):
    """A dataset is in neither the mirror folder nor the cache."""


class ChecksumError(JourneyError):
    """A data file's bytes are not the ones the registry pins."""


class UnknownNameError(JourneyError, KeyError):
    """A dataset name or topic id that the registry does not know."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class WorkspaceError(JourneyError):
    """The learner's workspace or progress store is missing or unreadable."""


class ModelFormatError(JourneyError):
    """A saved model folder is missing, damaged, or in another format or version."""


class MissingExtraError(JourneyError, ImportError):
    """A feature was used whose optional dependencies (an extra) are not installed.

    :func:`nlpjourney.extras.missing_extra` makes one that names the extra to install.
    """


def check_str(value: object, name: str = "text") -> str:
    """``value`` if it is a str, else a TypeError naming the argument and what to do."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}; decode bytes first")
    return value


def lookup(table: Mapping[str, T], name: str, what: str, advice: str) -> T:
    """``table[name]``, or an :class:`UnknownNameError` that names the closest keys.

    ``what`` says what the name is ("dataset", "topic id"); ``advice`` ends the message
    with where to see them all.
    """
    try:
        return table[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(table), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UnknownNameError(f"unknown {what} {name!r}.{hint} {advice}") from None
