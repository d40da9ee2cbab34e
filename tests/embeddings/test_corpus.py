"""The embedding corpus: the word rule, source names, streaming."""

from __future__ import annotations

import itertools

import pytest

from nlpjourney.embeddings import corpus


def test_corpus_words_keep_inner_apostrophes_and_hyphens() -> None:
    text = "Don't stop -- the well-known CAFÉ's 2 dogs_ran!"
    assert corpus.words_of(text) == [
        "don't",
        "stop",
        "the",
        "well-known",
        "café's",
        "2",
        "dogs",
        "ran",
    ]


def test_corpus_parse_sources_names_the_choices() -> None:
    assert corpus.parse_sources("brown+webtext") == ["brown", "webtext"]
    assert corpus.parse_sources("all") == list(corpus.ENGLISH_SOURCES)
    with pytest.raises(ValueError, match="unknown corpus 'browm'.*brown"):
        corpus.parse_sources("browm+webtext")
    with pytest.raises(ValueError, match="none given"):
        corpus.parse_sources("+")


def test_corpus_english_sentences_stream_lower_cased_words() -> None:
    sentences = corpus.english_sentences("multi30k+inaugural")
    first = list(itertools.islice(sentences, 3))
    assert all(s and all(w == w.lower() for w in s) for s in first)
    assert first[0][:3] == ["two", "young", "white"]
