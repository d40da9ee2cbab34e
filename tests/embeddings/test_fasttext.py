"""FastText: n-grams and hashes equal to gensim's (fastText's), vectors for unseen words,
saving, errors, and unseen inflections whose neighbours share their stem."""

from __future__ import annotations

import numpy as np
import pytest

from nlpjourney.embeddings import FastText, FastTextKeyedVectors, KeyedVectors, VectorsFileError
from nlpjourney.embeddings.fasttext import char_ngrams, ft_hash

WORDS = ["where", "a", "naïve", "café", "日本語", "anana", "don't", "x" * 12]


def test_fasttext_ngrams_and_hashes_match_gensim() -> None:
    fasttext = pytest.importorskip("gensim.models.fasttext")
    for word in WORDS:
        for minn, maxn in [(3, 6), (1, 3), (2, 2)]:
            ours = char_ngrams(word, minn, maxn)
            theirs = [g.decode("utf-8") for g in fasttext.compute_ngrams_bytes(word, minn, maxn)]
            assert ours == theirs, (word, minn, maxn)
            hashes = [ft_hash(g) % 2_000_000 for g in ours]
            assert hashes == list(fasttext.ft_ngram_hashes(word, minn, maxn, 2_000_000))
        assert ft_hash(word) == fasttext.ft_hash_bytes(word.encode("utf-8"))


def test_fasttext_ngrams_worked_example() -> None:
    assert char_ngrams("ab", 1, 2) == ["<a", "a", "ab", "b", "b>"]
    assert char_ngrams("a", 3, 6) == ["<a>"]


@pytest.fixture(scope="module")
def model() -> FastText:
    rng = np.random.default_rng(0)
    stems = ["walk", "talk", "jump", "play", "paint", "climb"]
    nouns = ["house", "garden", "river", "forest"]
    corpus = []
    for _ in range(300):
        verb = str(rng.choice(stems)) + str(rng.choice(["", "s", "ed", "ing"]))
        corpus.append(["they", verb, "to", "the", str(rng.choice(nouns))])
    return FastText(vector_size=16, min_count=2, epochs=3, workers=1, bucket=5000).fit(corpus)


def test_fasttext_word_vector_is_mean_of_its_rows(model: FastText) -> None:
    wv = model.wv
    assert isinstance(wv, FastTextKeyedVectors) and wv.bucket == 5000
    unseen = "walkings"
    assert unseen not in wv
    expected = wv.ngram_vectors[wv.ngram_rows(unseen)].mean(axis=0)
    np.testing.assert_allclose(wv[unseen], expected, rtol=1e-6)
    neighbours = wv.most_similar(unseen, topn=3)
    assert len(neighbours) == 3 and unseen not in [w for w, _ in neighbours]
    assert -1.0 <= wv.similarity(unseen, "walked") <= 1.0
    # A known word's vector mixes its own row with its n-grams: not the n-gram mean alone.
    assert not np.allclose(wv["walked"], wv.ngram_vectors[wv.ngram_rows("walked")].mean(axis=0))


def test_fasttext_save_and_load_keep_ngrams(model: FastText, tmp_path) -> None:
    model.wv.save(tmp_path / "ft.npz")
    loaded = FastTextKeyedVectors.load(tmp_path / "ft.npz")
    np.testing.assert_array_equal(loaded["jumpings"], model.wv["jumpings"])
    model.wv.save_word2vec_format(tmp_path / "ft.txt")
    plain = KeyedVectors.load_word2vec_format(tmp_path / "ft.txt")
    np.testing.assert_allclose(plain["walked"], model.wv["walked"], rtol=1e-6)
    # A plain KeyedVectors file has no n-gram rows: one clear error naming the right saver.
    KeyedVectors(["a"], np.ones((1, 2))).save(tmp_path / "plain.npz")
    with pytest.raises(VectorsFileError, match="not a vectors file saved by FastTextKeyedVectors"):
        FastTextKeyedVectors.load(tmp_path / "plain.npz")
    with pytest.raises(VectorsFileError, match="no vectors file"):
        FastTextKeyedVectors.load(tmp_path / "missing.npz")


@pytest.mark.parametrize("sg", [0, 1])
def test_fasttext_one_worker_is_deterministic(sg: int) -> None:
    corpus = [["they", "walked", "home"], ["they", "talked", "home"], ["we", "walk", "on"]] * 20
    fit = lambda: FastText(vector_size=8, min_count=1, sg=sg, epochs=2, workers=1,  # noqa: E731
                           bucket=1000).fit(corpus).wv  # fmt: skip
    first, again = fit(), fit()
    np.testing.assert_array_equal(first.vectors, again.vectors)
    np.testing.assert_array_equal(first["walking"], again["walking"])


def test_fasttext_without_ngrams_is_word2vec() -> None:
    corpus = [["a", "b", "c", "a"]] * 30
    wv = FastText(vector_size=8, min_count=1, maxn=0, epochs=2, workers=1).fit(corpus).wv
    assert wv.ngram_rows("zzz") == []
    with pytest.raises(KeyError, match="no n-grams"):
        wv["zzz"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"minn": 4, "maxn": 3}, "maxn"), ({"bucket": 0}, "bucket"), ({"minn": 0}, "minn")],
)
def test_fasttext_bad_parameters_are_refused(kwargs, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FastText(**kwargs)


@pytest.mark.slow
def test_fasttext_unseen_words_neighbour_their_morphology() -> None:
    from nlpjourney.embeddings import english_sentences

    sentences = list(english_sentences("brown"))
    # One worker: the same vectors every run (two threads race, and the neighbours move).
    wv = FastText(min_count=3, epochs=2, bucket=200_000, workers=1).fit(sentences).wv
    # Words Brown never uses: each one's neighbours share its stem or its suffix, and on
    # a corpus this small the suffixes dominate, so only some stems are asked for.
    cases = [("rewritings", "writ", "ings"), ("unfriendliness", "friend", "liness"),
             ("governmentwide", "govern", "wide"), ("kindnesses", "kind", "nesses"),
             ("painterly", "paint", "erly"), ("farmhouses", "farm", "ses")]  # fmt: skip
    stems = 0
    for word, stem, suffix in cases:
        assert word not in wv
        neighbours = [w for w, _ in wv.most_similar(word, topn=10)]
        assert any(w.startswith(stem) or w.endswith(suffix) for w in neighbours), neighbours
        stems += any(w.startswith(stem) for w in neighbours)
    assert stems >= 2
