"""Functions of several tensors: cross-entropy, a fused linear map, concatenate and stack.

- :func:`cross_entropy` is fused: one node whose backward is the closed form
  ``(softmax(logits) - target distribution) / batch``, stable for any logits (it works
  from ``log_softmax``, never from ``log(softmax)``), with PyTorch's ``ignore_index`` and
  ``label_smoothing``.
- :func:`linear` is ``x @ weight.T + bias`` as one node (one graph node instead of three,
  and no transposed copy in backward).
- :func:`concatenate` and :func:`stack` join tensors; the backward cuts the gradient back
  into the pieces.

Reference: ``torch.nn.functional.cross_entropy``, ``torch.nn.functional.linear``,
``torch.cat`` and ``torch.stack``; the tests compare values and gradients at float64.

Simplifications:
    - ``cross_entropy`` takes logits of shape (N, C) and class indices of shape (N,)
      only: flatten sequences first (``logits.reshape(-1, C)``). No class weights and no
      probability targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from nlpjourney.autograd.reductions import log_softmax, softmax
from nlpjourney.autograd.tensor import Tensor

__all__ = ["concatenate", "cross_entropy", "linear", "log_softmax", "softmax", "stack"]


def cross_entropy(
    logits: Tensor,
    targets: ArrayLike | Tensor,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
    reduction: Literal["mean", "sum", "none"] = "mean",
) -> Tensor:
    """The negative log-likelihood of the target classes under ``softmax(logits)``.

    With label smoothing ``e`` the target distribution is ``(1 - e)`` on the true class
    plus ``e / C`` on every class, so the loss of a row is
    ``(1 - e) * -log p[target] + e * mean_c(-log p[c])``.

    Args:
        logits: unnormalized scores, one row per example.
        targets: the true class of each row, integers in ``[0, C)``.
        ignore_index: rows whose target equals this contribute no loss and no gradient;
            ``"mean"`` divides by the number of the other rows (nan if there are none,
            as in PyTorch).
        label_smoothing: ``e`` in ``[0, 1]``.
        reduction: ``"mean"`` over the counted rows, ``"sum"``, or ``"none"`` (per row).

    Shapes:
        logits (N, C), targets (N,) -> a scalar, or (N,) for ``reduction="none"``.

    Example: uniform logits over 4 classes cost ``log 4 = 1.386`` per row.
    """
    targets = _check_targets(logits, targets, ignore_index)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    z = logits.data
    n, classes = z.shape
    shifted = z - z.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, C)
    valid = targets != ignore_index
    rows = np.arange(n)
    picked = np.where(valid, targets, 0)  # any class for ignored rows; masked below
    per_row = -logp[rows, picked]
    if label_smoothing:
        per_row = (1 - label_smoothing) * per_row - label_smoothing * logp.mean(axis=1)
    per_row = np.where(valid, per_row, 0).astype(z.dtype, copy=False)
    count = valid.sum()
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 rows = nan, as torch
            out = np.asarray(per_row.sum() / count, dtype=z.dtype)
    elif reduction == "sum":
        out = np.asarray(per_row.sum(), dtype=z.dtype)
    else:
        out = per_row

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        # d loss_row / d logits_row = softmax(row) - target distribution.
        grad = np.exp(logp)
        if label_smoothing:
            grad -= label_smoothing / classes
        grad[rows, picked] -= 1 - label_smoothing
        if reduction == "none":
            weight = np.where(valid, g, 0)
        else:
            scale = g / count if reduction == "mean" else g
            weight = np.where(valid, scale, 0)
        grad *= weight.astype(z.dtype, copy=False)[:, None]
        return (grad,)

    return logits._child(out, (logits,), backward, "cross_entropy")


def _check_targets(logits: Tensor, targets: ArrayLike | Tensor, ignore_index: int) -> np.ndarray:
    """The targets as an integer array, or an error that says what is wrong."""
    if not isinstance(logits, Tensor):
        raise TypeError(f"logits must be a Tensor, got {type(logits).__name__}")
    if logits.ndim != 2:
        raise ValueError(
            f"cross_entropy expects logits of shape (N, C), got {logits.shape}; "
            "for sequences use logits.reshape(-1, C) and targets.reshape(-1)"
        )
    array = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy targets must be integer class indices, got dtype {array.dtype}; "
            "pass e.g. np.asarray(targets, dtype=np.int64)"
        )
    n, classes = logits.shape
    if array.shape != (n,):
        raise ValueError(
            f"cross_entropy: targets have shape {array.shape} but logits have {n} rows; "
            f"expected targets of shape ({n},)"
        )
    counted = array[array != ignore_index]
    if counted.size and (counted.min() < 0 or counted.max() >= classes):
        bad = counted[(counted < 0) | (counted >= classes)][0]
        raise ValueError(f"cross_entropy: target {bad} is not a class index in [0, {classes})")
    return array


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` as a single node.

    Shapes:
        x (..., in), weight (out, in), bias (out,) -> (..., out).
    """
    if weight.ndim != 2 or x.shape[-1:] != weight.shape[1:]:
        raise ValueError(
            f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape}; "
            "the input's last axis must equal weight.shape[1]"
        )
    if bias is not None and bias.shape != weight.shape[:1]:
        raise ValueError(f"linear: bias shape {bias.shape} must be ({weight.shape[0]},)")
    out = x.data @ weight.data.T
    if bias is not None:
        out += bias.data
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        # Flatten the leading axes: a batch of sequences is one big batch of rows.
        g2 = g.reshape(-1, g.shape[-1])
        grads: list[np.ndarray | None] = [
            (g @ weight.data) if x.requires_grad else None,
            (g2.T @ x.data.reshape(-1, x.shape[-1])) if weight.requires_grad else None,
        ]
        if bias is not None:
            grads.append(g2.sum(axis=0) if bias.requires_grad else None)
        return tuple(grads)

    return x._child(out, parents, backward, "linear")


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis, like ``np.concatenate`` and ``torch.cat``."""
    parts = _as_tensors(tensors, "concatenate")
    try:
        data = np.concatenate([t.data for t in parts], axis=axis)
    except (ValueError, np.exceptions.AxisError) as error:
        shapes = ", ".join(str(t.shape) for t in parts)
        raise ValueError(f"concatenate along axis {axis}: shapes {shapes} do not fit") from error
    ends = np.cumsum([t.shape[axis] for t in parts])[:-1]

    def backward(g: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.split(g, ends, axis=axis))

    return parts[0]._child(data, parts, backward, "concatenate")


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis, like ``np.stack`` and ``torch.stack``."""
    parts = _as_tensors(tensors, "stack")
    try:
        data = np.stack([t.data for t in parts], axis=axis)
    except (ValueError, np.exceptions.AxisError) as error:
        shapes = ", ".join(str(t.shape) for t in parts)
        raise ValueError(f"stack along axis {axis}: shapes {shapes} must be equal") from error

    def backward(g: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.moveaxis(g, axis, 0))

    return parts[0]._child(data, parts, backward, "stack")


def _as_tensors(tensors: Sequence[Tensor | ArrayLike], op: str) -> tuple[Tensor, ...]:
    if len(tensors) == 0:
        raise ValueError(f"{op} needs at least one tensor")
    first = next((t for t in tensors if isinstance(t, Tensor)), None)
    if first is None:
        return tuple(Tensor(t) for t in tensors)
    return tuple(first._lift(t) for t in tensors)
