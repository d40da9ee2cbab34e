"""Alignment error rate, precision and recall: cases worked by hand, and NLTK's AER."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlpjourney.mt import (
    alignment_error_rate,
    alignment_precision,
    alignment_recall,
    alignment_scores,
)

SURE = {(0, 0), (1, 2), (2, 1)}
POSSIBLE = SURE | {(1, 1), (3, 3)}


def test_aer_worked_by_hand():
    predicted = {(0, 0), (1, 1), (3, 3), (2, 2)}
    # A∩S = {(0,0)}: 1; A∩P = {(0,0), (1,1), (3,3)}: 3; |A| = 4, |S| = 3.
    assert alignment_error_rate(SURE, POSSIBLE, predicted) == pytest.approx(1 - (1 + 3) / (4 + 3))
    assert alignment_precision(POSSIBLE, predicted) == pytest.approx(3 / 4)
    assert alignment_recall(SURE, predicted) == pytest.approx(1 / 3)


def test_aer_is_zero_for_the_sure_links_and_for_any_a_between_s_and_p():
    assert alignment_error_rate(SURE, POSSIBLE, SURE) == 0.0
    # Possible links cost nothing once every sure one is there (|A∩S| = |S|, A ⊆ P).
    assert alignment_error_rate(SURE, POSSIBLE, POSSIBLE) == 0.0
    assert alignment_error_rate(SURE, POSSIBLE, set()) == 1.0
    assert alignment_precision(POSSIBLE, set()) == 1.0 and alignment_recall(set(), SURE) == 1.0


def test_aer_over_a_corpus_sums_the_counts():
    sure = [{(0, 0)}, {(0, 0), (1, 1), (2, 2)}]
    predicted = [{(0, 1)}, {(0, 0), (1, 1), (2, 2)}]
    scores = alignment_scores(sure, sure, predicted)
    # Pooled: A∩S = 3 of |A| = 4 and |S| = 4, not the mean of the pairs' 1.0 and 0.0.
    assert scores.precision == pytest.approx(3 / 4) and scores.recall == pytest.approx(3 / 4)
    assert scores.aer == pytest.approx(1 - 6 / 8)


links = st.sets(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=12)


@given(sure=links, extra=links, predicted=links)
def test_aer_equals_nltk(sure, extra, predicted):
    from nltk.translate import Alignment
    from nltk.translate.metrics import alignment_error_rate as nltk_aer

    if not sure and not predicted:
        return  # NLTK divides by |A| + |S| = 0
    possible = sure | extra
    expected = nltk_aer(Alignment(sure), Alignment(predicted), Alignment(possible))
    assert alignment_error_rate(sure, possible, predicted) == pytest.approx(expected)


def test_aer_rejects_bad_links():
    with pytest.raises(ValueError, match="not among the possible"):
        alignment_error_rate({(0, 0)}, {(1, 1)}, set())
    with pytest.raises(TypeError, match="not a"):
        alignment_error_rate({(0, 0)}, {(0, 0)}, {"0-0"})
    with pytest.raises(ValueError, match="one entry per sentence pair"):
        alignment_scores([SURE], [POSSIBLE, POSSIBLE], [SURE])
