"""Exercise 7.2: the chatbot memory's folding decision.

A chat model reads the whole conversation every turn, and the prompt has a budget. When
the conversation no longer fits, the chatbot of ``lessons/7.2-specialised-chatbot.py``
folds its oldest exchanges into a summary the model writes, and keeps the newest turns
word for word. This exercise is the decision at the heart of it: given how many tokens
each verbatim message takes, and how much room they have, how many of the oldest
messages go into the summary?

The rules (the lesson's section 3 builds them on a real conversation):

- if every message fits the room, fold nothing (0);
- otherwise fold whole exchanges, a question and its answer, so two messages at a
  time, oldest first: the fewest whose removal lets the rest fit the room;
- but stop once only ``keep_recent`` messages (or fewer) would be left: the newest
  turns are what the next answer needs most (the chatbot folds again later if the
  summary it wrote still leaves too little room);
- never fold more messages than there are.

Use plain Python, but not ``nlpjourney`` (the model answer): ``journey check`` refuses a
file that uses it. Then run ``journey check 7.2``; each failing check gives a hint
(``--hint`` shows more). The checks draw fresh conversations each run.
"""

from __future__ import annotations

from collections.abc import Sequence


def messages_to_fold(sizes: Sequence[int], room: int, keep_recent: int = 2) -> int:
    """How many of the oldest messages to fold into the summary so the rest fit ``room``.

    Args:
        sizes: the tokens of each message kept verbatim, oldest first (user, assistant,
            user, assistant, ...).
        room: the tokens the verbatim messages may take in the prompt (what is left of
            the budget after the system message, the summary and the new question).
            It may be 0 or negative: then nothing fits.
        keep_recent: fold no further once this many messages or fewer would be left.

    Returns:
        0 when ``sum(sizes) <= room``; else the smallest even count ``n >= 2`` such that
        the messages after the first ``n`` fit ``room``, or such that at most
        ``keep_recent`` messages are left after them, whichever comes first; and never
        more than ``len(sizes)``.

    Raises:
        ValueError: a size is negative, or ``keep_recent`` is negative.

    Example: sizes ``[5, 5, 5, 5, 5, 5]`` and room 12 fold 4 messages (the last two
    take 10); with room 30 they fold none; with room 0 and ``keep_recent=2``, 4.
    """
    raise NotImplementedError("does it all fit? if not, fold two at a time until the rest fits")
