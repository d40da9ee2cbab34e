"""Tests for nlpjourney.text.spacy_pipeline: the offline pipeline and the tables read from it.

The pipeline is spaCy's own model, so the tests check what must hold for any parse (one
root per sentence, heads inside the sentence, no cycles), that the helper tables report the
doc's own attributes, and that real sentences from the registry come out with the entities
the pinned model (en_core_web_sm 3.8.0) finds in them.
"""

from __future__ import annotations

import importlib
import socket
import xml.etree.ElementTree as ET

import pytest
import spacy
from spacy.tokens import Doc, Span

from nlpjourney.data import corpora
from nlpjourney.errors import JourneyError
from nlpjourney.text import spacy_pipeline as sp


@pytest.fixture(scope="module")
def nlp() -> spacy.Language:
    return sp.load_english()


def sms_messages(n: int) -> list[str]:
    return [text for text, _ in corpora.sms_spam()[:n]]


def check_tree(sentence: Span) -> None:
    """Exactly one root, every head inside the sentence, every token reaches the root."""
    rows = sp.parse_table(sentence)
    inside = range(sentence.start, sentence.end)
    roots = [row for row in rows if row["dep"] == "ROOT"]
    assert len(roots) == 1, [(r["token"], r["dep"]) for r in rows]
    assert roots[0]["head_i"] == roots[0]["i"]  # a root is its own head
    head_of = {row["i"]: row["head_i"] for row in rows}
    for row in rows:
        assert row["head_i"] in inside
        assert row["dep"] == "ROOT" or row["head_i"] != row["i"]
        seen, node = set(), row["i"]
        while head_of[node] != node:  # walk up; a cycle would revisit a node
            assert node not in seen
            seen.add(node)
            node = head_of[node]
        assert node == roots[0]["i"]


def test_spacy_pipeline_loads_offline_and_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("load_english tried to open a network connection")

    sp.load_english.cache_clear()
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    nlp = sp.load_english()
    assert isinstance(nlp, spacy.Language)
    assert nlp.lang == "en"
    assert {"tagger", "parser", "lemmatizer", "ner"} <= set(nlp.pipe_names)
    assert sp.load_english() is nlp  # cached


def test_spacy_pipeline_missing_model_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = importlib.import_module

    def without_model(name: str, package: str | None = None):
        if name == sp.MODEL_MODULE:
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, package)

    sp.load_english.cache_clear()
    monkeypatch.setattr(importlib, "import_module", without_model)
    try:
        with pytest.raises(sp.SpacyModelMissingError) as raised:
            sp.load_english()
    finally:
        sp.load_english.cache_clear()  # the next caller loads the real one
    assert isinstance(raised.value, JourneyError)
    assert isinstance(raised.value, ImportError)
    message = str(raised.value)
    assert sp.MODEL_MODULE in message and "nlpjourney[spacy]" in message


def test_spacy_pipeline_sms_parses_are_trees(nlp: spacy.Language) -> None:
    sentences = 0
    for doc in nlp.pipe(sms_messages(60)):
        for sentence in doc.sents:
            check_tree(sentence)
            sentences += 1
    assert sentences >= 60


def test_spacy_pipeline_brown_parses_are_trees(nlp: spacy.Language) -> None:
    # Brown comes tokenized: keep its tokens and let the pipeline tag and parse them.
    for words in corpora.brown_sents("news")[:40]:
        doc = nlp(Doc(nlp.vocab, words=words))
        assert [token.text for token in doc] == words
        for sentence in doc.sents:
            check_tree(sentence)


def test_spacy_pipeline_parse_table_matches_doc(nlp: spacy.Language) -> None:
    doc = nlp(sms_messages(8)[7])
    rows = sp.parse_table(doc)
    assert len(rows) == len(doc)
    for row, token in zip(rows, doc, strict=True):
        assert row == {
            "i": token.i,
            "token": token.text,
            "lemma": token.lemma_,
            "pos": token.pos_,
            "tag": token.tag_,
            "dep": token.dep_,
            "head": token.head.text,
            "head_i": token.head.i,
        }
    # A sentence's rows are the doc's rows for its tokens, with doc indices.
    last = list(doc.sents)[-1]
    assert sp.parse_table(last) == rows[last.start : last.end]


def test_spacy_pipeline_finds_entities_in_state_union(nlp: spacy.Language) -> None:
    text = corpora.read_member("state_union", "state_union/1945-Truman.txt")
    doc = nlp(text[:2000])
    found = sp.entities(doc)
    assert found == [
        {"text": e.text, "label": e.label_, "start_char": e.start_char, "end_char": e.end_char}
        for e in doc.ents
    ]
    for entity in found:
        assert doc.text[entity["start_char"] : entity["end_char"]] == entity["text"]
    # The address's heading is dated "April 16, 1945"; its third sentence names Roosevelt.
    assert any(e["label"] == "DATE" and "1945" in e["text"] for e in found)
    sentence = next(s for s in doc.sents if "Franklin Delano Roosevelt" in s.text)
    assert {"text": "Franklin Delano Roosevelt", "label": "PERSON"} in [
        {"text": e["text"], "label": e["label"]} for e in sp.entities(sentence)
    ]


def test_spacy_pipeline_entities_in_inaugural_address(nlp: spacy.Language) -> None:
    text = corpora.read_member("inaugural", "inaugural/2009-Obama.txt")
    labels = {e["label"] for e in sp.entities(nlp(text))}
    assert {"GPE", "DATE"} <= labels


def test_spacy_pipeline_svg_draws_every_arc(nlp: spacy.Language) -> None:
    doc = nlp("I saw the man with the telescope.")
    svg = sp.render_dependency_svg(doc)
    root = ET.fromstring(svg)  # well-formed SVG
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = "".join(root.itertext())
    for token in doc:
        assert token.text in text
        if token.dep_ != "ROOT":
            assert token.dep_ in text
    # one arc per token that has a head other than itself
    assert svg.count('class="displacy-arc"') == sum(t.dep_ != "ROOT" for t in doc)
    compact = sp.render_dependency_svg(doc[0:4], compact=True)
    assert compact.startswith("<svg") and compact.count('class="displacy-arc"') == 3


def test_spacy_pipeline_rejects_bad_input() -> None:
    for helper in (sp.parse_table, sp.entities, sp.render_dependency_svg):
        with pytest.raises(TypeError, match="spaCy Doc or Span"):
            helper("I saw the man with the telescope.")
    unparsed = spacy.blank("en")("no parser made this")
    with pytest.raises(ValueError, match="no dependency parse"):
        sp.render_dependency_svg(unparsed)
