"""Errors meant for people.

Every error the project raises on bad input derives from :class:`JourneyError`, so the
``journey`` command can print its message as one clear line instead of a traceback.
"""

from __future__ import annotations


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
