"""Serving: the models behind an OpenAI-compatible HTTP API, many clients at once.

- :mod:`~nlpjourney.serve.engine`: :class:`BatchEngine`, continuous batching (one model
  step serves every request in flight), with a bounded queue and cancellation.
- :mod:`~nlpjourney.serve.export`: :func:`export_model`, a model written for other
  servers: a Hugging Face folder (vLLM) or a GGUF file (llama.cpp's server).

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
    from nlpjourney.serve.export import export_model

__all__ = [
    "BatchEngine",
    "EngineStopped",
    "Failed",
    "Finished",
    "GenerationRequest",
    "QueueFull",
    "TokenLogprob",
    "Tokens",
    "export_model",
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
    "export_model": ("nlpjourney.serve.export", "export_model"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value  # the next lookup is a plain attribute
        return value
    raise AttributeError(f"module 'nlpjourney.serve' has no attribute {name!r}")
