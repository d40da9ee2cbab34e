"""Benchmark: our naive Bayes models and classification metrics against scikit-learn's.

Naive Bayes: for SMS spam and movie reviews, count and TF-IDF matrices (our
vectorizers) split 80/20 with a seed; for each model (``MultinomialNB``, ``BernoulliNB``,
``ComplementNB``) both sides fit the same train rows. The table gives each side's test
accuracy and the gap (points), and the time ratios ours / scikit-learn of ``fit`` and of
``predict_proba`` (below 1: ours is faster). The target is a fit time at most 2x
scikit-learn's MultinomialNB.

Metrics: ``accuracy_score``, ``precision_recall_fscore_support`` (macro),
``confusion_matrix``, ``classification_report`` and ``roc_auc_score`` (binary, and
multi-class one-vs-rest) on 100,000 labels of 10 classes (integers and strings).

Times are the best of ``--repeat`` runs, the two sides alternating so that a busy moment
of the machine hurts neither alone. Run it with::

    uv run python benchmarks/classify_naive_bayes.py              # under a minute
    uv run python benchmarks/classify_naive_bayes.py --repeat 3   # a quick look
"""

# ruff: noqa: B023  (each lambda is called within its own loop iteration)
from __future__ import annotations

import argparse
import warnings

import numpy as np
import sklearn
from _timing import best_of
from sklearn import metrics as skm
from sklearn import naive_bayes as sk

from nlpjourney.classify import BernoulliNB, ComplementNB, MultinomialNB
from nlpjourney.data import corpora
from nlpjourney.evaluate import classification as ours_metrics
from nlpjourney.features import CountVectorizer, TfidfVectorizer
from nlpjourney.ml.model_selection import train_test_split

MODELS = {"multinomial": (MultinomialNB, sk.MultinomialNB),
          "bernoulli": (BernoulliNB, sk.BernoulliNB),
          "complement": (ComplementNB, sk.ComplementNB)}  # fmt: skip


def naive_bayes_table(repeat: int) -> None:
    datasets = {"sms_spam": corpora.sms_spam(), "movie_reviews": corpora.movie_reviews()}
    print(f"{'data':<14} {'features':<8} {'model':<12} {'acc ours':>8} {'acc sk':>8} "
          f"{'gap pts':>7} {'fit ours ms':>11} {'fit ratio':>9} {'pred ratio':>10}")  # fmt: skip
    for name, rows in datasets.items():
        texts, labels = [t for t, _ in rows], np.array([label for _, label in rows])
        train_x, test_x, train_y, test_y = train_test_split(texts, labels, test_size=0.2,
                                                            random_state=0)  # fmt: skip
        for features, vectorizer in (("counts", CountVectorizer()), ("tfidf", TfidfVectorizer())):
            X_train = vectorizer.fit_transform(train_x)
            X_test = vectorizer.transform(test_x)
            for model, (ours_cls, sk_cls) in MODELS.items():
                ours, theirs = ours_cls().fit(X_train, train_y), sk_cls().fit(X_train, train_y)
                np.testing.assert_allclose(ours.feature_log_prob_, theirs.feature_log_prob_)
                acc_ours, acc_sk = ours.score(X_test, test_y), theirs.score(X_test, test_y)
                fit_ours, fit_sk = best_of(
                    repeat,
                    lambda: ours_cls().fit(X_train, train_y),
                    lambda: sk_cls().fit(X_train, train_y),
                )
                pred_ours, pred_sk = best_of(
                    repeat,
                    lambda: ours.predict_proba(X_test),
                    lambda: theirs.predict_proba(X_test),
                )
                print(f"{name:<14} {features:<8} {model:<12} {acc_ours:>8.4f} {acc_sk:>8.4f} "
                      f"{100 * (acc_ours - acc_sk):>7.2f} {1000 * fit_ours:>11.2f} "
                      f"{fit_ours / fit_sk:>9.2f} {pred_ours / pred_sk:>10.2f}")  # fmt: skip


def metrics_table(repeat: int) -> None:
    rng = np.random.default_rng(0)
    n = 100_000
    y_true = rng.integers(0, 10, n)
    y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, 10, n))
    names = np.array([f"class-{i}" for i in range(10)])
    proba = rng.dirichlet(np.ones(10), n)
    proba[np.arange(n), y_true] += 0.5
    proba /= proba.sum(axis=1, keepdims=True)
    binary, score = (y_true == 3).astype(int), proba[:, 3]
    cases = {
        "accuracy_score": lambda m: m.accuracy_score(y_true, y_pred),
        "prf_support (macro)": lambda m: m.precision_recall_fscore_support(y_true, y_pred, average="macro"),
        "confusion_matrix": lambda m: m.confusion_matrix(y_true, y_pred),
        "confusion (strings)": lambda m: m.confusion_matrix(names[y_true], names[y_pred]),
        "classification_report": lambda m: m.classification_report(y_true, y_pred),
        "report (strings)": lambda m: m.classification_report(names[y_true], names[y_pred]),
        "roc_auc (binary)": lambda m: m.roc_auc_score(binary, score),
        "roc_auc (ovr, 10)": lambda m: m.roc_auc_score(y_true, proba, multi_class="ovr"),
    }  # fmt: skip
    print(f"\nmetrics on {n:,} labels of 10 classes")
    print(f"{'metric':<22} {'ours ms':>9} {'sklearn ms':>10} {'ours/sklearn':>12}")
    for case, call in cases.items():
        ours_value, sk_value = call(ours_metrics), call(skm)
        if isinstance(ours_value, str):
            assert ours_value == sk_value, case
        else:
            np.testing.assert_allclose(np.asarray(ours_value, dtype=float),
                                       np.asarray(sk_value, dtype=float))  # fmt: skip
        t_ours, t_sk = best_of(repeat, lambda: call(ours_metrics), lambda: call(skm))
        print(f"{case:<22} {1000 * t_ours:>9.2f} {1000 * t_sk:>10.2f} {t_ours / t_sk:>12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per case and side")
    args = parser.parse_args()
    print(f"best of {args.repeat}, alternating; scikit-learn {sklearn.__version__}, "
          f"numpy {np.__version__}")  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        naive_bayes_table(args.repeat)
        metrics_table(args.repeat)


if __name__ == "__main__":
    main()
