"""`journey chat` with a persona, notes and saved chats, run in-process with a fake model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.cli import assert_one_clear_line, journey
from typer.testing import CliRunner

from nlpjourney.apps.chatbot import ChatStoreError, FunctionChatModel, LlamaChatModel
from nlpjourney.cli import app
from nlpjourney.errors import JourneyError, UnknownNameError


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> list[list[dict[str, str]]]:
    """Every prompt the (fake) model is given; the model answers with the turn's number."""
    seen: list[list[dict[str, str]]] = []

    def reply(messages: list[dict[str, str]], **settings: Any) -> str:
        seen.append(messages)
        return f"answer {len(seen)}"

    monkeypatch.setattr(
        LlamaChatModel,
        "load",
        classmethod(lambda cls, name, device="cpu": FunctionChatModel(reply)),
    )
    return seen


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "family.md").write_text("My sister Ingrid lives in Trondheim.\n")
    (folder / "garden.txt").write_text("Water the quince tree on Sundays.\n")
    return folder


def test_chatbot_cli_answers_from_notes_saves_lists_and_resumes(
    tmp_path: Path, notes: Path, prompts: list
) -> None:
    runner, db = CliRunner(), str(tmp_path / "chats.sqlite")
    first = runner.invoke(app, ["chat", "--db", db, "--persona", "notes", "--notes", str(notes),
                                "--once", "Where does Ingrid live?"])  # fmt: skip
    assert first.exit_code == 0, first.output
    assert first.stdout == "answer 1\n"
    assert "(notes used: family.md)" in first.stderr and db in first.stderr
    assert "[family.md] My sister Ingrid lives in Trondheim." in prompts[-1][-1]["content"]

    listed = runner.invoke(app, ["chat", "--db", db, "--list"])
    assert listed.exit_code == 0
    row = listed.stdout.splitlines()[1].split()
    assert (
        row[0] == "1" and row[2:4] == ["notes", "2"] and "Where does Ingrid live?" in listed.stdout
    )

    again = runner.invoke(app, ["chat", "--db", db, "--resume", "1", "--once", "And the tree?"])
    assert again.exit_code == 0, again.output
    assert "(chat 1, 'Where does Ingrid live?': 2 messages)" in again.stderr
    # The resumed chat remembers the first exchange and keeps its persona.
    assert [m["content"] for m in prompts[-1][1:]] == [
        "Where does Ingrid live?",
        "answer 1",
        "And the tree?",
    ]
    assert "notes" in prompts[-1][0]["content"]
    assert "4" in runner.invoke(app, ["chat", "--db", db, "--list"]).stdout.splitlines()[1]


def test_chatbot_cli_interactive_chat_obeys_commands_and_says_how_to_resume(
    tmp_path: Path, prompts: list
) -> None:
    db = str(tmp_path / "chats.sqlite")
    lines = "hello\n/temperature 0.5\nagain\n/reset\nnew chat\n/quit\n"
    result = CliRunner().invoke(app, ["chat", "--db", db], input=lines)
    assert result.exit_code == 0, result.output
    assert "answer 1" in result.stdout and "answer 3" in result.stdout
    assert "(temperature 0.5)" in result.stderr and "(conversation forgotten)" in result.stderr
    assert "(chat 2 saved; `journey chat --resume 2` goes on)" in result.stderr
    assert [m["content"] for m in prompts[1][1:]] == ["hello", "answer 1", "again"]
    assert [m["content"] for m in prompts[2][1:]] == ["new chat"]  # /reset began chat 2
    listed = CliRunner().invoke(app, ["chat", "--db", db, "--list"]).stdout.splitlines()
    assert [row.split()[0] for row in listed[1:]] == ["2", "1"]


def test_chatbot_cli_default_store_is_in_the_workspace(tmp_path: Path, prompts: list) -> None:
    env = {"JOURNEY_WORKSPACE": str(tmp_path / "work")}
    runner = CliRunner()
    empty = runner.invoke(app, ["chat", "--list"], env=env)
    assert empty.stdout == f"no saved chats in {tmp_path / 'work' / 'chats.sqlite'}\n"
    said = runner.invoke(app, ["chat", "--persona", "tutor", "--once", "hi"], env=env)
    assert said.exit_code == 0 and (tmp_path / "work" / "chats.sqlite").is_file()


def test_chatbot_cli_bad_options_fail_before_the_model_loads(
    tmp_path: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(cls: type, name: str, device: str = "cpu") -> None:
        raise AssertionError("the model was loaded before the options were checked")

    monkeypatch.setattr(LlamaChatModel, "load", classmethod(refuse))
    runner, db = CliRunner(), tmp_path / "chats.sqlite"
    cases = [
        (["--db", str(db), "--resume", "3", "--once", "hi"], ChatStoreError, "no conversation 3"),
        (["--persona", "tutr", "--db", str(db), "--once", "hi"], UnknownNameError, "tutor"),
        (["--notes", str(tmp_path / "none"), "--db", str(db)], JourneyError, "no notes folder"),
        (["--db", str(notes / "family.md"), "--list"], ChatStoreError, "not a SQLite database"),
    ]
    for arguments, kind, words in cases:
        result = runner.invoke(app, ["chat", *arguments])
        assert result.exit_code == 1 and isinstance(result.exception, kind), arguments
        assert words in str(result.exception)
    assert (notes / "family.md").read_text() == "My sister Ingrid lives in Trondheim.\n"


def test_chatbot_cli_a_damaged_store_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "chats.sqlite"
    bad.write_bytes(b"not sqlite at all")
    result = journey("chat", "--db", str(bad), "--list")
    assert_one_clear_line(result, "not a SQLite database", "left untouched")
