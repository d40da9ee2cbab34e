"""The scaling-law sweep: GPTs of several sizes, each trained on the same compute.

Each size is named ``LxC`` (``n_layer`` x ``n_embd``, heads of 32 dims): the default
ladder ``1x32`` ... ``6x192`` keeps the width-to-depth ratio fixed and spans about 13k to
2.7M parameters. Every run spends one training budget of FLOPs ``C``: with
``F = 6 N + 12 L C T`` FLOPs per token (:meth:`~nlpjourney.models.GPT.estimate_flops_per_token`)
and ``batch_size x block_size`` tokens per step, it takes

    steps = round(C / (F * tokens_per_step))

so every run's compute is within half a step of the budget. A small model takes many
cheap steps, a big one few dear ones; what they cost in seconds does not enter. Each
size has its own cosine schedule over its own steps (Chinchilla's lesson: a schedule
longer than the run understates a model) and its own peak learning rate,
:func:`kaplan_lr`.

:func:`run_sweep` trains the sizes one after another with
:class:`~nlpjourney.train.Trainer`, each into its own folder (``ckpt.pt``,
``metrics.csv``, ``loss.png``, and ``result.json`` once it is done), scores each finished
model on the whole validation split (the same tokens for every size) and writes
``sweep.csv`` and ``scaling.png`` (:func:`nlpjourney.train.scaling.plot_scaling`).
Stopped and started again, it skips finished runs (reading ``result.json`` back),
resumes an interrupted one from its checkpoint, and refuses a folder that holds a
sweep with other settings unless told to overwrite it.

Two laws are fitted (:func:`fit_laws`). ``L(N)``: at one budget, loss against size is a
U: left of the lowest loss, models are limited by their size (they have seen plenty of
tokens); right of it, by the compute (too few tokens for their size). Only the left
branch, up to and including the lowest loss, estimates Kaplan's ``L(N)``, so the fit uses
those runs. ``L(C)``: the frontier of all loss curves against FLOPs.

What to expect, and why: at a small budget the loss against size is a U. The biggest
sizes are starved of tokens (they take few, dear steps), the smallest are limited by
their size (their curves flatten early), and the bottom sits where a model sees on the
order of a hundred tokens per parameter, more than Chinchilla's twenty because these
budgets are tiny. A fitted ``alpha_N`` comes out below Kaplan's and ``alpha_C`` above
it: at such budgets the loss is still in its fast early fall. The figures of the
default sweep are in the README's records table, with the command that made them; the
sweep prints its own.

Reference: Kaplan et al. (2020), "Scaling Laws for Neural Language Models"
(``alpha_N ~ 0.076``, ``alpha_C ~ 0.050``, the learning-rate rule of their appendix D);
Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models" (equal-FLOPs
profiles, appendix F's ``C ~ 6 N D``).

Simplifications: one budget (Chinchilla draws several iso-FLOP profiles); losses on a
character-level corpus of one million characters, which the smallest models see dozens
of times over.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from nlpjourney.apps.gpt import META_KIND
from nlpjourney.errors import JourneyError
from nlpjourney.models.gpt import GPT, GPTConfig
from nlpjourney.train import (
    MetricsLog,
    TokenDataset,
    TrainConfig,
    Trainer,
    autocast_dtype,
    prepare_char,
    resolve_device,
    seed_everything,
    validation_loss,
)
from nlpjourney.train.scaling import PowerLaw, fit_power_law, frontier, plot_scaling

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_SIZES",
    "RunResult",
    "SweepConfig",
    "budget_for_minutes",
    "fit_laws",
    "kaplan_lr",
    "plot_sweep",
    "read_sweep",
    "run_curves",
    "run_sweep",
    "size_config",
    "stored_budget",
]

#: The default ladder: depth and width grow together (32 dims per layer), with ``2x32``
#: added so that three sizes lie left of the lowest loss at the default budget.
DEFAULT_SIZES = ("1x32", "2x32", "2x64", "3x96", "4x128", "6x192")
#: Training FLOPs per run of the default sweep: chosen so that all six sizes train in
#: about ten minutes on two CPU cores (``journey train sweep --minutes N`` picks a budget
#: from this machine's measured speed instead).
DEFAULT_BUDGET = 8e12
#: Dims per attention head in every size.
HEAD_SIZE = 32
SIZE_NAME = re.compile(r"(\d+)x(\d+)")


def size_config(name: str, vocab_size: int, block_size: int) -> GPTConfig:
    """The GPT of a size name ``"LxC"``: ``L`` layers, width ``C``, heads of 32 dims.

    Example:
        >>> cfg = size_config("3x96", vocab_size=65, block_size=64)
        >>> cfg.n_layer, cfg.n_embd, cfg.n_head
        (3, 96, 3)
    """
    match = SIZE_NAME.fullmatch(name) if isinstance(name, str) else None
    if match is None:
        raise ValueError(f"a size is written LxC (layers x width), e.g. '3x96'; got {name!r}")
    n_layer, n_embd = int(match[1]), int(match[2])
    if n_layer < 1 or n_embd < HEAD_SIZE or n_embd % HEAD_SIZE:
        raise ValueError(
            f"size {name!r}: layers must be >= 1 and the width a multiple of {HEAD_SIZE} "
            f"(heads of {HEAD_SIZE} dims), e.g. '2x64'"
        )
    return GPTConfig(vocab_size=vocab_size, block_size=block_size, n_layer=n_layer,
                     n_head=n_embd // HEAD_SIZE, n_embd=n_embd, dropout=0.0)  # fmt: skip


def kaplan_lr(params: int) -> float:
    """Peak learning rate for a model of ``params`` parameters (without embeddings).

    Kaplan et al. (2020), appendix D, eq. D.1: ``lr(N) ~ 0.003239 - 0.0001395 log N``; smaller
    models take bigger steps. Example: 0.00192 at N = 12,768, 0.00117 at N = 2.67M.
    """
    if params < 1:
        raise ValueError(f"params must be >= 1, got {params}")
    return 0.003239 - 0.0001395 * math.log(params)


@dataclass(frozen=True)
class SweepConfig:
    """What a sweep trains and how; saved as ``sweep.json`` in its folder.

    Example:
        >>> SweepConfig(sizes=("1x32", "2x64"), flops_budget=1e11).tokens_per_step
        2048
    """

    sizes: tuple[str, ...] = DEFAULT_SIZES
    """Model sizes, ``LxC`` each (:func:`size_config`), at least two."""
    flops_budget: float = DEFAULT_BUDGET
    """Training FLOPs of every run (forward and backward, evaluations not counted)."""
    batch_size: int = 32
    """Sequences per step, the same for every size."""
    block_size: int = 64
    """Context length T, the same for every size."""
    evals_per_run: int = 20
    """Evaluations (points of each loss curve) per run."""
    eval_steps: int = 10
    """Batches averaged per evaluation during training."""
    seed: int = 1337
    """Seeds every run's initial weights and batches."""
    device: str = "cpu"
    """Where to train: ``"cpu"``, ``"cuda"``, ``"auto"``."""
    dtype: str = "auto"
    """Training precision, :attr:`TrainConfig.dtype <nlpjourney.train.TrainConfig.dtype>`."""

    def __post_init__(self) -> None:
        sizes = self.sizes
        if isinstance(sizes, str) or not isinstance(sizes, Sequence) or len(sizes) < 2:
            raise ValueError(f"sizes must be a list of at least two LxC names, got {sizes!r}")
        for name in sizes:
            size_config(name, 2, 2)  # raises on a malformed name
        if len(set(sizes)) != len(sizes):
            raise ValueError(f"sizes has repeats: {list(sizes)}; name each size once")
        object.__setattr__(self, "sizes", tuple(sizes))
        budget = self.flops_budget
        if isinstance(budget, bool) or not isinstance(budget, int | float) or not budget > 0:
            raise ValueError(f"flops_budget must be a number > 0, got {budget!r}")
        object.__setattr__(self, "flops_budget", float(budget))
        for name in ("batch_size", "block_size", "evals_per_run", "eval_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")

    @property
    def tokens_per_step(self) -> int:
        """Tokens one optimizer step trains on: ``batch_size * block_size``."""
        return self.batch_size * self.block_size

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready values."""
        return {**asdict(self), "sizes": list(self.sizes)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SweepConfig:
        """A config from :meth:`to_dict`'s output."""
        known = {f.name for f in fields(cls)}
        if unknown := set(values) - known:
            raise ValueError(f"unknown SweepConfig fields {sorted(unknown)}")
        return cls(**{**values, "sizes": tuple(values["sizes"])})


@dataclass(frozen=True)
class RunResult:
    """One finished run of a sweep: a row of ``sweep.csv``."""

    name: str
    """The size, ``LxC``."""
    params: int
    """N, the parameters without the embedding tables (Kaplan's convention)."""
    params_total: int
    """Every parameter, the embeddings included."""
    flops_per_token: int
    """Training FLOPs per token, ``6 N' + 12 L C T`` (N' adds the output layer)."""
    steps: int
    """Optimizer steps."""
    tokens: int
    """Training tokens D seen: ``steps * tokens_per_step``."""
    flops: int
    """Training compute C: ``tokens * flops_per_token``."""
    lr: float
    """Peak learning rate."""
    val_loss: float
    """Mean loss on the whole validation split, after training."""
    wall_s: float
    """Seconds of training, evaluations during training included."""


@dataclass(frozen=True)
class _Plan:
    name: str
    model_config: GPTConfig
    params: int
    params_total: int
    flops_per_token: int
    steps: int
    lr: float


def _plan(config: SweepConfig, vocab_size: int) -> list[_Plan]:
    """Each size's model, FLOPs per token, steps and learning rate."""
    plans = []
    for name in config.sizes:
        model_config = size_config(name, vocab_size, config.block_size)
        model = GPT(model_config)
        per_token = model.estimate_flops_per_token(config.block_size)
        per_step = per_token * config.tokens_per_step
        steps = round(config.flops_budget / per_step)
        if steps < 1:
            raise ValueError(
                f"a budget of {config.flops_budget:.3g} FLOPs is less than half a step of "
                f"size {name} ({per_step:.3g} FLOPs per step); raise the budget"
            )
        params = model.num_parameters(non_embedding=True)
        plans.append(_Plan(name, model_config, params, model.num_parameters(), per_token,
                           steps, kaplan_lr(params)))  # fmt: skip
    return plans


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        raise JourneyError(f"{path} is not valid JSON; delete it, or pass --overwrite") from None


def _write_json(path: Path, values: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(values, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def _claim(out: Path, config: SweepConfig, data_key: str, overwrite: bool) -> None:
    """Write ``sweep.json``; refuse a folder holding another sweep unless ``overwrite``."""
    settings = {**config.to_dict(), "data": data_key}
    del settings["sizes"]  # sizes may be added to a sweep: each run stands alone
    stored = _read_json(out / "sweep.json")
    if stored is not None and not overwrite:
        stored.pop("sizes", None)
        changed = sorted(k for k in settings.keys() | stored.keys()
                         if settings.get(k) != stored.get(k))  # fmt: skip
        if changed:
            differences = ", ".join(f"{k} {stored.get(k)!r} there, {settings.get(k)!r} now"
                                    for k in changed)  # fmt: skip
            raise JourneyError(
                f"{out} holds a sweep with other settings ({differences}); pass --overwrite "
                "(overwrite=True) to replace it, or choose another folder"
            )
    elif stored is None and out.is_dir() and any(out.iterdir()) and not overwrite:
        raise JourneyError(
            f"{out} is not empty and holds no sweep.json; choose another folder, or pass "
            "--overwrite (overwrite=True) to train a sweep into it"
        )
    out.mkdir(parents=True, exist_ok=True)
    if overwrite:
        for name in ("sweep.csv", "scaling.png"):
            (out / name).unlink(missing_ok=True)
        for size in config.sizes:
            (out / size / "result.json").unlink(missing_ok=True)
    _write_json(out / "sweep.json", {**settings, "sizes": list(config.sizes)})


def _train(plan: _Plan, config: SweepConfig, dataset: TokenDataset, run_dir: Path,
           progress: bool | None, overwrite: bool) -> RunResult:  # fmt: skip
    """Train one size (resuming its checkpoint if one is there) and score it."""
    # subtle: rounding up, not down: 193 steps in 6 would evaluate at 192 and again at
    # the last step, 193, two noisy estimates one step apart on the curve.
    every = math.ceil(plan.steps / config.evals_per_run)
    train_config = TrainConfig(
        max_steps=plan.steps,
        batch_size=config.batch_size,
        lr=plan.lr,
        min_lr=plan.lr / 10,
        eval_interval=every,
        eval_steps=config.eval_steps,
        checkpoint_interval=every,
        seed=config.seed,
        device=config.device,
        dtype=config.dtype,
        out_dir=str(run_dir),
    )
    seed_everything(config.seed)  # before the model: each size starts from its seed
    model = GPT(plan.model_config)
    device = resolve_device(config.device)
    sampler = dataset.sampler(config.batch_size, config.block_size, config.seed, device)
    meta = {"kind": META_KIND, "preset": f"sweep-{plan.name}",
            "model_config": plan.model_config.to_dict(), "tokenizer": dataset.meta["tokenizer"]}  # fmt: skip
    resume = not overwrite and (run_dir / "ckpt.pt").is_file()
    # subtle: without a checkpoint, what the folder holds is the start of a run stopped
    # before its first checkpoint; nothing finished is lost by starting it again.
    trainer = Trainer(model, train_config, sampler, resume=resume, overwrite=not resume,
                      meta=meta, progress=progress).fit()  # fmt: skip
    loss = validation_loss(model, dataset.val, config.block_size, config.batch_size, device)
    tokens = plan.steps * config.tokens_per_step
    return RunResult(
        name=plan.name,
        params=plan.params,
        params_total=plan.params_total,
        flops_per_token=plan.flops_per_token,
        steps=plan.steps,
        tokens=tokens,
        flops=tokens * plan.flops_per_token,
        lr=plan.lr,
        val_loss=loss,
        wall_s=trainer.history[-1]["elapsed"],
    )


def _write_csv(path: Path, results: Sequence[RunResult]) -> None:
    columns = [f.name for f in fields(RunResult)]
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for result in results:
            writer.writerow([getattr(result, c) for c in columns])
    os.replace(temporary, path)


def read_sweep(out_dir: str | os.PathLike[str]) -> list[RunResult]:
    """The runs of ``sweep.csv`` in a sweep's folder, in its order.

    Raises:
        JourneyError: no ``sweep.csv`` there, or one with other columns.
    """
    path = Path(out_dir) / "sweep.csv"
    if not path.is_file():
        raise JourneyError(f"no sweep.csv in {out_dir}; run one with: journey train sweep")
    types = {f.name: f.type for f in fields(RunResult)}
    casts: dict[str, Callable[[str], Any]] = {"str": str, "int": int, "float": float}
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if rows and set(rows[0]) != set(types):
        raise JourneyError(f"{path} has columns {sorted(rows[0])}, not {sorted(types)}")
    return [RunResult(**{k: casts[str(types[k])](v) for k, v in row.items()}) for row in rows]


def fit_laws(
    results: Sequence[RunResult], curves: Sequence[tuple[Sequence[float], Sequence[float]]]
) -> tuple[PowerLaw | None, list[str], PowerLaw | None]:
    """Fit ``L(N)`` on the size-limited runs and ``L(C)`` on the frontier of the curves.

    Args:
        results: the finished runs.
        curves: each run's ``(cumulative FLOPs, val loss)`` (:func:`run_curves`).

    Returns:
        ``(size_law, fitted, compute_law)``: ``size_law`` fitted on the runs named in
        ``fitted`` (by size up to the one with the lowest loss; None when that is the
        smallest, as there is nothing left of it to fit), ``compute_law`` fitted on the
        frontier (None with fewer than two frontier points).
    """
    by_size = sorted(results, key=lambda r: r.params)
    lowest = min(range(len(by_size)), key=lambda i: by_size[i].val_loss) if by_size else 0
    branch = by_size[: lowest + 1]
    size_law = None
    if len(branch) >= 2:
        size_law = fit_power_law([r.params for r in branch], [r.val_loss for r in branch])
    points = [(c, v) for flops, curve in curves for c, v in zip(flops, curve, strict=True)
              if c > 0 and v == v]  # fmt: skip
    edge = frontier(points)
    compute_law = fit_power_law(*zip(*edge, strict=True)) if len(edge) >= 2 else None
    return size_law, ([r.name for r in branch] if size_law else []), compute_law


def run_curves(
    out_dir: str | os.PathLike[str], results: Sequence[RunResult]
) -> list[tuple[list[float], list[float]]]:
    """Each run's validation loss curve against cumulative FLOPs, from its ``metrics.csv``."""
    curves = []
    for result in results:
        rows = MetricsLog.read(Path(out_dir) / result.name / "metrics.csv").rows
        per_step = result.flops / result.steps
        curves.append(([r["step"] * per_step for r in rows], [r["val_loss"] for r in rows]))
    return curves


def plot_sweep(out_dir: str | os.PathLike[str], results: Sequence[RunResult]) -> Path:
    """Fit both laws to a sweep's runs and draw ``scaling.png`` in its folder."""
    curves = run_curves(out_dir, results)
    size_law, fitted, compute_law = fit_laws(results, curves)
    stored = _read_json(Path(out_dir) / "sweep.json") or {}
    budget = stored.get("flops_budget") or max((r.flops for r in results), default=None)
    return plot_scaling(
        [r.name for r in results], [r.params for r in results], [r.val_loss for r in results],
        curves, Path(out_dir) / "scaling.png", size_law, fitted, compute_law, budget,
    )  # fmt: skip


def run_sweep(
    config: SweepConfig,
    out_dir: str | os.PathLike[str],
    *,
    dataset: TokenDataset | None = None,
    overwrite: bool = False,
    progress: bool | None = None,
    echo: Callable[[str], None] | None = None,
) -> list[RunResult]:
    """Train every size of ``config`` on the same FLOPs; write ``sweep.csv`` and ``scaling.png``.

    Args:
        config: the sizes, the budget and the training settings.
        out_dir: the sweep's folder; each size trains into ``out_dir/<size>``.
        dataset: the token streams (default: Tiny Shakespeare by characters).
        overwrite: replace a sweep already in ``out_dir``; without it, finished runs
            are read back and an interrupted one resumes.
        progress: a progress bar per run (None: only on a terminal).
        echo: called with a line per run (e.g. ``print``).

    Returns:
        One :class:`RunResult` per size, in ``config.sizes``' order.

    Example::

        results = run_sweep(SweepConfig(flops_budget=1e12), "runs/sweep", echo=print)
        fit_power_law([r.params for r in results], [r.val_loss for r in results])
    """
    if not isinstance(config, SweepConfig):
        raise TypeError(f"config must be a SweepConfig, got {type(config).__name__}")
    say = echo or (lambda line: None)
    if dataset is None:
        from nlpjourney import data

        dataset = prepare_char(data.path("tinyshakespeare"))
    out = Path(out_dir)
    plans = _plan(config, dataset.vocab_size)
    _claim(out, config, str(dataset.meta.get("key", dataset.folder)), overwrite)
    device = resolve_device(config.device)
    precision = autocast_dtype(config.dtype, device)
    say(f"{len(plans)} sizes, {config.flops_budget:.3g} training FLOPs each, on {device} in "
        f"{'float32' if precision is None else f'{precision} autocast'.replace('torch.', '')}")  # fmt: skip
    results = []
    for i, plan in enumerate(plans, 1):
        run_dir = out / plan.name
        head = f"[{i}/{len(plans)}] {plan.name}: N={plan.params:,}"
        stored = _read_json(run_dir / "result.json")
        if stored is not None:
            result = RunResult(**stored)
            say(f"{head}, done before: val loss {result.val_loss:.4f} (skipped)")
        else:
            tokens = plan.steps * config.tokens_per_step
            say(f"{head}, {plan.steps:,} steps, D={tokens:,} tokens, lr {plan.lr:.2e}")
            result = _train(plan, config, dataset, run_dir, progress, overwrite)
            _write_json(run_dir / "result.json", asdict(result))
            say(f"{head}: val loss {result.val_loss:.4f} in {result.wall_s:.0f} s")
        results.append(result)
        _write_csv(out / "sweep.csv", results)
    plot_sweep(out, results)
    return results


def stored_budget(out_dir: str | os.PathLike[str]) -> float | None:
    """The FLOPs budget of the sweep in ``out_dir`` (from its ``sweep.json``), or None.

    A stopped sweep goes on with the budget it began with, whatever a clock says now.
    """
    stored = _read_json(Path(out_dir) / "sweep.json")
    try:
        return None if stored is None else float(stored["flops_budget"])
    except (KeyError, TypeError, ValueError):
        return None


def budget_for_minutes(
    config: SweepConfig,
    minutes: float,
    dataset: TokenDataset | None = None,
    probe_steps: int = 4,
) -> float:
    """The FLOPs per run that make ``config``'s sweep take about ``minutes`` here.

    Each size trains ``2 * probe_steps`` steps in a temporary folder; the rate of the
    second half (warm) gives its seconds per FLOP, and the budget is what fits the
    minutes with 15% kept for evaluations. The speed is measured once, the budget is
    fixed in FLOPs: a busier or faster machine changes how long the sweep takes, not
    what it trains.
    """
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not minutes > 0:
        raise ValueError(f"minutes must be a number > 0, got {minutes!r}")
    if dataset is None:
        from nlpjourney import data

        dataset = prepare_char(data.path("tinyshakespeare"))
    seconds_per_flop = 0.0
    folder = Path(tempfile.mkdtemp(prefix="sweep-probe-"))
    try:
        for name in config.sizes:
            model_config = size_config(name, dataset.vocab_size, config.block_size)
            model = GPT(model_config)
            probe = TrainConfig(max_steps=2 * probe_steps, batch_size=config.batch_size,
                                eval_interval=probe_steps, eval_steps=1, device=config.device,
                                dtype=config.dtype, out_dir=str(folder / name))  # fmt: skip
            sampler = dataset.sampler(config.batch_size, config.block_size, config.seed)
            trainer = Trainer(model, probe, sampler, plot=False, progress=False).fit()
            tokens_per_s = trainer.history[-1]["tokens_per_s"]
            seconds_per_flop += 1.0 / (
                tokens_per_s * model.estimate_flops_per_token(config.block_size)
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0.85 * minutes * 60 / seconds_per_flop
