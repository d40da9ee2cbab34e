"""The fast path of the recurrent layers: the same equations, fewer and larger operations.

The readable layers run the cell of :mod:`nlpjourney.rnn.cells` step by step, one matmul
per gate, and let autograd record every operation of every step. Here one direction of
one layer is a single :class:`torch.autograd.Function` with its backward through time
written out:

- forward: the input projection of all ``T`` steps is one matmul,
  ``x (T*B, I) @ W_ih^T + b``; each step then does one matmul for all its gates,
  ``h (B, H) @ W_hh^T`` (B, G*H), and the gates' nonlinearities in place; what the
  backward needs (the gate activations, the previous states) goes into preallocated
  (T, B, ...) buffers.
- backward: going back through time, each step does its gates' derivatives (the chain
  rule through the equations of :mod:`nlpjourney.rnn.cells`) and one matmul,
  ``dgates (B, G*H) @ W_hh`` for the gradient of the previous state; the gradients of the
  weights, biases and the input, sums over all steps, are then each one large matmul
  over the stacked (T*B, G*H) gate gradients, not ``T`` small ones.

Variable lengths follow the readable path: where ``keep[t]`` is False a sequence's state
passes through the step unchanged and its output is zero, so its gradient passes back
unchanged too.

Only plain torch tensor operations are used (``addmm``, ``sigmoid_``, ``mul``...), so it
runs on any device and dtype. Its backward is once differentiable (no double backward);
use ``fused=False`` for gradients of gradients.

Reference: the readable steps of :mod:`nlpjourney.rnn.cells` and ``torch.nn.LSTM``/
``GRU``/``RNN`` (``tests/rnn/test_layers.py`` holds both to 1e-12 in float64, values and
gradients).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx, once_differentiable

__all__ = ["run_direction"]


def _project(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """``x (T, B, I) @ weight^T + bias`` as one matmul -> (T, B, rows)."""
    flat = x.reshape(-1, x.shape[-1])
    out = flat @ weight.t() if bias is None else torch.addmm(bias, flat, weight.t())
    return out.view(x.shape[0], x.shape[1], -1)


def _split_grad(
    carried: Tensor, from_output: Tensor | None, keep: Tensor | None
) -> tuple[Tensor, Tensor | None]:
    """The gradient reaching a step's new state, and the part that skips the step.

    Where ``keep`` is False the state was passed through unchanged (and the output was
    zero), so the carried gradient goes straight to the previous state and the cell sees
    none.
    """
    total = carried if from_output is None else carried + from_output
    if keep is None:
        return total, None
    return total * keep, carried * ~keep


def _add(a: Tensor, b: Tensor | None) -> Tensor:
    return a if b is None else a.add_(b)


class _Recurrence(torch.autograd.Function):
    """One direction of one RNN, LSTM or GRU layer, forward and backward through time.

    Arguments: ``mode`` ("LSTM", "GRU", "RNN_TANH", "RNN_RELU"), ``reverse``, ``keep``
    (T, B, 1) bool or None, ``x`` (T, B, I), ``h0`` (B, H), ``c0`` (B, H) or None, then
    the weights ``w_ih`` (G*H, I), ``w_hh`` (G*H, H), ``b_ih``, ``b_hh`` (G*H,) or None.
    Returns ``(output (T, B, H), h_n)``, plus ``c_n`` for the LSTM.
    """

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: FunctionCtx,
        mode: str,
        reverse: bool,
        keep: Tensor | None,
        x: Tensor,
        h0: Tensor,
        c0: Tensor | None,
        w_ih: Tensor,
        w_hh: Tensor,
        b_ih: Tensor | None,
        b_hh: Tensor | None,
    ) -> tuple[Tensor, ...]:
        time, batch, size = x.shape[0], x.shape[1], w_hh.shape[1]
        gates = w_hh.shape[0]
        if mode == "GRU":  # b_hh stays inside the step: r multiplies W_hn h + b_hn
            xp = _project(x, w_ih, b_ih)
        else:
            xp = _project(x, w_ih, None if b_ih is None else b_ih + b_hh)
        w_hh_t = w_hh.t()
        empty = {"dtype": x.dtype, "device": x.device}
        acts = torch.empty(time, batch, gates, **empty)  # each step's gate activations
        h_prev = torch.empty(time, batch, size, **empty)  # the state each step read
        output = torch.empty(time, batch, size, **empty)
        # LSTM: c_prev and tanh(c'); GRU: W_hn h + b_hn (what r multiplied).
        extra = torch.empty(2 if mode == "LSTM" else 1, time, batch, size, **empty)
        h, c = h0, c0
        for t in reversed(range(time)) if reverse else range(time):
            h_prev[t] = h
            a = acts[t]
            if mode == "LSTM":
                extra[0, t] = c
                torch.addmm(xp[t], h, w_hh_t, out=a)
                a[:, : 2 * size].sigmoid_()  # i, f
                a[:, 2 * size : 3 * size].tanh_()  # g
                a[:, 3 * size :].sigmoid_()  # o
                i, f, g, o = a.chunk(4, dim=1)
                c_new = torch.addcmul(f * c, i, g)
                h_new = o * torch.tanh(c_new, out=extra[1, t])
            elif mode == "GRU":
                gh = torch.addmm(b_hh, h, w_hh_t) if b_hh is not None else h @ w_hh_t
                extra[0, t] = gh[:, 2 * size :]
                torch.add(xp[t, :, : 2 * size], gh[:, : 2 * size], out=a[:, : 2 * size])
                a[:, : 2 * size].sigmoid_()
                r, z, n = a.chunk(3, dim=1)
                torch.addcmul(xp[t, :, 2 * size :], r, gh[:, 2 * size :], out=n).tanh_()
                h_new = torch.addcmul(n, z, h - n)  # (1 - z) n + z h
            else:
                torch.addmm(xp[t], h, w_hh_t, out=a)
                h_new = a.tanh_() if mode == "RNN_TANH" else a.relu_()
            if keep is not None:
                h_new = torch.where(keep[t], h_new, h)
                torch.mul(h_new, keep[t], out=output[t])
                if mode == "LSTM":
                    c_new = torch.where(keep[t], c_new, c)
            else:
                output[t] = h_new
            h = h_new
            if mode == "LSTM":
                c = c_new
        ctx.mode, ctx.reverse, ctx.keep = mode, reverse, keep
        ctx.has_bias = b_ih is not None
        ctx.save_for_backward(x, w_ih, w_hh, acts, h_prev, extra)
        # Copies: h may be a view of the saved activations (or h0 itself when no step
        # ran), and a caller's in-place change to h_n must not reach either.
        return (output, h.clone(), c.clone()) if mode == "LSTM" else (output, h.clone())

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, d_output: Tensor, d_h: Tensor, *d_c: Tensor) -> tuple[Any, ...]:
        mode, keep = ctx.mode, ctx.keep
        x, w_ih, w_hh, acts, h_prev, extra = ctx.saved_tensors
        time, size = x.shape[0], w_hh.shape[1]
        # Gradients of the pre-activations: through the input projection (d_xp) and
        # through W_hh (d_hp); the same except for the GRU's candidate n.
        d_xp = torch.empty_like(acts)
        d_hp = torch.empty_like(acts) if mode == "GRU" else d_xp
        dh = d_h.clone()
        dc = d_c[0].clone() if mode == "LSTM" else None
        for t in range(time) if ctx.reverse else reversed(range(time)):
            k = None if keep is None else keep[t]
            g_h, skip_h = _split_grad(dh, d_output[t], k)
            a, dx_t = acts[t], d_xp[t]
            if mode == "LSTM":
                g_c, skip_c = _split_grad(dc, None, k)
                i, f, g, o = a.chunk(4, dim=1)
                d_i, d_f, d_g, d_o = dx_t.chunk(4, dim=1)
                tanh_c = extra[1, t]
                # dL/dc' gathers the carried gradient and the path through h' = o tanh(c').
                dct = g_c + g_h * o * (1 - tanh_c * tanh_c)
                torch.mul(dct * g, i * (1 - i), out=d_i)
                torch.mul(dct * extra[0, t], f * (1 - f), out=d_f)
                torch.mul(dct * i, 1 - g * g, out=d_g)
                torch.mul(g_h * tanh_c, o * (1 - o), out=d_o)
                dc = _add(dct * f, skip_c)
            elif mode == "GRU":
                r, z, n = a.chunk(3, dim=1)
                d_r, d_z, d_n = dx_t.chunk(3, dim=1)
                torch.mul(g_h * (1 - z), 1 - n * n, out=d_n)
                torch.mul(d_n * extra[0, t], r * (1 - r), out=d_r)
                torch.mul(g_h * (h_prev[t] - n), z * (1 - z), out=d_z)
                d_hp[t, :, : 2 * size] = dx_t[:, : 2 * size]
                torch.mul(d_n, r, out=d_hp[t, :, 2 * size :])
            elif mode == "RNN_TANH":
                torch.mul(g_h, 1 - a * a, out=dx_t)
            else:
                torch.mul(g_h, a > 0, out=dx_t)
            dh = d_hp[t] @ w_hh
            if mode == "GRU":
                dh.addcmul_(g_h, z)  # h' = (1 - z) n + z h reads h directly too
            dh = _add(dh, skip_h)

        flat_xp = d_xp.view(-1, d_xp.shape[-1])
        flat_hp = d_hp.view(-1, d_hp.shape[-1])
        needs = ctx.needs_input_grad
        d_x = (flat_xp @ w_ih).view_as(x) if needs[3] else None
        d_w_ih = flat_xp.t() @ x.reshape(-1, x.shape[-1]) if needs[6] else None
        d_w_hh = flat_hp.t() @ h_prev.view(-1, size) if needs[7] else None
        d_b_ih = flat_xp.sum(0) if ctx.has_bias and needs[8] else None
        d_b_hh = flat_hp.sum(0) if ctx.has_bias and needs[9] else None
        return None, None, None, d_x, dh, dc, d_w_ih, d_w_hh, d_b_ih, d_b_hh


def run_direction(
    mode: str,
    x: Tensor,
    state: tuple[Tensor, ...],
    weights: Sequence[Tensor | None],
    reverse: bool,
    keep: Tensor | None,
) -> tuple[Tensor, tuple[Tensor, ...]]:
    """One direction of one layer over x (T, B, I) from ``state`` ((h,) or (h, c)).

    ``keep`` (T, B, 1) bool marks real steps (None: all). Returns the outputs
    (T, B, H), zero past each sequence's end, and the final state, as
    ``layers._Recurrent._direction`` does on the readable path.
    """
    w_ih, w_hh, b_ih, b_hh = weights
    c0 = state[1] if mode == "LSTM" else None
    output, *final = _Recurrence.apply(mode, reverse, keep, x, state[0], c0, w_ih, w_hh, b_ih, b_hh)
    return output, tuple(final)
