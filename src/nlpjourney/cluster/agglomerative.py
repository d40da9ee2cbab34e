"""Agglomerative (hierarchical) clustering: merge the two nearest clusters until one is left.

Every row starts as its own cluster. Each step merges the two clusters that are nearest
under the *linkage*, the rule that turns distances between rows into a distance between
clusters:

- ``single``: the nearest pair of rows (long chains form easily);
- ``complete``: the farthest pair (compact clusters of similar diameter);
- ``average``: the mean over all pairs (UPGMA);
- ``ward``: the increase of the summed within-cluster variance the merge causes
  (Euclidean only), the criterion k-means also minimises.

The ``n - 1`` merges form a tree (a *dendrogram*: :func:`plot_dendrogram`); cutting it
where ``n_clusters`` clusters remain, or at a height ``distance_threshold``, gives the
labels.

**How it is computed.** After a merge of ``x`` and ``y`` the distance of the new cluster to
any other ``i`` follows from the old ones by the Lance–Williams formulas (complete:
``max(d_xi, d_yi)``; average: ``(n_x d_xi + n_y d_yi) / (n_x + n_y)``; Ward:
``sqrt(((n_x + n_i) d_xi² + (n_y + n_i) d_yi² - n_i d_xy²) / (n_x + n_y + n_i))``), so
the ``n(n-1)/2`` distances are computed once and updated in place. The four linkages are
*reducible* (a merge never brings the new cluster nearer to a third than its parts were),
which allows the **nearest-neighbour chain**: follow nearest neighbours from any cluster
until two clusters are each other's nearest, merge them, continue from the rest of the
chain; O(n²) time and memory. Single linkage is instead the minimum spanning tree (Prim's
algorithm, O(n²)): its edges, sorted by length, are the merges.

**Numbering, as scikit-learn.** The merges are sorted by height (stably) and node
``n + i`` is the ``i``-th merge; ``children_[i]`` holds its two nodes, smaller id first
(scipy's ``linkage`` convention), except for single linkage on raw Euclidean rows where
scikit-learn's own spanning tree keeps the edge's order (tree side first). To label the
rows, scikit-learn's ``_hc_cut`` keeps a heap of the nodes of the cut: starting from the
root it replaces the highest node by its two children until ``n_clusters`` nodes remain,
and then numbers the clusters **in the heap's array order** (not sorted). We replay that
with :mod:`heapq`, so the labels are scikit-learn's labels, not just the same partition.

Example:
    >>> import numpy as np
    >>> X = np.array([[0.0], [0.4], [5.0], [5.3], [9.0]])
    >>> model = AgglomerativeClustering(n_clusters=2, linkage="average").fit(X)
    >>> model.labels_.tolist(), model.children_.tolist()
    ([1, 1, 0, 0, 0], [[2, 3], [0, 1], [4, 5], [6, 7]])

Reference: scikit-learn's ``AgglomerativeClustering`` (without connectivity), which
calls scipy's ``linkage`` (NN-chain, spanning tree) for the tree. Distances of dense rows
come from ``scipy.spatial.distance.pdist``, as there, so the trees are identical; sparse
rows (TF-IDF, which scikit-learn refuses) use ``‖x‖² + ‖y‖² - 2x·y``.

Simplifications: no connectivity constraints, no early stop of the tree
(``compute_full_tree`` is always true), metrics ``euclidean``, ``cosine`` and
``precomputed`` only.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
import scipy.sparse as sp

from nlpjourney.compiled import compiled
from nlpjourney.ml.base import Estimator, Matrix, check_array

__all__ = ["AgglomerativeClustering", "plot_dendrogram"]

LINKAGES = ("ward", "complete", "average", "single")
METRICS = ("euclidean", "cosine", "precomputed")
# The Lance–Williams rule of each NN-chain linkage, as the kernel's switch reads it.
_RULE = {"complete": 1, "average": 2, "ward": 3}


@compiled
def _at(n, i, j):  # noqa: ANN001, ANN202
    """Position of the pair (i, j), i != j, in a condensed (upper-triangle) distance vector."""
    if i > j:
        i, j = j, i
    return n * i - (i * (i + 1)) // 2 + (j - i - 1)


@compiled
def _nn_chain(distances, n, rule):  # noqa: ANN001, ANN202
    """Merges (x, y, height) by the nearest-neighbour chain, in the order they are found.

    ``distances`` (condensed, overwritten) are updated by the Lance–Williams rule. The
    chain starts at the lowest live cluster, prefers the previous chain element on ties
    (so it never cycles) and otherwise the lowest index: scipy's ``nn_chain`` step for
    step, so equal heights come out in the same order.
    """
    merges = np.empty((n - 1, 3))
    size = np.ones(n, dtype=np.int64)
    chain = np.empty(n, dtype=np.int64)
    length = 0
    for k in range(n - 1):
        if length == 0:
            for i in range(n):
                if size[i] > 0:
                    chain[0] = i
                    break
            length = 1
        while True:
            x = chain[length - 1]
            y = -1
            best = np.inf
            if length > 1:
                y = chain[length - 2]
                best = distances[_at(n, x, y)]
            for i in range(n):
                if size[i] == 0 or i == x:
                    continue
                d = distances[_at(n, x, i)]
                if d < best:
                    best = d
                    y = i
            if length > 1 and y == chain[length - 2]:
                break
            chain[length] = y
            length += 1
        length -= 2
        if x > y:
            x, y = y, x
        nx, ny = size[x], size[y]
        merges[k, 0], merges[k, 1], merges[k, 2] = x, y, best
        size[x] = 0  # x is gone; y now stands for the merged cluster
        size[y] = nx + ny
        for i in range(n):
            ni = size[i]
            if ni == 0 or i == y:
                continue
            d_xi, d_yi = distances[_at(n, i, x)], distances[_at(n, i, y)]
            if rule == 1:
                d = max(d_xi, d_yi)
            elif rule == 2:
                d = (nx * d_xi + ny * d_yi) / (nx + ny)
            else:
                t = 1.0 / (nx + ny + ni)
                d = np.sqrt((nx + ni) * t * d_xi * d_xi + (ny + ni) * t * d_yi * d_yi
                            - ni * t * best * best)  # fmt: skip
            distances[_at(n, i, y)] = d
    return merges


@compiled
def _spanning_tree(distances, n):  # noqa: ANN001, ANN202
    """Prim's minimum spanning tree from row 0 over condensed distances: (tree side, new, length)."""
    edges = np.empty((n - 1, 3))
    nearest = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    x = 0
    for k in range(n - 1):
        done[x] = True
        best, y = np.inf, 0
        for i in range(n):
            if done[i]:
                continue
            d = distances[_at(n, x, i)]
            if nearest[i] > d:
                nearest[i] = d
            if nearest[i] < best:
                best, y = nearest[i], i
        edges[k, 0], edges[k, 1], edges[k, 2] = x, y, best
        x = y
    return edges


@compiled
def _spanning_tree_rows(X):  # noqa: ANN001, ANN202
    """The same tree from raw rows, each Euclidean distance summed in feature order."""
    n, m = X.shape
    edges = np.empty((n - 1, 3))
    nearest = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    x = 0
    for k in range(n - 1):
        done[x] = True
        best, y = np.inf, 0
        for i in range(n):
            if done[i]:
                continue
            total = 0.0
            for f in range(m):
                diff = X[x, f] - X[i, f]
                total += diff * diff
            d = np.sqrt(total)
            if d < nearest[i]:
                nearest[i] = d
            if nearest[i] < best:
                best, y = nearest[i], i
        edges[k, 0], edges[k, 1], edges[k, 2] = x, y, best
        x = y
    return edges


@compiled
def _number(merges, n, ordered):  # noqa: ANN001, ANN202
    """Children (n-1, 2) of merges already sorted by height: node n+i is merge i (union-find).

    ``ordered`` puts the smaller node first (scipy's ``label``); otherwise the pair keeps
    its order (scikit-learn's ``single_linkage_label``).
    """
    parent = np.arange(2 * n - 1)
    children = np.empty((n - 1, 2), dtype=np.int64)
    for i in range(n - 1):
        a, b = int(merges[i, 0]), int(merges[i, 1])
        while parent[a] != a:  # find, halving the path as we go
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if ordered and a > b:
            a, b = b, a
        children[i, 0], children[i, 1] = a, b
        parent[a] = parent[b] = n + i
    return children


def _condensed(X: Matrix, metric: str) -> np.ndarray:
    """The upper-triangle distances between the rows of ``X`` (or of a square distance matrix)."""
    n = X.shape[0]
    if metric == "precomputed":
        if sp.issparse(X):
            X = X.toarray()
        if X.shape[0] != X.shape[1]:
            raise ValueError(f"metric='precomputed' needs a square distance matrix, got shape "
                             f"{X.shape}")  # fmt: skip
        return X[np.triu_indices(n, k=1)]
    if not sp.issparse(X):
        from scipy.spatial.distance import pdist

        return pdist(X, metric=metric)
    gram = (X @ X.T).toarray()
    norms = np.diag(gram).copy()
    upper = np.triu_indices(n, k=1)
    if metric == "euclidean":
        squared = norms[upper[0]] + norms[upper[1]] - 2 * gram[upper]
        return np.sqrt(np.maximum(squared, 0))
    lengths = np.sqrt(norms)
    return np.clip(1 - gram[upper] / (lengths[upper[0]] * lengths[upper[1]]), 0, 2)


def _cut(n_clusters: int, children: np.ndarray, n_leaves: int) -> np.ndarray:
    """Labels of the cut into ``n_clusters``, numbered as scikit-learn's ``_hc_cut``."""
    nodes = [-(int(children[-1].max()) + 1)]  # a max-heap of node ids, as negatives
    for _ in range(n_clusters - 1):
        left, right = children[-nodes[0] - n_leaves]
        heapq.heappush(nodes, -int(left))
        heapq.heappushpop(nodes, -int(right))  # the highest node leaves, its children stay
    labels = np.empty(n_leaves, dtype=np.int64)
    # subtle: clusters are numbered in the heap's list order, which is not sorted order.
    for label, node in enumerate(nodes):
        labels[_leaves(-node, children, n_leaves)] = label
    return labels


def _leaves(node: int, children: np.ndarray, n_leaves: int) -> list[int]:
    """The rows under ``node``."""
    found, todo = [], [node]
    while todo:
        node = todo.pop()
        if node < n_leaves:
            found.append(node)
        else:
            todo.extend(children[node - n_leaves].tolist())
    return found


class AgglomerativeClustering(Estimator):
    """Bottom-up hierarchical clustering, cut into ``n_clusters`` or at a height.

    Args:
        n_clusters: Clusters to return; ``None`` when ``distance_threshold`` is given.
        metric: ``"euclidean"``, ``"cosine"`` (1 - cosine similarity) or
            ``"precomputed"`` (``fit`` then takes an (n, n) distance matrix; only its
            upper triangle is read, as scikit-learn).
        linkage: ``"ward"`` (Euclidean only), ``"complete"``, ``"average"`` or ``"single"``.
        distance_threshold: Cut the tree at this height instead: merges at or above it
            are undone (``n_clusters`` must be ``None``).
        compute_distances: Keep the merge heights in ``distances_`` even when cutting by
            ``n_clusters`` (needed by :func:`plot_dendrogram`).

    Attributes:
        labels_: (n,) the cluster of each row, numbered as scikit-learn numbers them.
        children_: (n - 1, 2) the two nodes merged at each step; node ``i < n`` is row
            ``i`` and node ``n + j`` the cluster made by merge ``j``.
        distances_: (n - 1,) the height of each merge (with ``compute_distances`` or a
            ``distance_threshold``).
        n_leaves_: the number of rows.
        n_clusters_: the number of clusters of the cut.
    """

    def __init__(
        self,
        n_clusters: int | None = 2,
        *,
        metric: Literal["euclidean", "cosine", "precomputed"] = "euclidean",
        linkage: Literal["ward", "complete", "average", "single"] = "ward",
        distance_threshold: float | None = None,
        compute_distances: bool = False,
    ) -> None:
        self.n_clusters = n_clusters
        self.metric = metric
        self.linkage = linkage
        self.distance_threshold = distance_threshold
        self.compute_distances = compute_distances

    def _check(self, n: int) -> None:
        if (self.n_clusters is None) == (self.distance_threshold is None):
            raise ValueError("give exactly one of n_clusters and distance_threshold (and set "
                             "the other to None)")  # fmt: skip
        if self.linkage not in LINKAGES:
            raise ValueError(f"linkage must be one of {', '.join(LINKAGES)}, got {self.linkage!r}")
        if self.metric not in METRICS:
            raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {self.metric!r}")
        if self.linkage == "ward" and self.metric != "euclidean":
            raise ValueError(f"ward linkage works only with metric='euclidean' (it merges by "
                             f"variance), got metric={self.metric!r}; use complete, average "
                             "or single linkage for it")  # fmt: skip
        if self.n_clusters is not None:
            k = self.n_clusters
            if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
                raise ValueError(f"n_clusters must be an int from 1 to the {n} rows, got {k!r}")
        elif not self.distance_threshold >= 0:
            raise ValueError(f"distance_threshold must be >= 0, got {self.distance_threshold!r}")

    def fit(self, X: Any, y: Any = None) -> Self:
        """Build the whole merge tree of the rows of ``X`` and cut it.

        Args:
            X: (n, n_features) rows, dense or sparse, or an (n, n) distance matrix for
                ``metric="precomputed"``.
            y: Ignored.

        Returns:
            ``self``.
        """
        X = check_array(X, sparse=True)
        n = X.shape[0]
        if n < 2:
            raise ValueError(f"agglomerative clustering needs at least 2 rows, got {n}")
        self._check(n)
        if self.linkage == "single" and self.metric == "euclidean" and not sp.issparse(X):
            # scikit-learn's own spanning tree on the rows: edge order kept in children_
            edges, ordered = _spanning_tree_rows(np.ascontiguousarray(X)), False
        else:
            distances = _condensed(X, self.metric)
            if not np.all(np.isfinite(distances)):
                raise ValueError("the distances must all be finite (a zero row has no cosine; "
                                 "drop it or use metric='euclidean')")  # fmt: skip
            if self.linkage == "single":
                edges = _spanning_tree(distances, n)
            else:
                edges = _nn_chain(distances, n, _RULE[self.linkage])
            ordered = True
        merges = edges[np.argsort(edges[:, 2], kind="mergesort")]
        self.children_ = _number(merges, n, ordered)
        self.n_leaves_ = n
        heights = merges[:, 2].copy()
        if self.distance_threshold is not None or self.compute_distances:
            self.distances_ = heights
        if self.distance_threshold is not None:
            self.n_clusters_ = int(np.count_nonzero(heights >= self.distance_threshold)) + 1
        else:
            self.n_clusters_ = int(self.n_clusters)
        self.labels_ = _cut(self.n_clusters_, self.children_, n)
        self.n_features_in_ = X.shape[1]
        return self

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(X).labels_


def _layout(children: np.ndarray, n: int, shown: int) -> tuple[list[int], dict[int, float]]:
    """The nodes drawn as leaves (left to right) and the x position of every drawn node.

    The top ``shown - 1`` merges are nodes ``2n - shown`` to ``2n - 2`` (ids follow the
    heights), so the cut into ``shown`` clusters is every node below ``2n - shown`` whose
    parent is above it; with ``shown == n`` those are the rows themselves.
    """
    first_drawn = 2 * n - shown
    leaves: list[int] = []
    todo = [2 * n - 2]
    while todo:  # depth first, left child first: the leaves' order along the axis
        node = todo.pop()
        if node < first_drawn:
            leaves.append(node)
            continue
        left, right = children[node - n]
        todo.extend([int(right), int(left)])
    x = {leaf: float(i) for i, leaf in enumerate(leaves)}
    for node in range(first_drawn, 2 * n - 1):  # children before parents
        left, right = children[node - n]
        x[node] = (x[int(left)] + x[int(right)]) / 2
    return leaves, x


def plot_dendrogram(
    model: AgglomerativeClustering,
    path: str | Path,
    labels: Sequence[str] | None = None,
    truncate: int = 30,
    title: str | None = None,
) -> Path:
    """Draw the merge tree of a fitted model as a PNG: merge heights up, leaves along x.

    Args:
        model: A fitted :class:`AgglomerativeClustering` that kept its merge heights
            (``compute_distances=True`` or a ``distance_threshold``).
        path: The PNG to write (folders are made).
        labels: A name for each row, shown under its leaf (when the rows are drawn).
        truncate: Draw at most this many leaves: with more rows, the tree is drawn down
            to the cut into ``truncate`` clusters, each leaf labelled with its size.
        title: The picture's title (a default names the linkage and the rows).

    Returns:
        The path written.

    Raises:
        ValueError: The model is not fitted, or kept no merge heights.
    """
    from matplotlib.figure import Figure

    if not hasattr(model, "children_"):
        raise ValueError("the model is not fitted yet; call fit(X) first")
    if not hasattr(model, "distances_"):
        raise ValueError("the model kept no merge heights: fit it with compute_distances=True "
                         "or a distance_threshold to draw its dendrogram")  # fmt: skip
    n = model.n_leaves_
    if labels is not None and len(labels) != n:
        raise ValueError(f"labels has {len(labels)} names for {n} rows")
    if isinstance(truncate, bool) or not isinstance(truncate, (int, np.integer)) or truncate < 2:
        raise ValueError(f"truncate must be an int of at least 2, got {truncate!r}")
    children, heights = model.children_, np.asarray(model.distances_)
    shown = min(int(truncate), n)
    leaves, x = _layout(children, n, shown)
    # drawn leaves sit at 0; a drawn merge at its height
    height = {leaf: 0.0 for leaf in leaves}
    height.update({node: float(heights[node - n]) for node in range(2 * n - shown, 2 * n - 1)})
    figure = Figure(figsize=(max(6.0, 0.28 * len(leaves) + 2), 4.5), dpi=120)
    axes = figure.add_subplot()
    for node in range(2 * n - shown, 2 * n - 1):
        left, right = (int(c) for c in children[node - n])
        axes.plot([x[left], x[left], x[right], x[right]],
                  [height[left], height[node], height[node], height[right]],
                  color="tab:blue", lw=1)  # fmt: skip
    if shown == n:
        names = [str(labels[leaf]) if labels is not None else str(leaf) for leaf in leaves]
    else:
        names = [f"({len(_leaves(leaf, children, n))})" if leaf >= n
                 else (str(labels[leaf]) if labels is not None else str(leaf)) for leaf in leaves]  # fmt: skip
    axes.set_xticks(range(len(leaves)), names, rotation=90, fontsize=7)
    axes.set_xlim(-0.5, len(leaves) - 0.5)
    axes.set_ylim(0, float(heights.max()) * 1.05 if len(heights) and heights.max() > 0 else 1)
    axes.set_ylabel(f"merge height ({model.linkage} linkage, {model.metric})")
    axes.set_xlabel("rows" if shown == n else f"the {shown} clusters below the top merges "
                    "(size in brackets)")  # fmt: skip
    axes.set_title(title or f"dendrogram: {n} rows, {model.linkage} linkage")
    figure.tight_layout()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target)
    return target
