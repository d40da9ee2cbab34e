"""Tests for nlpjourney.apps.gpt: the recipes, the run config, and a tiny run end to end.

The run trains the ``tiny`` preset for a few steps on Tiny Shakespeare (from the data
mirror) into ``tmp_path``, then reads it back with :func:`load_run` and continues a
prompt with :func:`generate_text`, all from Python, as a lesson or a script would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from nlpjourney.apps.gpt import (
    RECIPES,
    GPTRunConfig,
    generate_text,
    load_run,
    train_gpt,
)
from nlpjourney.errors import JourneyError, UnknownNameError
from nlpjourney.models.gpt import PRESETS


def test_gpt_recipe_of_the_cpu_preset_is_nanogpts_but_its_lr() -> None:
    recipe = RECIPES["shakespeare-char-cpu"]
    assert (recipe.max_steps, recipe.batch_size, recipe.eval_steps) == (2000, 12, 20)
    assert (recipe.warmup_steps, recipe.betas) == (100, (0.9, 0.99))
    assert (recipe.lr, recipe.min_lr) == (2e-3, 2e-4)  # nanoGPT: 1e-3, 1e-4 (see RECIPES)
    assert set(RECIPES) == set(PRESETS)  # every model preset has a recipe


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [({"preset": "shakespeare"}, UnknownNameError, "shakespeare-char-cpu"),
     ({"tokenizer": "words"}, JourneyError, "'char' or 'gpt2'"),
     ({"max_steps": 0}, JourneyError, "--max-steps must be at least 1"),
     ({"stop_after": -1}, JourneyError, "--stop-after must be at least 1"),
     ({"eval_interval": 0}, JourneyError, "--eval-interval")],
)  # fmt: skip
def test_gpt_run_config_says_what_is_wrong(changes: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        GPTRunConfig(**changes)


def test_gpt_run_config_names_its_folder() -> None:
    assert GPTRunConfig().run_dir == Path("runs/shakespeare-char-cpu")
    assert GPTRunConfig(out_dir="x/y").run_dir == Path("x/y")
    with pytest.raises(TypeError, match="GPTRunConfig"):
        train_gpt("tiny")  # type: ignore[arg-type]


def test_gpt_load_run_says_when_there_is_no_run(tmp_path: Path) -> None:
    with pytest.raises(JourneyError, match="no run folder .*journey train gpt"):
        load_run(tmp_path / "nothing")


@pytest.mark.slow
def test_gpt_tiny_run_trains_reloads_and_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path / "cache"))
    torch.set_num_threads(1)
    config = GPTRunConfig(preset="tiny", max_steps=3, out_dir=tmp_path / "run", device="cpu")
    lines: list[str] = []
    trainer = train_gpt(config, echo=lines.append)
    assert lines[0].startswith("tiny: 0.03M parameters, vocab 65 (char)")
    assert lines[-1].startswith("step 3: train loss")
    model, tokenizer = load_run(tmp_path / "run")
    trained = trainer.model.state_dict()
    assert all(torch.equal(v, trained[k]) for k, v in model.state_dict().items())
    text = generate_text(model, tokenizer, "ROMEO:", max_new_tokens=10, seed=1)
    assert text.startswith("ROMEO:") and len(text) == 16  # one character per token
    assert text == generate_text(model, tokenizer, "ROMEO:", max_new_tokens=10, seed=1)
    with pytest.raises(JourneyError, match="already holds a run"):
        train_gpt(config)
    with pytest.raises(JourneyError, match="prompt is empty"):
        generate_text(model, tokenizer, "")


def test_gpt_apps_import_no_torch_until_a_workflow_runs() -> None:
    """The command line lists presets in its help; that must not cost torch's import."""
    import subprocess
    import sys

    code = "import sys, nlpjourney.apps, nlpjourney.cli; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
