"""Projectivity: which dependency trees a stack-based parser can build, and how to force one.

Draw the words in a row and every arc above them: a tree is *projective* when no two
arcs cross (the arc from ROOT, at position 0, included). Equivalently, every word
between a head and its dependent descends from that head. Arc-standard and arc-eager
build only projective trees, so a treebank's few non-projective trees (word order
freedom, extraposition: "A hearing is scheduled on the issue today") cannot be their
training targets as they are. :func:`projectivize` lifts the offending arcs until the
tree is projective, so a parser can learn from every sentence.

>>> heads = [-1, 2, 0, 4, 2, 1]  # 1 -> 5 passes over word 2, which is not below 1
>>> is_projective(heads), crossing_arcs(heads)
(False, [((0, 2), (1, 5))])
>>> projectivize(heads)
[-1, 2, 0, 4, 2, 2]

Reference: Nivre & Nilsson (2005) "Pseudo-projective dependency parsing" (the lifting
step, without their label encoding for undoing it); tested against a definition by
descendants.

Simplifications:
    - Lifting is lossy: a lifted word gets its grandparent as head and keeps its label,
      and nothing records what was lifted, so the original tree cannot be restored
      from the projective one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["crossing_arcs", "is_projective", "projectivize"]


def _arcs(heads: Sequence[int]) -> np.ndarray:
    """The arcs as (m, 2) int64 rows ``(head, dependent)``, checking ``heads``' shape."""
    if len(heads) == 0 or heads[0] != -1:
        raise ValueError(
            "heads must have length n + 1 with heads[0] == -1 for ROOT "
            f"(word i's head at index i), got {list(heads)[:5]}..."
        )
    array = np.asarray(heads, dtype=np.int64)
    n = len(array) - 1
    dependents = np.flatnonzero(array[1:] != -1) + 1
    bad = dependents[(array[dependents] < 0) | (array[dependents] > n)]
    if bad.size:
        raise ValueError(f"word {bad[0]} has head {array[bad[0]]}, outside 0..{n}")
    return np.stack([array[dependents], dependents], axis=1)


def crossing_arcs(heads: Sequence[int]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Every pair of arcs that cross, as ``((head, dependent), (head, dependent))``.

    Two arcs cross when exactly one end of one lies strictly inside the other's span.
    Unattached words (head -1) have no arc.

    Args:
        heads: Length n + 1, ``heads[0] == -1``.

    Returns:
        The crossing pairs, each once, ordered by the first arc's dependent, then the
        second's.
    """
    arcs = _arcs(heads)
    left = arcs.min(axis=1)
    right = arcs.max(axis=1)
    # (m, m): arc i starts inside arc j and ends beyond it.
    cross = (left[:, None] > left[None, :]) & (left[:, None] < right[None, :])
    cross &= right[:, None] > right[None, :]
    pairs = []
    for i, j in zip(*np.nonzero(cross | cross.T), strict=True):
        if i < j:
            pairs.append(((int(arcs[i, 0]), int(arcs[i, 1])), (int(arcs[j, 0]), int(arcs[j, 1]))))
    return pairs


def is_projective(heads: Sequence[int]) -> bool:
    """Whether no two arcs of the tree cross (the arc from ROOT included).

    Args:
        heads: Length n + 1, ``heads[0] == -1``; ``heads[i]`` the head of word i.

    Example:
        >>> is_projective([-1, 2, 0, 2]), is_projective([-1, 3, 4, 0, 3])
        (True, False)
    """
    return not crossing_arcs(heads)


def _dominates(heads: list[int], head: int, word: int) -> bool:
    while word > 0:
        word = heads[word]
        if word == head:
            return True
    return head == 0


def _check_tree(heads: Sequence[int]) -> list[int]:
    out = [int(h) for h in heads]
    n = len(out) - 1
    _arcs(out)
    if -1 in out[1:]:
        raise ValueError(f"word {out.index(-1, 1)} has no head; projectivize needs a full tree")
    for word in range(1, n + 1):
        seen, at = set(), word
        while at != 0:
            if at in seen:
                raise ValueError(f"the heads have a cycle through word {word}; not a tree")
            seen.add(at)
            at = out[at]
    return out


def projectivize(heads: Sequence[int]) -> list[int]:
    """A projective tree made from ``heads`` by lifting non-projective arcs (lossy).

    An arc h -> d is non-projective when some word between h and d does not descend
    from h. The shortest such arc is lifted (d takes its head's head) and the search
    starts again, until none is left; arcs from ROOT are always projective, so it ends.
    Labels are not touched: a lifted word keeps its relation.

    Args:
        heads: A full tree, length n + 1 with ``heads[0] == -1``.

    Returns:
        The new heads (a new list); equal to ``heads`` when it is projective already.

    Raises:
        ValueError: ``heads`` is not a tree (a word without head, a cycle, a head out of
            range).
    """
    out = _check_tree(heads)
    while True:
        offending = [
            (abs(out[d] - d), d)
            for d in range(1, len(out))
            if any(
                not _dominates(out, out[d], k) for k in range(min(out[d], d) + 1, max(out[d], d))
            )
        ]
        if not offending:
            return out
        _, word = min(offending)
        out[word] = out[out[word]]
