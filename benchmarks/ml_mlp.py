"""Benchmark: our plain-NumPy MLP against scikit-learn's ``MLPClassifier`` on digits.

Both train the same network (64 -> 128 ReLU -> 10, softmax cross-entropy) by minibatch
SGD with momentum 0.9 (learning rate 0.1, batch 32, no weight decay, the samples
shuffled each epoch) for the same number of epochs on the same 75/25 split of
scikit-learn's digits. Their initial weights differ (each library draws its own), so
the accuracies are compared, not the weights: both should reach about 97%. The table
prints the test accuracy and the training time, best of ``--repeat`` runs, and the ratio
ours / scikit-learn of the times (below 1: ours is faster).

Run it with::

    uv run python benchmarks/ml_mlp.py
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from nlpjourney.ml.mlp import MLP


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30, help="passes over the training set")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per library")
    args = parser.parse_args()

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, stratify=y, random_state=0
    )

    def ours() -> float:
        net = MLP([64, 128, 10], activation="relu", seed=0)
        net.fit(X_train, y_train, epochs=args.epochs, lr=0.1, batch_size=32, momentum=0.9)
        return net.score(X_test, y_test)

    def theirs() -> float:
        net = MLPClassifier(
            hidden_layer_sizes=(128,), activation="relu", solver="sgd", alpha=0.0,
            batch_size=32, learning_rate_init=0.1, momentum=0.9, nesterovs_momentum=False,
            max_iter=args.epochs, tol=0.0, n_iter_no_change=args.epochs + 1, random_state=0,
        )  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is the budget
            net.fit(X_train, y_train)
        return net.score(X_test, y_test)

    print(
        f"digits: {len(X_train)} train / {len(X_test)} test, {args.epochs} epochs, "
        f"best of {args.repeat}; numpy {np.__version__}, scikit-learn {sklearn.__version__}"
    )
    print(f"{'library':<14} {'test acc':>9} {'seconds':>8}")
    seconds = {}
    for name, run in [("ours", ours), ("scikit-learn", theirs)]:
        times, accuracy = [], 0.0
        for _ in range(args.repeat):
            start = time.perf_counter()
            accuracy = run()
            times.append(time.perf_counter() - start)
        seconds[name] = min(times)
        print(f"{name:<14} {accuracy:>9.3f} {seconds[name]:>8.2f}")
    print(f"ours / scikit-learn time: {seconds['ours'] / seconds['scikit-learn']:.2f}")


if __name__ == "__main__":
    main()
