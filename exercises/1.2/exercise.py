"""Exercise 1.2: step 1 of the Porter stemmer, as published in 1980.

Fill in the functions below, replacing each ``raise NotImplementedError(...)``. Plain
Python only: ``journey check`` refuses a file that uses ``nlpjourney`` (the model answer)
or a stemming library (NLTK, snowballstemmer). Then run ``journey check 1.2``: every
check names what it tests and, when it fails, gives a hint (``--hint`` shows more); the
checks draw fresh words on every run.

Porter reads a word as runs of consonants (C) and vowels (V): every word is
``[C](VC){m}[V]``, and ``m`` is its *measure*. A rule ``(condition) SUFFIX -> NEW``
replaces SUFFIX by NEW when the stem left before the suffix meets the condition:

- ``m>0``: the stem's measure is above 0;
- ``*v*``: the stem contains a vowel;
- ``*d``: the stem ends with a double consonant (``-tt``, ``-ss``);
- ``*o``: the stem ends consonant-vowel-consonant, the last not w, x or y (``-hop``).

Within a step, the rule with the first (longest) matching suffix decides; if its
condition fails, the word is left as it is and no other rule of that step is tried.

1. ``is_consonant``: Porter's consonant, where ``y`` depends on the letter before it.
2. ``measure``, ``contains_vowel``, ``ends_double_consonant``, ``ends_cvc``: the conditions.
3. ``step1a``, ``step1b``, ``step1c``: plurals, ``-ed``/``-ing``, and ``y -> i``.

All words are lower-case. The lesson ``lessons/1.2-text-preprocessing.py`` shows stemming
at work; ``nlpjourney.text.stem`` holds the whole stemmer.
"""

from __future__ import annotations


def is_consonant(word, i):
    """Return whether ``word[i]`` is a consonant.

    a, e, i, o, u are vowels. ``y`` is a vowel when the letter before it is a consonant,
    and a consonant at the start of the word or after a vowel. Every other character is a
    consonant. ``i`` may be negative (``-1`` is the last letter).

    Example: in ``"toy"`` the consonants are t and y (positions 0 and 2); in ``"syzygy"``
    they are s, z and g (0, 2, 4).
    """
    raise NotImplementedError("write is_consonant: vowels, then y looks at the letter before")


def measure(stem):
    """Return ``m``, the number of times a run of vowels is followed by a consonant.

    Example: ``0`` for "tr", "ee", "tree", "y", "by"; ``1`` for "trouble", "oats",
    "trees", "ivy"; ``2`` for "troubles", "private", "oaten", "orrery".
    """
    raise NotImplementedError("write measure: count the vowel -> consonant changes")


def contains_vowel(stem):
    """Return whether the stem contains a vowel (condition ``*v*``).

    Example: ``"plaster"`` does, and so does ``"sky"`` (its y follows a consonant);
    ``"sk"``, ``"bl"`` and ``"y"`` do not.
    """
    raise NotImplementedError("write contains_vowel with is_consonant")


def ends_double_consonant(word):
    """Return whether the word ends with two equal consonants (condition ``*d``).

    Example: ``"hopp"``, ``"fall"`` and ``"fizz"`` do; ``"hop"``, ``"fee"`` do not.
    """
    raise NotImplementedError("write ends_double_consonant: last two equal, and a consonant")


def ends_cvc(word):
    """Return whether the word ends consonant-vowel-consonant, the last not w, x or y.

    Condition ``*o``. Words shorter than three letters never do.

    Example: ``"hop"``, ``"fil"``, ``"wil"`` do; ``"fail"``, ``"snow"``, ``"box"``,
    ``"tray"`` do not.
    """
    raise NotImplementedError("write ends_cvc with is_consonant on the last three letters")


def step1a(word):
    """Apply step 1a, the first of these rules whose suffix the word ends with.

    ::

        SSES -> SS     caresses -> caress
        IES  -> I      ponies   -> poni,  ties -> ti
        SS   -> SS     caress   -> caress
        S    ->        cats     -> cat
    """
    raise NotImplementedError("write step1a: try the suffixes longest first")


def step1b(word):
    """Apply step 1b.

    ::

        (m>0) EED -> EE    feed -> feed, agreed -> agree
        (*v*) ED  ->       plastered -> plaster, bled -> bled
        (*v*) ING ->       motoring -> motor, sing -> sing

    A word ending in EED never tries the ED rule (``"feed"`` stays). When the ED or ING
    rule removed its suffix, tidy the stem with the first of these that applies::

        AT -> ATE                          conflat(ed) -> conflate
        BL -> BLE                          troubl(ed)  -> trouble
        IZ -> IZE                          siz(ed)     -> size
        (*d and not (*L or *S or *Z))      hopp(ing) -> hop, tann(ed) -> tan,
            -> single letter               fall(ing) -> fall, hiss(ing) -> hiss
        (m=1 and *o) -> E                  fil(ing) -> file, fail(ing) -> fail
    """
    raise NotImplementedError("write step1b: EED, then ED or ING, then tidy the stem")


def step1c(word):
    """Apply step 1c: ``(*v*) Y -> I``.

    Example: happy -> happi, sky -> sky (the stem "sk" has no vowel).
    """
    raise NotImplementedError("write step1c: a final y becomes i when the stem has a vowel")
