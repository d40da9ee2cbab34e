"""Tagging schemes (checked by seqeval's strict readers on CoNLL-2003) and the rule/gazetteer baseline."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlpjourney.evaluate.sequence import entities, f1_score
from nlpjourney.tagging import GazetteerMatcher, RuleMatcher, convert_scheme
from nlpjourney.tagging.ner import Rule, gazetteer_from, spans_to_tags

seqeval_scheme = pytest.importorskip("seqeval.scheme")
SEQEVAL = {"IOB1": "IOB1", "IOB2": "IOB2", "IOE2": "IOE2", "BIOES": "IOBES", "BILOU": "BILOU"}


@pytest.fixture(scope="module")
def conll():
    from nlpjourney.data import corpora

    def load(split):
        sentences = corpora.conll2003(split)
        return [[row[0] for row in s] for s in sentences], [
            [row[3] for row in s] for s in sentences
        ]

    return {"train": load("train"), "testa": load("testa")}


def _seqeval_spans(tags, scheme):
    reference = getattr(seqeval_scheme, SEQEVAL[scheme])
    return [(e.tag, e.start, e.end) for e in seqeval_scheme.Tokens(tags, reference).entities]


@pytest.mark.parametrize("scheme", ["IOB1", "BIOES", "BILOU", "IOE2"])
def test_ner_conversion_keeps_conll_train_entities_under_seqeval(conll, scheme):
    # The registry's CoNLL-2003 tags read as IOB2 (every entity opens with B-); each
    # conversion must give seqeval's strict reader of the target the same entities,
    # and converting back must give the tags we started from.
    _, tags = conll["train"]
    for labels in tags[:4000]:
        converted = convert_scheme(labels, "IOB2", scheme)
        assert _seqeval_spans(converted, scheme) == _seqeval_spans(labels, "IOB2")
        assert convert_scheme(converted, scheme, "IOB2") == labels


@given(st.lists(st.sampled_from(["O", "I-PER", "B-PER", "I-LOC", "B-LOC"]), max_size=12))
def test_ner_iob1_to_iob2_matches_seqeval_iob1_reader(tags):
    # Any IOB1 sequence converts to IOB2 with the entities conlleval reads in it.
    iob2 = convert_scheme(tags, "IOB1", "IOB2")
    assert entities(iob2, mode="strict", scheme="IOB2") == entities(tags)
    assert _seqeval_spans(iob2, "IOB2") == entities(tags)


def test_ner_convert_scheme_rejects_foreign_tags():
    with pytest.raises(ValueError, match="not a IOB2 tag"):
        convert_scheme(["S-PER"], "IOB2", "BIOES")
    with pytest.raises(ValueError, match="scheme must be one of"):
        convert_scheme(["O"], "XYZ", "IOB2")
    assert spans_to_tags(3, [("X", 0, 3)], "BILOU") == ["B-X", "I-X", "L-X"]


def test_ner_gazetteer_takes_the_longest_match_first():
    matcher = GazetteerMatcher({"New York": "LOC", "New York Times": "ORG", "York": "LOC"})
    assert matcher.predict([["The", "New", "York", "Times", "in", "York"]]) == [
        ["O", "B-ORG", "I-ORG", "I-ORG", "O", "B-LOC"]
    ]
    by_type = GazetteerMatcher({"PER": ["jane smith"]}, case_sensitive=False)
    assert by_type.predict([["Jane", "Smith", "ran"]]) == [["B-PER", "I-PER", "O"]]
    assert GazetteerMatcher({"PER": ["jane smith"]}).predict([["Jane", "Smith"]]) == [["O", "O"]]
    with pytest.raises(ValueError, match="non-empty"):
        GazetteerMatcher({})


def test_ner_gazetteer_from_conll_train_scores_on_testa(conll):
    gazetteer = gazetteer_from(*conll["train"])
    assert gazetteer["Germany"] == "LOC" and gazetteer["Clinton"] == "PER"
    words, gold = conll["testa"]
    # The lesson's baseline: a gazetteer of training names finds about two thirds of testa's.
    assert 0.65 < f1_score(gold, GazetteerMatcher(gazetteer).predict(words)) < 0.8


def test_ner_rules_tag_titles_and_capitalised_runs():
    matcher = RuleMatcher()
    assert matcher.predict([["Then", "Mrs.", "Anne", "Jones", "met", "IBM", "staff"]]) == [
        ["O", "O", "B-PER", "I-PER", "O", "B-ORG", "O"]
    ]
    custom = RuleMatcher([Rule("MONEY", r"\d+(?:\.\d+)?", before=(r"\$|US\$",))])
    assert custom.predict([["It", "cost", "$", "12.5"]]) == [["O", "O", "O", "B-MONEY"]]
    with pytest.raises(TypeError, match="Rule"):
        RuleMatcher(["PER"])
