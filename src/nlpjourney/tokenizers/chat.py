"""Chat templates: a conversation rendered as the one string a chat model was trained on.

An instruction-tuned model does not see "messages"; it sees text with its own markers
around each turn, which its tokenizer turns into special-token ids. The markers differ
per model (Llama 3's ``<|start_header_id|>user<|end_header_id|>``, SmolLM2's
``<|im_start|>user``), so each model ships a Jinja template that writes them:

>>> template = "{% for m in messages %}<{{ m.role }}>{{ m.content }}\\n{% endfor %}"
>>> render_chat_template(template, [{"role": "user", "content": "Hi"}])
'<user>Hi\\n'

The template is untrusted code from a model file, so it runs in Jinja's immutable
sandbox; ``trim_blocks`` and ``lstrip_blocks`` are on, so a ``{% ... %}`` line leaves no
newline or indentation behind, as every published template expects.

Reference: ``transformers``' ``apply_chat_template(..., tokenize=False)``: the same Jinja
environment options, the ``raise_exception`` and ``strftime_now`` functions and the
``tojson`` filter without HTML escaping.

Simplifications:
    - No tools, documents or multimodal content: the variables are ``messages``,
      ``add_generation_prompt``, ``bos_token``, ``eos_token`` and any extra keywords.
    - ``{% generation %}`` blocks render their body; no assistant-token mask is returned.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import jinja2
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

from nlpjourney.errors import JourneyError

__all__ = ["ChatTemplateError", "render_chat_template"]


class ChatTemplateError(JourneyError, ValueError):
    """A chat template does not parse, or refuses the conversation it was given."""


class _GenerationBlock(Extension):
    """``{% generation %}...{% endgeneration %}``: marks the assistant's text; we render it."""

    tags = {"generation"}

    def parse(self, parser: Any) -> Any:
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.Scope(body, lineno=lineno)


def _raise_exception(message: str) -> None:
    """What a template calls to refuse its input (``raise_exception('roles must alternate')``)."""
    raise ChatTemplateError(f"the chat template refused the messages: {message}")


def _tojson(
    value: Any,
    ensure_ascii: bool = False,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
) -> str:
    # subtle: Jinja's own tojson escapes <, >, & and ' for HTML, which would change the
    # prompt a model sees; chat templates expect plain JSON.
    return json.dumps(
        value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )


def _strftime_now(format: str) -> str:
    """Today's date, for templates that print it (Llama 3.1's system header)."""
    return datetime.now().strftime(format)


@lru_cache(maxsize=32)
def _compile(template: str) -> jinja2.Template:
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=[_GenerationBlock, "jinja2.ext.loopcontrols"],
    )
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = _strftime_now
    try:
        return env.from_string(template)
    except jinja2.TemplateSyntaxError as error:
        raise ChatTemplateError(
            f"the chat template is not valid Jinja (line {error.lineno}: {error.message})."
        ) from None


def render_chat_template(
    template: str,
    messages: Sequence[Mapping[str, Any]],
    add_generation_prompt: bool = True,
    bos_token: str | None = None,
    eos_token: str | None = None,
    **variables: Any,
) -> str:
    """Render a conversation with a model's Jinja chat template.

    Args:
        template: the Jinja source (``tokenizer_config.json``'s ``chat_template``, GGUF's
            ``tokenizer.chat_template``).
        messages: ``{"role": ..., "content": ...}`` mappings, in order.
        add_generation_prompt: end with the header that opens the assistant's turn.
        bos_token: the model's begin-of-sequence string, for templates that write it.
        eos_token: its end-of-sequence string.
        **variables: more template variables (``date_string``, ``tools``...).

    Returns:
        The prompt text, special tokens written out as text.

    Raises:
        TypeError: ``template`` is not a str or a message is not a mapping.
        ChatTemplateError: the template does not parse, or raised on these messages.
    """
    if not isinstance(template, str):
        raise TypeError(
            f"template must be the Jinja source as a str, not {type(template).__name__}"
        )
    if isinstance(messages, str | Mapping) or not isinstance(messages, Sequence):
        raise TypeError("messages must be a list of {'role': ..., 'content': ...} dicts")
    for message in messages:
        if not isinstance(message, Mapping) or "role" not in message:
            raise TypeError(f"each message must be a dict with a 'role'; got {message!r}")
    context = dict(variables)
    context.update(
        messages=[dict(m) for m in messages],
        add_generation_prompt=add_generation_prompt,
    )
    # Absent tokens stay undefined, so a template's `{% if bos_token %}` sees them missing.
    if bos_token is not None:
        context["bos_token"] = bos_token
    if eos_token is not None:
        context["eos_token"] = eos_token
    try:
        return _compile(template).render(**context)
    except jinja2.TemplateError as error:  # an undefined name, a sandbox refusal
        raise ChatTemplateError(f"the chat template failed: {error}") from None
