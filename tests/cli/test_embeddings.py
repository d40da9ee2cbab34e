"""`journey embeddings train|neighbours` as a learner meets them: real processes, a
small corpus (the inaugural addresses), GloVe and PPMI (the word2vec models come with
their own module). Each training process takes several seconds (it evaluates on all
the benchmarks), so those tests are marked slow; the refusals before training are not."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import assert_one_clear_line, journey


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where `journey embeddings train --model ppmi` has made runs/."""
    root = tmp_path_factory.mktemp("embeddings")
    result = journey("embeddings", "train", "--corpus", "inaugural", "--model", "ppmi",
                     "--dim", "20", cwd=root, cache=root / "cache")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "WordSim-353 " in result.stdout and "analogies 3CosAdd" in result.stdout
    assert "wrote runs/embeddings-ppmi-inaugural/" in result.stdout
    return root


@pytest.mark.slow
def test_cli_embeddings_train_writes_a_run_and_neighbours_reads_it(workdir: Path) -> None:
    run = workdir / "runs" / "embeddings-ppmi-inaugural"
    assert {p.name for p in run.iterdir()} >= {"vectors.npz", "vectors.bin", "scores.json",
                                               "words.png"}  # fmt: skip
    result = journey(
        "embeddings", "neighbours", "freedom", "--topn", "5", cwd=workdir, cache=workdir / "cache"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "closest to 'freedom' in runs/embeddings-ppmi-inaugural:"
    assert len(lines) == 6 and "liberty" in result.stdout


@pytest.mark.slow
def test_cli_embeddings_run_errors_are_one_clear_line(workdir: Path) -> None:
    again = journey("embeddings", "train", "--corpus", "inaugural", "--model", "ppmi",
                    "--dim", "20", cwd=workdir, cache=workdir / "cache")  # fmt: skip
    assert_one_clear_line(again, "already holds vectors", "--force")
    assert_one_clear_line(
        journey("embeddings", "neighbours", "fredom", cwd=workdir, cache=workdir / "cache"), "unknown word 'fredom'",
        "Did you mean freedom",
    )  # fmt: skip


def test_cli_embeddings_refusals_before_training_are_one_clear_line(tmp_path: Path) -> None:
    assert_one_clear_line(
        journey("embeddings", "neighbours", "freedom", cwd=tmp_path, cache=tmp_path / "cache"),
        "no trained vectors in runs/",
    )
    assert_one_clear_line(
        journey("embeddings", "train", "--corpus", "wiki", cwd=tmp_path, cache=tmp_path / "cache"),
        "unknown corpus 'wiki'",
    )
    assert_one_clear_line(
        journey("embeddings", "train", "--model", "elmo", cwd=tmp_path, cache=tmp_path / "cache"),
        "unknown model 'elmo'",
    )
    assert not (tmp_path / "runs").exists()


@pytest.mark.slow
def test_cli_embeddings_train_glove_with_force_and_out(workdir: Path, tmp_path: Path) -> None:
    out = tmp_path / "glove"
    args = ("embeddings", "train", "--corpus", "inaugural", "--model", "glove", "--dim", "10",
            "--epochs", "1", "--min-count", "20", "--out", str(out))  # fmt: skip
    first = journey(*args, cwd=workdir, cache=workdir / "cache")
    assert first.returncode == 0, first.stderr
    assert (out / "vectors.npz").is_file() and (out / "words.png").is_file()
    assert journey(*args, cwd=workdir, cache=workdir / "cache").returncode == 1
    forced = journey(*args, "--force", cwd=workdir, cache=workdir / "cache")
    assert forced.returncode == 0, forced.stderr
    result = journey(
        "embeddings",
        "neighbours",
        "Freedom",
        "--vectors",
        str(out),
        cwd=workdir,
        cache=workdir / "cache",
    )
    assert result.returncode == 0 and result.stdout.startswith("closest to 'Freedom'")
