"""Benchmark: our IBM Model 1 against NLTK's, then ours on all of Multi30k with its AER.

1. Speed and equality, on the first ``--nltk-pairs`` Multi30k English→French training
   pairs, 5 EM iterations each: training seconds of ours and of NLTK's ``IBMModel1``
   (best of ``--repeat``, the sides taking turns) and their ratio; the largest difference
   between the two translation tables (ours fitted on the pairs with repeated target
   words removed, which is what NLTK's E step counts; see ``nlpjourney.mt.ibm1``); and
   how many Viterbi links agree.
2. Quality, on all 29,000 training pairs, ``--n-iter`` iterations, in both directions:
   training seconds, the log-likelihood per target word before and after, and precision,
   recall and alignment error rate on the hand-aligned pairs (``nlpjourney.mt.gold``),
   for English→French, French→English, and their intersection and union.

Run it with::

    OMP_NUM_THREADS=1 uv run python benchmarks/mt_ibm1.py
    OMP_NUM_THREADS=1 uv run python benchmarks/mt_ibm1.py --nltk-pairs 1000 --picture a.png
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from _timing import best_of  # noqa: E402
from nltk.translate import AlignedSent  # noqa: E402
from nltk.translate import IBMModel1 as NLTKModel1  # noqa: E402

from nlpjourney.mt import (  # noqa: E402
    IBMModel1,
    alignment_scores,
    draw_alignment,
    hand_aligned_pairs,
    multi30k_pairs,
)


def against_nltk(n_pairs: int, repeat: int) -> None:
    pairs = multi30k_pairs("train", "en", "fr", limit=n_pairs)
    once = [(s, list(dict.fromkeys(t))) for s, t in pairs]
    bitext = [AlignedSent(t, s) for s, t in pairs]
    models: dict[str, object] = {}

    def ours() -> None:
        models["ours"] = IBMModel1(n_iter=5, progress=False).fit(once)

    def theirs() -> None:
        models["nltk"] = NLTKModel1(bitext, 5)

    t_ours, t_nltk = best_of(repeat, ours, theirs)
    model, nltk = models["ours"], models["nltk"]
    table = model.translation_table  # type: ignore[attr-defined]
    reference = nltk.translation_table  # type: ignore[attr-defined]
    diff = max(abs(p - reference[t][s]) for t, row in table.items() for s, p in row.items())
    n_entries = sum(len(row) for row in table.values())
    agree = total = 0
    for (source, target), sentence in zip(pairs, bitext, strict=True):
        mine = {j: i for i, j in model.align(source, target)}  # type: ignore[attr-defined]
        for j, i in sentence.alignment:
            agree += mine.get(j) == i
            total += 1
    print(f"== {n_pairs:,} pairs, 5 iterations: ours vs NLTK's IBMModel1 ==")
    print(f"training: ours {t_ours:.3f} s, NLTK {t_nltk:.3f} s, ratio ours/NLTK "
          f"{t_ours / t_nltk:.4f} ({t_nltk / t_ours:.0f}x faster)")  # fmt: skip
    print(f"translation table: {n_entries:,} entries, largest difference {diff:.2e}")
    # Where they differ, two source words tie in exact arithmetic and round differently.
    print(f"Viterbi links: {agree:,} of {total:,} the same")


def on_multi30k(n_iter: int, picture: str | None) -> None:
    pairs = multi30k_pairs("train", "en", "fr")
    reverse = [(t, s) for s, t in pairs]
    gold = hand_aligned_pairs("en", "fr")
    sure, possible = [g.sure for g in gold], [g.possible for g in gold]
    print(f"\n== all {len(pairs):,} Multi30k training pairs, {n_iter} iterations ==")
    predicted = {}
    models = {}
    for name, data in (("en->fr", pairs), ("fr->en", reverse)):
        start = time.perf_counter()
        model = IBMModel1(n_iter=n_iter).fit(data)
        seconds = time.perf_counter() - start
        n_words = sum(len(t) for _, t in data)
        first, last = model.log_likelihoods_[0], model.log_likelihoods_[-1]
        print(f"{name}: trained in {seconds:.1f} s; log-likelihood per target word "
              f"{first / n_words:.3f} -> {last / n_words:.3f}")  # fmt: skip
        if name == "en->fr":
            predicted[name] = [set(model.align(g.source, g.target)) for g in gold]
        else:  # align French to English, then write the links as (English, French)
            predicted[name] = [{(i, j) for j, i in model.align(g.target, g.source)} for g in gold]
        models[name] = model
    forward, backward = predicted["en->fr"], predicted["fr->en"]
    predicted["intersection"] = [a & b for a, b in zip(forward, backward, strict=True)]
    predicted["union"] = [a | b for a, b in zip(forward, backward, strict=True)]
    print(f"\nAER on the {len(gold)} hand-aligned pairs (lower is better):")
    print(f"{'alignment':<14}{'precision':>10}{'recall':>8}{'AER':>8}")
    for name, links in predicted.items():
        scores = alignment_scores(sure, possible, links)
        print(f"{name:<14}{scores.precision:>10.3f}{scores.recall:>8.3f}{scores.aer:>8.3f}")
    if picture:
        g = gold[2]
        matrix = models["en->fr"].alignment_matrix(g.source, g.target)
        shift = {(i + 1, j) for i, j in g.possible}  # column 0 is NULL
        figure = draw_alignment(matrix, ["NULL", *g.source], g.target, links=shift,
                                sure={(i + 1, j) for i, j in g.sure},
                                title=f"IBM Model 1 posterior, Multi30k train line {g.line}")  # fmt: skip
        figure.savefig(picture)
        print(f"\nwrote {picture}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nltk-pairs", type=int, default=5000, help="pairs for the NLTK race")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    parser.add_argument("--n-iter", type=int, default=10, help="EM iterations on Multi30k")
    parser.add_argument("--picture", help="write one hand-aligned pair's posterior here")
    args = parser.parse_args()
    against_nltk(args.nltk_pairs, args.repeat)
    on_multi30k(args.n_iter, args.picture)


if __name__ == "__main__":
    main()
