"""``journey tokenize "text" --model gpt2``: see where a real tokenizer cuts a text.

The text comes from the command line, from a file (``--file notes.txt``) or from
standard input (``-``), so a long text is not stopped by the shell's limit on the
length of a command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

from nlpjourney.errors import JourneyError
from nlpjourney.tokenizers import Tokenizer, load
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


def plural(n: int, noun: str) -> str:
    """``plural(1, "token")`` -> ``"1 token"``; ``plural(3, "token")`` -> ``"3 tokens"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# Tokens of context decoded before each token; see token_pieces.
CONTEXT = 8


def token_pieces(tokenizer: Tokenizer, ids: list[int]) -> list[tuple[str, bool]]:
    """Each token's text as it stands in the decoded whole, or its spelling when it has none.

    A token decoded alone can lose what its neighbours give it: Llama 2's decoder strips
    the space a text starts with, so "▁world" alone reads "world"; BERT's joins "##ing"
    to the word before. So each token's text is what it adds to the decoding of the few
    tokens before it. A token holding part of a character's bytes adds no text of its own
    (the characters change), and is shown by its vocabulary spelling, flagged True.

    Returns:
        One ``(text, is_spelling)`` per id.
    """
    pieces = []
    for k, i in enumerate(ids):
        window = ids[max(0, k - CONTEXT) : k]
        before = tokenizer.decode(window)
        after = tokenizer.decode([*window, i])
        added = after[len(before) :]
        # subtle: part of a character's UTF-8 bytes decodes alone to U+FFFD; in context
        # it may add nothing, or turn the bytes before it into a new character.
        partial = "\ufffd" in tokenizer.decode([i])
        if partial or not added or not after.startswith(before):
            pieces.append((tokenizer.id_to_token(i) or added, True))
        else:
            pieces.append((added, False))
    return pieces


def read_text(text: str | None, file: Path | None) -> str:
    """The text to tokenize: ``text`` itself, standard input when it is ``-``, or ``file``.

    Bytes that are not UTF-8 (in a file, or on standard input) become U+FFFD, each
    shown as ``�``; on the command line Python keeps them as lone surrogates, which
    every tokenizer reads as U+FFFD too.

    Raises:
        JourneyError: both a text and a file, or neither, or a file that cannot be read.
    """
    if (text is None) == (file is None):
        raise JourneyError(
            "give the text to tokenize, `-` to read it from standard input, or "
            "--file PATH (one of the three)."
        )
    if file is None:
        assert text is not None
        return sys.stdin.buffer.read().decode("utf-8", "replace") if text == "-" else text
    try:
        return file.read_bytes().decode("utf-8", "replace")
    except OSError as error:
        raise JourneyError(f"cannot read {file}: {error.strerror or error}.") from None


def tokenize(
    text: str | None = typer.Argument(
        None, help="The text to tokenize (quote it), or - to read it from standard input."
    ),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="Read the text from this file instead (UTF-8)."
    ),
    model: str = typer.Option("gpt2", "--model", "-m", help=f"Tokenizer: {', '.join(PRETRAINED)}."),
    special: bool = typer.Option(
        False, "--special", help="Add the model's markers (BOS...) as encode does."
    ),
) -> None:
    """Show TEXT cut into tokens by a real tokenizer, coloured by token, with the ids.

    Without colours (piped into a file, or NO_COLOR set) the tokens are separated by
    single spaces instead: a space inside a token shows as ``·``, so a plain space is
    always a boundary.
    """
    text = read_text(text, file)
    tokenizer = load(model)  # an unknown name is a JourneyError: one line, exit 1
    ids = tokenizer.encode(text, add_special_tokens=special)
    found = token_pieces(tokenizer, ids)
    pieces, spelled = [token_text(piece) for piece, _ in found], [s for _, s in found]
    if console.is_terminal and not console.no_color:
        shown = Text()
        for n, (piece, spelling) in enumerate(zip(pieces, spelled, strict=True)):
            style = COLOURS[n % len(COLOURS)] + (" italic" if spelling else "")
            shown.append(piece, style=style)
        console.print(shown)
    else:
        console.print(Text(" ".join(pieces)), soft_wrap=True)
    console.print(Text(" ".join(map(str, ids)), style="dim"), soft_wrap=True)
    console.print(f"{plural(len(ids), 'token')}, {plural(len(text), 'character')} ({model})")
