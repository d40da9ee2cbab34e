"""One turn of a chat page drawn by code: what the browser sends, and what streams back.

:func:`chat_turn_diagram` draws the picture lesson 6.3 starts from, a sequence diagram
with time going down. The page (left) keeps the conversation; the server (right) keeps
nothing between requests, so every turn the page sends the *whole* message list, and the
answer comes back as server-sent events, one small ``data:`` event per piece of text,
ending with ``data: [DONE]``::

    page                                  server
     | -- POST {messages: [s, u1, a1, u2]} -> |
     | <- data: {"delta": {"content": "The"}} |   the first token: the page shows it now
     | <- data: {"delta": {"content": " sea"}}|
     | <- data: [DONE] ---------------------- |
     |  appends a2 to its list                |

It uses the boxes, arrows and colours of :mod:`nlpjourney.course.diagrams`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from matplotlib.figure import Figure

from nlpjourney.course.diagrams import COLOURS, EDGE, _arrow, _box, _canvas

__all__ = ["chat_turn_diagram"]

DEFAULT_PIECES = ("The", " sea", " is", " wide", ".")


def chat_turn_diagram(pieces: Sequence[str] = DEFAULT_PIECES) -> Figure:
    """A sequence diagram of one chat turn: the request, the streamed pieces, [DONE].

    Args:
        pieces: the text pieces of the answer, one event each (at most 8 are drawn).

    Raises:
        ValueError: ``pieces`` is empty.
    """
    if not pieces:
        raise ValueError("give at least one piece of the answer to draw")
    shown = list(pieces)[:8]
    y_done = -1.6 - 0.8 * len(shown)
    bottom = y_done - 1.4
    figure, axes = _canvas(9.5, 0.62 * (2.2 - bottom), (0, 13.6), (bottom, 2.2))
    page = _box(axes, (1.6, 0.9), "chat page\n(browser)", size=(2.6, 0.95), colour=COLOURS["norm"])
    server = _box(axes, (10.4, 0.9), "server\n(stateless)", size=(2.6, 0.95),
                  colour=COLOURS["attention"])  # fmt: skip
    for top in (page["bottom"], server["bottom"]):  # the lifelines: time goes down
        _arrow(axes, top, (top[0], y_done - 0.4), style="-", linestyle=":")
    left, right = page["centre"][0], server["centre"][0]

    def message(y: float, text: str, to_server: bool) -> None:
        start, end = ((left, y), (right, y)) if to_server else ((right, y), (left, y))
        _arrow(axes, start, end, colour=EDGE if to_server else "#1f6fb2")
        axes.text((left + right) / 2, y + 0.1, text, ha="center", va="bottom", fontsize=8.5,
                  family="monospace")  # fmt: skip

    message(-0.6, '{"messages": [system, u1, a1, u2], "stream": true}', True)
    axes.text(left, -0.15, "POST /v1/chat/completions", ha="left", va="bottom", fontsize=8.5,
              family="monospace", fontweight="bold")  # fmt: skip
    for i, piece in enumerate(shown):
        delta = json.dumps({"content": piece}, ensure_ascii=False)
        message(-1.6 - 0.8 * i, f'data: {{... "delta": {delta} ...}}', False)
    message(y_done, "data: [DONE]", False)
    axes.text(right + 0.25, -1.6, "the first piece:\nthe page shows\nit at once", ha="left",
              va="center", fontsize=8.5, color="#1f6fb2")  # fmt: skip
    axes.text(right + 0.25, y_done, "the end of\nthe answer", ha="left", va="center",
              fontsize=8.5, color="#1f6fb2")  # fmt: skip
    axes.text(left - 1.2, y_done - 0.7, "The page appends the answer a2 to its message list; "
              "the next turn sends [system, u1, a1, u2, a2, u3].", ha="left", va="top",
              fontsize=9)  # fmt: skip
    axes.text(6.8, 2.1, "One chat turn: the whole conversation up, the answer streamed down",
              ha="center", va="top", fontsize=11, fontweight="bold")  # fmt: skip
    return figure
