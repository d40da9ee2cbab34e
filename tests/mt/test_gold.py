"""The hand-aligned Multi30k pairs: they still match the corpus, and their links are sane."""

from __future__ import annotations

import pytest

from nlpjourney.errors import ChecksumError
from nlpjourney.mt import hand_aligned_pairs, parse_links


def test_gold_pairs_match_the_corpus_and_links_are_in_range():
    pairs = hand_aligned_pairs()  # raises ChecksumError if a line or the tokeniser changed
    assert 12 <= len(pairs) <= 20
    assert len({(p.split, p.line) for p in pairs}) == len(pairs)
    for pair in pairs:
        assert pair.sure and pair.sure <= pair.possible
        assert all(0 <= i < len(pair.source) and 0 <= j < len(pair.target)
                   for i, j in pair.possible)  # fmt: skip
    first = pairs[0]
    assert (first.source[4], first.target[2]) == ("males", "hommes")
    assert (4, 2) in first.sure


def test_gold_pairs_swap_to_french_english():
    en_fr, fr_en = hand_aligned_pairs("en", "fr"), hand_aligned_pairs("fr", "en")
    for forward, backward in zip(en_fr, fr_en, strict=True):
        assert backward.source == forward.target
        assert backward.swapped() == forward
    with pytest.raises(ValueError, match="between 'en' and 'fr'"):
        hand_aligned_pairs("de", "en")


def test_gold_notices_a_changed_corpus_line(monkeypatch):
    import nlpjourney.data.corpora as corpora

    real = corpora.multi30k

    def edited(split: str = "train", language: str = "en") -> list[str]:
        lines = real(split, language)
        return ["Two old, white males are outside near many bushes."] + lines[1:]

    monkeypatch.setattr(corpora, "multi30k", edited)
    with pytest.raises(ChecksumError, match="line 0"):
        hand_aligned_pairs()


def test_gold_parse_links():
    assert parse_links("0-0 2-1  1-2") == {(0, 0), (2, 1), (1, 2)}
    assert parse_links("") == frozenset()
    with pytest.raises(ValueError, match="'i-j'"):
        parse_links("0:1")
