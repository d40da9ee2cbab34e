"""Tests for nlpjourney.models.pretrained: models by name or folder, with their tokenizers.

A tiny Hugging Face Llama saved with a tokenizer.json loads as a :class:`Pretrained`
giving transformers' logits; unknown names and missing tokenizers are clear errors. Slow:
SmolLM2's tokenizer has the GGUF file's vocabulary, and greedy generation with
:func:`nlpjourney.infer.generate` gives ``transformers``' tokens on the same weights.
"""

from __future__ import annotations

import pytest
import torch
from torch.testing import assert_close

from nlpjourney.errors import UnknownNameError
from nlpjourney.infer import generate
from nlpjourney.models import Llama, Pretrained, load
from nlpjourney.tokenizers import CharTokenizer, TokenizerFileError


def saved_llama(folder, vocab_size: int = 50):  # -> LlamaForCausalLM
    from transformers import LlamaConfig as HFLlamaConfig
    from transformers import LlamaForCausalLM

    torch.manual_seed(0)
    config = HFLlamaConfig(vocab_size=vocab_size, hidden_size=32, intermediate_size=48,
                           num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                           max_position_embeddings=64)  # fmt: skip
    model = LlamaForCausalLM(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    return model


def test_pretrained_loads_a_hugging_face_folder(tmp_path) -> None:
    theirs = saved_llama(tmp_path, vocab_size=10)
    CharTokenizer.from_text("abcdefghij").save(tmp_path / "tokenizer.json")
    loaded = load(tmp_path)
    assert isinstance(loaded, Pretrained) and isinstance(loaded.model, Llama)
    assert loaded.config is loaded.model.config and not loaded.model.training
    ids = torch.tensor([loaded.tokenizer.encode("abcjj")])
    with torch.no_grad():
        assert_close(loaded.model(ids), theirs(ids).logits, rtol=1e-4, atol=1e-4)
    assert len(generate(loaded.model, loaded.tokenizer, "ab", max_new_tokens=4)) == 4
    assert load(str(tmp_path)).config == loaded.config  # a str path too


def test_pretrained_errors_name_what_is_wrong(tmp_path) -> None:
    with pytest.raises(UnknownNameError, match="Known: smollm2-135m-instruct"):
        load("smollm2-135m")
    saved_llama(tmp_path, vocab_size=5)
    with pytest.raises(TokenizerFileError, match="the weights load, but not the tokenizer"):
        load(tmp_path)
    CharTokenizer.from_text("abcdefghij").save(tmp_path / "tokenizer.json")
    with pytest.raises(ValueError, match="the tokenizer has 10 ids but the model scores 5"):
        load(tmp_path)


@pytest.mark.slow
def test_pretrained_smollm2_tokenizer_has_the_gguf_vocabulary() -> None:
    from nlpjourney import data, tokenizers
    from nlpjourney.data.gguf import read_metadata

    tokens = read_metadata(data.path("smollm2_135m_instruct"))["tokenizer.ggml.tokens"]
    tokenizer = tokenizers.load("smollm2")
    assert tokenizer.vocab_size == len(tokens) == 49152
    assert [tokenizer.id_to_token(i) for i in range(len(tokens))] == tokens


@pytest.mark.slow
def test_pretrained_smollm2_greedy_generation_matches_transformers() -> None:
    # transformers reads the same GGUF (as tests/models/test_llama.py does, with the same
    # helper: its GGUF reader called directly, see tests/support/smollm2.py).
    from support.smollm2 import transformers_smollm2

    ours = load("smollm2-135m-instruct")
    theirs, missing = transformers_smollm2()
    assert missing == {"lm_head.weight"}
    end = ours.tokenizer.token_to_id("<|im_end|>")
    questions = ["What is the capital of France?", "Write a haiku about the sea.",
                 "Explain what a language model is, in two sentences."]  # fmt: skip
    chats = [[{"role": "user", "content": q}] for q in questions]
    texts = generate(ours.model, ours.tokenizer, chats, max_new_tokens=64)
    for chat, text in zip(chats, texts, strict=True):
        prompt = ours.tokenizer.apply_chat_template(chat, add_generation_prompt=True)
        ids = torch.tensor([ours.tokenizer.encode(prompt)])
        with torch.no_grad():
            out = theirs.generate(ids, max_new_tokens=64, do_sample=False, eos_token_id=end,
                                  pad_token_id=end, attention_mask=torch.ones_like(ids))  # fmt: skip
        new = out[0, ids.shape[1] :].tolist()
        new = new[: new.index(end)] if end in new else new
        assert text == ours.tokenizer.decode(new)
        assert generate(ours.model, ours.tokenizer, chat, max_new_tokens=64) == text
