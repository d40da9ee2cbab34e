"""Symmetrisation: one alignment from the two directions' alignments.

An IBM model aligns each target word to at most one source word, so an alignment trained
English→French cannot link one French word to two English ones, and the French→English
one cannot do the converse. Aligning both ways and combining the two gives many-to-many
links (Och & Ney 2003; Koehn et al. 2005):

- ``intersection``: the links both directions found: few, and precise;
- ``union``: the links either found: more recall, less precision;
- ``grow-diag``: start from the intersection and add the union's links next to one
  already there (also diagonally) whose source or target word is still unaligned,
  until nothing changes;
- ``grow-diag-final``: then add the union's links whose source *or* target word is
  still unaligned (first the forward direction's links, then the backward's);
- ``grow-diag-final-and``: the same, but only when *both* words are unaligned.

Both inputs are collections of ``(source index, target index)`` links, the backward
direction's already written that way round.

Example:
    >>> forward = {(0, 0), (1, 1), (2, 3), (3, 2)}
    >>> backward = {(0, 0), (1, 1), (1, 2), (4, 4), (2, 4)}
    >>> sorted(symmetrize(forward, backward, "grow-diag-final-and"))
    [(0, 0), (1, 1), (1, 2), (2, 3), (2, 4), (3, 2)]

Reference: the GROW-DIAG-FINAL(-AND) pseudo-code of Koehn et al. (2005), "Edinburgh
System Description for the 2005 IWSLT Speech Translation Evaluation", as in Moses; the
tests check it on cases worked by hand. Not NLTK's ``grow_diag_final_and``: its "not
aligned" tests look for the word index among a dict's keys (``"e"`` and ``"f"``), so they
always pass and it returns the union (it gives ``(4, 4)`` above).
"""

from __future__ import annotations

from collections.abc import Collection

from nlpjourney.mt.aer import Link, _links

__all__ = ["SYMMETRIZATIONS", "symmetrize"]

#: The methods :func:`symmetrize` knows.
SYMMETRIZATIONS = ("intersection", "union", "grow-diag", "grow-diag-final", "grow-diag-final-and")

_NEIGHBOURS = ((-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))


def symmetrize(
    forward: Collection[Link], backward: Collection[Link], method: str = "grow-diag-final-and"
) -> set[Link]:
    """Combine two directions' ``(source, target)`` links by ``method`` (see above)."""
    if method not in SYMMETRIZATIONS:
        raise ValueError(f"method must be one of {SYMMETRIZATIONS}, got {method!r}")
    forward, backward = _links(forward, "forward"), _links(backward, "backward")
    union = forward | backward
    alignment = forward & backward
    if method in ("intersection", "union"):
        return alignment if method == "intersection" else union
    if not union:
        return set()
    n_source = max(i for i, _ in union) + 1
    n_target = max(j for _, j in union) + 1
    source_aligned = {i for i, _ in alignment}
    target_aligned = {j for _, j in alignment}

    def add(i: int, j: int) -> None:
        alignment.add((i, j))
        source_aligned.add(i)
        target_aligned.add(j)

    # GROW-DIAG. subtle: scan the grid in order and see the points added during a sweep,
    # as the pseudo-code does; the order decides which of two competing links wins.
    grown = True
    while grown:
        grown = False
        for i in range(n_source):
            for j in range(n_target):
                if (i, j) not in alignment:
                    continue
                for di, dj in _NEIGHBOURS:
                    new = (i + di, j + dj)
                    if (
                        new in union
                        and new not in alignment
                        and (new[0] not in source_aligned or new[1] not in target_aligned)
                    ):
                        add(*new)
                        grown = True
    if method == "grow-diag":
        return alignment
    both = method == "grow-diag-final-and"
    for direction in (forward, backward):  # FINAL(e2f), then FINAL(f2e)
        for i, j in sorted(direction):
            free_i, free_j = i not in source_aligned, j not in target_aligned
            if (i, j) not in alignment and ((free_i and free_j) if both else (free_i or free_j)):
                add(i, j)
    return alignment
