"""The Viterbi lattice draws one cell per word and tag, colours the best path and its
back-pointers, and refuses what does not fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from nlpjourney.course.diagrams import COLOURS
from nlpjourney.course.tagging_diagrams import PATH_COLOUR, viterbi_lattice

WORDS = ["the", "dog", "barks"]
TAGS = ["DT", "NN", "VBZ"]
BEST = np.array([[-1.0, -5.0, -6.0], [-9.0, -3.0, -8.0], [-12.0, -10.0, -4.5]])
BACK = np.array([[0, 0, 0], [0, 0, 1], [1, 1, 1]])
PATH = [0, 1, 2]


def test_tagging_diagrams_lattice_cells_path_and_pointers(tmp_path: Path) -> None:
    fig = viterbi_lattice(WORDS, TAGS, BEST, BACK, PATH)
    axes = fig.axes[0]
    texts = [t.get_text() for t in axes.texts]
    for expected in [*WORDS, *TAGS, "-1.0", "-3.0", "-4.5", "-12.0"]:
        assert expected in texts, expected
    boxes = [p for p in axes.patches if type(p).__name__ == "FancyBboxPatch"]
    assert len(boxes) == 9
    coloured = [p for p in boxes if p.get_facecolor()[:3] == to_rgb(COLOURS["attention"])]
    assert len(coloured) == len(PATH)
    arrows = [p for p in axes.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 6  # one back-pointer into every cell after the first word
    on_path = [a for a in arrows if a.get_edgecolor()[:3] == to_rgb(PATH_COLOUR)]
    assert len(on_path) == 2  # DT -> NN -> VBZ
    path = tmp_path / "lattice.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_tagging_diagrams_lattice_skips_impossible_cells() -> None:
    best = BEST.copy()
    best[2, 0] = -np.inf
    fig = viterbi_lattice(WORDS, TAGS, best, BACK, PATH)
    arrows = [p for p in fig.axes[0].patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 5


def test_tagging_diagrams_lattice_refuses_what_does_not_fit() -> None:
    with pytest.raises(ValueError, match="at least one word"):
        viterbi_lattice([], TAGS, np.zeros((0, 3)), np.zeros((0, 3)), [])
    with pytest.raises(ValueError, match="at most"):
        viterbi_lattice(["w"] * 9, TAGS, np.zeros((9, 3)), np.zeros((9, 3)), [0] * 9)
    with pytest.raises(ValueError, match="must be"):
        viterbi_lattice(WORDS, TAGS, BEST[:2], BACK, PATH)
