"""WordPiece with BERT's basic tokenizer: the tokenizer of BERT and its descendants.

BERT cuts text in two stages.

1. The *basic tokenizer* normalizes and splits into words:
   - clean: drop NUL, U+FFFD and control/format/private/unassigned characters; every
     whitespace character becomes a space;
   - CJK ideographs get a space on each side, so each is a word of its own;
   - lower-casing models also strip accents (NFD, then drop non-spacing marks) and
     lower-case: ``"Héllo"`` -> ``"hello"``;
   - split on whitespace, and every punctuation character is a word by itself (BERT's
     punctuation: all ASCII symbols such as ``$`` and ``+`` plus Unicode's ``P*``).
2. *WordPiece* cuts each word greedily, longest vocabulary match first; pieces after the
   first carry the ``"##"`` prefix: ``"unaffable"`` -> ``un ##aff ##able``. A word with no
   full cover, or longer than ``max_input_chars_per_word``, is one ``[UNK]``.

``add_special_tokens=True`` wraps the ids in ``[CLS] ... [SEP]``. Decoding joins the
tokens with spaces, glues ``##`` pieces to the one before, and (``cleanup``) removes the
space before ``.``, ``,``, ``?``, ``!`` and a few English contractions.

:func:`train_wordpiece` learns a vocabulary the way Hugging Face's ``WordPieceTrainer``
does: BPE over words whose non-initial characters carry ``##``, merging the most frequent
adjacent pair each step, until the vocabulary has ``vocab_size`` entries.

>>> tok = WordPieceTokenizer({"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "!": 4})
>>> tok.encode("Unaffable!")
[1, 2, 3, 4]
>>> tok.decode([1, 2, 3, 4])
'unaffable!'

Reference: Hugging Face ``tokenizers``' ``BertNormalizer``, ``BertPreTokenizer``,
``WordPiece`` model and decoder and ``WordPieceTrainer`` (ids equal
``tokenizers.Tokenizer.from_file(...).encode(text).ids``); BERT's original
``tokenization.py`` (Devlin et al., 2018).

Simplifications:
    - No truncation or padding (the all-MiniLM file asks for both; we return all ids).
    - The trainer breaks ties between equally frequent pairs deterministically (lowest
      ids, continuation tokens numbered in character order); Hugging Face numbers
      continuation tokens in hash-map order, so on ties its vocabulary changes from run
      to run.
"""

from __future__ import annotations

import heapq
import os
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import regex

from nlpjourney.tokenizers.base import StringVocabTokenizer, TokenizerFileError, register_hf_model
from nlpjourney.tokenizers.hf_json import (
    added_tokens,
    template_ids,
    tokenizer_json,
)
from nlpjourney.tokenizers.pretokens import training_texts

__all__ = ["BERT_SPECIAL_TOKENS", "WordPieceTokenizer", "basic_tokenize", "train_wordpiece"]

BERT_SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

# subtle: "whitespace" is Unicode's White_Space property (as Rust's char::is_whitespace),
# not Python's str.isspace, which also counts the separators U+001C..U+001F.
_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# subtle: tokenizers 0.23 decides "control", "non-spacing mark" and "punctuation" with
# tables of an older Unicode version than the ``regex`` module's, and lower-cases with a
# newer one than Python 3.11's. The character classes below are regex's, corrected by the
# code points whose category changed in between, so that every code point behaves as in
# tokenizers (tests/tokenizers/test_wordpiece.py checks all 1,112,064 of them and prints
# fresh tables when a library upgrade moves them).
_NOT_CONTROL = r"\u0890-\u0891\u08e2\U000110cd\U00013430-\U0001343f"
_NOT_MARK = r"\u05c8-\u05c9\u07fd\u0897-\u089f\u08ca-\u08e1\u09fe\u0afa-\u0aff\u0b53-\u0b55\u0c04\u0c3c\u0d00\u0d3b-\u0d3c\u0d81\u0eba\u0ece\u180f\u1885-\u1886\u1abf-\u1af0\u1df6-\u1dfb\ua82c\ua8c5\ua8ff\ua9bd\U00010d24-\U00010d27\U00010d69-\U00010d6d\U00010eab-\U00010eac\U00010ecb-\U00010ecf\U00010ef0-\U00010eff\U00010f46-\U00010f50\U00010f82-\U00010f85\U00011070\U00011073-\U00011074\U000110c2\U000111c9\U000111cf\U0001123e\U00011241\U0001133b\U000113bb-\U000113c0\U000113ce\U000113d0\U000113d2\U000113e1-\U000113e2\U00011438-\U0001143f\U00011442-\U00011444\U00011446\U0001145e\U0001182f-\U00011837\U00011839-\U0001183a\U0001193b-\U0001193c\U0001193e\U00011943\U000119d4-\U000119d7\U000119da-\U000119db\U000119e0\U00011a01-\U00011a0a\U00011a33-\U00011a38\U00011a3b-\U00011a3e\U00011a47\U00011a51-\U00011a56\U00011a59-\U00011a5b\U00011a8a-\U00011a96\U00011a98-\U00011a99\U00011b60\U00011b62-\U00011b64\U00011b66\U00011c30-\U00011c36\U00011c38-\U00011c3d\U00011c3f\U00011c92-\U00011ca7\U00011caa-\U00011cb0\U00011cb2-\U00011cb3\U00011cb5-\U00011cb6\U00011d31-\U00011d36\U00011d3a\U00011d3c-\U00011d3d\U00011d3f-\U00011d45\U00011d47\U00011d90-\U00011d91\U00011d95\U00011d97\U00011df0\U00011ef3-\U00011ef4\U00011f00-\U00011f01\U00011f36-\U00011f3a\U00011f40\U00011f42\U00011f5a\U00013440\U00013447-\U00013455\U0001611e-\U00016129\U0001612d-\U0001612f\U00016f4f\U00016fe4\U0001cf00-\U0001cf2d\U0001cf30-\U0001cf46\U0001d127-\U0001d128\U0001d25b-\U0001d25c\U0001e000-\U0001e006\U0001e008-\U0001e018\U0001e01b-\U0001e021\U0001e023-\U0001e024\U0001e026-\U0001e02a\U0001e08f\U0001e130-\U0001e136\U0001e2ae\U0001e2ec-\U0001e2ef\U0001e4ec-\U0001e4ef\U0001e5ee-\U0001e5ef\U0001e6e3\U0001e6e6\U0001e6ee-\U0001e6ef\U0001e6f5\U0001e944-\U0001e94a"
_EXTRA_MARK = r"\u1734\U0001171e"
_NOT_PUNCT = r"\u061d\u09fd\u0a76\u0c77\u0c84\u1b4e-\u1b4f\u1b7d-\u1b7f\u2e43-\u2e4f\u2e52-\u2e5d\u2e60-\u2e63\U00010d6e\U00010ead\U00010ed0\U00010f55-\U00010f59\U00010f86-\U00010f89\U000113d4-\U000113d5\U000113d7-\U000113d8\U0001144b-\U0001144f\U0001145a-\U0001145b\U0001145d\U00011660-\U0001166c\U000116b9\U0001183b\U00011944-\U00011946\U000119e2\U00011a3f-\U00011a46\U00011a9a-\U00011a9c\U00011a9e-\U00011aa2\U00011b00-\U00011b09\U00011be1\U00011c41-\U00011c45\U00011c70-\U00011c71\U00011ef7-\U00011ef8\U00011f43-\U00011f4f\U00011fff\U00012ff1-\U00012ff2\U00016d6d-\U00016d6f\U00016e97-\U00016e9a\U00016fe2\U0001e5ff\U0001e95e-\U0001e95f"
_EXTRA_PUNCT = r"\u166d\U000111c9"
# Lower-case letters added in Unicode 16, which Python 3.11's str.lower does not know.
_NEWER_LOWER = {
    0x1C89: 0x1C8A,
    0xA7CB: 0x0264,
    0xA7CC: 0xA7CD,
    0xA7CE: 0xA7CF,
    0xA7D2: 0xA7D3,
    0xA7D4: 0xA7D5,
    0xA7DA: 0xA7DB,
    0xA7DC: 0x019B,
    **{c: c + 0x20 for c in range(0x10D50, 0x10D66)},
    **{c: c + 0x1B for c in range(0x16EA0, 0x16EB9)},
}
# Decomposes in Unicode 14 (Python) but not in tokenizers' normalization tables.
_NOT_DECOMPOSED = "\U00011938"

# Cc, Cf and Co are dropped, but tab, newline and return are kept (they become spaces).
_CONTROL = regex.compile(
    rf"[[\x00\ufffd\p{{Cc}}\p{{Cf}}\p{{Co}}]--[\t\n\r{_NOT_CONTROL}]]", regex.V1
)
_SPACES = regex.compile(f"[{_WHITESPACE}]")
# After each whitespace character that cleaning keeps (it drops U+000B, U+000C and U+0085
# as control characters, which joins their neighbours): every step of the basic tokenizer
# is per character (a space is a starter, so NFD moves nothing across it) and no word
# holds a space, so encode_iterable may cut there.
_AFTER_SPACE = regex.compile(
    r"(?<=[[\t\n\r\p{White_Space}]--[\x0b\x0c\x85]])", regex.V1 | regex.REVERSE
)
# BERT's CJK blocks, as tokenizers has them (from U+2B920, not U+2B820, in Extension E).
_CJK = regex.compile(
    "[\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002a6df\U0002a700-\U0002b73f"
    "\U0002b740-\U0002b81f\U0002b920-\U0002ceaf\uf900-\ufaff\U0002f800-\U0002fa1f]"
)
_MARKS = regex.compile(rf"[[\p{{Mn}}{_EXTRA_MARK}]--[{_NOT_MARK}]]", regex.V1)
# ASCII punctuation (33-47, 58-64, 91-96, 123-126) counts even where Unicode says symbol.
_PUNCT = rf"[[!-/:-@\[-`{{-~\p{{P}}{_EXTRA_PUNCT}]--[{_NOT_PUNCT}]]"
_WORDS = regex.compile(rf"{_PUNCT}|[[^{_WHITESPACE}]--{_PUNCT}]+", regex.V1)


def _lower(text: str) -> str:
    # subtle: str.lower() maps a word-final capital sigma to "ς"; tokenizers lowercases
    # one character at a time and always gives "σ".
    if "Σ" in text:
        text = "".join(c.lower() for c in text)
    else:
        text = text.lower()
    return text.translate(_NEWER_LOWER)


def _strip_accents(text: str) -> str:
    if _NOT_DECOMPOSED in text:
        parts = text.split(_NOT_DECOMPOSED)
        return _NOT_DECOMPOSED.join(_MARKS.sub("", unicodedata.normalize("NFD", p)) for p in parts)
    return _MARKS.sub("", unicodedata.normalize("NFD", text))


def basic_tokenize(
    text: str,
    lowercase: bool = True,
    strip_accents: bool | None = None,
    clean_text: bool = True,
    handle_chinese_chars: bool = True,
) -> list[str]:
    """BERT's basic tokenizer: normalize, then split on whitespace and punctuation.

    >>> basic_tokenize("Héllo, WORLD!  你好")
    ['hello', ',', 'world', '!', '你', '好']

    Args:
        text: any string.
        lowercase: lower-case (and, unless ``strip_accents`` says otherwise, strip accents).
        strip_accents: None follows ``lowercase``.
        clean_text: drop control characters and map whitespace to spaces.
        handle_chinese_chars: put spaces around CJK ideographs.
    """
    if clean_text:
        text = _SPACES.sub(" ", _CONTROL.sub("", text))
    if handle_chinese_chars:
        text = _CJK.sub(r" \g<0> ", text)
    if strip_accents or (strip_accents is None and lowercase):
        text = _strip_accents(text)
    if lowercase:
        text = _lower(text)
    return _WORDS.findall(text)


@register_hf_model("WordPiece")
class WordPieceTokenizer(StringVocabTokenizer):
    """BERT's basic tokenizer, then greedy longest-match-first WordPiece.

    Args:
        vocab: every token and its id (``##`` pieces and special tokens included).
        unk_token: the token for words that cannot be spelled.
        continuing_subword_prefix: the mark of a piece that continues a word.
        max_input_chars_per_word: longer words become ``unk_token`` outright.
        lowercase, strip_accents, clean_text, handle_chinese_chars: see
            :func:`basic_tokenize`.
        special_tokens: tokens matched in raw text (default: those of
            :data:`BERT_SPECIAL_TOKENS` that are in ``vocab``).
        prefix_ids: ids ``encode(..., add_special_tokens=True)`` puts first (``[CLS]``).
        suffix_ids: ids it puts last (``[SEP]``).
        cleanup: decoding removes spaces before punctuation and in contractions.
    """

    def __init__(
        self,
        vocab: dict[str, int],
        unk_token: str = "[UNK]",
        continuing_subword_prefix: str = "##",
        max_input_chars_per_word: int = 100,
        lowercase: bool = True,
        strip_accents: bool | None = None,
        clean_text: bool = True,
        handle_chinese_chars: bool = True,
        special_tokens: dict[str, int] | None = None,
        prefix_ids: Sequence[int] = (),
        suffix_ids: Sequence[int] = (),
        cleanup: bool = True,
    ) -> None:
        if unk_token not in vocab:
            raise ValueError(f"unk_token {unk_token!r} is not in the vocabulary; add it.")
        if max_input_chars_per_word < 1:
            raise ValueError("max_input_chars_per_word must be at least 1.")
        if special_tokens is None:
            special_tokens = {t: vocab[t] for t in BERT_SPECIAL_TOKENS if t in vocab}
        super().__init__(special_tokens, prefix_ids, suffix_ids)
        self._set_vocab(vocab)
        self.unk_token = unk_token
        self.continuing_subword_prefix = continuing_subword_prefix
        self.max_input_chars_per_word = max_input_chars_per_word
        self.lowercase = lowercase
        self.strip_accents = strip_accents
        self.clean_text = clean_text
        self.handle_chinese_chars = handle_chinese_chars
        self.cleanup = cleanup
        # The longest piece bounds the search: no need to try longer substrings.
        self._longest = max((len(t) for t in self.vocab), default=1)
        self._cache: dict[str, list[int]] = {}

    def _word_ids(self, word: str) -> list[int]:
        """Greedy longest-match-first pieces of one word, or ``[unk]``."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        unk = [self.vocab[self.unk_token]]
        if len(word) > self.max_input_chars_per_word:
            return unk
        ids: list[int] = []
        start = 0
        prefix = self.continuing_subword_prefix
        while start < len(word):
            lead = prefix if start > 0 else ""
            end = min(len(word), start + self._longest - len(lead))
            while end > start:
                found = self.vocab.get(lead + word[start:end])
                if found is not None:
                    ids.append(found)
                    break
                end -= 1
            if end == start:  # nothing matched here: the whole word is unknown
                ids = unk
                break
            start = end
        if len(self._cache) < 100_000:
            self._cache[word] = ids
        return ids

    def encode_ordinary(self, text: str) -> list[int]:
        """Ids of ``text``: basic tokenizer, then WordPiece on each word."""
        ids: list[int] = []
        words = basic_tokenize(
            text, self.lowercase, self.strip_accents, self.clean_text, self.handle_chinese_chars
        )
        for word in words:
            ids.extend(self._word_ids(word))
        return ids

    def _cut_points(self, text: str, start: int) -> Iterator[int]:
        """After each whitespace character (see ``_AFTER_SPACE``), the last first."""
        return (match.start() for match in _AFTER_SPACE.finditer(text, start))

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False) -> str:
        """The text of ``ids``: ``##`` pieces glued on, other tokens spaced.

        Args:
            ids: token ids.
            skip_special_tokens: leave out special tokens (``[CLS]``, ``[UNK]``...). Off
                by default, as in ``transformers``; ``tokenizers.Tokenizer.decode`` skips
                by default.
        """
        prefix = self.continuing_subword_prefix
        parts: list[str] = []
        for i in ids:
            if skip_special_tokens and i in self._special_by_id:
                continue
            token = self._id_to_token.get(i)
            if token is None:
                raise ValueError(f"id {i} is not in this vocabulary of {self.vocab_size} ids.")
            if parts:
                token = token[len(prefix) :] if token.startswith(prefix) else " " + token
            if self.cleanup:
                # subtle: applied to each token on its own, so a rule spanning two tokens
                # (" do not") only fires when one token holds all of it.
                token = _cleanup(token)
            parts.append(token)
        return "".join(parts)

    def to_hf_dict(self) -> dict[str, Any]:
        """This tokenizer as a Hugging Face ``tokenizer.json`` object."""
        return tokenizer_json(
            self,
            normalizer={
                "type": "BertNormalizer",
                "clean_text": self.clean_text,
                "handle_chinese_chars": self.handle_chinese_chars,
                "strip_accents": self.strip_accents,
                "lowercase": self.lowercase,
            },
            pre_tokenizer={"type": "BertPreTokenizer"},
            decoder={
                "type": "WordPiece",
                "prefix": self.continuing_subword_prefix,
                "cleanup": self.cleanup,
            },
            model={
                "type": "WordPiece",
                "unk_token": self.unk_token,
                "continuing_subword_prefix": self.continuing_subword_prefix,
                "max_input_chars_per_word": self.max_input_chars_per_word,
                "vocab": self.vocab,
            },
        )

    @classmethod
    def from_hf_dict(cls, spec: dict[str, Any]) -> WordPieceTokenizer:
        """Build one from a parsed ``tokenizer.json`` with a WordPiece model and BERT's
        normalizer and pre-tokenizer."""
        model = spec.get("model", {})
        if model.get("type") != "WordPiece":
            raise TokenizerFileError(f"expected a WordPiece model, found {model.get('type')!r}.")
        normalizer = spec.get("normalizer") or {}
        if normalizer.get("type") != "BertNormalizer":
            raise TokenizerFileError(
                f"normalizer {normalizer.get('type')!r}: WordPiece files are read with "
                "BERT's normalizer (BertNormalizer) only."
            )
        pre = spec.get("pre_tokenizer") or {}
        if pre.get("type") != "BertPreTokenizer":
            raise TokenizerFileError(
                f"pre-tokenizer {pre.get('type')!r}: WordPiece files are read with "
                "BertPreTokenizer only."
            )
        decoder = spec.get("decoder") or {}
        if decoder and decoder.get("type") != "WordPiece":
            raise TokenizerFileError(f"decoder {decoder.get('type')!r} is not WordPiece's.")
        vocab = model.get("vocab") or {}
        specials = added_tokens(spec)
        prefix, suffix = template_ids(
            spec.get("post_processor"), lambda t: vocab.get(t, specials.get(t))
        )
        return cls(
            vocab,
            unk_token=model.get("unk_token", "[UNK]"),
            continuing_subword_prefix=model.get("continuing_subword_prefix", "##"),
            max_input_chars_per_word=model.get("max_input_chars_per_word", 100),
            lowercase=normalizer.get("lowercase", True),
            strip_accents=normalizer.get("strip_accents"),
            clean_text=normalizer.get("clean_text", True),
            handle_chinese_chars=normalizer.get("handle_chinese_chars", True),
            special_tokens=specials,
            prefix_ids=prefix,
            suffix_ids=suffix,
            cleanup=decoder.get("cleanup", True),
        )


_CLEANUP = (
    (" .", "."),
    (" ?", "?"),
    (" !", "!"),
    (" ,", ","),
    (" ' ", "'"),
    (" n't", "n't"),
    (" 'm", "'m"),
    (" do not", " don't"),
    (" 's", "'s"),
    (" 've", "'ve"),
    (" 're", "'re"),
)


def _cleanup(token: str) -> str:
    """Undo the spaces a tokenizer put before punctuation and contractions."""
    for old, new in _CLEANUP:
        token = token.replace(old, new)
    return token


# -- training ----------------------------------------------------------------------------


def train_wordpiece(
    files_or_texts: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    vocab_size: int,
    special_tokens: Sequence[str] = BERT_SPECIAL_TOKENS,
    lowercase: bool = True,
    min_frequency: int = 0,
    continuing_subword_prefix: str = "##",
) -> WordPieceTokenizer:
    """Learn a WordPiece vocabulary as Hugging Face's ``WordPieceTrainer`` does.

    Words come from BERT's basic tokenizer. Each starts as its characters, every one but
    the first marked ``##`` (``"low"`` -> ``l ##o ##w``). The vocabulary starts as the
    special tokens, the characters in code point order, then the ``##`` characters; each
    step merges the most frequent adjacent pair in all words (counted with the word's
    frequency; ties go to the pair of lowest ids) and adds the merged token
    (``l`` + ``##o`` -> ``lo``; ``##o`` + ``##w`` -> ``##ow``), until there are
    ``vocab_size`` tokens or no pair occurs ``min_frequency`` times.

    Args:
        files_or_texts: the training corpus: a file path (str or Path), or an iterable
            of texts (str) and files (Path), as for
            :func:`~nlpjourney.tokenizers.bpe_trainer.train_bpe`.
        vocab_size: the size to reach (special tokens and characters included).
        special_tokens: tokens given the first ids; must include ``"[UNK]"``.
        lowercase: the basic tokenizer lower-cases and strips accents.
        min_frequency: stop when the best pair occurs fewer times.
        continuing_subword_prefix: the mark of non-initial pieces.

    Returns:
        A :class:`WordPieceTokenizer` with ``[CLS] ... [SEP]`` as its template when both
        are among the special tokens.
    """
    if vocab_size < 1:
        raise ValueError(f"vocab_size must be positive, got {vocab_size}.")
    if "[UNK]" not in special_tokens:
        raise ValueError("special_tokens must include '[UNK]' (WordPiece's unknown token).")
    word_counts: Counter[str] = Counter()
    for text in training_texts(files_or_texts, "train_wordpiece"):
        word_counts.update(basic_tokenize(text, lowercase=lowercase))

    vocab: dict[str, int] = {}
    for token in special_tokens:
        vocab.setdefault(token, len(vocab))
    chars: Counter[str] = Counter()
    for word, count in word_counts.items():
        for char in word:
            chars[char] += count
    for char in sorted(chars):
        vocab.setdefault(char, len(vocab))
    prefix = continuing_subword_prefix
    continuing = sorted({char for word in word_counts for char in word[1:]})
    for char in continuing:
        vocab.setdefault(prefix + char, len(vocab))
    id_to_token = {i: t for t, i in vocab.items()}

    words = [[vocab[w[0]]] + [vocab[prefix + c] for c in w[1:]] for w in word_counts]
    counts = list(word_counts.values())
    pair_counts: Counter[tuple[int, int]] = Counter()
    where: defaultdict[tuple[int, int], set[int]] = defaultdict(set)
    for index, (word, count) in enumerate(zip(words, counts, strict=True)):
        for pair in zip(word, word[1:], strict=False):
            pair_counts[pair] += count
            where[pair].add(index)
    # A max-heap by (count, then lowest pair); entries go stale as counts fall and are
    # re-pushed with their current count when popped (counts of old pairs only fall).
    heap = [(-c, pair) for pair, c in pair_counts.items() if c > 0]
    heapq.heapify(heap)
    while len(vocab) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        current = pair_counts.get(pair, 0)
        if -neg != current:
            if current > 0:
                heapq.heappush(heap, (-current, pair))
            continue
        if current < 1 or current < min_frequency:
            break
        left, right = id_to_token[pair[0]], id_to_token[pair[1]]
        merged = left + right.removeprefix(prefix)
        new_id = vocab.get(merged)
        if new_id is None:  # two different pairs can spell the same token
            new_id = len(vocab)
            vocab[merged] = new_id
            id_to_token[new_id] = merged
        grown: set[tuple[int, int]] = set()
        for index in sorted(where.pop(pair, ())):
            word, count = words[index], counts[index]
            for old in zip(word, word[1:], strict=False):
                pair_counts[old] -= count
            merged_word: list[int] = []
            i = 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
                    merged_word.append(new_id)
                    i += 2
                else:
                    merged_word.append(word[i])
                    i += 1
            words[index] = merged_word
            for new in zip(merged_word, merged_word[1:], strict=False):
                pair_counts[new] += count
                where[new].add(index)
                if new_id in new:
                    grown.add(new)
        pair_counts.pop(pair, None)
        for new in grown:
            heapq.heappush(heap, (-pair_counts[new], new))

    prefix_ids = [vocab["[CLS]"]] if "[CLS]" in vocab else []
    suffix_ids = [vocab["[SEP]"]] if "[SEP]" in vocab else []
    return WordPieceTokenizer(
        vocab,
        continuing_subword_prefix=prefix,
        lowercase=lowercase,
        special_tokens={t: vocab[t] for t in special_tokens},
        prefix_ids=prefix_ids if suffix_ids else [],
        suffix_ids=suffix_ids if prefix_ids else [],
    )
