"""draw_alignment: any (target, source) weights as a heat map with links outlined."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.patches import Rectangle

from nlpjourney.mt import draw_alignment


def test_draw_alignment_outlines_links_and_saves(tmp_path):
    weights = np.random.default_rng(0).dirichlet(np.ones(4), size=3)
    figure = draw_alignment(weights, ["NULL", "a", "red", "hat"], ["un", "chapeau", "rouge"],
                            links={(1, 0), (2, 2)}, sure={(2, 2), (3, 1)}, title="t")  # fmt: skip
    ax = figure.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    styles = sorted((b.get_xy(), b.get_linestyle()) for b in boxes)
    # (2, 2) is in both: drawn once, solid.
    assert styles == [((0.5, -0.5), "--"), ((1.5, 1.5), "-"), ((2.5, 0.5), "-")]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["NULL", "a", "red", "hat"]
    assert ax.get_title() == "t" and len(figure.axes) == 2  # the heat map and its colour bar
    figure.savefig(tmp_path / "alignment.png")
    assert (tmp_path / "alignment.png").stat().st_size > 1000


def test_draw_alignment_into_given_axes():
    from matplotlib.figure import Figure

    figure = Figure()
    ax = figure.add_subplot()
    assert draw_alignment(np.eye(2), ["a", "b"], ["x", "y"], ax=ax) is figure
    assert len(figure.axes) == 1


def test_draw_alignment_rejects_mismatched_shapes_and_links():
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        draw_alignment(np.zeros((3, 2)), ["a", "b", "c"], ["x", "y"])
    with pytest.raises(ValueError, match="outside the matrix"):
        draw_alignment(np.zeros((2, 2)), ["a", "b"], ["x", "y"], links={(2, 0)})
