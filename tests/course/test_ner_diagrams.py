"""The NER diagrams draw every token, tag and span, light one forward step, and refuse
what does not fit."""

from __future__ import annotations

import pytest

from nlpjourney.course.ner_diagrams import entity_schemes_figure, forward_lattice_figure

TOKENS = ["EU", "rejects", "German", "call"]
SCHEMES = {"IOB1": ["I-ORG", "O", "I-MISC", "O"], "IOB2": ["B-ORG", "O", "B-MISC", "O"]}


def _texts(fig) -> list[str]:  # noqa: ANN001
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_ner_diagrams_schemes_show_tokens_tags_spans() -> None:
    fig = entity_schemes_figure(TOKENS, SCHEMES, [("ORG", 0, 1), ("MISC", 2, 3)], title="t")
    texts = _texts(fig)
    for expected in TOKENS + ["I-ORG", "B-MISC", "IOB1", "IOB2", "ORG", "MISC", "t"]:
        assert expected in texts, expected
    assert texts.count("O") == 4  # two O tags in each of the two schemes


def test_ner_diagrams_lattice_draws_one_edge_per_previous_tag() -> None:
    fig = forward_lattice_figure(["a", "b", "c"], ["O", "B-PER"], step=1, target=1)
    texts = _texts(fig)
    assert sum(t.startswith("+T[") for t in texts) == 2
    assert "α[1,1]" in texts and "α[2,0]" in texts


def test_ner_diagrams_refuse_what_does_not_fit() -> None:
    with pytest.raises(ValueError, match="tokens"):
        entity_schemes_figure([], {}, [])
    with pytest.raises(ValueError, match="scheme IOB1"):
        entity_schemes_figure(TOKENS, {"IOB1": ["O"]}, [])
    with pytest.raises(ValueError, match="outside"):
        entity_schemes_figure(TOKENS, SCHEMES, [("PER", 3, 5)])
    with pytest.raises(ValueError, match="step"):
        forward_lattice_figure(["a", "b"], ["O", "B"], step=2)
