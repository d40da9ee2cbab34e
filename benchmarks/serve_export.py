"""Benchmark: writing SmolLM2-135M-Instruct for other servers, ours against the reference writers.

The model is read once (``nlpjourney.models.load``, float32); then each side writes the
same float32 weights, in this one process, the sides taking turns (best of ``--repeat``):

- safetensors: our :func:`~nlpjourney.serve.export.write_safetensors` over
  :func:`~nlpjourney.serve.export.file_tensors` (Hugging Face names, q/k/v split from our
  stacked projection, tensors made one at a time) against ``safetensors.torch.save_file``
  given the same named tensors already made and contiguous in memory;
- GGUF: our :func:`~nlpjourney.serve.export_files.write_gguf_model` (tensors made one at
  a time, q/k rows permuted for llama.cpp) against the ``gguf`` package's ``GGUFWriter``
  given the same metadata and the same arrays already made.

Before timing, the files are checked: the GGUF files must be equal byte for byte, and the
safetensors files must hold equal tensors (``safe_open``). The ratio is ours / theirs of
the times (below 1: ours is faster); both write ~540 MB, so both are mostly bound by the
disk and memory bandwidth. Our sides also make their tensors, theirs do not; the
"+ making" row gives ``save_file`` that work too (the tensors made as ours are, then saved).

Run it with::

    uv run python benchmarks/serve_export.py            # about a minute
    uv run python benchmarks/serve_export.py --repeat 3 --dir /tmp
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import numpy as np
import torch
from _timing import best_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.gguf_reference import write_with_gguf_package  # noqa: E402

from nlpjourney.serve.export import file_tensors, read_source, write_safetensors  # noqa: E402
from nlpjourney.serve.export_files import gguf_metadata, write_gguf_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side")
    parser.add_argument("--dir", type=Path, default=None, help="where the files go (a temp dir)")
    args = parser.parse_args()
    from safetensors import safe_open
    from safetensors.torch import save_file

    source = read_source("smollm2-135m-instruct")
    hf = {name: make().contiguous() for name, _, make in file_tensors(source.model, "hf")}
    metadata = gguf_metadata(source, "float32")
    arrays = [(name, make().numpy()) for name, _, make in file_tensors(source.model, "gguf")]
    n_bytes = sum(t.numel() * 4 for t in hf.values())
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        root = Path(folder)
        ours_st, theirs_st = root / "ours.safetensors", root / "theirs.safetensors"
        ours_gguf, theirs_gguf = root / "ours.gguf", root / "theirs.gguf"

        def our_safetensors() -> None:
            write_safetensors(ours_st, file_tensors(source.model, "hf"), "float32", False)

        def their_safetensors() -> None:
            save_file(hf, theirs_st, metadata={"format": "pt"})

        def their_safetensors_made() -> None:  # the whole job: tensors made too
            made = {name: make().contiguous() for name, _, make in file_tensors(source.model, "hf")}
            save_file(made, theirs_st, metadata={"format": "pt"})

        def our_gguf() -> None:
            write_gguf_model(source, ours_gguf, metadata, "float32", False)

        def their_gguf() -> None:
            write_with_gguf_package(theirs_gguf, metadata, arrays)

        # Same answer first.
        our_safetensors(), their_safetensors(), our_gguf(), their_gguf()
        assert ours_gguf.read_bytes() == theirs_gguf.read_bytes(), "GGUF files differ"
        with safe_open(ours_st, "pt") as mine, safe_open(theirs_st, "pt") as theirs:
            assert set(mine.keys()) == set(theirs.keys()) == set(hf)
            for key in hf:
                assert torch.equal(mine.get_tensor(key), theirs.get_tensor(key)), key
        print(
            f"SmolLM2-135M-Instruct, {len(hf)} tensors, {n_bytes / 1e6:,.0f} MB float32; "
            f"equal files; best of {args.repeat}; safetensors {version('safetensors')}, "
            f"gguf {version('gguf')}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
            f"load {os.getloadavg()[0]:.2f}"
        )
        print(f"{'format':>12} {'ours s':>8} {'theirs s':>9} {'ours/theirs':>12}")
        for name, ours, theirs in (
            ("safetensors", our_safetensors, their_safetensors),
            ("+ making", our_safetensors, their_safetensors_made),
            ("gguf", our_gguf, their_gguf),
        ):
            mine, reference = best_of(args.repeat, ours, theirs)
            print(f"{name:>12} {mine:>8.2f} {reference:>9.2f} {mine / reference:>11.2f}x")


if __name__ == "__main__":
    main()
