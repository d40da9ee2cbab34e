"""Checks for exercise 6.2, run by ``journey check 6.2``.

Each check calls the learner's functions through the ``ex`` fixture. What a server
writes (``format_event``) is read back here by the HTML standard's event-stream rules,
written out below as a character-by-character reader (``standard_events``), and what a
client reads (``parse_events``) is compared with that reader on fixed cases for each
rule and on fresh random streams (comments, other fields, spaces after the colon, empty
and unclosed events). Then a stream of OpenAI-shaped chunks made by the learner's
``format_event`` must come back through the learner's ``parse_events`` as the same
chunks. With ``--exercise reference`` the same checks grade the library,
``nlpjourney.serve.sse``.
"""

from __future__ import annotations

import json

REFERENCE = "nlpjourney.serve.sse"
# What the learner may not use: the model answer (and the rest of the library) and the
# SSE packages.
FORBIDDEN = ("nlpjourney", "httpx_sse", "sse_starlette", "sseclient", "aiohttp_sse")

# Characters that are line ends for str.splitlines but ordinary text in an event stream.
NOT_LINE_ENDS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
ALPHABET = "ab :dt\u00e9\u4e2d" + NOT_LINE_ENDS


# --- the standard's rules, written out here ------------------------------------------------


def standard_lines(stream: str) -> list[str]:
    """Split a whole stream at CRLF, CR or LF (scanned one character at a time)."""
    lines, current, i = [], "", 0
    while i < len(stream):
        char = stream[i]
        if char == "\r":
            lines.append(current)
            current = ""
            i += 2 if stream[i + 1 : i + 2] == "\n" else 1
            continue
        if char == "\n":
            lines.append(current)
            current = ""
        else:
            current += char
        i += 1
    lines.append(current)  # the text after the last line end (empty when it ends with one)
    return lines


def standard_events(lines: list[str]) -> list[str]:
    """The data of each dispatched event: the standard's "interpret the stream" steps."""
    events, buffer = [], ""
    for line in lines:
        if not line:  # dispatch: only when the buffer is not empty; drop its last LF
            if buffer:
                events.append(buffer[:-1])
            buffer = ""
        elif line[0] == ":":
            pass
        else:
            if ":" in line:
                at = line.index(":")
                name, value = line[:at], line[at + 1 :]
                if value[:1] == " ":
                    value = value[1:]
            else:
                name, value = line, ""
            if name == "data":
                buffer += value + "\n"
    return events


def random_text(rng, most: int = 8) -> str:
    return "".join(rng.choice(list(ALPHABET), size=int(rng.integers(0, most + 1))))


def random_line(rng) -> str:
    kind = int(rng.integers(0, 9))
    text = random_text(rng)
    return [
        "",  # a blank line
        f"data: {text}",
        f"data:{text}",
        f"data:  {text}",
        "data",
        f": {text}",  # a comment
        f"event: {text}",
        f"id:{text}",
        f"Data: {text}",  # not the data field: names are case-sensitive
    ][kind]


def read_back(event: str) -> list[str]:
    """The learner's event, checked to be well formed, read by the standard's rules."""
    assert isinstance(event, str), f"format_event returned {type(event).__name__}, not str"
    assert event.endswith("\n\n"), f"an event ends with a blank line (two line ends): {event!r}"
    lines = standard_lines(event)
    assert lines[-2:] == ["", ""], f"the event must end with exactly one blank line: {event!r}"
    assert all(line.startswith("data: ") for line in lines[:-2]), (
        f"every line before the blank one must start with 'data: ': {event!r}"
    )
    assert "" not in lines[:-2], f"a blank line inside the event ends it too early: {event!r}"
    return standard_events(lines)


# --- format_event -----------------------------------------------------------------------------


def test_done_is_one_data_line(ex) -> None:
    """``"[DONE]"`` is written as it is: one data line and a blank line.

    Hint 1: a string payload is not JSON-encoded (that would add quotes); only the
    field name, a colon and a space come before it.
    Hint 2: the event is the line ``data: [DONE]`` followed by its line end, then one
    more line end: the blank line that delivers it.
    """
    assert ex.format_event("[DONE]") == "data: [DONE]\n\n"
    assert ex.format_event("") == "data: \n\n", "an empty string is one empty data line"


def test_a_chunk_is_its_json_on_one_line(ex, rng) -> None:
    """A dict is sent as its JSON: one data line that json.loads gives back.

    Hint 1: anything that is not a string goes through json.dumps first.
    Hint 2: JSON escapes the line breaks inside strings, so the JSON text is always one
    line, even when the text it carries has line breaks.
    """
    for _ in range(5):
        payload = {
            "id": f"cmpl-{int(rng.integers(1000))}",
            "choices": [
                {
                    "index": 0,
                    "text": random_text(rng) + "\n" + random_text(rng),
                    "finish_reason": None,
                }
            ],  # fmt: skip
            "n": int(rng.integers(-5, 5)),
        }
        event = ex.format_event(payload)
        events = read_back(event)
        assert len(events) == 1, f"one payload is one event, got {len(events)}: {event!r}"
        assert json.loads(events[0]) == payload, f"the data is not the payload's JSON: {event!r}"
        assert event.count("\n") == 2, f"a JSON payload takes one data line: {event!r}"
    assert json.loads(read_back(ex.format_event([1, "x", None]))[0]) == [1, "x", None]


def test_a_string_with_line_breaks_takes_several_data_lines(ex) -> None:
    """``"a\\nb"`` becomes two data lines; CRLF and CR end lines too.

    Hint 1: a data line cannot hold a line break; the client joins the data lines of
    one event with "\\n", so send one data line per line of the string.
    Hint 2: split at "\\r\\n" first, then at "\\r" or "\\n" (a regular expression with
    those three alternatives does it), never with str.splitlines.
    """
    assert ex.format_event("a\nb") == "data: a\ndata: b\n\n"
    assert ex.format_event("a\r\nb\rc") == "data: a\ndata: b\ndata: c\n\n"
    assert ex.format_event("\n") == "data: \ndata: \n\n"


def test_only_cr_and_lf_end_lines(ex) -> None:
    """Form feeds, U+2028 and the other str.splitlines breaks are ordinary characters.

    Hint 1: the event-stream format ends lines at CR, LF and CRLF only.
    Hint 2: str.splitlines also splits at characters like "\\x0c" and "\\u2028"; split
    with your own rule instead.
    """
    for char in NOT_LINE_ENDS:
        text = f"x{char}y"
        assert ex.format_event(text) == f"data: {text}\n\n", f"split at {char!r}"


def test_random_payloads_come_back(ex, rng) -> None:
    """Fresh strings with random line ends: read back by the standard, the same text.

    Hint 1: after reading, the client has the lines joined with "\\n": "a\\r\\nb" comes
    back as "a\\nb".
    Hint 2: each line of the payload, however it ended, is one data line.
    """
    for _ in range(30):
        pieces = [random_text(rng, 5) for _ in range(int(rng.integers(1, 5)))]
        ends = [str(rng.choice(["\n", "\r", "\r\n"])) for _ in pieces[1:]]
        text = pieces[0] + "".join(e + p for e, p in zip(ends, pieces[1:], strict=True))
        # the lines as the standard reads them ("\r" then "\n" is one line end, even when
        # an empty piece sat between the two ends drawn)
        assert read_back(ex.format_event(text)) == ["\n".join(standard_lines(text))], repr(text)


# --- parse_events -----------------------------------------------------------------------------


def test_events_end_at_blank_lines(ex) -> None:
    """Two events of one data line each, then ``[DONE]``.

    Hint 1: collect the data values of the current event; a blank line delivers them.
    Hint 2: the value is what follows "data:", without the one space after the colon.
    """
    lines = ['data: {"a": 1}', "", "data: hello", "", "data: [DONE]", ""]
    assert ex.parse_events(lines) == ['{"a": 1}', "hello", "[DONE]"]


def test_data_lines_of_one_event_join_with_newlines(ex) -> None:
    """Several data lines before one blank line are one event.

    Hint 1: do not deliver at each data line; wait for the blank line.
    Hint 2: join the values with "\\n" (no line end after the last one).
    """
    assert ex.parse_events(["data: a", "data: b", "data: c", ""]) == ["a\nb\nc"]


def test_one_space_after_the_colon_is_dropped(ex) -> None:
    """``data:x``, ``data: x`` and ``data:  x`` give ``x``, ``x`` and ``' x'``.

    Hint 1: the space after the colon is optional; only the first one is syntax.
    Hint 2: remove at most one leading space from the value (not strip()).
    """
    assert ex.parse_events(["data:x", ""]) == ["x"]
    assert ex.parse_events(["data: x", ""]) == ["x"]
    assert ex.parse_events(["data:  x ", ""]) == [" x "]
    assert ex.parse_events(["data: a: b", ""]) == ["a: b"], "split at the FIRST colon"


def test_comments_and_other_fields_are_ignored(ex) -> None:
    """Comments (``: ping``), ``event``, ``id``, ``retry``, ``Data`` add no data.

    Hint 1: a line starting with a colon is a keep-alive comment.
    Hint 2: compare the field name with "data" exactly: "Data" and "data2" are other
    fields.
    """
    lines = [": ping", "event: delta", "data: x", "id: 3", "retry: 100", "Data: no",
             "data2: no", ":", "data: y", ""]  # fmt: skip
    assert ex.parse_events(lines) == ["x\ny"]


def test_empty_and_missing_data(ex) -> None:
    """``data`` alone is an empty value; an event with no data line is not delivered.

    Hint 1: a line without a colon is a field name with an empty value, so "data" adds
    an empty line to the event's data, and that event IS delivered (as "").
    Hint 2: keep "no data line yet" apart from "data that is empty" (for example None
    versus a list), and deliver at a blank line only after some data line.
    """
    assert ex.parse_events(["data", ""]) == [""]
    assert ex.parse_events(["data:", ""]) == [""]
    assert ex.parse_events(["data", "data", ""]) == ["\n"]
    assert ex.parse_events(["event: x", ""]) == [], "no data line: no event"
    assert ex.parse_events(["", "", "data: a", "", "", ""]) == ["a"], "blank lines alone"


def test_an_unclosed_event_is_dropped(ex) -> None:
    """The lines end before a blank line: that last event is not delivered.

    Hint 1: an event exists only once its blank line has come.
    Hint 2: when the lines run out, throw away what was being collected.
    """
    # any iterable of lines: a stream's lines are read once, as they come
    assert ex.parse_events(iter(["data: a", "", "data: b"])) == ["a"]
    assert ex.parse_events(["data: b"]) == []
    assert ex.parse_events([]) == []


def test_random_streams(ex, rng) -> None:
    """Fresh random streams of every kind of line, compared with the standard's reader.

    Hint 1: each rule has its own check above; this one mixes them.
    Hint 2: reset the event after each blank line, delivered or not.
    """
    for _ in range(60):
        lines = [random_line(rng) for _ in range(int(rng.integers(0, 12)))]
        expected = standard_events(lines)
        got = ex.parse_events(lines)
        assert got == expected, f"lines {lines!r}: got {got!r}, expected {expected!r}"


def test_a_streamed_completion_round_trip(ex, rng) -> None:
    """OpenAI-shaped chunks written by format_event come back through parse_events.

    Hint 1: split the written text at its line ends, as a client does, and parse.
    Hint 2: every chunk is one event; the last event is "[DONE]".
    """
    words = [random_text(rng, 4) + "\n" * int(rng.integers(0, 2)) for _ in range(12)]
    chunks = [{"id": "cmpl-7", "object": "text_completion",
               "choices": [{"index": 0, "text": w, "finish_reason": None}]} for w in words]  # fmt: skip
    stream = "".join(ex.format_event(c) for c in chunks) + ex.format_event("[DONE]")
    events = ex.parse_events(standard_lines(stream))
    assert events[-1] == "[DONE]", f"the stream must end with [DONE], got {events[-1:]!r}"
    got = [json.loads(e) for e in events[:-1]]
    assert got == chunks
    assert "".join(c["choices"][0]["text"] for c in got) == "".join(words)


def test_format_then_parse(ex) -> None:
    """What one side writes, the other reads: parse_events(format_event(x)) gives x back.

    Hint 1: split the event at its "\\n" line ends to have its lines.
    Hint 2: a dict comes back as its JSON text, a string as itself.
    """
    for payload in ("[DONE]", "two\nlines", {"k": "v", "t": "\u00e9"}):
        events = ex.parse_events(ex.format_event(payload).split("\n"))
        assert len(events) == 1, f"{payload!r}: one event expected, got {events!r}"
        got = events[0] if isinstance(payload, str) else json.loads(events[0])
        assert got == payload, f"{payload!r} came back as {events[0]!r}"
