"""The compiled inner loops of :mod:`nlpjourney.retrieval`.

Private to :mod:`nlpjourney.retrieval.index` and :mod:`nlpjourney.retrieval.bm25`:

- :func:`group_by_term` is a counting sort of the corpus's token stream by term id, the
  one pass that turns documents into postings (its plain-NumPy twin is a stable
  ``argsort``; ``tests/retrieval/test_index.py`` holds the two equal);
- :func:`search_postings` scores a batch of weighted queries against per-posting scores
  and keeps each query's best ``k`` documents in a heap: no full sort, no Python loop per
  posting. :func:`top_k` is the heap on its own (its twin: a stable ``argsort`` of
  ``-scores``).

Ties: a document beats another of equal score when its id is lower, everywhere here.

subtle: no ``fastmath``. BM25 scores are summed in float32 in query-term order, the
order bm25s sums them, so both give the same float32 totals.
"""

from __future__ import annotations

import numpy as np

from nlpjourney.compiled import compiled


@compiled
def group_by_term(term_ids, n_terms):
    """The permutation that orders a token stream by term, keeping stream order within a term.

    A counting sort, linear in the number of tokens. ``term_ids`` (T,) int32 -> (order (T,)
    int64, term_ptr (n_terms + 1,) int64): the tokens of term ``t`` are
    ``order[term_ptr[t]:term_ptr[t + 1]]``.
    """
    counts = np.zeros(n_terms + 1, dtype=np.int64)
    for t in term_ids:
        counts[t + 1] += 1
    term_ptr = np.cumsum(counts)
    heads = term_ptr[:-1].copy()
    order = np.empty(len(term_ids), dtype=np.int64)
    for i in range(len(term_ids)):
        t = term_ids[i]
        order[heads[t]] = i
        heads[t] += 1
    return order, term_ptr


@compiled
def _worse(score_a, id_a, score_b, id_b):
    """Whether (score_a, id_a) ranks below (score_b, id_b): lower score, or equal and higher id."""
    return score_a < score_b or (score_a == score_b and id_a > id_b)


@compiled
def _sift_down(heap_scores, heap_ids, pos, length):
    """Restore the min-heap (worst result at the root) below ``pos``."""
    score = heap_scores[pos]
    doc = heap_ids[pos]
    while True:
        child = 2 * pos + 1
        if child >= length:
            break
        right = child + 1
        if right < length and _worse(
            heap_scores[right], heap_ids[right], heap_scores[child], heap_ids[child]
        ):
            child = right
        if not _worse(heap_scores[child], heap_ids[child], score, doc):
            break
        heap_scores[pos] = heap_scores[child]
        heap_ids[pos] = heap_ids[child]
        pos = child
    heap_scores[pos] = score
    heap_ids[pos] = doc


@compiled
def _drain(heap_scores, heap_ids, length, out_ids, out_scores):
    """Pop the worst to the back, ``length`` times: the outputs end best first."""
    for size in range(length, 0, -1):
        out_scores[size - 1] = heap_scores[0]
        out_ids[size - 1] = heap_ids[0]
        heap_scores[0] = heap_scores[size - 1]
        heap_ids[0] = heap_ids[size - 1]
        _sift_down(heap_scores, heap_ids, 0, size - 1)


@compiled
def top_k(scores, shift, k, out_ids, out_scores):
    """Write the ``k`` best of ``scores + shift`` into ``out_ids``/``out_scores``, best first.

    A heap of the ``k`` best seen so far, worst at the root. Documents are visited in id
    order, so one that only ties the root has a higher id and is rightly turned away by
    the strict ``>``. O(n + k log k) for n scores when few beat the root, as for real
    score vectors: one comparison per document, no sort.
    """
    heap_scores = np.empty(k, dtype=scores.dtype)
    heap_ids = np.empty(k, dtype=np.int64)
    for i in range(k):
        heap_scores[i] = scores[i] + shift
        heap_ids[i] = i
    for i in range(k // 2 - 1, -1, -1):
        _sift_down(heap_scores, heap_ids, i, k)
    for i in range(k, len(scores)):
        score = scores[i] + shift
        if score > heap_scores[0]:
            heap_scores[0] = score
            heap_ids[0] = i
            _sift_down(heap_scores, heap_ids, 0, k)
    _drain(heap_scores, heap_ids, k, out_ids, out_scores)


@compiled
def search_postings(
    query_ptr, query_terms, query_weights, term_ptr, doc_ids, posting_scores, shifts, n_docs, k
):
    """Score and rank a batch of weighted queries over term-major postings.

    Query ``q`` is ``query_terms[query_ptr[q]:query_ptr[q + 1]]`` (term ids) with
    ``query_weights`` alike. Its score for a document is ``sum_t w_t * posting_scores`` over
    the postings of its terms, plus ``sum_t w_t * shifts[t]`` for every document (the
    score BM25L and BM25+ give a document without the term; zeros otherwise).

    One dense float32 score vector is reused by every query: clearing and scanning it is
    a sequential pass, cheaper than tracking which documents a query touched.
    All scores are float32 (``posting_scores``, ``query_weights`` and ``shifts`` too).

    Returns:
        ids (Q, k) int64 and scores (Q, k) float32, best first.
    """
    n_queries = len(query_ptr) - 1
    out_ids = np.empty((n_queries, k), dtype=np.int64)
    out_scores = np.empty((n_queries, k), dtype=np.float32)
    scores = np.zeros(n_docs, dtype=np.float32)
    for q in range(n_queries):
        if q > 0:
            scores[:] = 0
        shift = np.float32(0.0)
        for j in range(query_ptr[q], query_ptr[q + 1]):
            term = query_terms[j]
            weight = query_weights[j]
            shift += weight * shifts[term]
            if weight == 1:  # the common case: no multiply per posting, as bm25s adds
                for p in range(term_ptr[term], term_ptr[term + 1]):
                    scores[doc_ids[p]] += posting_scores[p]
            else:
                for p in range(term_ptr[term], term_ptr[term + 1]):
                    scores[doc_ids[p]] += weight * posting_scores[p]
        top_k(scores, shift, k, out_ids[q], out_scores[q])
    return out_ids, out_scores
