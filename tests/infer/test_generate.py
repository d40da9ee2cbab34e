"""Tests for nlpjourney.infer.generate on tiny random Llama and GPT models.

Properties: greedy decoding with the KV caches equals greedy decoding by recomputing the
whole sequence each step (hypothesis over tiny configs); a batch with left padding equals
its prompts one by one; the streamed pieces join to the text; a seed repeats a sample;
``top_k=1`` is greedy; stop strings and end tokens end the text; a token ending inside a
UTF-8 character is held back. The slow test compares greedy generation on SmolLM2 with
``transformers``' ``generate`` on the same weights.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from nlpjourney.infer import generate
from nlpjourney.infer.generate import TextStream, top_k_filter, top_p_filter
from nlpjourney.models import GPT, GPTConfig, Llama, LlamaConfig
from nlpjourney.models.sampling import sample_next
from nlpjourney.tokenizers import CharTokenizer

TOKENIZER = CharTokenizer.from_text("abcdefghij .")
V = TOKENIZER.vocab_size


def lively(model: nn.Module, seed: int, std: float) -> nn.Module:
    """Larger random weights, so greedy text varies instead of repeating one character."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for param in model.parameters():
            param.normal_(0.0, std)
    return model.eval()


def tiny_llama(seed: int = 0, **changes: object) -> Llama:
    config = LlamaConfig.from_name("tiny").replace(**{"vocab_size": V, **changes})
    return lively(Llama(config), seed, std=0.5)


def tiny_gpt(seed: int = 0) -> GPT:
    return lively(GPT(GPTConfig.from_name("tiny").replace(vocab_size=V)), seed, std=0.1)


def greedy_by_recomputation(model: nn.Module, prompt: str, new: int) -> str:
    ids = torch.tensor([TOKENIZER.encode(prompt)])
    with torch.no_grad():
        for _ in range(new):
            ids = torch.cat([ids, model(ids)[:, -1].argmax(-1, keepdim=True)], dim=1)
    return TOKENIZER.decode(ids[0, -new:].tolist())


@settings(max_examples=8, deadline=None)
@given(
    n_heads=st.sampled_from([1, 2, 4]),
    group=st.sampled_from([1, 2]),
    n_layers=st.integers(1, 2),
    prompt=st.text(alphabet="abcdefghij .", min_size=1, max_size=8),
    new=st.integers(1, 12),
    seed=st.integers(0, 2**16),
)
def test_generate_greedy_with_cache_equals_full_recomputation(
    n_heads: int, group: int, n_layers: int, prompt: str, new: int, seed: int
) -> None:
    group = min(group, n_heads)
    model = tiny_llama(seed, dim=8 * n_heads, n_heads=n_heads, n_kv_heads=n_heads // group,
                       n_layers=n_layers)  # fmt: skip
    assert generate(model, TOKENIZER, prompt, max_new_tokens=new) == (
        greedy_by_recomputation(model, prompt, new)
    )


def test_generate_gpt_greedy_equals_full_recomputation() -> None:
    model = tiny_gpt(1)
    text = generate(model, TOKENIZER, "abc", max_new_tokens=12)
    assert text == greedy_by_recomputation(model, "abc", 12)
    assert len(set(text)) > 1  # the test model does not just repeat itself


@pytest.mark.parametrize("make", [tiny_llama, tiny_gpt])
def test_generate_batch_equals_one_by_one(make) -> None:
    model = make(2)
    prompts = ["abc", "a", "hij. abcd", "ee"]
    batch = generate(model, TOKENIZER, prompts, max_new_tokens=10)
    assert batch == [generate(model, TOKENIZER, p, max_new_tokens=10) for p in prompts]
    sampled = generate(model, TOKENIZER, prompts[:1], max_new_tokens=10, temperature=1.0, seed=3)
    assert sampled == [generate(model, TOKENIZER, prompts[0], max_new_tokens=10, temperature=1.0,
                                seed=3)]  # fmt: skip


@pytest.mark.parametrize(
    "options",
    [{}, {"temperature": 0.9, "seed": 5, "top_p": 0.8}, {"stop": ["c", "de"]},
     {"temperature": 1.5, "seed": 1, "stop": "ab", "repetition_penalty": 1.3}],
)  # fmt: skip
def test_generate_streaming_joins_to_the_text(options: dict) -> None:
    model = tiny_llama(4)
    pieces = list(generate(model, TOKENIZER, "jab", max_new_tokens=20, stream=True, **options))
    assert "".join(pieces) == generate(model, TOKENIZER, "jab", max_new_tokens=20, **options)
    assert all(pieces)


def test_generate_seed_repeats_a_sample_and_top_k_1_is_greedy() -> None:
    model = tiny_llama(5)
    sample = [generate(model, TOKENIZER, "ab", max_new_tokens=30, temperature=1.0, seed=s)
              for s in (7, 7, 8)]  # fmt: skip
    assert sample[0] == sample[1] != sample[2]
    greedy = generate(model, TOKENIZER, "ab", max_new_tokens=30)
    assert generate(
        model, TOKENIZER, "ab", max_new_tokens=30, temperature=2.0, top_k=1, seed=0
    ) == (greedy)
    assert generate(
        model, TOKENIZER, "ab", max_new_tokens=30, temperature=0.5, top_p=1e-6, seed=0
    ) == (greedy)


@pytest.mark.parametrize("temperature", [1e-300, 3e-203, 1e-37])
def test_generate_a_vanishing_temperature_or_top_p_is_greedy_not_nan(temperature: float) -> None:
    # logits / 1e-300 are +-inf, and inf - inf is nan inside the softmax: a server once
    # answered such a request with a 500.
    model = tiny_llama(5)
    greedy = generate(model, TOKENIZER, "ab", max_new_tokens=30)
    assert generate(model, TOKENIZER, "ab", max_new_tokens=30, temperature=temperature, seed=0) == (
        greedy
    )
    assert generate(
        model, TOKENIZER, "ab", max_new_tokens=30, temperature=1.0, top_p=5e-324, seed=0
    ) == (greedy)
    logits = torch.randn(4, V) * 30
    assert top_p_filter(logits, 5e-324).isfinite().sum(-1).tolist() == [1, 1, 1, 1]
    picked = sample_next(logits, temperature, generator=torch.Generator().manual_seed(0))
    assert picked.squeeze(-1).tolist() == logits.argmax(-1).tolist()


def test_generate_ends_before_a_stop_string() -> None:
    model = tiny_llama(6)
    full = generate(model, TOKENIZER, "abc", max_new_tokens=24)
    stop = full[5:7]
    text = generate(model, TOKENIZER, "abc", max_new_tokens=24, stop=[stop, "zz"])
    assert text == full[: full.index(stop)]
    assert generate(model, TOKENIZER, "abc", max_new_tokens=0) == ""


def test_generate_ends_at_the_end_of_turn_token() -> None:
    chars = [*"abcdefghij .", "\u2029"]
    plain, ending = CharTokenizer(chars), CharTokenizer(chars)
    ending.special_tokens["\u2029"] = len(chars) - 1  # stands for <|im_end|>
    ending.eos_token = "\u2029"
    model = tiny_llama(9, vocab_size=len(chars))
    full = generate(model, plain, "abc", max_new_tokens=20)  # the end is a character here
    assert "\u2029" in full[1:]
    assert generate(model, ending, "abc", max_new_tokens=20) == full[: full.index("\u2029")]


def test_generate_holds_back_a_character_cut_by_a_token() -> None:
    class Bytes(CharTokenizer):
        """One token per byte, as byte-level BPE can emit."""

        def decode(self, ids, skip_special_tokens=False):
            return bytes(ids).decode("utf-8", errors="replace")

    text = TextStream(Bytes(["a"]), stops=[])
    pieces = [text.add(b) for b in "é€a".encode()]
    assert pieces == ["", "é", "", "", "€", "a"]


def test_generate_checks_its_arguments() -> None:
    model = tiny_llama()
    for options, match in [
        ({"temperature": -0.1}, "temperature"),
        ({"top_p": 0.0}, "top_p"),
        ({"top_p": 1.5}, "top_p"),
        ({"max_new_tokens": -1}, "max_new_tokens"),
        ({"top_k": 0}, "top_k"),
        ({"stop": [""]}, "stop"),
        ({"max_new_tokens": 31}, "context of 32 tokens"),
    ]:
        with pytest.raises(ValueError, match=match):
            generate(model, TOKENIZER, "ab", **options)
    with pytest.raises(ValueError, match="prompt is empty"):
        generate(model, TOKENIZER, "", max_new_tokens=2)
    with pytest.raises(ValueError, match=r"prompt is empty \(prompt 1\)"):
        generate(model, TOKENIZER, ["a", ""], max_new_tokens=2)
    with pytest.raises(ValueError, match="stream=True"):
        generate(model, TOKENIZER, ["a", "b"], max_new_tokens=2, stream=True)
    with pytest.raises(TypeError, match="Llama or GPT"):
        generate(nn.Linear(2, 2), TOKENIZER, "a")
    with pytest.raises(TypeError, match="prompt_or_messages"):
        generate(model, TOKENIZER, 42)


def test_generate_keeps_the_training_mode() -> None:
    model = tiny_llama().train()
    generate(model, TOKENIZER, "ab", max_new_tokens=3)
    assert model.training


@pytest.mark.parametrize("top_p", [0.05, 0.5, 0.9, 0.999, 1.0])
def test_generate_top_p_and_top_k_filters_equal_transformers_warpers(top_p: float) -> None:
    """The nucleus and top-k filters keep the tokens transformers' warpers keep."""
    warpers = pytest.importorskip("transformers.generation.logits_process")
    torch.manual_seed(2)
    logits = torch.randn(3, 50) * 3
    theirs = warpers.TopPLogitsWarper(top_p)(None, logits.clone())
    assert torch.equal(top_p_filter(logits, top_p), theirs)
    theirs = warpers.TopKLogitsWarper(7)(None, logits.clone())
    assert torch.equal(top_k_filter(logits, 7), theirs)
