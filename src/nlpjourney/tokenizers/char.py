"""The character tokenizer: one id per distinct character, the simplest :class:`Tokenizer`.

The vocabulary is a text's distinct characters, sorted; id ``i`` is the ``i``-th. It is
the tokenizer of nanoGPT's ``shakespeare_char``: 65 ids cover Shakespeare, every id is
one letter, and nothing is learned.

>>> tok = CharTokenizer.from_text("hello")
>>> tok.chars, tok.encode("hell"), tok.decode([3, 1])
(['e', 'h', 'l', 'o'], [1, 0, 2, 2], 'oh')

A prepared dataset's ``meta.json`` stores it as :meth:`CharTokenizer.to_dict`
(``{"type": "char", "chars": [...]}``); :meth:`~CharTokenizer.save` writes a Hugging Face
``tokenizer.json`` instead: a ``WordLevel`` model over the characters, each character
cut off by a ``Split`` pre-tokenizer, joined back by a ``Fuse`` decoder.

Reference: nanoGPT's ``data/shakespeare_char/prepare.py`` (``stoi``/``itos``), and
Hugging Face ``tokenizers`` reading the file :meth:`~CharTokenizer.save` writes (same ids).

Simplifications:
    - No special tokens and no unknown token: a character outside the vocabulary is an
      error, as in nanoGPT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nlpjourney.errors import check_str
from nlpjourney.tokenizers.base import Tokenizer, TokenizerFileError, register_hf_model

__all__ = ["CharTokenizer"]

# tokenizers' Split pre-tokenizer with this regex isolates every character ([\s\S], not
# ".", which would skip newlines).
_EACH_CHARACTER = r"[\s\S]"


@register_hf_model("WordLevel")
class CharTokenizer(Tokenizer):
    """One id per character: the characters of a text, sorted, are the vocabulary.

    Args:
        chars: the vocabulary, distinct single characters; id ``i`` is ``chars[i]``.

    Raises:
        ValueError: ``chars`` holds something that is not one character, or a repeat.
    """

    def __init__(self, chars: Sequence[str]) -> None:
        super().__init__()
        chars = list(chars)
        if not all(isinstance(c, str) and len(c) == 1 for c in chars):
            raise ValueError("chars must be single characters (str of length 1)")
        if len(set(chars)) != len(chars):
            raise ValueError("chars has repeats; each character may appear once")
        self.chars = chars
        self._ids = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        """The tokenizer whose vocabulary is ``text``'s distinct characters, sorted."""
        return cls(sorted(set(check_str(text))))

    @property
    def vocab_size(self) -> int:
        """How many characters (ids) there are."""
        return len(self.chars)

    def encode_ordinary(self, text: str) -> list[int]:
        """The id of each character of ``text``.

        Raises:
            ValueError: ``text`` has a character outside the vocabulary (it is named).
        """
        try:
            return list(map(self._ids.__getitem__, check_str(text)))
        except KeyError as error:
            raise ValueError(
                f"character {error.args[0]!r} is not in this tokenizer's {self.vocab_size} "
                "characters; build the tokenizer from a text that contains it"
            ) from None

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False) -> str:
        """The characters of ``ids`` (there are no special tokens to skip).

        Raises:
            ValueError: an id is not one of ``0 .. vocab_size - 1``.
        """
        ids = [int(i) for i in ids]
        if ids and not 0 <= min(ids) <= max(ids) < self.vocab_size:
            bad = next(i for i in ids if not 0 <= i < self.vocab_size)
            raise ValueError(f"ids must be in 0..{self.vocab_size - 1}, got {bad}")
        return "".join(map(self.chars.__getitem__, ids))

    def token_to_id(self, token: str) -> int | None:
        """The id of a character, or None."""
        return self._ids.get(token)

    def id_to_token(self, id: int) -> str | None:
        """The character of an id, or None."""
        return self.chars[id] if 0 <= id < len(self.chars) else None

    def _cut_points(self, text: str, start: int) -> list[int]:
        """Anywhere: each character is its own id. The end of the text is the last place."""
        return [len(text)]

    # -- stored forms -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The tokenizer as JSON-ready data (stored in a prepared dataset's ``meta.json``)."""
        return {"type": "char", "chars": self.chars}

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> CharTokenizer:
        """The tokenizer :meth:`to_dict` describes."""
        return cls(spec["chars"])

    def to_hf_dict(self) -> dict[str, Any]:
        """This tokenizer as a Hugging Face ``tokenizer.json`` object."""
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [],
            "normalizer": None,
            "pre_tokenizer": {
                "type": "Split",
                "pattern": {"Regex": _EACH_CHARACTER},
                "behavior": "Isolated",
                "invert": False,
            },
            "post_processor": None,
            "decoder": {"type": "Fuse"},
            # tokenizers needs an unk_token name; it is not in the vocabulary, so an
            # unknown character is an error there too.
            "model": {"type": "WordLevel", "vocab": self._ids, "unk_token": "<unk>"},
        }

    @classmethod
    def reads_hf_dict(cls, spec: dict[str, Any]) -> bool:
        """A ``WordLevel`` model whose vocabulary is single characters is ours."""
        vocab = spec["model"].get("vocab")
        return isinstance(vocab, dict) and all(
            isinstance(token, str) and len(token) == 1 for token in vocab
        )

    @classmethod
    def from_hf_dict(cls, spec: dict[str, Any]) -> CharTokenizer:
        """Build one from a parsed ``tokenizer.json`` of single-character ``WordLevel``.

        Raises:
            TokenizerFileError: the ids are not ``0 .. n - 1``, or the file has added
                tokens (a character tokenizer has none).
        """
        model = spec.get("model", {})
        vocab = model.get("vocab")
        if model.get("type") != "WordLevel" or not isinstance(vocab, dict):
            raise TokenizerFileError(
                f"expected a WordLevel model with a vocab, found {model.get('type')!r}."
            )
        if spec.get("added_tokens"):
            raise TokenizerFileError("a character tokenizer has no added (special) tokens.")
        chars = sorted(vocab, key=vocab.__getitem__)
        if sorted(vocab.values()) != list(range(len(vocab))):
            raise TokenizerFileError("a character vocabulary's ids must be 0 .. n - 1, each once.")
        try:
            return cls(chars)
        except ValueError as error:
            raise TokenizerFileError(f"not a character vocabulary: {error}") from None
