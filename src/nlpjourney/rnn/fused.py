"""The fast path of the recurrent layers: the same equations, fewer and larger operations.

Provisional version: the input projection of all time steps is one matmul, and each
step does one matmul for all its gates.

Reference: the readable steps of :mod:`nlpjourney.rnn.cells` and torch's layers.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["run_direction"]


def run_direction(
    mode: str,
    x: Tensor,
    state: tuple[Tensor, ...],
    weights: Sequence[Tensor | None],
    reverse: bool,
    keep: Tensor | None,
) -> tuple[Tensor, tuple[Tensor, ...]]:
    """One direction of one layer over x (T, B, I); see ``layers._Recurrent._direction``."""
    w_ih, w_hh, b_ih, b_hh = weights
    size = w_hh.shape[1]
    if mode == "GRU":
        xp = F.linear(x, w_ih, b_ih)
    else:
        xp = F.linear(x, w_ih, None if b_ih is None else b_ih + b_hh)
    w_hh_t = w_hh.t()
    outputs: list[Tensor] = [x] * x.shape[0]
    for t in reversed(range(x.shape[0])) if reverse else range(x.shape[0]):
        h = state[0]
        if mode == "LSTM":
            gates = torch.addmm(xp[t], h, w_hh_t)
            i, f, g, o = gates.chunk(4, 1)
            c = torch.sigmoid(f) * state[1] + torch.sigmoid(i) * torch.tanh(g)
            new: tuple[Tensor, ...] = (torch.sigmoid(o) * torch.tanh(c), c)
        elif mode == "GRU":
            gh = F.linear(h, w_hh, b_hh)
            rz = torch.sigmoid(xp[t, :, : 2 * size] + gh[:, : 2 * size])
            r, z = rz[:, :size], rz[:, size:]
            n = torch.tanh(xp[t, :, 2 * size :] + r * gh[:, 2 * size :])
            new = (n + z * (h - n),)
        else:
            pre = torch.addmm(xp[t], h, w_hh_t)
            new = (torch.tanh(pre) if mode == "RNN_TANH" else torch.relu(pre),)
        if keep is not None:
            new = tuple(torch.where(keep[t], n, s) for n, s in zip(new, state, strict=True))
            outputs[t] = new[0].masked_fill(~keep[t], 0.0)
        else:
            outputs[t] = new[0]
        state = new
    return torch.stack(outputs), state
