"""Eighteen Multi30k English–French pairs word-aligned by hand, to measure aligners.

The links live in ``hand_alignments.json`` beside this module, written for this project:
for each pair its split, line number, a checksum of the tokenised pair, and two link
lists in the Pharaoh format (``"0-0 2-1 1-2"``: English token ``i`` with French token
``j``, 0-based, over :func:`nlpjourney.mt.corpus.tokenize`'s tokens).

How they were annotated (after Och & Ney 2003):

- sure: the two words translate each other (``chien``/``dog``, ``bleue``/``blue``,
  ``aux``/``at`` and ``aux``/``the``);
- possible only: the link is defensible but not needed, as for function words with no
  counterpart (``se`` in ``se tient``/``standing``, ``d'`` in ``d'un``), articles that
  differ between the languages (``the other man``/``un autre homme``), and the extra words
  of a multi-word expression (``in front of``/``devant``: ``front`` is sure, ``in`` and
  ``of`` possible);
- a word with no counterpart (English's comma before "white", French's final period
  where English has none) has no link.

The sentences themselves are not stored here: :func:`hand_aligned_pairs` reads them from
the corpus (:func:`nlpjourney.data.corpora.multi30k`) and checks each pair's checksum,
so a changed corpus line or tokeniser is noticed instead of silently shifting links.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from nlpjourney.errors import ChecksumError

__all__ = ["HandAlignedPair", "hand_aligned_pairs", "parse_links"]

_FILE = "hand_alignments.json"


def parse_links(text: str) -> frozenset[tuple[int, int]]:
    """Links from the Pharaoh format: ``"0-0 2-1"`` -> ``{(0, 0), (2, 1)}``."""
    links = set()
    for item in text.split():
        left, dash, right = item.partition("-")
        if not dash or not left.isdigit() or not right.isdigit():
            raise ValueError(f"{item!r} is not a link; write links as 'i-j' with 0-based indices")
        links.add((int(left), int(right)))
    return frozenset(links)


@dataclass(frozen=True)
class HandAlignedPair:
    """One hand-aligned sentence pair.

    Attributes:
        split: the Multi30k split of the pair.
        line: its line number (0-based) in that split.
        source: the source tokens (English unless :meth:`swapped`).
        target: the target tokens.
        sure: the sure links ``(source index, target index)``.
        possible: the possible links, the sure ones included.
    """

    split: str
    line: int
    source: tuple[str, ...]
    target: tuple[str, ...]
    sure: frozenset[tuple[int, int]]
    possible: frozenset[tuple[int, int]]

    def swapped(self) -> HandAlignedPair:
        """The same pair the other way round (target becomes source), links swapped."""
        return HandAlignedPair(
            split=self.split,
            line=self.line,
            source=self.target,
            target=self.source,
            sure=frozenset((j, i) for i, j in self.sure),
            possible=frozenset((j, i) for i, j in self.possible),
        )


def _records() -> dict:
    """The annotation file's contents."""
    text = resources.files("nlpjourney.mt").joinpath(_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def hand_aligned_pairs(source: str = "en", target: str = "fr") -> list[HandAlignedPair]:
    """The hand-aligned pairs, with their sentences read from Multi30k.

    Args:
        source: ``"en"`` or ``"fr"``: which side is the source (``"fr"`` swaps the pairs).
        target: the other language.

    Raises:
        ChecksumError: a pair's tokens are not those that were annotated (the corpus
            or the tokeniser changed); its links would point at the wrong words.
        DataNotFoundError: Multi30k is neither in the data mirror nor in the cache.
    """
    from nlpjourney.mt.corpus import pair_checksum, tokenize

    records = _records()
    languages = (records["source"], records["target"])
    if {source, target} != set(languages):
        raise ValueError(
            f"the hand alignments are between {languages[0]!r} and {languages[1]!r}; "
            f"got source={source!r}, target={target!r}"
        )
    from nlpjourney.data.corpora import multi30k

    lines = {}
    pairs = []
    for record in records["pairs"]:
        split, line = record["split"], int(record["line"])
        if split not in lines:
            lines[split] = (multi30k(split, languages[0]), multi30k(split, languages[1]))
        src = tokenize(lines[split][0][line], languages[0])
        tgt = tokenize(lines[split][1][line], languages[1])
        if pair_checksum(src, tgt) != record["checksum"]:
            raise ChecksumError(
                f"Multi30k {split} line {line} is not the pair that was aligned by hand "
                f"(checksum {pair_checksum(src, tgt)}, expected {record['checksum']}); "
                "the corpus file or nlpjourney.mt.corpus.tokenize changed"
            )
        sure = parse_links(record["sure"])
        pair = HandAlignedPair(split=split, line=line, source=tuple(src), target=tuple(tgt),
                               sure=sure, possible=sure | parse_links(record["possible"]))  # fmt: skip
        pairs.append(pair if source == languages[0] else pair.swapped())
    return pairs
