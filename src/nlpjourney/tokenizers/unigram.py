"""The Unigram language-model tokenizer (Kudo, 2018) and its EM trainer.

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

Training (:class:`UnigramTrainer`, :func:`train_unigram`) follows SentencePiece:

1. seed: every character, and the most frequent substrings of the words (up to
   ``max_piece_length`` characters, occurring at least twice, scored by
   frequency x length), with log relative frequencies as scores;
2. EM, ``n_sub_iterations`` times: the E-step runs forward-backward over each word's
   lattice to get every piece's expected count (and the corpus log likelihood); the M-step
   sets each score to the log of its expected count over the total;
3. prune: for each piece, the loss in likelihood if it were removed and its uses went
   to the next-best segmentation of the piece; keep the ``shrinking_factor`` share with the
   largest losses (single characters are always kept) and go back to 2, until the
   vocabulary is within 10% of ``vocab_size``; then keep the best-scored pieces.

Reference: Hugging Face ``tokenizers``' ``Unigram`` model (Viterbi ids equal
``tokenizers.models.Unigram(vocab)`` with the same ``Metaspace`` pre-tokenizer) and its
``UnigramTrainer``; Google's SentencePiece ``unigram_model_trainer.cc``; Kudo (2018),
"Subword Regularization".

Simplifications:
    - The M-step is maximum likelihood; SentencePiece uses a digamma-smoothed (Bayesian)
      estimate, and drops pieces with expected count under 0.5 in every M-step. Ours drops
      pieces only when pruning, so the likelihood never falls between two prunings.
    - Seeds are all repeated substrings of the words (SentencePiece finds them with a
      suffix array, keeping only branching ones), so the vocabularies differ from
      SentencePiece's and ``UnigramTrainer``'s in detail; the tests report the overlap.
    - No sampling (subword regularisation) and no n-best output.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from nlpjourney.tokenizers.base import Tokenizer, TokenizerFileError
from nlpjourney.tokenizers.hf_json import (
    added_tokens,
    added_tokens_to_hf,
    template_ids,
    template_to_hf,
)
from nlpjourney.tokenizers.sentencepiece_steps import (
    byte_fallback_token,
    check_decoder,
    check_normalizer,
    check_pre_tokenizer,
    decode_tokens,
    normalize,
    pre_tokenize,
)

__all__ = [
    "METASPACE",
    "METASPACE_DECODER",
    "UnigramTokenizer",
    "UnigramTrainer",
    "train_unigram",
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
        ids: list[int] = []
        for word in pre_tokenize(self.pre_tokenizer, normalize(self.normalizer, text)):
            ids.extend(self._encode_word(word))
        return ids

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        """The text of ``ids`` by the decoder (``"▁"`` back to spaces).

        Args:
            ids: token ids.
            skip_special_tokens: leave out special tokens, as ``tokenizers`` does.
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
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added_tokens_to_hf(self.special_tokens),
            "normalizer": self.normalizer,
            "pre_tokenizer": self.pre_tokenizer,
            "post_processor": template_to_hf(self.prefix_ids, self.suffix_ids, self.id_to_token),
            "decoder": self.decoder,
            "model": {
                "type": "Unigram",
                "unk_id": self.unk_id,
                "vocab": [[p, s] for p, s in self.pieces],
                "byte_fallback": self.byte_fallback,
            },
        }

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


# -- training ----------------------------------------------------------------------------


def _logsumexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


class UnigramTrainer:
    """SentencePiece's Unigram training: seed, EM, prune, repeat.

    The learned vocabulary may be smaller than ``vocab_size`` on a tiny corpus (see
    :func:`train_unigram`).

    ``__init__`` only stores settings; :meth:`fit` learns, and leaves ``tokenizer_`` (the
    result) and ``log_likelihoods_`` (the corpus log likelihood before each M-step, one
    list per pruning round: within a round it never falls).

    Args:
        vocab_size: pieces in the final vocabulary, special tokens included.
        special_tokens: given the first ids; ``unk_token`` must be among them.
        unk_token: the unknown piece.
        max_piece_length: longest piece, in characters.
        seed_size: at most this many seed substrings (characters are added on top).
        shrinking_factor: share of pieces each pruning keeps.
        n_sub_iterations: EM steps between prunings.
    """

    def __init__(
        self,
        vocab_size: int = 8000,
        special_tokens: Sequence[str] = ("<unk>",),
        unk_token: str = "<unk>",
        max_piece_length: int = 16,
        seed_size: int = 1_000_000,
        shrinking_factor: float = 0.75,
        n_sub_iterations: int = 2,
    ) -> None:
        self.vocab_size = vocab_size
        self.special_tokens = tuple(special_tokens)
        self.unk_token = unk_token
        self.max_piece_length = max_piece_length
        self.seed_size = seed_size
        self.shrinking_factor = shrinking_factor
        self.n_sub_iterations = n_sub_iterations

    def _check(self) -> None:
        if self.unk_token not in self.special_tokens:
            raise ValueError(f"unk_token {self.unk_token!r} must be one of special_tokens.")
        if self.vocab_size <= len(self.special_tokens):
            raise ValueError(
                f"vocab_size {self.vocab_size} leaves no room beside "
                f"{len(self.special_tokens)} special tokens."
            )
        if not 0 < self.shrinking_factor < 1:
            raise ValueError("shrinking_factor must be between 0 and 1 (exclusive).")
        if self.max_piece_length < 1 or self.n_sub_iterations < 1:
            raise ValueError("max_piece_length and n_sub_iterations must be at least 1.")

    def fit(self, texts: Iterable[str]) -> UnigramTrainer:
        """Learn a vocabulary from ``texts`` (one string per line or document)."""
        if isinstance(texts, str):
            raise TypeError("texts is an iterable of strings; wrap a single text in a list.")
        self._check()
        words: Counter[str] = Counter()
        for text in texts:
            words.update(pre_tokenize(METASPACE, text))
        words.pop("", None)
        if not words:
            raise ValueError("the training texts hold no words; pass non-empty text.")
        self.words_ = words
        chars = Counter()
        for word, count in words.items():
            for char in word:
                chars[char] += count
        self.chars_ = set(chars)
        target = self.vocab_size - len(self.special_tokens)
        desired = max(int(target * 1.1), len(chars))
        scores = self._seed(words, chars)
        self.log_likelihoods_: list[list[float]] = []
        while True:
            history: list[float] = []
            for _ in range(self.n_sub_iterations):
                expected, log_likelihood = self._e_step(scores, words)
                history.append(log_likelihood)
                scores = self._m_step(expected)
            self.log_likelihoods_.append(history)
            if len(scores) <= desired:
                break
            scores = self._prune(scores, words, desired)
        self.tokenizer_ = self._finalize(scores, target)
        return self

    def _seed(self, words: Counter[str], chars: Counter[str]) -> dict[str, float]:
        """Characters plus the most frequent repeated substrings, as log frequencies."""
        substrings: Counter[str] = Counter()
        longest = self.max_piece_length
        for word, count in words.items():
            n = len(word)
            for start in range(n):
                for end in range(start + 2, min(n, start + longest) + 1):
                    substrings[word[start:end]] += count
        ranked = sorted(
            ((f * len(s), s) for s, f in substrings.items() if f >= 2),
            key=lambda item: (-item[0], item[1]),
        )
        frequencies = {s: substrings[s] for _, s in ranked[: self.seed_size]}
        frequencies.update(chars)
        total = math.log(sum(frequencies.values()))
        return {s: math.log(f) - total for s, f in frequencies.items()}

    def _e_step(
        self, scores: dict[str, float], words: Counter[str]
    ) -> tuple[dict[str, float], float]:
        """Expected piece counts by forward-backward, and the corpus log likelihood."""
        expected: dict[str, float] = dict.fromkeys(scores, 0.0)
        longest = max(len(p) for p in scores)
        log_likelihood = 0.0
        for word, count in words.items():
            n = len(word)
            edges: list[tuple[int, int, str, float]] = []
            for start in range(n):
                for end in range(start + 1, min(n, start + longest) + 1):
                    piece = word[start:end]
                    score = scores.get(piece)
                    if score is not None and score > -math.inf:
                        edges.append((start, end, piece, score))
            alpha = [-math.inf] * (n + 1)
            alpha[0] = 0.0
            for start, end, _, score in edges:  # sorted by start: alpha[start] is final
                alpha[end] = _logsumexp(alpha[end], alpha[start] + score)
            beta = [-math.inf] * (n + 1)
            beta[n] = 0.0
            for start, end, _, score in reversed(edges):  # by start, descending
                beta[start] = _logsumexp(beta[start], beta[end] + score)
            z = alpha[n]
            if z == -math.inf:
                raise AssertionError(f"no segmentation of {word!r}")  # characters cover all
            log_likelihood += count * z
            for start, end, piece, score in edges:
                posterior = alpha[start] + score + beta[end] - z
                if posterior > -50:
                    expected[piece] += count * math.exp(posterior)
        return expected, log_likelihood

    def _m_step(self, expected: dict[str, float]) -> dict[str, float]:
        """Maximum likelihood: each score is log(expected count / total)."""
        total = math.log(sum(expected.values()))
        return {
            piece: (math.log(c) - total) if c > 0 else -math.inf
            for piece, c in expected.items()
            if c > 0 or piece in self.chars_  # characters stay, even unused
        }

    def _prune(
        self, scores: dict[str, float], words: Counter[str], desired: int
    ) -> dict[str, float]:
        """Keep the pieces whose removal would cost the most likelihood."""
        finite = {p: s for p, s in scores.items() if s > -math.inf}
        longest = max(len(p) for p in finite)
        unk = min(finite.values()) - UNK_PENALTY
        # Viterbi counts, and how much word frequency holds each piece.
        freq: Counter[str] = Counter()
        holders: Counter[str] = Counter()
        for word, count in words.items():
            seen = set()
            for start, end, _ in viterbi(word, finite, longest, unk):
                piece = word[start:end]
                freq[piece] += count
                seen.add(piece)
            for piece in seen:
                holders[piece] += count
        total_freq = sum(freq.values())
        total_words = sum(words.values())
        log_total = math.log(total_freq)
        keep: list[str] = [p for p in scores if p in self.chars_]
        candidates: list[tuple[float, str]] = []
        for piece, score in list(finite.items()):
            if piece in self.chars_ or freq[piece] == 0:
                continue
            # The piece's own best segmentation must be itself, else Viterbi never uses it.
            if len(viterbi(piece, finite, longest, unk)) > 1:
                continue
            del finite[piece]  # put back below: copying the dict per piece is quadratic
            alternative = [piece[s:e] for s, e, _ in viterbi(piece, finite, longest, unk)]
            finite[piece] = score
            f = freq[piece]
            # Removing the piece moves its f uses to each alternative piece.
            log_total_alt = math.log(total_freq + f * (len(alternative) - 1))
            log_alt = sum(math.log(freq[a] + f) - log_total_alt for a in alternative)
            loss = (math.log(f) - log_total) - log_alt
            candidates.append((holders[piece] / total_words * loss, piece))
        candidates.sort(key=lambda item: (-item[0], item[1]))
        size = max(desired, int(self.shrinking_factor * len(scores)))
        for _, piece in candidates:
            if len(keep) >= size:
                break
            keep.append(piece)
        kept = {p: scores[p] for p in keep}
        # A character unused before pruning gets the lowest score, so words stay covered.
        floor = min(s for s in kept.values() if s > -math.inf)
        return {p: (s if s > -math.inf else floor) for p, s in kept.items()}

    def _finalize(self, scores: dict[str, float], target: int) -> UnigramTokenizer:
        finite = [s for s in scores.values() if s > -math.inf]
        floor = min(finite) - 1.0
        chars = {p: (s if s > -math.inf else floor) for p, s in scores.items() if p in self.chars_}
        others = sorted(
            ((s, p) for p, s in scores.items() if p not in self.chars_), key=lambda t: (-t[0], t[1])
        )
        chosen = dict(chars)
        for s, p in others[: max(0, target - len(chosen))]:
            chosen[p] = s
        ranked = sorted(chosen.items(), key=lambda t: (-t[1], t[0]))
        pieces = [(t, 0.0) for t in self.special_tokens] + ranked
        unk_id = self.special_tokens.index(self.unk_token)
        return UnigramTokenizer(
            pieces,
            unk_id=unk_id,
            special_tokens={t: i for i, t in enumerate(self.special_tokens)},
        )


def train_unigram(
    texts: Iterable[str],
    vocab_size: int,
    special_tokens: Sequence[str] = ("<unk>",),
    unk_token: str = "<unk>",
    **settings: Any,
) -> UnigramTokenizer:
    """Train a Unigram tokenizer; see :class:`UnigramTrainer` for the settings.

    The vocabulary has ``vocab_size`` pieces, or fewer when the corpus leaves no use for
    that many (EM gives a piece no probability when longer pieces always explain its
    text; SentencePiece and ``tokenizers`` stop short the same way).

    >>> tok = train_unigram(["low lower lowest"] * 5 + ["new newer newest"] * 5, 30)
    >>> tok.decode(tok.encode("lower newest"))
    'lower newest'
    """
    trainer = UnigramTrainer(vocab_size, special_tokens, unk_token, **settings)
    return trainer.fit(texts).tokenizer_
