"""Benchmark: continuous batching under load, SmolLM2-135M-Instruct behind ``journey serve``.

Three runs against servers on loopback (each in its own process), streaming chat
completions of up to ``--max-tokens`` tokens:

- **one client**: one request at a time, the tokens a second a lone user gets;
- **32 clients, batched**: ``--clients`` concurrent clients, the engine batching them;
- **32 clients, one at a time** (the peer): the same load against ``--max-batch 1``, a
  server that queues requests and serves them in turn (what a naive server does).

It prints each run's requests, tokens a second, latency and time-to-first-token
percentiles and statuses, then the ratios; the issue's target is batched / one client
>= 3 with no 5xx.

Run it with::

    uv run python benchmarks/serve_load.py                  # 60 s a run, 2 threads
    uv run python benchmarks/serve_load.py --seconds 20 --no-peer
"""

from __future__ import annotations

import argparse
import asyncio

from nlpjourney.serve.load import load_test, server_process

MODEL = "smollm2-135m-instruct"


def measure(clients: int, seconds: float, max_tokens: int, *options: str):  # noqa: ANN201
    with server_process("--no-embeddings", *options) as server:
        asyncio.run(load_test(server.v1, MODEL, clients=1, seconds=3, max_tokens=8))  # warm up
        return asyncio.run(load_test(server.v1, MODEL, clients, seconds, max_tokens))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-peer", action="store_true", help="skip the one-at-a-time server")
    args = parser.parse_args()
    threads = ("--threads", str(args.threads))
    one = measure(1, args.seconds, args.max_tokens, *threads)
    print("one client:          ", one.summary())
    many = measure(args.clients, args.seconds, args.max_tokens, *threads)
    print(f"{args.clients} clients, batched:", many.summary())
    print(f"batched / one client: {many.tokens_per_second / one.tokens_per_second:.2f}x tokens/s")
    if not args.no_peer:
        peer = measure(args.clients, args.seconds, args.max_tokens, *threads, "--max-batch", "1")
        print(f"{args.clients} clients, one at a time:", peer.summary())
        print(f"batched / one at a time: {many.tokens_per_second / peer.tokens_per_second:.2f}x")
    if many.server_errors or many.failures:
        print("server errors:", many.server_errors, "client failures:", many.failures[:3])


if __name__ == "__main__":
    main()
