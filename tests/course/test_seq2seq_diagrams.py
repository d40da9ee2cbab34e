"""The unrolled encoder-decoder draws one cell per token, the fixed vector or the
attention node, and refuses what does not fit."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.colors import to_rgb

from nlpjourney.course.diagrams import COLOURS
from nlpjourney.course.seq2seq_diagrams import CONTEXT_COLOUR, unrolled_encoder_decoder

SOURCE = ["a", "red", "car", "."]
TARGET = ["une", "voiture", "rouge", ".", "</s>"]


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def _red_arrows(fig):
    arrows = [p for p in fig.axes[0].patches if type(p).__name__ == "FancyArrowPatch"]
    return [a for a in arrows if a.get_edgecolor()[:3] == to_rgb(CONTEXT_COLOUR)]


def test_seq2seq_diagrams_fixed_vector_feeds_every_step(tmp_path: Path) -> None:
    fig = unrolled_encoder_decoder(SOURCE, TARGET, attention=False)
    texts = _texts(fig)
    for expected in [*SOURCE, *TARGET, "<s>", "h1", "h4", "s1", "s5", "c"]:
        assert expected in texts, expected
    assert "attention" not in texts
    # one arrow from the last encoder state up to c, one from c into each decoder step
    assert len(_red_arrows(fig)) == 1 + len(TARGET)
    path = tmp_path / "fixed.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_seq2seq_diagrams_attention_reads_every_encoder_state() -> None:
    fig = unrolled_encoder_decoder(SOURCE, TARGET, attention=True, step=2)
    assert "attention" in _texts(fig) and "c" not in _texts(fig)
    # every encoder state into the node, and the node's context into step 3
    assert len(_red_arrows(fig)) == len(SOURCE) + 1
    boxes = [p for p in fig.axes[0].patches if type(p).__name__ == "FancyBboxPatch"]
    node = [b for b in boxes if b.get_facecolor()[:3] == to_rgb(COLOURS["attention"])]
    assert len(node) == 1


@pytest.mark.parametrize(
    ("source", "target", "step"),
    [([], TARGET, None), (["w"] * 9, TARGET, None), (SOURCE, TARGET, 5), (SOURCE, TARGET, -1)],
)
def test_seq2seq_diagrams_refuses_what_does_not_fit(source, target, step) -> None:
    with pytest.raises(ValueError, match="tokens|step"):
        unrolled_encoder_decoder(source, target, attention=True, step=step)
