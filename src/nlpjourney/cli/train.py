"""``journey train gpt`` and ``journey sample``: options around :mod:`nlpjourney.apps.gpt`.

``journey train gpt --preset shakespeare-char-cpu`` trains a GPT on Tiny Shakespeare by
the preset's recipe into ``runs/<preset>``; ``journey sample runs/<preset>`` continues a
prompt with it. The work is :func:`~nlpjourney.apps.gpt.train_gpt`,
:func:`~nlpjourney.apps.gpt.load_run` and :func:`~nlpjourney.apps.gpt.generate_text`;
this module parses options, calls them and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from nlpjourney.apps.gpt import RECIPES, GPTRunConfig, generate_text, load_run, train_gpt
from nlpjourney.errors import JourneyError

app = typer.Typer(help="Train a model from scratch.", no_args_is_help=True)


#: The ``--threads`` option of every training command.
THREADS_OPTION: Any = typer.Option(
    None,
    "--threads",
    help="CPU threads for torch (default: one per core; 1 runs faster while other "
    "programs keep the cores busy).",
)


def set_threads(threads: int | None) -> None:
    """Apply ``--threads``: torch's CPU thread count, or torch's default for None."""
    if threads is None:
        return
    if threads < 1:
        raise JourneyError(f"--threads must be at least 1, got {threads}")
    import torch

    torch.set_num_threads(threads)


@app.callback()
def _train() -> None:
    """Train a model from scratch (checkpoint, metrics.csv and loss.png in the run folder)."""


@app.command("gpt")
def train_gpt_command(
    preset: str = typer.Option(
        "shakespeare-char-cpu", "--preset", help=f"Model and recipe: {', '.join(RECIPES)}."
    ),
    tokenizer: str = typer.Option(
        "char", "--tokenizer", help="'char' (one id per character) or 'gpt2' (GPT-2's BPE)."
    ),
    max_steps: int | None = typer.Option(
        None, "--max-steps", help="Optimizer steps; the lr decays to its minimum here."
    ),
    stop_after: int | None = typer.Option(
        None, "--stop-after", help="Stop after this step (with a checkpoint); --resume goes on."
    ),
    out_dir: Path | None = typer.Option(None, "--out-dir", help="Run folder (runs/<preset>)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out-dir."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the run in --out-dir."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:1, ..."),
    dtype: str = typer.Option(
        "auto",
        "--dtype",
        help="Autocast precision: auto (bfloat16 on GPUs and CPUs that have it), float32, "
        "bfloat16, float16.",
    ),
    eval_interval: int | None = typer.Option(
        None, "--eval-interval", help="Evaluate (and plot) every N steps."
    ),
    seed: int = typer.Option(1337, "--seed", help="Seeds the model's init and the batches."),
    threads: int | None = THREADS_OPTION,
) -> None:
    """Train a GPT on Tiny Shakespeare by a preset's recipe (nanoGPT's settings)."""
    config = GPTRunConfig(
        preset=preset,
        tokenizer=tokenizer,
        max_steps=max_steps,
        stop_after=stop_after,
        out_dir=out_dir,
        resume=resume,
        overwrite=overwrite,
        device=device,
        dtype=dtype,
        eval_interval=eval_interval,
        seed=seed,
    )
    set_threads(threads)
    train_gpt(config, echo=typer.echo)
    out = config.run_dir
    typer.echo(f"wrote {out}/ckpt.pt, metrics.csv, loss.png; try: journey sample {out}")


def sample(
    run_dir: Path = typer.Argument(..., help="A run folder of journey train gpt (runs/<preset>)."),
    prompt: str = typer.Option(
        "\n", "--prompt", "-p", help="Text to continue.", show_default="a newline"
    ),
    max_new_tokens: int = typer.Option(500, "--max-new-tokens", "-n", help="Tokens to add."),
    temperature: float = typer.Option(
        0.8, "--temperature", help="0 greedy, <1 sharper, >1 flatter."
    ),
    top_k: int | None = typer.Option(200, "--top-k", help="Sample among the k likeliest tokens."),
    seed: int = typer.Option(1337, "--seed", help="The same seed gives the same text."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, ..."),
) -> None:
    """Continue PROMPT with a GPT trained by journey train gpt."""
    model, tokenizer = load_run(run_dir, device)
    text = generate_text(model, tokenizer, prompt, max_new_tokens, temperature, top_k, seed)
    typer.echo(text)
