"""Tests for nlpjourney.models.gpt: parity with transformers' GPT2LMHeadModel, properties.

Parity: a randomly initialised tiny ``GPT2LMHeadModel`` saved with ``save_pretrained``
(safetensors) and read back by ``GPT.from_pretrained`` gives the same logits, and at
float64 the same gradients. Properties (hypothesis): future tokens never change past
logits; decoding with the KV cache gives the logits and tokens of full recomputation,
also past ``block_size`` where the window slides.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.torch import save_file
from torch.testing import assert_close

from nlpjourney.errors import UnknownNameError
from nlpjourney.models import GPT, GPTConfig
from nlpjourney.models.gpt import GPT2_NAMES, _our_name
from nlpjourney.nn import KVCache, StaticKVCache

TINY = GPTConfig(vocab_size=50, block_size=16, n_layer=2, n_head=4, n_embd=32)


def tiny_model(seed: int = 0, **changes: object) -> GPT:
    torch.manual_seed(seed)
    return GPT(TINY.replace(**changes)).eval()


@pytest.fixture(scope="module")
def hf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random tiny GPT2LMHeadModel saved as config.json + model.safetensors."""
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    config = GPT2Config(vocab_size=50, n_positions=16, n_embd=32, n_layer=2, n_head=4,
                        bos_token_id=0, eos_token_id=0)  # fmt: skip
    model = GPT2LMHeadModel(config)
    with torch.no_grad():  # non-trivial norms and biases, so a missed copy shows
        for name, p in model.named_parameters():
            if name.endswith("bias") or ".ln_" in name:
                p.add_(0.1 * torch.randn_like(p))
    folder = tmp_path_factory.mktemp("hf-gpt2")
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def test_gpt_config_presets_are_nanogpts() -> None:
    cpu = GPTConfig.from_name("shakespeare-char-cpu")
    assert (cpu.n_layer, cpu.n_head, cpu.n_embd, cpu.block_size, cpu.dropout, cpu.vocab_size) == (
        4, 4, 128, 64, 0.0, 65)  # fmt: skip
    gpu = GPTConfig.from_name("shakespeare-char")
    assert (gpu.n_layer, gpu.n_head, gpu.n_embd, gpu.block_size, gpu.dropout) == (
        6,
        6,
        384,
        256,
        0.2,
    )
    gpt2 = GPTConfig.from_name("gpt2")
    assert (gpt2.n_layer, gpt2.n_head, gpt2.n_embd, gpt2.block_size, gpt2.vocab_size) == (
        12, 12, 768, 1024, 50257)  # fmt: skip
    assert GPTConfig.from_dict(cpu.to_dict()) == cpu


def test_gpt_config_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownNameError, match="shakespeare-char-cpu.*gpt2.*tiny"):
        GPTConfig.from_name("gpt5")


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"n_embd": 30, "n_head": 4}, ValueError, "does not divide"),
        ({"n_layer": 0}, ValueError, "n_layer must be a positive int"),
        ({"vocab_size": 2.5}, ValueError, "vocab_size"),
        ({"dropout": 1.0}, ValueError, r"dropout must be in \[0, 1\)"),
        ({"bias": 1}, TypeError, "bias"),
    ],
)
def test_gpt_config_refuses_bad_values(changes: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        TINY.replace(**changes)
    with pytest.raises(ValueError, match="unknown GPTConfig fields"):
        GPTConfig.from_dict({"n_layers": 2})


def test_gpt_logits_equal_transformers(hf_dir: Path) -> None:
    from transformers import GPT2LMHeadModel

    hf = GPT2LMHeadModel.from_pretrained(hf_dir).eval()
    ours = GPT.from_pretrained(hf_dir).eval()
    assert ours.num_parameters() == sum(p.numel() for p in hf.parameters())
    idx = torch.randint(0, 50, (3, 16), generator=torch.Generator().manual_seed(1))
    assert_close(ours(idx), hf(idx).logits)

    # float64: the gradients of every weight agree too (HF's Conv1D ones transposed).
    hf, ours = hf.double(), ours.double()
    targets = torch.roll(idx, -1, dims=1)
    for logits in (hf(idx).logits, ours(idx)):
        F.cross_entropy(logits.reshape(-1, 50), targets.reshape(-1)).backward()
    hf_grads = {_our_name(name): p.grad for name, p in hf.named_parameters()}
    for name, p in ours.named_parameters():
        expected = hf_grads[name]
        if name.endswith(("qkv_proj.weight", "out_proj.weight", "up.weight", "down.weight")):
            expected = expected.t()  # HF's Conv1D layers store (in, out)
        assert_close(p.grad, expected, msg=name)


def test_gpt_fused_kernels_equal_our_formulas() -> None:
    # Same weights, float64: torch's fused layer norm, GELU and attention against our
    # from-scratch nlpjourney.nn pieces, in logits and in every weight's gradient.
    torch.manual_seed(0)
    fused = GPT(TINY).double()
    ours = GPT(TINY, fused=False).double()
    ours.load_state_dict(fused.state_dict())
    assert fused.fused and not ours.fused
    idx = torch.randint(0, 50, (3, 16), generator=torch.Generator().manual_seed(1))
    targets = torch.roll(idx, -1, dims=1)
    for model in (fused, ours):
        F.cross_entropy(model(idx).reshape(-1, 50), targets.reshape(-1)).backward()
    assert_close(fused(idx), ours(idx))
    ours_params = dict(ours.named_parameters())
    for name, p in fused.named_parameters():
        assert_close(p.grad, ours_params[name].grad, msg=name)


def test_gpt_loads_a_checkpoint_with_gpt2_block_names() -> None:
    # Run folders written before the blocks came from nn.TransformerBlock hold GPT-2's
    # names (ln_1, attn.c_attn, mlp.c_fc...), in nn.Linear's (out, in) layout: made here
    # from a model's state dict by the inverse of GPT2_NAMES.
    torch.manual_seed(0)
    model = GPT(TINY).eval()
    old = {}
    for key, value in model.state_dict().items():
        for theirs, ours in GPT2_NAMES.items():
            key = key.replace(ours, theirs)
        old[key] = value.clone()
    assert "transformer.h.1.attn.c_attn.weight" in old and "transformer.h.0.ln_2.bias" in old
    fresh = GPT(TINY).eval()
    fresh.load_state_dict(old)
    idx = torch.randint(0, 50, (2, 9))
    assert_close(fresh(idx), model(idx))
    assert _our_name("h.3.mlp.c_proj.weight") == "h.3.mlp.down.weight"


def test_gpt_bfloat16_autocast_stays_close_to_float32() -> None:
    # The training path on a CPU with bfloat16 (fast_attention's matmul + softmax branch).
    model = tiny_model()
    idx = torch.randint(0, 50, (2, 16), generator=torch.Generator().manual_seed(2))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = model(idx)
    assert low.dtype == torch.bfloat16
    assert_close(low.float(), model(idx), atol=0.05, rtol=0.05)


def test_gpt_from_pretrained_reads_gpt2model_keys(tmp_path: Path, hf_dir: Path) -> None:
    """The Hub's gpt2 has no "transformer." prefix and keeps attn.bias mask buffers."""
    from safetensors.torch import load_file

    state = load_file(hf_dir / "model.safetensors")
    bare = {k.removeprefix("transformer."): v for k, v in state.items() if k != "lm_head.weight"}
    bare["h.0.attn.bias"] = torch.tril(torch.ones(1, 1, 16, 16))
    save_file(bare, tmp_path / "model.safetensors")
    (tmp_path / "config.json").write_text((hf_dir / "config.json").read_text())
    idx = torch.randint(0, 50, (1, 9))
    loaded = GPT.from_pretrained(tmp_path / "model.safetensors").eval()
    assert_close(loaded(idx), GPT.from_pretrained(hf_dir).eval()(idx))


def test_gpt_from_pretrained_refuses_what_it_cannot_hold(tmp_path: Path, hf_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match="config.json"):
        GPT.from_pretrained(tmp_path)
    config = json.loads((hf_dir / "config.json").read_text())
    (tmp_path / "model.safetensors").write_bytes((hf_dir / "model.safetensors").read_bytes())
    for change, match in (
        ({"activation_function": "relu"}, "activation_function='relu'"),
        ({"n_embd": 64}, r"shape \(.*\), the model"),
        ({"n_layer": 3}, r"missing \['transformer.h.2"),
    ):
        (tmp_path / "config.json").write_text(json.dumps({**config, **change}))
        with pytest.raises(ValueError, match=match):
            GPT.from_pretrained(tmp_path)


def test_gpt_ties_head_to_embedding_and_scales_residual_init() -> None:
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=64, block_size=8, n_layer=8, n_head=4, n_embd=256))
    assert model.lm_head.weight is model.transformer.wte.weight
    assert "lm_head.weight" not in dict(model.named_parameters())  # counted once
    block = model.transformer.h[0]
    fc, proj = block.mlp.up.weight, block.mlp.down.weight
    assert abs(fc.std().item() - 0.02) < 1e-3
    assert abs(proj.std().item() - 0.02 / math.sqrt(16)) < 2e-4
    assert abs(block.attn.out_proj.weight.std().item() - 0.02 / math.sqrt(16)) < 2e-4
    assert block.attn.qkv_proj.bias.abs().max() == 0


def test_gpt_counts_parameters_and_flops() -> None:
    model = tiny_model()
    C, V, L, T = 32, 50, 2, 16
    per_block = 12 * C * C + 13 * C  # qkv, out, up, down with biases; 2 norms
    assert model.num_parameters(non_embedding=True) == L * per_block + 2 * C  # + ln_f
    assert model.num_parameters() == L * per_block + 2 * C + V * C + T * C
    matmul = L * per_block + 2 * C + V * C
    assert model.estimate_flops_per_token() == 6 * matmul + 12 * L * C * T
    assert model.estimate_flops_per_token(4) == 6 * matmul + 12 * L * C * 4


@settings(max_examples=15)
@given(
    st.lists(st.integers(0, 49), min_size=2, max_size=16),
    st.integers(0, 14),
    st.integers(0, 49),
)
def test_gpt_future_tokens_never_change_past_logits(tokens: list[int], cut: int, new: int) -> None:
    cut = min(cut, len(tokens) - 2)
    model = tiny_model(seed=3)
    idx = torch.tensor([tokens])
    changed = idx.clone()
    changed[0, cut + 1 :] = new
    with torch.no_grad():
        assert_close(model(changed)[:, : cut + 1], model(idx)[:, : cut + 1], rtol=0, atol=0)


def test_gpt_cached_forward_equals_full_recomputation() -> None:
    model = tiny_model(seed=1).double()
    idx = torch.randint(0, 50, (2, 16), generator=torch.Generator().manual_seed(2))
    caches = model.new_kv_caches()
    with torch.no_grad():
        full = model(idx)
        steps = [model(idx[:, :5], caches)] + [
            model(idx[:, t : t + 1], caches) for t in range(5, 16)
        ]
    assert all(isinstance(c, KVCache) and len(c) == 16 for c in caches)
    assert_close(torch.cat(steps, dim=1), full)


def test_gpt_static_caches_give_the_growing_caches_logits() -> None:
    model = tiny_model(seed=1).double()
    idx = torch.randint(0, 50, (2, 16), generator=torch.Generator().manual_seed(2))
    caches = model.new_kv_caches(2, capacity=16)
    assert all(isinstance(c, StaticKVCache) for c in caches)
    with torch.no_grad():
        steps = [model(idx[:, :5], caches)] + [
            model(idx[:, t : t + 1], caches) for t in range(5, 16)
        ]
    assert_close(torch.cat(steps, dim=1), model(idx))
    with pytest.raises(ValueError, match="exceeds block_size=16"):
        model.new_kv_caches(1, capacity=17)


@pytest.mark.parametrize(("temperature", "top_k"), [(0.0, None), (1.0, None), (0.8, 5)])
def test_gpt_generate_with_and_without_cache_give_the_same_tokens(
    temperature: float, top_k: int | None
) -> None:
    model = tiny_model(seed=4).double()  # float64: no rounding flips a sampled token
    prompt = torch.randint(0, 50, (2, 3), generator=torch.Generator().manual_seed(5))
    out = {}
    for use_cache in (True, False):
        generator = torch.Generator().manual_seed(6)
        # 25 new tokens run past block_size=16: the window slides in both paths.
        out[use_cache] = model.generate(prompt, 25, temperature, top_k, generator, use_cache)
    assert out[True].shape == (2, 28)
    assert torch.equal(out[True][:, :3], prompt)
    assert torch.equal(out[True], out[False])


def test_gpt_generate_keeps_the_training_mode_and_checks_arguments() -> None:
    model = tiny_model().train()
    prompt = torch.zeros(1, 2, dtype=torch.long)
    model.generate(prompt, 2)
    assert model.training
    for kwargs, match in (
        ({"max_new_tokens": -1}, "max_new_tokens"),
        ({"max_new_tokens": 2, "temperature": -1.0}, "temperature"),
        ({"max_new_tokens": 2, "top_k": 0}, "top_k"),
    ):
        with pytest.raises(ValueError, match=match):
            model.generate(prompt, **kwargs)
    with pytest.raises(ValueError, match=r"idx must be token ids \(B, T\)"):
        model.generate(torch.zeros(3, dtype=torch.long), 2)


def test_gpt_forward_refuses_too_long_or_float_inputs() -> None:
    model = tiny_model()
    with pytest.raises(ValueError, match="exceed block_size=16; crop"):
        model(torch.zeros(1, 17, dtype=torch.long))
    with pytest.raises(ValueError, match="int tensor of token ids"):
        model(torch.zeros(1, 4))
    with pytest.raises(TypeError, match="GPTConfig"):
        GPT({"n_layer": 2})  # type: ignore[arg-type]
