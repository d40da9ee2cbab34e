"""Checks for exercise 2.3, run by ``journey check 2.3``.

Each check calls the learner's ``gibbs_sweep`` through the ``ex`` fixture. Fresh random
corpora, topic assignments and uniforms are drawn every run (``rng``), and the expected
result comes from :func:`reference_sweep` below, the sweep written here from the formula,
one token and one topic at a time, without any library's LDA. The last checks run a few
sweeps on real tokens of the registry's State of the Union addresses. With
``--exercise reference`` the same checks grade the library, ``nlpjourney.topics.lda``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

REFERENCE = "nlpjourney.topics.lda"
# What the learner may not use: the model answer (and the rest of the library), and the
# libraries whose topic models could stand in for a sweep.
FORBIDDEN = ("nlpjourney", "sklearn", "gensim")

# The docstring's example.
WORKED = {
    "doc_ids": [0, 0, 0, 1, 1],
    "word_ids": [0, 0, 1, 2, 1],
    "z": [0, 1, 0, 1, 1],
    "uniforms": [0.9, 0.1, 0.5, 0.3, 0.7],
}


def reference_sweep(doc_ids, word_ids, z, n_dk, n_kw, n_k, alpha, eta, uniforms):
    """The sweep from the formula, in plain Python loops; changes its arguments in place."""
    n_topics, n_words = len(n_k), len(n_kw[0])
    for i in range(len(z)):
        d, w, old = int(doc_ids[i]), int(word_ids[i]), int(z[i])
        n_dk[d][old] -= 1
        n_kw[old][w] -= 1
        n_k[old] -= 1
        p = [(n_dk[d][k] + alpha) * (n_kw[k][w] + eta) / (n_k[k] + n_words * eta)
             for k in range(n_topics)]  # fmt: skip
        total = 0.0
        for value in p:  # the running sum, left to right
            total += value
        target = float(uniforms[i]) * total
        running, new = 0.0, n_topics - 1
        for k in range(n_topics):
            running += p[k]
            if running > target:
                new = k
                break
        z[i] = new
        n_dk[d][new] += 1
        n_kw[new][w] += 1
        n_k[new] += 1
    return z


def count_tables(doc_ids, word_ids, z, n_docs, n_topics, n_words):
    """(n_dk, n_kw, n_k) as int64 arrays, counted from the assignments ``z``."""
    n_dk = np.zeros((n_docs, n_topics), dtype=np.int64)
    n_kw = np.zeros((n_topics, n_words), dtype=np.int64)
    np.add.at(n_dk, (np.asarray(doc_ids), np.asarray(z)), 1)
    np.add.at(n_kw, (np.asarray(z), np.asarray(word_ids)), 1)
    return n_dk, n_kw, n_kw.sum(axis=1)


class State:
    """A corpus (doc_ids, word_ids), its assignments z and their count tables."""

    def __init__(self, doc_ids, word_ids, z, n_docs, n_topics, n_words, alpha, eta):
        self.doc_ids = np.asarray(doc_ids, dtype=np.int64)
        self.word_ids = np.asarray(word_ids, dtype=np.int64)
        self.z = np.asarray(z, dtype=np.int64).copy()
        self.shape = (n_docs, n_topics, n_words)
        self.n_dk, self.n_kw, self.n_k = count_tables(self.doc_ids, self.word_ids, self.z,
                                                      *self.shape)  # fmt: skip
        self.alpha, self.eta = alpha, eta

    def copy(self) -> State:
        return State(self.doc_ids, self.word_ids, self.z, *self.shape, self.alpha, self.eta)

    def arrays(self):
        return self.z, self.n_dk, self.n_kw, self.n_k

    def sweep_with(self, function, uniforms):
        """Run ``function`` (a sweep) on this state in place; return what it returned."""
        return function(self.doc_ids, self.word_ids, self.z, self.n_dk, self.n_kw, self.n_k,
                        self.alpha, self.eta, np.asarray(uniforms, dtype=np.float64))  # fmt: skip

    def expected_after(self, uniforms) -> State:
        """A copy of this state after the reference sweep."""
        after = self.copy()
        tables = [after.z.tolist(), after.n_dk.tolist(), after.n_kw.tolist(), after.n_k.tolist()]
        reference_sweep(after.doc_ids, after.word_ids, *tables, after.alpha, after.eta,
                        uniforms)  # fmt: skip
        after.z, after.n_dk, after.n_kw, after.n_k = (np.array(t, dtype=np.int64) for t in tables)
        return after


def random_state(rng, n_docs=None, n_topics=None, n_words=None, shuffle=True) -> State:
    """A fresh small corpus with random topics; unused word columns sometimes included."""
    n_docs = n_docs or int(rng.integers(2, 7))
    n_topics = n_topics or int(rng.integers(2, 7))
    n_words = n_words or int(rng.integers(3, 12))
    lengths = rng.integers(1, 15, size=n_docs)
    doc_ids = np.repeat(np.arange(n_docs), lengths)
    used = max(2, n_words - int(rng.integers(0, 3)))  # the last columns may never occur
    word_ids = rng.integers(0, used, size=len(doc_ids))
    if shuffle:
        order = rng.permutation(len(doc_ids))
        doc_ids, word_ids = doc_ids[order], word_ids[order]
    z = rng.integers(0, n_topics, size=len(doc_ids))
    alpha = float(rng.choice([0.1, 0.5, 1.0, float(rng.uniform(0.01, 2.0))]))
    eta = float(rng.choice([0.01, 0.1, float(rng.uniform(0.001, 1.0))]))
    return State(doc_ids, word_ids, z, n_docs, n_topics, n_words, alpha, eta)


def assert_state_equal(got: State, expected: State, what: str) -> None:
    for name in ("z", "n_dk", "n_kw", "n_k"):
        ours, theirs = np.asarray(getattr(got, name)), getattr(expected, name)
        assert ours.shape == theirs.shape and np.array_equal(ours, theirs), (
            f"{what}: {name} after the sweep is {ours.tolist()}, expected {theirs.tolist()}"
        )


@pytest.fixture(scope="module")
def sotu_tokens():
    """Each State of the Union address as a list of lower-case content words."""
    from nlpjourney.data import corpora

    stop = set(corpora.stopword_list("english"))
    words = re.compile(r"[a-z]+")
    return [[t for t in words.findall(text.lower()) if len(t) > 2 and t not in stop]
            for _, _, text in corpora.state_union()]  # fmt: skip


def sotu_state(sotu_tokens, rng, n_addresses=3, per_address=300) -> State:
    """Tokens of a few random addresses, their vocabulary, random topics."""
    picked = rng.choice(len(sotu_tokens), size=n_addresses, replace=False)
    texts = []
    for a in picked:
        start = int(rng.integers(0, len(sotu_tokens[a]) - per_address))
        texts.append(sotu_tokens[a][start : start + per_address])
    vocabulary = {w: j for j, w in enumerate(sorted({w for t in texts for w in t}))}
    doc_ids = np.repeat(np.arange(n_addresses), per_address)
    word_ids = np.array([vocabulary[w] for t in texts for w in t])
    n_topics = int(rng.integers(4, 11))
    z = rng.integers(0, n_topics, size=len(word_ids))
    return State(doc_ids, word_ids, z, n_addresses, n_topics, len(vocabulary), 0.1, 0.01)


def test_gibbs_sweep_worked_example(ex) -> None:
    """gibbs_sweep on the docstring's five tokens gives its z and count tables.

    Hint 1: for each token in turn: take it out of the three count tables, score every
    topic, draw one with the token's uniform, and put the token back under the new topic.
    Hint 2: token 0's scores are 1.5 * 0.1 / 1.3 and 1.5 * 1.1 / 3.3 once it is taken
    out; 0.9 of their total lies past the first score, so it moves to topic 1.
    """
    state = State(WORKED["doc_ids"], WORKED["word_ids"], WORKED["z"], 2, 2, 3, 0.5, 0.1)
    state.sweep_with(ex.gibbs_sweep, WORKED["uniforms"])
    expected = State([0, 0, 0, 1, 1], [0, 0, 1, 2, 1], [1, 0, 1, 0, 1], 2, 2, 3, 0.5, 0.1)
    assert_state_equal(state, expected, "the docstring's example")


def test_gibbs_sweep_fresh_corpora_equal_reference(ex, rng) -> None:
    """On fresh random corpora and states, z and every count table equal the formula's.

    Hint 1: the score of topic k is (document's count of k + alpha) times (k's count of
    the word + eta), divided by (k's total count + V times eta).
    Hint 2: V is the number of columns of n_kw; the draw is the first topic whose
    running total of scores is strictly above the uniform times the total of all scores.
    """
    for trial in range(6):
        state = random_state(rng)
        uniforms = rng.random(len(state.z))
        expected = state.expected_after(uniforms)
        state.sweep_with(ex.gibbs_sweep, uniforms)
        assert_state_equal(state, expected, f"random corpus {trial}")


def test_gibbs_sweep_updates_in_place_and_returns_z(ex, rng) -> None:
    """The sweep changes z and the three count tables in place, and returns z.

    Hint 1: the caller keeps its arrays and reads the new state from them: write into
    the arrays you were given instead of building new ones.
    Hint 2: update z and the tables element by element, and return z at the end.
    """
    state = random_state(rng, n_topics=4)
    uniforms = rng.random(len(state.z))
    expected = state.expected_after(uniforms)
    z, n_dk, n_kw, n_k = state.arrays()
    returned = state.sweep_with(ex.gibbs_sweep, uniforms)
    assert returned is not None, "return z after the sweep, not None"
    assert np.array_equal(np.asarray(returned), expected.z), (
        f"returned {np.asarray(returned).tolist()}, expected z = {expected.z.tolist()}"
    )
    for name, array in (("z", z), ("n_dk", n_dk), ("n_kw", n_kw), ("n_k", n_k)):
        assert np.array_equal(array, getattr(expected, name)), (
            f"the caller's {name} array is not the state after the sweep: change it in place"
        )


def test_gibbs_sweep_counts_stay_consistent(ex, rng) -> None:
    """After several sweeps the tables still count z; their sums never change.

    Every token is in exactly one topic: n_dk's rows sum to the document lengths, n_kw's
    columns to the word frequencies, and n_k is n_kw summed over words.

    Hint 1: whatever you take out of a table for a token, you add back for the same token.
    Hint 2: all three tables lose one at the old topic and gain one at the new topic,
    even when the new topic is the old one.
    """
    state = random_state(rng)
    lengths = state.n_dk.sum(axis=1).copy()
    frequencies = state.n_kw.sum(axis=0).copy()
    for sweep in range(4):
        state.sweep_with(ex.gibbs_sweep, rng.random(len(state.z)))
        recount = count_tables(state.doc_ids, state.word_ids, state.z, *state.shape)
        for name, table, counted in zip(("n_dk", "n_kw", "n_k"), state.arrays()[1:], recount,
                                        strict=True):  # fmt: skip
            assert np.array_equal(table, counted), (
                f"after sweep {sweep + 1}, {name} no longer counts the topics in z"
            )
        assert np.array_equal(state.n_dk.sum(axis=1), lengths), "document lengths changed"
        assert np.array_equal(state.n_kw.sum(axis=0), frequencies), "word counts changed"


def test_gibbs_sweep_later_token_sees_earlier_move(ex) -> None:
    """Token 1 is scored with token 0's new topic, not with the topics before the sweep.

    Document 0 holds two tokens of word 0, both in topic 0; token 0 moves to topic 1,
    and then topic 1 is likelier for token 1 than it was when the sweep began.

    Hint 1: the sweep is sequential: the counts change after each token, before the
    next one is scored.
    Hint 2: do not score every token first and update afterwards: update the tables
    right after each token's draw, inside the loop over the tokens.
    """
    state = State([0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 1, 1], 2, 2, 2, 1.0, 0.5)
    uniforms = [0.8, 0.5, 0.5, 0.5]
    expected = state.expected_after(uniforms)
    assert expected.z.tolist()[:2] == [1, 1]  # scored from the old counts, token 1 stays at 0
    state.sweep_with(ex.gibbs_sweep, uniforms)
    assert_state_equal(state, expected, "two tokens of one word in one document")


def test_gibbs_sweep_token_alone_in_document(ex, rng) -> None:
    """A document of one token: taken out, the document is empty, and alpha alone speaks.

    Then the document's factor is alpha for every topic, and the draw follows the
    topics' liking for the word.

    Hint 1: after the token is taken out its document's counts are all zero: that is
    fine, alpha keeps every score positive.
    Hint 2: take the token out of all three tables before scoring, its own document's
    row included.
    """
    for trial in range(3):
        state = random_state(rng, shuffle=False)
        doc_ids = np.concatenate([state.doc_ids, [state.shape[0]]])
        word_ids = np.concatenate([state.word_ids, [int(rng.integers(state.shape[2]))]])
        z = np.concatenate([state.z, [int(rng.integers(state.shape[1]))]])
        alone = State(doc_ids, word_ids, z, state.shape[0] + 1, *state.shape[1:], state.alpha,
                      state.eta)  # fmt: skip
        uniforms = rng.random(len(z))
        expected = alone.expected_after(uniforms)
        alone.sweep_with(ex.gibbs_sweep, uniforms)
        assert_state_equal(alone, expected, f"a one-token document, trial {trial}")


def test_gibbs_sweep_unused_words_count_in_v(ex, rng) -> None:
    """V is n_kw's number of columns, words that no token uses included.

    Hint 1: eta is added to every word of the vocabulary, so the denominator adds V * eta.
    Hint 2: take V from the shape of n_kw, not from the words that occur in word_ids.
    """
    state = random_state(rng, n_words=5)
    wide = State(state.doc_ids, state.word_ids % 3, state.z, state.shape[0], state.shape[1],
                 30, 0.1, 0.5)  # fmt: skip
    uniforms = rng.random(len(wide.z))
    expected = wide.expected_after(uniforms)
    wide.sweep_with(ex.gibbs_sweep, uniforms)
    assert_state_equal(wide, expected, "3 words used out of V = 30")


def test_gibbs_sweep_draw_at_the_edges(ex, rng) -> None:
    """A uniform of 0 picks the first topic, 1 the last, and a tie goes to the topic above.

    One token alone in its document, two topics that like its word equally: the scores
    are [0.5, 0.5], and a uniform of exactly 0.5 lands on the first running total.

    Hint 1: the new topic is the first one whose running total is strictly greater than
    the uniform times the total; when none is, it is the last topic.
    Hint 2: compare with "strictly greater", not "greater or equal", and clip the topic
    to K - 1 at the top.
    """
    # doc 0: the token (word 0); doc 1 puts one more token of word 0 and one of word 1 in
    # each topic, so that with alpha = eta = 1 the scores are exactly [0.5, 0.5].
    doc_ids, word_ids, z = [0, 1, 1, 1, 1], [0, 0, 1, 0, 1], [0, 0, 0, 1, 1]
    for u, topic in ((0.5, 1), (0.0, 0), (0.4999, 0), (1.0, 1)):
        state = State(doc_ids, word_ids, z, 2, 2, 2, 1.0, 1.0)
        uniforms = [u, 0.3, 0.3, 0.3, 0.3]
        expected = state.expected_after(uniforms)
        assert expected.z[0] == topic
        state.sweep_with(ex.gibbs_sweep, uniforms)
        assert_state_equal(state, expected, f"uniform {u} for token 0")
    n_topics = int(rng.integers(3, 7))
    state = random_state(rng, n_topics=n_topics)
    for u, what in ((1.0, "every uniform 1: the last topic"), (0.0, "every uniform 0")):
        fresh = state.copy()
        uniforms = np.full(len(fresh.z), u)
        expected = fresh.expected_after(uniforms)
        fresh.sweep_with(ex.gibbs_sweep, uniforms)
        assert_state_equal(fresh, expected, what)


def test_gibbs_sweep_sotu_tokens_equal_reference(ex, rng, sotu_tokens) -> None:
    """Three sweeps over 900 real State of the Union tokens equal the formula's, each one.

    Three random addresses, 300 content words of each, 4 to 10 topics, alpha of 0.1 and
    eta of 0.01, as a real LDA run would use.

    Hint 1: the same sweep on a corpus with hundreds of words: if the small checks pass
    and this one does not, look at what differs with size.
    Hint 2: small priors make scores tiny and uneven; compute them as floats (not integer
    division) and keep the counts in the arrays you were given.
    """
    state = sotu_state(sotu_tokens, rng)
    for sweep in range(3):
        uniforms = rng.random(len(state.z))
        expected = state.expected_after(uniforms)
        state.sweep_with(ex.gibbs_sweep, uniforms)
        assert_state_equal(state, expected, f"State of the Union, sweep {sweep + 1}")


def test_gibbs_sweep_sotu_finds_word_clusters(ex, rng, sotu_tokens) -> None:
    """Twenty sweeps pull each word's tokens together: fewer topics per word than at start.

    Under random topics a frequent word's tokens are spread over all topics; the sampler
    gathers them, since a topic that already holds a word likes it more.

    Hint 1: the topic's liking for the word, (n_kw + eta) over (n_k + V * eta), is what
    gathers a word's tokens: check that factor.
    Hint 2: if this fails while the other checks pass, the sweep must be run on the
    tables it was given, sweep after sweep, without resetting them.
    """
    state = sotu_state(sotu_tokens, rng, per_address=200)

    def spread(s: State) -> float:
        """The mean, over words used 5 times or more, of the share outside their top topic."""
        used = s.n_kw.sum(axis=0) >= 5
        return float(np.mean(1 - s.n_kw[:, used].max(axis=0) / s.n_kw[:, used].sum(axis=0)))

    before = spread(state)
    expected = state.copy()
    for _ in range(20):
        uniforms = rng.random(len(state.z))
        expected = expected.expected_after(uniforms)
        state.sweep_with(ex.gibbs_sweep, uniforms)
    assert_state_equal(state, expected, "State of the Union, after 20 sweeps")
    assert spread(state) < before, "the words' tokens are no more gathered than at random"
