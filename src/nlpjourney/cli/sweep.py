"""``journey train sweep``: GPTs of several sizes on equal compute, and their scaling laws.

``journey train sweep`` trains the default ladder of six character-level GPTs on Tiny
Shakespeare, each for the same training FLOPs, and writes ``runs/sweep/sweep.csv`` and
``runs/sweep/scaling.png`` (loss against parameters and against FLOPs, with fitted power
laws); :mod:`nlpjourney.apps.sweep` does the work. Run again, it skips the sizes that
finished and resumes the one that was stopped; Ctrl-C stops after the step under way,
with a checkpoint, and prints that command.

torch is imported inside the command, so ``journey`` starts fast.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from nlpjourney.cli.train import (
    THREADS_OPTION,
    command_line,
    run_training,
    seed_option,
    set_threads,
)
from nlpjourney.errors import JourneyError

if TYPE_CHECKING:
    from nlpjourney.apps.sweep import SweepConfig

#: Mirrors :data:`nlpjourney.apps.sweep.DEFAULT_SIZES` and ``DEFAULT_BUDGET`` without
#: importing torch for the help text.
DEFAULT_SIZES = "1x32,2x32,2x64,3x96,4x128,6x192"
DEFAULT_BUDGET = 8e12


def sweep(
    budget: float | None = typer.Option(
        None,
        "--budget",
        help="Training FLOPs per run (default: that of the sweep in --out, else "
        f"{DEFAULT_BUDGET:.0e}, about 10 minutes on two quiet cores).",
    ),
    minutes: float | None = typer.Option(
        None,
        "--minutes",
        help="Instead of --budget: measure this machine's speed and pick "
        "the budget that makes the whole sweep take about this long.",
    ),
    sizes: str = typer.Option(
        DEFAULT_SIZES, "--sizes", help="Model sizes LxC (layers x width), comma-separated."
    ),
    out_dir: Path = typer.Option(Path("runs/sweep"), "--out", help="The sweep's folder."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace a sweep in --out."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda, auto, ..."),
    seed: int = seed_option("Seeds every run's weights and batches."),
    threads: int | None = THREADS_OPTION,
) -> None:
    """Train GPTs of several sizes on equal compute; fit and plot their scaling laws."""
    if budget is not None and minutes is not None:
        raise JourneyError("give --budget (FLOPs) or --minutes, not both")
    if budget is not None and not budget > 0:
        raise JourneyError(f"--budget must be a number of FLOPs > 0, e.g. 8e12; got {budget}")
    if minutes is not None and not minutes > 0:
        raise JourneyError(f"--minutes must be > 0, got {minutes}")
    names = tuple(s.strip() for s in sizes.split(",") if s.strip())

    from nlpjourney.apps.sweep import (
        SweepConfig,
        budget_for_minutes,
        fit_laws,
        run_curves,
        run_sweep,
        stored_budget,
    )

    set_threads(threads)
    try:
        config = SweepConfig(sizes=names, flops_budget=budget or DEFAULT_BUDGET,
                             device=device, seed=seed)  # fmt: skip
    except (TypeError, ValueError) as error:
        raise JourneyError(f"{error}") from None
    check_sizes_fit(config)
    stored = None if budget is not None or overwrite else stored_budget(out_dir)
    if stored is not None:
        # A stopped sweep goes on with the budget it began with, whatever the clock says.
        typer.echo(f"{out_dir} holds a sweep: going on with its budget, {stored:.3g} FLOPs per run")
        config = dataclasses.replace(config, flops_budget=stored)
    elif minutes is not None:
        typer.echo(f"measuring this machine's speed on {len(names)} sizes ...")
        measured = budget_for_minutes(config, minutes)
        typer.echo(f"budget for about {minutes:g} minutes: {measured:.3g} FLOPs per run")
        config = dataclasses.replace(config, flops_budget=measured)
    # A stopped sweep goes on from its stored budget and the stopped run's checkpoint.
    continue_sweep = partial(command_line, ["journey", "train", "sweep"], [
        ("--sizes", sizes, DEFAULT_SIZES), ("--out", str(out_dir), None),
        ("--device", device, "cpu"), ("--seed", seed, 1337), ("--threads", threads, None),
    ])  # fmt: skip
    try:
        results = run_training(
            lambda: run_sweep(config, out_dir, overwrite=overwrite, echo=typer.echo), continue_sweep
        )
    except (TypeError, ValueError) as error:
        raise JourneyError(str(error)) from None
    size_law, fitted, compute_law = fit_laws(results, run_curves(out_dir, results))
    best = min(results, key=lambda r: r.val_loss)
    typer.echo(f"lowest val loss: {best.name} ({best.val_loss:.4f})")
    if size_law is not None:
        typer.echo(f"L(N) = {size_law.a:.3g} N^-{size_law.alpha:.3f} on {', '.join(fitted)} "
                   "(Kaplan et al.: alpha_N ~ 0.076)")  # fmt: skip
    else:
        typer.echo("L(N) not fitted: the smallest size has the lowest loss at this budget")
    if compute_law is not None:
        typer.echo(f"L(C) = {compute_law.a:.3g} C^-{compute_law.alpha:.3f} on the frontier "
                   "(Kaplan et al.: alpha_C ~ 0.050)")  # fmt: skip
    typer.echo(f"wrote {out_dir}/sweep.csv and {out_dir}/scaling.png")


def check_sizes_fit(config: SweepConfig, vocab_size: int = 65) -> None:
    """Refuse a size whose training would not fit in memory, before any work.

    Each size is built on torch's ``meta`` device (no memory) to count its parameters;
    training holds 16 bytes of each (weights, gradients, AdamW's two moments) and the
    activations of a batch (about 16 floats per token, layer and width, plus each
    head's T x T attention weights).

    Raises:
        JourneyError: a size needs more memory than the machine can spare.
    """
    import torch

    from nlpjourney.apps.runs import check_fits
    from nlpjourney.apps.sweep import size_config
    from nlpjourney.models import GPT
    from nlpjourney.train import resolve_device

    device = str(resolve_device(config.device))
    tokens = config.batch_size * config.block_size
    for name in config.sizes:
        c = size_config(name, vocab_size, config.block_size)
        with torch.device("meta"):
            params = sum(p.numel() for p in GPT(c).parameters())
        activations = 4 * tokens * c.n_layer * (16 * c.n_embd + 2 * c.n_head * c.block_size)
        check_fits(16 * params + activations, f"size {name} ({params:,} parameters)",
                   "choose smaller --sizes", device)  # fmt: skip
