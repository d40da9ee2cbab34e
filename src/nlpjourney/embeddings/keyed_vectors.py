"""Word vectors looked up by word: what every embedding model of topic 1.5 produces.

:class:`KeyedVectors` holds a vocabulary (``index_to_key``, most frequent first) and a
``(len(vocabulary), dim)`` float32 matrix. It answers the questions people ask of word
vectors (``wv["king"]``, :meth:`~KeyedVectors.similarity`,
:meth:`~KeyedVectors.most_similar` with ``positive`` and ``negative`` words) and writes and
reads the word2vec text and binary formats, so vectors trained here load in gensim and
vectors from elsewhere load here.

>>> import numpy as np
>>> wv = KeyedVectors(["cat", "dog", "car"], np.array([[1, 0], [0.9, 0.1], [0, 1]]))
>>> wv.most_similar("cat", topn=1)[0][0]
'dog'
>>> round(wv.similarity("cat", "car"), 3)
0.0

Reference: gensim's ``KeyedVectors`` (same method names and the same word2vec file
formats); ``tests/embeddings/test_keyed_vectors.py`` loads our files with gensim and
compares ``most_similar`` lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from nlpjourney.errors import JourneyError, lookup

__all__ = ["KeyedVectors", "VectorsFileError", "read_vectors_npz"]


class VectorsFileError(JourneyError, ValueError):
    """A vectors file that is missing, truncated or not in the format it claims."""


@contextmanager
def read_vectors_npz(path: str | Path, saver: str) -> Iterator[np.lib.npyio.NpzFile]:
    """Open a vectors ``.npz`` (no pickles); any way it fails becomes one :class:`VectorsFileError`.

    Errors raised while reading the arrays inside the ``with`` block (a missing array,
    wrong shapes) are turned into the same message, which names ``saver``, the method
    that writes such files.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            yield data
    except FileNotFoundError:
        raise VectorsFileError(f"no vectors file at {path}") from None
    except (OSError, ValueError, KeyError) as error:
        raise VectorsFileError(f"{path} is not a vectors file saved by {saver} ({error})") from None


def _words(words: str | Iterable[str] | None) -> list[str]:
    if words is None:
        return []
    if isinstance(words, str):
        return [words]
    return list(words)


class KeyedVectors:
    """A vocabulary and one vector per word.

    Args:
        words: The vocabulary, in row order (most frequent first by convention).
        vectors: ``(len(words), dim)`` array; stored as float32.

    Raises:
        ValueError: If the shapes disagree or a word repeats.
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray) -> None:
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(words):
            raise ValueError(
                f"need one row per word: {len(words)} words but vectors of shape {matrix.shape}"
            )
        self.index_to_key: list[str] = list(words)
        self.key_to_index: dict[str, int] = {w: i for i, w in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            raise ValueError("the vocabulary repeats a word; each word needs exactly one row")
        self.vectors = matrix
        self._unit: np.ndarray | None = None

    @property
    def vector_size(self) -> int:
        """The number of dimensions of each vector."""
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __repr__(self) -> str:
        return f"KeyedVectors({len(self)} words, {self.vector_size} dimensions)"

    def index(self, word: str) -> int:
        """The row of ``word``.

        Raises:
            UnknownNameError: (a KeyError) naming close words, if ``word`` is not in the vocabulary.
        """
        return lookup(self.key_to_index, word, "word", "It is not in this model's vocabulary.")

    def __getitem__(self, word: str) -> np.ndarray:
        """The vector of ``word``, shape ``(vector_size,)``."""
        return self.vectors[self.index(word)]

    def unit_vectors(self) -> np.ndarray:
        """Every vector scaled to length 1 (zero vectors stay zero); kept until vectors change."""
        if self._unit is None or self._unit.shape != self.vectors.shape:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            self._unit = self.vectors / np.maximum(norms, np.float32(1e-12))
        return self._unit

    def similarity(self, first: str, second: str) -> float:
        """Cosine similarity of two words' vectors."""
        return float(self._unit_vector(first) @ self._unit_vector(second))

    def _unit_vector(self, word: str) -> np.ndarray:
        """``word``'s vector scaled to length 1 (a subclass may build it for unknown words)."""
        return self.unit_vectors()[self.index(word)]

    def most_similar(
        self,
        positive: str | Iterable[str] | None = None,
        negative: str | Iterable[str] | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """The ``topn`` words closest by cosine to the mean of the words' unit vectors.

        ``positive`` words count +1 and ``negative`` words -1 (``king - man + woman`` is
        ``positive=["king", "woman"], negative=["man"]``); the query words themselves are
        never returned, as in gensim.

        Args:
            positive: Words to move towards.
            negative: Words to move away from.
            topn: How many neighbours to return.
            restrict_vocab: Search only the first this-many (most frequent) words.

        Returns:
            ``(word, cosine)`` pairs, closest first.

        Raises:
            ValueError: If no query word is given or ``topn`` < 1.
            KeyError: If a query word is not in the vocabulary.
        """
        plus, minus = _words(positive), _words(negative)
        if not plus and not minus:
            raise ValueError("most_similar needs at least one positive or negative word")
        if topn < 1:
            raise ValueError(f"topn must be at least 1, got {topn}")
        unit = self.unit_vectors()
        signs = np.array([1.0] * len(plus) + [-1.0] * len(minus), dtype=np.float32)
        query = signs @ np.stack([self._unit_vector(w) for w in plus + minus])
        rows = [self.key_to_index[w] for w in plus + minus if w in self.key_to_index]
        query /= max(float(np.linalg.norm(query)), 1e-12)
        limit = len(self) if restrict_vocab is None else min(restrict_vocab, len(self))
        scores = unit[:limit] @ query
        scores[[r for r in rows if r < limit]] = -np.inf
        count = min(topn, int(np.isfinite(scores).sum()))
        if count == 0:
            return []
        best = np.argpartition(-scores, count - 1)[:count]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.index_to_key[i], float(scores[i])) for i in best]

    def save(self, path: str | Path) -> None:
        """Write the vocabulary and vectors to one ``.npz`` file (read back by :meth:`load`)."""
        with open(path, "wb") as file:
            np.savez(file, words=np.array(self.index_to_key, dtype=str), vectors=self.vectors)

    @classmethod
    def load(cls, path: str | Path) -> KeyedVectors:
        """Read a file written by :meth:`save`.

        Raises:
            VectorsFileError: If the file is missing or not such a file.
        """
        with read_vectors_npz(path, "KeyedVectors.save") as data:
            return cls([str(w) for w in data["words"]], data["vectors"])

    def save_word2vec_format(self, path: str | Path, binary: bool = False) -> None:
        """Write the word2vec format: a ``"count dim"`` header, then one word per line.

        Text lines read ``word v1 v2 ...``; binary lines read ``word `` then ``dim``
        little-endian float32 values and a newline. Words must not contain spaces or
        newlines, since the format separates with them.

        Raises:
            ValueError: If a word contains whitespace.
        """
        bad = next((w for w in self.index_to_key if not w or any(c.isspace() for c in w)), None)
        if bad is not None:
            raise ValueError(
                f"the word2vec format cannot store the word {bad!r} (empty or has whitespace)"
            )
        with open(path, "wb") as file:
            file.write(f"{len(self)} {self.vector_size}\n".encode())
            if binary:
                rows = self.vectors.astype("<f4")
                for word, row in zip(self.index_to_key, rows, strict=True):
                    file.write(word.encode() + b" " + row.tobytes() + b"\n")
            else:
                for word, row in zip(self.index_to_key, self.vectors, strict=True):
                    file.write((word + " " + " ".join(repr(float(v)) for v in row) + "\n").encode())

    @classmethod
    def load_word2vec_format(cls, path: str | Path, binary: bool = False) -> KeyedVectors:
        """Read a word2vec text or binary file (as written by the C tool, gensim or us).

        Raises:
            VectorsFileError: If the file is missing, truncated or malformed.
        """
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            raise VectorsFileError(f"no vectors file at {path}") from None
        header, _, body = data.partition(b"\n")
        try:
            count, dim = (int(x) for x in header.split())
        except ValueError:
            raise VectorsFileError(
                f"{path}: the first line must be 'count dimensions', got {header[:40]!r}"
            ) from None
        words: list[str] = []
        vectors = np.empty((count, dim), dtype=np.float32)
        try:
            if binary:
                at = 0
                for i in range(count):
                    space = body.index(b" ", at)
                    words.append(body[at:space].decode().lstrip("\n"))
                    start = space + 1
                    vectors[i] = np.frombuffer(body, dtype="<f4", count=dim, offset=start)
                    at = start + 4 * dim
            else:
                lines = body.decode().splitlines()
                for i in range(count):
                    parts = lines[i].rstrip().split(" ")
                    words.append(parts[0])
                    vectors[i] = np.array(parts[1:], dtype=np.float32)
        except (ValueError, IndexError, UnicodeDecodeError) as error:
            raise VectorsFileError(
                f"{path} ends or breaks before its {count} vectors of {dim} values ({error}); "
                f"is it a {'binary' if binary else 'text'} word2vec file?"
            ) from None
        return cls(words, vectors)
