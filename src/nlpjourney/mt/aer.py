"""Alignment error rate, precision and recall against sure and possible gold links.

Human annotators mark two kinds of links between a sentence pair's words (Och & Ney
2003): sure ones ``S`` (the words translate each other) and possible ones ``P`` (they
might, e.g. an idiom's words, or a French "de" beside the noun it introduces), with
``S ⊆ P``. For a predicted alignment ``A``:

    precision = |A ∩ P| / |A|          (a predicted link is right if it is at least possible)
    recall    = |A ∩ S| / |S|          (every sure link should be found)
    AER       = 1 - (|A ∩ S| + |A ∩ P|) / (|A| + |S|)

A link is ``(i, j)``: source word ``i`` with target word ``j``, 0-based. Over a corpus the
counts are summed over the sentence pairs before dividing, as Och & Ney do, rather than
averaging each pair's rates.

Example:
    >>> sure, possible = {(0, 0), (1, 2)}, {(0, 0), (1, 2), (1, 1)}
    >>> alignment_error_rate(sure, possible, {(0, 0), (1, 1)})
    0.25

Reference: Och & Ney (2003), "A Systematic Comparison of Various Statistical Alignment
Models", section 5; NLTK's ``nltk.translate.metrics.alignment_error_rate`` (the tests
compare single sentences with it).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

__all__ = [
    "AlignmentScores",
    "Link",
    "alignment_error_rate",
    "alignment_precision",
    "alignment_recall",
    "alignment_scores",
]

#: One alignment link: (source index, target index), 0-based.
Link = tuple[int, int]


@dataclass(frozen=True)
class AlignmentScores:
    """Precision, recall and AER of predicted links over one or more sentence pairs."""

    precision: float
    recall: float
    aer: float


def _links(links: Collection[Link], name: str) -> set[Link]:
    """``links`` as a set of (int, int), or a TypeError saying what a link is."""
    if isinstance(links, (str, bytes)) or not isinstance(links, Collection):
        raise TypeError(f"{name} must be a collection of (source, target) index pairs")
    result = set()
    for link in links:
        if (
            not isinstance(link, Sequence)
            or len(link) != 2
            or not all(isinstance(k, int) and not isinstance(k, bool) for k in link)
        ):
            raise TypeError(f"{name} holds {link!r}, not a (source index, target index) pair")
        result.add((int(link[0]), int(link[1])))
    return result


def alignment_scores(
    sure: Sequence[Collection[Link]],
    possible: Sequence[Collection[Link]],
    predicted: Sequence[Collection[Link]],
) -> AlignmentScores:
    """Precision, recall and AER over a corpus: one collection of links per sentence pair.

    Args:
        sure: the gold sure links ``S`` of each pair.
        possible: the gold possible links ``P`` of each pair, each including its ``S``.
        predicted: the predicted links ``A`` of each pair.

    Raises:
        ValueError: the three do not have one entry per pair, or a ``P`` misses a sure link.

    A corpus with no predicted links has precision 1 (nothing claimed wrongly); with no
    sure links, recall 1.
    """
    if not len(sure) == len(possible) == len(predicted):
        raise ValueError(
            f"sure, possible and predicted need one entry per sentence pair, got "
            f"{len(sure)}, {len(possible)} and {len(predicted)}"
        )
    n_a = n_s = a_and_s = a_and_p = 0
    for n, (s_links, p_links, a_links) in enumerate(zip(sure, possible, predicted, strict=True)):
        s, p, a = _links(s_links, "sure"), _links(p_links, "possible"), _links(a_links, "predicted")
        if not s <= p:
            raise ValueError(
                f"pair {n}: the sure links {sorted(s - p)} are not among the possible ones; "
                "every sure link is also possible (pass possible | sure)"
            )
        n_a, n_s = n_a + len(a), n_s + len(s)
        a_and_s, a_and_p = a_and_s + len(a & s), a_and_p + len(a & p)
    precision = a_and_p / n_a if n_a else 1.0
    recall = a_and_s / n_s if n_s else 1.0
    aer = 1.0 - (a_and_s + a_and_p) / (n_a + n_s) if n_a + n_s else 0.0
    return AlignmentScores(precision=precision, recall=recall, aer=aer)


def alignment_error_rate(
    sure: Collection[Link], possible: Collection[Link], predicted: Collection[Link]
) -> float:
    """AER of one sentence pair's predicted links (see the module's docstring)."""
    return alignment_scores([sure], [possible], [predicted]).aer


def alignment_precision(possible: Collection[Link], predicted: Collection[Link]) -> float:
    """|A ∩ P| / |A| for one sentence pair (1 when nothing is predicted)."""
    return alignment_scores([possible], [possible], [predicted]).precision


def alignment_recall(sure: Collection[Link], predicted: Collection[Link]) -> float:
    """|A ∩ S| / |S| for one sentence pair (1 when there are no sure links)."""
    return alignment_scores([sure], [sure], [predicted]).recall
