"""How a trained model (a tagger, a parser) is saved to a folder and checked as it opens.

Every model of :mod:`nlpjourney.tagging` and :mod:`nlpjourney.parsing` (HMM, perceptron,
CRF, the neural ones) saves the same two files, so one reader checks them all and a
missing, damaged or foreign folder gives one :class:`~nlpjourney.errors.ModelFormatError`
naming what is wrong, never a traceback from inside NumPy.

- ``model.json``: ``{"format": "nlpjourney-model", "version": 1, "kind": <class
  name>, "config": {...}}``; ``config`` holds what the model needs besides arrays
  (hyper-parameters, the tag set, vocabularies), as JSON.
- ``weights.npz``: named NumPy arrays (``np.savez``, read with ``allow_pickle=False``).

The arrays are written first and ``model.json`` last, so a folder whose ``model.json``
is there is complete.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from nlpjourney.errors import ModelFormatError

__all__ = ["FORMAT", "MODEL_JSON", "VERSION", "WEIGHTS", "load_model", "save_model"]

FORMAT = "nlpjourney-model"
VERSION = 1
MODEL_JSON = "model.json"
WEIGHTS = "weights.npz"


def save_model(
    folder: str | Path, kind: str, config: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
) -> Path:
    """Write ``arrays`` to ``weights.npz``, then ``config`` to ``model.json``, in ``folder``.

    Args:
        folder: Where to write (made if needed).
        kind: The model's class name; :func:`load_model` refuses a folder of another kind.
        config: JSON-serialisable settings and vocabularies.
        arrays: Named arrays (not object arrays).

    Returns:
        ``folder`` as a :class:`~pathlib.Path`.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / WEIGHTS, **{name: np.asarray(array) for name, array in arrays.items()})
    header = {"format": FORMAT, "version": VERSION, "kind": kind, "config": dict(config)}
    text = json.dumps(header, ensure_ascii=False) + "\n"
    (folder / MODEL_JSON).write_text(text, encoding="utf-8")
    return folder


def load_model(
    folder: str | Path, kind: str, required: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The ``config`` and arrays of a model folder written by :func:`save_model`.

    Args:
        folder: The saved model's folder.
        kind: The class name expected in ``model.json``.
        required: Array names that must be in ``weights.npz``.

    Raises:
        ModelFormatError: The folder or a file is missing, unreadable, of another format,
            version or kind, or lacks a required array.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelFormatError(f"no such folder: {folder}; pass the folder the model was saved to")
    header_file = folder / MODEL_JSON
    if not header_file.is_file():
        raise ModelFormatError(
            f"{folder} holds no {MODEL_JSON}, so it is not a saved model (or saving was "
            "interrupted): save or train the model again"
        )
    try:
        header = json.loads(header_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFormatError(
            f"{header_file} is not valid JSON ({error}): train the model again"
        ) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFormatError(
            f"{header_file} is not an nlpjourney model (format {FORMAT!r} expected)"
        )
    if header.get("version") != VERSION:
        raise ModelFormatError(
            f"{header_file} has format version {header.get('version')!r}; this nlpjourney "
            f"reads version {VERSION}: train the model again"
        )
    if header.get("kind") != kind:
        raise ModelFormatError(
            f"{folder} holds a {header.get('kind')!r}, not a {kind!r}: load it with that class"
        )
    if not isinstance(header.get("config"), dict):
        raise ModelFormatError(f"{header_file} has no 'config' object: train the model again")
    weights_file = folder / WEIGHTS
    try:
        with np.load(weights_file, allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in saved.files}
    except FileNotFoundError:
        raise ModelFormatError(f"{folder} lacks {WEIGHTS}: train the model again") from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ModelFormatError(
            f"{weights_file} is not readable ({error}): train the model again"
        ) from None
    missing = [name for name in required if name not in arrays]
    if missing:
        raise ModelFormatError(f"{weights_file} lacks the arrays {missing}: train the model again")
    return header["config"], arrays
