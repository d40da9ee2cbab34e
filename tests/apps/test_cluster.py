"""cluster_corpus (nlpjourney.apps.cluster): TF-IDF, clustering, scores and the run folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlpjourney.apps.cluster import ClusterRunConfig, cluster_corpus
from nlpjourney.cluster import normalized_mutual_info
from nlpjourney.errors import JourneyError, UnknownNameError


def test_cluster_corpus_writes_scores_and_picture(tmp_path: Path) -> None:
    lines: list[str] = []
    config = ClusterRunConfig(
        dataset="movie_reviews", k=4, max_features=2000, out_dir=tmp_path / "run"
    )
    result = cluster_corpus(config, echo=lines.append)
    assert {p.name for p in result.run_dir.iterdir()} == {"scores.json", "clusters.png"}
    assert (result.run_dir / "clusters.png").read_bytes()[:4] == b"\x89PNG"
    scores = json.loads((result.run_dir / "scores.json").read_text())
    assert scores["documents"] == 2000 and scores["terms"] == 2000
    assert sum(c["size"] for c in scores["clusters"]) == 2000
    assert all(len(c["top_terms"]) == 8 for c in scores["clusters"])
    assert sum(sum(c["labels"].values()) for c in scores["clusters"]) == 2000
    assert 0.5 <= scores["purity"] <= 1 and 0 <= scores["nmi"] <= 1
    truth = ["neg"] * 1000 + ["pos"] * 1000  # the corpus is ordered by label
    assert scores["nmi"] == pytest.approx(normalized_mutual_info(truth, result.labels))
    assert lines[0].startswith("clustering 2,000 texts of movie-reviews into 4 clusters")
    assert lines[-1].startswith("purity ")
    assert any(line.startswith("cluster  0 ") and "top terms: " in line for line in lines)


def test_cluster_corpus_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "scores.json").write_text("{}")
    with pytest.raises(JourneyError, match="already holds a clustering run; add --force"):
        cluster_corpus(ClusterRunConfig(out_dir=tmp_path))


@pytest.mark.parametrize(
    ("settings", "message"),
    [({"dataset": "imdb"}, "unknown dataset 'imdb'"), ({"k": 1}, "at least 2 clusters"),
     ({"method": "dbscan"}, "--method must be kmeans, spherical or agglomerative"),
     ({"max_features": 0}, "--max-features")],
)  # fmt: skip
def test_cluster_config_refuses_bad_settings(settings: dict, message: str) -> None:
    with pytest.raises(JourneyError, match=message):
        ClusterRunConfig(**settings)


def test_cluster_config_reads_underscores_as_dashes() -> None:
    assert ClusterRunConfig(dataset="sms_spam").dataset == "sms-spam"
    with pytest.raises(UnknownNameError):
        ClusterRunConfig(dataset="reuters")


def test_cluster_corpus_refuses_more_clusters_than_texts(tmp_path: Path) -> None:
    with pytest.raises(JourneyError, match="more clusters than the 500 texts of brown"):
        cluster_corpus(ClusterRunConfig(dataset="brown", k=501, out_dir=tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("method", ["spherical", "agglomerative"])
def test_cluster_corpus_brown_genres_are_found_in_part(tmp_path: Path, method: str) -> None:
    config = ClusterRunConfig(dataset="brown", k=15, method=method, out_dir=tmp_path)
    result = cluster_corpus(config, echo=lambda _: None)
    assert len(np.unique(result.labels)) == 15
    assert result.scores["nmi"] > 0.25  # far above chance (about 0.05 for 15 random groups)
