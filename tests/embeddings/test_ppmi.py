"""PPMI-SVD: the PPMI step against its formula computed densely, the SVD step against
NumPy's full SVD, and the vectors' shape, order and repeatability."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from nlpjourney.embeddings import cooccurrence, ppmi, ppmi_svd


def dense_ppmi(counts: np.ndarray, alpha: float) -> np.ndarray:
    """Levy et al.'s definition, term by term: P(w,c) / (P(w) * P_alpha(c))."""
    total = counts.sum()
    p_wc = counts / total
    p_w = counts.sum(1, keepdims=True) / total
    smoothed = counts.sum(0, keepdims=True) ** alpha
    p_c = smoothed / smoothed.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(p_wc / (p_w * p_c))
    # A pair never seen has PMI -inf; a word never seen at all, 0/0: both are 0 in PPMI.
    return np.maximum(np.nan_to_num(pmi, nan=0.0, neginf=0.0), 0.0)


@pytest.mark.parametrize("alpha", [1.0, 0.75, 0.5])
def test_ppmi_matches_the_dense_formula(alpha: float) -> None:
    rng = np.random.default_rng(3)
    counts = rng.poisson(1.5, size=(7, 9)).astype(float)
    counts[2] = 0.0  # a word never seen with any context stays all zero
    got = ppmi(sp.csr_matrix(counts), alpha)
    np.testing.assert_allclose(got.toarray(), dense_ppmi(counts, alpha), rtol=1e-12)
    assert got.nnz == int((dense_ppmi(counts, alpha) > 0).sum())  # zeros are not stored
    np.testing.assert_allclose(ppmi(counts, alpha).toarray(), got.toarray())  # dense in


def test_ppmi_refuses_negative_counts_and_alpha() -> None:
    with pytest.raises(ValueError, match="negative"):
        ppmi(np.array([[1.0, -1.0]]))
    with pytest.raises(ValueError, match="alpha"):
        ppmi(np.eye(2), alpha=0.0)


TEXT = [
    ["the", "cat", "sat", "on", "the", "mat"],
    ["the", "dog", "sat", "on", "the", "rug"],
    ["a", "cat", "ran", "to", "a", "dog"],
    ["the", "dog", "ran", "on", "a", "mat"],
] * 10


def test_ppmi_svd_is_u_times_s_to_the_eig_of_the_ppmi_matrix() -> None:
    wv = ppmi_svd(TEXT, vector_size=3, window=2, min_count=1, eig=0.5)
    vocab = {w: i for i, w in enumerate(wv.index_to_key)}
    matrix = ppmi(cooccurrence(TEXT, vocab, window=2, harmonic=False)).toarray()
    left, values, _ = np.linalg.svd(matrix)
    expected = left[:, :3] * values[:3] ** 0.5
    # Singular vectors are defined up to sign: compare each column with its sign fixed.
    signs = np.sign((wv.vectors * expected).sum(0))
    np.testing.assert_allclose(wv.vectors * signs, expected, atol=1e-5)
    # Same vectors, same seed: bit for bit.
    again = ppmi_svd(TEXT, vector_size=3, window=2, min_count=1, eig=0.5)
    np.testing.assert_array_equal(wv.vectors, again.vectors)


def test_ppmi_svd_orders_words_by_frequency_and_refuses_too_many_dimensions() -> None:
    wv = ppmi_svd(TEXT, vector_size=2, window=2, min_count=1)
    assert wv.index_to_key[0] == "the"
    assert wv.vectors.shape == (len(wv), 2)
    with pytest.raises(ValueError, match="lower vector_size or min_count"):
        ppmi_svd(TEXT, vector_size=50, window=2, min_count=1)
    with pytest.raises(TypeError, match="one-pass iterator"):
        ppmi_svd(iter(TEXT), vector_size=2, min_count=1)
    with pytest.raises(ValueError, match="vector_size"):
        ppmi_svd(TEXT, vector_size=0)


def test_ppmi_svd_puts_words_used_alike_close() -> None:
    rng = np.random.default_rng(0)
    animals, furniture = ["cat", "dog", "cow"], ["chair", "table", "sofa"]
    text = []
    for _ in range(400):
        if rng.random() < 0.5:
            text.append(["the", str(rng.choice(animals)), "eats", "and", "sleeps"])
        else:
            text.append(["the", str(rng.choice(furniture)), "is", "wooden", "and", "heavy"])
    wv = ppmi_svd(text, vector_size=4, window=3, min_count=1)
    assert wv.similarity("cat", "dog") > wv.similarity("cat", "chair") + 0.3
    assert wv.most_similar("table", topn=2)[0][0] in {"chair", "sofa"}
