"""The k-means diagram writes the loop's steps with the sizes it is given."""

from __future__ import annotations

from pathlib import Path

from nlpjourney.course.cluster_diagrams import lloyd_loop


def _texts(fig) -> str:  # noqa: ANN001
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_cluster_diagrams_lloyd_loop_shows_steps_and_sizes(tmp_path: Path) -> None:
    text = _texts(lloyd_loop(n_docs=500, n_words=22_380, k=15))
    parts = ["TF-IDF rows X", "starting", "assign", "argmin_c", "update", "mean of",
             "changed?", "yes: again", "inertia"]  # fmt: skip
    assert [p for p in parts if p not in text] == []
    assert "500 x 22,380" in text and "15 starting" in text
    assert "n x V" in _texts(lloyd_loop()) and "k starting" in _texts(lloyd_loop())
    path = tmp_path / "lloyd.png"
    lloyd_loop().savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
