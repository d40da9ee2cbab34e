"""Checkpoints that resume a run exactly: weights, optimizer moments, step and every RNG.

A run that trains N steps, stops, and resumes for N more must end with the same weights,
bit for bit, as one that trains 2N steps straight. That needs more than the weights:

- the optimizer's per-parameter state (AdamW's moments and step count);
- the step, which sets the learning rate through the schedule;
- the random generators: Python's, NumPy's and torch's (CPU and CUDA, for dropout), and
  the data sampler's (which windows come next);
- the gradient scaler's scale, for float16 training.

Our optimizers keep their state keyed by ``id(param)`` and have no ``state_dict``
(see :mod:`nlpjourney.optim.optimizer`), so :func:`optimizer_state` stores it here, as
a list in the order of ``optimizer.parameters()``: ids change between processes, the
order of a model's parameters does not.

A checkpoint is written to a temporary file beside the target and renamed over it, so a
crash mid-write never leaves a half-written ``ckpt.pt``. It is read with
``torch.load(weights_only=True)``: tensors and plain Python values only, so opening a
checkpoint from elsewhere cannot run code.

Reference: nanoGPT's ``ckpt.pt`` (model, optimizer, model args, iteration, best loss);
``torch.optim.Optimizer.state_dict`` (state by parameter index).
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nlpjourney.errors import JourneyError

__all__ = [
    "FORMAT",
    "CheckpointError",
    "load_checkpoint",
    "load_optimizer_state",
    "optimizer_state",
    "rng_state",
    "save_checkpoint",
    "set_rng_state",
]

#: Written into every checkpoint; a file without it (or with another) is refused.
FORMAT = "nlpjourney.train/1"

#: What every checkpoint holds, checked when one is read.
REQUIRED = ("format", "model", "optimizer", "config", "step", "rng")


class CheckpointError(JourneyError):
    """A checkpoint is missing, unreadable, or does not fit the model being trained."""


def optimizer_state(optimizer: Any) -> dict[str, Any]:
    """Everything needed to restore one of our optimizers, with no reference to ids.

    Returns:
        ``{"type": class name, "groups": [hyper-parameters, no params],
        "state": [state dict per parameter, in ``optimizer.parameters()`` order]}``;
        tensors in the state are cloned so later steps do not change the snapshot.
    """
    groups = [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]
    state = []
    for p in optimizer.parameters():
        entry = optimizer.state.get(id(p), {})
        state.append({k: v.detach().clone() if torch.is_tensor(v) else v for k, v in entry.items()})
    return {"type": type(optimizer).__name__, "groups": groups, "state": state}


def load_optimizer_state(optimizer: Any, saved: dict[str, Any]) -> None:
    """Put :func:`optimizer_state`'s snapshot back into ``optimizer``.

    Raises:
        CheckpointError: the snapshot is of another optimizer, another number of
            parameters or groups, or holds tensors of other shapes.
    """
    params = list(optimizer.parameters())
    if saved.get("type") != type(optimizer).__name__:
        raise CheckpointError(
            f"the checkpoint's optimizer is {saved.get('type')}, this run uses "
            f"{type(optimizer).__name__}; resume with the same optimizer or start afresh"
        )
    if len(saved["state"]) != len(params) or len(saved["groups"]) != len(optimizer.param_groups):
        raise CheckpointError(
            f"the checkpoint's optimizer holds {len(saved['state'])} parameters in "
            f"{len(saved['groups'])} groups, this model has {len(params)} in "
            f"{len(optimizer.param_groups)}; it was made for another model"
        )
    for p, entry in zip(params, saved["state"], strict=True):
        for key, value in entry.items():
            if torch.is_tensor(value) and value.shape != p.shape:
                raise CheckpointError(
                    f"optimizer state {key!r} has shape {tuple(value.shape)} but its "
                    f"parameter has {tuple(p.shape)}; the checkpoint is for another model"
                )
    for group, hyper in zip(optimizer.param_groups, saved["groups"], strict=True):
        group.update(hyper)
    optimizer.state.clear()
    for p, entry in zip(params, saved["state"], strict=True):
        if entry:
            optimizer.state_of(p).update(
                {
                    k: v.to(device=p.device, dtype=v.dtype) if torch.is_tensor(v) else v
                    for k, v in entry.items()
                }
            )


def rng_state() -> dict[str, Any]:
    """The states of Python's, NumPy's (global) and torch's (CPU and CUDA) generators."""
    numpy_state = np.random.get_state(legacy=False)
    # subtle: NumPy's state holds an ndarray, which torch.load(weights_only=True) refuses;
    # a list of ints round-trips through it unchanged.
    numpy_state["state"]["key"] = numpy_state["state"]["key"].tolist()
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": numpy_state,
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore :func:`rng_state`'s snapshot."""
    random.setstate(_tuples(state["python"]))
    numpy_state = dict(state["numpy"])
    numpy_state["state"] = dict(numpy_state["state"])
    numpy_state["state"]["key"] = np.asarray(numpy_state["state"]["key"], dtype=np.uint32)
    np.random.set_state(numpy_state)
    torch.set_rng_state(state["torch"].cpu())
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])


def _tuples(value: Any) -> Any:
    """Lists back to tuples, as ``random.setstate`` wants them."""
    if isinstance(value, list | tuple):
        return tuple(_tuples(v) for v in value)
    return value


def save_checkpoint(path: str | Path, checkpoint: dict[str, Any]) -> Path:
    """Write ``checkpoint`` to ``path`` atomically: to a temporary file, then renamed.

    Args:
        path: where the checkpoint goes (``out_dir/ckpt.pt``).
        checkpoint: the dict to save; ``"format"`` is added.

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as f:
        torch.save({"format": FORMAT, **checkpoint}, f)
        f.flush()
        # subtle: without fsync the rename can reach the disk before the data does, and a
        # power cut then leaves an empty ckpt.pt in place of the old good one.
        os.fsync(f.fileno())
    os.replace(temporary, path)
    return path


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` onto the CPU.

    Raises:
        CheckpointError: the file is missing, unreadable or corrupt, or not one of ours.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}; start without resume=True")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # pickle, zip and torch errors alike mean "corrupt"
        raise CheckpointError(
            f"cannot read the checkpoint {path} ({type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else 'no detail'}); it is corrupt or "
            "not a checkpoint: delete it and start afresh, or resume from a good copy"
        ) from error
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        found = checkpoint.get("format") if isinstance(checkpoint, dict) else None
        raise CheckpointError(
            f"{path} is not a training checkpoint of format {FORMAT!r} (found {found!r}); "
            "resume only from a ckpt.pt that nlpjourney.train wrote"
        )
    missing = [key for key in REQUIRED if key not in checkpoint]
    if missing:
        raise CheckpointError(f"the checkpoint {path} lacks {missing}; it is incomplete")
    return checkpoint
