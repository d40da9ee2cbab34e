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
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from nlpjourney import data
from nlpjourney.errors import lookup
from nlpjourney.tokenizers.base import Tokenizer

__all__ = ["PRETRAINED", "load"]


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


def _llama3() -> Tokenizer:
    return _with_config(data.path("llama3_tokenizer"))


def _llama2() -> Tokenizer:
    return _with_config(data.path("llama2_tokenizer"))


def _bert_uncased() -> Tokenizer:
    return Tokenizer.from_file(data.path("all_minilm_l6_v2") / "tokenizer.json")


def _smollm2() -> Tokenizer:
    from nlpjourney.tokenizers.gguf import tokenizer_from_gguf

    return tokenizer_from_gguf(data.path("smollm2_135m_instruct"))


PRETRAINED: dict[str, Callable[[], Tokenizer]] = {
    "gpt2": _gpt2,
    "llama3": _llama3,
    "llama2": _llama2,
    "bert-uncased": _bert_uncased,
    "smollm2": _smollm2,
}


def load(name: str) -> Tokenizer:
    """The pretrained tokenizer ``name`` (one of :data:`PRETRAINED`), read offline.

    Raises:
        UnknownNameError: ``name`` is not one we ship a reader for.
        DataNotFoundError: its files are in no mirror, cache or package.
    """
    reader = lookup(PRETRAINED, name, "tokenizer", f"Known: {', '.join(PRETRAINED)}.")
    return reader()
