"""Exercise 6.3: the two jobs of a chat client, joining a streamed answer and trimming.

A chat page talks to a stateless server: each turn it sends the whole conversation and
reads the answer back as server-sent events. The lesson ``lessons/6.3-llm-applications.py``
reads one stream of one answer and trims a conversation by dropping its oldest exchange
until it fits. Here you write both for the general case:

1. ``join_chunks``: the chunks of a streamed answer with several choices (``n > 1``),
   whose pieces arrive interleaved, back into one ``(text, finish_reason)`` per choice;
2. ``trim_messages``: keep a conversation within a token budget, for any way of
   counting tokens, keeping the system message and never starting with an answer.

Use plain Python, but not ``nlpjourney`` (the model answer) or ``openai``: ``journey
check`` refuses a file that uses them. Then run ``journey check 6.3``; each failing check
gives a hint (``--hint`` shows more). The checks draw fresh streams and conversations
each run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any


def join_chunks(chunks: Iterable[Mapping[str, Any]]) -> list[tuple[str, str | None]]:
    """The choices of a streamed chat answer, from its parsed chunks.

    Each chunk is the JSON object of one ``data:`` event, e.g.
    ``{"choices": [{"index": 1, "delta": {"content": "lo"}, "finish_reason": None}]}``.
    A choice's first chunk has ``delta = {"role": "assistant", "content": ""}``; later
    ones a piece of ``content`` (a ``delta`` may be empty, its ``content`` missing or
    None); its last one a ``finish_reason`` (``"stop"`` or ``"length"``; before that it
    is None). Chunks of different choices may come in any interleaving. A chunk with
    ``"choices": []`` (the usage counts at the end) adds nothing; a chunk with an
    ``"error"`` key means the server failed while answering.

    Args:
        chunks: the parsed events in order (without the final ``[DONE]``).

    Returns:
        One ``(text, finish_reason)`` per choice, ordered by ``index`` 0, 1, ...: the
        joined content, and the finish reason it was given (None if none came).

    Raises:
        ValueError: a chunk is an error event, or the indices seen are not 0, 1, ...,
            k - 1 for some k.

    Example: chunks for index 0 with contents "Hel", "lo" and then finish_reason "stop"
    give ``[("Hello", "stop")]``; no chunks at all give ``[]``.
    """
    raise NotImplementedError("collect the pieces per choice index, then join them in order")


def trim_messages(
    messages: Sequence[Mapping[str, str]],
    count_tokens: Callable[[list[dict[str, str]]], int],
    budget: int,
) -> list[dict[str, str]]:
    """The newest part of a conversation that fits ``budget`` tokens.

    A leading system message (``messages[0]`` with role ``"system"``) is always kept.
    Of the other messages, keep the longest tail that starts with a ``"user"`` message
    and whose prompt (the system message, if any, then the tail) counts at most
    ``budget`` by ``count_tokens``; drop everything before it. Count only whole
    candidate prompts with ``count_tokens`` (it may add framing per message, so the
    count of a list is not the sum of counts of its parts).

    Args:
        messages: ``{"role", "content"}`` dicts, oldest first.
        count_tokens: the tokens a list of messages takes as a prompt.
        budget: the most tokens the prompt may take.

    Returns:
        New dicts (copies with the same role and content; ``messages`` is left alone).

    Raises:
        ValueError: no message (besides the system one) is from the user, or no tail
            starting with a user message fits.

    Example: with ``count_tokens`` counting words, ``[system "be brief", user "one two
    three", assistant "four five", user "six"]`` and budget 5 keep ``[system, user
    "six"]`` (3 words); with budget 8 all four (8 words).
    """
    raise NotImplementedError("try the tails that start at a user message, longest first")
