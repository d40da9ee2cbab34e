"""Text normalization from scratch: case, Unicode forms, accents, space, punctuation,
contractions, a pipeline of them, and Norvig's spelling corrector.

Normalizing maps the many spellings of one word to one string, so counts and lookups
agree: ``"Café"``, ``"CAFE"`` and ``"cafe\\u0301"`` all become ``"cafe"``. Every normalizer
here is idempotent (applying it twice is the same as once); the tests check that on
arbitrary Unicode.

The :class:`SpellingCorrector` is Peter Norvig's: the candidates for a word are the known
words one edit away (delete, transpose, replace, insert a letter), else two edits away,
else the word itself; the correction is the most frequent candidate in the training words.

Reference: ``str.casefold``, ``unicodedata.normalize``, scikit-learn's
``sklearn.feature_extraction.text.strip_accents_unicode`` (same output), and
``nltk.edit_distance(transpositions=True)`` for the one- and two-edit neighbourhoods of
the corrector; Norvig's "How to Write a Spelling Corrector" (2007) for its design.

Simplifications:
    - The contraction table is English and small (about 70 forms); "'s" is expanded only
      where it cannot be a possessive ("it's", "that's", "let's"), and "'d" always as
      "would" (never "had").
    - The corrector edits with the 26 letters a-z only, and ignores context.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from nlpjourney.errors import check_str

__all__ = [
    "CONTRACTIONS",
    "SpellingCorrector",
    "casefold",
    "default_corrector",
    "expand_contractions",
    "normalize",
    "normalize_whitespace",
    "remove_punctuation",
    "strip_accents",
    "unicode_normalize",
]

FORMS = ("NFC", "NFD", "NFKC", "NFKD")


def casefold(text: str) -> str:
    """Case-insensitive form: lower case, and more (``"Straße"`` -> ``"strasse"``)."""
    return check_str(text).casefold()


def unicode_normalize(text: str, form: str = "NFC") -> str:
    """One of Unicode's four normal forms.

    Args:
        text: the text.
        form: ``"NFC"`` (compose: ``"e\\u0301"`` -> ``"é"``), ``"NFD"`` (decompose),
            ``"NFKC"`` or ``"NFKD"`` (also fold compatibility variants: ``"ﬁ"`` -> ``"fi"``,
            ``"①"`` -> ``"1"``, a no-break space -> a space).
    """
    check_str(text)
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}, got {form!r}")
    return unicodedata.normalize(form, text)


def strip_accents(text: str) -> str:
    """Drop accents and other combining marks: ``"Crème brûlée"`` -> ``"Creme brulee"``.

    Decomposes with NFKD and keeps every character that is not a combining mark, as
    scikit-learn's ``strip_accents_unicode`` does (so ``"ﬁ"`` also becomes ``"fi"``).
    """
    if check_str(text).isascii():  # the common case: no accents possible
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_SPACE_RUN = re.compile(r"\s+")


def normalize_whitespace(text: str) -> str:
    """Every run of whitespace becomes one space, and none at either end."""
    return _SPACE_RUN.sub(" ", check_str(text)).strip()


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def remove_punctuation(text: str, replacement: str = "", keep: str = "") -> str:
    """Replace every punctuation character (Unicode category P*) by ``replacement``.

    Args:
        text: the text.
        replacement: what stands in for each punctuation mark: ``""`` (glue the pieces,
            ``"e-mail"`` -> ``"email"``) or ``" "`` (separate them).
        keep: punctuation characters to leave alone, e.g. ``"'-"``.

    Symbols (``$``, ``+``, ``©``) are not punctuation in Unicode and stay.
    """
    check_str(text)
    if any(_is_punctuation(c) for c in replacement):
        raise ValueError(
            f"replacement {replacement!r} holds punctuation, so a second pass would remove "
            "it; use letters, spaces or ''"
        )
    return "".join(replacement if _is_punctuation(c) and c not in keep else c for c in text)


# Contractions, written in lower case with a straight apostrophe. The "n't" and "'ll"
# forms are regular; the ones listed first are not.
CONTRACTIONS: dict[str, str] = {
    "can't": "cannot", "won't": "will not", "shan't": "shall not", "ain't": "am not",
    "let's": "let us", "y'all": "you all", "ma'am": "madam", "o'clock": "of the clock",
    "it's": "it is", "that's": "that is", "there's": "there is", "here's": "here is",
    "what's": "what is", "where's": "where is", "who's": "who is", "how's": "how is",
    "he's": "he is", "she's": "she is",
}  # fmt: skip
for _stem in ("do", "does", "did", "is", "are", "was", "were", "has", "have", "had",
              "could", "should", "would", "must", "might", "need"):  # fmt: skip
    CONTRACTIONS[f"{_stem}n't"] = f"{_stem} not"
for _pronoun in ("i", "you", "he", "she", "it", "we", "they", "that", "there", "who"):
    CONTRACTIONS[f"{_pronoun}'ll"] = f"{_pronoun} will"
    CONTRACTIONS[f"{_pronoun}'d"] = f"{_pronoun} would"
for _pronoun in ("i", "you", "we", "they", "who", "could", "should", "would", "might", "must"):
    CONTRACTIONS[f"{_pronoun}'ve"] = f"{_pronoun} have"
for _pronoun in ("you", "we", "they", "who", "what"):
    CONTRACTIONS[f"{_pronoun}'re"] = f"{_pronoun} are"
CONTRACTIONS["i'm"] = "i am"

_CONTRACTION = re.compile(
    r"(?<![\w'’])("
    + "|".join(
        re.escape(c).replace("'", "['’]") for c in sorted(CONTRACTIONS, key=len, reverse=True)
    )
    + r")(?![\w'’])",
    re.IGNORECASE,
)


def _match_case(expansion: str, original: str) -> str:
    """Write ``expansion`` in the case pattern of ``original``."""
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return expansion.upper()
    if original[:1].isupper():
        return expansion[:1].upper() + expansion[1:]
    return expansion


def expand_contractions(text: str) -> str:
    """Write English contractions out, keeping their case.

    ``"Don't"`` -> ``"Do not"``, ``"WON'T"`` -> ``"WILL NOT"``, ``"I'm"`` -> ``"I am"``;
    curly apostrophes (``’``) count too. Possessives ("John's") are left alone.
    """

    def expand(match: re.Match[str]) -> str:
        original = match.group()
        return _match_case(CONTRACTIONS[original.lower().replace("’", "'")], original)

    return _CONTRACTION.sub(expand, check_str(text))


def normalize(
    text: str,
    *,
    form: str | None = "NFKC",
    lowercase: bool = True,
    accents: bool = False,
    contractions: bool = False,
    punctuation: bool = False,
    whitespace: bool = True,
) -> str:
    """A pipeline of the normalizers above, in the order that keeps each one's meaning.

    Steps: Unicode ``form``; expand ``contractions`` (before punctuation loses the
    apostrophes); ``lowercase`` (casefold); strip ``accents``; remove ``punctuation``
    (replaced by spaces); collapse ``whitespace``. Each flag switches its step on.

    Returns:
        The normalized text; ``normalize(normalize(t)) == normalize(t)`` for any ``t``.

    Example: ``normalize("  Don’t   SHOUT, Café!", contractions=True, accents=True,
    punctuation=True)`` -> ``"do not shout cafe"``.
    """
    check_str(text)
    if form is not None and form not in FORMS:
        raise ValueError(f"form must be one of {FORMS} or None, got {form!r}")

    def once(t: str) -> str:
        if form is not None:
            t = unicodedata.normalize(form, t)
        if contractions:
            t = expand_contractions(t)
        if lowercase:
            t = t.casefold()
        if accents:
            t = strip_accents(t)
        if punctuation:
            t = remove_punctuation(t, " ")
        if form is not None:
            t = unicodedata.normalize(form, t)
        if whitespace:
            t = normalize_whitespace(t)
        return t

    # subtle: the steps do not commute on all of Unicode: NFKC can make a capital out of a
    # caseless letter ("ℌ" -> "H") after casefolding, and casefolding can undo a normal
    # form. Running the pipeline to its fixed point makes it idempotent; real text gets
    # there in one pass, rare compatibility characters in two.
    for _ in range(5):
        again = once(text)
        if again == text:
            return again
        text = again
    raise AssertionError(f"normalize did not reach a fixed point on {text!r}")


# --- spelling correction --------------------------------------------------------------

LETTERS = string.ascii_lowercase


def _edits1(word: str) -> set[str]:
    """All strings one delete, transpose, replace or insert of a letter away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [left + right[1:] for left, right in splits if right]
    transposes = [
        left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1
    ]
    replaces = [left + c + right[1:] for left, right in splits if right for c in LETTERS]
    inserts = [left + c + right for left, right in splits for c in LETTERS]
    return set(deletes + transposes + replaces + inserts)


class SpellingCorrector:
    """Norvig's corrector: the most frequent known word within two edits.

    Build it with :meth:`from_words`; ``counts_`` holds the word frequencies it learned.
    """

    def __init__(self, counts: Counter[str]) -> None:
        if not counts:
            raise ValueError("the corrector needs at least one known word")
        self.counts_ = counts

    @classmethod
    def from_words(cls, words: Iterable[str]) -> SpellingCorrector:
        """Count the lower-cased alphabetic words of ``words`` (others are skipped)."""
        if isinstance(words, str):
            raise TypeError("words must be an iterable of words, not one str; split it first")
        return cls(Counter(w.lower() for w in words if w.isalpha()))

    def known(self, words: Iterable[str]) -> set[str]:
        """The subset of ``words`` seen in training."""
        return {w for w in words if w in self.counts_}

    def candidates(self, word: str) -> list[str]:
        """The known words nearest to ``word``, most frequent first (ties alphabetically).

        Nearest means: ``word`` itself if known, else the known words one edit away, else
        two edits away; if none, ``[word]``.
        """
        word = check_str(word).lower()
        found = self.known([word])
        if not found:
            near = _edits1(word)
            found = self.known(near)
            if not found:
                found = {w2 for w1 in near for w2 in _edits1(w1) if w2 in self.counts_}
        if not found:
            return [word]
        return sorted(found, key=lambda w: (-self.counts_[w], w))

    def correct(self, word: str) -> str:
        """The most likely spelling of ``word``, in its case pattern (``"Teh"`` -> ``"The"``)."""
        if not isinstance(word, str) or not word:
            raise ValueError(f"word must be a non-empty str, got {word!r}")
        if not word.isalpha():
            return word  # numbers and punctuation are not misspellings
        return _match_case(self.candidates(word)[0], word)


@lru_cache(maxsize=1)
def default_corrector() -> SpellingCorrector:
    """A corrector trained on the Brown corpus's words (about 1 million alphabetic tokens)."""
    from nlpjourney.data import corpora

    return SpellingCorrector.from_words(corpora.brown_words())
