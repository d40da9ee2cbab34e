"""Tests for nlpjourney.text.stem: the Porter stemmer against Porter's outputs and NLTK's.

- Every word of Porter's official test vocabulary (23,531 words, dataset ``porter_test``)
  gives his published output in ``"original"`` and ``"martin"`` modes and NLTK's
  published output in ``"nltk"`` mode.
- Slow: every word type of Brown (56,057), of WordNet's index files (147,306 lemmas) and
  of the movie reviews (50,920) gives exactly what ``nltk.stem.porter.PorterStemmer``
  gives, in all three modes, with and without lower-casing.
- The step 1 functions and the helpers (measure, ``*v*``, ``*d``, ``*o``) equal NLTK's
  step methods in its original mode on the whole official vocabulary.
- Hypothesis: any string stems without error to NLTK's answer in every mode and is never
  longer than its lower-case form. Stemming is NOT idempotent (``"abuse" -> "abus" ->
  "abu"``), for NLTK too; a test pins that down instead of asserting the opposite.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.porter import PorterStemmer as NltkPorter

from nlpjourney.data import corpora
from nlpjourney.text import stem as st_mod
from nlpjourney.text.stem import MODES, PorterStemmer

NLTK_MODE = {
    "original": NltkPorter.ORIGINAL_ALGORITHM,
    "martin": NltkPorter.MARTIN_EXTENSIONS,
    "nltk": NltkPorter.NLTK_EXTENSIONS,
}
NLTK = {mode: NltkPorter(name) for mode, name in NLTK_MODE.items()}
OFFICIAL_OUTPUT = {"original": "original", "martin": "martin", "nltk": "nltk"}


@functools.cache
def official_vocabulary() -> list[str]:
    return corpora.read_member("porter_test", "porter_test/porter_vocabulary.txt").splitlines()


@functools.cache
def official_output(mode: str) -> list[str]:
    # subtle: splitlines, not split: in the original output "s" stems to an empty line
    member = f"porter_test/porter_{OFFICIAL_OUTPUT[mode]}_output.txt"
    return corpora.read_member("porter_test", member).splitlines()


def mismatches(mode: str, words: list[str], to_lowercase: bool = True) -> list[tuple]:
    ours, theirs = PorterStemmer(mode, cache_size=0), NLTK[mode]
    out = []
    for word in words:
        a, b = ours.stem(word, to_lowercase), theirs.stem(word, to_lowercase)
        if a != b:
            out.append((word, a, b))
    return out


# --- Porter's official vocabulary ----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_stem_official_vocabulary_gives_published_output(mode: str) -> None:
    words, expected = official_vocabulary(), official_output(mode)
    assert len(words) == len(expected) == 23531
    stemmer = PorterStemmer(mode, cache_size=0)
    wrong = [
        (w, stemmer.stem(w), e)
        for w, e in zip(words, expected, strict=True)
        if stemmer.stem(w) != e
    ]
    assert wrong == []


def test_stem_modes_differ_on_the_official_vocabulary() -> None:
    # The three published outputs differ (27 and 443 words), so the test above tests three
    # different rule sets.
    differ = {
        (a, b): sum(x != y for x, y in zip(official_output(a), official_output(b), strict=True))
        for a, b in [("original", "martin"), ("martin", "nltk")]
    }
    assert all(count >= 20 for count in differ.values()), differ


def test_stem_examples_from_the_paper_and_nltk_extensions() -> None:
    # Each pair is checked against NLTK too, so the table only illustrates.
    cases = {
        "original": {"caresses": "caress", "ponies": "poni", "ties": "ti", "agreed": "agre",
                     "hopping": "hop", "filing": "file", "happy": "happi", "sky": "sky",
                     "enjoy": "enjoi", "is": "i", "using": "us"},
        "martin": {"ties": "ti", "is": "is", "using": "us"},
        "nltk": {"ties": "tie", "dying": "die", "skies": "sky", "enjoy": "enjoy",
                 "using": "use", "Caresses": "caress", "generalizations": "gener"},
    }  # fmt: skip
    for mode, table in cases.items():
        stemmer = PorterStemmer(mode)
        for word, stem in table.items():
            assert stemmer.stem(word) == stem == NLTK[mode].stem(word), (mode, word)


# --- NLTK parity on whole vocabularies ------------------------------------------------------


@functools.cache
def brown_vocabulary() -> list[str]:
    return sorted(set(corpora.brown_words()))


@functools.cache
def wordnet_vocabulary() -> list[str]:
    lemmas = set()
    for pos in ("noun", "verb", "adj", "adv"):
        for line in corpora.read_member("wordnet", f"wordnet/index.{pos}").splitlines():
            if line and not line.startswith(" "):  # lines starting with a space: the licence
                lemmas.add(line.split(" ", 1)[0])  # multiword lemmas keep their underscores
    return sorted(lemmas)


@functools.cache
def movie_vocabulary() -> list[str]:
    return sorted({w for text, _ in corpora.movie_reviews() for w in text.split()})


VOCABULARIES = {
    "brown": (brown_vocabulary, 56057),
    "wordnet": (wordnet_vocabulary, 147306),
    "movie_reviews": (movie_vocabulary, 50920),
}


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("corpus", VOCABULARIES)
def test_stem_matches_nltk_on_every_word_type(corpus: str, mode: str) -> None:
    read, size = VOCABULARIES[corpus]
    words = read()
    assert len(words) == size
    assert mismatches(mode, words) == []


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_stem_matches_nltk_without_lowercasing_on_brown(mode: str) -> None:
    words = brown_vocabulary()
    assert sum(w != w.lower() for w in words) > 10000  # many mixed-case types to test
    assert mismatches(mode, words, to_lowercase=False) == []


def test_stem_matches_nltk_on_a_brown_sample_in_every_mode() -> None:
    sample = corpora.brown_words("news")[:20000]
    for mode in MODES:
        assert mismatches(mode, sample) == []


# --- the step 1 functions and helpers (original rules) -------------------------------------


def test_stem_step1_functions_equal_nltk_original_steps() -> None:
    nltk = NLTK["original"]
    words = [w for w in official_vocabulary() if len(w) > 0]
    for ours, theirs in [
        (st_mod.step1a, nltk._step1a),
        (st_mod.step1b, nltk._step1b),
        (st_mod.step1c, nltk._step1c),
    ]:
        assert [w for w in words if ours(w) != theirs(w)] == [], ours.__name__
    # and chained, they give NLTK's word after step 1
    chained = [st_mod.step1c(st_mod.step1b(st_mod.step1a(w))) for w in words]
    assert chained == [nltk._step1c(nltk._step1b(nltk._step1a(w))) for w in words]


def test_stem_helpers_equal_nltk_original_helpers() -> None:
    nltk = NLTK["original"]
    # prefixes of real words reach every stem shape the rules test, y-runs included
    stems = sorted({w[:i] for w in official_vocabulary() for i in range(len(w) + 1)})
    stems += ["y", "yy", "yyy", "ayy", "byyy", "syzygy", "toy", "7yy", "ii"]
    for stem in stems:
        assert st_mod.measure(stem) == nltk._measure(stem), stem
        assert st_mod.contains_vowel(stem) == nltk._contains_vowel(stem), stem
        assert st_mod.ends_double_consonant(stem) == nltk._ends_double_consonant(stem), stem
        assert st_mod.ends_cvc(stem) == nltk._ends_cvc(stem), stem
        for i in range(len(stem)):
            assert st_mod.is_consonant(stem, i) == nltk._is_consonant(stem, i), (stem, i)


def test_stem_measure_examples_from_the_paper() -> None:
    examples = {0: ["tr", "ee", "tree", "y", "by"], 1: ["trouble", "oats", "trees", "ivy"],
                2: ["troubles", "private", "oaten", "orrery"]}  # fmt: skip
    for m, words in examples.items():
        assert [st_mod.measure(w) for w in words] == [m] * len(words)
    assert [st_mod.is_consonant("syzygy", i) for i in range(6)] == [1, 0, 1, 0, 1, 0]


# --- properties ---------------------------------------------------------------------------

# Letters the rules look at, a few that lower-case oddly, and real suffixes to end on.
RULE_LETTERS = "aeiouybcdglmnrstwxz*İΣ1-'"
SUFFIXES = ["", "s", "ies", "ied", "sses", "eed", "ed", "ing", "y", "alli", "ational", "bli",
            "abli", "logi", "fulli", "iviti", "ement", "ion", "e", "ll", "*d", "ated", "izing"]  # fmt: skip
rule_words = st.builds(
    lambda stem, suffix: stem + suffix,
    st.text(alphabet=RULE_LETTERS, max_size=10),
    st.sampled_from(SUFFIXES),
)


@settings(max_examples=400)
@given(word=st.one_of(st.text(max_size=20), rule_words), to_lowercase=st.booleans())
def test_stem_any_string_gives_nltk_answer_in_every_mode(word: str, to_lowercase: bool) -> None:
    for mode in MODES:
        ours = PorterStemmer(mode, cache_size=0).stem(word, to_lowercase)
        assert ours == NLTK[mode].stem(word, to_lowercase), mode
        assert len(ours) <= len(word.lower() if to_lowercase else word)


def test_stem_is_not_idempotent() -> None:
    # Stemming a stem can strip more; NLTK does the same, so this is the algorithm.
    for mode in MODES:
        stemmer = PorterStemmer(mode)
        assert [stemmer.stem("abuse"), stemmer.stem("abus")] == ["abus", "abu"]
        assert NLTK[mode].stem(NLTK[mode].stem("abuse")) == "abu"
    stemmer = PorterStemmer()
    words = [w for w in corpora.brown_words("news")[:20000] if w.isalpha()]
    changed = {w for w in words if stemmer.stem(stemmer.stem(w)) != stemmer.stem(w)}
    assert len(changed) > 100


def test_stem_cache_gives_the_same_stems_and_stays_bounded() -> None:
    words = corpora.brown_words("news")[:5000]
    uncached = [PorterStemmer(cache_size=0).stem(w) for w in words]
    small = PorterStemmer(cache_size=50)
    assert [small.stem(w) for w in words] == uncached
    assert [small.stem(w) for w in words] == uncached  # second pass partly from memory
    assert all(len(cache) <= 50 for cache in small._caches)
    default = PorterStemmer()
    assert [default.stem(w) for w in words + words] == uncached + uncached
    # the lower-cased and as-given stems are cached apart
    assert (default.stem("Running"), default.stem("Running", to_lowercase=False)) == (
        "run",
        "Run",
    )


def test_stem_accepts_nltk_mode_names() -> None:
    for mode, name in NLTK_MODE.items():
        assert PorterStemmer(name).mode == mode
    assert PorterStemmer().mode == "nltk"
    assert "nltk" in repr(PorterStemmer())


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["porter", "NLTK", "", None, 2])
def test_stem_unknown_mode_says_which_modes_exist(mode: object) -> None:
    with pytest.raises(ValueError, match="use one of 'original', 'martin', 'nltk'"):
        PorterStemmer(mode)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [-1, 2.5, True, "10"])
def test_stem_bad_cache_size_is_rejected(size: object) -> None:
    with pytest.raises(ValueError, match="cache_size must be an int >= 0"):
        PorterStemmer(cache_size=size)  # type: ignore[arg-type]


@pytest.mark.parametrize("word", [None, 3, b"running", ["running"]])
def test_stem_non_string_word_is_a_type_error(word: object) -> None:
    for cache_size in (0, 10):
        with pytest.raises(TypeError, match="takes one word as a str"):
            PorterStemmer(cache_size=cache_size).stem(word)  # type: ignore[arg-type]
    for function in (st_mod.step1a, st_mod.step1b, st_mod.step1c, st_mod.measure,
                     st_mod.contains_vowel, st_mod.ends_cvc, st_mod.ends_double_consonant):  # fmt: skip
        with pytest.raises(TypeError, match="must be a str"):
            function(word)  # type: ignore[arg-type]


def test_stem_is_consonant_bad_index_is_an_index_error() -> None:
    with pytest.raises(IndexError, match="index into 'toy'"):
        st_mod.is_consonant("toy", 3)
    with pytest.raises(IndexError, match="must be an int"):
        st_mod.is_consonant("toy", 1.0)  # type: ignore[arg-type]
    assert st_mod.is_consonant("toy", -1) is True
