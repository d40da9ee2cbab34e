"""Topic coherence: do a topic's top words occur together in real text?

A topic model is judged by people on whether its top words make one subject. Coherence
measures estimate that from a reference corpus: words of a good topic co-occur more often
than chance. Three measures, following gensim's ``CoherenceModel`` exactly:

- ``u_mass`` (Mimno et al., 2011): over *documents*. For every word ``w_i`` and each word
  ``w_j`` ranked above it, ``log((D(w_i, w_j)/N + ε) / (D(w_j)/N))``, averaged; ``D`` counts
  documents, ``N`` is the number of documents, ``ε = 1e-12``. Always ≤ about 0.
- ``c_npmi`` (Aletras & Stevenson, 2013): over *sliding windows* of 10 tokens. The
  normalized PMI ``log((p(a, b) + ε) / (p(a) p(b))) / -log(p(a, b) + ε)`` of every ordered
  pair of distinct topic positions, averaged; in [-1, 1], 0 for independent words.
- ``c_v`` (Röder et al., 2015): over windows of 110 tokens. Each word gets a context
  vector (its NPMI with every topic word), the whole topic gets the sum of those; the
  score is the mean cosine between each word's vector and the topic's.

Counting is the expensive part and is shared: :class:`CoherenceCounts` counts, for just
the words asked about, how many documents (or windows) contain each word and each pair,
with one sparse incidence matrix (units × words) and one small product ``Sᵀ S``.

gensim's conventions, kept on purpose so the numbers agree:

- words absent from the texts are dropped from the topic before scoring; a topic with
  none left is an error;
- a document shorter than the window is one window; an empty document is one empty
  window (it counts in ``N``);
- # subtle: gensim slides its boolean window incrementally: entering the window, a token
  is marked present; leaving it, it is marked absent *even if another copy of it is
  still inside*. So a word repeated within a window drops out until its next occurrence
  enters. We reproduce that (see :func:`_window_intervals`), because it changes NPMI
  and C_V by up to a few hundredths on real text;
- logarithms are natural; a topic of one known word scores ``nan`` for ``u_mass`` and
  ``c_npmi`` (no pairs), as in gensim.

Reference: gensim's ``CoherenceModel(topics=[words], texts=texts,
dictionary=Dictionary(texts), coherence=measure, window_size=window_size)``, its
``get_coherence_per_topic()``, with its serial (one process) word-occurrence counter.

Simplifications: gensim keeps only a topic's first ``topn`` (20) words; we score every
word given. gensim's multi-process counter counts ``len(doc) - window + 1`` windows per
document even for short ones; we follow its serial counter.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["MEASURES", "CoherenceCounts", "coherence", "coherences"]

#: The coherence measures, with gensim's default sliding window (None: whole documents).
MEASURES: dict[str, int | None] = {"u_mass": None, "c_npmi": 10, "c_v": 110}

# gensim's epsilon, added to joint probabilities so log(0) never happens.
EPSILON = 1e-12


def _check_measure(measure: str, window_size: int | None) -> int | None:
    """The window the measure counts over, or an error saying what is allowed."""
    if measure not in MEASURES:
        raise ValueError(f"unknown coherence measure {measure!r}; choose one of {list(MEASURES)}")
    if MEASURES[measure] is None:
        if window_size is not None:
            raise ValueError(
                f"{measure} counts whole documents, not windows; leave window_size=None"
            )
        return None
    if window_size is None:
        return MEASURES[measure]
    if isinstance(window_size, bool) or not isinstance(window_size, int | np.integer):
        raise TypeError(f"window_size must be an int, got {type(window_size).__name__}")
    if window_size < 2:
        raise ValueError(f"window_size must be at least 2 tokens, got {window_size}")
    return int(window_size)


def _check_texts(texts: Sequence[Sequence[str]]) -> None:
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError("texts must be a list of tokenized documents (lists of str)")
    for text in texts:
        if isinstance(text, str) or not isinstance(text, Sequence):
            raise TypeError(
                "each text must be a list of tokens, got "
                f"{type(text).__name__}; tokenize the documents first (text.split())"
            )


def _check_topic(top_words: Sequence[str]) -> list[str]:
    if isinstance(top_words, str):
        raise TypeError("a topic is a list of words, not one str; wrap it or split it")
    words = list(top_words)
    if not words:
        raise ValueError("a topic needs at least one word; got an empty list")
    bad = [w for w in words if not isinstance(w, str)]
    if bad:
        raise TypeError(f"topic words must be str, got {type(bad[0]).__name__} ({bad[0]!r})")
    return words


def _encode(
    texts: Sequence[Sequence[str]], index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The occurrences of the indexed words: (document, position, word) arrays and lengths."""
    docs, positions, word_ids = [], [], []
    lengths = np.zeros(len(texts), dtype=np.int64)
    get = index.get
    for d, text in enumerate(texts):
        lengths[d] = len(text)
        ids = np.fromiter((get(t, -1) for t in text), dtype=np.int64, count=len(text))
        (where,) = np.nonzero(ids >= 0)
        if where.size:
            docs.append(np.full(where.size, d, dtype=np.int64))
            positions.append(where)
            word_ids.append(ids[where])
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, lengths
    return np.concatenate(docs), np.concatenate(positions), np.concatenate(word_ids), lengths


def _window_intervals(
    docs: np.ndarray,
    positions: np.ndarray,
    word_ids: np.ndarray,
    n_windows: np.ndarray,
    window: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each word, the windows (numbered within its document) where gensim marks it present.

    Occurrence ``p`` enters at window ``max(p - W + 1, 0)``; it stays present until the
    *first* occurrence of the same word in the window that ends at ``p`` (the earliest at
    position ``≥ p - W + 1``, call it ``q``) leaves at window ``q + 1``: gensim marks the
    word absent when any copy leaves. So occurrence ``p`` gives the interval
    ``[max(p - W + 1, 0), q + 1)``; intervals that overlap share their end (same ``q``), and
    the first of them (smallest start) covers the others.

    Returns:
        ``(word, document, start, end)`` arrays of half-open intervals, disjoint per word
        and document.
        Example for W = 3, a word at positions 0, 2, 4 of a long document: occurrences
        give ``[0, 1)``, ``[0, 1)``, ``[2, 3)``: present in windows 0 and 2, not 1.
    """
    if docs.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    order = np.lexsort((positions, docs, word_ids))
    docs, positions, word_ids = docs[order], positions[order], word_ids[order]
    # One key per (word, document) group, spaced so positions never reach the next group.
    new_group = np.ones(docs.size, dtype=bool)
    new_group[1:] = (word_ids[1:] != word_ids[:-1]) | (docs[1:] != docs[:-1])
    group = np.cumsum(new_group) - 1
    spacing = int(positions.max()) + window + 2
    keys = group * spacing + positions
    first = np.searchsorted(keys, keys - (window - 1), side="left")  # q for each p
    starts = np.maximum(positions - (window - 1), 0)
    ends = np.minimum(positions[first] + 1, n_windows[docs])
    # Keep one interval per (group, end): the first, whose start is the smallest.
    _, keep = np.unique(group * spacing + ends, return_index=True)
    return word_ids[keep], docs[keep], starts[keep], ends[keep]


@dataclass(frozen=True)
class CoherenceCounts:
    """How many documents (or sliding windows) contain each of some words, and each pair.

    Attributes:
        words: the counted words; ``index[w]`` is ``w``'s row.
        occurrences: units containing each word.
        co_occurrences: units containing both words; its diagonal is ``occurrences``.
        n_units: documents (``window_size=None``) or windows counted.
        window_size: the sliding window, None for whole documents.

    Shapes:
        occurrences: (k,); co_occurrences: (k, k), k = len(words).

    Example:
        >>> texts = [["cat", "dog"], ["cat", "mouse"], ["dog"]]
        >>> counts = CoherenceCounts.from_texts(["cat", "dog"], texts)
        >>> counts.occurrences.tolist(), int(counts.co_occurrences[0, 1]), counts.n_units
        ([2, 2], 1, 3)
        >>> round(counts.score(["dog", "cat"], "u_mass"), 4)  # log((1/3) / (2/3))
        -0.6931
    """

    words: tuple[str, ...]
    occurrences: np.ndarray
    co_occurrences: np.ndarray
    n_units: int
    window_size: int | None

    @property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    @classmethod
    def from_texts(
        cls, words: Iterable[str], texts: Sequence[Sequence[str]], window_size: int | None = None
    ) -> CoherenceCounts:
        """Count ``words`` over tokenized ``texts``: in documents, or in sliding windows.

        Args:
            words: the words to count (duplicates are counted once).
            texts: the reference corpus, each document a list of tokens.
            window_size: tokens per sliding window; None counts whole documents.

        Returns:
            The counts, from one sparse incidence matrix ``S`` (units × words) and ``Sᵀ S``.
        """
        _check_texts(texts)
        if window_size is not None and window_size < 2:
            raise ValueError(f"window_size must be at least 2 tokens, got {window_size}")
        vocabulary = tuple(dict.fromkeys(words))
        k = len(vocabulary)
        index = {w: i for i, w in enumerate(vocabulary)}
        docs, positions, word_ids, lengths = _encode(texts, index)
        if window_size is None:
            # Document incidence: one (document, word) entry however often the word occurs.
            S = sp.csr_matrix((np.ones(docs.size), (docs, word_ids)), shape=(len(lengths), k))
            S.data[:] = 1.0  # duplicates were summed; presence is boolean
            co = (S.T @ S).toarray()
            n_units = len(lengths)
        else:
            # A document of n tokens has n - W + 1 windows, at least one (gensim's rule).
            n_windows = np.maximum(lengths - window_size + 1, 1)
            offsets = np.concatenate(([0], np.cumsum(n_windows)[:-1]))
            w, d, starts, ends = _window_intervals(
                docs, positions, word_ids, n_windows, window_size
            )
            starts, ends = starts + offsets[d], ends + offsets[d]
            co = _interval_overlaps(w, starts, ends, k)
            n_units = int(n_windows.sum())
        co = np.rint(co).astype(np.int64)
        return cls(vocabulary, np.diag(co).copy(), co, n_units, window_size)

    def score(self, top_words: Sequence[str], measure: str = "c_npmi") -> float:
        """One topic's coherence from these counts (see :func:`coherence`)."""
        words = _check_topic(top_words)
        if measure not in MEASURES:
            raise ValueError(
                f"unknown coherence measure {measure!r}; choose one of {list(MEASURES)}"
            )
        if (MEASURES[measure] is None) != (self.window_size is None):
            unit = "documents" if self.window_size is None else "windows"
            raise ValueError(f"{measure} cannot be scored from counts over {unit}")
        index = self.index
        unknown = [w for w in words if w not in index]
        if unknown:
            raise ValueError(f"these words were not counted: {unknown[:5]}; count them first")
        ids = np.array([index[w] for w in words if self.occurrences[index[w]] > 0], dtype=np.int64)
        if ids.size == 0:
            raise ValueError(
                f"none of the topic's words {words[:5]} occurs in the texts; "
                "score topics with words of the same corpus"
            )
        N = float(self.n_units)
        joint = self.co_occurrences[np.ix_(ids, ids)] / N  # (m, m)
        single = self.occurrences[ids] / N  # (m,)
        m = ids.size
        if measure == "u_mass":
            if m < 2:
                return math.nan
            # s_one_pre: each word against every word ranked above it (j < i).
            lower = np.tril_indices(m, k=-1)
            values = np.log((joint + EPSILON) / single[None, :])
            return float(np.mean(values[lower]))
        npmi = np.log((joint + EPSILON) / np.outer(single, single)) / -np.log(joint + EPSILON)
        if measure == "c_npmi":
            if m < 2:
                return math.nan
            return float(np.mean(npmi[~np.eye(m, dtype=bool)]))
        # c_v: context vectors live on the topic's distinct words; a repeated word adds
        # its NPMI twice to the same slot, as gensim's vector does.
        _, slot = np.unique(ids, return_inverse=True)
        to_slots = np.zeros((m, slot.max() + 1))
        to_slots[np.arange(m), slot] = 1.0
        vectors = npmi @ to_slots  # (m, distinct)
        topic_vector = vectors.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            cosines = (vectors @ topic_vector) / (
                np.linalg.norm(vectors, axis=1) * np.linalg.norm(topic_vector)
            )
        return float(np.mean(cosines))


def _interval_overlaps(
    words: np.ndarray, starts: np.ndarray, ends: np.ndarray, k: int
) -> np.ndarray:
    """``C[u, v]``: how many windows lie in an interval of ``u`` and one of ``v``.

    The window line is cut at every interval boundary; between two cuts the set of
    present words is constant, so a segment is one row of a (segments × words) incidence
    matrix ``S`` weighted by its length: ``C = Sᵀ diag(length) S``.
    """
    if words.size == 0:
        return np.zeros((k, k))
    cuts = np.unique(np.concatenate((starts, ends)))
    first = np.searchsorted(cuts, starts)
    last = np.searchsorted(cuts, ends)  # exclusive
    spans = last - first
    # Expand every interval into the segments it covers: first, first + 1, ..., last - 1.
    rows = np.repeat(first - np.cumsum(np.concatenate(([0], spans[:-1]))), spans)
    rows += np.arange(rows.size)
    cols = np.repeat(words, spans)
    lengths = np.diff(cuts).astype(np.float64)
    S = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(cuts.size - 1, k))
    return (S.T @ sp.diags(lengths) @ S).toarray()


def coherences(
    topics: Sequence[Sequence[str]],
    texts: Sequence[Sequence[str]],
    measure: str = "c_npmi",
    window_size: int | None = None,
) -> list[float]:
    """The coherence of each topic, counting the texts once for all of them.

    Args:
        topics: each topic's top words, best first.
        texts: the reference corpus, each document a list of tokens.
        measure: ``"u_mass"``, ``"c_npmi"`` or ``"c_v"``.
        window_size: sliding window for ``c_npmi``/``c_v`` (default 10 / 110 tokens);
            must stay None for ``u_mass``.

    Returns:
        One float per topic, as :func:`coherence` would give it.
    """
    window = _check_measure(measure, window_size)
    if isinstance(topics, str) or not isinstance(topics, Sequence):
        raise TypeError("topics must be a list of topics, each a list of words")
    checked = [_check_topic(t) for t in topics]
    counts = CoherenceCounts.from_texts((w for t in checked for w in t), texts, window)
    return [counts.score(t, measure) for t in checked]


def coherence(
    top_words: Sequence[str],
    texts: Sequence[Sequence[str]],
    measure: str = "c_npmi",
    window_size: int | None = None,
) -> float:
    """The coherence of one topic (its top words) over tokenized reference texts.

    Equal to gensim's ``CoherenceModel(topics=[top_words], texts=texts,
    dictionary=Dictionary(texts), coherence=measure,
    window_size=window_size).get_coherence_per_topic()[0]``.

    Args:
        top_words: the topic's words, best first (order matters for ``u_mass``).
        texts: the reference corpus, each document a list of tokens.
        measure: ``"u_mass"`` (documents), ``"c_npmi"`` or ``"c_v"`` (sliding windows).
        window_size: tokens per window for ``c_npmi``/``c_v`` (default 10 / 110).

    Returns:
        The mean confirmation over the measure's word pairs (see the module docstring).

    Raises:
        ValueError: an unknown measure, an empty topic, a topic none of whose words occur
            in the texts, a window under 2 tokens, or a window for ``u_mass``.

    Example:
        >>> texts = [["apple", "banana", "cherry"], ["apple", "banana"], ["car", "road"]]
        >>> round(coherence(["apple", "banana"], texts, "c_npmi"), 4)
        1.0
        >>> round(coherence(["apple", "banana"], texts, "u_mass"), 4)  # always together
        0.0
    """
    return coherences([top_words], texts, measure, window_size)[0]
