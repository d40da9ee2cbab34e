"""Tests for nlpjourney.tokenizers.char: the character tokenizer is a full Tokenizer.

- ``decode(encode(s)) == s`` for any text it was built from; ``to_dict``/``from_dict`` (the
  form a prepared dataset's ``meta.json`` holds) round trips, and an old ``meta`` still loads.
- Unknown characters and ids are named errors.
- ``save`` writes a ``tokenizer.json`` that Hugging Face ``tokenizers`` reads to the same ids
  and text, and ``Tokenizer.from_file`` reads back as a ``CharTokenizer``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import Tokenizer as HFTokenizer

from nlpjourney.tokenizers import CharTokenizer, Tokenizer, TokenizerFileError


@given(st.text(min_size=1))
def test_char_round_trip(text: str) -> None:
    tokenizer = CharTokenizer.from_text(text)
    assert isinstance(tokenizer, Tokenizer)
    assert tokenizer.decode(tokenizer.encode(text)) == text
    assert tokenizer.chars == sorted(set(text))
    assert CharTokenizer.from_dict(tokenizer.to_dict()).chars == tokenizer.chars


def test_char_reads_the_meta_of_prepared_datasets() -> None:
    """The form ``prepare_char`` has always stored in ``meta.json``."""
    tokenizer = CharTokenizer.from_dict({"type": "char", "chars": ["\n", " ", "a", "b"]})
    assert tokenizer.encode("ab a\n") == [2, 3, 1, 2, 0]
    assert tokenizer.to_dict() == {"type": "char", "chars": ["\n", " ", "a", "b"]}


def test_char_names_unknown_characters() -> None:
    tokenizer = CharTokenizer.from_text("abc")
    with pytest.raises(ValueError, match="'z' is not in"):
        tokenizer.encode("abz")
    with pytest.raises(ValueError, match=r"0\.\.2, got 7"):
        tokenizer.decode([0, 7])
    with pytest.raises(ValueError, match=r"0\.\.2, got -1"):
        tokenizer.decode([-1])
    with pytest.raises(ValueError, match="repeats"):
        CharTokenizer(["a", "a"])
    with pytest.raises(ValueError, match="single characters"):
        CharTokenizer(["ab"])
    with pytest.raises(TypeError, match="str"):
        tokenizer.encode(b"abc")  # type: ignore[arg-type]


def test_char_vocabulary_lookups() -> None:
    tokenizer = CharTokenizer.from_text("hello")
    assert tokenizer.vocab_size == 4
    assert tokenizer.token_to_id("l") == 2 and tokenizer.token_to_id("z") is None
    assert tokenizer.id_to_token(3) == "o"
    assert tokenizer.id_to_token(4) is None and tokenizer.id_to_token(-1) is None
    assert tokenizer.special_tokens == {}
    assert tokenizer.encode("hello", add_special_tokens=True) == tokenizer.encode("hello")
    assert repr(tokenizer) == "CharTokenizer(vocab_size=4)"


@given(st.text(min_size=1, max_size=200))
def test_char_saved_file_equals_tokenizers(text: str) -> None:
    """``tokenizers`` reads our file (WordLevel, Split per character, Fuse) to our ids."""
    tokenizer = CharTokenizer.from_text(text)
    theirs = HFTokenizer.from_str(json.dumps(tokenizer.to_hf_dict()))
    assert theirs.encode(text).ids == tokenizer.encode(text)
    assert theirs.decode(tokenizer.encode(text)) == text


def test_char_save_and_from_file(tmp_path: Path) -> None:
    tokenizer = CharTokenizer.from_text("To be, or not to be:\nthat is the question.")
    path = tokenizer.save(tmp_path / "char.json")
    again = Tokenizer.from_file(path)
    assert isinstance(again, CharTokenizer) and again.chars == tokenizer.chars
    assert HFTokenizer.from_file(str(path)).encode("to be").ids == tokenizer.encode("to be")


def test_char_from_file_refuses_what_is_not_a_character_vocabulary(tmp_path: Path) -> None:
    spec = CharTokenizer.from_text("ab").to_hf_dict()
    spec["model"]["vocab"] = {"a": 0, "b": 2}
    with pytest.raises(TokenizerFileError, match="0 .. n - 1"):
        CharTokenizer.from_hf_dict(spec)
    spec["model"]["vocab"] = {"ab": 0}
    path = tmp_path / "words.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(TokenizerFileError, match="'WordLevel' model of a kind we do not build"):
        Tokenizer.from_file(path)
