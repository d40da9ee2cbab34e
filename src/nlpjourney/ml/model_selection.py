"""Holding data out to measure a model honestly: splits, cross-validation, grid search.

A model scored on the rows it learned from looks better than it is; these functions keep
some rows out of training and score on those.

- :func:`train_test_split`: one shuffled split, the same rows as scikit-learn's for the
  same ``random_state``.

Reference: ``sklearn.model_selection`` (the same splits for the same seed).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp


def _n_rows(array: Any) -> int:
    if sp.issparse(array) or isinstance(array, np.ndarray):
        return int(array.shape[0])
    try:
        return len(array)
    except TypeError:
        raise TypeError(f"cannot split a {type(array).__name__}: pass arrays, lists or "
                        "sparse matrices") from None  # fmt: skip


def _take(array: Any, rows: np.ndarray) -> Any:
    """``array``'s rows ``rows``, kept in its own kind (list, NumPy array, sparse matrix)."""
    if sp.issparse(array):
        return array.tocsr()[rows]
    if isinstance(array, np.ndarray) or hasattr(array, "iloc"):
        return array.iloc[rows] if hasattr(array, "iloc") else array[rows]
    return [array[i] for i in rows]


def _split_sizes(
    n: int, test_size: float | int | None, train_size: float | int | None
) -> tuple[int, int]:
    """(train rows, test rows) as scikit-learn counts them: test rounds up, train down."""

    def count(size: float | int, name: str) -> float:
        if isinstance(size, float):
            if not 0.0 < size < 1.0:
                raise ValueError(f"{name}={size} as a fraction must lie strictly between 0 and 1")
            return size * n
        if isinstance(size, int) and not isinstance(size, bool):
            if not 0 < size < n:
                raise ValueError(f"{name}={size} rows must be between 1 and {n - 1} "
                                 f"(there are {n} rows)")  # fmt: skip
            return size
        raise TypeError(f"{name} must be a float fraction or an int count, got {size!r}")

    if test_size is None and train_size is None:
        test_size = 0.25
    n_test = math.ceil(count(test_size, "test_size")) if test_size is not None else None
    n_train = math.floor(count(train_size, "train_size")) if train_size is not None else None
    if n_test is None:
        n_test = n - n_train  # type: ignore[operator]
    if n_train is None:
        n_train = n - n_test
    if n_train + n_test > n:
        raise ValueError(f"train ({n_train}) and test ({n_test}) rows add up to more than the "
                         f"{n} rows there are")  # fmt: skip
    if n_train == 0 or n_test == 0:
        raise ValueError(f"a split of {n} rows into {n_train} train and {n_test} test rows "
                         "leaves one side empty; use more rows or another size")  # fmt: skip
    return n_train, n_test


def train_test_split(
    *arrays: Any,
    test_size: float | int | None = None,
    train_size: float | int | None = None,
    random_state: int | None = None,
    shuffle: bool = True,
) -> list[Any]:
    """Split each of ``arrays`` into train rows and test rows, the same rows for all.

    With ``shuffle`` the rows are drawn by a permutation of ``np.random.RandomState
    (random_state)``, the generator scikit-learn uses, so the same seed gives the same
    split as ``sklearn.model_selection.train_test_split``.

    Args:
        *arrays: lists, NumPy arrays or sparse matrices with the same number of rows.
        test_size: a fraction of the rows (rounded up) or a count; 0.25 when neither
            size is given.
        train_size: a fraction (rounded down) or a count; the rest of the rows by default.
        random_state: the seed of the shuffle.
        shuffle: without it the first rows train and the last rows test.

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]``, each in its input's kind.

    Example:
        >>> X_train, X_test, y_train, y_test = train_test_split(
        ...     [[0], [1], [2], [3]], ["a", "b", "c", "d"], test_size=0.5, random_state=0)
        >>> X_test, y_test
        ([[2], [3]], ['c', 'd'])
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array to split")
    lengths = {_n_rows(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"the arrays have different numbers of rows: {sorted(lengths)}")
    n = lengths.pop()
    n_train, n_test = _split_sizes(n, test_size, train_size)
    if shuffle:
        order = np.random.RandomState(random_state).permutation(n)
        test, train = order[:n_test], order[n_test : n_test + n_train]
    else:
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    result: list[Any] = []
    for array in arrays:
        result += [_take(array, train), _take(array, test)]
    return result
