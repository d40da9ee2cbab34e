"""Server-sent events: nlpjourney.serve.sse against the standard's rules and real streams."""

from __future__ import annotations

import json

import httpx
from hypothesis import given
from hypothesis import strategies as st

from nlpjourney.serve.sse import format_event, parse_events

# Text without the three end-of-line characters the standard splits at.
LINE_TEXT = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)))


def test_sse_format_event_is_one_data_line_and_a_blank_line() -> None:
    assert format_event("[DONE]") == "data: [DONE]\n\n"
    event = format_event({"text": "héllo\nthere", "n": 1})
    assert event.endswith("\n\n") and event.count("\n") == 2  # JSON escapes the newline
    assert json.loads(event.removeprefix("data: ")) == {"text": "héllo\nthere", "n": 1}


def test_sse_format_event_splits_only_at_cr_lf_and_crlf() -> None:
    assert format_event("a\r\nb\rc\nd") == "data: a\ndata: b\ndata: c\ndata: d\n\n"
    assert format_event("a\u2028b\x0cc") == "data: a\u2028b\x0cc\n\n"  # not line ends


def test_sse_parse_events_follows_the_standard() -> None:
    lines = [
        ": keep-alive",  # a comment
        "data: one",
        "",
        "data:two",  # no space: the value is all after the colon
        "data:  three",  # two spaces: only the first goes; two data lines join with a newline
        "",
        "event: delta",
        "id: 7",
        "retry: 10",
        "Data: ignored",  # field names are case-sensitive
        "data: a: b",  # a colon inside the value stays
        "data",  # no colon: the field is the whole line, an empty value
        "",
        "",  # a second blank line delivers nothing
        "event: no data",
        "",  # no data line: no event
        "data",
        "",  # one empty data line: an event whose data is empty
        "data: left open",  # never closed: dropped
    ]
    assert parse_events(lines) == ["one", "two\n three", "a: b\n", ""]


@given(st.lists(LINE_TEXT | st.dictionaries(LINE_TEXT, st.integers() | LINE_TEXT), max_size=5))
def test_sse_round_trip(payloads: list) -> None:
    lines = "".join(format_event(p) for p in payloads).split("\n")
    expected = [p if isinstance(p, str) else json.dumps(p, ensure_ascii=False) for p in payloads]
    assert parse_events(lines) == expected


def test_sse_parse_events_reads_the_library_server(tiny_server) -> None:
    body = {"model": "tiny-llama", "prompt": "Once upon a time", "max_tokens": 12,
            "temperature": 0, "stream": True}  # fmt: skip
    with httpx.Client(base_url=tiny_server.v1, timeout=60) as http:
        with http.stream("POST", "/completions", json=body) as response:
            events = parse_events(response.iter_lines())
        whole = http.post("/completions", json={**body, "stream": False}).json()
    assert events[-1] == "[DONE]"
    pieces = [json.loads(e)["choices"][0]["text"] for e in events[:-1]]
    assert "".join(pieces) == whole["choices"][0]["text"]
