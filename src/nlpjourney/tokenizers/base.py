"""The one interface every tokenizer of ours follows, and what they all share.

A tokenizer turns text into a list of integer ids and back. Whatever the model inside
(byte-level BPE, SentencePiece-style BPE, WordPiece, Unigram), the outside is the same:

- ``encode(text, add_special_tokens=False)``: special tokens written in the text
  (``"<|endoftext|>"``, ``"[SEP]"``) are matched first, as whole strings, and become their
  ids; the text between them goes through the model (:meth:`Tokenizer.encode_ordinary`);
  with ``add_special_tokens=True`` the model's template adds its markers around the
  result (BERT's ``[CLS] ... [SEP]``, Llama's ``<s>``);
- ``decode(ids)``: the ids back to text;
- ``token_to_id`` / ``id_to_token`` / ``vocab_size`` / ``special_tokens``;
- ``save(path)`` writes the Hugging Face ``tokenizer.json`` format, and
  :meth:`Tokenizer.from_file` reads one, for the model types we build.

Each model's module subclasses :class:`Tokenizer` and provides ``encode_ordinary``,
``decode``, the vocabulary look-ups, and ``to_hf_dict`` / ``from_hf_dict`` for the file
format.

Reference: the Hugging Face ``tokenizers`` library's ``Tokenizer`` (``encode(...).ids``,
``decode``, ``token_to_id``, ``get_vocab_size``, ``save`` / ``from_file``), whose file
format we read and write.

Simplifications:
    - Special tokens are matched exactly as written: no ``lstrip``/``rstrip`` trimming of
      the spaces around them and no ``single_word`` rule, unless a model's loader adds it.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import regex

from nlpjourney.errors import JourneyError

__all__ = [
    "PieceCache",
    "StringVocabTokenizer",
    "Tokenizer",
    "TokenizerFileError",
    "split_on_special_tokens",
]


# A piece cache forgets everything past this many distinct pieces, bounding its memory on
# an endless stream of new strings (natural text has far fewer distinct pieces).
CACHE_LIMIT = 1_000_000


class PieceCache(dict[str, tuple[int, ...]]):
    """``{piece: ids}``; a missing piece is encoded by ``encode_piece`` and kept.

    >>> cache = PieceCache(lambda piece: tuple(map(ord, piece)))
    >>> cache["hi"], len(cache)
    ((104, 105), 1)
    """

    # subtle: a known piece is a plain C dict hit; only a miss runs Python (__missing__).

    def __init__(self, encode_piece: Callable[[str], tuple[int, ...]]) -> None:
        super().__init__()
        self.encode_piece = encode_piece

    def __missing__(self, piece: str) -> tuple[int, ...]:
        if len(self) >= CACHE_LIMIT:
            self.clear()
        ids = self[piece] = self.encode_piece(piece)
        return ids


class TokenizerFileError(JourneyError, ValueError):
    """A tokenizer file is missing, unreadable, or of a kind we do not build."""


def special_token_pattern(tokens: Iterable[str]) -> regex.Pattern[str] | None:
    """A pattern matching any of ``tokens``, the longest first where one starts another.

    >>> special_token_pattern(["<s>", "<s>x"]).findall("a<s>xb<s>")
    ['<s>x', '<s>']
    """
    tokens = sorted(set(tokens), key=len, reverse=True)
    if not tokens:
        return None
    return regex.compile("|".join(regex.escape(t) for t in tokens))


def split_on_special_tokens(
    text: str, pattern: regex.Pattern[str] | None
) -> list[tuple[str, bool]]:
    """Cut ``text`` into ``(piece, is_special)`` pairs, left to right.

    >>> split_on_special_tokens("hi<|e|>yo", special_token_pattern(["<|e|>"]))
    [('hi', False), ('<|e|>', True), ('yo', False)]
    """
    if pattern is None:
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    start = 0
    for match in pattern.finditer(text):
        if match.start() > start:
            pieces.append((text[start : match.start()], False))
        pieces.append((match.group(), True))
        start = match.end()
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


class Tokenizer(ABC):
    """Text to ids and back; subclasses bring the model.

    Args:
        special_tokens: special token strings and their ids, matched in the text before
            the model sees it.
        prefix_ids: ids that ``encode(..., add_special_tokens=True)`` puts first
            (``[CLS]``, ``<s>``, ``<|begin_of_text|>``).
        suffix_ids: ids it puts last (``[SEP]``).
    """

    def __init__(
        self,
        special_tokens: dict[str, int] | None = None,
        prefix_ids: Sequence[int] = (),
        suffix_ids: Sequence[int] = (),
    ) -> None:
        self.special_tokens: dict[str, int] = dict(special_tokens or {})
        self.prefix_ids: list[int] = list(prefix_ids)
        self.suffix_ids: list[int] = list(suffix_ids)
        self._special_pattern = special_token_pattern(self.special_tokens)
        self._special_by_id = {i: t for t, i in self.special_tokens.items()}
        # The model's own Jinja chat template, when its files carry one (loaders set it).
        self.chat_template: str | None = None
        self.bos_token: str | None = None
        self.eos_token: str | None = None

    # -- what each model provides ---------------------------------------------------

    @abstractmethod
    def encode_ordinary(self, text: str) -> list[int]:
        """Ids of ``text`` with no special-token matching and nothing added."""

    @abstractmethod
    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False) -> str:
        """The text of ``ids``.

        Args:
            ids: token ids.
            skip_special_tokens: leave special tokens out. Off by default, as in
                ``transformers`` and tiktoken, so ``decode(encode(s)) == s`` holds for
                text that contains special tokens too; ``tokenizers`` skips by default.
        """

    @abstractmethod
    def token_to_id(self, token: str) -> int | None:
        """The id of a vocabulary entry (special tokens included), or None."""

    @abstractmethod
    def id_to_token(self, id: int) -> str | None:
        """The vocabulary entry of an id (special tokens included), or None."""

    @property
    @abstractmethod
    def vocab_size(self) -> int:
        """How many ids there are, special tokens included."""

    @abstractmethod
    def to_hf_dict(self) -> dict[str, Any]:
        """This tokenizer as a Hugging Face ``tokenizer.json`` object."""

    @classmethod
    @abstractmethod
    def from_hf_dict(cls, spec: dict[str, Any]) -> Tokenizer:
        """Build one from a parsed Hugging Face ``tokenizer.json`` of this model type."""

    # -- shared behaviour ------------------------------------------------------------

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        """Ids of ``text``: special tokens first, the model on the rest.

        Args:
            text: any string.
            add_special_tokens: add the model's markers (``prefix_ids``, ``suffix_ids``).
        """
        if not isinstance(text, str):
            raise TypeError(f"encode takes a str, not {type(text).__name__}")
        ids: list[int] = []
        for piece, special in split_on_special_tokens(text, self._special_pattern):
            if special:
                ids.append(self.special_tokens[piece])
            else:
                ids.extend(self.encode_ordinary(piece))
        if add_special_tokens:
            ids = self.prefix_ids + ids + self.suffix_ids
        return ids

    def encode_batch(
        self, texts: Iterable[str], add_special_tokens: bool = False
    ) -> list[list[int]]:
        """:meth:`encode` for each text."""
        return [self.encode(text, add_special_tokens) for text in texts]

    def apply_chat_template(
        self,
        messages: Sequence[dict[str, str]],
        add_generation_prompt: bool = True,
        tokenize: bool = False,
    ) -> str | list[int]:
        """Render a conversation with the model's own chat template.

        Args:
            messages: ``{"role": ..., "content": ...}`` dicts, in order.
            add_generation_prompt: end with the header that starts the assistant's turn.
            tokenize: return ids (special tokens matched) instead of the text.
        """
        from nlpjourney.tokenizers.chat import render_chat_template

        if self.chat_template is None:
            raise JourneyError(
                f"this {type(self).__name__} has no chat template; load one that ships "
                "with it (`load('llama3')`, `load('smollm2')`)."
            )
        text = render_chat_template(
            self.chat_template,
            messages,
            add_generation_prompt=add_generation_prompt,
            bos_token=self.bos_token,
            eos_token=self.eos_token,
        )
        return self.encode(text) if tokenize else text

    def save(self, path: str | Path) -> Path:
        """Write the tokenizer as a Hugging Face ``tokenizer.json``; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_hf_dict(), ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def from_file(cls, path: str | Path) -> Tokenizer:
        """Read a Hugging Face ``tokenizer.json`` (byte-level BPE, SentencePiece BPE,
        WordPiece or Unigram) into the matching tokenizer of ours."""
        path = Path(path)
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TokenizerFileError(f"no tokenizer file at {path}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise TokenizerFileError(
                f"{path} is not a tokenizer.json (it is not valid JSON: {error})"
            ) from None
        return from_hf_dict(spec, source=str(path))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(vocab_size={self.vocab_size})"


class StringVocabTokenizer(Tokenizer, ABC):
    """A tokenizer whose vocabulary maps token strings to ids, with its look-ups.

    SentencePiece-style BPE and WordPiece keep ``vocab`` as ``{token: id}``; a special
    token missing from it is still known by id.
    """

    def _set_vocab(self, vocab: dict[str, int]) -> None:
        self.vocab: dict[str, int] = dict(vocab)
        self._id_to_token: dict[int, str] = {i: t for t, i in self.vocab.items()}
        for token, i in self.special_tokens.items():
            self._id_to_token.setdefault(i, token)

    def token_to_id(self, token: str) -> int | None:
        """The id of a vocabulary entry or special token, or None."""
        found = self.vocab.get(token)
        return self.special_tokens.get(token) if found is None else found

    def id_to_token(self, id: int) -> str | None:
        """The token string of an id, or None."""
        return self._id_to_token.get(id)

    @property
    def vocab_size(self) -> int:
        """How many ids there are, special tokens included."""
        return len(self._id_to_token)


def from_hf_dict(spec: Any, source: str = "the tokenizer spec") -> Tokenizer:
    """Pick our tokenizer class for a parsed ``tokenizer.json`` and build it."""
    if not isinstance(spec, dict) or not isinstance(spec.get("model"), dict):
        raise TokenizerFileError(f"{source} has no 'model' section; is it a tokenizer.json?")
    kind = spec["model"].get("type")
    # Imported here: each model module imports this one.
    if kind == "BPE":
        if spec["model"].get("byte_fallback") or spec.get("pre_tokenizer") is None:
            from nlpjourney.tokenizers.sentencepiece_bpe import SentencePieceBPETokenizer

            return SentencePieceBPETokenizer.from_hf_dict(spec)
        from nlpjourney.tokenizers.bpe import ByteLevelBPETokenizer

        return ByteLevelBPETokenizer.from_hf_dict(spec)
    if kind == "WordPiece":
        from nlpjourney.tokenizers.wordpiece import WordPieceTokenizer

        return WordPieceTokenizer.from_hf_dict(spec)
    if kind == "Unigram":
        from nlpjourney.tokenizers.unigram import UnigramTokenizer

        return UnigramTokenizer.from_hf_dict(spec)
    raise TokenizerFileError(
        f"{source} holds a {kind!r} model; we read BPE, WordPiece and Unigram tokenizers."
    )
