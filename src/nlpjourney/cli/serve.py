"""``journey serve``: an OpenAI-compatible HTTP server for a model, and the web lab.

The work is :mod:`nlpjourney.serve`; this module checks the options, loads the models
and runs uvicorn. Ctrl-C or SIGTERM stops taking connections, lets the answers in
flight finish, then exits.
"""

from __future__ import annotations

import socket

import typer

from nlpjourney.errors import JourneyError


def check_port(host: str, port: int) -> None:
    """Fail now, before the model loads, when ``host:port`` cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise JourneyError(f"--host {host}: not an address of this machine ({error})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise JourneyError(
                f"cannot listen on {host}:{port}: {error.strerror or error} (another server "
                "there? choose another --port)"
            ) from None


def serve(  # noqa: PLR0913 - one parameter per option
    model: str = typer.Option(
        "smollm2-135m-instruct",
        "--model",
        help="A model id, a Hugging Face Llama folder (journey export), or a journey train gpt run.",
    ),  # fmt: skip
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Where to listen (0.0.0.0: every address)."
    ),
    port: int = typer.Option(8000, "--port", help="The TCP port."),
    api_key: list[str] = typer.Option(
        [], "--api-key", help="A key clients must send (Authorization: Bearer KEY); repeatable."
    ),
    rate_limit: float | None = typer.Option(
        None, "--rate-limit", help="Requests a minute per key (per address without keys)."
    ),
    embeddings: bool = typer.Option(
        True, "--embeddings/--no-embeddings", help="Serve all-minilm-l6-v2 at /v1/embeddings."
    ),
    max_batch: int = typer.Option(32, "--max-batch", help="Requests generating at once."),
    max_waiting: int = typer.Option(
        256, "--max-waiting", help="Requests queued beyond those (then 429)."
    ),
    context: int | None = typer.Option(
        None,
        "--context",
        help="Tokens per request, prompt + answer (default: the model's, at most 4096).",
    ),
    max_tokens: int = typer.Option(
        512, "--max-tokens", help="New tokens when a request sets none."
    ),
    device: str = typer.Option("auto", "--device", help="cpu, cuda, or auto."),
    threads: int | None = typer.Option(None, "--threads", help="CPU threads for torch."),
) -> None:
    """Serve a model over HTTP with OpenAI's API (chat, completions, embeddings), batching
    every client's requests together; open http://HOST:PORT/ for the web lab."""
    from nlpjourney.apps.runs import check_threads
    from nlpjourney.extras import require

    if not 0 < port < 65536:
        raise JourneyError(f"--port must be in 1..65535, got {port}")
    for flag, value in (("--max-batch", max_batch), ("--max-waiting", max_waiting),
                        ("--max-tokens", max_tokens)):  # fmt: skip
        if value < 1:
            raise JourneyError(f"{flag} must be at least 1, got {value}")
    if rate_limit is not None and not rate_limit > 0:
        raise JourneyError(f"--rate-limit must be above 0, got {rate_limit}")
    if any(not k or k.strip() != k for k in api_key):
        raise JourneyError("--api-key must be a non-empty key without surrounding spaces")
    threads = check_threads(threads)
    check_port(host, port)
    uvicorn = require("uvicorn", "serve")
    require("fastapi", "serve")
    import torch

    from nlpjourney.serve.app import ServerSettings, create_app
    from nlpjourney.serve.models import EmbeddingModel, check_model_source, load_chat_model

    if threads is not None:
        torch.set_num_threads(threads)
    check_model_source(model)
    typer.echo(f"loading {model}...", err=True)
    try:
        chat = load_chat_model(model, device=device, max_batch=max_batch,
                               max_waiting=max_waiting, context=context)  # fmt: skip
    except (ValueError, FileNotFoundError) as error:
        raise JourneyError(f"{model}: {error}") from None
    served = EmbeddingModel(device=device) if embeddings else None
    from nlpjourney.course.roadmap import roadmap_progress

    settings = ServerSettings(tuple(api_key), rate_limit, default_max_tokens=max_tokens,
                              progress=roadmap_progress)  # fmt: skip
    app = create_app(chat, served, settings)
    typer.echo(
        f"serving {chat.id} (batch {chat.engine.max_batch}, context {chat.engine.context}) at "
        f"http://{host}:{port}/v1 ; the web lab at http://{host}:{port}/ ; Ctrl-C stops",
        err=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=120)
