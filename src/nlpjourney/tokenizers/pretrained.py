"""The real tokenizers the course uses, by name, read offline from the data registry.

>>> from nlpjourney.tokenizers import load
>>> load("gpt2").encode("Hello world")  # doctest: +SKIP
[15496, 995]

Each name maps to the registry entry holding its files and to the reader for them:

- ``"gpt2"``: byte-level BPE from OpenAI's ``encoder.json`` and ``vocab.bpe``;
- ``"llama3"``: byte-level BPE (GPT-4-style split pattern) from Hugging Face
  ``tokenizer.json``, chat template from ``tokenizer_config.json``;
- ``"llama2"``: SentencePiece-style BPE with byte fallback, from ``tokenizer.json``;
- ``"bert-uncased"``: WordPiece with BERT's basic tokenizer, the all-MiniLM-L6-v2
  package's ``tokenizer.json``;
- ``"smollm2"``: byte-level BPE and chat template from the SmolLM2 GGUF file's metadata.

Each reader is registered under its name with :func:`register_loader`, and :func:`load`
looks the name up; a reader that needs more than this package (the GGUF file reader)
imports it when it runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from nlpjourney import data
from nlpjourney.errors import lookup
from nlpjourney.tokenizers.base import Tokenizer

__all__ = ["PRETRAINED", "load", "load_folder", "register_loader"]

Loader = Callable[[], Tokenizer]

#: name -> the function that reads that tokenizer (filled by :func:`register_loader`).
PRETRAINED: dict[str, Loader] = {}


def register_loader(name: str) -> Callable[[Loader], Loader]:
    """Decorator: ``load(name)`` calls the decorated function (no arguments).

    Raises:
        ValueError: ``name`` is taken by another loader.
    """

    def register(loader: Loader) -> Loader:
        if name in PRETRAINED and PRETRAINED[name] is not loader:
            raise ValueError(f"a tokenizer loader named {name!r} is registered already")
        PRETRAINED[name] = loader
        return loader

    return register


@register_loader("gpt2")
def _gpt2() -> Tokenizer:
    from nlpjourney.tokenizers.bpe import load_gpt2

    folder = data.path("gpt2_tokenizer")
    return load_gpt2(folder / "encoder.json", folder / "vocab.bpe")


def _with_config(folder: Path) -> Tokenizer:
    """``tokenizer.json`` plus the chat template and bos/eos of ``tokenizer_config.json``."""
    tokenizer = Tokenizer.from_file(folder / "tokenizer.json")
    config_file = folder / "tokenizer_config.json"
    if config_file.is_file():
        config = json.loads(config_file.read_text(encoding="utf-8"))
        tokenizer.chat_template = config.get("chat_template")
        for key in ("bos_token", "eos_token"):
            value = config.get(key)
            if isinstance(value, dict):  # an AddedToken object
                value = value.get("content")
            setattr(tokenizer, key, value)
    return tokenizer


def load_folder(folder: str | Path) -> Tokenizer:
    """The tokenizer of a Hugging Face model folder: ``tokenizer.json``, with the chat
    template and bos/eos tokens of ``tokenizer_config.json`` when it is there.

    Raises:
        TokenizerFileError: no ``tokenizer.json``, or one of a kind we do not build.
    """
    return _with_config(Path(folder))


@register_loader("llama3")
def _llama3() -> Tokenizer:
    return _with_config(data.path("llama3_tokenizer"))


@register_loader("llama2")
def _llama2() -> Tokenizer:
    return _with_config(data.path("llama2_tokenizer"))


@register_loader("bert-uncased")
def _bert_uncased() -> Tokenizer:
    return Tokenizer.from_file(data.path("all_minilm_l6_v2") / "tokenizer.json")


@register_loader("smollm2")
def _smollm2() -> Tokenizer:
    from nlpjourney.tokenizers.gguf import tokenizer_from_gguf

    return tokenizer_from_gguf(data.path("smollm2_135m_instruct"))


def load(name: str) -> Tokenizer:
    """The pretrained tokenizer ``name`` (one of :data:`PRETRAINED`), read offline.

    Raises:
        UnknownNameError: ``name`` is not one we ship a reader for.
        DataNotFoundError: its files are in no mirror, cache or package.
    """
    reader = lookup(PRETRAINED, name, "tokenizer", f"Known: {', '.join(PRETRAINED)}.")
    return reader()
