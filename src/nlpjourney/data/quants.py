"""Dequantizing ggml's tensor formats: from the bytes of a GGUF file to float32.

ggml stores a quantized tensor row by row, each row cut into blocks of 32 values (the
"legacy" formats Q4_0 ... Q8_0) or 256 values (the K-quants, Q4_K and Q6_K). A block
holds one or more float16 scales and the values' small integer codes packed into bits;
a value is its code times its block's (or sub-block's) scale, minus an offset:

    Q4_0   18 bytes / 32 values   y = d * (q - 8)          q: 4 bits
    Q4_1   20 bytes / 32 values   y = d * q + m            q: 4 bits
    Q5_0   22 bytes / 32 values   y = d * (q - 16)         q: 5 bits
    Q5_1   24 bytes / 32 values   y = d * q + m            q: 5 bits
    Q8_0   34 bytes / 32 values   y = d * q                q: int8
    Q4_K  144 bytes / 256 values  y = (d*sc) * q - dmin*m  q: 4 bits, 6-bit sc, m per 32
    Q6_K  210 bytes / 256 values  y = (d*sc) * (q - 32)    q: 6 bits, int8 sc per 16

Each format is a NumPy structured dtype (the block's fields, in file order) and one
function that decodes whole arrays of blocks at once: the bit fields are unpacked with
shifts and masks over every block together, never a Python loop over blocks.

>>> import numpy as np
>>> block = np.zeros(1, BLOCKS["Q8_0"])
>>> block["d"], block["qs"][0, :3] = 0.5, [1, -2, 127]
>>> dequantize(block.view(np.uint8), "Q8_0", (32,))[:3]
array([ 0.5, -1. , 63.5], dtype=float32)

Bit for bit: each value is computed with the same float32 operations in the same order
as ggml's reference C code (``dequantize_row_q4_0`` and friends), so the results equal
the ``gguf`` package's dequantizer exactly, not merely to a tolerance.

Reference: the ``gguf`` package's ``gguf.quants.dequantize`` (equal bit for bit on
random blocks of every format and on every tensor of SmolLM2's Q4_1 file); the block
layouts of ggml's ``ggml-common.h``.

Simplifications:
    - Only these formats and F32, F16, BF16; the 2-, 3-, 5- and 8-bit K-quants, the
      IQ and ternary formats are recognised by :data:`GGML_TYPES` but not decoded.
    - Little-endian bytes only, as GGUF files almost always are.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BLOCKS",
    "DEQUANTIZERS",
    "GGML_TYPES",
    "GGMLType",
    "dequantize",
    "dequantize_q4_0",
    "dequantize_q4_1",
    "dequantize_q4_k",
    "dequantize_q5_0",
    "dequantize_q5_1",
    "dequantize_q6_k",
    "dequantize_q8_0",
]


@dataclass(frozen=True)
class GGMLType:
    """One of ggml's tensor types: its code in a GGUF file and its block geometry."""

    name: str
    code: int
    block_size: int
    """Values per block (1 for the plain float and integer types)."""
    block_bytes: int
    """Bytes per block."""


# ggml's type codes and block geometry (ggml.h's ggml_type, ggml-common.h's block
# structs); codes 4, 5 and 31-33 were formats since removed.
GGML_TYPES: dict[int, GGMLType] = {
    t.code: t
    for t in [
        GGMLType("F32", 0, 1, 4),
        GGMLType("F16", 1, 1, 2),
        GGMLType("Q4_0", 2, 32, 18),
        GGMLType("Q4_1", 3, 32, 20),
        GGMLType("Q5_0", 6, 32, 22),
        GGMLType("Q5_1", 7, 32, 24),
        GGMLType("Q8_0", 8, 32, 34),
        GGMLType("Q8_1", 9, 32, 40),
        GGMLType("Q2_K", 10, 256, 84),
        GGMLType("Q3_K", 11, 256, 110),
        GGMLType("Q4_K", 12, 256, 144),
        GGMLType("Q5_K", 13, 256, 176),
        GGMLType("Q6_K", 14, 256, 210),
        GGMLType("Q8_K", 15, 256, 292),
        GGMLType("IQ2_XXS", 16, 256, 66),
        GGMLType("IQ2_XS", 17, 256, 74),
        GGMLType("IQ3_XXS", 18, 256, 98),
        GGMLType("IQ1_S", 19, 256, 50),
        GGMLType("IQ4_NL", 20, 32, 18),
        GGMLType("IQ3_S", 21, 256, 110),
        GGMLType("IQ2_S", 22, 256, 82),
        GGMLType("IQ4_XS", 23, 256, 136),
        GGMLType("I8", 24, 1, 1),
        GGMLType("I16", 25, 1, 2),
        GGMLType("I32", 26, 1, 4),
        GGMLType("I64", 27, 1, 8),
        GGMLType("F64", 28, 1, 8),
        GGMLType("IQ1_M", 29, 256, 56),
        GGMLType("BF16", 30, 1, 2),
        GGMLType("TQ1_0", 34, 256, 54),
        GGMLType("TQ2_0", 35, 256, 66),
        GGMLType("MXFP4", 39, 32, 17),
    ]
}

# The blocks, field by field in file order ("<f2": a little-endian float16 scale).
BLOCKS: dict[str, np.dtype] = {
    "Q4_0": np.dtype([("d", "<f2"), ("qs", "u1", 16)]),
    "Q4_1": np.dtype([("d", "<f2"), ("m", "<f2"), ("qs", "u1", 16)]),
    "Q5_0": np.dtype([("d", "<f2"), ("qh", "u1", 4), ("qs", "u1", 16)]),
    "Q5_1": np.dtype([("d", "<f2"), ("m", "<f2"), ("qh", "u1", 4), ("qs", "u1", 16)]),
    "Q8_0": np.dtype([("d", "<f2"), ("qs", "i1", 32)]),
    "Q4_K": np.dtype([("d", "<f2"), ("dmin", "<f2"), ("scales", "u1", 12), ("qs", "u1", 128)]),
    "Q6_K": np.dtype([("ql", "u1", 128), ("qh", "u1", 64), ("scales", "i1", 16), ("d", "<f2")]),
}


def _nibbles(packed: np.ndarray) -> np.ndarray:
    """Split bytes into 4-bit codes: all the low halves first, then all the high halves.

    ``(..., k)`` uint8 -> ``(..., 2k)`` uint8, e.g. ``[0x21, 0x43] -> [1, 3, 2, 4]``:
    the layout of every 4-bit format, whose byte ``j`` holds values ``j`` and ``j + k``.
    """
    out = np.empty((*packed.shape[:-1], 2, packed.shape[-1]), np.uint8)
    np.bitwise_and(packed, 0x0F, out=out[..., 0, :])
    np.right_shift(packed, 4, out=out[..., 1, :])
    return out.reshape(*packed.shape[:-1], 2 * packed.shape[-1])


def _fifth_bits(qh: np.ndarray) -> np.ndarray:
    """The 5th bit of 32 codes, from 4 bytes read as one little-endian uint32.

    ``(n, 4)`` uint8 -> ``(n, 32)`` uint8 of 0 and 16: bit ``j`` of the uint32 is bit
    ``j % 8`` of byte ``j // 8``, which is what ``unpackbits(bitorder="little")`` reads.
    """
    return np.left_shift(np.unpackbits(qh, axis=-1, bitorder="little"), 4)


def _scale(d: np.ndarray) -> np.ndarray:
    """A float16 scale per block as a float32 column, ``(n,) -> (n, 1)``."""
    return d.astype(np.float32)[:, None]


def dequantize_q4_0(blocks: np.ndarray) -> np.ndarray:
    """Q4_0, 18 bytes per 32 values: float16 ``d``, then 16 bytes of 4-bit codes.

    Byte ``j`` holds value ``j`` in its low nibble and value ``j + 16`` in its high
    nibble; ``y = d * (q - 8)``, so codes 0..15 stand for -8d..7d.

    Shapes: blocks ``(n,)`` of ``BLOCKS["Q4_0"]`` -> ``(n, 32)`` float32.
    """
    q = _nibbles(blocks["qs"]).astype(np.float32)
    q -= 8  # subtle: exact in float32, so d * (q - 8) rounds once, as ggml's does
    q *= _scale(blocks["d"])
    return q


def dequantize_q4_1(blocks: np.ndarray) -> np.ndarray:
    """Q4_1, 20 bytes per 32 values: float16 ``d`` and ``m``, then 16 bytes of 4-bit codes.

    Codes are packed as in Q4_0; ``y = d * q + m`` (``m``: the block's minimum).

    Shapes: blocks ``(n,)`` of ``BLOCKS["Q4_1"]`` -> ``(n, 32)`` float32.
    """
    q = _nibbles(blocks["qs"]).astype(np.float32)
    q *= _scale(blocks["d"])
    q += _scale(blocks["m"])  # subtle: the product rounds first, then the sum (no FMA)
    return q


def dequantize_q5_0(blocks: np.ndarray) -> np.ndarray:
    """Q5_0, 22 bytes per 32 values: float16 ``d``, 4 bytes of 5th bits, 16 of nibbles.

    Value ``j``'s code is its nibble (packed as in Q4_0) plus 16 times bit ``j`` of the
    little-endian uint32 ``qh``; ``y = d * (q - 16)``.

    Shapes: blocks ``(n,)`` of ``BLOCKS["Q5_0"]`` -> ``(n, 32)`` float32.
    """
    codes = _nibbles(blocks["qs"])
    codes |= _fifth_bits(blocks["qh"])
    q = codes.astype(np.float32)
    q -= 16
    q *= _scale(blocks["d"])
    return q


def dequantize_q5_1(blocks: np.ndarray) -> np.ndarray:
    """Q5_1, 24 bytes per 32 values: float16 ``d`` and ``m``, 4 bytes of 5th bits, 16 of nibbles.

    Codes as in Q5_0; ``y = d * q + m``.

    Shapes: blocks ``(n,)`` of ``BLOCKS["Q5_1"]`` -> ``(n, 32)`` float32.
    """
    codes = _nibbles(blocks["qs"])
    codes |= _fifth_bits(blocks["qh"])
    q = codes.astype(np.float32)
    q *= _scale(blocks["d"])
    q += _scale(blocks["m"])
    return q


def dequantize_q8_0(blocks: np.ndarray) -> np.ndarray:
    """Q8_0, 34 bytes per 32 values: float16 ``d``, then 32 signed bytes; ``y = d * q``.

    Shapes: blocks ``(n,)`` of ``BLOCKS["Q8_0"]`` -> ``(n, 32)`` float32.
    """
    q = blocks["qs"].astype(np.float32)
    q *= _scale(blocks["d"])
    return q


def _q4_k_scales(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The eight 6-bit scales and eight 6-bit minimums packed into 12 bytes.

    With ``a, b, c`` the bytes 0-3, 4-7 and 8-11: sub-blocks 0-3 have scale ``a & 63``
    and minimum ``b & 63``; sub-blocks 4-7 have scale ``(c & 15) | (a >> 6) << 4`` and
    minimum ``(c >> 4) | (b >> 6) << 4`` (the top two bits ride on ``a`` and ``b``).

    Shapes: ``(n, 12)`` uint8 -> two ``(n, 8)`` uint8.
    """
    a, b, c = packed[:, 0:4], packed[:, 4:8], packed[:, 8:12]
    scales = np.concatenate([a & 63, (c & 15) | ((a >> 6) << 4)], axis=1)
    mins = np.concatenate([b & 63, (c >> 4) | ((b >> 6) << 4)], axis=1)
    return scales, mins


def dequantize_q4_k(blocks: np.ndarray) -> np.ndarray:
    """Q4_K, 144 bytes per 256 values: float16 ``d`` and ``dmin``, 12 bytes of 6-bit
    scales and minimums (:func:`_q4_k_scales`), 128 bytes of 4-bit codes.

    The 256 values are 8 sub-blocks of 32, each with its own ``sc`` and ``m``. The codes
    come in 4 runs of 32 bytes; run ``i`` holds sub-block ``2i`` in its low nibbles and
    ``2i + 1`` in its high ones. ``y = (d * sc) * q - (dmin * m)``.

    Shapes: blocks ``(n,)`` of ``BLOCKS["Q4_K"]`` -> ``(n, 256)`` float32.
    """
    n = len(blocks)
    sc, m = _q4_k_scales(blocks["scales"])
    step = _scale(blocks["d"]) * sc.astype(np.float32)  # (n, 8)
    offset = _scale(blocks["dmin"]) * m.astype(np.float32)
    q = _nibbles(blocks["qs"].reshape(n, 4, 32)).reshape(n, 8, 32).astype(np.float32)
    q *= step[:, :, None]
    q -= offset[:, :, None]
    return q.reshape(n, 256)


def dequantize_q6_k(blocks: np.ndarray) -> np.ndarray:
    """Q6_K, 210 bytes per 256 values: 128 bytes of low 4 bits ``ql``, 64 bytes of high
    2 bits ``qh``, 16 int8 scales, float16 ``d`` (last).

    Two halves of 128 values; in half ``h``, ``ql`` bytes ``64h..64h+63`` give the low
    4 bits of values 0-63 (low nibbles) and 64-127 (high nibbles), and ``qh`` byte
    ``32h + l`` gives the high 2 bits of values ``l``, ``l + 32``, ``l + 64``, ``l + 96``
    (bits 0-1, 2-3, 4-5, 6-7). Each run of 16 values has its scale ``sc``:
    ``y = (d * sc) * (q - 32)``.

    Shapes: blocks ``(n,)`` of ``BLOCKS["Q6_K"]`` -> ``(n, 256)`` float32.
    """
    n = len(blocks)
    low = _nibbles(blocks["ql"].reshape(n, 2, 64))  # (n, 2, 128)
    shifts = np.array([0, 2, 4, 6], np.uint8)[:, None]
    high = (blocks["qh"].reshape(n, 2, 1, 32) >> shifts) & 3  # (n, 2, 4, 32)
    low |= high.reshape(n, 2, 128) << 4
    q = low.reshape(n, 16, 16).astype(np.float32)
    q -= 32
    q *= (_scale(blocks["d"]) * blocks["scales"].astype(np.float32))[:, :, None]
    return q.reshape(n, 256)


DEQUANTIZERS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "Q4_0": dequantize_q4_0,
    "Q4_1": dequantize_q4_1,
    "Q5_0": dequantize_q5_0,
    "Q5_1": dequantize_q5_1,
    "Q8_0": dequantize_q8_0,
    "Q4_K": dequantize_q4_k,
    "Q6_K": dequantize_q6_k,
}
"""Block format name -> its decoder, blocks ``(n,)`` -> values ``(n, block size)``."""

# Plain element types: how the bytes become float32.
_ELEMENTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "F32": lambda raw: raw.view("<f4").astype(np.float32),
    "F16": lambda raw: raw.view("<f2").astype(np.float32),
    # A bfloat16 is the top half of a float32: shift its 16 bits up, zeros below.
    "BF16": lambda raw: (raw.view("<u2").astype(np.uint32) << 16).view(np.float32),
}

SUPPORTED = (*_ELEMENTS, *DEQUANTIZERS)
"""The type names :func:`dequantize` decodes."""

_CHUNK_VALUES = 1 << 16
"""Values decoded per step: the temporaries of a step stay in the CPU's cache."""


def dequantize(data: np.ndarray, type_name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Decode a tensor's bytes into float32 values of ``shape`` (NumPy order).

    Args:
        data: the tensor's bytes, a 1-D uint8 array (a view of a memory-mapped file
            is read a cache-sized chunk at a time, never copied whole).
        type_name: a name in :data:`SUPPORTED`, e.g. ``"Q4_1"``.
        shape: the tensor's shape, last axis fastest (ggml's ``ne`` reversed); its
            last axis must be a whole number of blocks.

    Returns:
        A new float32 array of ``shape``.

    Raises:
        ValueError: an unsupported type, a row that is not whole blocks, or a byte
            count that does not match the shape.
    """
    if type_name not in SUPPORTED:
        raise ValueError(f"cannot dequantize {type_name!r}; we decode {', '.join(SUPPORTED)}.")
    kind = next(t for t in GGML_TYPES.values() if t.name == type_name)
    shape = tuple(int(s) for s in shape)
    n_values = math.prod(shape)
    row = shape[-1] if shape else 1
    if row % kind.block_size:
        raise ValueError(
            f"a {type_name} row holds whole blocks of {kind.block_size} values; "
            f"this tensor's rows have {row}."
        )
    n_blocks = n_values // kind.block_size
    if data.dtype != np.uint8 or data.ndim != 1 or data.size != n_blocks * kind.block_bytes:
        raise ValueError(
            f"a {type_name} tensor of shape {shape} is {n_blocks * kind.block_bytes} bytes "
            f"(a 1-D uint8 array); got {data.dtype} of shape {data.shape}."
        )
    if type_name in _ELEMENTS:
        return _ELEMENTS[type_name](data).reshape(shape)
    decode, layout = DEQUANTIZERS[type_name], BLOCKS[type_name]
    out = np.empty((n_blocks, kind.block_size), np.float32)
    step = max(1, _CHUNK_VALUES // kind.block_size)
    for start in range(0, n_blocks, step):
        stop = min(start + step, n_blocks)
        chunk = data[start * kind.block_bytes : stop * kind.block_bytes]
        out[start:stop] = decode(chunk.view(layout))
    return out.reshape(shape)
