"""Pictures: our PCA equals scikit-learn's up to each axis's sign; the PNGs get written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.decomposition import PCA

from nlpjourney.embeddings import KeyedVectors, plot_words
from nlpjourney.embeddings.plots import project
from nlpjourney.errors import UnknownNameError

PNG = b"\x89PNG\r\n\x1a\n"


def test_plots_pca_matches_scikit_learn_up_to_sign() -> None:
    data = np.random.default_rng(0).normal(size=(20, 7)) * np.arange(1, 8)
    ours = project(data, "pca")
    theirs = PCA(n_components=2).fit_transform(data)
    signs = np.sign((ours * theirs).sum(0))
    np.testing.assert_allclose(ours * signs, theirs, atol=1e-10)
    # The signs are fixed by the largest coordinate, so a flipped input gives the same picture.
    np.testing.assert_allclose(project(-data, "pca"), ours, atol=1e-10)


def test_plots_refuse_too_few_vectors_and_unknown_methods() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        project(np.ones((2, 4)))
    with pytest.raises(ValueError, match="pca or tsne"):
        project(np.ones((5, 4)), "umap")


def words_and_vectors() -> KeyedVectors:
    rng = np.random.default_rng(1)
    words = ["cat", "dog", "cow", "red", "blue", "green", "one", "two", "three", "four"]
    return KeyedVectors(words, rng.normal(size=(len(words), 12)))


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_plots_write_a_png(method: str, tmp_path: Path) -> None:
    wv = words_and_vectors()
    out = plot_words(wv, wv.index_to_key, tmp_path / f"{method}.png", method=method)
    assert out == tmp_path / f"{method}.png"
    data = out.read_bytes()
    assert data.startswith(PNG) and len(data) > 10_000


def test_plots_refuse_unknown_and_repeated_words(tmp_path: Path) -> None:
    wv = words_and_vectors()
    with pytest.raises(UnknownNameError, match="Did you mean cat"):
        plot_words(wv, ["cat", "dog", "cst"], tmp_path / "x.png")
    with pytest.raises(ValueError, match="once"):
        plot_words(wv, ["cat", "dog", "cat"], tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
