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
    LLAMA_RECIPES,
    RECIPES,
    GPTRunConfig,
    generate_text,
    load_run,
    train_gpt,
)
from nlpjourney.errors import JourneyError, UnknownNameError
from nlpjourney.models.gpt import PRESETS
from nlpjourney.models.llama import PRESETS as LLAMA_PRESETS
from nlpjourney.tokenizers import CharTokenizer


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


# --- the same workflow for a Llama ---------------------------------------------------------


def test_gpt_llama_preset_has_gpts_budget_and_size() -> None:
    """``journey train llama --preset shakespeare-char-cpu`` is comparable with GPT's run."""
    from nlpjourney.models import GPT, GPTConfig, Llama, LlamaConfig

    assert LLAMA_RECIPES["shakespeare-char-cpu"] == RECIPES["shakespeare-char-cpu"]
    assert set(LLAMA_RECIPES) <= set(LLAMA_PRESETS)  # every recipe trains a model preset
    llama = LlamaConfig.from_name("shakespeare-char-cpu")
    gpt = GPTConfig.from_name("shakespeare-char-cpu")
    assert (llama.max_seq_len, llama.n_layers, llama.dim) == (
        gpt.block_size,
        gpt.n_layer,
        gpt.n_embd,
    )
    assert (llama.n_heads, llama.kv_heads, llama.tie_embeddings) == (4, 2, True)  # GQA, tied
    with torch.device("meta"):
        sizes = Llama(llama).num_parameters(), GPT(gpt).num_parameters()
    assert 0.85 < sizes[0] / sizes[1] < 1.15


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [({"model": "mamba"}, UnknownNameError, "unknown model 'mamba'.* gpt, llama"),
     ({"model": "llama", "preset": "gpt2"}, UnknownNameError, "Known for llama: shakespeare"),
     ({"model": "llama", "preset": "smollm2-135m"}, UnknownNameError, "unknown preset")],
)  # fmt: skip
def test_gpt_run_config_checks_the_model_and_its_presets(
    changes: dict, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        GPTRunConfig(**changes)


def test_gpt_llama_run_has_its_own_folder() -> None:
    assert GPTRunConfig(model="llama").run_dir == Path("runs/llama-shakespeare-char-cpu")
    assert GPTRunConfig(model="llama", out_dir="x").run_dir == Path("x")


@pytest.mark.parametrize("new_tokens", [5, 40])  # within the window, and past it (refills)
def test_gpt_llama_sampling_sees_the_last_window_as_a_full_forward_does(new_tokens: int) -> None:
    """The cached, windowed sampler picks what a full forward over the last window picks."""
    from nlpjourney.models import Llama, LlamaConfig

    torch.manual_seed(0)
    model = Llama(LlamaConfig.from_name("tiny").replace(max_seq_len=16)).eval()
    tokenizer = CharTokenizer.from_text("".join(chr(ord("!") + i) for i in range(65)))
    prompt = "".join(chr(ord("!") + i) for i in range(10))
    text = generate_text(model, tokenizer, prompt, new_tokens, temperature=0.0)
    ids = torch.tensor([tokenizer.encode(prompt)])
    with torch.no_grad():
        for _ in range(new_tokens):
            next_id = model(ids[:, -16:])[:, -1].argmax(dim=-1, keepdim=True)
            ids = torch.cat([ids, next_id], dim=1)
    assert text == tokenizer.decode(ids[0].tolist())
    assert len(text) == len(prompt) + new_tokens


def test_gpt_llama_sampling_refuses_bad_settings() -> None:
    from nlpjourney.models import Llama, LlamaConfig

    model = Llama(LlamaConfig.from_name("tiny"))
    tokenizer = CharTokenizer.from_text("".join(chr(ord("!") + i) for i in range(65)))
    with pytest.raises(JourneyError, match="temperature must be a number >= 0"):
        generate_text(model, tokenizer, "!", 3, temperature=-1.0)
    with pytest.raises(JourneyError, match="top_k must be a positive int"):
        generate_text(model, tokenizer, "!", 3, top_k=0)


@pytest.mark.slow
def test_gpt_tiny_llama_run_resumes_exactly_reloads_and_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nlpjourney.models import Llama

    monkeypatch.setenv("NLPJOURNEY_CACHE", str(tmp_path / "cache"))
    torch.set_num_threads(1)
    common = {"model": "llama", "preset": "tiny", "max_steps": 4, "device": "cpu",
              "dtype": "float32"}  # fmt: skip
    lines: list[str] = []
    straight = train_gpt(GPTRunConfig(**common, out_dir=tmp_path / "a"), echo=lines.append)
    assert lines[0].startswith("llama tiny: 0.02M parameters, vocab 65 (char)")
    assert lines[-1].startswith("step 4: train loss")
    halves = GPTRunConfig(**common, out_dir=tmp_path / "b", stop_after=2)
    assert train_gpt(halves).step == 2
    resumed = train_gpt(GPTRunConfig(**common, out_dir=tmp_path / "b", resume=True))
    assert resumed.step == 4
    expected = straight.model.state_dict()
    assert all(torch.equal(v, expected[k]) for k, v in resumed.model.state_dict().items())
    model, tokenizer = load_run(tmp_path / "b")
    assert isinstance(model, Llama) and not model.training
    assert all(torch.equal(v, expected[k]) for k, v in model.state_dict().items())
    text = generate_text(model, tokenizer, "ROMEO:", max_new_tokens=50, seed=1)  # > context
    assert text.startswith("ROMEO:") and len(text) == 56
    assert text == generate_text(model, tokenizer, "ROMEO:", max_new_tokens=50, seed=1)


@pytest.mark.parametrize("kind", ["nlpjourney.models.transformer", ["a", "list"], None])
def test_gpt_load_run_refuses_a_checkpoint_another_workflow_wrote(tmp_path: Path, kind) -> None:
    from nlpjourney.train import TrainConfig, save_checkpoint

    save_checkpoint(tmp_path / "ckpt.pt", {
        "model": {}, "optimizer": {}, "config": TrainConfig(max_steps=1).to_dict(),
        "step": 1, "rng": {}, "meta": {"kind": kind},
    })  # fmt: skip
    with pytest.raises(JourneyError, match="not written by journey train gpt or journey train"):
        load_run(tmp_path)
