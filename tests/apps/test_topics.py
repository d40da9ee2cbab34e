"""The topics workflow: real State of the Union paragraphs, NMF topics, a run folder.

The run is computed once for the module (a few seconds); Brown and the LDA methods run
in the slow suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlpjourney.apps.topics import (
    TopicsRunConfig,
    TopicsRunResult,
    find_topics,
    load_documents,
    plot_topic_weights,
)
from nlpjourney.errors import JourneyError, UnknownNameError


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[TopicsRunResult, list[str]]:
    lines: list[str] = []
    out = tmp_path_factory.mktemp("topics") / "sotu"
    result = find_topics(TopicsRunConfig(k=6, top=8, out_dir=out), echo=lines.append)
    return result, lines


def test_topics_state_union_run_writes_topics_and_picture(
    run: tuple[TopicsRunResult, list[str]],
) -> None:
    result, lines = run
    assert {p.name for p in result.run_dir.iterdir()} == {"topics.json", "topics.png"}
    assert (result.run_dir / "topics.png").read_bytes()[:4] == b"\x89PNG"
    record = json.loads((result.run_dir / "topics.json").read_text())
    assert record["config"]["k"] == 6 and len(record["topics"]) == 6
    assert all(len(t["words"]) == 8 for t in record["topics"])
    assert record["group"] == "year"
    years = sorted(record["mean_share"])
    assert years[0] == "1945" and years[-1] == "2006"
    # Shares of one year sum to 1 (each paragraph's weights are normalised).
    assert all(sum(v) == pytest.approx(1.0) for v in record["mean_share"].values())
    assert record["mean_coherence"] == pytest.approx(np.mean(result.coherences))
    assert lines[0].startswith("fitting nmf with 6 topics on ")
    assert sum(line.startswith("topic ") for line in lines) == 6
    assert "c_npmi" in lines[1]


def test_topics_state_union_topics_read_as_subjects(
    run: tuple[TopicsRunResult, list[str]],
) -> None:
    result, _ = run
    words = {w for topic in result.topics for w in topic}
    # Budgets and defence are in every decade of the addresses: a model that finds
    # subjects finds them; stop words never make a topic.
    assert {"budget", "billion"} & words and {"defense", "military", "peace", "world"} & words
    assert not {"the", "and", "of"} & words
    assert np.mean(result.coherences) > 0.03  # c_npmi: above independent words


def test_topics_refuses_to_overwrite_without_force(
    run: tuple[TopicsRunResult, list[str]],
) -> None:
    result, _ = run
    with pytest.raises(JourneyError, match="--force"):
        find_topics(TopicsRunConfig(k=6, out_dir=result.run_dir), echo=lambda _: None)


@pytest.mark.parametrize(
    ("settings", "error", "match"),
    [
        ({"dataset": "reuters"}, UnknownNameError, "state_union or brown"),
        ({"k": 1}, JourneyError, "--k must be a whole number from 2 to 100"),
        ({"k": 1000}, JourneyError, "--k must be"),
        ({"top": 0}, JourneyError, "--top must be"),
        ({"method": "pca"}, JourneyError, "nmf, lda or gibbs"),
        ({"seed": -1}, JourneyError, "--seed"),
    ],
)
def test_topics_config_refuses_bad_settings(
    settings: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        TopicsRunConfig(**settings)  # type: ignore[arg-type]


def test_topics_refuses_a_file_as_run_folder(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    with pytest.raises(JourneyError, match="is a file"):
        find_topics(TopicsRunConfig(out_dir=tmp_path / "taken"), echo=lambda _: None)


def test_topics_state_union_documents_are_paragraphs_by_year() -> None:
    documents, years = load_documents("state_union")
    assert len(documents) == len(years) > 2000
    assert all(len(d.split()) >= 20 for d in documents)
    assert years[0] == "1945" and years[-1] == "2006"


def test_topics_picture_checks_its_shapes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="weights must be"):
        plot_topic_weights(np.zeros((3, 2)), ["a", "b", "c"], ["x", "y"], tmp_path / "t.png")
    path = plot_topic_weights(np.eye(2), ["1: a", "2: b"], ["news", "lore"], tmp_path / "t.png",
                              group_name="genre")  # fmt: skip
    assert path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
@pytest.mark.parametrize("method", ["lda", "gibbs"])
def test_topics_brown_by_genre_with_lda(tmp_path: Path, method: str) -> None:
    config = TopicsRunConfig(dataset="brown", k=5, method=method, out_dir=tmp_path / method)
    result = find_topics(config, echo=lambda _: None)
    record = json.loads((tmp_path / method / "topics.json").read_text())
    assert record["group"] == "genre" and len(record["mean_share"]) == 15
    assert len(result.topics) == 5 and all(np.isfinite(result.coherences))
