"""Word2Vec: the SGNS maths against torch, the compiled loop against the maths, the
tables against gensim's formulas, reproducibility, gensim reading our vectors, errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from nlpjourney.embeddings import KeyedVectors, Word2Vec
from nlpjourney.embeddings.word2vec import (
    TABLE_DOMAIN,
    huffman_tree,
    keep_probabilities,
    negative_sampling_table,
    sgns_loss_and_grads,
    sgns_pairs_compiled,
    sgns_step,
)

TOY = [
    ["the", "cat", "sat", "on", "the", "mat"],
    ["the", "dog", "sat", "on", "the", "rug"],
    ["a", "cat", "and", "a", "dog", "played"],
    ["the", "car", "drove", "on", "the", "road"],
] * 25


def toy_corpus(n_sentences: int = 400, seed: int = 0) -> list[list[str]]:
    """Two topics with their own words, so neighbours have something to find."""
    rng = np.random.default_rng(seed)
    topics = [
        [f"animal{i}" for i in range(15)] + ["fur", "paw", "tail"],
        [f"vehicle{i}" for i in range(15)] + ["wheel", "engine", "road"],
    ]
    shared = ["the", "a", "and", "of", "with"]
    sentences = []
    for s in range(n_sentences):
        words = topics[s % 2]
        sentence = [
            str(rng.choice(shared)) if rng.random() < 0.3 else str(rng.choice(words))
            for _ in range(12)
        ]
        sentences.append(sentence)
    return sentences


def test_word2vec_sgns_gradients_match_torch_autograd() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    center, context = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    negatives = rng.normal(size=(4, 3, 6))
    loss, d_center, d_context, d_negatives = sgns_loss_and_grads(center, context, negatives)

    c, o, n = (torch.tensor(a, requires_grad=True) for a in (center, context, negatives))
    positive = (c * o).sum(-1)
    negative = torch.einsum("bd,bkd->bk", c, n)
    expected = -(torch.nn.functional.logsigmoid(positive).sum()
                 + torch.nn.functional.logsigmoid(-negative).sum())  # fmt: skip
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-12)
    for ours, tensor in [(d_center, c), (d_context, o), (d_negatives, n)]:
        np.testing.assert_allclose(ours, tensor.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_word2vec_sgns_step_lowers_the_loss() -> None:
    rng = np.random.default_rng(1)
    w_in, w_out = rng.normal(size=(10, 8)) * 0.3, rng.normal(size=(10, 8)) * 0.3
    centers, contexts = np.array([0, 1, 2]), np.array([3, 4, 5])
    negatives = np.array([[6, 7], [8, 9], [6, 9]])
    first = sgns_step(w_in, w_out, centers, contexts, negatives, lr=0.1)
    second = sgns_step(w_in, w_out, centers, contexts, negatives, lr=0.1)
    assert second < first


def test_word2vec_kernel_update_equals_sgns_step() -> None:
    rng = np.random.default_rng(2)
    w_in = rng.normal(size=(12, 8)).astype(np.float32) * 0.5
    w_out = rng.normal(size=(12, 8)).astype(np.float32) * 0.5
    # Distinct rows everywhere: one update after another equals all at once.
    centers, contexts = np.array([0, 1, 2], np.int64), np.array([3, 4, 5], np.int64)
    negatives = np.array([[6, 7], [8, 9], [10, 11]], np.int64)
    ours_in, ours_out = w_in.copy(), w_out.copy()
    sgns_pairs_compiled(ours_in, ours_out, centers, contexts, negatives, 0.05)
    ref_in, ref_out = w_in.astype(np.float64), w_out.astype(np.float64)
    sgns_step(ref_in, ref_out, centers, contexts, negatives, lr=0.05)
    np.testing.assert_allclose(ours_in, ref_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours_out, ref_out, rtol=1e-5, atol=1e-6)
    assert not np.allclose(ours_in, w_in)
    with pytest.raises(TypeError, match="float32"):
        sgns_pairs_compiled(ref_in, ref_out, centers, contexts, negatives, 0.05)


def test_word2vec_negative_table_draws_follow_unigram_to_the_075() -> None:
    counts = np.array([1000, 300, 50, 7, 1])
    table = negative_sampling_table(counts)
    assert table[-1] == TABLE_DOMAIN and np.all(np.diff(table) > 0)
    draws = np.random.default_rng(0).integers(0, table[-1], size=400_000)
    frequencies = np.bincount(np.searchsorted(table, draws), minlength=5) / draws.size
    expected = counts**0.75 / (counts**0.75).sum()
    np.testing.assert_allclose(frequencies, expected, atol=3e-3)


def test_word2vec_tables_match_gensim() -> None:
    gensim = pytest.importorskip("gensim")
    corpus = toy_corpus(300)
    theirs = gensim.models.Word2Vec(min_count=1, sample=1e-2, workers=1)
    theirs.build_vocab(corpus)
    words = theirs.wv.index_to_key
    counts = np.array([theirs.wv.get_vecattr(w, "count") for w in words])
    np.testing.assert_array_equal(negative_sampling_table(counts), theirs.cum_table)
    keep = keep_probabilities(counts, 1e-2)
    sample_int = np.array([theirs.wv.get_vecattr(w, "sample_int") for w in words])
    np.testing.assert_allclose(np.round(keep * 2**32), sample_int, rtol=1e-9)
    assert keep.min() < 1.0  # the formula bit on some word
    ours = Word2Vec(min_count=1, epochs=1, workers=1).fit(corpus)
    assert sorted(ours.wv.index_to_key) == sorted(words)
    assert [theirs.wv.get_vecattr(w, "count") for w in ours.wv.index_to_key] == sorted(
        counts, reverse=True
    )


def test_word2vec_huffman_tree_is_optimal_like_gensims() -> None:
    gensim = pytest.importorskip("gensim")
    corpus = toy_corpus(300) + [["rare"], ["rarer", "rare"]]
    theirs = gensim.models.Word2Vec(min_count=1, hs=1, negative=0, workers=1)
    theirs.build_vocab(corpus)
    words = theirs.wv.index_to_key
    counts = np.array([theirs.wv.get_vecattr(w, "count") for w in words])
    starts, codes, points = huffman_tree(counts)
    ours = ["".join(map(str, codes[starts[w] : starts[w + 1]])) for w in range(len(words))]
    # Ties may be broken differently (gensim's heap compares counts only), but every
    # Huffman tree has the same, smallest, total path length weighted by count.
    lengths = np.diff(starts)
    expected = [len(theirs.wv.get_vecattr(w, "code")) for w in words]
    assert (counts * lengths).sum() == (counts * np.array(expected)).sum()
    assert not any(a != b and b.startswith(a) for a in ours for b in ours)  # prefix-free
    assert points.max() == len(words) - 2 and all(
        points[starts[w]] == len(words) - 2 for w in range(len(words))
    )  # every path starts at the root, the last inner node


@pytest.mark.parametrize("negative", [0, 5])
def test_word2vec_hierarchical_softmax_learns_topics(negative: int) -> None:
    model = Word2Vec(vector_size=24, window=3, min_count=1, hs=1, negative=negative, sample=0,
                     epochs=5, workers=1)  # fmt: skip
    wv = model.fit(toy_corpus(600)).wv
    same = np.mean([wv.similarity("animal1", f"animal{i}") for i in range(2, 12)])
    other = np.mean([wv.similarity("animal1", f"vehicle{i}") for i in range(2, 12)])
    assert same > other + 0.2
    assert model.syn1.shape == (len(wv) - 1, 24) and np.abs(model.syn1).sum() > 0
    assert model.syn1neg.shape[0] == (len(wv) if negative else 0)


def test_word2vec_keep_probabilities_formula() -> None:
    counts = np.array([5000, 500, 50, 5])
    t = 1e-3 * counts.sum()
    expected = np.minimum(1, (np.sqrt(counts / t) + 1) * t / counts)
    np.testing.assert_allclose(keep_probabilities(counts, 1e-3), expected)
    np.testing.assert_array_equal(keep_probabilities(counts, 0), np.ones(4))


@pytest.mark.parametrize("sg", [1, 0])
def test_word2vec_one_worker_is_deterministic(sg: int) -> None:
    corpus = toy_corpus(200)
    fit = lambda seed: Word2Vec(vector_size=16, min_count=1, sg=sg, epochs=2, workers=1,  # noqa: E731
                                seed=seed).fit(corpus).wv.vectors  # fmt: skip
    first, again, other = fit(7), fit(7), fit(8)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


@pytest.mark.parametrize("sg", [1, 0])
def test_word2vec_learns_topics_with_two_workers(sg: int) -> None:
    corpus = toy_corpus(600)
    # sample=0: on 7,000 words the default subsampling keeps too little to learn from.
    model = Word2Vec(vector_size=24, window=3, min_count=1, sg=sg, sample=0, epochs=5, workers=2)
    wv = model.fit(corpus).wv
    same = np.mean([wv.similarity("animal1", f"animal{i}") for i in range(2, 12)])
    other = np.mean([wv.similarity("animal1", f"vehicle{i}") for i in range(2, 12)])
    assert same > other + 0.2
    assert wv.index_to_key[0] in {"the", "a", "and", "of", "with"}


def test_word2vec_reads_a_callable_once_per_pass() -> None:
    calls = []

    def corpus() -> list[list[str]]:
        calls.append(1)
        return TOY

    model = Word2Vec(vector_size=8, min_count=1, epochs=3, workers=1).fit(corpus)
    assert len(calls) == 1 + 3
    assert model.corpus_words == sum(map(len, TOY))
    assert model.syn1neg.shape == model.wv.vectors.shape


def test_word2vec_cuts_long_sentences_and_skips_unknown_words() -> None:
    jobs = list(
        Word2Vec(min_count=1, epochs=1, workers=1)._jobs(
            lambda: [["a", "b", "c"] * 9000, ["a", "zzz"]], {"a": 0, "b": 1, "c": 2}
        )
    )
    ids, starts, before, _ = jobs[0]
    assert starts.tolist() == [0, 10_000, 20_000, 27_000] and before == 0
    assert ids[:3].tolist() == [0, 1, 2] and len(jobs) == 2
    assert jobs[1][0].tolist() == [0, -1] and jobs[1][2] == 27_000


def test_word2vec_saved_vectors_give_gensim_the_same_neighbours(tmp_path) -> None:
    gensim = pytest.importorskip("gensim")
    wv = Word2Vec(vector_size=16, min_count=1, epochs=3, workers=1).fit(toy_corpus(200)).wv
    for binary in (False, True):
        path = tmp_path / f"vectors.{'bin' if binary else 'txt'}"
        wv.save_word2vec_format(path, binary=binary)
        theirs = gensim.models.KeyedVectors.load_word2vec_format(str(path), binary=binary)
        for word in ["animal3", "vehicle0", "the"]:
            ours = wv.most_similar(word, topn=5)
            expected = theirs.most_similar(word, topn=5)
            assert [w for w, _ in ours] == [w for w, _ in expected]
            np.testing.assert_allclose([s for _, s in ours], [s for _, s in expected], atol=1e-5)
    wv.save(tmp_path / "vectors.npz")
    np.testing.assert_array_equal(KeyedVectors.load(tmp_path / "vectors.npz").vectors, wv.vectors)


def test_word2vec_progress_bar_runs(capsys) -> None:
    Word2Vec(vector_size=8, min_count=1, epochs=1, workers=2).fit(TOY, progress=True)
    assert "Training Word2Vec" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("corpus", "error", "message"),
    [
        ([], ValueError, "no words"),
        ([[], []], ValueError, "no words"),
        (["the cat sat"], TypeError, "list of tokens"),
        ([[1, 2, 3]], TypeError, "tokens must be str"),
        ("the cat sat", TypeError, "not one string"),
        ((s for s in TOY), TypeError, "one-shot iterator"),
        ([["rare", "words", "only"]], ValueError, "min_count=5"),
    ],
)
def test_word2vec_bad_corpus_says_what_to_do(corpus, error, message: str) -> None:
    with pytest.raises(error, match=message):
        Word2Vec(workers=1).fit(corpus)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"hs": 2}, ValueError, "hierarchical softmax"),
        ({"hs": 0, "negative": 0}, ValueError, "no output to train"),
        ({"negative": -1}, ValueError, "negative"),
        ({"sg": 2}, ValueError, "skip-gram"),
        ({"vector_size": 0}, ValueError, "vector_size"),
        ({"window": 1.5}, TypeError, "window"),
        ({"alpha": 0.01, "min_alpha": 0.1}, ValueError, "alpha"),
        ({"sample": -1.0}, ValueError, "sample"),
        ({"workers": 0}, ValueError, "workers"),
        ({"epochs": True}, TypeError, "epochs"),
    ],
)
def test_word2vec_bad_parameters_are_refused(kwargs, error, message: str) -> None:
    with pytest.raises(error, match=message):
        Word2Vec(**kwargs)


def test_word2vec_kernels_import_without_a_writable_cache() -> None:
    # A read-only install with no writable home: numba finds no cache folder and
    # refuses cache=True; the kernels must still import (and compile in memory).
    code = (
        "from numba.core import caching\n"
        "caching.CacheImpl._locator_classes = []\n"
        "from nlpjourney.embeddings import _kernels\n"
        "print(type(_kernels.train_chunk._cache).__name__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "NullCache"


def test_word2vec_needs_fit_before_vectors() -> None:
    with pytest.raises(AttributeError, match="call fit first"):
        Word2Vec().wv  # noqa: B018


@pytest.mark.slow
def test_word2vec_brown_neighbours_beat_random_pairs() -> None:
    gensim = pytest.importorskip("gensim")
    from gensim.test.utils import datapath

    from nlpjourney.embeddings import english_sentences

    sentences = list(english_sentences("brown"))
    wv = Word2Vec(epochs=3, workers=2).fit(sentences).wv
    pairs = [("man", "woman"), ("king", "queen"), ("monday", "friday"), ("father", "mother"),
             ("city", "town"), ("car", "automobile"), ("three", "four"), ("red", "blue")]  # fmt: skip
    related = np.array([wv.similarity(a, b) for a, b in pairs])
    rng = np.random.default_rng(0)
    top = wv.index_to_key[100:5000]
    unrelated = np.array([wv.similarity(*rng.choice(top, 2, replace=False)) for _ in range(300)])
    # subtle: on a million words every vector leans one common way (random pairs have
    # cosines near 0.8, as with gensim), so the margins are small but consistent.
    assert related.mean() > unrelated.mean() + 0.03
    assert (related > np.median(unrelated)).sum() >= 5
    theirs = gensim.models.KeyedVectors(wv.vector_size)
    theirs.add_vectors(wv.index_to_key, wv.vectors)
    _, spearman, _ = theirs.evaluate_word_pairs(datapath("wordsim353.tsv"))
    assert spearman.statistic > 0.12  # gensim's own skip-gram scores about 0.19 here
