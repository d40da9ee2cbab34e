"""Symmetrisation: Koehn's grow-diag-final(-and) on cases worked by hand, and its bounds."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from nlpjourney.mt import SYMMETRIZATIONS, symmetrize

FORWARD = {(0, 0), (1, 1), (2, 3), (3, 2)}
BACKWARD = {(0, 0), (1, 1), (1, 2), (4, 4), (2, 4)}


def test_symmetrization_worked_by_hand():
    assert symmetrize(FORWARD, BACKWARD, "intersection") == {(0, 0), (1, 1)}
    assert symmetrize(FORWARD, BACKWARD, "union") == FORWARD | BACKWARD
    # Grow from (1,1): (1,2) (target 2 free), then (2,3) and (3,2) diagonally (sources 2
    # and 3 free), then (2,4) beside (2,3) (target 4 free). (4,4) touches nothing aligned.
    grown = {(0, 0), (1, 1), (1, 2), (2, 3), (3, 2), (2, 4)}
    assert symmetrize(FORWARD, BACKWARD, "grow-diag") == grown
    # FINAL-AND needs source 4 and target 4 both free; target 4 is taken by (2,4).
    assert symmetrize(FORWARD, BACKWARD, "grow-diag-final-and") == grown
    # FINAL needs only one free: source 4 is.
    assert symmetrize(FORWARD, BACKWARD, "grow-diag-final") == grown | {(4, 4)}


def test_symmetrization_final_and_adds_a_link_far_from_the_rest():
    forward, backward = {(0, 0), (5, 5)}, {(0, 0)}
    assert symmetrize(forward, backward, "grow-diag") == {(0, 0)}
    assert symmetrize(forward, backward, "grow-diag-final-and") == {(0, 0), (5, 5)}


def test_symmetrization_grows_only_onto_a_free_word():
    # (1,1) is in the union beside (0,0), but source 1 and target 1 are both aligned
    # already by the intersection's (1,2) and (2,1): it is not added.
    forward = {(0, 0), (1, 2), (2, 1), (1, 1)}
    backward = {(0, 0), (1, 2), (2, 1)}
    assert symmetrize(forward, backward, "grow-diag") == {(0, 0), (1, 2), (2, 1)}


links = st.sets(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=10)


@given(forward=links, backward=links)
@example(forward=set(), backward={(0, 1), (1, 0), (1, 1), (0, 0)})
def test_symmetrization_lies_between_intersection_and_union(forward, backward):
    results = {m: symmetrize(forward, backward, m) for m in SYMMETRIZATIONS}
    for result in results.values():
        assert forward & backward <= result <= forward | backward
    # The final steps only add. (FINAL-AND's result need not lie inside FINAL's: a link
    # FINAL adds early can take a word that FINAL-AND leaves free for a later link.)
    assert results["grow-diag"] <= results["grow-diag-final-and"]
    assert results["grow-diag"] <= results["grow-diag-final"]


def test_symmetrization_rejects_unknown_methods():
    with pytest.raises(ValueError, match="grow-diag-final-and"):
        symmetrize(FORWARD, BACKWARD, "gdfa")
