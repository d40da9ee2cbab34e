"""VADER: a rule-based sentiment analyser built from a lexicon and a handful of rules.

Hutto & Gilbert (2014) had people rate about 7,500 words, emoticons and slang terms from
-4 (most negative) to +4 (most positive). A sentence's sentiment starts as the ratings of
the words it contains, then five kinds of rules adjust each word's valence:

1. **Degree words.** A booster before the word ("very", "extremely") adds 0.293 to its
   size, a dampener ("barely", "kind of") takes 0.293 away; 95 % of that two words back
   and 90 % three words back.
2. **Capitals.** When the text mixes case, a word (or booster) in ALL CAPS gains 0.733.
3. **Negation.** A negation word up to three words before ("not", "isn't", "never",
   "without", ...) flips and shrinks the valence: ``valence * -0.74`` (:func:`negated`,
   :func:`negation_rule`). "never so/this good" instead strengthens it by 1.25,
   "without doubt" leaves it alone, and "least" negates unless it reads "at least".
4. **"but".** Words before the first "but" count half, words after it count 1.5 times.
5. **Punctuation.** Each "!" (up to four) adds 0.292 to the sum's size; two or three "?"
   add 0.18 each, more add 0.96.

A few special phrases ("the shit", "bad ass", "kiss of death", "yeah right") replace the
valence of a word inside them. Emoji are first replaced by their descriptions ("😁" ->
"beaming face with smiling eyes") so the lexicon can score those words.

The adjusted valences ``v_1 .. v_n`` sum to ``s`` and the compound score is
``s / sqrt(s² + 15)``, in (-1, 1). ``pos``, ``neu`` and ``neg`` are the shares of the
positive valences (each counted ``v + 1``), neutral words (each 1) and negative
valences (each ``|v| + 1``).

Reference: vaderSentiment 3.3.2's ``SentimentIntensityAnalyzer.polarity_scores``; the
tests check every sentence of sentence_polarity to 1e-4 (in fact exactly).

Deliberate reproductions: where vaderSentiment's code does something its paper does
not describe, this module does the same for parity, marked ``# parity:`` in the code:
the "so"/"this" strengthening three words back, the "but" rule finding each valence by
value (``list.index``), the "no" rules, and emoji descriptions glued to the next character.

Simplifications: text that is not a ``str`` is refused (vaderSentiment converts it to
bytes); the unfinished "sentiment-laden idioms" of vaderSentiment ("cut the mustard")
are not applied, as vaderSentiment does not apply them either.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

from nlpjourney.data.store import path as data_path

#: A booster's and a dampener's effect on a word's valence.
BOOST = 0.293
DAMP = -0.293
#: What an ALL-CAPS word gains when the text mixes case.
CAPS_BOOST = 0.733
#: A negated valence is ``valence * NEGATION_SCALAR``: flipped and shrunk.
NEGATION_SCALAR = -0.74
#: The compound score is ``s / sqrt(s² + ALPHA)``.
ALPHA = 15.0

#: Words that negate the valence of a word up to three places after them (any word
#: containing "n't" does too).
NEGATIONS = frozenset(
    """aint arent cannot cant couldnt darent didnt doesnt ain't aren't can't couldn't daren't
    didn't doesn't dont hadnt hasnt havent isnt mightnt mustnt neither don't hadn't hasn't
    haven't isn't mightn't mustn't neednt needn't never none nope nor not nothing nowhere
    oughtnt shant shouldnt uhuh wasnt werent oughtn't shan't shouldn't uh-uh wasn't weren't
    without wont wouldnt won't wouldn't rarely seldom despite""".split()
)

_BOOSTERS = """absolutely amazingly awfully completely considerable considerably decidedly
deeply effing enormous enormously entirely especially exceptional exceptionally extreme
extremely fabulously flipping flippin frackin fracking fricking frickin frigging friggin
fully fuckin fucking fuggin fugging greatly hella highly hugely incredible incredibly
intensely major majorly more most particularly purely quite really remarkably so
substantially thoroughly total totally tremendous tremendously uber unbelievably unusually
utter utterly very"""
_DAMPENERS = """almost barely hardly kinda kindof kind-of less little marginal marginally
occasional occasionally partly scarce scarcely slight slightly somewhat sorta sortof
sort-of"""
#: Degree words and what they add to the size of the valence that follows them.
#: The two-word ones can only act through the special-phrase rule (see ``_phrases``).
DEGREE_WORDS: dict[str, float] = {
    **dict.fromkeys(_BOOSTERS.split(), BOOST),
    **dict.fromkeys(_DAMPENERS.split(), DAMP),
    **dict.fromkeys(["just enough", "kind of", "sort of"], DAMP),
}

#: Phrases whose valence replaces that of the lexicon word inside them.
SPECIAL_PHRASES: dict[str, float] = {
    "the shit": 3.0,
    "the bomb": 3.0,
    "bad ass": 1.5,
    "badass": 1.5,
    "bus stop": 0.0,
    "yeah right": -2.0,
    "kiss of death": -1.5,
    "to die for": 3.0,
    "beating heart": 3.5,
}

Scores = dict[str, float]


def negated(words_before: Sequence[str]) -> bool:
    """Whether any of ``words_before`` negates what follows it.

    A word negates when it is one of :data:`NEGATIONS` (case ignored) or contains "n't".

    Example:
        >>> negated(["it", "isn't"]), negated(["Never"]), negated(["so", "good"])
        (True, True, False)
    """
    for word in words_before:
        lower = word.lower()
        if lower in NEGATIONS or "n't" in lower:
            return True
    return False


def negation_rule(valence: float, lowered: Sequence[str], i: int, distance: int) -> float:
    """The valence of word ``i`` after looking for a negation ``distance`` words before it.

    VADER calls this for ``distance`` 1, 2 and 3 in turn (each time the word at that
    distance is not itself in the lexicon). Let ``w = lowered[i - distance]``:

    - distance 1: ``w`` negates -> ``valence * NEGATION_SCALAR``;
    - distance 2: "never so/this <word>" -> ``valence * 1.25``; "without doubt <word>"
      -> unchanged; else ``w`` negates -> ``valence * NEGATION_SCALAR``;
    - distance 3: "never so/this" three and two back, or "so"/"this" right before the
      word -> ``valence * 1.25``; "without" three back with "doubt" after it -> unchanged;
      else ``w`` negates -> ``valence * NEGATION_SCALAR``.

    Args:
        valence: the word's valence so far.
        lowered: the sentence's tokens, lower-cased.
        i: the position of the scored word; ``i >= distance``.
        distance: 1, 2 or 3.

    Returns:
        The new valence.

    Example:
        >>> round(negation_rule(1.9, ["not", "good"], 1, 1), 3)
        -1.406
        >>> round(negation_rule(1.9, ["never", "so", "good"], 2, 2), 3)
        2.375
    """
    if distance not in (1, 2, 3) or not distance <= i < len(lowered):
        raise ValueError(
            f"negation_rule needs distance 1, 2 or 3 and distance <= i < len(lowered); "
            f"got distance={distance}, i={i}, len(lowered)={len(lowered)}"
        )
    if distance == 1:
        return valence * NEGATION_SCALAR if negated([lowered[i - 1]]) else valence
    if distance == 2:
        if lowered[i - 2] == "never" and lowered[i - 1] in ("so", "this"):
            return valence * 1.25
        if lowered[i - 2] == "without" and lowered[i - 1] == "doubt":
            return valence
        return valence * NEGATION_SCALAR if negated([lowered[i - 2]]) else valence
    # parity: vaderSentiment's condition reads "(never and so/this) or so/this right
    # before", so any "so"/"this" just before a word strengthens it here.
    if (lowered[i - 3] == "never" and lowered[i - 2] in ("so", "this")) or lowered[i - 1] in (
        "so",
        "this",
    ):
        return valence * 1.25
    if lowered[i - 3] == "without" and "doubt" in (lowered[i - 2], lowered[i - 1]):
        return valence
    return valence * NEGATION_SCALAR if negated([lowered[i - 3]]) else valence


def normalize(total: float, alpha: float = ALPHA) -> float:
    """Squash a valence sum into (-1, 1): ``total / sqrt(total² + alpha)``.

    Example:
        >>> round(normalize(1.9), 4)
        0.4404
    """
    return max(-1.0, min(1.0, total / math.sqrt(total * total + alpha)))


def tokens(text: str) -> list[str]:
    """VADER's tokens: split on whitespace, strip punctuation from each end of a token.

    A token that would keep two characters or fewer is left whole, so emoticons such as
    ":)" survive (and, as in vaderSentiment, so does the comma of "no,").

    Example:
        >>> tokens("Great, isn't it?! :)")
        ['Great', "isn't", 'it?!', ':)']
    """
    words = []
    for token in text.split():
        stripped = token.strip(string.punctuation)
        words.append(stripped if len(stripped) > 2 else token)
    return words


def _read_table(source: str | PathLike[str], convert: type) -> dict:
    table = {}
    text = Path(source).read_text(encoding="utf-8")
    for number, line in enumerate(text.rstrip("\n").split("\n"), 1):
        if not line.strip():
            continue
        fields = line.strip().split("\t")
        if len(fields) < 2:
            raise ValueError(
                f"{source}, line {number}: expected 'entry<TAB>value', got {line[:40]!r}"
            )
        table[fields[0]] = convert(fields[1])
    return table


class VaderAnalyzer:
    """VADER's sentiment intensity scores for a sentence.

    Args:
        lexicon: word -> valence, or a ``vader_lexicon.txt``-style file (``word<TAB>mean
            <TAB>...``); None reads vaderSentiment's lexicon from the data registry.
        emoji_lexicon: emoji -> description, or an ``emoji_utf8_lexicon.txt``-style file;
            None reads vaderSentiment's from the data registry.

    Example:
        >>> vader = VaderAnalyzer()
        >>> vader.polarity_scores("The book was good.")
        {'neg': 0.0, 'neu': 0.508, 'pos': 0.492, 'compound': 0.4404}
        >>> vader.polarity_scores("The book was not good.")["compound"]
        -0.3412
    """

    def __init__(
        self,
        lexicon: Mapping[str, float] | str | PathLike[str] | None = None,
        emoji_lexicon: Mapping[str, str] | str | PathLike[str] | None = None,
    ) -> None:
        if lexicon is None:
            lexicon = data_path("vader_sentiment") / "vader_lexicon.txt"
        if emoji_lexicon is None:
            emoji_lexicon = data_path("vader_sentiment") / "emoji_utf8_lexicon.txt"
        self.lexicon: dict[str, float] = (
            {k: float(v) for k, v in lexicon.items()}
            if isinstance(lexicon, Mapping)
            else _read_table(lexicon, float)
        )
        emojis = (
            dict(emoji_lexicon)
            if isinstance(emoji_lexicon, Mapping)
            else _read_table(emoji_lexicon, str)
        )
        # Text is scanned one character at a time, so only one-character emoji can match
        # (as in vaderSentiment; keys with a variation selector never do).
        self.emojis: dict[str, str] = {k: v for k, v in emojis.items() if len(k) == 1}

    def __repr__(self) -> str:
        return f"VaderAnalyzer({len(self.lexicon)} words, {len(self.emojis)} emoji)"

    def replace_emoji(self, text: str) -> str:
        """``text`` with each emoji replaced by its description, stripped.

        Example:
            >>> VaderAnalyzer().replace_emoji("so 😁!")
            'so beaming face with smiling eyes!'
        """
        if text.isascii():  # no emoji: skip the character loop
            return text.strip()
        parts = []
        after_space = True
        emojis = self.emojis
        for char in text:
            description = emojis.get(char)
            if description is None:
                parts.append(char)
                after_space = char == " "
            else:
                # parity: a space is put before a description, never after it, so the
                # next character joins its last word ("😁and" -> "...eyesand").
                if not after_space:
                    parts.append(" ")
                parts.append(description)
                after_space = False
        return "".join(parts).strip()

    def valences(self, words: Sequence[str]) -> list[float]:
        """Each token's valence after the word-level rules (before the "but" rule).

        Args:
            words: the sentence's tokens (see :func:`tokens`).

        Returns:
            One valence per token; 0 for tokens not in the lexicon and degree words.
        """
        lexicon = self.lexicon
        lowered = [w.lower() for w in words]
        n = len(words)
        uppers = sum(1 for w in words if w.isupper())
        mixed_case = 0 < n - uppers < n
        valences = []
        for i, lower in enumerate(lowered):
            rated = lexicon.get(lower)
            if (
                rated is None
                or lower in DEGREE_WORDS
                or (lower == "kind" and i + 1 < n and lowered[i + 1] == "of")
            ):
                valences.append(0.0)
                continue
            valences.append(self._word_valence(rated, i, words, lowered, mixed_case))
        return valences

    def _word_valence(
        self, rated: float, i: int, words: Sequence[str], lowered: list[str], mixed_case: bool
    ) -> float:
        lexicon = self.lexicon
        valence = rated
        # parity: "no" before another lexicon word is neutral itself ...
        if lowered[i] == "no" and i + 1 < len(words) and lowered[i + 1] in lexicon:
            valence = 0.0
        # ... and negates a word one or two places later, or three with "or"/"nor" between.
        if (
            (i > 0 and lowered[i - 1] == "no")
            or (i > 1 and lowered[i - 2] == "no")
            or (i > 2 and lowered[i - 3] == "no" and lowered[i - 1] in ("or", "nor"))
        ):
            valence = rated * NEGATION_SCALAR
        if mixed_case and words[i].isupper():
            # parity: a valence of exactly 0 (a "NO" made neutral) counts as negative.
            valence = valence + CAPS_BOOST if valence > 0 else valence - CAPS_BOOST
        for distance in (1, 2, 3):
            if i < distance or lowered[i - distance] in lexicon:
                continue
            before = words[i - distance]
            degree = DEGREE_WORDS.get(lowered[i - distance], 0.0)
            if degree:
                if valence < 0:
                    degree = -degree
                if mixed_case and before.isupper():
                    degree = degree + CAPS_BOOST if valence > 0 else degree - CAPS_BOOST
                degree *= (1.0, 0.95, 0.9)[distance - 1]
            valence = negation_rule(valence + degree, lowered, i, distance)
            if distance == 3:
                valence = _phrases(valence, lowered, i)
        return _least_rule(valence, lowered, i, lexicon)

    def polarity_scores(self, text: str) -> Scores:
        """The sentence's negative, neutral and positive shares and its compound score.

        Args:
            text: one sentence (VADER is tuned for sentences; score a paragraph by
                averaging its sentences' compound scores).

        Returns:
            ``{"neg", "neu", "pos"}`` rounded to 3 places (they sum to about 1) and
            ``"compound"`` in [-1, 1] rounded to 4; all 0 for text without words.

        Raises:
            TypeError: ``text`` is not a string.
        """
        if not isinstance(text, str):
            raise TypeError(f"polarity_scores needs a str, got {type(text).__name__}")
        text = self.replace_emoji(text)
        words = tokens(text)
        valences = _but_rule([w.lower() for w in words], self.valences(words))
        return _scores(valences, text)

    def compound(self, text: str) -> float:
        """Only the compound score of :meth:`polarity_scores`."""
        return self.polarity_scores(text)["compound"]

    def label(self, text: str, threshold: float = 0.05) -> str:
        """ "pos", "neg" or "neutral": the compound score against ±``threshold``.

        The threshold 0.05 is the one vaderSentiment's documentation recommends.
        """
        score = self.compound(text)
        return "pos" if score >= threshold else "neg" if score <= -threshold else "neutral"


def _phrases(valence: float, lowered: list[str], i: int) -> float:
    """Special phrases around word ``i`` (called with ``i >= 3``), then two-word dampeners."""
    w3, w2, w1, w0 = lowered[i - 3], lowered[i - 2], lowered[i - 1], lowered[i]
    for phrase in (f"{w1} {w0}", f"{w2} {w1} {w0}", f"{w2} {w1}", f"{w3} {w2} {w1}", f"{w3} {w2}"):
        if phrase in SPECIAL_PHRASES:
            valence = SPECIAL_PHRASES[phrase]
            break
    if i + 1 < len(lowered):
        valence = SPECIAL_PHRASES.get(f"{w0} {lowered[i + 1]}", valence)
    if i + 2 < len(lowered):
        valence = SPECIAL_PHRASES.get(f"{w0} {lowered[i + 1]} {lowered[i + 2]}", valence)
    # parity: "kind of" / "sort of" / "just enough" before the word add -0.293 whatever
    # the valence's sign (single degree words follow the sign).
    for phrase in (f"{w3} {w2} {w1}", f"{w3} {w2}", f"{w2} {w1}"):
        valence += DEGREE_WORDS.get(phrase, 0.0)
    return valence


def _least_rule(valence: float, lowered: list[str], i: int, lexicon: Mapping[str, float]) -> float:
    """ "least good" negates; "at least good" and "very least good" do not."""
    if i > 0 and lowered[i - 1] == "least" and "least" not in lexicon:
        if i == 1 or lowered[i - 2] not in ("at", "very"):
            return valence * NEGATION_SCALAR
    return valence


def _but_rule(lowered: list[str], valences: list[float]) -> list[float]:
    """Halve the valences before the first "but", multiply those after it by 1.5."""
    if "but" not in lowered:
        return valences
    but = lowered.index("but")
    valences = list(valences)
    for value in list(valences):
        # parity: vaderSentiment finds each valence by value, so of two equal valences
        # the first one is scaled (possibly twice) and a later one may be skipped.
        at = valences.index(value)
        if at < but:
            valences[at] = value * 0.5
        elif at > but:
            valences[at] = value * 1.5
    return valences


def _punctuation_boost(text: str) -> float:
    exclamations = min(text.count("!"), 4) * 0.292
    questions = text.count("?")
    if questions <= 1:
        return exclamations
    return exclamations + (questions * 0.18 if questions <= 3 else 0.96)


def _scores(valences: list[float], text: str) -> Scores:
    if not valences:
        return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}
    total = float(sum(valences))
    boost = _punctuation_boost(text)
    if total > 0:
        total += boost
    elif total < 0:
        total -= boost
    # Each sentiment word counts one more than its valence's size, so that a neutral
    # word (counted 1) and a weak sentiment word are on one scale.
    positive = sum(v + 1 for v in valences if v > 0)
    negative = sum(v - 1 for v in valences if v < 0)
    neutral = sum(1 for v in valences if v == 0)
    if positive > -negative:
        positive += boost
    elif positive < -negative:
        negative -= boost
    size = positive - negative + neutral
    return {
        "neg": round(abs(negative / size), 3),
        "neu": round(abs(neutral / size), 3),
        "pos": round(abs(positive / size), 3),
        "compound": round(normalize(total), 4),
    }
