"""Exercise 6.2: the wire format of a streamed answer (server-sent events).

A streamed completion travels as one long HTTP response of ``text/event-stream``, the
format the lesson ``lessons/6.2-serving.py`` writes by hand in its streaming section.
It is made of lines; a blank line ends an event. OpenAI's API sends each chunk as an
event with a ``data:`` line of JSON and ends with ``data: [DONE]``::

    data: {"choices": [{"index": 0, "text": "Hel"}]}

    data: [DONE]

Write both sides, following the HTML standard's rules (section 9.2, "Server-sent events"):

1. ``format_event``: the text a server writes for one payload;
2. ``parse_events``: what a client reads back from the lines of a stream.

Use only the standard library (``json``, ``re``); not ``nlpjourney`` (the model answer)
nor an SSE package: ``journey check 6.2`` refuses a file that uses them. Then run
``journey check 6.2``; each failing check gives a hint (``--hint`` shows more). The
checks draw fresh random streams each run and read them with the standard's rules,
written out in the checks.
"""

from __future__ import annotations

import json  # noqa: F401  (yours to use)
from collections.abc import Iterable
from typing import Any


def format_event(payload: Any) -> str:
    """One event carrying ``payload``, ending with the blank line that delivers it.

    A string payload is sent as it is (``"[DONE]"``); anything else is sent as its JSON
    text (``json.dumps``). Each line of the data becomes a line ``"data: " + line +
    "\\n"``, and a final ``"\\n"`` (the blank line) closes the event. The data's lines
    are split where the standard ends a line, at ``"\\r\\n"``, ``"\\r"`` or ``"\\n"``,
    and nowhere else.

    Example: ``format_event("[DONE]") == "data: [DONE]\\n\\n"``, and
    ``format_event("a\\nb") == "data: a\\ndata: b\\n\\n"``.
    """
    raise NotImplementedError("the data's lines, each after 'data: ', then a blank line")


def parse_events(lines: Iterable[str]) -> list[str]:
    """The data of each event in ``lines`` (given without their end-of-line characters).

    The standard's rules, line by line:

    - a blank line delivers the event being read, if it has had at least one ``data``
      line since the last blank line (an empty one counts); its data are its ``data``
      values joined with ``"\\n"``. Without a ``data`` line nothing is delivered;
    - a line starting with ``":"`` is a comment: ignore it;
    - otherwise the field name is what comes before the first ``":"`` and the value what
      comes after it, with ONE leading space removed if there is one; a line without a
      colon is a field name with an empty value;
    - only the field ``data`` (exactly, case-sensitive) adds to the data; ``event``,
      ``id``, ``retry`` and unknown fields change nothing here;
    - an event that no blank line closes (at the end of the lines) is not delivered.

    Example: ``["data: a", "data:b", "", ": ping", "data: [DONE]", ""]`` gives
    ``["a\\nb", "[DONE]"]``.
    """
    raise NotImplementedError("read line by line; a blank line delivers the data seen")
