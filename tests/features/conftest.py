"""Shared fixtures for the nlpjourney.features tests: real documents and a matrix check.

Fast tests use a fixed sample (every k-th document, so both labels appear); tests marked
slow use whole corpora.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import scipy.sparse as sp

from nlpjourney.data import corpora


@pytest.fixture(scope="session")
def movie_reviews_all() -> list[str]:
    return [text for text, _ in corpora.movie_reviews()]


@pytest.fixture(scope="session")
def sms_all() -> list[str]:
    return [text for text, _ in corpora.sms_spam()]


@pytest.fixture(scope="session")
def movie_sample(movie_reviews_all: list[str]) -> list[str]:
    return movie_reviews_all[::100]  # 20 reviews, negative and positive


@pytest.fixture(scope="session")
def sms_sample(sms_all: list[str]) -> list[str]:
    return sms_all[::15]  # 372 messages, ham and spam


@pytest.fixture(scope="session")
def corpus_samples(movie_sample: list[str], sms_sample: list[str]) -> dict[str, list[str]]:
    return {"movie_reviews": movie_sample, "sms_spam": sms_sample}


def assert_same_matrix(ours: sp.spmatrix, theirs: sp.spmatrix) -> None:
    """Same shape, dtype, sparsity structure and (allclose) values; ours has sorted indices.

    scikit-learn may leave a row's column indices unsorted after it renumbers its
    vocabulary, so its matrix is compared in canonical (sorted) form.
    """
    assert isinstance(ours, sp.csr_matrix), type(ours)
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    assert ours.has_sorted_indices
    theirs = sp.csr_matrix(theirs, copy=True)
    theirs.sort_indices()
    np.testing.assert_array_equal(ours.indptr, theirs.indptr)
    np.testing.assert_array_equal(ours.indices, theirs.indices)
    # float32 weights: sklearn computes idf in float32, we in float64 and round once.
    rtol = 1e-6 if ours.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours.data, theirs.data, rtol=rtol, atol=1e-15)


@pytest.fixture(scope="session")
def same_matrix() -> Callable[[sp.spmatrix, sp.spmatrix], None]:
    return assert_same_matrix
