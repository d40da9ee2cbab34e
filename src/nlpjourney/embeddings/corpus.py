"""The English training text for word embeddings: every registry corpus, streamed as sentences.

Word vectors need a few million tokens before neighbours look sensible. The registry's
English text adds up to about that (3.6 million words): Brown, webtext, the inaugural addresses, the State of
the Union addresses, the movie reviews, Tiny Shakespeare and Multi30k's English captions.
:func:`english_sentences` yields them one sentence (a list of lower-cased words) at a
time, one corpus after another, so a model can stream over them without a second copy.

Words are runs of letters and digits, with an inner apostrophe or hyphen kept
(``don't``, ``well-known``); punctuation is dropped. Every corpus goes through the same
rule, so "The" in Brown and "the" in a caption are one word.

>>> sentences = english_sentences("inaugural")  # doctest: +SKIP
>>> next(sentences)[:6]  # doctest: +SKIP
['fellow-citizens', 'of', 'the', 'senate', 'and', 'of']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from nlpjourney.data import corpora
from nlpjourney.data.store import path

__all__ = ["ENGLISH_SOURCES", "english_sentences", "parse_sources", "words_of"]

_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")


def words_of(text: str) -> list[str]:
    """The lower-cased words of ``text`` by the rule above."""
    return _WORD.findall(text.lower())


def _lines(texts: Iterable[str]) -> Iterator[list[str]]:
    for text in texts:
        for line in text.splitlines():
            words = words_of(line)
            if words:
                yield words


def _brown() -> Iterator[list[str]]:
    for sentence in corpora.brown_sents():
        words = words_of(" ".join(sentence))
        if words:
            yield words


def _shakespeare() -> Iterator[list[str]]:
    yield from _lines([path("tinyshakespeare").read_text(encoding="utf-8")])


ENGLISH_SOURCES: dict[str, Callable[[], Iterator[list[str]]]] = {
    "brown": _brown,
    "webtext": lambda: _lines(corpora.plain_texts("webtext").values()),
    "inaugural": lambda: _lines(corpora.plain_texts("inaugural").values()),
    "state_union": lambda: _lines(corpora.plain_texts("state_union").values()),
    "movie_reviews": lambda: _lines(text for text, _ in corpora.movie_reviews()),
    "tinyshakespeare": _shakespeare,
    "multi30k": lambda: _lines(corpora.multi30k("train", "en")),
}
"""Each English corpus of the registry, by name, as a function that streams its sentences."""


def parse_sources(spec: str | Iterable[str]) -> list[str]:
    """Corpus names from ``"brown+webtext"``, a list of names, or ``"all"``.

    Raises:
        ValueError: If a name is not one of :data:`ENGLISH_SOURCES` (the message lists them).
    """
    names = spec.split("+") if isinstance(spec, str) else list(spec)
    names = [n.strip() for n in names if n.strip()]
    if names == ["all"]:
        return list(ENGLISH_SOURCES)
    unknown = [n for n in names if n not in ENGLISH_SOURCES]
    if unknown or not names:
        raise ValueError(
            f"unknown corpus {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from {', '.join(ENGLISH_SOURCES)} or 'all', joined with '+'"
        )
    return names


def english_sentences(sources: str | Iterable[str] = "all") -> Iterator[list[str]]:
    """Stream the sentences of the chosen corpora, each a list of lower-cased words.

    Args:
        sources: ``"all"`` (the default), ``"brown+webtext"``, or a list of names.

    Raises:
        ValueError: If a corpus name is unknown.
        DataNotFoundError: If a corpus is in neither the mirror nor the cache.
    """
    names = parse_sources(sources)
    for name in names:
        yield from ENGLISH_SOURCES[name]()
