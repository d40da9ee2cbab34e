"""Benchmark: our NgramLM against nltk.lm on Brown news, and a perplexity table.

Both sides train on the same Brown news sentences (the first ``--train``, default 4000)
with the same padding and vocabulary (``unk_cutoff=2``), then score every held-out event
(each word and the first ``</s>`` of the remaining sentences). Each step is timed once
per side in this one process; ratios are ours / NLTK (below 1: ours is faster). The
scores are checked equal before the times are printed. NLTK's Kneser-Ney rescans all
n-grams on every query, so it is timed on ``--kn-events`` events only.

The second table is held-out perplexity for every smoothing and order 1..4 (ours).

Run it with::

    uv run python benchmarks/lm_ngram.py              # about a minute
    uv run python benchmarks/lm_ngram.py --train 1000 # quicker
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import nltk
import numpy as np
from nltk.lm import MLE, KneserNeyInterpolated, Laplace, Lidstone, StupidBackoff, Vocabulary
from nltk.lm.preprocessing import padded_everygram_pipeline

from nlpjourney.data import corpora
from nlpjourney.lm.ngram import NgramLM, evaluation_ngrams

CUTOFF = 2
NLTK_MODELS: dict[str, Callable[[int], object]] = {
    "mle": lambda n: MLE(n, vocabulary=Vocabulary(unk_cutoff=CUTOFF)),
    "laplace": lambda n: Laplace(n, vocabulary=Vocabulary(unk_cutoff=CUTOFF)),
    "lidstone": lambda n: Lidstone(0.1, n, vocabulary=Vocabulary(unk_cutoff=CUTOFF)),
    "stupid_backoff": lambda n: StupidBackoff(0.4, n, vocabulary=Vocabulary(unk_cutoff=CUTOFF)),
    "kneser_ney": lambda n: KneserNeyInterpolated(
        n, discount=0.75, vocabulary=Vocabulary(unk_cutoff=CUTOFF)
    ),
}


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def compare(order: int, smoothing: str, train: list[list[str]], events: list[tuple]) -> str:
    """One table row: fit and scoring times, ours and NLTK's, on the same data."""
    ours, t_fit_ours = timed(
        lambda: NgramLM(order, smoothing, gamma=0.1, unk_cutoff=CUTOFF).fit(train)
    )
    theirs = NLTK_MODELS[smoothing](order)
    _, t_fit_nltk = timed(lambda: theirs.fit(*padded_everygram_pipeline(order, train)))
    ours_p, t_ours = timed(lambda: [ours.prob(g[-1], g[:-1]) for g in events])
    theirs_p, t_nltk = timed(lambda: [theirs.score(g[-1], g[:-1]) for g in events])
    if smoothing != "kneser_ney":  # NLTK's KN differs by design: see nlpjourney.lm.ngram
        np.testing.assert_allclose(ours_p, theirs_p, rtol=1e-12)
    return (
        f"{smoothing + f' n={order}':<18} {t_fit_ours:>8.2f}s {t_fit_nltk:>8.2f}s "
        f"{t_fit_ours / t_fit_nltk:>6.2f} {t_ours:>10.3f}s {t_nltk:>10.3f}s "
        f"{t_ours / t_nltk:>6.3f}  {len(events)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=4000, help="training sentences")
    parser.add_argument("--kn-events", type=int, default=200, help="events for NLTK's KN")
    args = parser.parse_args()

    sents = corpora.brown_sents("news")
    train, held_out = sents[: args.train], sents[args.train :]
    print(f"Brown news: {len(train)} training, {len(held_out)} held-out sentences; "
          f"nltk {nltk.__version__}")  # fmt: skip
    print(f"{'model':<18} {'fit ours':>9} {'fit nltk':>9} {'ratio':>6} "
          f"{'score ours':>11} {'score nltk':>11} {'ratio':>6}  events")  # fmt: skip
    for order in (2, 3):
        ngrams = [g for s in held_out for g in evaluation_ngrams(s, order)]
        for smoothing in NLTK_MODELS:
            events = ngrams[: args.kn_events] if smoothing == "kneser_ney" else ngrams
            print(compare(order, smoothing, train, events))

    print(f"\nheld-out perplexity (ours, unk_cutoff={CUTOFF})")
    smoothings = ["mle", "laplace", "lidstone", "kneser_ney"]
    print(f"{'order':<6}" + "".join(f"{s:>12}" for s in smoothings))
    for order in (1, 2, 3, 4):
        row = [
            NgramLM(order, s, gamma=0.1, unk_cutoff=CUTOFF).fit(train).perplexity(held_out)
            for s in smoothings
        ]
        print(f"{order:<6}" + "".join(f"{p:>12.1f}" for p in row))


if __name__ == "__main__":
    main()
