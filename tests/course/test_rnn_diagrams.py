"""The lesson 3.3 pictures draw what their text promises, and refuse what they cannot draw."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpjourney.course.rnn_diagrams import lstm_cell, unrolled_rnn


def _texts(fig) -> str:  # noqa: ANN001
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_rnn_diagrams_unrolled_shows_each_step_and_next_character(tmp_path: Path) -> None:
    text = _texts(unrolled_rnn("to be", title="unrolled"))
    for part in ["'t'", "'o'", "'␣'", "→ 'b'", "→ '?'", "h₅", "h₀ = 0", "unrolled", "gradient"]:
        assert part in text, part
    path = tmp_path / "unrolled.png"
    unrolled_rnn("ab").savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="2 to 8"):
        unrolled_rnn("a")


def test_rnn_diagrams_lstm_cell_names_every_gate() -> None:
    text = _texts(lstm_cell(title="one step"))
    for part in ["forget", "input", "candidate", "output", "c (old)", "c' (new)", "i × g",
                 "h' = o × tanh(c')", "one step"]:  # fmt: skip
        assert part in text, part
