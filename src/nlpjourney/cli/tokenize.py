"""``journey tokenize "text" --model gpt2``: see where a real tokenizer cuts a text."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.text import Text

from nlpjourney.tokenizers import load
from nlpjourney.tokenizers.pretrained import PRETRAINED

console = Console()
# Neighbouring tokens alternate through these backgrounds, so every boundary shows.
COLOURS = ("on dark_blue", "on dark_green", "on dark_red", "on purple4", "on dark_orange3")


def token_text(piece: str) -> str:
    """A token's text made visible: newlines and tabs as escapes, spaces as ``·``.

    >>> token_text(" the\\n")
    '·the\\\\n'
    """
    return piece.replace(" ", "·").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def tokenize(
    text: str = typer.Argument(..., help="The text to tokenize (quote it)."),
    model: str = typer.Option("gpt2", "--model", "-m", help=f"Tokenizer: {', '.join(PRETRAINED)}."),
    special: bool = typer.Option(
        False, "--special", help="Add the model's markers (BOS...) as encode does."
    ),
) -> None:
    """Show TEXT cut into tokens by a real tokenizer, coloured by token, with the ids."""
    tokenizer = load(model)  # an unknown name is a JourneyError: one line, exit 1
    ids = tokenizer.encode(text, add_special_tokens=special)
    shown = Text()
    for n, i in enumerate(ids):
        piece = tokenizer.decode([i])
        style = COLOURS[n % len(COLOURS)]
        if "\ufffd" in piece and "\ufffd" not in text:
            # subtle: this token holds only part of a character's UTF-8 bytes, which
            # alone decode to U+FFFD; show the vocabulary's spelling instead, in italics.
            piece, style = tokenizer.id_to_token(i) or piece, style + " italic"
        shown.append(token_text(piece), style=style)
    console.print(shown)
    console.print(Text(" ".join(map(str, ids)), style="dim"))
    console.print(f"{len(ids)} tokens, {len(text)} characters ({model})")
