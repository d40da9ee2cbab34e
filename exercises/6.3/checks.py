"""Checks for exercise 6.3, run by ``journey check 6.3``.

Each check calls the learner's functions through the ``ex`` fixture. ``join_chunks`` gets
streams built here the way the server writes them (a role chunk, content pieces, a
finish chunk per choice, the usage chunk last) from texts and finish reasons drawn fresh
each run, the choices' chunks interleaved at random; the answer must be the texts and
reasons the stream was built from. ``trim_messages`` gets conversations drawn fresh
(roles, lengths, with and without a system message) and token counters written here
(words plus framing per message and per prompt), and is compared with the rule applied
by brute force: every tail that starts at a user message, counted whole, the longest
that fits kept. With ``--exercise reference`` the same checks grade the library,
``nlpjourney.serve.chat_ui``.
"""

from __future__ import annotations

import copy

import pytest

REFERENCE = "nlpjourney.serve.chat_ui"
# What the learner may not use: the model answer (and the rest of the library, whose
# ChatSession trims too) and the openai client, which joins streams itself.
FORBIDDEN = ("nlpjourney", "openai")

WORDS = ("the", "sea", " is", " wide", "é", "日本", "🙂", "\n", " ", "ok", ",", "lo")


# --- streams, built here as the server writes them ----------------------------------------


def chunk(index: int, delta: dict, reason: str | None = None) -> dict:
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": index, "delta": delta, "finish_reason": reason,
                         "logprobs": None}]}  # fmt: skip


def choice_chunks(rng, index: int, pieces: list[str], reason: str | None) -> list[dict]:
    """One choice's chunks in order; some deltas empty or with content None."""
    chunks = [chunk(index, {"role": "assistant", "content": ""})]
    for piece in pieces:
        chunks.append(chunk(index, {"content": piece}))
        if rng.random() < 0.2:  # a piece that settled no text yet
            empty = ({}, {"content": None}, {"content": ""})[int(rng.integers(3))]
            chunks.append(chunk(index, dict(empty)))
    if reason is not None:
        chunks.append(chunk(index, {}, reason))
    return chunks


def interleave(rng, streams: list[list[dict]]) -> list[dict]:
    """Merge the streams at random, each one's order kept."""
    streams = [list(s) for s in streams]
    merged = []
    while any(streams):
        live = [s for s in streams if s]
        merged.append(live[int(rng.integers(len(live)))].pop(0))
    return merged


def random_answer(rng) -> tuple[list[str], str]:
    pieces = [str(rng.choice(WORDS)) for _ in range(int(rng.integers(0, 12)))]
    return pieces, str(rng.choice(["stop", "length"]))


def test_join_chunks_one_choice(ex) -> None:
    """One choice, read from its chunks.

    Hint 1: Each chunk's choices carry a delta; its content, when there is some, is the
    next piece of that choice's text. The finish reason comes in the last chunk.
    Hint 2: Keep a list of pieces per index and the latest finish reason that is not None;
    the first chunk has an empty content and a role, which is not text.
    """
    stream = choice_chunks(_no_extras(), 0, ["Hel", "lo", ",", " world"], "stop")
    assert ex.join_chunks(stream) == [("Hello, world", "stop")]
    stream = choice_chunks(_no_extras(), 0, ["one", " two"], "length")
    assert ex.join_chunks(stream) == [("one two", "length")]


class _no_extras:  # noqa: N801 - a stand-in for rng that never adds empty deltas
    def random(self) -> float:
        return 1.0


def test_join_chunks_interleaved_choices(ex, rng) -> None:
    """Several choices, their chunks interleaved.

    Hint 1: With n > 1 the pieces of different choices arrive mixed; each chunk says
    which choice it belongs to.
    Hint 2: Group by the index, not by arrival order, and return the choices sorted by
    index, including those whose text is empty.
    """
    for _ in range(20):
        k = int(rng.integers(1, 5))
        answers = [random_answer(rng) for _ in range(k)]
        streams = [choice_chunks(rng, i, p, r) for i, (p, r) in enumerate(answers)]
        stream = interleave(rng, streams)
        if rng.random() < 0.5:  # the usage counts at the end carry no choice
            stream.append({"id": "chatcmpl-1", "choices": [], "usage": {"total_tokens": 5}})
        expected = [("".join(p), r) for p, r in answers]
        assert ex.join_chunks(stream) == expected, f"{k} choices"


def test_join_chunks_empty_deltas_and_cut_streams(ex, rng) -> None:
    """Deltas without text, and a stream cut before its finish reason.

    Hint 1: A delta may be empty, or its content missing or None: none of these is text.
    Hint 2: A choice that never got a finish reason still has its text so far, with None.
    """
    stream = [chunk(0, {"role": "assistant", "content": ""}), chunk(0, {}),
              chunk(0, {"content": None}), chunk(0, {"content": "Hi"})]  # fmt: skip
    assert ex.join_chunks(stream) == [("Hi", None)]
    pieces, _ = random_answer(rng)
    stream = interleave(rng, [choice_chunks(rng, 0, pieces, None),
                              choice_chunks(rng, 1, ["x"], "stop")])  # fmt: skip
    assert ex.join_chunks(stream) == [("".join(pieces), None), ("x", "stop")]
    only_role = [chunk(0, {"role": "assistant", "content": ""}), chunk(0, {}, "length")]
    assert ex.join_chunks(only_role) == [("", "length")]


def test_join_chunks_no_choices(ex) -> None:
    """A stream with no choice at all.

    Hint 1: No chunks, or only a usage chunk with an empty list of choices, is an answer
    with no choices.
    Hint 2: Return an empty list; do not fail on an empty "choices".
    """
    assert ex.join_chunks([]) == []
    assert ex.join_chunks([{"choices": [], "usage": {"total_tokens": 3}}]) == []
    assert ex.join_chunks(iter(choice_chunks(_no_extras(), 0, ["a"], "stop"))) == [("a", "stop")]


def test_join_chunks_refuses_errors_and_gaps(ex, rng) -> None:
    """An error event, and choice indices with a gap.

    Hint 1: A server that fails while streaming sends an event with an "error" key
    instead of choices; a missing index means chunks were lost.
    Hint 2: Raise ValueError for an error event anywhere in the stream, and when the
    indices seen are not exactly 0 up to their count less one.
    """
    good = choice_chunks(rng, 0, ["a", "b"], "stop")
    with pytest.raises(ValueError):
        ex.join_chunks([*good[:2], {"error": {"message": "generation failed"}}, *good[2:]])
    with pytest.raises(ValueError):
        ex.join_chunks(choice_chunks(rng, 1, ["a"], "stop"))
    gap = interleave(rng, [choice_chunks(rng, 0, ["a"], "stop"),
                           choice_chunks(rng, 2, ["b"], "stop")])  # fmt: skip
    with pytest.raises(ValueError):
        ex.join_chunks(gap)


# --- conversations and the trimming rule, by brute force -----------------------------------


def counter(per_message: int, per_prompt: int):
    """Words, plus framing per message and per prompt: not additive over parts."""

    def count(messages: list[dict[str, str]]) -> int:
        words = sum(len(m["content"].split()) for m in messages)
        return words + per_message * len(messages) + per_prompt

    count.__qualname__ = f"count_{per_message}_{per_prompt}"  # one name per way of counting
    return count


def brute_trim(messages, count, budget):
    """Every tail that starts at a user message, counted whole; the longest that fits."""
    head = [dict(messages[0])] if messages and messages[0]["role"] == "system" else []
    rest = [dict(m) for m in messages[len(head) :]]
    for i, message in enumerate(rest):
        if message["role"] == "user" and count(head + rest[i:]) <= budget:
            return head + rest[i:]
    return None


def random_conversation(rng, system: bool, size: int) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": "word " * int(rng.integers(0, 6))}] if system else []
    role = "user"
    for _ in range(size):
        messages.append({"role": role, "content": "word " * int(rng.integers(0, 9))})
        # mostly alternating, sometimes two of a kind (a retried question, an edit)
        if rng.random() < 0.8:
            role = "assistant" if role == "user" else "user"
    return messages


def test_trim_messages_readable_example(ex) -> None:
    """The example of the docstring.

    Hint 1: The system message always stays; of the rest, keep the newest messages
    that fit, starting at a question.
    Hint 2: Try the tails that start at a user message from the longest down; count each
    whole candidate (system message included) and keep the first that fits.
    """
    words = counter(0, 0)
    chat = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "one two three"},
            {"role": "assistant", "content": "four five"}, {"role": "user", "content": "six"}]  # fmt: skip
    assert ex.trim_messages(chat, words, 5) == [chat[0], chat[3]]
    assert ex.trim_messages(chat, words, 8) == chat
    assert ex.trim_messages(chat, words, 7) == [chat[0], chat[3]]  # never start at an answer
    assert ex.trim_messages(chat, words, 3) == [chat[0], chat[3]]  # exactly the budget fits


def test_trim_messages_random_conversations(ex, rng) -> None:
    """Random conversations, counters and budgets, against the rule by brute force.

    Hint 1: The answer is the longest tail starting at a user message whose whole
    prompt fits, with the system message in front when there is one.
    Hint 2: Count each candidate list with the given counter (framing per message and per
    prompt makes the count of a list differ from the sum of its parts), and compare with
    at most the budget.
    """
    checked = 0
    for _ in range(60):
        messages = random_conversation(rng, bool(rng.random() < 0.7), int(rng.integers(1, 12)))
        count = counter(int(rng.integers(0, 5)), int(rng.integers(0, 6)))
        if messages[-1]["role"] != "user" or not any(m["role"] == "user" for m in messages):
            messages.append({"role": "user", "content": "and now?"})
        # half the budgets exactly some tail's count, where "at most" matters
        exact = sorted({count(brute_trim(messages, count, b) or []) for b in range(200)})
        if rng.random() < 0.5:
            budget = int(exact[int(rng.integers(len(exact)))])
        else:
            budget = int(rng.integers(0, 120))
        expected = brute_trim(messages, count, budget)
        if expected is None:
            with pytest.raises(ValueError):
                ex.trim_messages(messages, count, budget)
        else:
            assert ex.trim_messages(messages, count, budget) == expected, budget
            checked += 1
    assert checked


def test_trim_messages_without_system_message(ex, rng) -> None:
    """A conversation without a system message.

    Hint 1: Only a system message at the very front is kept whatever happens; without
    one, the kept part is just the tail.
    Hint 2: Do not treat the first message as the system message unless its role says so.
    """
    count = counter(1, 2)
    chat = [{"role": "user", "content": "a b c d"}, {"role": "assistant", "content": "e f"},
            {"role": "user", "content": "g"}]  # fmt: skip
    assert ex.trim_messages(chat, count, 3 + 2) == [chat[2]]
    assert ex.trim_messages(chat, count, 7 + 3 + 2) == chat
    for _ in range(10):
        messages = random_conversation(rng, False, int(rng.integers(2, 10)))
        messages.append({"role": "user", "content": "q"})
        budget = int(rng.integers(3, 60))
        expected = brute_trim(messages, count, budget)
        if expected is not None:
            assert ex.trim_messages(messages, count, budget) == expected


def test_trim_messages_copies_and_leaves_input(ex, rng) -> None:
    """The answer is new dicts; the conversation given is left as it was.

    Hint 1: The caller keeps its conversation for the next turn: do not remove from it,
    and return messages that changing will not change the caller's.
    Hint 2: Build a new list of new dicts with the same role and content.
    """
    messages = random_conversation(rng, True, 7) + [{"role": "user", "content": "q"}]
    before = copy.deepcopy(messages)
    kept = ex.trim_messages(messages, counter(1, 0), 10**6)
    assert messages == before and kept == before
    # new dicts: changing what was returned must not change the caller's conversation
    assert kept is not messages and all(a is not b for a, b in zip(kept, messages, strict=True))


def test_trim_messages_refuses_what_cannot_fit(ex, rng) -> None:
    """No user message, or not even the last question fits.

    Hint 1: Trimming can only drop whole messages before a question; when even the
    system message and the last question are too many tokens, there is no answer.
    Hint 2: Raise ValueError then, and when there is no user message at all.
    """
    count = counter(1, 1)
    chat = [{"role": "system", "content": "s s"}, {"role": "user", "content": "a b c"}]
    assert ex.trim_messages(chat, count, 8) == chat  # 2 + 3 words, 2 messages, 1 prompt
    with pytest.raises(ValueError):
        ex.trim_messages(chat, count, 7)
    with pytest.raises(ValueError):
        ex.trim_messages([{"role": "system", "content": "s"},
                          {"role": "assistant", "content": "a"}], count, 100)  # fmt: skip
    with pytest.raises(ValueError):
        ex.trim_messages([], count, 100)
