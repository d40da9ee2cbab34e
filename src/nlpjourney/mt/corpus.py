"""Multi30k sentence pairs as word tokens, the way the word-alignment models read them.

Word alignment needs words, not subwords, and it needs one fixed tokenisation, because
the hand-made gold alignments (:mod:`nlpjourney.mt.gold`) point at token positions:

- lowercase (:func:`str.lower`), then
- :func:`nlpjourney.text.tokenize.regexp_tokenize` with one pattern per language: runs of
  word characters, and each other non-space character alone. French elision keeps its
  apostrophe on the left (``"qu'un homme"`` -> ``["qu'", "un", "homme"]``, ``"l'eau"`` ->
  ``["l'", "eau"]``), English and German's on the right (``"man's"`` -> ``["man", "'s"]``).

Example:
    >>> tokenize("Un homme tient l'échelle.", "fr")
    ['un', 'homme', 'tient', "l'", 'échelle', '.']
    >>> tokenize("A man's red hat.", "en")
    ['a', 'man', "'s", 'red', 'hat', '.']

Reference: ``nltk.regexp_tokenize`` (the same tokens for these patterns).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["TOKEN_PATTERNS", "multi30k_pairs", "pair_checksum", "tokenize"]

_APOSTROPHE = "'\u2019"  # the straight and the typographic apostrophe
#: The token pattern of each Multi30k language (see the module's docstring).
TOKEN_PATTERNS: dict[str, str] = {
    "fr": rf"\w+[{_APOSTROPHE}]|\w+|[^\w\s]",
    "en": rf"[{_APOSTROPHE}]\w+|\w+|[^\w\s]",
    "de": rf"[{_APOSTROPHE}]\w+|\w+|[^\w\s]",
}


def tokenize(text: str, language: str) -> list[str]:
    """Lowercased word tokens of one sentence in ``language`` (``"en"``, ``"fr"``, ``"de"``)."""
    if language not in TOKEN_PATTERNS:
        raise ValueError(f"language must be one of {sorted(TOKEN_PATTERNS)}, got {language!r}")
    # Imported here: the text package's face pulls in all of topic 1.2 (WordNet, Punkt...).
    from nlpjourney.text.tokenize import regexp_tokenize

    return regexp_tokenize(text.lower(), TOKEN_PATTERNS[language])


def multi30k_pairs(
    split: str = "train", source: str = "en", target: str = "fr", limit: int | None = None
) -> list[tuple[list[str], list[str]]]:
    """Multi30k's (source tokens, target tokens) pairs of one split, tokenised as above.

    Args:
        split: ``"train"`` (29,000 pairs), ``"val"`` or ``"test_2016_flickr"``.
        source: the source language.
        target: the target language.
        limit: keep only the first ``limit`` pairs (None: all).
    """
    from nlpjourney.data.corpora import multi30k

    if source == target:
        raise ValueError(f"source and target must be two languages, got {source!r} twice")
    lines = zip(multi30k(split, source)[:limit], multi30k(split, target)[:limit], strict=True)
    return [(tokenize(s, source), tokenize(t, target)) for s, t in lines]


def pair_checksum(source: Sequence[str], target: Sequence[str]) -> str:
    """A short SHA-256 of a tokenised pair, to notice when a corpus line has changed.

    Example:
        >>> pair_checksum(["a", "dog"], ["un", "chien"])
        'db90a9c5c0762c6f'
    """
    text = " ".join(source) + "\t" + " ".join(target)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
