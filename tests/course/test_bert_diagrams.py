"""The BERT diagram draws every part with the sizes it is given, and saves as PNG."""

from __future__ import annotations

from pathlib import Path

from nlpjourney.course.bert_diagrams import bert_encoder


def _texts(fig) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_bert_diagrams_encoder_shows_parts_and_sizes(tmp_path: Path) -> None:
    text = _texts(bert_encoder(n_layers=12, width=768, heads=12, name="bert-base"))
    parts = ["token", "position", "segment", "LayerNorm", "attention", "MLP", "pooler",
             "masked-LM head", "token head", "mean pool", "12 x post-norm block"]  # fmt: skip
    assert [p for p in parts if p not in text] == []
    assert "30,522 x 768" in text and "768->3072" in text and "bert-base" in text
    path = tmp_path / "bert.png"
    bert_encoder().savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
