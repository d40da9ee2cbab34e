"""Where the course files are: the repository checkout, or the installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


@cache
def repo_root() -> Path | None:
    """The repository checkout this package runs from, or None for an installed wheel."""
    root = PACKAGE_DIR.parent.parent
    if (root / "pyproject.toml").is_file() and (root / "lessons").is_dir():
        return root
    return None


@cache
def course_root() -> Path:
    """The folder holding ``lessons/`` and ``exercises/``."""
    root = repo_root()
    return root if root is not None else PACKAGE_DIR / "_course"
