"""``journey chat``: talk with a pretrained chat model running in our own code, offline.

Interactive by default: each answer streams as it is written, then its tokens per
second. Lines that start with ``/`` are commands: ``/reset`` forgets the conversation,
``/system TEXT`` sets the system message (and resets), ``/temperature X`` changes the
sampling, ``/quit`` (or an end of input) leaves. ``journey chat --once "question"``
answers one question and exits, for scripts. The work is
:class:`nlpjourney.infer.ChatSession`; this module reads lines and prints.

With ``--persona``, ``--notes``, ``--db`` or ``--resume`` the chat is a
:class:`nlpjourney.apps.chatbot.Chatbot` instead: a persona, retrieval over a folder of
notes (the sources of each answer are shown), a memory that summarises the oldest turns
when the prompt grows past its budget, and every exchange saved in SQLite (``--db``,
default ``chats.sqlite`` in the workspace). ``--resume ID`` goes on with a saved
conversation; ``--list`` shows them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from nlpjourney.errors import JourneyError

HELP = "/reset  /system TEXT  /temperature X  /quit"
PROMPT_ROOM = 768  # tokens of a saved chat's prompt, beside the answer's


def chat(
    model: str = typer.Option(
        "smollm2-135m-instruct", "--model", help="A model name or a Hugging Face Llama folder."
    ),
    once: str | None = typer.Option(None, "--once", help="Answer this one question and exit."),
    system: str | None = typer.Option(None, "--system", help="The system message."),
    temperature: float | None = typer.Option(
        None, "--temperature", help="0 answers greedily (the default, or the persona's)."
    ),
    max_new_tokens: int = typer.Option(256, "--max-new-tokens", help="The longest answer."),
    seed: int | None = typer.Option(None, "--seed", help="Seeds the sampling."),
    persona: str | None = typer.Option(
        None, "--persona", help="A persona: assistant, tutor or notes (saved chat)."
    ),
    notes: Path | None = typer.Option(
        None, "--notes", help="A folder of .md/.txt notes to answer from (saved chat)."
    ),
    db: Path | None = typer.Option(
        None, "--db", help="Where chats are saved (default: chats.sqlite in the workspace)."
    ),
    resume: int | None = typer.Option(None, "--resume", help="Go on with saved chat ID."),
    list_chats: bool = typer.Option(False, "--list", help="List the saved chats and exit."),
) -> None:
    """Chat with SmolLM2-135M-Instruct (or another model) through nlpjourney's own Llama."""
    if temperature is not None and temperature < 0:
        raise JourneyError(f"--temperature must be 0 or more, got {temperature}")
    if max_new_tokens < 1:
        raise JourneyError(f"--max-new-tokens must be at least 1, got {max_new_tokens}")
    if once is not None and not once.strip():
        raise JourneyError("--once needs a question")
    if list_chats:
        show_saved(db)
        return
    if persona or notes or db or resume is not None:
        session = chatbot(
            model, persona, notes, db, resume, system, temperature, max_new_tokens, seed
        )
    else:
        from nlpjourney.infer import ChatSession
        from nlpjourney.models import load

        pretrained = load(model)
        session = ChatSession(
            pretrained.model, pretrained.tokenizer, system, temperature or 0.0, max_new_tokens, seed
        )
    if once is not None:
        answer(session, once, stats=False)
        return
    typer.echo(f"{model} (offline, on the CPU). Commands: {HELP}", err=True)
    while True:
        try:
            line = input("you> ")
        except EOFError:
            typer.echo("", err=True)
            break
        if line.startswith("/"):
            if not command(session, line.strip()):
                break
        elif line.strip():
            answer(session, line, stats=True)
    if getattr(session, "conversation_id", None) is not None:
        number = session.conversation_id
        typer.echo(f"(chat {number} saved; `journey chat --resume {number}` goes on)", err=True)


def answer(session, question: str, stats: bool) -> None:  # noqa: ANN001
    """Print the answer as it comes, then (interactively) its speed."""
    try:
        for piece in session.ask(question):
            sys.stdout.write(piece)
            sys.stdout.flush()
    except ValueError as error:
        raise JourneyError(str(error)) from None
    sys.stdout.write("\n")
    if getattr(session, "last_sources", None):
        sources = ", ".join(dict.fromkeys(p.source for p in session.last_sources))
        typer.secho(f"(notes used: {sources})", err=True, dim=True)
    if stats and session.last is not None:
        last = session.last
        typer.secho(
            f"({last.tokens} tokens, {last.tokens_per_second:.1f} tokens/s)", err=True, dim=True
        )


def command(session, line: str) -> bool:  # noqa: ANN001
    """Carry out a ``/`` command; False when the chat should end."""
    name, _, argument = line.partition(" ")
    argument = argument.strip()
    if name in {"/quit", "/exit"}:
        return False
    if name == "/reset":
        session.reset()
        typer.echo("(conversation forgotten)", err=True)
    elif name == "/system":
        session.system = argument or None
        session.reset()
        typer.echo(
            f"(system message {'set' if argument else 'removed'}; conversation reset)", err=True
        )
    elif name == "/temperature":
        try:
            value = float(argument)
        except ValueError:
            value = -1.0
        if not value >= 0:
            typer.echo(f"/temperature needs a number of 0 or more, got {argument!r}", err=True)
        else:
            session.temperature = value
            typer.echo(f"(temperature {value})", err=True)
    else:
        typer.echo(f"unknown command {name}; the commands: {HELP}", err=True)
    return True


def default_db() -> Path:
    """Where chats are saved without --db: ``chats.sqlite`` in the course workspace."""
    from nlpjourney.course.workspace import workspace_root

    return workspace_root() / "chats.sqlite"


def show_saved(db: Path | None) -> None:
    """Print the saved chats of ``db``, the latest first."""
    from nlpjourney.apps.chatbot import ConversationStore

    store = ConversationStore(db or default_db())
    saved = store.list()
    if not saved:
        typer.echo(f"no saved chats in {store.path}")
        return
    typer.echo(f"{'id':>4}  {'updated':<25}  {'persona':<10}  {'messages':>8}  title")
    for info in saved:
        typer.echo(
            f"{info.id:>4}  {info.updated:<25}  {info.persona:<10}  {info.messages:>8}  {info.title}"
        )


def chatbot(  # noqa: ANN201 - a Chatbot, imported late to keep `journey` quick to start
    model: str,
    persona: str | None,
    notes: Path | None,
    db: Path | None,
    resume: int | None,
    system: str | None,
    temperature: float | None,
    max_new_tokens: int,
    seed: int | None,
):
    """A saved chat's :class:`~nlpjourney.apps.chatbot.Chatbot`; the model is loaded last,
    after every option has been checked."""
    from dataclasses import replace

    from nlpjourney.apps.chatbot import ConversationStore, NotesIndex, get_persona

    store = ConversationStore(db or default_db())
    chosen = get_persona(persona) if persona else None
    if chosen is not None and system:
        chosen = replace(chosen, system_prompt=system)
    saved = store.load(resume) if resume is not None else None
    index = NotesIndex().add(notes) if notes is not None else None
    settings: dict = {"temperature": temperature, "max_new_tokens": max_new_tokens, "seed": seed}
    # The prompt keeps PROMPT_ROOM tokens or more beside the longest answer (1024 in all
    # by default: quick on a CPU).
    settings["context_budget"] = max(1024, max_new_tokens + PROMPT_ROOM)
    try:
        bot = _make_bot(store, saved, chosen, model, index, settings)
    except ValueError as error:
        raise JourneyError(str(error)) from None
    if saved is None and system and chosen is None:
        bot.system = system
    if saved is not None:
        typer.echo(
            f"(chat {saved.info.id}, {saved.info.title!r}: {saved.info.messages} messages)",
            err=True,
        )
    if index is not None:
        typer.echo(
            f"(notes: {len(index)} passages from {index.n_notes} files in {notes})", err=True
        )
    typer.echo(f"(saved in {store.path}; `journey chat --list` shows the chats)", err=True)
    return bot


def _make_bot(store, saved, persona, model: str, notes, settings: dict):  # noqa: ANN001, ANN202
    from nlpjourney.apps.chatbot import Chatbot, get_persona

    if saved is not None:
        if persona is not None:
            settings["persona"] = persona
        return Chatbot.resume(store, saved.info.id, model, notes=notes, **settings)
    return Chatbot(model, persona or get_persona("assistant"), notes=notes, store=store, **settings)
