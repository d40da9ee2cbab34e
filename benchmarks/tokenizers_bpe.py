"""Benchmark: GPT-2 byte-level BPE encoding, ours vs tiktoken vs Hugging Face tokenizers.

All three encode the same ~10 MB of text with GPT-2's vocabulary (built offline from the
registry's ``encoder.json`` / ``vocab.bpe``), each on one thread (``RAYON_NUM_THREADS=1``
is set before ``tokenizers`` loads; tiktoken's ``encode_ordinary`` is single-threaded).
First the ids are compared (they must be equal); then each is timed, best of
``--repeat`` runs, in this one process.

The texts (``--text``):

- ``mixed`` (default): Tiny Shakespeare, the SMS spam messages and Multi30k's English,
  German and French training captions, one after another (7.6 MB), repeated to ~10 MB;
- ``shakespeare``: Tiny Shakespeare (1.1 MB) repeated 9 times.

Ours runs twice: "cold" is a fresh tokenizer per timed run (its cache of words starts
empty and fills during the run), "warm" encodes with a tokenizer that has seen the text
once. The table prints MB/s and our speed relative to each peer (above 1: ours faster).
With ``--unit lines`` every encoder runs in a plain loop over the lines (tiktoken's
``encode_ordinary_batch`` starts a thread pool per call, 10 times slower on one thread).

Measured on a shared 2-core machine, best of 3, MB/s (ours cold / ours warm / tiktoken /
tokenizers), with another job running (load 1-1.8, so +/- 10 %):

- shakespeare, whole text: 14.6 / 25.8 / 18.9 / 1.7: ours 0.78x / 1.37x tiktoken;
- mixed, whole text: 9.7 / 21.9 / 19.7 / 1.6: ours 0.49x / 1.11x tiktoken, 6x / 14x HF
  (quiet machine, load 0.1-0.5, best of 5: 10.7 / 24.0 / 21.9 / 1.8: 0.49x / 1.09x);
- mixed, by lines: 7.4 / 14.8 / 15.3 / 3.0: ours 0.49x / 0.97x tiktoken.

Again after ``load_gpt2`` took tiktoken's rule (a piece that is a token is that token,
no merging; ``ignore_merges``), mixed, whole text, quiet machine, best of 5, three runs:
10.5 / 22.6 / 21.6 / 1.7, 9.5 / 19.9 / 20.5 / 1.6 and 9.5 / 20.0 / 21.2 / 1.6: ours
0.45x-0.49x cold, 0.94x-1.05x warm against tiktoken. The cold figure moves by 10% from
run to run on this machine, more than the rule saved (5% in one process, A/B).

A cold run pays in Python, once, for each distinct piece (58,455 in the mixed text, about
4 us of merging each) and each distinct space-led segment (128,201, half of them a line's
last word and the next line's first, found as two cache hits); after that a segment costs
one dict look-up.

Run it with::

    uv run python benchmarks/tokenizers_bpe.py                   # ~1 minute
    uv run python benchmarks/tokenizers_bpe.py --text shakespeare --unit lines
"""

from __future__ import annotations

import os

os.environ["RAYON_NUM_THREADS"] = "1"  # must precede the first import of tokenizers
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import argparse  # noqa: E402
import json  # noqa: E402
import timeit  # noqa: E402
from collections.abc import Callable  # noqa: E402

import tiktoken  # noqa: E402
import tokenizers  # noqa: E402
from tokenizers import Tokenizer as HFTokenizer  # noqa: E402
from tokenizers import models, pre_tokenizers  # noqa: E402

from nlpjourney import data  # noqa: E402
from nlpjourney.data import corpora  # noqa: E402
from nlpjourney.tokenizers.bpe import load_gpt2  # noqa: E402
from nlpjourney.tokenizers.byte_level import text_to_bytes  # noqa: E402

TARGET_BYTES = 10_000_000


def corpus(kind: str) -> str:
    """About 10 MB of text: ``"mixed"`` registry text or ``"shakespeare"``."""
    shakespeare = data.path("tinyshakespeare").read_text(encoding="utf-8")
    if kind == "shakespeare":
        return shakespeare * 9
    parts = [shakespeare, "\n".join(text for text, _label in corpora.sms_spam())]
    parts += ["\n".join(corpora.multi30k("train", lang)) for lang in ("en", "de", "fr")]
    text = "\n".join(parts)
    size = len(text.encode())
    return text * (TARGET_BYTES // size) + text[: (TARGET_BYTES % size)]


def peers() -> tuple[tiktoken.Encoding, HFTokenizer]:
    """tiktoken's GPT-2 encoding and tokenizers' GPT-2 BPE, from the registry's files."""
    folder = data.path("gpt2_tokenizer")
    encoder = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
    ranks = {text_to_bytes(t): i for t, i in encoder.items() if t != "<|endoftext|>"}
    tik = tiktoken.Encoding(
        "gpt2-offline",
        pat_str=r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s""",
        mergeable_ranks=ranks,
        special_tokens={"<|endoftext|>": 50256},
    )
    hf = HFTokenizer(models.BPE.from_file(str(folder / "encoder.json"), str(folder / "vocab.bpe")))
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    return tik, hf


def best_seconds(run: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs: the least disturbed by other work."""
    return min(timeit.repeat(run, number=1, repeat=repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", choices=["mixed", "shakespeare"], default="mixed")
    parser.add_argument(
        "--unit", choices=["text", "lines"], default="text",
        help="encode the whole text in one call, or line by line (batch calls)",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tokenizer")
    args = parser.parse_args()

    folder = data.path("gpt2_tokenizer")

    def fresh():
        return load_gpt2(folder / "encoder.json", folder / "vocab.bpe")

    text = corpus(args.text)
    megabytes = len(text.encode()) / 1e6
    tik, hf = peers()
    warm = fresh()
    if args.unit == "text":
        runs = {
            "ours, cold": lambda: fresh().encode_ordinary(text),
            "ours, warm": lambda: warm.encode_ordinary(text),
            "tiktoken": lambda: tik.encode_ordinary(text),
            "HF tokenizers": lambda: hf.encode(text).ids,
        }
    else:
        lines = text.splitlines(keepends=True)

        def by_line(encode: Callable[[str], list[int]]) -> list[list[int]]:
            return [encode(line) for line in lines]

        runs = {
            "ours, cold": lambda: by_line(fresh().encode_ordinary),
            "ours, warm": lambda: by_line(warm.encode_ordinary),
            "tiktoken": lambda: by_line(tik.encode_ordinary),
            "HF tokenizers": lambda: [e.ids for e in hf.encode_batch(lines)],
        }
    # Same answer first: a fast wrong tokenizer is not worth timing.
    expected = runs["tiktoken"]()
    for name, run in runs.items():
        assert run() == expected, f"{name} differs from tiktoken"

    print(
        f"{args.text} text, {megabytes:.1f} MB, by {args.unit}; best of {args.repeat}; "
        f"tiktoken {tiktoken.__version__}, tokenizers {tokenizers.__version__}, one thread"
    )
    seconds = {name: best_seconds(run, args.repeat) for name, run in runs.items()}
    print(f"{'encoder':<14} {'seconds':>8} {'MB/s':>7} {'vs tiktoken':>12} {'vs HF':>7}")
    for name, s in seconds.items():
        print(
            f"{name:<14} {s:>8.2f} {megabytes / s:>7.2f} "
            f"{seconds['tiktoken'] / s:>12.2f} {seconds['HF tokenizers'] / s:>7.2f}"
        )


if __name__ == "__main__":
    main()
