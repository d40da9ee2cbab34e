"""RMSprop: steps divided by a running root-mean-square of the gradient.

Like Adagrad (:mod:`~nlpjourney.optim.adagrad`), RMSprop (Hinton, 2012) scales each
coordinate's step by ``1 / sqrt(accumulated g^2)``, so steep coordinates take small steps
and flat ones large steps; but where Adagrad *sums* every squared gradient (its steps only
shrink), RMSprop keeps an exponential *average* that forgets. Optionally it is centred
(divides by an estimate of the gradient's standard deviation, ``s - mean(g)^2``) and has
a momentum buffer:

    g <- g + weight_decay * w
    s <- alpha * s + (1 - alpha) * g^2
    a <- alpha * a + (1 - alpha) * g;  d <- sqrt(s - a^2) + eps     (centered)
    d <- sqrt(s) + eps                                              (otherwise)
    b <- momentum * b + g / d;  w <- w - lr * b                     (momentum > 0)
    w <- w - lr * g / d                                             (otherwise)

Reference: ``torch.optim.RMSprop`` (the formulas in its documentation; the tests compare
100-step trajectories with it).

Simplifications: no ``maximize``, ``foreach`` or ``capturable`` flags.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nlpjourney.optim.optimizer import ArrayOps, Optimizer, check_non_negative


class RMSprop(Optimizer):
    """RMSprop: steps divided by a running root-mean-square of the gradient.

    Args:
        params: parameters, or parameter groups (dicts with ``"params"``).
        lr: the learning rate, at least 0.
        alpha: the decay rate of the squared-gradient average, at least 0.
        eps: added to the denominator for numerical stability, at least 0.
        weight_decay: the L2 penalty coefficient, at least 0.
        momentum: the momentum factor, at least 0.
        centered: divide by the gradient's estimated standard deviation instead of its
            root mean square.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group["lr"], "learning rate")
        check_non_negative(group["eps"], "epsilon value")
        check_non_negative(group["momentum"], "momentum value")
        check_non_negative(group["weight_decay"], "weight_decay value")
        check_non_negative(group["alpha"], "alpha value")

    def _update(
        self, w: Any, g: Any, state: dict[str, Any], group: dict[str, Any], ops: ArrayOps
    ) -> None:
        alpha, momentum = group["alpha"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = ops.zeros_like(w)
            if momentum > 0:
                state["momentum_buffer"] = ops.zeros_like(w)
            if group["centered"]:
                state["grad_avg"] = ops.zeros_like(w)
        state["step"] += 1
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * w

        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * (g * g)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg *= alpha
            grad_avg += (1 - alpha) * g
            # subtle: E[g^2] - E[g]^2 is a variance only up to rounding; it is never
            # clamped at 0 (nor in torch), so eps must stay positive in centred mode.
            denom = ops.sqrt(square_avg - grad_avg * grad_avg)
        else:
            denom = ops.sqrt(square_avg)
        denom += group["eps"]

        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += g / denom
            w -= group["lr"] * buf
        else:
            w -= group["lr"] * (g / denom)
