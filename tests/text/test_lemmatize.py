"""Tests for nlpjourney.text.lemmatize (and the WordNet reader under it): parity with NLTK.

- Every distinct (word, pos) of the Penn Treebank sample and of Brown (tags mapped to
  WordNet's n, v, a, r; each word as written and lower-cased) lemmatizes exactly as
  ``nltk.stem.WordNetLemmatizer().lemmatize``: zero mismatches.
- :func:`morphy` lists the same candidates in the same order as ``wordnet._morphy``, on
  the Treebank pairs, on every form of the four exception lists, and on made-up words
  built from the detachment suffixes (hypothesis).
- Bad input raises with a message that names the valid parts of speech.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nltk.corpus import wordnet as nltk_wordnet
from nltk.stem import WordNetLemmatizer as NltkLemmatizer

from nlpjourney.data import corpora
from nlpjourney.text.lemmatize import SUBSTITUTIONS, WordNetLemmatizer, morphy
from nlpjourney.text.wordnet import POS_TAGS, default_wordnet

OURS = WordNetLemmatizer()
THEIRS = NltkLemmatizer()
CLASSIC = [
    "geese", "running", "better", "best", "worse", "leaves", "axes", "us", "mice", "oxen",
    "women", "wolves", "corpora", "data", "feet", "was", "are", "ran", "saw", "studies",
    "meeting", "ties", "cookies", "hardest", "happily", "fleas", "churches", "abaci",
    "aardwolves", "dogs", "Dogs", "GEESE", "", "xyzzies", "ice_cream", "ice cream",
]  # fmt: skip


def wordnet_pos(tag: str) -> str | None:
    """Penn / Brown tag -> WordNet pos: NN* n, VB* v, JJ* a, RB* r; None for the rest."""
    for prefix, pos in (("NN", "n"), ("VB", "v"), ("JJ", "a"), ("RB", "r")):
        if tag.startswith(prefix):
            return pos
    return None


def distinct_pairs(tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(word, pos) and (word.lower(), pos) for every mapped token, each once, in order."""
    pairs: dict[tuple[str, str], None] = {}
    for word, tag in tagged:
        pos = wordnet_pos(tag)
        if pos is not None:
            pairs[(word, pos)] = None
            pairs[(word.lower(), pos)] = None
    return list(pairs)


def lemma_mismatches(pairs: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    out = []
    for word, pos in pairs:
        ours, theirs = OURS.lemmatize(word, pos), THEIRS.lemmatize(word, pos)
        if ours != theirs:
            out.append((word, pos, ours, theirs))
    return out


@functools.cache
def treebank_pairs() -> list[tuple[str, str]]:
    return distinct_pairs(corpora.treebank_tagged_words())


def test_lemmatize_classic_words_match_nltk_for_every_pos() -> None:
    pairs = [(w, pos) for w in CLASSIC for pos in POS_TAGS]
    assert lemma_mismatches(pairs) == []
    # The rules do work here: these are not all returned unchanged.
    assert sum(OURS.lemmatize(w, pos) != w for w, pos in pairs) > 30


def test_lemmatize_treebank_matches_nltk() -> None:
    pairs = treebank_pairs()
    assert len(pairs) > 13000
    assert lemma_mismatches(pairs) == []


def test_lemmatize_treebank_satellite_pos_matches_nltk() -> None:
    adjectives = [(w, "s") for w, pos in treebank_pairs() if pos == "a"]
    assert len(adjectives) > 1900
    assert lemma_mismatches(adjectives) == []


@pytest.mark.slow
def test_lemmatize_brown_matches_nltk() -> None:
    tagged = [pair for sent in corpora.brown_tagged_sents() for pair in sent]
    pairs = distinct_pairs(tagged)
    assert len(pairs) > 45000
    assert lemma_mismatches(pairs) == []


def test_lemmatize_morphy_candidates_match_nltk_on_treebank() -> None:
    diffs = [
        (w, pos, morphy(w, pos), nltk_wordnet._morphy(w, pos))
        for w, pos in treebank_pairs()
        if morphy(w, pos) != nltk_wordnet._morphy(w, pos)
    ]
    assert diffs == []


def test_lemmatize_every_exception_form_matches_nltk() -> None:
    wn = default_wordnet()
    pairs = [(form, pos) for pos in "nvar" for form in wn.exceptions(pos)]
    assert len(pairs) > 5000
    assert [(w, pos) for w, pos in pairs if morphy(w, pos) != nltk_wordnet._morphy(w, pos)] == []
    assert lemma_mismatches(pairs) == []


@pytest.mark.slow
def test_lemmatize_every_wordnet_lemma_and_its_inflections_match_nltk() -> None:
    wn = default_wordnet()
    pairs = []
    for pos in "nvar":
        for lemma in wn.lemmas(pos):
            pairs.append((lemma, pos))
            pairs.extend((lemma + suffix, pos) for suffix, _ in SUBSTITUTIONS[pos])
    assert lemma_mismatches(pairs) == []


_SUFFIXES = sorted({old for rules in SUBSTITUTIONS.values() for old, _ in rules})


@given(
    stem=st.text(alphabet="abcdefghilmnorstuvwxyz", min_size=0, max_size=8),
    suffix=st.sampled_from(["", *_SUFFIXES]),
    pos=st.sampled_from(POS_TAGS),
)
def test_lemmatize_made_up_inflections_match_nltk(stem: str, suffix: str, pos: str) -> None:
    word = stem + suffix
    assert morphy(word, pos) == nltk_wordnet._morphy(word, pos)
    assert OURS.lemmatize(word, pos) == THEIRS.lemmatize(word, pos)


def test_lemmatize_unknown_and_capitalized_words_come_back_unchanged() -> None:
    for word in ["Geese", "DOGS", "xyzzies", "Anythinggoeszxcv"]:
        assert OURS.lemmatize(word) == word == THEIRS.lemmatize(word)


@pytest.mark.parametrize("pos", ["x", "N", "noun", "", None, 1])
def test_lemmatize_bad_pos_raises_with_the_valid_ones(pos: object) -> None:
    with pytest.raises(ValueError, match=r"n, v, a, r, s"):
        OURS.lemmatize("dogs", pos)  # type: ignore[arg-type]


def test_lemmatize_non_str_word_raises_type_error() -> None:
    with pytest.raises(TypeError, match="str"):
        OURS.lemmatize(["dogs"])  # type: ignore[arg-type]


def test_lemmatize_wordnet_reader_offsets_and_words_match_nltk() -> None:
    wn = default_wordnet()
    for word in ["dog", "bank", "run", "handy", "good", "well", "ready_to_hand", "xyzzy"]:
        for pos in POS_TAGS:
            offsets = wn.offsets(word, pos)
            assert offsets == nltk_wordnet._lemma_pos_offset_map.get(word, {}).get(pos, [])
            theirs = [nltk_wordnet.synset_from_pos_and_offset(pos, o) for o in offsets]
            assert [wn.lemma_names(o, pos) for o in offsets] == [s.lemma_names() for s in theirs]
            assert [wn.synset_type(o, pos) for o in offsets] == [s.pos() for s in theirs]
