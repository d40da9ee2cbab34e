"""Byte-level BPE, the tokenizer of GPT-2, GPT-4, Llama 3 and SmolLM2.

Encoding a text takes two steps:

1. **Pre-tokenize**: a regular expression (:data:`~nlpjourney.tokenizers.byte_level.PATTERNS`)
   cuts the text into pieces (``"Hello world's" -> ["Hello", " world", "'s"]``), so no
   token ever spans a word and the space before the next one.
2. **Merge**: each piece becomes its UTF-8 bytes, one token per byte, and the learned
   merges are applied, always the best-ranked adjacent pair first (the leftmost on a
   tie), until no adjacent pair has a merge: ``b"low" -> [l, o, w] -> [lo, w] -> [low]``.

The ids of a piece never depend on its neighbours, so each distinct piece is merged once
and remembered: natural text repeats its words, and a cache look-up per piece is what
makes a pure-Python encoder keep pace with compiled ones.

With no ``vocab`` the ids follow minbpe and tiktoken: byte ``b`` is id ``b``, the
``i``-th merge makes id ``256 + i``. Real tokenizers bring their own vocabulary
(GPT-2's byte ids follow its stand-in table, ``"!"`` is 0).

>>> tok = ByteLevelBPETokenizer([(b"l", b"o"), (b"lo", b"w")])
>>> tok.encode("low lo")
[257, 32, 256]

Reference: tiktoken's GPT-2 encoding (``encode_ordinary``, same ids on every string) and
Hugging Face ``tokenizers``' ``BPE`` model with the ``ByteLevel`` pre-tokenizer and
decoder (Llama 3's ``tokenizer.json``, ``ignore_merges`` included), whose file format
:meth:`ByteLevelBPETokenizer.to_hf_dict` writes and :meth:`~ByteLevelBPETokenizer.from_hf_dict`
reads.

Simplifications:
    - ``tokenizer.json`` files are read when they have no normalizer, a ``ByteLevel``
      pre-tokenizer without ``add_prefix_space`` (alone, after a regex ``Split``, or after
      ``Digits(individual_digits=True)``), and no dropout, ``continuing_subword_prefix`` or
      ``end_of_word_suffix``; others raise :class:`TokenizerFileError`.
    - A byte missing from the vocabulary (SmolLM2 has no token for ``"\\x04"``) is dropped
      from the output, as llama.cpp does; no unknown token stands in for it.
    - ``decode`` keeps special tokens in the text, as tiktoken and ``transformers`` do
      (``tokenizers`` skips them by default).
    - Lone surrogates (not encodable as UTF-8) become U+FFFD, as in tiktoken.
    - Letter and number classes (``\\p{L}``, ``\\p{N}``) follow the ``regex`` module's
      Unicode tables, newer than tiktoken's and ``tokenizers``'; a character assigned in
      a recent Unicode version (U+3D000...) may be cut differently from theirs.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import Any

import regex

from nlpjourney.tokenizers.base import Tokenizer, TokenizerFileError
from nlpjourney.tokenizers.byte_level import (
    PATTERNS,
    bytes_to_text,
    compile_pattern,
    text_to_bytes,
)

__all__ = ["ByteLevelBPETokenizer", "load_gpt2"]

# Pieces up to this many bytes are merged by scanning all pairs each step (quadratic, but
# fast for words); longer ones by a heap over a linked list (n log n), so a 100,000-letter
# "word" costs a fraction of a second instead of hours.
SCAN_LIMIT = 64
# The cache forgets everything past this many distinct pieces, bounding its memory on an
# endless stream of new strings (natural text has far fewer distinct pieces).
CACHE_LIMIT = 1_000_000
_MISSING = -1  # the id of a byte the vocabulary lacks: it merges with nothing, then is dropped

# Regexes for which the ``ByteLevel`` pre-tokenizer (``use_regex=True``) is written.
_BYTELEVEL_REGEX = PATTERNS["gpt2"]
# Patterns whose pieces never cross a space that precedes a non-space (see __init__).
_CUT_AT_SPACES = frozenset({PATTERNS["gpt2"], PATTERNS["gpt4"]})
_SPACE_BEFORE_WORD = regex.compile(r" (?=\S)")


class _PieceCache(dict[str, tuple[int, ...]]):
    """``{piece: ids}``; a missing piece is encoded by ``encode_piece`` and kept."""

    # subtle: a known piece is a plain C dict hit; only a miss runs Python (__missing__).

    def __init__(self, encode_piece: Callable[[str], tuple[int, ...]]) -> None:
        super().__init__()
        self.encode_piece = encode_piece

    def __missing__(self, piece: str) -> tuple[int, ...]:
        if len(self) >= CACHE_LIMIT:
            self.clear()
        ids = self[piece] = self.encode_piece(piece)
        return ids


class ByteLevelBPETokenizer(Tokenizer):
    """Byte-level BPE: regex pre-tokenization, then ranked merges over UTF-8 bytes.

    Args:
        merges: the merges in rank order, each a pair of byte strings;
            ``[(b"l", b"o"), (b"lo", b"w")]`` first joins ``l o`` then ``lo w``.
        pattern: a key of :data:`~nlpjourney.tokenizers.byte_level.PATTERNS` (``"gpt2"``,
            ``"llama3"``, ``"smollm"``) or a regex that cuts text into pieces.
        special_tokens: strings matched whole in the text before BPE, and their ids.
        vocab: every token's bytes and id. None: byte ``b`` is id ``b`` and merge ``i``
            makes id ``256 + i``.
        prefix_ids: ids ``encode(..., add_special_tokens=True)`` puts first.
        suffix_ids: ids it puts last.
        ignore_merges: a piece that is itself a token becomes that token without merging
            (Llama 3's ``tokenizer.json`` sets this).

    Raises:
        TypeError: a merge is not a pair of ``bytes``.
        ValueError: a merge's parts or result are not in ``vocab``.
    """

    def __init__(
        self,
        merges: list[tuple[bytes, bytes]],
        pattern: str = "gpt2",
        special_tokens: dict[str, int] | None = None,
        vocab: dict[bytes, int] | None = None,
        prefix_ids: Sequence[int] = (),
        suffix_ids: Sequence[int] = (),
        ignore_merges: bool = False,
    ) -> None:
        super().__init__(special_tokens, prefix_ids, suffix_ids)
        if not isinstance(pattern, str):
            raise TypeError(f"pattern must be a PATTERNS name or a regex str, not {pattern!r}")
        for merge in merges:
            if not (
                isinstance(merge, tuple | list)
                and len(merge) == 2
                and all(isinstance(part, bytes) for part in merge)
            ):
                raise TypeError(
                    f"each merge must be a pair of bytes, like (b'l', b'o'); got {merge!r}"
                )
        self.merges: list[tuple[bytes, bytes]] = [(a, b) for a, b in merges]
        self.pattern: str = PATTERNS.get(pattern, pattern)
        self.ignore_merges = ignore_merges
        self._split = compile_pattern(self.pattern).findall

        if vocab is None:
            vocab = {bytes([b]): b for b in range(256)}
            for i, (a, b) in enumerate(self.merges):
                vocab.setdefault(a + b, 256 + i)  # a repeated result keeps its first id
        self.vocab: dict[bytes, int] = dict(vocab)
        self._bytes_of: dict[int, bytes] = {i: t for t, i in self.vocab.items()}
        # Special tokens decode to their own text.
        self._bytes_of.update((i, t.encode("utf-8")) for t, i in self.special_tokens.items())
        self._byte_ids: list[int] = [self.vocab.get(bytes([b]), _MISSING) for b in range(256)]
        self._lacks_bytes = _MISSING in self._byte_ids

        # (left id, right id) -> (rank, merged id); the first rank wins for a repeated pair.
        self._ranks: dict[tuple[int, int], tuple[int, int]] = {}
        for rank, (a, b) in enumerate(self.merges):
            try:
                key = (self.vocab[a], self.vocab[b])
                merged = self.vocab[a + b]
            except KeyError as error:
                raise ValueError(
                    f"merge {rank} ({a!r}, {b!r}) uses or makes {error.args[0]!r}, which is "
                    "not in the vocabulary; pass the vocab the merges were learned with."
                ) from None
            self._ranks.setdefault(key, (rank, merged))
        self._cache = _PieceCache(self._encode_piece)
        # subtle: with GPT-2's and GPT-4's patterns a space followed by a non-space always
        # starts a piece, and no piece reaches across one, so cutting there first yields
        # the very same pieces (tests check this on random text). Other patterns do not
        # promise it (SmolLM's lets "\n " end before a digit), so they skip the shortcut.
        self._cut_at_spaces = _SPACE_BEFORE_WORD.split if self.pattern in _CUT_AT_SPACES else None
        self._spaced = _PieceCache(self._encode_spaced)

    # -- encoding --------------------------------------------------------------------

    def encode_ordinary(self, text: str) -> list[int]:
        """Ids of ``text`` with no special-token matching and nothing added.

        >>> ByteLevelBPETokenizer([(b"h", b"i")]).encode_ordinary("hi hi")
        [256, 32, 256]
        """
        if not isinstance(text, str):
            raise TypeError(f"encode_ordinary takes a str, not {type(text).__name__}")
        if self._cut_at_spaces is None:
            # One regex pass, one cached dict hit per piece, one flatten: all loops in C.
            return list(chain.from_iterable(map(self._cache.__getitem__, self._split(text))))
        # Fast path: cut at each space that starts a word (one cheap regex), and look up
        # the whole " word," at once; the first segment has no space before it.
        segments = self._cut_at_spaces(text)
        ids = list(chain.from_iterable(map(self._cache.__getitem__, self._split(segments[0]))))
        ids.extend(chain.from_iterable(map(self._spaced.__getitem__, islice(segments, 1, None))))
        return ids

    def _encode_spaced(self, segment: str) -> tuple[int, ...]:
        """The ids of ``" " + segment``, piece by piece (a miss of the segment cache)."""
        return tuple(chain.from_iterable(map(self._cache.__getitem__, self._split(" " + segment))))

    def _encode_piece(self, piece: str) -> tuple[int, ...]:
        """The ids of one pre-token (a cache miss)."""
        try:
            data = piece.encode("utf-8")
        except UnicodeEncodeError:
            # subtle: a lone surrogate has no UTF-8 form; tiktoken reads it as U+FFFD.
            data = piece.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()
        if self.ignore_merges:
            whole = self.vocab.get(data)
            if whole is not None:
                return (whole,)
        ids = [self._byte_ids[b] for b in data]
        ids = self._merge_scan(ids) if len(ids) <= SCAN_LIMIT else self._merge_heap(ids)
        if self._lacks_bytes:
            ids = [i for i in ids if i != _MISSING]
        return tuple(ids)

    def _merge_scan(self, ids: list[int]) -> list[int]:
        """Apply merges to a short piece: find the best pair, join it, repeat.

        >>> tok = ByteLevelBPETokenizer([(b"a", b"a"), (b"aa", b"a")])
        >>> tok._merge_scan([97, 97, 97, 97])  # a a a a -> aa a a -> aa aa: rank 0 first
        [256, 256]
        """
        ranks = self._ranks
        while len(ids) > 1:
            best = None
            for i in range(len(ids) - 1):
                found = ranks.get((ids[i], ids[i + 1]))
                if found is not None and (best is None or found[0] < best[0]):
                    best, at = found, i
            if best is None:
                break
            ids[at : at + 2] = [best[1]]
        return ids

    def _merge_heap(self, ids: list[int]) -> list[int]:
        """Apply merges to a long piece in O(n log n): the same order as :meth:`_merge_scan`.

        Candidate pairs wait in a heap keyed by (rank, position), so the best-ranked,
        leftmost pair comes out first; a merge links the survivors past the absorbed
        right token and queues the two pairs it creates. An entry whose tokens changed
        since it was queued is stale and skipped.
        """
        ranks = self._ranks
        n = len(ids)
        after = list(range(1, n + 1))  # index of the next live token; n: none
        before = list(range(-1, n - 1))  # index of the previous live token; -1: none
        heap = [
            (found[0], i, ids[i], ids[i + 1])
            for i in range(n - 1)
            if (found := ranks.get((ids[i], ids[i + 1]))) is not None
        ]
        heapq.heapify(heap)
        dead = -2  # marks an absorbed position; never a real id or _MISSING
        while heap:
            _, i, left, right = heapq.heappop(heap)
            j = after[i]
            if j >= n or ids[i] != left or ids[j] != right:
                continue  # stale: one side has been merged since
            ids[i] = ranks[(left, right)][1]
            ids[j] = dead
            after[i] = after[j]
            if after[i] < n:
                before[after[i]] = i
            for a, b in ((before[i], i), (i, after[i])):
                if a >= 0 and b < n:
                    found = ranks.get((ids[a], ids[b]))
                    if found is not None:
                        heapq.heappush(heap, (found[0], a, ids[a], ids[b]))
        return [i for i in ids if i != dead]

    # -- decoding and the vocabulary -------------------------------------------------

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False) -> str:
        """The text of ``ids``; bytes that do not form UTF-8 become U+FFFD.

        Args:
            ids: token ids.
            skip_special_tokens: leave special tokens (``<|endoftext|>``) out; by
                default they decode to their own text, as in tiktoken.

        >>> ByteLevelBPETokenizer([]).decode([104, 105])
        'hi'
        """
        if skip_special_tokens:
            ids = [i for i in ids if i not in self._special_by_id]
        try:
            data = b"".join(map(self._bytes_of.__getitem__, ids))
        except KeyError as error:
            raise ValueError(
                f"id {error.args[0]!r} is not in this tokenizer's vocabulary "
                f"({self.vocab_size} ids)."
            ) from None
        return data.decode("utf-8", errors="replace")

    def token_to_id(self, token: str) -> int | None:
        """The id of a token written in GPT-2's stand-ins (``"Ġworld"``) or a special token."""
        if token in self.special_tokens:
            return self.special_tokens[token]
        try:
            return self.vocab.get(text_to_bytes(token))
        except ValueError:
            return None

    def id_to_token(self, id: int) -> str | None:
        """The token of an id, in GPT-2's stand-ins as the Hugging Face files write it."""
        if id in self._special_by_id:
            return self._special_by_id[id]
        data = self._bytes_of.get(id)
        return None if data is None else bytes_to_text(data)

    @property
    def vocab_size(self) -> int:
        """How many ids there are, special tokens included."""
        return len(self._bytes_of)

    # -- files -----------------------------------------------------------------------

    def to_hf_dict(self) -> dict[str, Any]:
        """This tokenizer as a Hugging Face ``tokenizer.json`` object (model type BPE)."""
        from nlpjourney.tokenizers.hf_json import tokenizer_json

        byte_level = {
            "type": "ByteLevel",
            "add_prefix_space": False,
            "trim_offsets": True,
            "use_regex": True,
        }
        if self.pattern == _BYTELEVEL_REGEX:
            pre_tokenizer: dict[str, Any] = byte_level
        else:
            split = {
                "type": "Split",
                "pattern": {"Regex": self.pattern},
                "behavior": "Isolated",
                "invert": False,
            }
            pre_tokenizer = {
                "type": "Sequence",
                "pretokenizers": [split, {**byte_level, "use_regex": False}],
            }
        vocab = {bytes_to_text(t): i for t, i in sorted(self.vocab.items(), key=lambda x: x[1])}
        # subtle: `tokenizers` numbers an added token absent from the model's vocab after
        # the vocab, whatever id the file gives; a special token that must keep a lower
        # id (GPT-2's <|endoftext|> after 50,256 BPE tokens is fine, a gap is not) is
        # written into the model's vocab too, as GPT-2's own tokenizer.json does.
        next_id = max(self.vocab.values(), default=-1) + 1
        for token, i in sorted(self.special_tokens.items(), key=lambda x: x[1]):
            if i == next_id and token not in vocab:
                next_id += 1
            else:
                vocab[token] = i
        return tokenizer_json(
            self,
            normalizer=None,
            pre_tokenizer=pre_tokenizer,
            post_processor={**byte_level, "trim_offsets": False},
            decoder={**byte_level, "add_prefix_space": True},
            model={
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": None,
                "end_of_word_suffix": None,
                "fuse_unk": False,
                "byte_fallback": False,
                "ignore_merges": self.ignore_merges,
                "vocab": vocab,
                "merges": [[bytes_to_text(a), bytes_to_text(b)] for a, b in self.merges],
            },
        )

    @classmethod
    def from_hf_dict(cls, spec: dict[str, Any]) -> ByteLevelBPETokenizer:
        """Build one from a parsed ``tokenizer.json`` whose model is byte-level BPE.

        Raises:
            TokenizerFileError: the file uses a part we do not build (see the module's
                Simplifications).
        """
        from nlpjourney.tokenizers.hf_json import added_tokens, template_ids

        model = spec.get("model")
        if not isinstance(model, dict) or model.get("type") != "BPE":
            raise TokenizerFileError("this tokenizer.json's model is not BPE.")
        for key in ("dropout", "continuing_subword_prefix", "end_of_word_suffix"):
            if model.get(key):
                raise TokenizerFileError(
                    f"the BPE model sets {key}={model[key]!r}; we read byte-level BPE without it."
                )
        if spec.get("normalizer") is not None:
            kind = spec["normalizer"].get("type")
            raise TokenizerFileError(
                f"the file has a {kind!r} normalizer; byte-level BPE files we read have none."
            )
        pattern = _pattern_of(spec.get("pre_tokenizer"))
        special = added_tokens(spec)
        special_ids = set(special.values())
        try:
            vocab = {
                text_to_bytes(token): int(i)
                for token, i in model["vocab"].items()
                if int(i) not in special_ids
            }
            merges = [
                (text_to_bytes(a), text_to_bytes(b))
                for a, b in (m.split(" ") if isinstance(m, str) else m for m in model["merges"])
            ]
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            raise TokenizerFileError(
                f"the BPE model's vocab or merges are not byte-level tokens ({error}); "
                "a file with Metaspace '▁' tokens is SentencePiece-style BPE."
            ) from None
        tokenizer = cls(
            merges,
            pattern=pattern,
            special_tokens=special,
            vocab=vocab,
            ignore_merges=bool(model.get("ignore_merges", False)),
        )
        prefix: list[int] = []
        suffix: list[int] = []
        for processor in _flatten(spec.get("post_processor"), "processors"):
            if processor.get("type") == "ByteLevel":
                continue  # it only fixes offsets, which we do not report
            more_prefix, more_suffix = template_ids(processor, tokenizer.token_to_id)
            prefix += more_prefix
            suffix = more_suffix + suffix
        tokenizer.prefix_ids, tokenizer.suffix_ids = prefix, suffix
        return tokenizer


def _flatten(part: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    """The steps of a tokenizer.json part: a ``Sequence``'s list, one step, or none."""
    if part is None:
        return []
    if part.get("type") == "Sequence":
        return [step for inner in part[key] for step in _flatten(inner, key)]
    return [part]


def _pattern_of(pre_tokenizer: dict[str, Any] | None) -> str:
    """The one split regex equal to a byte-level ``tokenizer.json`` pre-tokenizer."""
    steps = _flatten(pre_tokenizer, "pretokenizers")
    kinds = [step.get("type") for step in steps]
    if not steps or kinds[-1] != "ByteLevel":
        raise TokenizerFileError(
            f"pre-tokenizer steps {kinds} do not end in ByteLevel; is this byte-level BPE?"
        )
    byte_level = steps[-1]
    if byte_level.get("add_prefix_space"):
        raise TokenizerFileError(
            "the ByteLevel pre-tokenizer adds a prefix space; we read files without it."
        )
    use_regex = byte_level.get("use_regex", True)
    if len(steps) == 1 and use_regex:
        return PATTERNS["gpt2"]
    first = steps[0]
    if len(steps) == 2 and not use_regex and first.get("type") == "Split":
        if (
            first.get("behavior") == "Isolated"
            and not first.get("invert")
            and "Regex" in first.get("pattern", {})
        ):
            return first["pattern"]["Regex"]
    if len(steps) == 2 and use_regex and kinds[0] == "Digits" and first.get("individual_digits"):
        return PATTERNS["smollm"]
    raise TokenizerFileError(
        f"pre-tokenizer steps {kinds} are not ones we read: ByteLevel alone, an isolated "
        "regex Split then ByteLevel, or Digits(individual_digits) then ByteLevel."
    )


def load_gpt2(encoder_json: str | Path, vocab_bpe: str | Path) -> ByteLevelBPETokenizer:
    """GPT-2's tokenizer from OpenAI's ``encoder.json`` and ``vocab.bpe``.

    ``encoder.json`` maps each token, written in stand-ins, to its id; ``vocab.bpe`` lists
    the merges in rank order after a ``#version`` line. ``<|endoftext|>`` (50256) is the
    one special token.

    Raises:
        TokenizerFileError: a file is missing or not in this format.
    """
    try:
        encoder = json.loads(Path(encoder_json).read_text(encoding="utf-8"))
        lines = Path(vocab_bpe).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as error:
        raise TokenizerFileError(f"no GPT-2 tokenizer file at {error.filename}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TokenizerFileError(f"unreadable GPT-2 tokenizer file: {error}") from None
    if not isinstance(encoder, dict):
        raise TokenizerFileError(f"{encoder_json} is not a JSON object of token -> id.")
    try:
        special = {"<|endoftext|>": encoder.pop("<|endoftext|>")}
        vocab = {text_to_bytes(token): i for token, i in encoder.items()}
        merges = []
        for line in lines:
            if line.startswith("#version") or not line:
                continue
            a, b = line.split(" ")
            merges.append((text_to_bytes(a), text_to_bytes(b)))
    except (KeyError, ValueError) as error:
        raise TokenizerFileError(
            f"{encoder_json} / {vocab_bpe} are not GPT-2's encoder.json and vocab.bpe ({error})."
        ) from None
    return ByteLevelBPETokenizer(merges, "gpt2", special_tokens=special, vocab=vocab)
