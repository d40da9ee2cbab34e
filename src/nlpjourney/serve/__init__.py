"""Serving: the models behind an OpenAI-compatible HTTP API, many clients at once.

- :mod:`~nlpjourney.serve.engine`: :class:`BatchEngine`, continuous batching (one model
  step serves every request in flight), with a bounded queue and cancellation; the
  requests and their events are :mod:`~nlpjourney.serve.requests`;
- :mod:`~nlpjourney.serve.app`: :func:`create_app`, OpenAI's endpoints (chat
  completions, completions, embeddings, models) over the engine, with ``/health``,
  ``/metrics`` and the OpenAPI schema (``journey serve`` runs it under uvicorn);
  :mod:`~nlpjourney.serve.schemas` holds the wire format, :mod:`~nlpjourney.serve.errors`
  OpenAI's error shape (:class:`APIError`), :mod:`~nlpjourney.serve.limits` API keys and
  rate limits, :mod:`~nlpjourney.serve.metrics` the Prometheus text;
- :mod:`~nlpjourney.serve.models`: what is served (:func:`load_chat_model`,
  :class:`EmbeddingModel`);
- :mod:`~nlpjourney.serve.load`: :func:`load_test`, concurrent streaming clients, and
  :func:`server_process`, ``journey serve`` in a child process;
- :mod:`~nlpjourney.serve.sse`: :func:`format_event` and :func:`parse_events`, the
  server-sent events a streamed answer travels in;
- :mod:`~nlpjourney.serve.export`: :func:`export_model`, a model written for other
  servers: a Hugging Face folder (vLLM) or a GGUF file (llama.cpp's server), the latter
  by :func:`write_gguf` of :mod:`~nlpjourney.serve.gguf_writer`;
- :mod:`~nlpjourney.serve.chat_ui`: a chat client's side, :func:`join_chunks` (a
  streamed answer's choices) and :func:`trim_messages` (a conversation within a budget).

Importing this package is cheap: each name's module is imported the first time the name
is asked for (FastAPI and torch load only when a server is built).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names are, for readers and type checkers
    from nlpjourney.serve.app import (
        ServerSettings,
        create_app,
    )
    from nlpjourney.serve.chat_ui import join_chunks, trim_messages
    from nlpjourney.serve.engine import BatchEngine
    from nlpjourney.serve.errors import (
        APIError,
        error_body,
        install_error_handlers,
    )
    from nlpjourney.serve.export import (
        ExportError,
        Source,
        export_model,
    )
    from nlpjourney.serve.gguf_writer import (
        TensorSpec,
        Typed,
        write_gguf,
    )
    from nlpjourney.serve.limits import (
        KeyRing,
        RateLimiter,
        TokenBucket,
    )
    from nlpjourney.serve.load import (
        LoadReport,
        ServerProcess,
        free_port,
        load_test,
        server_process,
    )
    from nlpjourney.serve.metrics import (
        Counter,
        Gauge,
        Histogram,
        Metrics,
        Registry,
        TokenRate,
    )
    from nlpjourney.serve.middleware import BodyLimit, Observed
    from nlpjourney.serve.models import (
        ChatModel,
        EmbeddingModel,
        load_chat_model,
    )
    from nlpjourney.serve.requests import (
        EngineStopped,
        Failed,
        Finished,
        GenerationRequest,
        QueueFull,
        TokenLogprob,
        Tokens,
    )
    from nlpjourney.serve.sse import (
        format_event,
        parse_events,
    )

__all__ = [
    "BodyLimit",
    "Observed",
    "APIError",
    "BatchEngine",
    "ChatModel",
    "Counter",
    "EmbeddingModel",
    "EngineStopped",
    "ExportError",
    "Failed",
    "Finished",
    "Gauge",
    "GenerationRequest",
    "Histogram",
    "KeyRing",
    "LoadReport",
    "Metrics",
    "QueueFull",
    "RateLimiter",
    "Registry",
    "ServerProcess",
    "ServerSettings",
    "Source",
    "TensorSpec",
    "TokenBucket",
    "TokenLogprob",
    "TokenRate",
    "Tokens",
    "Typed",
    "create_app",
    "error_body",
    "export_model",
    "format_event",
    "free_port",
    "install_error_handlers",
    "load_chat_model",
    "load_test",
    "parse_events",
    "server_process",
    "write_gguf",
    "join_chunks",
    "trim_messages",
]

_LAZY: dict[str, tuple[str, str]] = {
    "BodyLimit": ("nlpjourney.serve.middleware", "BodyLimit"),
    "Observed": ("nlpjourney.serve.middleware", "Observed"),
    "BatchEngine": ("nlpjourney.serve.engine", "BatchEngine"),
    "EngineStopped": ("nlpjourney.serve.requests", "EngineStopped"),
    "Failed": ("nlpjourney.serve.requests", "Failed"),
    "Finished": ("nlpjourney.serve.requests", "Finished"),
    "GenerationRequest": ("nlpjourney.serve.requests", "GenerationRequest"),
    "QueueFull": ("nlpjourney.serve.requests", "QueueFull"),
    "TokenLogprob": ("nlpjourney.serve.requests", "TokenLogprob"),
    "Tokens": ("nlpjourney.serve.requests", "Tokens"),
    "ExportError": ("nlpjourney.serve.export", "ExportError"),
    "Source": ("nlpjourney.serve.export", "Source"),
    "export_model": ("nlpjourney.serve.export", "export_model"),
    "TensorSpec": ("nlpjourney.serve.gguf_writer", "TensorSpec"),
    "Typed": ("nlpjourney.serve.gguf_writer", "Typed"),
    "write_gguf": ("nlpjourney.serve.gguf_writer", "write_gguf"),
    "ServerSettings": ("nlpjourney.serve.app", "ServerSettings"),
    "create_app": ("nlpjourney.serve.app", "create_app"),
    "APIError": ("nlpjourney.serve.errors", "APIError"),
    "error_body": ("nlpjourney.serve.errors", "error_body"),
    "install_error_handlers": ("nlpjourney.serve.errors", "install_error_handlers"),
    "KeyRing": ("nlpjourney.serve.limits", "KeyRing"),
    "RateLimiter": ("nlpjourney.serve.limits", "RateLimiter"),
    "TokenBucket": ("nlpjourney.serve.limits", "TokenBucket"),
    "Counter": ("nlpjourney.serve.metrics", "Counter"),
    "Gauge": ("nlpjourney.serve.metrics", "Gauge"),
    "Histogram": ("nlpjourney.serve.metrics", "Histogram"),
    "Metrics": ("nlpjourney.serve.metrics", "Metrics"),
    "Registry": ("nlpjourney.serve.metrics", "Registry"),
    "TokenRate": ("nlpjourney.serve.metrics", "TokenRate"),
    "ChatModel": ("nlpjourney.serve.models", "ChatModel"),
    "EmbeddingModel": ("nlpjourney.serve.models", "EmbeddingModel"),
    "load_chat_model": ("nlpjourney.serve.models", "load_chat_model"),
    "LoadReport": ("nlpjourney.serve.load", "LoadReport"),
    "ServerProcess": ("nlpjourney.serve.load", "ServerProcess"),
    "free_port": ("nlpjourney.serve.load", "free_port"),
    "load_test": ("nlpjourney.serve.load", "load_test"),
    "server_process": ("nlpjourney.serve.load", "server_process"),
    "join_chunks": ("nlpjourney.serve.chat_ui", "join_chunks"),
    "trim_messages": ("nlpjourney.serve.chat_ui", "trim_messages"),
    "format_event": ("nlpjourney.serve.sse", "format_event"),
    "parse_events": ("nlpjourney.serve.sse", "parse_events"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value  # the next lookup is a plain attribute
        return value
    raise AttributeError(f"module 'nlpjourney.serve' has no attribute {name!r}")
