"""Aspect extraction and polarity on hand-made sentences, and honest scores on Hu & Liu's data."""

from __future__ import annotations

import pytest

from nlpjourney.sentiment.aspects import (
    AspectSentiment,
    default_nouns,
    evaluate_aspects,
)
from nlpjourney.sentiment.reviews import AspectLabel, ReviewSentence, product_reviews

REVIEWS = (
    ["the battery life is great ."] * 3
    + ["the zoom is not good ."] * 3
    + ["i like the lcd screen ."] * 3
    + ["the life of a student ."] * 2
)


@pytest.fixture(scope="module")
def model() -> AspectSentiment:
    return AspectSentiment(min_support=0.2).fit(REVIEWS)


def test_aspects_nouns_from_treebank_and_wordnet() -> None:
    nouns = default_nouns()
    assert all(nouns.is_noun(w) for w in ["battery", "pictures", "lcd", "zoom", "price"])
    assert not any(nouns.is_noun(w) for w in ["the", "is", "great", "quickly", "something", "g3"])
    assert nouns.lemma("batteries") == "battery"


def test_aspects_frequent_noun_phrases_with_pure_support(model: AspectSentiment) -> None:
    # "life" and "lcd" are frequent but never named alone often enough (pure support < 3);
    # "battery life" and "lcd screen" are the aspects.
    assert model.aspects_ == ["battery life", "lcd screen", "zoom"]
    assert model.support_["zoom"] == 3
    assert model.candidates(["the", "lcd", "screen", "menu"]) == {
        "lcd",
        "screen",
        "menu",
        "lcd screen",
        "screen menu",
        "lcd screen menu",
    }


def test_aspects_opinions_attach_to_the_nearest_aspect(model: AspectSentiment) -> None:
    assert model.analyze("great zoom , but the battery life is poor .") == [
        ("zoom", 1),
        ("battery life", -1),
    ]
    assert model.analyze("the zoom is n't good but the lcd screen is excellent") == [
        ("zoom", -1),
        ("lcd screen", 1),
    ]
    # no opinion word: no opinion sentence, nothing rated
    assert model.analyze("the zoom and the lcd screen .") == []
    everything = AspectSentiment(min_support=0.2, opinion_sentences_only=False).fit(REVIEWS)
    assert everything.analyze("the zoom and the lcd screen .") == [("zoom", 0), ("lcd screen", 0)]
    # an aspect with no opinion word of its own takes the sentence's sign
    mentions = model.mentions("i hate the zoom , the lcd screen , everything .")
    assert [(m.aspect, m.polarity) for m in mentions] == [("zoom", -1), ("lcd screen", -1)]
    assert (mentions[0].start, mentions[0].stop) == (3, 4)


def test_aspects_refuse_bad_use() -> None:
    with pytest.raises(ValueError, match="min_support"):
        AspectSentiment(min_support=0)
    with pytest.raises(ValueError, match="at least one"):
        AspectSentiment().fit([])
    with pytest.raises(RuntimeError, match="fit"):
        AspectSentiment().analyze("the zoom is good")
    with pytest.raises(ValueError, match="at least one"):
        evaluate_aspects([])


def test_aspects_evaluate_counts_matches_and_polarity() -> None:
    rows = [
        ReviewSentence("p", 1, "", text, (AspectLabel(aspect, score),))
        for text, aspect, score in [
            ("the zoom is great .", "zoom", 2),
            ("the zooms are bad .", "zoom", 2),  # found, wrong polarity; plural matches
            ("the zoom is good .", "lens", 1),  # found the wrong aspect
        ]
    ] + [ReviewSentence("p", 1, "", "it fits my pocket .", (AspectLabel("size", 1, ("u",)),))]
    scores = evaluate_aspects(rows, min_support=0.5, min_pure_support=1)
    assert (scores.annotated, scores.extracted, scores.matched) == (3, 3, 2)
    assert scores.precision == pytest.approx(2 / 3) and scores.recall == pytest.approx(2 / 3)
    assert scores.polarity_accuracy == pytest.approx(1 / 2)
    assert scores.list_precision == 1.0 and scores.list_recall == pytest.approx(1 / 2)


def test_aspects_scores_on_hu_and_liu_reviews() -> None:
    scores = evaluate_aspects(product_reviews(["Canon_G3", "Nokia_6610"]))
    # Reproducible numbers, well above what chance extraction would give.
    assert scores.annotated > 400
    assert 0.1 < scores.precision < 1 and 0.25 < scores.recall < 1
    assert scores.polarity_accuracy > 0.75
