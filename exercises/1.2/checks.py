"""Checks for exercise 1.2, run by ``journey check 1.2``.

Each check calls the learner's function through the ``ex`` fixture. The rule-table
checks use the examples printed in Porter's paper ("An algorithm for suffix stripping",
Program 14.3, 1980); the real-word checks compare with NLTK's Porter stemmer in its
original mode (``PorterStemmer(PorterStemmer.ORIGINAL_ALGORITHM)``, whose ``_step1a``,
``_measure`` ... methods implement the same rules) on the word types of Brown's news
section. With ``--exercise reference`` the same checks grade the library,
``nlpjourney.text.stem``.
"""

from __future__ import annotations

from nltk.stem.porter import PorterStemmer

REFERENCE = "nlpjourney.text.stem"

NLTK = PorterStemmer(PorterStemmer.ORIGINAL_ALGORITHM)


def brown_news_types() -> list[str]:
    """Lower-case alphabetic word types of Brown's news section (about 11,000)."""
    from nlpjourney.data import corpora

    return sorted({w.lower() for w in corpora.brown_words("news") if w.isalpha()})


def first_differences(ours, theirs, words: list[str], limit: int = 5) -> list[str]:
    """Up to ``limit`` lines ``word: yours -> expected`` where the two functions differ."""
    out = []
    for word in words:
        got, want = ours(word), theirs(word)
        if got != want:
            out.append(f"{word!r}: yours {got!r}, expected {want!r}")
            if len(out) == limit:
                break
    return out


def test_is_consonant_examples(ex) -> None:
    """is_consonant follows Porter's definition, y included.

    Hint: a, e, i, o, u are never consonants; y is a consonant at position 0, and
    otherwise exactly when the letter before it is NOT a consonant (call is_consonant on
    i - 1). Handle negative i by adding len(word).
    """
    assert [ex.is_consonant("toy", i) for i in range(3)] == [True, False, True], "toy"
    assert [ex.is_consonant("syzygy", i) for i in range(6)] == [True, False] * 3, "syzygy"
    assert [ex.is_consonant("yes", 0), ex.is_consonant("by", 1), ex.is_consonant("day", 2)] == [
        True,
        False,
        True,
    ], "y at the start, after a consonant, after a vowel"
    assert ex.is_consonant("happy", -1) is False, "i = -1 is the last letter"


def test_measure_examples(ex) -> None:
    """measure gives the paper's m = 0, 1, 2 examples.

    Hint: write the word as a string of c/v with is_consonant, e.g. "trouble" ->
    "ccvvccv", and count the places where a v is directly followed by a c.
    """
    examples = {
        0: ["tr", "ee", "tree", "y", "by", ""],
        1: ["trouble", "oats", "trees", "ivy"],
        2: ["troubles", "private", "oaten", "orrery"],
    }
    for m, words in examples.items():
        got = {w: ex.measure(w) for w in words}
        assert got == dict.fromkeys(words, m), f"expected m = {m}: {got}"


def test_conditions_examples(ex) -> None:
    """contains_vowel (*v*), ends_double_consonant (*d) and ends_cvc (*o) on the paper's stems.

    Hint: *v*: any position where is_consonant is False. *d: the last two letters equal
    and the last a consonant ("ee" is not). *o: consonant, vowel, consonant in the last
    three positions, and the last letter not w, x or y; False for words under 3 letters.
    """
    assert [ex.contains_vowel(w) for w in ["plaster", "sky", "motor"]] == [True] * 3
    assert [ex.contains_vowel(w) for w in ["sk", "bl", "y", ""]] == [False] * 4
    assert [ex.ends_double_consonant(w) for w in ["hopp", "tann", "fall", "fizz"]] == [True] * 4
    assert [ex.ends_double_consonant(w) for w in ["hop", "fee", "s", ""]] == [False] * 4
    assert [ex.ends_cvc(w) for w in ["hop", "fil", "wil", "conflat"]] == [True] * 4
    assert [ex.ends_cvc(w) for w in ["fail", "snow", "box", "tray", "us", ""]] == [False] * 6


def test_step1a_rules(ex) -> None:
    """step1a: caresses -> caress, ponies -> poni, ties -> ti, caress -> caress, cats -> cat.

    Hint: check the suffixes in the order sses, ies, ss, s, and apply only the first that
    matches: "caress" ends with "ss", so it stays, even though it also ends with "s".
    """
    table = {"caresses": "caress", "ponies": "poni", "ties": "ti", "caress": "caress",
             "cats": "cat", "cat": "cat", "s": ""}  # fmt: skip
    got = {w: ex.step1a(w) for w in table}
    assert got == table


def test_step1b_removes_eed_ed_ing(ex) -> None:
    """step1b: feed -> feed, agreed -> agree, plastered -> plaster, bled -> bled, ...

    Hint: if the word ends with "eed", return stem + "ee" when measure(stem) > 0 and the
    word itself otherwise; do NOT go on to the "ed" rule. "ed"/"ing" go only when the
    stem before them contains a vowel ("bled": "bl" has none).
    """
    table = {"feed": "feed", "agreed": "agree", "plastered": "plaster", "bled": "bled",
             "motoring": "motor", "sing": "sing"}  # fmt: skip
    got = {w: ex.step1b(w) for w in table}
    assert got == table


def test_step1b_tidies_the_stem(ex) -> None:
    """step1b tidies: conflated -> conflate, hopping -> hop, falling -> fall, filing -> file.

    Hint: after removing "ed"/"ing": add "e" after at/bl/iz; else if the stem ends with a
    double consonant, drop one letter unless it is l, s or z; else add "e" when
    measure(stem) == 1 and ends_cvc(stem).
    """
    table = {"conflated": "conflate", "troubled": "trouble", "sized": "size",
             "hopping": "hop", "tanned": "tan", "falling": "fall", "hissing": "hiss",
             "fizzed": "fizz", "failing": "fail", "filing": "file"}  # fmt: skip
    got = {w: ex.step1b(w) for w in table}
    assert got == table


def test_step1c_rules(ex) -> None:
    """step1c: happy -> happi, sky -> sky.

    Hint: when the word ends with "y", look at the stem before it: replace the y by i only
    if contains_vowel(stem). "sk" has no vowel, so "sky" stays.
    """
    table = {"happy": "happi", "sky": "sky", "y": "y", "enjoy": "enjoi", "cat": "cat"}
    got = {w: ex.step1c(w) for w in table}
    assert got == table


def test_conditions_on_real_words(ex) -> None:
    """measure, contains_vowel, ends_double_consonant, ends_cvc equal NLTK's on Brown stems.

    Hint: the first differences are listed; check a y after a y ("ayy", "yy") and stems
    of length 0, 1 and 2.
    """
    stems = sorted({w[:i] for w in brown_news_types()[::4] for i in range(len(w) + 1)})
    pairs = [
        (ex.measure, NLTK._measure),
        (ex.contains_vowel, NLTK._contains_vowel),
        (ex.ends_double_consonant, NLTK._ends_double_consonant),
        (ex.ends_cvc, NLTK._ends_cvc),
    ]
    for ours, theirs in pairs:
        assert first_differences(ours, theirs, stems) == [], theirs.__name__


def test_step1_on_real_words(ex) -> None:
    """step1a, step1b and step1c equal NLTK's original step 1 on every Brown news word.

    Hint: the first differences are listed; the paper's examples in the other checks
    cover each rule, so run those first.
    """
    words = brown_news_types()
    assert len(words) > 10000
    for ours, theirs in [
        (ex.step1a, NLTK._step1a),
        (ex.step1b, NLTK._step1b),
        (ex.step1c, NLTK._step1c),
    ]:
        assert first_differences(ours, theirs, words) == [], theirs.__name__
