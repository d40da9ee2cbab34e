"""`journey topics` as a learner meets it: a real process, its topics and one clear line
for each mistake. The full run (a few seconds with the start-up) is marked slow; the
refusals before any fitting are not."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support.cli import assert_one_clear_line, journey


@pytest.mark.slow
def test_cli_topics_prints_topics_and_writes_a_run(tmp_path: Path) -> None:
    result = journey("topics", "--dataset", "state_union", "--k", "5", "--top", "6",
                     cwd=tmp_path, cache=tmp_path / "cache")  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("fitting nmf with 5 topics on ")
    topics = [line for line in lines if line.startswith("topic ")]
    assert len(topics) == 5 and all("(c_npmi " in line for line in topics)
    assert len(topics[0].split(")  ")[1].split(", ")) == 6
    assert lines[-1] == "wrote runs/topics-state_union/ (topics.json, topics.png)"
    run = tmp_path / "runs" / "topics-state_union"
    assert json.loads((run / "topics.json").read_text())["config"]["k"] == 5
    assert (run / "topics.png").stat().st_size > 10_000


def test_cli_topics_mistakes_are_one_clear_line(tmp_path: Path) -> None:
    def refused(*args: str) -> subprocess.CompletedProcess:
        return journey("topics", *args, cwd=tmp_path, cache=tmp_path / "cache")

    assert_one_clear_line(refused("--dataset", "reuters"), "unknown dataset 'reuters'",
                          "state_union or brown")  # fmt: skip
    assert_one_clear_line(refused("--k", "1"), "--k must be a whole number from 2 to 100")
    assert_one_clear_line(refused("--method", "pca"), "--method must be nmf, lda or gibbs")
    assert_one_clear_line(refused("--seed", "x"), "--seed must be a whole number")
    (tmp_path / "runs" / "topics-brown").mkdir(parents=True)
    (tmp_path / "runs" / "topics-brown" / "topics.json").write_text("{}")
    assert_one_clear_line(refused("--dataset", "brown"), "already holds topics", "--force")
