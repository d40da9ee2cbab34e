"""An approximate nearest-neighbour index: IVF (an inverted file of vector lists).

Exact search scores every vector. IVF scores only a few *lists*:

1. **train**: k-means (:class:`nlpjourney.ml.KMeans`) puts ``n_lists`` coarse centres
   among the corpus vectors;
2. **add**: each vector goes to the list of its nearest centre; the vectors are stored
   list after list, one contiguous block per list (ids ascending inside a list);
3. **search**: a query ranks the centres by inner product, opens the ``n_probe`` best
   lists and scores their vectors exactly. Queries are grouped by list, so each opened
   list costs one matrix product (BLAS) with all the queries that probe it::

       queries (Q, d) -> centre scores (Q, n_lists) -> n_probe lists per query
       for each list: its queries (q, d) @ its vectors (m, d)^T -> k best per query
       -> the k best of each query's n_probe * k candidates

Work per query falls from n to about ``n * n_probe / n_lists`` vectors; the price is
recall: a true neighbour in an unopened list is missed. With ``n_probe == n_lists``
every list is opened and the result is exact (:func:`~nlpjourney.retrieval.dense.exact_search`'s).

Example:
    >>> rng = np.random.default_rng(0)
    >>> vectors = rng.normal(size=(200, 8))
    >>> index = IVFIndex(n_lists=4, n_probe=4, metric="cosine").train(vectors).add(vectors)
    >>> ids, scores = index.search(vectors[:2], k=1)
    >>> ids.tolist()
    [[0], [1]]

Reference: FAISS's ``IndexIVFFlat`` (the same scheme; recall against exact search is
tested in ``tests/retrieval/test_ann.py``).

Simplifications: flat (uncompressed) lists, no product quantisation; a centre's list is
chosen by Euclidean distance (k-means' own), lists are opened by inner product.
"""

from __future__ import annotations

from typing import Any, Literal, Self

import numpy as np

from nlpjourney.errors import JourneyError
from nlpjourney.ml import KMeans
from nlpjourney.retrieval._topk import merge_top_k, top_k_rows
from nlpjourney.retrieval.dense import normalize_rows

__all__ = ["IVFIndex"]


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


class IVFIndex:
    """An inverted-file index over vectors: k-means lists, a few of them searched.

    Args:
        n_lists: how many coarse centres (lists); about sqrt(n) is usual.
        n_probe: how many lists each query opens (1 .. n_lists): more is slower and
            closer to exact.
        metric: ``"ip"`` (inner product) or ``"cosine"`` (vectors and queries normalised).
        seed: the seed of k-means and of the training sample; the same seed and vectors
            give the same index.
        max_iter: at most this many k-means iterations.
        train_per_list: k-means trains on at most ``train_per_list * n_lists`` vectors,
            a random sample (FAISS's rule, 256): the centres need only a sample, and a
            large corpus would make training the slowest step.

    Attributes:
        centres_: (n_lists, d) the coarse centres, after :meth:`train`.
        list_offsets_: (n_lists + 1,) where each list starts in the stored order.
        list_ids_: (n,) the corpus ids, list after list.
    """

    def __init__(
        self,
        n_lists: int = 100,
        n_probe: int = 8,
        metric: Literal["ip", "cosine"] = "ip",
        seed: int = 0,
        max_iter: int = 25,
        train_per_list: int = 256,
    ) -> None:
        self.n_lists = _positive_int(n_lists, "n_lists")
        self.n_probe = _positive_int(n_probe, "n_probe")
        if metric not in ("ip", "cosine"):
            raise ValueError(f"metric must be 'ip' or 'cosine', got {metric!r}")
        self.metric = metric
        self.seed = seed
        self.max_iter = _positive_int(max_iter, "max_iter")
        self.train_per_list = _positive_int(train_per_list, "train_per_list")

    def get_params(self) -> dict[str, Any]:
        """The constructor's arguments (what a saved retriever records)."""
        return {"n_lists": self.n_lists, "n_probe": self.n_probe, "metric": self.metric,
                "seed": self.seed, "max_iter": self.max_iter,
                "train_per_list": self.train_per_list}  # fmt: skip

    def _prepare(self, values: Any, name: str) -> np.ndarray:
        array = np.asarray(values)
        if array.ndim != 2:
            raise ValueError(f"{name} must be a 2-D array (rows, dim), got shape {array.shape}")
        if not np.issubdtype(array.dtype, np.floating):
            array = array.astype(np.float64)
        if hasattr(self, "centres_") and array.shape[1] != self.centres_.shape[1]:
            raise ValueError(
                f"{name} have {array.shape[1]} dimensions but the index was trained on "
                f"{self.centres_.shape[1]}; use vectors from the same encoder"
            )
        return normalize_rows(array) if self.metric == "cosine" else array

    def train(self, vectors: Any) -> Self:
        """Find the coarse centres by k-means on ``vectors`` (n, d); empties the lists."""
        for name in ("centres_", "list_offsets_", "list_ids_", "_stored"):
            self.__dict__.pop(name, None)
        vectors = self._prepare(vectors, "vectors")
        if len(vectors) < self.n_lists:
            raise ValueError(
                f"training needs at least n_lists={self.n_lists} vectors, got {len(vectors)}; "
                "lower n_lists"
            )
        sample = vectors
        if len(vectors) > self.train_per_list * self.n_lists:
            rng = np.random.default_rng(self.seed)
            rows = rng.choice(len(vectors), self.train_per_list * self.n_lists, replace=False)
            sample = vectors[np.sort(rows)]
        kmeans = KMeans(self.n_lists, n_init=1, max_iter=self.max_iter, random_state=self.seed)
        self.centres_ = kmeans.fit(sample).cluster_centers_.astype(vectors.dtype)
        self._half_norms = 0.5 * np.einsum("ij,ij->i", self.centres_, self.centres_)
        self.list_offsets_ = np.zeros(self.n_lists + 1, dtype=np.int64)
        self.list_ids_ = np.empty(0, dtype=np.int64)
        self._stored = np.empty((0, vectors.shape[1]), dtype=vectors.dtype)
        return self

    def _nearest_list(self, vectors: np.ndarray) -> np.ndarray:
        """Each vector's list: the centre at the least Euclidean distance."""
        lists = np.empty(len(vectors), dtype=np.int64)
        step = max(1, (1 << 20) // self.n_lists)
        for start in range(0, len(vectors), step):
            # argmin |x - c|^2 = argmax x.c - |c|^2 / 2
            gain = vectors[start : start + step] @ self.centres_.T - self._half_norms
            lists[start : start + step] = gain.argmax(axis=1)
        return lists

    def add(self, vectors: Any) -> Self:
        """Put ``vectors`` (m, d) into their lists; their ids continue from those added before."""
        if not hasattr(self, "centres_"):
            raise JourneyError("the index is not trained; call train(vectors) before add")
        vectors = self._prepare(vectors, "vectors")
        if not np.isfinite(vectors).all():
            raise ValueError("the vectors hold NaN or infinite values")
        first = len(self.list_ids_)
        lists = np.concatenate([np.repeat(np.arange(self.n_lists), np.diff(self.list_offsets_)),
                                self._nearest_list(vectors)])  # fmt: skip
        ids = np.concatenate([self.list_ids_, first + np.arange(len(vectors), dtype=np.int64)])
        stored = np.concatenate([self._stored, vectors.astype(self._stored.dtype)])
        # A stable sort by list keeps ids ascending inside each list (ties: lower id).
        order = np.lexsort((ids, lists))
        self.list_ids_, self._stored = ids[order], stored[order]
        self.list_offsets_ = np.concatenate(
            [[0], np.cumsum(np.bincount(lists, minlength=self.n_lists))]
        )
        return self

    @property
    def ntotal(self) -> int:
        """How many vectors the index holds."""
        return len(self.list_ids_) if hasattr(self, "list_ids_") else 0

    def search(self, queries: Any, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The (approximately) k best vectors for each query.

        Args:
            queries: (Q, d) query vectors.
            k: how many per query, at most the number of vectors held.

        Returns:
            ids (Q, k) int64 and scores (Q, k), best first, ties lower id first. Where the
            opened lists hold fewer than k vectors, the row ends in id -1, score -inf
            (as FAISS).

        Raises:
            JourneyError: the index is not trained or holds no vectors.
            ValueError: a dimension mismatch, or k larger than the number of vectors.
        """
        if not hasattr(self, "centres_"):
            raise JourneyError("the index is not trained; call train(vectors) and add(vectors)")
        if self.ntotal == 0:
            raise JourneyError("the index holds no vectors; call add(vectors) before search")
        k = _positive_int(k, "k")
        if k > self.ntotal:
            raise ValueError(f"k={k} is more than the {self.ntotal} vectors the index holds")
        queries = self._prepare(queries, "queries")
        n_probe = min(self.n_probe, self.n_lists)
        n_queries = len(queries)
        probes, _ = top_k_rows(queries @ self.centres_.T, n_probe)  # (Q, n_probe)
        dtype = np.result_type(queries.dtype, self._stored.dtype)
        cand_ids = np.full((n_queries, n_probe, k), -1, dtype=np.int64)
        cand = np.full((n_queries, n_probe, k), -np.inf, dtype=dtype)
        # Group the (query, probe slot) pairs by list: one matrix product per opened list.
        flat_lists = probes.ravel()
        order = np.argsort(flat_lists, kind="stable")
        bounds = np.searchsorted(flat_lists[order], np.arange(self.n_lists + 1))
        for lst in np.flatnonzero(np.diff(bounds)):
            lo, hi = self.list_offsets_[lst], self.list_offsets_[lst + 1]
            if lo == hi:
                continue
            pairs = order[bounds[lst] : bounds[lst + 1]]
            rows, slots = pairs // n_probe, pairs % n_probe
            cols, vals = top_k_rows(queries[rows] @ self._stored[lo:hi].T, k)
            m = cols.shape[1]
            cand_ids[rows, slots, :m] = self.list_ids_[lo + cols]
            cand[rows, slots, :m] = vals
        return merge_top_k(cand_ids.reshape(n_queries, -1), cand.reshape(n_queries, -1), k)
