"""Tests of the folding decision (nlpjourney.apps.chatbot.folding) against the memory's fit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney.apps.chatbot import ConversationMemory, FunctionChatModel
from nlpjourney.apps.chatbot.folding import messages_to_fold
from nlpjourney.apps.chatbot.memory import SUMMARY_HEADING


def test_folding_examples() -> None:
    assert messages_to_fold([5, 5, 5, 5, 5, 5], room=12) == 4
    assert messages_to_fold([5, 5, 5, 5, 5, 5], room=30) == 0
    assert messages_to_fold([5, 5, 5, 5, 5, 5], room=29) == 2
    # keep_recent stops the folding even when the rest does not fit
    assert messages_to_fold([5, 5, 5, 5, 5, 5], room=0, keep_recent=2) == 4
    assert messages_to_fold([5, 5, 5, 5, 5, 5], room=0, keep_recent=0) == 6
    assert messages_to_fold([9], room=3) == 1  # never more than there are


def test_folding_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="keep_recent"):
        messages_to_fold([1, 2], 1, keep_recent=-1)
    with pytest.raises(ValueError, match="sizes"):
        messages_to_fold([1, -2], 1)


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.integers(1, 12), min_size=2, max_size=6).map(lambda w: w * 2),
    question=st.integers(1, 10),
    slack=st.integers(-20, 40),
    keep_recent=st.integers(0, 4),
)
def test_folding_equals_what_memory_fit_folds_first(words, question, slack, keep_recent) -> None:
    """With a word-counting model, when fit folds, its first fold is messages_to_fold's
    answer (fit folds nothing while the prompt fits with no summary at all)."""
    folds: list[int] = []

    def model(messages, **settings):
        conversation = messages[-1]["content"].split('"""')[1].strip().splitlines()
        folds.append(len(conversation))
        return "ok"

    llm = FunctionChatModel(model)
    messages = [
        {"role": ("user", "assistant")[i % 2], "content": " ".join(["w"] * n)}
        for i, n in enumerate(words)
    ]
    system, text, summary_tokens = "Be brief.", " ".join(["q"] * question), 5
    sizes = [llm.count_tokens([m]) for m in messages]
    fixed = llm.count_tokens([{"role": "system", "content": f"{system}\n\n{SUMMARY_HEADING}"}])
    fixed += llm.count_tokens([{"role": "user", "content": text}])
    limit = fixed + summary_tokens + sum(sizes) // 2 + slack
    if limit < fixed + summary_tokens + 6:  # room for the summary "ok" and any question
        return
    room = limit - fixed - summary_tokens
    memory = ConversationMemory(messages)
    memory.fit(llm, system, text, limit, summary_tokens, keep_recent)
    if folds:
        assert folds[0] == messages_to_fold(sizes, room, keep_recent)
    else:
        assert llm.count_tokens(memory.prompt(system, text)) <= limit
