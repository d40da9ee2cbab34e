"""The LDA plate diagram writes its variables, plates and story with the sizes it is given."""

from __future__ import annotations

from pathlib import Path

from nlpjourney.course.topic_diagrams import lda_plate_diagram


def _texts(fig) -> str:  # noqa: ANN001
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_topic_diagrams_plate_shows_variables_plates_and_sizes(tmp_path: Path) -> None:
    text = _texts(lda_plate_diagram(n_topics=10, n_docs=1_250, n_words=7_000))
    parts = [r"$\alpha$", r"$\theta_d$", r"$z_{dn}$", r"$w_{dn}$", r"$\varphi_k$", r"$\eta$",
             "(observed)", r"$N_d$ words", "Dirichlet(α)", "Categorical(φ_z)"]  # fmt: skip
    assert [p for p in parts if p not in text] == []
    assert "K = 10" in text and "D = 1,250" in text and "7,000 words" in text
    assert "of the 10 topics" in text and "of the 1,250 documents" in text
    plain = _texts(lda_plate_diagram())
    assert "K" in plain and "each of the D documents" in plain and "V words" in plain
    path = tmp_path / "plate.png"
    lda_plate_diagram().savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
