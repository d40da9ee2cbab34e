"""Benchmark: our byte-level BPE trainer against Hugging Face ``tokenizers``' BpeTrainer.

The corpus is about ``--mb`` MB of mixed English written to a temporary file: Tiny
Shakespeare, the State of the Union addresses, the inaugural addresses, NLTK's web text,
the SMS messages and movie reviews, in that order (repeated only when ``--mb`` asks for
more than they hold, about 14 MB; each repeat changes some words, see
:func:`grow_corpus`, so the table of distinct pre-tokens keeps growing as real text does).

Both trainers read the same file (line by line, the way ``tokenizers`` reads files) and
train to ``--vocab`` tokens with the same split pattern; ``tokenizers`` uses every core
(its Rayon threads) and so do we (worker processes for counting). First the merge lists
are compared (the number of equal merges is printed, and must be all of them); then each
trainer is timed, best of ``--repeat`` runs in this one process, and the table prints
seconds, MB/s and the ratio ours / tokenizers (below 1: ours is faster).

Peak memory of ours is measured in a separate run in a fresh process: its peak resident
set (``ru_maxrss``: the interpreter, the pre-token table and the merge structures) and
that of its largest counting worker.

Run it with::

    uv run python benchmarks/tokenizers_bpe_trainer.py                 # 10 MB, about 30 s
    uv run python benchmarks/tokenizers_bpe_trainer.py --mb 100 --repeat 1 --skip-hf-check
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import tempfile
import time
import timeit
from collections.abc import Callable
from multiprocessing.queues import Queue
from pathlib import Path

import regex
import tokenizers
from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers

from nlpjourney.data import corpora, path
from nlpjourney.tokenizers.bpe_trainer import count_pretokens, learn_merges
from nlpjourney.tokenizers.byte_level import PATTERNS, text_to_bytes

Merges = list[tuple[bytes, bytes]]


def base_corpus() -> str:
    """About 14 MB of mixed English from the data registry."""
    parts = [path("tinyshakespeare").read_text(encoding="utf-8")]
    for name in ("state_union", "inaugural", "webtext"):
        parts += corpora.plain_texts(name).values()
    parts += [text for text, _ in corpora.sms_spam()]
    parts += [text for text, _ in corpora.movie_reviews()]
    return "\n".join(parts)


def grow_corpus(text: str, n_bytes: int, seed: int = 0) -> str:
    """``text`` cut or repeated to about ``n_bytes``; in each repeat one word in ten gets
    one to three random letters added, so new distinct words keep appearing."""
    pieces = [text]
    size = len(text.encode("utf-8"))
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def vary(match: regex.Match[str]) -> str:
        word = match.group()
        if rng.random() < 0.1:
            return word + "".join(rng.choice(letters) for _ in range(rng.randint(1, 3)))
        return word

    while size < n_bytes:
        copy = regex.sub(r"\p{L}+", vary, text)
        pieces.append(copy)
        size += len(copy.encode("utf-8"))
    data = "\n".join(pieces).encode("utf-8")[:n_bytes]
    return data[: data.rfind(b"\n") + 1].decode("utf-8")


def hf_train(file: Path, vocab_size: int, pattern: str) -> Merges:
    tokenizer = Tokenizer(models.BPE())
    if pattern == "gpt2":
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    else:
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(PATTERNS.get(pattern, pattern)), "isolated"),
                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
            ]
        )
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train([str(file)], trainer)
    merges = json.loads(tokenizer.to_str())["model"]["merges"]
    pairs = [m if isinstance(m, list) else m.split(" ") for m in merges]
    return [(text_to_bytes(a), text_to_bytes(b)) for a, b in pairs]


def our_train(file: Path, vocab_size: int, pattern: str) -> Merges:
    return learn_merges(count_pretokens(file, pattern, progress=False), vocab_size)


def best_seconds(run: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs: the least disturbed by other work."""
    return min(timeit.repeat(run, number=1, repeat=repeat))


def peak_rss_mb() -> float:
    """This process's peak resident set in MB.

    subtle: on Linux, ``ru_maxrss`` survives ``exec``: a process started from a big
    parent inherits the parent's peak. ``VmHWM`` belongs to this process's own memory
    map, so it is read first.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _measure(file: Path, vocab_size: int, pattern: str, results: Queue) -> None:
    start = time.perf_counter()
    counts = count_pretokens(file, pattern, progress=False)
    counted = time.perf_counter()
    learn_merges(counts, vocab_size)
    merged = time.perf_counter()
    own = peak_rss_mb()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results.put((counted - start, merged - counted, own, workers))


def peak_memory(file: Path, vocab_size: int, pattern: str) -> tuple[float, ...]:
    """Train once in a fresh process: (counting s, merging s, its peak RSS MB, its
    largest counting worker's peak RSS MB). Fresh, so neither the corpus text made here
    nor tokenizers' memory is counted."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_measure, args=(file, vocab_size, pattern, results))
    process.start()
    measured = results.get()
    process.join()
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10, help="corpus size in MB")
    parser.add_argument("--vocab", type=int, default=8192, help="vocabulary size")
    parser.add_argument("--pattern", default="gpt2", help="gpt2, gpt4 or a regex")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per trainer")
    parser.add_argument(
        "--skip-hf-check", action="store_true", help="no tokenizers run (memory and our time)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "corpus.txt"
        file.write_text(grow_corpus(base_corpus(), int(args.mb * 1e6)), encoding="utf-8")
        size_mb = file.stat().st_size / 1e6
        print(
            f"corpus: {size_mb:.1f} MB, vocab {args.vocab}, pattern {args.pattern}, "
            f"{os.cpu_count()} cores; best of {args.repeat}; tokenizers {tokenizers.__version__}"
        )
        ours = our_train(file, args.vocab, args.pattern)
        rows = []
        if not args.skip_hf_check:
            theirs = hf_train(file, args.vocab, args.pattern)
            equal = sum(1 for a, b in zip(ours, theirs, strict=False) if a == b)
            print(f"merges: ours {len(ours)}, tokenizers {len(theirs)}, equal {equal}")
            assert ours == theirs, "the merge lists differ"
            t_hf = best_seconds(lambda: hf_train(file, args.vocab, args.pattern), args.repeat)
            rows.append(("tokenizers", t_hf))
        t_ours = best_seconds(lambda: our_train(file, args.vocab, args.pattern), args.repeat)
        rows.append(("ours", t_ours))
        print(f"{'trainer':<12} {'seconds':>8} {'MB/s':>7} {'ours/tokenizers':>16}")
        for name, seconds in rows:
            ratio = f"{seconds / rows[0][1]:.2f}" if not args.skip_hf_check else "-"
            print(f"{name:<12} {seconds:>8.2f} {size_mb / seconds:>7.2f} {ratio:>16}")

        count_s, merge_s, own_mb, workers_mb = peak_memory(file, args.vocab, args.pattern)
        print(
            f"ours in a fresh process: counting {count_s:.2f} s, merging {merge_s:.2f} s; "
            f"peak RSS {own_mb:.0f} MB, largest counting worker {workers_mb:.0f} MB"
        )


if __name__ == "__main__":
    main()
