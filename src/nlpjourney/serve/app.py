"""The HTTP API: OpenAI's endpoints over the batching engine, as a FastAPI app.

::

    GET  /health                 {"status": "ok", ...}: the process answers
    GET  /metrics                Prometheus text (nlpjourney.serve.metrics)
    GET  /v1/models              the models served
    POST /v1/chat/completions    chat messages in, the assistant's reply out
    POST /v1/completions         a prompt in, its continuation out
    POST /v1/embeddings          texts in, unit vectors out (all-MiniLM-L6-v2)
    GET  /openapi.json, /docs    the schema of all of the above

A generation request becomes ``n`` engine requests (one per choice; choice ``i`` of a
seeded request samples with seed ``seed + i``). Their events cross from the engine's
thread into the request's event loop through ``call_soon_threadsafe``; a non-streamed
answer waits for all of them, a streamed one (``stream: true``) forwards each piece as a
server-sent event ``data: {json}`` as soon as it is settled, ending with ``data:
[DONE]``. When a streaming client goes away, the response's generator is closed and the
requests are cancelled, so their slots are free at the next step.

Reference: the official ``openai`` Python client (``tests/serve/test_server.py``) and
schemathesis over ``/openapi.json`` (``tests/serve/test_schema.py``).
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from nlpjourney.extras import missing_extra

try:  # the serve extra: FastAPI and what it is built on
    from fastapi import Depends, FastAPI, Request
    from fastapi.responses import PlainTextResponse, StreamingResponse
except ImportError as error:
    raise missing_extra("serve", error.name or "fastapi") from error

from nlpjourney.infer.generate import Sampler, prompt_ids
from nlpjourney.serve import schemas as s
from nlpjourney.serve.errors import APIError, error_body, install_error_handlers
from nlpjourney.serve.limits import KeyRing, RateLimiter
from nlpjourney.serve.metrics import Metrics
from nlpjourney.serve.middleware import BodyLimit, Observed
from nlpjourney.serve.models import ChatModel, EmbeddingModel
from nlpjourney.serve.requests import (
    EngineStopped,
    Failed,
    Finished,
    GenerationRequest,
    QueueFull,
    TokenLogprob,
    Tokens,
)
from nlpjourney.serve.sse import format_event

__all__ = ["ServerSettings", "create_app"]


@dataclass(frozen=True)
class ServerSettings:
    """How the server treats its clients.

    Args:
        api_keys: the accepted keys (empty: no key needed).
        rate_limit: requests a minute per key (or per address without keys); None: no limit.
        max_body_bytes: the largest request body (413 above it).
        default_max_tokens: new tokens per choice when a request gives no ``max_tokens``.
        lab: serve the web lab at ``/`` (:mod:`nlpjourney.serve.lab`).
        progress: a function returning the course progress for the lab (``journey
            serve`` gives one); None: ``/lab/api/progress`` answers 404.
    """

    api_keys: tuple[str, ...] = ()
    rate_limit: float | None = None
    max_body_bytes: int = 1 << 20
    default_max_tokens: int = 512
    lab: bool = True
    progress: Callable[[], dict[str, Any]] | None = None


def create_app(
    chat: ChatModel | None,
    embeddings: EmbeddingModel | None = None,
    settings: ServerSettings | None = None,
) -> FastAPI:
    """The API app for ``chat`` (its engine starts with the app and drains when it stops)."""
    settings = settings or ServerSettings()
    keys = KeyRing(settings.api_keys)
    limiter = None if settings.rate_limit is None else RateLimiter(settings.rate_limit)
    metrics = Metrics(chat.engine.stats if chat is not None else None)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if chat is not None:
            chat.engine.start()
        yield
        if chat is not None:  # uvicorn waits for the open responses first
            await asyncio.to_thread(chat.engine.stop, True)

    app = FastAPI(
        title="NLP Journey",
        version="1",
        summary="OpenAI-compatible chat, completions and embeddings, served by nlpjourney's "
        "own models.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.state.chat, app.state.embeddings, app.state.metrics = chat, embeddings, metrics
    started = int(time.time())

    async def guard(request: Request) -> None:
        if not keys.accepts(request.headers.get("authorization")):
            raise APIError(401, "a valid API key is required: Authorization: Bearer KEY",
                           code="invalid_api_key", headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        if limiter is not None:
            # by key when keys are required; else by address (a header anyone can vary
            # would let a client dodge its limit)
            address = (request.client or ("?",))[0]
            who = request.headers.get("authorization", "") if keys.required else address
            wait = limiter.check(who)
            if wait:
                raise APIError(429, f"rate limit reached; retry after {wait} s",
                               code="rate_limit_exceeded", headers={"Retry-After": str(wait)})  # fmt: skip

    v1 = [Depends(guard)]

    @app.get("/health")
    async def health() -> dict[str, Any]:
        engine = chat.engine if chat else None
        return {"status": "ok", "model": chat.id if chat else None,
                "active": engine.active if engine else 0, "waiting": engine.waiting if engine else 0}  # fmt: skip

    @app.get("/metrics", response_class=PlainTextResponse)
    async def prometheus() -> PlainTextResponse:
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    @app.get("/v1/models", dependencies=v1)
    async def list_models() -> s.ModelList:
        cards = [s.ModelCard(id=chat.id, created=chat.created)] if chat else []
        if embeddings is not None:
            cards.append(s.ModelCard(id=embeddings.id, created=started))
        return s.ModelList(data=cards)

    @app.get("/v1/models/{model_id}", dependencies=v1)
    async def get_model(model_id: str) -> s.ModelCard:
        for card in (await list_models()).data:
            if card.id == model_id:
                return card
        raise _unknown_model(model_id)

    @app.post("/v1/chat/completions", dependencies=v1, response_model=None,
              responses=_ERRORS)  # fmt: skip
    async def chat_completions(
        body: s.ChatCompletionRequest,
    ) -> s.ChatCompletion | StreamingResponse:
        served = _chat_model(chat, embeddings, body.model)
        if not served.has_chat_template:
            raise APIError(400, f"{served.id} has no chat template; use /v1/completions",
                           param="messages")  # fmt: skip
        messages = [{"role": "system" if m.role == "developer" else m.role, "content": m.text()}
                    for m in body.messages]  # fmt: skip
        ids = prompt_ids(served.tokenizer, messages)
        top = (body.top_logprobs or 0) if body.logprobs else None
        limit = body.max_completion_tokens or body.max_tokens
        job = _Job.start(served, ids, body, limit, settings.default_max_tokens, top)
        if body.stream:
            include_usage = bool(body.stream_options and body.stream_options.include_usage)
            return _stream(job, metrics, _chat_chunks(job, served.id, include_usage))
        results = await job.results()
        choices = [
            s.ChatChoice(
                index=i,
                message=s.AssistantMessage(content=r.text),
                finish_reason=r.reason,
                logprobs=_chat_logprobs(r.logprobs, top),
            )  # fmt: skip
            for i, r in enumerate(results)
        ]
        return s.ChatCompletion(id=job.id, created=job.created, model=served.id,
                                choices=choices, usage=job.usage(results))  # fmt: skip

    @app.post("/v1/completions", dependencies=v1, response_model=None, responses=_ERRORS)
    async def completions(body: s.CompletionRequest) -> s.Completion | StreamingResponse:
        served = _chat_model(chat, embeddings, body.model)
        try:  # an empty prompt, or one of characters the vocabulary has no token for
            ids = prompt_ids(served.tokenizer, body.prompt_text())
        except ValueError:
            raise APIError(400, "the prompt is empty: it encodes to no tokens",
                           param="prompt") from None  # fmt: skip
        job = _Job.start(served, ids, body, body.max_tokens, settings.default_max_tokens,
                         body.logprobs)  # fmt: skip
        if body.stream:
            include_usage = bool(body.stream_options and body.stream_options.include_usage)
            return _stream(job, metrics, _completion_chunks(job, served.id, include_usage))
        results = await job.results()
        choices = [
            s.CompletionChoice(
                index=i,
                text=r.text,
                finish_reason=r.reason,
                logprobs=_completion_logprobs(r.logprobs, body.logprobs),
            )  # fmt: skip
            for i, r in enumerate(results)
        ]
        return s.Completion(id=job.id, created=job.created, model=served.id, choices=choices,
                            usage=job.usage(results))  # fmt: skip

    @app.post("/v1/embeddings", dependencies=v1, responses=_ERRORS)
    async def embed(body: s.EmbeddingRequest) -> s.Embeddings:
        if embeddings is None or body.model != embeddings.id:
            raise _unknown_model(body.model)
        texts = body.texts()
        if any(not t for t in texts):
            raise APIError(400, "an input text is empty", param="input")
        vectors, tokens = await asyncio.to_thread(embeddings.embed, texts)
        data = [
            s.Embedding(
                index=i,
                embedding=base64.b64encode(v.tobytes()).decode()
                if body.encoding_format == "base64"
                else v.tolist(),
            )  # fmt: skip
            for i, v in enumerate(vectors)
        ]
        return s.Embeddings(data=data, model=embeddings.id,
                            usage=s.Usage(prompt_tokens=tokens, total_tokens=tokens))  # fmt: skip

    if settings.lab:  # the page needs no key (a browser cannot send one); its API does
        from nlpjourney.serve import lab

        app.state.progress = settings.progress
        app.include_router(lab.pages)
        app.include_router(lab.router, dependencies=v1)
    app.add_middleware(Observed, metrics=metrics)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.ErrorResponse, "description": what}
    for code, what in [(400, "Malformed request"), (401, "Missing or wrong API key"),
                       (404, "Unknown model"), (413, "Body too large"),
                       (422, "Prompt and max_tokens exceed the context"),
                       (429, "Busy or rate-limited: see Retry-After")]
}  # fmt: skip


def _unknown_model(model_id: str) -> APIError:
    return APIError(404, f"the model {model_id!r} does not exist here; GET /v1/models lists them",
                    param="model", code="model_not_found")  # fmt: skip


def _chat_model(
    chat: ChatModel | None, embeddings: EmbeddingModel | None, model_id: str
) -> ChatModel:
    if chat is not None and model_id == chat.id:
        return chat
    if embeddings is not None and model_id == embeddings.id:
        raise APIError(400, f"{model_id} is an embedding model; use /v1/embeddings", param="model")
    raise _unknown_model(model_id)


# --- one generation request: n engine requests ------------------------------------------


@dataclass
class _Result:
    text: str = ""
    reason: str = "stop"
    tokens: int = 0
    logprobs: list[TokenLogprob] = field(default_factory=list)


class _Job:
    """The engine requests of one HTTP request, and their events in the event loop."""

    def __init__(self, ids: list[int], requests_n: int) -> None:
        self.id = f"cmpl-{uuid.uuid4().hex[:24]}"
        self.created = int(time.time())
        self.prompt_tokens = len(ids)
        self.started = time.monotonic()
        self.n = requests_n
        self.queue: asyncio.Queue[tuple[int, Any]] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()
        self.requests: list[GenerationRequest] = []
        self.first_text: float | None = None  # when the first text arrived

    @classmethod
    def start(
        cls, served: ChatModel, ids: list[int], body: Any, max_tokens: int | None,
        default_max_tokens: int, logprobs: int | None,
    ) -> _Job:  # fmt: skip
        context = served.engine.context
        room = context - len(ids)
        if room < 1 or (max_tokens is not None and max_tokens > room):
            asked = f"{max_tokens}" if max_tokens is not None else "at least 1"
            raise APIError(422, f"the prompt has {len(ids)} tokens and max_tokens is {asked}, but "
                           f"the context holds {context}; shorten the prompt or ask for at most "
                           f"{max(room, 0)} new tokens", param="max_tokens",
                           code="context_length_exceeded")  # fmt: skip
        limit = max_tokens if max_tokens is not None else min(default_max_tokens, room)
        job = cls(ids, body.n)
        top_p = body.top_p if body.top_p < 1 else None
        try:
            for i in range(body.n):
                # torch seeds are 64-bit unsigned: wrap, so seed + i never overflows
                seed = None if body.seed is None else (body.seed + i) % 2**64
                sampler = Sampler(body.temperature, None, top_p, 1.0, seed)
                request = GenerationRequest(list(ids), limit, sampler, partial(job._put, i),
                                            body.stop_list(), logprobs)  # fmt: skip
                served.engine.submit(request)
                job.requests.append(request)
        except QueueFull as full:
            job.cancel()
            raise APIError(429, str(full), code="queue_full",
                           headers={"Retry-After": str(full.retry_after)}) from None  # fmt: skip
        except EngineStopped:
            job.cancel()
            raise APIError(503, "the server is shutting down; retry elsewhere") from None
        return job

    def _put(self, index: int, event: Any) -> None:  # the engine's thread
        if self.first_text is None and isinstance(event, Tokens) and event.text:
            self.first_text = time.monotonic()
        self.loop.call_soon_threadsafe(self.queue.put_nowait, (index, event))

    def cancel(self) -> None:
        for request in self.requests:
            request.cancel()

    async def events(self) -> AsyncIterator[tuple[int, Any]]:
        """(choice, event) until every choice finished."""
        open_choices = self.n
        while open_choices:
            index, event = await self.queue.get()
            if isinstance(event, Finished | Failed):
                open_choices -= 1
            yield index, event

    async def results(self) -> list[_Result]:
        results = [_Result() for _ in range(self.n)]
        try:
            async for index, event in self.events():
                result = results[index]
                if isinstance(event, Tokens):
                    result.text += event.text
                    result.logprobs += event.logprobs
                elif isinstance(event, Finished):
                    result.reason, result.tokens = _reason(event), event.completion_tokens
                else:
                    raise APIError(500, f"generation failed: {event.message}")
        finally:
            self.cancel()  # a no-op for finished requests; frees the rest on an error
        return results

    def usage(self, results: list[_Result]) -> s.Usage:
        made = sum(r.tokens for r in results)
        return s.Usage(prompt_tokens=self.prompt_tokens, completion_tokens=made,
                       total_tokens=self.prompt_tokens + made)  # fmt: skip


def _reason(event: Finished) -> str:
    return "length" if event.reason == "length" else "stop"


# --- streaming ----------------------------------------------------------------------------


# An event of the stream (nlpjourney.serve.sse, the wire format's rules).
_sse = format_event


def _stream(job: _Job, metrics: Metrics, chunks: AsyncIterator[str]) -> StreamingResponse:
    async def body() -> AsyncIterator[str]:
        try:
            async for chunk in chunks:
                yield chunk
            yield format_event("[DONE]")
        finally:
            job.cancel()  # the client went away, or the stream ended: free the slots
            if job.first_text is not None:
                metrics.first_token.observe(job.first_text - job.started)

    return StreamingResponse(body(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})  # fmt: skip


async def _chunks(
    job: _Job, model: str, kind: str, include_usage: bool,
    choice: Callable[[int, Tokens | Finished], dict[str, Any] | None],
    opening: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> AsyncIterator[str]:  # fmt: skip
    """The SSE events of a streamed answer: ``choice`` makes each event's choice."""

    def envelope(choices: list[dict[str, Any]], **extra: Any) -> str:
        return _sse({"id": job.id, "object": kind, "created": job.created, "model": model,
                     "choices": choices, **extra})  # fmt: skip

    for first in opening:
        yield envelope([first])
    made = 0
    async for index, event in job.events():
        if isinstance(event, Failed):
            yield _sse(error_body(500, f"generation failed: {event.message}"))
            return
        if isinstance(event, Finished):
            made += event.completion_tokens
        if (part := choice(index, event)) is not None:
            yield envelope([part])
    if include_usage:
        usage = s.Usage(prompt_tokens=job.prompt_tokens, completion_tokens=made,
                        total_tokens=job.prompt_tokens + made)  # fmt: skip
        yield envelope([], usage=usage.model_dump())


def _chat_chunks(job: _Job, model: str, include_usage: bool) -> AsyncIterator[str]:
    def choice(index: int, event: Tokens | Finished) -> dict[str, Any]:
        if isinstance(event, Finished):
            return {"index": index, "delta": {}, "finish_reason": _reason(event), "logprobs": None}
        logprobs = _chat_logprobs(list(event.logprobs), 0) if event.logprobs else None
        return {"index": index, "delta": {"content": event.text}, "finish_reason": None,
                "logprobs": logprobs.model_dump() if logprobs else None}  # fmt: skip

    opening = [{"index": i, "delta": {"role": "assistant", "content": ""}, "finish_reason": None,
                "logprobs": None} for i in range(job.n)]  # fmt: skip
    return _chunks(job, model, "chat.completion.chunk", include_usage, choice, opening)


def _completion_chunks(job: _Job, model: str, include_usage: bool) -> AsyncIterator[str]:
    def choice(index: int, event: Tokens | Finished) -> dict[str, Any] | None:
        if isinstance(event, Tokens) and not event.text:
            return None
        text, reason = (event.text, None) if isinstance(event, Tokens) else ("", _reason(event))
        return {"index": index, "text": text, "finish_reason": reason, "logprobs": None}

    return _chunks(job, model, "text_completion", include_usage, choice)


# --- log-probabilities in the two layouts -----------------------------------------------


def _chat_logprobs(entries: list[TokenLogprob], top: int | None) -> s.ChoiceLogprobs | None:
    if top is None:
        return None
    return s.ChoiceLogprobs(content=[
        s.TokenLogprobOut(token=e.token, logprob=e.logprob, bytes=list(e.token.encode()),
                          top_logprobs=[s.TopLogprob(token=t, logprob=p, bytes=list(t.encode()))
                                        for t, p in e.top])
        for e in entries
    ])  # fmt: skip


def _completion_logprobs(
    entries: list[TokenLogprob], top: int | None
) -> s.CompletionLogprobs | None:
    if top is None:
        return None
    offsets, at = [], 0
    for e in entries:
        offsets.append(at)
        at += len(e.token)
    return s.CompletionLogprobs(tokens=[e.token for e in entries],
                                token_logprobs=[e.logprob for e in entries],
                                top_logprobs=[dict(e.top) for e in entries],
                                text_offset=offsets)  # fmt: skip
