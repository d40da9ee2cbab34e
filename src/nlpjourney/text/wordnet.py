"""A reader for the WordNet 3.0 database files, straight from the registry's zip.

WordNet ships as plain text, one set of files per part of speech (``noun``, ``verb``,
``adj``, ``adv``):

- ``index.<pos>``: one line per lemma, sorted, e.g.
  ``"dog n 7 5 @ ~ #m #p %p 7 1 02084071 10114209 ..."``: the lemma, its pos, the number
  of synsets, pointer symbols, then the byte offsets of its synsets in ``data.<pos>``
  (the last ``synset_cnt`` fields of the line).
- ``data.<pos>``: one line per synset at the byte offset that names it, e.g.
  ``"02084071 05 n 03 dog 0 domestic_dog 0 Canis_familiaris 0 023 @ ..."``: offset,
  lexicographer file, synset type (``n v a s r``; ``s`` is a satellite adjective), the
  word count in hexadecimal, then each word and its lexical id.
- ``<pos>.exc``: irregular inflections, one line per form:
  ``"geese goose"`` (a form may list several bases).

Lines that start with a space are the licence header. Everything here is loaded lazily,
once per part of speech, into dicts, so a lookup is a dict access.

>>> wn = default_wordnet()
>>> "goose" in wn.lemmas("n"), wn.exceptions("n")["geese"]  # doctest: +SKIP
(True, ('goose',))
>>> [wn.lemma_names(o, "n") for o in wn.offsets("dog", "n")][0]  # doctest: +SKIP
['dog', 'domestic_dog', 'Canis_familiaris']

Reference: NLTK's ``WordNetCorpusReader`` (``nltk.corpus.wordnet``) reading the same files;
``tests/text/test_lemmatize.py`` and ``tests/text/test_augment.py`` compare lemmas and
synonyms with it.

Simplifications:
    - Only what lemmatizing and synonyms need is read: lemmas, synset offsets, exception
      lists and the words of a synset. Pointers (hypernyms ...), glosses, verb frames,
      sense keys and counts are not parsed.
"""

from __future__ import annotations

import re
import zipfile
from functools import lru_cache

from nlpjourney.data import path

__all__ = ["POS_TAGS", "WordNet", "check_pos", "default_wordnet"]

#: WordNet's parts of speech: noun, verb, adjective, adverb, satellite adjective.
POS_TAGS = ("n", "v", "a", "r", "s")
_FILE = {"n": "noun", "v": "verb", "a": "adj", "r": "adv", "s": "adj"}
# Adjectives in data.adj may carry a syntactic marker: "ready_to_hand(p)".
_ADJ_MARKER = re.compile(r"\((?:a|p|ip)\)$")


def check_pos(pos: object) -> str:
    """``pos`` itself if it is one of :data:`POS_TAGS`, else a ValueError naming them."""
    if not isinstance(pos, str) or pos not in POS_TAGS:
        raise ValueError(
            f"unknown WordNet part of speech {pos!r}; use one of {', '.join(POS_TAGS)} "
            "(noun, verb, adjective, adverb, satellite adjective)"
        )
    return pos


class WordNet:
    """WordNet 3.0's lemmas, exception lists and synsets, read from its zip on first use.

    Args:
        dataset: registry name of the zip holding ``wordnet/index.noun`` etc.
    """

    def __init__(self, dataset: str = "wordnet") -> None:
        self.dataset = dataset
        self._index: dict[str, dict[str, str]] = {}
        self._exceptions: dict[str, dict[str, tuple[str, ...]]] = {}
        self._data: dict[str, bytes] = {}

    def _read(self, member: str) -> bytes:
        with zipfile.ZipFile(path(self.dataset)) as archive:
            return archive.read(f"wordnet/{member}")

    def _index_lines(self, pos: str) -> dict[str, str]:
        name = _FILE[check_pos(pos)]
        if name not in self._index:
            lines = self._read(f"index.{name}").decode("utf-8").splitlines()
            # lemma -> its whole line; the offsets are parsed only when asked for.
            self._index[name] = {
                line.partition(" ")[0]: line for line in lines if line and line[0] != " "
            }
        return self._index[name]

    def lemmas(self, pos: str) -> dict[str, str]:
        """The lemmas of ``pos`` (lower case, ``_`` for spaces), as a dict to test ``in``.

        ``"s"`` gives the adjective lemmas, all of them.
        """
        # subtle: index.adj has no satellite entries of its own, and NLTK gives every
        # adjective lemma an "s" entry (empty when none of its synsets is a satellite),
        # so morphy treats "s" exactly as "a".
        return self._index_lines(pos)

    def exceptions(self, pos: str) -> dict[str, tuple[str, ...]]:
        """Irregular form -> its base forms, from ``<pos>.exc`` (``"s"`` shares ``adj.exc``)."""
        name = _FILE[check_pos(pos)]
        if name not in self._exceptions:
            table: dict[str, tuple[str, ...]] = {}
            for line in self._read(f"{name}.exc").decode("utf-8").splitlines():
                form, *bases = line.split()
                # subtle: noun.exc lists a few forms twice; the later line wins, as in NLTK.
                table[form] = tuple(bases)
            self._exceptions[name] = table
        return self._exceptions[name]

    def offsets(self, lemma: str, pos: str) -> list[int]:
        """Byte offsets in ``data.<pos>`` of ``lemma``'s synsets, most frequent sense first.

        For ``"s"``, only the satellite synsets among the adjective's. An unknown lemma
        has none.
        """
        line = self._index_lines(pos).get(lemma)
        if line is None:
            return []
        fields = line.split()
        n_synsets = int(fields[2])
        offsets = [int(f) for f in fields[len(fields) - n_synsets :]]
        if pos == "s":
            offsets = [o for o in offsets if self._synset_fields(o, "a")[2] == "s"]
        return offsets

    def _synset_fields(self, offset: int, pos: str) -> list[str]:
        name = _FILE[check_pos(pos)]
        if name not in self._data:
            self._data[name] = self._read(f"data.{name}")
        data = self._data[name]
        end = data.find(b"\n", offset)
        line = data[offset : end if end >= 0 else len(data)].decode("utf-8")
        if not line.startswith(f"{offset:08d} "):
            raise ValueError(f"no synset at offset {offset} of data.{name}")
        return line.split()

    def synset_type(self, offset: int, pos: str) -> str:
        """The synset's own pos letter: ``"s"`` for a satellite adjective, else ``pos``."""
        return self._synset_fields(offset, pos)[2]

    def lemma_names(self, offset: int, pos: str) -> list[str]:
        """The words of the synset at ``offset``, as WordNet spells them (``"Canis_familiaris"``).

        Adjective markers such as ``"(p)"`` are dropped, as NLTK drops them.
        """
        fields = self._synset_fields(offset, pos)
        n_words = int(fields[3], 16)
        words = fields[4 : 4 + 2 * n_words : 2]
        return [_ADJ_MARKER.sub("", w) for w in words]


@lru_cache(maxsize=1)
def default_wordnet() -> WordNet:
    """The one shared :class:`WordNet` over the registry's ``wordnet`` dataset."""
    return WordNet()
