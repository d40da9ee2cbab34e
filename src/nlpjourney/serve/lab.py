"""The web lab: one page at ``/`` beside the API, and the three endpoints it needs.

::

    GET  /                      the lab page (chat, playground, tokenizer, attention, progress)
    GET  /lab/static/{file}     its script and style sheet (package data in lab_static/)
    POST /lab/api/tokenize      {"text"} -> the served model's tokens: id, piece, special
    POST /lab/api/attention     {"text", "layer"} -> attention weights per layer and head
    GET  /lab/api/progress      the course's roadmap and which topics the learner passed

The page is plain HTML, CSS and JavaScript (no framework, nothing from a CDN: it works
offline). Chat and the playground call the same ``/v1`` endpoints as any client; the
page sends the API key from its key box as ``Authorization: Bearer``. :data:`pages`
(the page and its files) needs no key, since a browser cannot send one when it opens a
page; :data:`router` (the endpoints) goes behind the API's key and rate checks.

The attention endpoint runs its own forward pass while the engine's thread may be
running the same model. Asking the model's :class:`~nlpjourney.nn.MultiHeadAttention`
modules to keep their weights (``keep_weights``) would make the engine's steps keep them
too, and the two threads would overwrite each other's ``weights``. So the pass runs
through a *shadow* of the model: a new tree of module objects that share the original's
parameters and buffers (nothing is copied but a few hundred small objects), where only
the shadow's attention modules keep weights. The engine never sees the shadow, and
reading parameters from two threads at once is safe; a lock lets one lab pass run at a
time, so a busy page cannot take every core from the engine.

Serving ``progress`` is the course's business (floor 6), which this package (floor 5)
may not import: ``journey serve`` hands the app a function that returns it
(:attr:`~nlpjourney.serve.app.ServerSettings.progress`), and without one the endpoint
answers 404.

Reference: the tokenizer's own ``encode`` and the model's attention through
``keep_weights`` (``tests/serve/test_lab.py``); the page in headless Chromium
(``tests/serve/test_lab_browser.py``).

Simplifications:
    - the attention view takes at most :data:`MAX_ATTENTION_TOKENS` tokens (the first
      ones) and one model pass; a longer text is cut and the answer says so.
"""

from __future__ import annotations

import asyncio
import copy
import threading
from importlib import resources
from typing import Any

import torch
from torch import nn

from nlpjourney.extras import missing_extra

try:  # the serve extra: FastAPI and what it is built on
    from fastapi import APIRouter, Request
    from fastapi.responses import HTMLResponse, Response
    from pydantic import BaseModel, ConfigDict, Field
except ImportError as error:
    raise missing_extra("serve", error.name or "fastapi") from error

from nlpjourney.nn import MultiHeadAttention
from nlpjourney.serve.errors import APIError
from nlpjourney.serve.models import ChatModel
from nlpjourney.serve.schemas import ErrorResponse
from nlpjourney.tokenizers import Tokenizer

__all__ = ["MAX_ATTENTION_TOKENS", "attention_maps", "pages", "router", "token_pieces"]

MAX_ATTENTION_TOKENS = 64
MAX_TEXT_CHARS = 20_000
_STATIC = {"lab.js": "text/javascript", "lab.css": "text/css"}
_attention_lock = threading.Lock()

pages = APIRouter(include_in_schema=False)
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": what}
    for code, what in [(400, "Malformed request"), (401, "Missing or wrong API key"),
                       (404, "No chat model, or no course progress, here"),
                       (413, "Body too large"), (429, "Rate-limited: see Retry-After")]
}  # fmt: skip
router = APIRouter(prefix="/lab/api", tags=["lab"], responses=_ERRORS)


def _static(name: str) -> bytes:
    return (resources.files("nlpjourney.serve") / "lab_static" / name).read_bytes()


@pages.get("/")
async def index() -> HTMLResponse:
    return HTMLResponse(_static("index.html"), headers={"Cache-Control": "no-cache"})


@pages.get("/lab/static/{name}")
async def static(name: str) -> Response:
    if name not in _STATIC:  # a fixed list: no path from the URL ever reaches the disk
        raise APIError(404, f"the lab has no file {name!r}")
    return Response(_static(name), media_type=_STATIC[name],
                    headers={"Cache-Control": "no-cache"})  # fmt: skip


# --- the endpoints --------------------------------------------------------------------


class _TokenizeBody(BaseModel):
    """A text to cut into the served model's tokens."""

    model_config = ConfigDict(extra="forbid", title="LabTokenizeRequest")
    text: str = Field(max_length=MAX_TEXT_CHARS)


class _AttentionBody(BaseModel):
    """A short text, and the layer to show (None: every layer)."""

    model_config = ConfigDict(extra="forbid", title="LabAttentionRequest")
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    layer: int | None = Field(default=None, ge=0, strict=True)  # strict: true is no layer


def _chat(request: Request) -> ChatModel:
    chat = getattr(request.app.state, "chat", None)
    if chat is None:
        raise APIError(404, "this server serves no chat model, so it has no tokens to show")
    return chat


def token_pieces(tokenizer: Tokenizer, ids: list[int]) -> list[dict[str, Any]]:
    """Each id with its vocabulary entry, its text and whether it is a special token.

    ``text`` is the id decoded alone: a piece that holds part of a character's UTF-8
    bytes decodes to U+FFFD, as the pieces really are.
    """
    special = set(tokenizer.special_tokens.values())
    return [{"id": i, "token": tokenizer.id_to_token(i), "text": tokenizer.decode([i]),
             "special": i in special} for i in ids]  # fmt: skip


@router.post("/tokenize")
async def tokenize(body: _TokenizeBody, request: Request) -> dict[str, Any]:
    """The chat model's tokens of ``text`` (special tokens written in it are matched)."""
    chat = _chat(request)
    ids = chat.tokenizer.encode(body.text)
    return {"model": chat.id, "count": len(ids), "tokens": token_pieces(chat.tokenizer, ids)}


@router.post("/attention")
async def attention(body: _AttentionBody, request: Request) -> dict[str, Any]:
    """The attention weights of the chat model over the first tokens of ``text``."""
    chat = _chat(request)
    ids = chat.tokenizer.encode(body.text)
    if not ids:
        raise APIError(400, "the text has no tokens", param="text")
    layers = _attention_modules(chat.model)
    if body.layer is not None and not 0 <= body.layer < len(layers):
        raise APIError(400, f"layer must be in 0..{len(layers) - 1}, got {body.layer}",
                       param="layer")  # fmt: skip
    kept = ids[:MAX_ATTENTION_TOKENS]
    maps = await asyncio.to_thread(attention_maps, chat.model, kept, body.layer)
    chosen = range(len(layers)) if body.layer is None else [body.layer]
    return {
        "model": chat.id,
        "tokens": token_pieces(chat.tokenizer, kept),
        "truncated": len(ids) > len(kept),
        "layers": len(layers),
        "heads": layers[0].num_heads,
        # 4 decimals: a 64-token map of one layer stays a few hundred kB of JSON
        "attention": [
            {"layer": i, "weights": torch.round(w, decimals=4).tolist()}
            for i, w in zip(chosen, maps, strict=True)
        ],  # fmt: skip
    }


@router.get("/progress")
async def progress(request: Request) -> dict[str, Any]:
    """The course progress from the function ``journey serve`` gave the app."""
    provider = getattr(request.app.state, "progress", None)
    if provider is None:
        raise APIError(404, "this server was started without the course, so it has no "
                       "progress to show; `journey serve` serves it", code="no_progress")  # fmt: skip
    return await asyncio.to_thread(provider)


# --- attention through a shadow of the model ------------------------------------------


def _attention_modules(model: nn.Module) -> list[MultiHeadAttention]:
    """The model's self-attention modules, bottom layer first."""
    found = [m for m in model.modules() if isinstance(m, MultiHeadAttention) and not m.cross]
    if not found:
        raise APIError(400, f"{type(model).__name__} has no attention layers to show")
    return found


def _shadow(module: nn.Module, memo: dict[int, nn.Module]) -> nn.Module:
    """A new module tree over the same parameters and buffers (see the module docstring)."""
    if id(module) in memo:  # a module shared by layers (Llama's rotary) stays shared
        return memo[id(module)]
    clone = copy.copy(module)  # a new object whose attributes are the original's
    memo[id(module)] = clone
    # subtle: copy.copy shares the dicts themselves; new dicts keep an assignment on the
    # shadow (a weights tensor, a grown buffer) from reaching the original.
    clone._parameters = dict(module._parameters)
    clone._buffers = dict(module._buffers)
    clone._modules = {name: None if child is None else _shadow(child, memo)
                      for name, child in module._modules.items()}  # fmt: skip
    return clone


def attention_maps(model: nn.Module, ids: list[int], layer: int | None) -> list[torch.Tensor]:
    """Attention weights (heads, T, T) of ``layer`` (or of every layer) over ``ids``.

    One forward pass of ``model`` (a decoder called as ``model(ids)``) through a shadow
    whose chosen attention modules keep their weights; ``model`` itself is not changed,
    so a server may keep generating with it meanwhile.
    """
    originals = _attention_modules(model)
    memo: dict[int, nn.Module] = {}
    shadow = _shadow(model, memo)
    chosen = range(len(originals)) if layer is None else [layer]
    keeping = [memo[id(originals[i])] for i in chosen]
    for module in keeping:
        module.keep_weights, module.weights = True, None
    device = next(model.parameters()).device
    with _attention_lock, torch.inference_mode():
        shadow(torch.tensor([ids], dtype=torch.long, device=device))
    return [m.weights[0].float().cpu() for m in keeping]  # type: ignore[index]
