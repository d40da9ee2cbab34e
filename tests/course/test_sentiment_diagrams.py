"""The VADER valence diagram draws every stage, marks changes, and refuses what it cannot draw."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpjourney.course.sentiment_diagrams import valence_steps_figure


def _texts(fig) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts + [ax.title])


def test_sentiment_diagrams_valence_steps(tmp_path: Path) -> None:
    tokens = ["not", "very", "good", "!"]
    stages = [("lexicon", [0, 0, 1.9, 0]), ("degree", [0, 0, 2.193, 0]),
              ("negation", [0, 0, -1.623, 0])]  # fmt: skip
    fig = valence_steps_figure(tokens, stages, boost=0.292)
    text = _texts(fig)
    assert all(name in text for name in ("lexicon", "degree", "negation", "very"))
    assert "+1.90" in text and "+2.19" in text and "-1.62" in text
    # the sum gets the punctuation boost on its own side: -1.623 - 0.292
    assert "sum -1.623, 0.292 more" in text and "s = -1.915" in text
    assert "compound = s / √(s² + 15) = -0.4432" in text
    path = tmp_path / "steps.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("tokens", "stages", "match"),
    [
        ([], [("a", [])], "tokens"),
        (["a"] * 13, [("a", [0] * 13)], "tokens"),
        (["a"], [], "stage"),
        (["a", "b"], [("lexicon", [1.0])], "lexicon"),
    ],
)
def test_sentiment_diagrams_refuses_bad_input(tokens, stages, match) -> None:
    with pytest.raises(ValueError, match=match):
        valence_steps_figure(tokens, stages)
