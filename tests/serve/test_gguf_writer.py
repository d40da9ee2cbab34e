"""Tests for nlpjourney.serve.gguf_writer: files the ``gguf`` package's ``GGUFReader`` and
our :class:`~nlpjourney.data.gguf.GGUFFile` read back value for value and byte for byte."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney.data.gguf import GGUFFile, read_metadata
from nlpjourney.serve.gguf_writer import (
    FLOAT64,
    INT8,
    INT64,
    UINT16,
    TensorSpec,
    Typed,
    encode_value,
    write_gguf,
)

METADATA = {
    "general.architecture": "llama",
    "count": 7,
    "big": 2**40,
    "negative": -3,
    "ratio": 0.5,
    "flag": True,
    "small": Typed(INT8, -5),
    "port": Typed(UINT16, 8000),
    "precise": Typed(FLOAT64, 0.1),
    "words": ["a", "ünïcode", ""],
    "ids": [1, -2, 3],
    "longs": Typed(INT64, [2**40, -1]),
    "empty": [],
}


def test_gguf_writer_file_reads_back_in_gguf_and_ours(tmp_path) -> None:
    from gguf import GGUFReader

    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(3, 5)).astype(np.float32)
    vector = rng.normal(size=7).astype(np.float32)
    cube = rng.normal(size=(2, 3, 4)).astype(np.float32)
    specs = [
        TensorSpec("matrix", (3, 5), "F32", lambda: matrix),
        TensorSpec("vector", (7,), "F32", lambda: vector),
        TensorSpec("cube", (2, 3, 4), "F16", lambda: cube),
    ]
    path = write_gguf(tmp_path / "x.gguf", METADATA, specs)
    assert not (tmp_path / "x.gguf.partial").exists()
    expected = {
        **METADATA, "small": -5, "port": 8000, "precise": 0.1, "longs": [2**40, -1],
    }  # fmt: skip
    ours = read_metadata(path)
    assert ours == expected
    theirs = {key: f.contents() for key, f in GGUFReader(path).fields.items()}
    assert {k: v for k, v in theirs.items() if not k.startswith("GGUF.")} == {
        **expected, "ratio": 0.5, "empty": [],
    }  # fmt: skip
    reader = GGUFReader(path)
    assert [t.name for t in reader.tensors] == ["matrix", "vector", "cube"]
    assert [t.tensor_type.name for t in reader.tensors] == ["F32", "F32", "F16"]
    assert all(t.data_offset % 32 == 0 for t in reader.tensors)
    with GGUFFile(path) as gguf:
        assert gguf.tensors["matrix"].ne == (5, 3) and gguf.tensors["cube"].shape == (2, 3, 4)
        assert np.array_equal(gguf.tensor("matrix"), matrix)
        assert np.array_equal(gguf.tensor("vector"), vector)
        assert np.array_equal(gguf.tensor("cube"), cube.astype(np.float16).astype(np.float32))
    assert np.array_equal(reader.tensors[0].data, matrix)


def test_gguf_writer_refuses_bad_input_and_leaves_no_file(tmp_path) -> None:
    def zeros() -> np.ndarray:
        return np.zeros((2, 2), np.float32)

    path = tmp_path / "x.gguf"
    with pytest.raises(ValueError, match="share a name"):
        write_gguf(path, {}, [TensorSpec("a", (2, 2), "F32", zeros)] * 2)
    with pytest.raises(ValueError, match="type 'Q4_0' is not one of"):
        write_gguf(path, {}, [TensorSpec("a", (2, 2), "Q4_0", zeros)])
    with pytest.raises(ValueError, match="made shape \\(2, 2\\), announced \\(4,\\)"):
        write_gguf(path, {}, [TensorSpec("a", (4,), "F32", zeros)])
    with pytest.raises(ValueError, match="alignment must be a positive multiple of 8"):
        write_gguf(path, {"general.alignment": 12}, [])
    with pytest.raises(TypeError, match="no GGUF type for a dict"):
        write_gguf(path, {"bad": {"a": 1}}, [])
    with pytest.raises(ValueError, match="does not fit GGUF type"):
        encode_value(Typed(INT8, 300))
    assert list(tmp_path.iterdir()) == []


DTYPES = {"F32": np.float32, "F16": np.float16}
_VALUES = st.one_of(
    st.booleans(),
    st.integers(0, 2**32 - 1),
    st.integers(-(2**63), -1),
    st.text(max_size=20),
    st.lists(st.text(max_size=8), min_size=1, max_size=5),
    st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=5),
)


@settings(max_examples=20, deadline=None)
@given(values=st.dictionaries(st.text("abc.", min_size=1, max_size=6), _VALUES, max_size=6))
def test_gguf_writer_metadata_round_trips_through_our_reader(tmp_path_factory, values) -> None:
    path = tmp_path_factory.mktemp("gguf") / "m.gguf"
    write_gguf(path, values, [])
    assert read_metadata(path) == values


def test_gguf_writer_writes_the_bytes_gguf_writer_writes(tmp_path) -> None:
    # A whole tiny Llama export, metadata and tensors, against the gguf package's writer.
    from support.gguf_reference import write_with_gguf_package

    from nlpjourney.models import Llama, LlamaConfig
    from nlpjourney.serve.export import Source
    from nlpjourney.serve.export_files import gguf_metadata, write_gguf_model
    from nlpjourney.tokenizers import train_bpe

    tokenizer = train_bpe(["a tiny text, a tiny test: 123"] * 5, 270, special_tokens=["<|end|>"])
    tokenizer.chat_template = "{{ messages[0]['content'] }}"
    config = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size)
    source = Source("tiny", Llama(config), tokenizer, {"eos": "<|end|>"})
    for dtype in ("float32", "float16"):
        metadata = gguf_metadata(source, dtype)
        ours = tmp_path / f"ours-{dtype}.gguf"
        write_gguf_model(source, ours, metadata, dtype, progress=False)
        # The values as our file holds them (checked against the model elsewhere).
        with GGUFFile(ours) as gguf:
            arrays = [(name, gguf.tensor(name).astype(DTYPES[info.type]))
                      for name, info in gguf.tensors.items()]  # fmt: skip
        theirs = write_with_gguf_package(tmp_path / f"theirs-{dtype}.gguf", metadata, arrays)
        assert ours.read_bytes() == theirs.read_bytes()
