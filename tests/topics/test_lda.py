"""LDA: variational Bayes against scikit-learn's, Gibbs against planted topics and its plain twin."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment

from nlpjourney.data import corpora
from nlpjourney.features import CountVectorizer
from nlpjourney.ml.base import NotFittedError
from nlpjourney.topics import LDA, _kernels, gibbs_sweep


@pytest.fixture(scope="module")
def speeches() -> tuple[sp.csr_matrix, sp.csr_matrix, list[str]]:
    """State of the Union counts: odd-numbered speeches to fit, the others held out."""
    texts = [text for _, _, text in corpora.state_union()]
    vectorizer = CountVectorizer(stop_words="english", min_df=2, max_features=2000)
    train = vectorizer.fit_transform(texts[::2])
    return train, vectorizer.transform(texts[1::2]), list(vectorizer.get_feature_names_out())


@pytest.mark.parametrize("method", ["online", "batch"])
def test_lda_variational_equals_sklearn(speeches, method) -> None:
    from sklearn.decomposition import LatentDirichletAllocation

    train, test, _ = speeches
    settings = {"max_iter": 4, "batch_size": 8, "learning_decay": 0.6, "learning_offset": 5.0}
    ours = LDA(n_topics=5, method=method, seed=3, alpha=0.3, eta=0.05, **settings).fit(train)
    theirs = LatentDirichletAllocation(n_components=5, learning_method=method, random_state=3,
                                       doc_topic_prior=0.3, topic_word_prior=0.05, **settings)  # fmt: skip
    theirs.fit(train)
    np.testing.assert_allclose(ours.components_, theirs.components_, rtol=1e-9)
    np.testing.assert_allclose(ours.transform(test), theirs.transform(test), rtol=1e-8, atol=1e-12)
    assert ours.perplexity(test) == pytest.approx(theirs.perplexity(test), rel=1e-9)
    assert ours.score(test) == pytest.approx(theirs.score(test), rel=1e-9)
    assert ours.n_batch_iter_ == theirs.n_batch_iter_


def test_lda_default_priors_are_one_over_k(speeches) -> None:
    lda = LDA(n_topics=4, max_iter=1, batch_size=16).fit(speeches[0])
    assert lda.alpha_ == lda.eta_ == 0.25


def test_lda_psi_matches_scipy_digamma() -> None:
    from scipy.special import digamma

    x = np.array([1e-7, 0.01, 0.5, 1.0, 3.3, 5.99, 6.0, 40.0, 1e5])
    ours = np.array([_kernels.psi(v) for v in x])
    np.testing.assert_allclose(ours, digamma(x), rtol=1e-8, atol=1e-8)


def _brown_tokens(n_documents: int = 300, per_document: int = 40):
    """The first tokens of each of ``n_documents`` Brown files, in a 2,000-word vocabulary."""
    texts = [" ".join(words) for _, _, words in corpora.brown_documents()[:n_documents]]
    vectorizer = CountVectorizer(stop_words="english", max_features=2000).fit(texts)
    analyse, vocabulary = vectorizer.build_analyzer(), vectorizer.vocabulary_
    doc_ids, word_ids = [], []
    for d, text in enumerate(texts):
        ids = [vocabulary[t] for t in analyse(text) if t in vocabulary][:per_document]
        doc_ids += [d] * len(ids)
        word_ids += ids
    return np.array(doc_ids), np.array(word_ids), len(texts), len(vocabulary)


def test_lda_gibbs_sweep_equals_kernel() -> None:
    doc_ids, word_ids, n_documents, vocabulary = _brown_tokens()
    k, alpha, eta = 8, 0.2, 0.01
    rng = np.random.default_rng(0)
    z = rng.integers(k, size=len(doc_ids))
    n_dk = np.zeros((n_documents, k), dtype=np.int64)
    n_kw = np.zeros((k, vocabulary), dtype=np.int64)
    np.add.at(n_dk, (doc_ids, z), 1)
    np.add.at(n_kw, (z, word_ids), 1)
    n_k = n_kw.sum(axis=1)
    for _ in range(3):  # a state some sweeps away from uniform noise
        _kernels.gibbs_sweep_kernel(doc_ids, word_ids, z, n_dk, n_kw, n_k, alpha, eta,
                                    rng.random(len(z)))  # fmt: skip
    uniforms = rng.random(len(z))
    state = [a.copy() for a in (z, n_dk, n_kw, n_k)]
    before = z.copy()
    plain = gibbs_sweep(doc_ids, word_ids, *state, alpha, eta, uniforms)
    compiled = _kernels.gibbs_sweep_kernel(doc_ids, word_ids, z, n_dk, n_kw, n_k, alpha, eta,
                                           uniforms)  # fmt: skip
    np.testing.assert_array_equal(plain, compiled)
    for theirs, ours in zip(state, (z, n_dk, n_kw, n_k), strict=True):
        np.testing.assert_array_equal(theirs, ours)
    assert (z != before).mean() > 0.1  # the sweep moved tokens: the comparison has teeth
    assert n_k.sum() == len(doc_ids) and (n_dk.sum(axis=1) == np.bincount(doc_ids)).all()


def _planted(seed: int = 0, n_documents: int = 300, length: int = 80):
    """Counts drawn from LDA's story with known topics φ (4 topics over 40 words)."""
    rng = np.random.default_rng(seed)
    phi = rng.dirichlet(np.full(40, 0.1), size=4)
    theta = rng.dirichlet(np.full(4, 0.3), size=n_documents)
    X = np.array([rng.multinomial(length, t @ phi) for t in theta])
    return sp.csr_matrix(X.astype(float)), phi


def _matched_cosines(found: np.ndarray, phi: np.ndarray) -> np.ndarray:
    a = found / np.linalg.norm(found, axis=1, keepdims=True)
    b = phi / np.linalg.norm(phi, axis=1, keepdims=True)
    rows, cols = linear_sum_assignment(-(a @ b.T))
    return (a @ b.T)[rows, cols]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lda_gibbs_recovers_planted_topics(seed) -> None:
    X, phi = _planted()
    lda = LDA(n_topics=4, method="gibbs", seed=seed, n_iter=150, burn_in=75).fit(X)
    assert _matched_cosines(lda.topic_word_, phi).min() > 0.95
    np.testing.assert_allclose(lda.topic_word_.sum(axis=1), 1.0)


def test_lda_online_best_bound_of_seeds_recovers_planted_topics() -> None:
    # Variational Bayes can stop in a local optimum that merges two topics (so can
    # scikit-learn's, which takes the same steps); the fit with the best bound is the answer.
    X, phi = _planted()
    fits = [LDA(n_topics=4, seed=seed, alpha=0.3, eta=0.1, max_iter=30, batch_size=50).fit(X)
            for seed in range(4)]  # fmt: skip
    best = max(fits, key=lambda lda: lda.score(X))
    assert _matched_cosines(best.topic_word_, phi).min() > 0.95


def test_lda_gibbs_same_seed_same_topics() -> None:
    X, _ = _planted(n_documents=60)
    fit = lambda seed: LDA(n_topics=4, method="gibbs", seed=seed, n_iter=20, burn_in=10).fit(X)  # noqa: E731
    first, again, other = fit(5), fit(5), fit(6)
    np.testing.assert_array_equal(first.components_, again.components_)
    assert not np.array_equal(first.components_, other.components_)
    np.testing.assert_array_equal(first.transform(X[:10]), first.transform(X[:10]))


def test_lda_transform_rows_sum_to_one_dense_equals_sparse() -> None:
    X, _ = _planted(n_documents=40)
    for method in ("gibbs", "online"):
        lda = LDA(n_topics=3, method=method, n_iter=20, burn_in=10, max_iter=3).fit(X)
        theta = lda.transform(X)
        assert theta.shape == (40, 3) and (theta > 0).all()
        np.testing.assert_allclose(theta.sum(axis=1), 1.0)
        np.testing.assert_allclose(lda.transform(X.toarray()), theta)


def test_lda_gibbs_and_online_perplexity_in_one_ballpark(speeches) -> None:
    train, test, _ = speeches
    gibbs = LDA(n_topics=5, method="gibbs", n_iter=60, burn_in=30).fit(train)
    online = LDA(n_topics=5, method="online", max_iter=5, batch_size=8).fit(train)
    g, o = gibbs.perplexity(test), online.perplexity(test)
    # Both far better than guessing among the 2,000 words, and within a factor of 2.
    assert g < 2000 / 1.5 and o < 2000 / 1.5
    assert 0.5 < g / o < 2.0


def test_lda_top_words_by_name_or_index(speeches) -> None:
    train, _, names = speeches
    lda = LDA(n_topics=3, max_iter=2, batch_size=16).fit(train, feature_names=names)
    words = lda.top_words(5)
    assert len(words) == 3 and all(len(row) == 5 for row in words)
    indices = LDA(n_topics=3, max_iter=2, batch_size=16).fit(train).top_words(5)
    assert words == [[names[j] for j in row] for row in indices]
    assert lda.components_[0, indices[0][0]] == lda.components_[0].max()


def test_lda_clones_and_pipelines_with_sklearn() -> None:
    from sklearn.base import clone
    from sklearn.feature_extraction.text import CountVectorizer as SkCountVectorizer
    from sklearn.pipeline import make_pipeline

    lda = LDA(n_topics=7, method="gibbs", seed=2)
    copy = clone(lda)
    assert copy.get_params() == lda.get_params()
    assert repr(copy) == "LDA(n_topics=7, method='gibbs', seed=2)"
    texts = ["cats chase mice", "mice fear cats", "stocks rise", "stocks fall", "cats sleep"]
    pipeline = make_pipeline(SkCountVectorizer(), LDA(n_topics=2, max_iter=3))
    theta = pipeline.fit_transform(texts)
    assert theta.shape == (5, 2)
    np.testing.assert_allclose(theta.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_topics": 0}, "n_topics must be at least 1"),
        ({"method": "em"}, "unknown method 'em'"),
        ({"alpha": -1.0}, "alpha must be positive"),
        ({"method": "gibbs", "n_iter": 10, "burn_in": 10}, "burn_in"),
    ],
)
def test_lda_rejects_bad_parameters(params, message) -> None:
    with pytest.raises(ValueError, match=message):
        LDA(**params).fit(np.ones((3, 4)))


def test_lda_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="negative"):
        LDA().fit(np.array([[1.0, -1.0], [0.0, 2.0]]))
    with pytest.raises(ValueError, match="whole-number counts"):
        LDA(method="gibbs").fit(np.array([[0.5, 1.0], [0.0, 2.0]]))
    with pytest.raises(ValueError, match="feature_names has 1 names"):
        LDA().fit(np.ones((2, 2)), feature_names=["a"])
    with pytest.raises(NotFittedError, match="not fitted"):
        LDA().transform(np.ones((2, 2)))
    lda = LDA(n_topics=2, max_iter=1).fit(np.ones((3, 4)))
    with pytest.raises(ValueError, match="X has 5 features"):
        lda.perplexity(np.ones((2, 5)))
    with pytest.raises(ValueError, match="no tokens"):
        lda.perplexity(np.zeros((2, 4)))
