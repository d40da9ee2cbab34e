"""Reading a GGUF file, llama.cpp's one-file model format: metadata, tensors, weights.

A GGUF file is a little-endian header, typed key-value metadata, tensor descriptions,
then the tensor data:

    magic  b"GGUF"            4 bytes
    version                   uint32 (2 or 3; version 1 used 32-bit counts)
    tensor_count, kv_count    uint64 each
    kv_count times:  key (string), value type (uint32), value
    tensor_count times:  name (string), n_dims (uint32), ne (n_dims uint64),
                         ggml type (uint32), offset (uint64)
    padding to the alignment, then the data section

A string is a uint64 byte length and UTF-8 bytes. A value type is one of 13 codes:
integers of 8 to 64 bits, float32/64, bool, string, or an array (element type uint32,
count uint64, then the elements, which may be arrays themselves). Tokenizers keep their
whole vocabulary there (``tokenizer.ggml.tokens``: 49,152 strings for SmolLM2), so the
reader decodes arrays of strings in one loop over the bytes.

A tensor's ``ne`` lists its sizes fastest-varying first (ggml's order), so a weight
matrix of ``out_features`` rows of ``in_features`` is stored as ``ne = [in, out]``; in
NumPy order it is ``shape = (out, in)``. Its ``offset`` counts from the start of the
data section, which begins at the first multiple of ``general.alignment`` (32 when
absent) after the descriptions; every offset is a multiple of it too. The bytes are
memory-mapped, so opening a file reads only its head, and a tensor's bytes are read
when it is decoded (by :mod:`nlpjourney.data.quants`).

>>> meta = read_metadata(data.path("smollm2_135m_instruct"))  # doctest: +SKIP
>>> meta["general.architecture"], len(meta["tokenizer.ggml.tokens"])  # doctest: +SKIP
('llama', 49152)
>>> with GGUFFile(data.path("smollm2_135m_instruct")) as gguf:  # doctest: +SKIP
...     info = gguf.tensors["blk.0.ffn_down.weight"]
...     print(info.ne, info.shape, info.type, gguf.tensor(info.name).dtype)
(1536, 576) (576, 1536) Q4_1 float32

Reference: the ``gguf`` package's ``GGUFReader`` (its ``fields[key].contents()`` equal
ours for every key of the SmolLM2 file, and of files its ``GGUFWriter`` makes in the
tests; its tensors' names, shapes, types and offsets equal ours, and
``gguf.quants.dequantize`` of its data equals :meth:`GGUFFile.tensor` bit for bit); the
format's specification in ggml's ``docs/gguf.md``.

Simplifications:
    - Little-endian files only (big-endian GGUF exists for a few machines).
    - :meth:`GGUFFile.tensor` decodes the types :data:`nlpjourney.data.quants.SUPPORTED`;
      other ggml types are described and their bytes given by :meth:`GGUFFile.raw`.
"""

from __future__ import annotations

import math
import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from nlpjourney.data.quants import GGML_TYPES, SUPPORTED, dequantize
from nlpjourney.errors import JourneyError

__all__ = ["GGUFError", "GGUFFile", "GGUFTensor", "read_metadata"]

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
MAX_DIMS = 4
"""ggml tensors have at most this many dimensions."""
DEFAULT_ALIGNMENT = 32
"""The data section's alignment when ``general.alignment`` is absent."""


class GGUFError(JourneyError, ValueError):
    """The file is missing, is not GGUF, or is cut short or malformed; or a tensor asked
    for is not in it or is of a type we do not decode."""


@dataclass(frozen=True)
class GGUFTensor:
    """One tensor's description: where its bytes are and how to read them.

    Example: SmolLM2's ``blk.0.ffn_down.weight`` has ``ne=(1536, 576)``,
    ``shape=(576, 1536)``, ``type="Q4_1"`` and ``n_bytes=552960`` (576 rows of 48
    blocks of 20 bytes).
    """

    name: str
    ne: tuple[int, ...]
    """Sizes as the file stores them, fastest-varying first (ggml's order)."""
    type: str
    """ggml's name of its type: ``"F32"``, ``"Q4_1"``, ``"Q6_K"``..."""
    type_code: int
    """The type's code in the file (``GGMLQuantizationType`` in ``gguf``)."""
    offset: int
    """Where its bytes start, counted from the start of the data section."""
    n_bytes: int

    @property
    def shape(self) -> tuple[int, ...]:
        """Sizes in NumPy order, last axis fastest: ``ne`` reversed."""
        return self.ne[::-1]

    @property
    def n_elements(self) -> int:
        return math.prod(self.ne)


def read_metadata(path: str | Path) -> dict[str, Any]:
    """Every metadata key of a GGUF file and its value, in file order.

    Integers and floats become ``int`` and ``float``, bools ``bool``, strings ``str``
    and arrays ``list`` (of lists, for nested arrays).

    Raises:
        GGUFError: no file at ``path``, not GGUF, a version we do not read, or metadata
            that is cut short or malformed.
    """
    path = Path(path)
    with _map(path) as buf:
        return _Reader(buf, path).metadata()


def _map(path: Path) -> mmap.mmap:
    """The file's bytes, memory-mapped read-only: pages are read when they are touched."""
    if not path.is_file():
        raise GGUFError(f"no GGUF file at {path}")
    try:
        with path.open("rb") as file:
            return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except ValueError as error:  # an empty file cannot be mapped
        raise GGUFError(f"{path} is not a GGUF file ({error}).") from None
    except OSError as error:
        raise GGUFError(f"cannot read {path}: {error.strerror or error}") from None


class GGUFFile:
    """A GGUF file opened for its tensors: metadata, tensor descriptions, weights.

    Opening reads the head of the file (metadata and tensor descriptions) and checks
    that every tensor lies whole, aligned and inside the file; the data stay
    memory-mapped until a tensor is decoded.

    Args:
        path: a ``.gguf`` file.

    Raises:
        GGUFError: no file, not GGUF, cut short, an unknown tensor type, a tensor that
            is misaligned, not whole blocks, or past the end of the file.

    Example::

        with GGUFFile(data.path("smollm2_135m_instruct")) as gguf:
            gguf.metadata["llama.embedding_length"]         # 576
            gguf.tensors["token_embd.weight"].type          # "Q8_0"
            gguf.tensor("token_embd.weight").shape          # (49152, 576), float32
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        buf = _map(self.path)
        try:
            reader = _Reader(buf, self.path)
            self.metadata: dict[str, Any] = reader.metadata()
            infos = reader.tensor_infos()
            self.alignment = self._alignment()
            # The data section starts at the first multiple of the alignment.
            self.data_offset = -(-reader.pos // self.alignment) * self.alignment
            self.tensors: dict[str, GGUFTensor] = {}
            for name, ne, code, offset in infos:
                self._add(name, ne, code, offset, len(buf))
        except BaseException:
            buf.close()
            raise
        self._buf: mmap.mmap | None = buf
        self._bytes: np.ndarray | None = np.frombuffer(buf, np.uint8)

    def _alignment(self) -> int:
        alignment = self.metadata.get("general.alignment", DEFAULT_ALIGNMENT)
        if type(alignment) is not int or alignment <= 0 or alignment & (alignment - 1):
            raise GGUFError(
                f"{self.path}: general.alignment is {alignment!r}; it must be a power of two."
            )
        return alignment

    def _add(self, name: str, ne: tuple[int, ...], code: int, offset: int, size: int) -> None:
        """Describe one tensor, after checking it lies whole inside the file."""
        where = f"{self.path}: tensor {name!r}"
        if name in self.tensors:
            raise GGUFError(f"{where} is described twice; the file is damaged.")
        if code not in GGML_TYPES:
            raise GGUFError(
                f"{where} has ggml type {code}, which we do not know (a newer format, "
                "or a damaged file)."
            )
        kind = GGML_TYPES[code]
        if ne and ne[0] % kind.block_size:
            raise GGUFError(
                f"{where} has rows of {ne[0]} values, not whole {kind.name} blocks of "
                f"{kind.block_size}; the file is damaged."
            )
        if offset % self.alignment:
            raise GGUFError(
                f"{where} starts at data offset {offset}, not a multiple of the file's "
                f"alignment {self.alignment}; the file is damaged."
            )
        n_bytes = math.prod(ne) // kind.block_size * kind.block_bytes
        end = self.data_offset + offset + n_bytes
        if end > size:
            raise GGUFError(
                f"{where} ends at byte {end} but the file has {size} bytes; it was cut "
                "short (an interrupted download?)."
            )
        self.tensors[name] = GGUFTensor(name, ne, kind.name, code, offset, n_bytes)

    def raw(self, name: str) -> np.ndarray:
        """A tensor's bytes as the file stores them: a read-only view, nothing copied.

        Shapes: ``(tensors[name].n_bytes,)`` uint8.
        """
        info = self._info(name)
        assert self._bytes is not None  # _info checked that the file is open
        start = self.data_offset + info.offset
        return self._bytes[start : start + info.n_bytes]

    def tensor(self, name: str, dtype: npt.DTypeLike = np.float32) -> np.ndarray:
        """A tensor's values, dequantized, in a new array.

        Args:
            name: the tensor's name, e.g. ``"blk.0.attn_q.weight"``.
            dtype: the values' dtype; they are decoded to float32 (exactly, as ggml
                does) and then cast.

        Returns:
            An array of ``tensors[name].shape`` (NumPy order: a ``(out, in)`` matrix
            for a linear layer's weight).

        Raises:
            GGUFError: no tensor of that name, a type we do not decode, or the file
                is closed.
        """
        info = self._info(name)
        if info.type not in SUPPORTED:
            raise GGUFError(
                f"{self.path}: tensor {name!r} is {info.type}, which we do not dequantize "
                f"(we decode {', '.join(SUPPORTED)}); raw() gives its bytes."
            )
        values = dequantize(self.raw(name), info.type, info.shape)
        return values if np.dtype(dtype) == np.float32 else values.astype(dtype)

    def _info(self, name: str) -> GGUFTensor:
        if self._bytes is None:
            raise GGUFError(f"{self.path} is closed; open it again with GGUFFile(path).")
        if name not in self.tensors:
            some = ", ".join(list(self.tensors)[:3])
            raise GGUFError(
                f"{self.path} has no tensor {name!r}; its {len(self.tensors)} tensors "
                f"are named like {some}."
            )
        return self.tensors[name]

    def close(self) -> None:
        """Unmap the file; arrays from :meth:`tensor` stay valid, views from :meth:`raw`
        keep the mapping alive until they are gone."""
        self._bytes = None
        if self._buf is not None:
            try:
                self._buf.close()
            except BufferError:  # a raw() view is still alive: the OS unmaps it after it
                pass
            self._buf = None

    def __enter__(self) -> GGUFFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GGUFFile({str(self.path)!r}, {len(self.tensors)} tensors)"


class _Reader:
    """A cursor over the file's bytes that decodes GGUF values."""

    def __init__(self, buf: mmap.mmap, path: Path) -> None:
        self.buf, self.path, self.pos = buf, path, 0
        self.section = "metadata"  # what a cut-short file ends inside, for the error
        self.tensor_count = 0

    def metadata(self) -> dict[str, Any]:
        """The header and the key-value metadata; ``pos`` is left at the tensor infos."""
        magic = self.take(4)
        if magic != MAGIC:
            raise GGUFError(f"{self.path} is not a GGUF file (it starts {magic!r}).")
        version = self.u32()
        if version not in VERSIONS:
            raise GGUFError(
                f"{self.path} is GGUF version {version}; we read versions 2 and 3 "
                "(a huge number means a big-endian file)."
            )
        self.tensor_count = self.u64()
        count = self.u64()
        meta: dict[str, Any] = {}
        for _ in range(count):
            key = self.string()
            meta[key] = self.value(self.u32())
        return meta

    def tensor_infos(self) -> list[tuple[str, tuple[int, ...], int, int]]:
        """Each tensor's name, ``ne``, type code and offset, as the file lists them."""
        self.section = "tensor descriptions"
        infos = []
        for _ in range(self.tensor_count):
            name = self.string()
            n_dims = self.u32()
            if n_dims > MAX_DIMS:
                raise GGUFError(
                    f"{self.path}: tensor {name!r} has {n_dims} dimensions; ggml tensors "
                    f"have at most {MAX_DIMS}, so the file is damaged."
                )
            ne = tuple(self.u64() for _ in range(n_dims))
            infos.append((name, ne, self.u32(), self.u64()))
        return infos

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.buf):
            raise GGUFError(
                f"{self.path} ends inside its {self.section} (at byte {len(self.buf)})."
            )
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
            raise GGUFError(
                f"{self.path}: a {self.section} string is not UTF-8 ({error})."
            ) from None

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
            raise GGUFError(
                f"{self.path} ends inside its {self.section} (at byte {size})."
            ) from None
        except UnicodeDecodeError as error:
            raise GGUFError(
                f"{self.path}: a {self.section} string is not UTF-8 ({error})."
            ) from None
        self.pos = pos
        return out
