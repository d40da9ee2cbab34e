"""FastText: Word2Vec whose word vectors are built from character n-grams, so unseen words get one too.

What it adds over :class:`~nlpjourney.embeddings.word2vec.Word2Vec`: a word's input
vector is the mean of its own row and one row per character n-gram of ``<word>`` (the
angle brackets mark the start and the end, so ``<un`` is a prefix and ``ing>`` a suffix),
for n from ``minn`` to ``maxn``. The n-grams are not stored: each is hashed with FastText's
32-bit FNV-1a hash of its UTF-8 bytes into one of ``bucket`` shared rows. Training is the
same compiled loop (every row of a word receives the input vector's gradient); afterwards
a word outside the vocabulary gets the mean of its n-grams' rows, so ``wv["unseenly"]``
and ``wv.most_similar("unseenly")`` work, and neighbours tend to share its morphology.

>>> char_ngrams("where", 3, 3)
['<wh', 'whe', 'her', 'ere', 're>']
>>> ft_hash("<wh")  # FastText's hash of the n-gram's UTF-8 bytes
1048167652

Reference: Facebook's fastText (``Dictionary::hash`` and ``computeSubwords``) and gensim's
``FastText``, whose ``ft_ngram_hashes`` the tests compare our hashes with.

Simplifications:
    - No word-level n-grams, no supervised mode; negative sampling only.
    - :meth:`FastTextKeyedVectors.save_word2vec_format` writes the vocabulary's vectors
      only (as gensim does); :meth:`~FastTextKeyedVectors.save` keeps the n-gram rows too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlpjourney.embeddings.keyed_vectors import KeyedVectors, read_vectors_npz
from nlpjourney.embeddings.word2vec import Word2Vec, _check
from nlpjourney.errors import UnknownNameError

__all__ = ["FastText", "FastTextKeyedVectors", "char_ngrams", "ft_hash"]

_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619


def ft_hash(ngram: str) -> int:
    """FastText's FNV-1a hash of the UTF-8 bytes of ``ngram``, as an unsigned 32-bit int.

    subtle: fastText reads the bytes as C ``char``, which is signed, so a byte of 128 or
    more is sign-extended before the XOR (``0xC3`` becomes ``0xFFFFFFC3``); gensim does
    the same so that its models load fastText's files.
    """
    h = _FNV_OFFSET
    for byte in ngram.encode("utf-8"):
        h ^= byte | 0xFFFFFF00 if byte >= 0x80 else byte
        h = (h * _FNV_PRIME) & 0xFFFFFFFF
    return h


def char_ngrams(word: str, minn: int, maxn: int) -> list[str]:
    """The character n-grams of ``<word>`` for ``minn <= n <= maxn``, in fastText's order
    (by start position, then length; repeats kept). Single ``<`` or ``>`` are never n-grams."""
    marked = f"<{word}>"
    grams = []
    for i in range(len(marked)):
        for n in range(minn, maxn + 1):
            if i + n > len(marked):
                break
            if n == 1 and (i == 0 or i == len(marked) - 1):
                continue
            grams.append(marked[i : i + n])
    return grams


class FastTextKeyedVectors(KeyedVectors):
    """Keyed vectors that can also build a vector for a word outside the vocabulary.

    Args:
        words: The vocabulary.
        vectors: Each vocabulary word's vector (mean of its own and its n-grams' rows).
        ngram_vectors: ``(bucket, dim)`` rows the n-grams hash into.
        minn: Shortest n-gram.
        maxn: Longest n-gram.
    """

    def __init__(
        self,
        words: list[str],
        vectors: np.ndarray,
        ngram_vectors: np.ndarray,
        minn: int,
        maxn: int,
    ) -> None:
        super().__init__(words, vectors)
        self.ngram_vectors = np.ascontiguousarray(ngram_vectors, dtype=np.float32)
        self.minn, self.maxn = minn, maxn
        self.bucket = int(self.ngram_vectors.shape[0])

    def __repr__(self) -> str:
        return (
            f"FastTextKeyedVectors({len(self)} words, {self.bucket} n-gram buckets, "
            f"{self.vector_size} dimensions)"
        )

    def ngram_rows(self, word: str) -> list[int]:
        """The rows of ``ngram_vectors`` that ``word``'s n-grams hash to."""
        return [ft_hash(g) % self.bucket for g in char_ngrams(word, self.minn, self.maxn)]

    def __getitem__(self, word: str) -> np.ndarray:
        """The vector of ``word``; for a word outside the vocabulary, its n-grams' mean.

        Raises:
            UnknownNameError: (a KeyError) for an unknown word with no n-gram.
        """
        row = self.key_to_index.get(word)
        if row is not None:
            return self.vectors[row]
        rows = self.ngram_rows(word)
        if not rows:
            raise UnknownNameError(
                f"{word!r} is not in the vocabulary and has no n-grams of {self.minn} to "
                f"{self.maxn} characters to build a vector from"
            )
        return self.ngram_vectors[rows].mean(axis=0)

    def _unit_vector(self, word: str) -> np.ndarray:
        if word in self.key_to_index:
            return super()._unit_vector(word)
        vector = self[word]
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def save(self, path: str | Path) -> None:
        """Write the vocabulary, its vectors and the n-gram rows to one ``.npz`` file."""
        with open(path, "wb") as file:
            np.savez(
                file,
                words=np.array(self.index_to_key, dtype=str),
                vectors=self.vectors,
                ngram_vectors=self.ngram_vectors,
                ngram_range=np.array([self.minn, self.maxn]),
            )

    @classmethod
    def load(cls, path: str | Path) -> FastTextKeyedVectors:
        """Read a file written by :meth:`save`.

        Raises:
            VectorsFileError: If the file is missing or not such a file.
        """
        with read_vectors_npz(path, "FastTextKeyedVectors.save") as data:
            minn, maxn = (int(n) for n in data["ngram_range"])
            return cls(
                [str(w) for w in data["words"]], data["vectors"], data["ngram_vectors"], minn, maxn
            )


class FastText(Word2Vec):
    """Word2Vec over words and their hashed character n-grams (gensim's ``FastText`` names).

    Takes every argument of :class:`~nlpjourney.embeddings.word2vec.Word2Vec` (same
    defaults, so skip-gram unless ``sg=0``), and:

    Args:
        minn: Shortest character n-gram.
        maxn: Longest character n-gram (0: no n-grams, plain Word2Vec).
        bucket: Rows the n-grams are hashed into (fastText's and gensim's 2,000,000 by
            default: 800 MB at 100 dimensions; a few hundred thousand suit a small corpus).

    After :meth:`fit`, ``wv`` is a :class:`FastTextKeyedVectors`.
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
        minn: int = 3,
        maxn: int = 6,
        bucket: int = 2_000_000,
    ) -> None:
        super().__init__(
            vector_size, window, min_count, sg, negative, hs, sample, alpha, min_alpha,
            epochs, workers, seed,
        )  # fmt: skip
        _check("minn", minn, 1)
        _check("maxn", maxn, 0)
        _check("bucket", bucket, 1)
        if maxn and maxn < minn:
            raise ValueError(f"maxn ({maxn}) must be 0 (no n-grams) or at least minn ({minn})")
        self.minn, self.maxn, self.bucket = minn, maxn, bucket

    def _input_rows(self, words: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
        """Word ``w`` is row ``w`` and rows ``len(words) + hash(n-gram) % bucket``."""
        cache: dict[str, int] = {}
        offset = len(words)
        starts = [0]
        rows: list[int] = []
        for index, word in enumerate(words):
            rows.append(index)
            if self.maxn:
                for gram in char_ngrams(word, self.minn, self.maxn):
                    row = cache.get(gram)
                    if row is None:
                        row = cache[gram] = offset + ft_hash(gram) % self.bucket
                    rows.append(row)
            starts.append(len(rows))
        self._rows = np.array(starts, dtype=np.int64), np.array(rows, dtype=np.int64)
        return *self._rows, offset + (self.bucket if self.maxn else 0)

    def _keyed_vectors(self, words: list[str], syn0: np.ndarray) -> FastTextKeyedVectors:
        starts, rows = self._rows
        vectors = np.empty((len(words), syn0.shape[1]), dtype=np.float32)
        block = 4096  # words at a time, so the gathered rows stay small
        for lo in range(0, len(words), block):
            hi = min(lo + block, len(words))
            sums = np.add.reduceat(syn0[rows[starts[lo] : starts[hi]]], starts[lo:hi] - starts[lo])
            vectors[lo:hi] = sums / np.diff(starts[lo : hi + 1])[:, None]
        ngrams = syn0[len(words) :] if self.maxn else np.zeros((1, syn0.shape[1]), np.float32)
        return FastTextKeyedVectors(words, vectors, ngrams, self.minn, self.maxn)
