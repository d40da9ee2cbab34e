"""Exercise 1.4: train byte-pair encoding, first plainly, then incrementally.

BPE starts from the 256 byte values and repeatedly joins the commonest pair of
neighbouring ids into a new id. Fill in the four functions below, replacing each
``raise NotImplementedError(...)``, in plain Python (``collections`` and ``heapq`` help;
``journey check`` refuses a file that uses ``nlpjourney`` (the model answer),
``tokenizers``, ``tiktoken`` or ``sentencepiece``). Then run ``journey check 1.4``: every
check names what it tests and, when it fails, gives a hint (``--hint`` shows more); the
checks draw fresh inputs on every run.

1. ``get_pair_counts``: how often each pair of neighbouring ids occurs.
2. ``merge``: replace a pair by a new id, left to right.
3. ``train_simple``: the training loop on one text's bytes: count, pick, merge, repeat.
4. ``train_incremental``: the same merges from pre-token counts, without recounting.

The rules, the same in all four:

- ids are byte values 0-255 (``list("hi".encode("utf-8")) == [104, 105]``), and the
  ``i``-th merge makes id ``256 + i``;
- **tie rule**: the pair with the highest count wins; among equal counts, the smallest
  pair ``(left, right)``, comparing the left ids first, then the right ids. In Python:
  ``min(counts, key=lambda p: (-counts[p], p))``. So ``(97, 98)`` beats ``(98, 97)`` and
  ``(256, 1)`` at equal counts.

The lesson ``lessons/1.4-subword-tokenization.py`` builds these step by step; the
library's versions are in ``nlpjourney.tokenizers.basic_bpe``, and
``nlpjourney.tokenizers.train_bpe`` is the fast byte-level trainer built on the same idea.
"""

from __future__ import annotations

import heapq  # noqa: F401  (yours to use)
from collections import defaultdict  # noqa: F401  (yours to use)
from collections.abc import Mapping, Sequence


def get_pair_counts(ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """Return how often each pair of neighbouring ids occurs in ``ids``.

    Pairs overlap: ``[5, 5, 5]`` holds ``(5, 5)`` twice. A list shorter than 2 has no
    pairs (``{}``).

    Example: ``[1, 2, 3, 1, 2] -> {(1, 2): 2, (2, 3): 1, (3, 1): 1}``.
    """
    raise NotImplementedError("write get_pair_counts: count zip(ids, ids[1:])")


def merge(ids: Sequence[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Return a new list where every occurrence of ``pair`` becomes ``new_id``.

    Read left to right; an occurrence uses up both its ids, so occurrences never overlap:
    ``merge([5, 5, 5], (5, 5), 6) == [6, 5]``. Leave ``ids`` itself unchanged.

    Example: ``merge([1, 2, 3, 1, 2], (1, 2), 4) == [4, 3, 4]``.
    """
    raise NotImplementedError("write merge: walk the list, replace the pair, skip 2 on a match")


def train_simple(text: str, vocab_size: int) -> tuple[list[tuple[int, int]], dict[int, bytes]]:
    """Learn ``vocab_size - 256`` merges on the UTF-8 bytes of ``text``.

    Start from ``ids = list(text.encode("utf-8"))``. Repeat: count the pairs of ``ids``
    (``get_pair_counts``), pick the best by the tie rule, ``merge`` it into the next id.
    Stop early when ``ids`` has no pair left. Raise ``ValueError`` if ``vocab_size`` is
    below 256.

    Returns ``(merges, vocab)``: ``merges[i]`` is the pair that made id ``256 + i``;
    ``vocab`` maps every id (0 .. 255 + len(merges)) to its bytes, ``vocab[97] == b"a"``
    and ``vocab[256 + i] == vocab[left] + vocab[right]``.

    Example (Wikipedia's): ``train_simple("aaabdaaabac", 259)`` gives the merges
    ``[(97, 97), (97, 98), (256, 257)]`` ("aa", then "ab", then "aa"+"ab"), and
    ``vocab[258] == b"aaab"``.
    """
    raise NotImplementedError("write train_simple: count, pick, merge, repeat")


def train_incremental(
    word_counts: Mapping[str, int], vocab_size: int
) -> tuple[list[tuple[int, int]], dict[int, bytes]]:
    """Learn merges from pre-token counts, updating pair counts instead of recounting.

    ``word_counts`` maps each pre-token (a str: use its UTF-8 bytes) to how often it
    occurs, e.g. ``{"hug": 10, "pug": 5}``; pairs are counted inside pre-tokens only,
    each weighted by its count. The merges must be exactly those of the recounting loop
    (same tie rule), and returned as ``train_simple`` returns them. Raise ``ValueError``
    if ``vocab_size`` is below 256.

    The point is speed: count all pairs **once**, then keep, for each pair, its count and
    the set of pre-tokens that hold it. A merge then rewrites only those pre-tokens, and
    for each one subtracts its old pairs' counts and adds its new pairs' counts. To find
    the commonest pair quickly, keep a heap of ``(-count, pair)`` and push a fresh entry
    whenever a count changes; skip popped entries whose count is out of date.

    Example: ``train_incremental({"hug": 10, "pug": 5, "pun": 12, "bun": 4}, 259)[0]``
    is ``[(112, 117), (256, 110), (104, 117)]``: "pu" (17), then "pu"+"n" (12), then
    "hu" and "ug" tie at 10 and "hu" (104, 117) is the smaller pair.
    """
    raise NotImplementedError("write train_incremental: count once, then update per merge")
