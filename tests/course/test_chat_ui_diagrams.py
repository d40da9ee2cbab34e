"""The chat-turn diagram draws the request, one event per piece, and the end of the stream."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlpjourney.course.chat_ui_diagrams import chat_turn_diagram


def _texts(fig) -> list[str]:  # noqa: ANN001
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_chat_ui_diagrams_turn_shows_request_pieces_and_done(tmp_path: Path) -> None:
    texts = _texts(chat_turn_diagram(["Hi", " there", "é"]))
    assert "POST /v1/chat/completions" in texts and "data: [DONE]" in texts
    events = [t for t in texts if t.startswith("data: {")]
    assert [e.split('"content": ')[1].split("}")[0] for e in events] == ['"Hi"', '" there"', '"é"']
    assert (
        len([t for t in _texts(chat_turn_diagram("abcdefghijk")) if t.startswith("data: {")]) == 8
    )
    path = tmp_path / "turn.png"
    chat_turn_diagram().savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="at least one piece"):
        chat_turn_diagram([])
