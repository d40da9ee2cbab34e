"""The skip-gram diagram draws, carries its labels, and refuses what it cannot draw."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpjourney.course.embedding_diagrams import skipgram_figure


def _texts(fig) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts + [ax.title])


def test_embedding_diagrams_skipgram_marks_window_and_negatives(tmp_path: Path) -> None:
    fig = skipgram_figure("the cat sat on the mat".split(), centre=2, window=1, negatives=["of"])
    text = _texts(fig)
    assert "w_in['sat']" in text
    assert "['cat']" in text and "['on']" in text and "['of']" in text
    assert "['mat']" not in text  # outside the window of 1
    assert text.count("σ(c·o) → 1") == 2 and text.count("σ(c·n) → 0") == 1
    path = tmp_path / "skipgram.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_embedding_diagrams_window_stops_at_the_sentence_edge() -> None:
    text = _texts(skipgram_figure(["a", "b", "c"], centre=0, window=2))
    assert "['b']" in text and "['c']" in text and text.count("σ(c·o) → 1") == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tokens": ["a"] * 10, "centre": 0}, "tokens"),
        ({"tokens": ["a", "b"], "centre": 2}, "centre"),
        ({"tokens": ["a", "b"], "centre": 0, "window": 0}, "window"),
        ({"tokens": ["a", "b"], "centre": 0, "negatives": []}, "negatives"),
    ],
)
def test_embedding_diagrams_refuse_what_they_cannot_draw(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        skipgram_figure(**kwargs)
