"""The Unigram language-model tokenizer (Kudo, 2018): Viterbi over a lattice of pieces.

BPE and WordPiece cut a word by rules; Unigram *scores* every way of cutting it. Each
vocabulary piece has a log probability, a segmentation's score is the sum over its pieces,
and the tokenizer returns the best one, found by Viterbi over the lattice of all pieces
that match the word (dynamic programming over end positions):

    "▁hello" with pieces ▁he (-3.0), llo (-4.0), ▁hell (-5.5), o (-2.0), ...
    best ending at 3 ("▁he")   = -3.0
    best ending at 6 ("▁hello") = max(-3.0 + -4.0, -5.5 + -2.0, ...) = -7.0  -> ▁he llo

A character with no piece gets the unknown token at a penalty (10 below the lowest score);
neighbouring unknowns fuse into one, or become ``<0xNN>`` byte tokens with byte fallback.
Text is made SentencePiece-style first: spaces become ``"▁"``, a ``"▁"`` is put in front,
and the text is cut before each ``"▁"`` (the ``Metaspace`` pre-tokenizer).

Training lives in :mod:`nlpjourney.tokenizers.unigram_trainer`; it follows SentencePiece:

1. seed: every character, and the substrings of the distinct words (2 to
   ``max_piece_length`` characters, occurring at least twice, followed by more than one
   character), the best ``seed_size`` by occurrences x length, with log relative
   frequencies as scores;
2. EM, ``n_sub_iterations`` times: the E-step runs forward-backward over each word's
   lattice to get every piece's expected count (and the corpus log likelihood); the
   M-step drops pieces expected fewer than 0.5 times and scores the rest
   ``digamma(count) - digamma(total)``, SentencePiece's Bayesian estimate;
3. prune: for each piece, the loss in likelihood if it were removed and its uses went
   to the next-best segmentation of the piece; keep the ``shrinking_factor`` share with the
   largest losses (single characters are always kept) and go back to 2, until the
   vocabulary is within 10% of ``vocab_size``; then keep the best-scored pieces.

Reference: Hugging Face ``tokenizers``' ``Unigram`` model (Viterbi ids equal
``tokenizers.models.Unigram(vocab)`` with the same ``Metaspace`` pre-tokenizer) and its
``UnigramTrainer``; Google's SentencePiece ``unigram_model_trainer.cc``; Kudo (2018),
"Subword Regularization".

Simplifications:
    - Seeds are found by counting the substrings of each distinct word, where
      SentencePiece and ``tokenizers`` walk a suffix array of the words; both find the
      substrings that occur at least twice and are followed by more than one character.
    - ``UnigramTrainer`` differs from SentencePiece in two details we do not copy: it keeps
      the pruning order, not the best scores, when it cuts to ``vocab_size`` at the end,
      and it prices a pruned piece with the vocabulary size where SentencePiece uses the
      number of pieces that replace it. So the vocabularies differ a little from its;
      the tests report the overlap.
    - No sampling (subword regularisation) and no n-best output.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from nlpjourney.tokenizers.base import Tokenizer, TokenizerFileError, register_hf_model
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

__all__ = [
    "METASPACE",
    "METASPACE_DECODER",
    "UnigramTokenizer",
    "viterbi",
]

METASPACE: dict[str, Any] = {
    "type": "Metaspace",
    "replacement": "▁",
    "prepend_scheme": "always",
    "split": True,
}
METASPACE_DECODER: dict[str, Any] = {
    "type": "Metaspace",
    "replacement": "▁",
    "prepend_scheme": "always",
    "split": True,
}
# How far below the lowest piece score an unknown character scores (SentencePiece's value).
UNK_PENALTY = 10.0


def viterbi(
    word: str, scores: dict[str, float], max_len: int, unk_score: float
) -> list[tuple[int, int, bool]]:
    """The best segmentation of ``word`` as ``(start, end, is_unknown)`` spans.

    Ties keep the first candidate found, scanning starts left to right and, at each start,
    pieces from short to long (the order ``tokenizers`` uses). A position where no piece of
    one character starts also gets an unknown span of one character.

    >>> viterbi("abc", {"a": -1.0, "b": -1.0, "bc": -1.5, "c": -1.0}, 2, -20.0)
    [(0, 1, False), (1, 3, False)]
    """
    n = len(word)
    best = [-math.inf] * (n + 1)
    back: list[tuple[int, bool]] = [(0, False)] * (n + 1)
    best[0] = 0.0
    for start in range(n):
        here = best[start]
        if here == -math.inf:
            continue
        single = False
        for end in range(start + 1, min(n, start + max_len) + 1):
            score = scores.get(word[start:end])
            if score is None:
                continue
            if end == start + 1:
                single = True
            # subtle: strictly greater, so the first path found wins a tie.
            if here + score > best[end]:
                best[end] = here + score
                back[end] = (start, False)
        if not single and here + unk_score > best[start + 1]:
            best[start + 1] = here + unk_score
            back[start + 1] = (start, True)
    spans: list[tuple[int, int, bool]] = []
    end = n
    while end > 0:
        start, unknown = back[end]
        spans.append((start, end, unknown))
        end = start
    spans.reverse()
    return spans


@register_hf_model("Unigram")
class UnigramTokenizer(Tokenizer):
    """Best-scoring segmentation over a vocabulary of pieces with log probabilities.

    Args:
        pieces: ``(piece, log probability)`` in id order (special tokens included, as in
            a ``tokenizer.json``).
        unk_id: the id of the unknown token, or None (then unknown characters raise).
        byte_fallback: spell unknown stretches as ``<0xNN>`` byte tokens when all exist.
        special_tokens: tokens matched in raw text (default: the unknown piece).
        prefix_ids: ids ``encode(..., add_special_tokens=True)`` puts first.
        suffix_ids: ids it puts last.
        normalizer: a ``tokenizer.json`` normalizer spec, or None.
        pre_tokenizer: None or a Metaspace spec (default: SentencePiece's).
        decoder: a decoder spec (default: Metaspace).
    """

    def __init__(
        self,
        pieces: Sequence[tuple[str, float]],
        unk_id: int | None = 0,
        byte_fallback: bool = False,
        special_tokens: dict[str, int] | None = None,
        prefix_ids: Sequence[int] = (),
        suffix_ids: Sequence[int] = (),
        normalizer: dict[str, Any] | None = None,
        pre_tokenizer: dict[str, Any] | None = METASPACE,
        decoder: dict[str, Any] | None = METASPACE_DECODER,
    ) -> None:
        if not pieces:
            raise ValueError("a Unigram vocabulary needs at least one piece.")
        if unk_id is not None and not 0 <= unk_id < len(pieces):
            raise ValueError(f"unk_id {unk_id} is outside the {len(pieces)} pieces.")
        if special_tokens is None:
            special_tokens = {} if unk_id is None else {pieces[unk_id][0]: unk_id}
        super().__init__(special_tokens, prefix_ids, suffix_ids)
        check_normalizer(normalizer)
        check_pre_tokenizer(pre_tokenizer)
        check_decoder(decoder)
        self.pieces = [(str(p), float(s)) for p, s in pieces]
        self.vocab = {}
        for i, (piece, _) in enumerate(self.pieces):
            self.vocab.setdefault(piece, i)
        self.scores = {p: s for p, s in reversed(self.pieces)}  # first id wins a duplicate
        self.unk_id = unk_id
        self.byte_fallback = byte_fallback
        self.normalizer = normalizer
        self.pre_tokenizer = pre_tokenizer
        self.decoder = decoder
        self._max_len = max(len(p) for p, _ in self.pieces)
        self._unk_score = min(s for _, s in self.pieces) - UNK_PENALTY
        self._cache: dict[str, list[int]] = {}
        # encode_iterable may cut before a space when Metaspace starts a word at each
        # one and the normalizer runs on both sides alike (see _cut_points).
        self._space_cuts = (
            is_local(normalizer)
            and pre_tokenizer is not None
            and pre_tokenizer.get("split", True)
            and normalize(normalizer, " ", continued=True)
            in (" ", pre_tokenizer.get("replacement", "▁"))
        )

    def _unknown_ids(self, text: str) -> list[int]:
        if self.byte_fallback:
            ids = [self.vocab.get(byte_fallback_token(b)) for b in text.encode("utf-8")]
            if None not in ids:
                return ids  # type: ignore[return-value]
        if self.unk_id is None:
            raise ValueError(
                f"{text!r} has no piece and this vocabulary has no unknown token; "
                "train with more text or give the vocabulary an unk_id."
            )
        return [self.unk_id]

    def _encode_word(self, word: str) -> list[int]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        ids: list[int] = []
        unknown = ""  # neighbouring unknown spans fuse into one
        for start, end, is_unknown in viterbi(word, self.scores, self._max_len, self._unk_score):
            piece = word[start:end]
            # subtle: the unknown piece itself ("<unk>" in the text) fuses like an unknown.
            if is_unknown or (self.unk_id is not None and self.vocab[piece] == self.unk_id):
                unknown += piece
                continue
            if unknown:
                ids.extend(self._unknown_or_piece(unknown))
                unknown = ""
            ids.append(self.vocab[piece])
        if unknown:
            ids.extend(self._unknown_or_piece(unknown))
        if len(self._cache) < 100_000:
            self._cache[word] = ids
        return ids

    def _unknown_or_piece(self, text: str) -> list[int]:
        found = self.vocab.get(text)
        return [found] if found is not None else self._unknown_ids(text)

    def encode_ordinary(self, text: str) -> list[int]:
        """Ids of ``text``: normalize, cut into words, best segmentation of each."""
        return self._encode_stretch(text, continued=False)

    def _encode_continued(self, text: str) -> list[int]:
        return self._encode_stretch(text, continued=True)

    def _encode_stretch(self, text: str, continued: bool) -> list[int]:
        ids: list[int] = []
        for word in pre_tokenize(self.pre_tokenizer, normalize(self.normalizer, text, continued)):
            ids.extend(self._encode_word(word))
        return ids

    def _cut_points(self, text: str, start: int) -> Iterator[int]:
        """Before each space, the last first: Metaspace starts a word there, and a
        stretch that begins with its ``"▁"`` gets no other in front."""
        if not self._space_cuts:
            return
        p = text.rfind(" ", max(start, 1))
        while p != -1:
            yield p
            p = text.rfind(" ", max(start, 1), p)

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False) -> str:
        """The text of ``ids`` by the decoder (``"▁"`` back to spaces).

        Args:
            ids: token ids.
            skip_special_tokens: leave out special tokens (off by default, as in
                ``transformers``; ``tokenizers`` skips them by default).
        """
        tokens = []
        for i in ids:
            if skip_special_tokens and i in self._special_by_id:
                continue
            if not 0 <= i < len(self.pieces):
                raise ValueError(f"id {i} is not in this vocabulary of {self.vocab_size} ids.")
            tokens.append(self.pieces[i][0])
        return decode_tokens(self.decoder, tokens)

    def token_to_id(self, token: str) -> int | None:
        """The id of a piece or special token, or None."""
        found = self.vocab.get(token)
        return self.special_tokens.get(token) if found is None else found

    def id_to_token(self, id: int) -> str | None:
        """The piece of an id, or None."""
        return self.pieces[id][0] if 0 <= id < len(self.pieces) else None

    @property
    def vocab_size(self) -> int:
        """How many ids there are, special tokens included."""
        return len(self.pieces)

    def to_hf_dict(self) -> dict[str, Any]:
        """This tokenizer as a Hugging Face ``tokenizer.json`` object."""
        return tokenizer_json(
            self,
            normalizer=self.normalizer,
            pre_tokenizer=self.pre_tokenizer,
            decoder=self.decoder,
            model={
                "type": "Unigram",
                "unk_id": self.unk_id,
                "vocab": [[p, s] for p, s in self.pieces],
                "byte_fallback": self.byte_fallback,
            },
        )

    @classmethod
    def from_hf_dict(cls, spec: dict[str, Any]) -> UnigramTokenizer:
        """Build one from a parsed ``tokenizer.json`` with a Unigram model."""
        model = spec.get("model", {})
        if model.get("type") != "Unigram":
            raise TokenizerFileError(f"expected a Unigram model, found {model.get('type')!r}.")
        pieces = model.get("vocab") or []
        if not all(isinstance(p, list | tuple) and len(p) == 2 for p in pieces):
            raise TokenizerFileError("a Unigram vocab is a list of [piece, score] pairs.")
        specials = added_tokens(spec)
        vocab = {p: i for i, (p, _) in enumerate(pieces)}
        prefix, suffix = template_ids(
            spec.get("post_processor"), lambda t: vocab.get(t, specials.get(t))
        )
        return cls(
            [(p, s) for p, s in pieces],
            unk_id=model.get("unk_id"),
            byte_fallback=bool(model.get("byte_fallback", False)),
            special_tokens=specials,
            prefix_ids=prefix,
            suffix_ids=suffix,
            normalizer=spec.get("normalizer"),
            pre_tokenizer=spec.get("pre_tokenizer"),
            decoder=spec.get("decoder"),
        )
