"""Benchmark: our attention (matmul + softmax, and blockwise) against torch's fused SDPA.

Shapes are a small GPT's: B=12 sequences, H=4 heads of D=32 dims, causal, T from 64 to
1024, float32. Each function runs forward *and* backward (the training step's cost);
the three outputs and gradients are checked equal first. Times are the best of
``--repeat`` runs in this one process; the ratio is ours / torch (below 1: ours faster).

Memory: the bytes each function keeps saved for the backward pass, measured exactly with
``torch.autograd.graph.saved_tensors_hooks`` (unique storages). That is what grows with
T: plain attention keeps the (B, H, T, T) weights, blockwise only q, k, v, the output and
one log-sum-exp per query. On CUDA the peak allocated memory is printed too.

Measured on the shared 2-core development machine (torch 2.15 CPU, ``--threads 1``,
best of 5; with 2 threads the other developers' jobs made ratios swing 2-3x):

    T      64    128   256   512   1024    (2048, 2 threads)
    ours   1.7x  2.0x  2.0x  6.3x  8.0x    6.1x   the time of torch's fused kernel
    block  1.8x  3.0x  2.2x  2.9x  3.0x    5.9x
    saved for backward at T=2048: torch 48 MB, blockwise 48 MB, ours 2345 MB

Run it with::

    uv run python benchmarks/nn_attention.py                    # CPU, about a minute
    uv run python benchmarks/nn_attention.py --lengths 64 4096  # long T: the memory gap
    uv run python benchmarks/nn_attention.py --threads 1        # steadier on a busy machine
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable

import torch
import torch.nn.functional as F

from nlpjourney.nn import attention as A

Fn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


def functions(block_size: int) -> dict[str, Fn]:
    return {
        "torch": lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
        "ours": lambda q, k, v: A.scaled_dot_product_attention(q, k, v, is_causal=True),
        "blockwise": lambda q, k, v: A.blockwise_attention(q, k, v, block_size, is_causal=True),
    }


def step(fn: Fn, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, grad: torch.Tensor) -> None:
    """One forward and backward pass."""
    out = fn(q, k, v)
    torch.autograd.grad(out, (q, k, v), grad)
    if q.is_cuda:
        torch.cuda.synchronize()


def best_seconds(
    fn: Fn, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, grad: torch.Tensor, repeat: int
) -> float:
    """The fastest of ``repeat`` steps: the least disturbed by other work.

    Three warm-up steps first: torch's fused kernel is ~50x slower on its first calls.
    """
    for _ in range(3):
        step(fn, q, k, v, grad)
    return min(timeit.repeat(lambda: step(fn, q, k, v, grad), number=1, repeat=repeat))


def saved_bytes(fn: Fn, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> int:
    """Bytes of the distinct storages autograd keeps for the backward of ``fn(q, k, v)``."""
    storages: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(q, k, v)
    return sum(storages.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[64, 128, 256, 512, 1024])
    parser.add_argument("--batch", type=int, default=12)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--head-dim", type=int, default=32)
    parser.add_argument("--block-size", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per function")
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads (0: torch's default)"
    )
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)  # one thread: steadier ratios on a shared machine

    fns = functions(args.block_size)
    print(
        f"B={args.batch} H={args.heads} D={args.head_dim} causal float32 on {args.device}, "
        f"block {args.block_size}, forward+backward, best of {args.repeat}; torch "
        f"{torch.__version__}, {torch.get_num_threads()} threads"
    )
    print(
        f"{'T':>5} {'torch ms':>9} {'ours ms':>8} {'ours/torch':>10} {'block ms':>9} "
        f"{'block/torch':>11} {'saved MB: torch':>15} {'ours':>7} {'block':>7}"
    )
    gen = torch.Generator().manual_seed(0)
    for seq_len in args.lengths:
        shape = (args.batch, args.heads, seq_len, args.head_dim)
        q, k, v = (
            torch.randn(shape, generator=gen).to(args.device).requires_grad_() for _ in range(3)
        )
        grad = torch.randn(shape, generator=gen).to(args.device)
        # Same answer first: a fast wrong function is not worth timing.
        reference = fns["torch"](q, k, v)
        reference_grads = torch.autograd.grad(reference, (q, k, v), grad)
        for name in ("ours", "blockwise"):
            out = fns[name](q, k, v)
            torch.testing.assert_close(out, reference, rtol=1e-4, atol=1e-5)
            for g, e in zip(
                torch.autograd.grad(out, (q, k, v), grad), reference_grads, strict=True
            ):
                torch.testing.assert_close(g, e, rtol=1e-4, atol=1e-4)
        times = {name: best_seconds(fn, q, k, v, grad, args.repeat) for name, fn in fns.items()}
        saved = {name: saved_bytes(fn, q, k, v) / 2**20 for name, fn in fns.items()}
        print(
            f"{seq_len:>5} {times['torch'] * 1e3:>9.1f} {times['ours'] * 1e3:>8.1f} "
            f"{times['ours'] / times['torch']:>10.2f} {times['blockwise'] * 1e3:>9.1f} "
            f"{times['blockwise'] / times['torch']:>11.2f} {saved['torch']:>15.1f} "
            f"{saved['ours']:>7.1f} {saved['blockwise']:>7.1f}"
        )
        if args.device.startswith("cuda"):
            peaks = {}
            for name, fn in fns.items():
                torch.cuda.reset_peak_memory_stats()
                step(fn, q, k, v, grad)
                peaks[name] = torch.cuda.max_memory_allocated() / 2**20
            print("      peak CUDA MB: " + ", ".join(f"{n} {p:.1f}" for n, p in peaks.items()))


if __name__ == "__main__":
    main()
