"""The training configuration: one frozen dataclass, validated when it is made.

:class:`TrainConfig` holds every setting of :class:`~nlpjourney.train.loop.Trainer` that
is a choice about *how* to train (steps, batch, learning-rate schedule, evaluation,
checkpoints, device, precision), none about the model or the data. It is saved inside
every checkpoint, so a run can be read back and resumed with the settings it ran with.

Each field carries a docstring (the string just below it), which a command-line front
end can show as help, as litgpt does.

Reference: nanoGPT's ``train.py`` settings (the names and the defaults for a small
character model), litgpt's typed configs validated in ``__post_init__``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = ["DTYPES", "MAX_SEED", "TrainConfig"]

#: The precisions ``dtype`` accepts: "auto" (bfloat16 autocast on CUDA and on CPUs that
#: multiply bfloat16 natively, else float32) or one forced.
DTYPES = ("auto", "float32", "bfloat16", "float16")
#: The largest seed: NumPy's global generator takes seeds of 32 bits only.
MAX_SEED = 2**32 - 1


def _positive_int(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def _non_negative_int(value: object, name: str, zero_means: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an int >= 0 (0: {zero_means}), got {value!r}")


def _non_negative(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")


@dataclass(frozen=True)
class TrainConfig:
    """How to train: steps, batches, optimizer, schedule, evaluation, checkpoints.

    One optimizer step sees ``batch_size * grad_accum_steps`` sequences. The learning
    rate rises linearly over ``warmup_steps`` then follows a cosine down to ``min_lr`` at
    ``max_steps``, and holds there. ``lr``, ``betas`` and ``weight_decay`` set the default
    AdamW, and ``lr``, ``min_lr`` and ``warmup_steps`` the default schedule: a
    :class:`~nlpjourney.train.loop.Trainer` given its own optimizer or schedule uses
    that one's settings instead.

    Example:
        >>> cfg = TrainConfig(max_steps=100, batch_size=8, out_dir="runs/tiny")
        >>> cfg.warmup_steps, cfg.grad_accum_steps
        (10, 1)
        >>> TrainConfig(max_steps=100, min_lr=1.0)
        Traceback (most recent call last):
        ...
        ValueError: min_lr (1.0) must not exceed lr (0.001); lower min_lr or raise lr
    """

    max_steps: int = 5000
    """Optimizer steps in the whole run; the cosine schedule reaches ``min_lr`` here."""
    batch_size: int = 64
    """Sequences per micro-batch: the first dimension of the ``x`` that ``get_batch`` returns."""
    grad_accum_steps: int = 1
    """Micro-batches whose gradients add up before one optimizer step (a bigger batch
    than fits in memory)."""
    lr: float = 1e-3
    """Peak learning rate, reached at the end of the warm-up."""
    min_lr: float = 1e-4
    """Learning rate at the end of the cosine decay and after it (nanoGPT: about lr / 10)."""
    warmup_steps: int | None = None
    """Steps of linear warm-up from 0 to ``lr`` (None: 10% of ``max_steps``, at most 100)."""
    weight_decay: float = 0.1
    """AdamW's decoupled decay, applied to weight matrices and embeddings (parameters with
    2 or more dimensions) only, never to biases and norm gains."""
    betas: tuple[float, float] = (0.9, 0.99)
    """AdamW's moment decay rates (0.99 rather than 0.999 suits small batches, as in nanoGPT)."""
    grad_clip: float = 1.0
    """Largest global gradient norm; longer gradients are scaled down (0: no clipping)."""
    eval_interval: int = 250
    """Evaluate every this many steps, also at step 0 and at the last step
    (0: never evaluate, so no metrics are written)."""
    eval_steps: int = 20
    """Batches averaged for each of the train and val losses at an evaluation."""
    checkpoint_interval: int = 250
    """Write ``ckpt.pt`` every this many steps and at the last step (0: only at the end)."""
    checkpoint_minutes: float = 5.0
    """Also write ``ckpt.pt`` once this many minutes have passed since the last one,
    whatever ``checkpoint_interval`` says, so a killed run loses at most this much work
    (0: no checkpoints by the clock)."""
    seed: int = 1337
    """Seeds Python's, NumPy's and torch's random generators when a fresh run starts."""
    device: str = "auto"
    """``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ..."""
    dtype: str = "auto"
    """Autocast precision: ``"auto"`` (bfloat16 on CUDA and on CPUs with AVX-512 BF16 or
    AMX, else float32), ``"float32"``,
    ``"bfloat16"`` or ``"float16"`` (CUDA only; adds a gradient scaler)."""
    compile: bool | Literal["auto"] = "auto"
    """``torch.compile`` the model: ``"auto"`` only on CUDA (on CPU compiling takes
    longer than it saves on small models), True or False to force."""
    out_dir: str = "out"
    """Folder for ``ckpt.pt``, ``metrics.csv`` and ``loss.png``."""

    def __post_init__(self) -> None:
        _positive_int(self.max_steps, "max_steps")
        _positive_int(self.batch_size, "batch_size")
        _positive_int(self.grad_accum_steps, "grad_accum_steps")
        _non_negative(self.lr, "lr")
        _non_negative(self.min_lr, "min_lr")
        if self.min_lr > self.lr:
            raise ValueError(
                f"min_lr ({self.min_lr}) must not exceed lr ({self.lr}); lower min_lr or raise lr"
            )
        # subtle: the dataclass is frozen, so derived values are written with
        # object.__setattr__; this is the only place that does it.
        if self.warmup_steps is None:
            object.__setattr__(self, "warmup_steps", min(100, self.max_steps // 10))
        _non_negative_int(self.warmup_steps, "warmup_steps", "no warm-up")
        if self.warmup_steps > self.max_steps:  # type: ignore[operator]
            raise ValueError(
                f"warmup_steps ({self.warmup_steps}) must not exceed max_steps "
                f"({self.max_steps}); shorten the warm-up"
            )
        _non_negative(self.weight_decay, "weight_decay")
        betas = self.betas
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        if not all(isinstance(b, int | float) and 0 <= b < 1 for b in betas):
            raise ValueError(f"betas must each be in [0, 1), got {betas!r}")
        object.__setattr__(self, "betas", (float(betas[0]), float(betas[1])))
        _non_negative(self.grad_clip, "grad_clip")
        _non_negative_int(self.eval_interval, "eval_interval", "never evaluate")
        _positive_int(self.eval_steps, "eval_steps")
        _non_negative_int(self.checkpoint_interval, "checkpoint_interval", "only at the end")
        _non_negative(self.checkpoint_minutes, "checkpoint_minutes")
        if not self.checkpoint_minutes < float("inf"):
            raise ValueError("checkpoint_minutes must be finite (0: no checkpoints by the clock)")
        seed = self.seed
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
            raise ValueError(f"seed must be an int from 0 to {MAX_SEED}, got {seed!r}")
        if not isinstance(self.device, str) or not self.device:
            raise TypeError(
                f"device must be a str such as 'auto', 'cpu' or 'cuda', got {self.device!r}"
            )
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")
        if self.compile not in ("auto", True, False):
            raise ValueError(f"compile must be 'auto', True or False, got {self.compile!r}")
        if not isinstance(self.out_dir, str | Path):
            raise TypeError(f"out_dir must be a str or Path, got {type(self.out_dir).__name__}")
        object.__setattr__(self, "out_dir", str(self.out_dir))

    @property
    def path(self) -> Path:
        """``out_dir`` as a Path."""
        return Path(self.out_dir)

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain Python values (what a checkpoint stores)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        """A config from :meth:`to_dict`'s output; unknown keys are a ValueError."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(
                f"unknown TrainConfig fields {sorted(unknown)}; it takes {sorted(known)}"
            )
        return cls(**values)

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)
