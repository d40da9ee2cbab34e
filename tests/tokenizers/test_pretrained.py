"""Tests for nlpjourney.tokenizers.pretrained: load() looks names up in a registry."""

from __future__ import annotations

import pytest

from nlpjourney.errors import UnknownNameError
from nlpjourney.tokenizers import CharTokenizer, Tokenizer, load, register_loader
from nlpjourney.tokenizers.pretrained import PRETRAINED


def test_pretrained_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownNameError, match="'gpt3'.*Did you mean gpt2.*Known: gpt2, llama3"):
        load("gpt3")
    assert {"gpt2", "llama3", "llama2", "bert-uncased", "smollm2"} <= set(PRETRAINED)


def test_pretrained_register_loader_adds_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("nlpjourney.tokenizers.pretrained.PRETRAINED", dict(PRETRAINED))

    @register_loader("letters")
    def letters() -> Tokenizer:
        return CharTokenizer("abc")

    assert isinstance(load("letters"), CharTokenizer)
    with pytest.raises(ValueError, match="'letters' is registered already"):
        register_loader("letters")(lambda: CharTokenizer("xyz"))
