"""Checks for exercise 7.2, run by ``journey check 7.2``.

Each check calls the learner's ``messages_to_fold`` through the ``ex`` fixture and
compares it with the rules written out here (:func:`rule`: try every even count in
turn), on fixed readable cases and on fresh random ones each run (``rng``). The last
checks build whole conversations whose tokens a fake counter counts (one per word, plus
one per message for its role, as ``FunctionChatModel`` does), fold them with the
learner's answer, and check that the prompt then fits its budget with the newest turns
kept word for word. With ``--exercise reference`` the same checks grade the library
(``nlpjourney.apps.chatbot.folding``).
"""

from __future__ import annotations

import pytest

REFERENCE = "nlpjourney.apps.chatbot.folding"
# What the learner may not use: the model answer (and the rest of the library).
FORBIDDEN = ("nlpjourney",)


def rule(sizes: list[int], room: int, keep_recent: int) -> int:
    """The rules, as plainly as they can be written: try 2, 4, 6, ... in turn."""
    if sum(sizes) <= room:
        return 0
    n = 2
    while True:
        folded = min(n, len(sizes))
        left = sizes[folded:]
        if sum(left) <= room or len(left) <= keep_recent:
            return folded
        n += 2


def random_sizes(rng, low: int = 0, high: int = 40) -> list[int]:
    return [int(s) for s in rng.integers(low, high, size=int(rng.integers(0, 13)))]


def test_nothing_folds_when_everything_fits(ex, rng) -> None:
    """When the messages fit the room, or there are none, nothing is folded.

    Hint 1: first add up every message: if the total is within the room, the answer is
    0, whatever keep_recent says.
    Hint 2: "fits" means at most the room (equal is fine); no messages take 0 tokens.
    """
    assert ex.messages_to_fold([5, 5, 5, 5], 30) == 0
    assert ex.messages_to_fold([5, 5, 5, 5], 20) == 0, "20 tokens fit a room of 20"
    assert ex.messages_to_fold([], 0) == 0, "no messages: nothing to fold"
    for _ in range(20):
        sizes = random_sizes(rng)
        room = sum(sizes) + int(rng.integers(0, 10))
        got = ex.messages_to_fold(sizes, room, int(rng.integers(0, 5)))
        assert got == 0, f"sizes {sizes} take {sum(sizes)} tokens, room {room}: fold 0, got {got}"


def test_the_readable_cases(ex) -> None:
    """The docstring's example and a few more, worked by hand.

    Hint 1: after folding the first n messages, the messages left are sizes[n:]; fold
    two more while they take more than the room.
    Hint 2: n starts at 2 (something must go once it does not fit) and grows by 2.
    """
    cases = [
        (([5, 5, 5, 5, 5, 5], 12, 2), 4),
        (([5, 5, 5, 5, 5, 5], 29, 2), 2),
        (([5, 5, 5, 5, 5, 5], 30, 2), 0),
        (([5, 5, 5, 5, 5, 5], 0, 2), 4),
        (([5, 5, 5, 5, 5, 5], 0, 0), 6),
        (([30, 2, 2, 2], 6, 0), 2),
        (([2, 30, 2, 2], 6, 0), 2),
        (([1, 1, 40, 1, 1, 1], 5, 0), 4),
        (([9], 3, 2), 1),
        (([9, 9, 9], 3, 0), 3),
        (([9, 9, 9], 9, 0), 2),
    ]
    for (sizes, room, keep), expected in cases:
        got = ex.messages_to_fold(list(sizes), room, keep)
        assert got == expected, (
            f"messages_to_fold({sizes}, room={room}, keep_recent={keep}) = {got}, expected "
            f"{expected}"
        )


def test_folds_whole_exchanges_the_fewest_that_fit(ex, rng) -> None:
    """Fresh random conversations with keep_recent=0: the fewest whole exchanges.

    Hint 1: fold two messages at a time (a question and its answer), and stop at the
    first count whose remaining messages fit.
    Hint 2: a count past the end means everything is folded: return len(sizes) then,
    not more.
    """
    for _ in range(40):
        sizes = random_sizes(rng, 1)
        room = int(rng.integers(0, max(1, sum(sizes))))
        got = ex.messages_to_fold(sizes, room, 0)
        expected = rule(sizes, room, 0)
        assert got == expected, (
            f"sizes {sizes}, room {room}, keep_recent=0: fold {expected}, got {got}"
        )


def test_keep_recent_stops_the_folding(ex, rng) -> None:
    """Folding stops once keep_recent messages or fewer would be left, fitting or not.

    Hint 1: keep_recent is checked at each candidate count, beside "does the rest fit":
    whichever holds first ends the folding.
    Hint 2: the count stops when len(sizes) minus it is at most keep_recent; with a
    room of 0 (nothing fits) the answer depends on keep_recent alone.
    """
    for length in range(1, 9):
        for keep in range(0, 5):
            got = ex.messages_to_fold([3] * length, 0, keep)
            expected = rule([3] * length, 0, keep)
            assert got == expected, (
                f"{length} messages, room 0, keep_recent={keep}: fold {expected}, got {got}"
            )
    for _ in range(40):
        sizes = random_sizes(rng, 1)
        room, keep = int(rng.integers(-5, max(1, sum(sizes)))), int(rng.integers(0, 6))
        got = ex.messages_to_fold(sizes, room, keep)
        expected = rule(sizes, room, keep)
        assert got == expected, (
            f"sizes {sizes}, room {room}, keep_recent={keep}: fold {expected}, got {got}"
        )


def test_bad_input_raises(ex) -> None:
    """A negative size or a negative keep_recent is a ValueError.

    Hint 1: check the arguments before deciding anything, so the error comes even when
    everything would fit.
    Hint 2: raise ValueError (with a message that names what was wrong).
    """
    with pytest.raises(ValueError):
        ex.messages_to_fold([4, -1, 3, 2], 100)
    with pytest.raises(ValueError):
        ex.messages_to_fold([4, 1], 100, keep_recent=-1)


# --- whole conversations, counted by a fake tokenizer -----------------------------------


def count_tokens(messages: list[dict[str, str]]) -> int:
    """The fake token counter: one token per word, and one per message for its role."""
    return sum(1 + len(m["content"].split()) for m in messages)


def conversation(rng, exchanges: int) -> list[dict[str, str]]:
    words = ("notes", "memory", "summary", "budget", "token", "reply", "question", "fold")
    messages = []
    for i in range(2 * exchanges):
        n = int(rng.integers(1, 30))
        text = " ".join(str(rng.choice(words)) for _ in range(n))
        messages.append({"role": ("user", "assistant")[i % 2], "content": text})
    return messages


def test_a_folded_conversation_fits_its_budget(ex, rng) -> None:
    """A conversation folded by your answer fits the budget, newest turns kept verbatim.

    Hint 1: the room is what the messages may take: the budget less the system message,
    the summary's budget and the question, all counted by the same counter.
    Hint 2: when the answer leaves more than keep_recent messages, they must fit the
    room, and folding two fewer must not have been enough.
    """
    system = [{"role": "system", "content": "You are a helpful assistant. Summary: ..."}]
    for _ in range(25):
        messages = conversation(rng, int(rng.integers(1, 8)))
        question = [{"role": "user", "content": "and what did I say about the budget?"}]
        summary_budget, keep = 12, int(rng.integers(0, 5))
        fixed = count_tokens(system) + count_tokens(question) + summary_budget
        budget = fixed + int(rng.integers(0, count_tokens(messages) + 5))
        sizes = [count_tokens([m]) for m in messages]
        room = budget - fixed
        n = ex.messages_to_fold(sizes, room, keep)
        assert isinstance(n, int) and 0 <= n <= len(messages), f"got {n!r}"
        kept = messages[n:]
        prompt_size = fixed + count_tokens(kept)
        if len(kept) > keep:
            assert prompt_size <= budget, (
                f"after folding {n} of {len(messages)} messages the prompt takes "
                f"{prompt_size} tokens, past the budget of {budget}"
            )
        if n >= 2:
            before = fixed + count_tokens(messages[n - 2 :])
            # folding starts at two messages, whatever keep_recent says, once it must
            enough = before <= budget or (n > 2 and len(messages) - (n - 2) <= keep)
            assert not enough, (
                f"folding {n - 2} messages was already enough ({before} tokens, budget "
                f"{budget}, keep_recent={keep}); you folded {n}"
            )
        assert n == rule(sizes, room, keep), f"fold {rule(sizes, room, keep)}, got {n}"
