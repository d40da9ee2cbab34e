"""CoNLL-2003 English NER with the neural taggers: entity F1 on eng.testa, time, speed.

Trains :class:`~nlpjourney.tagging.BertTagger` (fine-tuned all-MiniLM-L6-v2) or
:class:`~nlpjourney.tagging.BiLSTMCRF` on eng.train (IOB1 tags converted to IOB2),
picks the best epoch on eng.testa, and prints per-epoch loss, dev F1 (scored by
seqeval, the reference, beside our own count), seconds and pieces/s.

    python benchmarks/tagging_ner_neural.py --model bert --epochs 2 --batch-size 16 --lr 1e-4
    python benchmarks/tagging_ner_neural.py --model bilstm-crf --epochs 8 --threads 1
    python benchmarks/tagging_ner_neural.py --model bert --train 400 --dev 100 --epochs 1  # a look

On a machine shared with other jobs, ``--threads 1`` is much faster than 2: torch's two
threads wait for each other whenever either is descheduled.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from nlpjourney.data import corpora


def iob1_to_iob2(tags: list[str]) -> list[str]:
    """IOB1 (B- only between two same-type entities) to IOB2 (B- opens every entity)."""
    out = []
    for i, tag in enumerate(tags):
        if tag.startswith("I-"):
            before = out[i - 1] if i else "O"
            if before == "O" or before[2:] != tag[2:]:
                tag = "B-" + tag[2:]
        out.append(tag)
    return out


def split(name: str, limit: int | None) -> tuple[list[list[str]], list[list[str]]]:
    rows = [s for s in corpora.conll2003(name) if s and s[0][0] != "-DOCSTART-"]
    rows = rows[:limit] if limit else rows
    return [[r[0] for r in s] for s in rows], [iob1_to_iob2([r[3] for r in s]) for s in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["bert", "bilstm-crf"], default="bert")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train", type=int, default=None, help="use only the first N sentences")
    parser.add_argument(
        "--dev", type=int, default=None, help="score only the first N testa sentences"
    )
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=None, help="folder for loss.png")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from seqeval.metrics import f1_score

    from nlpjourney import tagging

    words, tags = split("train", args.train)
    dev_words, dev_tags = split("testa", args.dev)
    tagger = tagging.BertTagger() if args.model == "bert" else tagging.BiLSTMCRF()
    if args.lr is not None:
        tagger.lr = args.lr
    if args.batch_size is not None:
        tagger.batch_size = args.batch_size
    started = time.perf_counter()
    cpu = [time.process_time()]  # CPU seconds at the start and after each epoch

    def report(record: dict[str, float]) -> None:
        cpu.append(time.process_time())
        print(
            f"epoch {record['epoch']:.0f}: {record}, {time.perf_counter() - started:.0f} s so far",
            flush=True,
        )

    tagger.fit(
        words,
        tags,
        dev=(dev_words, dev_tags),
        epochs=args.epochs,
        device=args.device,
        out=args.out,
        on_epoch=report,
    )
    wall = time.perf_counter() - started
    predicted = tagger.predict(dev_words)
    print(
        f"{args.model}: {len(words)} training sentences, {sum(map(len, words))} words, {args.threads} threads"
    )
    # pieces/s: WordPiece pieces (BERT) or words (BiLSTM-CRF) per wall second of training;
    # CPU s: the process's CPU seconds for the epoch, dev scoring included (on a shared
    # machine the wall time is mostly waiting, the CPU time is the work).
    unit = "pieces/s" if args.model == "bert" else "words/s"
    print(f"{'epoch':>5} {'loss':>8} {'dev F1 (ours)':>14} {'seconds':>8} {unit:>9} {'CPU s':>7}")
    for r, cpu_s in zip(tagger.history_, np.diff(cpu), strict=True):
        print(
            f"{r['epoch']:>5} {r['loss']:>8.4f} {100 * r.get('dev', float('nan')):>14.2f} "
            f"{r['seconds']:>8.0f} {r['tokens_per_s']:>9.0f} {cpu_s:>7.0f}"
        )
    print(
        f"best epoch {tagger.best_epoch_}; testa entity F1 (seqeval) {100 * f1_score(dev_tags, predicted):.2f}; "
        f"fit wall time {wall:.0f} s (dev scoring included)"
    )


if __name__ == "__main__":
    main()
