"""ASGI middleware of the server: a limit on request bodies, and per-request metrics.

Both wrap the app at the ASGI level (the ``receive``/``send`` callables) rather than as
FastAPI dependencies, because both must see what a dependency cannot: the body as it
arrives (a body without ``Content-Length`` is counted chunk by chunk and refused once over
the limit, before it is all in memory), and the last byte of a streamed response (its
latency is the time to that byte, not to the handler's return).
"""

from __future__ import annotations

import time

from nlpjourney.extras import missing_extra

try:  # the serve extra: FastAPI and what it is built on
    from fastapi.responses import JSONResponse
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
except ImportError as error:
    raise missing_extra("serve", error.name or "fastapi") from error

from nlpjourney.serve.errors import error_body
from nlpjourney.serve.metrics import Metrics

__all__ = ["BodyLimit", "Observed"]


class _TooLarge(Exception):
    pass


class BodyLimit:
    """413 for a body over ``limit`` bytes, by its Content-Length or as it arrives."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen, started, too_large = 0, False, False

        async def counting() -> Message:
            nonlocal seen, too_large
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                too_large = True
                raise _TooLarge  # stops the app reading; what it answers is replaced below
            return message

        async def watching(message: Message) -> None:
            nonlocal started
            if too_large:
                if not started:
                    started = True
                    await self._refuse(send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, watching)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse(error_body(413, f"the body exceeds {self.limit} bytes"), 413)
        await response({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


class Observed:
    """Counts each answer by endpoint and status, and times it to its last byte."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began, status = time.monotonic(), [500]

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watching)
        finally:
            route = scope.get("route")
            endpoint = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.inc(endpoint=endpoint, status=str(status[0]))
            self.metrics.latency.observe(time.monotonic() - began, endpoint=endpoint)
