"""RNN, LSTM and GRU cells written from their equations: one time step each.

A cell reads one input ``x`` (B, I) and the previous state and returns the next state.
With ``W_ih`` (G*H, I), ``W_hh`` (G*H, H) holding the ``G`` gates' weights stacked in
torch's order, and ``sigma`` the logistic sigmoid:

Elman RNN (G = 1)::

    h' = tanh(W_ih x + b_ih + W_hh h + b_hh)              (or relu instead of tanh)

LSTM (G = 4, gate order i, f, g, o)::

    i = sigma(W_ii x + b_ii + W_hi h + b_hi)              input gate: how much to write
    f = sigma(W_if x + b_if + W_hf h + b_hf)              forget gate: how much to keep
    g = tanh(W_ig x + b_ig + W_hg h + b_hg)               the candidate to write
    o = sigma(W_io x + b_io + W_ho h + b_ho)              output gate: how much to show
    c' = f * c + i * g                                    the cell: additive, so its
    h' = o * tanh(c')                                     gradient survives many steps

GRU (G = 3, gate order r, z, n)::

    r = sigma(W_ir x + b_ir + W_hr h + b_hr)              reset gate
    z = sigma(W_iz x + b_iz + W_hz h + b_hz)              update gate
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))         candidate; r inside, as torch
    h' = (1 - z) * n + z * h

The step functions (:func:`rnn_step`, :func:`lstm_step`, :func:`gru_step`) take the
weights as arguments, so the layers of :mod:`nlpjourney.rnn.layers` run the same code
with their own per-layer parameters. They compute each gate by its own matmul, as the
equations read; :mod:`nlpjourney.rnn.fused` is the fast version.

Parameters are named, shaped and initialised (uniform in ``±1/sqrt(hidden_size)``) like
torch's, so ``LSTMCell(...).load_state_dict(torch.nn.LSTMCell(...).state_dict())`` works.

Reference: ``torch.nn.RNNCell``, ``torch.nn.LSTMCell`` and ``torch.nn.GRUCell``, checked
on values and gradients in ``tests/rnn/test_cells.py``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["GRUCell", "LSTMCell", "RNNCell", "gru_step", "lstm_step", "rnn_step"]

NONLINEARITIES = ("tanh", "relu")


def rnn_step(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
    nonlinearity: str = "tanh",
) -> Tensor:
    """One Elman RNN step: ``h' = act(W_ih x + b_ih + W_hh h + b_hh)``.

    Shapes: x (B, I), h (B, H), w_ih (H, I), w_hh (H, H), biases (H,) -> h' (B, H).
    """
    pre = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)
    return torch.tanh(pre) if nonlinearity == "tanh" else torch.relu(pre)


def _gate(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
    k: int,
) -> Tensor:
    """Gate ``k``'s pre-activation ``W_ik x + b_ik + W_hk h + b_hk`` from its rows of the
    stacked weights (each gate owns ``hidden_size`` consecutive rows)."""
    rows = slice(k * w_hh.shape[1], (k + 1) * w_hh.shape[1])
    return F.linear(x, w_ih[rows], None if b_ih is None else b_ih[rows]) + F.linear(
        h, w_hh[rows], None if b_hh is None else b_hh[rows]
    )


def lstm_step(
    x: Tensor,
    h: Tensor,
    c: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
) -> tuple[Tensor, Tensor]:
    """One LSTM step, gate by gate (order i, f, g, o).

    Shapes: x (B, I), h and c (B, H), w_ih (4H, I), w_hh (4H, H), biases (4H,)
    -> (h', c'), each (B, H).
    """
    i = torch.sigmoid(_gate(x, h, w_ih, w_hh, b_ih, b_hh, 0))
    f = torch.sigmoid(_gate(x, h, w_ih, w_hh, b_ih, b_hh, 1))
    g = torch.tanh(_gate(x, h, w_ih, w_hh, b_ih, b_hh, 2))
    o = torch.sigmoid(_gate(x, h, w_ih, w_hh, b_ih, b_hh, 3))
    c_next = f * c + i * g
    return o * torch.tanh(c_next), c_next


def gru_step(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
) -> Tensor:
    """One GRU step, gate by gate (order r, z, n).

    Shapes: x (B, I), h (B, H), w_ih (3H, I), w_hh (3H, H), biases (3H,) -> h' (B, H).
    """
    size = w_hh.shape[1]
    r = torch.sigmoid(_gate(x, h, w_ih, w_hh, b_ih, b_hh, 0))
    z = torch.sigmoid(_gate(x, h, w_ih, w_hh, b_ih, b_hh, 1))
    rows = slice(2 * size, 3 * size)
    # subtle: the reset gate multiplies W_hn h + b_hn, bias included (torch's and cuDNN's
    # form), not h before the matmul as in Cho et al. (2014).
    n = torch.tanh(
        F.linear(x, w_ih[rows], None if b_ih is None else b_ih[rows])
        + r * F.linear(h, w_hh[rows], None if b_hh is None else b_hh[rows])
    )
    return (1 - z) * n + z * h


class _Cell(nn.Module):
    """What the three cells share: torch's parameters, their initialisation, checks."""

    gates: int = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        rows = self.gates * hidden_size
        factory = {"device": device, "dtype": dtype}
        self.weight_ih = nn.Parameter(torch.empty(rows, input_size, **factory))
        self.weight_hh = nn.Parameter(torch.empty(rows, hidden_size, **factory))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(rows, **factory))
            self.bias_hh = nn.Parameter(torch.empty(rows, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter uniform in ``±1/sqrt(hidden_size)``, as torch does."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            nn.init.uniform_(param, -bound, bound)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")

    def _prepare(self, input: Tensor, hx: Tensor | None) -> tuple[Tensor, Tensor, bool]:
        """Input as (B, I) and the state as (B, H) (zeros when absent); was it unbatched?"""
        if not isinstance(input, Tensor):
            raise TypeError(f"input must be a tensor, got {type(input).__name__}")
        if input.dim() not in (1, 2) or input.shape[-1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__} expects input of shape (batch, {self.input_size}) "
                f"or ({self.input_size},), got {tuple(input.shape)}"
            )
        unbatched = input.dim() == 1
        if unbatched:
            input = input.unsqueeze(0)
        if hx is None:
            return input, input.new_zeros(input.shape[0], self.hidden_size), unbatched
        expected = (self.hidden_size,) if unbatched else (input.shape[0], self.hidden_size)
        if tuple(hx.shape) != expected:
            raise ValueError(
                f"{type(self).__name__}: the state must have shape {expected} for input "
                f"{tuple(input.shape)}, got {tuple(hx.shape)}"
            )
        return input, hx.unsqueeze(0) if unbatched else hx, unbatched


class RNNCell(_Cell):
    """An Elman RNN cell, ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)``, like torch's.

    Args:
        input_size: Features of each input ``x``.
        hidden_size: Features of the state ``h``.
        bias: Whether to add ``b_ih`` and ``b_hh``.
        nonlinearity: ``"tanh"`` or ``"relu"``.

    Shapes: ``forward(input (B, I) or (I,), hx (B, H) or (H,) or None) -> h' (B, H)``.

    Example:
        >>> cell = RNNCell(3, 2)
        >>> cell(torch.zeros(5, 3)).shape
        torch.Size([5, 2])
    """

    gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, unbatched = self._prepare(input, hx)
        h = rnn_step(
            x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity
        )
        return h.squeeze(0) if unbatched else h


class LSTMCell(_Cell):
    """An LSTM cell (gates i, f, g, o; see the module docstring), like torch's.

    Shapes: ``forward(input (B, I), hx=(h (B, H), c (B, H)) or None) -> (h', c')``;
    unbatched (I,) input takes and returns (H,) states.

    Example:
        >>> cell = LSTMCell(3, 2)
        >>> h, c = cell(torch.zeros(5, 3))
        >>> h.shape, c.shape
        (torch.Size([5, 2]), torch.Size([5, 2]))
    """

    gates = 4

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        if hx is not None and (not isinstance(hx, tuple | list) or len(hx) != 2):
            raise ValueError("LSTMCell's hx must be a pair (h, c) of tensors, or None")
        x, h, unbatched = self._prepare(input, None if hx is None else hx[0])
        c = self._prepare(input, None if hx is None else hx[1])[1]
        h, c = lstm_step(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(_Cell):
    """A GRU cell (gates r, z, n; see the module docstring), like torch's.

    Shapes: ``forward(input (B, I) or (I,), hx (B, H) or (H,) or None) -> h' (B, H)``.

    Example:
        >>> cell = GRUCell(3, 2)
        >>> cell(torch.zeros(5, 3)).shape
        torch.Size([5, 2])
    """

    gates = 3

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, unbatched = self._prepare(input, hx)
        h = gru_step(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h.squeeze(0) if unbatched else h
