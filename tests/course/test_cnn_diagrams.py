"""The Kim CNN diagram draws every word, every width, and refuses what it cannot draw."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpjourney.course.cnn_diagrams import kim_cnn_figure


def _texts(fig) -> str:  # noqa: ANN001
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_cnn_diagrams_kim_cnn_shows_words_widths_and_head(tmp_path: Path) -> None:
    words = "a gripping , funny and moving film".split()
    text = _texts(kim_cnn_figure(words, widths=(2, 3, 5), filters_per_width=3))
    assert [w for w in words if w not in text] == []
    assert all(f"k = {k}" in text for k in (2, 3, 5))
    assert "T = 7" in text and "3 widths x 3 filters" in text
    assert "max over time" in text and "pos / neg" in text
    path = tmp_path / "kim.png"
    kim_cnn_figure(words).savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("words", "widths"), [([], (1,)), (["too", "short"], (3,)), (["a"] * 9, tuple(range(1, 7)))]
)
def test_cnn_diagrams_kim_cnn_refuses_what_it_cannot_draw(words, widths) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match="kim_cnn_figure|widths"):
        kim_cnn_figure(words, widths=widths)
