"""Benchmark: our GGUF dequantization against the ``gguf`` package's, on SmolLM2's file.

Both sides decode every tensor of SmolLM2-135M-Instruct's Q4_1 GGUF (210 Q4_1
matrices, the Q8_0 token embedding, 61 F32 norms) to float32, in this one process:

- ours: ``GGUFFile(path).tensor(name)`` for each tensor (a memory-mapped file, decoded
  a cache-sized chunk at a time);
- gguf: ``gguf.quants.dequantize(tensor.data, tensor.tensor_type)`` over
  ``GGUFReader(path).tensors``.

First every tensor is compared (they must be equal bit for bit); then each side is
timed with ``timeit``, best of ``--repeat`` runs, per ggml type and in all. The ratio
is ours / gguf of the times (below 1: ours is faster). Opening the file (metadata and
tensor descriptions) is timed apart, once.

Run it with::

    uv run python benchmarks/data_gguf.py              # about 30 s
    uv run python benchmarks/data_gguf.py --repeat 5
"""

from __future__ import annotations

import argparse
import os
import time
import timeit
from collections.abc import Callable
from importlib.metadata import version

import numpy as np
from gguf import GGUFReader
from gguf import quants as gguf_quants

from nlpjourney import data
from nlpjourney.data.gguf import GGUFFile


def best_seconds(run: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs: the least disturbed by other work."""
    return min(timeit.repeat(run, number=1, repeat=repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side")
    args = parser.parse_args()

    path = data.path("smollm2_135m_instruct")
    start = time.perf_counter()
    ours = GGUFFile(path)
    open_ours = time.perf_counter() - start
    start = time.perf_counter()
    reader = GGUFReader(path)
    open_theirs = time.perf_counter() - start

    # Same answer first: a fast wrong decoder is not worth timing.
    for tensor in reader.tensors:
        expected = gguf_quants.dequantize(tensor.data, tensor.tensor_type)
        got = ours.tensor(tensor.name)
        assert got.dtype == expected.dtype and np.array_equal(
            got.view(np.uint32), expected.view(np.uint32)
        ), tensor.name
    n_values = sum(t.n_elements for t in ours.tensors.values())
    print(
        f"{path.name}: {len(reader.tensors)} tensors, {n_values:,} values, equal bit for "
        f"bit; best of {args.repeat}; gguf {version('gguf')}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"open (metadata, tensor descriptions): ours {open_ours:.3f} s, "
          f"GGUFReader {open_theirs:.3f} s")  # fmt: skip

    by_type: dict[str, list] = {}
    for tensor in reader.tensors:
        by_type.setdefault(tensor.tensor_type.name, []).append(tensor)
    by_type["all"] = list(reader.tensors)
    print(f"{'type':>6} {'tensors':>8} {'ours s':>8} {'gguf s':>8} {'ours/gguf':>10}")
    for name, tensors in by_type.items():

        def run_ours(tensors: list = tensors) -> None:
            for t in tensors:
                ours.tensor(t.name)

        def run_theirs(tensors: list = tensors) -> None:
            for t in tensors:
                gguf_quants.dequantize(t.data, t.tensor_type)

        mine, theirs = best_seconds(run_ours, args.repeat), best_seconds(run_theirs, args.repeat)
        print(f"{name:>6} {len(tensors):>8} {mine:>8.3f} {theirs:>8.3f} {mine / theirs:>9.2f}x")
    ours.close()


if __name__ == "__main__":
    main()
