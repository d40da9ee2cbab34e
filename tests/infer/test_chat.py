"""A conversation kept within the context; `journey chat` as a learner runs it."""

from __future__ import annotations

import pytest
import torch

from nlpjourney.infer import ChatSession, context_length
from nlpjourney.models import Llama, LlamaConfig
from nlpjourney.tokenizers import load


@pytest.fixture(scope="module")
def tokenizer():
    return load("smollm2")


@pytest.fixture(scope="module")
def tiny(tokenizer) -> Llama:
    torch.manual_seed(0)
    config = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size, max_seq_len=96)
    return Llama(config).eval()


def prompt_tokens(session: ChatSession, tokenizer, question: str) -> int:
    return len(tokenizer.encode(tokenizer.apply_chat_template(session.messages(question))))


def test_chat_history_is_kept_and_trimmed_to_the_context(tiny: Llama, tokenizer) -> None:
    session = ChatSession(tiny, tokenizer, system="Be brief.", max_new_tokens=8, seed=0)
    for turn in range(8):
        answer = "".join(session.ask(f"question number {turn}"))
        assert session.turns[-1] == {"role": "assistant", "content": answer}
        assert session.turns[-2] == {"role": "user", "content": f"question number {turn}"}
        # What the model saw for this turn fitted: prompt + answer within the context.
        assert session.last is not None and session.last.tokens <= 8
    assert len(session.turns) < 16, "old turns were never dropped"
    assert session.turns[0]["content"] != "question number 0"
    room = context_length(tiny) - 8
    session.fit("next")
    assert prompt_tokens(session, tokenizer, "next") <= room
    session.reset()
    assert session.turns == [] and session.messages("hi")[0]["role"] == "system"


def test_chat_a_question_longer_than_the_context_is_refused(tiny: Llama, tokenizer) -> None:
    session = ChatSession(tiny, tokenizer, max_new_tokens=8)
    with pytest.raises(ValueError, match="past the model's context of 96"):
        list(session.ask("word " * 200))
    with pytest.raises(ValueError, match="empty"):
        list(session.ask("   "))
    with pytest.raises(ValueError, match="max_new_tokens"):
        ChatSession(tiny, tokenizer, max_new_tokens=0)
