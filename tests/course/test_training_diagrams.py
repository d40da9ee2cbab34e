"""The training diagrams draw, carry their labels, and save as PNG."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpjourney.course.training_diagrams import data_pipeline_figure, training_loop_figure


def _texts(fig) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts + [ax.title])


@pytest.mark.parametrize(
    ("draw", "words"),
    [
        (data_pipeline_figure, ["text file", "uint16 memmap", "random windows", "(x, y) batch"]),
        (training_loop_figure, ["sample a batch", "forward", "backward", "clip", "AdamW step"]),
    ],
)
def test_training_diagrams_draw_with_their_labels(draw, words, tmp_path: Path) -> None:
    fig = draw()
    text = _texts(fig)
    assert [w for w in words if w not in text] == []
    assert fig.axes[0].get_title()
    path = tmp_path / "diagram.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_training_diagrams_window_shows_block_size_cells() -> None:
    fig = data_pipeline_figure(block_size=4)
    # the cells hold one monospace character each; the row names are bold
    cells = [
        t.get_text()
        for t in fig.axes[0].texts
        if len(t.get_text()) == 1 and t.get_fontweight() != "bold"
    ]
    assert cells == list("First") + list("Firs") + list("irst")  # window, x, y


def test_training_diagrams_reject_a_window_too_big_to_draw() -> None:
    with pytest.raises(ValueError, match="block_size"):
        data_pipeline_figure(block_size=40)
