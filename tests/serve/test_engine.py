"""Tests for nlpjourney.serve.engine: continuous batching on tiny random models.

The reference is :func:`nlpjourney.infer.generate`, one prompt at a time: whatever else
is in the batch, whenever a request arrives, and however the cache's columns move, each
request's greedy text and seeded sample must be the one ``generate`` writes alone. The
models run in float64 so that a batch's different rounding cannot flip a near tie.
"""

from __future__ import annotations

import threading
import time

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpjourney.infer import generate
from nlpjourney.infer.generate import Sampler
from nlpjourney.models import GPT, GPTConfig, Llama, LlamaConfig
from nlpjourney.serve.engine import (
    BatchEngine,
    EngineStopped,
    Failed,
    Finished,
    GenerationRequest,
    QueueFull,
    Tokens,
)
from nlpjourney.tokenizers import CharTokenizer

TOKENIZER = CharTokenizer.from_text("abcdefghij .")
V = TOKENIZER.vocab_size
PROMPTS = st.text(alphabet="abcdefghij .", min_size=1, max_size=12)


def lively(model: torch.nn.Module, seed: int, std: float) -> torch.nn.Module:
    torch.manual_seed(seed)
    with torch.no_grad():
        for param in model.parameters():
            param.normal_(0.0, std)
    return model.double().eval()


def tiny_llama(seed: int = 0) -> Llama:
    return lively(
        Llama(LlamaConfig.from_name("tiny").replace(vocab_size=V, max_seq_len=64)), seed, 0.5
    )


class Collector:
    """A request's events, gathered; ``wait`` blocks until it finished."""

    def __init__(self) -> None:
        self.events: list[object] = []
        self.done = threading.Event()

    def __call__(self, event: object) -> None:
        self.events.append(event)
        if isinstance(event, Finished | Failed):
            self.done.set()

    def wait(self) -> Collector:
        assert self.done.wait(60), "the request did not finish"
        return self

    @property
    def text(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, Tokens))

    @property
    def finished(self) -> Finished:
        last = self.events[-1]
        assert isinstance(last, Finished), last
        return last


def request(
    prompt: str, max_tokens: int, temperature: float = 0.0, seed: int | None = None, **kw: object
) -> tuple[GenerationRequest, Collector]:
    collector = Collector()
    sampler = Sampler(temperature, None, None, 1.0, seed)
    ids = TOKENIZER.encode(prompt)
    return GenerationRequest(ids, max_tokens, sampler, collector, **kw), collector


@pytest.fixture
def engine() -> BatchEngine:
    engine = BatchEngine(tiny_llama(), TOKENIZER, max_batch=4, context=48).start()
    yield engine
    engine.stop(drain=False, timeout=10)


def test_engine_batched_requests_write_what_generate_writes_alone(engine: BatchEngine) -> None:
    prompts = ["abc", "ahead ice", "j", "a bead", "cafe bed", "dig"]
    made = [request(p, 20) for p in prompts]
    for req, _ in made:  # six requests for four slots: two wait, then join the batch
        engine.submit(req)
    for prompt, (_, got) in zip(prompts, made, strict=True):
        expected = generate(engine.model, TOKENIZER, prompt, max_new_tokens=20)
        assert got.wait().text == expected
        assert got.finished == Finished("length", len(prompt), 20)
    assert engine.steps < 6 * 20  # steps were shared


@pytest.mark.slow
@settings(max_examples=12, deadline=None)
@given(
    plan=st.lists(
        st.tuples(PROMPTS, st.integers(1, 28), st.integers(0, 12)), min_size=2, max_size=7
    ),  # fmt: skip
    seed=st.integers(0, 2**10),
)
def test_engine_any_arrival_order_gives_each_request_its_own_text(
    plan: list[tuple[str, int, int]], seed: int
) -> None:
    # Stepped by hand: request i arrives after plan[i][2] more steps. A context of 40
    # makes the columns run out and the rows move left; a long prompt arriving while the
    # clock is early makes them move right.
    engine = BatchEngine(tiny_llama(seed), TOKENIZER, max_batch=3, context=40)
    made = []
    for prompt, new, steps in plan:
        for _ in range(steps):
            engine.step()
        made.append((prompt, new, *request(prompt, new)))
        engine.submit(made[-1][2])
    while engine.active or engine.waiting:
        engine.step()
    for prompt, new, _, got in made:
        assert got.wait().text == generate(engine.model, TOKENIZER, prompt, max_new_tokens=new)


def test_engine_on_its_thread_takes_requests_as_they_come() -> None:
    engine = BatchEngine(tiny_llama(3), TOKENIZER, max_batch=3, context=40).start()
    try:
        made = []
        for i, prompt in enumerate(["abc", "j", "ahead ice", "bed", "cafe", "ag"]):
            made.append((prompt, 5 + 4 * i, *request(prompt, 5 + 4 * i)))
            engine.submit(made[-1][2])
            time.sleep(0.01 * (i % 3))
        for prompt, new, _, got in made:
            assert got.wait().text == generate(engine.model, TOKENIZER, prompt, max_new_tokens=new)
    finally:
        engine.stop(drain=False, timeout=10)


def test_engine_seeded_samples_do_not_depend_on_the_batch(engine: BatchEngine) -> None:
    alone, got = request("abc", 15, temperature=1.0, seed=7)
    engine.submit(alone)
    text = got.wait().text
    others = [request(p, 15, temperature=1.0, seed=i) for i, p in enumerate(["j", "bead", "i"])]
    again, got_again = request("abc", 15, temperature=1.0, seed=7)
    for req, _ in [*others, (again, got_again)]:
        engine.submit(req)
    assert got_again.wait().text == text
    expected = generate(engine.model, TOKENIZER, "abc", max_new_tokens=15, temperature=1.0, seed=7)
    assert text == expected


def test_engine_stop_strings_and_logprobs(engine: BatchEngine) -> None:
    free, got_free = request("abc", 20, logprobs=3)
    engine.submit(free)
    text = got_free.wait().text
    stop = text[5:7]
    stopped, got_stopped = request("abc", 20, stops=[stop])
    engine.submit(stopped)
    assert got_stopped.wait().text == text[: text.find(stop)]
    assert got_stopped.finished.reason == "stop"
    # each logprob is the model's log-softmax at that step, the top-3 led by the greedy pick
    ids = torch.tensor([TOKENIZER.encode("abc")])
    entries = [lp for e in got_free.events if isinstance(e, Tokens) for lp in e.logprobs]
    assert len(entries) == 20
    with torch.no_grad():
        for entry in entries:
            logp = engine.model(ids)[0, -1].log_softmax(-1)
            assert entry.logprob == pytest.approx(float(logp.max()), abs=1e-9)
            assert [t for t, _ in entry.top][0] == entry.token == TOKENIZER.decode([entry.id])
            assert len(entry.top) == 3
            ids = torch.cat([ids, torch.tensor([[entry.id]])], dim=1)


def test_engine_cancel_frees_the_slot(engine: BatchEngine) -> None:
    long, got = request("abc", 40)
    engine.submit(long)
    while not got.events:
        time.sleep(0.001)
    long.cancel()
    assert got.wait().finished.reason == "cancelled"
    assert got.finished.completion_tokens < 40
    deadline = time.monotonic() + 10
    while engine.active and time.monotonic() < deadline:
        time.sleep(0.001)
    assert engine.active == 0


def test_engine_bounded_queue_and_context() -> None:
    engine = BatchEngine(tiny_llama(), TOKENIZER, max_batch=1, max_waiting=2, context=16)
    engine.submit(request("abc", 4)[0])  # not started: the requests wait
    engine.submit(request("abc", 4)[0])
    with pytest.raises(QueueFull) as full:
        engine.submit(request("abc", 4)[0])
    assert full.value.retry_after >= 1
    with pytest.raises(ValueError, match="exceed the context of 16"):
        engine.submit(request("abcdefgh", 9)[0])
    with pytest.raises(ValueError, match="max_tokens must be at least 1"):
        engine.submit(request("abc", 0)[0])


def test_engine_stop_drains_then_refuses() -> None:
    engine = BatchEngine(tiny_llama(), TOKENIZER, max_batch=2, context=48).start()
    made = [request(p, 25) for p in ["abc", "bed", "cafe"]]
    for req, _ in made:
        engine.submit(req)
    engine.stop(drain=True, timeout=60)
    for prompt, (_, got) in zip(["abc", "bed", "cafe"], made, strict=True):
        assert got.done.is_set() and got.finished.reason == "length"
        assert got.text == generate(engine.model, TOKENIZER, prompt, max_new_tokens=25)
    with pytest.raises(EngineStopped):
        engine.submit(request("abc", 4)[0])


def test_engine_serves_a_gpt_one_request_at_a_time() -> None:
    gpt = lively(GPT(GPTConfig.from_name("tiny").replace(vocab_size=V)), 0, std=0.1)
    engine = BatchEngine(gpt, TOKENIZER, max_batch=8).start()
    try:
        assert engine.max_batch == 1  # learned positions: rows cannot share the clock
        made = [request(p, 10) for p in ["abc", "headed", "j"]]
        for req, _ in made:
            engine.submit(req)
        for prompt, (_, got) in zip(["abc", "headed", "j"], made, strict=True):
            assert got.wait().text == generate(gpt, TOKENIZER, prompt, max_new_tokens=10)
    finally:
        engine.stop(drain=False, timeout=10)


def test_engine_a_failing_callback_cancels_only_its_request(engine: BatchEngine) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("client gone")

    bad = GenerationRequest(
        TOKENIZER.encode("abc"), 30, Sampler(0.0, None, None, 1.0, None), broken
    )
    good, got = request("bed", 30)
    engine.submit(bad)
    engine.submit(good)
    assert got.wait().text == generate(engine.model, TOKENIZER, "bed", max_new_tokens=30)
    assert bad.cancelled
