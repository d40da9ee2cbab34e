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
# # 6.3 Building with LLMs: the chat UI
#
# Lesson 6.2 put a model behind an HTTP API that speaks OpenAI's wire format. A person
# does not type JSON, though: they type into a chat page. This lesson is about the other
# end of the wire, the client, and what it must do for a conversation to feel right:
#
# 1. keep the conversation: the server is **stateless**, so every turn the page sends the
#    whole list of messages; look at the raw bytes of one streamed answer;
# 2. show the tokens as they arrive: write a reader for server-sent events, check it
#    against the official `openai` client, and measure why streaming makes a slow model
#    feel fast; let the user stop an answer, and say what went wrong in plain words;
# 3. keep the conversation inside the model's context: a trimming rule, counted with
#    the chat template, checked against `ChatSession.fit`;
# 4. show how sure the model was of each token, coloured, as the lab's playground does;
# 5. the real page, `journey serve`'s web lab: a screenshot, and the few lines of its
#    JavaScript that do what sections 1 to 3 built in Python.
#
# Look for **Predict** cells: answer them in your head before you run the next cell.
# Two cells are **exercises** for you to fill in; a check cell under each says whether
# your answer is right (the lesson runs on while they are unsolved).
#
# Set `JOURNEY_QUICK=1` for a short run: the server then serves a tiny *random* Llama
# with SmolLM2's tokenizer (its text is gibberish, but every byte on the wire has the
# same shape), and the timings and the screenshot are the stored ones of a full run with
# SmolLM2-135M-Instruct, made by `scripts/run_lessons.py` in `lessons/results/6.3/`.

# %%
import codecs
import json
import os
import random
import threading
import time
from pathlib import Path

import httpx
import matplotlib.pyplot as plt
import numpy as np
import openai
import torch
import uvicorn

import nlpjourney.serve
from nlpjourney.course import check
from nlpjourney.course.chat_ui_diagrams import chat_turn_diagram
from nlpjourney.course.results import FullRun
from nlpjourney.infer.chat import ChatSession
from nlpjourney.models import Llama, LlamaConfig
from nlpjourney.serve.app import ServerSettings, create_app
from nlpjourney.serve.engine import BatchEngine
from nlpjourney.serve.models import ChatModel, load_chat_model
from nlpjourney.tokenizers import load as load_tokenizer

try:  # HTML and figures in a notebook; a script prints them
    from IPython.display import HTML, display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    HTML, display = str, print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
MODE = "quick mode" if QUICK else "full mode"
if QUICK:  # one thread beats several fighting over shared cores
    torch.set_num_threads(1)
full = FullRun("6.3")  # the stored full run of this lesson: its timings and pictures

# %% [markdown]
# ## 1. What a chat page must do
#
# A chat model answers one request at a time and remembers nothing between requests.
# The *page* holds the conversation. Each turn it appends the user's message to its
# list, sends the whole list, and appends the answer when it is complete. The picture
# shows one turn; the answer comes back in small pieces, one event per piece, so the
# page can show the first words while the rest are still being computed.

# %%
display(chat_turn_diagram())
plt.close("all")

# %% [markdown]
# Four things follow from that picture, and each is a section below:
#
# - **keep the conversation**: the page sends `[system, u1, a1, u2]`; forget `a1` and
#   the model no longer knows what it said;
# - **stream**: show each piece as it lands; a person reads while the model writes;
# - **let the user stop**: closing the connection must end the work on the server too;
# - **errors in plain words**: "413" means nothing to a reader; "the message is too
#   long" does.
#
# First, a server. As the test suite does (`tests/serve/conftest.py`), we run uvicorn
# in a thread of this process, on a free port of the loopback interface. In full mode
# it serves SmolLM2-135M-Instruct; in quick mode a tiny random Llama with the same
# tokenizer.

# %%
tokenizer = load_tokenizer("smollm2")
if QUICK:
    torch.manual_seed(0)
    tiny = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size, max_seq_len=512)
    tiny_model = Llama(tiny).eval()
    with torch.no_grad():  # larger weights: varied text instead of one repeated token
        for param in tiny_model.parameters():
            param.normal_(0.0, 0.3)
    served = ChatModel("tiny-llama", tiny_model, tokenizer, BatchEngine(tiny_model, tokenizer))
else:
    served = load_chat_model("smollm2-135m-instruct", device="cpu", max_batch=4, context=2048)


def start_server(chat):
    """uvicorn serving `chat` in a daemon thread; returns (base URL, server, thread)."""
    config = uvicorn.Config(create_app(chat, None, ServerSettings()), host="127.0.0.1", port=0,
                            log_level="warning")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}", server, thread


URL, server, server_thread = start_server(served)
MODEL = served.id
print(f"serving {MODEL!r} at {URL} ({MODE})")

# %% [markdown]
# **Predict:** the answer streams as one event per piece of text, and each event is a
# whole JSON object (an id, the model's name, a timestamp, the piece). For an answer of
# 20 tokens, roughly how many bytes cross the wire: 100, 1,000 or 10,000?
#
# Here are the raw bytes, read with `httpx` (no OpenAI client): the body of a
# `text/event-stream` response.

# %%
question = [{"role": "system", "content": "You are a helpful assistant. Answer briefly."},
            {"role": "user", "content": "What is the sea made of?"}]  # fmt: skip
request = {"model": MODEL, "messages": question, "max_tokens": 20, "temperature": 0.7,
           "seed": 1, "stream": True}  # fmt: skip
with httpx.stream("POST", f"{URL}/v1/chat/completions", json=request, timeout=120) as response:
    print(response.status_code, response.headers["content-type"])
    network_reads = [piece for piece in response.iter_raw()]
raw = b"".join(network_reads)
print(raw[:420].decode("utf-8", errors="replace"))
print("...")
print(raw[-160:].decode("utf-8", errors="replace"))
events_sent = raw.count(b"data: ")
print(f"{len(raw):,} bytes in {events_sent} events ({len(raw) / events_sent:.0f} bytes an event), "
      f"read in {len(network_reads)} pieces")  # fmt: skip

# %% [markdown]
# Each event is a line `data: <json>` followed by an empty line; the stream ends with
# `data: [DONE]`. That is the whole format (the *server-sent events* of the HTML
# standard; other fields such as `event:` or `id:` exist, OpenAI's streams do not use
# them). A few hundred bytes per token is a lot next to the token's few characters, but
# next to the model's tens of milliseconds per token it costs nothing.
#
# ## 2. Reading the stream, as the page does
#
# The network does not deliver events: it delivers *bytes*, cut wherever the operating
# system pleased. An event may arrive in two reads, and two events in one. So a reader
# keeps a buffer: append each read, cut off every complete event (up to a blank line),
# keep the unfinished tail for the next read. We build it in three small steps.


# %%
def split_events(buffer):
    """The complete events in `buffer` (text), and the unfinished rest."""
    *events, rest = buffer.split("\n\n")
    return events, rest


def event_data(event):
    """The payload of one event: its `data:` lines joined (the standard allows several)."""
    lines = [line[5:].removeprefix(" ") for line in event.split("\n") if line.startswith("data:")]
    return "\n".join(lines) if lines else None


print(split_events('data: {"a": 1}\n\ndata: {"b"'))
print(event_data('data: {"a": 1}'))


# %% [markdown]
# **Predict:** the bytes arrive in pieces cut anywhere. Most characters are one byte,
# but "é" is two and "🙂" four. What happens if each network read is decoded to text on
# its own, `piece.decode("utf-8")`?

# %%
cut = "é🙂".encode()
try:
    print([cut[:3].decode("utf-8"), cut[3:].decode("utf-8")])
except UnicodeDecodeError as error:
    print("decoding each read alone fails:", error)
decoder = codecs.getincrementaldecoder("utf-8")()
print(
    "an incremental decoder waits for the rest:", [decoder.decode(cut[:3]), decoder.decode(cut[3:])]
)


# %% [markdown]
# A character cut in two by the network is a decoding error, or worse a silently
# replaced "�", when each read is decoded alone. An *incremental* decoder keeps the
# bytes of an unfinished character until the next read (JavaScript's `TextDecoder`
# with `{stream: true}` does the same in the lab). With it, the whole reader:


# %%
def read_stream(byte_pieces):
    """The JSON objects of a server-sent event stream, until `[DONE]`."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    buffer = ""
    for piece in byte_pieces:
        buffer += decoder.decode(piece).replace("\r\n", "\n")
        events, buffer = split_events(buffer)
        for event in events:
            data = event_data(event)
            if data is None:  # a comment or a keep-alive: nothing to show
                continue
            if data == "[DONE]":
                return
            yield json.loads(data)


chunks = list(read_stream(network_reads))
print(
    f"{len(chunks)} chunks; the text: {''.join(c['choices'][0]['delta'].get('content') or '' for c in chunks if c['choices'])!r}"
)

# the same bytes cut at random places, one byte at a time, or all at once: the same chunks
rng = random.Random(0)
cuts = sorted(rng.sample(range(1, len(raw)), 40))
random_reads = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
assert list(read_stream(random_reads)) == chunks
assert list(read_stream([raw[i : i + 1] for i in range(len(raw))])) == chunks
assert list(read_stream([raw])) == chunks

# %% [markdown]
# Now the check against the official `openai` client, which has its own reader. A seeded
# request samples the same tokens every time, so we ask the same question through the
# client and compare chunk by chunk (`exclude_unset` leaves out the fields the client's
# model knows but the server did not send).

# %%
client = openai.OpenAI(base_url=f"{URL}/v1", api_key="none", max_retries=0, timeout=120)
theirs = [c.model_dump(exclude_unset=True) for c in client.chat.completions.create(**request)]
with httpx.stream("POST", f"{URL}/v1/chat/completions", json=request, timeout=120) as answer:
    ours = list(read_stream(answer.iter_raw()))
strip = lambda c: {k: v for k, v in c.items() if k not in ("id", "created")}  # noqa: E731
assert [strip(c) for c in ours] == [strip(c) for c in theirs]
print(f"our reader and the openai client agree on all {len(ours)} chunks")

# %% [markdown]
# (The ids and timestamps differ between two requests; everything else is equal.)
#
# ### Why stream: the time to the first token
#
# A small model on a laptop CPU writes a few dozen tokens a second. A 150-token answer
# takes seconds; without streaming, the page shows nothing until the very end.
#
# **Predict:** with streaming, how long does the reader wait before the first words
# appear: about the same as the whole answer, half of it, or a small fraction?


# %%
def timed_stream(messages, max_tokens, seed=0):
    """(seconds from sending to each piece of text, the pieces) of one streamed answer."""
    body = {"model": MODEL, "messages": messages, "max_tokens": max_tokens,
            "temperature": 0.7, "seed": seed, "stream": True}  # fmt: skip
    start, times, pieces = time.perf_counter(), [], []
    with httpx.stream("POST", f"{URL}/v1/chat/completions", json=body, timeout=300) as answer:
        for chunk in read_stream(answer.iter_raw()):
            text = chunk["choices"][0]["delta"].get("content") if chunk["choices"] else None
            if text:
                times.append(time.perf_counter() - start)
                pieces.append(text)
    return np.array(times), pieces


ask = [{"role": "user", "content": "Explain in a short paragraph why the sky is blue."}]
times, pieces = timed_stream(ask, 40 if QUICK else 150)
print("".join(pieces)[:300])
full.table({"pieces of text": len(pieces),
            "time to the first token (s)": round(float(times[0]), 3),
            "time to the whole answer (s)": round(float(times[-1]), 3)},
           title=f"one streamed answer ({MODE})")  # fmt: skip
full.keep("arrival times (s)", [round(float(t), 4) for t in times])

# %%
fig, ax = plt.subplots(figsize=(7, 3.4))
arrivals = np.array(full["arrival times (s)"])
ax.step(
    arrivals, np.arange(1, len(arrivals) + 1), where="post", label="streamed: text shown so far"
)
ax.step([0, arrivals[-1]], [0, len(arrivals)], where="post", label="not streamed: all at the end")
ax.axvline(arrivals[0], color="tab:green", linestyle=":", label="first token")
ax.set_xlabel("seconds since the question was sent")
ax.set_ylabel("pieces of text on the screen")
ax.set_title("SmolLM2-135M-Instruct on a CPU: one streamed answer")
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
full.figure(fig, "first-token")
plt.show()

# %% [markdown]
# The first piece arrives after one forward pass over the prompt (the *prefill*) and one
# decoding step; every later piece costs one decoding step. The reader starts reading
# after the first, a small fraction of the whole:

# %%
print(f"{full.label}: the first token after {full['time to the first token (s)']:.2f} s, "
      f"the whole answer after {full['time to the whole answer (s)']:.2f} s "
      f"({full['pieces of text']} pieces)")  # fmt: skip

# %% [markdown]
# ### Exercise 1: the decoding rate
#
# Servers report two numbers for streaming: the time to the first token, and the rate
# of the tokens after it (what the reader sees as "typing speed"). Given the arrival
# times of the pieces, return the pieces per second **after** the first one arrived: how
# many pieces came after the first, over the time they took.


# %%
def decode_rate(times):
    """Pieces per second after the first piece, from the arrival times (seconds)."""
    return None  # your code


# %%
gaps = np.diff(times)
check("decode_rate(times)", decode_rate(times), 1 / gaps.mean(),
      hint="the first piece starts the clock; count the gaps between pieces, not the pieces")  # fmt: skip

# %% [markdown]
# ### Stop, and errors in plain words
#
# The lab's Stop button aborts the `fetch`, which closes the connection. The server
# notices the closed connection, cancels the request, and frees its slot in the batch for
# another user. We do the same: read three chunks of a long answer, close, and ask the
# server (`/health`) how many requests it is still working on.

# %%
long_request = {**request, "max_tokens": 400}
with httpx.stream("POST", f"{URL}/v1/chat/completions", json=long_request, timeout=120) as answer:
    stream = read_stream(answer.iter_raw())
    first_three = [next(stream) for _ in range(3)]
    print("working while we read:", httpx.get(f"{URL}/health").json()["active"], "request(s)")
for _ in range(100):  # the engine frees the slot at its next step
    if httpx.get(f"{URL}/health").json()["active"] == 0:
        break
    time.sleep(0.05)
print("after closing:", httpx.get(f"{URL}/health").json()["active"], "request(s)")

# %% [markdown]
# A refused request comes back in OpenAI's error shape, `{"error": {"message", "type",
# "param", "code"}}`, with a status that says whose fault it is. The page turns the
# status into a sentence for the user, and keeps the server's message for detail:


# %%
def plain_words(status, body):
    """A sentence for the user from a refused request (what lab.js's explain() does)."""
    message = body.get("error", {}).get("message", "")
    words = {401: "The server needs an API key.", 404: "That model is not served here.",
             413: "The message is too long to send.", 429: "The server is busy; try again soon.",
             422: "The conversation no longer fits the model's context."}  # fmt: skip
    lead = words.get(status, "The server failed." if status >= 500 else "The request was refused.")
    return f"{lead} ({status}: {message})"


for bad in ({"max_tokens": -3}, {"model": "gpt-9"},
            {"messages": [{"role": "user", "content": "word " * 5000}]}):  # fmt: skip
    answer = httpx.post(f"{URL}/v1/chat/completions", json={**request, "stream": False, **bad})
    print(plain_words(answer.status_code, answer.json())[:160])

# %% [markdown]
# The last one is the conversation outgrowing the context: the next section is about
# never sending it.
#
# ## 3. Keeping the conversation inside the context
#
# Every turn adds a question and an answer, and the page sends them all. The model reads
# at most its context (SmolLM2: 8,192 positions; our server here was given 2,048, and a
# CPU is slow long before that), and the answer needs room too. So before each turn the
# page (or the server, or a chat library) must choose what to send.
#
# The simplest rule that keeps the conversation coherent: **keep the system message,
# drop the oldest exchanges (a question with its answer) until the rest fits.** Tokens
# must be counted the way the model will see them: through the chat template, which
# adds a few tokens of framing to every message.


# %%
def count_tokens(messages):
    """Tokens of `messages` as the model sees them: the chat template, then the tokenizer."""
    return len(tokenizer.encode(tokenizer.apply_chat_template(messages)))


hello = [{"role": "user", "content": "Hello"}]
print(tokenizer.apply_chat_template(hello))
print(f"{count_tokens(hello)} tokens for the one-word message, "
      f"{len(tokenizer.encode('Hello'))} for the word itself")  # fmt: skip


# %% [markdown]
# Look at what the template did with one word: the framing tokens around each message,
# the opening of the assistant's turn, and, since we gave none, SmolLM2's *default*
# system message. A page that counted only the words of the messages would send prompts
# longer than it thinks.


# %%
def trim(messages, budget):
    """Drop the oldest exchanges (after a system message) until `messages` fit `budget`."""
    kept = [dict(m) for m in messages]
    first = 1 if kept and kept[0]["role"] == "system" else 0
    while count_tokens(kept) > budget:
        if len(kept) - first <= 1:
            raise ValueError("even the last question alone does not fit the budget")
        del kept[first : first + 2]  # the oldest question and its answer
    return kept


# %% [markdown]
# A conversation to try it on: thirty exchanges about the sea, written here so that no
# model is needed (the answers are about 60 tokens, like a short reply).

# %%
SYSTEM = {"role": "system", "content": "You are a helpful assistant. Answer briefly."}
topics_ = ["waves", "tides", "salt", "coral", "whales", "storms", "currents", "ice",
           "islands", "plankton"]  # fmt: skip
conversation = [SYSTEM]
for turn in range(30):
    topic = topics_[turn % len(topics_)]
    conversation.append({"role": "user", "content": f"Tell me one fact about {topic} (#{turn})."})
    conversation.append({"role": "assistant", "content": f"A fact about {topic}: " + (
        "the ocean covers most of the planet, and what happens in it shapes the weather, "
        "the coasts and much of life on land. ") * 2})  # fmt: skip

CONTEXT, ANSWER_ROOM = 512, 64  # a small context makes the effect visible in a few turns
BUDGET = CONTEXT - ANSWER_ROOM

# %% [markdown]
# **Predict:** the budget is 448 tokens and each exchange takes about 80. At the 30th
# question, how many of the 29 earlier exchanges does the model still see with this
# rule: all of them, about 15, or a handful?

# %%
untrimmed, trimmed, kept_exchanges = [], [], []
for turn in range(1, 31):
    so_far = conversation[: 1 + 2 * turn - 1]  # the system message, the turns, the new question
    untrimmed.append(count_tokens(so_far))
    fitted = trim(so_far, BUDGET)
    trimmed.append(count_tokens(fitted))
    kept_exchanges.append((len(fitted) - 1) // 2)
print("turn   prompt tokens untrimmed   trimmed   earlier exchanges kept")
for turn in (1, 2, 5, 10, 20, 30):
    print(f"{turn:4d}   {untrimmed[turn - 1]:23d}   {trimmed[turn - 1]:7d}   "
          f"{kept_exchanges[turn - 1]:22d}")  # fmt: skip

# %%
fig, ax = plt.subplots(figsize=(7, 3.4))
turns = np.arange(1, 31)
ax.plot(turns, untrimmed, marker=".", label="everything sent")
ax.plot(turns, trimmed, marker=".", label="oldest exchanges dropped")
ax.axhline(CONTEXT, color="tab:red", linestyle="--", label=f"context ({CONTEXT})")
ax.axhline(BUDGET, color="tab:gray", linestyle=":", label=f"budget: context - answer ({BUDGET})")
ax.set_xlabel("turn")
ax.set_ylabel("prompt tokens (chat template)")
ax.set_title("A conversation outgrows the context; trimming keeps it under")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# The untrimmed prompt soon passes the budget, then the context itself; the trimmed one
# saw-tooths under the budget, dropping an exchange whenever a new one would push it over:

# %%
over = next(turn for turn, n in enumerate(untrimmed, 1) if n > BUDGET)
print(f"everything sent passes the budget at turn {over}; trimmed, the model sees "
      f"{kept_exchanges[-1]} earlier exchanges at turn 30 (of 29)")  # fmt: skip

# %% [markdown]
# The library's
# `ChatSession` (lesson 6.1's chat loop) keeps its history the same way; its `fit`
# takes the room as the model's context less the longest answer. Same rule, same
# messages:

# %%
small = LlamaConfig.from_name("tiny").replace(vocab_size=tokenizer.vocab_size, max_seq_len=CONTEXT)
session = ChatSession(Llama(small), tokenizer, system=SYSTEM["content"], max_new_tokens=ANSWER_ROOM)
for turn in (3, 12, 30):
    so_far = conversation[: 1 + 2 * turn - 1]
    session.turns = [dict(m) for m in so_far[1:-1]]
    session.fit(so_far[-1]["content"])
    assert trim(so_far, BUDGET) == session.messages(so_far[-1]["content"])
print("trim() keeps the same messages as ChatSession.fit")

# %% [markdown]
# Dropping is the bluntest memory: by turn 30 the model has forgotten what the user said
# at the start. Two refinements, each one step further:
#
# - **fold instead of drop**: `nlpjourney.apps.chatbot`'s `ConversationMemory` has the
#   model write a short summary of the exchanges that fall out, and carries it in the
#   system message (topic 7.2 builds the whole chatbot around it);
# - **retrieve instead of remember**: keep every old exchange in a store and put back the
#   few that match the new question (the retrieval of topic 2.8).
#
# The exercise of this topic writes the trimming rule for any way of counting tokens.
#
# ## 4. How sure was the model? Colouring tokens by probability
#
# With `logprobs: true` the API returns, for every token of the answer, its
# log-probability (and with `top_logprobs` the most likely alternatives). The lab's
# playground paints each token by that probability, so a reader sees at a glance where
# the model was certain (a name, the end of a word) and where it chose among many.

# %%
answer = client.chat.completions.create(
    model=MODEL, messages=[{"role": "user", "content": "The capital of France is"}],
    max_tokens=24, temperature=0.7, seed=3, logprobs=True, top_logprobs=3)  # fmt: skip
scored = [(t.token, t.logprob, [(a.token, a.logprob) for a in t.top_logprobs])
          for t in answer.choices[0].logprobs.content]  # fmt: skip
for token, logprob, top in scored[:6]:
    print(f"{token!r:>14}  p = {np.exp(logprob):.3f}   alternatives: "
          + ", ".join(f"{t!r} {np.exp(p):.2f}" for t, p in top))  # fmt: skip

# %% [markdown]
# ### Exercise 2: the colour scale
#
# Write `colour(logprob)`: a CSS colour for a token of log-probability `logprob`. Use
# the HSL colour wheel as the lab does: hue 0 is red, 60 yellow, 120 green. The
# probability `p = exp(logprob)` goes linearly from red (p = 0) to green (p = 1), the hue
# rounded to a whole number; saturation 85 % and lightness 80 % (light, so dark text
# stays readable). The answer is a string like `"hsl(60 85% 80%)"` (for p = 0.5).


# %%
def colour(logprob):
    """A CSS colour, red (unlikely) to green (likely), for a token's log-probability."""
    return None  # your code


# %%
probe = [-50.0, np.log(0.25), np.log(0.5), np.log(0.999), 0.0]
check("colour(logprob) for p = 0, 0.25, 0.5, 0.999, 1", [colour(lp) for lp in probe],
      ["hsl(0 85% 80%)", "hsl(30 85% 80%)", "hsl(60 85% 80%)", "hsl(120 85% 80%)",
       "hsl(120 85% 80%)"],
      hint="turn the log-probability back into a probability first; the hue is a straight "
           "line from red's angle to green's")  # fmt: skip


# %% [markdown]
# The page: each token a `<span>` with its colour as background, and its probability and
# alternatives as a tooltip (hover over a token in a notebook). Until your `colour` works,
# the tokens are grey.


# %%
def token_html(token, logprob, top):
    """One token as a coloured span, with its alternatives in the tooltip."""
    paint = colour(logprob) or "#dddddd"
    shown = token.replace("&", "&amp;").replace("<", "&lt;").replace(" ", "&nbsp;")
    tip = ", ".join(f"{t!r}: {np.exp(p):.1%}" for t, p in top).replace('"', "&quot;")
    return (f'<span style="background:{paint};padding:1px 1px;border-radius:3px" '
            f'title="p = {np.exp(logprob):.1%}; {tip}">{shown}</span>')  # fmt: skip


page = "".join(token_html(*entry) for entry in scored).replace("\n", "<br>")
display(HTML(f'<div style="font-family:monospace;line-height:1.8">{page}</div>'))

# %% [markdown]
# ## 5. The real page: `journey serve`'s web lab
#
# Everything above is what the web lab does in the browser. Start it from a terminal:
#
# ```
# journey serve --model smollm2-135m-instruct
# ```
#
# and open <http://127.0.0.1:8000/>: a chat with streaming and a Stop button, the
# playground of section 4, a tokenizer and an attention view, and your course progress.
# It is plain HTML and JavaScript served by the same process, with no CDN, so it works
# offline. In full mode this lesson drives it in a headless Chromium through Playwright
# (as `tests/serve/test_lab_browser.py` does), asks one question, and takes a picture.

# %%
CHROMIUM = Path("/usr/bin/chromium")
shot = None
if QUICK:
    print("quick mode: the screenshot of the full run is shown instead")
elif not CHROMIUM.exists():
    print(f"no Chromium at {CHROMIUM}: skipping the screenshot (`apt-get install chromium`, "
          "then run this cell again); the stored one is shown below")  # fmt: skip
else:
    from concurrent.futures import ThreadPoolExecutor

    from playwright.sync_api import sync_playwright

    def screenshot(url):
        """Ask the lab one question in headless Chromium; the page as PNG bytes."""
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
            tab = browser.new_page(viewport={"width": 860, "height": 560})
            tab.goto(url + "/")
            tab.wait_for_function("document.getElementById('model-id').textContent !== '…'")
            tab.fill("#chat-seed", "3")
            tab.fill("#chat-max-tokens", "60")
            tab.fill("#chat-input", "What is the sea made of, in two sentences?")
            tab.press("#chat-input", "Enter")
            tab.wait_for_selector(".message.assistant", state="attached")
            tab.wait_for_function("!document.querySelector('.message.streaming')")
            tab.locator("#chat-input").blur()
            png = tab.screenshot()
            browser.close()
            return png

    # subtle: a notebook runs an asyncio loop, where Playwright's sync API refuses to run;
    # a thread of its own has none
    with ThreadPoolExecutor(1) as pool:
        shot = pool.submit(screenshot, URL).result()
if shot is not None:
    import io

    image = plt.imread(io.BytesIO(shot), format="png")
    fig, ax = plt.subplots(figsize=(7.2, 4.7))
    ax.imshow(image)
    ax.set_axis_off()
    ax.set_title("the web lab's chat, in headless Chromium (SmolLM2-135M-Instruct)", fontsize=10)
    fig.tight_layout()
    full.figure(fig, "lab-chat")
    plt.show()
full.show_figure("lab-chat", "the web lab's chat")

# %% [markdown]
# Now read the part of the lab's JavaScript that reads the stream. It is the
# `read_stream` of section 2, line for line: a reader of bytes, a `TextDecoder` in
# streaming mode, a buffer cut at every blank line, `data:` lines, `[DONE]`.

# %%
lab_js = (Path(nlpjourney.serve.__file__).parent / "lab_static" / "lab.js").read_text()
start = lab_js.index("/** The JSON events of a server-sent event stream")
print(lab_js[start : lab_js.index("\n}\n", start) + 2])

# %% [markdown]
# And the turn itself, from `sendChat`: the system message and the whole history go up
# with `stream: true`; the `AbortController` is the Stop button; each delta is appended
# to the reply as it lands; the finished reply joins the history for the next turn.

# %%
start = lab_js.index("  const messages = [];")
print(lab_js[start : lab_js.index("  } catch (error) {", start)])
start = lab_js.index("  if (replyText.textContent) chat.history.push")
print("  ...\n" + lab_js[start : lab_js.index("\n", start)])

# %% [markdown]
# ## What you built
#
# | part of a chat page | where it lives |
# |---|---|
# | the conversation, sent whole each turn | the page's `chat.history`; the server keeps nothing |
# | a server-sent event reader over cut bytes | `read_stream` here; `events()` in `lab.js`; the `openai` client |
# | stop = close the connection | the server cancels the request and frees its slot |
# | trimming to a token budget, counted with the chat template | `trim` here; `ChatSession.fit`; the exercise |
# | tokens coloured by probability | `colour` here; the lab's playground |
#
# Next, `journey check 6.3`: join a streamed answer with several choices whose pieces
# arrive interleaved, and trim a conversation for any way of counting tokens.

# %%
server.should_exit = True
server_thread.join(30)
print("server stopped")
