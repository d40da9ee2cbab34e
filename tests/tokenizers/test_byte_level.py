"""Tests for nlpjourney.tokenizers.byte_level: the stand-in table and the split patterns.

- The 256 stand-ins equal ``transformers``' ``bytes_to_unicode`` and the alphabet of
  ``tokenizers``' ``ByteLevel`` pre-tokenizer; the conversions are inverses and refuse
  foreign characters.
- The GPT-2 pattern cuts any string as tiktoken's current ``gpt2`` pattern does (its
  possessive, ``\\s++$`` spelling) and as ``tokenizers``' ``ByteLevel`` pre-tokenizer does;
  the GPT-4 pattern as Llama 3's ``Split`` does in ``tokenizers``, and as tiktoken's
  current ``cl100k_base`` spelling except for whitespace after a newline at the very end
  (``"a\\n "``: theirs keeps ``"\\n "`` whole); the SmolLM pattern as ``Digits`` then
  ``ByteLevel``.
"""

from __future__ import annotations

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import Regex, pre_tokenizers
from transformers.convert_slow_tokenizer import bytes_to_unicode

from nlpjourney.tokenizers.byte_level import (
    BYTE_TO_CHAR,
    PATTERNS,
    byte_to_char,
    bytes_to_text,
    char_to_byte,
    compile_pattern,
    text_to_bytes,
)

# Characters Python's Unicode 14 tables assign (newer ones differ between regex engines).
ASSIGNED = st.text(st.characters(exclude_categories=("Cs", "Cn")))
TRICKY = st.text(
    alphabet=st.sampled_from(list(" \n\t\r\u00a0\u3000aZsStTlLvVdDmMé'’0123١!?.,-你😀\u0301")),
    max_size=60,
)
TIKTOKEN_GPT2 = (
    r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
)
TIKTOKEN_CL100K = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)


def hf_pieces(pre_tokenizer: pre_tokenizers.PreTokenizer, text: str) -> list[str]:
    return [piece for piece, _ in pre_tokenizer.pre_tokenize_str(text)]


def test_byte_level_table_equals_gpt2s_bytes_to_unicode() -> None:
    assert {b: byte_to_char(b) for b in range(256)} == bytes_to_unicode()
    assert set(BYTE_TO_CHAR) == set(pre_tokenizers.ByteLevel.alphabet())
    assert byte_to_char(32) == "Ġ" and char_to_byte("Ċ") == 10


@given(st.binary())
def test_byte_level_conversions_are_inverses(data: bytes) -> None:
    text = bytes_to_text(data)
    assert len(text) == len(data) and text_to_bytes(text) == data


@pytest.mark.parametrize("foreign", [" ", "\n", "▁", "€"])
def test_byte_level_text_to_bytes_refuses_foreign_characters(foreign: str) -> None:
    with pytest.raises(ValueError, match="stand-in"):
        text_to_bytes("Ġhi" + foreign)


@given(st.one_of(ASSIGNED, TRICKY))
def test_byte_level_gpt2_pattern_cuts_as_tiktoken_and_tokenizers(text: str) -> None:
    pieces = compile_pattern("gpt2").findall(text)
    assert pieces == regex.findall(TIKTOKEN_GPT2, text)
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    assert [bytes_to_text(p.encode()) for p in pieces] == hf_pieces(byte_level, text)


@given(st.one_of(ASSIGNED, TRICKY))
def test_byte_level_gpt4_pattern_cuts_as_llama3s_split(text: str) -> None:
    split = pre_tokenizers.Split(Regex(PATTERNS["llama3"]), behavior="isolated")
    assert compile_pattern("gpt4").findall(text) == hf_pieces(split, text)
    assert compile_pattern("llama3").findall(text) == compile_pattern("gpt4").findall(text)


@given(st.one_of(ASSIGNED, TRICKY))
def test_byte_level_gpt4_pattern_cuts_as_tiktoken_but_at_the_very_end(text: str) -> None:
    """tiktoken's current cl100k spelling differs only in whitespace ending the text."""
    ours, theirs = compile_pattern("gpt4").findall(text), regex.findall(TIKTOKEN_CL100K, text)
    if ours != theirs:
        tail = regex.search(r"\s+$", text)
        assert tail is not None and "".join(theirs[-1:]) == tail.group()
        assert "".join(ours).endswith(tail.group()) and len(ours) > len(theirs)


def test_byte_level_gpt4_trailing_whitespace_difference_pinned() -> None:
    assert compile_pattern("gpt4").findall("a\n ") == ["a", "\n", " "]
    assert regex.findall(TIKTOKEN_CL100K, "a\n ") == ["a", "\n "]


@given(st.one_of(ASSIGNED, TRICKY))
def test_byte_level_smollm_pattern_cuts_as_digits_then_byte_level(text: str) -> None:
    steps = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    pieces = compile_pattern("smollm").findall(text)
    assert [bytes_to_text(p.encode()) for p in pieces] == hf_pieces(steps, text)


def test_byte_level_patterns_by_name_or_regex() -> None:
    assert compile_pattern("gpt2").findall("Hello  world's 2024!") == [
        "Hello", " ", " world", "'s", " 2024", "!",
    ]  # fmt: skip
    assert compile_pattern("gpt4").findall("I'M 12345\n\n") == ["I", "'M", " ", "123", "45", "\n\n"]
    assert compile_pattern("smollm").findall("a  12") == ["a", "  ", "1", "2"]
    assert compile_pattern(r"\w+").findall("a b") == ["a", "b"]
    assert set(PATTERNS) >= {"gpt2", "gpt4", "llama3", "smollm"}
