"""Checks for exercise 2.6, run by ``journey check 2.6``.

Each check calls the learner's functions through the ``ex`` fixture. Scores are drawn
fresh each run (``rng``) and the learner's numbers are compared with brute force: every
one of the ``K ** n`` tag paths of a short sentence scored here and log-summed with
SciPy's ``logsumexp``. Then the probabilities ``exp(score - log Z)`` must sum to 1 over
all paths, stay finite and exact with scores in the thousands, and agree with a real CRF:
python-crfsuite is trained here on a few hundred CoNLL-2003 sentences, its weights are
read back (``Tagger.info()``) into emission and transition tables, and the path
probabilities and marginals crfsuite reports must equal the learner's
``exp(score - log Z)`` and ``exp(alpha + beta - log Z)``. With ``--exercise reference``
the same checks grade the library, ``nlpjourney.tagging.crf``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.special

REFERENCE = "nlpjourney.tagging.crf"
# What the learner may not use: the model answer (and the rest of the library), the CRF
# libraries, and the ready-made log-sum-exp of SciPy and torch.
FORBIDDEN = ("nlpjourney", "pycrfsuite", "sklearn_crfsuite", "torchcrf", "scipy", "torch")


# --- brute force, written out here -------------------------------------------------------


def path_score(emissions, transitions, path, start, end) -> float:
    """The score of one path, term by term, in plain Python."""
    total = float(start[path[0]]) + float(end[path[-1]])
    for t, tag in enumerate(path):
        total += float(emissions[t, tag])
        if t:
            total += float(transitions[path[t - 1], tag])
    return total


def all_paths(n: int, k: int) -> list[tuple[int, ...]]:
    return list(itertools.product(range(k), repeat=n))


def brute_log_z(emissions, transitions, start, end) -> float:
    n, k = emissions.shape
    scores = [path_score(emissions, transitions, p, start, end) for p in all_paths(n, k)]
    return float(scipy.special.logsumexp(scores))


def brute_alphas(emissions, transitions, start) -> np.ndarray:
    """alpha[t, j] from every prefix of length t + 1 that ends with tag j."""
    n, k = emissions.shape
    alphas = np.empty((n, k))
    no_end = np.zeros(k)
    for t in range(n):
        prefixes = all_paths(t + 1, k)
        for j in range(k):
            scores = [path_score(emissions[: t + 1], transitions, p, start, no_end)
                      for p in prefixes if p[-1] == j]  # fmt: skip
            alphas[t, j] = scipy.special.logsumexp(scores)
    return alphas


def random_problem(rng, n=None, k=None, scale=None):
    """Emissions (n, K), transitions (K, K), start and end (K,), drawn fresh."""
    n = n or int(rng.integers(1, 6))
    k = k or int(rng.integers(2, 5))
    scale = scale or float(rng.uniform(0.5, 4.0))
    emissions = rng.normal(size=(n, k)) * scale
    transitions = rng.normal(size=(k, k)) * scale
    start, end = rng.normal(size=k) * scale, rng.normal(size=k) * scale
    return emissions, transitions, start, end


# --- sequence_score ----------------------------------------------------------------------


def test_sequence_score_every_path(ex, rng) -> None:
    """sequence_score equals start + emissions + transitions + end for every path.

    Hint 1: the score is a sum of n emission terms, n - 1 transition terms, one start and
    one end term; the first tag has no transition into it.
    Hint 2: transitions[i, j] is tag i *followed by* tag j: index it with (previous tag,
    this tag); start goes with the first tag, end with the last.
    """
    for _ in range(3):
        emissions, transitions, start, end = random_problem(rng, n=int(rng.integers(1, 5)))
        n, k = emissions.shape
        for path in all_paths(n, k):
            got = ex.sequence_score(emissions, transitions, list(path), start, end)
            want = path_score(emissions, transitions, path, start, end)
            assert isinstance(got, float), f"return a Python float, not {type(got).__name__}"
            assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (
                f"path {list(path)} of a {n}-token sentence with {k} tags: got {got}, "
                f"expected {want}"
            )


def test_sequence_score_start_end_none(ex, rng) -> None:
    """start and end None count as zeros, for the path score.

    Hint 1: treat a missing start or end as a vector of K zeros.
    Hint 2: check ``is None`` (an array has no single truth value).
    """
    emissions, transitions, _, _ = random_problem(rng, n=4)
    k = emissions.shape[1]
    path = rng.integers(0, k, size=4)
    want = path_score(emissions, transitions, path, np.zeros(k), np.zeros(k))
    for start, end in ((None, None), (np.zeros(k), None), (None, np.zeros(k))):
        got = ex.sequence_score(emissions, transitions, path, start, end)
        assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (
            f"start={start}, end={end}: got {got}, expected {want}"
        )


# --- forward_log_alphas ------------------------------------------------------------------


def test_forward_log_alphas_brute_force(ex, rng) -> None:
    """Each alpha[t, j] is the log-sum of exp(score) of the prefixes 0..t ending in tag j.

    Hint 1: alpha[0] is the start score plus the first emissions; each later row comes
    from the row before it, one transition and one emission further.
    Hint 2: for tag j at position t, add alpha[t-1, i] + transitions[i, j] for every
    previous tag i, log-sum-exp over i, then add emissions[t, j]; end is not part of it.
    """
    for _ in range(3):
        emissions, transitions, start, end = random_problem(rng)
        got = np.asarray(ex.forward_log_alphas(emissions, transitions, start, end))
        want = brute_alphas(emissions, transitions, start)
        assert got.shape == want.shape, f"alphas have shape {got.shape}, expected {want.shape}"
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9,
                                   err_msg="forward log-alphas differ from brute force")  # fmt: skip


def test_forward_log_alphas_start_none_and_one_token(ex, rng) -> None:
    """start None is zeros; with one token, alpha is start + emissions[0], shape (1, K).

    Hint 1: the first row needs no log-sum-exp: no tag comes before the first.
    Hint 2: return a 2-D array of shape (n, K), also for n = 1.
    """
    emissions, transitions, start, end = random_problem(rng, n=1)
    got = np.asarray(ex.forward_log_alphas(emissions, transitions, start, end))
    assert got.shape == emissions.shape, f"shape {got.shape}, expected {emissions.shape}"
    np.testing.assert_allclose(got[0], start + emissions[0], rtol=1e-12, atol=1e-12)
    emissions, transitions, _, _ = random_problem(rng, n=3)
    got = np.asarray(ex.forward_log_alphas(emissions, transitions))
    want = brute_alphas(emissions, transitions, np.zeros(emissions.shape[1]))
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9,
                               err_msg="with start None the table must count start as 0")  # fmt: skip


# --- log_partition -----------------------------------------------------------------------


def test_log_partition_brute_force(ex, rng) -> None:
    """log Z equals the log-sum-exp of the scores of all K ** n paths.

    Hint 1: the last row of alpha already sums over every path; only the end scores are
    missing.
    Hint 2: add end to alpha[n-1] and log-sum-exp the K numbers; return a float.
    """
    for _ in range(4):
        emissions, transitions, start, end = random_problem(rng)
        got = ex.log_partition(emissions, transitions, start, end)
        want = brute_log_z(emissions, transitions, start, end)
        assert isinstance(got, float), f"return a Python float, not {type(got).__name__}"
        assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (
            f"shape {emissions.shape}: log Z {got}, expected {want} (brute force)"
        )


def test_log_partition_start_end_none(ex, rng) -> None:
    """start and end None count as zeros, for log Z too; n = 1 works.

    Hint 1: a missing start or end is K zeros.
    Hint 2: with one token log Z is the log-sum-exp of start + emissions[0] + end.
    """
    for n in (1, 3):
        emissions, transitions, _, _ = random_problem(rng, n=n)
        k = emissions.shape[1]
        want = brute_log_z(emissions, transitions, np.zeros(k), np.zeros(k))
        got = ex.log_partition(emissions, transitions)
        assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (
            f"n = {n}, start and end None: log Z {got}, expected {want}"
        )
    emissions, transitions, start, end = random_problem(rng, n=1)
    got = ex.log_partition(emissions, transitions, start, end)
    want = float(scipy.special.logsumexp(start + emissions[0] + end))
    assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), f"one token: log Z {got}, expected {want}"


def test_log_partition_probabilities_sum_to_one(ex, rng) -> None:
    """exp(score - log Z) is a distribution: it sums to 1 over all paths.

    Hint 1: sequence_score and log_partition must count the same terms (start, every
    emission, every transition, end), or the probabilities cannot sum to 1.
    Hint 2: if they sum to K or 1 / K, one function counts start or end and the other
    does not.
    """
    for _ in range(3):
        emissions, transitions, start, end = random_problem(rng, n=int(rng.integers(2, 6)))
        n, k = emissions.shape
        log_z = ex.log_partition(emissions, transitions, start, end)
        scores = [ex.sequence_score(emissions, transitions, list(p), start, end)
                  for p in all_paths(n, k)]  # fmt: skip
        total = float(np.exp(np.array(scores) - log_z).sum())
        assert abs(total - 1) < 1e-9, f"the {k**n} path probabilities sum to {total}, not 1"


def test_log_partition_large_scores_stable(ex, rng) -> None:
    """Scores in the thousands give a finite, exact log Z and alpha table.

    Hint 1: exp(1000) is infinite in float64; shift by the largest value before
    exponentiating and add it back after the log.
    Hint 2: log(sum_i exp(x_i)) = m + log(sum_i exp(x_i - m)) with m = max_i x_i; do
    this shift in every log-sum-exp, the one inside the forward recursion included.
    """
    for scale in (1e3, float(rng.uniform(2e3, 1e4))):
        emissions, transitions, start, end = random_problem(rng, n=4, k=3, scale=scale)
        emissions += scale  # all large and positive, as sums of many feature weights
        got = ex.log_partition(emissions, transitions, start, end)
        want = brute_log_z(emissions, transitions, start, end)
        assert np.isfinite(got), f"log Z is {got} with scores around {scale:.0f}"
        assert abs(got - want) <= 1e-9 * abs(want), (
            f"scores around {scale:.0f}: log Z {got}, expected {want}"
        )
        alphas = np.asarray(ex.forward_log_alphas(emissions, transitions, start, end))
        assert np.isfinite(alphas).all(), "the alpha table overflows with large scores"
        np.testing.assert_allclose(alphas, brute_alphas(emissions, transitions, start),
                                   rtol=1e-9, err_msg="alphas with large scores")  # fmt: skip
    # Very negative scores: a naive log(sum(exp)) gives log(0) = -inf.
    emissions, transitions, start, end = random_problem(rng, n=3, k=3)
    got = ex.log_partition(emissions - 5e3, transitions, start, end)
    want = brute_log_z(emissions - 5e3, transitions, start, end)
    assert np.isfinite(got) and abs(got - want) <= 1e-9 * abs(want), (
        f"scores around -5000: log Z {got}, expected {want}"
    )


def test_log_partition_long_sentence(ex, rng) -> None:
    """A 40-token sentence with 9 tags (9 ** 40 paths) agrees with a forward pass done here.

    Hint 1: never list the paths: the forward recursion costs n * K * K steps.
    Hint 2: use one log-sum-exp over the previous tag for all K current tags at once
    (a (K, K) array: alpha[t-1][:, None] + transitions), not nested Python loops over paths.
    """
    n, k = 40, 9
    emissions, transitions, start, end = random_problem(rng, n=n, k=k)
    alpha = start + emissions[0]
    for t in range(1, n):
        alpha = scipy.special.logsumexp(alpha[:, None] + transitions, axis=0) + emissions[t]
    want = float(scipy.special.logsumexp(alpha + end))
    got = ex.log_partition(emissions, transitions, start, end)
    assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), f"log Z {got}, expected {want}"
    alphas = np.asarray(ex.forward_log_alphas(emissions, transitions, start, end))
    np.testing.assert_allclose(alphas[-1], alpha, rtol=1e-9, err_msg="the last alpha row")


def test_bad_input_raises_value_error(ex, rng) -> None:
    """Scores of the wrong shape, an empty sentence, or a bad path raise ValueError.

    Hint 1: check the shapes first: emissions (n, K) with n >= 1, transitions (K, K),
    start and end (K,) when given; and one tag per token, each in 0..K-1.
    Hint 2: raise ValueError with a message that says what was wrong, before computing
    anything (NumPy's own IndexError or a silent wrap-around of -1 is not a ValueError).
    """
    emissions, transitions, start, end = random_problem(rng, n=3, k=3)
    bad_calls = {
        "an empty sentence (0, K)": lambda f: f(np.zeros((0, 3)), transitions),
        "1-D emissions": lambda f: f(emissions[0], transitions),
        "transitions (K, K + 1)": lambda f: f(emissions, np.zeros((3, 4))),
        "start of length K - 1": lambda f: f(emissions, transitions, start[:2], end),
        "end of length K + 1": lambda f: f(emissions, transitions, start, np.zeros(4)),
    }
    for name in ("forward_log_alphas", "log_partition"):
        for what, call in bad_calls.items():
            with pytest.raises(ValueError):
                call(getattr(ex, name))
                pytest.fail(f"{name} accepted {what}")
    bad_paths = {"two tags for three tokens": [0, 1], "tag K": [0, 3, 1], "tag -1": [0, -1, 1]}
    for what, path in bad_paths.items():
        with pytest.raises(ValueError):
            ex.sequence_score(emissions, transitions, path, start, end)
            pytest.fail(f"sequence_score accepted {what}")
    with pytest.raises(ValueError):
        ex.sequence_score(emissions, np.zeros((2, 2)), [0, 1, 1])
        pytest.fail("sequence_score accepted transitions of the wrong shape")


# --- a real CRF: python-crfsuite on CoNLL-2003 -------------------------------------------


def crfsuite_attributes(sentence, i):
    """A few attributes of token i: its word, shape, suffix and the previous word."""
    word = sentence[i][0]
    return ["bias", "w=" + word.lower(), f"title={word.istitle()}", f"upper={word.isupper()}",
            "suffix=" + word[-3:].lower(), "prev=" + (sentence[i - 1][0].lower() if i else "<s>")]  # fmt: skip


@pytest.fixture(scope="module")
def crfsuite_model(tmp_path_factory):
    """A python-crfsuite CRF trained on 300 CoNLL-2003 sentences, and its weights as tables."""
    import pycrfsuite

    from nlpjourney.data import corpora

    train = corpora.conll2003("train")[:300]
    trainer = pycrfsuite.Trainer(verbose=False)
    for sentence in train:
        trainer.append([crfsuite_attributes(sentence, i) for i in range(len(sentence))],
                       [row[3] for row in sentence])  # fmt: skip
    trainer.set_params({"c1": 0.0, "c2": 0.1, "max_iterations": 40})
    path = str(tmp_path_factory.mktemp("crfsuite") / "conll.crfsuite")
    trainer.train(path)
    tagger = pycrfsuite.Tagger()
    tagger.open(path)
    info = tagger.info()
    labels = tagger.labels()
    index = {label: i for i, label in enumerate(labels)}
    transitions = np.zeros((len(labels), len(labels)))
    for (before, after), weight in info.transitions.items():
        transitions[index[before], index[after]] = weight
    return tagger, labels, index, transitions, dict(info.state_features)


def test_log_partition_real_crfsuite_model(ex, rng, crfsuite_model) -> None:
    """On CoNLL-2003 sentences, exp(score - log Z) equals crfsuite's path probabilities.

    python-crfsuite's linear chain has no start or end scores: emissions are the summed
    weights of each token's attributes, transitions its label-pair weights.

    Hint 1: pass start and end as None; a probability needs the same terms in the score
    and in log Z.
    Hint 2: these sentences have 9 tags and up to dozens of tokens: your functions must
    handle any n and K, and stay stable.
    """
    import pycrfsuite

    from nlpjourney.data import corpora

    tagger, labels, index, transitions, weights = crfsuite_model
    dev = corpora.conll2003("testa")
    picked = rng.choice(len(dev), size=3, replace=False)
    for s in picked:
        sentence = dev[int(s)]
        attributes = [crfsuite_attributes(sentence, i) for i in range(len(sentence))]
        emissions = np.array([[sum(weights.get((a, label), 0.0) for a in token) for label in labels]
                              for token in attributes])  # fmt: skip
        tagger.set(pycrfsuite.ItemSequence(attributes))
        log_z = ex.log_partition(emissions, transitions)
        alphas = np.asarray(ex.forward_log_alphas(emissions, transitions))
        for path in (tagger.tag(), [row[3] for row in sentence],
                     [labels[int(y)] for y in rng.integers(0, len(labels), size=len(sentence))]):  # fmt: skip
            ids = [index[label] for label in path]
            ours = np.exp(ex.sequence_score(emissions, transitions, ids) - log_z)
            theirs = tagger.probability(path)
            # crfsuite's dump prints weights to 6 decimals: a relative 1e-4 is exact enough
            assert abs(ours - theirs) <= 1e-4 * theirs + 1e-12, (
                f"testa sentence {int(s)}: P(path) = {ours:.6g}, crfsuite says {theirs:.6g}"
            )
        # The marginal of a label at the last position is exp(alpha[n-1, j] - log Z).
        last = len(sentence) - 1
        for j, label in enumerate(labels):
            ours = np.exp(alphas[last, j] - log_z)
            theirs = tagger.marginal(label, last)
            assert abs(ours - theirs) <= 1e-4 * max(theirs, 1e-3), (
                f"testa sentence {int(s)}: P(last tag = {label}) = {ours:.6g}, "
                f"crfsuite says {theirs:.6g}"
            )
