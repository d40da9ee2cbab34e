"""``journey chat``: talk with a pretrained chat model running in our own code, offline.

Interactive by default: each answer streams as it is written, then its tokens per
second. Lines that start with ``/`` are commands: ``/reset`` forgets the conversation,
``/system TEXT`` sets the system message (and resets), ``/temperature X`` changes the
sampling, ``/quit`` (or an end of input) leaves. ``journey chat --once "question"``
answers one question and exits, for scripts. The work is
:class:`nlpjourney.infer.ChatSession`; this module reads lines and prints.
"""

from __future__ import annotations

import sys

import typer

from nlpjourney.errors import JourneyError

HELP = "/reset  /system TEXT  /temperature X  /quit"


def chat(
    model: str = typer.Option(
        "smollm2-135m-instruct", "--model", help="A model name or a Hugging Face Llama folder."
    ),
    once: str | None = typer.Option(None, "--once", help="Answer this one question and exit."),
    system: str | None = typer.Option(None, "--system", help="The system message."),
    temperature: float = typer.Option(0.0, "--temperature", help="0 answers greedily."),
    max_new_tokens: int = typer.Option(256, "--max-new-tokens", help="The longest answer."),
    seed: int | None = typer.Option(None, "--seed", help="Seeds the sampling."),
) -> None:
    """Chat with SmolLM2-135M-Instruct (or another model) through nlpjourney's own Llama."""
    if temperature < 0:
        raise JourneyError(f"--temperature must be 0 or more, got {temperature}")
    if max_new_tokens < 1:
        raise JourneyError(f"--max-new-tokens must be at least 1, got {max_new_tokens}")
    if once is not None and not once.strip():
        raise JourneyError("--once needs a question")
    from nlpjourney.infer import ChatSession
    from nlpjourney.models import load

    pretrained = load(model)
    session = ChatSession(
        pretrained.model, pretrained.tokenizer, system, temperature, max_new_tokens, seed
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
            return
        if line.startswith("/"):
            if not command(session, line.strip()):
                return
        elif line.strip():
            answer(session, line, stats=True)


def answer(session, question: str, stats: bool) -> None:  # noqa: ANN001
    """Print the answer as it comes, then (interactively) its speed."""
    try:
        for piece in session.ask(question):
            sys.stdout.write(piece)
            sys.stdout.flush()
    except ValueError as error:
        raise JourneyError(str(error)) from None
    sys.stdout.write("\n")
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
