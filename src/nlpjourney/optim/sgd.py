"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 decay.

Plain SGD moves each parameter a small step against its gradient, ``w <- w - lr * g``.
Momentum keeps a running direction ``b`` so that steps along a consistent slope grow and
steps that zig-zag across a valley cancel:

    g <- g + weight_decay * w                   (L2 penalty folded into the gradient)
    b <- g                                      (first step)
    b <- momentum * b + (1 - dampening) * g     (later steps)
    d <- g + momentum * b   if nesterov  else   b
    w <- w - lr * d

Reference: ``torch.optim.SGD`` (the formulas in its documentation; the tests compare
every step of a 100-step trajectory with it, on NumPy and on torch parameters).

Simplifications: no ``maximize`` flag (negate the loss instead).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nlpjourney.optim.optimizer import ArrayOps, Optimizer, check_non_negative


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum and weight decay.

    Args:
        params: parameters, or parameter groups (dicts with ``"params"``).
        lr: the learning rate, at least 0.
        momentum: the momentum factor, at least 0 (0: plain SGD).
        dampening: how much of the new gradient the momentum buffer skips, in ``[0, 1]``.
        weight_decay: the L2 penalty coefficient, at least 0.
        nesterov: look-ahead momentum; needs ``momentum > 0`` and ``dampening == 0``.

    Example:
        >>> import numpy as np
        >>> class P:  # a stand-in parameter
        ...     def __init__(self, x): self.data, self.grad = np.array(x), None
        >>> w = P([1.0, -2.0]); opt = SGD([w], lr=0.1)
        >>> w.grad = 2 * w.data  # the gradient of |w|^2
        >>> _ = opt.step(); w.data
        array([ 0.8, -1.6])
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_non_negative(group["lr"], "learning rate")
        check_non_negative(group["momentum"], "momentum value")
        check_non_negative(group["weight_decay"], "weight_decay value")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _update(
        self, w: Any, g: Any, state: dict[str, Any], group: dict[str, Any], ops: ArrayOps
    ) -> None:
        lr, momentum = group["lr"], group["momentum"]
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * w  # a new array: p.grad stays untouched
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                # subtle: the first step stores the gradient itself, undamped; dampening
                # only applies from the second step on (torch does the same).
                buf = state["momentum_buffer"] = ops.copy(g)
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * g
            # subtle: torch's Nesterov is the "look-ahead gradient" form of Sutskever et
            # al. rewritten on the current weights: step along g + momentum * b, with the
            # buffer already updated, rather than evaluating the gradient at w - lr * mu * b.
            g = g + momentum * buf if group["nesterov"] else buf
        w -= lr * g
