"""Benchmark: our linear models against scikit-learn's, accuracy (or R²) and fit time.

Each case fits ours and scikit-learn's with the same hyper-parameters on the same fixed
split (75/25, stratified for classifiers, seed 0; dense features standardised on the
train rows, texts as TF-IDF from our ``TfidfVectorizer``), prints the held-out score of
each, the gap in points, and the fit times: best of ``--repeat`` runs, the two sides
alternating so that a disturbance hits both, and the ratio ours / scikit-learn (below 1:
ours is faster). The target for ``LogisticRegression`` (lbfgs) is a ratio of at most 2.

Pairs: ``LinearRegression`` (normal equations and gradient descent) and ``Ridge`` against
scikit-learn's on diabetes; ``LogisticRegression`` (lbfgs against lbfgs, newton against
newton-cg) and ``LinearSVC`` (dual coordinate descent against liblinear's dual) on iris,
digits, breast cancer, SMS spam and movie reviews.

Run it with::

    uv run python benchmarks/ml_linear.py              # under a minute
    uv run python benchmarks/ml_linear.py --repeat 1   # a quick look
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import sklearn
from _timing import best_of
from sklearn import datasets
from sklearn import linear_model as sk_linear
from sklearn import svm as sk_svm
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from nlpjourney.data import corpora
from nlpjourney.features import TfidfVectorizer
from nlpjourney.ml import ConvergenceWarning as OurConvergenceWarning
from nlpjourney.ml import LinearRegression, LinearSVC, LogisticRegression, Ridge
from nlpjourney.ml.model_selection import train_test_split

Split = tuple[Any, Any, np.ndarray, np.ndarray]


def load(name: str) -> Split:
    """The fixed train/test split of one dataset, features ready for a linear model."""
    if name in ("sms_spam", "movie_reviews"):
        rows = getattr(corpora, name)()
        texts, labels = [text for text, _ in rows], np.array([label for _, label in rows])
        X_train, X_test, y_train, y_test = train_test_split(
            texts, labels, test_size=0.25, random_state=0, stratify=labels
        )
        vectorizer = TfidfVectorizer().fit(X_train)
        return vectorizer.transform(X_train), vectorizer.transform(X_test), y_train, y_test
    loader = {
        "iris": datasets.load_iris,
        "digits": datasets.load_digits,
        "breast_cancer": datasets.load_breast_cancer,
        "diabetes": datasets.load_diabetes,
    }[name]
    X, y = loader(return_X_y=True)
    stratify = None if name == "diabetes" else y
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=stratify
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


REGRESSION: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
    "LinearRegression normal": (LinearRegression, sk_linear.LinearRegression),
    "LinearRegression gd": (lambda: LinearRegression(solver="gd"), sk_linear.LinearRegression),
    "Ridge alpha=1": (lambda: Ridge(alpha=1.0), lambda: sk_linear.Ridge(alpha=1.0)),
}
CLASSIFICATION: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
    "LogisticRegression lbfgs": (
        lambda: LogisticRegression(max_iter=1000),
        lambda: sk_linear.LogisticRegression(max_iter=1000),
    ),
    "LogisticRegression newton": (
        lambda: LogisticRegression(solver="newton", max_iter=1000),
        lambda: sk_linear.LogisticRegression(solver="newton-cg", max_iter=1000),
    ),
    "LinearSVC dual_cd": (
        lambda: LinearSVC(random_state=0),
        lambda: sk_svm.LinearSVC(dual=True, random_state=0),
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed fits per side and case")
    args = parser.parse_args()
    # Both LinearSVCs stop at max_iter on digits (and on movie reviews for the hinge loss).
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", OurConvergenceWarning)

    print(f"best of {args.repeat}, sides alternating; scikit-learn {sklearn.__version__}, "
          f"numpy {np.__version__}")  # fmt: skip
    header = (f"{'model':<26} {'dataset':<14} {'metric':<8} {'ours':>7} {'sklearn':>8} "
              f"{'gap (pt)':>9} {'ours (s)':>9} {'sklearn (s)':>12} {'ratio':>6}")  # fmt: skip
    print(header)
    print("-" * len(header))
    cases = [("diabetes", "R²", REGRESSION)] + [
        (name, "accuracy", CLASSIFICATION)
        for name in ("iris", "digits", "breast_cancer", "sms_spam", "movie_reviews")
    ]
    for dataset, metric, models in cases:
        X_train, X_test, y_train, y_test = load(dataset)
        for model, (make_ours, make_theirs) in models.items():
            ours = make_ours().fit(X_train, y_train)
            theirs = make_theirs().fit(X_train, y_train)
            s_ours, s_theirs = ours.score(X_test, y_test), theirs.score(X_test, y_test)
            t_ours, t_theirs = best_of(
                args.repeat,
                lambda make=make_ours, X=X_train, y=y_train: make().fit(X, y),
                lambda make=make_theirs, X=X_train, y=y_train: make().fit(X, y),
            )
            print(f"{model:<26} {dataset:<14} {metric:<8} {s_ours:>7.4f} {s_theirs:>8.4f} "
                  f"{100 * (s_ours - s_theirs):>+9.2f} {t_ours:>9.4f} {t_theirs:>12.4f} "
                  f"{t_ours / t_theirs:>6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
