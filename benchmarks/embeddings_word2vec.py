"""Benchmark: our Word2Vec against gensim's, skip-gram and CBOW, speed and quality side by side.

The corpus is the registry's English text (:func:`nlpjourney.embeddings.english_sentences`,
``"all"``: about 3.6 million words), read once into a list that both sides train on. Both
use the same hyper-parameters (vector_size 100, window 5, min_count 5, negative 5,
sample 1e-3, ``--epochs`` 5, 2 worker threads) and each run is timed from the corpus list
to trained vectors (vocabulary counting included on both sides). For each model (sg=1,
sg=0) and each of ``--seeds`` seeds the table prints words/s (corpus words x epochs /
seconds), WordSim-353 Spearman and Google analogy accuracy (3CosAdd over the 30,000 most
frequent words), both scored by gensim's own evaluators on the test files its wheel
ships, and then the means with the ratio ours / gensim for speed and the differences for
quality. Targets: words/s ratio >= 0.5, quality differences >= -0.02.

Our numba kernel is compiled (or loaded from its cache) by a tiny warm-up fit first, so
compilation is not timed.

Run it with::

    uv run python benchmarks/embeddings_word2vec.py              # full: a few minutes per seed
    uv run python benchmarks/embeddings_word2vec.py --quick      # brown+webtext, 1 epoch, 1 seed
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import gensim
from gensim.models import KeyedVectors as GensimKeyedVectors
from gensim.models import Word2Vec as GensimWord2Vec
from gensim.test.utils import datapath

from nlpjourney.embeddings import KeyedVectors, Word2Vec, english_sentences


def quality(wv: KeyedVectors | GensimKeyedVectors) -> tuple[float, float]:
    """(WordSim-353 Spearman, Google analogy accuracy) by gensim's evaluators."""
    if isinstance(wv, KeyedVectors):
        theirs = GensimKeyedVectors(wv.vector_size)
        theirs.add_vectors(wv.index_to_key, wv.vectors)
        wv = theirs
    spearman = wv.evaluate_word_pairs(datapath("wordsim353.tsv"))[1].statistic
    analogies = wv.evaluate_word_analogies(datapath("questions-words.txt"), restrict_vocab=30_000)[
        0
    ]
    return float(spearman), float(analogies)


def run(side: str, sentences: list[list[str]], params: dict) -> tuple[float, float, float]:
    """Train one model; (words/s, WordSim Spearman, analogy accuracy)."""
    start = time.perf_counter()
    if side == "ours":
        wv = Word2Vec(**params).fit(sentences).wv
    else:
        wv = GensimWord2Vec(sentences, **params).wv
    seconds = time.perf_counter() - start
    words = sum(map(len, sentences)) * params["epochs"]
    return (words / seconds, *quality(wv))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="all", help="corpora joined with '+', or 'all'")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument(
        "--seeds", type=int, default=3, help="seeds per model (quality is averaged)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--quick", action="store_true", help="brown+webtext, 1 epoch, 1 seed (about a minute)"
    )
    args = parser.parse_args()
    if args.quick:
        args.corpus, args.epochs, args.seeds = "brown+webtext", 1, 1

    sentences = list(english_sentences(args.corpus))
    n_words = sum(map(len, sentences))
    print(
        f"corpus {args.corpus}: {len(sentences):,} sentences, {n_words:,} words; epochs "
        f"{args.epochs}, workers {args.workers}, {os.cpu_count()} cores; gensim {gensim.__version__}"
    )
    Word2Vec(vector_size=8, min_count=1, epochs=1, workers=1).fit([["warm", "up"]])  # compile

    print(f"{'model':<6} {'seed':>4} {'side':<7} {'words/s':>10} {'WS-353':>7} {'analogy':>8}")
    for sg, name in [(1, "sg"), (0, "cbow")]:
        results: dict[str, list[tuple[float, float, float]]] = {"gensim": [], "ours": []}
        for seed in range(1, args.seeds + 1):
            params = dict(vector_size=100, window=5, min_count=5, sg=sg, negative=5, hs=0,
                          sample=1e-3, epochs=args.epochs, workers=args.workers, seed=seed)  # fmt: skip
            for side in ("gensim", "ours"):
                row = run(side, sentences, params)
                results[side].append(row)
                print(
                    f"{name:<6} {seed:>4} {side:<7} {row[0]:>10,.0f} {row[1]:>7.3f} {row[2]:>8.3f}"
                )
        theirs, ours = ([statistics.mean(col) for col in zip(*results[s], strict=True)]
                        for s in ("gensim", "ours"))  # fmt: skip
        print(
            f"{name:<6} mean: words/s ours/gensim {ours[0] / theirs[0]:.2f} (target >= 0.5); "
            f"WS-353 {ours[1]:.3f} vs {theirs[1]:.3f} ({ours[1] - theirs[1]:+.3f}); "
            f"analogy {ours[2]:.3f} vs {theirs[2]:.3f} ({ours[2] - theirs[2]:+.3f}) "
            "(target >= -0.02)"
        )


if __name__ == "__main__":
    main()
