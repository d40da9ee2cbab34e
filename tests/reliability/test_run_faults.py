"""The fault suite for training runs: bad input, damaged files and signals, as a learner
meets them, through real `journey` processes.

Every bad input is refused before any work with exit code 1, no traceback and one line
that says what was wrong and what to do. A run stopped by SIGINT (Ctrl-C) or SIGKILL at
a random moment (seeded, so a failure replays) and then resumed ends with the same
`metrics.csv` losses and the same weights, bit for bit, as a run that never stopped.

Bad options and damaged checkpoints are refused through a real process once each; the
other cases go through the same entry point in the test's process (``journey_here``:
they are refused before any work, and a process costs seconds of imports). The runs
after the first start from a copy of its prepared token cache: the faults hit training.
"""

from __future__ import annotations

import csv
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from support.cli import journey_here

from nlpjourney.apps.gpt import META_KIND
from nlpjourney.models import GPT, GPTConfig
from nlpjourney.tokenizers import CharTokenizer
from nlpjourney.train import TrainConfig, save_checkpoint

JOURNEY = [sys.executable, "-m", "nlpjourney.cli"]
#: The short run every signal test trains: the tiny preset, evaluated and checkpointed
#: every 10 of 120 steps, on one CPU thread.
RUN = ("train", "gpt", "--preset", "tiny", "--max-steps", "120", "--eval-interval", "10",
       "--device", "cpu", "--threads", "1")  # fmt: skip


def environment(cache: Path) -> dict[str, str]:
    return dict(os.environ, COLUMNS="200", NO_COLOR="1", NLPJOURNEY_CACHE=str(cache))


def journey(*args: str, cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*JOURNEY, *args], capture_output=True, text=True,
                          env=environment(cache), timeout=300)  # fmt: skip


def assert_one_clear_line(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# -- bad input, refused before any work ----------------------------------------------


BAD_OPTIONS = [
    (("train", "gpt", "--device", "tpu"), ("unknown device 'tpu'", "'cpu'")),
    (("sample", "runs/none", "--device", "tpu"), ("unknown device 'tpu'",)),
    (("train", "gpt", "--seed", "1e23"), ("--seed must be a whole number", "'1e23'")),
    (("train", "gpt", "--seed", "1" + "0" * 23), ("--seed must be a whole number",)),
    (("sample", "runs/none", "--seed", "-1"), ("--seed must be a whole number",)),
    (("train", "gpt", "--threads", "100000"), ("--threads 100000 is more than", "cores")),
    (("train", "translator", "--beam-size", "0"), ("--beam-size must be at least 1",)),
    (("train", "translator", "--beam-size", "100000"), ("give at most --beam-size",)),
    (("train", "sweep", "--sizes", "1x32,100x8192"), ("size 100x8192", "smaller --sizes")),
    (("train", "gpt", "--resume"), ("--resume: there is no run", "--out-dir")),
]


@pytest.mark.parametrize(("args", "fragments"), BAD_OPTIONS)
def test_run_faults_bad_options_are_one_line_before_any_work(
    tmp_path: Path, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    out = tmp_path / "run"
    out_flag = "--out" if "sweep" in args else "--out-dir"
    extra = () if "sample" in args else (out_flag, str(out))
    # the first case through a real process, the others through the same entry point here
    run = journey if (args, fragments) == BAD_OPTIONS[0] else journey_here
    result = run(*args, *extra, cache=tmp_path / "cache")
    assert_one_clear_line(result, *fragments)
    assert not out.exists()  # nothing was started
    assert not (tmp_path / "cache").exists()  # no data was prepared either


def test_run_faults_out_dir_that_is_a_file_or_cannot_be_written(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("notes")
    result = journey("train", "gpt", "--preset", "tiny", "--out-dir", str(taken),
                     cache=tmp_path / "cache")  # fmt: skip
    assert_one_clear_line(result, "--out-dir", "is a file, not a folder")
    assert taken.read_text() == "notes"
    # /proc takes no new folders, even from root, for whom permissions do not count (here
    # through the same entry point in this process: the first was a real one)
    result = journey_here("train", "gpt", "--preset", "tiny", "--out-dir", "/proc/journey-run",
                          cache=tmp_path / "cache")  # fmt: skip
    assert_one_clear_line(result, "cannot write in --out-dir /proc/journey-run")


# -- damaged and forged checkpoints --------------------------------------------------


def write_run(folder: Path, **meta_changes: object) -> Path:
    """A run folder as journey train gpt leaves it, with its metadata changed as asked."""
    config = GPTConfig.from_name("tiny").replace(vocab_size=3)
    torch.manual_seed(0)
    model = GPT(config)
    meta = {
        "kind": META_KIND,
        "preset": "tiny",
        "model_config": config.to_dict(),
        "tokenizer": CharTokenizer("abc").to_dict(),
        **meta_changes,
    }
    train_config = TrainConfig(max_steps=1, out_dir=str(folder))
    return save_checkpoint(folder / "ckpt.pt", {
        "model": model.state_dict(), "optimizer": {}, "config": train_config.to_dict(),
        "step": 1, "rng": {}, "meta": meta,
    })  # fmt: skip


def test_run_faults_checkpoint_metadata_is_checked_before_a_model_is_built(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good"
    write_run(good)
    result = journey("sample", str(good), "-p", "ab", "-n", "5", cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr  # the folder itself is a good run

    huge = GPTConfig.from_name("tiny").replace(vocab_size=3, n_embd=2**20, n_head=2**10)
    write_run(tmp_path / "huge", model_config=huge.to_dict())  # terabytes if built
    result = journey_here("sample", str(tmp_path / "huge"), cache=tmp_path / "cache")
    assert_one_clear_line(result, "describes another model than its weights", "damaged")

    broken = {**GPTConfig.from_name("tiny").to_dict(), "n_embd": 30, "n_head": 4}
    write_run(tmp_path / "broken", model_config=broken)
    result = journey_here("sample", str(tmp_path / "broken"), cache=tmp_path / "cache")
    assert_one_clear_line(result, "metadata", "is damaged", "n_head=4 does not divide")

    write_run(tmp_path / "words", tokenizer={"type": "char", "chars": "abcdefgh"})
    result = journey_here("sample", str(tmp_path / "words"), cache=tmp_path / "cache")
    assert_one_clear_line(result, "its tokenizer has 8 ids, its model 3")


class Payload:
    """Stands for an object that runs code when unpickled (here, harmlessly)."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("unpickled: this could have been any code",))


def test_run_faults_unsafe_checkpoint_is_refused_without_torchs_advice(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    torch.save({"format": "nlpjourney.train/2", "meta": Payload()}, run / "ckpt.pt")
    result = journey("sample", str(run), cache=tmp_path / "cache")
    assert_one_clear_line(result, "not a checkpoint NLP Journey wrote", "will not be loaded")
    assert "unpickled" not in result.stdout + result.stderr
    assert "weights_only" not in result.stderr and "succeed" not in result.stderr


# -- runs: a damaged cache, a run stopped before its first checkpoint ----------------


def losses(run: Path) -> list[list[str]]:
    """metrics.csv's step, losses and lr, as written: the columns a resume must repeat
    (tokens/s and elapsed time are the clock's)."""
    with open(run / "metrics.csv", newline="", encoding="utf-8") as f:
        return [[row[k] for k in ("step", "train_loss", "val_loss", "lr")]
                for row in csv.DictReader(f)]  # fmt: skip


def final_weights(run: Path) -> dict[str, torch.Tensor]:
    checkpoint = torch.load(run / "ckpt.pt", weights_only=True)
    assert checkpoint["step"] == 120
    return checkpoint["model"]


def assert_same_run(run: Path, straight: Path) -> None:
    assert losses(run) == losses(straight)
    ours, theirs = final_weights(run), final_weights(straight)
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert torch.equal(ours[name], theirs[name]), f"{name} differs"


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The short run, never stopped (from a new cache: it prepares the token streams)."""
    root = tmp_path_factory.mktemp("straight")
    result = journey(*RUN, "--out-dir", str(root / "run"), cache=root / "cache")
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout and "ckpt.pt (step 120)" in result.stdout
    return root / "run"


def prepared_cache(tmp_path: Path, straight: Path) -> Path:
    """A copy of the cache the straight run prepared, as a first run leaves it: the runs
    that share it skip preparing the data (seconds each), which no fault here is about."""
    return Path(shutil.copytree(straight.parent / "cache", tmp_path / "cache"))


@pytest.mark.slow
def test_run_faults_damaged_token_cache_is_rebuilt_not_trained_on(
    tmp_path: Path, straight: Path
) -> None:
    cache = prepared_cache(tmp_path, straight)  # as a first run leaves it
    (stream,) = (cache / "tokens").glob("*/train.bin")
    damaged = bytearray(stream.read_bytes())
    damaged[100:140] = b"\xff" * 40  # same size; ids far past the vocabulary
    stream.write_bytes(bytes(damaged))
    second = journey(*RUN, "--out-dir", str(tmp_path / "second"), cache=cache)
    assert second.returncode == 0, second.stderr
    assert "does not match the checksum" in second.stdout and "Traceback" not in second.stderr
    assert_same_run(tmp_path / "second", straight)


@pytest.mark.slow
def test_run_faults_folder_without_checkpoint_starts_afresh_saying_so(
    tmp_path: Path, straight: Path
) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.csv").write_text("step,train_loss,val_loss,lr,tokens_per_s,elapsed\n")
    result = journey(
        *RUN, "--out-dir", str(run), "--resume", cache=prepared_cache(tmp_path, straight)
    )
    assert result.returncode == 0, result.stderr
    assert "has no ckpt.pt (its run stopped before its first checkpoint): starting afresh" in (
        result.stdout
    )
    assert_same_run(run, straight)


# -- signals at random moments, then --resume -----------------------------------------


def start(run: Path, cache: Path) -> subprocess.Popen:
    """The short run in the background, once it has said what it trains (its folder is
    claimed and its data prepared: the signal lands in training, not in start-up)."""
    process = subprocess.Popen([*JOURNEY, *RUN, "--out-dir", str(run)], env=environment(cache),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stdout is not None
    first = process.stdout.readline()
    assert "parameters" in first, first + process.stderr.read()
    return process


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_run_faults_sigint_saves_says_how_to_go_on_and_resumes_exactly(
    tmp_path: Path, straight: Path, seed: int
) -> None:
    run, cache = tmp_path / "run", prepared_cache(tmp_path, straight)
    process = start(run, cache)
    time.sleep(random.Random(seed).uniform(0.0, 1.5))
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr
    if process.returncode == 0:  # it finished first: nothing to resume
        assert_same_run(run, straight)
        return
    assert process.returncode == 130, stderr
    (line,) = stderr.strip().splitlines()
    if "before training began" in line:  # stopped in set-up: nothing was trained
        command = [*RUN, "--out-dir", str(run), "--resume"]
    else:
        assert "saved in" in line and "continue with: journey train gpt" in line, line
        words = shlex.split(line.split("continue with: ")[1])
        assert words[0] == "journey" and "--resume" in words and str(run) in words
        assert {"--max-steps", "--eval-interval", "--threads", "--device"} <= set(words)
        command = words[1:]
    resumed = journey(*command, cache=cache)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_run(run, straight)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_run_faults_sigkill_then_resume_equals_a_run_never_stopped(
    tmp_path: Path, straight: Path, seed: int
) -> None:
    run, cache = tmp_path / "run", prepared_cache(tmp_path, straight)
    process = start(run, cache)
    time.sleep(random.Random(seed).uniform(0.0, 1.5))
    process.kill()
    process.communicate(timeout=120)
    assert process.returncode in (-signal.SIGKILL, 0)
    resumed = journey(*RUN, "--out-dir", str(run), "--resume", cache=cache)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_run(run, straight)


@pytest.mark.slow
def test_run_faults_sigterm_saves_and_exits_143(tmp_path: Path, straight: Path) -> None:
    run, cache = tmp_path / "run", prepared_cache(tmp_path, straight)
    process = start(run, cache)
    time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode in (143, 0), stderr
    assert "Traceback" not in stderr
    resumed = journey(*RUN, "--out-dir", str(run), "--resume", cache=cache)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_run(run, straight)
