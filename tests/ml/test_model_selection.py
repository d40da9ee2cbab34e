"""Splits against scikit-learn's (nlpjourney.ml.model_selection)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.model_selection import train_test_split as sk_train_test_split

from nlpjourney.ml.model_selection import train_test_split


@pytest.mark.parametrize(
    ("n", "sizes"),
    [(10, {}), (103, {"test_size": 0.2}), (50, {"train_size": 0.3}), (40, {"test_size": 7}),
     (40, {"test_size": 0.1, "train_size": 0.5}), (33, {"train_size": 12})],
)  # fmt: skip
@pytest.mark.parametrize("seed", [0, 42])
def test_model_selection_train_test_split_gives_sklearns_rows(
    n: int, sizes: dict, seed: int
) -> None:
    X = np.arange(2 * n).reshape(n, 2)
    y = list(range(n))
    ours = train_test_split(X, y, random_state=seed, **sizes)
    theirs = sk_train_test_split(X, y, random_state=seed, **sizes)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)
    assert isinstance(ours[2], list)


def test_model_selection_train_test_split_keeps_kinds_and_order_without_shuffle() -> None:
    X = sp.csr_matrix(np.eye(5))
    X_train, X_test = train_test_split(X, test_size=2, shuffle=False)
    assert sp.issparse(X_train) and X_train.shape == (3, 5)
    np.testing.assert_array_equal(X_test.toarray(), np.eye(5)[3:])


def test_model_selection_train_test_split_refuses_bad_sizes() -> None:
    with pytest.raises(ValueError, match="different numbers of rows"):
        train_test_split([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        train_test_split([1, 2, 3], test_size=1.5)
    with pytest.raises(ValueError, match="more than the 4 rows"):
        train_test_split([1, 2, 3, 4], test_size=3, train_size=3)
    with pytest.raises(ValueError, match="leaves one side empty"):
        train_test_split([1, 2], test_size=0.01, train_size=0.01)
    with pytest.raises(ValueError, match="at least one array"):
        train_test_split()
