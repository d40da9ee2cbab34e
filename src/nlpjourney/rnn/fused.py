"""The fast path of the recurrent layers: the same equations, fewer and larger operations.

The readable layers run the cell of :mod:`nlpjourney.rnn.cells` step by step, one matmul
per gate, and let autograd record every operation of every step. Here one direction of
one layer is a single :class:`torch.autograd.Function` with its backward through time
written out:

- forward: the input projection of all ``T`` steps is one matmul,
  ``x (T*B, I) @ W_ih^T + b`` (T, B, G*H); each step then adds ``h @ W_hh^T`` for all
  its gates in place (one matmul), applies the gates' nonlinearities in place and writes
  the new state straight into a (T+1, B, H) buffer of states, which is also the output.
  Nothing is copied per step.
- backward: going back through time, each step applies the chain rule through its
  equations (``sigma' = s (1 - s)`` and ``tanh' = 1 - t^2`` from the saved activations)
  in a handful of elementwise products on (B, H) blocks, and does one matmul,
  ``dgates (B, G*H) @ W_hh``, for the gradient of the previous state. The gradients of
  the weights, biases and the input, sums over all steps, are each one large matmul
  over the stacked (T*B, G*H) gate gradients, not ``T`` small ones.

Variable lengths follow the readable path: where ``keep[t]`` is False a sequence's state
passes through the step unchanged and its output is zero, so its gradient passes back
unchanged too.

Only plain torch tensor operations are used (``addmm``, ``sigmoid_``, ``mul``...), none
of torch's recurrent kernels (``torch._VF.lstm``, ``lstm_cell``, oneDNN's fused RNN that
``torch.nn.LSTM`` runs on CPU), so it runs on any device and dtype.
``benchmarks/rnn_layers.py`` times it against ``torch.nn.LSTM``/``GRU``/``RNN``. Its backward is once differentiable (no double backward);
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
    """``x (T, B, I) @ weight^T + bias`` as one matmul -> (T, B, rows), a fresh tensor."""
    flat = x.reshape(-1, x.shape[-1])
    out = flat @ weight.t() if bias is None else torch.addmm(bias, flat, weight.t())
    return out.view(x.shape[0], x.shape[1], -1)


def _sig_grad(s: Tensor) -> Tensor:
    """The sigmoid's derivative from its value: ``s (1 - s)``."""
    return s * (1 - s)


def _tanh_grad(t: Tensor) -> Tensor:
    """The tanh's derivative from its value: ``1 - t^2``."""
    return 1 - t * t


class _Recurrence(torch.autograd.Function):
    """One direction of one RNN, LSTM or GRU layer, forward and backward through time.

    Arguments: ``mode`` ("LSTM", "GRU", "RNN_TANH", "RNN_RELU"), ``reverse``, ``keep``
    (T, B, 1) bool or None, ``x`` (T, B, I), ``h0`` (B, H), ``c0`` (B, H) or None, then
    the weights ``w_ih`` (G*H, I), ``w_hh`` (G*H, H), ``b_ih``, ``b_hh`` (G*H,) or None.
    Returns ``(output (T, B, H), h_n)``, plus ``c_n`` for the LSTM.

    Buffers are indexed by time. The state before step ``t`` is ``S[t + r]`` and after
    it ``S[t + 1 - r]``, with ``r = 1`` going backward (which starts from ``S[T]``), so
    one (T+1, B, H) buffer holds the initial state, every step's output and the
    previous states the backward needs.
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
        r = int(reverse)
        if mode == "GRU":  # b_hh stays inside the step: r multiplies W_hn h + b_hn
            acts = _project(x, w_ih, b_ih)
        else:
            acts = _project(x, w_ih, None if b_ih is None else b_ih + b_hh)
        # acts becomes each step's gate activations, in place.
        w_hh_t = w_hh.t()
        states = x.new_empty(time + 1, batch, size)
        states[time * r] = h0
        # LSTM: the cells (T+1, B, H) and tanh(c') (T, B, H); GRU: W_h h + b_h (T, B, 3H).
        if mode == "LSTM":
            extra = [x.new_empty(time + 1, batch, size), x.new_empty(time, batch, size)]
            extra[0][time * r] = c0
        elif mode == "GRU":
            extra = [x.new_empty(time, batch, 3 * size)]
        else:
            extra = []
        for t in reversed(range(time)) if reverse else range(time):
            prev, new, a = t + r, t + 1 - r, acts[t]
            h = states[prev]
            if mode == "LSTM":
                cells, tanh_c = extra
                a.addmm_(h, w_hh_t)
                a[:, : 2 * size].sigmoid_()  # i, f
                a[:, 2 * size : 3 * size].tanh_()  # g
                a[:, 3 * size :].sigmoid_()  # o
                i, f, g, o = a.chunk(4, dim=1)
                torch.mul(f, cells[prev], out=cells[new]).addcmul_(i, g)  # c' = f c + i g
                torch.mul(o, torch.tanh(cells[new], out=tanh_c[t]), out=states[new])
                if keep is not None:
                    torch.where(keep[t], cells[new], cells[prev], out=cells[new])
            elif mode == "GRU":
                gh = extra[0][t]
                if b_hh is None:
                    torch.mm(h, w_hh_t, out=gh)
                else:
                    torch.addmm(b_hh, h, w_hh_t, out=gh)
                a[:, : 2 * size].add_(gh[:, : 2 * size]).sigmoid_()  # r, z
                r_gate, z, n = a.chunk(3, dim=1)
                n.addcmul_(r_gate, gh[:, 2 * size :]).tanh_()  # n
                torch.sub(h, n, out=states[new]).mul_(z).add_(n)  # (1 - z) n + z h
            else:
                a.addmm_(h, w_hh_t)
                if mode == "RNN_TANH":
                    torch.tanh(a, out=states[new])
                else:
                    torch.clamp(a, min=0, out=states[new])
            if keep is not None:  # finished sequences keep their state
                torch.where(keep[t], states[new], h, out=states[new])
        output = states[1 - r : time + 1 - r]
        if keep is not None:
            output = output * keep
        ctx.mode, ctx.reverse, ctx.keep = mode, reverse, keep
        ctx.has_bias = b_ih is not None
        ctx.save_for_backward(x, w_ih, w_hh, acts, states, *extra)
        # Copies: the final states are views of saved buffers, and a caller's in-place
        # change to h_n must not reach them.
        finals = [states[time * (1 - r)].clone()]
        if mode == "LSTM":
            finals.append(extra[0][time * (1 - r)].clone())
        return (output, *finals)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, d_output: Tensor, d_h: Tensor, *d_c: Tensor) -> tuple[Any, ...]:
        mode, keep, r = ctx.mode, ctx.keep, int(ctx.reverse)
        x, w_ih, w_hh, acts, states, *extra = ctx.saved_tensors
        time, batch, size = x.shape[0], x.shape[1], w_hh.shape[1]
        h_prev = states[r : time + r]  # the state each step read
        # The gradients of the pre-activations through the input projection (d_xp) and
        # through W_hh (d_hp): the same except for the GRU's candidate n.
        d_xp = torch.empty_like(acts)
        d_hp = torch.empty_like(acts) if mode == "GRU" else d_xp
        gates = acts.view(time, batch, -1, size)  # (T, B, G, H): gate k is gates[:, :, k]
        if mode == "LSTM":
            cells, tanh_c = extra
            dc = d_c[0].clone()
        elif mode == "GRU":
            gh_n = extra[0][:, :, 2 * size :]  # what r multiplied
        dh = d_h.clone()
        # subtle: each step's factors are computed inside the loop, on (B, H) blocks that
        # sit in cache; whole-sequence passes over (T, B, H) tensors cost more than the
        # few small kernel calls they would save.
        for t in range(time) if r else reversed(range(time)):
            # Where keep[t] is False the state passed through the step unchanged and the
            # output was zero: the carried gradient skips the cell.
            g_h = dh + d_output[t]
            skip_h = None
            if keep is not None:
                skip_h = dh * ~keep[t]
                g_h.mul_(keep[t])
            d_t = d_xp[t]
            if mode == "LSTM":
                a = acts[t]
                i, f, g, o = gates[t].unbind(1)
                d_i, d_f, d_g, d_o = d_t.view(batch, 4, size).unbind(1)
                if keep is not None:
                    skip_c = dc * ~keep[t]
                    dc.mul_(keep[t])
                # dL/dc': the carried gradient plus the path through h' = o tanh(c').
                dct = dc.addcmul_(g_h, o * _tanh_grad(tanh_c[t]))
                deriv = _sig_grad(a)  # sigma' of every gate, then tanh' for g
                torch.mul(g, g, out=deriv.view(batch, 4, size)[:, 2]).neg_().add_(1)
                torch.mul(dct, g, out=d_i)  # c' = f c + i g
                torch.mul(dct, cells[t + r], out=d_f)
                torch.mul(dct, i, out=d_g)
                torch.mul(g_h, tanh_c[t], out=d_o)
                d_t.mul_(deriv)
                dc = dct * f
                if keep is not None:
                    dc.add_(skip_c)
            elif mode == "GRU":
                r_gate, z, n = gates[t].unbind(1)
                d_r, d_z, d_n = d_t.view(batch, 3, size).unbind(1)
                torch.mul(g_h, 1 - z, out=d_n).mul_(_tanh_grad(n))
                torch.mul(d_n, gh_n[t], out=d_r).mul_(_sig_grad(r_gate))
                torch.sub(h_prev[t], n, out=d_z).mul_(g_h).mul_(_sig_grad(z))
                d_hp[t, :, : 2 * size] = d_t[:, : 2 * size]
                torch.mul(d_n, r_gate, out=d_hp[t, :, 2 * size :])
                g_h.mul_(z)  # h' = (1 - z) n + z h also reads h directly
                skip_h = g_h if skip_h is None else skip_h.add_(g_h)
            elif mode == "RNN_TANH":
                torch.mul(g_h, _tanh_grad(states[t + 1 - r]), out=d_t)
            else:
                torch.mul(g_h, acts[t] > 0, out=d_t)
            dh = d_hp[t] @ w_hh if skip_h is None else torch.addmm(skip_h, d_hp[t], w_hh)

        flat_xp = d_xp.view(-1, d_xp.shape[-1])
        flat_hp = d_hp.view(-1, d_hp.shape[-1])
        needs = ctx.needs_input_grad
        d_x = (flat_xp @ w_ih).view_as(x) if needs[3] else None
        d_w_ih = flat_xp.t() @ x.reshape(-1, x.shape[-1]) if needs[6] else None
        d_w_hh = flat_hp.t() @ h_prev.reshape(-1, size) if needs[7] else None
        d_b_ih = flat_xp.sum(0) if ctx.has_bias and needs[8] else None
        d_b_hh = flat_hp.sum(0) if ctx.has_bias and needs[9] else None
        d_c0 = dc if mode == "LSTM" else None
        return None, None, None, d_x, dh, d_c0, d_w_ih, d_w_hh, d_b_ih, d_b_hh


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
