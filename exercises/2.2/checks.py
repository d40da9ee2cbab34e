"""Checks for exercise 2.2, run by ``journey check 2.2``.

Each check calls the learner's ``assign_clusters`` and ``update_centres`` through the
``ex`` fixture. Fresh random matrices, dense and CSR, are drawn every run (``rng``), and
the expected answers are computed here from the definitions, with a full table of
row-minus-centre differences and one cluster at a time, without any library's k-means.
The last check runs a whole k-means from the learner's two functions on TF-IDF vectors
of Brown corpus files (from the registry, through ``nlpjourney.features``) and compares
it with a k-means run here from the same start. With ``--exercise reference`` the same
checks grade the library, ``nlpjourney.cluster.kmeans``.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp

REFERENCE = "nlpjourney.cluster.kmeans"
# What the learner may not use: the model answer (and the rest of the library), and the
# libraries whose k-means or nearest-centre search would answer it.
FORBIDDEN = ("nlpjourney", "sklearn", "scipy.cluster")

BROWN_GENRES = ["news", "romance", "government", "hobbies"]


def squared_distances(X, centres) -> np.ndarray:
    """(n, k): every row minus each centre, squared and summed, without the expansion."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    columns = [((X - c) ** 2).sum(axis=1) for c in np.asarray(centres, dtype=float)]
    return np.stack(columns, axis=1)


def expected_means(X, labels, centres) -> np.ndarray:
    """Row c: the mean of the rows labelled c, one cluster at a time; else centres[c]."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    out = np.array(centres, dtype=float)
    for c in range(len(out)):
        rows = [i for i in range(len(labels)) if labels[i] == c]
        if rows:
            out[c] = X[rows].sum(axis=0) / len(rows)
    return out


def assert_labels(got, X, centres, what: str) -> None:
    """``got`` is an int64 vector of each row's nearest centre.

    Where the two nearest centres are closer to each other than rounding can tell apart
    (it never happens with these draws, but a grader must not fail a right answer by
    chance), either of them is accepted.
    """
    assert isinstance(got, np.ndarray), f"{what}: return a NumPy array, got {type(got).__name__}"
    D = squared_distances(X, centres)
    assert got.shape == (len(D),), f"{what}: shape {got.shape}, expected {(len(D),)}"
    assert got.dtype == np.int64, f"{what}: dtype {got.dtype}, expected int64"
    assert got.min() >= 0 and got.max() < D.shape[1], f"{what}: an index outside 0..k-1"
    nearest = D.argmin(axis=1)
    chosen = D[np.arange(len(D)), got]
    near_tie = chosen <= D.min(axis=1) + 1e-9 * (1.0 + D.min(axis=1))
    wrong = np.flatnonzero((got != nearest) & ~near_tie)
    assert len(wrong) == 0, (
        f"{what}: {len(wrong)} of {len(D)} rows got a centre that is not the nearest; "
        f"row {wrong[0]}: got {got[wrong[0]]}, the nearest is {nearest[wrong[0]]}"
    )


def assert_centres(got, expected, what: str) -> None:
    assert isinstance(got, np.ndarray) and not isinstance(got, np.matrix), (
        f"{what}: return a NumPy array (not a sparse matrix or np.matrix), got {type(got)}"
    )
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, expected {expected.shape}"
    assert got.dtype == np.float64, f"{what}: dtype {got.dtype}, expected float64"
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12, err_msg=what)


def random_problem(rng, n=None, k=None, d=None):
    """Fresh rows around k blobs, and k centres drawn near them."""
    n = int(rng.integers(30, 200)) if n is None else n
    k = int(rng.integers(2, 9)) if k is None else k
    d = int(rng.integers(2, 12)) if d is None else d
    blobs = rng.normal(0.0, 3.0, size=(k, d))
    X = blobs[rng.integers(k, size=n)] + rng.normal(0.0, 1.5, size=(n, d))
    centres = blobs + rng.normal(0.0, 1.0, size=(k, d))
    return X, centres


def random_csr(rng, n, d, density):
    """A fresh non-negative CSR matrix, every row with at least one nonzero."""
    X = sp.random(n, d, density=density, format="csr", random_state=rng,
                  data_rvs=lambda size: rng.uniform(0.1, 2.0, size))  # fmt: skip
    X = X + sp.csr_matrix((rng.uniform(0.1, 2.0, n), (np.arange(n), rng.integers(d, size=n))),
                          shape=(n, d))  # fmt: skip
    return sp.csr_matrix(X)


def random_labels(rng, n, k):
    """Labels in 0..k-1, every cluster used, the last one by a single row."""
    labels = rng.integers(k - 1, size=n)
    labels[: k - 1] = np.arange(k - 1)
    labels[int(rng.integers(k - 1, n))] = k - 1
    return rng.permutation(labels)


def test_assign_clusters_worked_example(ex) -> None:
    """assign_clusters on the docstring's three rows, a tie included.

    Hint 1: for each row, the squared distance to every centre; the smallest wins.
    Hint 2: the row [1, 0] is at distance 1 from both [0, 0] and [2, 0]; on a tie the
    lower centre index wins, which is what the first position of a minimum gives.
    """
    X = np.array([[0.0, 0.0], [1.0, 0.0], [9.0, 1.0]])
    centres = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0]])
    got = ex.assign_clusters(X, centres)
    assert np.asarray(got).tolist() == [0, 0, 2], f"got {np.asarray(got).tolist()}"


def test_assign_clusters_fresh_dense(ex, rng) -> None:
    """assign_clusters gives each fresh dense row its nearest centre, as an int64 vector.

    Hint 1: a table of n x k squared distances, then the position of each row's minimum.
    Hint 2: the squared distance expands into the squared length of the row, minus twice
    its dot product with the centre, plus the squared length of the centre. All the dot
    products at once are one matrix product of X with the transposed centres, and the
    row's own length is the same for every centre. Return the positions as int64.
    """
    for _ in range(3):
        X, centres = random_problem(rng)
        assert_labels(
            ex.assign_clusters(X, centres), X, centres, f"{len(X)} rows, k={len(centres)}"
        )


def test_assign_clusters_many_rows_and_one_centre(ex, rng) -> None:
    """assign_clusters on tens of thousands of rows; with one centre, every label is 0.

    Hint 1: the same rule for every row, however many there are; with a single centre
    there is only one answer.
    Hint 2: if you work through the rows in blocks, check that every block is computed,
    the last and shorter one included.
    """
    X, centres = random_problem(rng, n=int(rng.integers(20_000, 30_000)), k=16, d=4)
    assert_labels(ex.assign_clusters(X, centres), X, centres, f"{len(X)} rows, k=16")
    one = ex.assign_clusters(X[:50], centres[:1])
    assert np.asarray(one).tolist() == [0] * 50, "with one centre every row is in cluster 0"


def test_assign_clusters_sparse_input(ex, rng) -> None:
    """assign_clusters takes a CSR matrix, gives the dense answer, leaves X unchanged.

    Hint 1: the products of the rows with the centres work on a sparse matrix as on an
    array; only the small n x k table needs to be dense.
    Hint 2: a sparse matrix times a dense one can come back as a NumPy matrix, and the
    squared norms of sparse rows come back as an (n, 1) matrix: make them plain arrays
    before taking minimums.
    """
    n, d = int(rng.integers(40, 300)), int(rng.integers(20, 200))
    X = random_csr(rng, n, d, float(rng.uniform(0.02, 0.1)))
    before = X.copy()
    centres = np.vstack([X[int(i)].toarray() for i in rng.choice(n, 5, replace=False)])
    centres += rng.uniform(0.0, 0.2, size=centres.shape)
    assert_labels(ex.assign_clusters(X, centres), X, centres, f"CSR {n} x {d}")
    assert (X != before).nnz == 0, "assign_clusters changed the caller's matrix"


def test_assign_clusters_ties_go_to_the_lowest_index(ex, rng) -> None:
    """Equally near centres (repeated centres, points half-way): the lowest index wins.

    Small integers, so every distance is exact; dense and CSR.

    Hint 1: when two distances are equal, keep the first centre, not the last.
    Hint 2: the first position of a minimum gives the lowest index; a loop that replaces
    the best centre on an equal distance, or a maximum of negated scores taken in the
    wrong order, gives the highest.
    """
    k, d = int(rng.integers(3, 7)), int(rng.integers(2, 6))
    base = rng.integers(-4, 5, size=(k, d)).astype(float)
    centres = np.vstack([base, base[::-1]])  # every centre twice, the copies reversed
    X = rng.integers(-5, 6, size=(int(rng.integers(50, 120)), d)).astype(float)
    expected = squared_distances(X, centres).argmin(axis=1)  # the first of equal minima
    for form, matrix in (("dense", X), ("CSR", sp.csr_matrix(X))):
        got = np.asarray(ex.assign_clusters(matrix, centres))
        wrong = np.flatnonzero(got != expected)
        assert len(wrong) == 0, (
            f"{form}: {len(wrong)} of {len(X)} rows did not get the lowest of the equally "
            f"near centres; row {wrong[0]}: got {got[wrong[0]]}, expected {expected[wrong[0]]}"
        )


def test_update_centres_worked_example(ex) -> None:
    """update_centres on the docstring's rows: two means and one empty cluster.

    Hint 1: cluster 0 holds [0, 0] and [2, 0]; cluster 2 holds [10, 4] alone; no row is
    in cluster 1.
    Hint 2: a cluster without rows has no mean: it keeps its old centre, [5, 5], instead
    of a division by zero.
    """
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 4.0]])
    centres = np.array([[1.0, 1.0], [5.0, 5.0], [9.0, 9.0]])
    got = ex.update_centres(X, np.array([0, 0, 2]), centres)
    assert_centres(got, np.array([[1.0, 0.0], [5.0, 5.0], [10.0, 4.0]]), "worked example")


def test_update_centres_fresh_dense(ex, rng) -> None:
    """update_centres gives each cluster's mean on fresh rows and labels.

    Hint 1: per cluster, the sum of its rows divided by how many there are.
    Hint 2: all the sums at once are one product of a k x n one-hot matrix of the labels
    with X, and the counts are how often each label occurs; a cluster of one row is its
    own mean.
    """
    for _ in range(3):
        X, centres = random_problem(rng)
        labels = random_labels(rng, len(X), len(centres))
        got = ex.update_centres(X, labels, centres)
        assert_centres(got, expected_means(X, labels, centres), f"{len(X)} rows, k={len(centres)}")


def test_update_centres_empty_cluster_keeps_its_centre(ex, rng) -> None:
    """A cluster with no rows keeps its centre; the caller's arrays are left unchanged.

    Hint 1: only the clusters that have rows move; the others stay where they were.
    Hint 2: start from a copy of the old centres and overwrite the rows of the clusters
    that have a count above zero; never divide by a zero count, and never write into the
    caller's centres.
    """
    X, centres = random_problem(rng, k=int(rng.integers(4, 9)))
    k = len(centres)
    empty = rng.choice(k, size=2, replace=False)
    used = np.setdiff1d(np.arange(k), empty)
    labels = used[rng.integers(len(used), size=len(X))]
    labels[: len(used)] = used
    X_before, labels_before, centres_before = X.copy(), labels.copy(), centres.copy()
    got = ex.update_centres(X, labels, centres)
    assert_centres(got, expected_means(X, labels, centres), f"clusters {sorted(empty)} empty")
    np.testing.assert_array_equal(centres, centres_before, "the caller's centres changed")
    np.testing.assert_array_equal(X, X_before, "the caller's X changed")
    np.testing.assert_array_equal(labels, labels_before, "the caller's labels changed")


def test_update_centres_sparse_and_integer_input(ex, rng) -> None:
    """update_centres takes CSR rows and integer counts and returns float64 means.

    Hint 1: the sums of a cluster's rows work on a sparse matrix as on an array, and a
    mean of integers is a float: 1 and 2 have the mean 1.5.
    Hint 2: a product of two sparse matrices stays sparse, and a sparse sum comes
    back as a NumPy matrix: turn the result into a dense float64 NumPy array; divide in
    floating point, not with integer division.
    """
    n, d, k = int(rng.integers(40, 300)), int(rng.integers(20, 200)), int(rng.integers(2, 8))
    X = random_csr(rng, n, d, float(rng.uniform(0.02, 0.1)))
    centres = rng.uniform(0.0, 1.0, size=(k, d))
    labels = random_labels(rng, n, k)
    before = X.copy()
    assert_centres(ex.update_centres(X, labels, centres), expected_means(X, labels, centres),
                   f"CSR {n} x {d}, k={k}")  # fmt: skip
    assert (X != before).nnz == 0, "update_centres changed the caller's matrix"
    counts = rng.integers(0, 4, size=(n, d))
    assert_centres(ex.update_centres(counts, labels, centres),
                   expected_means(counts, labels, centres), "integer counts")  # fmt: skip


@pytest.fixture(scope="module")
def brown_tfidf():
    """TF-IDF rows (CSR, unit length) of the Brown files of four genres.

    Words: lower-cased alphabetic tokens seen in at least two files; weights: count
    times smoothed idf, ln((1 + n) / (1 + df)) + 1, each row scaled to length 1 (the
    TF-IDF of lesson 1.3, built here so that grading imports no more than it needs).
    """
    from nlpjourney.data import corpora

    docs = [[w.lower() for w in words if w.isalpha()]
            for _, _, words in corpora.brown_documents(BROWN_GENRES)]  # fmt: skip
    df = Counter(w for words in docs for w in set(words))
    column = {w: j for j, w in enumerate(sorted(w for w, n in df.items() if n >= 2))}
    rows, cols, counts = [], [], []
    for i, words in enumerate(docs):
        for w, n in Counter(w for w in words if w in column).items():
            rows.append(i)
            cols.append(column[w])
            counts.append(n)
    X = sp.csr_matrix((np.array(counts, dtype=float), (rows, cols)),
                      shape=(len(docs), len(column)))  # fmt: skip
    doc_freq = np.array([df[w] for w in sorted(column, key=column.get)], dtype=float)
    X = X @ sp.diags(np.log((1 + len(docs)) / (1 + doc_freq)) + 1)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1 / norms) @ X)


def reference_lloyd(X, centres, max_iter=100):
    """Lloyd's iterations from ``centres``, with the definitions above: (labels, inertia)."""
    labels = None
    for _ in range(max_iter):
        new = squared_distances(X, centres).argmin(axis=1)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        centres = expected_means(X, labels, centres)
    D = squared_distances(X, centres)
    return D.argmin(axis=1), float(D.min(axis=1).sum())


def test_lloyd_from_your_steps_on_brown_tfidf(ex, rng, brown_tfidf) -> None:
    """A whole k-means from your two steps on Brown TF-IDF equals the reference run.

    Same k random starting documents, then assign and update until no label changes;
    the final labels and inertia must agree.

    Hint 1: if the small checks pass and this one does not, look at what changes with
    real data: a sparse matrix with thousands of columns, and clusters that empty out.
    Hint 2: every step must work on the CSR matrix without densifying it by mistake into
    the wrong shape, and an empty cluster must keep its old centre.
    """
    X = brown_tfidf
    k = int(rng.integers(3, 7))
    start = X[rng.choice(X.shape[0], size=k, replace=False)].toarray()
    expected_labels, expected_inertia = reference_lloyd(X, start)

    centres, labels = start, None
    for _ in range(100):
        new = np.asarray(ex.assign_clusters(X, centres))
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        centres = np.asarray(ex.update_centres(X, labels, centres))
    labels = np.asarray(ex.assign_clusters(X, centres))
    inertia = float(squared_distances(X, centres)[np.arange(X.shape[0]), labels].sum())
    wrong = int(np.sum(labels != expected_labels))
    assert wrong == 0, f"k={k}: {wrong} of {X.shape[0]} documents end in another cluster"
    assert np.isclose(inertia, expected_inertia, rtol=1e-9), (
        f"k={k}: inertia {inertia:.6f}, the reference run's is {expected_inertia:.6f}"
    )
