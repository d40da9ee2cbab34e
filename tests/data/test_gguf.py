"""Tests for nlpjourney.data.gguf: the metadata of GGUF files equals what the ``gguf``
package's ``GGUFReader`` reads, on SmolLM2's file and on files its ``GGUFWriter`` makes
with every value type; a file cut short or not GGUF at all is one clear GGUFError."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from gguf import GGUFReader, GGUFValueType, GGUFWriter
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney import data
from nlpjourney.data.gguf import GGUFError, read_metadata


def reference(path: Path) -> dict:
    """``GGUFReader``'s view of the metadata, without its own header entries."""
    fields = GGUFReader(path).fields
    return {key: f.contents() for key, f in fields.items() if not key.startswith("GGUF.")}


def write_every_type(path: Path) -> Path:
    writer = GGUFWriter(str(path), "llama")
    writer.add_uint8("t.u8", 200)
    writer.add_int8("t.i8", -100)
    writer.add_uint16("t.u16", 60_000)
    writer.add_int16("t.i16", -30_000)
    writer.add_uint32("t.u32", 4_000_000_000)
    writer.add_int32("t.i32", -2_000_000_000)
    writer.add_float32("t.f32", 0.1)
    writer.add_uint64("t.u64", 2**63 + 5)
    writer.add_int64("t.i64", -(2**62))
    writer.add_float64("t.f64", 0.1)
    writer.add_bool("t.yes", True)
    writer.add_bool("t.no", False)
    writer.add_string("t.text", "naïve 🤖 text")
    writer.add_string("t.empty", "")
    writer.add_array("t.strings", ["a", "", "Ġthe", "<|im_start|>", "日本"])
    writer.add_array("t.ints", [1, -2, 3])
    writer.add_array("t.floats", [0.5, -1.25])
    writer.add_key_value("t.nested", [[1, 2], [3]], GGUFValueType.ARRAY)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture(scope="module")
def every_type(tmp_path_factory) -> Path:
    return write_every_type(tmp_path_factory.mktemp("gguf") / "every.gguf")


def test_gguf_reads_every_value_type_as_gguf_does(every_type: Path) -> None:
    ours, theirs = read_metadata(every_type), reference(every_type)
    # subtle: GGUFReader's contents() flattens an array of arrays ([1, 2, 3]), though its
    # field types say ARRAY of ARRAY of INT32; we keep the nesting the file holds.
    nested = GGUFReader(every_type).fields["t.nested"].types
    assert nested == [GGUFValueType.ARRAY, GGUFValueType.ARRAY, GGUFValueType.INT32]
    assert theirs.pop("t.nested") == [i for row in ours["t.nested"] for i in row]
    assert {key: value for key, value in ours.items() if key != "t.nested"} == theirs
    assert ours["t.u64"] == 2**63 + 5 and ours["t.f32"] == float(np.float32(0.1))
    assert ours["t.strings"] == ["a", "", "Ġthe", "<|im_start|>", "日本"]
    assert ours["t.nested"] == [[1, 2], [3]]
    assert type(ours["t.yes"]) is bool and type(ours["t.u8"]) is int


@pytest.mark.slow
def test_gguf_reads_smollm2_as_gguf_does() -> None:
    """Every key of the real model file, the 49,152 tokens and 48,900 merges included."""
    path = data.path("smollm2_135m_instruct")
    ours = read_metadata(path)
    assert list(ours) == list(reference(path))
    assert ours == reference(path)
    assert ours["general.architecture"] == "llama" and len(ours["tokenizer.ggml.tokens"]) == 49152


def test_gguf_bad_files_are_one_clear_error(tmp_path: Path, every_type: Path) -> None:
    with pytest.raises(GGUFError, match="no GGUF file"):
        read_metadata(tmp_path / "missing.gguf")
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(GGUFError, match="not a GGUF file"):
        read_metadata(empty)
    text = tmp_path / "model.txt"
    text.write_text("not a model at all")
    with pytest.raises(GGUFError, match="not a GGUF file"):
        read_metadata(text)
    old = tmp_path / "v1.gguf"
    old.write_bytes(b"GGUF" + struct.pack("<I", 1) + bytes(16))
    with pytest.raises(GGUFError, match="version 1"):
        read_metadata(old)


@settings(max_examples=60)
@given(fraction=st.floats(0.0, 0.999))
def test_gguf_a_file_cut_anywhere_is_a_gguf_error(tmp_path_factory, fraction: float) -> None:
    """However short the metadata is cut (a failed download), the error says so."""
    whole = write_every_type(tmp_path_factory.mktemp("cut") / "whole.gguf").read_bytes()
    # The writer pads the end to a 32-byte boundary: the metadata ends in the last 32 bytes.
    metadata_end = len(whole) - 32
    cut = tmp_path_factory.mktemp("cut") / "cut.gguf"
    cut.write_bytes(whole[: int(fraction * metadata_end)])
    with pytest.raises(GGUFError):
        read_metadata(cut)
