"""Tests for nlpjourney.apps.polarity_cnn: a tiny cross-validation on real sentence
polarity snippets gives one row per method over the same folds, and bad settings are
refused with a clear message."""

from __future__ import annotations

import pytest

from nlpjourney.apps.polarity_cnn import PolarityCVConfig, polarity_cross_validation
from nlpjourney.errors import JourneyError


@pytest.mark.slow  # reads the corpus, imports the classic estimators, trains 6 models
def test_polarity_cnn_table_has_every_method_on_the_same_folds() -> None:
    config = PolarityCVConfig(folds=2, epochs=1, embedding_dim=8, limit=60, device="cpu")
    lines: list[str] = []
    table = polarity_cross_validation(config, echo=lines.append, progress=False)
    assert [row.method for row in table.rows] == ["kim-cnn", "nb", "logreg"]
    assert table.texts == 60
    for row in table.rows:
        assert len(row.scores) == 2 and all(0.0 <= s <= 1.0 for s in row.scores)
    assert len(lines) == 6 and lines[0].startswith("kim-cnn fold 1/2: accuracy")
    text = table.format()
    assert "2-fold" in text and "logreg" in text


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"folds": 1}, "folds must be"),
        ({"epochs": 0}, "epochs must be"),
        ({"methods": ("svm",)}, "methods must be"),
        ({"limit": 5}, "limit must be"),
        ({"seed": -1}, "--seed"),
    ],
)
def test_polarity_cnn_config_refuses_bad_settings(settings: dict, words: str) -> None:
    with pytest.raises(JourneyError, match=words):
        PolarityCVConfig(**settings)
