"""The linear-chain CRF: forward-backward against brute force, training against python-crfsuite.

Brute force enumerates all K^n tag paths of small random problems, so the log partition,
the forward table and both kinds of marginals have an independent answer.
"""

from __future__ import annotations

import itertools

import numpy as np
import pycrfsuite
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp

from nlpjourney.errors import ModelFormatError
from nlpjourney.ml.base import NotFittedError
from nlpjourney.tagging._crf_kernels import forward_backward, viterbi_batch
from nlpjourney.tagging._crf_objective import (
    _Batch,
    _Layout,
    encode_attributes,
    negative_log_likelihood,
)
from nlpjourney.tagging.crf import (
    CRF,
    backward_log_betas,
    forward_log_alphas,
    log_partition,
    marginals,
    sequence_score,
)
from nlpjourney.tagging.decode import viterbi


def _problem(seed: int, n: int, k: int, scale: float = 1.0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(n, k)) * scale,
        rng.normal(size=(k, k)) * scale,
        rng.normal(size=k) * scale,
        rng.normal(size=k) * scale,
    )


def _all_scores(emissions, transitions, start, end) -> tuple[list[tuple[int, ...]], np.ndarray]:
    n, k = emissions.shape
    paths = list(itertools.product(range(k), repeat=n))
    scores = np.array([sequence_score(emissions, transitions, p, start, end) for p in paths])
    return paths, scores


def _direct_score(emissions, transitions, path, start, end) -> float:
    total = start[path[0]] + end[path[-1]]
    for t, tag in enumerate(path):
        total += emissions[t, tag]
        if t:
            total += transitions[path[t - 1], tag]
    return float(total)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 5), k=st.integers(1, 4))
def test_crf_log_partition_equals_brute_force(seed: int, n: int, k: int) -> None:
    emissions, transitions, start, end = _problem(seed, n, k)
    paths, scores = _all_scores(emissions, transitions, start, end)
    path = paths[seed % len(paths)]
    assert sequence_score(emissions, transitions, path, start, end) == pytest.approx(
        _direct_score(emissions, transitions, path, start, end)
    )
    assert log_partition(emissions, transitions, start, end) == pytest.approx(logsumexp(scores))


def test_crf_forward_table_sums_prefixes() -> None:
    emissions, transitions, start, end = _problem(1, 4, 3)
    alphas = forward_log_alphas(emissions, transitions, start, end)
    # alpha[t, j] is the log-sum over prefixes of length t + 1 ending in j (no end score).
    for t in range(4):
        zero_end = np.zeros(3)
        paths, scores = _all_scores(emissions[: t + 1], transitions, start, zero_end)
        for j in range(3):
            ending = [s for p, s in zip(paths, scores, strict=True) if p[-1] == j]
            assert alphas[t, j] == pytest.approx(logsumexp(ending))


def test_crf_backward_table_meets_forward() -> None:
    emissions, transitions, start, end = _problem(2, 5, 3)
    alphas = forward_log_alphas(emissions, transitions, start, end)
    betas = backward_log_betas(emissions, transitions, start, end)
    log_z = log_partition(emissions, transitions, start, end)
    # Every position splits every path once: logsumexp(alpha[t] + beta[t]) = log Z for all t.
    np.testing.assert_allclose(logsumexp(alphas + betas, axis=1), np.full(5, log_z))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 5), k=st.integers(1, 4))
def test_crf_marginals_equal_brute_force(seed: int, n: int, k: int) -> None:
    emissions, transitions, start, end = _problem(seed, n, k)
    paths, scores = _all_scores(emissions, transitions, start, end)
    probs = np.exp(scores - logsumexp(scores))
    unary_expected = np.zeros((n, k))
    pairwise_expected = np.zeros((max(n - 1, 0), k, k))
    for path, prob in zip(paths, probs, strict=True):
        unary_expected[np.arange(n), path] += prob
        for t in range(1, n):
            pairwise_expected[t - 1, path[t - 1], path[t]] += prob
    unary, pairwise = marginals(emissions, transitions, start, end)
    np.testing.assert_allclose(unary, unary_expected, atol=1e-12)
    np.testing.assert_allclose(pairwise, pairwise_expected, atol=1e-12)


def test_crf_forward_is_stable_with_huge_scores() -> None:
    emissions, transitions, start, end = _problem(3, 4, 3, scale=1e4)
    paths, scores = _all_scores(emissions, transitions, start, end)
    log_z = log_partition(emissions, transitions, start, end)
    assert np.isfinite(log_z)
    assert log_z == pytest.approx(logsumexp(scores), rel=1e-12)
    unary, pairwise = marginals(emissions, transitions, start, end)
    assert np.isfinite(unary).all() and np.isfinite(pairwise).all()
    np.testing.assert_allclose(unary.sum(axis=1), 1.0)
    # With scores this far apart the best path holds all the mass.
    best = paths[int(np.argmax(scores))]
    np.testing.assert_allclose(unary[np.arange(4), best], 1.0)


def test_crf_default_start_end_are_zero() -> None:
    emissions, transitions, _, _ = _problem(4, 3, 2)
    zeros = np.zeros(2)
    assert log_partition(emissions, transitions) == log_partition(
        emissions, transitions, zeros, zeros
    )
    assert sequence_score(emissions, transitions, [1, 0, 1]) == pytest.approx(
        emissions[0, 1] + emissions[1, 0] + emissions[2, 1] + transitions[1, 0] + transitions[0, 1]
    )


def test_crf_scores_reject_bad_shapes() -> None:
    emissions, transitions, start, end = _problem(5, 3, 2)
    with pytest.raises(ValueError, match="at least one token"):
        log_partition(np.zeros((0, 2)), transitions)
    with pytest.raises(ValueError, match="transitions must be"):
        forward_log_alphas(emissions, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="start must have shape"):
        log_partition(emissions, transitions, np.zeros(3), end)
    with pytest.raises(ValueError, match="one tag per token"):
        sequence_score(emissions, transitions, [0, 1])
    with pytest.raises(ValueError, match="indices"):
        sequence_score(emissions, transitions, [0, 1, 2])


# --- the compiled kernels against the readable functions ------------------------------


# scale 3 takes the kernel's fast path (exp(transitions) once), 1e3 its log-space path.
@pytest.mark.parametrize("scale", [3.0, 1e3])
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 4))
def test_crf_kernel_forward_backward_equals_marginals(scale: float, seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 6, size=4)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    emissions = rng.normal(size=(offsets[-1], k)) * scale
    _, transitions, start, end = _problem(seed, 1, k, scale=scale)
    unary = np.empty_like(emissions)
    pairs, starts, ends = np.zeros((k, k)), np.zeros(k), np.zeros(k)
    total = forward_backward(
        emissions, offsets, transitions, start, end, unary, pairs, starts, ends
    )
    expected_total = 0.0
    expected_pairs, expected_starts, expected_ends = np.zeros((k, k)), np.zeros(k), np.zeros(k)
    for s in range(len(lengths)):
        rows = emissions[offsets[s] : offsets[s + 1]]
        expected_total += log_partition(rows, transitions, start, end)
        expected_unary, pairwise = marginals(rows, transitions, start, end)
        np.testing.assert_allclose(unary[offsets[s] : offsets[s + 1]], expected_unary, atol=1e-12)
        expected_pairs += pairwise.sum(axis=0)
        expected_starts += expected_unary[0]
        expected_ends += expected_unary[-1]
    assert total == pytest.approx(expected_total, rel=1e-12)
    np.testing.assert_allclose(pairs, expected_pairs, atol=1e-12)
    np.testing.assert_allclose(starts, expected_starts, atol=1e-12)
    np.testing.assert_allclose(ends, expected_ends, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 4), ties=st.booleans())
def test_crf_kernel_viterbi_equals_decode_viterbi(seed: int, k: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 6, size=3)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    emissions = rng.normal(size=(offsets[-1], k))
    _, transitions, start, end = _problem(seed, 1, k)
    if ties:  # small integers make equal-scoring paths common
        emissions, transitions = emissions.round(), transitions.round()
        start, end = start.round(), end.round()
    paths = np.zeros(offsets[-1], dtype=np.int64)
    viterbi_batch(emissions, offsets, transitions, start, end, paths)
    for s in range(len(lengths)):
        expected, _ = viterbi(emissions[offsets[s] : offsets[s + 1]], transitions, start, end)
        np.testing.assert_array_equal(paths[offsets[s] : offsets[s + 1]], expected)


# --- the training objective -------------------------------------------------------------

_TOY_SENTENCES = [
    [["w=the", "low"], ["w=cat", "low"], ["w=sat", "low"]],
    [["w=Ann", "cap"], ["w=saw", "low"], ["w=the", "low"], ["w=Cat", "cap"]],
    [["w=Bob", "cap"], ["w=ran", "low"]],
    [["w=Ann", "cap"]],
]
_TOY_TAGS = [["D", "N", "V"], ["N", "V", "D", "N"], ["N", "V"], ["N"]]


def _toy_problem(crf: CRF) -> tuple[_Layout, _Batch]:
    """The layout and batch a CRF builds for the toy data (its own fit's bookkeeping)."""
    crf.fit(_TOY_SENTENCES, _TOY_TAGS)
    vocabulary: dict[str, int] = {}
    X = encode_attributes(_TOY_SENTENCES, vocabulary, grow=True)
    index = {tag: j for j, tag in enumerate(crf.tags_)}
    y = np.array([index[tag] for tags in _TOY_TAGS for tag in tags])
    offsets = np.concatenate([[0], np.cumsum([len(tags) for tags in _TOY_TAGS])]).astype(np.int64)
    batch = _Batch(X, y, offsets)
    return crf._layout(batch, len(vocabulary)), batch


@pytest.mark.parametrize("possible", [True, False])
def test_crf_gradient_matches_finite_differences(possible: bool) -> None:
    crf = CRF(max_iter=1, features=None, possible_states=possible, possible_transitions=possible)
    layout, batch = _toy_problem(crf)
    theta = np.random.default_rng(0).normal(size=layout.size)
    loss, gradient = negative_log_likelihood(layout, theta, batch)
    step = 1e-6
    numeric = np.empty_like(theta)
    for i in range(layout.size):
        bump = np.zeros_like(theta)
        bump[i] = step
        up, _ = negative_log_likelihood(layout, theta + bump, batch)
        down, _ = negative_log_likelihood(layout, theta - bump, batch)
        numeric[i] = (up - down) / (2 * step)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-7)
    # The loss is the readable functions' -log p(gold), summed over sentences.
    weights, transitions, start, end = layout.unpack(theta)
    expected = 0.0
    for s in range(4):
        rows = slice(batch.offsets[s], batch.offsets[s + 1])
        emissions = np.asarray(batch.X[rows] @ weights)
        expected += log_partition(emissions, transitions, start, end)
        expected -= sequence_score(emissions, transitions, batch.y[rows], start, end)
    assert loss == pytest.approx(expected)


def _crfsuite_fit(sentences, tags, folder, c2: float, **params) -> tuple[dict, float]:
    trainer = pycrfsuite.Trainer(verbose=False)
    for attributes, labels in zip(sentences, tags, strict=True):
        trainer.append(attributes, labels)
    trainer.select("lbfgs")
    trainer.set_params({"c1": 0.0, "c2": c2, "epsilon": 1e-12, "delta": 1e-12, **params})
    trainer.train(str(folder / "crfsuite.model"))
    tagger = pycrfsuite.Tagger()
    tagger.open(str(folder / "crfsuite.model"))
    info = tagger.info()
    tagger.close()
    return info, trainer.logparser.last_iteration["loss"]


def test_crf_optimises_crfsuites_objective(tmp_path) -> None:
    # Every state and transition pair free and no start/end scores: CRFsuite's model.
    params = {"feature.possible_states": True, "feature.possible_transitions": True}
    info, crfsuite_loss = _crfsuite_fit(_TOY_SENTENCES, _TOY_TAGS, tmp_path, c2=0.5, **params)
    crf = CRF(c2=0.5, max_iter=500, features=None, possible_states=True, boundary=False)
    layout, batch = _toy_problem(crf)
    # Our objective at CRFsuite's optimum is CRFsuite's reported loss.
    index = {tag: j for j, tag in enumerate(crf.tags_)}
    column = {name: i for i, name in enumerate(crf.attributes_)}
    weights = np.zeros((len(column), len(index)))
    for (name, tag), value in info.state_features.items():
        weights[column[name], index[tag]] = value
    transitions = np.zeros((len(index), len(index)))
    for (before, after), value in info.transitions.items():
        transitions[index[before], index[after]] = value
    theta = layout.pack(weights, transitions, np.zeros(3), np.zeros(3))
    loss, _ = negative_log_likelihood(layout, theta, batch)
    assert loss + 0.5 * theta @ theta == pytest.approx(crfsuite_loss, rel=1e-5)
    # And the same optimum: both converge to the same weights.
    np.testing.assert_allclose(crf.state_weights_, weights, atol=1e-3)
    np.testing.assert_allclose(crf.transitions_, transitions, atol=1e-3)


# --- the tagger ---------------------------------------------------------------------------


def test_crf_fits_and_tags_toy_data() -> None:
    crf = CRF(c2=0.1, max_iter=100, features=None).fit(_TOY_SENTENCES, _TOY_TAGS)
    assert crf.tags_ == ["D", "N", "V"]
    assert crf.predict(_TOY_SENTENCES) == _TOY_TAGS
    assert crf.predict([[], [["w=unseen"]]])[0] == []
    assert crf.loss_history_[-1] < crf.loss_history_[0]
    # possible_states=False: an (attribute, tag) pair never seen keeps weight zero.
    assert crf.state_weights_[crf.attributes_.index("w=the"), crf.tags_.index("V")] == 0.0


def test_crf_real_valued_attributes_scale_weights() -> None:
    sentences = [[{"x": 1.0}, {"x": -1.0}], [{"x": -1.0}, {"x": 1.0}]]
    tags = [["P", "M"], ["M", "P"]]
    crf = CRF(c2=0.01, max_iter=100, features=None).fit(sentences, tags)
    assert crf.predict([[{"x": 2.0}, {"x": -3.0}]]) == [["P", "M"]]


def test_crf_adagrad_learns_and_l1_zeroes_weights() -> None:
    ridge = CRF(method="adagrad", max_iter=30, c2=0.01, features=None, batch_size=2)
    ridge.fit(_TOY_SENTENCES, _TOY_TAGS)
    assert ridge.predict(_TOY_SENTENCES) == _TOY_TAGS
    assert ridge.loss_history_[-1] < ridge.loss_history_[0]
    lasso = CRF(method="adagrad", max_iter=30, c1=2.0, c2=0.0, features=None, batch_size=2)
    lasso.fit(_TOY_SENTENCES, _TOY_TAGS)
    assert (lasso.state_weights_ == 0).sum() > (ridge.state_weights_ == 0).sum()


def test_crf_save_and_load_round_trip(tmp_path) -> None:
    crf = CRF(c2=0.1, max_iter=30).fit(
        [["Ann", "ran"], ["Bob", "sat", "."]], [["B", "O"], ["B", "O", "O"]]
    )
    folder = crf.save(tmp_path / "crf")
    loaded = CRF.load(folder)
    assert loaded.get_params() == crf.get_params()
    assert loaded.tags_ == crf.tags_
    np.testing.assert_array_equal(loaded.state_weights_, crf.state_weights_)
    words = [["Bob", "ran"], ["Carl", "sat", "!"]]
    assert loaded.predict(words) == crf.predict(words)
    with pytest.raises(ModelFormatError, match="not a 'CRF'|holds no"):
        CRF.load(tmp_path)
    np.savez(folder / "weights.npz", **{**np.load(folder / "weights.npz"), "start": np.zeros(7)})
    with pytest.raises(ModelFormatError, match="damaged CRF"):
        CRF.load(folder)


def test_crf_refuses_bad_input() -> None:
    with pytest.raises(NotFittedError, match="fit"):
        CRF().predict([["a"]])
    with pytest.raises(ValueError, match="one tag per token"):
        CRF().fit([["a", "b"]], [["X"]])
    with pytest.raises(ValueError, match="OWL-QN"):
        CRF(c1=0.1).fit([["a"]], [["X"]])
    with pytest.raises(ValueError, match="method"):
        CRF(method="sgd").fit([["a"]], [["X"]])
    with pytest.raises(ValueError, match="feature function"):
        CRF(features="pos").fit([["a"]], [["X"]])
    with pytest.raises(TypeError, match="attribute lists"):
        CRF(features=None).fit([["a", "b"]], [["X", "Y"]])
    with pytest.raises(ValueError, match="no training sentence"):
        CRF().fit([[]], [[]])
    with pytest.raises(ValueError, match="cannot be saved"):
        CRF(features=lambda s: [[w] for w in s], max_iter=1).fit([["a"]], [["X"]]).save("unused")


@pytest.mark.slow
def test_crf_equals_crfsuite_on_conll2003(tmp_path) -> None:
    # Real data: 300 CoNLL-2003 sentences with ner_features, both sides fitted to convergence.
    from nlpjourney.data import corpora
    from nlpjourney.tagging.features import ner_features

    def load(split: str, n: int) -> tuple[list, list]:
        sentences = corpora.conll2003(split)[:n]
        return [ner_features(s) for s in sentences], [[row[3] for row in s] for s in sentences]

    train_x, train_y = load("train", 300)
    dev_x, _ = load("testa", 200)
    params = {"feature.possible_transitions": True, "max_iterations": 1000}
    _crfsuite_fit(train_x, train_y, tmp_path, c2=1.0, **params)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(tmp_path / "crfsuite.model"))
    theirs = [tagger.tag(x) for x in dev_x]
    info = tagger.info()
    tagger.close()
    crf = CRF(c2=1.0, max_iter=1000, features=None, boundary=False).fit(train_x, train_y)
    assert crf.predict(dev_x) == theirs
    assert np.count_nonzero(crf.state_weights_) == len(info.state_features)
    column = {name: i for i, name in enumerate(crf.attributes_)}
    index = {tag: j for j, tag in enumerate(crf.tags_)}
    pairs = list(info.state_features.items())
    ours = np.array([crf.state_weights_[column[a], index[t]] for (a, t), _ in pairs])
    np.testing.assert_allclose(ours, [value for _, value in pairs], atol=2e-3)
