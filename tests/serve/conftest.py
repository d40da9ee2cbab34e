"""Servers for the serve tests: a real uvicorn on a free loopback port, in a thread.

The quick tests serve a tiny random Llama with SmolLM2's real tokenizer (its chat
template, its special tokens, byte-level pieces), so every path of the API runs in a
second; the slow ones serve SmolLM2 itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import torch

pytest.importorskip("fastapi", reason="the serve extra is not installed")
import uvicorn  # noqa: E402

from nlpjourney import tokenizers  # noqa: E402
from nlpjourney.models import Llama, LlamaConfig  # noqa: E402
from nlpjourney.serve.app import ServerSettings, create_app  # noqa: E402
from nlpjourney.serve.engine import BatchEngine  # noqa: E402
from nlpjourney.serve.models import ChatModel, EmbeddingModel  # noqa: E402

TINY_ID = "tiny-llama"


@dataclass
class Running:
    """A server in a thread: its base URL, its app and its chat model."""

    url: str
    app: object
    chat: ChatModel | None
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def v1(self) -> str:
        return f"{self.url}/v1"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def start_server(app: object, chat: ChatModel | None) -> Running:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                            timeout_graceful_shutdown=30)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return Running(f"http://127.0.0.1:{port}", app, chat, server, thread)


@pytest.fixture(scope="session")
def smollm2_tokenizer() -> tokenizers.Tokenizer:
    return tokenizers.load("smollm2")


def tiny_chat(tokenizer: tokenizers.Tokenizer, **engine: object) -> ChatModel:
    torch.manual_seed(0)
    config = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size, max_seq_len=256)
    model = Llama(config).eval()
    with torch.no_grad():  # larger weights: varied text instead of one repeated token
        for param in model.parameters():
            param.normal_(0.0, 0.3)
    return ChatModel(TINY_ID, model, tokenizer, BatchEngine(model, tokenizer, **engine))


def serve_tiny(
    tokenizer: tokenizers.Tokenizer,
    settings: ServerSettings | None = None,
    embeddings: EmbeddingModel | None = None,
    **engine: object,
) -> Running:
    chat = tiny_chat(tokenizer, **engine)
    return start_server(create_app(chat, embeddings, settings), chat)


@pytest.fixture(scope="module")
def tiny_server(smollm2_tokenizer: tokenizers.Tokenizer) -> Iterator[Running]:
    running = serve_tiny(smollm2_tokenizer, ServerSettings(max_body_bytes=64 * 1024),
                         embeddings=EmbeddingModel(), max_batch=4, context=256)  # fmt: skip
    yield running
    running.stop()
