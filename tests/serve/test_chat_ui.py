"""The chat client's side: a streamed answer joined back, a conversation trimmed.

``join_chunks`` is held to the server's own non-streamed answer for the same seed, the
chunks read by the official ``openai`` client (two choices, interleaved); ``trim_messages``
to :meth:`ChatSession.fit` with SmolLM2's chat template, and to its definition (the
longest tail starting at a user message that fits) with hypothesis.
"""

from __future__ import annotations

import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney.infer.chat import ChatSession
from nlpjourney.models import Llama, LlamaConfig
from nlpjourney.serve.chat_ui import join_chunks, trim_messages
from tests.serve.conftest import TINY_ID, Running


def test_chat_ui_join_chunks_equals_the_non_streamed_answer(tiny_server: Running) -> None:
    client = openai.OpenAI(base_url=tiny_server.v1, api_key="unused", max_retries=0, timeout=60)
    ask = dict(model=TINY_ID, messages=[{"role": "user", "content": "Tell me about the sea."}],
               max_tokens=12, temperature=0.9, seed=7, n=2)  # fmt: skip
    whole = client.chat.completions.create(**ask)
    stream = client.chat.completions.create(**ask, stream=True,
                                            stream_options={"include_usage": True})  # fmt: skip
    chunks = [chunk.model_dump() for chunk in stream]
    expected = [(c.message.content, c.finish_reason) for c in whole.choices]
    assert join_chunks(chunks) == expected
    assert len(expected) == 2 and expected[0][0] != expected[1][0]


def test_chat_ui_join_chunks_refuses_errors_and_gaps() -> None:
    with pytest.raises(ValueError, match="error"):
        join_chunks([{"error": {"message": "generation failed"}}])
    with pytest.raises(ValueError, match="indices"):
        join_chunks([{"choices": [{"index": 1, "delta": {"content": "x"}}]}])
    assert join_chunks([]) == []
    # a stream cut before its finish reason: the text so far, and None
    assert join_chunks([{"choices": [{"index": 0, "delta": {"content": "Hi"}}]}]) == [("Hi", None)]


def conversation(exchanges: int, words: int = 6) -> list[dict[str, str]]:
    turns = [{"role": "system", "content": "You are a helpful assistant."}]
    for i in range(exchanges):
        turns.append({"role": "user", "content": f"Question {i}: " + "why " * words})
        turns.append({"role": "assistant", "content": f"Answer {i}: " + "because " * words})
    return turns


@pytest.mark.parametrize(("exchanges", "context"), [(1, 128), (6, 128), (12, 160), (3, 512)])
def test_chat_ui_trim_messages_equals_chat_session_fit(
    smollm2_tokenizer, exchanges: int, context: int
) -> None:
    tokenizer = smollm2_tokenizer
    config = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size,
                                                   max_seq_len=context)  # fmt: skip
    session = ChatSession(Llama(config), tokenizer, system="You are a helpful assistant.",
                          max_new_tokens=32)  # fmt: skip
    history = conversation(exchanges)
    session.turns = [dict(m) for m in history[1:]]
    question = "And what about the sea?"
    session.fit(question)

    def count(messages: list[dict[str, str]]) -> int:
        return len(tokenizer.encode(tokenizer.apply_chat_template(messages)))

    mine = trim_messages([*history, {"role": "user", "content": question}], count, context - 32)
    assert mine == session.messages(question)


ROLES = st.lists(st.sampled_from(["user", "assistant"]), min_size=1, max_size=10)


@settings(max_examples=60, deadline=None)
@given(ROLES, st.booleans(), st.lists(st.integers(1, 9), min_size=11, max_size=11),
       st.integers(0, 60))  # fmt: skip
def test_chat_ui_trim_messages_keeps_the_longest_fitting_tail(
    roles: list[str], system: bool, sizes: list[int], budget: int
) -> None:
    messages = [{"role": "system", "content": "s " * sizes[-1]}] if system else []
    messages += [{"role": r, "content": "w " * n} for r, n in zip(roles, sizes, strict=False)]

    def count(ms: list[dict[str, str]]) -> int:
        return sum(len(m["content"].split()) + 1 for m in ms)  # + 1: each message's framing

    head = messages[:1] if system else []
    rest = messages[len(head) :]
    tails = [head + rest[i:] for i, m in enumerate(rest) if m["role"] == "user"]
    fitting = [t for t in tails if count(t) <= budget]
    if not fitting:
        with pytest.raises(ValueError):
            trim_messages(messages, count, budget)
        return
    kept = trim_messages(messages, count, budget)
    assert kept == fitting[0]  # the longest: the earliest user message that fits
    assert kept is not messages and all(a is not b for a, b in zip(kept, messages, strict=False))


def test_chat_ui_trim_messages_leaves_the_input_alone() -> None:
    messages = conversation(3)
    before = [dict(m) for m in messages]
    with pytest.raises(ValueError, match="no user message"):
        trim_messages(messages[:1], len, 10)
    trim_messages([*messages, {"role": "user", "content": "q"}], len, 3)
    assert messages == before
