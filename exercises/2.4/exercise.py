"""Exercise 2.4: VADER's negation rule, word by word.

VADER scores "The book was good." +0.44 and "The book was not good." -0.34: a negation
word up to three words before a sentiment word flips its valence and shrinks it,
``valence * -0.74``. Two small exceptions make it more than a flip: "never so good" and
"never this good" *strengthen* the word (``* 1.25``), and "without doubt good" leaves it
alone. Fill in the two functions below, replacing each ``raise NotImplementedError(...)``,
in plain Python. ``journey check`` refuses a file that uses ``nlpjourney`` (the model
answer), ``vaderSentiment`` or ``nltk``. Then run ``journey check 2.4``: the checks draw
fresh word sequences on every run, compare your rule with vaderSentiment's own, and put
your rule inside a VADER analyser to score real sentences; ``--hint`` shows more of a hint.

1. ``negated``: does any of the given words negate what follows?
2. ``negation_rule``: the valence of word ``i`` after looking ``distance`` words back.

The lesson ``lessons/2.4-sentiment-analysis.py`` builds VADER's rules one at a time. The
library's versions live in ``nlpjourney.sentiment.vader``, where ``VaderAnalyzer`` calls
``negation_rule`` for distance 1, 2 and 3 in turn on every word of its lexicon.
"""

from __future__ import annotations

#: A negated valence is ``valence * NEGATION_SCALAR``: flipped and shrunk.
NEGATION_SCALAR = -0.74

#: VADER's negation words (lower case). Any word containing "n't" negates as well.
NEGATIONS = frozenset(
    """aint arent cannot cant couldnt darent didnt doesnt ain't aren't can't couldn't daren't
    didn't doesn't dont hadnt hasnt havent isnt mightnt mustnt neither don't hadn't hasn't
    haven't isn't mightn't mustn't neednt needn't never none nope nor not nothing nowhere
    oughtnt shant shouldnt uhuh wasnt werent oughtn't shan't shouldn't uh-uh wasn't weren't
    without wont wouldnt won't wouldn't rarely seldom despite""".split()
)


def negated(words_before):
    """Return True if any word of ``words_before`` (a list of strings) negates, else False.

    A word negates when its lower-cased form is in ``NEGATIONS`` or contains "n't"
    ("shouldn't", "Wouldn't", even "gun-n't"). Case does not matter: "NEVER" and "Not"
    negate. An empty list negates nothing.

    Example: ``negated(["it", "isn't"])`` is True, ``negated(["Never"])`` is True,
    ``negated(["so", "good"])`` is False.
    """
    raise NotImplementedError("write negated: is any word a negation or an n't word?")


def negation_rule(valence, lowered, i, distance):
    """Return the valence (a float) of word ``i`` after looking ``distance`` words back.

    ``lowered`` is the sentence's tokens, already lower-cased; ``lowered[i]`` is the
    sentiment word whose valence so far is ``valence``. Let ``w = lowered[i - distance]``:

    - distance 1: if ``w`` negates (``negated([w])``), return ``valence * NEGATION_SCALAR``;
    - distance 2: "never so <word>" or "never this <word>" returns ``valence * 1.25``;
      else "without doubt <word>" returns ``valence`` unchanged; else if ``w`` negates,
      ``valence * NEGATION_SCALAR``;
    - distance 3: if the words three and two back are "never" and "so"/"this", OR the
      word right before ``i`` is "so" or "this" (VADER's code reads so: "a so good" and
      "is this good" at distance 3 strengthen too), return ``valence * 1.25``; else if the
      word three back is "without" and "doubt" is one of the two words after it, return
      ``valence`` unchanged; else if ``w`` negates, ``valence * NEGATION_SCALAR``.

    In every other case return ``valence`` unchanged. Only the one word at ``distance``
    is tested for negation, never the words between. Raise ``ValueError`` unless
    ``distance`` is 1, 2 or 3 and ``distance <= i < len(lowered)``.

    Example: ``negation_rule(1.9, ["not", "good"], 1, 1)`` is ``1.9 * -0.74 = -1.406``;
    ``negation_rule(1.9, ["never", "so", "good"], 2, 2)`` is ``1.9 * 1.25 = 2.375``.
    """
    raise NotImplementedError("write negation_rule: flip, strengthen or keep the valence")
