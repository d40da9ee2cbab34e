"""Word2Vec: skip-gram and CBOW with negative sampling, trained on a streamed corpus.

Each word gets an input vector and an output vector. Skip-gram asks a word's input vector
to predict each word near it; CBOW asks the mean of the context's input vectors to predict
the centre word. Neither computes a softmax over the vocabulary: *negative sampling* turns
each prediction into ``1 + negative`` logistic questions ("is this the true word?"), the
true word against words drawn from the unigram distribution raised to 0.75. (The other
way, ``hs=1``, is hierarchical softmax: a word is a path of left/right turns down a Huffman
tree, one logistic question per turn; see :func:`huffman_tree`.) The loss for one
input vector ``c``, true output vector ``o`` and negatives ``n_k`` is::

    -log sigmoid(c . o) - sum_k log sigmoid(-c . n_k)

and :func:`sgns_loss_and_grads` / :func:`sgns_step` write it and its gradient out in NumPy.

Training follows word2vec.c and gensim: frequent words are dropped at random
(:func:`keep_probabilities`), each centre word uses a random window of 1..``window`` words
each side, and the learning rate falls linearly from ``alpha`` to ``min_alpha`` over all
the words of all epochs.

Why numba. The work is millions of tiny steps (two 100-float dot products and updates per
(word, sample) pair), each depending on the last. Batching them into NumPy or torch
arrays pays Python and allocation overhead per batch and changes the algorithm (updates
applied together instead of one after another), and stays several times slower than
gensim's C loop. :func:`numba.njit` compiles the plain loop in ``_kernels.py`` to machine
code; with ``nogil=True`` each of ``workers`` Python threads runs it on its own chunk of
about 10,000 words at a time, all updating the shared float32 matrices without locks
("Hogwild", as gensim and word2vec.c do). The price is compilation the first time the
kernel runs in a fresh install (several seconds); ``cache=True`` stores the machine code
so later processes load it.

>>> model = Word2Vec(vector_size=16, window=2, min_count=1, epochs=50, workers=1, seed=3)
>>> corpus = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "car", "drove"]] * 20
>>> model.fit(corpus).wv.index_to_key[:2]
['the', 'sat']

Reference: gensim's ``Word2Vec`` (the same hyper-parameter names and defaults, tables and
subsampling formula; ``benchmarks/embeddings_word2vec.py`` compares speed and quality) and
word2vec.c.

Simplifications:
    - Hierarchical softmax (``hs=1``) follows gensim but may break ties between equal
      counts differently when it builds the Huffman tree (any such tree is optimal).
    - The sigmoid is computed exactly instead of read from word2vec.c's 1000-entry
      table; as in gensim, outputs whose logit is beyond +-6 are not updated.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from typing import Self

import numpy as np

from nlpjourney.embeddings import _kernels
from nlpjourney.embeddings._sampling import (
    TABLE_DOMAIN,
    huffman_tree,
    keep_probabilities,
    negative_sampling_table,
)
from nlpjourney.embeddings.keyed_vectors import KeyedVectors
from nlpjourney.progress import progress_bar

__all__ = [
    "TABLE_DOMAIN",
    "Word2Vec",
    "huffman_tree",
    "keep_probabilities",
    "negative_sampling_table",
    "sgns_loss_and_grads",
    "sgns_pairs_compiled",
    "sgns_step",
]

Sentences = Iterable[Iterable[str]] | Callable[[], Iterable[Iterable[str]]]

CHUNK_WORDS = 10_000
"""Words per chunk handed to a worker thread (gensim's ``batch_words``)."""

MAX_SENTENCE = 10_000
"""Longer sentences are cut into pieces of this many words, as gensim does."""


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def sgns_loss_and_grads(
    center: np.ndarray, context: np.ndarray, negatives: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """The skip-gram negative-sampling loss of a batch of pairs and its gradients.

    ``loss = sum_b [-log sigmoid(center_b . context_b) - sum_k log sigmoid(-center_b . negatives_bk)]``

    Args:
        center: Input vectors of the centre words.
        context: Output vectors of the true context words.
        negatives: Output vectors of the sampled negative words.

    Returns:
        ``(loss, d_center, d_context, d_negatives)``, the gradients of ``loss`` with
        respect to each argument, in their shapes.

    Shapes:
        center, context: ``(B, D)``; negatives: ``(B, K, D)``.

    >>> c, o, n = np.ones((1, 2)), np.zeros((1, 2)), np.zeros((1, 1, 2))
    >>> loss, dc, do, dn = sgns_loss_and_grads(c, o, n)
    >>> round(loss, 4), do.tolist()   # 2 log 2: both logits are 0
    (1.3863, [[-0.5, -0.5]])
    """
    positive = np.einsum("bd,bd->b", center, context)  # (B,)
    negative = np.einsum("bd,bkd->bk", center, negatives)  # (B, K)
    loss = -float(_log_sigmoid(positive).sum() + _log_sigmoid(-negative).sum())
    # d/dx of -log sigmoid(x) is sigmoid(x) - 1; d/dx of -log sigmoid(-x) is sigmoid(x).
    d_positive = 1.0 / (1.0 + np.exp(-positive)) - 1.0  # (B,)
    d_negative = 1.0 / (1.0 + np.exp(-negative))  # (B, K)
    d_center = d_positive[:, None] * context + np.einsum("bk,bkd->bd", d_negative, negatives)
    d_context = d_positive[:, None] * center
    d_negatives = d_negative[:, :, None] * center[:, None, :]
    return loss, d_center, d_context, d_negatives


def sgns_step(
    w_in: np.ndarray,
    w_out: np.ndarray,
    centers: np.ndarray,
    contexts: np.ndarray,
    negatives: np.ndarray,
    lr: float,
) -> float:
    """One SGD step of skip-gram negative sampling on a batch, updating the weights in place.

    Every gradient is computed from the weights before the step, then all are applied
    (a word that appears twice gets the sum of its gradients).

    Args:
        w_in: Input vectors, one row per word (updated in place).
        w_out: Output vectors, one row per word (updated in place).
        centers: Row of ``w_in`` for each pair's input word.
        contexts: Row of ``w_out`` for each pair's true word.
        negatives: Rows of ``w_out`` for each pair's negative words.
        lr: The learning rate.

    Returns:
        The batch's loss before the step.

    Shapes:
        w_in, w_out: ``(V, D)``; centers, contexts: ``(B,)``; negatives: ``(B, K)``.
    """
    loss, d_center, d_context, d_negatives = sgns_loss_and_grads(
        w_in[centers], w_out[contexts], w_out[negatives]
    )
    np.add.at(w_in, centers, -lr * d_center)
    np.add.at(w_out, contexts, -lr * d_context)
    np.add.at(w_out, negatives, -lr * d_negatives)
    return loss


def sgns_pairs_compiled(
    w_in: np.ndarray,
    w_out: np.ndarray,
    centers: np.ndarray,
    contexts: np.ndarray,
    negatives: np.ndarray,
    lr: float,
) -> None:
    """The compiled SGD that :class:`Word2Vec` runs, on given pairs, one pair after another.

    Unlike :func:`sgns_step`, each pair's update is applied before the next pair is read
    (as word2vec.c and gensim do), in float32. This is the arithmetic of the training
    kernel without its sampling; the lesson and the tests check it against the batch step.

    Args:
        w_in: Input vectors, float32, one row per word (updated in place).
        w_out: Output vectors, float32, one row per word (updated in place).
        centers: Row of ``w_in`` for each pair's input word.
        contexts: Row of ``w_out`` for each pair's true word.
        negatives: Rows of ``w_out`` for each pair's negative words.
        lr: The learning rate.

    Raises:
        TypeError: If the weights are not float32 (the kernel updates them in place).
    """
    if w_in.dtype != np.float32 or w_out.dtype != np.float32:
        raise TypeError(f"the compiled kernel updates float32 weights in place; got "
                        f"{w_in.dtype} and {w_out.dtype} (use .astype(np.float32))")  # fmt: skip
    _kernels.train_pairs(w_in, w_out, np.asarray(centers), np.asarray(contexts),
                         np.asarray(negatives), np.float32(lr))  # fmt: skip


def _reader(sentences: Sentences) -> Callable[[], Iterable[Iterable[str]]]:
    """A function that opens one pass over the corpus."""
    if callable(sentences):
        return sentences
    if isinstance(sentences, str | bytes):
        raise TypeError("sentences must be an iterable of token lists, not one string")
    if iter(sentences) is sentences:  # type: ignore[call-overload]
        raise TypeError(
            "sentences is a one-shot iterator (a generator?), but training reads the corpus "
            "once for the vocabulary and once per epoch; pass a list, a re-iterable object, "
            "or a function returning a fresh iterator, e.g. lambda: english_sentences('brown')"
        )
    return lambda: sentences  # type: ignore[return-value]


def _check(name: str, value: float, low: float, integer: bool = True) -> None:
    if integer and (isinstance(value, bool) or not isinstance(value, int | np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if not integer and not isinstance(value, int | float | np.number):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not value >= low:
        raise ValueError(f"{name} must be at least {low}, got {value!r}")


class Word2Vec:
    """Skip-gram or CBOW word vectors with negative sampling (gensim's names and defaults).

    Args:
        vector_size: Dimensions of each vector.
        window: The largest distance between a centre word and a context word.
        min_count: Words seen fewer times are dropped from the vocabulary.
        sg: 1 for skip-gram, 0 for CBOW (the mean of the context vectors).
        negative: Negative words drawn per prediction (0: no negative sampling).
        hs: 1 adds hierarchical softmax over a Huffman tree of the vocabulary (needs
            ``negative=0`` to be used alone, as in gensim).
        sample: Subsampling threshold for frequent words (0 turns it off).
        alpha: The starting learning rate.
        min_alpha: The learning rate at the end of the last epoch.
        epochs: Passes over the corpus.
        workers: Threads training in parallel (with 1 a seed gives the same vectors every run).
        seed: Seed of the initial vectors and of every random draw.

    Raises:
        ValueError, TypeError: For a parameter out of range or of the wrong type.

    After :meth:`fit`, ``wv`` holds the input vectors as :class:`KeyedVectors` (most
    frequent word first), ``syn1neg`` the output vectors of negative sampling, ``syn1`` the
    inner-node vectors of hierarchical softmax (no rows when a method is off),
    ``corpus_words`` the number of words in one pass over the corpus and ``train_seconds``
    the time the epochs took (the vocabulary pass not included).
    """

    def __init__(
        self,
        vector_size: int = 100,
        window: int = 5,
        min_count: int = 5,
        sg: int = 1,
        negative: int = 5,
        hs: int = 0,
        sample: float = 1e-3,
        alpha: float = 0.025,
        min_alpha: float = 1e-4,
        epochs: int = 5,
        workers: int = 2,
        seed: int = 1,
    ) -> None:
        for name, value in [("vector_size", vector_size), ("window", window),
                            ("min_count", min_count), ("epochs", epochs),
                            ("workers", workers)]:  # fmt: skip
            _check(name, value, 1)
        _check("negative", negative, 0)
        _check("seed", seed, 0)
        _check("sample", sample, 0.0, integer=False)
        _check("min_alpha", min_alpha, 0.0, integer=False)
        _check("alpha", alpha, min_alpha, integer=False)
        if sg not in (0, 1):
            raise ValueError(f"sg must be 1 (skip-gram) or 0 (CBOW), got {sg!r}")
        if hs not in (0, 1):
            raise ValueError(f"hs must be 1 (hierarchical softmax) or 0, got {hs!r}")
        if not hs and not negative:
            raise ValueError(
                "hs=0 and negative=0 leave no output to train; set negative >= 1 (negative "
                "sampling) or hs=1 (hierarchical softmax)"
            )
        self.vector_size, self.window, self.min_count = vector_size, window, min_count
        self.sg, self.negative, self.hs, self.sample = sg, negative, hs, sample
        self.alpha, self.min_alpha, self.epochs = alpha, min_alpha, epochs
        self.workers, self.seed = workers, seed
        self._wv: KeyedVectors | None = None

    @property
    def wv(self) -> KeyedVectors:
        """The trained word vectors (after :meth:`fit`)."""
        if self._wv is None:
            raise AttributeError(f"{type(self).__name__} has no vectors yet; call fit first")
        return self._wv

    def __repr__(self) -> str:
        kind = "skip-gram" if self.sg else "CBOW"
        return (
            f"{type(self).__name__}({kind}, vector_size={self.vector_size}, window={self.window})"
        )

    # Hooks that FastText overrides: which rows of the input matrix make a word's vector,
    # and how the trained matrix becomes keyed vectors.
    def _input_rows(self, words: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
        """``(sub_starts, sub_rows, n_rows)``: word ``w`` is the mean of rows
        ``sub_rows[sub_starts[w]:sub_starts[w + 1]]`` of an ``(n_rows, dim)`` matrix."""
        n = len(words)
        return np.arange(n + 1, dtype=np.int64), np.arange(n, dtype=np.int64), n

    def _keyed_vectors(self, words: list[str], syn0: np.ndarray) -> KeyedVectors:
        return KeyedVectors(words, syn0)

    def fit(self, sentences: Sentences, progress: bool | None = False) -> Self:
        """Build the vocabulary, then train for ``epochs`` passes over ``sentences``.

        Args:
            sentences: Token lists (each a list of str). The corpus is read ``1 + epochs``
                times, never held: give a list, any re-iterable object, or a function
                that returns a fresh iterator on each call (``lambda: english_sentences()``).
                A one-shot generator is refused.
            progress: Show a bar with words/s and the time left (None: only on a terminal).

        Returns:
            ``self``, with ``wv`` set.

        Raises:
            TypeError: For a one-shot iterator, a str where a token list belongs, or
                tokens that are not str.
            ValueError: If the corpus is empty or no word reaches ``min_count``.
        """
        open_pass = _reader(sentences)
        words, counts, corpus_words = self._vocabulary(open_pass(), progress)
        keep = np.minimum(keep_probabilities(counts, self.sample) * 2.0**32, 2.0**32)
        keep = keep.astype(np.uint64)
        cum_table = negative_sampling_table(counts)
        tree = huffman_tree(counts if self.hs else counts[:0])
        sub_starts, sub_rows, n_rows = self._input_rows(words)
        rng = np.random.default_rng(self.seed)
        # gensim's start, uniform in +-1 / dim (word2vec.c's is half as wide), made in
        # place since FastText's matrix is large.
        syn0 = rng.random((n_rows, self.vector_size), dtype=np.float32)
        syn0 *= np.float32(2.0)
        syn0 -= np.float32(1.0)
        syn0 /= np.float32(self.vector_size)
        # Output vectors start at zero; a method that is off gets a matrix with no rows.
        syn1 = np.zeros((len(words) if self.negative else 0, self.vector_size), np.float32)
        syn1hs = np.zeros((len(words) - 1 if self.hs else 0, self.vector_size), np.float32)
        index = {w: i for i, w in enumerate(words)}
        total = corpus_words * self.epochs

        def train(job: tuple[np.ndarray, np.ndarray, int, int]) -> None:
            ids, starts, before, chunk_seed = job
            _kernels.train_chunk(
                syn0, syn1, syn1hs, tree, ids, starts, sub_starts, sub_rows, keep, cum_table, self.sg,
                self.window, self.negative, self.alpha, self.min_alpha, before, total,
                chunk_seed,
            )  # fmt: skip

        start = time.perf_counter()
        with progress_bar(
            f"Training {type(self).__name__}", total=total, unit="words", enabled=progress
        ) as bar:
            jobs = self._jobs(open_pass, index)
            if self.workers == 1:
                for job in jobs:
                    train(job)
                    bar.advance(len(job[0]))
            else:
                _run_threads(train, jobs, self.workers, lambda job: bar.advance(len(job[0])))
        self.train_seconds = time.perf_counter() - start
        self.corpus_words = corpus_words
        self.syn1neg, self.syn1 = syn1, syn1hs
        self._wv = self._keyed_vectors(words, syn0)
        return self

    def _vocabulary(
        self, sentences: Iterable[Iterable[str]], progress: bool | None
    ) -> tuple[list[str], np.ndarray, int]:
        """The kept words (most frequent first, ties in order of first appearance), their
        counts, and the number of words in the corpus."""
        counts: Counter[str] = Counter()
        with progress_bar("Counting words", unit="sentences", enabled=progress) as bar:
            for sentence in sentences:
                if isinstance(sentence, str | bytes):
                    raise TypeError(
                        f"each sentence must be a list of tokens, got the string {sentence[:40]!r}; "
                        "split it into words first (nlpjourney.embeddings.corpus.words_of)"
                    )
                counts.update(sentence)
                bar.advance(1)
        if not counts:
            raise ValueError("the corpus has no words; give a non-empty list of token lists")
        bad = next((w for w in counts if not isinstance(w, str)), None)
        if bad is not None:
            raise TypeError(f"tokens must be str, got {bad!r} ({type(bad).__name__})")
        kept = sorted(
            ((w, c) for w, c in counts.items() if c >= self.min_count), key=lambda wc: -wc[1]
        )
        if not kept:
            top, n = counts.most_common(1)[0]
            raise ValueError(
                f"no word occurs min_count={self.min_count} times (the most frequent, "
                f"{top!r}, occurs {n}); lower min_count or give more text"
            )
        words = [w for w, _ in kept]
        return words, np.array([c for _, c in kept], dtype=np.int64), sum(counts.values())

    def _jobs(
        self, open_pass: Callable[[], Iterable[Iterable[str]]], index: dict[str, int]
    ) -> Iterator[tuple[np.ndarray, np.ndarray, int, int]]:
        """``(word ids, sentence starts, words before, seed)`` chunks for every epoch.

        ``words before`` counts the raw words of all earlier chunks, so the learning rate
        of a chunk does not depend on which thread trains it; the seed mixes the model's
        seed with the chunk's number.
        """
        get = index.get
        before = number = 0
        for _ in range(self.epochs):
            ids: list[int] = []
            starts = [0]
            for sentence in open_pass():
                if isinstance(sentence, str | bytes):
                    raise TypeError("each sentence must be a list of tokens, not a string")
                ids.extend(map(get, sentence, repeat(-1)))
                while len(ids) - starts[-1] > MAX_SENTENCE:
                    starts.append(starts[-1] + MAX_SENTENCE)
                starts.append(len(ids))
                if len(ids) >= CHUNK_WORDS:
                    yield _job(ids, starts, before, self.seed, number)
                    before, number = before + len(ids), number + 1
                    ids, starts = [], [0]
            if ids:
                yield _job(ids, starts, before, self.seed, number)
                before, number = before + len(ids), number + 1


def _job(
    ids: list[int], starts: list[int], before: int, seed: int, number: int
) -> tuple[np.ndarray, np.ndarray, int, int]:
    chunk_seed = hash((seed, number)) & (2**48 - 1)
    return np.array(ids, dtype=np.int32), np.array(starts, dtype=np.int64), before, chunk_seed


def _run_threads(
    train: Callable[[tuple], None],
    jobs: Iterable[tuple],
    workers: int,
    on_queued: Callable[[tuple], None],
) -> None:
    """Feed ``jobs`` to ``workers`` threads that each call ``train`` (which releases the
    GIL); the first error of any thread is raised here once all have stopped."""
    pending: queue.Queue[tuple | None] = queue.Queue(maxsize=2 * workers)
    errors: list[BaseException] = []

    def work() -> None:
        while (job := pending.get()) is not None:
            if not errors:
                try:
                    train(job)
                except BaseException as error:  # noqa: BLE001 - re-raised in the caller
                    errors.append(error)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for job in jobs:
            if errors:
                break
            pending.put(job)
            on_queued(job)
    finally:
        for _ in threads:
            pending.put(None)
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
