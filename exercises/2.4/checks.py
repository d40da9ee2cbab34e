"""Checks for exercise 2.4, run by ``journey check 2.4``.

Each check calls the learner's ``negated`` and ``negation_rule`` through the ``ex``
fixture and compares them with vaderSentiment's own behaviour, measured here: its
``negated`` function and its ``SentimentIntensityAnalyzer._negation_check`` (the rule the
exercise asks for), on hand-made word sequences and on sequences drawn fresh each run
(``rng``). The last check puts the learner's rule inside our VADER analyser and compares
its compound scores with vaderSentiment's on sentence_polarity sentences that hold a
negation. With ``--exercise reference`` the same checks grade the library,
``nlpjourney.sentiment.vader``.
"""

from __future__ import annotations

import math

import pytest
from vaderSentiment import vaderSentiment as vs

REFERENCE = "nlpjourney.sentiment.vader"
# What the learner may not use: the model answer (and the rest of the library), and the
# libraries that hold the rule.
FORBIDDEN = ("nlpjourney", "vaderSentiment", "nltk")

NEGATION_WORDS = sorted(vs.NEGATE)
# Words that trigger the rule's special cases, and plain ones.
SPECIAL = ["never", "so", "this", "without", "doubt", "not", "no", "least", "very", "but"]
PLAIN = ["the", "book", "was", "good", "bad", "is", "a", "it", "really", "movie", "at",
         "snot", "nota", "nevermore", "sow", "doubts", "withouts"]  # fmt: skip
NT_WORDS = ["shouldn't", "gun-n't", "couldn't've", "isn't", "n't", "rock'n'troll'n't"]


def vader_rule(valence: float, lowered: list[str], i: int, distance: int) -> float:
    """vaderSentiment's negation check for one distance: the expected value."""
    return vs.SentimentIntensityAnalyzer._negation_check(valence, lowered, distance - 1, i)


def random_words(rng, n: int, *, capitals: bool = False) -> list[str]:
    """``n`` words drawn from negations, the special-case words, "n't" words and plain ones."""
    pools = [NEGATION_WORDS, SPECIAL, NT_WORDS, PLAIN]
    weights = [0.2, 0.45, 0.05, 0.3]
    words = []
    for _ in range(n):
        pool = pools[rng.choice(len(pools), p=weights)]
        word = str(pool[rng.integers(len(pool))])
        if capitals and rng.random() < 0.3:
            word = word.upper() if rng.random() < 0.5 else word.capitalize()
        words.append(word)
    return words


def test_negated_negation_words(ex, rng) -> None:
    """negated is True for each negation word alone, in any case, and False for others.

    Hint 1: compare the lower-cased word with the set of negation words.
    Hint 2: "Never" and "NEVER" are the same word once lower-cased; "snot" and "nota"
    merely contain letters of a negation, and do not negate.
    """
    for word in ["not", "never", "without", "nor", "despite", "uh-uh", "cannot", "seldom"]:
        assert ex.negated([word]) is True, word
    for index in rng.choice(len(NEGATION_WORDS), size=12, replace=False):
        word = NEGATION_WORDS[index]
        for form in (word, word.upper(), word.capitalize()):
            assert ex.negated([form]) is True, form
    for word in ["good", "snot", "nota", "nevermore", "no", "least", "Nothin", "out"]:
        assert ex.negated([word]) is vs.negated([word]) is False, word
    assert ex.negated([]) is False


def test_negated_nt_words(ex) -> None:
    """negated is True for any word that contains "n't", in any case.

    Hint 1: not every word ending in "n't" is in the list of negation words.
    Hint 2: a word negates when its lower-cased form contains the three characters
    n, apostrophe, t anywhere, "couldn't've" and "SHOULDN'T" included.
    """
    for word in NT_WORDS + ["SHOULDN'T", "Mayn't"]:
        assert ex.negated([word]) is True, word
    assert ex.negated(["dont"]) is True
    assert ex.negated(["nt", "n`t", "n t"]) is False


def test_negated_any_position(ex, rng) -> None:
    """negated looks at every word of the list, first to last, as vaderSentiment does.

    Hint 1: one negating word anywhere in the list is enough.
    Hint 2: go through all the words before deciding; return False only when none of
    them negates.
    """
    assert ex.negated(["it", "was", "not"]) is True
    assert ex.negated(["Never", "so", "good"]) is True
    assert ex.negated(["so", "very", "good"]) is False
    for _ in range(300):
        words = random_words(rng, int(rng.integers(0, 6)), capitals=True)
        assert ex.negated(words) is vs.negated(words), words


def test_negation_rule_distance_one(ex, rng) -> None:
    """negation_rule at distance 1 flips and shrinks a valence after a negation word.

    Hint 1: only the word right before the scored word matters at this distance.
    Hint 2: when that word negates, multiply the valence by the negation scalar (-0.74);
    otherwise return it unchanged.
    """
    assert math.isclose(ex.negation_rule(1.9, ["not", "good"], 1, 1), 1.9 * -0.74)
    assert math.isclose(ex.negation_rule(-2.5, ["the", "isn't", "bad"], 2, 1), -2.5 * -0.74)
    assert ex.negation_rule(1.9, ["very", "good"], 1, 1) == 1.9
    assert ex.negation_rule(1.9, ["not", "so", "good"], 2, 1) == 1.9
    valence = float(rng.uniform(-4, 4))
    for word in rng.choice(NEGATION_WORDS, size=8, replace=False):
        got = ex.negation_rule(valence, ["it", str(word), "works"], 2, 1)
        assert math.isclose(got, valence * -0.74), (word, valence, got)


def test_negation_rule_distance_two(ex, rng) -> None:
    """negation_rule at distance 2: "never so/this" strengthens, "without doubt" keeps.

    Hint 1: three cases in order: the strengthening phrase, the phrase that keeps the
    valence, then a negation two words back.
    Hint 2: "never" two back with "so" or "this" right before multiplies by 1.25;
    "without" two back with "doubt" right before returns the valence; else a negating
    word two back multiplies by the negation scalar. The word right before is not tested
    for negation at this distance.
    """
    valence = float(rng.uniform(0.5, 3.5))
    cases = {
        ("never", "so", "good"): valence * 1.25,
        ("never", "this", "good"): valence * 1.25,
        ("without", "doubt", "good"): valence,
        ("without", "any", "good"): valence * -0.74,
        ("not", "very", "good"): valence * -0.74,
        ("never", "very", "good"): valence * -0.74,
        ("is", "not", "good"): valence,
        ("is", "so", "good"): valence,
    }
    for words, expected in cases.items():
        got = ex.negation_rule(valence, list(words), 2, 2)
        assert math.isclose(got, expected), (words, got, expected)
        assert math.isclose(got, vader_rule(valence, list(words), 2, 2))


def test_negation_rule_distance_three(ex, rng) -> None:
    """negation_rule at distance 3, with VADER's "so"/"this" reading.

    Hint 1: the strengthening test looks at two places: "never" then "so"/"this" three
    and two words back, or "so"/"this" right before the scored word on its own.
    Hint 2: then "without" three back with "doubt" one or two back keeps the valence;
    then a negating word three back (and only there) multiplies by the negation scalar.
    """
    valence = float(rng.uniform(-3.5, -0.5))
    cases = {
        ("never", "so", "very", "bad"): valence * 1.25,
        ("never", "this", "very", "bad"): valence * 1.25,
        ("it", "is", "so", "bad"): valence * 1.25,
        ("not", "really", "this", "bad"): valence * 1.25,
        ("without", "doubt", "very", "bad"): valence,
        ("without", "a", "doubt", "bad"): valence,
        ("without", "a", "very", "bad"): valence * -0.74,
        ("not", "really", "very", "bad"): valence * -0.74,
        ("a", "not", "very", "bad"): valence,
        ("a", "b", "not", "bad"): valence,
        ("never", "very", "so", "bad"): valence * 1.25,
    }
    for words, expected in cases.items():
        got = ex.negation_rule(valence, list(words), 3, 3)
        assert math.isclose(got, expected), (words, got, expected)
        assert math.isclose(got, vader_rule(valence, list(words), 3, 3))


def test_negation_rule_matches_vader_on_random_sequences(ex, rng) -> None:
    """negation_rule equals vaderSentiment's negation check on fresh word sequences.

    Hint 1: each distance has its own cases; check them in the order the docstring gives.
    Hint 2: at every distance, a valence that matches no case comes back unchanged, and
    only the word exactly ``distance`` places back is tested for negation.
    """
    for _ in range(600):
        n = int(rng.integers(2, 7))
        lowered = random_words(rng, n)
        distance = int(rng.integers(1, 4))
        if distance >= n:
            distance = n - 1
        i = int(rng.integers(distance, n))
        valence = float(rng.uniform(-4, 4))
        got = ex.negation_rule(valence, lowered, i, distance)
        expected = vader_rule(valence, lowered, i, distance)
        assert math.isclose(got, expected, abs_tol=1e-12), (lowered, i, distance, got, expected)


def test_negation_rule_rejects_bad_arguments(ex) -> None:
    """negation_rule raises ValueError for a distance other than 1-3 or a bad position.

    Hint 1: check the arguments before looking at any word.
    Hint 2: the distance must be one of 1, 2, 3, and the position must have that many
    words before it and lie inside the list.
    """
    words = ["not", "so", "very", "good"]
    for distance, i in [(0, 3), (4, 3), (3, 2), (2, 1), (1, 0), (1, 4), (2, 9)]:
        with pytest.raises(ValueError):
            ex.negation_rule(1.0, words, i, distance)
    assert ex.negation_rule(1.0, words, 3, 3) == 1.0 * -0.74


@pytest.fixture
def negated_sentences(rng) -> list[str]:
    """A fresh sample of sentence_polarity sentences that hold a negation word."""
    from nlpjourney.data.corpora import sentence_polarity

    texts = [text for text, _ in sentence_polarity()]
    with_negation = [t for t in texts if vs.negated(t.split()) or " no " in t]
    picks = rng.choice(len(with_negation), size=400, replace=False)
    return [with_negation[int(k)] for k in picks]


def test_negation_rule_inside_vader_on_real_sentences(ex, negated_sentences, monkeypatch) -> None:
    """VADER built with your negation rule scores real sentences as vaderSentiment does.

    Hint 1: the analyser asks your rule about every lexicon word, three times, with
    distance 1, 2 and 3; a rule that passes the other checks passes this one.
    Hint 2: if only this check fails, look at sentences with a negation two or three words
    before a sentiment word, or with "so" or "this" right before it.
    """
    from nlpjourney.sentiment import vader

    monkeypatch.setattr(vader, "negation_rule", ex.negation_rule)
    ours, theirs = vader.VaderAnalyzer(), vs.SentimentIntensityAnalyzer()
    wrong = []
    for text in negated_sentences:
        got, expected = ours.compound(text), theirs.polarity_scores(text)["compound"]
        if abs(got - expected) > 1e-4:
            wrong.append((text, got, expected))
    assert not wrong, f"{len(wrong)} sentences differ, e.g. {wrong[:3]}"
