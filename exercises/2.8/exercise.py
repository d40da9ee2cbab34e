"""Exercise 2.8: BM25 term scoring, and nDCG@k.

Two halves of a search engine: scoring a document for a query term, and measuring how
good a ranking is with graded judgements.

1. BM25 scores a document ``d`` for a query by summing, over the query's terms ``t``,
   ``bm25_idf(df_t, N) * bm25_tf(tf_td, |d|, avgdl)``: how rare the term is, times how
   much the document says it. Write both halves for the five BM25 methods of bm25s
   (Kamphuis et al., ECIR 2020): ``"robertson"``, ``"lucene"``, ``"atire"``,
   ``"bm25l"`` and ``"bm25+"``. The lesson builds Lucene's by hand; the formulas of all
   five are in the docstrings below.
2. ``dcg_at_k`` and ``ndcg_at_k``: the discounted cumulative gain of a ranking's top
   ``k`` with graded relevance, and the same divided by the best one possible, as
   trec_eval's ``ndcg_cut_k`` computes it.

Use NumPy and the standard library, but not ``nlpjourney`` (the model answer),
``bm25s``, ``rank_bm25``, ``pytrec_eval`` or ``sklearn``: ``journey check`` refuses a
file that uses them. Then run ``journey check 2.8``: the checks draw fresh corpora,
runs and judgements every run, compare your document scores with bm25s's on random
corpora and on Cranfield, and your nDCG with pytrec_eval's (trec_eval's). Each failing
check gives a hint (``--hint`` shows more).

The lesson ``lessons/2.8-information-retrieval.py`` builds BM25 (Lucene's method) and
nDCG@10 by hand in cells.
"""

from __future__ import annotations

import math  # noqa: F401  (yours to use)
from collections.abc import Mapping, Sequence

import numpy as np


def bm25_idf(df: np.ndarray, n_docs: int, method: str = "lucene") -> np.ndarray:
    """The inverse document frequency of terms found in ``df`` of ``n_docs`` documents.

    With ``N = n_docs`` and natural logarithms, for each ``df``:

    - ``"robertson"``: ``log((N - df + 0.5) / (df + 0.5))``, and 0 where that is
      negative (a term in more than about half the documents);
    - ``"lucene"``: ``log(1 + (N - df + 0.5) / (df + 0.5))``;
    - ``"atire"``: ``log(N / df)``;
    - ``"bm25l"``: ``log((N + 1) / (df + 0.5))``;
    - ``"bm25+"``: ``log((N + 1) / df)``.

    A term in no document (``df == 0``) gets 0 whatever the method: it can never match.

    Args:
        df: document frequencies, integers with ``0 <= df <= n_docs`` (any shape).
        n_docs: the number of documents, at least 1.
        method: one of the five names above.

    Returns:
        float64 array of the shape of ``df``.

    Raises:
        ValueError: an unknown method, ``n_docs < 1``, or a ``df`` below 0 or above
            ``n_docs``.

    Example: ``bm25_idf(np.array([1, 50]), 100)`` is ``[4.2097, 0.6931]`` (rounded).
    """
    raise NotImplementedError("write bm25_idf: one formula per method, 0 where df is 0")


def bm25_tf(
    tf: np.ndarray,
    doc_len: np.ndarray,
    avgdl: float,
    k1: float = 1.5,
    b: float = 0.75,
    method: str = "lucene",
    delta: float = 0.5,
) -> np.ndarray:
    """The term-frequency half of BM25: saturation of repeats, normalisation by length.

    With ``L = 1 - b + b * doc_len / avgdl`` (1 for a document of average length):

    - ``"robertson"`` and ``"lucene"``: ``tf / (tf + k1 * L)``;
    - ``"atire"``: ``tf * (k1 + 1) / (tf + k1 * L)``;
    - ``"bm25l"``: ``(k1 + 1) * (c + delta) / (k1 + c + delta)`` with ``c = tf / L``;
    - ``"bm25+"``: ``tf * (k1 + 1) / (tf + k1 * L) + delta``.

    ``delta`` is used by ``"bm25l"`` and ``"bm25+"`` only. Note that those two give a
    positive value even at ``tf = 0``: bm25s adds it to every document, also those that
    do not contain the term, and so must you when you score documents.

    Args:
        tf: how often the term occurs in each document, ``>= 0``.
        doc_len: each document's length in tokens, ``>= 0``; broadcast with ``tf``
            elementwise (NumPy's rules).
        avgdl: the average document length of the corpus, ``> 0``.
        k1: how fast repeats saturate, ``>= 0``.
        b: how much length counts, ``0 <= b <= 1``.
        method: one of the five names above.
        delta: the floor of ``"bm25l"`` and ``"bm25+"``.

    Returns:
        float64 array of the broadcast shape of ``tf`` and ``doc_len``.

    Raises:
        ValueError: an unknown method, ``k1 < 0``, ``b`` outside ``[0, 1]``, a negative
            ``tf`` or ``doc_len``, or ``avgdl <= 0``.

    Example: ``bm25_tf(np.array([3.0]), np.array([20]), avgdl=20.0)`` is
    ``[0.6667]`` (rounded): ``3 / (3 + 1.5)``.
    """
    raise NotImplementedError("write bm25_tf: the length factor L, then one formula per method")


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first ``k`` gains: ``sum gain_i / log2(i + 1)``.

    Ranks ``i`` count from 1, so the first gain is divided by ``log2(2) = 1``. Fewer
    than ``k`` gains: sum those there are.

    Args:
        gains: the gain of each retrieved document, in rank order (rank 1 first).
        k: how many ranks count, a positive ``int``.

    Returns:
        The DCG as a float; 0.0 for no gains.

    Raises:
        ValueError: ``k`` is not a positive whole number.

    Example: ``dcg_at_k([3, 2, 0, 1], k=2)`` is ``3 / 1 + 2 / log2(3) = 4.2619``.
    """
    raise NotImplementedError("write dcg_at_k: each gain divided by the log of its rank + 1")


def ndcg_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """Normalised DCG of the top ``k`` of one query's ranking, as trec_eval's ``ndcg_cut_k``.

    The gain of a retrieved document is its relevance in ``qrels``: 0 for a document
    missing from ``qrels`` (unjudged) and 0 for a negative judgement. The ideal DCG is
    the DCG@k of all the query's positive relevances sorted from highest to lowest (the
    best ranking possible, whether or not the documents were retrieved).

    Args:
        ranking: the retrieved document ids, best first.
        qrels: document id -> graded relevance for this query (integers, may be negative).
        k: how many ranks count, in the ranking and in the ideal one.

    Returns:
        DCG@k / ideal DCG@k, a float in ``[0, 1]``; 0.0 when no document has a positive
        relevance.

    Raises:
        ValueError: ``k`` is not a positive whole number.

    Example: ``ndcg_at_k(["d3", "d2", "d1"], {"d1": 2, "d3": 1, "d9": 0}, k=3)`` is
    ``(1 + 2 / log2(4)) / (2 + 1 / log2(3)) = 0.7602``.
    """
    raise NotImplementedError("write ndcg_at_k: the ranking's DCG over the ideal ranking's")
