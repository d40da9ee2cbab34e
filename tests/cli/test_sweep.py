"""Tests for ``journey train sweep``: its options, errors, and a short sweep resumed.

The command is driven through typer's runner, and once as a subprocess for its errors.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from nlpjourney.cli.sweep import sweep as sweep_command
from nlpjourney.errors import JourneyError


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--budget", "1e9", "--minutes", "2"], "not both"),
     (["--budget", "-5"], "--budget must be"),
     (["--minutes", "0"], "--minutes must be"),
     (["--sizes", "1x32,3y96"], "LxC"),
     (["--sizes", "1x32"], "at least two")],
)  # fmt: skip
def test_cli_sweep_explains_bad_options(args: list[str], message: str, tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(sweep_command)
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "sweep")])
    assert isinstance(result.exception, JourneyError), result.output
    assert message in str(result.exception)
    assert not (tmp_path / "sweep").exists()


@pytest.mark.slow
def test_cli_sweep_trains_reports_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path / "cache"))
    app = typer.Typer()
    app.command()(sweep_command)
    args = ["--sizes", "1x32,2x32", "--out", str(tmp_path / "sweep"), "--threads", "1"]
    first = CliRunner().invoke(app, [*args, "--budget", "1e9"])
    assert first.exit_code == 0, first.output
    assert "[1/2] 1x32: N=12,768, 4 steps" in first.output
    assert "lowest val loss" in first.output and "L(C) =" in first.output
    assert "wrote" in first.output and (tmp_path / "sweep" / "scaling.png").is_file()
    again = CliRunner().invoke(app, [*args, "--minutes", "3"])
    assert again.exit_code == 0, again.output
    assert "going on with its budget, 1e+09" in again.output
    assert again.output.count("skipped") == 2
    plain = CliRunner().invoke(app, args)  # no budget: the stored one, not the default
    assert plain.exit_code == 0 and "going on with its budget, 1e+09" in plain.output


def test_cli_sweep_defaults_mirror_the_library() -> None:
    from nlpjourney.apps import sweep as library
    from nlpjourney.cli import sweep as cli

    assert cli.DEFAULT_SIZES == ",".join(library.DEFAULT_SIZES)
    assert cli.DEFAULT_BUDGET == library.DEFAULT_BUDGET


def test_journey_train_sweep_errors_are_one_clear_line(tmp_path: Path) -> None:
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", NLPJOURNEY_CACHE=str(tmp_path))
    command = [sys.executable, "-m", "nlpjourney.cli", "train", "sweep"]
    result = subprocess.run([*command, "--sizes", "1x32", "--out", str(tmp_path / "s")],
                            capture_output=True, text=True, env=env)  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "at least two" in lines[0], result.stderr
