"""VaderAnalyzer gives vaderSentiment's scores: rule by rule, then on every real sentence."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
from vaderSentiment.vaderSentiment import negated as reference_negated

from nlpjourney.data.corpora import read_member, sentence_polarity
from nlpjourney.sentiment.vader import (
    NEGATION_SCALAR,
    VaderAnalyzer,
    negated,
    negation_rule,
    normalize,
    tokens,
)


@cache
def analyzers() -> tuple[VaderAnalyzer, SentimentIntensityAnalyzer]:
    """Ours and vaderSentiment's, built once (the hypothesis test cannot take fixtures)."""
    return VaderAnalyzer(), SentimentIntensityAnalyzer()


@pytest.fixture(scope="module")
def ours() -> VaderAnalyzer:
    return analyzers()[0]


@pytest.fixture(scope="module")
def reference() -> SentimentIntensityAnalyzer:
    return analyzers()[1]


def assert_same(ours: VaderAnalyzer, reference: SentimentIntensityAnalyzer, text: str) -> None:
    got, want = ours.polarity_scores(text), reference.polarity_scores(text)
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == pytest.approx(want[key], abs=1e-4), (text, key, got, want)


RULES = {
    "lexicon": ["The book was good.", "The book was bad.", "A table.", "", "   ", "!!!"],
    "negation": [
        "The book was not good.",
        "It isn't a horrible book.",
        "I never said it was bad.",
        "Not bad at all",
        "It was without a doubt great.",
        "Without doubt, excellent idea.",
        "Sentiment analysis has never been good.",
        "Sentiment analysis has never been this good!",
        "nobody doesn't hate it",
        "despite good reviews",
    ],
    "no": ["no good", "No problem at all", "no, no good", "no fun or nice", "NO good at ALL"],
    "boosters": [
        "The book was very good.",
        "The book was extremely very good.",
        "It was barely good.",
        "really really really bad",
        "It is slightly horrible.",
    ],
    "caps": [
        "VADER is VERY SMART, handsome, and FUNNY.",
        "The book was GOOD.",
        "THE BOOK WAS GOOD.",
        "It was VERY bad",
        "Today SUX!",
    ],
    "but": [
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        "good but bad",
        "good good but good good bad",
        "great but great but great",
        "It was fine. BUT it was awful.",
    ],
    "punctuation": [
        "The book was good!",
        "The book was good!!!",
        "The book was good!!!!!!!",
        "Is the book good??",
        "Is the book good????",
        "Is it bad? Is it good?",
        "bad!!?? terrible",
    ],
    "emoji": [
        "Catch utf-8 emoji such as 💘 and 💋 and 😁",
        "😁😁",
        "so sad😢and lonely",
        "I 💔 you",
    ],
    "kind of": [
        "The book was only kind of good.",
        "Today only kinda sux! But I'll get by, lol",
        "it is sort of bad",
        "it was just enough good",
    ],
    "least": [
        "Roger Dodger is one of the least compelling variations on this theme.",
        "Roger Dodger is at least compelling as a variation on the theme.",
        "least good",
        "at the very least good",
    ],
    "idioms": [
        "With VADER, sentiment analysis is the shit!",
        "On the other hand, VADER is quite bad ass",
        "VADER is such a badass!",
        "Yeah right, like that is good",
        "this cake is to die for",
        "that was the kiss of death for me",
        "stop at the bus stop please",
    ],
    "emoticons": ["Make sure you :) or :D today!", "meh :(", "ok <3"],
}


@pytest.mark.parametrize(
    "text", [text for texts in RULES.values() for text in texts], ids=lambda t: t[:30]
)
def test_vader_each_rule_matches_vadersentiment(
    ours: VaderAnalyzer, reference: SentimentIntensityAnalyzer, text: str
) -> None:
    assert_same(ours, reference, text)


def test_vader_rules_move_the_score_the_right_way(ours: VaderAnalyzer) -> None:
    good = ours.compound("The book was good.")
    assert ours.compound("The book was not good.") < 0 < good
    assert ours.compound("The book was very good.") > good
    assert ours.compound("The book was kind of good.") < good
    assert ours.compound("The book was good!!!") > ours.compound("The book was good!") > good
    assert ours.compound("The book was GOOD.") > good
    assert ours.compound("It was bad, but the ending was good.") > 0
    assert ours.compound("😁") > 0 > ours.compound("😢")


# Words that trigger every rule, mixed in random order and case with random characters.
RULE_WORDS = (
    "good GOOD bad BAD not no No NO nor or but But kind of sort just enough very VERY "
    "barely least at never so this without doubt the shit bomb ass yeah right kiss death "
    "to die for bus stop :) :( !!! ?? ? ! isn't great HORRIBLE kinda 😁 💔 love hate no, funny"
).split()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(RULE_WORDS), st.text(max_size=3)),
        max_size=12,
    )
)
def test_vader_random_rule_mixes_match_vadersentiment(pieces: list[str]) -> None:
    text = " ".join(pieces)
    ours, reference = analyzers()
    assert ours.polarity_scores(text) == reference.polarity_scores(text)


def test_vader_negated_matches_vadersentiment() -> None:
    words = ["not", "isn't", "Never", "cannot", "dont", "despite", "good", "nothing", "seldom"]
    words += ["no", "very", "uh-uh", "ain't", "know", "couldn't"]
    for word in words:
        assert negated([word]) == reference_negated([word]), word
    assert negated(["it", "was", "NOT"]) and not negated(["it", "was"])
    assert not negated([])


def test_vader_negation_rule_scales_by_the_negation_scalar() -> None:
    assert negation_rule(2.0, ["not", "good"], 1, 1) == 2.0 * NEGATION_SCALAR
    assert negation_rule(2.0, ["not", "very", "good"], 2, 2) == 2.0 * NEGATION_SCALAR
    assert negation_rule(2.0, ["never", "so", "good"], 2, 2) == 2.0 * 1.25
    assert negation_rule(2.0, ["without", "doubt", "good"], 2, 2) == 2.0
    assert negation_rule(2.0, ["not", "a", "very", "good"], 3, 3) == 2.0 * NEGATION_SCALAR
    assert negation_rule(2.0, ["a", "was", "so", "good"], 3, 3) == 2.0 * 1.25
    assert negation_rule(2.0, ["a", "good"], 1, 1) == 2.0
    with pytest.raises(ValueError, match="distance"):
        negation_rule(2.0, ["good"], 0, 1)
    with pytest.raises(ValueError, match="distance"):
        negation_rule(2.0, ["a", "b", "c", "d", "good"], 4, 4)


def test_vader_normalize_and_tokens() -> None:
    assert normalize(0.0) == 0.0
    assert -1 < normalize(-100.0) < normalize(-1.0) < 0 < normalize(1.0) < normalize(100.0) < 1
    assert tokens("Great, isn't it?! :) a,") == ["Great", "isn't", "it?!", ":)", "a,"]


def test_vader_accepts_custom_lexicons(tmp_path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("zorp\t3.0\t0.5\t[3]\nblah\t-2.0\n", encoding="utf-8")
    vader = VaderAnalyzer(lexicon=words, emoji_lexicon={"☃": "zorp man"})
    assert vader.compound("zorp") == round(normalize(3.0), 4)
    assert vader.compound("☃") == vader.compound("zorp man")
    assert VaderAnalyzer(lexicon={"blah": -2}).compound("blah") < 0
    bad = tmp_path / "bad.txt"
    bad.write_text("zorp\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        VaderAnalyzer(lexicon=bad)


def test_vader_rejects_non_text(ours: VaderAnalyzer) -> None:
    with pytest.raises(TypeError, match="str"):
        ours.polarity_scores(b"good")  # type: ignore[arg-type]


def test_vader_label_uses_the_compound_threshold(ours: VaderAnalyzer) -> None:
    assert ours.label("a great film") == "pos"
    assert ours.label("a terrible film") == "neg"
    assert ours.label("a film") == "neutral"


def test_vader_matches_vadersentiment_on_every_sentence_polarity_sentence(
    ours: VaderAnalyzer, reference: SentimentIntensityAnalyzer
) -> None:
    sentences = [text for text, _ in sentence_polarity()]
    # The brief's reading (Latin-1) turns a few UTF-8 letters into other characters:
    # check that reading too, so both decodings are covered.
    for label in ("neg", "pos"):
        raw = read_member("sentence_polarity", f"sentence_polarity/rt-polarity.{label}", "latin-1")
        sentences += [line for line in raw.splitlines() if not line.isascii()]
    assert len(sentences) > 10662
    for text in sentences:
        got, want = ours.polarity_scores(text), reference.polarity_scores(text)
        assert got == pytest.approx(want, abs=1e-4), text
