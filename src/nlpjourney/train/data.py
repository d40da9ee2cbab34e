"""Token streams for language-model training: encode a text once, sample windows fast.

A language model trains on random windows of one long stream of token ids. This module
makes that stream and reads from it:

- :func:`prepare_char` and :func:`prepare_bpe`: encode a text once (by characters with
  :class:`~nlpjourney.tokenizers.CharTokenizer`, or with one of our BPE tokenizers) and
  write ``train.bin`` and ``val.bin`` (the ids as ``uint16``, the last ``val_fraction``
  of the stream for validation) and ``meta.json`` into a cache folder; a second call
  with the same text and tokenizer reuses them, once their SHA-256 matches the one
  written beside them (a damaged cache is rebuilt, with a warning, never trained on);
- :class:`TokenDataset`: the two files as read-only memory maps, and
  :meth:`TokenDataset.get_batch`, ``batch_size`` random windows ``x`` and the same
  windows shifted by one, ``y`` (the next token at every position);
- :class:`BatchSampler`: ``get_batch`` bound to a batch shape and a seeded generator per
  split, the ``get_batch(split)`` callable :class:`~nlpjourney.train.loop.Trainer` wants,
  with a ``state_dict`` so a checkpoint resumes the same windows.

Why ``uint16`` and memory maps: two bytes per token (GPT-2's 50,257 ids fit) and the
operating system pages the file in on demand, so a corpus larger than memory trains as
easily as Shakespeare, and every process shares one copy.

Reference: nanoGPT's ``data/shakespeare_char/prepare.py`` and ``get_batch`` (same file
layout: ``train.bin``/``val.bin`` of ``uint16``, a ``meta`` with the characters).

Simplifications: one text per dataset (no document separators between files); the split
is by position in the stream, not by document.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nlpjourney import data
from nlpjourney.errors import JourneyError, check_str
from nlpjourney.tokenizers import CharTokenizer, Tokenizer
from nlpjourney.tokenizers import load as load_tokenizer

__all__ = [
    "MAX_VOCAB",
    "BatchSampler",
    "TokenDataset",
    "prepare_bpe",
    "prepare_char",
    "sample_windows",
]

#: The most ids a ``uint16`` file can hold: ids 0 .. 65535.
MAX_VOCAB = 2**16
SPLITS = ("train", "val")


def _key(*parts: bytes | str) -> str:
    """A short hash naming one (text, tokenizer, split) combination."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _read_text(text: str | os.PathLike[str]) -> tuple[str, str]:
    """The text, and a name for its cache folder (the file's stem, or "text")."""
    if isinstance(text, os.PathLike):
        path = Path(text)
        if not path.is_file():
            raise FileNotFoundError(f"no text file at {path}; pass a str or an existing file")
        return path.read_text(encoding="utf-8"), path.stem
    return check_str(text), "text"


def _check_fraction(val_fraction: float) -> None:
    if not isinstance(val_fraction, int | float) or not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction!r}")


def _write(
    folder: Path,
    ids: Sequence[int] | np.ndarray,
    vocab_size: int,
    val_fraction: float,
    meta: dict[str, Any],
) -> TokenDataset:
    """Split ``ids``, write ``train.bin``, ``val.bin`` and (last) ``meta.json``."""
    if vocab_size > MAX_VOCAB:
        raise ValueError(
            f"a vocabulary of {vocab_size} ids does not fit in uint16 files (ids 0..65535); "
            "use a tokenizer with at most 65,536 ids"
        )
    tokens = np.asarray(ids, dtype=np.int64)
    if tokens.size and (tokens.min() < 0 or tokens.max() >= vocab_size):
        raise ValueError(f"token ids must be in 0..{vocab_size - 1}; the tokenizer is broken")
    n_val = int(round(len(tokens) * val_fraction))
    cut = len(tokens) - n_val
    folder.mkdir(parents=True, exist_ok=True)
    digests = {}
    for name, part in (("train", tokens[:cut]), ("val", tokens[cut:])):
        temporary = folder / f"{name}.bin.tmp"
        stream = part.astype(np.uint16)
        stream.tofile(temporary)
        digests[name] = hashlib.sha256(stream.tobytes()).hexdigest()
        os.replace(temporary, folder / f"{name}.bin")
    meta = {
        **meta,
        "sha256": digests,
        "vocab_size": vocab_size,
        "dtype": "uint16",
        "val_fraction": val_fraction,
        "train_tokens": cut,
        "val_tokens": n_val,
    }
    # subtle: meta.json is written last and atomically: its presence is what marks the
    # folder complete, so an interrupted prepare is redone rather than half-reused.
    temporary = folder / "meta.json.tmp"
    temporary.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, folder / "meta.json")
    return TokenDataset(folder)


def _cached(folder: Path, key: str) -> TokenDataset | None:
    """The prepared dataset in ``folder`` if it is the one for ``key`` and undamaged."""
    meta_file = folder / "meta.json"
    if not meta_file.is_file():
        return None
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("key") != key:
            return None
        digests = meta.get("sha256")
        if not isinstance(digests, dict):
            return None  # made before checksums were kept: prepare again, with them
        for split in SPLITS:
            path = folder / f"{split}.bin"
            if _sha256(path) != digests.get(split):
                warnings.warn(
                    f"the token cache {path} does not match the checksum written with it "
                    "(damaged on disk); preparing it again from the text",
                    stacklevel=3,
                )
                return None
        return TokenDataset(folder)
    except (ValueError, OSError, JourneyError):
        return None  # unreadable or incomplete: prepare again over it


def _sha256(path: Path) -> str | None:
    """The file's SHA-256 in hex, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _folder(cache_dir: str | os.PathLike[str] | None, name: str, key: str) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    return data.cache_root() / "tokens" / f"{name}-{key}"


def prepare_char(
    text: str | os.PathLike[str],
    cache_dir: str | os.PathLike[str] | None = None,
    val_fraction: float = 0.1,
) -> TokenDataset:
    """Encode a text by characters into ``train.bin``/``val.bin`` (once) and open them.

    Args:
        text: the text, or a path to a UTF-8 file (a ``Path``, e.g.
            ``data.path("tinyshakespeare")``).
        cache_dir: the folder to write (None: ``<cache root>/tokens/<name>-<hash>``).
        val_fraction: the share of the stream, taken from its end, kept for validation.

    Returns:
        The :class:`TokenDataset`; ``dataset.tokenizer()`` is the :class:`CharTokenizer`.
    """
    _check_fraction(val_fraction)
    content, name = _read_text(text)
    key = _key("char", content, repr(val_fraction))
    folder = _folder(cache_dir, f"{name}-char", key)
    if (found := _cached(folder, key)) is not None:
        return found
    tokenizer = CharTokenizer.from_text(content)
    meta = {"key": key, "tokenizer": tokenizer.to_dict()}
    return _write(folder, tokenizer.encode(content), tokenizer.vocab_size, val_fraction, meta)


def prepare_bpe(
    text: str | os.PathLike[str],
    tokenizer: Tokenizer | str = "gpt2",
    cache_dir: str | os.PathLike[str] | None = None,
    val_fraction: float = 0.1,
) -> TokenDataset:
    """Encode a text with a BPE tokenizer into ``train.bin``/``val.bin`` (once) and open them.

    Args:
        text: the text, or a path to a UTF-8 file.
        tokenizer: a name for :func:`nlpjourney.tokenizers.load` (``"gpt2"``), or a
            tokenizer object (one from ``train_bpe``, say), which is saved beside the
            data as ``tokenizer.json``.
        cache_dir: the folder to write (None: ``<cache root>/tokens/<name>-<hash>``).
        val_fraction: the share of the stream, taken from its end, kept for validation.

    Raises:
        ValueError: the tokenizer has more than 65,536 ids (they would not fit ``uint16``).
    """
    _check_fraction(val_fraction)
    content, name = _read_text(text)
    if isinstance(tokenizer, str):
        spec: dict[str, Any] = {"type": "pretrained", "name": tokenizer}
        identity = tokenizer
        model = load_tokenizer(tokenizer)
    elif isinstance(tokenizer, Tokenizer):
        spec = {"type": "file", "file": "tokenizer.json"}
        identity = json.dumps(tokenizer.to_hf_dict(), sort_keys=True)
        model = tokenizer
    else:
        raise TypeError(
            f"tokenizer must be a name such as 'gpt2' or a Tokenizer, got {type(tokenizer).__name__}"
        )
    if model.vocab_size > MAX_VOCAB:  # refuse before the slow encoding
        raise ValueError(
            f"the tokenizer has {model.vocab_size} ids, more than uint16 holds (65,536: "
            "ids 0..65535); use a tokenizer with a smaller vocabulary"
        )
    key = _key("bpe", content, identity, repr(val_fraction))
    folder = _folder(cache_dir, f"{name}-bpe", key)
    if (found := _cached(folder, key)) is not None:
        return found
    if spec["type"] == "file":
        model.save(folder / "tokenizer.json")
    ids = model.encode(content)
    return _write(folder, ids, model.vocab_size, val_fraction, {"key": key, "tokenizer": spec})


def sample_windows(
    tokens: np.ndarray,
    batch_size: int,
    block_size: int,
    generator: np.random.Generator,
    device: str | torch.device = "cpu",
) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` random windows of ``block_size`` tokens, and the next token of each.

    Args:
        tokens: a 1-D array of ids (a ``np.memmap`` of ``uint16`` works as is).
        batch_size: windows per batch.
        block_size: tokens per window.
        generator: where the window starts come from (``np.random.default_rng(seed)``).
        device: where the tensors go.

    Returns:
        ``(x, y)``, int64 tensors of shape (batch_size, block_size) with
        ``y[b, t] == x[b, t + 1]`` and ``y[b, -1]`` the token after the window.

    Example: for tokens ``0 1 2 3 4 5`` and a window starting at 2 with ``block_size=3``,
    ``x = [2, 3, 4]`` and ``y = [3, 4, 5]``.
    """
    if block_size < 1 or batch_size < 1:
        raise ValueError(
            f"batch_size and block_size must be positive, got {batch_size}, {block_size}"
        )
    if len(tokens) <= block_size:
        raise ValueError(
            f"the stream has {len(tokens)} tokens, too few for windows of block_size="
            f"{block_size} plus one target; use a smaller block_size or more text"
        )
    starts = generator.integers(0, len(tokens) - block_size, size=batch_size)
    # One fancy-indexing read of (B, T + 1) ids: far faster than B slices stacked, and a
    # memmap pages in only the windows it touches.
    windows = tokens[starts[:, None] + np.arange(block_size + 1)]
    # subtle: astype copies, so x and y are contiguous (a view w[:, :-1] is not, and
    # y.view(-1) in a loss would fail on it); int64 is what embeddings index with.
    x = torch.from_numpy(windows[:, :-1].astype(np.int64))
    y = torch.from_numpy(windows[:, 1:].astype(np.int64))
    device = torch.device(device)
    if device.type == "cuda":
        # Pinned (page-locked) memory lets the copy run asynchronously with the GPU.
        return (
            x.pin_memory().to(device, non_blocking=True),
            y.pin_memory().to(device, non_blocking=True),
        )
    return x.to(device), y.to(device)


class TokenDataset:
    """The ``train.bin``/``val.bin`` streams of a prepared folder, as memory maps.

    Args:
        folder: a folder :func:`prepare_char` or :func:`prepare_bpe` wrote.

    Attributes:
        meta: the contents of ``meta.json`` (vocab_size, token counts, the tokenizer).
        train, val: the two streams, read-only ``np.memmap`` of ``uint16``.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        meta_file = self.folder / "meta.json"
        if not meta_file.is_file():
            raise JourneyError(
                f"{self.folder} holds no prepared tokens (no meta.json); make it with "
                "prepare_char or prepare_bpe"
            )
        self.meta: dict[str, Any] = json.loads(meta_file.read_text(encoding="utf-8"))
        self.train = self._open("train")
        self.val = self._open("val")

    def _open(self, split: str) -> np.ndarray:
        count = self.meta[f"{split}_tokens"]
        path = self.folder / f"{split}.bin"
        if not path.is_file() or path.stat().st_size != 2 * count:
            raise JourneyError(
                f"{path} is missing or not {count} tokens long; delete {self.folder} and "
                "prepare it again"
            )
        if count == 0:  # np.memmap cannot map an empty file
            return np.zeros(0, dtype=np.uint16)
        return np.memmap(path, dtype=np.uint16, mode="r")

    @property
    def vocab_size(self) -> int:
        """How many ids the tokenizer has (the model's output size)."""
        return int(self.meta["vocab_size"])

    def split(self, name: str) -> np.ndarray:
        """The ``"train"`` or ``"val"`` stream."""
        if name not in SPLITS:
            raise ValueError(f"split must be 'train' or 'val', got {name!r}")
        return self.train if name == "train" else self.val

    def tokenizer(self) -> Tokenizer:
        """The tokenizer the streams were made with (to decode samples)."""
        spec = self.meta["tokenizer"]
        if spec["type"] == "char":
            return CharTokenizer.from_dict(spec)
        if spec["type"] == "pretrained":
            return load_tokenizer(spec["name"])
        return Tokenizer.from_file(self.folder / spec["file"])

    def get_batch(
        self,
        split: str,
        batch_size: int,
        block_size: int,
        generator: np.random.Generator,
        device: str | torch.device = "cpu",
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Random windows of one split; see :func:`sample_windows`."""
        return sample_windows(self.split(split), batch_size, block_size, generator, device)

    def sampler(
        self, batch_size: int, block_size: int, seed: int = 0, device: str | torch.device = "cpu"
    ) -> BatchSampler:
        """A :class:`BatchSampler` over this dataset."""
        return BatchSampler(self, batch_size, block_size, seed, device)


class BatchSampler:
    """``get_batch(split)`` for a :class:`~nlpjourney.train.loop.Trainer`, resumable.

    Each split has its own generator, seeded from ``seed``, so drawing val batches never
    moves the train stream (the train-loss estimate at evaluations does draw from it).

    Args:
        dataset: the token streams.
        batch_size: windows per batch.
        block_size: tokens per window (the model's context length).
        seed: seeds the two generators.
        device: where batches go.
    """

    def __init__(
        self,
        dataset: TokenDataset,
        batch_size: int,
        block_size: int,
        seed: int = 0,
        device: str | torch.device = "cpu",
    ) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.block_size = block_size
        self.device = device
        self.generators = {
            split: np.random.default_rng([seed, i]) for i, split in enumerate(SPLITS)
        }

    def __call__(self, split: str) -> tuple[torch.Tensor, torch.Tensor]:
        """One batch ``(x, y)`` of ``split``."""
        return self.dataset.get_batch(
            split, self.batch_size, self.block_size, self.generators[split], self.device
        )

    def state_dict(self) -> dict[str, Any]:
        """The generators' states (plain ints and strs, safe for ``weights_only`` loading)."""
        return {split: g.bit_generator.state for split, g in self.generators.items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Put back :meth:`state_dict`'s states."""
        for split, g in self.generators.items():
            g.bit_generator.state = state[split]
