"""What every training workflow does with its run folder and its recipe.

A run folder (``runs/<name>``) holds one training run: ``ckpt.pt``, ``metrics.csv``,
``loss.png``. :func:`claim_run_folder` (and :func:`check_run_folder`, its check alone)
refuses to start a run on top of another unless told to resume or overwrite it, so
nothing a learner trained is replaced by accident, and starts afresh a folder whose run
stopped before its first checkpoint (there is nothing in it to resume);
:func:`check_counts` refuses a step count or limit below one, :func:`check_seed` and
:func:`check_threads` a seed or thread count the machine cannot take, and
:func:`check_fits` a piece of work larger than the memory free for it;
:func:`recipe_config` turns a workflow's recipe into the
:class:`~nlpjourney.train.TrainConfig` of a run of any length, and :func:`start_run` does
all of that at the start of a workflow; :func:`overall_rate` reads the training speed of a
whole run back from its history, and :func:`last_scores` says how a run ended.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from nlpjourney.errors import JourneyError

if TYPE_CHECKING:
    import torch
    from torch import Tensor, nn

    from nlpjourney.train import TrainConfig

M = TypeVar("M", bound="nn.Module")

__all__ = [
    "MAX_SEED",
    "available_memory",
    "check_counts",
    "check_fits",
    "check_run_folder",
    "check_seed",
    "check_threads",
    "RunStart",
    "claim_run_folder",
    "last_scores",
    "model_for_weights",
    "overall_rate",
    "recipe_config",
    "start_run",
]

#: The largest seed a run takes (NumPy's global generator takes 32 bits); the same
#: bound as :data:`nlpjourney.train.config.MAX_SEED`, kept here so no torch is imported.
MAX_SEED = 2**32 - 1
#: The files of a run, as :data:`nlpjourney.train.loop.RUN_FILES`.
RUN_FILES = ("ckpt.pt", "metrics.csv", "loss.png")
#: The share of the free memory one piece of work may plan to take: the rest is for
#: what the estimate leaves out (the program itself, allocator slack, other programs).
MEMORY_SHARE = 0.5


def check_counts(config: Any, *names: str) -> None:
    """Refuse a run config whose optional counts (``None`` or an int ≥ 1) are anything else.

    Args:
        config: a frozen run config (its fields are read by name).
        names: the fields to check; the message names each as its command-line flag.

    Raises:
        JourneyError: a field is not None and not a whole number of at least 1.
    """
    for name in names:
        value = getattr(config, name)
        if value is not None and (not isinstance(value, int) or value < 1):
            raise JourneyError(f"--{name.replace('_', '-')} must be at least 1, got {value}")


def check_seed(seed: object, flag: str = "--seed") -> int:
    """``seed`` if it is a whole number from 0 to :data:`MAX_SEED`.

    Raises:
        JourneyError: anything else, naming ``flag``.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise JourneyError(f"{flag} must be a whole number from 0 to {MAX_SEED}, got {seed}")
    return seed


def check_threads(threads: int | None) -> int | None:
    """``threads`` if it is None or between 1 and this machine's cores.

    More threads than cores only slow torch down, and tens of thousands of them crash it.

    Raises:
        JourneyError: a count below 1 or above the cores.
    """
    if threads is None:
        return None
    cores = os.cpu_count() or 1
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise JourneyError(f"--threads must be at least 1, got {threads}")
    if threads > cores:
        raise JourneyError(
            f"--threads {threads} is more than this machine's {cores} cores; give at most "
            f"--threads {cores}, or leave it out (one per core)"
        )
    return threads


def available_memory(device: str = "cpu") -> int | None:
    """Bytes of memory free now on ``device`` (``"cpu"``, ``"cuda"``, ``"cuda:1"``...).

    The GPU's free memory as CUDA reports it; for the CPU, Linux's ``MemAvailable``
    (what can be taken without swapping), else the physical memory. None when unknown.
    """
    if device.startswith("cuda"):
        import torch

        if torch.cuda.is_available():
            index = torch.device(device).index
            free, _ = torch.cuda.mem_get_info(index if index is not None else 0)
            return int(free)
        return None
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_fits(needed: float, what: str, advice: str, device: str = "cpu") -> None:
    """Refuse work that would take more than half the memory free on ``device``.

    Args:
        needed: the work's estimated bytes.
        what: the work, for the message (``"--beam-size 100000 for 8 sentences"``).
        advice: what to do instead (``"give at most --beam-size 400"``).
        device: where the work would run.

    Raises:
        JourneyError: ``needed`` is more than :data:`MEMORY_SHARE` of the free memory.
    """
    free = available_memory(device)
    if free is not None and needed > MEMORY_SHARE * free:
        raise JourneyError(
            f"{what} needs about {needed / 2**30:.1f} GiB, more than this machine can spare "
            f"({free / 2**30:.1f} GiB free on {device.split(':')[0]}); {advice}"
        )


def claim_run_folder(
    out: Path, resume: bool, overwrite: bool, say: Callable[[str], None] | None = None
) -> tuple[bool, bool]:
    """Check a run folder before any work; returns the (resume, overwrite) to train with.

    A folder whose run stopped before its first checkpoint (its ``metrics.csv`` or
    ``loss.png`` but no ``ckpt.pt``) holds nothing to resume: it is started afresh,
    saying so, with or without ``--resume``. The folder is made, and checked writable.

    Args:
        out: the run folder.
        resume: ``--resume`` was given.
        overwrite: ``--overwrite`` was given.
        say: called with a line when the folder is started afresh.

    Raises:
        JourneyError: both flags; a run in the way; ``--resume`` where no folder is; a
            file in the way or a folder that cannot be written.
    """
    check_run_folder(out, resume, overwrite)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise JourneyError(f"--out-dir {out} is a file, not a folder; choose another --out-dir")
    has_checkpoint = (out / "ckpt.pt").is_file()
    if resume and not out.exists():
        raise JourneyError(
            f"--resume: there is no run in {out} to continue (no such folder); check "
            "--out-dir, or leave out --resume to start a run there"
        )
    leftovers = [name for name in RUN_FILES if (out / name).exists()]
    if (resume or leftovers) and not has_checkpoint and not overwrite:
        if say is not None:
            say(
                f"{out} has no ckpt.pt (its run stopped before its first checkpoint): "
                "starting afresh"
            )
        resume, overwrite = False, bool(leftovers)
    from nlpjourney.train import check_out_dir  # torch: only when a run is made

    check_out_dir(out, "--out-dir")
    return resume, overwrite


def claim_output_folder(out: Path, force: bool, marker: str, holds: str) -> None:
    """Make ``out`` for a command's results, refusing a file in the way, or a folder that
    already holds results (its ``marker`` file or folder) unless ``force``.

    ``holds`` says what is there, for the refusal: "already holds {holds}; add --force...".
    """
    if out.exists() and not out.is_dir():
        raise JourneyError(f"--out {out} is a file, not a folder; choose another --out")
    if (out / marker).exists() and not force:
        raise JourneyError(
            f"{out} already holds {holds}; add --force to replace it, or choose another --out"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise JourneyError(f"cannot make the run folder {out}: {error.strerror}") from None


def model_for_weights(build: Callable[[], M], weights: dict[str, Tensor], where: str) -> M:
    """``build()``, once a shape-only copy of it has shown that ``weights`` fit it.

    A checkpoint's metadata says which model to build; read from a damaged or forged
    file it may ask for one that does not match the weights beside it, or one too large
    to allocate. The model is first built on torch's ``meta`` device, which allocates
    nothing, and its parameter names and shapes compared with the weights'.

    Args:
        build: makes the model from the metadata (e.g. ``lambda: GPT(config)``).
        weights: the checkpoint's state dict.
        where: the checkpoint, for the message.

    Returns:
        The model, built for real (its weights not loaded yet).

    Raises:
        JourneyError: the names or shapes differ.
    """
    import torch

    with torch.device("meta"):
        skeleton = build()
    expected = {name: tuple(t.shape) for name, t in skeleton.state_dict().items()}
    found = {name: tuple(t.shape) for name, t in weights.items()}
    if expected != found:
        missing = sorted(set(expected) - set(found))
        unexpected = sorted(set(found) - set(expected))
        resized = sorted(k for k in set(expected) & set(found) if expected[k] != found[k])
        if resized:
            name = resized[0]
            detail = f"{name} is {found[name]} in the weights, {expected[name]} in the metadata"
        elif missing:
            detail = f"the weights lack {missing[0]}"
        else:
            detail = f"the weights hold {unexpected[0]}, which the model has not"
        raise JourneyError(
            f"the metadata of {where} describes another model than its weights ({detail}); "
            "the checkpoint is damaged: train the run again or use a good copy"
        )
    return build()


def check_run_folder(out: Path, resume: bool, overwrite: bool) -> None:
    """Refuse ``resume`` with ``overwrite``, and a fresh run where a run already is.

    Raises:
        JourneyError: both flags, or a ``ckpt.pt`` in ``out`` and neither flag.
    """
    if resume and overwrite:
        raise JourneyError(
            "pass --resume to continue the run or --overwrite to replace it, not both"
        )
    if not resume and not overwrite and (Path(out) / "ckpt.pt").exists():
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
    from nlpjourney.train import TrainConfig  # torch: only when a run is made

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


def overall_rate(history: list[dict[str, float]]) -> float | None:
    """Training tokens/s over a whole run, from the per-interval rates of ``metrics.csv``.

    Every step trains the same number of tokens, so the overall rate is the steps-weighted
    harmonic mean of the interval rates (a plain mean would overweight fast intervals).
    Example: 100 steps at 1,000 tokens/s then 100 at 3,000 give 1,500 tokens/s.

    >>> rows = [{"step": 0, "tokens_per_s": float("nan")},
    ...         {"step": 100, "tokens_per_s": 1000.0}, {"step": 200, "tokens_per_s": 3000.0}]
    >>> overall_rate(rows)
    1500.0
    """
    steps, seconds = 0.0, 0.0
    for before, row in zip(history, history[1:], strict=False):
        rate, span = row["tokens_per_s"], row["step"] - before["step"]
        if rate and rate == rate and span > 0:  # rate == rate: not NaN
            steps, seconds = steps + span, seconds + span / rate
    return steps / seconds if seconds else None


@dataclasses.dataclass(frozen=True)
class RunStart:
    """What :func:`start_run` settled: where and how a workflow trains."""

    device: torch.device
    resume: bool
    overwrite: bool
    train_config: TrainConfig

    @property
    def steps(self) -> int:
        """The step the run trains to."""
        return self.train_config.max_steps


def start_run(
    config: Any,
    recipe: Any,
    say: Callable[[str], None],
    eval_interval: int | None = None,
    **settings: Any,
) -> RunStart:
    """Check a workflow's run before any work, and claim its folder.

    ``config`` is a run config with ``device``, ``run_dir``, ``resume``, ``overwrite``,
    ``max_steps`` (None: the recipe's) and ``seed``. The device is checked first, then the
    folder is claimed (:func:`claim_run_folder`), then the recipe becomes the run's
    :class:`~nlpjourney.train.TrainConfig` (:func:`recipe_config`), with ``settings``
    (e.g. ``dtype``) on top.

    Raises:
        JourneyError: a device this machine lacks, a run in the way, a bad setting.
    """
    from nlpjourney.train import resolve_device  # torch: only when a run is made

    device = resolve_device(config.device)
    out = config.run_dir
    resume, overwrite = claim_run_folder(out, config.resume, config.overwrite, say)
    steps = recipe.max_steps if config.max_steps is None else config.max_steps
    train_config = recipe_config(recipe, steps, eval_interval, seed=config.seed,
                                 device=config.device, out_dir=str(out),
                                 **settings)  # fmt: skip
    return RunStart(device, resume, overwrite, train_config)


def last_scores(
    history: list[dict[str, float]], unit: str = "tokens", held_out: str = "val loss"
) -> str | None:
    """The line that says how a run ended: its last losses and its overall speed.

    None for a run with no evaluation yet.

    >>> rows = [{"step": 0, "train_loss": 4.2, "val_loss": 4.2, "tokens_per_s": float("nan")},
    ...         {"step": 100, "train_loss": 1.5, "val_loss": 1.71, "tokens_per_s": 2000.0}]
    >>> last_scores(rows)
    'step 100: train loss 1.5000, val loss 1.7100, 2,000 tokens/s'
    """
    if not history:
        return None
    last = history[-1]
    rate = overall_rate(history)
    speed = f", {rate:,.0f} {unit}/s" if rate else ""
    return (
        f"step {int(last['step'])}: train loss {last['train_loss']:.4f}, "
        f"{held_out} {last['val_loss']:.4f}{speed}"
    )
