"""Train a byte-level BPE tokenizer (GPT-2's kind) on text, fast enough for real corpora.

Training has two phases, and neither ever reads the corpus twice:

1. **Count pre-tokens once** (:mod:`nlpjourney.tokenizers.pretokens`). Each document is
   cut by the split pattern (``"gpt2"``, ``"gpt4"`` or any regex) into pre-tokens, and a
   ``Counter`` keeps how often each distinct one occurs. Big inputs are counted in
   parallel on every core: the input is cut into chunks at line (file) or document
   (iterable) boundaries, each worker process counts its chunks, and the partial counters
   are added up.
2. **Merge with incremental pair counts.** Each distinct pre-token becomes a sequence of
   symbol ids with its count. We keep the count of every adjacent pair, an index from a
   pair to the pre-tokens that hold it, and a max-heap of pairs by count with lazy
   invalidation (a popped entry whose count is out of date is pushed back with the right
   one). A merge rewrites only the pre-tokens that hold the pair and adjusts the counts of
   the pairs around each occurrence; nothing is recounted.

Which pair wins a tie decides the whole merge list, so we follow Hugging Face
``tokenizers``' ``BpeTrainer`` exactly. Its rule: the highest count wins; among equal
counts, the pair ``(left, right)`` that is smallest by its *trainer ids*, compared left id
first. The trainer's ids are not byte values: the 256 single bytes are numbered in the
order of their printable stand-in characters' code points (``"!"`` = 0 ... ``"ÿ"`` = 187,
then ``"Ā"`` (byte 0) = 188 ... ``"Ġ"`` (space) = 220 ...), and each new token takes the
next id when it is first made. So ``("e", "r")`` (ids 68, 81) beats ``("Ġ", "t")``
(220, 83) at equal counts, and a pair whose left token is a single byte beats one whose
left token is a merged one.

>>> learn_merges({"low": 5, " lower": 2, " newest": 6, " widest": 3}, vocab_size=262)
[(b'e', b's'), (b'es', b't'), (b'l', b'o'), (b'lo', b'w'), (b'e', b'w'), (b'n', b'ew')]

("e s" and "s t" both occur 9 times: "e" has the smaller id. At 6, "e w" beats "n e" and
"Ġ n", whose space has a large id.)

Reference: Hugging Face ``tokenizers``' ``BpeTrainer`` with a ``ByteLevel`` pre-tokenizer
(``initial_alphabet=ByteLevel.alphabet()``): the tests require our merge list to equal
its, on real text and on generated tiny corpora, and to equal a slow trainer that
recounts every pair before every merge. A file is read line by line as ``tokenizers``
reads it (each line with its ``"\\n"`` is split on its own).

Simplifications:
    - Special tokens are cut out of the text before splitting (each is a document
      boundary) and never merged; ``tokenizers`` splits their text like any other.
    - No ``min_frequency``, ``limit_alphabet``, ``max_token_length``, word prefixes or
      suffixes; the alphabet is always all 256 bytes.
    - The file's text must be UTF-8.
"""

from __future__ import annotations

import heapq
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from nlpjourney.progress import ProgressBar, progress_bar
from nlpjourney.tokenizers.byte_level import BYTE_TO_CHAR
from nlpjourney.tokenizers.pretokens import (
    TrainingFileNotFoundError,
    TrainingInputError,
    check_special_tokens,
    count_pretokens,
    training_texts,
)

if TYPE_CHECKING:
    from nlpjourney.tokenizers.bpe import ByteLevelBPETokenizer

__all__ = [
    "TrainingFileNotFoundError",
    "TrainingInputError",
    "count_pretokens",
    "learn_merges",
    "train_bpe",
    "training_texts",
    "vocab_from_merges",
]

# Symbol ids are stored as characters (see _merge_loop): at most one per code point.
MAX_VOCAB = 0x110000

# The trainer id of each byte: its stand-in character's rank in code point order.
_BYTE_RANK = [0] * 256
for _rank, _byte in enumerate(sorted(range(256), key=lambda b: BYTE_TO_CHAR[b])):
    _BYTE_RANK[_byte] = _rank
# bytes.translate with this table turns a pre-token's bytes into its trainer ids in C.
_RANK_TABLE = bytes(_BYTE_RANK)
_RANKED_BYTES = [bytes([b]) for b in sorted(range(256), key=lambda b: BYTE_TO_CHAR[b])]


# -- phase 2: merging -------------------------------------------------------------------


def _merge_loop(
    words: list[str],
    counts: list[int],
    tokens: list[bytes],
    target: int,
    bar: ProgressBar,
) -> tuple[list[tuple[int, int]], int]:
    """Merge pairs until ``tokens`` holds ``target`` distinct tokens.

    A pre-token is kept as a ``str`` whose characters are its symbol ids (``chr(id)``),
    and a pair as the two-character string of its ids: finding a pair is ``str.find``,
    merging it everywhere in a pre-token is ``str.replace`` (both left to right without
    overlaps, as BPE merges), and two-character strings sort as ``(left, right)`` id
    pairs do. ``words`` and ``tokens`` (id -> bytes) are updated in place.

    Returns:
        The merges as id pairs, and the number of pre-token rewrites (the work done, for
        the complexity test).
    """
    token_ids = {t: i for i, t in enumerate(tokens)}
    pair_counts: defaultdict[str, int] = defaultdict(int)
    # subtle: pair -> pre-token indices as lists, not sets. A list may name a pre-token
    # twice, or one that no longer holds the pair; visiting it again costs one failed
    # str.find, while a set costs five times the memory (100 MB of text: 1.4 GB -> 0.6).
    where: defaultdict[str, list[int]] = defaultdict(list)
    for i, word in enumerate(words):
        for pair in map(str.__add__, word[:-1], word[1:]):
            where[pair].append(i)
    # A pre-token is listed once per occurrence of the pair, so adding up its count per
    # listing gives the pair's count (in C, rather than one += per occurrence above).
    for pair, holders in where.items():
        pair_counts[pair] = sum(map(counts.__getitem__, holders))

    # A heap entry is (-count, pair, entry): the largest count first, then the smallest
    # pair, as tokenizers orders them. `entry` names the set of pre-tokens the entry will
    # merge. subtle: a pair normally has one entry, but when a merge makes a token that
    # already exists (the same bytes reached by two merge orders), pairs it forms with its
    # neighbours get a second entry holding only the newly touched pre-tokens. tokenizers
    # merges each entry's own pre-tokens, and so do we, or the merge lists would part.
    positions: dict[int, list[int]] = {}
    heap = []
    for entry, (pair, holders) in enumerate(where.items()):
        positions[entry] = holders
        heap.append((-pair_counts[pair], pair, entry))
    next_entry = len(heap)
    del where
    heapq.heapify(heap)
    heappush, heappop = heapq.heappush, heapq.heappop

    merges: list[tuple[int, int]] = []
    rewrites = 0
    while len(tokens) < target and heap:
        negative, pair, entry = heappop(heap)
        count = pair_counts[pair]
        if count != -negative:  # out of date: back in with its current count
            heappush(heap, (-count, pair, entry))
            continue
        if count < 1:
            break
        a, b = pair
        merged = tokens[ord(a)] + tokens[ord(b)]
        new_id = token_ids.get(merged)
        if new_id is None:
            new_id = len(tokens)
            tokens.append(merged)
            token_ids[merged] = new_id
        merges.append((ord(a), ord(b)))
        new = chr(new_id)

        # subtle: the merged pair's own count is left as it was (tokenizers never lowers
        # it for the occurrences it merges); only the pairs around each occurrence change,
        # one change at a time exactly as tokenizers makes them. The heap cannot pick the
        # pair again unless a later merge re-creates it, and then tokenizers and we agree.
        formed: defaultdict[str, list[int]] = defaultdict(list)
        for i in positions.pop(entry):
            word = words[i]
            j = word.find(pair)
            if j < 0:  # merged away by an earlier merge, or named twice
                continue
            rewrites += 1
            c = counts[i]
            last = len(word) - 2
            end = -1  # where the previous occurrence ended
            while j >= 0:
                if j:
                    # The left neighbour as already rewritten: `new` when the previous
                    # occurrence touches this one ("a b a b").
                    left = new if j == end else word[j - 1]
                    pair_counts[left + a] -= c
                    key = left + new
                    pair_counts[key] += c
                    formed[key].append(i)
                if j < last:
                    right = word[j + 2]
                    pair_counts[b + right] -= c
                    key = new + right
                    pair_counts[key] += c
                    formed[key].append(i)
                end = j + 2
                j = word.find(pair, end)
            words[i] = word.replace(pair, new)
        for key, holders in formed.items():
            count = pair_counts[key]
            if count > 0:
                positions[next_entry] = holders
                heappush(heap, (-count, key, next_entry))
                next_entry += 1
        bar.advance(1)
    return merges, rewrites


def _learn(
    word_counts: Mapping[str, int] | Mapping[bytes, int], vocab_size: int, progress: bool | None
) -> tuple[list[tuple[bytes, bytes]], int]:
    """Merges (as bytes) and the number of pre-token rewrites; see :func:`learn_merges`."""
    if not isinstance(vocab_size, int) or vocab_size < 256:
        raise ValueError(
            f"vocab_size must be an int of at least 256 (one id per byte), got {vocab_size!r}"
        )
    if vocab_size > MAX_VOCAB:
        raise ValueError(f"vocab_size must be at most {MAX_VOCAB:,}, got {vocab_size:,}")
    words: list[str] = []
    counts: list[int] = []
    for word, count in word_counts.items():
        data = word.encode("utf-8") if isinstance(word, str) else word
        if not isinstance(data, bytes):
            raise TypeError(f"pre-tokens must be str or bytes, not {type(word).__name__}")
        if not isinstance(count, int) or count < 0:
            raise ValueError(f"the count of {word!r} must be an int >= 0, got {count!r}")
        if count and len(data) > 1:  # one byte has no pair to merge
            # Latin-1 maps each byte to the character of the same number: its id.
            words.append(data.translate(_RANK_TABLE).decode("latin-1"))
            counts.append(count)
    tokens = list(_RANKED_BYTES)
    with progress_bar("Merging", total=vocab_size - 256, unit="merges", enabled=progress) as bar:
        pairs, rewrites = _merge_loop(words, counts, tokens, vocab_size, bar)
    return [(tokens[a], tokens[b]) for a, b in pairs], rewrites


def learn_merges(
    word_counts: Mapping[str, int] | Mapping[bytes, int],
    vocab_size: int,
    *,
    progress: bool | None = None,
) -> list[tuple[bytes, bytes]]:
    """The BPE merges learned from pre-token counts, in the order they were made.

    Merging stops when the vocabulary (the 256 bytes plus every distinct merged token)
    reaches ``vocab_size``, or when no pair is left. A merge that recreates an existing
    token (the same bytes by another route) adds no token, so the list can then be longer
    than ``vocab_size - 256``, as ``tokenizers`` makes it.

    Args:
        word_counts: pre-token (str, taken as UTF-8, or bytes) -> count, e.g. from
            :func:`count_pretokens`.
        vocab_size: the vocabulary size to reach, at least 256.
        progress: show a progress bar (None: only on a terminal).

    >>> learn_merges({"hug": 10, "pug": 5, "pun": 12, "bun": 4, "hugs": 5}, 260)
    [(b'u', b'g'), (b'u', b'n'), (b'h', b'ug'), (b'p', b'un')]
    """
    return _learn(word_counts, vocab_size, progress)[0]


def vocab_from_merges(merges: Iterable[tuple[bytes, bytes]]) -> dict[bytes, int]:
    """Our ids: byte ``b`` is id ``b``, each new merged token the next id.

    >>> vocab_from_merges([(b"a", b"b"), (b"ab", b"c")])[b"abc"]
    257
    """
    vocab = {bytes([b]): b for b in range(256)}
    for left, right in merges:
        vocab.setdefault(left + right, len(vocab))
    return vocab


def train_bpe(
    files_or_texts: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    vocab_size: int,
    special_tokens: Sequence[str] = (),
    pattern: str = "gpt2",
    *,
    workers: int | None = None,
    progress: bool | None = None,
) -> ByteLevelBPETokenizer:
    """Train a byte-level BPE tokenizer on files or texts.

    Args:
        files_or_texts: a file path (str or Path), or an iterable of texts (str) and
            files (Path); see :func:`count_pretokens`.
        vocab_size: the size of the whole vocabulary: 256 bytes, the merged tokens, and
            the special tokens.
        special_tokens: strings such as ``"<|endoftext|>"``; they take the ids after the
            merged tokens, in the order given, and are cut out of the training text.
        pattern: ``"gpt2"``, ``"gpt4"`` or a regex for the pre-token split.
        workers: processes for counting (None: every core, at most 8, for inputs over
            4 MB).
        progress: show progress bars (None: only on a terminal).

    Returns:
        A :class:`~nlpjourney.tokenizers.bpe.ByteLevelBPETokenizer`.

    Example::

        tokenizer = train_bpe(data.path("tinyshakespeare"), 1000, ["<|endoftext|>"])
        tokenizer.encode("To be, or not to be")
    """
    from nlpjourney.tokenizers.bpe import ByteLevelBPETokenizer

    check_special_tokens(special_tokens)
    special_tokens = list(special_tokens)
    if len(set(special_tokens)) != len(special_tokens):
        raise ValueError(f"special_tokens has repeats: {special_tokens}")
    if not isinstance(vocab_size, int) or vocab_size < 256 + len(special_tokens):
        raise ValueError(
            f"vocab_size must be at least 256 + the {len(special_tokens)} special tokens "
            f"= {256 + len(special_tokens)}, got {vocab_size!r}"
        )
    counts = count_pretokens(
        files_or_texts, pattern, special_tokens, workers=workers, progress=progress
    )
    merges = learn_merges(counts, vocab_size - len(special_tokens), progress=progress)
    vocab = vocab_from_merges(merges)
    specials = {token: len(vocab) + i for i, token in enumerate(special_tokens)}
    return ByteLevelBPETokenizer(merges, pattern=pattern, special_tokens=specials, vocab=vocab)
