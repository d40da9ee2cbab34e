"""An approximate nearest-neighbour index as a graph: HNSW (hierarchical navigable small
worlds, Malkov & Yashunin, 2018).

Every vector is a node linked to a few of its best neighbours. Nodes also get a random
level (``P(level >= l) = M^-l``), and the links are kept on every level up to a node's
own: a few long hops at the top, many short ones at level 0. A search starts at the one
top node, walks greedily down through the levels to the node best for the query, then
explores level 0 with a beam of the ``ef_search`` best nodes seen so far::

    level 2   e ---------------------> a
    level 1   a -------> b ----> c
    level 0   c -> d -> ... the ef best, of which the k best are returned

A node is inserted by the same search (beam ``ef_construction``) and linked to ``M`` of
what it found (``2 M`` on level 0), chosen by the paper's heuristic: a candidate is kept
only if it is closer to the new node than to every neighbour already kept, so the links
point in different directions; the places left are filled with the best skipped ones.

Example:
    >>> rng = np.random.default_rng(0)
    >>> vectors = rng.normal(size=(300, 8))
    >>> index = HNSWIndex(M=8, ef_construction=64, metric="cosine").add(vectors)
    >>> ids, scores = index.search(vectors[:3], k=1)
    >>> ids.tolist()
    [[0], [1], [2]]

Reference: hnswlib (the same algorithm; recall against exact search is tested in
``tests/retrieval/test_hnsw.py``).

Simplifications: the graph is built in one pass over all vectors: :meth:`HNSWIndex.add`
after a first add rebuilds it over all of them; one thread; no deletions.
"""

from __future__ import annotations

import heapq
from typing import Any, Literal, Self

import numpy as np

from nlpjourney.compiled import compiled
from nlpjourney.errors import JourneyError
from nlpjourney.retrieval.dense import normalize_rows

__all__ = ["HNSWIndex"]


@compiled
def _dot(vectors, row, query):  # noqa: ANN001, ANN202
    total = 0.0
    for j in range(query.shape[0]):
        total += vectors[row, j] * query[j]
    return total


@compiled
def _search_layer(query, entry, ef, links, level, vectors, visited, stamp):  # noqa: ANN001, ANN202
    """The ef best nodes for ``query`` on one level, by a beam search from ``entry``.

    Returns (ids, scores) of up to ef nodes, in no order.
    """
    score = _dot(vectors, entry, query)
    visited[entry] = stamp
    frontier = [(-score, entry)]  # a max-heap of nodes to expand (negated scores)
    best = [(score, entry)]  # a min-heap of the ef best seen
    while len(frontier) > 0:
        negative, node = heapq.heappop(frontier)
        if len(best) >= ef and -negative < best[0][0]:
            break  # the best unexpanded node is worse than the worst kept one
        for other in links[level, node]:
            if other < 0:
                break
            if visited[other] == stamp:
                continue
            visited[other] = stamp
            s = _dot(vectors, other, query)
            if len(best) < ef or s > best[0][0]:
                heapq.heappush(frontier, (-s, other))
                heapq.heappush(best, (s, other))
                if len(best) > ef:
                    heapq.heappop(best)
    ids = np.empty(len(best), dtype=np.int64)
    scores = np.empty(len(best), dtype=np.float64)
    for i in range(len(best)):
        scores[i], ids[i] = best[i]
    return ids, scores


@compiled
def _select(ids, scores, m, vectors):  # noqa: ANN001, ANN202
    """Up to m of the candidates: the diverse ones first (the heuristic), then the best
    of the rest. ``scores`` are the candidates' scores against the node being linked."""
    order = np.argsort(-scores, kind="mergesort")
    chosen = np.empty(m, dtype=np.int64)
    skipped = np.empty(len(ids), dtype=np.int64)
    n_chosen = n_skipped = 0
    for idx in order:
        candidate = ids[idx]
        diverse = True
        for j in range(n_chosen):
            if _dot(vectors, chosen[j], vectors[candidate]) > scores[idx]:
                diverse = False  # closer to a kept neighbour than to the node
                break
        if diverse:
            chosen[n_chosen] = candidate
            n_chosen += 1
            if n_chosen == m:
                return chosen[:n_chosen]
        else:
            skipped[n_skipped] = candidate
            n_skipped += 1
    for j in range(n_skipped):
        if n_chosen == m:
            break
        chosen[n_chosen] = skipped[j]
        n_chosen += 1
    return chosen[:n_chosen]


@compiled
def _link(links, level, node, new, mmax, vectors):  # noqa: ANN001, ANN202
    """Add ``new`` to ``node``'s links on ``level``; when full, choose again among them."""
    row = links[level, node]
    for j in range(mmax):
        if row[j] < 0:
            row[j] = new
            return
    ids = np.empty(mmax + 1, dtype=np.int64)
    scores = np.empty(mmax + 1, dtype=np.float64)
    for j in range(mmax):
        ids[j] = row[j]
    ids[mmax] = new
    for j in range(mmax + 1):
        scores[j] = _dot(vectors, ids[j], vectors[node])
    kept = _select(ids, scores, mmax, vectors)
    row[:] = -1
    row[: len(kept)] = kept


@compiled
def _build(vectors, levels, m, ef_construction, links):  # noqa: ANN001, ANN202
    """Insert every node in order; returns (entry node, top level)."""
    n = vectors.shape[0]
    visited = np.zeros(n, dtype=np.int64)
    stamp = 0
    entry, top = 0, levels[0]
    for i in range(1, n):
        query = vectors[i]
        current = entry
        for level in range(top, levels[i], -1):  # greedy descent above the node's level
            stamp += 1
            ids, scores = _search_layer(query, current, 1, links, level, vectors, visited, stamp)
            current = ids[np.argmax(scores)]
        for level in range(min(top, levels[i]), -1, -1):
            stamp += 1
            ids, scores = _search_layer(
                query, current, ef_construction, links, level, vectors, visited, stamp
            )
            mmax = 2 * m if level == 0 else m
            chosen = _select(ids, scores, m, vectors)
            links[level, i, : len(chosen)] = chosen
            for other in chosen:
                _link(links, level, other, i, mmax, vectors)
            current = ids[np.argmax(scores)]
        if levels[i] > top:
            entry, top = i, levels[i]
    return entry, top


@compiled
def _search(queries, k, ef, links, vectors, entry, top, out_ids, out_scores):  # noqa: ANN001, ANN202
    visited = np.zeros(vectors.shape[0], dtype=np.int64)
    stamp = 0
    for q in range(queries.shape[0]):
        query = queries[q]
        current = entry
        for level in range(top, 0, -1):
            stamp += 1
            ids, scores = _search_layer(query, current, 1, links, level, vectors, visited, stamp)
            current = ids[np.argmax(scores)]
        stamp += 1
        ids, scores = _search_layer(query, current, max(ef, k), links, 0, vectors, visited, stamp)
        by_id = np.argsort(ids)
        ids, scores = ids[by_id], scores[by_id]
        order = np.argsort(-scores, kind="mergesort")  # stable: equal scores, lower id
        for j in range(min(k, len(order))):
            out_ids[q, j] = ids[order[j]]
            out_scores[q, j] = scores[order[j]]


class HNSWIndex:
    """A graph index for approximate inner-product search (HNSW).

    Args:
        M: links per node and level (``2 M`` on level 0): more is slower to build and
            search, and finds more.
        ef_construction: beam width while inserting (more: a better graph, slower build).
        ef_search: beam width while searching (at least k is used): the recall knob.
        metric: ``"ip"`` or ``"cosine"`` (vectors and queries normalised).
        seed: the seed of the node levels; the same seed and vectors give the same graph.

    Attributes:
        links_: (levels, n, 2 M) int64 neighbour lists, -1 where a list ends.
        entry_: the top node, where every search starts.
    """

    def __init__(
        self,
        M: int = 16,  # noqa: N803 - the paper's and hnswlib's name
        ef_construction: int = 200,
        ef_search: int = 50,
        metric: Literal["ip", "cosine"] = "ip",
        seed: int = 0,
    ) -> None:
        for name, value in (("M", M), ("ef_construction", ef_construction),
                            ("ef_search", ef_search)):  # fmt: skip
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if M < 2:
            raise ValueError(f"M must be at least 2, got {M}")
        if metric not in ("ip", "cosine"):
            raise ValueError(f"metric must be 'ip' or 'cosine', got {metric!r}")
        self.M, self.ef_construction, self.ef_search = int(M), int(ef_construction), int(ef_search)
        self.metric, self.seed = metric, seed

    def get_params(self) -> dict[str, Any]:
        """The constructor's arguments (what a saved retriever records)."""
        return {"M": self.M, "ef_construction": self.ef_construction,
                "ef_search": self.ef_search, "metric": self.metric, "seed": self.seed}  # fmt: skip

    def _prepare(self, values: Any, name: str) -> np.ndarray:
        array = np.asarray(values)
        if array.ndim != 2:
            raise ValueError(f"{name} must be a 2-D array (rows, dim), got shape {array.shape}")
        array = np.ascontiguousarray(array, dtype=np.float64 if array.dtype != np.float32 else None)
        if hasattr(self, "vectors_") and array.shape[1] != self.vectors_.shape[1]:
            raise ValueError(
                f"{name} have {array.shape[1]} dimensions but the index holds "
                f"{self.vectors_.shape[1]}; use vectors from the same encoder"
            )
        return normalize_rows(array) if self.metric == "cosine" else array

    def train(self, vectors: Any) -> Self:
        """Nothing to learn before adding (here for the approximate-index contract)."""
        return self

    def add(self, vectors: Any) -> Self:
        """Add ``vectors`` (m, d) and build the graph over everything added so far."""
        vectors = self._prepare(vectors, "vectors")
        if not np.isfinite(vectors).all():
            raise ValueError("the vectors hold NaN or infinite values")
        if hasattr(self, "vectors_"):
            vectors = np.concatenate([self.vectors_, vectors.astype(self.vectors_.dtype)])
        if len(vectors) == 0:
            raise ValueError("there are no vectors to add")
        rng = np.random.default_rng(self.seed)
        levels = np.floor(-np.log(1.0 - rng.random(len(vectors))) / np.log(self.M))
        levels = levels.astype(np.int64)
        links = np.full((levels.max() + 1, len(vectors), 2 * self.M), -1, dtype=np.int64)
        entry, _ = _build(vectors, levels, self.M, self.ef_construction, links)
        self.vectors_, self.links_, self.entry_ = vectors, links, int(entry)
        return self

    @property
    def ntotal(self) -> int:
        """How many vectors the index holds."""
        return len(self.vectors_) if hasattr(self, "vectors_") else 0

    def search(self, queries: Any, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The (approximately) k best vectors for each query.

        Returns:
            ids (Q, k) int64 and scores (Q, k), best first; a row whose search found
            fewer than k ends in id -1, score -inf.

        Raises:
            JourneyError: nothing was added yet.
            ValueError: a dimension mismatch, or k larger than the number of vectors.
        """
        if self.ntotal == 0:
            raise JourneyError("the index holds no vectors; call add(vectors) before search")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        if k > self.ntotal:
            raise ValueError(f"k={k} is more than the {self.ntotal} vectors the index holds")
        queries = self._prepare(queries, "queries").astype(self.vectors_.dtype)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        scores = np.full((len(queries), k), -np.inf)
        top = self.links_.shape[0] - 1
        _search(
            queries, k, self.ef_search, self.links_, self.vectors_, self.entry_, top, ids, scores
        )
        return ids, scores
