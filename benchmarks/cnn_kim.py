"""Benchmark: Kim's CNN on sentence polarity beside naive Bayes and logistic regression.

Runs :func:`nlpjourney.apps.polarity_cnn.polarity_cross_validation`: 10-fold stratified
cross-validation (shuffled, seed 0) of our Kim CNN with random embeddings, and our
multinomial naive Bayes and logistic regression on TF-IDF of words and word pairs, all on
the same folds, and prints mean ± std accuracy, the worst and best fold, and the seconds
each method took over all folds. Kim (2014) reports 76.1 % for CNN-rand on this corpus.

Run it with::

    uv run python benchmarks/cnn_kim.py                     # the full table, about 10 CPU-minutes on 1 thread
    uv run python benchmarks/cnn_kim.py --limit 2000 --folds 3 --epochs 2   # a quick look
"""

from __future__ import annotations

import argparse
import time

from nlpjourney.apps.polarity_cnn import METHODS, PolarityCVConfig, polarity_cross_validation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = PolarityCVConfig()
    parser.add_argument("--folds", type=int, default=defaults.folds)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--embedding-dim", type=int, default=defaults.embedding_dim)
    parser.add_argument(
        "--holdout",
        type=float,
        default=defaults.holdout,
        help="share of each fold's training texts held out to pick the epoch",
    )
    parser.add_argument("--threads", type=int, default=defaults.threads)
    parser.add_argument("--limit", type=int, default=None, help="snippets (a seeded subset)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--device", default=defaults.device)
    args = parser.parse_args()
    config = PolarityCVConfig(folds=args.folds, seed=args.seed, epochs=args.epochs,
                              holdout=args.holdout, embedding_dim=args.embedding_dim,
                              threads=args.threads,
                              methods=tuple(args.methods), limit=args.limit,
                              device=args.device)  # fmt: skip
    started = time.perf_counter()
    table = polarity_cross_validation(config, echo=lambda line: print(line, flush=True))
    print()
    print(table.format())
    print(f"wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
