"""Writing a GGUF file, llama.cpp's one-file model format: the inverse of our reader.

The layout (version 3, little-endian) is the one :mod:`nlpjourney.data.gguf` reads::

    b"GGUF", version (uint32 = 3), tensor_count (uint64), kv_count (uint64)
    kv_count times:      key (string), value type (uint32), value
    tensor_count times:  name (string), n_dims (uint32), ne (n_dims uint64),
                         ggml type (uint32), offset (uint64)
    zero bytes up to a multiple of ``general.alignment``, then each tensor's bytes,
    each starting at a multiple of the alignment (offsets count from the data's start)

A string is its UTF-8 byte length (uint64) and the bytes; an array is its element type
(uint32), its length (uint64) and the elements. ``ne`` lists a tensor's sizes
fastest-varying first, so a NumPy ``(rows, cols)`` matrix is written ``ne = [cols, rows]``.

Every tensor's size is known from its shape and type before any of its bytes are made,
so the header is written first and the tensors are then produced and written one at a
time: exporting a model never holds a second copy of all its weights in memory.

>>> write_gguf(path, {"general.architecture": "llama"},
...            [TensorSpec("w", (2, 3), "F32", lambda: np.zeros((2, 3), np.float32))])
... # doctest: +SKIP

Reference: ggml's ``docs/gguf.md`` (the specification); the ``gguf`` package's
``GGUFReader`` and our :class:`~nlpjourney.data.gguf.GGUFFile` read back what this writes
(``tests/serve/test_export.py``).

Simplifications:
    - Tensors are written as ``F32`` or ``F16`` only (no quantization).
    - A Python value's GGUF type is inferred (see :func:`encode_value`); wrap a value in
      :class:`Typed` for another one.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from nlpjourney.progress import progress_bar

__all__ = [
    "ALIGNMENT",
    "TENSOR_TYPES",
    "TensorSpec",
    "Typed",
    "encode_value",
    "value_type",
    "write_gguf",
]

MAGIC = b"GGUF"
VERSION = 3
ALIGNMENT = 32
"""Where the data section and every tensor start: multiples of this many bytes."""

# GGUF's value type codes (the reader's table, by name).
UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY = range(10)
UINT64, INT64, FLOAT64 = 10, 11, 12
_FORMATS = {UINT8: "B", INT8: "b", UINT16: "H", INT16: "h", UINT32: "I", INT32: "i",
            FLOAT32: "f", BOOL: "?", UINT64: "Q", INT64: "q", FLOAT64: "d"}  # fmt: skip

#: The ggml tensor types written: name -> (type code, NumPy dtype).
TENSOR_TYPES: dict[str, tuple[int, np.dtype]] = {
    "F32": (0, np.dtype("<f4")),
    "F16": (1, np.dtype("<f2")),
}


@dataclass(frozen=True)
class Typed:
    """A metadata value with its GGUF type given, e.g. ``Typed(INT32, 5)``, or an array of
    that element type: ``Typed(INT32, [1, 3, 3])``."""

    code: int
    value: Any


@dataclass(frozen=True)
class TensorSpec:
    """One tensor to write: its name, NumPy shape, ggml type, and what makes its values.

    ``values()`` is called when the tensor's turn comes; its array is converted to the
    type's dtype and must have ``shape``.
    """

    name: str
    shape: tuple[int, ...]
    type: str
    values: Callable[[], np.ndarray]

    @property
    def n_bytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * TENSOR_TYPES[self.type][1].itemsize


def _string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def _code_of(value: Any) -> int:
    """The GGUF type a plain Python value is written as."""
    if isinstance(value, Typed):
        return value.code
    if isinstance(value, bool):  # before int: a bool is an int to Python
        return BOOL
    if isinstance(value, int):
        return UINT32 if 0 <= value < 2**32 else INT64
    if isinstance(value, float):
        return FLOAT32
    if isinstance(value, str):
        return STRING
    if isinstance(value, list | tuple):
        return ARRAY
    raise TypeError(f"no GGUF type for a {type(value).__name__} ({value!r}); wrap it in Typed")


def _scalar(code: int, value: Any) -> bytes:
    if code == STRING:
        if not isinstance(value, str):
            raise TypeError(f"a GGUF string must be a str, got {value!r}")
        return _string(value)
    try:
        return struct.pack("<" + _FORMATS[code], value)
    except KeyError:
        raise ValueError(f"{code} is not a GGUF scalar type code") from None
    except struct.error as error:
        raise ValueError(f"{value!r} does not fit GGUF type {code} ({error})") from None


def _array(element: int, values: Sequence[Any]) -> bytes:
    head = struct.pack("<IQ", element, len(values))
    if element == STRING:
        return head + b"".join(map(_string, values))
    if element == ARRAY:
        raise ValueError("nested arrays are not written; the llama metadata needs none")
    try:
        return head + struct.pack(f"<{len(values)}{_FORMATS[element]}", *values)
    except KeyError:
        raise ValueError(f"{element} is not a GGUF element type code") from None
    except struct.error as error:
        raise ValueError(f"an element does not fit GGUF type {element} ({error})") from None


def encode_value(value: Any) -> bytes:
    """A metadata value as GGUF bytes: its type code (uint32), then the value.

    Python values map to ``bool -> BOOL``, ``int -> UINT32`` (``INT64`` outside uint32),
    ``float -> FLOAT32``, ``str -> STRING``, and a list to an ``ARRAY`` whose element type
    is its first element's (an int list is ``INT32``, as llama.cpp's token types are).
    :class:`Typed` sets the type (the element type, for a list).

    Example:
        >>> encode_value(7).hex()
        '0400000007000000'
    """
    code, element = value_type(value)
    raw = value.value if isinstance(value, Typed) else value
    if code == ARRAY:
        return struct.pack("<I", ARRAY) + _array(element, raw)  # type: ignore[arg-type]
    return struct.pack("<I", code) + _scalar(code, raw)


def value_type(value: Any) -> tuple[int, int | None]:
    """The GGUF type code :func:`encode_value` writes ``value`` as, and for an array its
    element type (None for a scalar). Example: ``value_type(["a"]) == (ARRAY, STRING)``."""
    if isinstance(value, Typed) and isinstance(value.value, list | tuple):
        return ARRAY, value.code
    code = _code_of(value)
    if code != ARRAY:
        return code, None
    first = value[0] if value else ""
    return ARRAY, INT32 if type(first) is int else _code_of(first)


def _padding(position: int, alignment: int) -> int:
    return -position % alignment


def _header(metadata: Mapping[str, Any], tensors: Sequence[TensorSpec], alignment: int) -> bytes:
    """Everything before the data section, its padding included."""
    parts = [MAGIC, struct.pack("<IQQ", VERSION, len(tensors), len(metadata))]
    for key, value in metadata.items():
        parts += [_string(key), encode_value(value)]
    offset = 0
    for spec in tensors:
        ne = spec.shape[::-1]  # ggml lists the fastest-varying size first
        code = TENSOR_TYPES[spec.type][0]
        parts += [_string(spec.name), struct.pack(f"<I{len(ne)}QIQ", len(ne), *ne, code, offset)]
        offset += spec.n_bytes + _padding(spec.n_bytes, alignment)
    head = b"".join(parts)
    return head + bytes(_padding(len(head), alignment))


def _check(metadata: Mapping[str, Any], tensors: Sequence[TensorSpec]) -> int:
    alignment = metadata.get("general.alignment", ALIGNMENT)
    alignment = alignment.value if isinstance(alignment, Typed) else alignment
    if not isinstance(alignment, int) or alignment <= 0 or alignment % 8:
        raise ValueError(f"general.alignment must be a positive multiple of 8, got {alignment!r}")
    names = [spec.name for spec in tensors]
    if len(set(names)) != len(names):
        raise ValueError("two tensors share a name; every GGUF tensor name must be unique")
    for spec in tensors:
        if spec.type not in TENSOR_TYPES:
            raise ValueError(f"{spec.name}: type {spec.type!r} is not one of {list(TENSOR_TYPES)}")
        if not 1 <= len(spec.shape) <= 4:
            raise ValueError(f"{spec.name}: ggml tensors have 1 to 4 dims, not {spec.shape}")
    return alignment


def _write_data(file: BinaryIO, spec: TensorSpec, alignment: int) -> None:
    array = np.ascontiguousarray(spec.values(), dtype=TENSOR_TYPES[spec.type][1])
    if array.shape != spec.shape:
        raise ValueError(f"{spec.name}: made shape {array.shape}, announced {spec.shape}")
    file.write(array.data)  # the buffer itself, no copy; little-endian as the dtypes say
    file.write(bytes(_padding(array.nbytes, alignment)))


def write_gguf(
    path: str | Path,
    metadata: Mapping[str, Any],
    tensors: Iterable[TensorSpec],
    *,
    progress: bool | None = None,
) -> Path:
    """Write a GGUF v3 file: ``metadata`` in order, then ``tensors`` in order.

    The file is written beside ``path`` under a temporary name and renamed into place
    when complete, so a failure never leaves half a file under the final name.

    Args:
        path: the ``.gguf`` file to make (replaced if it exists).
        metadata: key -> value (see :func:`encode_value` for the types).
        tensors: what to write; names unique, types in :data:`TENSOR_TYPES`.
        progress: show a bar over the bytes written (None: on a terminal only).

    Returns:
        ``path``.

    Raises:
        ValueError: a bad alignment, a repeated tensor name, an unknown type, or a
            tensor whose values do not have the shape announced.
    """
    path, tensors = Path(path), list(tensors)
    alignment = _check(metadata, tensors)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as file:
            file.write(_header(metadata, tensors, alignment))
            total = sum(spec.n_bytes for spec in tensors)
            with progress_bar("Writing GGUF tensors", total, "B", progress) as bar:
                for spec in tensors:
                    _write_data(file, spec, alignment)
                    bar.advance(spec.n_bytes)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
