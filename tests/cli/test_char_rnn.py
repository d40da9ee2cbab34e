"""`journey train char-rnn` and `journey sample` on its run, as a learner meets them.

A tiny LSTM trains on a slice of Tiny Shakespeare (written into ``tmp_path``) for 2 of
3 steps, stops, resumes to the end and scores the whole validation slice; `journey
sample` continues a prompt from the run folder alone, greedily with ``--temperature 0``.
Bad input is one clear line and exit 1 (one case through a real process, the others through
the same entry point in the test's process). Training takes two processes of a few seconds
each, so that test is marked slow.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import assert_one_clear_line, journey, journey_here

from nlpjourney import data
from nlpjourney.train import load_checkpoint


def slice_of_shakespeare(folder: Path) -> Path:
    path = folder / "shakespeare.txt"
    text = data.path("tinyshakespeare").read_text(encoding="utf-8")[:3000]
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_cli_train_char_rnn_resumes_and_sample_reads_its_run(tmp_path: Path) -> None:
    run = tmp_path / "run"
    cache = tmp_path / "cache"
    base = ("train", "char-rnn", "--cell", "lstm", "--preset", "tiny", "--max-steps", "3",
            "--text", str(slice_of_shakespeare(tmp_path)), "--out-dir", str(run),
            "--device", "cpu", "--threads", "1")  # fmt: skip
    first = journey(*base, "--stop-after", "2", cache=cache)
    assert first.returncode == 0, first.stderr
    assert "char-lstm-tiny:" in first.stdout and "chunks of 16" in first.stdout
    assert load_checkpoint(run / "ckpt.pt")["step"] == 2
    second = journey(*base, "--resume", cache=cache)
    assert second.returncode == 0, second.stderr
    assert "step 3: train loss" in second.stdout
    assert "validation loss over the whole split" in second.stdout
    assert f"journey sample {run}" in second.stdout
    assert {"ckpt.pt", "metrics.csv", "loss.png"} <= {p.name for p in run.iterdir()}
    greedy = ("sample", str(run), "--prompt", "ROMEO:", "-n", "20", "--temperature", "0")
    result = journey(*greedy, cache=cache)
    assert result.returncode == 0, result.stderr
    text = result.stdout.removesuffix("\n")
    assert text.startswith("ROMEO:") and len(text) == 6 + 20  # one character per token
    # greedy: another seed gives the same text (here in the test's process, the same
    # entry point: sampling uses a generator of its own and leaves nothing behind)
    assert journey_here(*greedy, "--seed", "5", cache=cache).stdout == result.stdout
    result = journey_here("sample", str(run), "--prompt", "ROMEO\u2603", cache=cache)
    assert_one_clear_line(result, "cannot encode the prompt")


def test_cli_train_char_rnn_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    result = journey("train", "char-rnn", "--cell", "tree", "--out-dir", str(tmp_path), cache=cache)
    assert_one_clear_line(result, "--cell must be one of lstm, gru, rnn")
    result = journey_here(
        "train", "char-rnn", "--preset", "huge", "--out-dir", str(tmp_path), cache=cache
    )
    assert_one_clear_line(result, "unknown char-rnn preset 'huge'", "15min, tiny")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "ckpt.pt").write_bytes(b"a run")
    result = journey_here(
        "train", "char-rnn", "--preset", "tiny", "--out-dir", str(taken), cache=cache
    )
    assert_one_clear_line(result, "already holds a run", "--resume", "--overwrite")
    # a corrupt checkpoint is neither reader's: the message says what is wrong with it
    result = journey_here("sample", str(taken), cache=cache)
    assert_one_clear_line(result, "cannot read the checkpoint", "corrupt")
