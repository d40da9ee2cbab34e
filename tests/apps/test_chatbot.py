"""The chatbot library: memory that summarises, notes, personas, saved conversations.

A fake model (a function, tokens counted as words) makes every test deterministic and
quick; one slow test talks to the real SmolLM2-135M-Instruct.
"""

from __future__ import annotations

import importlib
import inspect
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlpjourney.apps import chatbot
from nlpjourney.apps.chatbot import (
    PERSONAS,
    Chatbot,
    ChatStoreError,
    ConversationMemory,
    ConversationStore,
    FunctionChatModel,
    LlamaChatModel,
    NotesIndex,
    Persona,
    split_passages,
)
from nlpjourney.apps.chatbot.memory import SUMMARY_SYSTEM
from nlpjourney.errors import UnknownNameError


class Fake:
    """A deterministic model: replies "reply N", summaries "summary N"; records every call."""

    def __init__(self, reply_words: int = 3) -> None:
        self.replies: list[tuple[list[dict[str, str]], dict[str, Any]]] = []
        self.summaries: list[list[dict[str, str]]] = []
        self.reply_words = reply_words

    def __call__(self, messages: list[dict[str, str]], **settings: Any) -> str:
        if messages[0]["content"] == SUMMARY_SYSTEM:
            self.summaries.append(messages)
            return f"summary {len(self.summaries)}"
        self.replies.append((messages, settings))
        return " ".join(["reply", str(len(self.replies))] + ["x"] * (self.reply_words - 2))

    def model(self) -> FunctionChatModel:
        return FunctionChatModel(self)


def count(messages: list[dict[str, str]]) -> int:
    return FunctionChatModel(lambda m: "").count_tokens(messages)


# --- memory ---------------------------------------------------------------------------


def test_chatbot_summary_starts_exactly_when_the_budget_is_crossed_and_then_fits() -> None:
    fake = Fake()
    budget, reply = 80, 10
    bot = Chatbot(fake, context_budget=budget, max_new_tokens=reply, summary_tokens=8)
    crossed = []
    for turn in range(12):
        question = f"question {turn} " + "word " * 4
        before = len(fake.summaries)
        over = count(bot.messages(question)) + reply > budget  # what it would send unfolded
        recent = list(bot.memory.recent)
        bot.reply(question)
        summarised = len(fake.summaries) > before
        assert summarised == over, f"turn {turn}: over={over}, summarised={summarised}"
        sent = fake.replies[-1][0]
        assert count(sent) + reply <= budget, f"turn {turn}: the prompt sent does not fit"
        assert sent[-1] == {"role": "user", "content": question}
        if summarised:
            crossed.append(turn)
            # The newest turns stay verbatim, and the summary rides in the system message.
            assert sent[1:-1] == recent[len(recent) - len(sent[1:-1]) :]
            assert len(sent[1:-1]) >= 2
            assert sent[0]["content"].endswith(f"summary {len(fake.summaries)}")
    assert crossed and crossed[0] > 0, "the budget was never crossed: grow the test"
    assert len(crossed) > 1, "only one summary: the later ones were not exercised"
    # Nothing is lost: every message is still in memory, the first `folded` summarised.
    assert len(bot.memory.messages) == 24 and bot.memory.folded > 0
    assert bot.memory.messages[0]["content"].startswith("question 0")


@given(
    st.lists(st.integers(1, 60), min_size=1, max_size=12),
    st.integers(0, 3).map(lambda n: 2 * n),
    st.integers(1, 12),
)
def test_chatbot_every_prompt_sent_fits_and_no_message_is_lost(
    lengths: list[int], keep_recent: int, summary_words: int
) -> None:
    fake = Fake(reply_words=5)
    budget, reply = 70, 10
    bot = Chatbot(fake, context_budget=budget, max_new_tokens=reply, summary_tokens=summary_words,
                  keep_recent=keep_recent)  # fmt: skip
    asked = []
    for turn, words in enumerate(lengths):
        question = " ".join([f"q{turn}"] * words)
        try:
            bot.reply(question)
        except ValueError as error:  # only when the question cannot fit even alone
            assert "ask a shorter question" in str(error)
            assert count(bot.memory.prompt(bot.system, question, recent=[])) + reply > budget
            continue
        asked.append(question)
        assert count(fake.replies[-1][0]) + reply <= budget
    assert [m["content"] for m in bot.memory.messages[::2]] == asked


def test_chatbot_summary_is_written_from_the_old_summary_and_the_folded_turns() -> None:
    fake = Fake()
    memory = ConversationMemory(
        [
            {"role": "user", "content": "I am Ada"},
            {"role": "assistant", "content": "Hello Ada"},
            {"role": "user", "content": "I like tea"},
            {"role": "assistant", "content": "Noted"},
        ],
        summary="earlier talk",
    )
    model = fake.model()
    size = count(memory.prompt("system", "next?"))
    folded = memory.fit(model, "system", "next?", limit=size - 1, summary_tokens=2)
    assert folded == 2 and memory.recent[0]["content"] == "I like tea"
    asked = fake.summaries[0][1]["content"]
    assert "earlier talk" in asked and "User: I am Ada" in asked and "Assistant: Hello Ada" in asked
    assert "I like tea" not in asked
    assert memory.summary == "summary 1"
    with pytest.raises(ValueError, match="ask a shorter question"):
        memory.fit(model, "system", "word " * 50, limit=20, summary_tokens=2)


# --- notes ----------------------------------------------------------------------------


@pytest.fixture
def notes_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    (folder / "travel").mkdir(parents=True)
    (folder / "travel" / "norway.md").write_text(
        "# Norway\n\nMy sister Ingrid lives in Trondheim.\n\nThe fjords are best in June.\n"
    )
    (folder / "cooking.txt").write_text("Bake the sourdough at 230 degrees for 40 minutes.\n")
    (folder / "ideas.md").write_text("A garden with tomatoes, basil and a quince tree.\n")
    (folder / "image.png").write_bytes(b"\x89PNG not text")
    return folder


def test_chatbot_retrieval_puts_the_right_note_in_the_prompt_and_cites_it(
    notes_folder: Path,
) -> None:
    fake = Fake()
    bot = Chatbot(fake, notes=notes_folder, k=1)
    assert bot.notes.n_notes == 3
    bot.reply("How long should the sourdough bake?")
    sent = fake.replies[-1][0][-1]["content"]
    assert "[cooking.txt] Bake the sourdough at 230 degrees" in sent
    assert "Ingrid" not in sent and sent.endswith("Question: How long should the sourdough bake?")
    assert [p.source for p in bot.last_sources] == ["cooking.txt"]
    # The memory keeps the question as asked, not with the notes.
    assert bot.memory.messages[0]["content"] == "How long should the sourdough bake?"
    bot.reply("Where does Ingrid live?")
    assert f"[{Path('travel', 'norway.md')}] " in fake.replies[-1][0][-1]["content"]
    bot.reply("What is the weather like on Mars?")  # no note shares a word: no notes
    assert fake.replies[-1][0][-1]["content"] == "What is the weather like on Mars?"
    assert bot.last_sources == []
    assert bot.add_notes([("mars.md", "Mars weather: dusty storms.")]) == len(bot.notes)
    assert bot.notes.search("weather on Mars", k=2)[0].source == "mars.md"


def test_chatbot_notes_refuse_what_they_cannot_read(tmp_path: Path) -> None:
    from nlpjourney.errors import JourneyError

    with pytest.raises(JourneyError, match="no notes folder"):
        NotesIndex().add(tmp_path / "missing")
    with pytest.raises(JourneyError, match="no text files"):
        NotesIndex().add(tmp_path)
    with pytest.raises(TypeError, match="notes must be"):
        NotesIndex().add([3])
    assert NotesIndex().search("anything") == []


def test_chatbot_notes_with_an_encoder_fuse_bm25_and_dense_search() -> None:
    import numpy as np

    class Synonyms:  # a toy encoder: one dimension per meaning
        meanings = ({"car", "automobile", "vehicle"}, {"tea", "chai"}, {"garden", "quince"})

        def embed(self, texts: list[str]) -> np.ndarray:
            words = [set(text.lower().replace(".", "").split()) for text in texts]
            return np.array([[len(w & m) for m in self.meanings] for w in words], float) + 0.01

    texts = [("car.md", "The car needs new tyres."), ("tea.md", "Green tea at five."),
             ("garden.md", "Prune the quince in March.")]  # fmt: skip
    lexical, hybrid = NotesIndex().add(texts), NotesIndex(dense=Synonyms()).add(texts)
    assert lexical.search("When does my automobile get tyres?")[0].source == "car.md"
    assert lexical.search("Is my vehicle ready?") == []  # no shared word: BM25 finds nothing
    assert hybrid.search("Is my vehicle ready?", k=1)[0].source == "car.md"  # dense does


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=200), st.integers(1, 7))
def test_chatbot_passages_keep_every_word_in_order_within_the_limit(text: str, limit: int) -> None:
    passages = split_passages(text, limit)
    assert " ".join(passages).split() == text.split()
    assert all(1 <= len(p.split()) <= limit for p in passages)


# --- personas and settings -----------------------------------------------------------


def test_chatbot_personas_change_the_system_message_and_sampling() -> None:
    fake = Fake()
    tutor = Chatbot(fake, persona="tutor", seed=3, max_new_tokens=20)
    assert tutor.messages("hi")[0] == {"role": "system", "content": PERSONAS["tutor"].system_prompt}
    assert Chatbot(fake).messages("hi")[0]["content"] == PERSONAS["assistant"].system_prompt
    tutor.reply("hi")
    settings = fake.replies[-1][1]
    assert settings == {"max_new_tokens": 20, "temperature": 0.3, "seed": 3, "top_p": 0.9}
    pirate = Persona("pirate", "Talk like a pirate.", temperature=0.7)
    bot = Chatbot(fake, persona=pirate, temperature=0.0)
    bot.reply("hi")
    assert fake.replies[-1][0][0]["content"] == "Talk like a pirate."
    assert fake.replies[-1][1]["temperature"] == 0.0 and "top_p" not in fake.replies[-1][1]
    with pytest.raises(UnknownNameError, match="Did you mean tutor"):
        Chatbot(fake, persona="tutr")
    with pytest.raises(ValueError, match="temperature"):
        Persona("x", "y", temperature=-1)
    with pytest.raises(ValueError, match="system prompt"):
        Persona("x", " ")
    with pytest.raises(ValueError, match="context_budget"):
        Chatbot(fake, context_budget=100, max_new_tokens=90)
    with pytest.raises(ValueError, match="empty"):
        bot.reply("  ")
    with pytest.raises(ValueError, match="temperature must be 0 or more"):
        Chatbot("smollm2-135m-instruct", temperature=-1)  # refused before the model loads
    with pytest.raises(ValueError, match="k must be a positive int"):
        Chatbot("smollm2-135m-instruct", k=0)


def test_chatbot_stream_yields_pieces_and_remembers_after_the_end() -> None:
    class Streaming(FunctionChatModel):
        def stream(self, messages: list, **settings: Any):
            yield from ["Hel", "lo", "!"]

    bot = Chatbot(Streaming(lambda m, **s: "unused"))
    pieces = bot.stream("hi")
    assert next(pieces) == "Hel" and bot.memory.messages == []
    assert list(pieces) == ["lo", "!"]
    assert bot.memory.messages[-1] == {"role": "assistant", "content": "Hello!"}
    assert bot.last is not None and bot.last.tokens == 1


# --- saved conversations --------------------------------------------------------------


def test_chatbot_store_round_trip_save_list_load_resume_rename_delete(tmp_path: Path) -> None:
    path = tmp_path / "deep #1 ?%" / "chats.sqlite"  # characters a SQLite URI must escape
    fake = Fake()
    store = ConversationStore(path)
    assert store.list() == [] and not path.exists()  # listing writes nothing
    bot = Chatbot(fake, persona="tutor", store=store, context_budget=100, max_new_tokens=8,
                  summary_tokens=4)  # fmt: skip
    for turn in range(8):
        bot.reply(f"tell me about topic number {turn} please")
    assert bot.memory.folded > 0, "the test meant to save a summarised conversation"
    other = Chatbot(fake, store=path)
    other.reply("a second chat")
    listed = store.list()
    assert [c.id for c in listed] == [other.conversation_id, bot.conversation_id]
    info = listed[1]
    assert (info.title, info.persona, info.messages) == ("tell me about topic number 0 please",
                                                         "tutor", 16)  # fmt: skip
    saved = store.load(bot.conversation_id)
    assert saved.messages == bot.memory.messages and saved.times == bot.memory.times
    assert (saved.summary, saved.folded) == (bot.memory.summary, bot.memory.folded)

    again = Chatbot.resume(path, bot.conversation_id, fake, context_budget=100, max_new_tokens=8,
                           summary_tokens=4)  # fmt: skip
    assert again.persona.name == "tutor" and again.system == PERSONAS["tutor"].system_prompt
    assert again.messages("next")[:-1] == bot.messages("next")[:-1]  # the same memory
    again.reply("and one more")
    assert again.conversation_id == bot.conversation_id
    assert store.load(bot.conversation_id).messages[-2]["content"] == "and one more"

    store.rename(bot.conversation_id, "Topics")
    assert store.load(bot.conversation_id).info.title == "Topics"
    store.delete(bot.conversation_id)
    assert [c.id for c in store.list()] == [other.conversation_id]
    with sqlite3.connect(path) as connection:  # its messages went with it
        left = connection.execute("SELECT DISTINCT conversation_id FROM messages").fetchall()
    assert left == [(other.conversation_id,)]
    for action in (store.load, store.delete, lambda i: store.rename(i, "x")):
        with pytest.raises(ChatStoreError, match="journey chat --list"):
            action(bot.conversation_id)
    with pytest.raises(ChatStoreError, match="would lose some"):
        store.save(other.conversation_id, title="t", persona="p", system_prompt="s", messages=[])


def test_chatbot_store_refuses_a_bad_file_cleanly_and_leaves_it(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"these are my notes, not a database" * 10)
    with pytest.raises(ChatStoreError, match="not a SQLite database.*left untouched"):
        ConversationStore(garbage)
    assert garbage.read_bytes() == b"these are my notes, not a database" * 10

    damaged = tmp_path / "damaged.sqlite"
    ConversationStore(damaged).save(None, title="t", persona="p", system_prompt="s",
                                    messages=[{"role": "user", "content": "x" * 5000}])  # fmt: skip
    damaged.write_bytes(damaged.read_bytes()[:5000])
    with pytest.raises(ChatStoreError, match="damaged"):
        ConversationStore(damaged).list()

    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE accounts (name TEXT)")
    connection.close()
    with pytest.raises(ChatStoreError, match="another program's database"):
        ConversationStore(foreign)

    newer = tmp_path / "newer.sqlite"
    ConversationStore(newer).save(None, title="t", persona="p", system_prompt="s", messages=[])
    with sqlite3.connect(newer) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
        connection.execute("PRAGMA user_version = 2")
    connection.close()
    with pytest.raises(ChatStoreError, match="newer nlpjourney"):
        ConversationStore(newer)
    with pytest.raises(ChatStoreError, match="not a file"):
        ConversationStore(tmp_path)


def test_chatbot_failed_write_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "chats.sqlite")
    cid = store.save(None, title="t", persona="p", system_prompt="s",
                     messages=[{"role": "user", "content": "kept"}])  # fmt: skip
    with pytest.raises(ChatStoreError, match="SQLite failed"):  # a role the schema refuses
        store.save(cid, title="changed", persona="p", system_prompt="s",
                   messages=[{"role": "user", "content": "kept"},
                             {"role": "robot", "content": "x"}])  # fmt: skip
    saved = store.load(cid)
    assert saved.info.title == "t" and saved.messages == [{"role": "user", "content": "kept"}]


# --- the model adapter and the face ---------------------------------------------------


def test_chatbot_llama_adapter_counts_the_prompt_as_generate_renders_it() -> None:
    import torch

    from nlpjourney.infer import generate
    from nlpjourney.models import Llama, LlamaConfig
    from nlpjourney.tokenizers import load

    tokenizer = load("smollm2")
    torch.manual_seed(0)
    config = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size, max_seq_len=96)
    model = LlamaChatModel(Llama(config).eval(), tokenizer)
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    assert model.count_tokens(messages) == len(
        tokenizer.apply_chat_template(messages, tokenize=True)
    )
    settings = {"max_new_tokens": 6, "temperature": 0.0}
    text = model.generate(messages, **settings)
    assert text == generate(model.model, tokenizer, messages, **settings)
    assert "".join(model.stream(messages, **settings)) == text
    assert model.context_length == 96
    with pytest.raises(ValueError, match="past the model's context of 96"):
        Chatbot(model, context_budget=200, max_new_tokens=8, summary_tokens=8)
    bot = Chatbot(model, context_budget=96, max_new_tokens=6, summary_tokens=8)
    from nlpjourney.errors import JourneyError
    from nlpjourney.models.pretrained import Pretrained

    pretrained = Pretrained(model.model, tokenizer, config)
    assert LlamaChatModel.load(pretrained, device="auto").count_tokens(messages) > 0
    with pytest.raises(JourneyError, match="unknown device 'tpu'"):
        LlamaChatModel.load(pretrained, device="tpu")
    reply = bot.reply("Hi")
    streamed = Chatbot(model, context_budget=96, max_new_tokens=6, summary_tokens=8).stream("Hi")
    assert "".join(streamed) == reply
    assert bot.memory.messages[-1] == {"role": "assistant", "content": reply}
    assert bot.last is not None and bot.last.tokens == len(tokenizer.encode(reply))


def test_chatbot_face_exports_every_public_class() -> None:
    names = set()
    for module in ("bot", "llm", "memory", "notes", "persona", "store"):
        source = importlib.import_module(f"nlpjourney.apps.chatbot.{module}")
        names |= {
            name
            for name, value in vars(source).items()
            if inspect.isclass(value) and value.__module__ == source.__name__
            and not name.startswith("_")
        }  # fmt: skip
    assert names <= set(chatbot.__all__)
    assert all(hasattr(chatbot, name) for name in chatbot.__all__)


@pytest.mark.slow
def test_chatbot_smollm2_answers_the_second_turn_from_a_note(notes_folder: Path) -> None:
    bot = Chatbot("smollm2-135m-instruct", persona="notes", notes=notes_folder, k=2,
                  max_new_tokens=48)  # fmt: skip
    first = bot.reply("I am planning a trip to Norway in the summer.")
    assert first.strip()
    second = bot.reply("In which city does my sister Ingrid live?")
    assert "Trondheim" in second, second
    assert any(p.source.endswith("norway.md") for p in bot.last_sources)
