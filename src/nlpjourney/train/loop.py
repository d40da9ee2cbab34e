"""One training loop for every language model of the course.

:class:`Trainer` trains any ``torch.nn.Module`` whose call ``model(x)`` returns logits of
shape (B, T, V), on batches from a callable ``get_batch(split) -> (x, y)``, to minimise
the cross-entropy of the logits against the targets ``y``. One optimizer step (steps 2 to
4 are the function :func:`train_step`, usable on its own):

1. runs ``grad_accum_steps`` micro-batches forward and backward, each loss divided by
   their number, so the gradients add up to those of one batch that many times bigger;
2. clips the global gradient norm (:func:`nlpjourney.optim.clip_grad_norm_`);
3. steps the optimizer, by default :class:`nlpjourney.optim.AdamW`, whose decoupled
   weight decay is given only to parameters with 2 or more dimensions (matrices,
   embeddings), as in nanoGPT: decaying biases and norm gains towards 0 only hurts;
4. steps the schedule, which sets the learning rate of the next step: by default
   linear warm-up, then cosine decay to ``min_lr`` at ``max_steps``, held there after
   (:func:`learning_rate`, nanoGPT's ``get_lr``).

Any optimizer and schedule can replace the defaults, ours or ``torch.optim``'s:
``Trainer(..., optimizer=..., schedule=...)`` takes an optimizer over the model's
parameters, or a function ``model -> optimizer``, and a schedule built on that optimizer,
or a function ``optimizer -> schedule``. The loop is torch's: ``optimizer.step()`` then
``schedule.step()``, so step ``k`` (counted from 1) runs at the rate the schedule set
after ``k - 1`` steps. Checkpoints save both through their ``state_dict()``.

Every ``eval_interval`` steps (and at steps 0 and ``max_steps``) it averages the loss
over ``eval_steps`` batches of each split and appends a row to ``out_dir/metrics.csv``;
``out_dir/loss.png`` is redrawn from those rows at most every :data:`PLOT_SECONDS` (and
always when the run ends or stops), so a run that evaluates often does not spend its time
drawing; every ``checkpoint_interval`` steps (and at the end) it
writes ``out_dir/ckpt.pt`` (:mod:`nlpjourney.train.checkpoint`), from which
``resume=True`` continues bit for bit as if the run had never stopped. It also writes one
whenever ``checkpoint_minutes`` have passed since the last, so a run that evaluates
rarely still loses little when it is killed.

Stopping: SIGINT (Ctrl-C) or SIGTERM during :meth:`Trainer.fit` lets the current step
finish, writes ``ckpt.pt`` and raises :class:`TrainingInterrupted` (a
``KeyboardInterrupt``), which says where the checkpoint is; a second Ctrl-C stops at
once (the checkpoint on disk is whole: it is written atomically). A folder that holds
the files of a run stopped before its first checkpoint is started afresh, with a
warning, since there is nothing in it to resume.

On CUDA, ``dtype="auto"`` runs the forward pass under bfloat16 autocast (float16 with a
gradient scaler where bfloat16 is missing) and ``compile="auto"`` wraps the model in
``torch.compile``. On a CPU, ``dtype="auto"`` takes bfloat16 autocast only where the CPU
multiplies bfloat16 natively (AVX-512 BF16 or AMX: :func:`cpu_has_fast_bfloat16`): there
a matmul runs several times faster in bfloat16 than in float32. Elsewhere a CPU stays in
float32, where bfloat16 would be emulated and slower. ``compile`` stays off on a CPU
unless forced: for the small models a CPU trains, compiling takes longer than it saves.

Batches: ``get_batch(split)`` returns ``(x, y)``; ``x`` is one tensor, called as
``model(x)``, or a tuple of tensors, called as ``model(*x)`` (an encoder-decoder takes
the source and the shifted target). The targets ``y`` count the tokens of tokens/s.

Determinism: a fresh run seeds Python, NumPy and torch with ``config.seed``. Build the
model after :func:`seed_everything` too, and give the batch sampler a seed, and two runs
are equal. (On CUDA some kernels are not deterministic; the CPU is.)

Reference: nanoGPT's ``train.py`` (the loop, the schedule, the decay groups, the
checkpoint contents), written as an importable class.

Simplifications: one process (no DistributedDataParallel); the data sampler's state is
saved only when ``get_batch`` has ``state_dict``/``load_state_dict`` (as
:class:`~nlpjourney.train.data.BatchSampler` does).
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import signal
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nlpjourney.devices import resolve_device
from nlpjourney.errors import JourneyError
from nlpjourney.optim import AdamW, CosineWithWarmup, clip_grad_norm_
from nlpjourney.optim.schedules import cosine_with_warmup
from nlpjourney.progress import progress_bar
from nlpjourney.train.checkpoint import (
    CheckpointError,
    load_checkpoint,
    load_optimizer_state,
    optimizer_state,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from nlpjourney.train.config import TrainConfig
from nlpjourney.train.metrics import MetricsLog, plot_losses

__all__ = [
    "Trainer",
    "TrainingInterrupted",
    "autocast_dtype",
    "check_out_dir",
    "cpu_has_fast_bfloat16",
    "decay_groups",
    "default_schedule",
    "learning_rate",
    "next_token_loss",
    "resolve_device",
    "seed_everything",
    "train",
    "train_step",
]

Inputs = torch.Tensor | tuple[torch.Tensor, ...]
GetBatch = Callable[[str], tuple[Inputs, torch.Tensor]]
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
#: An optimizer, ours or torch's: ``param_groups``, ``step``, ``zero_grad``,
#: ``state_dict`` and ``load_state_dict``.
OptimizerLike = Any
#: A schedule, ours or torch's: ``step()`` sets the optimizer's learning rates;
#: ``state_dict``/``load_state_dict`` let a checkpoint resume it.
ScheduleLike = Any
#: What an optimizer must have to be trained with and checkpointed.
OPTIMIZER_METHODS = ("param_groups", "step", "zero_grad", "state_dict", "load_state_dict")

#: Files that mark a folder as holding a run.
RUN_FILES = ("ckpt.pt", "metrics.csv", "loss.png")
#: Config fields that may change between a run and its resumption without a warning.
FREE_TO_CHANGE = {"out_dir", "device", "compile", "max_steps", "eval_interval", "eval_steps",
                  "checkpoint_interval", "checkpoint_minutes"}  # fmt: skip
#: The signals that stop a run cleanly: Ctrl-C, and what ``kill`` and job schedulers send.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: The least time between two redraws of ``loss.png`` during a run, in seconds: one draw
#: takes most of a second, more than a small model's evaluation. The rows are drawn at
#: the end of :meth:`Trainer.fit` (and when a signal stops it) however recent the last.
PLOT_SECONDS = 10.0


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on SIGINT or SIGTERM, after a whole step, with a checkpoint written.

    Attributes:
        signal: the signal's number (``signal.SIGINT`` or ``signal.SIGTERM``).
        step: the last step done, the one the checkpoint holds.
        checkpoint: the ``ckpt.pt`` written, from which ``resume=True`` continues.
        exit_code: what a command stopped this way exits with: 128 + the signal's
            number (130 for SIGINT, 143 for SIGTERM), as a shell reports it.
    """

    def __init__(self, signum: int, step: int, checkpoint: Path) -> None:
        self.signal = signum
        self.step = step
        self.checkpoint = checkpoint
        self.exit_code = 128 + int(signum)
        name = signal.Signals(signum).name
        super().__init__(
            f"training stopped by {name} after step {step}; {checkpoint} holds it, and "
            "resume=True continues from there"
        )

    def __str__(self) -> str:  # KeyboardInterrupt would print nothing useful
        return str(self.args[0])


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's (CPU and every GPU) random generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def check_out_dir(path: str | os.PathLike[str], name: str = "out_dir") -> Path:
    """Make the folder ``path`` if needed and make sure files can be written in it.

    A run checks its folder before any work, so a file in the way or a read-only disk is
    one clear error at the start, not a traceback at the first metrics write.

    Args:
        path: the run folder.
        name: how the error names it (``"out_dir"``, or a command's ``"--out-dir"``).

    Returns:
        The folder, as a Path.

    Raises:
        JourneyError: it is a file, cannot be made, or cannot be written in.
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise JourneyError(f"{name} {folder} is a file, not a folder; choose another {name}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        why = error.strerror or type(error).__name__
        raise JourneyError(
            f"cannot write in {name} {folder} ({why}); choose another {name}"
        ) from None
    return folder


def cpu_has_fast_bfloat16() -> bool:
    """Whether this CPU has bfloat16 dot-product instructions (AVX-512 BF16 or AMX tiles).

    Without them torch emulates bfloat16 matmuls in float32 and they run slower, not faster.
    """
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")  # private; may vanish
    return any(getattr(torch.cpu, name, lambda: False)() for name in probes)


def autocast_dtype(dtype: str, device: torch.device) -> torch.dtype | None:
    """The precision ``dtype`` (a :class:`TrainConfig` value) means on ``device``.

    Returns:
        The autocast dtype, or None for plain float32.
    """
    if dtype == "auto":
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        if device.type == "cpu" and cpu_has_fast_bfloat16():
            return torch.bfloat16
        return None
    return None if dtype == "float32" else getattr(torch, dtype)


def _to(x: Inputs, device: torch.device) -> Inputs:
    if isinstance(x, tuple):
        return tuple(t.to(device, non_blocking=True) for t in x)
    return x.to(device, non_blocking=True)


def _call(model: Callable[..., torch.Tensor], x: Inputs) -> torch.Tensor:
    return model(*x) if isinstance(x, tuple) else model(x)


def learning_rate(step: int, config: TrainConfig) -> float:
    """The learning rate of optimizer step ``step`` (counted from 1) under the default schedule.

    Linear warm-up from 0 to ``lr`` over ``warmup_steps``, then a half cosine from
    ``lr`` down to ``min_lr`` at ``max_steps``, held at ``min_lr`` after it (as nanoGPT's
    ``get_lr``). The default schedule (:func:`default_schedule`) sets exactly these rates.

    Example: lr=1, min_lr=0.1, warmup_steps=2, max_steps=4 gives steps 1..6 the rates
    0.5, 1.0, 0.55, 0.1, 0.1, 0.1.
    """
    warmup = config.warmup_steps
    assert warmup is not None  # filled in by TrainConfig.__post_init__
    factor = cosine_with_warmup(step, warmup, config.max_steps)
    if step < warmup:
        return config.lr * factor
    # Our cosine goes to 0; stretch it to end at min_lr instead.
    return config.min_lr + (config.lr - config.min_lr) * factor


def default_schedule(optimizer: OptimizerLike, config: TrainConfig) -> CosineWithWarmup:
    """The Trainer's schedule when none is given: warm-up, cosine to ``min_lr``, held there.

    Each group's rate is that of :func:`learning_rate`, from the group's own initial rate
    (``config.lr`` for the default AdamW) instead of ``config.lr``: step ``k`` runs at
    ``learning_rate(k, config)``.

    Raises:
        ValueError: ``config.min_lr`` exceeds a group's learning rate.
    """
    assert config.warmup_steps is not None  # filled in by TrainConfig.__post_init__
    schedule = CosineWithWarmup(
        optimizer, config.warmup_steps, config.max_steps, min_lr=config.min_lr
    )
    # subtle: one step ahead of torch's convention. Step k then runs at the schedule's
    # rate for k, so the first step of a warm-up runs at lr / warmup_steps, not at 0 (a
    # wasted step), as this loop always did; resumed old runs keep their rates.
    schedule.step()
    return schedule


def decay_groups(model: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """Parameter groups: weight decay for tensors of 2+ dims, none for the rest.

    Returns:
        One or two groups (empty ones left out) for an optimizer's ``params``.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the model has no trainable parameters (requires_grad=True)")
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return [g for g in groups if g["params"]]


def next_token_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of logits (B, T, V) against target ids (B, T)."""
    if logits.dim() != 3 or logits.shape[:2] != targets.shape:
        raise ValueError(
            f"the model returned shape {tuple(logits.shape)} for targets of shape "
            f"{tuple(targets.shape)}; it must return logits (B, T, V), or pass a loss_fn"
        )
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))


def train_step(
    model: Callable[..., torch.Tensor],
    optimizer: torch.optim.Optimizer,
    batches: Sequence[tuple[Inputs, torch.Tensor]],
    grad_clip: float = 0.0,
    *,
    loss_fn: LossFn = next_token_loss,
    scaler: torch.amp.GradScaler | None = None,
    autocast: Callable[[], contextlib.AbstractContextManager[Any]] | None = None,
) -> float:
    """One optimizer step over the micro-batches ``batches``; returns their mean loss.

    Each micro-batch goes forward and backward with its loss divided by
    ``k = len(batches)``, so the gradients that add up in ``.grad`` are those of the mean
    loss over all ``k`` of them: for equal-sized micro-batches, exactly the gradients of
    one batch ``k`` times bigger. Then the global gradient norm is clipped to
    ``grad_clip`` (0: no clipping), the optimizer steps, and the gradients are zeroed
    (set to ``None``) for the next step. :class:`Trainer` calls this once per step.

    Args:
        model: ``model(x) -> logits`` (B, T, V): a module, or its ``torch.compile`` wrapper.
        optimizer: any torch-style optimizer (ours or torch's); its learning rate is
            whatever its param groups hold.
        batches: the ``(x, y)`` micro-batches, at least one; a tuple ``x`` is called
            as ``model(*x)``.
        grad_clip: the largest global gradient norm allowed; 0 turns clipping off.
        loss_fn: ``loss_fn(logits, y)`` -> scalar loss (default: :func:`next_token_loss`).
        scaler: a float16 gradient scaler; the gradients are unscaled before clipping and
            the scaler may skip the step when a gradient overflowed.
        autocast: a factory of the context the forward pass and loss run in (mixed
            precision); None runs them as they are.

    Returns:
        The mean of the micro-batch losses, a float.

    Example: two micro-batches with losses 2.0 and 4.0 contribute ``1.0 + 2.0`` to the
    returned 3.0, and their gradients are those of ``(loss_1 + loss_2) / 2``.
    """
    if isinstance(batches, torch.Tensor) or len(batches) == 0:
        raise ValueError("batches must be a non-empty sequence of (x, y) pairs")
    if not grad_clip >= 0:
        raise ValueError(f"grad_clip must be at least 0 (0: no clipping), got {grad_clip}")
    k = len(batches)
    total: torch.Tensor | None = None
    for x, y in batches:
        with autocast() if autocast is not None else contextlib.nullcontext():
            # subtle: dividing each micro-batch loss by their number makes the summed
            # gradients those of the mean over all of them, i.e. of one big batch.
            loss = loss_fn(_call(model, x), y) / k
        (scaler.scale(loss) if scaler is not None else loss).backward()
        # at least float32 for the running sum (a custom loss may come back in bfloat16)
        part = loss.detach().to(torch.promote_types(loss.dtype, torch.float32))
        total = part if total is None else total + part
    if scaler is not None:
        scaler.unscale_(optimizer)  # clip the true gradients, not scaled ones
    if grad_clip > 0:
        params = [p for group in optimizer.param_groups for p in group["params"]]
        clip_grad_norm_(params, grad_clip)
    if scaler is not None:
        scaler.step(optimizer)  # skips the step if a gradient overflowed
        scaler.update()
    else:
        optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    assert total is not None
    return float(total)  # float() waits for the GPU: the caller's timing is honest


class Trainer:
    """Trains a model on ``get_batch`` batches by ``config``; see the module docstring.

    Args:
        model: any ``nn.Module`` with ``model(x) -> logits`` (B, T, V); it is moved to
            the config's device.
        config: the training settings.
        get_batch: ``get_batch("train" | "val") -> (x, y)``, int64 tensors (B, T), B equal
            to ``config.batch_size``; ``x`` may be a tuple of tensors (``model(*x)``).
            When it has ``state_dict``/``load_state_dict`` (a
            :class:`~nlpjourney.train.data.BatchSampler`), its state is checkpointed.
        loss_fn: ``loss_fn(model(x), y)`` -> scalar loss (default: :func:`next_token_loss`).
        optimizer: an optimizer over the model's parameters (ours or ``torch.optim``'s),
            or a function ``model -> optimizer``, called once the model is on its
            device. Default: AdamW with ``config``'s ``lr``, ``betas`` and
            ``weight_decay``, decay on matrices only (:func:`decay_groups`).
        schedule: a schedule built on that optimizer (ours or ``torch.optim``'s), or a
            function ``optimizer -> schedule``; stepped after each optimizer step.
            Default: :func:`default_schedule`, warm-up and cosine to ``config.min_lr``.
        resume: continue the run in ``config.out_dir`` from its ``ckpt.pt``.
        overwrite: replace a run already in ``config.out_dir`` (its ckpt, metrics, plot).
        meta: plain values saved in every checkpoint under ``"meta"`` (the model's
            config, the tokenizer's folder), for whoever loads it later.
        plot: redraw ``loss.png`` after evaluations (at most every :data:`PLOT_SECONDS`,
            and at the end).
        progress: show a progress bar (None: only on a terminal).
        unit: what one target element is, for the bar's rate: ``"tok"`` (a token, the
            default), or e.g. ``"sent"`` when each target is one sentence's label.

    Attributes:
        step: optimizer steps done so far.
        saved_step: the step the last ``ckpt.pt`` written or resumed from holds (None:
            no checkpoint yet).
        history: the rows of ``metrics.csv`` (dicts keyed by its columns); ``lr`` is
            the rate the step ran at (at step 0: the rate the first step will take).
        device: the device training runs on.
        optimizer: the optimizer in use, once :meth:`fit` has set it up (else None).
        schedule: the schedule in use, once :meth:`fit` has set it up (else None).

    Example::

        data = prepare_char(nlpjourney.data.path("tinyshakespeare"))
        trainer = Trainer(model, TrainConfig(max_steps=2000, out_dir="runs/char"),
                          data.sampler(batch_size=64, block_size=256, seed=1))
        trainer.fit()
        trainer.history[-1]["val_loss"]

        # SGD with momentum, the rate halved every 500 steps:
        Trainer(model, config, get_batch,
                optimizer=lambda m: SGD(m.parameters(), lr=0.1, momentum=0.9),
                schedule=lambda opt: StepLR(opt, step_size=500, gamma=0.5))
    """

    def __init__(
        self,
        model: nn.Module,
        config: TrainConfig,
        get_batch: GetBatch,
        *,
        loss_fn: LossFn | None = None,
        optimizer: OptimizerLike | Callable[[nn.Module], OptimizerLike] | None = None,
        schedule: ScheduleLike | Callable[[OptimizerLike], ScheduleLike] | None = None,
        resume: bool = False,
        overwrite: bool = False,
        meta: Mapping[str, Any] | None = None,
        plot: bool = True,
        progress: bool | None = None,
        unit: str = "tok",
    ) -> None:
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
        if not callable(get_batch):
            raise TypeError("get_batch must be callable: get_batch(split) -> (x, y)")
        if resume and overwrite:
            raise ValueError("pass resume=True to continue a run or overwrite=True, not both")
        if isinstance(optimizer, type) or isinstance(schedule, type):
            raise TypeError(
                "pass an optimizer or schedule object, or a function that builds one "
                "(e.g. schedule=lambda opt: StepLR(opt, 100)), not a class"
            )
        if not (optimizer is None or hasattr(optimizer, "param_groups") or callable(optimizer)):
            raise TypeError(
                "optimizer must be an optimizer (with param_groups) or a function "
                f"model -> optimizer, got {type(optimizer).__name__}"
            )
        if not (schedule is None or hasattr(schedule, "step") or callable(schedule)):
            raise TypeError(
                "schedule must be a schedule (with step()) or a function optimizer -> "
                f"schedule, got {type(schedule).__name__}"
            )
        self._make_optimizer = optimizer
        self._make_schedule = schedule
        self.optimizer: OptimizerLike | None = None
        self.schedule: ScheduleLike | None = None
        self.model = model
        self.config = config
        self.get_batch = get_batch
        self.loss_fn = loss_fn or next_token_loss
        self.resume = resume
        self.overwrite = overwrite
        self.meta = dict(meta or {})
        self.plot = plot
        self.progress = progress
        self.unit = unit
        self.step = 0
        self.saved_step: int | None = None
        self.history: list[dict[str, float]] = []
        self._drawn_rows = 0  # how many metrics rows loss.png shows
        self._drawn_at = -math.inf  # time.monotonic() of its last draw
        self._stop_signal: int | None = None
        self.device = resolve_device(config.device)

    # -- set-up ----------------------------------------------------------------------

    def _claim_out_dir(self, warned: bool = False) -> None:
        """Refuse to write over a run unless asked; with ``overwrite``, clear its files.

        A folder with a run's files but no ``ckpt.pt`` held a run stopped before its
        first checkpoint: nothing in it can be resumed, so it is cleared with a warning.
        """
        out = self.config.path
        found = [name for name in RUN_FILES if (out / name).exists()]
        if "ckpt.pt" in found and not self.overwrite:
            raise JourneyError(
                f"{out} already holds a run ({', '.join(found)}); pass resume=True to "
                "continue it, overwrite=True to replace it, or choose another out_dir"
            )
        if found and not self.overwrite and not warned:
            warnings.warn(
                f"{out} holds {', '.join(found)} of a run stopped before its first "
                "checkpoint; starting afresh over them",
                stacklevel=4,
            )
        for name in found:
            (out / name).unlink()

    def _restore(self, checkpoint: dict[str, Any]) -> None:
        """Load weights, optimizer and scaler state, step and time from ``checkpoint``."""
        try:
            self.model.load_state_dict(checkpoint["model"])
        except RuntimeError as error:
            raise CheckpointError(
                f"the checkpoint in {self.config.out_dir} does not fit this model: "
                f"{str(error).splitlines()[0]} ...; resume with the model it was made for"
            ) from error
        load_optimizer_state(
            self.optimizer, checkpoint["optimizer"], checkpoint.get("optimizer_type")
        )
        saved_schedule = checkpoint.get("schedule")
        loader = getattr(self.schedule, "load_state_dict", None)
        if saved_schedule is not None and callable(loader):
            try:
                loader(saved_schedule)
            except (ValueError, TypeError, KeyError) as error:
                raise CheckpointError(
                    f"the checkpoint's schedule does not fit this run's "
                    f"{type(self.schedule).__name__}: {error}"
                ) from error
        else:
            # a format-1 checkpoint (or a schedule without state_dict): the schedule
            # takes one step per optimizer step, so replaying them finds its place.
            for _ in range(int(checkpoint["step"])):
                self.schedule.step()
        if self._scaler is not None and checkpoint.get("scaler"):
            self._scaler.load_state_dict(checkpoint["scaler"])
        saved = checkpoint["config"]
        changed = sorted(
            k for k, v in self.config.to_dict().items()
            if k not in FREE_TO_CHANGE and saved.get(k) != v
        )  # fmt: skip
        if changed:
            warnings.warn(
                f"resuming with other settings than the checkpoint's ({', '.join(changed)}): "
                "the run will not match one that never stopped",
                stacklevel=3,
            )
        self.step = int(checkpoint["step"])
        self._elapsed = float(checkpoint.get("elapsed", 0.0))
        self.saved_step = self.step

    def _setup(self) -> dict[str, Any] | None:
        """Build the optimizer and friends; returns the checkpoint when resuming."""
        cfg = self.config
        self.model.to(self.device)
        self._amp = autocast_dtype(cfg.dtype, self.device)
        self.optimizer = self._build_optimizer()
        self.schedule = self._build_schedule(self.optimizer)
        self._scaler = (
            torch.amp.GradScaler(self.device.type) if self._amp == torch.float16 else None
        )
        self._elapsed = 0.0
        checkpoint = None
        resume = self.resume
        if resume and not (cfg.path / "ckpt.pt").exists():
            if not cfg.path.is_dir():
                raise CheckpointError(
                    f"no run to resume in {cfg.out_dir}: the folder does not exist; check "
                    "out_dir, or start a run without resume=True"
                )
            warnings.warn(
                f"{cfg.out_dir} has no ckpt.pt (its run stopped before its first "
                "checkpoint): starting it afresh",
                stacklevel=3,
            )
            resume = False
        check_out_dir(cfg.path)
        if resume:
            checkpoint = load_checkpoint(cfg.path / "ckpt.pt")
            self._restore(checkpoint)
            self._metrics = MetricsLog.read(cfg.path / "metrics.csv", up_to_step=self.step)
        else:
            self._claim_out_dir(warned=self.resume)
            seed_everything(cfg.seed)
            self.step = 0
            self._metrics = MetricsLog(cfg.path / "metrics.csv")
        self.history = self._metrics.rows
        self._lr = float(self.optimizer.param_groups[0]["lr"])  # what step 0 logs
        compile_it = cfg.compile is True or (cfg.compile == "auto" and self.device.type == "cuda")
        # subtle: the compiled wrapper shares the model's parameters but prefixes its
        # state_dict keys with "_orig_mod."; checkpoints always save self.model itself.
        self._forward: Callable[..., torch.Tensor] = (
            torch.compile(self.model) if compile_it else self.model  # type: ignore[assignment]
        )
        return checkpoint

    def _build_optimizer(self) -> OptimizerLike:
        """The optimizer given, made by the function given, or the default AdamW."""
        cfg, given = self.config, self._make_optimizer
        if given is None:
            return AdamW(
                decay_groups(self.model, cfg.weight_decay),
                lr=cfg.lr,
                betas=cfg.betas,
                weight_decay=cfg.weight_decay,
            )
        optimizer = given if hasattr(given, "param_groups") else given(self.model)
        missing = [name for name in OPTIMIZER_METHODS if not hasattr(optimizer, name)]
        if missing:
            raise TypeError(
                f"the optimizer ({type(optimizer).__name__}) lacks {', '.join(missing)}; "
                "pass one of nlpjourney.optim's or torch.optim's"
            )
        ours = {id(p) for p in self.model.parameters()}
        if any(id(p) not in ours for g in optimizer.param_groups for p in g["params"]):
            raise ValueError(
                "the optimizer holds parameters that are not the model's; build it on "
                "model.parameters() (or pass a function model -> optimizer)"
            )
        return optimizer

    def _build_schedule(self, optimizer: OptimizerLike) -> ScheduleLike:
        """The schedule given, made by the function given, or :func:`default_schedule`."""
        given = self._make_schedule
        if given is None:
            return default_schedule(optimizer, self.config)
        schedule = given if hasattr(given, "step") else given(optimizer)
        if not callable(getattr(schedule, "step", None)):
            raise TypeError(f"the schedule ({type(schedule).__name__}) has no step() method")
        if getattr(schedule, "optimizer", optimizer) is not optimizer:
            raise ValueError(
                "the schedule drives another optimizer than the Trainer's; build it on "
                "the same one (or pass a function optimizer -> schedule)"
            )
        return schedule

    # -- the loop --------------------------------------------------------------------

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self._amp is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self._amp)

    def _batch(self, split: str) -> tuple[Inputs, torch.Tensor]:
        x, y = self.get_batch(split)
        if y.shape[0] != self.config.batch_size:
            raise ValueError(
                f"get_batch({split!r}) gave {y.shape[0]} sequences but config.batch_size "
                f"is {self.config.batch_size}; make them agree"
            )
        return _to(x, self.device), y.to(self.device, non_blocking=True)

    def _loss(self, x: Inputs, y: torch.Tensor) -> torch.Tensor:
        with self._autocast():
            return self.loss_fn(_call(self._forward, x), y)

    @torch.no_grad()
    def evaluate(self) -> dict[str, float]:
        """Mean loss over ``config.eval_steps`` batches of each split, in eval mode.

        Call it after :meth:`fit` (or during, as the loop does).
        """
        if not hasattr(self, "_forward"):
            raise RuntimeError("evaluate() needs the model set up: call fit() first")
        self.model.eval()
        losses = {}
        for split in ("train", "val"):
            total = torch.zeros((), dtype=torch.float64, device=self.device)
            for _ in range(self.config.eval_steps):
                total += self._loss(*self._batch(split)).double()
            losses[split] = float(total) / self.config.eval_steps
        self.model.train()
        return losses

    def _train_step(self) -> tuple[float, int]:
        """One optimizer step, then one schedule step; returns (loss, tokens seen)."""
        self._lr = float(self.optimizer.param_groups[0]["lr"])
        batches = [self._batch("train") for _ in range(self.config.grad_accum_steps)]
        loss = train_step(
            self._forward,
            self.optimizer,
            batches,
            self.config.grad_clip,
            loss_fn=self.loss_fn,
            scaler=self._scaler,
            autocast=self._autocast,
        )
        self.schedule.step()
        return loss, sum(y.numel() for _, y in batches)

    def _log(self, interval_tokens: int, interval_time: float) -> None:
        """Evaluate, append a metrics row, redraw the plot if its last draw is old."""
        losses = self.evaluate()
        rate = interval_tokens / interval_time if interval_time > 0 else float("nan")
        self._metrics.add(
            step=self.step,
            train_loss=losses["train"],
            val_loss=losses["val"],
            lr=self._lr,
            tokens_per_s=rate,
            elapsed=self._elapsed,
        )
        if time.monotonic() - self._drawn_at >= PLOT_SECONDS:
            self._draw()

    def _draw(self) -> None:
        """Redraw ``loss.png`` from the metrics rows, unless it shows them all already."""
        rows = self._metrics.rows
        if not self.plot or not rows or self._drawn_rows == len(rows):
            return
        title = f"{self.config.out_dir}  (step {self.step}/{self.config.max_steps})"
        plot_losses(rows, self.config.path / "loss.png", title=title)
        self._drawn_rows, self._drawn_at = len(rows), time.monotonic()

    def save(self) -> Path:
        """Write ``out_dir/ckpt.pt`` with everything an exact resume needs."""
        sampler_state = getattr(self.get_batch, "state_dict", None)
        schedule_state = getattr(self.schedule, "state_dict", None)
        self.saved_step = self.step
        self._saved_at = time.monotonic()
        return save_checkpoint(
            self.config.path / "ckpt.pt",
            {
                "model": self.model.state_dict(),
                "optimizer": optimizer_state(self.optimizer),
                "optimizer_type": type(self.optimizer).__name__,
                "schedule": schedule_state() if callable(schedule_state) else None,
                "config": self.config.to_dict(),
                "step": self.step,
                "rng": rng_state(),
                "sampler": sampler_state() if callable(sampler_state) else None,
                "scaler": self._scaler.state_dict() if self._scaler is not None else None,
                "elapsed": self._elapsed,
                "meta": self.meta,
            },
        )

    def fit(self, until: int | None = None) -> Trainer:
        """Train up to ``config.max_steps`` (or stop after step ``until``); returns self.

        Args:
            until: stop after this step, with a checkpoint, to split a run into sessions;
                the schedule still runs to ``max_steps``, so ``fit(until=n)`` then a
                resumed ``fit()`` equals one ``fit()``.

        Raises:
            TrainingInterrupted: SIGINT or SIGTERM arrived; the step under way finished
                and ``ckpt.pt`` holds it.
        """
        cfg = self.config
        checkpoint = self._setup()
        stop = cfg.max_steps if until is None else min(until, cfg.max_steps)
        # subtle: the RNG states are put back last, after everything that might draw
        # random numbers while setting up, so the next step draws what it would have.
        if checkpoint is not None:
            set_rng_state(checkpoint["rng"])
            loader = getattr(self.get_batch, "load_state_dict", None)
            if checkpoint.get("sampler") is not None and callable(loader):
                loader(checkpoint["sampler"])
        self.model.train()
        start_step = self.step
        interval_tokens, interval_time = 0, 0.0
        self._saved_at = time.monotonic()
        description = f"Training {cfg.out_dir}"
        with (
            self._stop_on_signals(),
            progress_bar(description, unit=self.unit, enabled=self.progress) as bar,
        ):
            if checkpoint is None and cfg.eval_interval:  # a fresh run: step 0's row
                started = time.perf_counter()
                self._log(0, 0.0)
                self._elapsed += time.perf_counter() - started
            self._stop_if_signalled()
            while self.step < stop:
                started = time.perf_counter()
                loss, tokens = self._train_step()
                self.step += 1
                spent = time.perf_counter() - started
                self._elapsed += spent
                interval_tokens += tokens
                interval_time += spent
                if self.step == start_step + 1:  # tokens per step known now: the ETA works
                    bar.update(total=(stop - start_step) * tokens)
                bar.advance(tokens)
                bar.describe(f"step {self.step}/{cfg.max_steps} loss {loss:.4f}")
                last = self.step == cfg.max_steps
                if cfg.eval_interval and (self.step % cfg.eval_interval == 0 or last):
                    started = time.perf_counter()
                    self._log(interval_tokens, interval_time)
                    self._elapsed += time.perf_counter() - started
                    interval_tokens, interval_time = 0, 0.0
                every = cfg.checkpoint_interval
                if (every and self.step % every == 0) or self.step == stop or self._due():
                    self.save()
                self._stop_if_signalled()
            if self.saved_step != stop:  # stopped at once (until=0): still a checkpoint
                self.save()
            self._draw()  # the rows logged since the last draw
        return self

    def _due(self) -> bool:
        """Whether ``checkpoint_minutes`` have passed since the last checkpoint."""
        minutes = self.config.checkpoint_minutes
        return bool(minutes) and time.monotonic() - self._saved_at >= 60 * minutes

    def _stop_if_signalled(self) -> None:
        """After a whole step: on a stop signal, checkpoint and raise TrainingInterrupted."""
        if self._stop_signal is None:
            return
        signum, self._stop_signal = self._stop_signal, None
        path = self.config.path / "ckpt.pt"
        if self.saved_step != self.step:
            path = self.save()
        self._draw()
        raise TrainingInterrupted(signum, self.step, path)

    @contextlib.contextmanager
    def _stop_on_signals(self) -> Any:
        """While training, SIGINT and SIGTERM ask the loop to stop after the current step.

        A second signal stops at once, as it would without this: Ctrl-C raises
        KeyboardInterrupt, SIGTERM ends the process. Signal handlers can only be set in
        the main thread; elsewhere the signals keep their usual effect.
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def ask_to_stop(signum: int, frame: object) -> None:
            if self._stop_signal is not None:  # asked twice: stop now
                if signum == signal.SIGINT:
                    raise KeyboardInterrupt
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
                return
            self._stop_signal = signum

        previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
        for signum in STOP_SIGNALS:
            signal.signal(signum, ask_to_stop)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                # subtle: a handler set from C reads back as None; the default stands in.
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def train(model: nn.Module, config: TrainConfig, get_batch: GetBatch, **options: Any) -> Trainer:
    """``Trainer(model, config, get_batch, **options).fit()``: train and return the trainer."""
    return Trainer(model, config, get_batch, **options).fit()
