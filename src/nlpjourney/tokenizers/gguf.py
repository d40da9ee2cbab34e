"""A byte-level BPE tokenizer read from a GGUF model file's metadata.

GGUF (llama.cpp's single-file format) carries no ``tokenizer.json``; the tokenizer lives
in metadata keys instead:

- ``tokenizer.ggml.model``: the tokenizer family; ``"gpt2"`` means byte-level BPE;
- ``tokenizer.ggml.pre``: which split regex (llama.cpp's pre-tokenizer name, such as
  ``"smollm"`` or ``"llama-bpe"``);
- ``tokenizer.ggml.tokens`` / ``token_type``: every token in id order, written in GPT-2's
  stand-ins, and its kind (1 normal, 3 control such as ``<|im_start|>``, 4 user-defined);
- ``tokenizer.ggml.merges``: ``"Ġ t"``-style merges in rank order;
- ``tokenizer.ggml.bos_token_id`` / ``eos_token_id`` / ``add_bos_token``, and
  ``tokenizer.chat_template``.

:func:`nlpjourney.data.gguf.read_metadata` reads them, without reading the weights.

>>> tok = tokenizer_from_gguf(data.path("smollm2_135m_instruct"))  # doctest: +SKIP
>>> tok.apply_chat_template([{"role": "user", "content": "Hi"}])  # doctest: +SKIP

Reference: ``transformers``' GGUF tokenizer conversion
(``AutoTokenizer.from_pretrained(folder, gguf_file=...)``) and a ``tokenizers`` BPE built
from the same tokens and merges with llama.cpp's pre-tokenizer for the file's
``tokenizer.ggml.pre`` (``transformers`` ignores ``"smollm"``, so differs on digits).

Simplifications:
    - Only the ``"gpt2"`` (byte-level BPE) tokenizer family is built; SentencePiece
      (``"llama"``), WordPiece (``"bert"``) and others raise :class:`TokenizerFileError`.
    - Control and user-defined tokens are all matched whole in the text, as special tokens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nlpjourney.data.gguf import GGUFError, read_metadata
from nlpjourney.tokenizers.base import TokenizerFileError
from nlpjourney.tokenizers.bpe import ByteLevelBPETokenizer
from nlpjourney.tokenizers.byte_level import merges_from_lines, text_to_bytes

__all__ = ["PRE_TOKENIZERS", "tokenizer_from_gguf"]

# llama.cpp's pre-tokenizer names -> (our split pattern, ignore_merges), after
# llama-vocab.cpp: Llama 3's family looks a whole piece up before merging.
PRE_TOKENIZERS: dict[str, tuple[str, bool]] = {
    "default": ("gpt2", False),
    "gpt-2": ("gpt2", False),
    "gpt2": ("gpt2", False),
    "llama3": ("llama3", True),
    "llama-bpe": ("llama3", True),
    "llama-v3": ("llama3", True),
    "smollm": ("smollm", False),
    "starcoder": ("smollm", False),
    "refact": ("smollm", False),
}

_CONTROL, _USER_DEFINED = 3, 4  # llama.cpp token types taken as special tokens


def _fields(path: Path) -> dict[str, Any]:
    """The file's tokenizer metadata as ``{key: value}`` (tensors are not read)."""
    try:
        meta = read_metadata(path)
    except GGUFError as error:
        raise TokenizerFileError(str(error)) from None
    return {key: value for key, value in meta.items() if key.startswith("tokenizer.")}


def tokenizer_from_gguf(path: str | Path) -> ByteLevelBPETokenizer:
    """The byte-level BPE tokenizer stored in a GGUF file, chat template included.

    Args:
        path: a ``.gguf`` model file.

    Returns:
        A :class:`ByteLevelBPETokenizer` with ``chat_template``, ``bos_token`` and
        ``eos_token`` set from the file; with ``add_special_tokens=True`` it adds BOS/EOS
        when the file's ``add_bos_token``/``add_eos_token`` say so.

    Raises:
        TokenizerFileError: the file is missing, not GGUF, has no tokenizer, or holds a
            tokenizer family or pre-tokenizer we do not build.
    """
    path = Path(path)
    meta = _fields(path)
    model = meta.get("tokenizer.ggml.model")
    if model is None:
        raise TokenizerFileError(f"{path} has no tokenizer metadata (tokenizer.ggml.model).")
    if model != "gpt2":
        raise TokenizerFileError(
            f"{path} holds a {model!r} tokenizer; we build byte-level BPE ('gpt2') from "
            "GGUF files. Use the model's tokenizer.json with Tokenizer.from_file instead."
        )
    pre = meta.get("tokenizer.ggml.pre", "default")
    if pre not in PRE_TOKENIZERS:
        raise TokenizerFileError(
            f"{path} asks for llama.cpp's {pre!r} pre-tokenizer; we know "
            f"{', '.join(sorted(PRE_TOKENIZERS))}."
        )
    pattern, ignore_merges = PRE_TOKENIZERS[pre]
    tokens: list[str] = meta.get("tokenizer.ggml.tokens") or []
    kinds: list[int] = meta.get("tokenizer.ggml.token_type") or [1] * len(tokens)
    if not tokens or len(kinds) != len(tokens):
        raise TokenizerFileError(f"{path} has no token list, or token types of another length.")

    special: dict[str, int] = {}
    vocab: dict[bytes, int] = {}
    try:
        for i, (token, kind) in enumerate(zip(tokens, kinds, strict=True)):
            if kind in (_CONTROL, _USER_DEFINED):
                special[token] = i
            else:
                vocab[text_to_bytes(token)] = i
        merges = merges_from_lines(meta.get("tokenizer.ggml.merges") or [])
    except ValueError as error:
        raise TokenizerFileError(
            f"{path}: a token or merge is not byte-level BPE ({error})."
        ) from None
    try:
        tokenizer = ByteLevelBPETokenizer(
            merges, pattern, special_tokens=special, vocab=vocab, ignore_merges=ignore_merges
        )
    except ValueError as error:
        raise TokenizerFileError(f"{path}: {error}") from None

    def token_of(key: str) -> tuple[str | None, list[int]]:
        i = meta.get(f"tokenizer.ggml.{key}_token_id")
        if i is None or not 0 <= int(i) < len(tokens):
            return None, []
        return tokens[int(i)], [int(i)]

    bos, bos_ids = token_of("bos")
    eos, eos_ids = token_of("eos")
    tokenizer.bos_token, tokenizer.eos_token = bos, eos
    if meta.get("tokenizer.ggml.add_bos_token"):
        tokenizer.prefix_ids = bos_ids
    if meta.get("tokenizer.ggml.add_eos_token"):
        tokenizer.suffix_ids = eos_ids
    tokenizer.chat_template = meta.get("tokenizer.chat_template")
    return tokenizer
