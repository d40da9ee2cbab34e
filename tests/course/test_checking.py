"""The grading plugin's docstring reading: titles, hint tiers, and hints that give no code."""

from __future__ import annotations

import pytest

from nlpjourney.course.checking import hint_problems, parse_docstring, parse_hints

TIERED = """softmax sums to one along the axis.

    Hint 1: probabilities of one row add up to one.
    Hint 2: divide each exponential by the total of its row,
      the row it sits in.

    Hint 3: keep the reduced axis so the division lines up.
    """


def test_checking_parse_hints_reads_tiers_in_order() -> None:
    assert parse_hints(TIERED) == [
        "probabilities of one row add up to one.",
        "divide each exponential by the total of its row, the row it sits in.",
        "keep the reduced axis so the division lines up.",
    ]
    assert parse_docstring(TIERED) == (
        "softmax sums to one along the axis.",
        "probabilities of one row add up to one.",
    )


def test_checking_plain_hint_is_tier_one_and_a_blank_line_ends_it() -> None:
    doc = "Title.\n\n    Hint: the idea,\n    said twice.\n\n    Not part of the hint.\n"
    assert parse_hints(doc) == ["the idea, said twice."]
    assert parse_hints("Hint 1: the title line is never a hint.") == []
    assert parse_hints("T.\nHint 2: second.\nHint 1: first.") == ["first.", "second."]
    assert parse_hints(None) == [] and parse_hints("Only a title.") == []


@pytest.mark.parametrize(
    "code",
    [
        "use `np.where`",
        "counts.sum(axis=0)",
        "tf = counts + 1",
        "x ** 2",
        "take x[:k]",
        "sum with axis=1",
        "np.log of the counts",
        "torch.exp of the scores",
        "call log(counts) first",
    ],
)
def test_checking_hint_problems_finds_code(code: str) -> None:
    assert hint_problems(code) != []


def test_checking_hint_problems_passes_prose() -> None:
    prose = (
        "a term occurs in a document when its count there is above zero; count those "
        "documents for each term (not the occurrences), and keep the +1 outside the log."
    )
    assert hint_problems(prose) == []
