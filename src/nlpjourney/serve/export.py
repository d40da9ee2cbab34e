"""Exporting a Llama for other servers: a Hugging Face folder (vLLM) or a GGUF file (llama.cpp).

:func:`export_model` reads a model the way the rest of the project does (a known id
through :func:`nlpjourney.models.pretrained.load`, a Hugging Face Llama folder, a
``journey train llama`` run folder, or a GGUF file; a ``journey train gpt`` run becomes
GPT-2, :mod:`~nlpjourney.serve.export_gpt`) and writes it in one of two layouts:

- ``"safetensors"``: a folder as ``LlamaForCausalLM.save_pretrained`` and a tokenizer's
  ``save_pretrained`` make it: ``config.json``, ``generation_config.json``,
  ``model.safetensors``, ``tokenizer.json``, ``tokenizer_config.json`` (chat template,
  special tokens) and ``special_tokens_map.json``. ``transformers``' ``Auto*`` classes
  and vLLM read it unchanged.
- ``"gguf"``: one ``.gguf`` file in llama.cpp's names, with the metadata its server
  needs (shape, RoPE, norm, and the tokenizer: tokens, types, merges, special ids, chat
  template), written by :mod:`~nlpjourney.serve.gguf_writer`.

Our Llama stacks the query, key and value projections into one ``qkv_proj`` and may keep
its weights transposed in memory (:func:`~nlpjourney.nn.transpose_weight_storage`); the
name tables of :mod:`~nlpjourney.models.llama_weights` give each file tensor its rows of
our parameters, so the export is the loaders' mapping read backwards. llama.cpp rotates
interleaved RoPE pairs, so each head's query and key rows are reordered for it (half-split
row ``i`` becomes row ``2i``, row ``i + d/2`` row ``2i + 1``), the inverse of
:func:`~nlpjourney.models.llama_weights.unpermute_rope_rows`. The tensors are produced
one at a time as they are written, behind a progress bar.

>>> export_model("smollm2-135m-instruct", "exports/smollm2-135m-instruct", "safetensors")
... # doctest: +SKIP

Reference: ``transformers``' ``AutoModelForCausalLM`` / ``AutoTokenizer.from_pretrained``
(same logits, same chat ids) and its GGUF loader; the ``gguf`` package's ``GGUFReader``;
``safetensors.safe_open``; llama.cpp's ``convert_hf_to_gguf.py`` for the key names.

Simplifications:
    - Llamas, and GPT runs written as GPT-2 (:mod:`~nlpjourney.serve.export_gpt`).
    - Weights are written in float32 or float16; no quantization, no bfloat16, one
      ``model.safetensors`` file (no shards).
    - GGUF files take byte-level BPE tokenizers (and character tokenizers of ASCII
      characters, written as BPE without merges); llama3-style RoPE scaling is refused
      for GGUF (llama.cpp stores it as a ``rope_freqs`` tensor).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from nlpjourney.errors import JourneyError
from nlpjourney.progress import progress_bar

if TYPE_CHECKING:
    from torch import Tensor

    from nlpjourney.models.gpt import GPT
    from nlpjourney.models.llama import Llama
    from nlpjourney.tokenizers import Tokenizer

__all__ = [
    "DTYPES",
    "FORMATS",
    "ExportError",
    "Source",
    "contiguous_numpy",
    "default_out",
    "export_model",
    "file_tensors",
    "read_source",
    "rope_interleave_rows",
    "source_name",
    "write_safetensors",
]

FORMATS = ("safetensors", "gguf")
"""The layouts :func:`export_model` writes."""
DTYPES = ("float32", "float16")
"""The weight dtypes it writes."""


class ExportError(JourneyError, ValueError):
    """What was asked cannot be exported: an unknown source, a model or tokenizer the
    format cannot hold, or an output in the way."""


@dataclass
class Source:
    """A model to export: its name, the Llama (or GPT), its tokenizer and its special tokens."""

    name: str
    model: Llama | GPT
    tokenizer: Tokenizer
    special: dict[str, str] = field(default_factory=dict)
    """``bos``/``eos``/``pad``/``unk`` -> the token string, where the source names one."""
    gguf_pre: str | None = None
    """llama.cpp's pre-tokenizer name, when the source was a GGUF file."""


# --- reading the source --------------------------------------------------------------


def _gguf_specials(metadata: dict[str, Any]) -> tuple[dict[str, str], str | None]:
    tokens = metadata.get("tokenizer.ggml.tokens") or []
    special = {}
    for key, gguf_key in (("bos", "bos"), ("eos", "eos"), ("pad", "padding"), ("unk", "unknown")):
        i = metadata.get(f"tokenizer.ggml.{gguf_key}_token_id")
        if i is not None and 0 <= int(i) < len(tokens):
            special[key] = tokens[int(i)]
    return special, metadata.get("tokenizer.ggml.pre")


def _folder_specials(folder: Path, tokenizer: Tokenizer) -> dict[str, str]:
    special = {k: v for k, v in (("bos", tokenizer.bos_token), ("eos", tokenizer.eos_token)) if v}
    config_file = folder / "tokenizer_config.json"
    if config_file.is_file():
        config = json.loads(config_file.read_text(encoding="utf-8"))
        for key in ("pad", "unk"):
            value = config.get(f"{key}_token")
            value = value.get("content") if isinstance(value, dict) else value
            if isinstance(value, str):
                special[key] = value
    return special


def _from_run(folder: Path) -> Source:
    from nlpjourney.apps.gpt import load_run

    model, tokenizer = load_run(folder)  # a Llama, or a GPT (written as GPT-2)
    special = {k: v for k, v in (("bos", tokenizer.bos_token), ("eos", tokenizer.eos_token)) if v}
    return Source(source_name(folder), model, tokenizer, special)


def source_name(model_or_run: str | Path) -> str:
    """The export's default name: the model id, or the folder's (or file's stem) name."""
    path = Path(model_or_run)
    if path.suffix == ".gguf":
        return path.stem
    return path.resolve().name if path.exists() else str(model_or_run)


def read_source(model_or_run: str | Path) -> Source:
    """The model named by a known id, a run folder, a Hugging Face folder or a GGUF file.

    Raises:
        ExportError: none of these.
        JourneyError: the source is there but damaged (its loader's error).
    """
    from nlpjourney.data.gguf import read_metadata
    from nlpjourney.models import pretrained
    from nlpjourney.models.llama import Llama

    text = str(model_or_run)
    path = Path(model_or_run)
    if not isinstance(model_or_run, Path) and text in pretrained.KNOWN:
        loaded = pretrained.load(text)
        special, pre = {}, None
        if text == "smollm2-135m-instruct":  # its tokenizer's source: the GGUF metadata
            from nlpjourney import data

            special, pre = _gguf_specials(read_metadata(data.path("smollm2_135m_instruct")))
        return Source(text, loaded.model, loaded.tokenizer, special, pre)
    if path.is_dir() and (path / "ckpt.pt").is_file():
        return _from_run(path)
    if path.is_dir() and (path / "config.json").is_file():
        loaded = pretrained.load(path)
        special = _folder_specials(path, loaded.tokenizer)
        return Source(source_name(path), loaded.model, loaded.tokenizer, special)
    if path.is_file() and path.suffix == ".gguf":
        from nlpjourney.tokenizers.gguf import tokenizer_from_gguf

        special, pre = _gguf_specials(read_metadata(path))
        model = Llama.from_gguf(path)
        return Source(source_name(path), model, tokenizer_from_gguf(path), special, pre)
    if path.is_dir():
        raise ExportError(
            f"{path} holds neither ckpt.pt (a run of journey train llama or gpt) nor "
            "config.json (a Hugging Face Llama folder); point at one of those"
        )
    if not path.exists() and (path.suffix == ".gguf" or "/" in text or os.sep in text):
        raise ExportError(f"{path} does not exist; check the path of the run, folder or file")
    raise ExportError(
        f"{text!r} is not a known model ({', '.join(pretrained.KNOWN)}), a folder or a "
        ".gguf file; pass one of those"
    )


# --- the tensors -----------------------------------------------------------------------


def rope_interleave_rows(weight: Tensor, n_heads: int) -> Tensor:
    """Each head's query or key rows reordered for llama.cpp's interleaved RoPE.

    The inverse of :func:`~nlpjourney.models.llama_weights.unpermute_rope_rows`:
    half-split row ``i`` goes to row ``2i`` and row ``i + d/2`` to row ``2i + 1``.
    Example, one head of rows ``[a, b, c, d]``: ``[a, c, b, d]``.

    Shapes:
        weight (n_heads * head_dim, ...) -> the same.
    """
    from nlpjourney.nn import rope_permutation

    head_dim = weight.shape[0] // n_heads
    heads = weight.unflatten(0, (n_heads, head_dim))
    # rope_permutation takes interleaved to half-split; its inverse (argsort) goes back.
    return heads[:, rope_permutation(head_dim).argsort()].flatten(0, 1)


def file_tensors(
    model: Llama | GPT, fmt: Literal["hf", "gguf"]
) -> list[tuple[str, tuple[int, ...], Callable[[], Tensor]]]:
    """Every tensor of the file, in model order: its name, shape, and what makes it.

    A tied head is not written (the readers tie it back); for GGUF the query and key
    rows (and biases) are put in llama.cpp's RoPE order. A GPT's are GPT-2's
    (:func:`~nlpjourney.serve.export_gpt.gpt2_file_tensors`).
    """
    from nlpjourney.models.llama import Llama
    from nlpjourney.models.llama_weights import weight_names

    if not isinstance(model, Llama):
        from nlpjourney.serve.export_gpt import gpt2_file_tensors

        return gpt2_file_tensors(model, fmt)

    params = dict(model.named_parameters())
    heads = {"attn_q": model.config.n_heads, "attn_k": model.config.kv_heads}
    tensors = []
    for theirs, (ours, start, stop) in weight_names(model, fmt).items():
        kind = theirs.split(".")[-2]
        n_heads = heads.get(kind) if fmt == "gguf" else None

        def make(ours: str = ours, start: int = start, stop: int = stop,
                 n_heads: int | None = n_heads) -> Tensor:  # fmt: skip
            value = params[ours].detach()[start:stop].float().cpu()
            return value if n_heads is None else rope_interleave_rows(value, n_heads)

        tensors.append((theirs, (stop - start, *params[ours].shape[1:]), make))
    return tensors


def contiguous_numpy(tensor: Tensor) -> np.ndarray:
    """A CPU tensor's values as a C-ordered array. Our weights may be stored transposed;
    torch's blocked copy lays them out faster than NumPy's strided one (about 1.5x)."""
    return tensor.contiguous().numpy()


def write_safetensors(
    path: Path,
    tensors: Iterable[tuple[str, tuple[int, ...], Callable[[], Tensor]]],
    dtype: str,
    progress: bool | None = None,
) -> None:
    """Write a ``.safetensors`` file tensor by tensor (8-byte header length, JSON header
    padded with spaces to 8 bytes, then the raw little-endian data back to back)."""
    code, np_dtype = {"float32": ("F32", "<f4"), "float16": ("F16", "<f2")}[dtype]
    tensors = list(tensors)
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape, _ in tensors:
        size = int(np.prod(shape, dtype=np.int64)) * np.dtype(np_dtype).itemsize
        header[name] = {
            "dtype": code,
            "shape": list(shape),
            "data_offsets": [offset, offset + size],
        }
        offset += size
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with path.open("wb") as file, progress_bar("Writing safetensors", offset, "B", progress) as bar:
        file.write(struct.pack("<Q", len(head)) + head)
        for name, shape, make in tensors:
            array = contiguous_numpy(make()).astype(np_dtype, copy=False)
            if array.shape != shape:
                raise ValueError(f"{name}: made shape {array.shape}, announced {shape}")
            file.write(array.data)  # the buffer itself: no copy
            bar.advance(array.nbytes)


# --- the export --------------------------------------------------------------------------


def default_out(name: str, format: str) -> Path:
    """``exports/<name>`` for a folder, ``exports/<name>.gguf`` for a GGUF file."""
    return Path("exports") / (f"{name}.gguf" if format == "gguf" else name)


def _check_out(out: Path, force: bool) -> None:
    if (out.exists() or out.is_symlink()) and not force:
        raise ExportError(
            f"{out} exists; add --force (force=True) to replace it, or choose another --out"
        )


def export_model(
    model_or_run: str | Path,
    out: str | Path,
    format: Literal["safetensors", "gguf"],
    *,
    force: bool = False,
    dtype: Literal["float32", "float16"] = "float32",
    progress: bool | None = None,
) -> Path:
    """Write a Llama as a Hugging Face folder (``"safetensors"``) or a GGUF file.

    A GPT run (``journey train gpt``) is written as GPT-2 the same way.

    Args:
        model_or_run: a known model id (``"smollm2-135m-instruct"``), a Hugging Face
            Llama folder, a run folder of ``journey train llama`` (or ``gpt``), or a
            ``.gguf`` file.
        out: the folder (safetensors) or file (gguf) to write.
        format: ``"safetensors"`` or ``"gguf"``.
        force: replace ``out`` if it exists.
        dtype: the weights' dtype in the file (GGUF keeps 1-D tensors in float32, as
            llama.cpp's converter does).
        progress: show a bar while the tensors are written (None: on a terminal only).

    Returns:
        ``out``.

    Raises:
        ExportError: an unknown source or format, a tokenizer or option the format
            cannot hold, or ``out`` already there without ``force``.
        JourneyError: the source is damaged (its loader says how).
    """
    if format not in FORMATS:
        raise ExportError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    if dtype not in DTYPES:
        raise ExportError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    out = Path(out)
    _check_out(out, force)
    source = read_source(model_or_run)
    from nlpjourney.serve import export_files

    if format == "gguf":
        metadata = export_files.gguf_metadata(source, dtype)  # checks the tokenizer first
        if out.is_dir():
            _clear(out)  # forced: a folder where the file goes
        out.parent.mkdir(parents=True, exist_ok=True)
        export_files.write_gguf_model(source, out, metadata, dtype, progress)
        return out
    # Written under a temporary name and moved into place when whole, so a failure
    # leaves no half-written export (nor removes the one it was to replace).
    partial = out.with_name(out.name + ".partial")
    _clear(partial)
    partial.mkdir(parents=True)
    try:
        export_files.write_hf_files(source, partial, dtype)
        write_safetensors(
            partial / "model.safetensors", file_tensors(source.model, "hf"), dtype, progress
        )
        _clear(out)
        os.replace(partial, out)
    finally:
        _clear(partial)
    return out


def _clear(path: Path) -> None:
    """Remove a file or folder, if there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
