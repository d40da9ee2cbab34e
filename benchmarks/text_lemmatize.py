"""Benchmark: our WordNet lemmatizer against NLTK's ``WordNetLemmatizer``, on Brown.

Both sides lemmatize the same stream: every Brown token whose tag maps to a WordNet part
of speech (NN* noun, VB* verb, JJ* adjective, RB* adverb), lower-cased, in corpus order
(453,524 tokens; ``--tokens`` takes fewer). First the one-time cost of loading
WordNet (index and exception files) is timed once per side, then the lemmatizing itself
with ``timeit``, best of ``--repeat`` runs, in this one process. The table prints words
per second and the ratio ours / NLTK of the times (below 1: ours is faster).

Run it with::

    uv run python benchmarks/text_lemmatize.py
    uv run python benchmarks/text_lemmatize.py --tokens 100000 --repeat 5
"""

from __future__ import annotations

import argparse
import time
import timeit

import nltk
from nltk.corpus import wordnet as nltk_wordnet
from nltk.stem import WordNetLemmatizer as NltkLemmatizer

from nlpjourney.data import corpora
from nlpjourney.text.lemmatize import WordNetLemmatizer
from nlpjourney.text.wordnet import WordNet

POS_OF_TAG = (("NN", "n"), ("VB", "v"), ("JJ", "a"), ("RB", "r"))


def brown_stream(limit: int | None) -> list[tuple[str, str]]:
    """Lower-cased (word, WordNet pos) for Brown's tokens with a mapped tag, in order."""
    stream = []
    for sent in corpora.brown_tagged_sents():
        for word, tag in sent:
            pos = next((p for prefix, p in POS_OF_TAG if tag.startswith(prefix)), None)
            if pos is not None:
                stream.append((word.lower(), pos))
    return stream[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=None, help="lemmatize only this many")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per lemmatizer")
    args = parser.parse_args()
    stream = brown_stream(args.tokens)

    # Loading: each side reads WordNet's index and exception files on first use.
    start = time.perf_counter()
    wordnet = WordNet()
    for pos in "nvar":
        wordnet.lemmas(pos), wordnet.exceptions(pos)
    load_ours = time.perf_counter() - start
    start = time.perf_counter()
    nltk_wordnet.ensure_loaded()
    load_theirs = time.perf_counter() - start

    ours, theirs = WordNetLemmatizer(wordnet), NltkLemmatizer()
    run_ours = lambda: [ours.lemmatize(w, p) for w, p in stream]  # noqa: E731
    run_theirs = lambda: [theirs.lemmatize(w, p) for w, p in stream]  # noqa: E731
    # Same answer first: a fast wrong lemmatizer is not worth timing.
    assert run_ours() == run_theirs()
    t_ours = min(timeit.repeat(run_ours, number=1, repeat=args.repeat))
    t_theirs = min(timeit.repeat(run_theirs, number=1, repeat=args.repeat))

    print(
        f"{len(stream):,} Brown tokens (lower-cased), best of {args.repeat}; nltk {nltk.__version__}"
    )
    print(f"{'':<18} {'ours':>12} {'nltk':>12} {'ours/nltk':>10}")
    print(
        f"{'load WordNet (s)':<18} {load_ours:>12.2f} {load_theirs:>12.2f} {load_ours / load_theirs:>10.2f}"
    )
    print(
        f"{'lemmatize (word/s)':<18} {len(stream) / t_ours:>12,.0f} {len(stream) / t_theirs:>12,.0f} "
        f"{t_ours / t_theirs:>10.2f}"
    )


if __name__ == "__main__":
    main()
