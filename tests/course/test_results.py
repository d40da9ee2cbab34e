"""A lesson's full-run results: recorded in full mode, read back in quick mode."""

from __future__ import annotations

import importlib.util
import json
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from nlpjourney.course import topics  # noqa: E402
from nlpjourney.course.paths import repo_root  # noqa: E402
from nlpjourney.course.results import (  # noqa: E402
    QUICK_ENV,
    RECORD_ENV,
    RESULTS_FILE,
    RUN_FILE,
    FullRun,
    LessonResultsError,
    results_dir,
)

ROOT = repo_root()


def load_script():
    spec = importlib.util.spec_from_file_location(
        "run_lessons", ROOT / "scripts" / "run_lessons.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Record a small full run of lesson 'x' into the results folder under tmp_path."""
    store = results_dir("x", tmp_path)
    monkeypatch.setenv(QUICK_ENV, "0")
    monkeypatch.setenv(RECORD_ENV, str(store))
    full = FullRun("x", root=tmp_path)
    assert full.recording
    assert full.keep("steps", np.int64(1200)) == 1200
    full.table({"BLEU": torch.tensor(38.25), "loss": 1.5})
    assert full["BLEU"] == pytest.approx(38.25)  # while recording, this run's value
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    full.figure(fig, "curve")
    plt.close(fig)
    (store / RUN_FILE).write_text(json.dumps({"finished": "2026-12-06T07:00:00+00:00"}))
    return store


def test_results_recorded_in_full_mode_are_read_back_in_quick_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    store = recorded(tmp_path, monkeypatch)
    assert json.loads((store / RESULTS_FILE).read_text()) == {
        "BLEU": pytest.approx(38.25),
        "loss": 1.5,
        "steps": 1200,
    }
    with Image.open(store / "curve.png") as stored:  # a palette picture, to keep it small
        assert stored.mode == "P" and len(stored.getcolors()) <= 256
    capsys.readouterr()

    monkeypatch.setenv(QUICK_ENV, "1")
    monkeypatch.delenv(RECORD_ENV)
    full = FullRun("x", root=tmp_path)
    assert not full.recording and full.quick
    assert full["steps"] == 1200
    full.table({"BLEU": 2.5}, title="scores")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "scores"
    assert "this run (quick mode)" in out[1] and "full run (2026-12-06)" in out[1]
    assert out[2].split() == ["BLEU", "2.5", "38.25"]
    assert full.figure_path("curve") == store / "curve.png"
    full.show_figure("curve")  # draws the stored PNG, labelled
    assert "full run (2026-12-06), stored" in plt.gcf().axes[0].get_title()
    plt.close("all")


def test_results_missing_key_or_figure_names_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded(tmp_path, monkeypatch)
    monkeypatch.setenv(QUICK_ENV, "1")
    monkeypatch.delenv(RECORD_ENV)
    full = FullRun("x", root=tmp_path)
    with pytest.raises(
        LessonResultsError, match=r"no stored full-run result 'BLEU 4'.*run_lessons.py x"
    ):
        full["BLEU 4"]
    with pytest.raises(LessonResultsError, match="figure 'map'"):
        full.show_figure("map")
    with pytest.raises(LessonResultsError, match="no stored full-run results"):
        FullRun("y", root=tmp_path)["anything"]


def test_results_unreadable_store_and_bad_values_are_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = results_dir("x", tmp_path)
    store.mkdir(parents=True)
    (store / RESULTS_FILE).write_text("{not json")
    monkeypatch.setenv(QUICK_ENV, "1")
    with pytest.raises(LessonResultsError, match="cannot read"):
        FullRun("x", root=tmp_path)["a"]
    monkeypatch.setenv(RECORD_ENV, str(tmp_path / "rec"))
    with pytest.raises(LessonResultsError, match="quick run cannot record"):
        FullRun("x", root=tmp_path)
    monkeypatch.setenv(QUICK_ENV, "0")
    full = FullRun("x", root=tmp_path)
    with pytest.raises(TypeError, match="numbers, text, lists or dicts"):
        full.keep("model", object())
    with pytest.raises(LessonResultsError, match="before keeping it"):
        full["never kept"]
    full.keep("odd", [float("nan"), {"inf": float("inf")}])
    assert json.loads((tmp_path / "rec" / RESULTS_FILE).read_text()) == {
        "odd": ["nan", {"inf": "inf"}]
    }


@pytest.mark.lesson
def test_results_a_lesson_run_in_full_records_into_the_given_folder(tmp_path: Path) -> None:
    from nlpjourney.course.notebooks import execute_lesson

    lesson = tmp_path / "tiny.py"
    lesson.write_text(
        textwrap.dedent(
            f"""\
            # %%
            from pathlib import Path
            from nlpjourney.course.results import FullRun
            full = FullRun("tiny", root=Path({str(tmp_path)!r}))
            full.table({{"answer": 6 * 7}})
            """
        )
    )
    execute_lesson(lesson, cwd=tmp_path, quick=False, timeout=120, record=tmp_path / "rec")
    assert json.loads((tmp_path / "rec" / RESULTS_FILE).read_text()) == {"answer": 42}
    with pytest.raises(ValueError, match="only a full run records"):
        execute_lesson(lesson, cwd=tmp_path, quick=True, record=tmp_path / "rec")


def test_results_stored_for_lessons_are_complete_and_small() -> None:
    script = load_script()
    folder = ROOT / "lessons" / "results"
    stored = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    lesson_ids = {t.id for t in topics.TOPICS if t.lesson_path.is_file()}
    assert set(stored) <= lesson_ids, "results without a lesson"
    for lesson_id in stored:
        run = json.loads((folder / lesson_id / RUN_FILE).read_text())
        assert {"lesson_sha256", "finished", "seconds", "machine"} <= set(run)
        json.loads((folder / lesson_id / RESULTS_FILE).read_text())
    assert script.size_kb(folder) <= script.BUDGET_KB if stored else True


def test_results_script_refuses_unknown_topics_and_reports_status(
    capsys: pytest.CaptureFixture,
) -> None:
    script = load_script()
    assert script.main(["9.9"]) == 2
    assert "9.9" in capsys.readouterr().err
    assert script.main(["--status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == sum(t.lesson_path.is_file() for t in topics.TOPICS)
