"""The chatbot: a model, a persona, a memory that summarises, the user's notes, a store.

Each reply goes through the same steps::

    question -> the notes' best passages for it (if any notes), put before the question
             -> the prompt: persona (+ summary) / recent turns / question with notes
             -> too long for the budget? fold the oldest turns into the summary
             -> the model writes the reply (streamed)
             -> question and reply join the memory; the conversation is saved

>>> bot = Chatbot(lambda messages, **settings: "Noted.", persona="tutor")
>>> bot.reply("My name is Ada.")
'Noted.'
>>> bot.memory.messages[-1]
{'role': 'assistant', 'content': 'Noted.'}
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpjourney.apps.chatbot.llm import as_chat_model
from nlpjourney.apps.chatbot.memory import ConversationMemory
from nlpjourney.apps.chatbot.notes import NotesIndex, Passage
from nlpjourney.apps.chatbot.persona import PERSONAS, Persona, get_persona
from nlpjourney.apps.chatbot.store import ConversationStore

if TYPE_CHECKING:
    from nlpjourney.infer import TurnStats

__all__ = ["Chatbot", "with_notes"]

TITLE_WORDS = 8


def with_notes(question: str, passages: list[Passage]) -> str:
    """The user message the model sees: the passages found, each with its source, then
    the question.

    >>> print(with_notes("Capital?", [Passage("geo.md", "Paris is the capital.")]))
    Notes that may help (cite a note by its source in square brackets):
    [geo.md] Paris is the capital.
    <BLANKLINE>
    Question: Capital?
    """
    if not passages:
        return question
    notes = "\n".join(f"[{passage.source}] {passage.text}" for passage in passages)
    return (
        "Notes that may help (cite a note by its source in square brackets):\n"
        f"{notes}\n\nQuestion: {question}"
    )


class Chatbot:
    """A chatbot with a persona, a summarising memory, retrieval over notes, and saving.

    Args:
        llm: a model name or folder (loaded with
            :func:`nlpjourney.models.pretrained.load`), a ``Pretrained``, a
            :class:`~nlpjourney.apps.chatbot.llm.ChatModel`, or a function
            ``f(messages, **settings) -> str`` (tokens then counted as words).
        persona: a :class:`~nlpjourney.apps.chatbot.persona.Persona` or a built-in one's name.
        notes: notes to search (a folder, texts, or a
            :class:`~nlpjourney.apps.chatbot.notes.NotesIndex`); more with :meth:`add_notes`.
        store: where conversations are saved (a path or a
            :class:`~nlpjourney.apps.chatbot.store.ConversationStore`); with one, each
            reply is saved as soon as it is written. None: nothing is saved.
        context_budget: the most tokens a prompt and its reply may take together; kept
            well below the model's context, since long prompts are slow on a CPU.
        max_new_tokens: the longest reply, in tokens (reserved in the budget).
        temperature, top_p: the sampling; None takes the persona's.
        seed: seeds the sampling of every reply.
        k: how many passages of the notes go with each question.
        summary_tokens: the longest summary of the older turns, in tokens.
        keep_recent: how many of the latest messages stay verbatim when turns are folded.
        device: where a model loaded by name runs: ``"cpu"``, ``"cuda"`` or ``"auto"``.

    Raises:
        ValueError: a setting is out of range, or the budget is past the model's context.
    """

    def __init__(
        self,
        llm: Any = "smollm2-135m-instruct",
        persona: Persona | str = "assistant",
        *,
        notes: NotesIndex | str | Path | Iterable[str | tuple[str, str]] | None = None,
        store: ConversationStore | str | Path | None = None,
        context_budget: int = 1024,
        max_new_tokens: int = 256,
        temperature: float | None = None,
        top_p: float | None = None,
        seed: int | None = None,
        k: int = 3,
        summary_tokens: int = 96,
        keep_recent: int = 2,
        device: str = "cpu",
    ) -> None:
        # Every setting is checked before a model named here is loaded (seconds).
        self.persona = get_persona(persona) if isinstance(persona, str) else persona
        if not isinstance(self.persona, Persona):
            raise TypeError(f"persona must be a Persona or a name, got {type(persona).__name__}")
        for name, value in (
            ("max_new_tokens", max_new_tokens),
            ("summary_tokens", summary_tokens),
            ("k", k),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if keep_recent < 0:
            raise ValueError(f"keep_recent must be 0 or more, got {keep_recent}")
        if context_budget < max_new_tokens + summary_tokens + 16:
            raise ValueError(
                f"context_budget={context_budget} leaves no room for a prompt beside "
                f"max_new_tokens={max_new_tokens} and summary_tokens={summary_tokens}"
            )
        # A persona's own settings were checked when it was made; these override them.
        self.persona = replace(
            self.persona,
            temperature=self.persona.temperature if temperature is None else temperature,
            top_p=self.persona.top_p if top_p is None else top_p,
        )
        self.llm = as_chat_model(llm, device)
        context = getattr(self.llm, "context_length", None)
        if context is not None and context_budget > context:
            raise ValueError(
                f"context_budget={context_budget} is past the model's context of {context} tokens; "
                "ask for fewer max_new_tokens or a smaller context_budget"
            )
        self.context_budget, self.max_new_tokens = context_budget, max_new_tokens
        self.seed, self.k = seed, k
        self.summary_tokens, self.keep_recent = summary_tokens, keep_recent
        self.notes = notes if isinstance(notes, NotesIndex) else NotesIndex()
        if notes is not None and not isinstance(notes, NotesIndex):
            self.notes.add(notes)
        self.store = store if store is None or isinstance(store, ConversationStore) else (
            ConversationStore(store)
        )  # fmt: skip
        self.memory = ConversationMemory()
        self.conversation_id: int | None = None
        self.title: str | None = None
        self.last: TurnStats | None = None
        self.last_sources: list[Passage] = []

    @classmethod
    def resume(
        cls,
        store: ConversationStore | str | Path,
        conversation_id: int,
        llm: Any = "smollm2-135m-instruct",
        **settings: Any,
    ) -> Chatbot:
        """The saved conversation ``conversation_id``, ready to go on: its persona (unless
        ``settings`` give one), messages and summary.

        Raises:
            ChatStoreError: the store has no such conversation, or cannot be read.
        """
        store = store if isinstance(store, ConversationStore) else ConversationStore(store)
        saved = store.load(conversation_id)
        if "persona" not in settings:
            # A built-in persona comes back with its sampling; another, with its prompt.
            builtin = PERSONAS.get(saved.info.persona)
            same = builtin is not None and builtin.system_prompt == saved.system_prompt
            settings["persona"] = (
                builtin if same else Persona(saved.info.persona, saved.system_prompt)
            )
        bot = cls(llm, store=store, **settings)
        bot.memory = ConversationMemory(saved.messages, saved.summary, saved.folded, saved.times)
        bot.conversation_id, bot.title = conversation_id, saved.info.title
        return bot

    # --- settings a chat command changes -----------------------------------------------------

    @property
    def system(self) -> str:
        """The persona's system message; setting it keeps the persona's other settings."""
        return self.persona.system_prompt

    @system.setter
    def system(self, text: str | None) -> None:
        self.persona = replace(
            self.persona, system_prompt=text or get_persona("assistant").system_prompt
        )

    @property
    def temperature(self) -> float:
        """The sampling temperature (the persona's unless set); ``/temperature`` sets it."""
        return self.persona.temperature

    @temperature.setter
    def temperature(self, value: float) -> None:
        self.persona = replace(self.persona, temperature=value)

    @property
    def top_p(self) -> float | None:
        """The nucleus sampling threshold (None: off)."""
        return self.persona.top_p

    def reset(self) -> None:
        """Start a new conversation (the one so far stays saved, if there is a store)."""
        self.memory = ConversationMemory()
        self.conversation_id, self.title, self.last_sources = None, None, []

    def add_notes(self, folder_or_texts: str | Path | Iterable[str | tuple[str, str]]) -> int:
        """Add notes to search (see :meth:`NotesIndex.add`); returns the passages indexed."""
        self.notes.add(folder_or_texts)
        return len(self.notes)

    # --- replying --------------------------------------------------------------------------

    def messages(self, text: str) -> list[dict[str, str]]:
        """The prompt for ``text`` as it stands (before any folding)."""
        return self.memory.prompt(self.system, with_notes(text, self.notes.search(text, self.k)))

    def settings(self) -> dict[str, Any]:
        """The sampling settings passed to the model."""
        settings: dict[str, Any] = {
            "max_new_tokens": self.max_new_tokens,
            "temperature": self.temperature,
            "seed": self.seed,
        }
        if self.top_p is not None and self.temperature > 0:
            settings["top_p"] = self.top_p
        return settings

    def _prompt(self, text: str) -> list[dict[str, str]]:
        """The prompt for ``text``: notes found, older turns folded until it fits."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("the message is empty; say something")
        self.last_sources = self.notes.search(text, self.k)
        question = with_notes(text, self.last_sources)
        limit = self.context_budget - self.max_new_tokens
        self.memory.fit(
            self.llm, self.system, question, limit, self.summary_tokens, self.keep_recent
        )
        return self.memory.prompt(self.system, question)

    def _remember(self, text: str, answer: str, seconds: float) -> None:
        self.last = _stats(self.llm, answer, seconds)
        self.memory.add("user", text)
        self.memory.add("assistant", answer)
        if self.title is None:
            self.title = " ".join(text.split()[:TITLE_WORDS])
        if self.store is not None:
            self.save()

    def stream(self, text: str) -> Iterator[str]:
        """The reply to ``text`` in pieces as the model writes them (one piece if the
        model cannot stream); the exchange is remembered (and saved) once it ends.

        Raises:
            ValueError: ``text`` is empty, or it does not fit the budget even alone.
        """
        prompt = self._prompt(text)
        start = time.perf_counter()
        if not callable(getattr(self.llm, "stream", None)):
            answer = self.llm.generate(prompt, **self.settings())
            yield answer
        else:
            pieces: list[str] = []
            for piece in self.llm.stream(prompt, **self.settings()):
                pieces.append(piece)
                yield piece
            answer = "".join(pieces)
        self._remember(text, answer, time.perf_counter() - start)

    def reply(self, text: str) -> str:
        """The whole reply to ``text``, remembered (and saved); the same text as
        :meth:`stream` joined, for the same seed.

        Raises:
            ValueError: ``text`` is empty, or it does not fit the budget even alone.
        """
        prompt = self._prompt(text)
        start = time.perf_counter()
        answer = self.llm.generate(prompt, **self.settings())
        self._remember(text, answer, time.perf_counter() - start)
        return answer

    ask = stream  # the name journey chat's loop uses (as ChatSession's)

    def save(self) -> int:
        """Save the conversation in the store; returns its id (also :attr:`conversation_id`).

        Raises:
            ValueError: this chatbot has no store.
        """
        if self.store is None:
            raise ValueError("this chatbot has no store; give Chatbot(..., store=PATH)")
        self.conversation_id = self.store.save(
            self.conversation_id,
            title=self.title or "(untitled)",
            persona=self.persona.name,
            system_prompt=self.persona.system_prompt,
            messages=self.memory.messages,
            times=self.memory.times,
            summary=self.memory.summary,
            folded=self.memory.folded,
        )
        return self.conversation_id


def _stats(llm: Any, answer: str, seconds: float) -> TurnStats:
    from nlpjourney.infer import TurnStats

    tokenizer = getattr(llm, "tokenizer", None)
    tokens = len(tokenizer.encode(answer)) if tokenizer is not None else len(answer.split())
    return TurnStats(tokens, seconds)
