"""KeyedVectors against gensim: same neighbours, files each side reads."""

from __future__ import annotations

import numpy as np
import pytest

from nlpjourney.embeddings import KeyedVectors, VectorsFileError
from nlpjourney.errors import UnknownNameError


@pytest.fixture
def wv() -> KeyedVectors:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(200)] + ["naïve", "café"]
    return KeyedVectors(words, rng.normal(size=(len(words), 16)))


def test_keyed_vectors_most_similar_matches_gensim(wv: KeyedVectors) -> None:
    gensim = pytest.importorskip("gensim")
    theirs = gensim.models.KeyedVectors(16)
    theirs.add_vectors(wv.index_to_key, wv.vectors)
    for positive, negative in [(["w3"], []), (["w1", "w7"], ["w2"]), ([], ["naïve"])]:
        ours = wv.most_similar(positive, negative, topn=8)
        expected = theirs.most_similar(positive=positive, negative=negative, topn=8)
        assert [w for w, _ in ours] == [w for w, _ in expected]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in expected], atol=1e-5)
    assert wv.similarity("w1", "w2") == pytest.approx(
        float(theirs.similarity("w1", "w2")), abs=1e-6
    )
    limited = wv.most_similar("w3", topn=5, restrict_vocab=50)
    assert [w for w, _ in limited] == [
        w for w, _ in theirs.most_similar("w3", topn=5, restrict_vocab=50)
    ]


@pytest.mark.parametrize("binary", [False, True])
def test_keyed_vectors_word2vec_format_round_trips_through_gensim(
    wv: KeyedVectors, tmp_path, binary: bool
) -> None:
    gensim = pytest.importorskip("gensim")
    ours = tmp_path / "ours.vec"
    wv.save_word2vec_format(ours, binary=binary)
    theirs = gensim.models.KeyedVectors.load_word2vec_format(str(ours), binary=binary)
    assert theirs.index_to_key == wv.index_to_key
    np.testing.assert_allclose(theirs.vectors, wv.vectors, rtol=1e-6)
    written = tmp_path / "theirs.vec"
    theirs.save_word2vec_format(str(written), binary=binary)
    back = KeyedVectors.load_word2vec_format(written, binary=binary)
    assert back.index_to_key == wv.index_to_key
    np.testing.assert_allclose(back.vectors, wv.vectors, rtol=1e-6)


def test_keyed_vectors_save_load_is_exact(wv: KeyedVectors, tmp_path) -> None:
    wv.save(tmp_path / "v.npz")
    back = KeyedVectors.load(tmp_path / "v.npz")
    assert back.index_to_key == wv.index_to_key
    assert np.array_equal(back.vectors, wv.vectors)


def test_keyed_vectors_bad_input_gets_clear_errors(wv: KeyedVectors, tmp_path) -> None:
    with pytest.raises(UnknownNameError, match="did you mean|Did you mean"):
        wv["w1000"]
    with pytest.raises(ValueError, match="at least one"):
        wv.most_similar()
    with pytest.raises(ValueError, match="one row per word"):
        KeyedVectors(["a", "b"], np.zeros((3, 2)))
    with pytest.raises(ValueError, match="repeats"):
        KeyedVectors(["a", "a"], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="whitespace"):
        KeyedVectors(["a b"], np.zeros((1, 2))).save_word2vec_format(tmp_path / "x.vec")
    with pytest.raises(VectorsFileError, match="no vectors file"):
        KeyedVectors.load(tmp_path / "missing.npz")
    (tmp_path / "short.vec").write_text("3 2\na 1 2\n")
    with pytest.raises(VectorsFileError, match="ends or breaks"):
        KeyedVectors.load_word2vec_format(tmp_path / "short.vec")
    (tmp_path / "junk.vec").write_text("hello\n")
    with pytest.raises(VectorsFileError, match="first line"):
        KeyedVectors.load_word2vec_format(tmp_path / "junk.vec")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(VectorsFileError, match="not a vectors file"):
        KeyedVectors.load(tmp_path / "junk.npz")
