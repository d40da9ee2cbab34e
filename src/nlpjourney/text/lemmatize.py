"""WordNet lemmatizing from scratch: morphy's exception lists and suffix rules.

A stemmer chops suffixes by rule and may leave a non-word ("studies" -> "studi"); a
lemmatizer returns a dictionary word, the lemma ("studies" -> "study", "geese" ->
"goose"). WordNet's ``morphy`` finds lemmas in three steps, for one part of speech:

1. If the form is in the exception list (``noun.exc``: ``"geese goose"``), its
   candidates are the listed bases, and the suffix rules are not tried.
2. Otherwise the candidates are what each detachment rule gives once: for nouns
   ``-s -> ""``, ``-ses -> -s``, ``-ves -> -f``, ``-xes -> -x``, ``-zes -> -z``,
   ``-ches -> -ch``, ``-shes -> -sh``, ``-men -> -man``, ``-ies -> -y``; for verbs
   ``-s -> ""``, ``-ies -> -y``, ``-es -> -e``, ``-es -> ""``, ``-ed -> -e``, ``-ed -> ""``,
   ``-ing -> -e``, ``-ing -> ""``; for adjectives ``-er -> ""``, ``-est -> ""``,
   ``-er -> -e``, ``-est -> -e``; none for adverbs.
3. The form itself, then the candidates, are kept if WordNet's index lists them under
   that part of speech (duplicates once, first place kept).

:class:`WordNetLemmatizer` returns the shortest of the kept forms (the first of the
shortest on a tie), or the word unchanged when none is kept:

>>> lemmatizer = WordNetLemmatizer()
>>> lemmatizer.lemmatize("geese"), lemmatizer.lemmatize("running", pos="v")  # doctest: +SKIP
('goose', 'run')
>>> morphy("us", "n")  # doctest: +SKIP
['us', 'u']

Nothing is lower-cased: WordNet's index is lower case, so ``"Dogs"`` finds nothing and
comes back as ``"Dogs"``, exactly as with NLTK. The satellite-adjective pos ``"s"`` uses
the adjective rules and lemmas, so it always agrees with ``"a"``.

Reference: NLTK's ``nltk.stem.WordNetLemmatizer().lemmatize(word, pos)`` (which calls
``wordnet._morphy``); the tests compare every (word, pos) of the Penn Treebank sample and
of Brown with it.

Simplifications (NLTK's, kept for parity):
    - Each rule is applied once to the word as given; rules are never chained.
    - An exception-list form gets only its listed bases, never the rule-made forms.
    - Multi-word collocations ("attorneys_general"), which WordNet's own C morphy
      inflects word by word, get no special treatment.
"""

from __future__ import annotations

from nlpjourney.text.wordnet import POS_TAGS, WordNet, check_pos, default_wordnet

__all__ = ["SUBSTITUTIONS", "WordNetLemmatizer", "morphy"]

_ADJ_RULES = (("er", ""), ("est", ""), ("er", "e"), ("est", "e"))
#: Detachment rules per part of speech: (suffix, replacement), tried in this order.
SUBSTITUTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "n": (
        ("s", ""),
        ("ses", "s"),
        ("ves", "f"),
        ("xes", "x"),
        ("zes", "z"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("men", "man"),
        ("ies", "y"),
    ),
    "v": (
        ("s", ""),
        ("ies", "y"),
        ("es", "e"),
        ("es", ""),
        ("ed", "e"),
        ("ed", ""),
        ("ing", "e"),
        ("ing", ""),
    ),
    "a": _ADJ_RULES,
    "s": _ADJ_RULES,
    "r": (),
}


def morphy(form: str, pos: str, wordnet: WordNet | None = None) -> list[str]:
    """Every lemma WordNet could give ``form`` as ``pos``, in morphy's order.

    Args:
        form: the inflected word, as written (not lower-cased).
        pos: one of ``"n" "v" "a" "r" "s"``.
        wordnet: the database to look in; the registry's WordNet 3.0 by default.

    Returns:
        The form itself if WordNet lists it, then the exception-list bases or the
        rule-made forms that WordNet lists, each once: ``morphy("axes", "n")`` is
        ``['ax', 'axis']`` ("axes" is no noun lemma itself). Empty when none is a lemma.

    Raises:
        TypeError: ``form`` is not a str.
        ValueError: ``pos`` is not a WordNet part of speech.
    """
    if not isinstance(form, str):
        raise TypeError(f"form must be a str, got {type(form).__name__}")
    return _morphy(form, *_tables(wordnet or default_wordnet(), pos))


_Tables = tuple[dict[str, tuple[str, ...]], tuple[tuple[str, str], ...], dict[str, str]]


def _tables(wn: WordNet, pos: str) -> _Tables:
    check_pos(pos)
    return wn.exceptions(pos), SUBSTITUTIONS[pos], wn.lemmas(pos)


def _morphy(form: str, exceptions: dict, rules: tuple, known: dict) -> list[str]:
    if form in exceptions:
        candidates: tuple[str, ...] | list[str] = exceptions[form]
    else:
        candidates = [form[: -len(old)] + new for old, new in rules if form.endswith(old)]
    found = [form] if form in known else []
    for candidate in candidates:
        # A list, not a set: the first place of each form decides ties later.
        if candidate in known and candidate not in found:
            found.append(candidate)
    return found


class WordNetLemmatizer:
    """The shortest WordNet lemma of a word, or the word itself when WordNet has none.

    Args:
        wordnet: the database to look in; the registry's WordNet 3.0 by default, loaded
            on the first call and shared by every lemmatizer.
    """

    def __init__(self, wordnet: WordNet | None = None) -> None:
        self.wordnet = wordnet
        self._by_pos: dict[str, _Tables] = {}  # pos -> its tables, looked up once

    def lemmatize(self, word: str, pos: str = "n") -> str:
        """The lemma of ``word`` read as ``pos``.

        Args:
            word: one word, as written; ``"Geese"`` is not found, only ``"geese"`` is.
            pos: ``"n"`` noun (default), ``"v"`` verb, ``"a"`` adjective, ``"r"`` adverb or
                ``"s"`` satellite adjective.

        Returns:
            The shortest of :func:`morphy`'s forms, the first one on a tie; ``word`` itself
            when there is none (``"xyzzies"`` -> ``"xyzzies"``).

        Raises:
            TypeError: ``word`` is not a str.
            ValueError: ``pos`` is none of the five WordNet parts of speech.
        """
        if not isinstance(word, str):
            raise TypeError(f"word must be a str, got {type(word).__name__}")
        tables = self._by_pos.get(pos) if isinstance(pos, str) else None
        if tables is None:
            tables = self._by_pos[pos] = _tables(self.wordnet or default_wordnet(), pos)
        lemmas = _morphy(word, *tables)
        # subtle: min keeps the first of equal lengths, so a tie goes to morphy's order:
        # the form itself, then the exception bases or rules in their listed order.
        return min(lemmas, key=len) if lemmas else word

    def __repr__(self) -> str:
        return f"WordNetLemmatizer(parts of speech {', '.join(POS_TAGS)})"
