"""A chatbot a learner builds on (topic 7.2): persona, memory, notes, saved conversations.

- :mod:`~nlpjourney.apps.chatbot.llm`: the model as a small protocol, :class:`ChatModel`
  (``generate(messages, **settings)``, ``count_tokens(messages)``), with
  :class:`LlamaChatModel` for our Llama (SmolLM2-135M-Instruct by default) and
  :class:`FunctionChatModel` for a plain function (what the tests use);
- :mod:`~nlpjourney.apps.chatbot.persona`: :class:`Persona`, a named system prompt and
  its sampling, and the built-in :data:`PERSONAS`;
- :mod:`~nlpjourney.apps.chatbot.memory`: :class:`ConversationMemory`, every turn kept
  and the oldest folded into a summary written by the model when the prompt would pass
  its budget;
- :mod:`~nlpjourney.apps.chatbot.notes`: :class:`NotesIndex`, the user's notes cut into
  passages and searched with BM25 (or BM25 fused with MiniLM), each with its source;
- :mod:`~nlpjourney.apps.chatbot.folding`: :func:`messages_to_fold`, the memory's
  choice of how many old messages to fold, on plain token counts (7.2's exercise);
- :mod:`~nlpjourney.apps.chatbot.store`: :class:`ConversationStore`, conversations saved
  in SQLite (versioned schema, transactions, clear errors for a bad file);
- :mod:`~nlpjourney.apps.chatbot.bot`: :class:`Chatbot`, all of them together
  (``reply``, ``stream``, ``save``, ``Chatbot.resume``); ``journey chat --persona
  --notes --db --resume --list`` runs it.

>>> bot = Chatbot(lambda messages, **settings: "Hi!", notes=[("a.md", "Ada likes tea.")])
>>> bot.reply("What does Ada like?"), [p.source for p in bot.last_sources]
('Hi!', ['a.md'])
"""

from __future__ import annotations

from nlpjourney.apps.chatbot.bot import Chatbot, with_notes
from nlpjourney.apps.chatbot.folding import messages_to_fold
from nlpjourney.apps.chatbot.llm import ChatModel, FunctionChatModel, LlamaChatModel, as_chat_model
from nlpjourney.apps.chatbot.memory import ConversationMemory, summarise
from nlpjourney.apps.chatbot.notes import NotesIndex, Passage, split_passages
from nlpjourney.apps.chatbot.persona import PERSONAS, Persona, get_persona
from nlpjourney.apps.chatbot.store import (
    ChatStoreError,
    ConversationInfo,
    ConversationStore,
    SavedConversation,
)

__all__ = [
    "PERSONAS",
    "ChatModel",
    "ChatStoreError",
    "Chatbot",
    "ConversationInfo",
    "ConversationMemory",
    "ConversationStore",
    "FunctionChatModel",
    "LlamaChatModel",
    "NotesIndex",
    "Passage",
    "Persona",
    "SavedConversation",
    "as_chat_model",
    "get_persona",
    "messages_to_fold",
    "split_passages",
    "summarise",
    "with_notes",
]
