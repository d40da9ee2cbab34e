"""Reading the metadata of a GGUF file, llama.cpp's one-file model format.

A GGUF file starts with a little-endian header, then typed key-value metadata, then
tensor descriptions and the tensor data:

    magic  b"GGUF"            4 bytes
    version                   uint32 (2 or 3; version 1 used 32-bit counts)
    tensor_count, kv_count    uint64 each
    kv_count times:  key (string), value type (uint32), value
    ... tensor infos, padding, tensor data (not read here)

A string is a uint64 byte length and UTF-8 bytes. A value type is one of 13 codes:
integers of 8 to 64 bits, float32/64, bool, string, or an array (element type uint32,
count uint64, then the elements, which may be arrays themselves). Tokenizers keep their
whole vocabulary there (``tokenizer.ggml.tokens``: 49,152 strings for SmolLM2), so the
reader decodes arrays of strings in one loop over the bytes.

>>> meta = read_metadata(data.path("smollm2_135m_instruct"))  # doctest: +SKIP
>>> meta["general.architecture"], len(meta["tokenizer.ggml.tokens"])  # doctest: +SKIP
('llama', 49152)

Reference: the ``gguf`` package's ``GGUFReader`` (its ``fields[key].contents()`` equal
ours for every key of the SmolLM2 file, and of files its ``GGUFWriter`` makes in the
tests); the format's specification in ggml's ``docs/gguf.md``.

Simplifications:
    - Metadata only; tensor descriptions and data are not read.
    - Little-endian files only (big-endian GGUF exists for a few machines).
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path
from typing import Any

from nlpjourney.errors import JourneyError

__all__ = ["GGUFError", "read_metadata"]

MAGIC = b"GGUF"
VERSIONS = (2, 3)
_STRING, _ARRAY = 8, 9
# Value type code -> struct format of one value; strings and arrays are read apart.
_SCALARS = {
    0: "B",  # uint8
    1: "b",  # int8
    2: "H",  # uint16
    3: "h",  # int16
    4: "I",  # uint32
    5: "i",  # int32
    6: "f",  # float32
    7: "?",  # bool
    10: "Q",  # uint64
    11: "q",  # int64
    12: "d",  # float64
}
_U32, _U64 = struct.Struct("<I"), struct.Struct("<Q")
MAX_DEPTH = 64
"""Arrays nest at most this deep; real files nest one or two levels, a deeper one is damage."""


class GGUFError(JourneyError, ValueError):
    """The file is missing, is not GGUF, or its metadata is cut short or malformed."""


def read_metadata(path: str | Path) -> dict[str, Any]:
    """Every metadata key of a GGUF file and its value, in file order.

    Integers and floats become ``int`` and ``float``, bools ``bool``, strings ``str``
    and arrays ``list`` (of lists, for nested arrays).

    Raises:
        GGUFError: no file at ``path``, not GGUF, a version we do not read, or metadata
            that is cut short or malformed.
    """
    path = Path(path)
    if not path.is_file():
        raise GGUFError(f"no GGUF file at {path}")
    try:
        with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return _Reader(buf, path).metadata()
    except ValueError as error:  # an empty file cannot be mapped
        if isinstance(error, GGUFError):
            raise
        raise GGUFError(f"{path} is not a GGUF file ({error}).") from None
    except OSError as error:
        raise GGUFError(f"cannot read {path}: {error.strerror or error}") from None


class _Reader:
    """A cursor over the file's bytes that decodes GGUF values."""

    def __init__(self, buf: mmap.mmap, path: Path) -> None:
        self.buf, self.path, self.pos = buf, path, 0

    def metadata(self) -> dict[str, Any]:
        magic = self.take(4)
        if magic != MAGIC:
            raise GGUFError(f"{self.path} is not a GGUF file (it starts {magic!r}).")
        version = self.u32()
        if version not in VERSIONS:
            raise GGUFError(
                f"{self.path} is GGUF version {version}; we read versions 2 and 3 "
                "(a huge number means a big-endian file)."
            )
        self.u64()  # tensor count: the tensors are not read
        count = self.u64()
        meta: dict[str, Any] = {}
        for _ in range(count):
            key = self.string()
            meta[key] = self.value(self.u32())
        return meta

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.buf):
            raise GGUFError(f"{self.path} ends inside its metadata (at byte {len(self.buf)}).")
        chunk = self.buf[self.pos : end]
        self.pos = end
        return chunk

    def u32(self) -> int:
        return _U32.unpack(self.take(4))[0]

    def u64(self) -> int:
        return _U64.unpack(self.take(8))[0]

    def string(self) -> str:
        raw = self.take(self.u64())
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise GGUFError(f"{self.path}: a metadata string is not UTF-8 ({error}).") from None

    def value(self, kind: int, depth: int = 0) -> Any:
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item_kind, n = self.u32(), self.u64()
            if item_kind == _STRING:
                return self.strings(n)
            if item_kind in _SCALARS:
                fmt = _SCALARS[item_kind]
                # subtle: take checks the length before the n-value format is built.
                raw = self.take(n * struct.calcsize("<" + fmt))
                return list(struct.unpack(f"<{n}{fmt}", raw))
            # subtle: a crafted file can nest arrays without end; stop before Python's
            # recursion limit does, with the error this reader promises.
            if depth >= MAX_DEPTH:
                raise GGUFError(
                    f"{self.path}: metadata arrays nest more than {MAX_DEPTH} deep "
                    f"(at byte {self.pos}); the file is damaged or not a model."
                )
            return [self.value(item_kind, depth + 1) for _ in range(n)]
        if kind in _SCALARS:
            layout = struct.Struct("<" + _SCALARS[kind])
            return layout.unpack(self.take(layout.size))[0]
        raise GGUFError(f"{self.path}: unknown metadata value type {kind} at byte {self.pos}.")

    def strings(self, n: int) -> list[str]:
        """``n`` strings one after another: the hot loop of a tokenizer's vocabulary."""
        buf, pos, size = self.buf, self.pos, len(self.buf)
        unpack_length = _U64.unpack_from
        out = []
        try:
            for _ in range(n):
                length = unpack_length(buf, pos)[0]
                start, pos = pos + 8, pos + 8 + length
                if pos > size:
                    raise struct.error("past the end")
                out.append(buf[start:pos].decode("utf-8"))
        except struct.error:
            raise GGUFError(f"{self.path} ends inside its metadata (at byte {size}).") from None
        except UnicodeDecodeError as error:
            raise GGUFError(f"{self.path}: a metadata string is not UTF-8 ({error}).") from None
        self.pos = pos
        return out
