"""The tables Word2Vec samples from: negatives, kept words, and Huffman paths.

Each is built once from the vocabulary's counts (most frequent word first) before
training and read by the compiled loop in :mod:`~nlpjourney.embeddings._kernels`;
:mod:`~nlpjourney.embeddings.word2vec` re-exports them.

Reference: gensim's ``make_cum_table``, the ``sample_int`` of its ``prepare_vocab`` and its
``_assign_binary_codes`` (``tests/embeddings/test_word2vec.py`` compares the tables).
"""

from __future__ import annotations

import heapq

import numpy as np

__all__ = ["TABLE_DOMAIN", "huffman_tree", "keep_probabilities", "negative_sampling_table"]

TABLE_DOMAIN = 2**31 - 1
"""The negative-sampling table's integer range (word2vec.c's and gensim's)."""


def negative_sampling_table(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    """The cumulative table negatives are drawn from: word ``i`` is drawn with probability
    ``counts[i] ** power / sum(counts ** power)``.

    Entry ``i`` is the running sum up to word ``i`` scaled to ``TABLE_DOMAIN``; a uniform
    integer below the last entry, located with a binary search, picks a word (gensim's
    ``cum_table``).

    >>> negative_sampling_table(np.array([16, 1]), power=0.5).tolist()   # 4 : 1
    [1717986918, 2147483647]
    """
    weights = np.asarray(counts, dtype=np.float64) ** power
    return np.round(np.cumsum(weights) / weights.sum() * TABLE_DOMAIN).astype(np.int64)


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """The probability of keeping each occurrence of each word when subsampling.

    gensim's formula, with ``t = sample * sum(counts)`` and ``f`` a word's count:
    ``min(1, (sqrt(f / t) + 1) * t / f)``; ``sample=0`` keeps everything. Words more
    frequent than about ``t`` lose most of their occurrences, rare words keep all.

    >>> keep_probabilities(np.array([1000, 10]), sample=1e-2).round(3).tolist()
    [0.111, 1.0]
    """
    counts = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()
    return np.minimum(1.0, (np.sqrt(counts / threshold) + 1.0) * threshold / counts)


def huffman_tree(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each word's path in the Huffman tree of ``counts``, for hierarchical softmax.

    The two least frequent nodes are joined again and again (ties: the lower index first,
    inner node ``i`` numbered ``len(counts) + i``) until one root is left, so frequent
    words get short paths. A word's path lists the inner nodes from the root down
    (``points``, numbered from 0) and the branch taken at each (``codes``: 0 left, 1 right).

    Returns:
        ``(starts, codes, points)``: word ``w``'s path is ``codes[starts[w]:starts[w + 1]]``
        through ``points[starts[w]:starts[w + 1]]``.

    >>> starts, codes, points = huffman_tree(np.array([5, 2, 1, 1]))
    >>> [codes[starts[w] : starts[w + 1]].tolist() for w in range(4)]
    [[1], [0, 0], [0, 1, 0], [0, 1, 1]]
    """
    n = len(counts)
    heap = [(int(c), i) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    children: dict[int, tuple[int, int]] = {}
    for inner in range(n, 2 * n - 1):
        (left_count, left), (right_count, right) = heapq.heappop(heap), heapq.heappop(heap)
        children[inner] = (left, right)
        heapq.heappush(heap, (left_count + right_count, inner))
    paths: list[tuple[list[int], list[int]]] = [([], [])] * n
    stack = [(2 * n - 2, [], [])] if n > 1 else []
    while stack:
        node, code, point = stack.pop()
        if node < n:
            paths[node] = (code, point)
            continue
        left, right = children[node]
        point = [*point, node - n]
        stack.append((left, [*code, 0], point))
        stack.append((right, [*code, 1], point))
    starts = np.zeros(n + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(code) for code, _ in paths])
    codes = np.array([b for code, _ in paths for b in code], dtype=np.int64)
    points = np.array([p for _, point in paths for p in point], dtype=np.int64)
    return starts, codes, points
