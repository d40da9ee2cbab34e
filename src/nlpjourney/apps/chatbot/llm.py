"""The chatbot's language model, as a small protocol: write a reply, count a prompt's tokens.

The chatbot needs two things of a model: the reply to a list of chat messages, and how
many tokens those messages take once the model's chat template has rendered them (so it
can tell when the conversation no longer fits its budget). :class:`ChatModel` names
those two methods; :class:`LlamaChatModel` gives them to our Llama
(:func:`nlpjourney.infer.generate` and the tokenizer's chat template), and
:class:`FunctionChatModel` to any Python function, counting words, which is what the
tests use instead of loading SmolLM2.

>>> model = FunctionChatModel(lambda messages, **settings: "hello " + messages[-1]["content"])
>>> model.generate([{"role": "user", "content": "there"}])
'hello there'
>>> model.count_tokens([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}])  # (1 + 2) + (1 + 1)
5
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

__all__ = ["ChatModel", "FunctionChatModel", "LlamaChatModel", "as_chat_model"]

Messages = Sequence[dict[str, str]]


@runtime_checkable
class ChatModel(Protocol):
    """What a :class:`~nlpjourney.apps.chatbot.Chatbot` needs of its model.

    ``generate(messages, **settings)`` returns the reply (settings: ``max_new_tokens``,
    ``temperature``, ``top_p``, ``seed``); ``count_tokens(messages)`` the length of the
    prompt those messages make, the reply's header included. A model may also have
    ``stream(messages, **settings) -> Iterator[str]``, the reply in pieces as written.
    """

    def generate(self, messages: Messages, **settings: Any) -> str: ...  # pragma: no cover

    def count_tokens(self, messages: Messages) -> int: ...  # pragma: no cover


class LlamaChatModel:
    """Our Llama (or GPT) and its tokenizer behind the :class:`ChatModel` protocol.

    Args:
        model: a :class:`~nlpjourney.models.Llama` in eval mode.
        tokenizer: its tokenizer, with a chat template.
        name: what to call the model in messages and saved conversations.
    """

    def __init__(self, model: Any, tokenizer: Any, name: str = "llama") -> None:
        if getattr(tokenizer, "chat_template", None) is None:
            raise ValueError(
                f"the tokenizer of {name} has no chat template, so it cannot render a "
                "conversation; load a chat model (nlpjourney.models.load('smollm2-135m-instruct'))"
            )
        self.model, self.tokenizer, self.name = model, tokenizer, name

    @classmethod
    def load(
        cls, name_or_pretrained: Any = "smollm2-135m-instruct", device: str = "cpu"
    ) -> LlamaChatModel:
        """From a model name or folder (:func:`nlpjourney.models.pretrained.load`) or a
        :class:`~nlpjourney.models.pretrained.Pretrained` already loaded, moved to
        ``device`` (``"cpu"``, ``"cuda"``, ``"auto"``: the GPU when there is one)."""
        from nlpjourney.devices import resolve_device
        from nlpjourney.models.pretrained import Pretrained, load

        where = resolve_device(device)  # first: a bad name fails before a long load
        pretrained = name_or_pretrained
        if not isinstance(pretrained, Pretrained):
            pretrained = load(name_or_pretrained)
        return cls(pretrained.model.to(where), pretrained.tokenizer, str(name_or_pretrained))

    @property
    def context_length(self) -> int:
        """The most tokens the model reads, prompt and reply together."""
        from nlpjourney.infer import context_length

        return context_length(self.model)

    def count_tokens(self, messages: Messages) -> int:
        """The prompt's length in tokens, rendered as :func:`generate` renders it."""
        text = self.tokenizer.apply_chat_template(list(messages), add_generation_prompt=True)
        return len(self.tokenizer.encode(text))

    def generate(self, messages: Messages, **settings: Any) -> str:
        """The reply (:func:`nlpjourney.infer.generate` with ``settings``)."""
        from nlpjourney.infer import generate

        return generate(self.model, self.tokenizer, list(messages), **settings)

    def stream(self, messages: Messages, **settings: Any) -> Iterator[str]:
        """The reply in pieces, as it is written."""
        from nlpjourney.infer import generate

        yield from generate(self.model, self.tokenizer, list(messages), stream=True, **settings)


class FunctionChatModel:
    """A function ``f(messages, **settings) -> str`` as a :class:`ChatModel`.

    Tokens are counted as whitespace-separated words of every message's content, plus
    one per message for its role: crude, but deterministic and easy to reason about in
    a test.
    """

    def __init__(self, function: Callable[..., str], name: str = "function") -> None:
        if not callable(function):
            raise TypeError(f"function must be callable, got {type(function).__name__}")
        self.function, self.name = function, name

    def count_tokens(self, messages: Messages) -> int:
        return sum(1 + len(message["content"].split()) for message in messages)

    def generate(self, messages: Messages, **settings: Any) -> str:
        reply = self.function(list(messages), **settings)
        if not isinstance(reply, str):
            raise TypeError(f"the chat function must return a str, got {type(reply).__name__}")
        return reply


def as_chat_model(llm: Any, device: str = "cpu") -> Any:
    """``llm`` as a :class:`ChatModel`: a model name or folder is loaded (onto ``device``),
    a :class:`~nlpjourney.models.pretrained.Pretrained` wrapped by :class:`LlamaChatModel`,
    a plain function by :class:`FunctionChatModel`; a chat model is returned as is.

    Raises:
        TypeError: ``llm`` is none of these.
    """
    if isinstance(llm, ChatModel):
        return llm
    if isinstance(llm, str | Path) or (hasattr(llm, "tokenizer") and hasattr(llm, "model")):
        return LlamaChatModel.load(llm, device)
    if callable(llm):
        return FunctionChatModel(llm)
    raise TypeError(
        f"llm must be a model name, a Pretrained, a ChatModel (generate and count_tokens) or a "
        f"function of the messages, got {type(llm).__name__}"
    )
