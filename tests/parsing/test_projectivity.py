"""Projectivity: checked against the definition by descendants on real trees; lifting."""

from __future__ import annotations

import pytest

from nlpjourney.parsing.conllu import ud_english
from nlpjourney.parsing.projectivity import crossing_arcs, is_projective, projectivize


def _ancestors(heads: list[int], word: int) -> list[int]:
    out = []
    while word != 0:
        word = heads[word]
        out.append(word)
    return out


def _projective_by_descendants(heads: list[int]) -> bool:
    # Every word strictly between a head and its dependent descends from the head.
    return all(
        heads[d] in _ancestors(heads, k)
        for d in range(1, len(heads))
        for k in range(min(heads[d], d) + 1, max(heads[d], d))
    )


def test_projectivity_matches_the_definition_on_lines_train() -> None:
    sentences = ud_english("lines", "train")
    flags = [is_projective(s.heads) for s in sentences]
    assert flags == [_projective_by_descendants(s.heads) for s in sentences]
    assert flags.count(False) == 185  # of 3,457 sentences


def test_projectivity_projectivize_lifts_to_ancestors_and_keeps_projective_trees() -> None:
    for sentence in ud_english("lines", "dev"):
        heads = sentence.heads
        lifted = projectivize(heads)
        assert is_projective(lifted)
        if is_projective(heads):
            assert lifted == heads
        for word in range(1, len(heads)):
            # A lifted word's new head is an ancestor of its old one in the original tree.
            assert lifted[word] == heads[word] or lifted[word] in _ancestors(heads, word)


def test_projectivity_crossing_arcs_lists_each_pair_once() -> None:
    assert crossing_arcs([-1, 2, 0, 4, 2, 1]) == [((0, 2), (1, 5))]
    assert crossing_arcs([-1, 3, 4, 0, 3]) == [((3, 1), (4, 2)), ((4, 2), (0, 3))]
    assert crossing_arcs([-1, 2, 0, 2]) == []
    assert crossing_arcs([-1, -1, -1]) == []  # nothing attached yet, nothing crosses
    assert projectivize([-1, 3, 4, 0, 3]) == [-1, 3, 3, 0, 3]


@pytest.mark.parametrize(
    ("heads", "message"),
    [
        ([0, 0], "heads\\[0\\] == -1"),
        ([-1, 0, 7], "word 2 has head 7"),
        ([-1, 2, 1], "cycle"),
        ([-1, 0, -1], "word 2 has no head"),
    ],
)
def test_projectivity_rejects_what_is_not_a_tree(heads: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        projectivize(heads)
