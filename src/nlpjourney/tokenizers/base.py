"""The one interface every tokenizer of ours follows, and what they all share.

A tokenizer turns text into a list of integer ids and back. Whatever the model inside
(byte-level BPE, SentencePiece-style BPE, WordPiece, Unigram), the outside is the same:

- ``encode(text, add_special_tokens=False)``: special tokens written in the text
  (``"<|endoftext|>"``, ``"[SEP]"``) are matched first, as whole strings, and become their
  ids; the text between them goes through the model (:meth:`Tokenizer.encode_ordinary`);
  with ``add_special_tokens=True`` the model's template adds its markers around the
  result (BERT's ``[CLS] ... [SEP]``, Llama's ``<s>``);
- ``encode_iterable(lines)``: the same ids as ``encode("".join(lines))``, yielded as the
  lines are read, so a file of any size is encoded in memory bounded by its longest line;
- ``decode(ids)``: the ids back to text;
- ``token_to_id`` / ``id_to_token`` / ``vocab_size`` / ``special_tokens``;
- ``save(path)`` writes the Hugging Face ``tokenizer.json`` format, and
  :meth:`Tokenizer.from_file` reads one, for the model types we build.

Each model's module subclasses :class:`Tokenizer` and provides ``encode_ordinary``,
``decode``, the vocabulary look-ups, and ``to_hf_dict`` / ``from_hf_dict`` for the file
format; it registers itself for its ``tokenizer.json`` model type with
:func:`register_hf_model`, so this module, which every model module imports, imports none
of them. For ``encode_iterable`` a model names the places its text may be cut
(:meth:`Tokenizer._cut_points`).

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
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import regex

from nlpjourney.errors import JourneyError

__all__ = [
    "PieceCache",
    "StringVocabTokenizer",
    "Tokenizer",
    "TokenizerFileError",
    "from_hf_dict",
    "register_hf_model",
    "split_on_special_tokens",
]


# encode_iterable gathers lines until it holds this many characters, then cuts at the
# last place it may: memory stays within a chunk and the longest line.
STREAM_CHUNK = 1 << 16

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


def proper_prefixes(tokens: Iterable[str]) -> frozenset[str]:
    """Every non-empty beginning of each token, the whole token left out.

    >>> sorted(proper_prefixes(["<s>"]))
    ['<', '<s']
    """
    return frozenset(t[:k] for t in tokens for k in range(1, len(t)))


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
        self._special_starts = proper_prefixes(self.special_tokens)
        self._longest_special = max(map(len, self.special_tokens), default=0)
        self._special_firsts = {t[0] for t in self._special_starts}
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

    @classmethod
    def reads_hf_dict(cls, spec: dict[str, Any]) -> bool:
        """Whether :meth:`from_hf_dict` builds this ``tokenizer.json`` (its model type
        already matched); a model type two classes share is told apart here."""
        return True

    # -- where a stream may be cut (for encode_iterable) ----------------------------

    def _cut_points(self, text: str, start: int) -> Iterable[int]:
        """Places ``p >= start`` where ``text`` may be cut, the last first.

        ``p`` (``0 < p <= len(text)``) is a cut when, whatever text ``more`` follows,
        ``encode_ordinary(text + more)`` equals ``encode_ordinary(text[:p])`` followed by
        ``_encode_continued(text[p:] + more)``: no piece of the model spans ``p``, and
        what is decided before ``p`` does not look past it. A rule may read one character
        past ``p``; places before ``start`` were decided on an earlier, shorter ``text``
        and need not be listed again. None (the default): the stream is held whole.
        """
        return ()

    def _encode_continued(self, text: str) -> list[int]:
        """:meth:`encode_ordinary` of text that continues text before it, cut at one of
        :meth:`_cut_points` (SentencePiece models put no ``"▁"`` in front of it)."""
        return self.encode_ordinary(text)

    def _cuts_special(self, text: str, p: int) -> bool:
        """Whether a special token could span ``p``: ``text[:p]`` ends with the start of one."""
        low = max(p - self._longest_special + 1, 0)
        for first in self._special_firsts:
            i = text.rfind(first, low, p)
            while i != -1:
                if text[i:p] in self._special_starts:
                    return True
                i = text.rfind(first, low, i)
        return False

    def _last_cut(self, text: str, start: int) -> int:
        """The last place of :meth:`_cut_points` no special token spans, or 0."""
        for p in self._cut_points(text, start):
            if p > 0 and not self._cuts_special(text, p):
                return p
        return 0

    def _encode_part(self, text: str, continued: bool) -> tuple[list[int], bool]:
        """:meth:`encode` of one part of a stream, and whether it ends in ordinary text.

        A continued part's first stretch of ordinary text continues the stretch the part
        before ended with (``continued`` says there was one).
        """
        ids: list[int] = []
        special = False
        for k, (piece, special) in enumerate(split_on_special_tokens(text, self._special_pattern)):
            if special:
                ids.append(self.special_tokens[piece])
            elif continued and k == 0:
                ids.extend(self._encode_continued(piece))
            else:
                ids.extend(self.encode_ordinary(piece))
        return ids, not special

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

    def encode_iterable(
        self, lines: Iterable[str], add_special_tokens: bool = False
    ) -> Iterator[int]:
        r"""The ids of the joined ``lines``, yielded while they are read.

        An open text file is an iterable of lines, so ``encode_iterable(open(path))``
        encodes a file of any size; the ids equal ``encode("".join(lines))``. Lines are
        gathered into chunks of about :data:`STREAM_CHUNK` characters, each cut at the
        last place where the model may cut the text (a space before a word, a line end;
        see :meth:`_cut_points`), so memory stays bounded by a chunk and the longest line
        for ordinary text; a stretch with no such place (one endless line) is held whole.

        Args:
            lines: strings, usually lines with their line ends (a file, a list).
            add_special_tokens: add the model's markers first and last.

        Raises:
            TypeError: ``lines`` is a single string, or yields something not a string.

        >>> from nlpjourney.tokenizers import CharTokenizer
        >>> list(CharTokenizer.from_text("ab\n").encode_iterable(["ab\n", "ba\n"]))
        [1, 2, 0, 2, 1, 0]
        """
        if isinstance(lines, str):
            raise TypeError(
                "encode_iterable takes an iterable of strings (an open file, a list of "
                "lines); encode one string with encode()"
            )
        if add_special_tokens:
            yield from self.prefix_ids
        pending = ""
        searched = 0  # the places before this were no cut (see _cut_points)
        continued = False
        for line in lines:
            if not isinstance(line, str):
                raise TypeError(f"encode_iterable reads str lines, not {type(line).__name__}")
            pending += line
            # Gather about STREAM_CHUNK characters before cutting: one encode call per
            # chunk, not per line, keeps the model's own speed.
            if len(pending) < STREAM_CHUNK:
                continue
            cut = self._last_cut(pending, searched)
            searched = max(len(pending) - 2, 0)
            if cut:
                ids, continued = self._encode_part(pending[:cut], continued)
                yield from ids
                pending = pending[cut:]
                searched = max(searched - cut, 0)
        yield from self._encode_part(pending, continued)[0]
        if add_special_tokens:
            yield from self.suffix_ids

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


T = TypeVar("T", bound=type[Tokenizer])

# tokenizer.json model type -> our classes that read it, asked in order (reads_hf_dict).
HF_MODELS: dict[str, list[type[Tokenizer]]] = {}


def register_hf_model(model_type: str) -> Callable[[T], T]:
    """Class decorator: :func:`from_hf_dict` builds ``tokenizer.json`` files whose model
    has this ``type`` with the class (when its ``reads_hf_dict`` agrees).

    Each model's module registers its class, so this module imports none of them.
    """

    def register(cls: T) -> T:
        HF_MODELS.setdefault(model_type, []).append(cls)
        return cls

    return register


def from_hf_dict(spec: Any, source: str = "the tokenizer spec") -> Tokenizer:
    """Pick our tokenizer class for a parsed ``tokenizer.json`` and build it."""
    if not isinstance(spec, dict) or not isinstance(spec.get("model"), dict):
        raise TokenizerFileError(f"{source} has no 'model' section; is it a tokenizer.json?")
    kind = spec["model"].get("type")
    for cls in HF_MODELS.get(kind, []):
        if cls.reads_hf_dict(spec):
            return cls.from_hf_dict(spec)
    known = ", ".join(sorted(HF_MODELS))
    raise TokenizerFileError(
        f"{source} holds a {kind!r} model of a kind we do not build; we read {known} "
        "tokenizers (a WordLevel one only as characters)."
    )
