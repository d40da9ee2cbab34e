"""Serving: the models behind an OpenAI-compatible HTTP API, many clients at once.

- :mod:`~nlpjourney.serve.engine`: :class:`BatchEngine`, continuous batching (one model
  step serves every request in flight), with a bounded queue and cancellation.
- :mod:`~nlpjourney.serve.export`: :func:`export_model`, a model written for other
  servers: a Hugging Face folder (vLLM) or a GGUF file (llama.cpp's server), the latter
  by :func:`write_gguf` of :mod:`~nlpjourney.serve.gguf_writer`.

Importing this package is cheap: each name's module is imported the first time the name
is asked for (FastAPI and torch load only when a server is built).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names are, for readers and type checkers
    from nlpjourney.serve.engine import (
        BatchEngine,
        EngineStopped,
        Failed,
        Finished,
        GenerationRequest,
        QueueFull,
        TokenLogprob,
        Tokens,
    )
    from nlpjourney.serve.export import ExportError, Source, export_model
    from nlpjourney.serve.gguf_writer import TensorSpec, Typed, write_gguf

__all__ = [
    "BatchEngine",
    "EngineStopped",
    "ExportError",
    "Failed",
    "Finished",
    "GenerationRequest",
    "QueueFull",
    "Source",
    "TensorSpec",
    "TokenLogprob",
    "Tokens",
    "Typed",
    "export_model",
    "write_gguf",
]

_LAZY: dict[str, tuple[str, str]] = {
    "BatchEngine": ("nlpjourney.serve.engine", "BatchEngine"),
    "EngineStopped": ("nlpjourney.serve.engine", "EngineStopped"),
    "Failed": ("nlpjourney.serve.engine", "Failed"),
    "Finished": ("nlpjourney.serve.engine", "Finished"),
    "GenerationRequest": ("nlpjourney.serve.engine", "GenerationRequest"),
    "QueueFull": ("nlpjourney.serve.engine", "QueueFull"),
    "TokenLogprob": ("nlpjourney.serve.engine", "TokenLogprob"),
    "Tokens": ("nlpjourney.serve.engine", "Tokens"),
    "ExportError": ("nlpjourney.serve.export", "ExportError"),
    "Source": ("nlpjourney.serve.export", "Source"),
    "export_model": ("nlpjourney.serve.export", "export_model"),
    "TensorSpec": ("nlpjourney.serve.gguf_writer", "TensorSpec"),
    "Typed": ("nlpjourney.serve.gguf_writer", "Typed"),
    "write_gguf": ("nlpjourney.serve.gguf_writer", "write_gguf"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value  # the next lookup is a plain attribute
        return value
    raise AttributeError(f"module 'nlpjourney.serve' has no attribute {name!r}")
