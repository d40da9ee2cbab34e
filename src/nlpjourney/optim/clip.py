"""Gradient clipping by global norm: one scale factor for all gradients when they are too long.

Treat every gradient of the model as one long vector. If its p-norm exceeds ``max_norm``,
multiply every gradient by ``max_norm / norm``; otherwise leave them alone. The direction
of the update is kept, only its length is capped, which stops one exploding batch (an RNN
on a long sequence, a loss spike in a transformer) from throwing the weights far away.

    norm  = || (||g_1||_p, ||g_2||_p, ...) ||_p     (= the p-norm of all entries together)
    coef  = min(1, max_norm / (norm + 1e-6))
    g_i  <- coef * g_i

Reference: ``torch.nn.utils.clip_grad_norm_`` (same norm, same ``1e-6``, same return value).

Simplifications: no ``foreach`` flag; all gradients must be of one kind (all NumPy or
all torch).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from nlpjourney.optim.optimizer import NUMPY_OPS, Parameter, is_parameter, ops_for


def clip_grad_norm_(
    parameters: Parameter | Iterable[Parameter],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Any:
    """Scales all gradients in place so that their joint norm is at most ``max_norm``.

    Args:
        parameters: a parameter or an iterable of them (objects with ``.data`` and
            ``.grad``); those whose ``.grad`` is ``None`` are skipped.
        max_norm: the largest norm allowed, at least 0.
        norm_type: the p of the p-norm, positive; ``float("inf")`` for the largest
            absolute entry.
        error_if_nonfinite: raise instead of scaling when the norm is nan or inf.

    Returns:
        The norm of all gradients *before* clipping: a float for NumPy gradients, a 0-d
        tensor for torch gradients (as ``torch.nn.utils.clip_grad_norm_`` returns); 0.0
        when no parameter has a gradient.

    Raises:
        ValueError: ``max_norm`` is negative or ``norm_type`` not positive.
        TypeError: NumPy and torch gradients are mixed.
        RuntimeError: the norm is not finite and ``error_if_nonfinite`` is set.

    Example: gradients ``[3, 0]`` and ``[4]`` have norm 5; with ``max_norm=1`` they become
    ``[0.6, 0]`` and ``[0.8]`` (up to the ``1e-6``), and 5.0 is returned.
    """
    if not max_norm >= 0:
        raise ValueError(f"max_norm must be at least 0, got {max_norm}")
    norm_type = float(norm_type)
    if not norm_type > 0:
        raise ValueError(f"norm_type must be positive (or inf), got {norm_type}")
    params = [parameters] if is_parameter(parameters) else list(parameters)
    with_grad = [p for p in params if p.grad is not None]
    if not with_grad:
        return 0.0
    kinds = {ops_for(p).name for p in with_grad}
    if len(kinds) > 1:
        raise TypeError("clip_grad_norm_ got both NumPy and torch gradients; clip each apart")
    ops = ops_for(with_grad[0])

    with ops.no_grad():
        # subtle: the norm of the per-tensor norms equals the norm of all entries together
        # (for every p, inf included), and never concatenates the gradients into one copy.
        norms = [ops.vector_norm(p.grad, norm_type) for p in with_grad]
        total = ops.vector_norm(ops.stack(norms), norm_type)
        if error_if_nonfinite and not math.isfinite(float(total)):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients is non-finite, so it "
                "cannot be clipped; pass error_if_nonfinite=False to scale anyway"
            )
        # The 1e-6 keeps the division finite for zero gradients; the clamp makes
        # clipping one-sided: short gradients are never lengthened.
        coef = ops.clamp_max(max_norm / (total + 1e-6), 1.0)
        for p in with_grad:
            p.grad *= coef
    if ops is NUMPY_OPS:
        return float(total)
    return total
