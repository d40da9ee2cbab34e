"""What every training workflow does with its run folder and its recipe.

A run folder (``runs/<name>``) holds one training run: ``ckpt.pt``, ``metrics.csv``,
``loss.png``. :func:`check_run_folder` refuses to start a run on top of another unless
told to resume or overwrite it, so nothing a learner trained is replaced by accident;
:func:`check_counts` refuses a step count or limit below one;
:func:`recipe_config` turns a workflow's recipe into the
:class:`~nlpjourney.train.TrainConfig` of a run of any length; :func:`overall_rate` reads
the training speed of a whole run back from its history.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpjourney.errors import JourneyError

if TYPE_CHECKING:
    from nlpjourney.train import TrainConfig

__all__ = ["check_counts", "check_run_folder", "overall_rate", "recipe_config"]


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
