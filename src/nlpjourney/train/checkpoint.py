"""Checkpoints that resume a run exactly: weights, optimizer moments, step and every RNG.

A run that trains N steps, stops, and resumes for N more must end with the same weights,
bit for bit, as one that trains 2N steps straight. That needs more than the weights:

- the optimizer's per-parameter state (AdamW's moments and step count);
- the schedule's position, which sets the learning rate;
- the random generators: Python's, NumPy's and torch's (CPU and CUDA, for dropout), and
  the data sampler's (which windows come next);
- the gradient scaler's scale, for float16 training.

The optimizer is saved through its own ``state_dict()`` (ours,
:meth:`nlpjourney.optim.Optimizer.state_dict`, or ``torch.optim``'s: the same layout,
parameters named by their index), and restored by :func:`load_optimizer_state`, which
also reads the layout of format-1 checkpoints (``{"type", "groups", "state": [...]}``,
written before our optimizers had a ``state_dict``), so older runs still resume.

A checkpoint is written to a temporary file beside the target and renamed over it, so a
crash mid-write never leaves a half-written ``ckpt.pt``. It is read with
``torch.load(weights_only=True)``: tensors and plain Python values only, so opening a
checkpoint from elsewhere cannot run code. A file that holds anything else (a pickled
object, which could run code when unpickled) is refused as not one of ours, and never
loaded another way. What it holds is checked before anything is built from it (the step,
the config, the weights as a dict of tensors), so a damaged file is one clear error.

Reference: nanoGPT's ``ckpt.pt`` (model, optimizer, model args, iteration, best loss);
``torch.optim.Optimizer.state_dict`` (state by parameter index).
"""

from __future__ import annotations

import os
import pickle
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nlpjourney.errors import JourneyError

__all__ = [
    "FORMAT",
    "FORMATS",
    "CheckpointError",
    "load_checkpoint",
    "load_optimizer_state",
    "optimizer_state",
    "rng_state",
    "save_checkpoint",
    "set_rng_state",
]

#: Written into every checkpoint. Format 2 saves the optimizer in ``state_dict`` layout
#: and the schedule; format 1 kept the optimizer's state as a list, with its class name.
FORMAT = "nlpjourney.train/2"
#: The formats :func:`load_checkpoint` reads; a file with none of them is refused.
FORMATS = ("nlpjourney.train/1", FORMAT)

#: What every checkpoint holds, checked when one is read.
REQUIRED = ("format", "model", "optimizer", "config", "step", "rng")


class CheckpointError(JourneyError):
    """A checkpoint is missing, unreadable, or does not fit the model being trained."""


def optimizer_state(optimizer: Any) -> dict[str, Any]:
    """What a checkpoint stores of ``optimizer``: its ``state_dict()``.

    Returns:
        ``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``,
        ``torch.optim``'s layout, which our optimizers share.
    """
    return optimizer.state_dict()


def load_optimizer_state(optimizer: Any, saved: dict[str, Any], kind: str | None = None) -> None:
    """Put a checkpoint's optimizer state back into ``optimizer``, through ``load_state_dict``.

    Args:
        optimizer: ours or a ``torch.optim`` one, holding the model's parameters.
        saved: :func:`optimizer_state`'s output, or a format-1 checkpoint's
            ``{"type", "groups", "state": [...]}``.
        kind: the class name of the optimizer that saved it, when known.

    Raises:
        CheckpointError: the state is of another kind of optimizer, or of another model
            (other numbers of groups or parameters, other shapes).
    """
    name = type(optimizer).__name__
    earlier = isinstance(saved, dict) and {"type", "groups", "state"} <= set(saved)
    if earlier:
        kind, saved = saved["type"], _from_format_1(optimizer, saved)
    if kind is not None and kind != name:
        raise CheckpointError(
            f"the checkpoint's optimizer is {kind}, this run uses {name}; resume with the "
            "same optimizer or start afresh"
        )
    try:
        optimizer.load_state_dict(saved)
    except (ValueError, TypeError, KeyError) as error:
        # subtle: format 1 holds the state by parameter position only, and the models of
        # that time built their blocks in another order (GPT-2's names; separate q, k,
        # v), so the positions no longer meet. The weights themselves still load.
        why = (
            "; the run was saved by an earlier NLP Journey whose models ordered their "
            "weights differently: its weights still load (journey sample reads it), but "
            "its training cannot resume; start a new run"
            if earlier
            else ""
        )
        raise CheckpointError(
            f"the checkpoint's optimizer state does not fit this run's {name}: {error}{why}"
        ) from error


def _from_format_1(optimizer: Any, saved: dict[str, Any]) -> dict[str, Any]:
    """A format-1 optimizer entry in ``state_dict`` layout.

    Format 1 kept the hyper-parameters per group, without their parameters, and one state
    dict per parameter in the order of the groups, which is the order of the indices.
    """
    sizes = [len(group["params"]) for group in optimizer.param_groups]
    if len(saved["state"]) != sum(sizes) or len(saved["groups"]) != len(sizes):
        raise CheckpointError(
            f"the checkpoint's optimizer holds {len(saved['state'])} parameters in "
            f"{len(saved['groups'])} groups, this model has {sum(sizes)} in {len(sizes)}; "
            "it was made for another model"
        )
    groups, start = [], 0
    for hyper, size in zip(saved["groups"], sizes, strict=True):
        groups.append({**hyper, "params": list(range(start, start + size))})
        start += size
    state = {index: entry for index, entry in enumerate(saved["state"]) if entry}
    return {"state": state, "param_groups": groups}


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
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        # torch words both cases alike; only a refused object names a "global".
        detail = str(error).split("WeightsUnpickler error:")[-1].strip().splitlines()
        if "global" not in str(error).lower():
            raise CheckpointError(
                f"cannot read the checkpoint {path} (UnpicklingError: "
                f"{detail[0] if detail else 'no detail'}); it is corrupt or not a checkpoint: "
                "delete it and start afresh, or resume from a good copy"
            ) from None
        # subtle: torch's own message goes on to say weights_only=False "will likely
        # succeed": advice that would run whatever code the file carries. Not passed on.
        raise CheckpointError(
            f"{path} is not a checkpoint NLP Journey wrote: it holds Python objects other "
            "than tensors and plain values, which could run code when loaded, so it will "
            "not be loaded"
        ) from None
    except Exception as error:  # zip and torch errors alike mean "corrupt"
        raise CheckpointError(
            f"cannot read the checkpoint {path} ({type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else 'no detail'}); it is corrupt or "
            "not a checkpoint: delete it and start afresh, or resume from a good copy"
        ) from error
    if not isinstance(checkpoint, dict) or checkpoint.get("format") not in FORMATS:
        found = checkpoint.get("format") if isinstance(checkpoint, dict) else None
        raise CheckpointError(
            f"{path} is not a training checkpoint of format {' or '.join(FORMATS)} (found "
            f"{found!r}); resume only from a ckpt.pt that nlpjourney.train wrote"
        )
    missing = [key for key in REQUIRED if key not in checkpoint]
    if missing:
        raise CheckpointError(f"the checkpoint {path} lacks {missing}; it is incomplete")
    problem = _inconsistency(checkpoint)
    if problem:
        raise CheckpointError(
            f"the checkpoint {path} is damaged: {problem}; delete it and start afresh, or "
            "resume from a good copy"
        )
    return checkpoint


def _inconsistency(checkpoint: dict[str, Any]) -> str | None:
    """What in a checkpoint's entries is not of the kind :func:`save_checkpoint` writes."""
    step = checkpoint["step"]
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        return f"its step is {step!r}, not a whole number >= 0"
    weights = checkpoint["model"]
    if not isinstance(weights, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in weights.items()
    ):
        return "its model entry is not a dict of named tensors"
    for key in ("config", "rng"):
        if not isinstance(checkpoint[key], dict):
            return f"its {key} entry is not a dict"
    meta = checkpoint.get("meta")
    if meta is not None and not isinstance(meta, dict):
        return "its meta entry is not a dict"
    return None
