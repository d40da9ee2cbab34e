"""Tests for nlpjourney.text.augment: WordNet synonyms equal NLTK's, EDA's properties hold.

- :func:`synonyms` gives the lemma names of ``nltk.corpus.wordnet.synsets(word, pos)``,
  in the same order, each once, less the word itself: on hand-picked words and on every
  distinct word of SMS messages (slow: of Brown's first 100,000 tokens).
- The same seed gives the same output, other seeds other outputs; the global ``random``
  state is never touched.
- Replacement keeps the length, changes only non-stop words and only into their
  synonyms; insertion adds exactly ``n`` synonyms; swap keeps the multiset; deletion keeps
  an in-order, never-empty subsequence (hypothesis).
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nltk.corpus import wordnet as nltk_wordnet

from nlpjourney.data import corpora
from nlpjourney.text import augment as aug
from nlpjourney.text.stopwords import stopwords

SENTENCE = "the quick brown fox jumps over the lazy dog near the old river bank".split()
STOP = stopwords("english")


def nltk_synonyms(word: str, pos: str | None = None) -> list[str]:
    names = [n.replace("_", " ") for s in nltk_wordnet.synsets(word, pos) for n in s.lemma_names()]
    return [n for n in dict.fromkeys(names) if n.lower() != word.lower()]


def synonym_mismatches(words: list[str]) -> list[tuple[str, str | None]]:
    return [
        (w, pos)
        for w in words
        for pos in (None, "n", "v", "a", "r", "s")
        if aug.synonyms(w, pos) != nltk_synonyms(w, pos)
    ]


def test_augment_synonyms_match_nltk_wordnet_on_chosen_words() -> None:
    words = ["dog", "dogs", "Dog", "car", "happy", "ran", "quickly", "bank", "good", "better"]
    words += ["handy", "geese", "xyzzy", "the", "New York", "new_york"]
    assert synonym_mismatches(words) == []
    assert {"domestic dog", "Canis familiaris"} <= set(aug.synonyms("dog"))
    assert "dog" not in aug.synonyms("dog")


def test_augment_synonyms_match_nltk_wordnet_on_sms_words() -> None:
    words = sorted({w for text, _ in corpora.sms_spam()[:300] for w in text.split()})
    assert len(words) > 1000
    assert synonym_mismatches(words) == []


@pytest.mark.slow
def test_augment_synonyms_match_nltk_wordnet_on_brown_words() -> None:
    words = sorted(set(corpora.brown_words()[:100_000]))
    assert synonym_mismatches(words) == []


def test_augment_same_seed_same_output_other_seeds_differ() -> None:
    for fn in (aug.synonym_replacement, aug.random_insertion, aug.random_swap):
        assert fn(SENTENCE, 3, seed=7) == fn(SENTENCE, 3, seed=7)
        assert len({tuple(fn(SENTENCE, 3, seed=s)) for s in range(10)}) > 1
    assert aug.random_deletion(SENTENCE, 0.3, seed=7) == aug.random_deletion(SENTENCE, 0.3, seed=7)
    assert len({tuple(aug.random_deletion(SENTENCE, 0.3, seed=s)) for s in range(10)}) > 1
    assert aug.augment(" ".join(SENTENCE), seed=1) == aug.augment(" ".join(SENTENCE), seed=1)
    assert aug.augment(" ".join(SENTENCE), seed=1) != aug.augment(" ".join(SENTENCE), seed=2)


def test_augment_never_touches_the_global_random_state() -> None:
    random.seed(123)
    expected = random.random()
    random.seed(123)
    aug.augment(SENTENCE, seed=5)
    aug.synonym_replacement(SENTENCE, 2)
    assert random.random() == expected


def test_augment_synonym_replacement_changes_only_content_words_into_synonyms() -> None:
    for seed in range(20):
        out = aug.synonym_replacement(SENTENCE, n=2, seed=seed)
        assert len(out) == len(SENTENCE)
        changed = {(old, new) for old, new in zip(SENTENCE, out, strict=True) if old != new}
        assert 1 <= len({old for old, _ in changed}) <= 2
        for old, new in changed:
            assert old.lower() not in STOP
            assert new in nltk_synonyms(old)
        # Every occurrence of a replaced word is replaced the same way.
        for old, new in changed:
            assert all(o == new for s, o in zip(SENTENCE, out, strict=True) if s == old)


def test_augment_synonym_replacement_respects_custom_stop_words() -> None:
    keep = {w for w in SENTENCE if w != "dog"}
    for seed in range(5):
        out = aug.synonym_replacement(SENTENCE, n=5, seed=seed, stop_words=keep)
        assert [w for w, o in zip(SENTENCE, out, strict=True) if w != o] == ["dog"]


def test_augment_random_insertion_adds_n_synonyms_of_content_words() -> None:
    allowed = {s for w in SENTENCE if w not in STOP for s in nltk_synonyms(w)}
    for n in (0, 1, 4):
        out = aug.random_insertion(SENTENCE, n=n, seed=n)
        assert len(out) == len(SENTENCE) + n
        inserted = Counter(out) - Counter(SENTENCE)
        assert sum(inserted.values()) == n
        assert set(inserted) <= allowed
    # Nothing with a synonym: nothing to insert.
    assert aug.random_insertion(["the", "of", "!"], n=3, seed=0) == ["the", "of", "!"]


def test_augment_random_swap_keeps_the_tokens() -> None:
    tokens = list("abcdefgh")
    out = aug.random_swap(tokens, n=1, seed=0)
    assert sorted(out) == tokens
    assert sum(a != b for a, b in zip(tokens, out, strict=True)) == 2
    assert Counter(aug.random_swap(SENTENCE, n=6, seed=3)) == Counter(SENTENCE)
    assert aug.random_swap(["one"], n=3, seed=0) == ["one"]


@given(
    tokens=st.lists(st.sampled_from(SENTENCE), max_size=12),
    p=st.floats(min_value=0.0, max_value=1.0),
    seed=st.integers(0, 2**32),
)
def test_augment_random_deletion_keeps_an_ordered_nonempty_subsequence(
    tokens: list[str], p: float, seed: int
) -> None:
    out = aug.random_deletion(tokens, p, seed)
    assert bool(out) == bool(tokens)
    rest = iter(tokens)
    assert all(any(t == r for r in rest) for t in out)  # a subsequence, in order
    if p == 0.0:
        assert out == tokens


def test_augment_returns_num_aug_versions_of_the_input_type() -> None:
    text = " ".join(SENTENCE)
    versions = aug.augment(text, num_aug=5, seed=0)
    assert len(versions) == 5 and all(isinstance(v, str) for v in versions)
    token_versions = aug.augment(SENTENCE, num_aug=5, seed=0)
    assert [" ".join(v) for v in token_versions] == versions
    only_swaps = aug.augment(SENTENCE, alpha_sr=0, alpha_ri=0, p_rd=0, num_aug=2, seed=0)
    assert all(Counter(v) == Counter(SENTENCE) for v in only_swaps)


def test_augment_bad_input_raises() -> None:
    with pytest.raises(TypeError, match="list of tokens"):
        aug.synonym_replacement("the dog", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must be"):
        aug.random_swap(SENTENCE, -1)
    with pytest.raises(ValueError, match=r"probability in \[0, 1\]"):
        aug.random_deletion(SENTENCE, 1.5)
    with pytest.raises(ValueError, match="no tokens"):
        aug.augment("   ")
    with pytest.raises(ValueError, match="every rate is 0"):
        aug.augment(SENTENCE, alpha_sr=0, alpha_ri=0, alpha_rs=0, p_rd=0)
    with pytest.raises(ValueError, match="part of speech"):
        aug.synonyms("dog", "x")
