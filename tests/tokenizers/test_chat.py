"""Tests for nlpjourney.tokenizers.chat: chat templates rendered as ``transformers`` does.

- Llama 3's template (its ``tokenizer_config.json``) and SmolLM2's (its GGUF metadata)
  render each conversation exactly as ``transformers``' ``apply_chat_template(...,
  tokenize=False)`` does with the same template, with and without the generation prompt;
  the tokenized render has the right special-token ids, as ``transformers`` gives them.
- The environment: ``trim_blocks``/``lstrip_blocks``, ``raise_exception`` (a clear
  error), ``strftime_now``, ``tojson`` without HTML escaping, loop controls, the sandbox.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from functools import cache

import pytest

from nlpjourney import data
from nlpjourney.tokenizers import load
from nlpjourney.tokenizers.chat import ChatTemplateError, render_chat_template

CONVERSATIONS = [
    [{"role": "user", "content": "Hi"}],
    [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "  What is <b>2+2</b> & 'why'?\n"},
        {"role": "assistant", "content": "4."},
        {"role": "user", "content": "Und auf Deutsch? 🎉"},
    ],
]


@cache
def ours(name: str):
    return load(name)


@cache
def transformers_llama3():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import PreTrainedTokenizerFast

    folder = data.path("llama3_tokenizer")
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    return PreTrainedTokenizerFast(
        tokenizer_file=str(folder / "tokenizer.json"),
        chat_template=config["chat_template"],
        bos_token=config["bos_token"],
        eos_token=config["eos_token"],
    )


def input_ids(encoded) -> list[int]:
    """``apply_chat_template(tokenize=True)`` returns a list or a BatchEncoding by version."""
    return list(encoded["input_ids"] if hasattr(encoded, "keys") else encoded)


@pytest.mark.parametrize("messages", CONVERSATIONS)
@pytest.mark.parametrize("prompt", [True, False])
def test_chat_llama3_render_equals_transformers(messages: list[dict], prompt: bool) -> None:
    theirs = transformers_llama3()
    text = ours("llama3").apply_chat_template(messages, add_generation_prompt=prompt)
    assert text == theirs.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=prompt
    )
    ids = ours("llama3").apply_chat_template(messages, add_generation_prompt=prompt, tokenize=True)
    assert ids == input_ids(
        theirs.apply_chat_template(messages, tokenize=True, add_generation_prompt=prompt)
    )
    assert ids[:2] == [128000, 128006]  # <|begin_of_text|><|start_header_id|>
    assert ids.count(128009) == len(messages)  # one <|eot_id|> per turn


@pytest.mark.slow
@pytest.mark.parametrize("prompt", [True, False])
def test_chat_smollm2_render_equals_transformers(prompt: bool) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer

    path = data.path("smollm2_135m_instruct")
    theirs = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    for messages in CONVERSATIONS:
        text = ours("smollm2").apply_chat_template(messages, add_generation_prompt=prompt)
        assert text == theirs.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=prompt
        )
        ids = ours("smollm2").apply_chat_template(
            messages, add_generation_prompt=prompt, tokenize=True
        )
        # No digits in these conversations, where transformers' GGUF split differs.
        assert ids == input_ids(
            theirs.apply_chat_template(messages, tokenize=True, add_generation_prompt=prompt)
        )


def test_chat_smollm2_tokenized_render_has_its_special_ids() -> None:
    smollm2 = ours("smollm2")
    ids = smollm2.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=True)
    assert ids.count(1) == 3  # <|im_start|>: the default system turn, user, assistant
    assert ids.count(2) == 2  # <|im_end|>
    assert smollm2.decode(ids).endswith("<|im_start|>assistant\n")


def test_chat_blocks_leave_no_newlines_or_indentation() -> None:
    template = """
    {% for m in messages %}
        {% if m.role == 'user' %}
[{{ m.content }}]
        {% endif %}
    {% endfor %}
"""
    assert render_chat_template(template, [{"role": "user", "content": "a"}]) == "\n[a]\n"


def test_chat_globals_and_filters() -> None:
    template = (
        "{{ messages[0] | tojson }}|{{ strftime_now('%Y') }}|"
        "{% for m in messages %}{% if loop.index > 1 %}{% break %}{% endif %}{{ m.role }}"
        "{% endfor %}|{{ bos_token }}|{% generation %}gen{% endgeneration %}"
    )
    messages = [{"role": "user", "content": "<é & 'x'>"}, {"role": "assistant", "content": ""}]
    out = render_chat_template(template, messages, bos_token="<s>")
    assert out == (
        f'{{"role": "user", "content": "<é & \'x\'>"}}|{datetime.now().year}|user|<s>|gen'
    )


def test_chat_raise_exception_is_a_clear_error() -> None:
    template = "{% if messages[0].role != 'user' %}{{ raise_exception('user first') }}{% endif %}"
    with pytest.raises(ChatTemplateError, match="user first"):
        render_chat_template(template, [{"role": "assistant", "content": "x"}])


def test_chat_bad_templates_and_messages() -> None:
    with pytest.raises(ChatTemplateError, match="not valid Jinja"):
        render_chat_template("{% for m in messages %}", [])
    with pytest.raises(ChatTemplateError, match="failed"):  # the sandbox refuses
        render_chat_template("{{ messages.__class__.__mro__ }}", [])
    with pytest.raises(TypeError, match="list of"):
        render_chat_template("{{ messages }}", "hello")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'role'"):
        render_chat_template("{{ messages }}", [{"content": "no role"}])


def test_chat_tokenizer_without_template_says_what_to_do() -> None:
    from nlpjourney.errors import JourneyError

    with pytest.raises(JourneyError, match="no chat template"):
        ours("gpt2").apply_chat_template([{"role": "user", "content": "Hi"}])
