"""The memory's folding decision as a pure function of token counts (topic 7.2's exercise).

When a conversation's prompt would pass its budget,
:meth:`~nlpjourney.apps.chatbot.memory.ConversationMemory.fit` folds the oldest
exchanges into a summary. Which ones? The fewest whole exchanges (a question and its
answer, so two messages at a time) whose removal lets the rest, together with a summary
of at most ``summary_tokens``, fit; but it stops folding once only ``keep_recent``
messages would be left, since the newest turns are what the next answer most needs word
for word. (If the prompt still does not fit after that summary is written,
``fit`` folds again.)

Here that decision is written on plain numbers: the token count of each message kept
verbatim, and the room left for them (the budget less the system message, the
summary's budget and the question). With a token counter that adds up message by
message, as :class:`~nlpjourney.apps.chatbot.llm.FunctionChatModel`'s does, it is the
number of messages ``fit`` folds in one step (the test compares the two).

>>> messages_to_fold([5, 5, 5, 5, 5, 5], room=12)  # fold 4: the last 2 take 10
4
>>> messages_to_fold([5, 5, 5, 5], room=30)  # everything fits: nothing to fold
0

Reference: :meth:`nlpjourney.apps.chatbot.memory.ConversationMemory.fit` (the loop that
picks how many messages to fold), and LangChain's ``ConversationSummaryBufferMemory``.

Simplifications:
    - token counts are taken to add up message by message (a chat template's counts
      nearly do: each message is its text between a header and an end marker).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["messages_to_fold"]


def messages_to_fold(sizes: Sequence[int], room: int, keep_recent: int = 2) -> int:
    """How many of the oldest messages to fold into the summary so the rest fit ``room``.

    Args:
        sizes: the tokens of each message kept verbatim, oldest first (a user message
            and its reply make an exchange; folding goes two messages at a time).
        room: the tokens the verbatim messages may take (the prompt's limit less the
            system message, the summary's budget and the new question).
        keep_recent: fold no further once only this many messages would be left, even
            if they do not fit yet.

    Returns:
        0 when every message fits; else the smallest even count ``n >= 2`` such that the
        messages after the first ``n`` fit ``room``, or such that at most
        ``keep_recent`` messages are left after them, whichever comes first; never more
        than ``len(sizes)``.

    Raises:
        ValueError: a size is negative, or ``keep_recent`` is negative.
    """
    if keep_recent < 0:
        raise ValueError(f"keep_recent must be 0 or more, got {keep_recent}")
    if any(size < 0 for size in sizes):
        raise ValueError(f"message sizes must be 0 or more, got {list(sizes)}")
    total = sum(sizes)
    if total <= room:
        return 0
    # The tokens left after folding n messages, updated as n grows by whole exchanges.
    left, n = total - sum(sizes[:2]), 2
    while n < len(sizes) and left > room and n + keep_recent < len(sizes):
        left -= sum(sizes[n : n + 2])
        n += 2
    return min(n, len(sizes))
