"""Tests for the scaling-law sweep (nlpjourney.train.sweep) and its fits (train.scaling).

The fits are checked on synthetic power laws (exact recovery, and scipy's ``curve_fit``
on noisy points); the sweep trains three tiny GPTs for a few steps on a small made-up
corpus in ``tmp_path``: equal compute, ``sweep.csv``, resuming, refusing to overwrite.
The command is driven through typer's runner for its errors.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import typer
from typer.testing import CliRunner

from nlpjourney.cli.sweep import sweep as sweep_command
from nlpjourney.errors import JourneyError
from nlpjourney.models.gpt import GPT
from nlpjourney.train import TokenDataset, prepare_char
from nlpjourney.train.scaling import fit_power_law, frontier
from nlpjourney.train.sweep import (
    RunResult,
    SweepConfig,
    budget_for_minutes,
    fit_laws,
    kaplan_lr,
    read_sweep,
    run_sweep,
    size_config,
    validation_loss,
)

SIZES = ("1x32", "2x32", "1x64")
BUDGET = 2e8  # 12 to 26 steps of 4 x 16 tokens


def tiny_config(**changes: object) -> SweepConfig:
    values = dict(sizes=SIZES, flops_budget=BUDGET, batch_size=4, block_size=16,
                  evals_per_run=3, eval_steps=1, dtype="float32")  # fmt: skip
    return SweepConfig(**{**values, **changes})  # type: ignore[arg-type]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny matrices: one thread beats two fighting over cores others use too."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> TokenDataset:
    rng = np.random.default_rng(0)
    words = ["the", "king", "queen", "said", "to", "her", "and", "his", "good", "lord"]
    text = " ".join(rng.choice(words, size=4000)) + ".\n"
    return prepare_char(text, tmp_path_factory.mktemp("tokens"))


@pytest.fixture(scope="module")
def finished(dataset: TokenDataset, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("sweep") / "sweep"
    lines: list[str] = []
    results = run_sweep(tiny_config(), out, dataset=dataset, progress=False, echo=lines.append)
    return out, results, lines


# -- the fits -------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "alpha"), [(7.0, 0.076), (1e3, 0.5), (2.5, -0.2)])
def test_fit_power_law_recovers_exact_points(a: float, alpha: float) -> None:
    x = np.geomspace(1e4, 3e6, 6)
    law = fit_power_law(x, a * x**-alpha)
    assert law.a == pytest.approx(a, rel=1e-10)
    assert law.alpha == pytest.approx(alpha, rel=1e-10, abs=1e-12)
    assert law.r2 == pytest.approx(1.0)
    assert law(1e5) == pytest.approx(a * 1e5**-alpha, rel=1e-10)


def test_fit_power_law_agrees_with_scipy_curve_fit_on_noisy_points() -> None:
    optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(1)
    x = np.geomspace(1e4, 3e6, 8)
    y = 6.0 * x**-0.08 * np.exp(rng.normal(0, 0.02, x.size))
    law = fit_power_law(x, y)

    def line(log_x: np.ndarray, log_a: float, alpha: float) -> np.ndarray:
        return log_a - alpha * log_x

    (log_a, alpha), _ = optimize.curve_fit(line, np.log(x), np.log(y))
    assert law.a == pytest.approx(math.exp(log_a), rel=1e-6)
    assert law.alpha == pytest.approx(alpha, rel=1e-6)
    assert 0.5 < law.r2 < 1.0
    assert abs(law.alpha - 0.08) < 0.03  # the noise moves it a little


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [([1, 2], [1.0], "one length"), ([1, 1], [2.0, 3.0], "two distinct"),
     ([0, 2], [2.0, 3.0], "> 0"), ([1, 2], [2.0, float("nan")], "finite")],
)  # fmt: skip
def test_fit_power_law_rejects_bad_points(x: list, y: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_power_law(x, y)


def test_frontier_keeps_the_lowest_loss_so_far() -> None:
    points = [(3, 2.5), (1, 3.0), (2, 3.5), (3, 2.0), (4, 2.0), (5, 1.0)]
    assert frontier(points) == [(1, 3.0), (3, 2.0), (5, 1.0)]
    assert frontier([]) == []


def test_fit_laws_fits_size_up_to_the_lowest_loss() -> None:
    def run(name: str, params: int, loss: float) -> RunResult:
        return RunResult(name, params, params, 1, 1, 1, 1, 1e-3, loss, 1.0)

    # a U: the third size is best at this budget, the fourth is short of tokens
    results = [run("a", 100, 4.0), run("c", 10_000, 4.0 * 10**-0.3),
               run("b", 1_000, 4.0 * 10**-0.15), run("d", 100_000, 2.5)]  # fmt: skip
    curves = [([1.0, 10.0], [5.0, 4.0]), ([10.0, 100.0], [2.0, 0.8])]
    size_law, fitted, compute_law = fit_laws(results, curves)
    assert fitted == ["a", "b", "c"]
    assert size_law is not None and size_law.alpha == pytest.approx(0.15, abs=1e-9)
    assert compute_law is not None and compute_law.alpha == pytest.approx(math.log10(2.5))
    # smallest best: nothing left of the minimum to fit
    assert fit_laws([run("a", 100, 1.0), run("b", 1000, 2.0)], []) == (None, [], None)


# -- sizes, learning rates, the validation loss -------------------------------------


def test_size_config_names_layers_and_width() -> None:
    cfg = size_config("4x128", vocab_size=65, block_size=64)
    assert (cfg.n_layer, cfg.n_embd, cfg.n_head, cfg.vocab_size) == (4, 128, 4, 65)
    for bad in ("4-128", "0x64", "2x48", "x64", 3):
        with pytest.raises(ValueError, match="LxC|multiple of 32"):
            size_config(bad, 65, 64)  # type: ignore[arg-type]


def test_kaplan_lr_falls_with_size() -> None:
    assert kaplan_lr(12_768) == pytest.approx(0.00192, abs=1e-5)
    assert kaplan_lr(10**6) < kaplan_lr(10**4)


def test_sweep_config_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="at least two"):
        SweepConfig(sizes=("1x32",))
    with pytest.raises(ValueError, match="repeats"):
        SweepConfig(sizes=("1x32", "1x32"))
    with pytest.raises(ValueError, match="flops_budget"):
        SweepConfig(flops_budget=0)
    config = tiny_config()
    assert SweepConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_validation_loss_scores_every_token_of_the_split_once(dataset: TokenDataset) -> None:
    torch.manual_seed(0)
    model = GPT(size_config("1x32", dataset.vocab_size, 16))
    tokens = np.asarray(dataset.val[:100])  # 6 windows of 16, 3 tokens left over
    ids = torch.from_numpy(tokens.astype(np.int64))
    with torch.no_grad():
        by_hand = [F.cross_entropy(model(ids[i : i + 16][None])[0], ids[i + 1 : i + 17])
                   for i in range(0, 96, 16)]  # fmt: skip
    expected = float(torch.stack(by_hand).mean())
    assert validation_loss(model, tokens, 16, batch_size=4) == pytest.approx(expected, rel=1e-6)


# -- the sweep ------------------------------------------------------------------------


def test_sweep_runs_spend_equal_compute(finished) -> None:
    out, results, _ = finished
    config = tiny_config()
    assert [r.name for r in results] == list(SIZES)
    for r in results:
        per_step = r.flops_per_token * config.tokens_per_step
        assert abs(r.flops - BUDGET) <= per_step / 2  # within half a step of the budget
        assert r.flops == r.steps * per_step and r.tokens == r.steps * config.tokens_per_step
    steps = {r.name: r.steps for r in results}
    assert steps["1x32"] > steps["2x32"] > 1  # a smaller model takes more steps
    assert len({r.params for r in results}) == 3


def test_sweep_writes_csv_plot_and_runs(finished) -> None:
    out, results, lines = finished
    assert read_sweep(out) == results
    header = (out / "sweep.csv").read_text().splitlines()[0]
    assert (
        header == "name,params,params_total,flops_per_token,steps,tokens,flops,lr,val_loss,wall_s"
    )
    assert (out / "scaling.png").stat().st_size > 10_000
    for r in results:
        assert {"ckpt.pt", "metrics.csv", "loss.png", "result.json"} <= {
            p.name for p in (out / r.name).iterdir()
        }
        assert 0 < r.val_loss < math.log(30) and r.wall_s > 0
    assert len(lines) == 7 and "float32" in lines[0]
    assert "steps" in lines[1] and "val loss" in lines[2]


def test_sweep_resume_skips_finished_runs(finished, dataset: TokenDataset) -> None:
    out, results, _ = finished
    stamps = {r.name: (out / r.name / "ckpt.pt").stat().st_mtime_ns for r in results}
    (out / "1x64" / "result.json").unlink()  # as if stopped after training, before scoring
    lines: list[str] = []
    again = run_sweep(tiny_config(), out, dataset=dataset, progress=False, echo=lines.append)
    assert sum("skipped" in line for line in lines) == 2
    assert again[:2] == results[:2]
    # the third resumed from its final checkpoint: no step trained again, the same loss
    assert again[2].val_loss == pytest.approx(results[2].val_loss, rel=1e-9)
    assert (out / "1x32" / "ckpt.pt").stat().st_mtime_ns == stamps["1x32"]


def test_sweep_refuses_other_settings_without_overwrite(
    finished, dataset: TokenDataset, tmp_path: Path
) -> None:
    out, _, _ = finished
    with pytest.raises(JourneyError, match="other settings.*flops_budget.*--overwrite"):
        run_sweep(tiny_config(flops_budget=4e8), out, dataset=dataset, progress=False)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(JourneyError, match="not empty"):
        run_sweep(tiny_config(), tmp_path, dataset=dataset, progress=False)
    with pytest.raises(ValueError, match="less than half a step"):
        run_sweep(tiny_config(flops_budget=1e3), tmp_path / "new", dataset=dataset)


def test_sweep_overwrite_trains_again(dataset: TokenDataset, tmp_path: Path) -> None:
    config = tiny_config(sizes=("1x32", "2x32"), flops_budget=5e7)
    first = run_sweep(config, tmp_path, dataset=dataset, progress=False)
    lines: list[str] = []
    config = tiny_config(sizes=("1x32", "2x32"), flops_budget=1e8)
    second = run_sweep(config, tmp_path, dataset=dataset, overwrite=True, progress=False,
                       echo=lines.append)  # fmt: skip
    assert not any("skipped" in line for line in lines)
    assert [r.steps for r in second] == [round(1e8 / (r.flops / r.steps)) for r in first]
    assert json.loads((tmp_path / "sweep.json").read_text())["flops_budget"] == 1e8


# -- the command's errors -------------------------------------------------------------


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


def test_budget_for_minutes_measures_a_positive_budget(dataset: TokenDataset) -> None:
    budget = budget_for_minutes(tiny_config(), 0.5, dataset=dataset, probe_steps=2)
    assert 1e6 < budget < 1e15
    with pytest.raises(ValueError, match="minutes"):
        budget_for_minutes(tiny_config(), 0, dataset=dataset)


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
    from nlpjourney.cli import sweep as cli
    from nlpjourney.train import sweep as library

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
