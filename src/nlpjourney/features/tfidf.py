"""TF-IDF: weigh each count by how rare its term is across the documents.

A term that appears in every document says nothing about any one of them; a term in
three documents out of two thousand says a lot. With ``n`` documents and ``df(t)`` the
number of documents containing term ``t``:

- ``idf(t) = ln(n / df(t)) + 1``, or with smoothing (the default) as if one extra
  document contained every term once: ``idf(t) = ln((1 + n) / (1 + df(t))) + 1``;
- ``tf(t, d)`` is the count of ``t`` in ``d``, or ``1 + ln(count)`` when ``sublinear_tf``;
- ``tfidf(t, d) = tf(t, d) * idf(t)``, then each document's row is scaled to unit length
  (``norm="l2"``, so dot products are cosine similarities) or unit sum (``"l1"``).

The formulas live in small public functions that take a dense NumPy count matrix
(documents x terms) or a SciPy sparse one: :func:`document_frequency`, :func:`idf`,
:func:`weight_counts`, :func:`normalize_rows`, the whole chain :func:`tfidf_from_counts`, and
:func:`document_frequency_mask`, the ``min_df``/``max_df`` vocabulary filter.
:class:`TfidfVectorizer` is :class:`~nlpjourney.features.counting.CountVectorizer`
followed by exactly these functions.

Reference: scikit-learn's ``TfidfTransformer``, ``TfidfVectorizer`` and
``sklearn.preprocessing.normalize``; the tests compare matrices and ``idf_`` on movie
reviews and SMS spam.

Simplifications: see :mod:`nlpjourney.features.analysis` (text analysis) and
:mod:`nlpjourney.features.counting`; ``dtype`` must be float32 or float64.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from nlpjourney.features.counting import CountVectorizer

Matrix = TypeVar("Matrix", np.ndarray, sp.csr_matrix)
_NORMS = ("l1", "l2", None)


def _check_norm(norm: str | None) -> None:
    if norm not in _NORMS:
        raise ValueError(f"norm must be 'l1', 'l2' or None, got {norm!r}")


def _as_counts(counts: Any) -> np.ndarray | sp.csr_matrix:
    if sp.issparse(counts):
        return sp.csr_matrix(counts)
    array = np.asarray(counts)
    if array.ndim != 2:
        raise ValueError(
            f"counts must be a 2-D (documents x terms) matrix, got shape {array.shape}"
        )
    if array.dtype.kind not in "biuf":
        raise TypeError(f"counts must hold numbers, got dtype {array.dtype}")
    return array


def document_frequency(counts: ArrayLike | sp.spmatrix) -> NDArray[np.int64]:
    """How many documents (rows) contain each term (column) at least once.

    Example: for counts ``[[2, 0, 1], [0, 0, 3]]`` the result is ``[1, 0, 2]``.
    """
    counts = _as_counts(counts)
    if sp.issparse(counts):
        # A CSR matrix stores each (document, term) pair at most once: count the columns.
        present = counts.indices[counts.data != 0]
        return np.bincount(present, minlength=counts.shape[1]).astype(np.int64)
    return np.count_nonzero(counts, axis=0).astype(np.int64)


def idf(df: ArrayLike, n_documents: int, smooth: bool = True) -> NDArray[np.float64]:
    """Inverse document frequency ``ln(n / df) + 1``, or ``ln((1 + n) / (1 + df)) + 1``.

    Args:
        df: document frequency of each term, shape (n_terms,).
        n_documents: how many documents ``df`` was counted over.
        smooth: add one imaginary document holding every term, so a term that never
            occurs gets a finite weight instead of ``inf``.

    Example: with ``n_documents=3``, ``df=[3, 1]`` gives ``[1.0, 2.0986...]`` unsmoothed
    (``ln(3/3) + 1``, ``ln(3/1) + 1``) and ``[1.0, 1.6931...]`` smoothed (``ln(4/4) + 1``,
    ``ln(4/2) + 1``).
    """
    df = np.asarray(df, dtype=np.float64)
    if df.ndim != 1:
        raise ValueError(f"df must be a 1-D vector of document frequencies, got shape {df.shape}")
    if n_documents < 1 or np.any(df < 0) or np.any(df > n_documents):
        raise ValueError(
            f"need n_documents >= 1 and 0 <= df <= n_documents; got n_documents={n_documents}, "
            f"df in [{df.min(initial=0):g}, {df.max(initial=0):g}]"
        )
    extra = 1.0 if smooth else 0.0
    with np.errstate(divide="ignore"):  # df = 0 without smoothing: idf = inf, as sklearn
        return np.log((n_documents + extra) / (df + extra)) + 1.0


def document_frequency_mask(
    df: ArrayLike, n_documents: int, min_df: float | int = 1, max_df: float | int = 1.0
) -> NDArray[np.bool_]:
    """Which terms to keep by document frequency: ``min_df <= df <= max_df``.

    The vocabulary filter of scikit-learn's ``CountVectorizer(min_df=..., max_df=...)``:
    an int bound counts documents, a float bound is a fraction of ``n_documents``. Terms
    in nearly every document (``max_df``) carry little information; terms in one or two
    (``min_df``) are often typos, and make the matrix wide.

    Args:
        df: document frequency of each term, shape (n_terms,).
        n_documents: how many documents ``df`` was counted over.
        min_df: keep terms in at least this many documents (int) or this fraction (float).
        max_df: keep terms in at most this many documents (int) or this fraction (float).

    Returns:
        A boolean mask, shape (n_terms,): ``counts[:, mask]`` keeps the chosen columns.

    Raises:
        ValueError: a bound is negative, a fraction is above 1, or ``max_df`` allows
            fewer documents than ``min_df`` asks for.

    Example:
        >>> document_frequency_mask([1, 4, 2, 3], 4, min_df=2, max_df=0.75).tolist()
        [False, False, True, True]
    """
    df = np.asarray(df)
    bounds = []
    for name, bound in (("min_df", min_df), ("max_df", max_df)):
        is_int = isinstance(bound, int | np.integer) and not isinstance(bound, bool)
        if bound < 0 or (not is_int and bound > 1):
            raise ValueError(f"{name} must be an int >= 0 or a float in [0, 1], got {bound!r}")
        bounds.append(bound if is_int else bound * n_documents)
    low, high = bounds
    if high < low:
        raise ValueError(
            f"max_df={max_df!r} allows {high:g} documents but min_df={min_df!r} asks for "
            f"{low:g} (of {n_documents}); raise max_df or lower min_df"
        )
    return (df >= low) & (df <= high)


def normalize_rows(matrix: Matrix, norm: str | None = "l2") -> Matrix:
    """Scale each row to unit Euclidean length (``"l2"``) or unit absolute sum (``"l1"``).

    All-zero rows stay zero. A sparse input is scaled in place and returned; a dense
    one gives a new float64 array (also for ``norm=None``).

    Example: ``normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))`` is ``[[0.6, 0.8], [0, 0]]``.
    """
    _check_norm(norm)
    if norm is None:
        return matrix if sp.issparse(matrix) else np.array(matrix, dtype=np.float64)
    if sp.issparse(matrix):
        matrix = sp.csr_matrix(matrix, copy=False)
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        values = matrix.data * matrix.data if norm == "l2" else np.abs(matrix.data)
        sizes = np.bincount(rows, weights=values, minlength=matrix.shape[0])
        if norm == "l2":
            sizes = np.sqrt(sizes)
        sizes[sizes == 0] = 1.0
        matrix.data /= sizes[rows].astype(matrix.dtype, copy=False)
        return matrix
    matrix = np.asarray(matrix, dtype=np.float64)
    order = 2 if norm == "l2" else 1
    sizes = np.linalg.norm(matrix, ord=order, axis=1, keepdims=True)
    return matrix / np.where(sizes == 0, 1.0, sizes)


def weight_counts(
    counts: Matrix,
    idf_weights: NDArray[np.floating] | None,
    sublinear_tf: bool = False,
    norm: str | None = "l2",
) -> Matrix:
    """TF-IDF of a count matrix given learned ``idf_weights`` (None: tf only, no idf).

    A sparse float input is overwritten and returned (the vectorizer owns its counts);
    a dense one gives a new float64 array.
    """
    _check_norm(norm)
    if sp.issparse(counts):
        values = counts.data
        if sublinear_tf:
            np.log(values, out=values)
            values += 1.0
        if idf_weights is not None:
            values *= idf_weights[counts.indices]
        return normalize_rows(counts, norm)
    weights = np.asarray(counts, dtype=np.float64)
    if sublinear_tf:
        positive = weights > 0
        weights = np.where(positive, np.log(np.where(positive, weights, 1.0)) + 1.0, 0.0)
    if idf_weights is not None:
        # subtle: only present terms are weighted, as in the sparse case, so a term with
        # df = 0 and an unsmoothed idf of inf gives 0, not 0 * inf = nan.
        with np.errstate(invalid="ignore"):
            weights = np.where(weights != 0, weights * idf_weights, 0.0)  # (docs, terms)
    return normalize_rows(weights, norm)


def tfidf_from_counts(
    counts: Matrix,
    smooth_idf: bool = True,
    sublinear_tf: bool = False,
    norm: str | None = "l2",
) -> Matrix:
    """TF-IDF of a count matrix, learning the idf from the same matrix.

    Equals scikit-learn's ``TfidfTransformer(norm, smooth_idf=..., sublinear_tf=...)``
    ``.fit_transform(counts)``. Dense in, dense out; sparse in, a sparse copy out.

    Example: for counts ``[[1, 1], [0, 2]]`` (smoothed idf ``[1.405, 1.0]``) the l2 rows
    are ``[[0.815, 0.580], [0.0, 1.0]]``.
    """
    counts = _as_counts(counts)
    weights = idf(document_frequency(counts), counts.shape[0], smooth=smooth_idf)
    if sp.issparse(counts):
        counts = counts.astype(np.float64)  # a copy: never touch the caller's matrix
    return weight_counts(counts, weights, sublinear_tf=sublinear_tf, norm=norm)


class TfidfVectorizer(CountVectorizer):
    """Raw documents to a sparse TF-IDF matrix: :class:`CountVectorizer`, then idf weights.

    Takes every argument of :class:`CountVectorizer`, plus:

    Args:
        norm: ``"l2"`` (default), ``"l1"`` or None: how each document's row is scaled.
        use_idf: weigh by inverse document frequency (else plain, normalized tf).
        smooth_idf: add one to document frequencies and to the document count.
        sublinear_tf: replace a count ``c`` by ``1 + ln(c)``.

    Attributes (after ``fit``):
        vocabulary_: term -> column.
        idf_: the idf of each column, shape (n_terms,), when ``use_idf``.

    Example:
        >>> X = TfidfVectorizer().fit_transform(["free prize now", "call me now"])
        >>> X.shape
        (2, 5)
    """

    def __init__(
        self,
        *,
        input: str = "content",
        lowercase: bool = True,
        preprocessor: Callable[[str], str] | None = None,
        tokenizer: Callable[[str], list[str]] | None = None,
        analyzer: str | Callable[[str], Iterable[str]] = "word",
        stop_words: str | Iterable[str] | None = None,
        token_pattern: str | None = r"(?u)\b\w\w+\b",
        ngram_range: tuple[int, int] = (1, 1),
        max_df: float | int = 1.0,
        min_df: float | int = 1,
        max_features: int | None = None,
        vocabulary: Iterable[str] | dict[str, int] | None = None,
        binary: bool = False,
        dtype: type = np.float64,
        norm: str | None = "l2",
        use_idf: bool = True,
        smooth_idf: bool = True,
        sublinear_tf: bool = False,
    ) -> None:
        super().__init__(
            input=input,
            lowercase=lowercase,
            preprocessor=preprocessor,
            tokenizer=tokenizer,
            analyzer=analyzer,
            stop_words=stop_words,
            token_pattern=token_pattern,
            ngram_range=ngram_range,
            max_df=max_df,
            min_df=min_df,
            max_features=max_features,
            vocabulary=vocabulary,
            binary=binary,
            dtype=dtype,
        )
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    def _check_tfidf_params(self) -> None:
        _check_norm(self.norm)
        if np.dtype(self.dtype) not in (np.float32, np.float64):
            raise ValueError(f"TfidfVectorizer needs dtype float32 or float64, got {self.dtype}")

    def fit(self, raw_documents: Iterable[str], y: Any = None) -> TfidfVectorizer:
        """Learn the vocabulary and the idf weights; returns ``self``."""
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents: Iterable[str], y: Any = None) -> sp.csr_matrix:
        """Learn vocabulary and idf, and return the TF-IDF matrix, shape (n_docs, n_terms)."""
        self._check_tfidf_params()
        counts = super().fit_transform(raw_documents)
        if self.use_idf:
            self.idf_ = idf(document_frequency(counts), counts.shape[0], smooth=self.smooth_idf)
            self.idf_ = self.idf_.astype(counts.dtype, copy=False)
        elif hasattr(self, "idf_"):
            del self.idf_  # a refit without idf must not keep a stale one
        return weight_counts(counts, self._idf_or_none(), self.sublinear_tf, self.norm)

    def transform(self, raw_documents: Iterable[str]) -> sp.csr_matrix:
        """The TF-IDF matrix of new documents under the learned vocabulary and idf."""
        self._check_tfidf_params()
        if self.use_idf and not hasattr(self, "idf_"):
            raise ValueError("this TfidfVectorizer is not fitted yet; call fit first")
        counts = super().transform(raw_documents)
        return weight_counts(counts, self._idf_or_none(), self.sublinear_tf, self.norm)

    def _idf_or_none(self) -> NDArray[np.floating] | None:
        return self.idf_ if self.use_idf else None
