"""Benchmark: the CNN labeller's POS accuracy on UD English LinES, beside our perceptron.

Trains :class:`nlpjourney.cnn.CNNLabeller` (word embeddings + character CNN, two word-level
convolutions of width 3, and with ``--lstm N`` a BiLSTM on top) on LinES train, keeps the
epoch that tags LinES dev best, and prints its UPOS accuracy on LinES test, with the
training seconds and tagging words per second; then the same for our averaged perceptron
tagger (``nlpjourney.tagging.PerceptronTagger``), the project's reference POS tagger.

Run it with::

    uv run python benchmarks/cnn_labeller.py --epochs 5 --threads 1
    uv run python benchmarks/cnn_labeller.py --epochs 5 --lstm 100
"""

from __future__ import annotations

import argparse
import time

import torch

from nlpjourney.cnn import CNNLabeller
from nlpjourney.data import path
from nlpjourney.parsing.conllu import read_conllu
from nlpjourney.tagging import PerceptronTagger


def split(name: str) -> tuple[list[list[str]], list[list[str]]]:
    sentences = read_conllu(path("ud_english_lines") / f"en_lines-ud-{name}.conllu")
    return [s.forms for s in sentences], [s.upos for s in sentences]


def accuracy(predicted: list[list[str]], gold: list[list[str]]) -> float:
    pairs = [(p, g) for ps, gs in zip(predicted, gold, strict=True)
             for p, g in zip(ps, gs, strict=True)]  # fmt: skip
    return sum(p == g for p, g in pairs) / len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lstm", type=int, default=0, help="BiLSTM units per direction")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train, dev, test = split("train"), split("dev"), split("test")
    words = sum(len(s) for s in test[0])
    print(f"LinES: {len(train[0]):,} train, {len(dev[0]):,} dev, {len(test[0]):,} test "
          f"sentences ({words:,} test words)", flush=True)  # fmt: skip
    rows = []
    for name, model in (
        (f"CNN labeller (lstm {args.lstm})",
         CNNLabeller(epochs=args.epochs, lstm=args.lstm, device=args.device)),
        ("averaged perceptron", PerceptronTagger()),
    ):  # fmt: skip
        started = time.perf_counter()
        if isinstance(model, CNNLabeller):
            model.fit(*train, dev=dev)
            print("  epochs:", [(r["epoch"], round(r["score"], 4)) for r in model.history_])
        else:
            model.fit(*train)
        trained = time.perf_counter() - started
        started = time.perf_counter()
        predicted = model.predict(test[0])
        tagging = time.perf_counter() - started
        rows.append((name, accuracy(predicted, test[1]), trained, words / tagging))
        print(f"{name}: test accuracy {100 * rows[-1][1]:.2f} %", flush=True)
    print(f"\n{'tagger':<28} {'UPOS acc':>9} {'train s':>8} {'words/s':>9}")
    for name, acc, trained, rate in rows:
        print(f"{name:<28} {100 * acc:>8.2f}% {trained:>8.1f} {rate:>9.0f}")


if __name__ == "__main__":
    main()
