"""Learning-rate schedules: step decay, linear warm-up then linear or cosine decay.

A schedule multiplies each parameter group's initial learning rate by a factor that
depends on the step count: ``lr_t = initial_lr * factor(t)``. The factors are plain
functions of ``t`` (:func:`step_decay`, :func:`linear_with_warmup`,
:func:`cosine_with_warmup`), so they can be plotted or tested alone; :class:`LambdaLR`
applies any such function to an optimizer, and :class:`StepLR`, :class:`LinearWithWarmup`
and :class:`CosineWithWarmup` are the three ready-made ones.

Warm-up exists because Adam's second-moment estimate is noisy over the first few hundred
steps: full-size steps then can throw a transformer into a bad region. Growing the rate
linearly from 0 avoids that; decaying it afterwards lets the weights settle.

A scheduler only needs ``optimizer.param_groups``, a list of dicts with an ``"lr"``, so it
drives our optimizers (:mod:`nlpjourney.optim`) and ``torch.optim`` ones alike. The loop is
the one torch uses: ``optimizer.step()`` then ``scheduler.step()``, once per batch. A
schedule's position is saved and restored with :meth:`LambdaLR.state_dict` and
:meth:`LambdaLR.load_state_dict`, in torch's layout, beside the optimizer's.

Past ``num_training_steps`` the decays hold their last value (0, or ``min_lr``), as
nanoGPT's ``get_lr`` does, so a run trained longer than planned does not see its rate
climb again.

Reference: ``torch.optim.lr_scheduler.LambdaLR`` and ``StepLR``, and ``transformers``'
``get_linear_schedule_with_warmup``, ``get_cosine_schedule_with_warmup`` and
``get_cosine_with_min_lr_schedule_with_warmup`` (the same factors, to the formula; the
tests compare every step's learning rate up to ``num_training_steps``).

Simplifications: :class:`StepLR` uses the closed form ``gamma ** (t // step_size)`` rather
than torch's running product (equal up to rounding, but a learning rate changed by hand
between steps is not kept); no ``step(epoch)``; a state dict does not save the factor
functions, so load it into a schedule built with the same arguments.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def step_decay(step: int, step_size: int, gamma: float = 0.1) -> float:
    """The factor ``gamma ** (step // step_size)``: multiply by ``gamma`` every ``step_size``.

    Example: with ``step_size=3, gamma=0.5`` the factors for steps 0..6 are
    ``1, 1, 1, 0.5, 0.5, 0.5, 0.25``.
    """
    return gamma ** (step // step_size)


def linear_with_warmup(step: int, num_warmup_steps: int, num_training_steps: int) -> float:
    """Rises linearly from 0 to 1 over the warm-up, then falls linearly to 0 at the end.

    ``step / warmup`` while ``step < warmup``, then
    ``max(0, (total - step) / (total - warmup))``.

    Example: with 2 warm-up and 6 training steps, steps 0..7 give
    ``0, 0.5, 1, 0.75, 0.5, 0.25, 0, 0``.
    """
    if step < num_warmup_steps:
        return step / max(1, num_warmup_steps)
    return max(0.0, (num_training_steps - step) / max(1, num_training_steps - num_warmup_steps))


def cosine_with_warmup(
    step: int, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5
) -> float:
    """Rises linearly from 0 to 1 over the warm-up, then follows a cosine down to 0.

    After the warm-up, with ``progress = (step - warmup) / (total - warmup)`` in [0, 1],
    the factor is ``max(0, (1 + cos(2 pi num_cycles progress)) / 2)``: the default
    ``num_cycles=0.5`` is half a cosine period, from 1 at the end of warm-up to 0 at
    ``num_training_steps``. Past ``num_training_steps`` it stays at the decay's end
    value (that of ``progress = 1``).

    Example: with 0 warm-up and 4 training steps, steps 0..5 give
    ``1, 0.854, 0.5, 0.146, 0, 0``.
    """
    if step < num_warmup_steps:
        return step / max(1, num_warmup_steps)
    # subtle: max(1, ...) keeps warm-up-only schedules (warmup == total) from dividing by
    # zero; transformers does the same, so both give factor 1.0 at the last step then.
    progress = (step - num_warmup_steps) / max(1, num_training_steps - num_warmup_steps)
    # subtle: transformers lets progress run past 1, so after num_training_steps its
    # cosine climbs back up (to the full rate at twice the length); we hold the end value.
    progress = min(progress, 1.0)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress)))


class LambdaLR:
    """Sets each group's learning rate to its initial rate times ``lr_lambda(step)``.

    Constructing it counts as step 0: the learning rates become ``initial * f(0)`` at once
    (0 for a schedule with warm-up). Each :meth:`step` advances the count by one.

    Args:
        optimizer: anything with ``param_groups``, a list of dicts holding ``"lr"``.
        lr_lambda: the factor as a function of the step, or one function per group.
        last_epoch: the last step taken, to resume a schedule (-1: start afresh); when
            resuming, each group must hold its ``"initial_lr"``.
    """

    def __init__(
        self,
        optimizer: Any,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        groups = getattr(optimizer, "param_groups", None)
        if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
            raise TypeError(
                f"{type(optimizer).__name__} is not an optimizer: a schedule needs one with "
                "param_groups, a list of dicts holding 'lr'"
            )
        if callable(lr_lambda):
            self.lr_lambdas = [lr_lambda] * len(groups)
        else:
            self.lr_lambdas = list(lr_lambda)
            if len(self.lr_lambdas) != len(groups):
                raise ValueError(
                    f"expected {len(groups)} lr_lambdas (one per parameter group), "
                    f"got {len(self.lr_lambdas)}"
                )
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming a schedule; start with last_epoch=-1"
                    )
        self.optimizer = optimizer
        self.base_lrs = [group["initial_lr"] for group in groups]
        self.last_epoch = last_epoch
        self._last_lr: list[float] = []
        self.step()

    def get_lr(self) -> list[float]:
        """The learning rates for the current step, one per group."""
        return [
            base * f(self.last_epoch)
            for base, f in zip(self.base_lrs, self.lr_lambdas, strict=True)
        ]

    def step(self) -> None:
        """Advances one step and writes the new learning rates into the optimizer."""
        self.last_epoch += 1
        lrs = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
            group["lr"] = lr
        self._last_lr = lrs

    def get_last_lr(self) -> list[float]:
        """The learning rates the last :meth:`step` (or the constructor) set, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """The schedule's position, in the layout of torch's ``LambdaLR.state_dict``.

        Returns:
            ``{"last_epoch": steps taken, "base_lrs": initial rates, "_last_lr": current
            rates, "lr_lambdas": [None, ...]}``; the factor functions are not saved (torch
            saves only callable objects' attributes), so build the schedule again with the
            same arguments and load this into it.

        Example:
            >>> import numpy as np
            >>> from nlpjourney.optim import SGD
            >>> class P:  # a stand-in parameter
            ...     def __init__(self): self.data, self.grad = np.zeros(1), None
            >>> schedule = StepLR(SGD([P()], lr=1.0), step_size=2, gamma=0.5)
            >>> for _ in range(3): schedule.step()
            >>> saved = schedule.state_dict(); saved["last_epoch"], saved["_last_lr"]
            (3, [0.5])
            >>> fresh = StepLR(SGD([P()], lr=1.0), step_size=2, gamma=0.5)
            >>> fresh.load_state_dict(saved); fresh.step(); fresh.get_last_lr()
            [0.25]
        """
        return {
            "last_epoch": self.last_epoch,
            "base_lrs": list(self.base_lrs),
            "_last_lr": list(self._last_lr),
            "lr_lambdas": [None] * len(self.lr_lambdas),
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Moves the schedule to the position :meth:`state_dict` saved.

        The optimizer's learning rates are set to that position's at once, so the next
        ``optimizer.step()`` uses them even if the optimizer's own state is not loaded.
        Keys other than ``last_epoch`` and ``base_lrs`` (torch's bookkeeping) are ignored.

        Raises:
            TypeError: ``state_dict`` is not a mapping with ``last_epoch`` and ``base_lrs``.
            ValueError: it holds another number of rates than the optimizer has groups.
        """
        if not isinstance(state_dict, Mapping) or not {"last_epoch", "base_lrs"} <= set(state_dict):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict expects a mapping with 'last_epoch' "
                f"and 'base_lrs' (what state_dict() returns), got {type(state_dict).__name__}"
            )
        base_lrs = [float(lr) for lr in state_dict["base_lrs"]]
        groups = self.optimizer.param_groups
        if len(base_lrs) != len(groups):
            raise ValueError(
                f"the schedule's state dict has {len(base_lrs)} learning rates, the "
                f"optimizer has {len(groups)} parameter groups; it was saved for another one"
            )
        self.base_lrs = base_lrs
        self.last_epoch = int(state_dict["last_epoch"])
        lrs = self.get_lr()
        for group, lr in zip(groups, lrs, strict=True):
            group["lr"] = lr
        self._last_lr = lrs


class StepLR(LambdaLR):
    """Multiplies the learning rate by ``gamma`` every ``step_size`` steps (step decay).

    Args:
        optimizer: anything with ``param_groups``.
        step_size: steps between two decays, positive.
        gamma: the factor applied at each decay.
        last_epoch: the last step taken, to resume (-1: start afresh).
    """

    def __init__(
        self, optimizer: Any, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"step_size must be a positive int, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, lambda t: step_decay(t, step_size, gamma), last_epoch)


def _check_warmup(num_warmup_steps: int, num_training_steps: int) -> None:
    if num_warmup_steps < 0 or num_training_steps < 0:
        raise ValueError(
            f"step counts must be at least 0, got num_warmup_steps={num_warmup_steps} "
            f"and num_training_steps={num_training_steps}"
        )


class LinearWithWarmup(LambdaLR):
    """Linear warm-up from 0 to the initial rate, then linear decay to 0.

    The scheduler form of :func:`linear_with_warmup`, equal to ``transformers``'
    ``get_linear_schedule_with_warmup``.
    """

    def __init__(
        self, optimizer: Any, num_warmup_steps: int, num_training_steps: int, last_epoch: int = -1
    ) -> None:
        _check_warmup(num_warmup_steps, num_training_steps)

        def factor(t: int) -> float:
            return linear_with_warmup(t, num_warmup_steps, num_training_steps)

        super().__init__(optimizer, factor, last_epoch)


class CosineWithWarmup(LambdaLR):
    """Linear warm-up from 0 to the initial rate, then cosine decay to ``min_lr``.

    The scheduler form of :func:`cosine_with_warmup`: with ``min_lr=0`` equal to
    ``transformers``' ``get_cosine_schedule_with_warmup``; otherwise the decay runs from
    each group's initial rate ``lr0`` down to ``min_lr``, as in nanoGPT:
    ``min_lr + (lr0 - min_lr) * cosine_with_warmup(t, ...)``. Past
    ``num_training_steps`` the rate holds at its final value.

    Args:
        optimizer: anything with ``param_groups``.
        num_warmup_steps: steps of linear warm-up from 0.
        num_training_steps: the step at which the decay ends.
        num_cycles: cosine periods over the decay (0.5: one half period, down once).
        min_lr: the rate the decay ends at, at least 0 and at most every group's
            initial rate.
        last_epoch: the last step taken, to resume (-1: start afresh).
    """

    def __init__(
        self,
        optimizer: Any,
        num_warmup_steps: int,
        num_training_steps: int,
        num_cycles: float = 0.5,
        last_epoch: int = -1,
        *,
        min_lr: float = 0.0,
    ) -> None:
        _check_warmup(num_warmup_steps, num_training_steps)
        if not min_lr >= 0:
            raise ValueError(f"min_lr must be at least 0, got {min_lr}")
        self.num_warmup_steps, self.min_lr = num_warmup_steps, min_lr

        def factor(t: int) -> float:
            return cosine_with_warmup(t, num_warmup_steps, num_training_steps, num_cycles)

        super().__init__(optimizer, factor, last_epoch)
        if any(base < min_lr for base in self.base_lrs):
            raise ValueError(
                f"min_lr ({min_lr}) exceeds the initial learning rate of a parameter group "
                f"({min(self.base_lrs)}); the decay would climb. Lower min_lr"
            )

    def get_lr(self) -> list[float]:
        """The learning rates for the current step, one per group."""
        factor = self.lr_lambdas[0](self.last_epoch)
        if self.last_epoch < self.num_warmup_steps:
            return [base * factor for base in self.base_lrs]  # warm-up starts at 0
        # subtle: with min_lr = 0 this is base * factor to the bit (0.0 + x == x), the
        # value transformers' LambdaLR computes.
        return [self.min_lr + (base - self.min_lr) * factor for base in self.base_lrs]
