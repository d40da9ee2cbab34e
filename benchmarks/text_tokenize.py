"""Benchmark: our Treebank word tokenizer and Punkt splitter against NLTK's, on SMS spam.

Both sides get the same 5,574 SMS messages. The word tokenizers (``treebank_tokenize`` vs
``NLTKWordTokenizer().tokenize``) run per message; the sentence splitters are both trained
on the State of the Union addresses and split every message. Each is timed with
``timeit``, best of ``--repeat`` runs, in this one process; the table prints messages per
second and the ratio ours / NLTK of the times (below 1: ours is faster).

Run it with::

    uv run python benchmarks/text_tokenize.py
"""

from __future__ import annotations

import argparse
import timeit

import nltk
from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTrainer

from nlpjourney.data import corpora
from nlpjourney.text import punkt
from nlpjourney.text import tokenize as tk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tokenizer")
    args = parser.parse_args()

    messages = [text for text, _ in corpora.sms_spam()]
    training = list(corpora.read_members("state_union", "state_union/", "iso-8859-2").values())
    ours_split = punkt.train_sentence_splitter(training, number_signs=())
    trainer = PunktTrainer()
    for text in training:
        trainer.train(text, finalize=False)
    trainer.finalize_training()
    nltk_split = PunktSentenceTokenizer(trainer.get_params())
    nltk_words = NLTKWordTokenizer()

    pairs = {
        "treebank words": (
            lambda: [tk.treebank_tokenize(m) for m in messages],
            lambda: [nltk_words.tokenize(m) for m in messages],
        ),
        "punkt sentences": (
            lambda: [ours_split.split(m) for m in messages],
            lambda: [nltk_split.tokenize(m) for m in messages],
        ),
    }
    print(f"{len(messages)} SMS messages, best of {args.repeat}; nltk {nltk.__version__}")
    print(f"{'task':<16} {'ours (msg/s)':>13} {'nltk (msg/s)':>13} {'ours/nltk time':>15}")
    for name, (ours, theirs) in pairs.items():
        # Same answer first: a fast wrong tokenizer is not worth timing.
        assert ours() == theirs(), name
        t_ours = min(timeit.repeat(ours, number=1, repeat=args.repeat))
        t_theirs = min(timeit.repeat(theirs, number=1, repeat=args.repeat))
        print(
            f"{name:<16} {len(messages) / t_ours:>13,.0f} {len(messages) / t_theirs:>13,.0f} "
            f"{t_ours / t_theirs:>15.2f}"
        )


if __name__ == "__main__":
    main()
