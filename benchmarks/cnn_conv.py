"""Benchmark: our conv1d (unfold + matmul) against torch.nn.functional.conv1d.

At the sizes of text models: Kim's classifier (a batch of 50 sentences of 30 words, 300
or 128 input channels, 100 filters of widths 3, 4, 5) and a character CNN (1,600 words
of 20 characters, 30 channels, 50 filters of width 3, padding 1). For each, the forward
pass alone and forward + backward (gradients of the input, weight and bias), best of
``--repeat`` runs each, the two sides taking turns; it prints the milliseconds and the
ratio ours / torch (below 1: ours is faster). It also checks the two agree.

Run it with::

    uv run python benchmarks/cnn_conv.py              # one thread
    uv run python benchmarks/cnn_conv.py --threads 2
"""

from __future__ import annotations

import argparse

import torch
from _timing import best_of

from nlpjourney.cnn import conv1d

#: (name, batch, in channels, length, filters, width, padding)
CASES = [
    ("Kim, E=300, w=3", 50, 300, 30, 100, 3, 0),
    ("Kim, E=300, w=5", 50, 300, 30, 100, 5, 0),
    ("Kim, E=128, w=4", 50, 128, 30, 100, 4, 0),
    ("char CNN, w=3", 1600, 30, 20, 50, 3, 1),
    ("word CNN, w=3", 32, 150, 40, 200, 3, 1),
]


def run_case(name: str, shape: tuple[int, ...], repeat: int) -> None:
    """Print the forward and forward + backward times of one case, ours beside torch's."""
    batch, c_in, length, c_out, k, padding = shape
    x = torch.randn(batch, c_in, length, requires_grad=True)
    weight = torch.randn(c_out, c_in, k, requires_grad=True)
    bias = torch.randn(c_out, requires_grad=True)
    upstream = torch.randn(batch, c_out, length + 2 * padding - k + 1)
    sides = (conv1d, torch.nn.functional.conv1d)
    torch.testing.assert_close(*(f(x, weight, bias, padding=padding) for f in sides),
                               rtol=1e-4, atol=1e-3)  # fmt: skip
    with torch.no_grad():
        times = best_of(repeat, *(lambda f=f: f(x, weight, bias, padding=padding) for f in sides))
    print(f"{name:<18} {'forward':<9} {1e3 * times[0]:>8.2f} {1e3 * times[1]:>9.2f} "
          f"{times[0] / times[1]:>6.2f}")  # fmt: skip
    times = best_of(repeat, *(
        lambda f=f: torch.autograd.grad(f(x, weight, bias, padding=padding), [x, weight, bias],
                                        upstream)
        for f in sides
    ))  # fmt: skip
    print(f"{name:<18} {'fwd+bwd':<9} {1e3 * times[0]:>8.2f} {1e3 * times[1]:>9.2f} "
          f"{times[0] / times[1]:>6.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"threads {args.threads}, best of {args.repeat}")
    print(f"{'case':<18} {'pass':<9} {'ours ms':>8} {'torch ms':>9} {'ratio':>6}")
    for name, *shape in CASES:
        run_case(name, tuple(shape), args.repeat)


if __name__ == "__main__":
    main()
