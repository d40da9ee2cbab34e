"""Hand-made token features for named entity recognition, as CRF attribute lists.

A feature-based tagger such as :class:`~nlpjourney.tagging.crf.CRF` sees each token as a
bag of string attributes (``"lower=paris"``, ``"shape=Xxxxx"``, ``"w[-1]=in"``); the CRF
learns one weight per attribute and tag. :func:`ner_features` writes the classic
CoNLL-2003 set: the word and its lowercase, its shape, prefixes and suffixes, casing and
digit flags, the CoNLL part-of-speech and chunk columns when the sentence carries them,
the neighbouring words two either side, sentence start and end, and optionally
membership of a gazetteer (a list of known names by type).

Reference: the feature templates of CRFsuite's CoNLL NER example (``ner.py``) and of
the sklearn-crfsuite tutorial; python-crfsuite is trained on these same attribute lists
in ``benchmarks/tagging_crf.py``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

__all__ = ["FEATURES", "ner_features", "word_shape"]

_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")
_DIGIT = re.compile(r"[0-9]")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z]")
_RUNS = re.compile(r"(.)\1+")

#: A token: the word alone, or a CoNLL row ``(word, POS, chunk, ...)``.
Token = str | Sequence[str]


def word_shape(word: str) -> str:
    """The word's shape: capitals to ``X``, small letters to ``x``, digits to ``d``.

    Other characters (punctuation, hyphens) are kept, so ``"U.S."`` has shape ``"X.X."``.

    Example:
        >>> word_shape("Lisbon-2024"), word_shape("U.S.")
        ('Xxxxxx-dddd', 'X.X.')
    """
    shape = _UPPER.sub("X", word)
    shape = _LOWER.sub("x", shape)
    shape = _DIGIT.sub("d", shape)
    return _OTHER_LETTER.sub("x", shape)


def _short_shape(shape: str) -> str:
    """The shape with runs of a character collapsed: ``"Xxxxx"`` -> ``"Xx"``."""
    return _RUNS.sub(r"\1", shape)


def _columns(sentence: Sequence[Token]) -> tuple[list[str], list[str] | None, list[str] | None]:
    """The words, and the POS and chunk columns when every row carries them."""
    if all(isinstance(token, str) for token in sentence):
        return [str(token) for token in sentence], None, None
    rows = [(token,) if isinstance(token, str) else tuple(token) for token in sentence]
    if any(len(row) == 0 for row in rows):
        raise ValueError("a token row is empty; give each token as a word or (word, POS, chunk)")
    words = [str(row[0]) for row in rows]
    width = min(len(row) for row in rows)
    pos = [str(row[1]) for row in rows] if width >= 2 else None
    chunk = [str(row[2]) for row in rows] if width >= 3 else None
    return words, pos, chunk


def _gazetteer_marks(
    lowered: list[str], gazetteer: Mapping[str, Collection[str]]
) -> list[list[str]]:
    """For each token, ``"gaz=B-TYPE"`` / ``"gaz=I-TYPE"`` for every listed name covering it."""
    marks: list[list[str]] = [[] for _ in lowered]
    for kind, names in gazetteer.items():
        phrases = {tuple(name.lower().split()) for name in names if name.strip()}
        lengths = sorted({len(phrase) for phrase in phrases}, reverse=True)
        for start in range(len(lowered)):
            for length in lengths:
                # subtle: a slice past the end is shorter, and could match a shorter name.
                if (
                    start + length <= len(lowered)
                    and tuple(lowered[start : start + length]) in phrases
                ):
                    marks[start].append(f"gaz=B-{kind}")
                    for inside in range(start + 1, start + length):
                        marks[inside].append(f"gaz=I-{kind}")
    return marks


def ner_features(
    sentence: Sequence[Token],
    gazetteer: Mapping[str, Collection[str]] | None = None,
) -> list[list[str]]:
    """The attribute list of every token of a sentence, for a CRF.

    Per token: a bias; the word, its lowercase, its shape and short shape
    (``Xxxxx`` -> ``Xx``); prefixes and suffixes of 1 to 4 characters; flags for title case,
    all capitals, all lowercase, digits, a hyphen, a leading capital after the first
    word; the POS tag (and its first two letters) and chunk tag when the rows carry
    them; the lowercase word, short shape and POS of the tokens one and two either side
    and the word bigrams through the token; ``BOS`` / ``EOS`` at the sentence's ends;
    and ``gaz=B-TYPE`` / ``gaz=I-TYPE`` when a gazetteer name covers the token.

    Args:
        sentence: The tokens, each a word or a CoNLL row ``(word, POS, chunk, ...)`` (the
            columns after chunk, such as a gold NER tag, are ignored).
        gazetteer: Names by entity type (``{"LOC": ["New York", ...]}``), matched on
            lowercase words; None for no gazetteer attributes.

    Returns:
        One list of attribute strings per token (an empty list for an empty sentence).

    Example:
        >>> attributes = ner_features([("Paris", "NNP", "B-NP"), ("fell", "VBD", "B-VP")])
        >>> [a for a in attributes[0] if a.startswith(("lower=", "shape=", "pos=", "w[+1]"))]
        ['lower=paris', 'shape=Xxxxx', 'pos=NNP', 'w[+1]=fell']
        >>> "gaz=B-LOC" in ner_features(["in", "New", "York"], {"LOC": ["new york"]})[1]
        True
    """
    if isinstance(sentence, str):
        raise TypeError("ner_features takes one sentence as a list of tokens, not a string")
    words, pos, chunk = _columns(sentence)
    n = len(words)
    lowered = [word.lower() for word in words]
    short = [_short_shape(word_shape(word)) for word in words]
    marks = _gazetteer_marks(lowered, gazetteer) if gazetteer else None
    sentences: list[list[str]] = []
    for i, word in enumerate(words):
        shape = word_shape(word)
        lower = lowered[i]
        attributes = [
            "bias",
            f"word={word}",
            f"lower={lower}",
            f"shape={shape}",
            f"sshape={short[i]}",
        ]
        attributes += [f"p{k}={word[:k]}" for k in range(1, 5) if len(word) >= k]
        attributes += [f"s{k}={word[-k:]}" for k in range(1, 5) if len(word) >= k]
        if word.istitle():
            attributes.append("title" if i else "title@start")
        if word.isupper():
            attributes.append("upper")
        if word.islower():
            attributes.append("lower")
        if any(ch.isdigit() for ch in word):
            attributes.append("digit")
        if word.isdigit():
            attributes.append("number")
        if "-" in word:
            attributes.append("hyphen")
        if pos is not None:
            attributes += [f"pos={pos[i]}", f"pos2={pos[i][:2]}"]
        if chunk is not None:
            attributes.append(f"chunk={chunk[i]}")
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if not 0 <= j < n:
                continue
            name = f"[{offset:+d}]"
            attributes += [f"w{name}={lowered[j]}", f"sshape{name}={short[j]}"]
            if pos is not None:
                attributes.append(f"pos{name}={pos[j]}")
            if chunk is not None and abs(offset) == 1:
                attributes.append(f"chunk{name}={chunk[j]}")
            if abs(offset) == 1:
                attributes.append(f"title{name}={words[j].istitle()}")
        if i > 0:
            attributes.append(f"w[-1]|w={lowered[i - 1]}|{lower}")
        else:
            attributes.append("BOS")
        if i < n - 1:
            attributes.append(f"w|w[+1]={lower}|{lowered[i + 1]}")
        else:
            attributes.append("EOS")
        if marks is not None:
            attributes += marks[i]
        sentences.append(attributes)
    return sentences


#: Feature functions by name, so a saved CRF can record which one it was trained with.
FEATURES = {"ner": ner_features}
