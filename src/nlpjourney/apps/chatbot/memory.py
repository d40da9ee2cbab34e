"""Conversation memory: every turn kept, the oldest folded into a summary when room runs out.

A chat model reads the whole conversation each turn, and its prompt has a budget: the
model's context, or less, since a long prompt is slow on a CPU. Dropping the oldest
turns (what :class:`nlpjourney.infer.ChatSession` does) forgets them for good. Here,
when the prompt plus the reply's budget would pass the limit, the oldest exchanges are
*folded* into a running summary, written by the model itself from the previous summary
and those exchanges; the summary rides in the system message and the most recent turns
stay word for word::

    system: persona + "Summary of the conversation so far: ..."   <- folded turns
    user / assistant / ...                                          <- recent, verbatim
    user: the new question (with the notes found for it)

Every message is still kept (``messages``; the first ``folded`` are the summarised
ones), so a saved conversation loses nothing and resumes with the same memory.

Reference: the "conversation summary buffer" memory of LangChain
(``ConversationSummaryBufferMemory``): a token limit, a summary of what falls out of it.

Simplifications:
    - a summary's length is estimated before it is written as its ``max_new_tokens``;
      when the one written is longer than that leaves room for, one more exchange is
      folded and the summary written again;
    - folding goes by whole exchanges (a question and its answer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

__all__ = ["SUMMARY_SYSTEM", "ConversationMemory", "summarise"]

#: What introduces the summary in the system message.
SUMMARY_HEADING = "Summary of the conversation so far:"

#: The system message of the summarisation prompt. Small models summarise best when told
#: the form the summary takes ("The user ... The assistant ..."), not its length in words.
SUMMARY_SYSTEM = (
    'You write short summaries of conversations in the third person ("The user ... The '
    'assistant ..."), keeping names and facts.'
)


def now() -> str:
    """The time now, UTC, to the second, as ISO 8601 text."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def summarise(
    llm: Any, summary: str, messages: Sequence[dict[str, str]], max_new_tokens: int
) -> str:
    """A new summary from the old one and ``messages``, written greedily by ``llm``."""
    conversation = "\n".join(f"{m['role'].capitalize()}: {m['content']}" for m in messages)
    earlier = f"What happened earlier: {summary}\n\nThe conversation since:" if summary else (
        "The conversation:"
    )  # fmt: skip
    which = "all of it" if summary else "it"
    prompt = [
        {"role": "system", "content": SUMMARY_SYSTEM},
        {
            "role": "user",
            "content": f'{earlier}\n\n"""\n{conversation}\n"""\n\n'
            f"A summary of {which}, in two or three sentences:",
        },
    ]
    return llm.generate(prompt, max_new_tokens=max_new_tokens, temperature=0.0).strip()


class ConversationMemory:
    """The messages of one conversation, and the summary of its oldest ones.

    Args:
        messages: every user and assistant message so far, oldest first.
        summary: the summary of the first ``folded`` messages ("" when none is folded).
        folded: how many of the oldest messages the summary stands for.
        times: when each message was written (default: now).
    """

    def __init__(
        self,
        messages: Sequence[dict[str, str]] = (),
        summary: str = "",
        folded: int = 0,
        times: Sequence[str] | None = None,
    ) -> None:
        if not 0 <= folded <= len(messages):
            raise ValueError(f"folded must be in [0, {len(messages)}], got {folded}")
        if times is not None and len(times) != len(messages):
            raise ValueError(f"{len(messages)} messages but {len(times)} times")
        self.messages = [{"role": m["role"], "content": m["content"]} for m in messages]
        self.times = list(times) if times is not None else [now()] * len(self.messages)
        self.summary, self.folded = summary, folded

    @property
    def recent(self) -> list[dict[str, str]]:
        """The messages kept word for word (those after the summarised ones)."""
        return self.messages[self.folded :]

    def add(self, role: str, content: str) -> None:
        """Remember one message."""
        if role not in ("user", "assistant"):
            raise ValueError(f"role must be 'user' or 'assistant', got {role!r}")
        self.messages.append({"role": role, "content": content})
        self.times.append(now())

    def prompt(
        self, system: str, question: str, recent: Sequence[dict[str, str]] | None = None
    ) -> list[dict[str, str]]:
        """The messages the model sees: the system message (with the summary), the recent
        turns (``recent``, default :attr:`recent`) and ``question``."""
        if self.summary:
            system = f"{system}\n\n{SUMMARY_HEADING} {self.summary}"
        turns = self.recent if recent is None else list(recent)
        return [
            {"role": "system", "content": system},
            *turns,
            {"role": "user", "content": question},
        ]

    def fit(
        self,
        llm: Any,
        system: str,
        question: str,
        limit: int,
        summary_tokens: int,
        keep_recent: int = 2,
    ) -> int:
        """Fold the oldest exchanges into the summary until the prompt takes at most
        ``limit`` tokens; returns how many messages were folded (0: it already fitted).

        Args:
            llm: the chat model (``count_tokens`` and ``generate``), which also writes the
                summary.
            system: the persona's system message.
            question: the new user message, as the model will see it.
            limit: the most tokens the prompt may take (the budget less the reply's).
            summary_tokens: the longest summary, in tokens.
            keep_recent: how many of the latest messages to keep verbatim when folding
                the older ones is enough.

        Raises:
            ValueError: even with every turn folded, the prompt does not fit.
        """
        folded_before = self.folded
        while (size := llm.count_tokens(self.prompt(system, question))) > limit:
            recent = self.recent
            if not recent:
                raise ValueError(
                    f"the question (with the system message, summary and notes) takes {size} "
                    f"tokens, past the {limit} the budget leaves for a prompt: ask a shorter "
                    "question, or raise context_budget"
                )
            # The fewest whole exchanges to fold so that the rest, plus a summary of at
            # most summary_tokens, fits; past keep_recent only when nothing less will do.
            n = 2
            while n < len(recent):
                rest = self.prompt(system, question, recent[n:])
                # The summary is rewritten: count its heading, and its budget, not its text.
                rest[0]["content"] = f"{system}\n\n{SUMMARY_HEADING}"
                if llm.count_tokens(rest) + summary_tokens <= limit or n + keep_recent >= len(
                    recent
                ):
                    break
                n += 2
            n = min(n, len(recent))
            self.summary = summarise(llm, self.summary, recent[:n], summary_tokens)
            self.folded += n
        return self.folded - folded_before
