"""The NER attribute lists: what each token carries, with and without CoNLL columns."""

from __future__ import annotations

import pytest

from nlpjourney.data import corpora
from nlpjourney.tagging.features import FEATURES, ner_features, word_shape


def test_features_word_shape_maps_letter_classes() -> None:
    assert word_shape("McDonald's") == "XxXxxxxx'x"
    assert word_shape("1,000.50") == "d,ddd.dd"
    assert word_shape("Zürich") == "Xxxxxx"
    assert word_shape("") == ""


def test_features_ner_features_of_words() -> None:
    attributes = ner_features(["Peter", "lives", "in", "NEW-YORK", "2024"])
    assert len(attributes) == 5
    peter, lives, _, york, year = (set(a) for a in attributes)
    assert {"bias", "word=Peter", "lower=peter", "shape=Xxxxx", "sshape=Xx", "BOS"} <= peter
    assert {"p1=P", "p4=Pete", "s1=r", "s4=eter", "title@start", "w[+1]=lives"} <= peter
    assert {"w[+2]=in", "w|w[+1]=peter|lives"} <= peter
    assert not any(a.startswith(("w[-", "pos", "chunk")) for a in peter)
    assert {"lower", "w[-1]=peter", "w[-1]|w=peter|lives", "title[-1]=True"} <= lives
    assert {"upper", "hyphen", "shape=XXX-XXXX"} <= york
    assert {"digit", "number", "EOS", "w[-2]=in"} <= year
    assert "title" not in york


def test_features_ner_features_use_conll_columns() -> None:
    sentence = corpora.conll2003("testa")[0]  # CRICKET - LEICESTERSHIRE TAKE OVER AT TOP ...
    attributes = ner_features(sentence)
    assert len(attributes) == len(sentence)
    word, pos, chunk, _ = sentence[0]
    assert {f"word={word}", f"pos={pos}", f"pos2={pos[:2]}", f"chunk={chunk}"} <= set(attributes[0])
    assert f"pos[+1]={sentence[1][1]}" in attributes[0]
    assert f"chunk[-1]={chunk}" in attributes[1]
    assert attributes == ner_features([row[:3] for row in sentence])  # the NER column is unused


def test_features_ner_features_gazetteer_marks_spans() -> None:
    gazetteer = {"LOC": ["New York", "Paris"], "ORG": ["New York Times"]}
    attributes = ner_features(["The", "New", "York", "Times", "in", "paris"], gazetteer)
    assert "gaz=B-ORG" in attributes[1] and "gaz=B-LOC" in attributes[1]
    assert "gaz=I-LOC" in attributes[2] and "gaz=I-ORG" in attributes[3]
    assert "gaz=I-LOC" not in attributes[3]
    assert "gaz=B-LOC" in attributes[5]
    assert not any(a.startswith("gaz") for a in attributes[0] + attributes[4])


def test_features_ner_features_edge_cases() -> None:
    assert ner_features([]) == []
    assert FEATURES["ner"] is ner_features
    with pytest.raises(TypeError, match="not a string"):
        ner_features("Paris is nice")
    with pytest.raises(ValueError, match="empty"):
        ner_features([("Paris", "NNP"), ()])
