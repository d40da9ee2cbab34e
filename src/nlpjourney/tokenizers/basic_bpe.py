"""Byte-pair encoding in its plainest form: count pairs, merge the commonest, repeat.

The teaching version of BPE training, small enough to read in one sitting, in two steps:

- :func:`train_simple` works on the UTF-8 bytes of one text as a single sequence and
  recounts every pair before every merge: the algorithm as Sennrich et al. (2016) and
  the Wikipedia article state it, and slow (each merge reads the whole text again);
- :func:`train_incremental` works on pre-token counts (``{"Ġthe": 5120, ...}``) and
  counts pairs once: each merge rewrites only the pre-tokens that hold the pair and
  corrects the counts of the pairs around each occurrence, with a heap to find the
  commonest pair. This is the idea :mod:`nlpjourney.tokenizers.bpe_trainer` makes fast.

Ids are byte values (0-255) and the ``i``-th merge makes id ``256 + i``. The tie rule:
the pair with the highest count wins; among equal counts, the smallest pair
``(left, right)``, compared left id first. So merges never depend on the order in which
pairs were met.

>>> merges, vocab = train_simple("aaabdaaabac", 259)  # Wikipedia's example
>>> merges
[(97, 97), (97, 98), (256, 257)]
>>> vocab[258]
b'aaab'

Reference: the BPE training loop of Sennrich, Haddow and Birch, "Neural Machine
Translation of Rare Words with Subword Units" (ACL 2016), and the example of Wikipedia's
"Byte pair encoding" article; minbpe's ``BasicTokenizer`` (Karpathy) trains the same way
on bytes. Exercise 1.4 grades the same four functions.

Simplifications:
    - No pre-tokenization in :func:`train_simple` (merges may cross word boundaries),
      no special tokens, no encoder; :mod:`~nlpjourney.tokenizers.bpe_trainer` and
      :mod:`~nlpjourney.tokenizers.bpe` are the full byte-level tokenizer.
    - Ties go to the smallest byte-value pair; ``tokenizers`` orders bytes by their
      printable stand-ins instead, which ``train_bpe`` follows.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping, Sequence

__all__ = ["get_pair_counts", "merge", "train_incremental", "train_simple"]

Pair = tuple[int, int]


def get_pair_counts(ids: Sequence[int]) -> dict[Pair, int]:
    """How often each pair of neighbouring ids occurs.

    >>> get_pair_counts([1, 2, 3, 1, 2])
    {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    """
    counts: dict[Pair, int] = {}
    for pair in zip(ids, ids[1:], strict=False):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def merge(ids: Sequence[int], pair: Pair, new_id: int) -> list[int]:
    """A new list where each occurrence of ``pair``, read left to right without
    overlaps, is replaced by ``new_id``.

    >>> merge([1, 2, 3, 1, 2], (1, 2), 4)
    [4, 3, 4]
    >>> merge([5, 5, 5], (5, 5), 6)  # the first two, then the lone 5
    [6, 5]
    """
    out: list[int] = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def _check_vocab_size(vocab_size: int) -> None:
    if not isinstance(vocab_size, int) or vocab_size < 256:
        raise ValueError(
            f"vocab_size must be an int of at least 256 (one id per byte), got {vocab_size!r}"
        )


def _vocab(merges: list[Pair]) -> dict[int, bytes]:
    vocab = {i: bytes([i]) for i in range(256)}
    for i, (a, b) in enumerate(merges):
        vocab[256 + i] = vocab[a] + vocab[b]
    return vocab


def train_simple(text: str, vocab_size: int) -> tuple[list[Pair], dict[int, bytes]]:
    """Learn merges on the bytes of ``text``, recounting all pairs before each merge.

    Args:
        text: the training text, taken as one sequence of UTF-8 bytes.
        vocab_size: 256 plus the number of merges wanted; training stops earlier when
            no pair is left.

    Returns:
        ``(merges, vocab)``: merge ``i`` joins ``merges[i]`` into id ``256 + i``;
        ``vocab`` maps every id to its bytes.
    """
    _check_vocab_size(vocab_size)
    ids = list(text.encode("utf-8"))
    merges: list[Pair] = []
    while 256 + len(merges) < vocab_size:
        counts = get_pair_counts(ids)
        if not counts:
            break
        best = min(counts, key=lambda p: (-counts[p], p))  # highest count, then smallest
        ids = merge(ids, best, 256 + len(merges))
        merges.append(best)
    return merges, _vocab(merges)


def train_incremental(
    word_counts: Mapping[str, int], vocab_size: int
) -> tuple[list[Pair], dict[int, bytes]]:
    """Learn merges from pre-token counts, never recounting: same merges as recounting.

    Args:
        word_counts: each pre-token (a str, taken as UTF-8 bytes) and how often it occurs,
            e.g. ``{"low": 5, " lower": 2}``; merges never cross two pre-tokens.
        vocab_size: 256 plus the number of merges wanted.

    Returns:
        ``(merges, vocab)`` as :func:`train_simple` gives them.

    >>> train_incremental({"hug": 10, "pug": 5, "pun": 12, "bun": 4}, 259)[0]
    [(112, 117), (256, 110), (104, 117)]
    """
    _check_vocab_size(vocab_size)
    words = [list(w.encode("utf-8")) for w in word_counts]
    counts = list(word_counts.values())
    pair_counts: defaultdict[Pair, int] = defaultdict(int)
    holders: defaultdict[Pair, set[int]] = defaultdict(set)  # pair -> words holding it
    for i, word in enumerate(words):
        for pair in zip(word, word[1:], strict=False):
            pair_counts[pair] += counts[i]
            holders[pair].add(i)
    # Max-heap by (count, then smallest pair) as a min-heap of (-count, pair). A count
    # that changes gets a fresh entry; an old entry is skipped when popped.
    heap = [(-c, p) for p, c in pair_counts.items()]
    heapq.heapify(heap)

    merges: list[Pair] = []
    while 256 + len(merges) < vocab_size and heap:
        negative, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -negative or negative == 0:
            continue  # stale: the count changed since this entry was pushed
        new_id = 256 + len(merges)
        merges.append(pair)
        changed: set[Pair] = set()
        for i in holders.pop(pair):
            old = words[i]
            new = merge(old, pair, new_id)
            if len(new) == len(old):
                continue
            # Take the word's old pairs out and its new pairs in: only this word's
            # neighbourhood changes, so only these counts move.
            for p in zip(old, old[1:], strict=False):
                pair_counts[p] -= counts[i]
                changed.add(p)
            for p in zip(new, new[1:], strict=False):
                pair_counts[p] += counts[i]
                holders[p].add(i)
                changed.add(p)
            words[i] = new
        del pair_counts[pair]
        for p in changed:
            if p in pair_counts and pair_counts[p] > 0:
                heapq.heappush(heap, (-pair_counts[p], p))
    return merges, _vocab(merges)
