"""``journey train gpt`` and ``journey sample``: train a GPT on Tiny Shakespeare, then read it.

``journey train gpt --preset shakespeare-char-cpu`` encodes Tiny Shakespeare by
characters (or with GPT-2's BPE: ``--tokenizer gpt2``), builds
``GPT(GPTConfig.from_name(preset))`` with the data's vocabulary size, and trains it with
:class:`~nlpjourney.train.Trainer` by the preset's recipe (nanoGPT's settings), writing
``ckpt.pt``, ``metrics.csv`` and ``loss.png`` into ``runs/<preset>``. The checkpoint's
``meta`` holds the model config and the tokenizer, so ``journey sample runs/<preset>``
rebuilds both from the run folder alone.

torch and the model are imported inside the commands, so ``journey`` starts fast.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from nlpjourney.errors import JourneyError, lookup

if TYPE_CHECKING:
    from nlpjourney.models import GPT
    from nlpjourney.tokenizers import Tokenizer
    from nlpjourney.train import CharTokenizer, TrainConfig

app = typer.Typer(help="Train a model from scratch.", no_args_is_help=True)

#: Marks a checkpoint's ``meta`` as one this command wrote.
META_KIND = "nlpjourney.models.gpt"


@dataclass(frozen=True)
class Recipe:
    """How a preset trains: nanoGPT's settings, as :class:`~nlpjourney.train.TrainConfig` fields."""

    max_steps: int
    batch_size: int
    lr: float
    min_lr: float
    warmup_steps: int
    eval_interval: int
    eval_steps: int
    grad_accum_steps: int = 1
    betas: tuple[float, float] = (0.9, 0.99)


#: nanoGPT's ``config/train_shakespeare_char.py`` (GPU), and the CPU command of its README:
#: ``--eval_iters=20 --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128
#: --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0`` (100 warm-up steps and eval
#: every 250 kept from the config file), with one change of ours: lr 2e-3 decaying to
#: 2e-4, where nanoGPT's config has 1e-3 to 1e-4. Measured at step 2,000 (val loss, 20
#: batches, bfloat16 autocast, seed 1337): lr 1e-3 gives 1.91, 2e-3 gives 1.81, 3e-3 gives
#: 1.79; 2e-3 is the safer of the two good ones for a model this small and a batch this
#: noisy. ``shakespeare-char-15min`` trains that model's size with block 128 and dropout
#: 0.1 on 16M tokens (4,000 steps of 32 x 128), 16 epochs of Tiny Shakespeare. Measured
#: (whole validation split, seed 1337): 1.533 after 4,000 steps in 14 min 54 s of wall
#: time for the whole command, on one thread while other jobs kept the load at 2-3; a
#: 5,000-step schedule reached 1.503 but took 21 minutes under the same load.
#: ``gpt2`` uses GPT-2's lr 6e-4 and beta2 0.95 at a batch that fits one GPU; ``tiny`` is
#: for tests.
RECIPES: dict[str, Recipe] = {
    "shakespeare-char": Recipe(5000, 64, 1e-3, 1e-4, 100, 250, 200),
    "shakespeare-char-cpu": Recipe(2000, 12, 2e-3, 2e-4, 100, 250, 20),
    "shakespeare-char-15min": Recipe(4000, 32, 2e-3, 2e-4, 100, 500, 20),
    "gpt2": Recipe(5000, 8, 6e-4, 6e-5, 100, 250, 20, grad_accum_steps=4, betas=(0.9, 0.95)),
    "tiny": Recipe(100, 4, 1e-3, 1e-4, 10, 25, 2),
}


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


def check_run_folder(out: Path, resume: bool, overwrite: bool) -> None:
    """Refuse ``--resume`` with ``--overwrite``, and a fresh run where a run already is."""
    if resume and overwrite:
        raise JourneyError(
            "pass --resume to continue the run or --overwrite to replace it, not both"
        )
    if not resume and not overwrite and (out / "ckpt.pt").exists():
        raise JourneyError(
            f"{out} already holds a run; add --resume to continue it, --overwrite to start "
            "afresh, or choose another --out-dir"
        )


def recipe_config(
    recipe: Any, steps: int, eval_interval: int | None = None, **settings: Any
) -> TrainConfig:
    """The :class:`~nlpjourney.train.TrainConfig` of a recipe run for ``steps`` steps.

    The recipe's fields that are TrainConfig fields carry over. A shorter run keeps the
    recipe's shape: warm-up at most a tenth of the steps, and (unless ``eval_interval``
    is given) about ten evaluations, each with a checkpoint. ``settings`` gives the
    other fields (seed, device, out_dir...).

    Raises:
        JourneyError: a value TrainConfig refuses, with its message.
    """
    from nlpjourney.train import TrainConfig

    every = (
        eval_interval
        if eval_interval is not None
        else min(recipe.eval_interval, max(1, steps // 10))
    )
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    values = {k: v for k, v in dataclasses.asdict(recipe).items() if k in names}
    values.update(
        max_steps=steps,
        warmup_steps=min(recipe.warmup_steps, steps // 10),
        eval_interval=every,
        checkpoint_interval=every,
        **settings,
    )
    try:
        return TrainConfig(**values)
    except (ValueError, TypeError) as error:
        raise JourneyError(str(error)) from None


@app.callback()
def _train() -> None:
    """Train a model from scratch (checkpoint, metrics.csv and loss.png in the run folder)."""


@app.command("gpt")
def train_gpt(
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
    recipe = lookup(RECIPES, preset, "preset", f"Known: {', '.join(RECIPES)}.")
    if tokenizer not in ("char", "gpt2"):
        raise JourneyError(f"--tokenizer must be 'char' or 'gpt2', got {tokenizer!r}")
    if max_steps is not None and max_steps < 1:
        raise JourneyError(f"--max-steps must be at least 1, got {max_steps}")
    out = Path(out_dir) if out_dir is not None else Path("runs") / preset
    check_run_folder(out, resume, overwrite)

    set_threads(threads)
    from nlpjourney import data
    from nlpjourney.models import GPT, GPTConfig
    from nlpjourney.train import (
        Trainer,
        autocast_dtype,
        prepare_bpe,
        prepare_char,
        resolve_device,
        seed_everything,
    )

    text = data.path("tinyshakespeare")
    dataset = prepare_char(text) if tokenizer == "char" else prepare_bpe(text, "gpt2")
    model_config = GPTConfig.from_name(preset).replace(vocab_size=dataset.vocab_size)

    steps = recipe.max_steps if max_steps is None else max_steps
    config = recipe_config(recipe, steps, eval_interval, seed=seed, device=device,
                           dtype=dtype, out_dir=str(out))  # fmt: skip
    torch_device = resolve_device(device)
    seed_everything(seed)  # before building the model: the same seed, the same init
    model = GPT(model_config)
    sampler = dataset.sampler(recipe.batch_size, model_config.block_size, seed, torch_device)
    meta = {
        "kind": META_KIND,
        "preset": preset,
        "model_config": model_config.to_dict(),
        "tokenizer": dataset.meta["tokenizer"],
    }
    amp = autocast_dtype(config.dtype, torch_device)
    precision = "float32" if amp is None else f"{str(amp).removeprefix('torch.')} autocast"
    typer.echo(
        f"{preset}: {model.num_parameters() / 1e6:.2f}M parameters, vocab {dataset.vocab_size} "
        f"({tokenizer}), {len(dataset.train):,} training tokens, {steps} steps on "
        f"{torch_device} ({precision})"
    )
    trainer = Trainer(model, config, sampler, resume=resume, overwrite=overwrite, meta=meta)
    trainer.fit(until=stop_after)
    if trainer.history:
        last = trainer.history[-1]
        rate = _overall_rate(trainer.history)
        rate = f", {rate:,.0f} tokens/s" if rate else ""
        typer.echo(
            f"step {int(last['step'])}: train loss {last['train_loss']:.4f}, "
            f"val loss {last['val_loss']:.4f}{rate}"
        )
    typer.echo(f"wrote {out}/ckpt.pt, metrics.csv, loss.png; try: journey sample {out}")


def _overall_rate(history: list[dict[str, float]]) -> float | None:
    """Training tokens/s over the whole run from the per-interval rates of metrics.csv.

    Every step trains the same number of tokens, so the overall rate is the steps-weighted
    harmonic mean of the interval rates (a plain mean would overweight fast intervals).
    """
    steps, seconds = 0.0, 0.0
    for before, row in zip(history, history[1:], strict=False):
        rate, span = row["tokens_per_s"], row["step"] - before["step"]
        if rate and rate == rate and span > 0:  # rate == rate: not NaN
            steps, seconds = steps + span, seconds + span / rate
    return steps / seconds if seconds else None


def load_run(run_dir: Path, device: str = "cpu") -> tuple[GPT, CharTokenizer | Tokenizer]:
    """The trained GPT and its tokenizer from a ``journey train gpt`` run folder.

    Raises:
        JourneyError: no run there, a corrupt checkpoint, or one another command wrote.
    """
    if not run_dir.is_dir():
        raise JourneyError(f"no run folder {run_dir}; train one with: journey train gpt")
    from nlpjourney.models import GPT, GPTConfig
    from nlpjourney.tokenizers import load as load_tokenizer
    from nlpjourney.train import CharTokenizer, load_checkpoint, resolve_device

    checkpoint = load_checkpoint(run_dir / "ckpt.pt")  # CheckpointError is a JourneyError
    meta: dict[str, Any] = checkpoint.get("meta") or {}
    if meta.get("kind") != META_KIND:
        raise JourneyError(
            f"{run_dir}/ckpt.pt was not written by journey train gpt (no GPT config in its "
            "meta); sample from a run that command made"
        )
    model = GPT(GPTConfig.from_dict(meta["model_config"]))
    try:
        model.load_state_dict(checkpoint["model"])
    except RuntimeError as error:
        raise JourneyError(
            f"the weights in {run_dir}/ckpt.pt do not fit its GPT config "
            f"({str(error).splitlines()[0]}); the checkpoint is damaged"
        ) from None
    spec = meta["tokenizer"]
    tok = CharTokenizer.from_dict(spec) if spec["type"] == "char" else load_tokenizer(spec["name"])
    return model.to(resolve_device(device)).eval(), tok


def sample(
    run_dir: Path = typer.Argument(..., help="A run folder of journey train gpt (runs/<preset>)."),
    prompt: str = typer.Option("\n", "--prompt", "-p", help="Text to continue."),
    max_new_tokens: int = typer.Option(500, "--max-new-tokens", "-n", help="Tokens to add."),
    temperature: float = typer.Option(
        0.8, "--temperature", help="0 greedy, <1 sharper, >1 flatter."
    ),
    top_k: int | None = typer.Option(200, "--top-k", help="Sample among the k likeliest tokens."),
    seed: int = typer.Option(1337, "--seed", help="The same seed gives the same text."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, ..."),
) -> None:
    """Continue PROMPT with a GPT trained by journey train gpt."""
    import torch

    model, tok = load_run(run_dir, device)
    if not prompt:
        raise JourneyError(
            "--prompt is empty; give at least one character (the default is a newline)"
        )
    try:
        ids = tok.encode(prompt)
    except ValueError as error:
        raise JourneyError(f"cannot encode the prompt: {error}") from None
    dev = next(model.parameters()).device
    idx = torch.tensor([ids], dtype=torch.long, device=dev)
    generator = torch.Generator(device=dev).manual_seed(seed)
    try:
        out = model.generate(idx, max_new_tokens, temperature, top_k, generator)
    except ValueError as error:
        raise JourneyError(str(error)) from None
    typer.echo(tok.decode(out[0].tolist()))
