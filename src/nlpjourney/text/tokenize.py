"""Word tokenizers from scratch, in the Penn Treebank convention among others.

Four word tokenizers, from the simplest to the one most English pipelines use:

- :func:`whitespace_tokenize` and :func:`char_tokenize`: split at spaces, or into characters;
- :func:`regexp_tokenize`: the tokens are the matches of a pattern (or the gaps between them);
- :func:`treebank_tokenize`: one sentence in the Penn Treebank convention, a cascade of
  rewrite rules that pad punctuation with spaces, then split at spaces:
  ``"Don't stop," he said.`` -> ````` ``Do n't stop , '' he said .`` ``;
- :func:`word_tokenize`: split a text into sentences, then Treebank-tokenize each one.

Sentences come from Kiss and Strunk's Punkt, in :mod:`nlpjourney.text.punkt`;
:func:`sentence_split` and the Punkt trainer are re-exported here so that
``from nlpjourney.text.tokenize import sentence_split, word_tokenize`` keeps working.

Reference: NLTK's ``nltk.tokenize.NLTKWordTokenizer`` (what ``nltk.word_tokenize`` applies
to each sentence; :func:`treebank_tokenize` gives its tokens exactly on the sentences of
SMS spam, Brown, the State of the Union addresses and webtext) and ``nltk.regexp_tokenize``.

Simplifications:
    - :func:`word_tokenize` splits sentences with our Punkt model trained on US political
      addresses, not with NLTK's pretrained English model (not available offline), so its
      sentence boundaries, and hence its final periods, can differ from ``nltk.word_tokenize``.
    - No ``convert_parentheses`` option and no token spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import regex

from nlpjourney.errors import check_str
from nlpjourney.text.punkt import (
    NUMBER_SIGNS,
    SentenceSplitter,
    default_sentence_splitter,
    sentence_split,
    train_sentence_splitter,
    training_texts,
)

__all__ = [
    "NUMBER_SIGNS",
    "SentenceSplitter",
    "char_tokenize",
    "default_sentence_splitter",
    "regexp_tokenize",
    "sentence_split",
    "train_sentence_splitter",
    "training_texts",
    "treebank_tokenize",
    "whitespace_tokenize",
    "word_tokenize",
]


# --- the simple tokenizers -----------------------------------------------------------


def whitespace_tokenize(text: str) -> list[str]:
    """The maximal runs of non-space characters: ``"a  b\\tc\\n" -> ["a", "b", "c"]``.

    Space is Unicode's White_Space, as in NLTK's ``WhitespaceTokenizer``; unlike
    ``str.split`` and Python's ``\\s``, the separators ``\\x1c``-``\\x1f`` are not space here.
    """
    return [token for token in _SPACES.split(check_str(text)) if token]


# subtle: Unicode's White_Space, what NLTK's regex engine calls \s; Python's re adds \x1c-\x1f.
_SPACES = re.compile(r"[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def char_tokenize(text: str) -> list[str]:
    """Every character, spaces included: ``"a b" -> ["a", " ", "b"]``."""
    return list(check_str(text))


def regexp_tokenize(text: str, pattern: str | re.Pattern[str], gaps: bool = False) -> list[str]:
    """Tokens that match ``pattern``, or (``gaps=True``) the text between its matches.

    Like ``nltk.regexp_tokenize`` (same flags: UNICODE, MULTILINE, DOTALL for a string
    pattern; empty gaps dropped), except that capturing groups do not change what a token
    is: the whole match is the token, where NLTK's ``re.findall`` would return the groups.
    Write groups as ``(?:...)`` and the two agree.

    Args:
        text: the text.
        pattern: a regular expression, as a string or compiled.
        gaps: if True, the pattern matches separators instead of tokens.

    Example: ``regexp_tokenize("Cost: $3.88!", r"\\w+|\\$[\\d.]+")`` -> ``["Cost", "$3.88"]``.
    """
    check_str(text)
    if isinstance(pattern, str):
        try:
            compiled = re.compile(pattern, re.UNICODE | re.MULTILINE | re.DOTALL)
        except re.error as err:
            raise ValueError(
                f"pattern {pattern!r} is not a valid regular expression: {err}"
            ) from None
    elif isinstance(pattern, re.Pattern):
        compiled = pattern
    else:
        raise TypeError(f"pattern must be a str or re.Pattern, got {type(pattern).__name__}")
    if gaps:
        return [piece for piece in _gaps(compiled, text) if piece]
    return [match.group() for match in compiled.finditer(text)]


def _gaps(pattern: re.Pattern[str], text: str) -> list[str]:
    # subtle: re.split would also return the groups' text when the pattern captures; we
    # want only the gaps, so cut at the match spans ourselves.
    pieces, start = [], 0
    for match in pattern.finditer(text):
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    return pieces


# --- the Penn Treebank word tokenizer --------------------------------------------------

# Each stage is a list of (pattern, replacement) applied in order to the whole sentence;
# they only insert spaces (and turn double quotes into `` or ''), so splitting at spaces at
# the end gives the tokens. The order matters: later rules see the spaces earlier ones put.
# subtle: the rules run on the ``regex`` engine, as NLTK's do. Python's ``re`` has another
# word class (combining marks, "²", "¼") and takes U+001C..U+001F for spaces.
_Rule = tuple[regex.Pattern[str], str]

_OPEN_QUOTES: list[_Rule] = [
    # Typographic opening quotes, and runs of backticks, stand alone.
    (regex.compile(r"([«“‘„]|`+)"), r" \1 "),
    # A straight double quote at the very start opens a quotation.
    (regex.compile(r'^"'), "``"),
    (regex.compile(r"(``)"), r" \1 "),
    # ... as does one (or a pair of single quotes) after a space or an opening bracket.
    (regex.compile(r"""([ (\[{<])("|'')"""), r"\1 `` "),
    # A single quote before a word opens a quotation unless it starts a clitic ('s, 're).
    (regex.compile(r"(?i)(?<!\w)(')(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=\w)"), r"\1 "),
]

_PUNCTUATION: list[_Rule] = [
    # The sentence-final period, with any closing brackets or quotes after it.
    (regex.compile(r"""([^.])(\.)([\])}>"'»”’ ]*+)\s*$"""), r"\1 \2 \3 "),
    # Commas and colons, except inside numbers ("3,000", "10:30").
    (regex.compile(r"([:,])([^\d])"), r" \1 \2"),
    (regex.compile(r"([:,])$"), r" \1 "),
    # Ellipses "..." and longer.
    (regex.compile(r"\.{2,}"), r" \g<0> "),
    (regex.compile(r"[;@#$%&]"), r" \g<0> "),
    # Figure dash, en dash, em dash, horizontal bar.
    (regex.compile(r"[\u2012-\u2015]"), r" \g<0> "),
    # The final period once more, now with only straight closers (rarely fires after the above).
    (regex.compile(r"""([^.])(\.)([\])}>"']*)\s*$"""), r"\1 \2\3 "),
    (regex.compile(r"[?!]"), r" \g<0> "),
    # A single quote before a space closes a quotation.
    (regex.compile(r"([^'])' "), r"\1 ' "),
    (regex.compile(r"\*"), r" \g<0> "),
]

_BRACKETS: _Rule = (regex.compile(r"[\][(){}<>]"), r" \g<0> ")
_DOUBLE_DASH: _Rule = (regex.compile(r"--"), r" -- ")

_CLOSE_QUOTES_AND_CLITICS: list[_Rule] = [
    (regex.compile(r"([»”’])"), r" \1 "),
    (regex.compile(r"''"), " '' "),
    # Any straight double quote still left closes a quotation.
    (regex.compile(r'"'), " '' "),
    (regex.compile(r"\s+"), " "),
    # Clitics: "John's" -> "John 's", "I'm" -> "I 'm", "don't" -> "do n't".
    (regex.compile(r"([^' ])('[sS]|'[mM]|'[dD]|') "), r"\1 \2 "),
    (regex.compile(r"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), r"\1 \2 "),
]

# Words the Treebank writes as two tokens (Robert MacIntyre's list): "cannot" -> "can not".
_SPLIT_WORDS: list[_Rule] = [
    (regex.compile(pattern, regex.IGNORECASE), r" \1 \2 ")
    for pattern in (
        r"\b(can)(not)\b",
        r"\b(d)('ye)\b",
        r"\b(gim)(me)\b",
        r"\b(gon)(na)\b",
        r"\b(got)(ta)\b",
        r"\b(lem)(me)\b",
        r"\b(more)('n)\b",
        r"\b(wan)(na)(?=\s)",
        r" ('t)(is)\b",
        r" ('t)(was)\b",
    )
]


def _rewrite(text: str, rules: Iterable[_Rule]) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def treebank_tokenize(sentence: str) -> list[str]:
    """One sentence's tokens in the Penn Treebank convention (NLTK's improved rules).

    Punctuation becomes its own token, except a period inside the sentence ("Mr.", "3.88",
    "U.S." stay whole) and commas or colons inside numbers; only the final period is split
    off. Clitics split from their word ("don't" -> "do", "n't"; "can't" -> "ca", "n't";
    "John's" -> "John", "'s"), straight double quotes become ```` `` ```` when they open a
    quotation and ``''`` when they close one; typographic quotes stay as they are.

    Args:
        sentence: one sentence (a longer text tokenizes too, but then only its very last
            period is split off; use :func:`word_tokenize` for texts).

    Returns:
        The tokens; no token holds whitespace.

    Example: ``treebank_tokenize('"I can\\'t," she said.')`` ->
    ``['``', 'I', 'ca', "n't", ',', "''", 'she', 'said', '.']``.
    """
    text = _rewrite(check_str(sentence, "sentence"), _OPEN_QUOTES)
    text = _rewrite(text, _PUNCTUATION)
    text = _rewrite(text, [_BRACKETS, _DOUBLE_DASH])
    # subtle: the clitic rules look for a space after the clitic, so pad both ends first.
    text = _rewrite(f" {text} ", _CLOSE_QUOTES_AND_CLITICS)
    return _rewrite(text, _SPLIT_WORDS).split()


def word_tokenize(text: str, splitter: SentenceSplitter | None = None) -> list[str]:
    """A text's tokens: split it into sentences, then Treebank-tokenize each sentence.

    Args:
        text: any amount of English text.
        splitter: the sentence splitter; by default :func:`default_sentence_splitter`.

    Example: ``word_tokenize("Mr. Smith isn't here. He left.")`` ->
    ``['Mr.', 'Smith', 'is', "n't", 'here', '.', 'He', 'left', '.']``.
    """
    return [token for sent in sentence_split(text, splitter) for token in treebank_tokenize(sent)]
