"""Tests for nlpjourney.tokenizers.gguf: SmolLM2's tokenizer read from its GGUF file.

- The reference is a ``tokenizers`` BPE built from the same tokens and merges with the
  pre-tokenizer of SmolLM2's own ``tokenizer.json`` (``Digits(individual_digits=True)``
  then ``ByteLevel``, llama.cpp's ``"smollm"``): equal ids on real lines and on any
  assigned Unicode, specials included.
- ``transformers``' GGUF conversion (``AutoTokenizer.from_pretrained(..., gguf_file=)``)
  ignores ``tokenizer.ggml.pre`` and splits with GPT-2's regex; we equal it on text
  where the two splits agree (no digits), and the known difference is pinned down.
- bos/eos, the chat template and the special-token ids come from the metadata; a file
  that is not GGUF, or holds another tokenizer family, is one clear error.

``gguf.GGUFReader`` takes 3-4 s to read this file's metadata, so the comparisons that need
a second read are marked slow.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest
from gguf import GGUFReader, GGUFWriter
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import AddedToken, decoders, models, pre_tokenizers
from tokenizers import Tokenizer as HFTokenizer

from nlpjourney import data
from nlpjourney.tokenizers import TokenizerFileError, load
from nlpjourney.tokenizers.bpe import ByteLevelBPETokenizer
from nlpjourney.tokenizers.gguf import tokenizer_from_gguf

ASSIGNED = st.text(st.characters(exclude_categories=("Cs", "Cn")))


def gguf_file() -> Path:
    return data.path("smollm2_135m_instruct")


@cache
def smollm2() -> ByteLevelBPETokenizer:
    tokenizer = load("smollm2")
    assert isinstance(tokenizer, ByteLevelBPETokenizer)
    return tokenizer


@cache
def metadata() -> dict:
    reader = GGUFReader(gguf_file())
    return {k: f.contents() for k, f in reader.fields.items() if k.startswith("tokenizer.")}


@cache
def reference() -> HFTokenizer:
    """SmolLM2's tokenizer.json, rebuilt in ``tokenizers`` from the GGUF's own lists."""
    meta = metadata()
    tokens, kinds = meta["tokenizer.ggml.tokens"], meta["tokenizer.ggml.token_type"]
    merges = [tuple(m.split(" ")) for m in meta["tokenizer.ggml.merges"]]
    tok = HFTokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    specials = [t for t, k in zip(tokens, kinds, strict=True) if k == 3]
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in specials])
    return tok


@cache
def transformers_gguf():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer

    path = gguf_file()
    return AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)


def real_lines() -> list[str]:
    lines = data.path("tinyshakespeare").read_text(encoding="utf-8").splitlines(True)[:3000]
    return lines + ["x\n 12", "a  1", "Hello world! 123", "  multiple   spaces", "20:45, 3.14"]


@pytest.mark.slow
def test_gguf_smollm2_equals_tokenizers_on_real_lines() -> None:
    lines = real_lines()
    expected = [e.ids for e in reference().encode_batch(lines)]
    assert smollm2().encode_batch(lines) == expected


@pytest.mark.slow
@given(ASSIGNED)
def test_gguf_smollm2_equals_tokenizers_on_any_unicode(text: str) -> None:
    # SmolLM2's vocabulary has no token for some bytes ("\x04", 0xF1...): both drop them.
    assert smollm2().encode(text) == reference().encode(text).ids


def test_gguf_smollm2_known_values_from_llama_cpp() -> None:
    """Ids llama.cpp's tokenizer tests list for the ``smollm`` pre-tokenizer."""
    assert smollm2().encode("Hello world! 123") == [19556, 905, 17, 216, 33, 34, 35]
    assert smollm2().encode("  multiple   spaces") == [216, 2701, 256, 5600]


@pytest.mark.slow
def test_gguf_smollm2_equals_transformers_where_the_splits_agree() -> None:
    theirs = transformers_gguf()
    lines = [line for line in real_lines() if not re.search(r"\d", line)]
    expected = [theirs(line, add_special_tokens=False)["input_ids"] for line in lines]
    assert smollm2().encode_batch(lines) == expected
    # transformers splits " 1" with GPT-2's regex, not digit by digit: "a  1" differs.
    assert smollm2().encode("a  1") != theirs("a  1", add_special_tokens=False)["input_ids"]


def test_gguf_smollm2_metadata() -> None:
    tok = smollm2()
    assert (tok.bos_token, tok.eos_token) == ("<|im_start|>", "<|im_end|>")
    assert tok.prefix_ids == [] and tok.suffix_ids == []  # add_bos_token is false
    assert tok.chat_template is not None and "<|im_start|>" in tok.chat_template
    assert tok.special_tokens["<|endoftext|>"] == 0 and len(tok.special_tokens) == 17
    assert tok.vocab_size == 49152
    assert tok.encode("<|im_start|>user\nHi<|im_end|>") == [1, 4093, 198, 26843, 2]
    assert tok.decode(tok.encode("Hello 2024 wörld")) == "Hello 2024 wörld"


@pytest.mark.slow
def test_gguf_smollm2_metadata_equals_the_files_lists() -> None:
    """The GGUF reader (3-4 s per read) seen directly: template, sizes, specials."""
    meta, tok = metadata(), smollm2()
    assert tok.chat_template == meta["tokenizer.chat_template"]
    assert tok.vocab_size == len(meta["tokenizer.ggml.tokens"])
    text = "<|im_start|>user\nHi<|im_end|><|endoftext|>"
    assert tok.encode(text) == reference().encode(text).ids


def test_gguf_not_a_gguf_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TokenizerFileError, match="no GGUF file"):
        tokenizer_from_gguf(tmp_path / "missing.gguf")
    text = tmp_path / "notes.gguf"
    text.write_text("just text, not a model")
    with pytest.raises(TokenizerFileError, match="not a GGUF file"):
        tokenizer_from_gguf(text)


def test_gguf_other_tokenizer_family_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "spm.gguf"
    writer = GGUFWriter(str(path), "llama")
    writer.add_tokenizer_model("llama")
    writer.add_token_list(["<unk>", "<s>", "</s>", "▁a"])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(TokenizerFileError, match="'llama' tokenizer"):
        tokenizer_from_gguf(path)
