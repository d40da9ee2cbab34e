"""Adagrad: steps divided by the root of the sum of all squared gradients so far.

Adagrad (Duchi et al., 2011) gives every coordinate its own learning rate, shrinking as
that coordinate's gradients pile up: rare features (a word seen twice) keep large steps,
frequent ones get small steps. Because the sum never forgets, steps only shrink, which
suits sparse convex problems and is too timid for long deep-learning runs (RMSprop and
Adam replace the sum by a decaying average):

    g <- g + weight_decay * w
    clr <- lr / (1 + (t - 1) * lr_decay)
    s <- s + g^2                    (s starts at initial_accumulator_value)
    w <- w - clr * g / (sqrt(s) + eps)

Reference: ``torch.optim.Adagrad`` (the formulas in its documentation; the tests compare
100-step trajectories with it).

Simplifications: no ``maximize``, ``foreach`` or ``fused`` flags; dense gradients only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nlpjourney.optim.optimizer import (
    ArrayOps,
    Optimizer,
    array_of,
    check_non_negative,
    ops_for,
)


class Adagrad(Optimizer):
    """Adagrad: steps divided by the root of the sum of all squared gradients so far.

    Args:
        params: parameters, or parameter groups (dicts with ``"params"``).
        lr: the learning rate, at least 0.
        lr_decay: the learning rate at step t is ``lr / (1 + (t - 1) * lr_decay)``.
        weight_decay: the L2 penalty coefficient, at least 0.
        initial_accumulator_value: where the sum of squared gradients starts, at least 0.
        eps: added to the denominator for numerical stability, at least 0.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "eps": eps,
        }
        super().__init__(params, defaults)

    def add_param_group(self, group: dict[str, Any]) -> None:
        super().add_param_group(group)
        # subtle: torch fills Adagrad's accumulators when the group is added, not on the
        # first step, so the state exists (and can be inspected) before any step.
        added = self.param_groups[-1]
        for p in added["params"]:
            ops = ops_for(p)
            with ops.no_grad():
                accumulator = ops.zeros_like(array_of(p))
                accumulator += added["initial_accumulator_value"]
            self.state_of(p).update(step=0, sum=accumulator)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group["lr"], "learning rate")
        check_non_negative(group["lr_decay"], "lr_decay value")
        check_non_negative(group["weight_decay"], "weight_decay value")
        check_non_negative(group["initial_accumulator_value"], "initial_accumulator_value value")
        check_non_negative(group["eps"], "epsilon value")

    def _update(
        self, w: Any, g: Any, state: dict[str, Any], group: dict[str, Any], ops: ArrayOps
    ) -> None:
        state["step"] += 1
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * w
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total = state["sum"]
        total += g * g
        denom = ops.sqrt(total)
        denom += group["eps"]
        w -= clr * (g / denom)
