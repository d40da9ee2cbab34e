"""A lesson's full-run results: recorded by a script, shown beside a quick run's numbers.

A lesson runs in two modes. The full mode trains and measures at the size the prose talks
about; the quick mode (``JOURNEY_QUICK=1``, what the test suite runs) does the same on a
sliver and gets other numbers. So that the prose is true in both, a lesson never quotes a
measured number from memory: ``scripts/run_lessons.py`` runs the lesson in full and
stores its small results under ``lessons/results/<id>/`` (``results.json``, a few PNGs
and ``run.json``, which says when, where and how long), and a code cell reads them.

In a lesson::

    full = FullRun("4.1")
    full.table({"BLEU, beam 4": score})   # this run beside the full run, recorded in full
    print(f"the full run's greedy sample: {full['sample']}")
    full.figure(fig, "attention")         # kept with the results when recording
    full.show_figure("attention")         # the stored picture, in quick mode

While the script records (it sets ``JOURNEY_RECORD`` to a folder), :meth:`FullRun.keep`,
:meth:`FullRun.table` and :meth:`FullRun.figure` write into that folder, and reading a
key returns what this run kept. Otherwise reading a key returns the stored full run's
value, and a key that was never recorded raises one clear error naming the command that
makes it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nlpjourney.course.paths import course_root
from nlpjourney.errors import JourneyError

__all__ = ["FullRun", "LessonResultsError", "results_dir"]

QUICK_ENV = "JOURNEY_QUICK"  # "1": the lesson runs its quick mode
RECORD_ENV = "JOURNEY_RECORD"  # a folder: the full run records its results there
RESULTS_FILE = "results.json"
RUN_FILE = "run.json"
FIGURE_DPI = 72  # notebook width at a few tens of KB a picture
#: Colours kept in a stored picture: a plot has a few flat colours and the anti-aliased
#: edges between them, which 256 palette entries draw without visible change at a third
#: of the bytes of full colour.
FIGURE_COLOURS = 256


class LessonResultsError(JourneyError):
    """A lesson asked for a full-run result that is not stored, or the store is unreadable."""


def results_dir(lesson_id: str, root: Path | None = None) -> Path:
    """Where lesson ``lesson_id``'s full-run results are kept."""
    return (root if root is not None else course_root()) / "lessons" / "results" / lesson_id


def _plain(value: Any) -> Any:
    """``value`` as JSON's types: NumPy and torch scalars and arrays become numbers and lists."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor, without torch
        value = value.detach().cpu().numpy()
    if hasattr(value, "tolist"):  # NumPy arrays and scalars
        value = value.tolist()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no nan or inf; keep them readable
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"a lesson result must be numbers, text, lists or dicts, not {type(value)}")


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


class FullRun:
    """The stored full run of one lesson, and the recorder of a new one.

    Args:
        lesson_id: the topic id, as in ``lessons/results/<id>/``.
        root: the folder holding ``lessons/`` (default: the course's, in a clone or the
            installed wheel); tests point it elsewhere.
    """

    def __init__(self, lesson_id: str, root: Path | None = None) -> None:
        self.lesson_id = lesson_id
        self.directory = results_dir(lesson_id, root)
        self.quick = os.environ.get(QUICK_ENV) == "1"
        record = os.environ.get(RECORD_ENV, "")
        if record and self.quick:
            raise LessonResultsError("a quick run cannot record the full run's results")
        self.record_dir = Path(record) if record else None
        if self.record_dir is not None:
            self.record_dir.mkdir(parents=True, exist_ok=True)
        self._kept: dict[str, Any] = {}
        self._stored: dict[str, Any] | None = None

    @property
    def recording(self) -> bool:
        """True while ``scripts/run_lessons.py`` records this (full) run."""
        return self.record_dir is not None

    @property
    def label(self) -> str:
        """How the stored run is named beside a live one: ``full run (2026-12-06)``."""
        if self.recording:
            return "full run (this one)"
        run = self._read(RUN_FILE, required=False) or {}
        date = str(run.get("finished", ""))[:10]
        return f"full run ({date})" if date else "full run"

    def _missing(self, what: str) -> LessonResultsError:
        return LessonResultsError(
            f"lesson {self.lesson_id} has no stored full-run {what} in {self.directory}; "
            f"make it with `python scripts/run_lessons.py {self.lesson_id}` in a clone"
        )

    def _read(self, name: str, required: bool = True) -> dict[str, Any] | None:
        path = self.directory / name
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if required:
                raise self._missing("results") from None
            return None
        except (OSError, ValueError) as error:
            raise LessonResultsError(f"cannot read {path}: {error}") from None

    def stored(self) -> dict[str, Any]:
        """Every stored result of the full run, by key."""
        if self._stored is None:
            self._stored = self._read(RESULTS_FILE) or {}
        return self._stored

    def __getitem__(self, key: str) -> Any:
        """The full run's value of ``key``: this run's while recording, else the stored one."""
        if self.recording:
            if key not in self._kept:
                raise LessonResultsError(
                    f"lesson {self.lesson_id} reads the full-run result {key!r} "
                    "before keeping it; call keep() or table() first"
                )
            return self._kept[key]
        stored = self.stored()
        if key not in stored:
            raise self._missing(f"result {key!r}")
        return stored[key]

    def keep(self, key: str, value: Any) -> Any:
        """Record ``value`` under ``key`` while recording; returns ``value`` unchanged."""
        if self.recording:
            self._kept[key] = _plain(value)
            self._write()
        return value

    def _write(self) -> None:
        assert self.record_dir is not None
        text = json.dumps(self._kept, indent=1, ensure_ascii=False, sort_keys=True)
        (self.record_dir / RESULTS_FILE).write_text(text + "\n", encoding="utf-8")

    def table(self, live: Mapping[str, Any], title: str = "") -> None:
        """Print this run's numbers beside the full run's, one row a quantity.

        In quick mode the second column is the stored full run; in full mode both are this
        run's (and, while recording, they are kept).
        """
        for key, value in live.items():
            self.keep(key, value)
        mode = "this run (quick mode)" if self.quick else "this run"
        rows = [(key, _format(_plain(value)), _format(self[key])) for key, value in live.items()]
        width = max(len(k) for k, _, _ in rows)
        middle = max([len(v) for _, v, _ in rows] + [len(mode)])
        if title:
            print(title)
        print(f"{'':<{width}}  {mode:>{middle}}  {self.label}")
        for key, value, full in rows:
            print(f"{key:<{width}}  {value:>{middle}}  {full}")

    def figure(self, fig: Any, name: str) -> None:
        """Keep a copy of ``fig`` as ``<name>.png`` with the results, while recording."""
        if self.recording:
            assert self.record_dir is not None
            save_small_png(fig, self.record_dir / f"{name}.png")

    def figure_path(self, name: str) -> Path:
        """The stored PNG of figure ``name``; a clear error when it was never recorded."""
        path = self.directory / f"{name}.png"
        if not path.is_file():
            raise self._missing(f"figure {name!r}")
        return path

    def show_figure(self, name: str, title: str = "") -> None:
        """In quick mode, show the full run's stored picture ``name``, labelled as such."""
        if not self.quick:
            return
        import matplotlib.image as mpimg
        import matplotlib.pyplot as plt

        image = mpimg.imread(self.figure_path(name))
        height, width = image.shape[:2]
        fig, ax = plt.subplots(figsize=(width / FIGURE_DPI, height / FIGURE_DPI + 0.4))
        ax.imshow(image)
        ax.set_axis_off()
        ax.set_title(f"{self.label}, stored: {title or name}", fontsize=10)
        fig.tight_layout()
        plt.show()


def save_small_png(fig: Any, path: Path) -> None:
    """Save ``fig`` as a palette PNG of :data:`FIGURE_COLOURS` colours at :data:`FIGURE_DPI`.

    The stored results of every lesson share one size budget, and a full-colour PNG of a
    plot spends most of its bytes on anti-aliasing shades nobody can tell apart.
    """
    import io

    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    buffer.seek(0)
    compress_png(Image.open(buffer), path)


def compress_png(image: Any, path: Path) -> None:
    """Write a PIL ``image`` to ``path`` as an optimised palette PNG (no dithering)."""
    from PIL import Image

    palette = image.convert("RGB").quantize(
        colors=FIGURE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    palette.save(path, optimize=True)
