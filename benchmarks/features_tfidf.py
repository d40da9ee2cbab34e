"""Benchmark: our vectorizers against scikit-learn's on movie reviews and SMS spam.

Each case fits both vectorizers with the same parameters on the same documents, checks
that the matrices are equal, then times ``fit_transform`` (best of ``--repeat`` runs, in
this one process) and prints the ratio ours / scikit-learn (below 1: ours is faster).

Cases: ``TfidfVectorizer`` with its defaults (the target: at most 2x scikit-learn),
``CountVectorizer`` with word 1-2 grams and with ``char_wb`` 2-4 grams, and
``HashingVectorizer`` with word 1-2 grams.

Run it with::

    uv run python benchmarks/features_tfidf.py              # about 1 minute
    uv run python benchmarks/features_tfidf.py --repeat 1   # a quick look
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction import text as sk

from nlpjourney.data import corpora
from nlpjourney.features import CountVectorizer, HashingVectorizer, TfidfVectorizer

CASES: dict[str, tuple[type, type, dict]] = {
    "tfidf (defaults)": (TfidfVectorizer, sk.TfidfVectorizer, {}),
    "count ngram (1,2)": (CountVectorizer, sk.CountVectorizer, {"ngram_range": (1, 2)}),
    "count char_wb (2,4)": (
        CountVectorizer,
        sk.CountVectorizer,
        {"analyzer": "char_wb", "ngram_range": (2, 4)},
    ),
    "hashing ngram (1,2)": (HashingVectorizer, sk.HashingVectorizer, {"ngram_range": (1, 2)}),
}


def best_seconds(fit_transform: Callable[[], sp.csr_matrix], repeat: int) -> float:
    """The fastest of ``repeat`` calls: the least disturbed by other work."""
    return min(timeit.repeat(fit_transform, number=1, repeat=repeat))


def check_same(ours: sp.csr_matrix, theirs: sp.csr_matrix) -> None:
    theirs = sp.csr_matrix(theirs, copy=True)
    theirs.sort_indices()  # scikit-learn may leave a row's columns unsorted
    assert ours.shape == theirs.shape and np.array_equal(ours.indices, theirs.indices)
    np.testing.assert_allclose(ours.data, theirs.data, rtol=1e-12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case")
    args = parser.parse_args()

    corpora_docs = {
        "movie_reviews": [text for text, _ in corpora.movie_reviews()],
        "sms_spam": [text for text, _ in corpora.sms_spam()],
    }
    print(f"best of {args.repeat}; scikit-learn {sklearn.__version__}, numpy {np.__version__}")
    print(f"{'corpus':<20} {'case':<21} {'ours (s)':>9} {'sklearn (s)':>12} {'ours/sklearn':>13}")
    for corpus, docs in corpora_docs.items():
        for case, (ours_cls, theirs_cls, params) in CASES.items():
            # Same answer first: a fast wrong vectorizer is not worth timing.
            check_same(ours_cls(**params).fit_transform(docs), theirs_cls(**params).fit_transform(docs))  # fmt: skip
            t_ours = best_seconds(lambda: ours_cls(**params).fit_transform(docs), args.repeat)  # noqa: B023
            t_sk = best_seconds(lambda: theirs_cls(**params).fit_transform(docs), args.repeat)  # noqa: B023
            label = f"{corpus} ({len(docs)})"
            print(f"{label:<20} {case:<21} {t_ours:>9.3f} {t_sk:>12.3f} {t_ours / t_sk:>13.2f}")


if __name__ == "__main__":
    main()
