"""A conversation with a chat model: the history, kept within the context, and each answer.

A chat model sees the whole conversation every turn: the system message, the earlier
questions and answers, and the new question, rendered by its chat template. The history
grows each turn and the context does not, so before each answer the oldest exchanges are
dropped (the system message stays) until the prompt plus the longest answer fits.

>>> session = ChatSession(model, tokenizer, system="Answer briefly.")  # doctest: +SKIP
>>> "".join(session.ask("What is the capital of France?"))  # doctest: +SKIP
'The capital of France is Paris.'

Reference: the conversation format of ``transformers``' chat pipelines (a list of
``{"role", "content"}`` messages); the text comes from :func:`nlpjourney.infer.generate`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from torch import nn

from nlpjourney.infer.generate import context_length, generate
from nlpjourney.tokenizers import Tokenizer

__all__ = ["ChatSession", "TurnStats"]


@dataclass(frozen=True)
class TurnStats:
    """How the last answer went: its tokens, the seconds it took, and tokens per second."""

    tokens: int
    seconds: float

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


class ChatSession:
    """A conversation with ``model``: ask, get the answer streamed, and it is remembered.

    Args:
        model: a chat model (:class:`~nlpjourney.models.Llama`), in eval mode.
        tokenizer: its tokenizer, with a chat template.
        system: the system message, or None for none.
        temperature: 0 answers greedily; above 0 samples.
        max_new_tokens: the longest answer, in tokens.
        seed: seeds the sampling of the whole conversation.
    """

    def __init__(
        self,
        model: nn.Module,
        tokenizer: Tokenizer,
        system: str | None = None,
        temperature: float = 0.0,
        max_new_tokens: int = 256,
        seed: int | None = None,
    ) -> None:
        if max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
        self.model, self.tokenizer = model, tokenizer
        self.system = system
        self.temperature = temperature
        self.max_new_tokens = max_new_tokens
        self.seed = seed
        self.turns: list[dict[str, str]] = []  # user and assistant messages, in order
        self.last: TurnStats | None = None

    def reset(self) -> None:
        """Forget the conversation (the system message stays)."""
        self.turns.clear()

    def messages(self, question: str | None = None) -> list[dict[str, str]]:
        """The messages the model sees: system, the kept turns, and ``question``."""
        head = [{"role": "system", "content": self.system}] if self.system else []
        tail = [{"role": "user", "content": question}] if question is not None else []
        return head + self.turns + tail

    def _prompt_tokens(self, question: str) -> int:
        text = self.tokenizer.apply_chat_template(self.messages(question))
        return len(self.tokenizer.encode(text))

    def fit(self, question: str) -> int:
        """Drop the oldest exchanges until the prompt and an answer fit; returns how many
        messages were dropped.

        Raises:
            ValueError: the system message and ``question`` alone leave no room.
        """
        room = context_length(self.model) - self.max_new_tokens
        dropped = 0
        while self._prompt_tokens(question) > room:
            if not self.turns:
                raise ValueError(
                    f"the question (with the system message) takes {self._prompt_tokens(question)}"
                    f" tokens; with {self.max_new_tokens} for the answer that is past the "
                    f"model's context of {context_length(self.model)}: ask a shorter question"
                )
            del self.turns[:2]  # the oldest question and its answer
            dropped += 2
        return dropped

    def ask(self, question: str) -> Iterator[str]:
        """The answer to ``question``, as text pieces while it is written; the question and
        the whole answer join the history when the answer ends."""
        if not question.strip():
            raise ValueError("the question is empty")
        self.fit(question)
        start = time.perf_counter()
        pieces: list[str] = []
        for piece in generate(
            self.model,
            self.tokenizer,
            self.messages(question),
            max_new_tokens=self.max_new_tokens,
            temperature=self.temperature,
            seed=self.seed,
            stream=True,
        ):
            pieces.append(piece)
            yield piece
        answer = "".join(pieces)
        self.last = TurnStats(len(self.tokenizer.encode(answer)), time.perf_counter() - start)
        self.turns += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
