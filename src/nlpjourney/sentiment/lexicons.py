"""Word-list sentiment: add up the ratings of the words a text contains.

The simplest sentiment analyser needs no training: a list of words with a polarity, and a
sum. Two classic lists:

- **AFINN** (Nielsen 2011, AFINN-165): 3,382 English words and phrases rated from -5 to
  +5 ("breathtaking" +5, "bastard" -5), and optionally a few emoticons. A text's score is
  the sum of the ratings of the entries found in it. Entries are found as the ``afinn``
  package finds them: lower-case the text, collapse runs of whitespace, then scan left to
  right taking at each place the *longest* entry that starts and ends on a word boundary
  ("no fun" before "fun", "can't stand" before "stand"); emoticons need no boundary.
  Where the ``afinn`` package tries the 3,382 entries one by one (a regular expression
  alternation), :class:`AfinnScorer` folds them into a character trie compiled into one
  expression, which finds the same matches faster.
- **Hu & Liu's opinion lexicon** (2004): 2,006 positive and 4,783 negative words, without
  strengths. A text's score is positives minus negatives among its lower-cased
  Treebank tokens.

Each scorer has ``score(text)`` and ``label(text)`` ("pos", "neg" or "neutral" by the
score's sign), the lexicon column of the sentiment accuracy table.

Reference: the ``afinn`` package's ``Afinn().score`` (tested equal on every
sentence_polarity sentence, with and without emoticons); NLTK's ``opinion_lexicon``
corpus reader for the word lists.

Simplifications: neither scorer handles negation ("not good" scores as "good"): that
is what VADER (:mod:`nlpjourney.sentiment.vader`) adds.
"""

from __future__ import annotations

import re
from functools import cache

from nlpjourney.data.corpora import opinion_lexicon
from nlpjourney.data.store import path as data_path
from nlpjourney.text.tokenize import treebank_tokenize


def _read_ratings(name: str) -> dict[str, int]:
    file = data_path("afinn") / name
    ratings = {}
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        entry, tab, value = line.strip().partition("\t")
        if not tab:
            raise ValueError(f"{file}, line {number}: expected 'entry<TAB>rating', got {line!r}")
        ratings[entry] = int(value)
    return ratings


def trie_pattern(entries: list[str]) -> str:
    """One regular expression matching any of ``entries``, longest first where several do.

    The entries share prefixes in a trie; each node's ending is made optional and greedy,
    so the engine tries the longer entries through a node before the shorter one and
    backs off when what follows fails (a word boundary, say). Because the text has one
    next character, at most one child of a node can match, so this finds the same entry
    as an alternation sorted longest first.

    Example:
        >>> trie_pattern(["no", "no fun", "nice"])
        'n(?:ice|o(?:\\\\ fun)?)'
    """
    trie: dict = {}
    for entry in entries:
        if not entry:
            raise ValueError("an empty entry would match everywhere; remove it from the list")
        node = trie
        for char in entry:
            node = node.setdefault(char, {})
        node[""] = {}  # marks the end of an entry

    def pattern(node: dict) -> str:
        ends = "" in node
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        inner = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:  # an entry ends here: the longer ones through this node are optional
            return inner + "?" if len(inner) == 1 else f"(?:{inner})?"
        return inner

    return pattern(trie)


class AfinnScorer:
    """AFINN-165 sentiment: the sum of the ratings of the words and phrases found.

    Args:
        emoticons: also rate emoticons (":)" +2, ":(" -2, ...), as ``Afinn(emoticons=True)``.

    Example:
        >>> afinn = AfinnScorer()
        >>> afinn.score("This is utterly excellent!"), afinn.score("no fun at all")
        (3.0, -3.0)
        >>> afinn.label("Not bad")
        'neg'
    """

    def __init__(self, emoticons: bool = False) -> None:
        self.emoticons = emoticons
        self.ratings: dict[str, int] = _read_ratings("AFINN-en-165.txt")
        pattern = rf"\b{trie_pattern(list(self.ratings))}\b"
        if emoticons:
            faces = _read_ratings("AFINN-emoticon-8.txt")
            # Words first, then emoticons (without word boundaries), as afinn orders them.
            pattern = f"(?:{pattern}|{trie_pattern(list(faces))})"
            self.ratings = {**self.ratings, **faces}
        self._pattern = re.compile(pattern)

    def __repr__(self) -> str:
        return f"AfinnScorer(emoticons={self.emoticons})"

    def find_all(self, text: str) -> list[str]:
        """The lexicon entries found in ``text``, in order (lower-cased).

        Example:
            >>> AfinnScorer().find_all("I can't stand it, no fun")
            ["can't stand", 'no fun']
        """
        if not isinstance(text, str):
            raise TypeError(f"AFINN scores a str, got {type(text).__name__}")
        return self._pattern.findall(re.sub(r"\s+", " ", text).lower())

    def score(self, text: str) -> float:
        """The sum of the ratings of the entries found in ``text``."""
        ratings = self.ratings
        return float(sum(ratings[entry] for entry in self.find_all(text)))

    def label(self, text: str) -> str:
        """ "pos", "neg" or "neutral" by the sign of :meth:`score`."""
        return _label(self.score(text))


@cache
def opinion_words() -> tuple[frozenset[str], frozenset[str]]:
    """Hu & Liu's (positive, negative) opinion words as sets, read once from the registry."""
    positive, negative = opinion_lexicon()
    return frozenset(positive), frozenset(negative)


class OpinionLexiconScorer:
    """Hu & Liu's opinion lexicon: positive words minus negative words.

    Example:
        >>> lexicon = OpinionLexiconScorer()
        >>> lexicon.score("A great, reliable camera with a terrible battery.")
        1
        >>> lexicon.label("The battery is black.")
        'neutral'
    """

    def __init__(self) -> None:
        self.positive, self.negative = opinion_words()

    def __repr__(self) -> str:
        return f"OpinionLexiconScorer({len(self.positive)} positive, {len(self.negative)} negative)"

    def words(self, text: str) -> list[str]:
        """The lower-cased Treebank tokens of ``text``."""
        if not isinstance(text, str):
            raise TypeError(f"the opinion lexicon scores a str, got {type(text).__name__}")
        return [token.lower() for token in treebank_tokenize(text)]

    def score(self, text: str) -> int:
        """How many positive words ``text`` has, minus how many negative ones."""
        words = self.words(text)
        return sum(w in self.positive for w in words) - sum(w in self.negative for w in words)

    def label(self, text: str) -> str:
        """ "pos", "neg" or "neutral" by the sign of :meth:`score`."""
        return _label(self.score(text))


def _label(score: float) -> str:
    return "pos" if score > 0 else "neg" if score < 0 else "neutral"
