# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 6.2 Serving: from a function to an HTTP service, with streaming and batching
#
# Lesson 6.1 ended with a function: `generate(model, tokenizer, prompt)` returns text.
# A function is not a service. A program on another machine, written in another
# language, cannot call it; and a service has needs a function never meets:
#
# - a **wire format**: the request and the answer as bytes on a network (here JSON over
#   HTTP), the same for every client;
# - **errors a client can act on**: "your parameters are wrong" (fix them), "no such
#   model" (ask for another), "busy, retry in 2 s" (wait), each with its own status code;
# - **streaming**: the first words on the screen while the rest is written;
# - **many users at once**, sharing one model without waiting for each other's answers,
#   and without one of them taking all of it.
#
# This lesson builds each in turn, on the CPU, and measures what each buys:
#
# 1. OpenAI's wire format, the de facto standard: one request and one answer as JSON;
# 2. a minimal server written by hand with FastAPI, called with the official `openai`
#    client; then the same client against the library's server, `create_app`;
# 3. streaming with server-sent events, by hand: time to the first token against the
#    total time;
# 4. batching: one request at a time, static batches, and continuous batching with the
#    library's `BatchEngine`, stepped by hand to watch requests join and leave; tokens a
#    second and latency for 1, 4 and 16 concurrent requests;
# 5. back-pressure and fairness: a bounded queue (429 with `Retry-After`), API keys, a
#    token bucket per key, and `/metrics` for the operator.
#
# Look for **Predict** cells: answer them in your head before you run the next cell.
# Two cells are **exercises** for you (a token bucket, and reading `/metrics`); a check
# cell under each says whether your answer is right (the lesson runs on while they are
# unsolved).
#
# Set `JOURNEY_QUICK=1` for a short run: it serves a tiny random Llama (with SmolLM2's
# real tokenizer, so every piece of the wire format is real, only the text is
# gibberish). The full run serves SmolLM2-135M-Instruct; `scripts/run_lessons.py` ran it
# once and stored its measurements in `lessons/results/6.2/`, and the cells print them
# beside your own.

# %%
import asyncio
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import matplotlib.pyplot as plt
import numpy as np
import openai
import torch
import uvicorn
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from matplotlib.colors import ListedColormap
from prometheus_client.parser import text_string_to_metric_families
from pydantic import BaseModel, Field

from nlpjourney import tokenizers
from nlpjourney.course import check
from nlpjourney.course.results import FullRun
from nlpjourney.infer import generate
from nlpjourney.infer.generate import Sampler
from nlpjourney.models import Llama, LlamaConfig, load
from nlpjourney.serve import (
    BatchEngine,
    ChatModel,
    Finished,
    GenerationRequest,
    QueueFull,
    ServerSettings,
    TokenBucket,
    create_app,
    load_test,
)

try:  # shows a bare matplotlib Figure in a notebook; a script just prints its size
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
MODE = "quick mode" if QUICK else "full mode"
torch.set_num_threads(1 if QUICK else max(1, min(4, os.cpu_count() or 1)))
full = FullRun("6.2")  # the stored full run of this lesson: its measurements and pictures

if QUICK:  # a tiny random Llama with SmolLM2's tokenizer: the real wire, fast gibberish
    tokenizer = tokenizers.load("smollm2")
    torch.manual_seed(0)
    config = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size,
                                                   max_seq_len=512)  # fmt: skip
    model = Llama(config).eval()
    with torch.no_grad():  # larger weights than at initialisation: varied text
        for param in model.parameters():
            param.normal_(0.0, 0.3)
    MODEL_ID = "tiny-llama"
else:
    pretrained = load("smollm2-135m-instruct")
    model, tokenizer = pretrained.model.eval(), pretrained.tokenizer
    MODEL_ID = "smollm2-135m-instruct"
print(f"serving {MODEL_ID}: {model.num_parameters():,} parameters ({MODE})")

# %% [markdown]
# ## 1. What a client needs: a wire format
#
# Here is the function a service must wrap. It takes Python objects and returns a Python
# string, in the same process:

# %%
prompt = "The best thing about a quiet morning is"
text = generate(model, tokenizer, prompt, max_new_tokens=16, temperature=0.0)
print(repr(text))

# %% [markdown]
# Almost every LLM server today (OpenAI's own, vLLM, llama.cpp's server, Ollama, TGI)
# speaks the same **wire format**: the one of OpenAI's API. It is not a formal standard,
# but a client written for one works against all of them by changing one URL, which is
# why we follow it too. A completion request is a JSON object POSTed to
# `/v1/completions`; the answer is another JSON object. The names matter: `max_tokens`,
# not `max_new_tokens`; the text sits in `choices[0].text` (a request may ask for `n`
# answers); `finish_reason` says why it ended (`"stop"`: the model ended it, or a stop
# string; `"length"`: `max_tokens` ran out); `usage` counts tokens, which is what a paid
# API bills.

# %%
request = {"model": MODEL_ID, "prompt": prompt, "max_tokens": 16, "temperature": 0.0}
response = {
    "id": "cmpl-1",
    "object": "text_completion",
    "created": 1765000000,
    "model": MODEL_ID,
    "choices": [{"index": 0, "text": text, "finish_reason": "length", "logprobs": None}],
    "usage": {
        "prompt_tokens": len(tokenizer.encode(prompt)),
        "completion_tokens": 16,
        "total_tokens": len(tokenizer.encode(prompt)) + 16,
    },  # fmt: skip
}
print("POST /v1/completions\n" + json.dumps(request, indent=1))
print("200 OK\n" + json.dumps(response, indent=1, ensure_ascii=False))

# %% [markdown]
# An error has a shape too: a status code that says whose fault it is (4xx: the
# client's; 5xx: the server's) and a body `{"error": {"message", "type", "param",
# "code"}}`. A client library turns the status into an exception a program can catch:
# `openai.BadRequestError` for 400, `NotFoundError` for 404, `RateLimitError` for 429...
#
# ## 2. A server by hand
#
# FastAPI maps a URL to a Python function; pydantic turns the JSON body into a typed
# object and **validates** it (a negative `max_tokens` never reaches our code). The
# handler below is a plain `def`, not `async def`: FastAPI then runs it in a thread
# pool, so one slow generation does not freeze the server's event loop.


# %%
class CompletionIn(BaseModel):
    """The fields of a completion request this small server understands."""

    model: str
    prompt: str
    max_tokens: int = Field(16, ge=1, le=256)
    temperature: float = Field(1.0, ge=0.0, le=2.0)
    seed: int | None = None
    stream: bool = False


class OpenAIError(Exception):
    """An error the server answers in OpenAI's shape."""

    def __init__(self, status, message, kind="invalid_request_error", code=None):
        super().__init__(message)
        self.status, self.message, self.kind, self.code = status, message, kind, code


def error_response(status, message, kind="invalid_request_error", code=None):
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status)


mine = FastAPI()


@mine.exception_handler(OpenAIError)
async def on_openai_error(_, error):
    return error_response(error.status, error.message, error.kind, error.code)


@mine.exception_handler(RequestValidationError)
async def on_bad_request(_, error):  # FastAPI says 422; OpenAI's clients expect 400
    first = error.errors()[0]
    return error_response(400, f"{'.'.join(map(str, first['loc']))}: {first['msg']}")


@mine.post("/v1/completions")
def completions(body: CompletionIn):
    if body.model != MODEL_ID:
        raise OpenAIError(404, f"the model {body.model!r} does not exist", code="model_not_found")
    if body.stream:
        return stream_completion(body)  # section 3 writes it
    text = generate(model, tokenizer, body.prompt, max_new_tokens=body.max_tokens,
                    temperature=body.temperature, seed=body.seed)  # fmt: skip
    # generate returns text, not tokens: re-encoding the text counts them only roughly
    # (a decoded text may encode to other tokens); the library's engine counts the tokens
    # it generated instead
    prompt_tokens, completion_tokens = (
        len(tokenizer.encode(body.prompt)),
        len(tokenizer.encode(text)),
    )
    return {
        "id": f"cmpl-{time.monotonic_ns()}",
        "object": "text_completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{"index": 0, "text": text, "logprobs": None,
                     "finish_reason": "length" if completion_tokens >= body.max_tokens else "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }  # fmt: skip


def stream_completion(body):
    raise OpenAIError(400, "streaming is not written yet")


# %% [markdown]
# A real server runs under an ASGI server, uvicorn, which owns the sockets. Here it runs
# in a thread of this notebook, on a free port of the loopback interface (`port=0` asks
# the operating system for one), so that the client below, in the same notebook, can
# call it.


# %%
def serve(app):
    """Run `app` with uvicorn in a thread; returns (base URL, server)."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}", server


my_url, my_server = serve(mine)
client = openai.OpenAI(base_url=f"{my_url}/v1", api_key="not-needed-yet")
answer = client.completions.create(model=MODEL_ID, prompt=prompt, max_tokens=16, temperature=0)
print(repr(answer.choices[0].text), answer.choices[0].finish_reason, answer.usage)
assert answer.choices[0].text == text  # the same function behind a network

# %% [markdown]
# The text is the function's, through JSON and HTTP. Look at `usage`: our server counted
# the tokens by encoding the text again, and a text decoded from tokens need not encode
# back to the same tokens (the model may write pieces that the tokenizer would have
# merged differently). A server must count what it generated; the library's does.

# %% [markdown]
# **Predict:** the next cell asks for a model that does not exist, then for
# `max_tokens=-5`. What status code comes back each time, and what does the `openai`
# client do with it?

# %%
for bad in ({"model": "gpt-9"}, {"max_tokens": -5}):
    try:
        client.completions.create(**{"model": MODEL_ID, "prompt": prompt, **bad})
    except openai.APIStatusError as error:
        print(f"{bad}: {type(error).__name__}, status {error.status_code}: "
              f"{error.body['message']!r}")  # fmt: skip

# %% [markdown]
# Neither is a crash: each is an exception with the status and our message, which the
# client's program can catch and act on. Now the library's server. `create_app` serves
# the same endpoints (and chat, embeddings, models, health, metrics) over a
# `BatchEngine`, which section 4 opens up. The same client, pointed at another URL:

# %%
engine = BatchEngine(model, tokenizer, max_batch=16, context=512)
library_url, library_server = serve(create_app(ChatModel(MODEL_ID, model, tokenizer, engine)))
library = openai.OpenAI(base_url=f"{library_url}/v1", api_key="not-needed-yet")
theirs = library.completions.create(model=MODEL_ID, prompt=prompt, max_tokens=16, temperature=0)
print(repr(theirs.choices[0].text), theirs.choices[0].finish_reason, theirs.usage)
assert theirs.choices[0].text == answer.choices[0].text
print("models served:", [m.id for m in library.models.list().data])

# %% [markdown]
# ## 3. Streaming: server-sent events
#
# A non-streamed answer arrives all at once, when the last token is written. For a
# person reading, what matters is the **time to the first token** (TTFT): a chat that
# shows its first words after 0.3 s feels fast even if the answer takes 5 s.
#
# OpenAI's API streams with **server-sent events** (SSE): one long HTTP response of
# type `text/event-stream`, made of events; each event is a line `data: ...` followed by
# a blank line. Each event carries a chunk, the same JSON as the answer with a piece of
# the text, and the last event is `data: [DONE]`. `generate(..., stream=True)` gives the
# pieces (lesson 6.1); we wrap each one. (The full rules of the format, spaces,
# comments and multi-line data, are exercise 6.2.)


# %%
# the handler looks stream_completion up at each call, so this replaces the placeholder
def stream_completion(body):  # noqa: F811
    def events():
        pieces = generate(model, tokenizer, body.prompt, max_new_tokens=body.max_tokens,
                          temperature=body.temperature, seed=body.seed, stream=True)  # fmt: skip
        for piece in pieces:
            chunk = {"id": "cmpl-s", "object": "text_completion", "created": int(time.time()),
                     "model": MODEL_ID,
                     "choices": [{"index": 0, "text": piece, "finish_reason": None}]}  # fmt: skip
            yield f"data: {json.dumps(chunk)}\n\n"
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


# %% [markdown]
# A client reads the stream line by line as it arrives. We time it with `httpx` (what
# the `openai` client uses underneath): the moment the first piece of text comes, and
# the moment the stream ends.


# %%
def timed_stream(url, max_tokens):
    """POST a streamed completion; (pieces, seconds to the first text, seconds in all)."""
    body = {"model": MODEL_ID, "prompt": prompt, "max_tokens": max_tokens,
            "temperature": 0, "stream": True}  # fmt: skip
    pieces, first, started = [], None, time.perf_counter()
    with httpx.stream("POST", f"{url}/v1/completions", json=body, timeout=300) as reply:
        for line in reply.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            piece = json.loads(line[len("data: ") :])["choices"][0]["text"]
            if piece and first is None:
                first = time.perf_counter() - started
            pieces.append(piece)
    return pieces, first, time.perf_counter() - started


LONG = 32 if QUICK else 64
pieces, _, _ = timed_stream(my_url, LONG)  # a first call warms both servers up
print(pieces[:8], "...")
whole = client.completions.create(model=MODEL_ID, prompt=prompt, max_tokens=LONG, temperature=0)
print("the pieces join to the non-streamed text:", "".join(pieces) == whole.choices[0].text)
assert "".join(pieces) == whole.choices[0].text

# %% [markdown]
# **Predict:** for an answer of 64 tokens (32 in quick mode), what share of the total
# time passes before the first piece arrives: about half, about a tenth, or under 5 %?

# %%
timings = {}
for name, url in (("mine", my_url), ("library", library_url)):
    runs = [timed_stream(url, LONG)[1:] for _ in range(3)]
    timings[name] = np.median(runs, axis=0)  # (first, total), median of 3
full.table({f"{name}: {what} (ms)": float(timings[name][i] * 1e3)
            for name in timings for i, what in enumerate(("first token", "all tokens"))},
           title=f"a streamed answer of {LONG} tokens, {MODE}")  # fmt: skip

# %% [markdown]
# The first piece comes as soon as the prompt's pass (the prefill) has picked the first
# token, the whole answer after every decoding step: the reader waits a small share of
# the total before reading. The same
# stream through the `openai` client (`stream=True` gives an iterator of chunks), against
# the library's server:

# %%
chunks = library.completions.create(model=MODEL_ID, prompt=prompt, max_tokens=LONG,
                                    temperature=0, stream=True)  # fmt: skip
streamed = "".join(c.choices[0].text for c in chunks if c.choices)
print("library: streamed == non-streamed:", streamed == whole.choices[0].text)
assert streamed == whole.choices[0].text
my_server.should_exit = True  # our hand-written server is done

# %% [markdown]
# ## 4. Many users at once: batching
#
# Our hand-written server runs each request in its own thread, all calling the model at
# once: they compete for the same cores, and each decoding step of each request reads
# every weight of the model. On a GPU (and, less, on a CPU), one step for 16 rows costs
# little more than for one, because the time goes into reading the weights, not into
# arithmetic. So a server should **batch**: one forward pass for the next token of many
# requests.
#
# Three ways to schedule, on the same engine:
#
# - **one at a time**: a slot for one request (`max_batch=1`); the others wait;
# - **static batching**: take 4 requests, decode until the **longest** is done, then
#   the next 4. A short answer waits for the long one; its slot idles;
# - **continuous batching** (Orca, 2022; vLLM): the batch is remade at every step. A
#   finished request leaves at once, and a waiting one takes its slot at the next step.
#
# `BatchEngine.step()` is one scheduling step: admit waiting requests into free slots
# (one prefill pass for them), then one decoding pass for every row. Its thread calls it
# forever; here we call it by hand on an engine that was never started, and record who
# got a token at each step. Requests ask for different lengths, as real ones do.

# %%
LENGTHS = [12, 3, 7, 4, 10, 2, 6, 9, 3, 5]  # max_tokens of 10 requests


def schedule(max_batch, group=None):
    """Step an engine by hand through the requests of LENGTHS.

    `group`: submit that many at a time, only when the engine is empty (static
    batching); None: all at once (continuous). Returns (grid, seconds): the grid has a
    row per request and a column per step, 0 waiting, 1 prefill, 2 decoding, 3 done.
    """
    stepped = BatchEngine(model, tokenizer, max_batch=max_batch, context=512)
    ids = tokenizer.encode(prompt)
    inbox = {i: [] for i in range(len(LENGTHS))}  # the events of each request, this step
    requests = [GenerationRequest(ids, n, Sampler(0.0, None, None, 1.0, None), logprobs=0,
                                  on_event=inbox[i].append)
                for i, n in enumerate(LENGTHS)]  # fmt: skip
    pending, columns, state = list(requests), [], [0] * len(requests)
    started = time.perf_counter()
    while pending or stepped.active or stepped.waiting:
        if pending and (group is None or not stepped.active):
            take = len(pending) if group is None else group
            for request in pending[:take]:
                stepped.submit(request)
            pending = pending[take:]
        stepped.step()
        column = []
        for i, events in inbox.items():
            if state[i] == 3:  # it ended at an earlier step
                column.append(3)
                continue
            if events:  # a token this step: the first time it is the prefill's
                column.append(1 if state[i] == 0 else 2)
                state[i] = 3 if any(isinstance(e, Finished) for e in events) else 2
            else:
                column.append(state[i])
            events.clear()
        columns.append(column)
    return np.array(columns).T, time.perf_counter() - started


# %% [markdown]
# Each request asks for its log-probabilities (`logprobs=0`), so the engine sends it an
# event for every token it writes, and the cell above sees who was in each step. A
# request admitted at a step gets two tokens in it (the prefill's and the decoding
# pass's); the grid marks that step as its prefill.

# %%
grids = {"one at a time": schedule(1), "static batches of 4": schedule(4, group=4),
         "continuous, 4 slots": schedule(4)}  # fmt: skip
full.table({f"{name}: {what}": value for name, (grid, seconds) in grids.items()
            for what, value in (("steps", grid.shape[1]), ("ms", seconds * 1e3))},
           title=f"{sum(LENGTHS)} tokens for {len(LENGTHS)} requests, stepped by hand ({MODE})")  # fmt: skip

# %% [markdown]
# Each picture below is one schedule: a row per request, a column per engine step;
# grey while a request waits, orange at its prefill, blue while it decodes.

# %%
colours = ListedColormap(["#d9d9d9", "#f28e2b", "#4e79a7", "#ffffff"])
width = max(g.shape[1] for g, _ in grids.values())
fig, axes = plt.subplots(3, 1, figsize=(8.5, 5.6), sharex=True)
for ax, (name, (grid, _)) in zip(axes, grids.items(), strict=True):
    padded = np.full((grid.shape[0], width), 3)
    padded[:, : grid.shape[1]] = grid
    ax.imshow(padded, cmap=colours, vmin=0, vmax=3, aspect="auto", interpolation="nearest")
    ax.set(ylabel="request", title=f"{name}: {grid.shape[1]} steps")
    ax.set_yticks(range(len(LENGTHS)), [f"{i} ({n})" for i, n in enumerate(LENGTHS)], fontsize=7)
axes[-1].set_xlabel("engine step (one forward pass for every row in the batch)")
handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.colors[:3]]
fig.legend(handles, ["waiting", "prefill", "decoding"], loc="upper right", ncol=3, fontsize=8)
fig.suptitle("Who gets a token at each step (rows: request number (its max_tokens))",
             x=0.02, ha="left", fontsize=10)  # fmt: skip
fig.tight_layout()
full.figure(fig, "schedules")
plt.show()

# %% [markdown]
# One at a time takes a step per token. Static batching takes as many steps per batch
# as its longest request, with holes where short requests have ended. Continuous
# batching fills a hole at the next step, so the same tokens need the fewest steps, and
# a short request that arrives late is not stuck behind a long batch.
#
# **Predict:** now the engine runs in its own thread, as in the server. 16 clients send
# a request of 32 tokens (16 in quick mode) at the same moment. Against one client
# alone, will the engine write more tokens a second with 16, and how many times more?
# And how long will each of the 16 wait for its answer, against the one alone?


# %%
def concurrent(n, max_batch, max_tokens=32):
    """n requests submitted at once to a running engine: (tokens a second, mean latency s)."""
    running = BatchEngine(model, tokenizer, max_batch=max_batch, context=512).start()
    done, latencies, lock = threading.Event(), [], threading.Lock()
    ids = tokenizer.encode(prompt)

    def on_event(event, started):
        if isinstance(event, Finished):
            with lock:
                latencies.append(time.perf_counter() - started)
                if len(latencies) == n:
                    done.set()

    started = time.perf_counter()
    for _ in range(n):
        running.submit(GenerationRequest(ids, max_tokens, Sampler(0.0, None, None, 1.0, None),
                                         on_event=lambda e, t=started: on_event(e, t)))  # fmt: skip
    done.wait()
    seconds = time.perf_counter() - started
    running.stop()
    return n * max_tokens / seconds, float(np.mean(latencies))


CONCURRENCY = [1, 4, 16]
TOKENS = 16 if QUICK else 32
POLICIES = {"one at a time": 1, "continuous batching": 16}  # slots of the engine
# The best of REPEATS runs, the two policies interleaved: on a shared machine a run that
# another program slowed down says nothing about the engine.
REPEATS = 1 if QUICK else 2
runs = [[[concurrent(n, slots, TOKENS) for n in CONCURRENCY] for slots in POLICIES.values()]
        for _ in range(REPEATS)]  # fmt: skip
measured = {
    policy: [max((run[p][j] for run in runs), key=lambda r: r[0]) for j in range(len(CONCURRENCY))]
    for p, policy in enumerate(POLICIES)
}
rows = {}
for policy, results in measured.items():
    for n, (rate, latency) in zip(CONCURRENCY, results, strict=True):
        rows[f"{policy}, {n:2d} clients: tokens/s"] = rate
        rows[f"{policy}, {n:2d} clients: mean latency (s)"] = latency
full.table(rows, title=f"{TOKENS} tokens per request, the engine in its thread ({MODE})")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(8.5, 3.4))
for policy, results in measured.items():
    left.plot(CONCURRENCY, [r for r, _ in results], "o-", label=policy)
    right.plot(CONCURRENCY, [lat for _, lat in results], "o-", label=policy)
left.set(xscale="log", xlabel="concurrent requests", ylabel="tokens a second (all clients)",
         title="throughput")  # fmt: skip
right.set(xscale="log", xlabel="concurrent requests", ylabel="mean latency (s)",
          title="latency of one request")  # fmt: skip
for ax in (left, right):
    ax.set_xticks(CONCURRENCY, [str(n) for n in CONCURRENCY])
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
fig.suptitle(f"{MODEL_ID} on the CPU, {TOKENS} tokens per request ({MODE})", fontsize=10)
fig.tight_layout()
full.figure(fig, "concurrency")
plt.show()
full.show_figure("concurrency", "SmolLM2-135M")

# %% [markdown]
# One at a time, the throughput stays flat and the latency grows with the queue: the
# 16th client waits for 15 answers. Batched, the throughput grows with the batch while
# the latency grows far less: a step for 16 rows costs a few times one row's, not 16
# times. The full run, with SmolLM2:

# %%
one = full["continuous batching,  1 clients: tokens/s"]
sixteen = full["continuous batching, 16 clients: tokens/s"]
print(f"the {full.label}: {sixteen:.0f} tokens/s with 16 clients against {one:.0f} with "
      f"one: {sixteen / one:.1f} times")  # fmt: skip

# %% [markdown]
# The same over HTTP: `load_test` runs streaming clients (chat completions, on one
# asyncio loop) against the library's server for a few seconds, each sending its next
# request as soon as the last one ends, and reports what an operator looks at: tokens a
# second, time to the first token and latency percentiles, and errors by status.
# (`benchmarks/serve_load.py` runs 32 clients against `journey serve` in another process
# for a minute.) A notebook already runs an asyncio loop, so the test runs in a thread of
# its own.

# %%
CLIENTS, SECONDS = 8, (2.0 if QUICK else 15.0)
with ThreadPoolExecutor(1) as pool:
    report = pool.submit(asyncio.run, load_test(f"{library_url}/v1", MODEL_ID, clients=CLIENTS,
                                                seconds=SECONDS, max_tokens=TOKENS)).result()  # fmt: skip
print(report.summary())
full.table({f"HTTP, {CLIENTS} streaming clients: tokens/s": report.tokens_per_second,
            "HTTP: p50 time to first token (s)": report.percentile(report.first_tokens, 50),
            "HTTP: p95 latency (s)": report.percentile(report.latencies, 95),
            "HTTP: server errors (5xx)": report.server_errors},
           title=f"load_test, {SECONDS:.0f} s ({MODE})")  # fmt: skip

# %% [markdown]
# Here the clients and the server share one Python process and its interpreter lock, and
# every finished request brings a new prompt to prefill, so HTTP gives fewer tokens a
# second than the engine alone did; `journey serve` runs the server in a process of its
# own. What must hold anywhere: no 5xx, whatever the load.
#
# ## 5. Back-pressure and fairness
#
# A server has finite slots. When requests arrive faster than it answers them, a queue
# grows without limit, and every client waits longer and longer, until they all time
# out. Better to say no early: a **bounded** queue answers `429 Too Many Requests` with
# `Retry-After: seconds`, and a good client waits that long. The engine's queue:

# %%
small = BatchEngine(model, tokenizer, max_batch=1, max_waiting=2, context=512)  # not started
ids = tokenizer.encode(prompt)
for i in range(4):
    try:
        small.submit(GenerationRequest(ids, 8, Sampler(0.0, None, None, 1.0, None),
                                       on_event=lambda e: None))  # fmt: skip
        print(f"request {i}: queued ({small.waiting} waiting)")
    except QueueFull as error:
        print(f"request {i}: refused, QueueFull: retry after {error.retry_after} s")

# %% [markdown]
# A full queue protects the server; it does not protect the clients from each other.
# One client sending a request every millisecond fills the queue for everyone. So a
# server gives each client a **key** (`Authorization: Bearer KEY`, which the `openai`
# client sends from `api_key=`), and limits each key's rate with a **token bucket**:
# the bucket holds up to `capacity` tokens and gains `rate` tokens a second; a request
# spends one; with none left it is refused, and the wait until the next one is the
# `Retry-After`. The capacity lets a client send a burst; the rate is what it may send
# for ever.
#
# ### Exercise 1: a token bucket
#
# Write `take`. The bucket's clock is given (a function returning seconds), so a test
# can move time by hand. At each call: add the tokens earned since the last call
# (`rate` per second, never above `capacity`), then spend one if there is at least one
# and return 0.0; otherwise spend none and return the seconds until one token will be
# there.


# %%
class MyBucket:
    def __init__(self, rate, capacity, clock):
        self.rate, self.capacity, self.clock = rate, capacity, clock
        self.tokens, self.updated = float(capacity), clock()

    def take(self):
        """0.0 when a token was spent; else the seconds until one is there."""
        return None  # your code


# %% [markdown]
# **Predict:** a bucket of capacity 3 that refills 1 token a second. Five requests
# arrive at time 0, then one at 0.5 s, one at 2.5 s and one at 2.6 s, and two at 10 s.
# Which are refused, and what wait does the bucket return for each?

# %%
now = [0.0]
times = [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 2.5, 2.6, 10.0, 10.0]
mine_bucket, library_bucket = MyBucket(1.0, 3, lambda: now[0]), TokenBucket(1.0, 3, lambda: now[0])
mine_waits, library_waits = [], []
for t in times:
    now[0] = t
    mine_waits.append(mine_bucket.take())
    library_waits.append(library_bucket.take())
print("library's waits:", [round(w, 2) for w in library_waits])
check("MyBucket.take() at each time", mine_waits, library_waits,
      hint="the tokens earned are the seconds since the last call times the rate; when "
           "short, the wait is the missing part of one token over the rate")  # fmt: skip

# %% [markdown]
# The library's server does all of it: `ServerSettings(api_keys=..., rate_limit=...)`
# (requests a minute per key; the burst is ten seconds' worth). A wrong key gets 401; a
# key past its rate gets 429 with `Retry-After`, which the `openai` client reads
# (`max_retries=0` here, so we see the refusal instead of its automatic retry).

# %%
settings = ServerSettings(api_keys=("sk-learner",), rate_limit=30)  # burst of 5
guarded_url, guarded = serve(create_app(ChatModel(MODEL_ID, model, tokenizer,
                                                  BatchEngine(model, tokenizer, context=512)),
                                        settings=settings))  # fmt: skip
for key in ("sk-wrong", "sk-learner"):
    c = openai.OpenAI(base_url=f"{guarded_url}/v1", api_key=key, max_retries=0)
    for i in range(7 if key == "sk-learner" else 1):
        try:
            c.models.list()
            print(f"{key}, request {i}: 200")
        except openai.APIStatusError as error:
            print(f"{key}, request {i}: {error.status_code} {error.body['code']}, Retry-After: "
                  f"{error.response.headers.get('retry-after')}")  # fmt: skip
guarded.should_exit = True

# %% [markdown]
# ### Metrics: what the operator reads
#
# A service is watched by a monitoring system (Prometheus) that reads `GET /metrics`
# every few seconds: plain text, one sample a line, `name{labels} value`, with `# HELP`
# and `# TYPE` lines. Counters only grow (`_total`); gauges go up and down (queue
# depth); a histogram counts observations into buckets, from which a dashboard computes
# the 95th percentile latency. The library server's, after this lesson's requests:

# %%
metrics_text = httpx.get(f"{library_url}/metrics").text
print("\n".join(line for line in metrics_text.splitlines()
                if line.startswith(("journey_generated", "journey_engine_steps", "journey_queue",
                                    "journey_requests_total", "# TYPE journey_request_duration"))))  # fmt: skip

# %% [markdown]
# ### Exercise 2: read a metric back
#
# Write `metric_value(text, name)`: the sum of every sample of the metric `name` in the
# Prometheus text, whatever its labels (so `journey_requests_total` adds up all
# endpoints and statuses). A sample line is the name, optionally `{labels}`, a space
# and the number; lines starting with `#` are not samples. The name must match exactly
# (`journey_requests_total` is not `journey_requests_total_created`).


# %%
def metric_value(text, name):
    """The sum of the samples of metric `name` (any labels) in Prometheus text."""
    return None  # your code


# %%
def parsed(text, name):  # prometheus_client's own parser, the reference
    return sum(s.value for family in text_string_to_metric_families(text)
               for s in family.samples if s.name == name)  # fmt: skip


for name in ("journey_requests_total", "journey_generated_tokens_total"):
    check(f"metric_value(text, {name!r})", metric_value(metrics_text, name),
          parsed(metrics_text, name),
          hint="split each line into the part before the first '{' or space and the "
               "number after the last space; keep the lines whose name is exactly the "
               "one asked")  # fmt: skip

# %% [markdown]
# The engine's counters tell the story of section 4 in two numbers: tokens generated
# over decoding steps is the mean batch size the server ran at (near 1 for the
# one-by-one requests of sections 2 and 3, near the number of clients under
# `load_test`).

# %%
tokens = parsed(metrics_text, "journey_generated_tokens_total")
steps = parsed(metrics_text, "journey_engine_steps_total")
print(f"{tokens:.0f} tokens in {steps:.0f} decoding steps: {tokens / steps:.2f} rows a step")
library_server.should_exit = True

# %% [markdown]
# ## What we built, and what a real server adds
#
# A function became a service: a wire format every client speaks, errors in its shape,
# streaming with server-sent events, one engine step for every request in flight, a
# bounded queue, keys and rate limits, and metrics. `journey serve --model
# smollm2-135m-instruct` runs the library's version as a program; any OpenAI client
# can call it.
#
# Production servers add what our engine simplifies (its docstring lists them): a
# **paged** KV cache (vLLM's PagedAttention) so memory is not reserved for the longest
# answer in every slot, **chunked prefill** so a long prompt does not stall the rows
# decoding, **prefix caching** for the shared system prompt, and **speculative
# decoding**. Exercise 6.2 writes the server-sent events' two sides by the standard's
# rules: `journey check 6.2`.
