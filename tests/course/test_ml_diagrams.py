"""The classic-ML diagrams draw, carry their labels, and save as PNG."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.colors import to_rgba
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.tree import DecisionTreeClassifier as SklearnTree

from nlpjourney.course.ml_diagrams import (
    HELD_OUT,
    cross_validation_folds,
    decision_tree,
    fold_sizes,
    logistic_unit,
)
from nlpjourney.ml.model_selection import KFold
from nlpjourney.ml.tree import DecisionTreeClassifier


def _texts(fig) -> str:
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return " ".join([t.get_text() for t in ax.texts] + ticks + [ax.get_title()])


@pytest.mark.parametrize(
    ("draw", "words"),
    [
        (cross_validation_folds, ["round 1", "round 5", "fold 5", "score 3", "held out"]),
        (logistic_unit, ["w·x + b", "σ(z)", "p - y", "label y"]),
    ],
)
def test_ml_diagrams_draw_with_their_labels(draw, words, tmp_path: Path) -> None:
    fig = draw()
    text = _texts(fig)
    assert [w for w in words if w not in text] == []
    path = tmp_path / "diagram.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("n_rows", "n_splits"), [(10, 3), (20, 5), (7, 7), (23, 4)])
def test_ml_diagrams_fold_sizes_are_kfolds(n_rows: int, n_splits: int) -> None:
    expected = [len(test) for _, test in KFold(n_splits).split(list(range(n_rows)))]
    assert fold_sizes(n_rows, n_splits) == expected


def test_ml_diagrams_held_out_cells_count_every_row_once() -> None:
    fig = cross_validation_folds(n_rows=13, n_splits=4)
    held_out = to_rgba(HELD_OUT)
    shaded = [p for p in fig.axes[0].patches if p.get_facecolor() == held_out]
    assert len(fig.axes[0].patches) == 13 * 4 and len(shaded) == 13


@pytest.mark.parametrize(("n_rows", "n_splits"), [(3, 5), (20, 1), (20, True), (100, 5), (30, 11)])
def test_ml_diagrams_reject_what_cannot_be_drawn(n_rows, n_splits) -> None:
    with pytest.raises(ValueError, match="n_rows|n_splits|at most"):
        cross_validation_folds(n_rows=n_rows, n_splits=n_splits)


@pytest.mark.parametrize("tree_class", [DecisionTreeClassifier, SklearnTree])
def test_ml_diagrams_decision_tree_draws_every_node(tree_class, tmp_path: Path) -> None:
    iris = load_iris()
    # Petal length and width tie at the root; seed 3 makes both libraries take length.
    model = tree_class(max_depth=2, random_state=3).fit(iris.data[:, 2:4], iris.target)
    fig = decision_tree(model.tree_, ["length", "width"], list(iris.target_names))
    boxes = [t.get_text() for t in fig.axes[0].texts if t.get_text() not in ("yes", "no")]
    assert len(boxes) == model.tree_.node_count
    assert boxes.count("length <= 2.45\nn = 150") == 1  # the root's test
    assert sum(text.startswith("setosa\nn = 50, 100%") for text in boxes) == 1
    fig.savefig(tmp_path / "tree.png")


def test_ml_diagrams_decision_tree_rejects_a_tree_too_big_to_read() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    model = DecisionTreeClassifier(random_state=0).fit(X, y)  # grown until pure: 22 leaves
    assert model.get_n_leaves() > 16
    with pytest.raises(ValueError, match="max_depth"):
        decision_tree(model.tree_, [f"x{i}" for i in range(X.shape[1])], ["malignant", "benign"])
