from __future__ import annotations

from pathlib import Path

from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from nlpjourney.course.llama_diagrams import CHANGED, gpt_and_llama_blocks


def test_llama_diagrams_both_blocks_drawn_with_the_changes_framed(tmp_path: Path) -> None:
    fig = gpt_and_llama_blocks()
    assert isinstance(fig, Figure)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for part in ("LayerNorm", "RMSNorm", "GELU", "SwiGLU", "RoPE", "9 q, 3 k/v heads"):
        assert part in texts, part
    red = [p for p in fig.axes[0].patches
           if not p.get_fill() and p.get_edgecolor() == to_rgba(CHANGED)]  # fmt: skip
    assert len(red) == 5  # the input without a position table, two RMSNorms, GQA, SwiGLU
    fig.savefig(tmp_path / "blocks.png", dpi=72)
    assert (tmp_path / "blocks.png").stat().st_size > 0
