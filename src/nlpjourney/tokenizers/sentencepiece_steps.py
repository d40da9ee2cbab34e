"""The text steps around a SentencePiece-style model, read from ``tokenizer.json``.

A SentencePiece tokenizer never splits on spaces the way BERT does: it makes spaces
visible as ``"▁"`` (U+2581) and lets the model learn pieces such as ``"▁the"``. In a
Hugging Face ``tokenizer.json`` that is spelled as small steps, which this module runs:

- normalizer steps, on each stretch of text between special tokens:
  ``Prepend("▁")`` (only to a non-empty stretch), ``Replace(" ", "▁")``, Unicode
  normal forms, ``Lowercase``, ``Strip``, chained by ``Sequence``;
- the ``Metaspace`` pre-tokenizer (spaces to ``"▁"``, a ``"▁"`` put first, then a cut
  before each ``"▁"``), or none (the whole stretch is one word);
- decoder steps, on the list of token strings: ``Replace``, ``ByteFallback``
  (``<0x0A>``-style tokens back to bytes, then text), ``Fuse``, ``Strip``, ``Metaspace``.

The step dicts are kept as read, so writing the file back is a copy.

>>> llama = {"type": "Sequence", "normalizers": [
...     {"type": "Prepend", "prepend": "▁"},
...     {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}
>>> normalize(llama, "Hello world")
'▁Hello▁world'
>>> metaspace_split("▁Hello▁▁world", "▁")
['▁Hello', '▁', '▁world']

Reference: the ``tokenizers`` library's normalizers (``Prepend``, ``Replace``,
``NFKC``...), its ``Metaspace`` pre-tokenizer and its decoders (``ByteFallback``,
``Fuse``, ``Strip``, ``Metaspace``), as they behave in tokenizers 0.23.

Simplifications:
    - ``Replace`` takes a plain string pattern only, not a regex.
    - ``Metaspace`` with ``prepend_scheme="first"`` (prepend only at the very start of the
      text, not after a special token) is not read: each stretch would need to know
      whether it comes first.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from nlpjourney.tokenizers.base import TokenizerFileError

__all__ = [
    "byte_fallback_token",
    "check_decoder",
    "check_normalizer",
    "check_pre_tokenizer",
    "decode_tokens",
    "is_local",
    "metaspace_split",
    "normalize",
    "pre_tokenize",
]

_NORMAL_FORMS = {"NFC", "NFD", "NFKC", "NFKD"}
_NORMALIZERS = {"Sequence", "Prepend", "Replace", "Lowercase", "Strip", *_NORMAL_FORMS}
_DECODERS = {"Sequence", "Replace", "ByteFallback", "Fuse", "Strip", "Metaspace"}


def byte_fallback_token(byte: int) -> str:
    """The vocabulary entry that stands for one byte: ``byte_fallback_token(10) == "<0x0A>"``."""
    return f"<0x{byte:02X}>"


def _string_pattern(step: dict[str, Any]) -> str:
    pattern = step.get("pattern", {})
    if "String" not in pattern:
        raise TokenizerFileError(
            f"a Replace step with pattern {pattern!r}: we read plain string patterns only."
        )
    return pattern["String"]


def _check_steps(spec: dict[str, Any] | None, known: set[str], what: str, steps_key: str) -> None:
    """Raise :class:`TokenizerFileError` if ``spec`` (a normalizer or decoder, maybe a
    ``Sequence`` of them under ``steps_key``) has a step type outside ``known``."""
    if spec is None:
        return
    kind = spec.get("type")
    if kind not in known:
        raise TokenizerFileError(
            f"{what} {kind!r} is not one we run for SentencePiece-style models "
            f"({', '.join(sorted(known))})."
        )
    if kind == "Sequence":
        for step in spec[steps_key]:
            _check_steps(step, known, what, steps_key)
    elif kind == "Replace":
        _string_pattern(spec)


def check_normalizer(spec: dict[str, Any] | None) -> None:
    """Raise :class:`TokenizerFileError` if ``spec`` has a step we do not run."""
    _check_steps(spec, _NORMALIZERS, "normalizer", "normalizers")


def normalize(spec: dict[str, Any] | None, text: str, continued: bool = False) -> str:
    """Run a normalizer spec (checked by :func:`check_normalizer`) on ``text``.

    Args:
        spec: the normalizer.
        text: a stretch of text.
        continued: ``text`` continues a stretch cut before it (``encode_iterable``), so
            nothing is prepended.
    """
    if spec is None:
        return text
    kind = spec["type"]
    if kind == "Sequence":
        for step in spec["normalizers"]:
            text = normalize(step, text, continued)
        return text
    if kind == "Prepend":
        if continued:
            return text
        # subtle: tokenizers prepends only to a non-empty string, so "" stays "" (no "▁").
        return spec["prepend"] + text if text else text
    if kind == "Replace":
        return text.replace(_string_pattern(spec), spec["content"])
    if kind in _NORMAL_FORMS:
        return unicodedata.normalize(kind, text)
    if kind == "Lowercase":
        # Character by character, as tokenizers does: no context rule for final sigma.
        return "".join(c.lower() for c in text)
    if kind == "Strip":
        if spec.get("left", True):
            text = text.lstrip()
        if spec.get("right", True):
            text = text.rstrip()
        return text
    raise AssertionError(kind)  # check_normalizer lets nothing else through


def is_local(spec: dict[str, Any] | None) -> bool:
    """Whether a normalizer may run on the two sides of a space or a newline apart.

    Prepending (only at the start), one-character replacements, lower-casing and the
    Unicode normal forms qualify: a space or newline composes with nothing, and no other
    character moves across it. ``Strip`` and longer patterns do not.

    >>> is_local({"type": "Strip"}), is_local(None)
    (False, True)
    """
    if spec is None:
        return True
    kind = spec["type"]
    if kind == "Sequence":
        return all(map(is_local, spec["normalizers"]))
    if kind == "Replace":
        return len(_string_pattern(spec)) == 1
    return kind in {"Prepend", "Lowercase", *_NORMAL_FORMS}


def check_pre_tokenizer(spec: dict[str, Any] | None) -> None:
    """Raise :class:`TokenizerFileError` unless ``spec`` is none or a Metaspace we run."""
    if spec is None:
        return
    if spec.get("type") != "Metaspace":
        raise TokenizerFileError(
            f"pre-tokenizer {spec.get('type')!r}: SentencePiece-style models here take "
            "none or Metaspace."
        )
    scheme = spec.get("prepend_scheme", "always")
    if scheme not in ("always", "never"):
        raise TokenizerFileError(
            f"Metaspace prepend_scheme {scheme!r} is not supported (only 'always', 'never')."
        )


def metaspace_split(text: str, replacement: str) -> list[str]:
    """Cut before each ``replacement``, which starts the next piece (tokenizers'
    ``MergedWithNext``): ``"ab▁c▁▁"`` -> ``["ab", "▁c", "▁", "▁"]``."""
    pieces: list[str] = []
    start = 0
    for i, char in enumerate(text):
        if char == replacement and i > start:
            pieces.append(text[start:i])
            start = i
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def pre_tokenize(spec: dict[str, Any] | None, text: str) -> list[str]:
    """The words of a normalized stretch of text (all of it when ``spec`` is None).

    >>> pre_tokenize({"type": "Metaspace", "replacement": "▁"}, "hi  you")
    ['▁hi', '▁', '▁you']
    """
    if spec is None:
        return [text] if text else []
    replacement = spec.get("replacement", "▁")
    text = text.replace(" ", replacement)
    if spec.get("prepend_scheme", "always") == "always" and not text.startswith(replacement):
        text = replacement + text
    if spec.get("split", True):
        return metaspace_split(text, replacement)
    return [text]


def check_decoder(spec: dict[str, Any] | None) -> None:
    """Raise :class:`TokenizerFileError` if ``spec`` has a decoder step we do not run."""
    _check_steps(spec, _DECODERS, "decoder", "decoders")


def _byte_of(token: str) -> int | None:
    """The byte a ``<0xNN>`` token stands for, else None."""
    if len(token) == 6 and token.startswith("<0x") and token.endswith(">"):
        try:
            return int(token[3:5], 16)
        except ValueError:
            return None
    return None


def _byte_fallback(tokens: list[str]) -> list[str]:
    out: list[str] = []
    run: list[int] = []

    def flush() -> None:
        if not run:
            return
        try:
            out.append(bytes(run).decode("utf-8"))
        except UnicodeDecodeError:
            # subtle: a run that is not valid UTF-8 becomes one U+FFFD per byte token,
            # even where part of the run would decode.
            out.extend("\ufffd" * len(run))
        run.clear()

    for token in tokens:
        byte = _byte_of(token)
        if byte is None:
            flush()
            out.append(token)
        else:
            run.append(byte)
    flush()
    return out


def _strip(token: str, char: str, start: int, stop: int) -> str:
    begin = 0
    while begin < min(start, len(token)) and token[begin] == char:
        begin += 1
    end = len(token)
    while len(token) - end < stop and end > begin and token[end - 1] == char:
        end -= 1
    return token[begin:end]


def _decode_chain(spec: dict[str, Any], tokens: list[str]) -> list[str]:
    kind = spec["type"]
    if kind == "Sequence":
        for step in spec["decoders"]:
            tokens = _decode_chain(step, tokens)
        return tokens
    if kind == "Replace":
        old, new = _string_pattern(spec), spec["content"]
        return [t.replace(old, new) for t in tokens]
    if kind == "ByteFallback":
        return _byte_fallback(tokens)
    if kind == "Fuse":
        return ["".join(tokens)]
    if kind == "Strip":
        char, start, stop = spec["content"], spec.get("start", 0), spec.get("stop", 0)
        return [_strip(t, char, start, stop) for t in tokens]
    if kind == "Metaspace":
        replacement = spec.get("replacement", "▁")
        keep_first = spec.get("prepend_scheme", "always") == "never"
        out = []
        for i, token in enumerate(tokens):
            if i == 0 and not keep_first:
                # subtle: every "▁" of the first token goes, not only a leading one.
                out.append(token.replace(replacement, ""))
            else:
                out.append(token.replace(replacement, " "))
        return out
    raise AssertionError(kind)  # check_decoder lets nothing else through


def decode_tokens(spec: dict[str, Any] | None, tokens: list[str]) -> str:
    """Run a decoder spec over token strings and join the result."""
    if spec is None:
        return "".join(tokens)
    return "".join(_decode_chain(spec, tokens))
