"""Benchmark: our averaged perceptron tagger against NLTK's, side by side in one process.

Two datasets, the same split for both taggers:

- the Penn Treebank sample (``corpora.treebank_tagged_sents()``, ``-NONE-`` traces
  dropped): the first 3,000 sentences train, the other 914 test (PTB tags);
- UD English LinES: train on ``en_lines-ud-train``, test on ``en_lines-ud-test`` (UPOS).

Both taggers train 5 passes. Printed per dataset: held-out accuracy, training seconds
(one run each), and tagging words per second (best of ``--repeat``, the sides taking
turns; our per-word feature caches are emptied before every run, so each run pays
feature extraction in full, as NLTK's does), with the ratio ours / NLTK. The issue's
bars: accuracy on the treebank sample >= NLTK's, LinES UPOS >= 95 %, words/s >= 1x.

Run it with::

    OMP_NUM_THREADS=1 uv run python benchmarks/tagging_perceptron.py
    OMP_NUM_THREADS=1 uv run python benchmarks/tagging_perceptron.py --repeat 1 --data treebank
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

from _timing import best_of  # noqa: E402
from nltk.tag.perceptron import PerceptronTagger as NltkPerceptron  # noqa: E402

from nlpjourney.tagging import PerceptronTagger  # noqa: E402

Tagged = list[list[tuple[str, str]]]


def treebank() -> tuple[Tagged, Tagged]:
    from nlpjourney.data import corpora

    sentences = [[(w, t) for w, t in s if t != "-NONE-"] for s in corpora.treebank_tagged_sents()]
    return sentences[:3000], sentences[3000:]


def lines() -> tuple[Tagged, Tagged]:
    from nlpjourney.parsing.conllu import ud_english

    def pairs(split: str) -> Tagged:
        return [list(zip(s.forms, s.upos, strict=True)) for s in ud_english("lines", split)]

    return pairs("train"), pairs("test")


def accuracy(predicted: list[list[str]], gold: list[list[str]]) -> float:
    pairs = [
        (p, g) for ps, gs in zip(predicted, gold, strict=True) for p, g in zip(ps, gs, strict=True)
    ]
    return sum(p == g for p, g in pairs) / len(pairs)


def compare(name: str, train: Tagged, test: Tagged, repeat: int) -> None:
    words = [[w for w, _ in s] for s in train]
    tags = [[t for _, t in s] for s in train]
    test_words = [[w for w, _ in s] for s in test]
    gold = [[t for _, t in s] for s in test]
    n_words = sum(map(len, test_words))

    start = time.perf_counter()
    ours = PerceptronTagger(n_iter=5).fit(words, tags, progress=False)
    t_fit_ours = time.perf_counter() - start
    start = time.perf_counter()
    theirs = NltkPerceptron(load=False)
    theirs.train(train, nr_iter=5)
    t_fit_theirs = time.perf_counter() - start

    acc_ours = accuracy(ours.predict(test_words), gold)
    acc_theirs = accuracy([[t for _, t in s] for s in theirs.tag_sents(test_words)], gold)

    def tag_ours() -> None:
        ours._cache = {offset: {} for offset in ours._cache}  # cold: extract every feature again
        ours._pairs = {}
        ours.predict(test_words)

    t_ours, t_theirs = best_of(repeat, tag_ours, lambda: theirs.tag_sents(test_words))
    print(f"{name}: {len(train):,} training sentences, {n_words:,} test words")
    print("                        ours        NLTK    ours / NLTK")
    print(
        f"  accuracy (%)     {100 * acc_ours:10.2f}  {100 * acc_theirs:10.2f}   {acc_ours / acc_theirs:8.3f}"
    )
    print(
        f"  training (s)     {t_fit_ours:10.1f}  {t_fit_theirs:10.1f}   {t_fit_ours / t_fit_theirs:8.2f}x"
    )
    print(
        f"  tagging (words/s){n_words / t_ours:10,.0f}  {n_words / t_theirs:10,.0f}   "
        f"{t_theirs / t_ours:8.2f}x faster\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="tagging runs per side (best is kept)"
    )
    parser.add_argument("--data", choices=["treebank", "lines", "both"], default="both")
    args = parser.parse_args()
    # Compile (or load from numba's cache) the kernels before anything is timed.
    PerceptronTagger(n_iter=1).fit([["a", "b"]], [["X", "Y"]], progress=False).predict([["a"]])
    if args.data in ("treebank", "both"):
        compare("Penn Treebank sample (first 3,000 train / 914 test)", *treebank(), args.repeat)
    if args.data in ("lines", "both"):
        compare("UD English LinES (train / test, UPOS)", *lines(), args.repeat)


if __name__ == "__main__":
    main()
