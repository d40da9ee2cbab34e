"""GPT-2's printable stand-ins for the 256 byte values, and the text split patterns.

Byte-level BPE works on bytes, but GPT-2's files (``encoder.json``, ``vocab.bpe``) and
every Hugging Face ``tokenizer.json`` of a byte-level model write tokens as text. Each byte
gets a printable character: bytes that already print as a visible Latin-1 character stand
for themselves (``b"A"`` -> ``"A"``), the other 68 (controls, space, a few Latin-1 marks)
take the code points from 256 upwards in byte order, so the space byte ``0x20`` becomes
``"Ġ"`` (U+0120) and newline ``0x0A`` becomes ``"Ċ"`` (U+010A).

Before BPE, text is cut into pre-tokens by a regular expression so merges never cross a
word, number or punctuation boundary. :data:`PATTERNS` holds the published ones.

Reference: GPT-2's ``bytes_to_unicode`` table as used by tiktoken, Hugging Face
``tokenizers``' ``ByteLevel`` pre-tokenizer and decoder; the split patterns are tiktoken's
``gpt2`` and ``cl100k_base`` ones (Llama 3's ``tokenizer.json`` uses the latter), and
llama.cpp's ``smollm`` pre-tokenizer (``tokenizers``' ``Digits`` then ``ByteLevel``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from itertools import repeat

import regex

__all__ = [
    "PATTERNS",
    "byte_to_char",
    "bytes_to_text",
    "char_to_byte",
    "compile_pattern",
    "merges_from_lines",
    "text_to_bytes",
    "texts_to_bytes",
]

PATTERNS: dict[str, str] = {
    # GPT-2: English contractions, then letters, numbers, other symbols, each optionally
    # led by one space; runs of spaces keep their last space for the next word. This is
    # the ``ByteLevel`` pre-tokenizer's regex in ``tokenizers``; tiktoken's current
    # spelling (possessive quantifiers, ``\s++$``) cuts every string the same way.
    "gpt2": r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
    # GPT-4 (cl100k_base), also Llama 3: case-insensitive contractions, a word may be led
    # by one non-letter (not a newline), numbers in groups of at most three digits.
    # subtle: this is the spelling Llama 3's tokenizer.json carries. tiktoken's current
    # cl100k spelling adds `\s++$`, which keeps whitespace after a newline at the very end
    # of a text in one piece ("a\n " -> "a", "\n "), where this one cuts "\n", " ".
    "gpt4": (
        r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"""
        r""" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
    ),
    # SmolLM / StarCoder: every digit alone (the ``Digits(individual_digits=True)``
    # pre-tokenizer), then GPT-2's pattern on the text between digits. Written as one
    # regex: a digit ends a whitespace run as the end of the text would, hence
    # ``(?![^\s\p{N}])`` where GPT-2 has ``(?!\S)``.
    "smollm": (
        r"""\p{N}|'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?[^\s\p{L}\p{N}]+|\s+(?![^\s\p{N}])|\s+"""
    ),
}
PATTERNS["llama3"] = PATTERNS["gpt4"]


@cache
def compile_pattern(pattern: str) -> regex.Pattern[str]:
    """Compile a split pattern given by name (a key of :data:`PATTERNS`) or as a regex.

    >>> compile_pattern("gpt2").findall("Hello  world's 2024!")
    ['Hello', ' ', ' world', "'s", ' 2024', '!']
    """
    return regex.compile(PATTERNS.get(pattern, pattern))


def _printable_bytes() -> list[int]:
    """Bytes that stand for themselves: ``!``..``~``, ``¡``..``¬``, ``®``..``ÿ``."""
    return [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]


def _build_table() -> list[str]:
    printable = set(_printable_bytes())
    table = []
    shifted = 0
    for byte in range(256):
        if byte in printable:
            table.append(chr(byte))
        else:
            table.append(chr(256 + shifted))
            shifted += 1
    return table


BYTE_TO_CHAR: tuple[str, ...] = tuple(_build_table())
CHAR_TO_BYTE: dict[str, int] = {c: b for b, c in enumerate(BYTE_TO_CHAR)}


def byte_to_char(byte: int) -> str:
    """The printable stand-in of one byte value: ``byte_to_char(32) == "Ġ"``."""
    return BYTE_TO_CHAR[byte]


def char_to_byte(char: str) -> int:
    """The byte value a stand-in character means: ``char_to_byte("Ġ") == 32``."""
    return CHAR_TO_BYTE[char]


# subtle: str.translate plus the Latin-1 codec move whole strings in C; a generator over
# the bytes would cost a Python step per byte, which loading Llama 3's 280,000 merges feels.
_TO_TEXT = {b: c for b, c in enumerate(BYTE_TO_CHAR)}
# Latin-1 characters that are not stand-ins (space, controls) map to U+FFFF, which the
# Latin-1 codec refuses, so they raise like any other foreign character.
_TO_LATIN1 = {ord(c): chr(b) for c, b in CHAR_TO_BYTE.items()}
_TO_LATIN1.update({b: "\uffff" for b in range(256) if b not in _TO_LATIN1})


def bytes_to_text(data: bytes) -> str:
    """Bytes written in stand-ins: ``bytes_to_text(b" hi") == "Ġhi"``."""
    return data.decode("latin-1").translate(_TO_TEXT)


def text_to_bytes(text: str) -> bytes:
    """The inverse of :func:`bytes_to_text`; a character outside the table raises."""
    try:
        return text.translate(_TO_LATIN1).encode("latin-1")
    except UnicodeEncodeError:
        bad = next(c for c in text if c not in CHAR_TO_BYTE)
        raise ValueError(
            f"{bad!r} is not a byte-level stand-in character; is this token "
            "from a byte-level BPE vocabulary?"
        ) from None


# A private-use character: no stand-in, so it passes str.translate unchanged.
_SEPARATOR = "\ue000"


def texts_to_bytes(texts: Sequence[str]) -> list[bytes]:
    """:func:`text_to_bytes` of many strings, in one ``translate`` over all of them.

    Loading a vocabulary converts 50,000 to 400,000 tokens; one call per token costs a
    Python call each, this costs one pass in C. A bad character raises as in
    :func:`text_to_bytes`.
    """
    texts = list(texts)
    parts = _SEPARATOR.join(texts).translate(_TO_LATIN1).split(_SEPARATOR)
    if len(parts) == len(texts):  # else some text held the separator: not a stand-in
        try:
            return list(map(str.encode, parts, repeat("latin-1")))
        except UnicodeEncodeError:
            pass
    return [text_to_bytes(text) for text in texts]  # raises, naming the bad character


def merges_from_lines(lines: Sequence[str]) -> list[tuple[bytes, bytes]]:
    """Merges written one a line in stand-ins, ``"Ġ t"``, as pairs of bytes.

    Raises:
        ValueError: a line is not two tokens around one space, or holds a character
            that is not a stand-in.
    """
    lines = list(lines)
    if not lines:  # a vocabulary of single bytes has none (" ".join would give one part)
        return []
    spaces = list(map(str.count, lines, repeat(" ")))
    if spaces.count(1) != len(lines):
        bad = next(line for line, n in zip(lines, spaces, strict=True) if n != 1)
        raise ValueError(f"a merge line is two tokens and one space, got {bad!r}")
    parts = texts_to_bytes(" ".join(lines).split(" "))
    return list(zip(parts[0::2], parts[1::2], strict=True))
