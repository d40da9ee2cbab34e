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
import re
from collections.abc import Iterator, Sequence
from itertools import chain, islice, repeat
from pathlib import Path
from typing import Any

import regex

from nlpjourney.tokenizers.base import PieceCache, Tokenizer, TokenizerFileError, register_hf_model
from nlpjourney.tokenizers.byte_level import (
    PATTERNS,
    bytes_to_text,
    compile_pattern,
    merges_from_lines,
    text_to_bytes,
    texts_to_bytes,
)

__all__ = ["ByteLevelBPETokenizer", "load_gpt2"]

# Pieces up to this many bytes are merged by scanning all pairs each step (quadratic, but
# fast for words); longer ones by a heap over a linked list (n log n), so a 100,000-letter
# "word" costs a fraction of a second instead of hours.
SCAN_LIMIT = 64
_MISSING = -1  # the id of a byte the vocabulary lacks: it merges with nothing, then is dropped
# The packed rank of a pair with no merge (see ``_merges_after``): above every real one.
_NO_MERGE = 1 << 62

# Regexes for which the ``ByteLevel`` pre-tokenizer (``use_regex=True``) is written.
_BYTELEVEL_REGEX = PATTERNS["gpt2"]
# Patterns whose pieces never cross a space that precedes a non-space (see __init__).
_CUT_AT_SPACES = frozenset({PATTERNS["gpt2"], PATTERNS["gpt4"]})
# subtle: the standard library's `re` cuts here twice as fast as `regex`. Its \s also takes
# U+001C..U+001F, which `regex` (and so the split patterns) call non-space: it then cuts at
# a subset of the places, each still a piece boundary, which keeps the cut exact.
_SPACE_BEFORE_WORD = re.compile(r" (?=\S)")
# Where encode_iterable may cut a stream, under the patterns of _STREAMS (see _cut_points).
# Searched backwards (REVERSE): the last place is the one wanted.
_STREAM_CUTS = regex.compile(r"(?<=\S\n)(?=\S)|(?= \p{L})", regex.REVERSE)
_STREAMS = frozenset({PATTERNS["gpt2"], PATTERNS["gpt4"], PATTERNS["smollm"]})
# A mark that ends a word in running text; under GPT-2's and GPT-4's patterns " word,"
# is two pieces, " word" and ",".
_WORD_END_MARKS = frozenset(".,;:!?")


@register_hf_model("BPE")
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
        # subtle: checked in C (map over isinstance) first; 280,000 merges for Llama 3.
        merges = list(merges)
        pairs = all(map(isinstance, merges, repeat(tuple | list))) and all(
            map((2).__eq__, map(len, merges))
        )
        if not (pairs and all(map(isinstance, chain.from_iterable(merges), repeat(bytes)))):
            bad = next(
                m for m in merges
                if not (isinstance(m, tuple | list) and len(m) == 2
                        and all(isinstance(part, bytes) for part in m))
            )  # fmt: skip
            raise TypeError(f"each merge must be a pair of bytes, like (b'l', b'o'); got {bad!r}")
        self.merges: list[tuple[bytes, bytes]] = list(map(tuple, merges))
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
        # When every byte's id is below 256 (GPT-2, Llama 3, the default), bytes.translate
        # turns a piece's bytes into its byte ids in C instead of a Python step per byte.
        self._byte_table = (
            bytes(self._byte_ids) if all(0 <= i < 256 for i in self._byte_ids) else None
        )

        # left id -> {right id: rank << id_bits | merged id}. One int per pair: C's min()
        # over a list of them finds the best-ranked pair (ranks are distinct, so the merged
        # id in the low bits never decides), and `& self._id_mask` takes the merged id back.
        # Two int-keyed look-ups are cheaper than building and hashing a (left, right)
        # tuple. Every id (and _MISSING) has an entry, most the one shared empty dict.
        # The first rank wins for a repeated pair.
        id_bits = max(self.vocab.values(), default=0).bit_length()
        self._id_mask = (1 << id_bits) - 1
        assert len(self.merges) << id_bits < _NO_MERGE, "too many merges to pack"
        no_merges: dict[int, int] = {}
        self._merges_after = dict.fromkeys([*self.vocab.values(), _MISSING], no_merges)
        for rank, (a, b) in enumerate(self.merges):
            try:
                left, right, merged = self.vocab[a], self.vocab[b], self.vocab[a + b]
            except KeyError as error:
                raise ValueError(
                    f"merge {rank} ({a!r}, {b!r}) uses or makes {error.args[0]!r}, which is "
                    "not in the vocabulary; pass the vocab the merges were learned with."
                ) from None
            after = self._merges_after[left]
            if after is no_merges:
                after = self._merges_after[left] = {}
            after.setdefault(right, rank << id_bits | merged)
        self._cache = PieceCache(self._encode_piece)
        # subtle: with GPT-2's and GPT-4's patterns a space followed by a non-space always
        # starts a piece, and no piece reaches across one, so cutting there first yields
        # the very same pieces (tests check this on random text). Other patterns do not
        # promise it (SmolLM's lets "\n " end before a digit), so they skip the shortcut.
        self._cut_at_spaces = _SPACE_BEFORE_WORD.split if self.pattern in _CUT_AT_SPACES else None
        self._spaced = PieceCache(self._encode_spaced)
        # subtle: with GPT-2's pattern (not GPT-4's, whose punctuation takes the newlines
        # after it: ".\n") a newline before a non-space is a piece of its own: only
        # whitespace pieces hold a newline, and one ending there would fail its (?!\S).
        # So "shirt.\nTwo", one of many line-end-and-line-start segments, is "shirt." and
        # "Two", both seen often; `_plain` holds runs like "Two" with no space before.
        self._cut_at_newlines = self.pattern == PATTERNS["gpt2"]
        self._plain = PieceCache(self._encode_run)
        self._newline_ids = self._encode_piece("\n")
        self._streams = self.pattern in _STREAMS

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

    def _cut_points(self, text: str, start: int) -> Iterator[int]:
        r"""Before a space that precedes a letter, and after a newline between non-spaces.

        Under GPT-2's, GPT-4's and SmolLM's patterns (others: no cuts), a space before a
        letter starts a piece (``" word"``), no piece reaches across it, and a piece that
        ends there reads no further than the space: nothing it decides changes with what
        follows. A newline between two non-spaces is a piece of its own, or ends GPT-4's
        ``".\n"``, whatever comes after the next character. Whitespace runs are the trap:
        ``"\n\n"``, ``" \n"`` or trailing spaces join or split by what follows
        (``\s+(?!\S)``), so no cut touches one.
        """
        if not self._streams:
            return iter(())
        return (match.start() for match in _STREAM_CUTS.finditer(text, start))

    def _encode_spaced(self, segment: str) -> tuple[int, ...]:
        """The ids of ``" " + segment`` (a miss of the segment cache).

        A first encode misses once per distinct segment. Half of them in line-broken
        text join a line's last word and the next line's first (``"shirt.\\nTwo"``): cut
        at the newline, the parts ``"shirt."`` and ``"Two"`` are cache hits, cheaper
        than running the split regex again.
        """
        if self._cut_at_newlines:
            head, _, tail = segment.partition("\n")
            # subtle: str.isspace is true for U+001C..U+001F, which the pattern calls
            # non-space; such a tail only loses the shortcut, never cuts wrongly.
            if tail and not tail[0].isspace():
                return self._spaced[head] + self._newline_ids + self._plain[tail]
        # subtle: str.isalpha holds only for \p{L} letters (a test checks every code point),
        # so " word" is one piece and " word," two, found without running the split regex.
        if segment.isalpha():
            return self._cache[" " + segment]
        if segment[-1:] in _WORD_END_MARKS and segment[:-1].isalpha():
            return self._cache[" " + segment[:-1]] + self._cache[segment[-1]]
        return self._encode_run(" " + segment)

    def _encode_run(self, text: str) -> tuple[int, ...]:
        """The ids of ``text``, piece by piece (a miss of a cache of runs)."""
        pieces = self._split(text)
        if len(pieces) == 1:  # " word": share the piece's tuple, skip building a new one
            return self._cache[pieces[0]]
        if len(pieces) <= 8:  # " word,\n": adding a few tuples beats chain's machinery
            return sum(map(self._cache.__getitem__, pieces), ())
        # subtle: sum copies its total each step, quadratic for a long run of pieces with
        # no space between (CJK text, "1,2,3,..."); chain stays linear.
        return tuple(chain.from_iterable(map(self._cache.__getitem__, pieces)))

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
        if self._byte_table is not None:
            ids = list(data.translate(self._byte_table))
        else:
            ids = [self._byte_ids[b] for b in data]
        ids = self._merge_scan(ids) if len(ids) <= SCAN_LIMIT else self._merge_heap(ids)
        if self._lacks_bytes:
            ids = [i for i in ids if i != _MISSING]
        return tuple(ids)

    def _merge_scan(self, ids: list[int]) -> list[int]:
        """Apply merges to a short piece: find the best pair, join it, repeat.

        ``ranks[i]`` holds the packed rank of the pair ``ids[i], ids[i + 1]``, so C's
        ``min`` and ``index`` find the best, leftmost pair, and a merge looks up only the
        two pairs it changes (quadratic in the worst case, but few steps for a word).

        >>> tok = ByteLevelBPETokenizer([(b"a", b"a"), (b"aa", b"a")])
        >>> tok._merge_scan([97, 97, 97, 97])  # a a a a -> aa a a -> aa aa: rank 0 first
        [256, 256]
        """
        after, mask = self._merges_after, self._id_mask
        lefts = map(after.__getitem__, ids)
        ranks = list(map(dict.get, lefts, islice(ids, 1, None), repeat(_NO_MERGE)))
        while ranks:
            best = min(ranks)
            if best == _NO_MERGE:
                break
            i = ranks.index(best)
            ids[i] = merged = best & mask
            del ids[i + 1], ranks[i]
            if i < len(ranks):
                ranks[i] = after[merged].get(ids[i + 1], _NO_MERGE)
            if i:
                ranks[i - 1] = after[ids[i - 1]].get(merged, _NO_MERGE)
        return ids

    def _merge_heap(self, ids: list[int]) -> list[int]:
        """Apply merges to a long piece in O(n log n): the same order as :meth:`_merge_scan`.

        Candidate pairs wait in a heap keyed by (packed rank, position), so the best-ranked,
        leftmost pair comes out first; a merge links the survivors past the absorbed
        right token and queues the two pairs it creates. An entry whose tokens changed
        since it was queued is stale and skipped.
        """
        merges_after, mask = self._merges_after, self._id_mask
        n = len(ids)
        after = list(range(1, n + 1))  # index of the next live token; n: none
        before = list(range(-1, n - 1))  # index of the previous live token; -1: none
        heap = [
            (found, i, ids[i], ids[i + 1])
            for i in range(n - 1)
            if (found := merges_after[ids[i]].get(ids[i + 1])) is not None
        ]
        heapq.heapify(heap)
        dead = -2  # marks an absorbed position; never a real id or _MISSING
        while heap:
            found, i, left, right = heapq.heappop(heap)
            j = after[i]
            if j >= n or ids[i] != left or ids[j] != right:
                continue  # stale: one side has been merged since
            ids[i] = found & mask
            ids[j] = dead
            after[i] = after[j]
            if after[i] < n:
                before[after[i]] = i
            for a, b in ((before[i], i), (i, after[i])):
                if a >= 0 and b < n:
                    found = merges_after[ids[a]].get(ids[b])
                    if found is not None:
                        heapq.heappush(heap, (found, a, ids[a], ids[b]))
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
    def reads_hf_dict(cls, spec: dict[str, Any]) -> bool:
        """A BPE with a pre-tokenizer and no byte fallback is byte-level."""
        return not spec["model"].get("byte_fallback") and spec.get("pre_tokenizer") is not None

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
            lines = model["merges"]
            merges = (
                merges_from_lines(lines)
                if all(map(isinstance, lines, repeat(str)))
                else [(text_to_bytes(a), text_to_bytes(b)) for a, b in lines]  # [a, b] pairs
            )
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
        vocab = dict(zip(texts_to_bytes(encoder), encoder.values(), strict=True))
        merges = merges_from_lines(
            [line for line in lines if line and not line.startswith("#version")]
        )
    except (KeyError, ValueError) as error:
        raise TokenizerFileError(
            f"{encoder_json} / {vocab_bpe} are not GPT-2's encoder.json and vocab.bpe ({error})."
        ) from None
    # subtle: tiktoken, the reference for these files, takes a piece that is itself a token
    # as that token without merging (ignore_merges). For GPT-2's vocabulary this gives the
    # ids that merging gives (the tests compare every line of several corpora), and a
    # fresh tokenizer skips the merge loop for a quarter of the distinct words it meets.
    return ByteLevelBPETokenizer(
        merges, "gpt2", special_tokens=special, vocab=vocab, ignore_merges=True
    )
