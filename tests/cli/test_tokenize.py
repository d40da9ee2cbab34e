"""`journey tokenize`: a real process shows the tokens, their ids and the count; an
unknown model is one clear line and exit code 1."""

from __future__ import annotations

import pytest
from support.cli import journey

from nlpjourney.cli.tokenize import token_pieces
from nlpjourney.tokenizers import load


def test_cli_tokenize_shows_tokens_ids_and_count() -> None:
    result = journey("tokenize", "Hello world, héllo 🎉", "--model", "gpt2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # Not a terminal: tokens separated by spaces (a space inside a token is a ·); 🎉's
    # bytes in GPT-2's stand-ins.
    assert lines[0] == "Hello ·world , ·h é llo ĠðŁ İ ī"
    assert lines[1] == "15496 995 11 289 2634 18798 12520 236 231"
    assert lines[2] == "9 tokens, 20 characters (gpt2)"


def test_cli_tokenize_counts_in_words() -> None:
    result = journey("tokenize", "", "--model", "llama2", "--special")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1 token, 0 characters (llama2)"


def test_cli_tokenize_unknown_model_is_one_clear_line() -> None:
    result = journey("tokenize", "Hi", "--model", "gpt3")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown tokenizer 'gpt3'" in lines[0] and "gpt2" in lines[0]


def test_cli_tokenize_llama2_tokens_keep_their_spaces() -> None:
    """Decoded alone, "▁world" would lose its space (Llama 2's decoder strips a leading
    one): each token shows what it adds in context, so the spaces all show."""
    result = journey("tokenize", "Hello   world 🤖", "--model", "llama2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Hello ·· ·world · <0xF0> <0x9F> <0xA4> <0x96>"


@pytest.mark.parametrize("name", ["gpt2", "llama3", "llama2", "smollm2"])
def test_cli_tokenize_pieces_spell_out_the_text(name: str) -> None:
    text = "  Tokens, spaces\n\tand naïve café:   12345 "  # no character split in bytes
    tokenizer = load(name)
    pieces = token_pieces(tokenizer, tokenizer.encode(text))
    assert not any(spelling for _, spelling in pieces)
    assert "".join(piece for piece, _ in pieces) == text
