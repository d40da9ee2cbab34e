"""Continuous batching: one model step serves every request in flight.

A server that generates for one request at a time leaves the hardware idle: a decoding
step reads every weight to produce one token, and reading them for 32 rows costs
little more than for one. Batching whole requests together (static batching) wastes
the same gain differently: a batch lasts as long as its longest answer, and a request
that arrives meanwhile waits for all of it. Continuous batching (Orca, Yu et al. 2022;
vLLM) schedules at the granularity of a step instead::

    submit(request) -> the waiting queue (bounded: QueueFull when it is full)
    the engine's thread, forever:
        drop the rows whose client went away (their slots are free at once)
        admit waiting requests into free slots: ONE prefill pass for all of them
        ONE decoding pass for every active row: a (n, 1) batch, one new token each
        each row picks its token with its own sampler, hands on its text, and leaves
        the batch when it ends (end of turn, a stop string, or max_tokens)

The KV cache: "shared columns". Each layer keeps one buffer (slots, Hkv, capacity, hs).
All rows share one clock ``t``, the column the next token is written to; a row's tokens
fill columns ``start .. t - 1`` of its slot, and a mask hides every other column. A new
request's prompt is written right-aligned, ending at column ``t``, so it joins the clock
at once. This works for RoPE models (Llama) because a rotary attention score depends
only on the distance between two positions: a row whose tokens sit at columns 40..49
scores exactly as at 0..9. Two moves keep the clock within the buffer, both exact for
the same reason: when the columns run out, every row moves left by the oldest row's
start (its keys re-rotated by that many positions back, :meth:`_shift`); and a prompt
longer than ``t`` moves every row right first. When the engine is idle the clock
restarts at 0, so a request served alone always computes the same numbers (its text
for a seed does not depend on what was served before it).

A model with learned positions (GPT) cannot be moved so; it is served one request at a
time (``max_batch=1``), still through the queue.

Reference: greedy text equals :func:`nlpjourney.infer.generate`'s for the same prompt
(``tests/serve/test_engine.py``), alone and in a batch with other requests.

Simplifications:
    - the cache is one contiguous block per slot, not paged (vLLM's PagedAttention):
      memory is reserved up to the longest live row for every slot;
    - a prompt is prefilled in one pass (no chunked prefill), and no prefix is shared
      between requests;
    - no preemption: a request keeps its slot until it ends or its client leaves.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import deque
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from nlpjourney.infer.generate import TextStream, context_length, end_ids
from nlpjourney.models import GPT, Llama
from nlpjourney.nn import StaticKVCache
from nlpjourney.serve.metrics import TokenRate
from nlpjourney.serve.requests import (
    EngineStopped,
    Event,
    Failed,
    Finished,
    GenerationRequest,
    QueueFull,
    TokenLogprob,
    Tokens,
)
from nlpjourney.tokenizers import Tokenizer

# The request and its events live in nlpjourney.serve.requests; named here too, as the
# engine's vocabulary.
__all__ = [
    "BatchEngine",
    "EngineStopped",
    "Failed",
    "Finished",
    "GenerationRequest",
    "QueueFull",
    "TokenLogprob",
    "Tokens",
]


@dataclass(eq=False)
class _Row:
    """A request in the batch: its slot's columns start at ``start``."""

    request: GenerationRequest
    start: int
    text: TextStream
    seen: Tensor  # (V,) bool: tokens in the row, for the repetition penalty
    next_token: int = -1
    generated: int = 0


# --- the engine --------------------------------------------------------------------------


class BatchEngine:
    """Serve generation requests from many clients with one model step per token.

    Args:
        model: a :class:`~nlpjourney.models.Llama` (batched) or a
            :class:`~nlpjourney.models.GPT` (one request at a time).
        tokenizer: the model's tokenizer.
        max_batch: the most requests generating at once (slots).
        max_waiting: the most requests waiting for a slot; more raise :class:`QueueFull`.
        context: the most positions one request may use, prompt plus new tokens
            (default: the model's, at most 4096); it also bounds the cache's memory.
        prefill_tokens: the most prompt tokens admitted in one prefill pass (at least one
            request is always admitted), so a burst of long prompts does not stall the
            rows already decoding for long.

    Example:
        >>> engine = BatchEngine(model, tokenizer).start()  # doctest: +SKIP
        >>> engine.submit(GenerationRequest(ids, 16, Sampler(0.0, None, None, 1.0, None),
        ...                                 on_event=print))  # doctest: +SKIP
    """

    def __init__(  # noqa: PLR0913 - the engine's knobs, each a server option
        self,
        model: nn.Module,
        tokenizer: Tokenizer,
        *,
        max_batch: int = 32,
        max_waiting: int = 256,
        context: int | None = None,
        prefill_tokens: int = 2048,
    ) -> None:
        for name, value in (("max_batch", max_batch), ("max_waiting", max_waiting),
                            ("prefill_tokens", prefill_tokens)):  # fmt: skip
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        limit = context_length(model)  # also checks the model's kind
        context = min(limit, 4096) if context is None else context
        if not 1 <= context <= limit:
            raise ValueError(f"context must be in 1..{limit} (the model's), got {context}")
        self.model, self.tokenizer = model.eval(), tokenizer
        self.rotary = _rotary(model)
        self.max_batch = max_batch if self.rotary is not None else 1
        self.max_waiting, self.context = max_waiting, context
        self.prefill_tokens = prefill_tokens
        self.end_ids = end_ids(tokenizer)
        weight = next(model.parameters())
        self._layers, self._kv_heads, self._head_dim = _cache_shape(model)
        self._dtype, self._device = weight.dtype, weight.device
        self._keys: list[Tensor] = []
        self._values: list[Tensor] = []
        self._capacity = 0
        self._t = 0  # the shared clock: the column the next token is written to
        self._rows: list[_Row] = []
        self._waiting: deque[GenerationRequest] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        # what /metrics reads (written by the engine's thread only)
        self.steps = 0  # decoding passes
        self.prefills = 0
        self.tokens_generated = 0
        self.prompt_tokens = 0
        self.requests_finished = 0
        self.rate = TokenRate()  # generated tokens a second, over the last 10 s
        self._seconds_per_request = 1.0  # a running mean, for Retry-After

    # -- clients' side (any thread) --

    @property
    def active(self) -> int:
        """Requests generating now."""
        return len(self._rows)

    @property
    def waiting(self) -> int:
        """Requests waiting for a slot."""
        return len(self._waiting)

    def stats(self) -> dict[str, float]:
        """The numbers ``/metrics`` shows, by their metric names."""
        return {
            "journey_prompt_tokens_total": self.prompt_tokens,
            "journey_generated_tokens_total": self.tokens_generated,
            "journey_engine_steps_total": self.steps,
            "journey_queue_depth": self.waiting,
            "journey_active_requests": self.active,
            "journey_tokens_per_second": self.rate.per_second(),
        }

    def start(self) -> BatchEngine:
        """Start the engine's thread; returns the engine."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="batch-engine", daemon=True)
            self._thread.start()
        return self

    def submit(self, request: GenerationRequest) -> None:
        """Queue ``request``; its events arrive through ``request.on_event``.

        Raises:
            ValueError: the prompt is empty, or prompt plus ``max_tokens`` exceed the context.
            QueueFull: too many requests wait already.
            EngineStopped: the engine is shutting down.
        """
        if not request.prompt_ids:
            raise ValueError("the prompt is empty; give the model at least one token")
        if request.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {request.max_tokens}")
        needed = len(request.prompt_ids) + request.max_tokens
        if needed > self.context:
            raise ValueError(
                f"a prompt of {len(request.prompt_ids)} tokens + max_tokens="
                f"{request.max_tokens} exceed the context of {self.context} tokens"
            )
        with self._cond:
            if self._stopping:
                raise EngineStopped("the server is shutting down")
            if len(self._waiting) >= self.max_waiting:
                raise QueueFull(self.retry_after())
            self._waiting.append(request)
            self._cond.notify()

    def retry_after(self) -> int:
        """Seconds a refused client should wait: the queue's share of the slots' time."""
        queued = len(self._waiting) + len(self._rows)
        estimate = self._seconds_per_request * queued / self.max_batch
        return max(1, min(60, math.ceil(estimate)))

    def stop(self, drain: bool = True, timeout: float | None = None) -> None:
        """Take no new requests; finish the ones in flight (``drain``) or cancel them."""
        with self._cond:
            self._stopping = True
            if not drain:
                for request in itertools.chain(self._waiting, (r.request for r in self._rows)):
                    request.cancel()
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    # -- the engine's thread --

    def step(self) -> None:
        """One scheduling step: drop cancelled rows, admit and prefill waiting requests,
        then one decoding pass for every row. The engine's thread repeats it; a test or a
        lesson may call it by hand on an engine that was not started.
        """
        with self._cond:
            newcomers = self._admit()
        try:
            with torch.inference_mode():
                self._drop_cancelled()
                newcomers = [r for r in newcomers if not self._gone(r)]
                if newcomers:
                    self._prefill(newcomers)
                if self._rows:
                    self._decode()
        except Exception as error:  # noqa: BLE001 - reported to every client, not lost
            self._fail_all(newcomers, f"{type(error).__name__}: {error}")

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._rows and not self._waiting and not self._stopping:
                    self._cond.wait()
                if self._stopping and not self._rows and not self._waiting:
                    return
            self.step()

    def _admit(self) -> list[GenerationRequest]:
        """Waiting requests for the free slots, within the prefill budget (under the lock)."""
        taken: list[GenerationRequest] = []
        tokens = 0
        while self._waiting and len(self._rows) + len(taken) < self.max_batch:
            request = self._waiting[0]
            if taken and tokens + len(request.prompt_ids) > self.prefill_tokens:
                break
            taken.append(self._waiting.popleft())
            tokens += len(request.prompt_ids)
        return taken

    def _gone(self, request: GenerationRequest) -> bool:
        if request.cancelled:
            self._send(request, Finished("cancelled", len(request.prompt_ids), 0))
        return request.cancelled

    def _drop_cancelled(self) -> None:
        for row in [r for r in self._rows if r.request.cancelled]:
            self._remove(row)
            prompt = len(row.request.prompt_ids)
            self._send(row.request, Finished("cancelled", prompt, row.generated))

    def _prefill(self, requests: list[GenerationRequest]) -> None:
        """One pass over the new prompts, right-aligned to end at the clock."""
        longest = max(len(r.prompt_ids) for r in requests)
        if not self._rows:
            self._t = 0  # idle: restart the clock, so a lone request is reproducible
        self._reserve(longest)
        if self._t < longest:
            self._shift(longest - self._t)
        t, first, k = self._t, len(self._rows), len(requests)
        ids = torch.zeros(k, longest, dtype=torch.long, device=self._device)  # 0: any id
        mask = None
        if t > longest or any(len(r.prompt_ids) != longest for r in requests):
            columns = torch.arange(t, device=self._device)
            starts = torch.tensor([t - len(r.prompt_ids) for r in requests], device=self._device)
            own = t - longest + torch.arange(longest, device=self._device)  # (T,)
            # A real query sees the row's own columns; a padding query sees itself only,
            # so no row of the attention is all masked (NaN in some kernels).
            mask = (columns >= starts[:, None])[:, None, None, :] | (
                columns[None, :] == own[:, None]
            )[None, None]  # (k, 1, T, t)
        for i, request in enumerate(requests):
            ids[i, longest - len(request.prompt_ids) :] = torch.tensor(request.prompt_ids)
        caches = self._views(first, first + k, t - longest)
        logits = self._forward(ids, caches, mask)
        self.prefills += 1
        for request in requests:
            seen = torch.zeros(logits.shape[-1], dtype=torch.bool, device=self._device)
            seen[torch.tensor(request.prompt_ids, device=self._device)] = True
            text = TextStream(self.tokenizer, request.stops)
            self._rows.append(_Row(request, t - len(request.prompt_ids), text, seen))
            self.prompt_tokens += len(request.prompt_ids)
        self._advance(self._rows[first:], logits)

    def _decode(self) -> None:
        """One pass for every active row: each feeds the token it picked last."""
        self._reserve(self._t + 1)
        n, t = len(self._rows), self._t
        ids = torch.tensor([[row.next_token] for row in self._rows], device=self._device)
        mask = None
        starts = [row.start for row in self._rows]
        if any(starts):
            columns = torch.arange(t + 1, device=self._device)
            start = torch.tensor(starts, device=self._device)
            mask = (columns >= start[:, None])[:, None, None, :]  # (n, 1, 1, t + 1)
        logits = self._forward(ids, self._views(0, n, t), mask)
        self._t, self.steps = t + 1, self.steps + 1
        self._advance(list(self._rows), logits)

    def _advance(self, rows: list[_Row], logits: Tensor) -> None:
        """Each row picks its next token from its logits (len(rows), V) and hands on its text."""
        self.rate.add(len(rows))
        for row, row_logits in zip(rows, logits, strict=True):
            request = row.request
            token = int(request.sampler.pick(row_logits[None], row.seen[None])[0])
            row.seen[token] = True
            row.generated += 1
            self.tokens_generated += 1
            logprobs = ()
            if request.logprobs is not None:
                logprobs = (self._logprob(row_logits, token, request.logprobs),)
            reason = None
            if token in self.end_ids:
                piece, reason = row.text.finish(), "stop"
            else:
                piece = row.text.add(token)
                if row.text.stopped:
                    reason = "stop"
                elif row.generated >= request.max_tokens:
                    piece, reason = piece + row.text.finish(), "length"
            if piece or logprobs:
                self._send(request, Tokens(piece, logprobs))
            if reason is None:
                row.next_token = token
                continue
            self._remove(row)
            self.requests_finished += 1
            took = time.monotonic() - request.submitted
            self._seconds_per_request += 0.1 * (took - self._seconds_per_request)
            self._send(request, Finished(reason, len(request.prompt_ids), row.generated))

    def _logprob(self, logits: Tensor, token: int, top: int) -> TokenLogprob:
        logp = logits.float().log_softmax(dim=-1)
        best = logp.topk(top) if top else None
        alternatives = () if best is None else tuple(
            (self.tokenizer.decode([i]), float(v))
            for v, i in zip(best.values.tolist(), best.indices.tolist(), strict=True)
        )  # fmt: skip
        return TokenLogprob(self.tokenizer.decode([token]), token, float(logp[token]), alternatives)

    def _remove(self, row: _Row) -> None:
        """Free ``row``'s slot: the last row moves into it, so the active slots stay 0..n-1."""
        index = self._rows.index(row)
        last = len(self._rows) - 1
        if index != last:
            for buffers in (self._keys, self._values):
                for buffer in buffers:
                    buffer[index, :, : self._t] = buffer[last, :, : self._t]
            self._rows[index] = self._rows[last]
        self._rows.pop()

    def _fail_all(self, newcomers: list[GenerationRequest], message: str) -> None:
        """Tell every request in flight that it failed; the engine starts afresh."""
        requests = [row.request for row in self._rows]
        requests += [r for r in newcomers if all(r is not q for q in requests)]
        for request in requests:
            self._send(request, Failed(message))
        self._rows.clear()

    def _send(self, request: GenerationRequest, event: Event) -> None:
        try:
            request.on_event(event)
        except Exception:  # noqa: BLE001 - a client's callback failing must not stop the engine
            request.cancel()

    # -- the cache --

    def _forward(self, ids: Tensor, caches: list[StaticKVCache], mask: Tensor | None) -> Tensor:
        """Last-position logits (B, V), float32."""
        if isinstance(self.model, Llama):
            logits = self.model(ids, caches, attn_mask=mask, last_only=True)
        else:
            logits = self.model(ids, kv_caches=caches)
        return logits[:, -1].float()

    def _views(self, first: int, end: int, length: int) -> list[StaticKVCache]:
        return [
            StaticKVCache.over(k[first:end], v[first:end], length)
            for k, v in zip(self._keys, self._values, strict=True)
        ]

    def _reserve(self, columns: int) -> None:
        """Make the clock able to reach ``columns``: grow the buffers, or move the rows left.

        Moving left by the oldest row's start always makes room: every live row still
        writes at least one more token, and its prompt plus ``max_tokens`` fit the context.
        """
        if columns > self._capacity and self._capacity < self.context:
            self._grow(min(self.context, max(columns, 2 * self._capacity, 64)))
        if columns > self._capacity and self._rows:
            before = self._t
            self._shift(-min(row.start for row in self._rows))
            columns -= before - self._t
        if columns > self._capacity:
            raise RuntimeError(f"no room for {columns} columns in {self._capacity}")  # a bug

    def _grow(self, capacity: int) -> None:
        shape = (self.max_batch, self._kv_heads, capacity, self._head_dim)
        # subtle: zeros, not empty: a masked column still enters the attention's matmuls,
        # and uninitialised memory may hold NaN, which a mask of -inf does not cancel.
        keys = [torch.zeros(shape, dtype=self._dtype, device=self._device)
                for _ in range(self._layers)]  # fmt: skip
        values = [torch.zeros_like(k) for k in keys]
        n = len(self._rows)
        if self._keys:
            for old, new in zip(self._keys + self._values, keys + values, strict=True):
                new[:n, :, : self._t] = old[:n, :, : self._t]
        self._keys, self._values, self._capacity = keys, values, capacity

    def _shift(self, delta: int) -> None:
        """Move every row's columns by ``delta`` (keys re-rotated by as many positions)."""
        if delta == 0:
            return
        n, t = len(self._rows), self._t
        if n:
            if self.rotary is None:
                raise RuntimeError("only a rotary model's cache can move")  # max_batch is 1
            low = min(row.start for row in self._rows)
            angle = torch.tensor([delta], device=self._device)
            for k, v in zip(self._keys, self._values, strict=True):
                moved_k = self.rotary(k[:n, :, low:t], angle)  # a new tensor: no overlap
                moved_v = v[:n, :, low:t].clone()
                k[:n, :, low + delta : t + delta] = moved_k
                v[:n, :, low + delta : t + delta] = moved_v
            for row in self._rows:
                row.start += delta
        self._t = t + delta


def _rotary(model: nn.Module) -> nn.Module | None:
    """The model's shared rotary module (None: learned positions, rows cannot move)."""
    if isinstance(model, Llama):
        return model.layers[0].attn.rotary if len(model.layers) else None
    return None


def _cache_shape(model: nn.Module) -> tuple[int, int, int]:
    """(layers, key/value heads, dims per head) of the model's caches."""
    if isinstance(model, Llama):
        return model.config.n_layers, model.config.kv_heads, model.config.head_dim
    if isinstance(model, GPT):
        config = model.config
        return config.n_layer, config.n_head, config.n_embd // config.n_head
    raise TypeError(f"the engine serves a Llama or a GPT, got {type(model).__name__}")
