"""Tests for nlpjourney.models.llama: parity with transformers' LlamaForCausalLM, properties.

Parity: random tiny ``LlamaForCausalLM`` models (grouped-query or not, tied or untied,
with biases and RoPE scaling) saved with ``save_pretrained`` (safetensors, also sharded)
and read back by ``Llama.from_pretrained`` give the same logits and gradients. Loading
errors name the key. Properties (hypothesis): decoding with the KV cache one token at a
time gives the logits of the full forward pass; future tokens never change past logits;
masked left padding changes nothing. A tiny model learns a toy sequence.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file, save_file
from torch.testing import assert_close

from nlpjourney.errors import UnknownNameError
from nlpjourney.models import Llama, LlamaConfig, WeightsError
from nlpjourney.models.llama_weights import weight_names
from nlpjourney.nn import RopeScaling, transpose_weight_storage

# Tiny Hugging Face configs: each varies what a loader could get wrong.
HF_VARIANTS = {
    "gqa-tied": {"num_key_value_heads": 2, "tie_word_embeddings": True},
    "mha-untied": {"num_key_value_heads": 4, "tie_word_embeddings": False},
    "mqa-untied-bias-llama3": {
        "num_key_value_heads": 1,
        "tie_word_embeddings": False,
        "attention_bias": True,
        "mlp_bias": True,
        "rope_parameters": {
            "rope_type": "llama3",
            "rope_theta": 500000.0,
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 16,
        },
    },  # fmt: skip
}


def hf_model(variant: str, seed: int = 0):  # -> LlamaForCausalLM
    """A random tiny LlamaForCausalLM with non-trivial norms and biases."""
    from transformers import LlamaConfig as HFLlamaConfig
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    config = HFLlamaConfig(vocab_size=50, hidden_size=32, intermediate_size=48,
                           num_hidden_layers=2, num_attention_heads=4, rms_norm_eps=1e-5,
                           max_position_embeddings=64, **HF_VARIANTS[variant])  # fmt: skip
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():  # so that a norm or bias copied to the wrong place shows
        for name, p in model.named_parameters():
            if name.endswith("bias") or "norm" in name:
                p.add_(0.1 * torch.randn_like(p))
    return model


@pytest.fixture(scope="module", params=list(HF_VARIANTS))
def saved(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(transformers model, folder it was saved in with save_pretrained)."""
    model = hf_model(request.param)
    folder = tmp_path_factory.mktemp(f"hf-llama-{request.param}")
    model.save_pretrained(folder, safe_serialization=True)
    return model, folder


def rewrite(folder: Path, tmp_path: Path, edit_state=None, edit_config=None) -> Path:
    """A copy of a saved checkpoint with its weights and/or config.json edited."""
    state = load_file(folder / "model.safetensors")
    config = json.loads((folder / "config.json").read_text())
    if edit_state:
        edit_state(state)
    if edit_config:
        edit_config(config)
    save_file({k: v.contiguous() for k, v in state.items()}, tmp_path / "model.safetensors")
    (tmp_path / "config.json").write_text(json.dumps(config))
    return tmp_path


# --- config ---------------------------------------------------------------------------


def test_llama_config_presets_and_round_trip() -> None:
    smol = LlamaConfig.from_name("smollm2-135m")
    assert (smol.vocab_size, smol.dim, smol.n_layers, smol.hidden_dim, smol.kv_heads) == (
        49152, 576, 30, 1536, 3)  # fmt: skip
    assert smol.tie_embeddings and smol.rope_theta == 100000.0
    scaled = smol.replace(rope_scaling=RopeScaling("llama3", factor=8.0))
    assert LlamaConfig.from_dict(scaled.to_dict()) == scaled
    assert LlamaConfig(n_heads=8).kv_heads == 8  # None: no grouping
    with pytest.raises(UnknownNameError, match="smollm2-135m"):
        LlamaConfig.from_name("smollm3")


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"dim": 30, "n_heads": 4}, ValueError, "n_heads=4 does not divide dim=30"),
        ({"n_heads": 4, "n_kv_heads": 3}, ValueError, "n_kv_heads=3 does not divide"),
        ({"dim": 12, "n_heads": 4}, ValueError, "odd; RoPE rotates pairs"),
        ({"n_layers": 0}, ValueError, "n_layers must be a positive int"),
        ({"norm_eps": 0.0}, ValueError, "norm_eps must be > 0"),
        ({"rope_theta": "1e4"}, TypeError, "rope_theta must be a number"),
        ({"rope_scaling": {"factor": 2}}, TypeError, "RopeScaling"),
        ({"tie_embeddings": 1}, TypeError, "tie_embeddings must be True or False"),
        ({"dropout": 1.0}, ValueError, "dropout"),
    ],
)
def test_llama_config_rejects_bad_fields(changes, error, match) -> None:
    base = LlamaConfig.from_name("tiny")
    with pytest.raises(error, match=match):
        base.replace(**changes)


HF_BASE = {"model_type": "llama", "vocab_size": 50, "hidden_size": 32,
           "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4}  # fmt: skip


def test_llama_config_from_hf_reads_both_rope_layouts() -> None:
    new = LlamaConfig.from_hf_config(
        {**HF_BASE, "rope_parameters": {"rope_type": "linear", "rope_theta": 5e5, "factor": 4.0}}
    )
    old = LlamaConfig.from_hf_config(
        {**HF_BASE, "rope_theta": 5e5, "rope_scaling": {"type": "linear", "factor": 4.0}}
    )
    assert new == old
    assert new.rope_theta == 5e5 and new.rope_scaling == RopeScaling("linear", factor=4.0)
    plain = LlamaConfig.from_hf_config({**HF_BASE, "rope_theta": 1e4, "rope_scaling": None})
    assert plain.rope_scaling is None and plain.kv_heads == 4 and not plain.tie_embeddings
    assert LlamaConfig.from_hf_config(HF_BASE, dropout=0.1).dropout == 0.1


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"model_type": "mistral"}, "not a Llama"),
        ({"hidden_act": "gelu"}, "hidden_act='gelu'"),
        ({"head_dim": 16}, "head_dim=16"),
        ({"attention_bias": True}, "attention_bias=True and mlp_bias=False"),
        ({"rope_scaling": {"rope_type": "yarn", "factor": 2.0}}, "'yarn'"),
        ({"num_hidden_layers": None}, r"n_layers must be .*config.json's num_hidden_layers"),
    ],
)
def test_llama_config_from_hf_refuses_what_it_cannot_hold(changes, match) -> None:
    with pytest.raises(ValueError, match=match):
        LlamaConfig.from_hf_config({**HF_BASE, **changes})
    with pytest.raises(ValueError, match=r"lacks \['intermediate_size'\]"):
        LlamaConfig.from_hf_config({k: v for k, v in HF_BASE.items() if k != "intermediate_size"})


# --- parity with transformers ------------------------------------------------------------


def test_llama_logits_match_transformers(saved) -> None:
    theirs, folder = saved
    ours = Llama.from_pretrained(folder)
    assert ours.config.tie_embeddings == theirs.config.tie_word_embeddings
    assert (ours.lm_head.weight is ours.embed_tokens.weight) == ours.config.tie_embeddings
    ids = torch.randint(0, 50, (3, 40), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = theirs(ids).logits
        got = ours(ids)
    assert got.dtype == torch.float32
    assert (got - expected).abs().max() <= 1e-4


def test_llama_gradients_match_transformers(saved) -> None:
    theirs, folder = saved
    ours = Llama.from_pretrained(folder)
    ids = torch.randint(0, 50, (2, 12), generator=torch.Generator().manual_seed(2))
    targets = ids.roll(-1, dims=1)
    F.cross_entropy(theirs(ids).logits.flatten(0, 1), targets.flatten()).backward()
    F.cross_entropy(ours(ids).flatten(0, 1), targets.flatten()).backward()
    hf = dict(theirs.named_parameters())
    attn = "model.layers.1.self_attn."
    qkv_grad = torch.cat([hf[f"{attn}{p}_proj.weight"].grad for p in "qkv"])
    pairs = [
        (ours.layers[1].attn.qkv_proj.weight.grad, qkv_grad),
        (ours.layers[0].mlp.gate_proj.weight.grad, hf["model.layers.0.mlp.gate_proj.weight"].grad),
        (ours.layers[0].norm1.weight.grad, hf["model.layers.0.input_layernorm.weight"].grad),
        (ours.embed_tokens.weight.grad, hf["model.embed_tokens.weight"].grad),
    ]
    for got, expected in pairs:
        assert_close(got, expected, rtol=1e-4, atol=1e-5)


def test_llama_from_pretrained_reads_shards(tmp_path: Path) -> None:
    theirs = hf_model("mha-untied")
    theirs.save_pretrained(tmp_path, safe_serialization=True, max_shard_size="20KB")
    assert (tmp_path / "model.safetensors.index.json").is_file()
    assert len(list(tmp_path.glob("model-*.safetensors"))) > 1
    ours = Llama.from_pretrained(tmp_path)
    ids = torch.randint(0, 50, (1, 10))
    with torch.no_grad():
        assert (ours(ids) - theirs(ids).logits).abs().max() <= 1e-4


def test_llama_hf_names_cover_every_weight(saved) -> None:
    theirs, folder = saved
    ours = Llama.from_pretrained(folder)
    assert set(weight_names(ours, "hf")) == set(load_file(folder / "model.safetensors"))
    name, start, stop = weight_names(ours, "hf")["model.layers.0.self_attn.k_proj.weight"]
    assert (name, start, stop) == (
        "layers.0.attn.qkv_proj.weight",
        32,
        32 + 8 * ours.config.kv_heads,
    )


# --- loading errors -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def gqa_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hf-llama-errors")
    hf_model("gqa-tied").save_pretrained(folder, safe_serialization=True)
    return folder


def test_llama_load_names_a_missing_key(gqa_folder: Path, tmp_path: Path) -> None:
    key = "model.layers.1.self_attn.v_proj.weight"
    folder = rewrite(gqa_folder, tmp_path, edit_state=lambda s: s.pop(key))
    with pytest.raises(WeightsError, match=rf"missing \['{key}'\]"):
        Llama.from_pretrained(folder)


def test_llama_load_names_an_unexpected_key(gqa_folder: Path, tmp_path: Path) -> None:
    def add(state):
        state["model.layers.2.mlp.up_proj.weight"] = torch.zeros(48, 32)

    with pytest.raises(WeightsError, match=r"unexpected \['model.layers.2.mlp.up_proj.weight'\]"):
        Llama.from_pretrained(rewrite(gqa_folder, tmp_path, edit_state=add))


def test_llama_load_names_a_misshapen_key(gqa_folder: Path, tmp_path: Path) -> None:
    def grow(config):  # the config says 4 key/value heads, the weights hold 2
        config["num_key_value_heads"] = 4

    folder = rewrite(gqa_folder, tmp_path, edit_config=grow)
    with pytest.raises(
        WeightsError,
        match=r"model.layers.0.self_attn.k_proj.weight \(our layers.0.attn.qkv_proj.weight\): "
        r"the checkpoint has shape \(16, 32\), the model expects \(32, 32\)",
    ):
        Llama.from_pretrained(folder)


def test_llama_load_refuses_an_untied_head_for_a_tied_config(
    gqa_folder: Path, tmp_path: Path
) -> None:
    def add_head(state):
        state["lm_head.weight"] = torch.randn(50, 32)

    with pytest.raises(WeightsError, match="lm_head.weight differs"):
        Llama.from_pretrained(rewrite(gqa_folder, tmp_path, edit_state=add_head))


def test_llama_load_says_which_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="config.json not found"):
        Llama.from_pretrained(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps(HF_BASE))
    with pytest.raises(FileNotFoundError, match="neither model.safetensors nor"):
        Llama.from_pretrained(tmp_path)


# --- the model itself ---------------------------------------------------------------------


def test_llama_rejects_bad_inputs() -> None:
    model = Llama(LlamaConfig.from_name("tiny"))
    with pytest.raises(ValueError, match="int tensor of token ids"):
        model(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="exceed max_seq_len=32"):
        model(torch.zeros(1, 33, dtype=torch.long))
    with pytest.raises(ValueError, match="one KVCache per layer"):
        model(torch.zeros(1, 3, dtype=torch.long), model.new_caches()[:1])
    with pytest.raises(TypeError, match="config must be a LlamaConfig"):
        Llama({"dim": 32})  # type: ignore[arg-type]


def test_llama_fused_and_formula_agree() -> None:
    torch.manual_seed(0)
    fused = Llama(LlamaConfig.from_name("tiny"), fused=True).eval()
    formula = Llama(LlamaConfig.from_name("tiny"), fused=False).eval()
    formula.load_state_dict(fused.state_dict())
    ids = torch.randint(0, 65, (2, 20))
    assert_close(fused(ids), formula(ids), rtol=1e-5, atol=1e-5)


def test_llama_last_only_scores_the_last_position() -> None:
    torch.manual_seed(0)
    model = Llama(LlamaConfig.from_name("tiny")).eval()
    ids = torch.randint(0, 65, (2, 9))
    last = model(ids, last_only=True)
    assert last.shape == (2, 1, 65)
    assert_close(last, model(ids)[:, -1:])


def test_llama_last_only_still_caches_every_position() -> None:
    # The top layer attends only the last query, but its cache must hold every position:
    # the next step, which attends them all, gives what it gives after a full pass.
    torch.manual_seed(0)
    model = Llama(LlamaConfig.from_name("tiny")).eval()
    ids = torch.randint(0, 65, (2, 9))
    real = torch.ones(2, 10, dtype=torch.bool)
    real[0, :3] = False  # row 0 left-padded
    short, full = model.new_caches(2, 10), model.new_caches(2, 10)
    mask = real[:, None, None, :9]
    assert_close(model(ids, short, attn_mask=mask, last_only=True),
                 model(ids, full, attn_mask=mask)[:, -1:])  # fmt: skip
    step = torch.randint(0, 65, (2, 1))
    assert_close(model(step, short, attn_mask=real[:, None, None, :]),
                 model(step, full, attn_mask=real[:, None, None, :]))  # fmt: skip


def test_llama_masked_left_padding_changes_nothing() -> None:
    # RoPE scores depend only on relative positions, so a row shifted right by masked
    # padding gives the same logits: what batched generation with left padding relies on.
    torch.manual_seed(0)
    model = Llama(LlamaConfig.from_name("tiny")).eval()
    short, long = torch.randint(0, 65, (1, 5)), torch.randint(0, 65, (1, 8))
    batch = torch.cat([torch.cat([torch.zeros(1, 3, dtype=torch.long), short], 1), long])
    mask = torch.ones(2, 1, 1, 8, dtype=torch.bool)
    mask[0, ..., :3] = False
    with torch.no_grad():
        logits = model(batch, attn_mask=mask)
        assert_close(logits[0, 3:], model(short)[0], rtol=1e-5, atol=1e-5)
        assert_close(logits[1], model(long)[0], rtol=1e-5, atol=1e-5)


def test_llama_trains_on_a_toy_sequence() -> None:
    torch.manual_seed(0)
    config = LlamaConfig.from_name("tiny").replace(vocab_size=12, tie_embeddings=False)
    model = Llama(config)
    data = torch.arange(24).remainder(12)[None]  # 0 1 2 ... 11 0 1 ...: next = this + 1
    inputs, targets = data[:, :-1], data[:, 1:]
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(60):
        loss = F.cross_entropy(model(inputs).flatten(0, 1), targets.flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[0] > 2.0  # about ln 12 = 2.48 at the start
    assert losses[-1] < 0.1 * losses[0]


@settings(max_examples=15, deadline=None)
@given(
    n_heads=st.sampled_from([1, 2, 4]),
    group=st.sampled_from([1, 2, 4]),
    head_dim=st.sampled_from([2, 4, 8]),
    n_layers=st.integers(1, 2),
    length=st.integers(2, 12),
    prefill=st.integers(0, 11),
    tie=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_llama_cached_decoding_equals_full_forward(
    n_heads, group, head_dim, n_layers, length, prefill, tie, seed
) -> None:
    group = min(group, n_heads)
    n_kv = n_heads // group if n_heads % group == 0 else n_heads
    config = LlamaConfig(vocab_size=20, dim=n_heads * head_dim, n_layers=n_layers,
                         n_heads=n_heads, n_kv_heads=n_kv, hidden_dim=16, max_seq_len=16,
                         tie_embeddings=tie)  # fmt: skip
    torch.manual_seed(seed)
    model = Llama(config).eval()
    ids = torch.randint(0, 20, (2, length))
    prefill = min(prefill, length - 1)
    with torch.no_grad():
        full = model(ids)
        caches = model.new_caches()
        steps = [model(ids[:, :prefill], caches)] if prefill else []
        steps += [model(ids[:, t : t + 1], caches) for t in range(prefill, length)]
        # future tokens never change past logits
        assert_close(model(ids[:, : length - 1]), full[:, :-1], rtol=1e-5, atol=1e-5)
    assert len(caches[0]) == length
    assert_close(torch.cat(steps, dim=1), full, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("batch", [1, 2])
def test_llama_decoding_layout_and_threads_change_no_logits(batch: int) -> None:
    # The decoding paths (weights stored transposed and back to back, products split
    # over two threads, SwiGLU's gate and up in one call) against the plain model.
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, dim=32, n_layers=2, n_heads=4, n_kv_heads=2,
                         hidden_dim=48, max_seq_len=16, tie_embeddings=True)  # fmt: skip
    plain = Llama(config).eval()
    fast = transpose_weight_storage(copy.deepcopy(plain))
    ids = torch.randint(0, 64, (batch, 10))
    threads = torch.get_num_threads()
    try:
        with torch.no_grad():
            expected = plain(ids)
            torch.set_num_threads(2)
            caches = fast.new_caches(batch, 10)
            steps = [fast(ids[:, :4], caches)]
            steps += [fast(ids[:, t : t + 1], caches) for t in range(4, 10)]
    finally:
        torch.set_num_threads(threads)
    assert_close(torch.cat(steps, dim=1), expected, rtol=1e-5, atol=1e-5)


# --- GGUF ---------------------------------------------------------------------------------


def llama_cpp_permute(weight: torch.Tensor, n_heads: int) -> torch.Tensor:
    """What llama.cpp's convert_hf_to_gguf.py does to q_proj/k_proj: each head's rows from
    half-split RoPE order to interleaved (row i -> 2i, row i + d/2 -> 2i + 1)."""
    rows = weight.shape[0]
    return weight.reshape(n_heads, 2, rows // n_heads // 2, -1).swapaxes(1, 2).reshape(rows, -1)


def write_gguf(theirs, path: Path) -> None:
    """The tiny transformers model as llama.cpp would convert it, in float32."""
    from gguf import GGUFWriter

    cfg = theirs.config
    writer = GGUFWriter(str(path), "llama")
    writer.add_block_count(cfg.num_hidden_layers)
    writer.add_context_length(cfg.max_position_embeddings)
    writer.add_embedding_length(cfg.hidden_size)
    writer.add_feed_forward_length(cfg.intermediate_size)
    writer.add_head_count(cfg.num_attention_heads)
    writer.add_head_count_kv(cfg.num_key_value_heads)
    writer.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    writer.add_rope_freq_base(cfg.rope_parameters["rope_theta"])
    writer.add_vocab_size(cfg.vocab_size)
    names = {"model.embed_tokens": "token_embd", "model.norm": "output_norm", "lm_head": "output",
             "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm",
             "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
             "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate",
             "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}  # fmt: skip
    for key, value in theirs.state_dict().items():
        if key == "lm_head.weight" and cfg.tie_word_embeddings:
            continue
        stem, part = key.rsplit(".", 1)
        if stem.startswith("model.layers."):
            layer, inner = stem[len("model.layers.") :].split(".", 1)
            name = f"blk.{layer}.{names[inner]}.{part}"
        else:
            name = f"{names[stem]}.{part}"
        if "q_proj" in key:
            value = llama_cpp_permute(value, cfg.num_attention_heads)
        elif "k_proj" in key:
            value = llama_cpp_permute(value, cfg.num_key_value_heads)
        writer.add_tensor(name, value.contiguous().numpy())
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


@pytest.mark.parametrize("variant", ["gqa-tied", "mha-untied"])
def test_llama_from_gguf_matches_transformers(variant: str, tmp_path: Path) -> None:
    theirs = hf_model(variant)
    write_gguf(theirs, tmp_path / "tiny.gguf")
    ours = Llama.from_gguf(tmp_path / "tiny.gguf")
    assert ours.config.tie_embeddings == theirs.config.tie_word_embeddings
    assert ours.config.kv_heads == theirs.config.num_key_value_heads
    ids = torch.randint(0, 50, (2, 30), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        assert (ours(ids) - theirs(ids).logits).abs().max() <= 1e-4


def test_llama_from_gguf_names_a_misshapen_tensor(tmp_path: Path) -> None:
    theirs = hf_model("gqa-tied")
    with torch.no_grad():  # a wider feed-forward than the metadata says
        layer = theirs.model.layers[1].mlp
        layer.up_proj.weight = torch.nn.Parameter(torch.zeros(64, 32))
    write_gguf(theirs, tmp_path / "bad.gguf")
    with pytest.raises(WeightsError, match=r"blk.1.ffn_up.weight \(our layers.1.mlp.up_proj"):
        Llama.from_gguf(tmp_path / "bad.gguf")


def test_llama_from_gguf_metadata_refuses_other_models() -> None:
    with pytest.raises(ValueError, match="holds a 'gpt2' model"):
        LlamaConfig.from_gguf_metadata({"general.architecture": "gpt2"})
    with pytest.raises(ValueError, match=r"lacks \['llama.embedding_length', 'llama.block_count'"):
        LlamaConfig.from_gguf_metadata({"general.architecture": "llama"})


@pytest.mark.slow
def test_llama_smollm2_gguf_logits_match_transformers() -> None:
    # transformers reads the same GGUF file (dequantizing with gguf's code and undoing
    # llama.cpp's permutation itself): see tests/support/smollm2.py.
    from support.smollm2 import transformers_smollm2

    from nlpjourney import data

    path = data.path("smollm2_135m_instruct")
    ours = Llama.from_gguf(path)
    assert ours.config == LlamaConfig.from_name("smollm2-135m").replace(
        norm_eps=ours.config.norm_eps  # float32's 1e-5 in the file
    )
    theirs, missing = transformers_smollm2()
    assert missing == {"lm_head.weight"}
    ids = torch.randint(0, 49152, (4, 32), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert (ours(ids) - theirs(ids).logits).abs().max() <= 1e-3


def test_llama_static_caches_give_the_growing_caches_logits() -> None:
    torch.manual_seed(3)
    model = Llama(LlamaConfig.from_name("tiny")).eval()
    ids = torch.randint(0, 65, (2, 9))
    with torch.no_grad():
        growing, static = model.new_caches(), model.new_caches(2, capacity=9)
        assert type(static[0]).__name__ == "StaticKVCache"
        for caches in (growing, static):
            steps = [model(ids[:, :4], caches)] + [
                model(ids[:, t : t + 1], caches) for t in range(4, 9)
            ]
            if caches is growing:
                expected = torch.cat(steps, 1)
        assert_close(torch.cat(steps, 1), expected)
        assert_close(expected, model(ids), rtol=1e-5, atol=1e-5)
        with pytest.raises(ValueError, match="holds 9 positions"):
            model(ids[:, :1], static)
    with pytest.raises(ValueError, match="exceeds max_seq_len=32"):
        model.new_caches(1, capacity=33)
