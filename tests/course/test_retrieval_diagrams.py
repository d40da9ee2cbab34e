"""The inverted-index diagram draws every term's postings, colours the query's rows, and
refuses what does not fit."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpjourney.course.diagrams import COLOURS
from nlpjourney.course.retrieval_diagrams import inverted_index_figure, postings_of

DOCS = [["wing", "lift", "wing"], ["flow", "wing"], ["flow", "lift", "flow"]]


def _texts(fig) -> list[str]:  # noqa: ANN001
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_retrieval_diagrams_postings_in_document_order() -> None:
    assert postings_of(DOCS) == {
        "flow": [(1, 1), (2, 2)],
        "lift": [(0, 1), (2, 1)],
        "wing": [(0, 2), (1, 1)],
    }


def test_retrieval_diagrams_index_shows_documents_terms_postings(tmp_path: Path) -> None:
    fig = inverted_index_figure(DOCS, query=["lift"])
    texts = _texts(fig)
    for expected in ("d0: wing lift wing", "d2: flow lift flow", "flow", "lift", "wing",
                     "d0 ×2", "d1 ×1", "d2 ×2"):  # fmt: skip
        assert expected in texts, expected
    assert texts.count("d0 ×1") == 1  # lift in d0; wing in d0 is ×2
    assert any("the query lift reads" in t for t in texts)
    # the query's term box and its postings are coloured, the others white
    faces = {p.get_facecolor()[:3] for p in fig.axes[0].patches}
    from matplotlib.colors import to_rgb

    assert to_rgb(COLOURS["attention"]) in faces and to_rgb(COLOURS["mlp"]) in faces
    plain = _texts(inverted_index_figure(DOCS))
    assert not any("reads" in t for t in plain)
    path = tmp_path / "index.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_retrieval_diagrams_refuses_what_does_not_fit() -> None:
    with pytest.raises(ValueError, match="at least one document"):
        inverted_index_figure([])
    with pytest.raises(ValueError, match="documents fit"):
        inverted_index_figure([["a"]] * 6)
    with pytest.raises(ValueError, match="distinct terms"):
        inverted_index_figure([[f"t{i}" for i in range(13)]])
