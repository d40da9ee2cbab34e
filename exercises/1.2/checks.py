"""Checks for exercise 1.2, run by ``journey check 1.2``.

Each check calls the learner's function through the ``ex`` fixture. The rule-table
checks use the examples printed in Porter's paper ("An algorithm for suffix stripping",
Program 14.3, 1980); the real-word checks compare with NLTK's Porter stemmer in its
original mode (``PorterStemmer(PorterStemmer.ORIGINAL_ALGORITHM)``, whose ``_step1a``,
``_measure`` ... methods implement the same rules) on the word types of Brown's news
section, a fresh random quarter of them each run, and on made-up words drawn fresh each
run (``rng``). With ``--exercise reference`` the same checks grade the library,
``nlpjourney.text.stem``.
"""

from __future__ import annotations

from nltk.stem.porter import PorterStemmer

REFERENCE = "nlpjourney.text.stem"
# What the learner may not use: the model answer, and the libraries that answer it.
FORBIDDEN = ("nlpjourney", "nltk", "snowballstemmer", "stemming")

NLTK = PorterStemmer(PorterStemmer.ORIGINAL_ALGORITHM)


def brown_news_types() -> list[str]:
    """Lower-case alphabetic word types of Brown's news section (about 11,000)."""
    from nlpjourney.data import corpora

    return sorted({w.lower() for w in corpora.brown_words("news") if w.isalpha()})


def made_up_words(rng, n: int = 3000) -> list[str]:
    """Fresh random words, with the endings the rules look at (s, ed, ing, eed, y)."""
    letters = list("abcdefghijklmnopqrstuvwxyz") + list("aeiouy") * 2
    endings = ["", "s", "es", "ies", "sses", "ss", "ed", "eed", "ing", "y", "ated", "bling"]
    return [
        "".join(rng.choice(letters, size=rng.integers(1, 7))) + str(rng.choice(endings))
        for _ in range(n)
    ]


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

    Hint 1: the five vowels are never consonants, every other letter but y always is,
    and y depends on the letter before it.
    Hint 2: y at the start of a word is a consonant; elsewhere it is a consonant exactly
    when the letter before it is not one (ask the same question one position earlier).
    A negative position counts from the end, as in a Python index.
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

    Hint 1: write the word as its pattern of consonants and vowels, and count something
    in that pattern.
    Hint 2: "trouble" reads c c v v c c v; m counts the places where a vowel is directly
    followed by a consonant.
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

    Hint 1: each condition looks at consonants and vowels with is_consonant, never at
    the letters alone.
    Hint 2: a vowel anywhere; the last two letters equal and a consonant ("ee" is not);
    consonant, vowel, consonant in the last three places, the last not w, x or y, and no
    word under three letters qualifies.
    """
    assert [ex.contains_vowel(w) for w in ["plaster", "sky", "motor"]] == [True] * 3
    assert [ex.contains_vowel(w) for w in ["sk", "bl", "y", ""]] == [False] * 4
    assert [ex.ends_double_consonant(w) for w in ["hopp", "tann", "fall", "fizz"]] == [True] * 4
    assert [ex.ends_double_consonant(w) for w in ["hop", "fee", "s", ""]] == [False] * 4
    assert [ex.ends_cvc(w) for w in ["hop", "fil", "wil", "conflat"]] == [True] * 4
    assert [ex.ends_cvc(w) for w in ["fail", "snow", "box", "tray", "us", ""]] == [False] * 6


def test_step1a_rules(ex) -> None:
    """step1a: caresses -> caress, ponies -> poni, ties -> ti, caress -> caress, cats -> cat.

    Hint 1: try the suffixes longest first, and apply only the first that matches.
    Hint 2: the order is sses, ies, ss, s; "caress" ends with ss, so it stays, even
    though it also ends with s.
    """
    table = {"caresses": "caress", "ponies": "poni", "ties": "ti", "caress": "caress",
             "cats": "cat", "cat": "cat", "s": ""}  # fmt: skip
    got = {w: ex.step1a(w) for w in table}
    assert got == table


def test_step1b_removes_eed_ed_ing(ex) -> None:
    """step1b: feed -> feed, agreed -> agree, plastered -> plaster, bled -> bled, ...

    Hint 1: a word ending in eed is decided by the eed rule alone, whether its condition
    holds or not.
    Hint 2: eed becomes ee only when the stem's measure is above zero; ed and ing go only
    when the stem before them contains a vowel ("bled": "bl" has none).
    """
    table = {"feed": "feed", "agreed": "agree", "plastered": "plaster", "bled": "bled",
             "motoring": "motor", "sing": "sing"}  # fmt: skip
    got = {w: ex.step1b(w) for w in table}
    assert got == table


def test_step1b_tidies_the_stem(ex) -> None:
    """step1b tidies: conflated -> conflate, hopping -> hop, falling -> fall, filing -> file.

    Hint 1: the tidying runs only after ed or ing was removed, and the first of its rules
    that applies wins.
    Hint 2: an e after at, bl or iz; else a double consonant loses one letter unless it
    is l, s or z; else an e when the measure is one and the stem ends
    consonant-vowel-consonant.
    """
    table = {"conflated": "conflate", "troubled": "trouble", "sized": "size",
             "hopping": "hop", "tanned": "tan", "falling": "fall", "hissing": "hiss",
             "fizzed": "fizz", "failing": "fail", "filing": "file"}  # fmt: skip
    got = {w: ex.step1b(w) for w in table}
    assert got == table


def test_step1c_rules(ex) -> None:
    """step1c: happy -> happi, sky -> sky.

    Hint 1: the final y changes only when the stem before it has a vowel.
    Hint 2: "sk" has no vowel, so "sky" stays; "happ" has one, so "happy" becomes "happi".
    """
    table = {"happy": "happi", "sky": "sky", "y": "y", "enjoy": "enjoi", "cat": "cat"}
    got = {w: ex.step1c(w) for w in table}
    assert got == table


def test_conditions_on_real_words(ex, rng) -> None:
    """measure, contains_vowel, ends_double_consonant, ends_cvc equal NLTK's on Brown stems.

    Hint 1: the first differences are listed: start with the shortest.
    Hint 2: look at a y after a y ("ayy", "yy") and at stems of zero, one and two letters.
    """
    words = brown_news_types()
    picked = [words[i] for i in sorted(rng.choice(len(words), size=len(words) // 4, replace=False))]
    stems = sorted({w[:i] for w in picked + made_up_words(rng) for i in range(len(w) + 1)})
    pairs = [
        (ex.measure, NLTK._measure),
        (ex.contains_vowel, NLTK._contains_vowel),
        (ex.ends_double_consonant, NLTK._ends_double_consonant),
        (ex.ends_cvc, NLTK._ends_cvc),
    ]
    for ours, theirs in pairs:
        assert first_differences(ours, theirs, stems) == [], theirs.__name__


def test_step1_on_real_words(ex, rng) -> None:
    """step1a, step1b and step1c equal NLTK's original step 1 on every Brown news word.

    Hint 1: the first differences are listed; the paper's examples in the other checks
    cover each rule, so make those pass first.
    Hint 2: made-up words test the rules on letters no dictionary holds; follow the rule
    tables exactly, not what looks like English.
    """
    words = brown_news_types() + made_up_words(rng)
    assert len(words) > 10000
    for ours, theirs in [
        (ex.step1a, NLTK._step1a),
        (ex.step1b, NLTK._step1b),
        (ex.step1c, NLTK._step1c),
    ]:
        assert first_differences(ours, theirs, words) == [], theirs.__name__
