"""Tests for nlpjourney.course.check, the check cell of an in-lesson exercise."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nlpjourney.course import check


def test_lesson_check_compares_numbers_arrays_and_tensors(capsys: pytest.CaptureFixture) -> None:
    assert check("a", np.array([1.0, 2.0]), [1.0, 2.0 + 1e-9])
    assert check("b", torch.tensor([[1.0]]), np.array([[1.0]]))
    assert not check("c", np.zeros(3), np.zeros(4), hint="one per word")
    assert not check("d", torch.ones(2), torch.zeros(2))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✓ a: right" and out[1] == "✓ b: right"
    assert out[2] == "✗ c: not yet (shape (3,), expected (4,)). Hint: one per word"
    assert out[3].startswith("✗ d: not yet (got tensor([1., 1.])")


def test_lesson_check_takes_conditions_and_other_values(capsys: pytest.CaptureFixture) -> None:
    assert check("a set", {"a", "b"}, {"b", "a"})
    assert not check("a word", "cat", "dog")
    assert check("a condition", 3 > 2)
    assert not check("an unsolved exercise", None, hint="fill in the cell above")
    assert not check("an array against a word", np.ones(2), "ones")
    out = capsys.readouterr().out
    assert "✗ an unsolved exercise: not yet. Hint: fill in the cell above" in out
