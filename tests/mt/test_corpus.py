"""The word tokenisation of the alignment corpus: NLTK's regexp_tokenize as reference."""

from __future__ import annotations

import pytest

from nlpjourney.data.corpora import multi30k
from nlpjourney.mt import TOKEN_PATTERNS, multi30k_pairs, pair_checksum, tokenize


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_corpus_tokenize_equals_nltk_regexp_tokenize(language):
    import nltk

    for line in multi30k("val", language)[:300]:
        assert tokenize(line, language) == nltk.regexp_tokenize(
            line.lower(), TOKEN_PATTERNS[language]
        )


def test_corpus_keeps_french_elision_on_the_left():
    assert tokenize("Qu'un homme boit l’eau.", "fr") == [
        "qu'",
        "un",
        "homme",
        "boit",
        "l’",
        "eau",
        ".",
    ]
    assert tokenize("The man's hat", "en") == ["the", "man", "'s", "hat"]
    with pytest.raises(ValueError, match="language"):
        tokenize("x", "es")


def test_corpus_pairs_line_up():
    pairs = multi30k_pairs("val", "fr", "en", limit=5)
    assert len(pairs) == 5 and pairs[0][1] == tokenize(multi30k("val", "en")[0], "en")
    assert pair_checksum(*pairs[0]) != pair_checksum(pairs[0][1], pairs[0][0])
    with pytest.raises(ValueError, match="two languages"):
        multi30k_pairs("val", "en", "en")
