"""Benchmark: one training step of our LSTM, GRU and RNN layers against torch's.

The size of the character-level language model of topic 3.3: a batch of 64 sequences of
100 steps, a 64-dimensional embedding in, 512 hidden units, 1 and 2 layers, float32.
One step is what training does: forward, a loss over every output, backward (input,
weights and biases), and an SGD update of every parameter. Both layers hold the same
weights; their outputs and gradients are checked equal before anything is timed.

Columns: torch's time, our fused path's (``fused=True``, the default) and its ratio,
then our readable path's (``fused=False``: a cell step gate by gate, autograd through
every step) and its ratio. Times are the best of ``--repeat`` steps, the two sides
taking turns; a ratio below 1 means ours is faster.

What it measured on the 2-core development machine is in the README's records table,
with the command. On a machine busy with other work, ``--threads 1`` gives steadier
ratios: two threads that wait on each other at every kernel slow ours (more, smaller
kernels) more than torch's.

Run it with::

    uv run python benchmarks/rnn_layers.py                 # about 2-4 minutes on CPU
    uv run python benchmarks/rnn_layers.py --threads 1     # steadier on a busy machine
    uv run python benchmarks/rnn_layers.py --kinds lstm --layers 1 --no-readable
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import torch
from _timing import best_of
from torch import nn

from nlpjourney.rnn import GRU, LSTM, RNN

KINDS = {"lstm": (LSTM, nn.LSTM), "gru": (GRU, nn.GRU), "rnn": (RNN, nn.RNN)}


def training_step(
    module: nn.Module, x: torch.Tensor, weights: torch.Tensor, lr: float = 1e-3
) -> Callable[[], None]:
    """A closure running one forward + backward + SGD step of ``module`` on ``x``."""

    def step() -> None:
        output, _ = module(x)
        loss = (output * weights).sum()
        loss.backward()
        with torch.no_grad():
            for param in module.parameters():
                param.add_(param.grad, alpha=-lr)
                param.grad = None
        x.grad = None
        if x.is_cuda:
            torch.cuda.synchronize()

    return step


def check_equal(ours: nn.Module, theirs: nn.Module, x: torch.Tensor, weights: torch.Tensor) -> None:
    """Same output and gradients (a fast wrong layer is not worth timing)."""
    grads = []
    for module in (ours, theirs):
        x_in = x.detach().clone().requires_grad_()
        output, _ = module(x_in)
        (output * weights).sum().backward()
        grads.append([output.detach(), x_in.grad, *(p.grad for p in module.parameters())])
        module.zero_grad(set_to_none=True)
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", nargs="+", choices=sorted(KINDS), default=["lstm", "gru", "rnn"])
    parser.add_argument("--layers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100, help="time steps per sequence")
    parser.add_argument("--input", type=int, default=64, help="input (embedding) size")
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=5, help="timed steps per side")
    parser.add_argument("--no-readable", action="store_true", help="skip the readable path")
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads (0: torch's default)"
    )
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(
        f"batch {args.batch}, {args.steps} steps, input {args.input}, hidden {args.hidden}, "
        f"float32 on {args.device}; forward + backward + SGD, best of {args.repeat}; "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
    print(
        f"{'layer':<6} {'layers':>6} {'torch ms':>9} {'fused ms':>9} {'fused/torch':>11} "
        f"{'readable ms':>11} {'readable/torch':>14}"
    )
    gen = torch.Generator().manual_seed(0)
    for kind in args.kinds:
        ours_class, theirs_class = KINDS[kind]
        for layers in args.layers:
            theirs = theirs_class(args.input, args.hidden, num_layers=layers).to(args.device)
            fused = ours_class(args.input, args.hidden, num_layers=layers).to(args.device)
            readable = ours_class(args.input, args.hidden, num_layers=layers, fused=False)
            readable = readable.to(args.device)
            fused.load_state_dict(theirs.state_dict())
            readable.load_state_dict(theirs.state_dict())
            shape = (args.steps, args.batch, args.input)
            x = torch.randn(shape, generator=gen).to(args.device).requires_grad_()
            weights = torch.randn(args.steps, args.batch, args.hidden, generator=gen)
            weights = weights.to(args.device)
            check_equal(fused, theirs, x, weights)
            steps = {
                name: training_step(module, x, weights)
                for name, module in (("torch", theirs), ("fused", fused), ("readable", readable))
            }
            for step in steps.values():  # warm up: first calls allocate and dispatch slowly
                step()
            fused_s, torch_s = best_of(args.repeat, steps["fused"], steps["torch"])
            line = (
                f"{kind:<6} {layers:>6} {torch_s * 1e3:>9.0f} {fused_s * 1e3:>9.0f} "
                f"{fused_s / torch_s:>11.2f}"
            )
            if not args.no_readable:
                readable_s, torch_again = best_of(args.repeat, steps["readable"], steps["torch"])
                torch_s = min(torch_s, torch_again)
                line += f" {readable_s * 1e3:>11.0f} {readable_s / torch_s:>14.2f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
