"""`journey cluster` as a learner meets it: a real process on registry text, and one clear
line for each mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import assert_one_clear_line, journey


@pytest.mark.slow
def test_cli_cluster_prints_clusters_and_scores_and_writes_a_run(tmp_path: Path) -> None:
    result = journey("cluster", "--dataset", "sms_spam", "--k", "8", "--seed", "1",
                     cwd=tmp_path, cache=tmp_path / "cache")  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("clustering 5,574 texts of sms-spam into 8 clusters by kmeans")
    assert out.count("top terms: ") == 8 and out.count("labels: ") == 8
    assert "purity 0." in out and "NMI 0." in out and "ARI " in out
    run = tmp_path / "runs" / "cluster-sms-spam-kmeans"
    assert out.rstrip().endswith(f"wrote {run.relative_to(tmp_path)}/ (scores.json, clusters.png)")
    assert {p.name for p in run.iterdir()} == {"scores.json", "clusters.png"}
    assert json.loads((run / "scores.json").read_text())["config"]["seed"] == 1
    again = journey("cluster", "--dataset", "sms-spam", cwd=tmp_path, cache=tmp_path / "cache")
    assert_one_clear_line(again, "already holds a clustering run", "--force")


def test_cli_cluster_mistakes_are_one_clear_line(tmp_path: Path) -> None:
    def refused(*args: str) -> object:
        return journey("cluster", *args, cwd=tmp_path, cache=tmp_path / "cache")

    assert_one_clear_line(refused("--dataset", "imdb"), "unknown dataset 'imdb'",
                          "sms-spam, movie-reviews or brown")  # fmt: skip
    assert_one_clear_line(refused("--k", "1"), "--k must be a whole number of at least 2")
    assert_one_clear_line(refused("--dataset", "brown", "--k", "600"),
                          "more clusters than the 500 texts of brown")  # fmt: skip
    assert_one_clear_line(refused("--method", "dbscan"), "--method must be kmeans")
