"""Tests for nlpjourney.serve.export: a Llama written for vLLM (Hugging Face folder) and
llama.cpp (GGUF), read back by ``transformers``, the ``gguf`` package and our own loaders.

Fast: a tiny Hugging Face Llama (biases, untied head, grouped heads) with a small BPE
tokenizer and a chat template, a tiny ``journey train llama`` run folder with a character
tokenizer, and a tiny ``journey train gpt`` run (written as GPT-2), each exported to both
formats. Slow: SmolLM2, exported once per format for the module.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from nlpjourney.errors import JourneyError
from nlpjourney.infer import generate
from nlpjourney.models import GPT, GPTConfig, Llama, LlamaConfig, load
from nlpjourney.models.llama_weights import unpermute_rope_rows
from nlpjourney.serve import export_model
from nlpjourney.serve.export import ExportError, rope_interleave_rows
from nlpjourney.tokenizers import CharTokenizer, train_bpe
from nlpjourney.tokenizers.gguf import tokenizer_from_gguf
from nlpjourney.train.checkpoint import save_checkpoint

TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
TEXT = "The quick brown fox jumps over the lazy dog 12 times.\nThen it rests, quietly. " * 20
MESSAGES = [{"role": "user", "content": "Does the quick fox rest?\nSay 42."}]


def transformers_gguf(path: Path):  # -> LlamaForCausalLM
    """transformers' model from a GGUF file: its own config and tensor conversion
    (``from_pretrained(gguf_file=...)`` wants accelerate; see tests/support/smollm2.py)."""
    from transformers import LlamaForCausalLM
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

    model = LlamaForCausalLM(transformers_gguf_config(path))
    tensors = load_gguf_checkpoint(path, return_tensors=True, model_to_load=model)["tensors"]
    missing = model.load_state_dict(tensors, strict=False).missing_keys
    assert set(missing) <= {"lm_head.weight"} and model.config.tie_word_embeddings == bool(missing)
    model.tie_weights()
    return model.eval()


def transformers_gguf_config(path: Path):  # -> transformers.LlamaConfig
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(path.parent, gguf_file=path.name)


@pytest.fixture(scope="module")
def hf_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A tiny transformers Llama folder with our BPE tokenizer and a chat template."""
    from transformers import LlamaConfig as HFLlamaConfig
    from transformers import LlamaForCausalLM

    folder = tmp_path_factory.mktemp("hf-source")
    tokenizer = train_bpe([TEXT], 300, special_tokens=["<|im_start|>", "<|im_end|>"])
    torch.manual_seed(0)
    config = HFLlamaConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, intermediate_size=48,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=64, attention_bias=True, mlp_bias=True,
        tie_word_embeddings=False, rope_theta=500.0, rms_norm_eps=1e-6,
    )  # fmt: skip
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():  # biases start at zero: make them count
        for name, param in model.named_parameters():
            if name.endswith("bias"):
                param.normal_(0, 0.5)
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save(folder / "tokenizer.json")
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"chat_template": TEMPLATE, "bos_token": "<|im_start|>", "eos_token": "<|im_end|>"}
    ))  # fmt: skip
    return folder, model


@pytest.fixture(scope="module")
def run_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Llama]:
    """A tiny run folder as journey train llama leaves it (character tokenizer)."""
    folder = tmp_path_factory.mktemp("runs") / "llama-tiny"
    tokenizer = CharTokenizer.from_text(TEXT)
    torch.manual_seed(1)
    config = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size)
    model = Llama(config).eval()
    meta = {"kind": "nlpjourney.models.llama", "preset": "tiny",
            "model_config": config.to_dict(), "tokenizer": tokenizer.to_dict()}  # fmt: skip
    save_checkpoint(folder / "ckpt.pt", {"model": model.state_dict(), "optimizer": {},
                                         "config": {}, "step": 1, "rng": {}, "meta": meta})  # fmt: skip
    return folder, model


def test_export_safetensors_of_a_hugging_face_folder_loads_unchanged(hf_source, tmp_path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source, theirs = hf_source
    out = export_model(source, tmp_path / "out", "safetensors")
    assert {p.name for p in out.iterdir()} == {
        "config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
        "tokenizer_config.json", "special_tokens_map.json",
    }  # fmt: skip
    config = json.loads((out / "config.json").read_text())
    assert config["architectures"] == ["LlamaForCausalLM"] and config["num_key_value_heads"] == 2
    assert (config["attention_bias"], config["tie_word_embeddings"]) == (True, False)
    model = AutoModelForCausalLM.from_pretrained(out).eval()
    tokenizer = AutoTokenizer.from_pretrained(out)
    ours = load(source)
    ids = ours.tokenizer.apply_chat_template(MESSAGES, tokenize=True)
    assert tokenizer.apply_chat_template(MESSAGES, tokenize=True, add_generation_prompt=True,
                                         return_dict=False) == ids  # fmt: skip
    assert tokenizer(TEXT[:90], add_special_tokens=False)["input_ids"] == ours.tokenizer.encode(
        TEXT[:90]
    )
    assert (tokenizer.eos_token, tokenizer.pad_token) == ("<|im_end|>", "<|im_end|>")
    batch = torch.tensor([ids])
    with torch.no_grad():
        expected = theirs(batch).logits
        assert_close(model(batch).logits, expected, rtol=1e-5, atol=1e-5)
        assert_close(load(out).model(batch), expected, rtol=1e-5, atol=1e-5)


def test_export_gguf_of_a_hugging_face_folder_reads_back(hf_source, tmp_path) -> None:
    from gguf import GGUFReader

    source, theirs = hf_source
    path = export_model(source, tmp_path / "tiny.gguf", "gguf")
    reader = GGUFReader(path)
    fields = {key: field.contents() for key, field in reader.fields.items()}
    assert fields["general.architecture"] == "llama"
    assert (fields["llama.embedding_length"], fields["llama.block_count"]) == (32, 2)
    assert (fields["llama.attention.head_count"], fields["llama.attention.head_count_kv"]) == (4, 2)
    assert (fields["llama.feed_forward_length"], fields["llama.context_length"]) == (48, 64)
    assert fields["llama.rope.freq_base"] == 500.0 and fields["llama.rope.dimension_count"] == 8
    assert fields["llama.attention.layer_norm_rms_epsilon"] == pytest.approx(1e-6)
    assert (fields["tokenizer.ggml.model"], fields["tokenizer.ggml.pre"]) == ("gpt2", "gpt-2")
    assert fields["tokenizer.chat_template"] == TEMPLATE
    ours = load(source)
    vocab = ours.tokenizer.vocab_size
    assert fields["llama.vocab_size"] == len(fields["tokenizer.ggml.tokens"]) == vocab
    assert fields["tokenizer.ggml.eos_token_id"] == ours.tokenizer.token_to_id("<|im_end|>")
    tensors = {t.name: (tuple(int(n) for n in t.shape), t.tensor_type.name) for t in reader.tensors}
    assert tensors["token_embd.weight"] == ((32, vocab), "F32")  # ggml's order: ne
    assert tensors["blk.1.attn_k.weight"] == ((32, 16), "F32")
    assert tensors["blk.0.attn_q.bias"] == ((32,), "F32") and "output.weight" in tensors
    assert len(tensors) == 3 + 2 * 16  # embeddings, head, norm; 16 per block with biases
    tokenizer = tokenizer_from_gguf(path)
    ids = tokenizer.apply_chat_template(MESSAGES, tokenize=True)
    assert ids == ours.tokenizer.apply_chat_template(MESSAGES, tokenize=True)
    batch = torch.tensor([ids])
    with torch.no_grad():
        expected = theirs(batch).logits
        assert_close(Llama.from_gguf(path)(batch), expected, rtol=1e-5, atol=1e-5)
    # transformers' GGUF reader builds Llamas without biases (it drops bias tensors), so
    # its logits are compared on the bias-free run below; here, that it reads the shape.
    config = transformers_gguf_config(path)
    assert (config.num_key_value_heads, config.intermediate_size) == (2, 48)
    assert config.rope_parameters["rope_theta"] == 500


def test_export_run_folder_to_both_formats(run_source, tmp_path) -> None:
    from gguf import GGUFReader
    from transformers import AutoModelForCausalLM, AutoTokenizer

    run, model = run_source
    folder = export_model(run, tmp_path / "hf", "safetensors")
    gguf_path = export_model(run, tmp_path / "tiny.gguf", "gguf")
    half_path = export_model(run, tmp_path / "half.gguf", "gguf", dtype="float16")
    text = "the lazy dog rests.\nThen"
    tokenizer = CharTokenizer.from_text(TEXT)
    assert AutoTokenizer.from_pretrained(folder)(text)["input_ids"] == tokenizer.encode(text)
    assert tokenizer_from_gguf(gguf_path).encode(text) == tokenizer.encode(text)
    batch = torch.tensor([tokenizer.encode(text)])
    with torch.no_grad():
        expected = model(batch)
        hf = AutoModelForCausalLM.from_pretrained(folder).eval()
        assert hf.config.tie_word_embeddings
        assert_close(hf(batch).logits, expected, rtol=1e-5, atol=1e-5)
        assert_close(Llama.from_gguf(gguf_path)(batch), expected, rtol=1e-5, atol=1e-5)
        assert_close(transformers_gguf(gguf_path)(batch).logits, expected, rtol=1e-5, atol=1e-5)
        # float16 weights: the logits move by about the weights' rounding.
        assert_close(Llama.from_gguf(half_path)(batch), expected, rtol=0, atol=2e-3)
        half_folder = export_model(run, tmp_path / "half", "safetensors", dtype="float16")
        assert json.loads((half_folder / "config.json").read_text())["torch_dtype"] == "float16"
        hf_half = AutoModelForCausalLM.from_pretrained(half_folder, dtype=torch.float32).eval()
        assert_close(hf_half(batch).logits, expected, rtol=0, atol=2e-3)
        assert_close(load(half_folder).model(batch), hf_half(batch).logits, rtol=1e-5, atol=1e-5)
    # A GGUF file is a source too: back to a Hugging Face folder, same logits.
    again = export_model(gguf_path, tmp_path / "again", "safetensors")
    with torch.no_grad():
        hf_again = AutoModelForCausalLM.from_pretrained(again).eval()
        assert_close(hf_again(batch).logits, expected, rtol=1e-5, atol=1e-5)
    types = {t.name: t.tensor_type.name for t in GGUFReader(half_path).tensors}
    assert (types["blk.0.ffn_up.weight"], types["blk.0.ffn_norm.weight"]) == ("F16", "F32")


def test_export_refuses_what_it_cannot_do(run_source, tmp_path) -> None:
    run, _ = run_source
    taken = tmp_path / "taken.gguf"
    taken.write_bytes(b"precious")
    with pytest.raises(ExportError, match=r"taken.gguf exists; add --force"):
        export_model(run, taken, "gguf")
    assert taken.read_bytes() == b"precious"
    export_model(run, taken, "gguf", force=True)
    assert taken.read_bytes()[:4] == b"GGUF"
    with pytest.raises(ExportError, match="format must be one of safetensors, gguf"):
        export_model(run, tmp_path / "x", "onnx")  # type: ignore[arg-type]
    with pytest.raises(ExportError, match="'smollm2-135m' is not a known model"):
        export_model("smollm2-135m", tmp_path / "y", "gguf")
    with pytest.raises(ExportError, match="runs/missing does not exist"):
        export_model("runs/missing", tmp_path / "y", "gguf")
    with pytest.raises(ExportError, match="neither ckpt.pt .* nor config.json"):
        export_model(tmp_path, tmp_path / "z", "gguf")
    assert not (tmp_path / "x").exists() and not (tmp_path / "z").exists()
    gpt = gpt_run(tmp_path / "gpt-run", bias=False)
    with pytest.raises(ExportError, match="this GPT has no biases"):
        export_model(gpt, tmp_path / "gpt", "safetensors")
    (gpt / "ckpt.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(JourneyError, match="corrupt or not a checkpoint"):
        export_model(gpt, tmp_path / "gpt", "safetensors")
    assert not (tmp_path / "gpt").exists() and not (tmp_path / "gpt.partial").exists()


def gpt_run(folder: Path, bias: bool = True) -> Path:
    """A tiny run folder as journey train gpt leaves it."""
    tokenizer = CharTokenizer.from_text(TEXT)
    config = GPTConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size, bias=bias)
    torch.manual_seed(2)
    meta = {"kind": "nlpjourney.models.gpt", "preset": "tiny",
            "model_config": config.to_dict(), "tokenizer": tokenizer.to_dict()}  # fmt: skip
    save_checkpoint(folder / "ckpt.pt", {"model": GPT(config).state_dict(), "optimizer": {},
                                         "config": {}, "step": 1, "rng": {}, "meta": meta})  # fmt: skip
    return folder


def test_export_gpt_run_as_gpt2_to_both_formats(tmp_path) -> None:
    from gguf import GGUFReader
    from transformers import AutoModelForCausalLM, GPT2LMHeadModel
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

    from nlpjourney.apps.gpt import load_run

    run = gpt_run(tmp_path / "gpt-run")
    model, tokenizer = load_run(run)
    folder = export_model(run, tmp_path / "hf", "safetensors")
    path = export_model(run, tmp_path / "gpt.gguf", "gguf")
    assert json.loads((folder / "config.json").read_text())["architectures"] == ["GPT2LMHeadModel"]
    assert GPT.from_pretrained(folder).config == model.config  # our own GPT-2 reader too
    fields = {key: field.contents() for key, field in GGUFReader(path).fields.items()}
    assert fields["general.architecture"] == "gpt2"
    assert (fields["gpt2.context_length"], fields["gpt2.embedding_length"]) == (32, 32)
    assert (fields["gpt2.block_count"], fields["gpt2.attention.head_count"]) == (2, 2)
    assert fields["gpt2.feed_forward_length"] == 128
    config = transformers_gguf_config(path)
    # transformers' GGUF reader maps context_length to n_ctx only; wpe needs n_positions.
    config.n_positions = config.n_ctx
    from_gguf = GPT2LMHeadModel(config)
    tensors = load_gguf_checkpoint(path, return_tensors=True, model_to_load=from_gguf)["tensors"]
    assert not from_gguf.load_state_dict(tensors, strict=False).missing_keys
    batch = torch.tensor([tokenizer.encode("the lazy dog rests.")])
    with torch.no_grad():
        expected = model(batch)
        theirs = AutoModelForCausalLM.from_pretrained(folder).eval()
        assert_close(theirs(batch).logits, expected, rtol=1e-5, atol=1e-5)
        assert_close(from_gguf.eval()(batch).logits, expected, rtol=1e-5, atol=1e-5)


def test_export_refuses_a_non_ascii_character_tokenizer_for_gguf(tmp_path) -> None:
    tokenizer = CharTokenizer.from_text("abcé")
    config = LlamaConfig.from_name("tiny").replace(vocab_size=4)
    meta = {"kind": "nlpjourney.models.llama", "preset": "tiny",
            "model_config": config.to_dict(), "tokenizer": tokenizer.to_dict()}  # fmt: skip
    save_checkpoint(tmp_path / "run" / "ckpt.pt", {"model": Llama(config).state_dict(),
                    "optimizer": {}, "config": {}, "step": 1, "rng": {}, "meta": meta})  # fmt: skip
    with pytest.raises(ExportError, match="CharTokenizer with non-ASCII characters"):
        export_model(tmp_path / "run", tmp_path / "x.gguf", "gguf")
    assert not (tmp_path / "x.gguf").exists()


@settings(max_examples=30, deadline=None)
@given(heads=st.integers(1, 4), half=st.integers(1, 6), cols=st.integers(1, 3))
def test_export_rope_interleave_rows_inverts_the_readers_unpermute(heads, half, cols) -> None:
    weight = torch.randn(heads * 2 * half, cols)
    interleaved = rope_interleave_rows(weight, heads)
    assert torch.equal(unpermute_rope_rows(interleaved, heads), weight)
    head = torch.arange(2 * half)  # one head, rows 0..d-1: i -> 2i, i + d/2 -> 2i + 1
    moved = rope_interleave_rows(head[:, None], 1)[:, 0]
    assert torch.equal(moved[0::2], head[:half]) and torch.equal(moved[1::2], head[half:])


# --- SmolLM2 -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smollm2_exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """SmolLM2 exported once in each format (about 540 MB each)."""
    root = tmp_path_factory.mktemp("smollm2")
    folder = export_model("smollm2-135m-instruct", root / "smollm2-135m-instruct", "safetensors")
    return folder, export_model("smollm2-135m-instruct", root / "smollm2.gguf", "gguf")


@pytest.mark.slow
def test_export_smollm2_safetensors_matches_transformers_and_reloads(smollm2_exports) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, _ = smollm2_exports
    ours = load("smollm2-135m-instruct")
    messages = [{"role": "user", "content": "What is 12 + 30? Answer in 1 word.\n  Thanks!"}]
    ids = ours.tokenizer.apply_chat_template(messages, tokenize=True)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=True,
                                         return_dict=False) == ids  # fmt: skip
    text = "Paris is the capital of France; in 2024, 1,234 people said héllo.  \n\n ok"
    assert tokenizer(text)["input_ids"] == ours.tokenizer.encode(text)
    assert (tokenizer.eos_token, tokenizer.pad_token) == ("<|im_end|>", "<|im_end|>")
    assert tokenizer.unk_token == "<|endoftext|>"
    config = json.loads((folder / "config.json").read_text())
    assert (config["tie_word_embeddings"], config["rope_theta"], config["eos_token_id"]) == (
        True, 100000.0, 2,
    )  # fmt: skip
    batch = torch.tensor([ids])
    model = AutoModelForCausalLM.from_pretrained(folder).eval()
    with torch.no_grad():
        expected = ours.model(batch)
        assert_close(model(batch).logits, expected, rtol=1e-4, atol=1e-4)
        assert_close(load(folder).model(batch), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.slow
def test_export_smollm2_gguf_reads_back_in_gguf_transformers_and_ours(smollm2_exports) -> None:
    from gguf import GGUFReader

    from nlpjourney import data
    from nlpjourney.data.gguf import read_metadata

    _, path = smollm2_exports
    original = read_metadata(data.path("smollm2_135m_instruct"))
    reader = GGUFReader(path)
    fields = {key: field.contents() for key, field in reader.fields.items()}
    for key, value in original.items():  # every key llama.cpp reads comes across
        if key.startswith(("llama.", "tokenizer.")):
            assert fields[key] == (pytest.approx(value) if isinstance(value, float) else value), key
    assert fields["general.file_type"] == 0 and fields["general.architecture"] == "llama"
    types = {t.tensor_type.name for t in reader.tensors}
    assert types == {"F32"} and len(reader.tensors) == 1 + 30 * 9 + 1
    q = next(t for t in reader.tensors if t.name == "blk.0.attn_q.weight")
    assert tuple(int(n) for n in q.shape) == (576, 576)
    ours = load("smollm2-135m-instruct")
    messages = [{"role": "user", "content": "Name three colours."}]
    ids = ours.tokenizer.apply_chat_template(messages, tokenize=True)
    assert tokenizer_from_gguf(path).apply_chat_template(messages, tokenize=True) == ids
    batch = torch.tensor([ids])
    with torch.no_grad():
        expected = ours.model(batch)
        assert_close(Llama.from_gguf(path)(batch), expected, rtol=1e-4, atol=1e-4)
        assert_close(transformers_gguf(path)(batch).logits, expected, rtol=1e-4, atol=1e-4)
    assert np.isfinite(expected.numpy()).all()


def test_export_gguf_pads_a_vocabulary_the_model_outgrows(tmp_path) -> None:
    # A model may score more ids than its tokenizer has (a vocabulary padded to a round
    # size); llama.cpp needs one token per row, so the extra rows get unused placeholders.
    from nlpjourney.serve.export import Source
    from nlpjourney.serve.export_files import gguf_metadata

    tokenizer = train_bpe([TEXT], 270, special_tokens=["<|end|>"])
    config = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size + 2)
    metadata = gguf_metadata(Source("padded", Llama(config), tokenizer), "float32")
    tokens, types = metadata["tokenizer.ggml.tokens"], metadata["tokenizer.ggml.token_type"]
    assert len(tokens) == len(types) == config.vocab_size
    assert tokens[-2:] == ["[PAD270]", "[PAD271]"] and types[-2:] == [5, 5]
    assert types[tokenizer.token_to_id("<|end|>")] == 3 and types[0] == 1


def test_export_what_journey_serve_takes_as_model(run_source, tmp_path) -> None:
    """--model takes the run folder and both of its exports; each writes the same text."""
    from nlpjourney.infer.generate import Sampler
    from nlpjourney.serve.models import load_chat_model
    from nlpjourney.serve.requests import Finished, GenerationRequest, Tokens

    run, model = run_source
    sources = [run, export_model(run, tmp_path / "hf", "safetensors"),
               export_model(run, tmp_path / "tiny.gguf", "gguf")]  # fmt: skip
    texts = []
    for source in sources:
        served = load_chat_model(source, device="cpu", max_batch=2, context=32)
        events: list[object] = []
        ids = served.tokenizer.encode("the lazy dog")
        served.engine.submit(GenerationRequest(ids, 12, Sampler(0.0, None, None, 1.0, None),
                                               events.append))  # fmt: skip
        while not any(isinstance(e, Finished) for e in events):
            served.engine.step()
        texts.append("".join(e.text for e in events if isinstance(e, Tokens)))
    assert [s.name for s in sources][1:] == ["hf", "tiny.gguf"]
    assert texts[0] == texts[1] == texts[2] == generate(model, CharTokenizer.from_text(TEXT),
                                                        "the lazy dog", max_new_tokens=12)  # fmt: skip
