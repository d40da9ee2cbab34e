"""Text generation with a decoder model: prompt in, new text out, one token at a time.

::

    prompt(s) or chat messages -> token ids (left-padded to one length)
        -> prefill: one forward pass over every prompt token, filling the KV caches
        -> repeat: pick the next token from the last logits (greedy or sampled),
                   feed only that token, the caches supply the rest
        -> stop at end-of-sequence / end-of-turn, a stop string, or max_new_tokens

Picking a token, in this order (as ``transformers``' logits processors do):
repetition penalty on every token already in the row (Keskar et al. 2019: a positive
logit is divided by the penalty, a negative one multiplied), then greedy when
``temperature == 0``, else logits / temperature, keep the ``top_k`` best, keep the
smallest set whose probability reaches ``top_p`` (nucleus sampling, Holtzman et al.
2020), and draw.

The caches are :class:`~nlpjourney.nn.StaticKVCache`: allocated once for the prompt
plus ``max_new_tokens`` positions, so a step writes one position instead of copying
all earlier ones.

Batches: shorter prompts are padded on the left so every row's last prompt token sits
in the last column, and the padding is hidden by the attention mask. With RoPE
(:class:`~nlpjourney.models.Llama`) a score depends only on the distance between two
positions, so a shifted row gets the same logits. GPT's learned positions would shift
instead, and its forward takes no mask, so a GPT batch runs prompts of one length
together.

Text: each step decodes the row's new ids again and passes on only what is settled:
not a trailing incomplete UTF-8 character (a byte-level token can end inside one) and
not a tail that may be the start of a stop string. So the streamed pieces join to the
text returned without ``stream``.

Reference: ``transformers``' ``GenerationMixin.generate`` (greedy decoding on the same
weights gives the same tokens, ``tests/infer/test_generate.py``), and its
``RepetitionPenaltyLogitsProcessor``, ``TopKLogitsWarper``, ``TopPLogitsWarper``.

Simplifications:
    - no beam search, no min-p or typical sampling, no speculative decoding;
    - stop strings are matched in the decoded text of the new tokens only;
    - the prompt plus ``max_new_tokens`` must fit the model's context (no sliding window).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from nlpjourney.models import GPT, Llama
from nlpjourney.models.sampling import check_sampling, temperature_scaled
from nlpjourney.nn import KVCache, attend_with_cache
from nlpjourney.tokenizers import Tokenizer

# attend_with_cache is nn's: what each attention layer does at a decoding step, named
# here beside top_p_filter as the two steps exercise 6.1 has a learner write.
__all__ = [
    "END_OF_TURN",
    "Sampler",
    "TextStream",
    "attend_with_cache",
    "context_length",
    "end_ids",
    "generate",
    "prompt_ids",
    "top_k_filter",
    "top_p_filter",
]

#: Special tokens that end a turn or a document in the chat models we load; each that a
#: tokenizer has ends generation, as does its ``eos_token``.
END_OF_TURN = ("<|im_end|>", "<|eot_id|>", "<|end_of_text|>", "<|endoftext|>", "</s>", "<|end|>")

Messages = Sequence[dict[str, str]]
Prompt = str | Messages


def generate(
    model: nn.Module,
    tokenizer: Tokenizer,
    prompt_or_messages: Prompt | Sequence[Prompt],
    max_new_tokens: int = 128,
    temperature: float = 0.0,
    top_k: int | None = None,
    top_p: float | None = None,
    repetition_penalty: float = 1.0,
    stop: str | Sequence[str] | None = None,
    seed: int | None = None,
    stream: bool = False,
) -> str | list[str] | Iterator[str]:
    """The text a model writes after a prompt (or after each prompt of a list).

    Args:
        model: a :class:`~nlpjourney.models.Llama` or :class:`~nlpjourney.models.GPT`.
        tokenizer: the model's tokenizer.
        prompt_or_messages: a string, used as is; a list of chat messages
            (``{"role": ..., "content": ...}``), rendered by the tokenizer's chat template
            with the assistant's header at the end; or a list of either, generated as a
            batch.
        max_new_tokens: the most tokens to add to each prompt.
        temperature: 0 takes the most likely token (greedy); above 0 samples from the
            softmax of logits / temperature (below 1 sharper, above 1 flatter).
        top_k: sample among the ``top_k`` most likely tokens only (None: all).
        top_p: sample among the fewest most likely tokens whose probabilities sum to at
            least ``top_p``, in (0, 1] (None: all).
        repetition_penalty: above 1 makes tokens already in the row less likely.
        stop: strings that end the text; the text ends just before the first of them.
        seed: seeds the sampling, so one seed gives one text (None: torch's global RNG).
        stream: return an iterator of text pieces as they are written (one prompt only).

    Returns:
        The new text (without the prompt, the stop string or the end token); a list of
        texts for a list of prompts; an iterator of pieces joining to the text when
        ``stream``.

    Raises:
        ValueError: a setting is out of range, a prompt is empty, or a prompt plus
            ``max_new_tokens`` exceed the model's context.
        TypeError: the model or the prompt is of a kind this function does not take.

    Example:
        >>> from nlpjourney.models import Llama, LlamaConfig
        >>> from nlpjourney.tokenizers import CharTokenizer
        >>> tokenizer = CharTokenizer.from_text("abcdefgh")
        >>> model = Llama(LlamaConfig.from_name("tiny").replace(vocab_size=8))
        >>> text = generate(model, tokenizer, "abc", max_new_tokens=5)
        >>> len(text), set(text) <= set("abcdefgh")
        (5, True)
    """
    _check_settings(max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed)
    stops = _stop_strings(stop)
    decoder = _Decoder.of(model)
    batched = _is_batch(prompt_or_messages)
    prompts = list(prompt_or_messages) if batched else [prompt_or_messages]
    if batched and not prompts:
        raise ValueError("the list of prompts is empty; pass at least one prompt")
    if stream and batched:
        raise ValueError("stream=True writes one text; generate a list of prompts without it")
    ids = [prompt_ids(tokenizer, p, i if batched else None) for i, p in enumerate(prompts)]
    longest = max(map(len, ids))
    if longest + max_new_tokens > decoder.context:
        raise ValueError(
            f"a prompt of {longest} tokens + max_new_tokens={max_new_tokens} exceed the "
            f"model's context of {decoder.context} tokens; shorten the prompt or ask for at "
            f"most {max(decoder.context - longest, 0)} new tokens"
        )
    settings = Sampler(temperature, top_k, top_p, repetition_penalty, seed)
    ends = end_ids(tokenizer)

    def run(rows: list[list[int]]) -> Iterator[list[str]]:
        return _generate_pieces(decoder, tokenizer, rows, max_new_tokens, settings, ends, stops)

    if stream:
        return (pieces[0] for pieces in run(ids) if pieces[0])
    if decoder.masks_padding or len({len(row) for row in ids}) == 1:
        texts = _join(run(ids), len(ids))
    else:  # one batch per prompt length: these positions must not shift
        texts = [""] * len(ids)
        for length in sorted({len(row) for row in ids}):
            where = [i for i, row in enumerate(ids) if len(row) == length]
            for i, text in zip(where, _join(run([ids[i] for i in where]), len(where)), strict=True):
                texts[i] = text
    return texts if batched else texts[0]


# --- the model's side ----------------------------------------------------------------------


def context_length(model: nn.Module) -> int:
    """The most positions ``model`` reads: prompt plus new tokens must fit in it."""
    return _Decoder.of(model).context


@dataclass
class _Decoder:
    """One calling convention for the models: caches, a mask, their context length."""

    model: nn.Module
    context: int
    masks_padding: bool

    @classmethod
    def of(cls, model: nn.Module) -> _Decoder:
        if isinstance(model, Llama):
            return cls(model, model.config.max_seq_len, masks_padding=True)
        if isinstance(model, GPT):
            return cls(model, model.config.block_size, masks_padding=False)
        raise TypeError(
            f"generate runs an nlpjourney Llama or GPT, got {type(model).__name__}; "
            "load one with nlpjourney.models.load(...) or build it from its config"
        )

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def new_caches(self, batch: int, capacity: int) -> list[KVCache]:
        if isinstance(self.model, Llama):
            return self.model.new_caches(batch, capacity)
        return self.model.new_kv_caches(batch, capacity)

    def __call__(self, ids: Tensor, caches: list[KVCache], mask: Tensor | None) -> Tensor:
        """Last-position logits (B, V), float32."""
        with torch.no_grad():
            if isinstance(self.model, Llama):
                logits = self.model(ids, caches, attn_mask=mask, last_only=True)
            else:
                logits = self.model(ids, kv_caches=caches)
        return logits[:, -1].float()


# --- picking tokens ----------------------------------------------------------------------


@dataclass
class Sampler:
    """How one row (or a batch sharing the settings) picks its next token.

    The settings are :func:`generate`'s; ``seed`` makes a :class:`torch.Generator` of
    its own on first use, so two samplers with one seed draw the same tokens from the same
    logits whatever else runs between them (what a server batching many requests needs).
    """

    temperature: float
    top_k: int | None
    top_p: float | None
    repetition_penalty: float
    seed: int | None
    generator: torch.Generator | None = field(default=None, init=False)

    def pick(self, logits: Tensor, seen: Tensor) -> Tensor:
        """The next token of each row (B,), from logits (B, V) and the tokens seen (B, V)."""
        if self.repetition_penalty != 1.0:
            penalised = torch.where(
                logits > 0, logits / self.repetition_penalty, logits * self.repetition_penalty
            )
            logits = torch.where(seen, penalised, logits)
        scaled = temperature_scaled(logits, self.temperature)
        if scaled is None:
            return logits.argmax(dim=-1)
        logits = scaled
        if self.top_k is not None:
            logits = top_k_filter(logits, self.top_k)
        if self.top_p is not None:
            logits = top_p_filter(logits, self.top_p)
        if self.generator is None and self.seed is not None:
            self.generator = torch.Generator(device=logits.device).manual_seed(self.seed)
        probs = logits.softmax(dim=-1)
        return torch.multinomial(probs, 1, generator=self.generator).squeeze(-1)


def top_k_filter(logits: Tensor, top_k: int) -> Tensor:
    """``logits`` with all but the ``top_k`` largest of each row set to -inf.

    Ties with the ``top_k``-th largest are kept, as ``transformers``' ``TopKLogitsWarper``.

    Shapes:
        logits (..., V) -> (..., V).

    Example:
        >>> top_k_filter(torch.tensor([1.0, 3.0, 2.0]), 2).tolist()
        [-inf, 3.0, 2.0]
    """
    if top_k >= logits.shape[-1]:
        return logits
    kth = logits.topk(top_k, dim=-1).values[..., -1:]  # (..., 1)
    return logits.masked_fill(logits < kth, float("-inf"))


def top_p_filter(logits: Tensor, top_p: float) -> Tensor:
    """``logits`` with the tokens outside the nucleus set to -inf (nucleus sampling).

    The nucleus of a row is its fewest most likely tokens whose probabilities (softmax
    of the row) sum to at least ``top_p``: sorted from the most likely down, a token is
    kept while the tokens before it sum to less than ``top_p``, so the most likely token
    is always kept. ``top_p = 1`` keeps every token.

    Args:
        logits: unnormalised scores (divided by the temperature already, when sampling).
        top_p: the probability mass to keep, in (0, 1].

    Returns:
        A new tensor: the kept logits unchanged, the others -inf.

    Shapes:
        logits (..., V) -> (..., V).

    Example:
        >>> logits = torch.tensor([0.5, 0.3, 0.2]).log()  # probabilities 0.5, 0.3, 0.2
        >>> top_p_filter(logits, 0.7).isfinite().tolist()  # 0.5 < 0.7: 0.3 is needed too
        [True, True, False]
    """
    if top_p >= 1.0:
        return logits
    ordered, order = logits.sort(dim=-1, descending=True)
    probs = ordered.softmax(dim=-1)
    # drop a token when the ones before it already reach top_p
    drop = probs.cumsum(dim=-1) - probs >= top_p
    drop[..., 0] = False  # the first stays, even when top_p is 0 in the logits' type
    return logits.scatter(-1, order, ordered.masked_fill(drop, float("-inf")))


def _generate_pieces(
    decoder: _Decoder,
    tokenizer: Tokenizer,
    rows: list[list[int]],
    max_new_tokens: int,
    settings: Sampler,
    end_ids: set[int],
    stops: list[str],
) -> Iterator[list[str]]:
    """Each step's new text of every row (empty strings for rows with nothing settled)."""
    batch, longest = len(rows), max(map(len, rows))
    texts = [TextStream(tokenizer, stops) for _ in rows]
    if max_new_tokens == 0:
        return
    model = decoder.model
    was_training = model.training
    if was_training:  # eval() and train() walk every module: skip them when already so
        model.eval()
    try:
        device = decoder.device
        ids = torch.zeros(batch, longest, dtype=torch.long, device=device)  # 0: any id
        real = torch.zeros(batch, longest + max_new_tokens, dtype=torch.bool, device=device)
        for i, row in enumerate(rows):
            ids[i, longest - len(row) :] = torch.tensor(row, device=device)
            real[i, longest - len(row) :] = True
        padded = not bool(real[:, :longest].all())
        mask = None
        if padded:
            # Real queries see only real keys; a padding query sees itself, so no row of
            # the attention is all masked (which some kernels turn into NaN).
            mask = real[:, None, None, :longest] | torch.eye(
                longest, dtype=torch.bool, device=device
            )
        caches = decoder.new_caches(batch, longest + max_new_tokens)
        logits = decoder(ids, caches, mask)  # prefill: one pass over every prompt token
        vocab = logits.shape[-1]
        seen = torch.zeros(batch, vocab, dtype=torch.bool, device=device)
        for i, row in enumerate(rows):
            seen[i, torch.tensor(row, device=device)] = True
        done = [False] * batch
        for step in range(max_new_tokens):
            next_ids = settings.pick(logits, seen)  # (B,)
            pieces = []
            for i, token in enumerate(next_ids.tolist()):
                if done[i]:
                    pieces.append("")
                    continue
                if token in end_ids:
                    done[i] = True
                    pieces.append(texts[i].finish())
                    continue
                piece = texts[i].add(token)
                done[i] = texts[i].stopped
                pieces.append(piece)
            last = step == max_new_tokens - 1
            if last or all(done):
                yield [
                    p + ("" if done[i] else t.finish())
                    for i, (p, t) in enumerate(zip(pieces, texts, strict=True))
                ]
                return
            yield pieces
            seen.scatter_(1, next_ids[:, None], True)
            step_mask = real[:, None, None, : longest + step + 1] if padded else None
            logits = decoder(next_ids[:, None], caches, step_mask)
    finally:
        if was_training:
            model.train()


class TextStream:
    """One row's new tokens as text: what is settled so far, and the stop strings.

    :meth:`add` takes a token and returns the text that can no longer change: it holds
    back a trailing incomplete UTF-8 character and a tail that may begin a stop string.
    ``stopped`` turns True when a stop string appears; the text then ends before it.
    The pieces :meth:`add` and :meth:`finish` return join to ``text``.
    """

    def __init__(self, tokenizer: Tokenizer, stops: list[str]) -> None:
        self.tokenizer, self.stops = tokenizer, stops
        self.ids: list[int] = []
        self.sent = 0  # characters handed out
        self.text = ""
        self.stopped = False

    def add(self, token: int) -> str:
        """Take one token; return the newly settled text."""
        self.ids.append(token)
        self.text = self.tokenizer.decode(self.ids)
        found = [i for s in self.stops if (i := self.text.find(s)) != -1]
        if found:
            self.text, self.stopped = self.text[: min(found)], True
            return self.finish()
        # subtle: a token may end inside a UTF-8 character (decoded as U+FFFD so far), and
        # a tail may be the start of a stop string: both wait for the next tokens.
        settled = len(self.text.rstrip("\ufffd"))
        head = self.text[:settled]
        held = max(
            (k for stop in self.stops for k in range(1, len(stop)) if head.endswith(stop[:k])),
            default=0,
        )
        settled -= held
        return self._send(max(settled, self.sent))

    def finish(self) -> str:
        """The rest of the text: generation ended."""
        return self._send(len(self.text))

    def _send(self, upto: int) -> str:
        piece = self.text[self.sent : upto]
        self.sent = max(self.sent, upto)
        return piece


def _join(steps: Iterator[list[str]], rows: int) -> list[str]:
    texts = [""] * rows
    for pieces in steps:
        texts = [t + p for t, p in zip(texts, pieces, strict=True)]
    return texts


# --- prompts and settings -------------------------------------------------------------------


def _is_messages(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and bool(value)
        and all(isinstance(m, dict) for m in value)
    )


def _is_batch(value: Any) -> bool:
    """A list of prompts (strings or message lists), not one prompt."""
    if isinstance(value, str) or _is_messages(value):
        return False
    if isinstance(value, Sequence):
        return True
    raise TypeError(
        "prompt_or_messages must be a string, a list of chat messages ({'role': ..., "
        f"'content': ...}}), or a list of those, got {type(value).__name__}"
    )


def prompt_ids(tokenizer: Tokenizer, prompt: Any, index: int | None = None) -> list[int]:
    """The token ids of a prompt string, or of chat messages rendered by the chat template
    with the assistant's header at the end. ``index`` names the prompt in errors.

    Raises:
        TypeError: ``prompt`` is neither. ValueError: it encodes to no tokens.
    """
    where = "" if index is None else f" (prompt {index})"
    if _is_messages(prompt):
        text = tokenizer.apply_chat_template(list(prompt), add_generation_prompt=True)
        assert isinstance(text, str)  # tokenize=False
    elif isinstance(prompt, str):
        text = prompt
    else:
        raise TypeError(
            f"a prompt must be a string or a list of chat messages{where}, got "
            f"{type(prompt).__name__}"
        )
    ids = tokenizer.encode(text)
    if not ids:
        raise ValueError(f"the prompt is empty{where}; give the model at least one token")
    return ids


def end_ids(tokenizer: Tokenizer) -> set[int]:
    """The ids that end generation: the tokenizer's ``eos_token`` and :data:`END_OF_TURN`."""
    names = set(END_OF_TURN) | ({tokenizer.eos_token} if tokenizer.eos_token else set())
    return {tokenizer.special_tokens[n] for n in names if n in tokenizer.special_tokens}


def _stop_strings(stop: str | Sequence[str] | None) -> list[str]:
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    if not all(isinstance(s, str) and s for s in stops):
        raise ValueError(f"stop must be a non-empty string or a list of them, got {stop!r}")
    return stops


def _check_settings(
    max_new_tokens: int,
    temperature: float,
    top_k: int | None,
    top_p: float | None,
    repetition_penalty: float,
    seed: int | None,
) -> None:
    def is_int(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    check_sampling(max_new_tokens, temperature, top_k)
    if top_p is not None and (not isinstance(top_p, int | float) or not 0 < top_p <= 1):
        raise ValueError(f"top_p must be in (0, 1] or None, got {top_p!r}")
    if not isinstance(repetition_penalty, int | float) or not repetition_penalty > 0:
        raise ValueError(
            f"repetition_penalty must be a number > 0 (1: none), got {repetition_penalty!r}"
        )
    if seed is not None and not is_int(seed):
        raise ValueError(f"seed must be an int or None, got {seed!r}")
