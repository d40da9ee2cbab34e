"""Benchmark: our VADER and AFINN scorers against vaderSentiment and afinn on sentence_polarity.

Both sides score all 10,662 sentence_polarity sentences in this one process. For each
pair the table gives the largest score difference over all sentences (VADER: compound,
neg, neu and pos; AFINN: the score, with and without emoticons), the sentences per second
on each side (best of ``--repeat`` runs) and the ratio ours / theirs (above 1: ours
is faster).

Run it with::

    uv run python benchmarks/sentiment_vader.py              # about half a minute
    uv run python benchmarks/sentiment_vader.py --repeat 1   # a quick look
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable
from importlib.metadata import version

from afinn import Afinn
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from nlpjourney.data.corpora import sentence_polarity
from nlpjourney.sentiment import AfinnScorer, VaderAnalyzer


def best_seconds(run: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs: the least disturbed by other work."""
    return min(timeit.repeat(run, number=1, repeat=repeat))


def vader_difference(
    ours: VaderAnalyzer, theirs: SentimentIntensityAnalyzer, texts: list[str]
) -> float:
    worst = 0.0
    for text in texts:
        a, b = ours.polarity_scores(text), theirs.polarity_scores(text)
        worst = max(worst, *(abs(a[key] - b[key]) for key in b))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per scorer")
    args = parser.parse_args()

    texts = [text for text, _ in sentence_polarity()]
    print(
        f"{len(texts)} sentences, best of {args.repeat}; "
        f"vaderSentiment {version('vaderSentiment')}, afinn {version('afinn')}"
    )
    print(
        f"{'case':<26} {'max |diff|':>10} {'ours (sent/s)':>14} {'theirs (sent/s)':>16} {'ours/theirs':>12}"
    )

    vader, reference = VaderAnalyzer(), SentimentIntensityAnalyzer()
    rows = [
        (
            "VADER polarity_scores",
            vader_difference(vader, reference, texts),
            lambda: [vader.polarity_scores(t) for t in texts],
            lambda: [reference.polarity_scores(t) for t in texts],
        )
    ]
    for emoticons in (False, True):
        ours, theirs = AfinnScorer(emoticons), Afinn(emoticons=emoticons)
        rows.append(
            (
                f"AFINN score{' +emoticons' if emoticons else ''}",
                max(abs(ours.score(t) - theirs.score(t)) for t in texts),
                lambda ours=ours: [ours.score(t) for t in texts],
                lambda theirs=theirs: [theirs.score(t) for t in texts],
            )
        )
    for case, difference, run_ours, run_theirs in rows:
        ours_rate = len(texts) / best_seconds(run_ours, args.repeat)
        theirs_rate = len(texts) / best_seconds(run_theirs, args.repeat)
        print(
            f"{case:<26} {difference:>10.1e} {ours_rate:>14,.0f} {theirs_rate:>16,.0f} "
            f"{ours_rate / theirs_rate:>12.2f}"
        )


if __name__ == "__main__":
    main()
