"""SentencePiece-style BPE with byte fallback: the Llama 2 / Mistral tokenizer.

Byte-level BPE (GPT-2) first turns text into bytes, so every string has a spelling. This
model works on *characters* instead, as Google's SentencePiece does:

1. each stretch of text between special tokens is normalized: ``"▁"`` (U+2581) put
   first, and every space replaced by ``"▁"``: ``"Hi you"`` -> ``"▁Hi▁you"``;
2. there is no pre-tokenizer: the whole stretch is one word, so a merge may cross a
   space (``"▁▁"`` is a piece);
3. the word starts as one symbol per character; a character missing from the vocabulary
   becomes its UTF-8 bytes, each a ``<0xNN>`` token (*byte fallback*: ``"🤖"`` ->
   ``<0xF0> <0x9F> <0xA4> <0x96>``), or the unknown token when byte fallback is off or
   a byte token is missing (neighbouring unknowns fuse into one when ``fuse_unk``);
4. adjacent symbols are merged, lowest merge rank first (leftmost first on a tie), until
   no listed merge applies;
5. ``add_special_tokens=True`` puts ``<s>`` first.

Merging a whole line at once would be slow, and a line is rarely met twice. But Llama 2's
merges never join a character to a ``"▁"`` after it, so no token spans such a place:
encoding cuts the text there first (``"▁Hi▁▁you"`` -> ``"▁Hi"``, ``"▁▁you"``), merges
each piece once and remembers its ids. The ids are the same; a vocabulary whose merges
do cross there is merged one whole stretch at a time.

Decoding reverses it: ``"▁"`` -> space, runs of ``<0xNN>`` tokens back to bytes then text
(U+FFFD for each byte of a run that is not valid UTF-8), all joined, and the one leading
space the normalizer added is stripped.

>>> tok = SentencePieceBPETokenizer({"<unk>": 0, "▁": 1, "h": 2, "i": 3, "▁h": 4, "▁hi": 5},
...     [("▁", "h"), ("▁h", "i")], special_tokens={"<unk>": 0})
>>> tok.encode("hi hi")
[5, 5]
>>> tok.decode([5, 5])
'hi hi'

Reference: Hugging Face ``tokenizers``' ``BPE`` model with ``byte_fallback=True`` and
the Llama 2 ``tokenizer.json`` (``Prepend``/``Replace`` normalizer, ``ByteFallback``,
``Fuse``, ``Strip`` decoder, ``TemplateProcessing`` post-processor); ids equal
``tokenizers.Tokenizer.from_file(...).encode(text).ids``.

Simplifications:
    - No BPE dropout, no ``continuing_subword_prefix`` / ``end_of_word_suffix`` (files
      with them are refused); no truncation or padding.
    - The normalizer, pre-tokenizer and decoder are the steps
      :mod:`nlpjourney.tokenizers.sentencepiece_steps` runs, nothing else.
    - A lone surrogate (half of a broken UTF-16 pair, or a non-UTF-8 byte that Python
      kept as ``\\udcXX``) has no UTF-8 form; it is read as U+FFFD, as tiktoken reads
      it. ``tokenizers`` refuses such a string with a ``TypeError``.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any

import regex

from nlpjourney.tokenizers.base import (
    PieceCache,
    StringVocabTokenizer,
    TokenizerFileError,
    register_hf_model,
)
from nlpjourney.tokenizers.hf_json import (
    added_tokens,
    template_ids,
    tokenizer_json,
)
from nlpjourney.tokenizers.sentencepiece_steps import (
    byte_fallback_token,
    check_decoder,
    check_normalizer,
    check_pre_tokenizer,
    decode_tokens,
    is_local,
    normalize,
    pre_tokenize,
)

__all__ = ["LLAMA_DECODER", "LLAMA_NORMALIZER", "SentencePieceBPETokenizer"]

LLAMA_NORMALIZER: dict[str, Any] = {
    "type": "Sequence",
    "normalizers": [
        {"type": "Prepend", "prepend": "▁"},
        {"type": "Replace", "pattern": {"String": " "}, "content": "▁"},
    ],
}
LLAMA_DECODER: dict[str, Any] = {
    "type": "Sequence",
    "decoders": [
        {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
        {"type": "ByteFallback"},
        {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0},
    ],
}


# A run of "▁" with the other characters after it: the text cut before each "▁" that
# follows another character ("▁Hi▁▁you" -> "▁Hi", "▁▁you").
_WORD_STARTS = re.compile("▁*[^▁]+|▁+")
# Where a stream may be cut: after a newline, or at a space after a non-space; searched
# backwards (REVERSE), the last place first.
_STREAM_CUTS = regex.compile(r"(?<=\n)|(?<=\S)(?= )", regex.REVERSE)


@register_hf_model("BPE")
class SentencePieceBPETokenizer(StringVocabTokenizer):
    """BPE over characters with byte fallback, as in Llama 2's ``tokenizer.json``.

    Args:
        vocab: every token string and its id (byte tokens ``<0x00>``..``<0xFF>`` and the
            special tokens included, as in the file).
        merges: pairs of token strings, highest priority first.
        unk_token: the token for characters that have no spelling; None drops them.
        byte_fallback: spell unknown characters as ``<0xNN>`` byte tokens.
        fuse_unk: neighbouring unknown characters become one unknown token.
        ignore_merges: a word that is in the vocabulary as a whole is one token.
        special_tokens: tokens matched in raw text (``<s>``, ``</s>``, ``<unk>``).
        prefix_ids: ids ``encode(..., add_special_tokens=True)`` puts first.
        suffix_ids: ids it puts last.
        normalizer: a ``tokenizer.json`` normalizer spec (default Llama 2's).
        pre_tokenizer: a pre-tokenizer spec: None (Llama 2) or Metaspace.
        decoder: a decoder spec (default Llama 2's).
    """

    def __init__(
        self,
        vocab: dict[str, int],
        merges: Sequence[tuple[str, str]],
        unk_token: str | None = "<unk>",
        byte_fallback: bool = True,
        fuse_unk: bool = True,
        ignore_merges: bool = False,
        special_tokens: dict[str, int] | None = None,
        prefix_ids: Sequence[int] = (),
        suffix_ids: Sequence[int] = (),
        normalizer: dict[str, Any] | None = LLAMA_NORMALIZER,
        pre_tokenizer: dict[str, Any] | None = None,
        decoder: dict[str, Any] | None = LLAMA_DECODER,
    ) -> None:
        super().__init__(special_tokens, prefix_ids, suffix_ids)
        check_normalizer(normalizer)
        check_pre_tokenizer(pre_tokenizer)
        check_decoder(decoder)
        self._set_vocab(vocab)
        self.merges = [tuple(pair) for pair in merges]
        # (left id, right id) -> (rank, merged id): merging works on ids, not strings.
        self._merge_of: dict[tuple[int, int], tuple[int, int]] = {}
        for rank, (left, right) in enumerate(self.merges):
            ids = (self.vocab.get(left), self.vocab.get(right), self.vocab.get(left + right))
            if None in ids:
                raise TokenizerFileError(
                    f"merge {left!r} + {right!r} names a token missing from the vocabulary; "
                    "the vocab and merges do not belong together."
                )
            self._merge_of.setdefault((ids[0], ids[1]), (rank, ids[2]))
        if unk_token is not None and unk_token not in self.vocab:
            raise TokenizerFileError(f"unk_token {unk_token!r} is not in the vocabulary.")
        self.unk_token = unk_token
        self.byte_fallback = byte_fallback
        self.fuse_unk = fuse_unk
        self.ignore_merges = ignore_merges
        self.normalizer = normalizer
        self.pre_tokenizer = pre_tokenizer
        self.decoder = decoder
        # Byte tokens by byte value, or None where the vocabulary lacks one.
        self._byte_ids = [self.vocab.get(byte_fallback_token(b)) for b in range(256)]
        # subtle: with no pre-tokenizer a whole line is one word, merged whole and never
        # met again. If no merge joins a symbol that ends in another character to one that
        # starts with "▁" (none of Llama 2's 58,980 does), no token ever spans such a
        # place, so cutting words there first gives the same ids (tests compare both), and
        # each "▁word" is merged once and remembered. "▁" must be a token, or it could
        # fuse with an unknown neighbour; ignore_merges looks at whole words, so it opts out.
        joins_words = any(a[-1:] != "▁" and b[:1] == "▁" for a, b in self.merges)
        cut = "▁" in self.vocab and not joins_words and not ignore_merges
        self._cut_words = _WORD_STARTS.findall if cut else None
        self._cache = PieceCache(self._encode_segment)
        # Where encode_iterable may cut (see _cut_points). Both need a normalizer that
        # runs on each side of the cut alike and no pre-tokenizer (Metaspace would put
        # its "▁" before a continued stretch).
        local = is_local(normalizer) and pre_tokenizer is None
        self._space_cuts = local and cut and normalize(normalizer, " ", continued=True) == "▁"
        newline = self._symbols("\n")
        in_merges = {i for pair in self._merge_of for i in pair}
        self._newline_cuts = (
            local
            and not ignore_merges
            and normalize(normalizer, "\n", continued=True) == "\n"
            and bool(newline)
            and not in_merges.intersection(newline)
            and (unk_token is None or self.vocab[unk_token] not in newline)
        )

    # -- the model ----------------------------------------------------------------------

    def _symbols(self, word: str) -> list[int]:
        """The word's starting symbols: characters, byte tokens, or unknown tokens."""
        symbols: list[int] = []
        unk_id = None if self.unk_token is None else self.vocab[self.unk_token]
        previous_unk = False
        for char in word:
            i = self.vocab.get(char)
            if i is not None:
                symbols.append(i)
                previous_unk = False
                continue
            if self.byte_fallback:
                byte_ids = [self._byte_ids[b] for b in char.encode("utf-8")]
                if None not in byte_ids:
                    symbols.extend(byte_ids)  # type: ignore[arg-type]
                    previous_unk = False
                    continue
            if unk_id is None:
                continue  # tokenizers drops the character when there is no unk token
            if not (self.fuse_unk and previous_unk):
                symbols.append(unk_id)
            previous_unk = True
        return symbols

    def _merge(self, symbols: list[int]) -> list[int]:
        """Apply merges lowest rank first, leftmost first among equal ranks.

        A heap of candidate pairs keyed by (rank, position) and a doubly linked list of
        symbols make this O(n log n), so a long line (no pre-tokenizer cuts it) is cheap.
        """
        n = len(symbols)
        if n < 2:
            return symbols
        ids = list(symbols)
        next_ = list(range(1, n + 1))  # n means "no next"
        prev = list(range(-1, n - 1))
        alive = [True] * n
        heap: list[tuple[int, int, int, int, int]] = []
        merge_of = self._merge_of

        def push(left: int) -> None:
            right = next_[left]
            if right < n:
                found = merge_of.get((ids[left], ids[right]))
                if found is not None:
                    heap.append((found[0], left, ids[left], ids[right], found[1]))

        for left in range(n - 1):
            push(left)
        heapq.heapify(heap)
        while heap:
            rank, left, left_id, right_id, merged = heapq.heappop(heap)
            right = next_[left] if alive[left] else n
            # subtle: a popped pair may be stale (one side already merged elsewhere).
            if right >= n or ids[left] != left_id or ids[right] != right_id:
                continue
            ids[left] = merged
            alive[right] = False
            next_[left] = next_[right]
            if next_[left] < n:
                prev[next_[left]] = left
            for start in (prev[left], left):
                if start >= 0:
                    after = next_[start]
                    if after < n:
                        found = merge_of.get((ids[start], ids[after]))
                        if found is not None:
                            heapq.heappush(
                                heap, (found[0], start, ids[start], ids[after], found[1])
                            )
        return [ids[i] for i in range(n) if alive[i]]

    def _encode_word(self, word: str) -> list[int]:
        if self.ignore_merges and word in self.vocab:
            return [self.vocab[word]]
        return self._merge(self._symbols(word))

    def _encode_segment(self, segment: str) -> tuple[int, ...]:
        """The ids of a ``"▁word"`` segment (a miss of the segment cache)."""
        return tuple(self._merge(self._symbols(segment)))

    def encode_ordinary(self, text: str) -> list[int]:
        """Ids of ``text``: normalize, cut into words (none: one word), BPE each."""
        return self._encode_stretch(text, continued=False)

    def _encode_continued(self, text: str) -> list[int]:
        return self._encode_stretch(text, continued=True)

    def _cut_points(self, text: str, start: int) -> Iterator[int]:
        """After a newline, and at a space after a character that stays no ``"▁"``.

        A newline whose symbols (``<0x0A>``) take part in no merge and are not unknown
        splits the merging in two; a space, made ``"▁"``, after another character starts
        a word of ``_cut_words``. The stretch after the cut gets no ``"▁"`` in front.
        """
        if not (self._newline_cuts or self._space_cuts):
            return
        for match in _STREAM_CUTS.finditer(text, start):
            p = match.start()
            if text[p - 1] == "\n":
                if self._newline_cuts:
                    yield p
            elif self._space_cuts:
                if normalize(self.normalizer, text[p - 1], continued=True)[-1:] != "▁":
                    yield p

    def _encode_stretch(self, text: str, continued: bool) -> list[int]:
        ids: list[int] = []
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # subtle: a surrogate pair joins into its character; a lone one becomes U+FFFD.
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        normalized = normalize(self.normalizer, text, continued)
        for word in pre_tokenize(self.pre_tokenizer, normalized):
            if self._cut_words is None:
                ids.extend(self._encode_word(word))
            else:
                ids.extend(chain.from_iterable(map(self._cache.__getitem__, self._cut_words(word))))
        return ids

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False) -> str:
        """The text of ``ids``, by the decoder steps.

        Args:
            ids: token ids.
            skip_special_tokens: leave out special tokens (``<s>``). Off by default,
                as in ``transformers`` and tiktoken, so text with special tokens
                survives a round trip; ``tokenizers.Tokenizer.decode`` skips by default.
        """
        tokens = []
        for i in ids:
            if skip_special_tokens and i in self._special_by_id:
                continue
            token = self._id_to_token.get(i)
            if token is None:
                raise ValueError(f"id {i} is not in this vocabulary of {self.vocab_size} ids.")
            tokens.append(token)
        return decode_tokens(self.decoder, tokens)

    # -- tokenizer.json ---------------------------------------------------------------

    def to_hf_dict(self) -> dict[str, Any]:
        """This tokenizer as a Hugging Face ``tokenizer.json`` object."""
        return tokenizer_json(
            self,
            normalizer=self.normalizer,
            pre_tokenizer=self.pre_tokenizer,
            decoder=self.decoder,
            model={
                "type": "BPE",
                "dropout": None,
                "unk_token": self.unk_token,
                "continuing_subword_prefix": None,
                "end_of_word_suffix": None,
                "fuse_unk": self.fuse_unk,
                "byte_fallback": self.byte_fallback,
                "ignore_merges": self.ignore_merges,
                "vocab": self.vocab,
                # Pairs as lists: a token may hold a space, which "a b" strings cannot.
                "merges": [list(pair) for pair in self.merges],
            },
        )

    @classmethod
    def reads_hf_dict(cls, spec: dict[str, Any]) -> bool:
        """A BPE with byte fallback, or with no pre-tokenizer, is SentencePiece-style."""
        return bool(spec["model"].get("byte_fallback")) or spec.get("pre_tokenizer") is None

    @classmethod
    def from_hf_dict(cls, spec: dict[str, Any]) -> SentencePieceBPETokenizer:
        """Build one from a parsed ``tokenizer.json`` holding a character-level BPE."""
        model = spec.get("model", {})
        if model.get("type") != "BPE":
            raise TokenizerFileError(f"expected a BPE model, found {model.get('type')!r}.")
        for key in ("continuing_subword_prefix", "end_of_word_suffix"):
            if model.get(key):
                raise TokenizerFileError(f"BPE with {key}={model[key]!r} is not supported.")
        merges = []
        for merge in model.get("merges", []):
            pair = merge.split(" ") if isinstance(merge, str) else merge
            if len(pair) != 2:
                raise TokenizerFileError(f"merge {merge!r} is not a pair of tokens.")
            merges.append((pair[0], pair[1]))
        specials = added_tokens(spec)
        vocab = model.get("vocab") or {}
        prefix, suffix = template_ids(
            spec.get("post_processor"), lambda t: vocab.get(t, specials.get(t))
        )
        return cls(
            vocab,
            merges,
            unk_token=model.get("unk_token"),
            byte_fallback=bool(model.get("byte_fallback", False)),
            fuse_unk=bool(model.get("fuse_unk", False)),
            ignore_merges=bool(model.get("ignore_merges", False)),
            special_tokens=specials,
            prefix_ids=prefix,
            suffix_ids=suffix,
            normalizer=spec.get("normalizer"),
            pre_tokenizer=spec.get("pre_tokenizer"),
            decoder=spec.get("decoder"),
        )
