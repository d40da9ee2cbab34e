"""Server-sent events: the wire format of a streamed completion.

A streamed answer is one long HTTP response of ``text/event-stream``. It is a sequence
of lines; a blank line ends an event. OpenAI's API (and so this server) sends each chunk
as one event with one ``data:`` line holding JSON, and ends the stream with the event
``data: [DONE]``::

    data: {"id": "cmpl-1", "choices": [{"index": 0, "text": "Hello"}]}

    data: [DONE]

A client reads the stream by the rules of the HTML standard (section 9.2, "Server-sent
events"): a line ``field: value`` (one space after the colon is dropped), ``data``
lines of one event joined by newlines, lines starting with a colon are comments (a server
sends them to keep an idle connection open), other fields (``event``, ``id``, ``retry``)
do not change the data, and an event without a closing blank line is never delivered.

Reference: the HTML standard's event-stream parsing rules, restated case by case in
``tests/serve/test_sse.py``, which also reads the library server's real streams with
:func:`parse_events` and checks that their pieces join to the non-streamed text.

Simplifications:
    - :func:`parse_events` returns each event's data only; the event type, the last
      event id and the retry time (which matter to a browser's ``EventSource`` that
      reconnects) are read and dropped;
    - the lines are given already split (as ``httpx``'s ``iter_lines`` gives them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["format_event", "parse_events"]

# The standard's end of line: CRLF, LF or CR, and nothing else (str.splitlines would also
# split at form feeds and Unicode separators, which are ordinary characters here).
_END_OF_LINE = re.compile(r"\r\n|\r|\n")


def format_event(payload: Any) -> str:
    """One event carrying ``payload``, ending with the blank line that delivers it.

    Args:
        payload: a string, sent as it is (``"[DONE]"``); anything else is sent as JSON.

    Returns:
        ``"data: ...\\n"`` for each line of the data, then ``"\\n"``. A string with line
        breaks becomes several ``data:`` lines, which a client joins with ``"\\n"``.
    """
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    # JSON never holds a raw line break (it escapes them), so a JSON payload is one line.
    lines = _END_OF_LINE.split(data)
    return "".join(f"data: {line}\n" for line in lines) + "\n"


def parse_events(lines: Iterable[str]) -> list[str]:
    """The data of each event in ``lines``, by the standard's rules.

    Args:
        lines: the stream's lines, without their end-of-line characters.

    Returns:
        One string per delivered event: its ``data`` lines joined with ``"\\n"``. A blank
        line delivers the event being read when it had at least one ``data`` line (even
        an empty one); an event still open when the lines end is dropped.
    """
    events: list[str] = []
    data: list[str] | None = None  # None: no data line since the last blank line
    for line in lines:
        if line == "":
            if data is not None:
                events.append("\n".join(data))
            data = None
            continue
        if line.startswith(":"):  # a comment: a keep-alive, ignored
            continue
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]  # exactly one space is part of the syntax, not the value
        if field == "data":  # field names are case-sensitive; others leave data alone
            data = [value] if data is None else [*data, value]
    return events
