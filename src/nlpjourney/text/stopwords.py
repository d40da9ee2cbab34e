"""Stop word lists: the very frequent function words ("the", "of", "and") that carry
little topic, read from the registry's ``stopwords`` archive (NLTK's lists, 29 languages).

A list is returned as a ``frozenset``: the one thing done with stop words is asking
``token in stop``, which a set answers in constant time, and a frozen one can be cached
and shared without a caller changing it for everyone. (NLTK returns a list in file order,
with the repeats some files have; order carries no meaning here.)

>>> "the" in stopwords("english"), len(stopwords("english"))  # doctest: +SKIP
(True, 179)

Entries are the files' non-blank lines exactly as written, as NLTK reads them: a few
lists hold phrases (Catalan ``"des de"``) and some Basque, Tajik and Azerbaijani lines end
with a space (``"ala "``), so such entries never equal a single token. Lists are
lower case; compare lower-cased tokens.

Reference: ``nltk.corpus.stopwords.words(language)`` (same words, as a set).

Simplifications:
    - NLTK's code-defined ``"english-extended"`` list is not a file in the archive and is
      not offered.
"""

from __future__ import annotations

import difflib
from functools import cache, lru_cache

from nlpjourney.data import corpora

__all__ = ["languages", "stopwords"]


@lru_cache(maxsize=1)
def _languages() -> tuple[str, ...]:
    return tuple(corpora.stopword_languages())


def languages() -> list[str]:
    """The languages with a stop word list, sorted (``"arabic"`` ... ``"turkish"``)."""
    return list(_languages())


@cache
def _load(language: str) -> frozenset[str]:
    return frozenset(corpora.stopword_list(language))


def stopwords(language: str = "english") -> frozenset[str]:
    """The stop words of ``language``.

    Args:
        language: a name from :func:`languages`, e.g. ``"english"``, ``"french"``;
            case and surrounding spaces are ignored.

    Returns:
        The words as a frozenset (shared and cached: build ``set(...)`` to extend it).

    Raises:
        TypeError: ``language`` is not a str.
        ValueError: no list for ``language``; the message names the closest languages.
    """
    if not isinstance(language, str):
        raise TypeError(f"language must be a str such as 'english', got {type(language).__name__}")
    name = language.strip().lower()
    if name not in _languages():
        close = difflib.get_close_matches(name, _languages(), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"no stop word list for {language!r}.{hint} Available: {', '.join(_languages())}."
        )
    return _load(name)
