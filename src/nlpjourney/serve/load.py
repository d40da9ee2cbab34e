"""A load test: many concurrent streaming clients against an OpenAI-compatible server.

Each client loops for the given time: send a streamed chat completion, read it to the
end, note when the first text came (time to first token) and when the last did
(latency), and the tokens the server counted (``stream_options.include_usage``).
:func:`load_test` returns what a reader of a serving system looks at: aggregate tokens a
second, requests a second, the 50th and 95th percentile latencies, and how many answers
were errors by status (a 5xx is a server bug; a 429 is the queue's back-pressure).

The clients run on one asyncio loop with httpx, so 32 of them cost one thread; run the
server in another process (``journey serve``) so the two do not share the GIL.

>>> report = asyncio.run(load_test("http://127.0.0.1:8000/v1", "smollm2-135m-instruct",
...                                 clients=32, seconds=60))  # doctest: +SKIP
>>> print(report.summary())  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["LoadReport", "ServerProcess", "free_port", "load_test", "server_process"]

PROMPTS = (
    "Tell me about the sea.",
    "What is a language model?",
    "Give me three tips for learning to cook.",
    "Why is the sky blue?",
    "Write a short poem about autumn.",
    "Explain what a tokenizer does.",
    "What should I pack for a day of hiking?",
    "Describe a busy train station.",
)


@dataclass
class LoadReport:
    """What a load test measured."""

    clients: int
    seconds: float
    tokens: int = 0
    latencies: list[float] = field(default_factory=list)
    first_tokens: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile(self, values: Sequence[float], q: float) -> float:
        if not values:
            return float("nan")
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]

    def summary(self) -> str:
        """One paragraph a person reads."""
        lat, ttft = self.latencies, self.first_tokens
        return (
            f"{self.clients} clients for {self.seconds:.0f} s: {self.requests} requests, "
            f"{self.tokens} tokens, {self.tokens_per_second:.1f} tokens/s; latency p50 "
            f"{self.percentile(lat, 50):.2f} s, p95 {self.percentile(lat, 95):.2f} s; first token "
            f"p50 {self.percentile(ttft, 50):.2f} s, p95 {self.percentile(ttft, 95):.2f} s; "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


async def load_test(  # noqa: PLR0913 - the test's knobs
    base_url: str,
    model: str,
    clients: int = 32,
    seconds: float = 60.0,
    max_tokens: int = 64,
    api_key: str = "unused",
    temperature: float = 0.0,
) -> LoadReport:
    """Run ``clients`` streaming clients for ``seconds`` against ``base_url`` (ending in /v1).

    A request still running at the end is finished and counted: the tokens a second are
    the tokens of the requests started within the time, over the time they all took.
    """
    import httpx

    report = LoadReport(clients, seconds)
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    headers = {"authorization": f"Bearer {api_key}"}
    async with httpx.AsyncClient(base_url=base_url, limits=limits, headers=headers,
                                 timeout=httpx.Timeout(600.0)) as http:  # fmt: skip
        began = time.monotonic()
        deadline = began + seconds

        async def client(index: int) -> None:
            turn = 0
            while time.monotonic() < deadline:
                prompt = PROMPTS[(index + turn) % len(PROMPTS)]
                turn += 1
                await _one_request(http, report, model, prompt, max_tokens, temperature)

        await asyncio.gather(*(client(i) for i in range(clients)))
        report.seconds = time.monotonic() - began
    return report


async def _one_request(
    http: object, report: LoadReport, model: str, prompt: str, max_tokens: int, temperature: float
) -> None:
    body = {"model": model, "messages": [{"role": "user", "content": prompt}],
            "max_tokens": max_tokens, "temperature": temperature, "stream": True,
            "stream_options": {"include_usage": True}}  # fmt: skip
    start = time.monotonic()
    first = None
    try:
        async with http.stream("POST", "/chat/completions", json=body) as response:  # type: ignore[attr-defined]
            report.statuses[response.status_code] += 1
            if response.status_code != 200:
                await response.aread()
                if response.status_code == 429:  # back-pressure: wait as told
                    await asyncio.sleep(float(response.headers.get("retry-after", "1")))
                return
            async for line in response.aiter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                chunk = json.loads(line[6:])
                if chunk.get("usage"):
                    report.tokens += chunk["usage"]["completion_tokens"]
                elif first is None and any(c["delta"].get("content") for c in chunk["choices"]):
                    first = time.monotonic() - start
    except Exception as error:  # noqa: BLE001 - a failed request is a result, not a crash
        report.failures.append(f"{type(error).__name__}: {error}")
        return
    report.latencies.append(time.monotonic() - start)
    if first is not None:
        report.first_tokens.append(first)


# --- a server in its own process ------------------------------------------------------------


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ServerProcess:
    """``journey serve`` running in a child process: its URL, the process, its log file."""

    url: str
    process: subprocess.Popen
    log: Path

    @property
    def v1(self) -> str:
        return f"{self.url}/v1"

    def terminate(self, timeout: float = 120) -> int:
        """SIGTERM, as a service manager stops it; the exit code once it has drained."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


@contextmanager
def server_process(*options: str, startup: float = 300) -> Iterator[ServerProcess]:
    """Run ``journey serve OPTIONS`` on a free loopback port until the block ends.

    Waits until ``/health`` answers (the model is loaded); stops the server with SIGTERM
    at the end.

    Raises:
        RuntimeError: the server exited or did not answer within ``startup`` seconds (the
            message ends with its log).
    """
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="journey-serve-"))
    log = folder / "server.log"
    # the journey script beside this Python (a venv's bin/), else the one on PATH
    beside = Path(sys.executable).with_name("journey")
    journey = str(beside) if beside.exists() else shutil.which("journey")
    if journey is None:
        raise RuntimeError("the journey command is not installed beside this Python nor on PATH")
    command = [journey, "serve", "--port", str(port), *options]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=os.environ.copy()
        )
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + startup
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"journey serve did not start:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{server.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(120)
            except subprocess.TimeoutExpired:
                process.kill()
