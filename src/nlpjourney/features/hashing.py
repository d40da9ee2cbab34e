"""The hashing trick: a feature's column is a hash of its text, so there is no vocabulary.

:class:`HashingVectorizer` never learns anything: feature ``f`` goes to column
``|h(f)| mod n_features`` where ``h`` is MurmurHash3 (x86, 32-bit, seed 0) of the UTF-8
bytes of ``f``, read as a signed 32-bit integer. Different features can land in the same
column (a *collision*); with ``alternate_sign`` a feature adds ``+1`` or ``-1`` by the sign
of its hash, so colliding features tend to cancel instead of piling up, and inner
products stay unbiased. Memory is fixed, it streams, and it cannot tell you which word
a column was.

:func:`murmurhash3_32` is MurmurHash3 written with NumPy ``uint32`` arithmetic (which
wraps around modulo 2**32, as the C code does). It hashes many keys at once: keys are
grouped by length, padded to whole 4-byte blocks and mixed block by block across the
whole group, so a vectorizer hashes each distinct feature once, in bulk.

Reference: ``sklearn.utils.murmurhash3_32`` and scikit-learn's ``HashingVectorizer``
(which hashes through ``FeatureHasher``); the tests compare hashes on generated Unicode
strings and whole matrices on movie reviews and SMS spam.

Simplifications: keys are ``str`` or ``bytes`` (no integer keys); see also
:mod:`nlpjourney.features.analysis`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from nlpjourney.features.analysis import TextAnalysisMixin, check_documents
from nlpjourney.features.tfidf import _check_norm, normalize_rows

_C1, _C2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)
_F1, _F2 = np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35)
_ROUND_ADD = np.uint32(0xE6546B64)
_GROUP = 1 << 16  # keys hashed together: bounds the padded block matrix's memory


def _rotl(x: NDArray[np.uint32], r: int) -> NDArray[np.uint32]:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def _mix_block(k: NDArray[np.uint32]) -> NDArray[np.uint32]:
    return _rotl(k * _C1, 15) * _C2


def _hash_same_width(
    buffer: NDArray[np.uint8], starts: NDArray[np.int64], lengths: NDArray[np.int64], seed: int
) -> NDArray[np.uint32]:
    """MurmurHash3 of the keys ``buffer[start:start+length]``, all at most 4 * width bytes."""
    n_keys = len(starts)
    width = int(lengths.max()) // 4 + 1  # blocks, counting the (maybe empty) tail block
    padded = np.zeros((n_keys, 4 * width), dtype=np.uint8)
    # Scatter each key's bytes to the front of its row; the rest stays zero.
    row_of_byte = np.repeat(np.arange(n_keys) * 4 * width, lengths)
    offset_in_key = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    source = np.repeat(starts, lengths) + offset_in_key
    padded.ravel()[row_of_byte + offset_in_key] = buffer[source]
    blocks = padded.view("<u4")  # (n_keys, width) little-endian 32-bit blocks
    full_blocks = lengths // 4
    h = np.full(n_keys, seed, dtype=np.uint32)
    for j in range(width):
        # subtle: the tail (1-3 leftover bytes, zero-padded) is mixed like a block and
        # xor-ed in, but without the rotate-multiply-add a full block gets. An absent tail
        # is a zero block, which mixes to zero: xor-ing it is a no-op, so no branch needed.
        h ^= _mix_block(blocks[:, j])
        full = j < full_blocks
        h[full] = _rotl(h[full], 13) * np.uint32(5) + _ROUND_ADD
    h ^= lengths.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= _F1
    h ^= h >> np.uint32(13)
    h *= _F2
    h ^= h >> np.uint32(16)
    return h


def murmurhash3_32_many(keys: Sequence[str | bytes], seed: int = 0) -> NDArray[np.uint32]:
    """MurmurHash3 (x86, 32-bit) of each key's UTF-8 bytes, as unsigned 32-bit integers.

    View the result as ``np.int32`` for scikit-learn's signed hashes.
    """
    encoded = [key.encode("utf-8") if isinstance(key, str) else key for key in keys]
    for key in encoded:
        if not isinstance(key, bytes):
            raise TypeError(f"keys must be str or bytes, got {type(key).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    starts = np.cumsum(lengths) - lengths
    buffer = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    hashes = np.empty(len(encoded), dtype=np.uint32)
    # Hash keys of similar length together so little of the padded matrix is padding.
    by_length = np.argsort(lengths, kind="stable")
    for first in range(0, len(encoded), _GROUP):
        group = by_length[first : first + _GROUP]
        hashes[group] = _hash_same_width(buffer, starts[group], lengths[group], seed)
    return hashes


def murmurhash3_32(key: str | bytes, seed: int = 0, positive: bool = False) -> int:
    """MurmurHash3 (x86, 32-bit) of ``key`` (a ``str`` is hashed as its UTF-8 bytes).

    Args:
        key: the text or bytes to hash.
        seed: the 32-bit seed.
        positive: return the unsigned value in ``[0, 2**32)`` instead of the signed one.

    Example: ``murmurhash3_32("foo")`` is ``-156908512``, as in scikit-learn.
    """
    if not isinstance(key, str | bytes):
        raise TypeError(f"key must be str or bytes, got {type(key).__name__}")
    unsigned = murmurhash3_32_many([key], seed)
    return int(unsigned[0]) if positive else int(unsigned.view(np.int32)[0])


def hash_columns(
    hashes: NDArray[np.uint32], n_features: int
) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    """Column ``|h| mod n_features`` and sign (+1 for ``h >= 0``) of each signed hash."""
    signed = hashes.view(np.int32).astype(np.int64)  # int64: |-2**31| fits
    return np.abs(signed) % n_features, np.where(signed >= 0, 1, -1).astype(np.int8)


class HashingVectorizer(TextAnalysisMixin):
    """Raw documents to a sparse matrix with hashed columns; nothing to learn.

    Takes the text-analysis arguments of
    :class:`~nlpjourney.features.counting.CountVectorizer` (``input``, ``lowercase``,
    ``preprocessor``, ``tokenizer``, ``analyzer``, ``stop_words``, ``token_pattern``,
    ``ngram_range``), plus:

    Args:
        n_features: the number of columns (a power of two spreads the modulo evenly).
        binary: record presence: every stored entry becomes 1, signs dropped, as sklearn.
        norm: ``"l2"`` (default), ``"l1"`` or None: how each row is scaled.
        alternate_sign: add ``+1`` or ``-1`` by the hash's sign, so collisions cancel.
        dtype: the matrix's dtype.

    Example:
        >>> X = HashingVectorizer(n_features=16, norm=None).transform(["to be or not to be"])
        >>> float(abs(X).sum())  # "to" "be" "or" "not" "to" "be", before cancellation
        6.0
    """

    def __init__(
        self,
        *,
        input: str = "content",
        lowercase: bool = True,
        preprocessor: Callable[[str], str] | None = None,
        tokenizer: Callable[[str], list[str]] | None = None,
        stop_words: str | Iterable[str] | None = None,
        token_pattern: str | None = r"(?u)\b\w\w+\b",
        ngram_range: tuple[int, int] = (1, 1),
        analyzer: str | Callable[[str], Iterable[str]] = "word",
        n_features: int = 2**20,
        binary: bool = False,
        norm: str | None = "l2",
        alternate_sign: bool = True,
        dtype: type = np.float64,
    ) -> None:
        self.input = input
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.n_features = n_features
        self.binary = binary
        self.norm = norm
        self.alternate_sign = alternate_sign
        self.dtype = dtype

    def _check_params(self) -> None:
        self._check_analysis_params()
        _check_norm(self.norm)
        if isinstance(self.n_features, bool) or not isinstance(self.n_features, int | np.integer):
            raise TypeError(f"n_features must be an int, got {self.n_features!r}")
        if not 1 <= self.n_features <= 2**31 - 1:
            raise ValueError(f"n_features must be in [1, 2**31 - 1], got {self.n_features}")

    def fit(self, raw_documents: Iterable[str], y: Any = None) -> HashingVectorizer:
        """Check the parameters and return ``self``: hashing learns nothing."""
        check_documents(raw_documents)
        self._check_params()
        return self

    def fit_transform(self, raw_documents: Iterable[str], y: Any = None) -> sp.csr_matrix:
        """Same as :meth:`transform`."""
        return self.transform(raw_documents)

    def transform(self, raw_documents: Iterable[str]) -> sp.csr_matrix:
        """The hashed feature matrix of ``raw_documents``, shape (n_docs, n_features)."""
        check_documents(raw_documents)
        self._check_params()
        analyze = self.build_analyzer()
        # Tally each document's features (Counter, in C), give each distinct feature a
        # local id, then hash every distinct feature once, all together.
        local: defaultdict[str, int] = defaultdict()
        local.default_factory = local.__len__
        ids: list[int] = []
        tallies: list[int] = []
        lengths: list[int] = []
        for doc in raw_documents:
            counter = Counter(analyze(doc))
            ids.extend(map(local.__getitem__, counter))
            tallies.extend(counter.values())
            lengths.append(len(counter))
        if not lengths:
            raise ValueError("Cannot vectorize an empty sequence of documents")
        column_of, sign_of = hash_columns(murmurhash3_32_many(list(local)), self.n_features)
        local_ids = np.array(ids, dtype=np.int64)
        values = np.array(tallies, dtype=self.dtype)
        if self.alternate_sign:
            values *= sign_of[local_ids]
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        index_dtype = np.int32 if indptr[-1] < 2**31 else np.int64
        matrix = sp.csr_matrix(
            (values, column_of[local_ids].astype(index_dtype), indptr.astype(index_dtype)),
            shape=(len(lengths), self.n_features),
        )
        matrix.sum_duplicates()  # colliding or repeated features add up; columns sorted
        if self.binary:
            matrix.data.fill(1)
        return normalize_rows(matrix, self.norm)
