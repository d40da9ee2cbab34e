"""The naive Bayes diagram writes the fit and predict steps with the sizes it is given."""

from __future__ import annotations

from pathlib import Path

from nlpjourney.course.classify_diagrams import naive_bayes_pipeline


def _texts(fig) -> str:  # noqa: ANN001
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_classify_diagrams_pipeline_shows_steps_and_sizes(tmp_path: Path) -> None:
    text = _texts(naive_bayes_pipeline(n_words=8_713, alpha=0.5))
    parts = ["fit:", "predict:", "counts X", "sum rows per class", "log P(c)", "log θ_cj",
             "score_c", "the largest score"]  # fmt: skip
    assert [p for p in parts if p not in text] == []
    assert "8,713" in text and "+ 0.5" in text
    assert "x V" in _texts(naive_bayes_pipeline())
    path = tmp_path / "nb.png"
    naive_bayes_pipeline().savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
