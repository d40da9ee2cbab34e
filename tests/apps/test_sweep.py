"""Tests for the scaling-law sweep, nlpjourney.apps.sweep.

The sweep trains three tiny GPTs for a few steps on a small made-up
corpus in ``tmp_path``: equal compute, ``sweep.csv``, resuming, refusing to overwrite."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from nlpjourney.apps.sweep import (
    RunResult,
    SweepConfig,
    budget_for_minutes,
    fit_laws,
    kaplan_lr,
    read_sweep,
    run_sweep,
    size_config,
)
from nlpjourney.errors import JourneyError
from nlpjourney.train import TokenDataset, prepare_char

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


# -- the sweep ------------------------------------------------------------------------


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


def test_budget_for_minutes_measures_a_positive_budget(dataset: TokenDataset) -> None:
    budget = budget_for_minutes(tiny_config(), 0.5, dataset=dataset, probe_steps=2)
    assert 1e6 < budget < 1e15
    with pytest.raises(ValueError, match="minutes"):
        budget_for_minutes(tiny_config(), 0, dataset=dataset)
