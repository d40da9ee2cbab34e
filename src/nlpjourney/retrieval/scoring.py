"""The two halves of a BM25 term score: how rare the term is, how often the document says it.

For a term ``t`` with document frequency ``df`` in a corpus of ``N`` documents, and a
document ``d`` of length ``|d|`` (tokens) that contains ``t`` ``tf`` times, every BM25
variant scores the pair as a product::

    score(t, d) = bm25_idf(df, N) * bm25_tf(tf, |d|, avgdl)

and a query's score for ``d`` is the sum of its terms' scores. With ``L = 1 - b + b * |d| / avgdl``
(the length normalisation: ``b = 0`` ignores length, ``b = 1`` divides by it fully), the five
methods are those of Kamphuis et al. (ECIR 2020), as bm25s implements them:

- ``robertson``: idf ``log((N - df + .5) / (df + .5))`` clipped at 0; tf part ``tf / (tf + k1 * L)``
- ``lucene``: idf ``log(1 + (N - df + .5) / (df + .5))``; tf part ``tf / (tf + k1 * L)``
- ``atire``: idf ``log(N / df)``; tf part ``tf * (k1 + 1) / (tf + k1 * L)``
- ``bm25l``: idf ``log((N + 1) / (df + .5))``; tf part ``(k1 + 1) * (c + delta) / (k1 + c + delta)``
  with ``c = tf / L``
- ``bm25+``: idf ``log((N + 1) / df)``; tf part ``tf * (k1 + 1) / (tf + k1 * L) + delta``

``k1`` sets how fast repeats saturate (``tf / (tf + k1)`` is half way at ``tf = k1``).
``delta`` only matters for ``bm25l`` and ``bm25+``: it is a floor that a document earns
for containing the term at all, so a long document is not pushed below a short one that
lacks the term. bm25s's default is ``delta = 0.5`` for both, and so is ours. Because of
it those two methods give a nonzero tf part even at ``tf = 0``: a document *without* the
term still scores ``idf * bm25_tf(0, ...)`` for it (see :class:`nlpjourney.retrieval.BM25`).

Example:
    >>> import numpy as np
    >>> idf = bm25_idf(np.array([1, 50]), n_docs=100)
    >>> np.round(idf, 3)
    array([4.21 , 0.693])
    >>> np.round(idf[0] * bm25_tf(np.array([3.0]), np.array([20]), avgdl=20.0), 3)
    array([2.806])

Reference: ``bm25s.scoring`` (``_score_idf_*`` and ``_score_tfc_*``), the same formulas.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BM25_METHODS", "bm25_idf", "bm25_tf"]

BM25_METHODS = ("robertson", "lucene", "atire", "bm25l", "bm25+")


def check_method(method: str) -> str:
    """``method`` if it is a BM25 method, else a ValueError naming the choices."""
    if method not in BM25_METHODS:
        raise ValueError(f"unknown BM25 method {method!r}: choose one of {', '.join(BM25_METHODS)}")
    return method


def check_k1_b(k1: float, b: float) -> None:
    """A ValueError unless ``k1 >= 0`` and ``0 <= b <= 1``."""
    if not k1 >= 0:
        raise ValueError(f"k1 must be >= 0 (how fast repeated terms saturate), got {k1}")
    if not 0 <= b <= 1:
        raise ValueError(f"b must be between 0 and 1 (how much document length counts), got {b}")


def bm25_idf(df: np.ndarray, n_docs: int, method: str = "lucene") -> np.ndarray:
    """The inverse document frequency of terms found in ``df`` of ``n_docs`` documents.

    Args:
        df: document frequencies, integers ``0 <= df <= n_docs``.
        n_docs: the number of documents in the corpus, at least 1.
        method: ``"robertson"``, ``"lucene"``, ``"atire"``, ``"bm25l"`` or ``"bm25+"``
            (formulas in the module docstring).

    Returns:
        float64 idf values, the shape of ``df``. A term in no document (``df = 0``) gets 0,
        as in bm25s, where it can never match; ``"robertson"`` clips a negative idf (a term
        in more than half the documents) to 0, as bm25s does.

    Raises:
        ValueError: an unknown method, ``n_docs < 1``, a negative ``df`` or ``df > n_docs``.
    """
    check_method(method)
    df = np.asarray(df, dtype=np.float64)
    if n_docs < 1:
        raise ValueError(f"n_docs must be at least 1, got {n_docs}")
    if df.size and (df.min() < 0 or df.max() > n_docs):
        raise ValueError(
            f"document frequencies must lie in [0, n_docs={n_docs}], got values from "
            f"{df.min():g} to {df.max():g}"
        )
    n = float(n_docs)
    present = df > 0
    safe = np.where(present, df, 1.0)  # keeps log(N / 0) out of the arithmetic
    if method == "robertson":
        idf = np.log(np.maximum((n - safe + 0.5) / (safe + 0.5), 1.0))
    elif method == "lucene":
        idf = np.log1p((n - safe + 0.5) / (safe + 0.5))
    elif method == "atire":
        idf = np.log(n / safe)
    elif method == "bm25l":
        idf = np.log((n + 1.0) / (safe + 0.5))
    else:  # bm25+
        idf = np.log((n + 1.0) / safe)
    return np.where(present, idf, 0.0)


def bm25_tf(
    tf: np.ndarray,
    doc_len: np.ndarray,
    avgdl: float,
    k1: float = 1.5,
    b: float = 0.75,
    method: str = "lucene",
    delta: float = 0.5,
) -> np.ndarray:
    """The term-frequency part of BM25: saturation of repeats and length normalisation.

    Args:
        tf: how often the term occurs in each document (``>= 0``).
        doc_len: the documents' lengths in tokens; broadcast elementwise with ``tf``.
        avgdl: the average document length of the corpus (``> 0``).
        k1: saturation, ``>= 0``.
        b: length normalisation, in ``[0, 1]``.
        method: one of the five BM25 methods (formulas in the module docstring).
        delta: the floor of ``"bm25l"`` and ``"bm25+"`` (bm25s's default 0.5 for both);
            ignored by the other methods.

    Returns:
        float64 values, the broadcast shape of ``tf`` and ``doc_len``.

    Raises:
        ValueError: an unknown method, ``k1 < 0``, ``b`` outside ``[0, 1]``, a negative
            ``tf`` or ``doc_len``, or ``avgdl <= 0``.
    """
    check_method(method)
    check_k1_b(k1, b)
    tf = np.asarray(tf, dtype=np.float64)
    doc_len = np.asarray(doc_len, dtype=np.float64)
    if tf.size and tf.min() < 0:
        raise ValueError(f"term frequencies must be >= 0, got {tf.min():g}")
    if doc_len.size and doc_len.min() < 0:
        raise ValueError(f"document lengths must be >= 0, got {doc_len.min():g}")
    if not avgdl > 0:
        raise ValueError(f"avgdl (the average document length) must be > 0, got {avgdl}")
    norm = 1.0 - b + b * doc_len / avgdl  # L: 1 for a document of average length
    if method in ("robertson", "lucene"):
        return tf / (tf + k1 * norm)
    if method == "atire":
        return tf * (k1 + 1.0) / (tf + k1 * norm)
    if method == "bm25l":
        c = tf / norm
        return (k1 + 1.0) * (c + delta) / (k1 + c + delta)
    return tf * (k1 + 1.0) / (tf + k1 * norm) + delta  # bm25+
