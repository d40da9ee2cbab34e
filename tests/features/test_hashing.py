"""Tests for nlpjourney.features.hashing: MurmurHash3 and HashingVectorizer.

The hash must equal ``sklearn.utils.murmurhash3_32`` bit for bit on any Unicode string
(hypothesis), any seed, one key or many; the vectorizer must put every feature in the
same column with the same sign as scikit-learn's ``HashingVectorizer``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.feature_extraction import text as sk
from sklearn.utils import murmurhash3_32 as sk_murmurhash3_32

from nlpjourney.features import HashingVectorizer
from nlpjourney.features.hashing import hash_columns, murmurhash3_32, murmurhash3_32_many

seeds = st.integers(0, 2**32 - 1)


@given(st.text(max_size=40), seeds)
def test_hashing_murmurhash3_matches_sklearn(key, seed) -> None:
    assert murmurhash3_32(key, seed) == sk_murmurhash3_32(key, seed=seed)
    expected = sk_murmurhash3_32(key, seed=seed, positive=True)
    assert murmurhash3_32(key, seed, positive=True) == expected


@given(st.binary(max_size=40))
def test_hashing_murmurhash3_bytes_match_sklearn(key) -> None:
    assert murmurhash3_32(key) == sk_murmurhash3_32(key)


@given(st.lists(st.text(max_size=70), max_size=30), seeds)
def test_hashing_many_keys_at_once_match_one_by_one(keys, seed) -> None:
    many = murmurhash3_32_many(keys, seed).view(np.int32)
    assert many.tolist() == [sk_murmurhash3_32(key, seed=seed) for key in keys]


def test_hashing_known_values() -> None:
    # From the reference implementation's test vectors (SMHasher) and scikit-learn.
    assert murmurhash3_32("", 0, positive=True) == 0
    assert murmurhash3_32("", 1, positive=True) == 0x514E28B7
    assert murmurhash3_32("foo") == -156908512
    assert murmurhash3_32("foo", positive=True) == 4138058784


def test_hashing_columns_of_the_most_negative_hash() -> None:
    column, sign = hash_columns(np.array([2**31], dtype=np.uint32), 2**20)
    assert column[0] == 2**31 % 2**20 and sign[0] == -1


GRID = [
    {},
    {"n_features": 2**8, "norm": None},  # small: many collisions, some cancelling
    {"n_features": 1000, "alternate_sign": False, "norm": "l1"},
    {"ngram_range": (1, 2), "n_features": 2**12},
    {"analyzer": "char_wb", "ngram_range": (2, 4), "n_features": 2**10},
    {"analyzer": "char", "ngram_range": (1, 3), "binary": True},
    {"binary": True, "alternate_sign": False, "norm": None, "dtype": np.float32},
    {"stop_words": ["the", "a", "and"], "lowercase": False},
]


@pytest.mark.parametrize("corpus", ["movie_reviews", "sms_spam"])
@pytest.mark.parametrize("params", GRID, ids=repr)
def test_hashing_matches_sklearn(corpus, params, corpus_samples, same_matrix) -> None:
    docs = corpus_samples[corpus]
    ours = HashingVectorizer(**params)
    theirs = sk.HashingVectorizer(**params)
    same_matrix(ours.fit_transform(docs), theirs.fit_transform(docs))
    assert ours.fit(docs) is ours


def test_hashing_counts_equal_count_vectorizer_without_collisions() -> None:
    docs = ["the cat sat on the mat", "the dog"]
    hashed = HashingVectorizer(n_features=2**20, alternate_sign=False, norm=None)
    matrix = hashed.transform(docs)
    assert sorted(matrix.data.tolist()) == [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0]  # 'the' twice


def test_hashing_bad_input() -> None:
    with pytest.raises(ValueError, match="Iterable over raw text documents expected"):
        HashingVectorizer().transform("one string")
    with pytest.raises(ValueError, match="n_features"):
        HashingVectorizer(n_features=0).transform(["aa"])
    with pytest.raises(TypeError, match="n_features"):
        HashingVectorizer(n_features=1.5).transform(["aa"])
    with pytest.raises(ValueError, match="empty sequence"):
        HashingVectorizer().transform([])
    with pytest.raises(TypeError, match="str or bytes"):
        murmurhash3_32(42)


@pytest.mark.slow
@pytest.mark.parametrize("params", [{}, {"ngram_range": (1, 3), "n_features": 2**14}], ids=repr)
def test_hashing_full_corpora_match_sklearn(params, movie_reviews_all, sms_all, same_matrix):
    for docs in (movie_reviews_all, sms_all):
        same_matrix(
            HashingVectorizer(**params).transform(docs),
            sk.HashingVectorizer(**params).transform(docs),
        )
