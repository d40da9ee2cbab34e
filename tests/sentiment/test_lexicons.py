"""AfinnScorer equals the afinn package; the opinion-lexicon scorer counts Hu & Liu's words."""

from __future__ import annotations

import re

import pytest
from afinn import Afinn

from nlpjourney.data.corpora import sentence_polarity
from nlpjourney.sentiment.lexicons import AfinnScorer, OpinionLexiconScorer, trie_pattern

TRICKY = [
    "This is utterly excellent!",
    "I can't stand it, no fun at all",
    "some kind of idiot",
    "Good and bad",
    "not  good\n\tat all",
    "GOOD GRIEF",
    "a well-known and well-liked cool-headed fellow",
    "Make sure you :) or :-( today :D",
    "",
]


def assert_same_as_afinn(texts: list[str], emoticons: bool) -> None:
    ours, reference = AfinnScorer(emoticons), Afinn(emoticons=emoticons)
    for text in texts:
        assert ours.find_all(text) == reference.find_all(text), text
        assert ours.score(text) == reference.score(text), text


@pytest.mark.parametrize("emoticons", [False, True])
def test_lexicons_afinn_matches_afinn_on_tricky_and_sampled_sentences(emoticons: bool) -> None:
    # afinn's own matcher is slow (about 1 ms a sentence): a sample here, all in the slow test.
    assert_same_as_afinn(TRICKY + [text for text, _ in sentence_polarity()[::40]], emoticons)


@pytest.mark.slow
@pytest.mark.parametrize("emoticons", [False, True])
def test_lexicons_afinn_matches_afinn_on_every_sentence_polarity_sentence(
    emoticons: bool,
) -> None:
    assert_same_as_afinn([text for text, _ in sentence_polarity()], emoticons)


def test_lexicons_trie_pattern_prefers_the_longest_entry() -> None:
    entries = ["no", "no fun", "nice", "fun", "n"]
    pattern = re.compile(rf"\b{trie_pattern(entries)}\b")
    assert pattern.findall("no fun, nice fun n nope") == ["no fun", "nice", "fun", "n"]
    with pytest.raises(ValueError, match="empty"):
        trie_pattern(["a", ""])


def test_lexicons_afinn_label_and_errors() -> None:
    afinn = AfinnScorer()
    assert afinn.label("a wonderful day") == "pos"
    assert afinn.label("an awful day") == "neg"
    assert afinn.label("a day") == "neutral"
    with pytest.raises(TypeError, match="str"):
        afinn.score(3)  # type: ignore[arg-type]


def test_lexicons_opinion_scorer_counts_positive_minus_negative() -> None:
    lexicon = OpinionLexiconScorer()
    assert len(lexicon.positive) == 2006 and len(lexicon.negative) == 4783
    assert lexicon.score("A great, reliable camera with a terrible battery.") == 1
    assert lexicon.score("Great GREAT great") == 3
    assert lexicon.score("awful, just awful") == -2
    assert lexicon.label("The battery is black.") == "neutral"
    assert lexicon.label("It's excellent") == "pos"
    assert lexicon.label("It is bad") == "neg"
    with pytest.raises(TypeError, match="str"):
        lexicon.score(None)  # type: ignore[arg-type]


def test_lexicons_opinion_scorer_beats_chance_on_sentence_polarity() -> None:
    lexicon = OpinionLexiconScorer()
    rows = sentence_polarity()[::10]
    decided = [(lexicon.label(text), label) for text, label in rows]
    decided = [(guess, label) for guess, label in decided if guess != "neutral"]
    accuracy = sum(guess == label for guess, label in decided) / len(decided)
    assert accuracy > 0.6
