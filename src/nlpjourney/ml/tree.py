"""A CART decision tree for classification: greedy binary splits that lower Gini or entropy.

Growing the tree is one question asked again and again: *which single test
"feature ≤ threshold" splits this node's rows into the two purest halves?* Purity is
measured by an impurity of the class proportions ``p`` in a node:

- Gini ``1 - Σ p_c²`` (the chance two random rows of the node disagree);
- entropy ``-Σ p_c log₂ p_c``.

A split is scored by the weighted impurity of its children, ``n_L I(L) + n_R I(R)``
(lower is better). For one feature the search is one sort and one sweep: sort the
node's rows by that feature, then walk the cuts left to right, moving one row at a time
from the right side's class counts to the left side's; every cut "after position i" is
scored from those counts. Cuts fall only between distinct values; the threshold is the
midpoint of the two values around the cut, as in scikit-learn. The sweep, and the whole
depth-first growth around it, are plain loops compiled by numba: one Python call grows a
tree, which matters for a forest of hundreds (vectorising the sweep instead needs a
(rows, features, classes) block of cumulative counts per node, which costs more memory
and time than it saves).

The tree stops growing where ``max_depth`` is reached, a node has fewer than
``min_samples_split`` rows, a node is pure, or no cut leaves ``min_samples_leaf`` rows
on both sides. ``max_features`` lets each node look at a random subset of the features
(what a random forest needs, see :mod:`~nlpjourney.ml.ensemble`).

The fitted tree is a set of flat arrays (:class:`Tree`), one entry per node in depth-first
order: ``feature``, ``threshold``, ``left``, ``right`` (-1 at leaves) and ``value``
(class proportions), which is what prediction walks and what a lesson can draw.

Example:
    >>> X = [[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0]]
    >>> tree = DecisionTreeClassifier().fit(X, ["no", "no", "yes", "yes"])
    >>> print(tree.describe())
    |--- feature_0 <= 2.50
    |   |--- class: no
    |--- feature_0 >  2.50
    |   |--- class: yes
    >>> tree.predict([[0.0, 5.0], [9.0, 5.0]]).tolist()
    ['no', 'yes']

Sparse features (a SciPy CSR or CSC matrix, e.g. TF-IDF) are searched without
densifying: a node regroups only its rows' nonzeros by feature, and a feature's zeros in
the node move across the sweep as one block (no cut falls between equal values), so the
work follows the node's nonzeros and the tree is the one its dense copy grows, node for
node. Prediction densifies sparse rows a block at a time.

Ties: when two features give exactly the same best score, scikit-learn keeps the first
one met in a random order of the features, so its choice depends on ``random_state``;
ours does the same with its own random order (the same draws for dense and sparse
input, so they agree), so for such ties the two libraries can
pick different (equally good) features. Tied features are common in TF-IDF (two words
seen only in the same documents), hence the averaged parity protocol of the tests. Without ties the trees are the same node for
node. As scikit-learn, features are read as float32 (so thresholds and predictions
agree with its on the same data), and values closer than 1e-7 count as equal.

Reference: scikit-learn's ``DecisionTreeClassifier`` (its ``tree_`` arrays and
``export_text`` for :meth:`DecisionTreeClassifier.describe`).

Simplifications: integer ``min_samples_*``, no ``class_weight``, no pruning, no missing
values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Self

import numpy as np
import scipy.sparse as sp

from nlpjourney.compiled import compiled
from nlpjourney.ml.base import (
    ClassifierMixin,
    Estimator,
    Matrix,
    check_array,
    check_is_fitted,
    check_n_features,
    check_X_y,
)

__all__ = ["DecisionTreeClassifier", "Tree"]

# scikit-learn's FEATURE_THRESHOLD: values closer than this are not split apart.
_FEATURE_THRESHOLD = 1e-7
# Sparse rows are densified for prediction in blocks of about this many numbers (64 MB).
_BLOCK_ENTRIES = 1 << 24


@dataclass
class Tree:
    """The fitted nodes as flat arrays, indexed by node id (0 is the root, depth-first order).

    Attributes:
        feature: the feature each split tests (-2 at a leaf, as scikit-learn).
        threshold: rows with ``x[feature] <= threshold`` go left (-2.0 at a leaf).
        left: the left child's id (-1 at a leaf).
        right: the right child's id (-1 at a leaf).
        value: (n_nodes, n_classes) class proportions of the node's training rows.
        impurity: the node's Gini or entropy.
        n_node_samples: training rows that reach the node.
        weighted_n_node_samples: their total weight (bootstrap counts in a forest).
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    impurity: np.ndarray
    n_node_samples: np.ndarray
    weighted_n_node_samples: np.ndarray

    @property
    def node_count(self) -> int:
        """The number of nodes."""
        return len(self.feature)

    def apply(self, X: np.ndarray) -> np.ndarray:
        """The leaf each row of ``X`` (float32, checked) lands in: all rows descend together."""
        node = np.zeros(len(X), dtype=np.int64)
        active = np.flatnonzero(self.left[node] >= 0)
        while len(active):
            at = node[active]
            goes_left = X[active, self.feature[at]] <= self.threshold[at]
            node[active] = np.where(goes_left, self.left[at], self.right[at])
            active = active[self.left[node[active]] >= 0]
        return node


@compiled
def _entropy_score(left, total, w_left, w_right):  # noqa: ANN001, ANN202
    """``-(n_L H(L) + n_R H(R))`` up to a constant, in nats, from the left and total counts."""
    score = -w_left * np.log(w_left) - w_right * np.log(w_right)
    for c in range(len(left)):
        right = total[c] - left[c]
        if left[c] > 0.0:
            score += left[c] * np.log(left[c])
        if right > 0.0:
            score += right * np.log(right)
    return score


@compiled
def _draw_feature(perm, visited):  # noqa: ANN001, ANN202
    """The next feature of the node's random visiting order: one step of a Fisher-Yates shuffle.

    ``perm[:visited]`` are the features drawn so far in this node; swapping a uniform pick
    of the rest into place ``visited`` draws without replacement in O(1). ``perm`` is
    the tree's, shuffled on from node to node (any start gives a uniform draw).
    """
    j = np.random.randint(visited, len(perm))
    perm[visited], perm[j] = perm[j], perm[visited]
    return perm[visited]


@compiled
def _best_split(X, rows, codes, weights, perm, per_split, n_classes, entropy, min_leaf):  # noqa: ANN001, ANN202
    """The best cut of one node: (feature, threshold), or feature -1 when none is allowed.

    Draws features at random (:func:`_draw_feature`) until ``per_split`` have been drawn
    and at least one of them is not constant in the node (scikit-learn's rule: a constant
    feature counts as drawn, so on sparse data a split often searches fewer than
    ``per_split`` features), or all have been drawn. For each non-constant one: gather and sort the node's values, then
    sweep the cuts left to right keeping the weighted class counts of the left side, and
    score each cut between two distinct values by ``-(n_L I(L) + n_R I(R))`` up to a
    constant (Gini's sums of squares are updated in O(1) per row):

    - Gini: ``n I = n - Σ c²/n``, so the score is ``Σ c_L²/n_L + Σ c_R²/n_R``;
    - entropy: ``n I = n ln n - Σ c ln c``, so the score is
      ``Σ c_L ln c_L - n_L ln n_L + Σ c_R ln c_R - n_R ln n_R``.

    A later feature or cut replaces the best only when strictly better (ties keep the
    first met, as scikit-learn).
    """
    n = len(rows)
    total = np.zeros(n_classes)
    for i in range(n):
        total[codes[rows[i]]] += weights[rows[i]]
    w_total = total.sum()
    values = np.empty(n, dtype=X.dtype)
    left = np.empty(n_classes)
    best_score, best_feature, best_threshold = -np.inf, -1, 0.0
    searched, visited = 0, 0
    while visited < len(perm) and (visited < per_split or searched == 0):
        f = _draw_feature(perm, visited)
        visited += 1
        lo, hi = np.inf, -np.inf
        for i in range(n):
            values[i] = X[rows[i], f]
            lo, hi = min(lo, values[i]), max(hi, values[i])
        if hi <= lo + _FEATURE_THRESHOLD:
            continue  # constant here: cannot split, does not count
        searched += 1
        sorted_at = np.argsort(values)  # order among equal values is irrelevant: no cut there
        left[:] = 0.0
        w_left = 0.0
        squares_left, squares_right = 0.0, (total**2).sum()  # Σ c² of each side, for Gini
        for p in range(n - 1):
            row = rows[sorted_at[p]]
            c, w = codes[row], weights[row]
            right_c = total[c] - left[c]
            squares_left += (left[c] + w) ** 2 - left[c] ** 2
            squares_right += (right_c - w) ** 2 - right_c**2
            left[c] += w
            w_left += w
            if p + 1 < min_leaf or n - p - 1 < min_leaf:
                continue
            x0, x1 = values[sorted_at[p]], values[sorted_at[p + 1]]
            if x1 <= x0 + _FEATURE_THRESHOLD:
                continue  # no cut between equal values
            w_right = w_total - w_left
            if w_left <= 0.0 or w_right <= 0.0:
                continue
            if entropy:
                # subtle: recomputed from the counts, not updated, so that two cuts with
                # the same counts score exactly alike (ties are then broken by order only).
                score = _entropy_score(left, total, w_left, w_right)
            else:
                score = squares_left / w_left + squares_right / w_right
            if score > best_score:
                best_score, best_feature = score, f
                best_threshold = x0 / 2.0 + x1 / 2.0
                if best_threshold == x1 or not np.isfinite(best_threshold):
                    best_threshold = x0  # rounding met the upper value
    return best_feature, best_threshold


@compiled
def _sweep_sparse(values, value_rows, n, codes, weights, total, w_total, entropy, min_leaf, best_score):  # noqa: ANN001, ANN202, E501  # fmt: skip
    """Score the cuts of one feature of a node from its ``m`` nonzeros (:func:`_best_split_sparse`).

    Returns (status, score, threshold): status -1 when the feature is constant in the
    node, 1 when a cut beats ``best_score`` (the best such cut's score and threshold),
    else 0.
    """
    m = len(values)
    n_zero = n - m
    n_classes = len(total)
    lo, hi = np.inf, -np.inf
    for i in range(m):
        lo, hi = min(lo, values[i]), max(hi, values[i])
    if n_zero > 0:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi <= lo + _FEATURE_THRESHOLD:
        return -1, best_score, 0.0  # constant here: cannot split, does not count
    sorted_at = np.argsort(values)
    n_negative = 0
    while n_negative < m and values[sorted_at[n_negative]] < 0.0:
        n_negative += 1
    zeros = total.copy()  # the class counts of the node's zero block
    for i in range(m):
        row = value_rows[i]
        zeros[codes[row]] -= weights[row]
    left = np.zeros(n_classes)
    w_left = 0.0
    squares_left, squares_right = 0.0, (total**2).sum()
    status, best_threshold = 0, 0.0
    # Items in value order: the negative nonzeros, the zero block (if any), the rest.
    n_items = m + (1 if n_zero > 0 else 0)
    position = 0  # rows on the left of the cut after the current item
    for t in range(n_items - 1):
        if n_zero > 0 and t == n_negative:
            for c in range(n_classes):
                right_c = total[c] - left[c]
                squares_left += (left[c] + zeros[c]) ** 2 - left[c] ** 2
                squares_right += (right_c - zeros[c]) ** 2 - right_c**2
                left[c] += zeros[c]
                w_left += zeros[c]
            position += n_zero
            x0 = np.float32(0.0)
        else:
            s = sorted_at[t if (n_zero == 0 or t < n_negative) else t - 1]
            row = value_rows[s]
            c, w = codes[row], weights[row]
            right_c = total[c] - left[c]
            squares_left += (left[c] + w) ** 2 - left[c] ** 2
            squares_right += (right_c - w) ** 2 - right_c**2
            left[c] += w
            w_left += w
            position += 1
            x0 = values[s]
        u = t + 1  # the next item
        if n_zero > 0 and u == n_negative:
            x1 = np.float32(0.0)
        else:
            x1 = values[sorted_at[u if (n_zero == 0 or u < n_negative) else u - 1]]
        if position < min_leaf or n - position < min_leaf:
            continue
        if x1 <= x0 + _FEATURE_THRESHOLD:
            continue  # no cut between equal values
        w_right = w_total - w_left
        if w_left <= 0.0 or w_right <= 0.0:
            continue
        if entropy:
            score = _entropy_score(left, total, w_left, w_right)
        else:
            score = squares_left / w_left + squares_right / w_right
        if score > best_score:
            best_score, status = score, 1
            best_threshold = x0 / 2.0 + x1 / 2.0
            if best_threshold == x1 or not np.isfinite(best_threshold):
                best_threshold = x0
    return status, best_score, best_threshold


@compiled
def _column_in_node(cindptr, cindices, cdata, f, mark, stamp, local_row, local_val):  # noqa: ANN001, ANN202, E501  # fmt: skip
    """Gather feature ``f``'s nonzeros of the node's rows (``mark == stamp``) from the CSC arrays."""
    m = 0
    for j in range(cindptr[f], cindptr[f + 1]):
        r = cindices[j]
        if mark[r] == stamp and cdata[j] != 0.0:
            local_row[m], local_val[m] = r, cdata[j]
            m += 1
    return m


@compiled
def _best_split_sparse(indptr, indices, data, cindptr, cindices, cdata, rows, codes, weights, perm, per_split, n_classes, entropy, min_leaf, count, offset, cursor, local_row, local_val, mark, stamp):  # noqa: ANN001, ANN202, E501  # fmt: skip
    """:func:`_best_split` on sparse rows (float32 values), touching only nonzeros.

    The features are drawn as in the dense search (same draws, same constants), so both
    meet the same features in the same order. For one feature the ``m`` nonzero values
    of the node are sorted and its ``n - m`` zeros stand as one block between the
    negative and the positive values: no cut falls inside a block of equal values, so
    moving the whole block at once scores exactly the cuts the dense sweep scores, from
    the same counts, and picks the same split (:func:`_sweep_sparse`).

    A feature's nonzeros in the node come one of two ways, whichever reads less:

    - a large node that draws few features reads each drawn feature's column of the
      CSC arrays (``cindptr``, ``cindices``, ``cdata``), keeping the rows marked with
      this node's ``stamp``;
    - otherwise the node's rows (CSR) are regrouped by feature once (a counting sort into
      ``offset``, ``count``, ``local_row``, ``local_val``: a small CSC of the node), and a
      feature with no nonzero there is known constant at once.

    Returns (feature, threshold, start, stop): the best feature's nonzeros in the node
    are ``local_row[start:stop]``, ``local_val[start:stop]`` (for the partition).
    ``count`` is left all zero again, as it came.
    """
    n = len(rows)
    total = np.zeros(n_classes)
    for i in range(n):
        total[codes[rows[i]]] += weights[rows[i]]
    w_total = total.sum()
    node_nonzeros = 0
    for i in range(n):
        node_nonzeros += indptr[rows[i] + 1] - indptr[rows[i]]
    mean_column = len(cdata) / len(count)
    by_column = node_nonzeros > 2.0 * (n + min(per_split, len(count)) * mean_column)
    best_score, best_feature, best_threshold = -np.inf, -1, 0.0
    searched, visited = 0, 0
    if by_column:
        for i in range(n):
            mark[rows[i]] = stamp
        while visited < len(perm) and (visited < per_split or searched == 0):
            f = _draw_feature(perm, visited)
            visited += 1
            m = _column_in_node(cindptr, cindices, cdata, f, mark, stamp, local_row, local_val)
            if m == 0:
                continue  # all zero here: constant
            status, best_score, t = _sweep_sparse(local_val[:m], local_row[:m], n, codes, weights, total, w_total, entropy, min_leaf, best_score)  # fmt: skip
            if status >= 0:
                searched += 1
            if status == 1:
                best_feature, best_threshold = f, t
        if best_feature < 0:
            return best_feature, best_threshold, 0, 0
        m = _column_in_node(cindptr, cindices, cdata, best_feature, mark, stamp, local_row, local_val)  # fmt: skip
        return best_feature, best_threshold, 0, m
    candidates = np.empty(min(len(count), len(local_row)), dtype=np.int64)
    n_candidates = 0
    for i in range(n):
        r = rows[i]
        for j in range(indptr[r], indptr[r + 1]):
            if data[j] != 0.0:
                f = indices[j]
                if count[f] == 0:
                    candidates[n_candidates] = f
                    n_candidates += 1
                count[f] += 1
    candidates = candidates[:n_candidates]
    at = 0
    for f in candidates:
        offset[f], cursor[f] = at, at
        at += count[f]
    for i in range(n):
        r = rows[i]
        for j in range(indptr[r], indptr[r + 1]):
            if data[j] != 0.0:
                k = cursor[indices[j]]
                local_row[k], local_val[k] = r, data[j]
                cursor[indices[j]] += 1
    while visited < len(perm) and (visited < per_split or searched == 0):
        f = _draw_feature(perm, visited)
        visited += 1
        if count[f] == 0:
            continue  # all zero here: constant
        a, b = offset[f], offset[f] + count[f]
        status, best_score, t = _sweep_sparse(local_val[a:b], local_row[a:b], n, codes, weights, total, w_total, entropy, min_leaf, best_score)  # fmt: skip
        if status >= 0:
            searched += 1
        if status == 1:
            best_feature, best_threshold = f, t
    best_start = offset[best_feature] if best_feature >= 0 else 0
    best_stop = best_start + count[best_feature] if best_feature >= 0 else 0
    for f in candidates:
        count[f] = 0
    return best_feature, best_threshold, best_start, best_stop


def n_features_per_split(max_features: Any, n_features: int) -> int:
    """How many features one split looks at, for a ``max_features`` setting (scikit-learn's rule).

    >>> [n_features_per_split(m, 64) for m in (None, "sqrt", "log2", 10, 0.25)]
    [64, 8, 6, 10, 16]
    """
    if max_features is None:
        return n_features
    if max_features == "sqrt":
        return max(1, int(np.sqrt(n_features)))
    if max_features == "log2":
        return max(1, int(np.log2(n_features)))
    if isinstance(max_features, (int, np.integer)) and not isinstance(max_features, bool):
        if not 1 <= max_features <= n_features:
            raise ValueError(f"max_features={max_features} must be in [1, n_features={n_features}]")
        return int(max_features)
    if isinstance(max_features, (float, np.floating)) and 0 < max_features <= 1:
        return max(1, int(max_features * n_features))
    raise ValueError(f"max_features must be None, 'sqrt', 'log2', an int or a float in (0, 1], "
                     f"got {max_features!r}")  # fmt: skip


@compiled
def _grow_nodes(
    X,
    indptr,
    indices,
    data,
    cindptr,
    cindices,
    cdata,
    sparse,
    codes,
    weights,
    n_classes,
    entropy,
    max_depth,
    min_split,
    min_leaf,
    per_split,
    seed,
):  # noqa: ANN001, ANN202, E501
    """Grow a tree depth-first; nodes are numbered in pre-order (a node, its left subtree, its right).

    The features are the dense float32 ``X``, or, with ``sparse``, the CSR arrays
    ``indptr``, ``indices``, ``data`` (float32) and the CSC arrays ``cindptr``,
    ``cindices``, ``cdata`` of the same matrix; the other representation is a dummy.
    The node's rows are a slice ``rows[start:end]`` of one array that each split
    partitions in place (left rows first), so no row list is copied. Returns the node
    arrays of :class:`Tree`, in its field order.
    """
    np.random.seed(seed)  # numba's generator, one per thread: a tree is reproducible anywhere
    n_features = X.shape[1]
    rows = np.flatnonzero(weights > 0)
    # Work space of the sparse split search (see _best_split_sparse), allocated once.
    nonzeros = np.zeros(n_features if sparse else 1, dtype=np.int64)
    offset = np.zeros(n_features if sparse else 1, dtype=np.int64)
    cursor = np.zeros(n_features if sparse else 1, dtype=np.int64)
    local_row = np.zeros(len(data), dtype=np.int64)
    local_val = np.zeros(len(data), dtype=np.float32)
    row_value = np.zeros(len(weights) if sparse else 1, dtype=np.float32)
    mark = np.zeros(len(weights) if sparse else 1, dtype=np.int64)  # rows' node stamps
    perm = np.arange(n_features)  # the features' random visiting order, reshuffled per node
    capacity = 2 * len(rows) - 1  # a binary tree whose leaves hold at least one row each
    feature = np.full(capacity, -2, dtype=np.int64)
    threshold = np.full(capacity, -2.0)
    left = np.full(capacity, -1, dtype=np.int64)
    right = np.full(capacity, -1, dtype=np.int64)
    value = np.zeros((capacity, n_classes))
    impurity = np.zeros(capacity)
    n_rows = np.zeros(capacity, dtype=np.int64)
    n_weight = np.zeros(capacity)
    # The stack holds (start, end, depth, parent, is_left) of nodes still to visit.
    stack = np.empty((capacity, 5), dtype=np.int64)
    stack[0] = (0, len(rows), 0, -1, 1)
    top, count = 1, 0
    eps = np.finfo(np.float64).eps
    while top > 0:
        top -= 1
        start, end, depth, parent, is_left = stack[top]
        node = count
        count += 1
        if parent >= 0:
            if is_left:
                left[parent] = node
            else:
                right[parent] = node
        counts = np.zeros(n_classes)
        for i in range(start, end):
            counts[codes[rows[i]]] += weights[rows[i]]
        total = counts.sum()
        node_impurity = 0.0
        for c in range(n_classes):
            p = counts[c] / total
            if entropy:
                node_impurity -= p * np.log2(p) if p > 0.0 else 0.0
            else:
                node_impurity += p * p
        if not entropy:
            node_impurity = 1.0 - node_impurity
        value[node] = counts / total
        impurity[node], n_rows[node], n_weight[node] = node_impurity, end - start, total
        size = end - start
        if (max_depth >= 0 and depth >= max_depth) or size < min_split or size < 2 * min_leaf or node_impurity <= eps:  # fmt: skip
            continue
        if sparse:
            f, t, a, b = _best_split_sparse(indptr, indices, data, cindptr, cindices, cdata, rows[start:end], codes, weights, perm, per_split, n_classes, entropy, min_leaf, nonzeros, offset, cursor, local_row, local_val, mark, node + 1)  # fmt: skip
        else:
            f, t = _best_split(X, rows[start:end], codes, weights, perm, per_split, n_classes, entropy, min_leaf)  # fmt: skip
        if f < 0:
            continue
        feature[node], threshold[node] = f, t
        mid = start  # partition: rows with x[f] <= t to the front
        if sparse:
            for k in range(a, b):  # the node's nonzeros of f (left by the search)
                row_value[local_row[k]] = local_val[k]
            for i in range(start, end):
                if row_value[rows[i]] <= t:
                    rows[i], rows[mid] = rows[mid], rows[i]
                    mid += 1
            for k in range(a, b):
                row_value[local_row[k]] = 0.0
        else:
            for i in range(start, end):
                if X[rows[i], f] <= t:
                    rows[i], rows[mid] = rows[mid], rows[i]
                    mid += 1
        # Right first so that the left child is popped (and numbered) next: pre-order.
        stack[top] = (mid, end, depth + 1, node, 0)
        stack[top + 1] = (start, mid, depth + 1, node, 1)
        top += 2
    return (feature[:count], threshold[:count], left[:count], right[:count], value[:count],
            impurity[:count], n_rows[:count], n_weight[:count])  # fmt: skip


def as_tree_features(X: Matrix) -> np.ndarray | sp.csr_matrix:
    """Checked features (:func:`~nlpjourney.ml.base.check_array`) as the trees read them: float32.

    Dense input stays dense; sparse input stays CSR (duplicate entries summed first, in
    float64, as a dense copy would), and the trees search its splits without densifying.
    """
    if not sp.issparse(X):
        return X.astype(np.float32)
    if not X.has_canonical_format:
        X = X.copy()  # subtle: never sum the caller's matrix in place
        X.sum_duplicates()
    X32 = X.astype(np.float32)
    X32.indptr, X32.indices = X32.indptr.astype(np.int64), X32.indices.astype(np.int64)
    return X32


def dense_blocks(X32: np.ndarray | sp.csr_matrix) -> Iterator[tuple[slice, np.ndarray]]:
    """Consecutive row blocks of float32 features as dense arrays, for walking trees.

    A sparse matrix is densified a block at a time, each block holding about
    ``_BLOCK_ENTRIES`` numbers, so prediction never holds a dense copy of all of ``X``.
    """
    if not sp.issparse(X32):
        yield slice(0, X32.shape[0]), X32
        return
    step = max(1, _BLOCK_ENTRIES // max(X32.shape[1], 1))
    for start in range(0, X32.shape[0], step):
        rows = slice(start, min(start + step, X32.shape[0]))
        yield rows, X32[rows].toarray()


def apply_tree(tree: Tree, X32: np.ndarray | sp.csr_matrix) -> np.ndarray:
    """:meth:`Tree.apply` on dense or sparse float32 features (sparse: in row blocks)."""
    leaves = np.empty(X32.shape[0], dtype=np.int64)
    for rows, block in dense_blocks(X32):
        leaves[rows] = tree.apply(block)
    return leaves


def _grow(
    X: np.ndarray | sp.csr_matrix,
    codes: np.ndarray,
    weights: np.ndarray,
    n_classes: int,
    params: dict[str, Any],
    rng: np.random.RandomState,
) -> Tree:
    """Grow a tree from the rows with nonzero weight (compiled: :func:`_grow_nodes`)."""
    max_depth = -1 if params["max_depth"] is None else params["max_depth"]
    seed = rng.randint(np.iinfo(np.int32).max)
    if sp.issparse(X):
        # The compiled grower takes both forms; the unused one is an empty stand-in.
        csc = X.tocsc()
        csc.indptr, csc.indices = csc.indptr.astype(np.int64), csc.indices.astype(np.int64)
        csr = (np.empty((0, X.shape[1]), dtype=np.float32), X.indptr, X.indices, X.data,
               csc.indptr, csc.indices, csc.data, True)  # fmt: skip
    else:
        no_ints, no_data = np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.float32)
        csr = (X, no_ints, no_ints[:0], no_data, no_ints, no_ints[:0], no_data, False)
    arrays = _grow_nodes(
        *csr, codes.astype(np.int64), weights.astype(np.float64), n_classes,
        params["criterion"] == "entropy", max_depth, params["min_samples_split"],
        params["min_samples_leaf"], params["per_split"], seed,
    )  # fmt: skip
    return Tree(*arrays)


def _importances(tree: Tree, n_features: int) -> np.ndarray:
    """Total impurity decrease per feature, weighted by the rows reaching each split; sums to 1."""
    split = np.flatnonzero(tree.left >= 0)
    w, imp = tree.weighted_n_node_samples, tree.impurity
    l, r = tree.left[split], tree.right[split]  # noqa: E741
    decrease = w[split] * imp[split] - w[l] * imp[l] - w[r] * imp[r]
    out = np.bincount(tree.feature[split], weights=decrease, minlength=n_features)
    out = out / w[0]
    total = out.sum()
    return out / total if total > 0 else out


class DecisionTreeClassifier(ClassifierMixin, Estimator):
    """A CART classification tree (see the module docstring for the algorithm).

    Args:
        criterion: ``"gini"`` or ``"entropy"``.
        max_depth: the deepest a leaf may be (root = depth 0); None grows until pure.
        min_samples_split: a node needs at least this many rows to be split.
        min_samples_leaf: every leaf keeps at least this many rows.
        max_features: features drawn per split: all (None), a count (int), a share
            (float), ``"sqrt"`` or ``"log2"`` of the number of features. As in
            scikit-learn, a feature constant in the node counts as drawn (more are drawn
            only while none of them can split).
        random_state: seed of the feature order (ties) and of the per-split subsets.

    Attributes:
        classes_: the sorted class labels.
        tree_: the fitted :class:`Tree`.
        feature_importances_: normalised total impurity decrease of each feature.
        n_features_in_: the number of features seen by ``fit``.
    """

    def __init__(
        self,
        criterion: Literal["gini", "entropy"] = "gini",
        max_depth: int | None = None,
        min_samples_split: int = 2,
        min_samples_leaf: int = 1,
        max_features: int | float | Literal["sqrt", "log2"] | None = None,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.random_state = random_state

    def _params(self, n_features: int) -> dict[str, Any]:
        if self.criterion not in ("gini", "entropy"):
            raise ValueError(f"criterion must be 'gini' or 'entropy', got {self.criterion!r}")
        for name, low in (("min_samples_split", 2), ("min_samples_leaf", 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
                raise ValueError(f"{name} must be an int >= {low}, got {v!r}")
        d = self.max_depth
        if d is not None and (isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1):
            raise ValueError(f"max_depth must be None or an int >= 1, got {d!r}")
        return {
            "criterion": self.criterion,
            "max_depth": d,
            "min_samples_split": int(self.min_samples_split),
            "min_samples_leaf": int(self.min_samples_leaf),
            "per_split": n_features_per_split(self.max_features, n_features),
        }

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:
        """Grow the tree on ``X`` (dense or sparse) and class labels ``y`` (any sortable labels)."""
        X, y = check_X_y(X, y, sparse=True)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if sample_weight is None:
            weights = np.ones(len(y))
        else:
            weights = np.asarray(sample_weight, dtype=np.float64)
            if weights.shape != (len(y),) or np.any(weights < 0) or not np.all(np.isfinite(weights)):  # fmt: skip
                raise ValueError("sample_weight must hold one finite, non-negative number per row")
            if weights.sum() <= 0:
                raise ValueError("sample_weight sums to zero: no row to learn from")
        X32 = as_tree_features(X)  # scikit-learn's trees read float32 features
        return self._fit_prepared(X32, codes, weights, self.classes_)

    def _fit_prepared(
        self,
        X32: np.ndarray | sp.csr_matrix,
        codes: np.ndarray,
        weights: np.ndarray,
        classes: np.ndarray,
    ) -> Self:
        """Grow on checked float32 features and class codes (the forest calls this per tree)."""
        rng = self.random_state
        rng = rng if isinstance(rng, np.random.RandomState) else np.random.RandomState(rng)
        self.classes_ = classes
        self.tree_ = _grow(X32, codes, weights, len(classes), self._params(X32.shape[1]), rng)
        self.n_features_in_ = X32.shape[1]
        self.n_classes_ = len(classes)
        return self

    def _leaves(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "tree_")
        X = check_array(X, sparse=True)
        check_n_features(self, X)
        return apply_tree(self.tree_, as_tree_features(X))

    def apply(self, X: Any) -> np.ndarray:
        """The id of the leaf each row of ``X`` lands in."""
        return self._leaves(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """The class proportions of each row's leaf. Shapes: (n, n_features) -> (n, n_classes)."""
        leaves = self._leaves(X)
        return self.tree_.value[leaves]

    def predict(self, X: Any) -> np.ndarray:
        """The majority class of each row's leaf."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    @property
    def feature_importances_(self) -> np.ndarray:
        """Each feature's share of the total (weighted) impurity decrease over all splits."""
        check_is_fitted(self, "tree_")
        return _importances(self.tree_, self.n_features_in_)

    def get_depth(self) -> int:
        """The depth of the deepest leaf (a lone root has depth 0)."""
        check_is_fitted(self, "tree_")
        depth = np.zeros(self.tree_.node_count, dtype=np.int64)
        for node in range(self.tree_.node_count):  # pre-order: parents come first
            for child in (self.tree_.left[node], self.tree_.right[node]):
                if child >= 0:
                    depth[child] = depth[node] + 1
        return int(depth.max())

    def get_n_leaves(self) -> int:
        """The number of leaves."""
        check_is_fitted(self, "tree_")
        return int((self.tree_.left < 0).sum())

    def describe(
        self,
        feature_names: list[str] | None = None,
        decimals: int = 2,
        show_proportions: bool = False,
    ) -> str:
        """The tree as indented text rules, in the layout of scikit-learn's ``export_text``.

        Args:
            feature_names: a name per feature (default ``feature_0``, ``feature_1``, ...).
            decimals: digits shown for thresholds (and proportions).
            show_proportions: show each leaf's class proportions instead of its class.
        """
        check_is_fitted(self, "tree_")
        names = feature_names or [f"feature_{i}" for i in range(self.n_features_in_)]
        if len(names) != self.n_features_in_:
            raise ValueError(
                f"feature_names has {len(names)} names for {self.n_features_in_} features"
            )
        t = self.tree_
        lines: list[str] = []

        def walk(node: int, depth: int) -> None:
            indent = "|   " * depth + "|--- "
            if t.left[node] < 0:
                if show_proportions:
                    shown = ", ".join(f"{p:.{decimals}f}" for p in t.value[node])
                    lines.append(f"{indent}proportions: [{shown}]")
                else:
                    lines.append(f"{indent}class: {self.classes_[np.argmax(t.value[node])]}")
                return
            name, cut = names[t.feature[node]], f"{t.threshold[node]:.{decimals}f}"
            lines.append(f"{indent}{name} <= {cut}")
            walk(int(t.left[node]), depth + 1)
            lines.append(f"{indent}{name} >  {cut}")
            walk(int(t.right[node]), depth + 1)

        walk(0, 0)
        return "\n".join(lines)
