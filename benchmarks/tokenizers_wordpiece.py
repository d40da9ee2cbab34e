"""Benchmark: our WordPiece (BERT uncased) against Hugging Face ``tokenizers``, same text.

Both encode the same lines: Tiny Shakespeare and the SMS Spam Collection (or the first
``--lines``). First the ids are compared (they must be equal, line by line); then each side
is timed with ``timeit``, best of ``--repeat`` runs, in this one process:

- ours: a fresh tokenizer per run (loaded before the clock starts), so its word cache
  is filled inside the run;
- tokenizers, one ``encode`` call per line: the same work shape as ours;
- tokenizers, ``encode_batch``: Rust over all lines at once, on every core it may use.

The table prints lines per second and the ratio ours / tokenizers of the times (above 1:
ours is slower). ``--name llama2`` runs the same comparison on our SentencePiece-style BPE.

Measured (2 CPUs, quiet, tokenizers 0.23.3, all 45,574 lines, same ids on both):
bert-uncased ours 87,600 lines/s, 0.9x the time of tokenizers' per-line ``encode``
(74,800 lines/s) and 1.2x its ``encode_batch`` (103,100 lines/s); llama2 ours 99,600
lines/s, 1.0x per-line ``encode`` (103,400) and 1.5x ``encode_batch`` (148,500). Before
llama2 cut its lines into ``"▁word"`` pieces and remembered them, it ran at 24,000
lines/s, 3.1x the time of per-line ``encode`` (measured with another job running).

Run it with::

    uv run python benchmarks/tokenizers_wordpiece.py                  # about 30 s
    uv run python benchmarks/tokenizers_wordpiece.py --name llama2 --lines 20000
"""

from __future__ import annotations

import argparse
import os
import timeit
from collections.abc import Callable

import tokenizers
from tokenizers import Tokenizer as HFTokenizer

from nlpjourney import data
from nlpjourney.data import corpora
from nlpjourney.tokenizers import load

FILES = {
    "bert-uncased": lambda: data.path("all_minilm_l6_v2") / "tokenizer.json",
    "llama2": lambda: data.path("llama2_tokenizer") / "tokenizer.json",
}


def best_seconds(run: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs: the least disturbed by other work."""
    return min(timeit.repeat(run, number=1, repeat=repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="bert-uncased", choices=list(FILES))
    parser.add_argument("--lines", type=int, default=0, help="first N lines (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side")
    args = parser.parse_args()

    lines = data.path("tinyshakespeare").read_text(encoding="utf-8").splitlines()
    lines += [text for text, _label in corpora.sms_spam()]
    if args.lines:
        lines = lines[: args.lines]
    theirs = HFTokenizer.from_file(str(FILES[args.name]()))
    theirs.no_truncation()  # the all-MiniLM file truncates to 128 and pads
    theirs.no_padding()

    # Same answer first: a fast wrong tokenizer is not worth timing.
    expected = [e.ids for e in theirs.encode_batch(lines, add_special_tokens=True)]
    assert load(args.name).encode_batch(lines, add_special_tokens=True) == expected
    n_tokens = sum(map(len, expected))
    print(f"{args.name}: {len(lines):,} lines, {n_tokens:,} tokens, same ids; best of "
          f"{args.repeat}; tokenizers {tokenizers.__version__}, {os.cpu_count()} CPUs")  # fmt: skip

    # A fresh tokenizer per timed run, loaded beforehand: filling its word cache is part
    # of the timed work, reading the file is not.
    fresh = [load(args.name) for _ in range(args.repeat)]

    def ours() -> list[list[int]]:
        return fresh.pop().encode_batch(lines, add_special_tokens=True)

    def theirs_each() -> list[list[int]]:
        return [theirs.encode(line).ids for line in lines]

    def theirs_batch() -> list[list[int]]:
        return [e.ids for e in theirs.encode_batch(lines)]

    t_each = best_seconds(theirs_each, args.repeat)
    t_batch = best_seconds(theirs_batch, args.repeat)
    t_ours = best_seconds(ours, args.repeat)
    print(f"{'encoder':<26} {'lines/s':>10} {'ours/them':>10}")
    print(f"{'tokenizers, encode':<26} {len(lines) / t_each:>10,.0f} {t_ours / t_each:>10.1f}")
    print(
        f"{'tokenizers, encode_batch':<26} {len(lines) / t_batch:>10,.0f} {t_ours / t_batch:>10.1f}"
    )
    print(f"{'ours':<26} {len(lines) / t_ours:>10,.0f} {'':>10}")


if __name__ == "__main__":
    main()
