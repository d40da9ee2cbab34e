"""Progress bars for long work: what is done, how fast, and how long is left.

One small wrapper over ``rich.progress`` that every long-running part of the project
uses (training a tokenizer, counting a corpus, training a model), so they all look the
same and can all be turned off the same way:

- a bar is shown only when standard error is a terminal, so logs, pipes and the test
  suite never see one;
- ``NLPJOURNEY_PROGRESS=0`` in the environment turns every bar off, ``=1`` forces them on;
- a function that shows a bar takes ``progress: bool | None = None`` and passes it on as
  ``enabled`` (``None``: decide as above; ``False``: never).

A turned-off bar is a do-nothing object, so calling ``advance`` in a hot loop costs one
method call. Usage::

    from nlpjourney.progress import progress_bar

    with progress_bar("Counting", total=n_bytes, unit="B", enabled=progress) as bar:
        for chunk in chunks:
            ...
            bar.advance(len(chunk))

    for item in track(items, "Tokenizing"):  # a bar over any iterable
        ...

Reference: ``rich.progress.Progress`` (the bar, the rate and the time-remaining
estimate are rich's); tqdm's ``disable=None`` rule of "only on a terminal".
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["ProgressBar", "progress_bar", "progress_enabled", "track"]

T = TypeVar("T")

_PREFIXES = ((1e9, "G"), (1e6, "M"), (1e3, "k"))
REFRESH = 0.05  # seconds between updates passed on to rich


def progress_enabled(enabled: bool | None = None) -> bool:
    """Whether to show a bar: ``enabled`` when given, else ``NLPJOURNEY_PROGRESS``
    ("0" off, "1" on), else only when standard error is a terminal."""
    if enabled is not None:
        return bool(enabled)
    setting = os.environ.get("NLPJOURNEY_PROGRESS", "").strip()
    if setting in ("0", "1"):
        return setting == "1"
    return sys.stderr.isatty()


def _human(amount: float, unit: str) -> str:
    """``1_500_000, "B"`` -> ``"1.5 MB"``; plain counts get thousands separators."""
    if unit == "B":
        for scale, prefix in _PREFIXES:
            if amount >= scale:
                return f"{amount / scale:.1f} {prefix}B"
        return f"{amount:.0f} B"
    return f"{amount:,.0f} {unit}".rstrip()


class _RateColumn(ProgressColumn):
    """Items (or bytes) per second, in the bar's own unit."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text("?/s", style="progress.data.speed")
        return Text(f"{_human(speed, self.unit)}/s", style="progress.data.speed")


class ProgressBar:
    """One bar with its description, a count of what is done, the rate and the ETA.

    Use it as a context manager; see :func:`progress_bar`. With ``enabled`` false every
    method does nothing.
    """

    def __init__(
        self,
        description: str,
        total: float | None = None,
        unit: str = "",
        enabled: bool | None = None,
    ) -> None:
        self.enabled = progress_enabled(enabled)
        self.description = description
        self.unit = unit
        self._progress: Progress | None = None
        self._task = None
        # Advances are added up and passed to rich at most every REFRESH seconds: a rich
        # update costs tens of microseconds, too much per item of a fast loop.
        self._pending = 0.0
        self._last = 0.0
        if not self.enabled:
            return
        count = TextColumn("{task.fields[done]}") if unit == "B" else MofNCompleteColumn()
        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            count,
            _RateColumn(unit),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task(description, total=total, done="")

    def __enter__(self) -> ProgressBar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._flush()
            self._progress.stop()

    def advance(self, amount: float = 1) -> None:
        """Count ``amount`` more units as done."""
        if self._progress is not None:
            self._pending += amount
            now = time.monotonic()
            if now - self._last >= REFRESH:
                self._last = now
                self._flush()

    def _flush(self) -> None:
        assert self._progress is not None
        self._progress.advance(self._task, self._pending)
        self._pending = 0.0
        if self.unit == "B":
            done = self._progress.tasks[0].completed
            self._progress.update(self._task, done=_human(done, "B"))

    def describe(self, description: str) -> None:
        """Change the text before the bar (a training loop shows its latest loss there)."""
        self.description = description
        if self._progress is not None:
            self._progress.update(self._task, description=description)

    def update(self, completed: float | None = None, total: float | None = None) -> None:
        """Set how much is done, or change the total once it becomes known."""
        if self._progress is not None:
            self._flush()
            self._progress.update(self._task, completed=completed, total=total)


def progress_bar(
    description: str, total: float | None = None, unit: str = "", enabled: bool | None = None
) -> ProgressBar:
    """A :class:`ProgressBar`, to use in a ``with`` block.

    Args:
        description: what is being done ("Counting pre-tokens").
        total: how many units there are, or None when unknown (no ETA then).
        unit: "B" for bytes (shown as kB/MB/GB), else a word for the items ("merges").
        enabled: True or False to force, None to show only on a terminal
            (see :func:`progress_enabled`).
    """
    return ProgressBar(description, total=total, unit=unit, enabled=enabled)


def track(
    items: Iterable[T],
    description: str,
    total: float | None = None,
    unit: str = "",
    enabled: bool | None = None,
) -> Iterator[T]:
    """Yield ``items`` while a bar counts them (``total`` defaults to ``len(items)``)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with progress_bar(description, total=total, unit=unit, enabled=enabled) as bar:
        for item in items:
            yield item
            bar.advance(1)
