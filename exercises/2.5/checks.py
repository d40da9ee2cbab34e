"""Checks for exercise 2.5, run by ``journey check 2.5``.

Each check calls the learner's ``viterbi`` through the ``ex`` fixture. Small score
tables are drawn fresh each run (``rng``) and the answer is compared with the best of
all ``K ** n`` paths, scored here by brute force; integer-valued tables make exact ties,
which must go to the lower tag index as ``np.argmax`` breaks them. Longer tables are
checked against the best score computed here. The last check estimates an HMM from the
Penn Treebank sample (Lidstone-smoothed counts, NLTK's probability classes) and decodes
real sentences, picked fresh, against NLTK's ``HiddenMarkovModelTagger.best_path`` on
the very same model. With ``--exercise reference`` the same checks grade the library's
``nlpjourney.tagging.decode.viterbi``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

REFERENCE = "nlpjourney.tagging.decode"
# What the learner may not use: the model answer (and the rest of the library), NLTK
# (its HMM tagger has a Viterbi), and the libraries that ship a Viterbi or a CRF decoder.
FORBIDDEN = ("nlpjourney", "nltk", "torchcrf", "pycrfsuite", "hmmlearn")


# --- brute force, written out here ---------------------------------------------------------


def all_paths(n: int, k: int) -> np.ndarray:
    """Every tag path of length ``n`` over ``k`` tags, one a row: ``(k ** n, n)``."""
    return np.indices((k,) * n).reshape(n, -1).T


def path_scores(paths, emissions, transitions, start, end) -> np.ndarray:
    """The score of each path (rows of ``paths``), with ``None`` start/end as zeros."""
    n = emissions.shape[0]
    scores = emissions[np.arange(n), paths].sum(axis=1)
    if n > 1:
        scores = scores + transitions[paths[:, :-1], paths[:, 1:]].sum(axis=1)
    if start is not None:
        scores = scores + start[paths[:, 0]]
    if end is not None:
        scores = scores + end[paths[:, -1]]
    return scores


def brute_force(emissions, transitions, start=None, end=None):
    """The best path and score; among exact ties, argmax's choice at every step.

    Viterbi with first-index argmax picks the lowest last tag among the best paths, then
    the lowest tag before it among the best paths ending that way, and so on: the best
    path that is smallest when read from the end.
    """
    n, k = emissions.shape
    paths = all_paths(n, k)
    scores = path_scores(paths, emissions, transitions, start, end)
    best = scores.max()
    winners = paths[scores == best]
    winner = min(winners.tolist(), key=lambda path: path[::-1])
    return np.array(winner), float(best)


def best_score(emissions, transitions, start=None, end=None) -> float:
    """The best path's score by max-sum recursion (the value only, no path)."""
    k = emissions.shape[1]
    start = np.zeros(k) if start is None else start
    end = np.zeros(k) if end is None else end
    score = start + emissions[0]
    for row in emissions[1:]:
        score = (score[:, None] + transitions).max(axis=0) + row
    return float((score + end).max())


def random_case(rng, n, k, integers=False):
    """Emissions, transitions, start and end; start and end each None half the time."""

    def draw(*shape):
        if integers:
            return rng.integers(-2, 3, size=shape).astype(np.float64)
        return rng.normal(0.0, 2.0, size=shape)

    start = draw(k) if rng.random() < 0.5 else None
    end = draw(k) if rng.random() < 0.5 else None
    return draw(n, k), draw(k, k), start, end


def call(ex, emissions, transitions, start, end):
    """The learner's answer on copies (so an in-place change is caught by the caller)."""
    copies = [None if a is None else a.copy() for a in (emissions, transitions, start, end)]
    path, score = ex.viterbi(copies[0], copies[1], start=copies[2], end=copies[3])
    for name, given, kept in zip(("emissions", "transitions", "start", "end"), copies,
                                 (emissions, transitions, start, end), strict=True):  # fmt: skip
        if kept is not None:
            assert np.array_equal(given, kept), f"viterbi changed its argument {name} in place"
    return np.asarray(path), score


def show(emissions, transitions, start, end) -> str:
    return (
        f"emissions {np.round(emissions, 3).tolist()}, transitions "
        f"{np.round(transitions, 3).tolist()}, start "
        f"{None if start is None else np.round(start, 3).tolist()}, end "
        f"{None if end is None else np.round(end, 3).tolist()}"
    )


# --- the checks -------------------------------------------------------------------------


def test_viterbi_equals_brute_force(ex, rng) -> None:
    """On fresh random tables the path and score are the best of all K ** n paths.

    Hint 1: keep a table best[t, j], the best score of any path that ends in tag j at
    word t, and a table of back-pointers saying which previous tag gave it.
    Hint 2: best[t, j] is the maximum over i of best[t - 1, i] + transitions[i, j], plus
    emissions[t, j]; the first row starts from start + emissions[0], and end is added to
    the last row before choosing the last tag; then follow the pointers backwards.
    """
    for trial in range(25):
        n, k = int(rng.integers(1, 7)), int(rng.integers(1, 6))
        case = random_case(rng, n, k)
        want_path, want_score = brute_force(*case)
        path, score = call(ex, *case)
        assert path.shape == (n,) and np.array_equal(path, want_path), (
            f"trial {trial}: path {path.tolist()}, the best is {want_path.tolist()} "
            f"(score {want_score:.6g}); {show(*case)}"
        )
        assert math.isclose(float(score), want_score, rel_tol=1e-9, abs_tol=1e-9), (
            f"trial {trial}: the path is right but the score is {score}, expected "
            f"{want_score}; {show(*case)}"
        )


def test_viterbi_ties_go_to_lower_index(ex, rng) -> None:
    """With exact ties, the path is the one argmax's first-index rule leads to.

    Hint 1: NumPy's argmax returns the first of equal maxima; use it both for the
    back-pointers and for the last tag, and never keep a later tag that only equals the
    best so far while scanning tags upwards.
    Hint 2: the tie rule applies from the end: the lowest best last tag, then at every
    step back the lowest previous tag that reaches the current one with the best score.
    """
    n, k = int(rng.integers(2, 6)), int(rng.integers(2, 5))
    zeros = (np.zeros((n, k)), np.zeros((k, k)), None, None)
    path, score = call(ex, *zeros)
    assert np.array_equal(path, np.zeros(n)) and float(score) == 0.0, (
        f"all scores 0 ({n} words, {k} tags): every path ties, expected all zeros and "
        f"score 0, got {path.tolist()} and {score}"
    )
    for trial in range(30):
        n, k = int(rng.integers(1, 7)), int(rng.integers(2, 5))
        case = random_case(rng, n, k, integers=True)
        want_path, want_score = brute_force(*case)
        path, score = call(ex, *case)
        assert np.array_equal(path, want_path), (
            f"tie trial {trial}: path {path.tolist()}, expected {want_path.tolist()} "
            f"(score {want_score:g}; several paths score that); {show(*case)}"
        )
        assert float(score) == want_score, (
            f"tie trial {trial}: score {score}, expected {want_score}"
        )


def test_viterbi_start_and_end(ex, rng) -> None:
    """start scores the first tag and end the last; None counts as zeros.

    Hint 1: start is added once, to the first word's tag; end once, to the last word's
    tag, before the last tag is chosen (not after).
    Hint 2: when start and end are None, the answer must equal that with arrays of
    zeros; a large start score of a tag must force that tag at the first word, a large
    end score at the last word.
    """
    n, k = int(rng.integers(2, 6)), int(rng.integers(2, 5))
    emissions, transitions = rng.normal(size=(n, k)), rng.normal(size=(k, k))
    none_path, none_score = call(ex, emissions, transitions, None, None)
    zero_path, zero_score = call(ex, emissions, transitions, np.zeros(k), np.zeros(k))
    assert np.array_equal(none_path, zero_path) and math.isclose(none_score, zero_score), (
        "start=None, end=None must give what start and end of zeros give"
    )
    for trial in range(6):
        first, last = int(rng.integers(k)), int(rng.integers(k))
        start, end = np.zeros(k), np.zeros(k)
        start[first], end[last] = 100.0, 100.0
        only_start = (emissions, transitions, start, None)
        only_end = (emissions, transitions, None, end)
        for case, what in ((only_start, "start"), (only_end, "end")):
            want_path, want_score = brute_force(*case)
            path, score = call(ex, *case)
            assert np.array_equal(path, want_path) and math.isclose(score, want_score), (
                f"trial {trial}, only {what} given: path {path.tolist()} score {score}, "
                f"expected {want_path.tolist()} score {want_score:.6g}; {show(*case)}"
            )
        assert path[-1] == last, f"end[{last}] = 100 must make tag {last} the last one"


def test_viterbi_one_word(ex, rng) -> None:
    """A one-word sentence: the best of start + emissions[0] + end, no transition.

    Hint 1: with one word there is no pair of neighbouring tags, so transitions add
    nothing; the back-pointer loop must not run.
    Hint 2: the answer is the argmax of start + emissions[0] + end, as an array of one.
    """
    for _ in range(6):
        k = int(rng.integers(1, 8))
        case = random_case(rng, 1, k)
        emissions, _, start, end = case
        total = emissions[0] + (0 if start is None else start) + (0 if end is None else end)
        path, score = call(ex, *case)
        assert path.shape == (1,) and int(path[0]) == int(np.argmax(total)), (
            f"one word, {k} tags: path {path.tolist()}, expected [{int(np.argmax(total))}]; "
            f"{show(*case)}"
        )
        assert math.isclose(float(score), float(total.max()), rel_tol=1e-12, abs_tol=1e-12)


def test_viterbi_result_types(ex, rng) -> None:
    """The path is an int64 NumPy array of shape (n,) and the score a Python float.

    Hint 1: return a tuple (path, score); build the path as an array of 64-bit integers.
    Hint 2: turn the score into a plain Python float: a 0-d array or a NumPy integer is
    not what the contract says.
    """
    n, k = int(rng.integers(1, 9)), int(rng.integers(1, 6))
    result = ex.viterbi(rng.normal(size=(n, k)), rng.normal(size=(k, k)))
    assert isinstance(result, tuple) and len(result) == 2, "return a tuple (path, score)"
    path, score = result
    assert isinstance(path, np.ndarray), f"the path must be a NumPy array, not {type(path)}"
    assert path.dtype == np.int64, f"the path's dtype is {path.dtype}, expected int64"
    assert path.shape == (n,), f"the path's shape is {path.shape}, expected ({n},)"
    assert isinstance(score, float), f"the score must be a float, not {type(score)}"
    assert np.all((path >= 0) & (path < k)), f"tag indices out of range: {path.tolist()}"


def test_viterbi_long_sentences(ex, rng) -> None:
    """Sentences of 20 to 60 words and up to 45 tags: the best score, and the path has it.

    Hint 1: too many paths to try them all: this check only works with the table of
    best scores and back-pointers; the path you return must score what you say.
    Hint 2: vectorise one step over all pairs of tags with broadcasting (a (K, K) array
    of best[t - 1, i] + transitions[i, j]) and take its maximum over i.
    """
    for trial in range(4):
        n, k = int(rng.integers(20, 61)), int(rng.integers(5, 46))
        case = random_case(rng, n, k)
        path, score = call(ex, *case)
        want = best_score(*case)
        got = float(path_scores(path[None, :].astype(np.int64), *case)[0])
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9), (
            f"trial {trial} ({n} words, {k} tags): your path scores {got:.6g}, the best "
            f"path scores {want:.6g}"
        )
        assert math.isclose(float(score), want, rel_tol=1e-9, abs_tol=1e-9), (
            f"trial {trial}: returned score {score}, the path's score is {want}"
        )


def test_viterbi_rejects_bad_shapes(ex, rng) -> None:
    """No words or tags, wrong shapes and NaN scores raise ValueError; -inf is allowed.

    Hint 1: check the shapes before decoding and raise ValueError saying which argument
    is wrong and what shape it should have.
    Hint 2: emissions must be 2-D with at least one row and one column; transitions
    (K, K) for the K columns of emissions; start and end, when given, (K,); NumPy's
    isnan finds NaN scores, which no comparison can rank.
    """
    k = int(rng.integers(2, 6))
    emissions, transitions = rng.normal(size=(3, k)), rng.normal(size=(k, k))
    cases = {
        "no words (emissions of shape (0, K))": (np.zeros((0, k)), transitions, None, None),
        "1-D emissions": (emissions[0], transitions, None, None),
        "no tags (emissions of shape (3, 0))": (np.zeros((3, 0)), np.zeros((0, 0)), None, None),
        "a NaN emission": (np.where(np.eye(3, k) > 0, np.nan, emissions), transitions, None, None),
        "a NaN transition": (emissions, np.where(np.eye(k) > 0, np.nan, transitions), None, None),
        "a NaN in start": (emissions, transitions, np.full(k, np.nan), None),
        "a NaN in end": (emissions, transitions, None, np.r_[np.zeros(k - 1), np.nan]),
        "transitions (K, K + 1)": (emissions, rng.normal(size=(k, k + 1)), None, None),
        "transitions (K + 1, K + 1)": (emissions, rng.normal(size=(k + 1, k + 1)), None, None),
        "start of length K + 1": (emissions, transitions, np.zeros(k + 1), None),
        "end of length K - 1": (emissions, transitions, None, np.zeros(k - 1)),
    }
    for what, (e, t, s, x) in cases.items():
        with pytest.raises(ValueError):
            ex.viterbi(e, t, start=s, end=x)
            pytest.fail(f"viterbi with {what} returned instead of raising ValueError")
    # -inf marks an impossible tag: allowed, and never chosen while another tag can be.
    blocked = emissions.copy()
    blocked[:, 0] = -np.inf
    path, score = ex.viterbi(blocked, transitions)
    assert np.all(path != 0) and math.isfinite(score), (
        f"with emissions[:, 0] = -inf, tag 0 must never be chosen; got {path.tolist()}"
    )


# --- a real HMM -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def treebank_hmm():
    """Lidstone-smoothed HMM probabilities from the Penn Treebank sample, as NLTK's dists."""
    from nltk.probability import (
        ConditionalFreqDist,
        ConditionalProbDist,
        FreqDist,
        LidstoneProbDist,
    )

    from nlpjourney.data import corpora

    sentences = [
        [(w, t) for w, t in sent if t != "-NONE-"] for sent in corpora.treebank_tagged_sents()
    ]
    sentences = [s for s in sentences if s]
    first, moves, outputs = FreqDist(), ConditionalFreqDist(), ConditionalFreqDist()
    for sentence in sentences:
        first[sentence[0][1]] += 1
        for (_, a), (_, b) in zip(sentence, sentence[1:], strict=False):
            moves[a][b] += 1
        for word, tag in sentence:
            outputs[tag][word] += 1
    tags = sorted(outputs.conditions())
    vocabulary = len({w for s in sentences for w, _ in s})
    gamma = 0.1
    priors = LidstoneProbDist(first, gamma, len(tags))
    transitions = ConditionalProbDist(moves, LidstoneProbDist, gamma, len(tags))
    emissions = ConditionalProbDist(outputs, LidstoneProbDist, gamma, vocabulary)
    return sentences, tags, priors, transitions, emissions


def test_viterbi_decodes_treebank_like_nltk(ex, rng, treebank_hmm) -> None:
    """An HMM from the treebank sample: your best path equals NLTK's on real sentences.

    The checks estimate log probabilities (base 2, NLTK's) from the sample with add-0.1
    smoothing and give them to your viterbi as emissions, transitions and start.

    Hint 1: if the random checks pass and this one fails, look at precision: keep the
    scores in float64 and add log probabilities, never multiply probabilities.
    Hint 2: every entry here is negative; a best-score table initialised with zeros or
    a comparison with 0 will pick the wrong tag.
    """
    from nltk.tag.hmm import HiddenMarkovModelTagger

    sentences, tags, priors, transitions, emissions = treebank_hmm
    k = len(tags)
    move = np.array([[transitions[a].logprob(b) for b in tags] for a in tags])
    start = np.array([priors.logprob(t) for t in tags])
    picked = rng.choice(len(sentences), size=12, replace=False)
    for index in picked:
        words = [w for w, _ in sentences[index]]
        table = np.array([[emissions[t].logprob(w) for t in tags] for w in words])
        nltk_hmm = HiddenMarkovModelTagger(
            symbols=sorted(set(words)), states=list(tags), transitions=transitions,
            outputs=emissions, priors=priors,
        )  # fmt: skip
        want = [tags.index(t) for t in nltk_hmm.best_path(words)]
        path, score = call(ex, table, move, start, None)
        assert path.tolist() == want, (
            f"sentence {index} ({' '.join(words[:12])} ...): your tags "
            f"{[tags[i] for i in path]}, NLTK's best path {[tags[i] for i in want]}"
        )
        got = float(path_scores(path[None, :].astype(np.int64), table, move, start, None)[0])
        assert math.isclose(float(score), got, rel_tol=1e-9), (
            f"sentence {index}: returned score {score}, the path's log probability is {got}"
        )
    assert k > 30, "the treebank sample should have more than 30 tags"
