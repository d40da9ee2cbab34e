"""Benchmark: our Tensor engine against PyTorch (CPU, eager) on an MLP training step, and
a digits classifier trained in our engine.

1. One SGD step of a 64 -> 512 -> 512 -> 10 ReLU MLP with cross-entropy on a batch of 256
   scikit-learn digits, float32, in both engines. Same answer first: both start from the
   same weights, and the loss and every updated weight must agree. Then each step is
   timed (best of ``--repeat`` runs of ``--steps`` steps) and the ratio ours / torch is
   printed (above 1: ours is slower).
2. The same MLP trained in our engine with ``nlpjourney.optim.Adam`` until the held-out
   accuracy reaches ``--target`` (97%); prints epochs, accuracy and wall time.

Timings are noisy on a shared machine; the best of several runs is the least disturbed.

Run it with::

    uv run python benchmarks/autograd_tensor.py             # about 30 s
    uv run python benchmarks/autograd_tensor.py --steps 20 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import time
import timeit
from collections.abc import Callable

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from nlpjourney.autograd import Tensor, nn, no_grad
from nlpjourney.autograd import functional as F
from nlpjourney.optim import Adam

SIZES = (64, 512, 512, 10)


def our_mlp(seed: int) -> nn.Sequential:
    nn.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(SIZES[0], SIZES[1]),
        nn.ReLU(),
        nn.Linear(SIZES[1], SIZES[2]),
        nn.ReLU(),
        nn.Linear(SIZES[2], SIZES[3]),
    )


def torch_mlp() -> torch.nn.Sequential:
    return torch.nn.Sequential(
        torch.nn.Linear(SIZES[0], SIZES[1]),
        torch.nn.ReLU(),
        torch.nn.Linear(SIZES[1], SIZES[2]),
        torch.nn.ReLU(),
        torch.nn.Linear(SIZES[2], SIZES[3]),
    )


def our_step(model: nn.Sequential, x: np.ndarray, y: np.ndarray, lr: float) -> float:
    model.zero_grad()
    loss = F.cross_entropy(model(Tensor(x)), y)
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad  # in place: plain SGD
    return loss.item()


def torch_step(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, lr: float) -> float:
    model.zero_grad(set_to_none=True)
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    return loss.item()


def best_seconds(run: Callable[[], object], repeat: int, number: int) -> float:
    """The fastest of ``repeat`` runs of ``number`` calls, per call."""
    return min(timeit.repeat(run, number=number, repeat=repeat)) / number


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    with no_grad():
        return float((model(Tensor(x)).data.argmax(axis=1) == y).mean())


def train_digits(x_train, y_train, x_test, y_test, target: float, seed: int, max_epochs: int):
    """Train our MLP with our Adam until the test accuracy reaches ``target``."""
    rng = np.random.default_rng(seed)
    model = our_mlp(seed)
    optimizer = Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for epoch in range(1, max_epochs + 1):
        order = rng.permutation(len(x_train))
        for i in range(0, len(order), 64):
            batch = order[i : i + 64]
            model.zero_grad()
            F.cross_entropy(model(Tensor(x_train[batch])), y_train[batch]).backward()
            optimizer.step()
        acc = accuracy(model, x_test, y_test)
        if acc >= target:
            return epoch, acc, time.perf_counter() - start
    return max_epochs, acc, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50, help="training steps per timed run")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per engine")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--target", type=float, default=0.97, help="digits test accuracy")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, default=0, help="threads for both engines (0: torch's default)"
    )
    args = parser.parse_args()
    # The same number of threads for NumPy's BLAS and for torch, so neither engine wins by
    # using more cores; 1 is the steadiest on a machine other programs are also using.
    threads = args.threads or torch.get_num_threads()
    torch.set_num_threads(threads)
    with threadpool_limits(limits=threads, user_api="blas"):
        run(args, threads)


def run(args: argparse.Namespace, threads: int) -> None:

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.2, random_state=args.seed, stratify=y
    )
    print(f"digits: {len(x_train)} train, {len(x_test)} test; MLP {SIZES}, float32; "
          f"torch {torch.__version__}, numpy {np.__version__}; {threads} threads each, "
          f"{os.cpu_count()} CPUs")  # fmt: skip

    # Same answer first: identical weights, one step each, compare loss and new weights.
    ours, theirs = our_mlp(args.seed), torch_mlp()
    theirs.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in ours.state_dict().items()})
    batch = np.random.default_rng(args.seed).choice(len(x_train), args.batch, replace=False)
    xb, yb = x_train[batch], y_train[batch]
    xt, yt = torch.from_numpy(xb), torch.from_numpy(yb)
    loss_ours, loss_theirs = our_step(ours, xb, yb, 0.1), torch_step(theirs, xt, yt, 0.1)
    assert abs(loss_ours - loss_theirs) < 1e-5, (loss_ours, loss_theirs)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), atol=1e-5)
    print(f"same answer: loss {loss_ours:.6f} (ours) vs {loss_theirs:.6f} (torch), "
          "updated weights equal to 1e-5")  # fmt: skip

    t_ours = best_seconds(lambda: our_step(ours, xb, yb, 0.01), args.repeat, args.steps)
    t_torch = best_seconds(lambda: torch_step(theirs, xt, yt, 0.01), args.repeat, args.steps)
    print(f"{'engine':<8} {'ms/step':>9} {'ours/torch':>11}   (batch {args.batch}, best of "
          f"{args.repeat} x {args.steps} steps)")  # fmt: skip
    print(f"{'torch':<8} {t_torch * 1e3:>9.2f} {1.0:>11.2f}")
    print(f"{'ours':<8} {t_ours * 1e3:>9.2f} {t_ours / t_torch:>11.2f}")

    epochs, acc, seconds = train_digits(
        x_train, y_train, x_test, y_test, args.target, args.seed, max_epochs=100
    )
    print(f"digits in our engine (Adam, batch 64): {acc:.2%} test accuracy after {epochs} "
          f"epochs in {seconds:.1f} s wall time")  # fmt: skip


if __name__ == "__main__":
    main()
