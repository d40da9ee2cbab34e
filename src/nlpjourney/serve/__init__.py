"""Serving and exporting models: :func:`export_model` writes a Llama for vLLM or llama.cpp.

:mod:`~nlpjourney.serve.export` is imported when first used, so importing the package
stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlpjourney.serve.export import export_model

__all__ = ["export_model"]

#: Names imported on first use: name -> module.
_LAZY = {"export_model": "nlpjourney.serve.export"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
