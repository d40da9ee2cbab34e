"""Scores of a clustering: against known labels (purity, NMI, ARI) and by itself (silhouette).

A clustering names its groups arbitrarily (cluster 3 of one run is cluster 0 of the next),
so every score here looks only at *which rows share a group*, never at the names.

- :func:`contingency_matrix`: how many rows of each class fall in each cluster, the
  table every label-based score is computed from;
- :func:`purity`: the share of rows that belong to their cluster's majority class (easy to
  read, but one cluster per row scores a perfect 1.0);
- :func:`normalized_mutual_info`: how much knowing the cluster tells about the class, in
  bits shared over the two labelings' entropies (0: nothing, 1: the same partition);
- :func:`adjusted_rand_index`: agreement over all pairs of rows (same group in both, or
  different in both), rescaled so that a random labeling scores about 0;
- :func:`silhouette_samples` and :func:`silhouette_score`: for each row, how much nearer
  it is to its own cluster than to the next one, without any labels (lesson 2.2 chooses
  ``k`` with it).

Example:
    >>> truth, found = ["a", "a", "b", "b"], [1, 1, 0, 0]
    >>> purity(truth, found), normalized_mutual_info(truth, found), adjusted_rand_index(truth, found)
    (1.0, 1.0, 1.0)

Reference: ``sklearn.metrics``: ``contingency_matrix``, ``normalized_mutual_info_score``,
``adjusted_rand_score``, ``silhouette_samples`` and ``silhouette_score``, equal to 1e-10,
with the same values in the degenerate cases (one cluster, one row per cluster).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from nlpjourney.ml.base import Matrix, check_array

__all__ = [
    "adjusted_rand_index",
    "contingency_matrix",
    "normalized_mutual_info",
    "purity",
    "silhouette_samples",
    "silhouette_score",
]

_AVERAGES = ("min", "geometric", "arithmetic", "max")


def _encode(labels: Any, name: str) -> tuple[np.ndarray, int]:
    """Labels as codes 0..m-1 in sorted order of the values, and m."""
    values = np.asarray(labels)
    if values.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of labels, got shape {values.shape}")
    _, codes = np.unique(values, return_inverse=True)
    return codes.ravel(), int(codes.max()) + 1 if len(codes) else 0


def _pair(labels_true: Any, labels_pred: Any) -> tuple[np.ndarray, int, np.ndarray, int]:
    true, n_classes = _encode(labels_true, "labels_true")
    pred, n_clusters = _encode(labels_pred, "labels_pred")
    if len(true) != len(pred):
        raise ValueError(f"labels_true and labels_pred must have the same length, got "
                         f"{len(true)} and {len(pred)}")  # fmt: skip
    return true, n_classes, pred, n_clusters


def contingency_matrix(labels_true: Any, labels_pred: Any) -> np.ndarray:
    """Counts of rows by class (rows, sorted) and cluster (columns, sorted).

    Args:
        labels_true: The known class of each row (any sortable values).
        labels_pred: The cluster of each row.

    Returns:
        int64 array of shape (n_classes, n_clusters).

    >>> contingency_matrix(["x", "x", "y"], [0, 1, 1]).tolist()
    [[1, 1], [0, 1]]
    """
    true, n_classes, pred, n_clusters = _pair(labels_true, labels_pred)
    table = np.zeros((n_classes, n_clusters), dtype=np.int64)
    np.add.at(table, (true, pred), 1)
    return table


def purity(labels_true: Any, labels_pred: Any) -> float:
    """The share of rows whose class is the most common class of their cluster.

    >>> purity([0, 0, 1, 1, 1], [0, 0, 0, 1, 1])
    0.8
    """
    table = contingency_matrix(labels_true, labels_pred)
    if table.size == 0:
        raise ValueError("purity needs at least one labelled row")
    return float(table.max(axis=0).sum() / table.sum())


def _entropy(counts: np.ndarray) -> float:
    """Natural-log entropy of a distribution given by counts (0 for one group)."""
    counts = counts[counts > 0].astype(np.float64)
    if len(counts) <= 1:
        return 0.0
    total = counts.sum()
    # -Σ p log p written as -Σ (c/N)(log c - log N): fewer rounding steps than log(c/N)
    return float(-np.sum((counts / total) * (np.log(counts) - np.log(total))))


def _mutual_info(table: np.ndarray) -> float:
    rows, cols = np.nonzero(table)
    if table.shape[0] == 1 or table.shape[1] == 1:
        return 0.0
    joint = table[rows, cols].astype(np.float64)
    n = float(table.sum())
    row_sums, col_sums = table.sum(axis=1), table.sum(axis=0)
    # log( n_ij N / (a_i b_j) ), the ratio of the joint to the product of the marginals
    outer = row_sums[rows].astype(np.float64) * col_sums[cols].astype(np.float64)
    share = joint / n
    terms = share * (np.log(joint) - np.log(n)) + share * (-np.log(outer) + np.log(n) + np.log(n))
    terms = np.where(np.abs(terms) < np.finfo(np.float64).eps, 0.0, terms)
    return float(max(terms.sum(), 0.0))


def normalized_mutual_info(
    labels_true: Any,
    labels_pred: Any,
    average_method: Literal["min", "geometric", "arithmetic", "max"] = "arithmetic",
) -> float:
    """Mutual information of the two labelings over an average of their entropies.

    Args:
        labels_true: The known classes.
        labels_pred: The clusters.
        average_method: How the two entropies are averaged into the normaliser.

    Returns:
        A score in [0, 1]: 1 for the same partition. As scikit-learn, two labelings
        that both have one group (or are both empty) score 1.0, and any labeling with
        zero mutual information scores 0.0.

    >>> round(normalized_mutual_info([0, 0, 1, 1], [0, 1, 0, 1]), 6)
    0.0
    """
    if average_method not in _AVERAGES:
        raise ValueError(f"average_method must be one of {', '.join(_AVERAGES)}, "
                         f"got {average_method!r}")  # fmt: skip
    true, n_classes, pred, n_clusters = _pair(labels_true, labels_pred)
    if n_classes == n_clusters and n_classes <= 1:
        return 1.0
    table = np.zeros((n_classes, n_clusters), dtype=np.int64)
    np.add.at(table, (true, pred), 1)
    mi = _mutual_info(table)
    if mi == 0:
        return 0.0
    h_true, h_pred = _entropy(table.sum(axis=1)), _entropy(table.sum(axis=0))
    if average_method == "min":
        normaliser = min(h_true, h_pred)
    elif average_method == "max":
        normaliser = max(h_true, h_pred)
    elif average_method == "geometric":
        normaliser = float(np.sqrt(h_true * h_pred))
    else:
        normaliser = (h_true + h_pred) / 2
    # scikit-learn guards the division by the smallest positive float64
    return float(mi / max(normaliser, np.finfo(np.float64).eps))


def adjusted_rand_index(labels_true: Any, labels_pred: Any) -> float:
    """The Rand index (agreement over pairs of rows) corrected for chance.

    Pairs are counted from the contingency table: ``Σ C(n_ij, 2)`` pairs are together in
    both labelings. The adjustment subtracts what random labelings with the same group
    sizes would get and divides by the most that could be got.

    Returns:
        1.0 for the same partition, about 0 for unrelated labelings, negative when
        worse than chance. Two labelings that agree on every pair score 1.0 (also one
        cluster against one class, as scikit-learn).

    >>> round(adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]), 6)
    0.571429
    """
    true, n_classes, pred, n_clusters = _pair(labels_true, labels_pred)
    n = len(true)
    table = np.zeros((n_classes, n_clusters), dtype=np.int64)
    np.add.at(table, (true, pred), 1)
    # The 2x2 pair confusion (in ordered pairs, as scikit-learn's pair_confusion_matrix).
    together_both = int((table.astype(np.int64) ** 2).sum()) - n
    together_pred = int((table.sum(axis=0).astype(np.int64) ** 2).sum()) - n
    together_true = int((table.sum(axis=1).astype(np.int64) ** 2).sum()) - n
    tp = together_both
    fp = together_pred - together_both  # together in the clusters only
    fn = together_true - together_both  # together in the classes only
    tn = n * n - n - tp - fp - fn
    if fn == 0 and fp == 0:
        return 1.0
    return float(2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)))


# -- silhouette -----------------------------------------------------------------------

_METRICS = ("euclidean", "cosine")


def _pairwise(X: Matrix, metric: str) -> np.ndarray:
    """(n, n) distances between the rows of ``X`` (the diagonal exactly 0)."""
    if metric not in _METRICS:
        raise ValueError(f"metric must be 'euclidean' or 'cosine', got {metric!r}")
    gram = X @ X.T
    gram = gram.toarray() if sp.issparse(gram) else np.asarray(gram, dtype=np.float64)
    norms = np.diag(gram).copy()
    if metric == "euclidean":
        d = norms[:, None] - 2 * gram + norms[None, :]
        np.maximum(d, 0, out=d)
        np.fill_diagonal(d, 0)
        return np.sqrt(d, out=d)
    lengths = np.sqrt(norms)
    lengths[lengths == 0] = 1.0  # an all-zero row: similarity 0 to everything
    d = 1.0 - gram / lengths[:, None] / lengths[None, :]
    np.clip(d, 0, 2, out=d)
    np.fill_diagonal(d, 0)
    return d


def silhouette_samples(
    X: Any, labels: Any, metric: Literal["euclidean", "cosine"] = "euclidean"
) -> np.ndarray:
    """The silhouette ``(b - a) / max(a, b)`` of every row.

    ``a`` is the row's mean distance to the other rows of its cluster, ``b`` the smallest
    mean distance to the rows of another cluster. A row alone in its cluster scores 0.

    Args:
        X: The rows, dense or sparse, shape (n, n_features).
        labels: The cluster of each row.
        metric: ``"euclidean"`` or ``"cosine"`` (1 - cosine similarity).

    Returns:
        float64 array of shape (n,), each in [-1, 1].

    Raises:
        ValueError: Fewer than 2 clusters, or as many clusters as rows (no silhouette
            is defined then; scikit-learn raises too).
    """
    X = check_array(X, sparse=True)
    codes, k = _encode(labels, "labels")
    n = X.shape[0]
    if len(codes) != n:
        raise ValueError(f"X has {n} rows but labels has {len(codes)}")
    if not 1 < k < n:
        raise ValueError(f"the number of clusters is {k}; a silhouette needs 2 to n_samples - 1 "
                         f"= {n - 1} clusters")  # fmt: skip
    distances = _pairwise(X, metric)
    sizes = np.bincount(codes, minlength=k).astype(np.float64)
    indicator = np.zeros((n, k))
    indicator[np.arange(n), codes] = 1.0
    summed = distances @ indicator  # (n, k): each row's summed distance to each cluster
    own = summed[np.arange(n), codes]
    summed[np.arange(n), codes] = np.inf
    nearest = (summed / sizes).min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = own / (sizes[codes] - 1)  # a singleton: 0/0, made 0 below
        scores = (nearest - own) / np.maximum(own, nearest)
    return np.nan_to_num(scores)


def silhouette_score(
    X: Any,
    labels: Any,
    metric: Literal["euclidean", "cosine"] = "euclidean",
    sample_size: int | None = None,
    random_state: int | np.random.RandomState | None = None,
) -> float:
    """The mean silhouette over the rows (or a random sample of them).

    Args:
        X: The rows, dense or sparse.
        labels: The cluster of each row.
        metric: ``"euclidean"`` or ``"cosine"``.
        sample_size: Score only this many rows, drawn without replacement (the same
            rows as scikit-learn's for the same seed: a ``RandomState`` permutation).
        random_state: Seeds the sample.

    Returns:
        The mean silhouette, in [-1, 1]: high when clusters are tight and far apart.

    >>> X = [[0.0], [0.1], [5.0], [5.1]]
    >>> round(silhouette_score(X, [0, 0, 1, 1]), 4)
    0.98
    """
    X = check_array(X, sparse=True)
    if sample_size is not None:
        if isinstance(sample_size, bool) or not isinstance(sample_size, (int, np.integer)):
            raise TypeError(f"sample_size must be an int or None, got {sample_size!r}")
        if not 1 <= sample_size <= X.shape[0]:
            raise ValueError(f"sample_size must be between 1 and the {X.shape[0]} rows, "
                             f"got {sample_size}")  # fmt: skip
        rng = (random_state if isinstance(random_state, np.random.RandomState)
               else np.random.RandomState(random_state))  # fmt: skip
        rows = rng.permutation(X.shape[0])[:sample_size]
        X, labels = X[rows], np.asarray(labels)[rows]
    return float(np.mean(silhouette_samples(X, labels, metric=metric)))
