"""Exercise 2.2: the two steps of k-means, assignment and update, as two functions.

k-means (Lloyd's algorithm) repeats two steps until nothing changes: **assign** every
row of ``X`` to its nearest centre, then **update** every centre to the mean of the rows
assigned to it. Each step can only lower the inertia, the sum of squared distances from
the rows to their centres. Here you write both steps, for ``X`` a dense 2-D NumPy float
array or a SciPy CSR matrix (TF-IDF rows are sparse: keep them sparse, an ``(n, k)``
table of distances is all you need to build).

Use NumPy (and SciPy's sparse matrices, if you like) only: ``journey check`` refuses a
file that uses ``nlpjourney`` (the model answer), scikit-learn or ``scipy.cluster``.
Then run ``journey check 2.2``: every check names what it tests and, when it fails,
gives a hint (``--hint`` shows more). The checks draw fresh random matrices on every
run, and at the end run a whole k-means from your two functions on TF-IDF vectors of
Brown corpus files, against a k-means they compute themselves from the same start.

1. ``assign_clusters``: the index of the nearest centre of every row.
2. ``update_centres``: the mean of each cluster's rows (an empty cluster keeps its centre).

The lesson ``lessons/2.2-text-clustering.py`` builds the same steps on Brown documents.
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (yours to use)


def assign_clusters(X, centres):
    """Return the index of the nearest centre of each row of ``X``.

    - ``X``: shape ``(n, d)``, a dense float array or a SciPy CSR matrix; leave it unchanged.
    - ``centres``: a dense float array of shape ``(k, d)``.
    - Returns a NumPy array of shape ``(n,)`` and dtype ``int64``: entry ``i`` is the
      ``c`` that makes the squared Euclidean distance ``sum_j (X[i, j] - centres[c, j])**2``
      smallest. When several centres are equally near, the lowest such ``c``.

    Example: for ``X = [[0, 0], [1, 0], [9, 1]]`` and ``centres = [[0, 0], [2, 0],
    [10, 0]]``, the result is ``[0, 0, 2]`` (the row ``[1, 0]`` is at distance 1 from both
    of the first two centres, so the lower index, 0, wins).
    """
    raise NotImplementedError("write assign_clusters: distances to every centre, then the argmin")


def update_centres(X, labels, centres):
    """Return new centres: the mean of the rows of ``X`` assigned to each cluster.

    - ``X``: shape ``(n, d)``, a dense array (of floats or integers) or a SciPy CSR matrix.
    - ``labels``: integer array of shape ``(n,)``, each entry in ``0 .. k-1``.
    - ``centres``: the current centres, a float array of shape ``(k, d)``.
    - Returns a new dense ``float64`` array of shape ``(k, d)``: row ``c`` is the mean of
      the rows ``X[i]`` with ``labels[i] == c``; a cluster with no rows keeps its row of
      ``centres`` unchanged. Leave ``X``, ``labels`` and ``centres`` unchanged.

    Example: for ``X = [[0, 0], [2, 0], [10, 4]]``, ``labels = [0, 0, 2]`` and
    ``centres = [[1, 1], [5, 5], [9, 9]]``, the result is
    ``[[1, 0], [5, 5], [10, 4]]`` (cluster 1 has no rows and keeps ``[5, 5]``).
    """
    raise NotImplementedError("write update_centres: per-cluster sums divided by the counts")
