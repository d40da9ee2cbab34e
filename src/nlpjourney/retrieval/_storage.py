"""How a saved :class:`~nlpjourney.retrieval.InvertedIndex` folder is checked as it opens.

Private to :mod:`nlpjourney.retrieval` (the format itself is documented in
:mod:`nlpjourney.retrieval.index`): the manifest's format, version and counts, and each
array's dtype and length, so a missing, corrupt or foreign folder gives one clear
:class:`~nlpjourney.errors.JourneyError` instead of a traceback from deep inside NumPy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nlpjourney.errors import DataNotFoundError, JourneyError

FORMAT = "nlpjourney-inverted-index"
VERSION = 1
MANIFEST = "manifest.json"
# name -> (dtype, length as a function of the manifest's counts)
ARRAYS: dict[str, tuple[type, Callable[[dict[str, int]], int]]] = {
    "term_ptr": (np.int64, lambda m: m["n_terms"] + 1),
    "doc_ids": (np.int32, lambda m: m["n_postings"]),
    "tfs": (np.int32, lambda m: m["n_postings"]),
    "position_ptr": (np.int64, lambda m: m["n_postings"] + 1),
    "positions": (np.int32, lambda m: m["n_tokens"]),
    "doc_lengths": (np.int32, lambda m: m["n_docs"]),
}


class IndexFormatError(JourneyError):
    """A folder that should hold a saved index is incomplete, corrupt or something else."""


def read_manifest(folder: Path) -> dict[str, Any]:
    """The checked manifest of a saved index folder (see :meth:`InvertedIndex.load`)."""
    if not folder.is_dir():
        raise DataNotFoundError(
            f"no index folder at {folder}: build one and save it there "
            "(InvertedIndex.save, or journey search index)"
        )
    file = folder / MANIFEST
    if not file.is_file():
        raise DataNotFoundError(
            f"{folder} holds no {MANIFEST}, so it is not a saved index: "
            "pass the folder that InvertedIndex.save wrote"
        )
    try:
        manifest = json.loads(file.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise IndexFormatError(
            f"{file} is not valid JSON ({error}): the index is corrupt; build and save it again"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IndexFormatError(
            f"{file} is not an nlpjourney inverted index manifest (format {FORMAT!r} expected)"
        )
    if manifest.get("version") != VERSION:
        raise IndexFormatError(
            f"{file} has format version {manifest.get('version')!r}; this "
            f"nlpjourney reads version {VERSION}: build the index again"
        )
    keys = ("n_docs", "n_terms", "n_postings", "n_tokens")
    counts_ok = all(isinstance(manifest.get(key), int) and manifest[key] >= 0 for key in keys)
    vocabulary = manifest.get("vocabulary")
    if not counts_ok or not isinstance(vocabulary, list) or len(vocabulary) != manifest["n_terms"]:
        raise IndexFormatError(
            f"{file} lacks counts or a vocabulary of n_terms words: the "
            "index is corrupt; build and save it again"
        )
    if "analyzer" not in manifest:
        raise IndexFormatError(f"{file} has no 'analyzer' entry: build and save the index again")
    return manifest


def load_array(folder: Path, name: str, dtype: type, length: int, mmap: bool) -> np.ndarray:
    """``folder/name.npy``, checked to be 1-D of ``dtype`` and ``length``."""
    file = folder / f"{name}.npy"
    if not file.is_file():
        raise IndexFormatError(
            f"{folder} lacks {file.name}: the index is incomplete; build and save it again"
        )
    try:
        array = np.load(file, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise IndexFormatError(
            f"{file} is not a readable .npy array ({error}): the index "
            "is corrupt; build and save it again"
        ) from None
    if array.ndim != 1 or array.dtype != dtype or len(array) != length:
        raise IndexFormatError(
            f"{file} holds a {array.dtype} array of shape {array.shape}, "
            f"expected ({length},) {np.dtype(dtype)}: the index is "
            "corrupt; build and save it again"
        )
    return array
