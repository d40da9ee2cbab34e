"""The check cell of an in-lesson exercise: right, or not yet with a hint.

A lesson asks the learner to write a few lines (an exercise cell), then a check cell
calls :func:`check` with what the learner's code produced and what it should be. The
check prints one line, ``✓`` or ``✗`` with the hint, and returns whether it passed. It
never raises, so a lesson still runs to the end while an exercise is unsolved (the test
suite runs every lesson as shipped, exercises unsolved).

Example:
    >>> check("the mean", 2.0, 2.0)
    ✓ the mean: right
    True
    >>> check("the mean", 2.5, 2.0, hint="divide by the count, not the count - 1")
    ✗ the mean: not yet (got 2.5, expected 2.0). Hint: divide by the count, not the count - 1
    False
    >>> check("the mask is lower-triangular", False, hint="compare column and row indices")
    ✗ the mask is lower-triangular: not yet. Hint: compare column and row indices
    False
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check"]


def _as_array(value: Any) -> np.ndarray | None:
    """A NumPy view of numbers, arrays and tensors; None for anything else."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor, without torch
        value = value.detach().cpu().numpy()
    if isinstance(value, bool | str | bytes) or value is None:
        return None
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    return array if array.dtype.kind in "biufc" else None


def _short(value: Any, limit: int = 60) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check(
    name: str,
    got: Any,
    expected: Any = None,
    *,
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> bool:
    """Print whether an in-lesson exercise is right; return True when it is.

    Args:
        name: what is checked, as the learner reads it.
        got: the learner's result; with ``expected`` None, a condition (truthy = right).
        expected: the right result. Numbers, arrays and tensors are compared with
            ``rtol``/``atol`` (shapes must match); anything else with ``==``.
        hint: what to look at when it is not right yet (an idea, never the answer's code).
        rtol, atol: tolerances for numbers.

    Returns:
        Whether the check passed.
    """
    if expected is None:
        passed, detail = bool(got) and got is not NotImplemented, ""
    else:
        ours, theirs = _as_array(got), _as_array(expected)
        if ours is not None and theirs is not None:
            passed = ours.shape == theirs.shape and bool(
                np.allclose(ours, theirs, rtol=rtol, atol=atol)
            )
            if ours.shape != theirs.shape:
                detail = f" (shape {ours.shape}, expected {theirs.shape})"
            else:
                detail = f" (got {_short(got)}, expected {_short(expected)})"
        else:
            try:
                passed = bool(got == expected)
            except (TypeError, ValueError):
                passed = False
            detail = f" (got {_short(got)}, expected {_short(expected)})"
    if passed:
        print(f"✓ {name}: right")
        return True
    print(f"✗ {name}: not yet{detail}." + (f" Hint: {hint}" if hint else ""))
    return False
