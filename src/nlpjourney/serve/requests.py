"""What a client of the batching engine hands in, and what it gets back.

A :class:`GenerationRequest` is one sequence to generate: the prompt's ids, the most new
tokens, a :class:`~nlpjourney.infer.Sampler` with its own seed, the stop strings, and a
callback. The engine calls the callback from its own thread with :class:`Tokens` (newly
settled text, with log-probabilities when asked) and ends with one :class:`Finished` or
:class:`Failed`. :class:`QueueFull` and :class:`EngineStopped` are what
:meth:`~nlpjourney.serve.engine.BatchEngine.submit` raises instead of queueing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from nlpjourney.infer.generate import Sampler

__all__ = [
    "EngineStopped",
    "Event",
    "Failed",
    "Finished",
    "GenerationRequest",
    "QueueFull",
    "TokenLogprob",
    "Tokens",
]


class QueueFull(RuntimeError):
    """The waiting queue is full: the client should retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the server is busy; retry after {retry_after} s")
        self.retry_after = retry_after


class EngineStopped(RuntimeError):
    """The engine is shutting down and takes no new requests."""


@dataclass(frozen=True)
class TokenLogprob:
    """One generated token with its log-probability and the most likely alternatives.

    The probabilities are the model's own (softmax of the raw logits), before the
    temperature, top-p and repetition penalty shape the draw.
    """

    token: str
    id: int
    logprob: float
    top: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Tokens:
    """New settled text (may be empty when only ``logprobs`` are new)."""

    text: str
    logprobs: tuple[TokenLogprob, ...] = ()


@dataclass(frozen=True)
class Finished:
    """The request ended: ``reason`` is ``"stop"`` (end token or stop string) or ``"length"``."""

    reason: str
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class Failed:
    """The request could not be served (an error inside the engine)."""

    message: str


Event = Tokens | Finished | Failed


@dataclass(eq=False)
class GenerationRequest:
    """One sequence to generate.

    Args:
        prompt_ids: the prompt's token ids (chat messages already rendered).
        max_tokens: the most new tokens.
        sampler: the picking settings, with their own seed.
        stops: strings that end the text before them.
        on_event: called from the engine's thread with each :class:`Tokens`, then one
            :class:`Finished` or :class:`Failed`. It must be quick (hand the event to
            another thread or loop).
        logprobs: None for no log-probabilities; k >= 0 for each token's own and its
            ``k`` most likely alternatives.
    """

    prompt_ids: list[int]
    max_tokens: int
    sampler: Sampler
    on_event: Callable[[Event], None]
    stops: list[str] = field(default_factory=list)
    logprobs: int | None = None
    cancelled: bool = field(default=False, init=False)
    submitted: float = field(default_factory=time.monotonic, init=False)

    def cancel(self) -> None:
        """Stop generating for this request (its client went away); frees its slot."""
        self.cancelled = True
