"""`journey train gpt` and `journey sample` as a learner meets them: real processes.

A tiny GPT trains two steps, stops, resumes to four, and the run folder alone is enough
for `journey sample` to continue a prompt. Bad input (unknown preset, missing run
folder, corrupt or foreign checkpoint, a run in the way) is one clear line and exit 1.
Training runs two processes of a few seconds each, so those tests are marked slow.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from support.cli import assert_one_clear_line, journey, journey_here

from nlpjourney.apps.gpt import load_run
from nlpjourney.models import GPTConfig, LlamaConfig
from nlpjourney.tokenizers import CharTokenizer
from nlpjourney.train import load_checkpoint


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny char-level GPT trained 2 of 4 steps, then resumed to the end."""
    root = tmp_path_factory.mktemp("train")
    run = root / "run"
    base = ("train", "gpt", "--preset", "tiny", "--max-steps", "4", "--out-dir", str(run),
            "--device", "cpu")  # fmt: skip
    first = journey(*base, "--stop-after", "2", cache=root / "cache")
    assert first.returncode == 0, first.stderr
    assert "tiny: 0.03M parameters, vocab 65 (char)" in first.stdout
    assert load_checkpoint(run / "ckpt.pt")["step"] == 2
    second = journey(*base, "--resume", cache=root / "cache")
    assert second.returncode == 0, second.stderr
    assert "step 4: train loss" in second.stdout and "tokens/s" in second.stdout
    return run


@pytest.mark.slow
def test_cli_train_gpt_writes_a_run_that_rebuilds_model_and_tokenizer(tiny_run: Path) -> None:
    assert {"ckpt.pt", "metrics.csv", "loss.png"} <= {p.name for p in tiny_run.iterdir()}
    checkpoint = load_checkpoint(tiny_run / "ckpt.pt")
    assert checkpoint["step"] == 4
    meta = checkpoint["meta"]
    assert GPTConfig.from_dict(meta["model_config"]) == GPTConfig.from_name("tiny")
    assert CharTokenizer.from_dict(meta["tokenizer"]).vocab_size == 65
    config = checkpoint["config"]  # the preset's recipe, shortened to 4 steps
    assert (config["batch_size"], config["lr"], config["min_lr"]) == (4, 1e-3, 1e-4)
    model, tok = load_run(tiny_run)
    assert not model.training
    assert torch.equal(model.state_dict()["lm_head.weight"], checkpoint["model"]["lm_head.weight"])
    assert tok.decode(tok.encode("ROMEO:")) == "ROMEO:"


@pytest.mark.slow
def test_cli_sample_continues_the_prompt(tiny_run: Path, tmp_path: Path) -> None:
    result = journey("sample", str(tiny_run), "--prompt", "ROMEO:", "-n", "20", "--seed", "1",
                     cache=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = result.stdout.removesuffix("\n")
    assert text.startswith("ROMEO:") and len(text) == 6 + 20  # one character per token


def test_cli_train_and_sample_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    """The first through a real process, the rest through the same entry point here."""
    cache = tmp_path / "cache"
    result = journey(
        "train", "gpt", "--preset", "shakespeare", "--out-dir", str(tmp_path), cache=cache
    )
    assert_one_clear_line(result, "unknown preset 'shakespeare'", "shakespeare-char-cpu")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "ckpt.pt").write_bytes(b"a run")
    result = journey_here("train", "gpt", "--preset", "tiny", "--out-dir", str(taken), cache=cache)
    assert_one_clear_line(result, "already holds a run", "--resume", "--overwrite")
    result = journey_here("train", "gpt", "--preset", "tiny", "--dtype", "float8",
                          "--out-dir", str(tmp_path / "f8"), cache=cache)  # fmt: skip
    assert_one_clear_line(result, "dtype must be one of", "bfloat16")
    result = journey_here("sample", str(tmp_path / "nowhere"), cache=cache)
    assert_one_clear_line(result, "no run folder", "journey train gpt", "journey train char-rnn")
    result = journey_here("translate", str(tmp_path / "nowhere"), "Ein Hund.", cache=cache)
    assert_one_clear_line(result, "nowhere")
    result = journey_here("train", "translator", "--pair", "de-xx",
                          "--out-dir", str(tmp_path / "t"), cache=cache)  # fmt: skip
    assert_one_clear_line(result, "de-xx", "de-en")
    result = journey_here(
        "train", "gpt", "--threads", "0", "--out-dir", str(tmp_path / "g"), cache=cache
    )
    assert_one_clear_line(result, "--threads must be at least 1")
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "ckpt.pt").write_bytes(b"not a checkpoint")
    result = journey_here("sample", str(corrupt), cache=cache)
    assert_one_clear_line(result, "cannot read the checkpoint", "corrupt")


@pytest.mark.slow
def test_cli_sample_refuses_a_prompt_outside_the_vocabulary(tiny_run: Path, tmp_path: Path) -> None:
    result = journey_here("sample", str(tiny_run), "--prompt", "ROMEO\u2603", cache=tmp_path)
    assert_one_clear_line(result, "cannot encode the prompt", "'\u2603'")


@pytest.fixture(scope="module")
def tiny_llama_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny char-level Llama trained 2 of 4 steps, then resumed to the end."""
    root = tmp_path_factory.mktemp("train_llama")
    run = root / "run"
    base = ("train", "llama", "--preset", "tiny", "--max-steps", "4", "--out-dir", str(run),
            "--device", "cpu", "--threads", "1")  # fmt: skip
    first = journey(*base, "--stop-after", "2", cache=root / "cache")
    assert first.returncode == 0, first.stderr
    assert "llama tiny: 0.02M parameters, vocab 65 (char)" in first.stdout
    assert load_checkpoint(run / "ckpt.pt")["step"] == 2
    second = journey(*base, "--resume", cache=root / "cache")
    assert second.returncode == 0, second.stderr
    assert "step 4: train loss" in second.stdout and f"journey sample {run}" in second.stdout
    return run


@pytest.mark.slow
def test_cli_train_llama_writes_a_run_that_sample_continues(
    tiny_llama_run: Path, tmp_path: Path
) -> None:
    assert {"ckpt.pt", "metrics.csv", "loss.png"} <= {p.name for p in tiny_llama_run.iterdir()}
    checkpoint = load_checkpoint(tiny_llama_run / "ckpt.pt")
    assert checkpoint["step"] == 4
    meta = checkpoint["meta"]
    assert meta["kind"] == "nlpjourney.models.llama"
    assert LlamaConfig.from_dict(meta["model_config"]) == LlamaConfig.from_name("tiny")
    # 100 characters: past the tiny model's 32-token context, as a learner's sample goes
    result = journey("sample", str(tiny_llama_run), "--prompt", "ROMEO:", "-n", "100",
                     "--seed", "1", cache=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = result.stdout.removesuffix("\n")
    assert text.startswith("ROMEO:") and len(text) == 6 + 100


def test_cli_train_llama_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    result = journey("train", "llama", "--preset", "shakespeare-char", "--out-dir",
                     str(tmp_path / "l"), cache=cache)  # fmt: skip
    assert_one_clear_line(result, "unknown preset 'shakespeare-char'", "Known for llama")
    result = journey_here("train", "llama", "--preset", "smollm2-135m", "--out-dir",
                          str(tmp_path / "l"), cache=cache)  # fmt: skip
    assert_one_clear_line(result, "unknown preset 'smollm2-135m'", "shakespeare-char-cpu, tiny")


def test_cli_train_continue_command_names_the_model() -> None:
    """The line Ctrl-C prints continues a Llama run with journey train llama."""
    from nlpjourney.apps.gpt import GPTRunConfig
    from nlpjourney.cli.train import continue_command, continue_gpt_command

    config = GPTRunConfig(model="llama", preset="tiny", max_steps=4)
    assert continue_command(config, threads=1) == (
        "journey train llama --preset tiny --max-steps 4 --out-dir runs/llama-tiny "
        "--threads 1 --resume"
    )
    assert continue_gpt_command(GPTRunConfig(preset="tiny")).startswith(
        "journey train gpt --preset tiny --out-dir runs/tiny"
    )


def test_cli_run_training_says_how_to_continue_and_exits_as_the_signal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import signal

    import typer

    from nlpjourney.cli.train import run_training
    from nlpjourney.train import TrainingInterrupted

    assert run_training(lambda: 7, lambda: "never asked") == 7

    def stopped_by(signum: int) -> None:
        raise TrainingInterrupted(signum, 12, tmp_path / "ckpt.pt")

    asked = []
    for signum, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        with pytest.raises(typer.Exit) as exit_info:
            run_training(lambda s=signum: stopped_by(s), lambda: asked.append(1) or "journey go on")
        assert exit_info.value.exit_code == code
        err = capsys.readouterr().err
        assert f"stopped after step 12, saved in {tmp_path / 'ckpt.pt'}" in err
        assert err.rstrip().endswith("continue with: journey go on")
    assert asked == [1, 1]

    def ctrl_c() -> None:
        raise KeyboardInterrupt

    with pytest.raises(typer.Exit) as exit_info:
        run_training(ctrl_c, lambda: asked.append(1) or "unused")
    assert exit_info.value.exit_code == 130
    assert "nothing was trained" in capsys.readouterr().err
    assert asked == [1, 1]  # nothing to continue: the continue line is not built
