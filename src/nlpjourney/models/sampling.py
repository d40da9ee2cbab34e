"""Choosing the next token from logits, and the checks every generate loop makes first.

:func:`check_sampling` refuses a bad ``max_new_tokens``, ``temperature`` or ``top_k`` with
one clear message; :func:`sample_next` picks one token per row: the most likely at
temperature 0, else a draw from the softmax of the logits divided by the temperature,
among the ``top_k`` most likely when given. The GPT, the Llama, the character RNN and
:func:`nlpjourney.infer.generate` all decode through these two, so a setting means the
same thing in each.

Reference: the sampling of nanoGPT's ``generate`` (temperature, then top-k, then a
multinomial draw).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

__all__ = ["check_sampling", "sample_next", "temperature_scaled"]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_sampling(max_new_tokens: Any, temperature: Any, top_k: Any) -> None:
    """Refuse settings no generate loop can use.

    Raises:
        ValueError: ``max_new_tokens`` not an int >= 0, ``temperature`` not a number >= 0,
            or ``top_k`` neither None nor a positive int.

    >>> check_sampling(10, 0.8, None)
    >>> check_sampling(10, -1, None)
    Traceback (most recent call last):
    ...
    ValueError: temperature must be a number >= 0 (0: greedy), got -1
    """
    if not _is_int(max_new_tokens) or max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be an int >= 0, got {max_new_tokens!r}")
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise ValueError(f"temperature must be a number >= 0 (0: greedy), got {temperature!r}")
    if not temperature >= 0:  # also refuses NaN
        raise ValueError(f"temperature must be a number >= 0 (0: greedy), got {temperature!r}")
    if top_k is not None and (not _is_int(top_k) or top_k < 1):
        raise ValueError(f"top_k must be a positive int or None, got {top_k!r}")


def sample_next(
    logits: Tensor,
    temperature: float,
    top_k: int | None = None,
    generator: torch.Generator | None = None,
) -> Tensor:
    """One token id per row of ``logits``: greedy at temperature 0, else a draw.

    Shapes:
        logits (B, V) -> (B, 1).
    """
    scaled = temperature_scaled(logits.float(), temperature)
    if scaled is None:
        return logits.argmax(dim=-1, keepdim=True)
    logits = scaled
    if top_k is not None and top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]  # (B, 1)
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = torch.softmax(logits, dim=-1)  # (B, V)
    return torch.multinomial(probs, num_samples=1, generator=generator)


def temperature_scaled(logits: Tensor, temperature: float) -> Tensor | None:
    """``logits / temperature``, ready for a softmax; None when sampling is greedy.

    Greedy is a temperature of 0, or one below the smallest normal number of the logits'
    type, which is 0 in that type (x / 0 would be nan). Each row is shifted so its best is
    0 before the division: a tiny temperature then sends the others to -inf, where
    dividing first would make inf - inf = nan inside the softmax.

    Shapes:
        logits (..., V) -> (..., V).

    Example:
        >>> temperature_scaled(torch.tensor([1.0, 3.0]), 1e-300) is None
        True
        >>> temperature_scaled(torch.tensor([1.0, 3.0]), 0.5).tolist()
        [-4.0, 0.0]
    """
    if temperature < torch.finfo(logits.dtype).tiny:
        return None
    return (logits - logits.amax(dim=-1, keepdim=True)) / temperature
