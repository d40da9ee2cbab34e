"""Tests for the tensors of nlpjourney.data.gguf and the decoders of nlpjourney.data.quants.

- Every block format decodes random blocks exactly as ``gguf.quants.dequantize`` does,
  bit for bit (compared as uint32 bit patterns, so even the sign of a zero counts), and
  F16/BF16/F32 agree on every bit pattern.
- SmolLM2's Q4_1 file: tensor names, shapes, types and offsets equal ``GGUFReader``'s,
  and every tensor's values equal its dequantized data (a sample in the quick tests).
- Files written by ``gguf.GGUFWriter`` round-trip; a damaged file (a tensor past the
  end, an unknown type, a misaligned offset...) is one GGUFError of one line.

``GGUFReader`` takes seconds to read SmolLM2's metadata, so the comparisons with it on
that file are marked slow; the quick sample compares with ``gguf``'s dequantizer on the
same bytes.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import pytest
from gguf import GGMLQuantizationType, GGUFReader, GGUFWriter
from gguf import quants as gguf_quants
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney import data
from nlpjourney.data.gguf import GGUFError, GGUFFile, read_metadata
from nlpjourney.data.quants import BLOCKS, DEQUANTIZERS, GGML_TYPES, GGMLType, dequantize

BLOCK_FORMATS = list(DEQUANTIZERS)
SCALE_FIELDS = ("d", "m", "dmin")


def ggml(name: str) -> GGMLType:
    return next(t for t in GGML_TYPES.values() if t.name == name)


def random_blocks(rng: np.random.Generator, name: str, n_blocks: int) -> np.ndarray:
    """Random bytes for ``n_blocks`` blocks, with finite float16 scales of many magnitudes."""
    raw = rng.integers(0, 256, n_blocks * ggml(name).block_bytes, dtype=np.uint8)
    blocks = raw.view(BLOCKS[name])
    for field in SCALE_FIELDS:
        if field in BLOCKS[name].names:
            magnitude = 10.0 ** rng.uniform(-6, 2, n_blocks)
            blocks[field] = (rng.standard_normal(n_blocks) * magnitude).astype(np.float16)
    return raw


def reference(raw: np.ndarray, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """``gguf``'s dequantizer on the bytes, shaped as its ``GGUFReader`` gives them."""
    if name in ("F32", "F16"):  # GGUFReader gives these as float arrays, not bytes
        typed = raw.view("<f4" if name == "F32" else "<f2").reshape(shape)
    else:
        typed = raw.reshape(*shape[:-1], -1)
    return gguf_quants.dequantize(typed, GGMLQuantizationType[name])


def assert_same_bits(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.dtype == theirs.dtype == np.float32
    assert ours.shape == theirs.shape
    assert np.array_equal(ours.view(np.uint32), theirs.view(np.uint32))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", BLOCK_FORMATS)
def test_quants_every_block_format_equals_gguf_bit_for_bit(name: str, seed: int) -> None:
    rng = np.random.default_rng([seed, ggml(name).code])
    kind = ggml(name)
    # Several of dequantize's chunks, and a row count that does not divide them.
    rows, blocks_per_row = 37, 3 * (1 << 16) // kind.block_size // 37 + 1
    raw = random_blocks(rng, name, rows * blocks_per_row)
    shape = (rows, blocks_per_row * kind.block_size)
    ours = dequantize(raw, name, shape)
    assert np.isfinite(ours).all()  # sane scales: the comparison below is of numbers
    assert_same_bits(ours, reference(raw, name, shape))


@pytest.mark.parametrize("name", BLOCK_FORMATS)
def test_quants_any_bytes_at_all_decode_as_gguf_does(name: str) -> None:
    """Random scale bits too: infinities and NaNs, bit for bit as gguf makes them."""
    rng = np.random.default_rng(ggml(name).code)
    raw = rng.integers(0, 256, 500 * ggml(name).block_bytes, dtype=np.uint8)
    shape = (500 * ggml(name).block_size,)
    with np.errstate(invalid="ignore", over="ignore"):  # inf * 0 is NaN, on purpose
        ours, theirs = dequantize(raw, name, shape), reference(raw, name, shape)
    assert not np.isfinite(ours).all()  # the draw does hold NaN or inf scales
    assert_same_bits(ours, theirs)


@pytest.mark.parametrize("name", ["F16", "BF16"])
def test_quants_every_16_bit_pattern_equals_gguf(name: str) -> None:
    raw = np.arange(1 << 16, dtype=np.uint16).view(np.uint8)
    ours = dequantize(raw, name, (256, 256))
    theirs = reference(raw, name, (256, 256))
    # NaN payloads may be quietened differently; every number is bit for bit.
    numbers = ~np.isnan(theirs)
    assert np.array_equal(np.isnan(ours), ~numbers)
    assert np.array_equal(ours[numbers].view(np.uint32), theirs[numbers].view(np.uint32))


def test_quants_f32_is_copied_bit_for_bit() -> None:
    bits = np.random.default_rng(0).integers(0, 2**32, 1000, dtype=np.uint32)
    ours = dequantize(bits.view(np.uint8), "F32", (10, 100))
    assert np.array_equal(ours.view(np.uint32), bits.reshape(10, 100))
    np.testing.assert_array_equal(ours, reference(bits.view(np.uint8), "F32", (10, 100)))


def test_quants_layouts_by_hand() -> None:
    """One block each of Q4_0 and Q6_K decoded from the layouts, without gguf."""
    block = np.zeros(1, BLOCKS["Q4_0"])
    block["d"], block["qs"][0, 0] = 0.5, 0x21  # byte 0: value 0 is 1, value 16 is 2
    values = dequantize(block.view(np.uint8), "Q4_0", (32,))
    assert values[0] == 0.5 * (1 - 8) and values[16] == 0.5 * (2 - 8) and values[1] == -4.0

    block = np.zeros(1, BLOCKS["Q6_K"])
    block["d"], block["scales"][0, :] = 0.25, np.arange(1, 17)
    # Second half, l = 0: ql byte 64 holds the low 4 bits of values 128 (low nibble)
    # and 192 (high); ql byte 96 those of 160 and 224; qh byte 32 their high 2 bits.
    block["ql"][0, 64], block["ql"][0, 96] = 0x07, 0x50
    block["qh"][0, 32] = 0b11_00_00_10  # value 128: high bits 2, 160 and 192: 0, 224: 3
    values = dequantize(block.view(np.uint8), "Q6_K", (256,))
    scale = 0.25 * np.arange(1, 17)
    assert values[128] == scale[8] * ((7 | 2 << 4) - 32)  # run 8 of 16 values
    assert values[160] == scale[10] * (0 - 32)
    assert values[192] == scale[12] * (0 - 32)
    assert values[224] == scale[14] * ((5 | 3 << 4) - 32)


def test_quants_bad_input_is_a_value_error() -> None:
    raw = np.zeros(18, np.uint8)
    with pytest.raises(ValueError, match="cannot dequantize 'Q2_K'"):
        dequantize(raw, "Q2_K", (256,))
    with pytest.raises(ValueError, match="whole blocks of 32"):
        dequantize(raw, "Q4_0", (16,))
    with pytest.raises(ValueError, match="is 36 bytes"):
        dequantize(raw, "Q4_0", (2, 32))


# --- SmolLM2's file ---------------------------------------------------------------------


def smollm2() -> Path:
    return data.path("smollm2_135m_instruct")


def test_gguf_smollm2_sample_of_tensors_equals_gguf_dequantize() -> None:
    with GGUFFile(smollm2()) as gguf:
        assert len(gguf.tensors) == 272 and gguf.alignment == 32
        types = [t.type for t in gguf.tensors.values()]
        assert {name: types.count(name) for name in set(types)} == {
            "Q4_1": 210,
            "F32": 61,
            "Q8_0": 1,
        }
        embed = gguf.tensors["token_embd.weight"]
        assert (embed.ne, embed.shape, embed.type) == ((576, 49152), (49152, 576), "Q8_0")
        assert gguf.metadata == read_metadata(smollm2())
        names = ["token_embd.weight", "blk.0.attn_k.weight", "blk.3.ffn_down.weight"]
        names += ["blk.29.ffn_gate.weight", "output_norm.weight", "blk.7.attn_norm.weight"]
        for name in names:
            info = gguf.tensors[name]
            ours = gguf.tensor(name)
            assert_same_bits(ours, reference(np.asarray(gguf.raw(name)), info.type, info.shape))
        raw = gguf.raw("blk.0.attn_q.weight")
        assert not raw.flags.writeable and raw.base is not None  # a view of the mapping
        assert gguf.tensor("output_norm.weight", dtype=np.float64).dtype == np.float64


@pytest.mark.slow
def test_gguf_smollm2_every_tensor_equals_gguf_reader() -> None:
    """Descriptions and every dequantized tensor of the real file, as GGUFReader reads them."""
    reader = GGUFReader(smollm2())
    with GGUFFile(smollm2()) as gguf:
        assert list(gguf.tensors) == [t.name for t in reader.tensors]
        assert gguf.data_offset == reader.data_offset
        for theirs in reader.tensors:
            info = gguf.tensors[theirs.name]
            assert info.ne == tuple(theirs.shape.tolist())
            assert (info.type, info.type_code) == (theirs.tensor_type.name, theirs.tensor_type)
            assert gguf.data_offset + info.offset == theirs.data_offset
            assert (info.n_bytes, info.n_elements) == (theirs.n_bytes, theirs.n_elements)
            expected = gguf_quants.dequantize(theirs.data, theirs.tensor_type)
            assert_same_bits(gguf.tensor(theirs.name), expected)


# --- files GGUFWriter makes --------------------------------------------------------------


def write_tensors(path: Path, alignment: int | None = None) -> dict[str, np.ndarray]:
    """A GGUF file of tensors of every type we decode; returns the float arrays put in."""
    rng = np.random.default_rng(7)
    writer = GGUFWriter(str(path), "llama")
    if alignment is not None:
        writer.add_custom_alignment(alignment)
    floats = {
        "vector": rng.standard_normal(3).astype(np.float32),
        "matrix": rng.standard_normal((4, 5)).astype(np.float32),
        "cube": rng.standard_normal((2, 3, 4)).astype(np.float32),
        "half": rng.standard_normal((6, 8)).astype(np.float16),
    }
    for name, values in floats.items():
        writer.add_tensor(name, values)
    for kind in ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "BF16"]:
        values = rng.standard_normal((3, 64)).astype(np.float32)
        qtype = GGMLQuantizationType[kind]
        writer.add_tensor(kind, gguf_quants.quantize(values, qtype), raw_dtype=qtype)
    for kind in ["Q4_K", "Q6_K"]:  # gguf cannot quantize these: random blocks instead
        raw = random_blocks(rng, kind, 4).reshape(2, -1)
        writer.add_tensor(kind, raw, raw_dtype=GGMLQuantizationType[kind])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return {name: values.astype(np.float32) for name, values in floats.items()}


@pytest.mark.parametrize("alignment", [None, 64])
def test_gguf_writer_files_round_trip(tmp_path: Path, alignment: int | None) -> None:
    path = tmp_path / "tensors.gguf"
    floats = write_tensors(path, alignment)
    reader = GGUFReader(path)
    with GGUFFile(path) as gguf:
        assert gguf.alignment == (alignment or 32)
        assert list(gguf.tensors) == [t.name for t in reader.tensors]
        for name, values in floats.items():  # F32 exactly, F16 exactly as float16
            assert gguf.tensors[name].type == ("F16" if name == "half" else "F32")
            assert_same_bits(gguf.tensor(name), values)
        for theirs in reader.tensors:
            info = gguf.tensors[theirs.name]
            assert gguf.data_offset + info.offset == theirs.data_offset
            assert info.shape == tuple(reversed(theirs.shape.tolist()))
            expected = gguf_quants.dequantize(theirs.data, theirs.tensor_type)
            assert_same_bits(gguf.tensor(theirs.name), expected)
        assert gguf.tensors["Q6_K"].shape == (2, 512)


# --- damaged files -----------------------------------------------------------------------


def gguf_string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def build(
    path: Path,
    tensors: list[tuple[str, tuple[int, ...], int, int]],
    data_bytes: int,
    alignment: int | None = None,
) -> Path:
    """A GGUF file by hand: tensors as (name, ne, type code, offset), zero data."""
    kv = b""
    if alignment is not None:
        kv = gguf_string("general.alignment") + struct.pack("<II", 4, alignment)
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), int(alignment is not None)) + kv
    for name, ne, code, offset in tensors:
        head += gguf_string(name) + struct.pack(f"<I{len(ne)}QIQ", len(ne), *ne, code, offset)
    aligned = alignment if alignment and alignment & (alignment - 1) == 0 else 32
    head += bytes(-len(head) % aligned)
    path.write_bytes(head + bytes(data_bytes))
    return path


def error_for(path: Path) -> str:
    with pytest.raises(GGUFError) as caught:
        GGUFFile(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_gguf_a_good_hand_made_file_opens(tmp_path: Path) -> None:
    """The builder below is right, so the damage each case adds is what is caught."""
    path = build(tmp_path / "good.gguf", [("a", (32, 2), 2, 0), ("b", (4,), 0, 64)], 80)
    with GGUFFile(path) as gguf:
        assert gguf.tensor("a").shape == (2, 32) and gguf.tensor("b").tolist() == [0.0] * 4


@pytest.mark.parametrize(
    ("tensors", "data_bytes", "alignment", "message"),
    [
        ([("a", (32, 2), 2, 0)], 35, None, "ends at byte .* cut short"),
        ([("a", (4,), 0, 0), ("b", (4,), 0, 4096)], 64, None, "'b' ends at byte"),
        ([("a", (4,), 99, 0)], 64, None, "ggml type 99, which we do not know"),
        ([("a", (4,), 0, 4)], 64, None, "data offset 4, not a multiple .* alignment 32"),
        ([("a", (4,), 0, 32)], 64, 64, "data offset 32, not a multiple .* alignment 64"),
        ([("a", (16,), 2, 0)], 64, None, "rows of 16 values, not whole Q4_0 blocks of 32"),
        ([("a", (4,), 0, 0), ("a", (4,), 0, 32)], 64, None, "described twice"),
        ([("a", (1, 1, 1, 1, 1), 0, 0)], 64, None, "5 dimensions"),
        ([("a", (4,), 0, 0)], 64, 3, "general.alignment is 3"),
    ],
)
def test_gguf_damaged_files_are_one_clear_error(
    tmp_path: Path, tensors: list, data_bytes: int, alignment: int | None, message: str
) -> None:
    path = build(tmp_path / "bad.gguf", tensors, data_bytes, alignment)
    assert re.search(message, error_for(path))


def test_gguf_missing_or_undecodable_tensors_are_gguf_errors(tmp_path: Path) -> None:
    path = build(tmp_path / "q2k.gguf", [("q2", (256,), 10, 0)], 84)
    gguf = GGUFFile(path)
    assert gguf.tensors["q2"].type == "Q2_K" and gguf.raw("q2").size == 84
    with pytest.raises(GGUFError, match="Q2_K, which we do not dequantize"):
        gguf.tensor("q2")
    with pytest.raises(GGUFError, match="no tensor 'nope'; its 1 tensors"):
        gguf.tensor("nope")
    gguf.close()
    with pytest.raises(GGUFError, match="is closed"):
        gguf.tensor("q2")
    with pytest.raises(GGUFError, match="no GGUF file"):
        GGUFFile(tmp_path / "missing.gguf")
    (tmp_path / "empty.gguf").write_bytes(b"")
    assert "not a GGUF file" in error_for(tmp_path / "empty.gguf")


def test_gguf_arrays_outlive_the_file(tmp_path: Path) -> None:
    path = tmp_path / "tensors.gguf"
    floats = write_tensors(path)
    with GGUFFile(path) as gguf:
        values, raw = gguf.tensor("matrix"), gguf.raw("matrix")
    assert np.array_equal(values, floats["matrix"])
    assert np.array_equal(raw.view("<f4").reshape(4, 5), floats["matrix"])  # still mapped


@settings(max_examples=40, deadline=None)
@given(fraction=st.floats(0.0, 0.9999))
def test_gguf_a_file_cut_anywhere_is_a_gguf_error(tmp_path_factory, fraction: float) -> None:
    """Cut in the metadata, the tensor descriptions or the data: always a GGUFError."""
    folder = tmp_path_factory.mktemp("cut")
    whole = folder / "whole.gguf"
    write_tensors(whole)
    with GGUFFile(whole) as gguf:
        end = max(gguf.data_offset + t.offset + t.n_bytes for t in gguf.tensors.values())
    cut = folder / "cut.gguf"
    cut.write_bytes(whole.read_bytes()[: int(fraction * end)])
    error_for(cut)
