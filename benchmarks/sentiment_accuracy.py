"""Benchmark: the sentiment accuracy table, ours beside the reference libraries.

For each dataset (sentence_polarity, movie_reviews) and method, 5-fold stratified
cross-validation (shuffled, seed 0) as :func:`nlpjourney.sentiment.accuracy_table` runs
it, and the same rows computed by the peers on the same folds:

- lexicons: vaderSentiment's ``SentimentIntensityAnalyzer`` (mean compound of a text's
  lines) and the ``afinn`` package; the opinion lexicon has no peer scorer (NLTK ships
  the word lists only);
- learned: scikit-learn's ``make_pipeline(TfidfVectorizer(ngram_range=(1, 2)),
  MultinomialNB() | LogisticRegression(C=1, max_iter=1000))`` with ``cross_val_score``.

It prints mean ± std accuracy for both sides, the seconds each took (scoring every
text once for a lexicon; training and testing on all folds for a learned model) and the
ratio ours / peer (below 1: ours is faster). A lexicon's score of 0 counts wrong on both
sides.

Run it with::

    uv run python benchmarks/sentiment_accuracy.py            # a few minutes
    uv run python benchmarks/sentiment_accuracy.py --limit 2000   # a quick look
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from afinn import Afinn
from sklearn.feature_extraction.text import TfidfVectorizer as SkTfidf
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import StratifiedKFold as SkStratifiedKFold
from sklearn.model_selection import cross_val_score as sk_cross_val_score
from sklearn.naive_bayes import MultinomialNB as SkMultinomialNB
from sklearn.pipeline import make_pipeline
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from nlpjourney.sentiment import accuracy_table, lexicon_labels
from nlpjourney.sentiment.learned import DATASETS, sample_rows


def peer_vader() -> Callable[[str], float]:
    vader = SentimentIntensityAnalyzer()

    def score(text: str) -> float:
        lines = [line for line in text.split("\n") if line.strip()] or [text]
        return float(np.mean([vader.polarity_scores(line)["compound"] for line in lines]))

    return score


def peer_row(method: str, texts: list[str], labels: np.ndarray, folds: list) -> tuple:
    """(scores per fold, seconds) of the peer library for one method, or None."""
    start = time.perf_counter()
    if method in ("vader", "afinn"):
        score = peer_vader() if method == "vader" else Afinn().score
        right = lexicon_labels(np.array([score(t) for t in texts])) == labels
        scores = [float(right[test].mean()) for _, test in folds]
    elif method in ("nb", "logreg"):
        classifier = (
            SkMultinomialNB() if method == "nb" else SkLogisticRegression(C=1.0, max_iter=1000)
        )
        pipeline = make_pipeline(SkTfidf(ngram_range=(1, 2)), classifier)
        scores = sk_cross_val_score(pipeline, texts, labels, cv=folds).tolist()
    else:
        return None
    return scores, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="texts per dataset (subset)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rows = accuracy_table(limit=args.limit, seed=args.seed)
    header = f"{'dataset':<18} {'method':<16} {'ours':>14} {'peer':>14} {'abstain':>8} "
    header += f"{'ours s':>7} {'peer s':>7} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for name in DATASETS:
        data = sample_rows(DATASETS[name](), args.limit, args.seed)
        texts = [text for text, _ in data]
        labels = np.array([label for _, label in data])
        splitter = SkStratifiedKFold(5, shuffle=True, random_state=args.seed)
        folds = list(splitter.split(texts, labels))
        for row in (r for r in rows if r.dataset == name):
            peer = peer_row(row.method, texts, labels, folds)
            ours = f"{row.mean:.3f} ± {row.std:.3f}"
            abstain = f"{row.abstained:.1%}" if row.method not in ("nb", "logreg") else "-"
            if peer is None:
                print(f"{name:<18} {row.method:<16} {ours:>14} {'-':>14} {abstain:>8} "
                      f"{row.seconds:>7.1f} {'-':>7} {'-':>6}")  # fmt: skip
                continue
            scores, seconds = peer
            theirs = f"{np.mean(scores):.3f} ± {np.std(scores):.3f}"
            print(f"{name:<18} {row.method:<16} {ours:>14} {theirs:>14} {abstain:>8} "
                  f"{row.seconds:>7.1f} {seconds:>7.1f} {row.seconds / seconds:>6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
