"""What a chat client does with the API: join a streamed answer, and keep a conversation short.

A chat page (the lab's ``lab.js``, or a notebook) talks to a stateless server: each turn
it sends the whole conversation and reads the answer back as server-sent events, one
``chat.completion.chunk`` per piece. Two small jobs fall to the client:

- :func:`join_chunks` turns the chunks of one streamed answer back into its choices:
  each chunk carries, per choice ``index``, a ``delta`` (the role once, then pieces of
  ``content``) and, in the last chunk of that choice, a ``finish_reason``. Chunks of
  different choices may interleave; a chunk with no choices (the usage at the end) adds
  nothing.
- :func:`trim_messages` keeps a conversation within a token budget before it is sent:
  the system message stays, the oldest exchanges go first, and what is kept starts with
  a user message, so the model never sees an answer without its question::

      [system, u1, a1, u2, a2, u3]  ->  [system, u2, a2, u3]   (u1, a1 did not fit)

Reference: the ``openai`` client's streamed chunks against the same server's non-streamed
answer, and :meth:`nlpjourney.infer.chat.ChatSession.fit` for the trimming
(``tests/serve/test_chat_ui.py``).

Simplifications:
    - only text content (no tool calls, no refusals) is joined;
    - trimming drops whole messages from the front; it never shortens one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

__all__ = ["join_chunks", "trim_messages"]


def join_chunks(chunks: Iterable[Mapping[str, Any]]) -> list[tuple[str, str | None]]:
    """The choices of a streamed chat answer, from its parsed chunks.

    Args:
        chunks: the JSON objects of the stream's ``data:`` events, in order (without
            the final ``[DONE]``).

    Returns:
        One ``(text, finish_reason)`` per choice, by ``index`` (0, 1, ...): the joined
        ``content`` of its deltas and the last finish reason it was given (None if the
        stream ended before one came).

    Raises:
        ValueError: a chunk is an error event, or its choice indices leave a gap.

    >>> join_chunks([
    ...     {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
    ...     {"choices": [{"index": 0, "delta": {"content": "Hel"}}]},
    ...     {"choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": None}]},
    ...     {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ...     {"choices": [], "usage": {"total_tokens": 9}},
    ... ])
    [('Hello', 'stop')]
    """
    texts: dict[int, list[str]] = {}
    reasons: dict[int, str | None] = {}
    for chunk in chunks:
        if "error" in chunk:  # the server failed mid-stream: say so rather than truncate
            raise ValueError(f"the stream carried an error: {chunk['error']}")
        for choice in chunk.get("choices") or ():
            index = int(choice["index"])  # the wire format always names the choice
            pieces = texts.setdefault(index, [])
            content = (choice.get("delta") or {}).get("content")
            if content:
                pieces.append(content)
            # subtle: every chunk carries "finish_reason", null until the last one
            if choice.get("finish_reason") is not None or index not in reasons:
                reasons[index] = choice.get("finish_reason")
    if sorted(texts) != list(range(len(texts))):
        raise ValueError(f"the choice indices {sorted(texts)} are not 0, 1, ... without gaps")
    return [("".join(texts[i]), reasons[i]) for i in range(len(texts))]


def trim_messages(
    messages: Sequence[Mapping[str, str]],
    count_tokens: Callable[[list[dict[str, str]]], int],
    budget: int,
) -> list[dict[str, str]]:
    """The newest part of a conversation that fits ``budget`` tokens.

    A leading system message is always kept. Of the other messages, the longest tail
    that starts with a user message and whose prompt (with the system message) counts
    at most ``budget`` is kept; everything before it is dropped.

    Args:
        messages: ``{"role", "content"}`` dicts, oldest first; the last is the user's
            new message.
        count_tokens: the tokens a list of messages takes as a prompt (for a chat model:
            the length of its chat template's rendering, tokenized).
        budget: the most tokens the prompt may take (the context less the answer's room).

    Returns:
        New dicts (copies), in order.

    Raises:
        ValueError: there is no user message, or even the system message and the last
            user message alone take more than ``budget``.

    >>> words = lambda ms: sum(len(m["content"].split()) for m in ms)
    >>> chat = [{"role": "system", "content": "be brief"},
    ...         {"role": "user", "content": "one two three"},
    ...         {"role": "assistant", "content": "four five"},
    ...         {"role": "user", "content": "six"}]
    >>> [m["content"] for m in trim_messages(chat, words, 5)]
    ['be brief', 'six']
    """
    copies = [{"role": m["role"], "content": m["content"]} for m in messages]
    head = copies[:1] if copies and copies[0]["role"] == "system" else []
    rest = copies[len(head) :]
    starts = [i for i, m in enumerate(rest) if m["role"] == "user"]
    if not starts:
        raise ValueError("the conversation has no user message: nothing to answer")
    # The oldest start that fits keeps the most; the count only grows with more messages,
    # but checking each start from the oldest is simple and exact for any counter.
    for start in starts:
        kept = head + rest[start:]
        if count_tokens(kept) <= budget:
            return kept
    raise ValueError(
        f"even the newest question (with the system message) takes more than the budget of "
        f"{budget} tokens: shorten it or raise the budget"
    )
