"""GloVe: word vectors fitted to the logarithm of co-occurrence counts.

Two steps, each its own function so a lesson can run them one at a time:

1. :func:`cooccurrence` counts, over a symmetric window, how often each word of the
   vocabulary appears near each other one, a pair ``d`` words apart adding ``1/d``. It
   streams the sentences in chunks; each chunk's pairs become a sparse COO matrix, summed
   into a running CSR total, so memory grows with the distinct pairs, never with V x V.
2. :class:`GloVe` fits ``w_i . w~_j + b_i + b~_j`` to ``log X_ij`` over the non-zero
   entries, each weighted by ``f(X) = min(1, (X / x_max) ** alpha)``
   (:func:`glove_weight`), with AdaGrad on shuffled mini-batches: the loss and its
   gradient (:func:`glove_loss_and_grads`) are written out by hand and vectorised with
   torch, whose ``index_add_`` sums the updates of words repeated in a batch.

The word vectors are ``W + W~``, the sum of the word and context vectors, as the paper
suggests.

>>> counts = cooccurrence([["a", "b", "c"]], {"a": 0, "b": 1, "c": 2}, window=2)
>>> counts.toarray().tolist()
[[0.0, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.0]]

Reference: Pennington, Socher and Manning, "GloVe: Global Vectors for Word
Representation" (EMNLP 2014) and the Stanford C tool (``cooccur.c``, ``glove.c``), whose
counting and cost this follows.

Simplifications:
- words outside the vocabulary are dropped before the window is laid, as ``cooccur.c``
  does, so distances count vocabulary words only;
- AdaGrad updates a mini-batch at a time (the C tool updates one entry at a time from
  several threads); the squared gradients are added before the step, so no step is larger
  than the learning rate per coordinate. A frequent word, in hundreds of a batch's
  entries, then moves once per batch where the C tool moves it once per entry, so the
  default learning rate is 0.4 rather than the C tool's 0.05: at 0.05 the frequent words
  stay under-trained and their neighbours are poor;
- the counts are held in memory as one sparse matrix (the C tool spills to disk).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import scipy.sparse as sp

from nlpjourney.embeddings.keyed_vectors import KeyedVectors
from nlpjourney.progress import progress_bar

if TYPE_CHECKING:
    import torch

__all__ = [
    "GloVe",
    "Vocabulary",
    "cooccurrence",
    "glove_loss_and_grads",
    "glove_weight",
    "restartable",
    "vocabulary",
]

#: Tokens gathered before a chunk's pairs are counted: bounds the memory of one chunk
#: (about ``2 * window * CHUNK_TOKENS`` pairs) while keeping the NumPy work in big arrays.
CHUNK_TOKENS = 200_000


def restartable(sentences: Iterable[list[str]], what: str) -> Iterable[list[str]]:
    """``sentences`` if it can be iterated more than once (a list, a corpus object).

    Counting the vocabulary and then the pairs reads the text twice; a generator would
    be empty the second time and the model would silently learn nothing.

    Raises:
        TypeError: ``sentences`` is an iterator (a generator), usable only once.
    """
    if isinstance(sentences, Iterator):
        raise TypeError(
            f"{what} reads the sentences more than once, but got a one-pass iterator "
            f"({type(sentences).__name__}); pass a list, or an object whose __iter__ "
            "starts the stream again"
        )
    return sentences


class Vocabulary(NamedTuple):
    """What :func:`vocabulary` found."""

    words: list[str]
    """The kept words, most frequent first."""
    counts: np.ndarray
    """Their counts, int64."""
    total: int
    """All the words of the text, kept or not (what a second pass will stream)."""


def vocabulary(
    sentences: Iterable[list[str]], min_count: int = 5, progress: bool | None = None
) -> Vocabulary:
    """The words seen at least ``min_count`` times, most frequent first, and their counts.

    Ties are broken by first appearance, so the order is the same on every run.

    >>> vocabulary([["b", "a", "b"], ["a", "c", "b"]], min_count=2)
    Vocabulary(words=['b', 'a'], counts=array([3, 2]), total=6)

    Raises:
        ValueError: ``min_count`` < 1, or no word is that frequent.
    """
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    counts: Counter[str] = Counter()
    with progress_bar("Counting words", unit="words", enabled=progress) as bar:
        for sentence in sentences:
            counts.update(sentence)
            bar.advance(len(sentence))
    # Counter keeps first-seen order, and sorted() is stable: ties stay in that order.
    kept = sorted(((w, c) for w, c in counts.items() if c >= min_count), key=lambda p: -p[1])
    if not kept:
        raise ValueError(
            f"no word occurs {min_count} times or more in {sum(counts.values())} words; "
            "give more text or a lower min_count"
        )
    counted = np.array([c for _, c in kept], dtype=np.int64)
    return Vocabulary([w for w, _ in kept], counted, sum(counts.values()))


def _pairs(
    ids: np.ndarray, starts: np.ndarray, window: int, harmonic: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (word, context, weight) pairs of one chunk, both directions, as COO triplets.

    ``ids`` is the chunk's in-vocabulary word ids laid end to end; ``starts[k]`` is the
    sentence each position belongs to, so pairs never cross a sentence boundary.
    """
    rows, cols, weights = [], [], []
    for distance in range(1, window + 1):
        same = starts[distance:] == starts[:-distance]
        left, right = ids[:-distance][same], ids[distance:][same]
        weight = np.full(left.size, 1.0 / distance if harmonic else 1.0)
        rows += [left, right]
        cols += [right, left]
        weights += [weight, weight]
    return (np.concatenate(rows), np.concatenate(cols), np.concatenate(weights))


def cooccurrence(
    sentences: Iterable[list[str]],
    vocab: Mapping[str, int],
    window: int = 10,
    harmonic: bool = True,
    progress: bool | None = None,
    total_words: int | None = None,
) -> sp.csr_matrix:
    """Count, for each pair of vocabulary words, how often they appear within ``window``.

    A word ``d`` positions from another (``1 <= d <= window``, either side) adds
    ``1/d`` to their entry (``1`` when ``harmonic`` is False); the matrix is symmetric.

    Args:
        sentences: Lists of words, streamed once.
        vocab: Word to row; other words are dropped before the window is laid.
        window: How many words each side count as context.
        harmonic: Weight a pair by ``1/distance`` (GloVe) or count it once (PPMI).
        progress: Show a progress bar (None: only on a terminal).
        total_words: The text's length in words, if known, for the bar's ETA.

    Returns:
        A ``(V, V)`` float64 CSR matrix, ``V = len(vocab)``.

    Raises:
        ValueError: ``window`` < 1.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    size = len(vocab)
    total = sp.csr_matrix((size, size), dtype=np.float64)
    ids: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    held = 0

    def flush() -> sp.csr_matrix:
        if not ids:
            return total
        rows, cols, weights = _pairs(np.concatenate(ids), np.concatenate(owners), window, harmonic)
        # subtle: COO -> CSR sums repeated (row, col) entries, which is the count itself.
        return total + sp.coo_matrix((weights, (rows, cols)), shape=(size, size)).tocsr()

    with progress_bar(
        "Counting co-occurrences", total=total_words, unit="words", enabled=progress
    ) as bar:
        for number, sentence in enumerate(sentences):
            kept = [vocab[w] for w in sentence if w in vocab]
            bar.advance(len(sentence))
            if len(kept) < 2:
                continue
            ids.append(np.array(kept, dtype=np.int32))
            owners.append(np.full(len(kept), number, dtype=np.int64))
            held += len(kept)
            if held >= CHUNK_TOKENS:
                total = flush()
                ids, owners, held = [], [], 0
        total = flush()
    total.sum_duplicates()
    return total


def glove_weight(
    counts: np.ndarray | torch.Tensor, x_max: float = 100.0, alpha: float = 0.75
) -> np.ndarray | torch.Tensor:
    """GloVe's weighting ``f(X) = (X / x_max) ** alpha``, capped at 1.

    Rare pairs, whose counts are noisy, weigh little; frequent ones no more than 1.

    >>> glove_weight(np.array([1.0, 50.0, 100.0, 400.0]), x_max=100, alpha=1.0).tolist()
    [0.01, 0.5, 1.0, 1.0]
    """
    scaled = (counts / x_max) ** alpha
    if hasattr(scaled, "clamp"):  # a torch tensor (torch is imported only to train)
        return scaled.clamp(max=1.0)
    return np.minimum(scaled, 1.0)


def glove_loss_and_grads(
    words: torch.Tensor,
    contexts: torch.Tensor,
    word_bias: torch.Tensor,
    context_bias: torch.Tensor,
    rows: torch.Tensor,
    cols: torch.Tensor,
    counts: torch.Tensor,
    x_max: float = 100.0,
    alpha: float = 0.75,
) -> tuple[float, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """GloVe's loss on a batch of entries and its gradient with respect to the rows used.

    ``loss = 1/2 * sum_k f(X_k) * (w_{i_k} . w~_{j_k} + b_{i_k} + b~_{j_k} - log X_k) ** 2``
    (the C tool's cost, with its factor 1/2). The gradient of entry ``k`` is
    ``g_k = f(X_k) * diff_k`` times ``w~_{j_k}`` for ``w_{i_k}``, times ``w_{i_k}`` for
    ``w~_{j_k}``, and ``g_k`` itself for both biases; the caller sums it into the rows.

    Args:
        words, contexts: ``(V, dim)`` word and context vectors.
        word_bias, context_bias: ``(V,)`` biases.
        rows, cols: ``(B,)`` the entries' word and context ids.
        counts: ``(B,)`` the entries' co-occurrence counts, all > 0.
        x_max, alpha: The weighting's cut-off and exponent (:func:`glove_weight`).

    Returns:
        The loss, then per entry the gradients for ``w_i`` ``(B, dim)``, ``w~_j``
        ``(B, dim)``, and the two biases ``(B,)`` (the biases share one gradient).
    """
    w, c = words[rows], contexts[cols]  # (B, dim) each
    diff = (w * c).sum(1) + word_bias[rows] + context_bias[cols] - counts.log()  # (B,)
    scaled = glove_weight(counts, x_max, alpha) * diff  # (B,)
    loss = 0.5 * float((scaled * diff).sum())
    return loss, scaled[:, None] * c, scaled[:, None] * w, scaled, scaled


@dataclass
class GloVe:
    """GloVe word vectors, fitted with AdaGrad to a corpus's co-occurrence counts.

    Hyper-parameters as the paper and the C tool name them; learned state ends in ``_``.

    Args:
        vector_size: Dimensions of each vector.
        window: Context words counted each side.
        min_count: Ignore words seen fewer times.
        x_max: Counts at or above this weigh 1.
        alpha: Exponent of the weighting below ``x_max``.
        learning_rate: AdaGrad's largest step per coordinate (see Simplifications).
        epochs: Passes over the non-zero counts.
        batch_size: Entries per AdaGrad step.
        seed: Seeds the initial vectors and the shuffles.

    Example:
        >>> text = [["the", "cat", "sat"], ["the", "dog", "sat"]] * 20
        >>> model = GloVe(vector_size=8, window=2, min_count=1, epochs=5).fit(text)
        >>> model.wv.vectors.shape
        (4, 8)
    """

    vector_size: int = 100
    window: int = 10
    min_count: int = 5
    x_max: float = 100.0
    alpha: float = 0.75
    learning_rate: float = 0.4
    epochs: int = 25
    batch_size: int = 16_384
    seed: int = 1

    def __post_init__(self) -> None:
        for name in ("vector_size", "window", "min_count", "epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        for name in ("x_max", "alpha", "learning_rate"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")

    def fit(self, sentences: Iterable[list[str]], progress: bool | None = None) -> GloVe:
        """Count the vocabulary and the co-occurrences, then fit the vectors.

        Args:
            sentences: Lists of words; read twice, so a list or a restartable corpus.
            progress: Show progress bars (None: only on a terminal).

        Returns:
            ``self``, with ``wv`` (:class:`KeyedVectors`), ``counts_`` (the sparse
            co-occurrence matrix) and ``losses_`` (the mean loss per entry, each epoch).

        Raises:
            TypeError: ``sentences`` is a one-pass iterator.
            ValueError: No word reaches ``min_count``, or no pair co-occurs.
        """
        sentences = restartable(sentences, "GloVe.fit")
        words, _, total = vocabulary(sentences, self.min_count, progress)
        vocab = {w: i for i, w in enumerate(words)}
        counts = cooccurrence(sentences, vocab, self.window, True, progress, total)
        if counts.nnz == 0:
            raise ValueError("no two vocabulary words occur within the window; give more text")
        self.counts_ = counts
        self.wv = KeyedVectors(words, self._train(counts, progress))
        return self

    def _train(self, counts: sp.csr_matrix, progress: bool | None) -> np.ndarray:
        import torch

        size, dim = counts.shape[0], self.vector_size
        generator = torch.Generator().manual_seed(self.seed)
        # The C tool's initialisation: uniform in [-0.5, 0.5) / dim, biases included.
        params = [(torch.rand(size, dim, generator=generator) - 0.5) / dim for _ in range(2)]
        params += [(torch.rand(size, generator=generator) - 0.5) / dim for _ in range(2)]
        squares = [torch.ones_like(p) for p in params]  # AdaGrad's sums start at 1, as in C
        entries = counts.tocoo()
        rows = torch.from_numpy(entries.row.astype(np.int64))
        cols = torch.from_numpy(entries.col.astype(np.int64))
        values = torch.from_numpy(entries.data.astype(np.float32))
        self.losses_: list[float] = []
        total = self.epochs * rows.numel()
        with progress_bar("GloVe", total=total, unit="pairs", enabled=progress) as bar:
            for epoch in range(self.epochs):
                order = torch.randperm(rows.numel(), generator=generator)
                loss = 0.0
                for start in range(0, order.numel(), self.batch_size):
                    batch = order[start : start + self.batch_size]
                    i, j = rows[batch], cols[batch]
                    step_loss, *grads = glove_loss_and_grads(
                        *params, i, j, values[batch], self.x_max, self.alpha
                    )
                    loss += step_loss
                    # A word repeated in the batch gets the sum of its entries' gradients.
                    sides = [
                        torch.unique(i, return_inverse=True),
                        torch.unique(j, return_inverse=True),
                    ]
                    for param, square, grad, side in zip(
                        params, squares, grads, (0, 1, 0, 1), strict=True
                    ):
                        touched, where = sides[side]
                        g = grad.new_zeros((touched.numel(), *grad.shape[1:]))
                        g.index_add_(0, where, grad)
                        summed = square[touched] + g * g
                        square[touched] = summed
                        param[touched] -= self.learning_rate * g / summed.sqrt()
                    bar.advance(batch.numel())
                self.losses_.append(loss / rows.numel())
                bar.describe(f"GloVe epoch {epoch + 1}: loss {self.losses_[-1]:.4f}")
        return (params[0] + params[1]).numpy()
