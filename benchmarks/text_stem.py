"""Benchmark: our Porter stemmer against NLTK's, on every Brown token, in each mode.

Both sides stem the same list, the 1,161,192 tokens of the Brown corpus in order (or the
first ``--tokens``). First the outputs are compared (they must be equal); then each is
timed with ``timeit``, best of ``--repeat`` runs, in this one process. Ours runs twice:

- uncached (``cache_size=0``): every token goes through the rules, like NLTK;
- cached (the default): a fresh stemmer per timed run, so the run pays for filling its
  memory once per word type and answers repeats from it.

The table prints tokens per second and the ratio ours / NLTK of the times (below 1: ours
is faster).

Run it with::

    uv run python benchmarks/text_stem.py                   # all of Brown, 3 modes, about 2 minutes
    uv run python benchmarks/text_stem.py --tokens 200000 --modes nltk   # 10 s
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable

import nltk
from nltk.stem.porter import PorterStemmer as NltkPorter

from nlpjourney.data import corpora
from nlpjourney.text.stem import MODES, PorterStemmer

NLTK_MODE = {
    "original": NltkPorter.ORIGINAL_ALGORITHM,
    "martin": NltkPorter.MARTIN_EXTENSIONS,
    "nltk": NltkPorter.NLTK_EXTENSIONS,
}


def best_seconds(run: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs: the least disturbed by other work."""
    return min(timeit.repeat(run, number=1, repeat=repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=0, help="first N Brown tokens (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per stemmer")
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    args = parser.parse_args()

    tokens = corpora.brown_words()
    if args.tokens:
        tokens = tokens[: args.tokens]
    print(f"Brown: {len(tokens):,} tokens, {len(set(tokens)):,} types; best of {args.repeat}; "
          f"nltk {nltk.__version__}")  # fmt: skip
    print(f"{'mode':<9} {'stemmer':<14} {'tokens/s':>11} {'ours/NLTK':>10}")
    for mode in args.modes:
        theirs = NltkPorter(NLTK_MODE[mode])
        # Same answer first: a fast wrong stemmer is not worth timing.
        expected = [theirs.stem(w) for w in tokens]
        assert [PorterStemmer(mode, cache_size=0).stem(w) for w in tokens] == expected
        assert [PorterStemmer(mode).stem(w) for w in tokens] == expected

        def ours_uncached(mode: str = mode) -> list[str]:
            stem = PorterStemmer(mode, cache_size=0).stem
            return [stem(w) for w in tokens]

        def ours_cached(mode: str = mode) -> list[str]:
            stem = PorterStemmer(mode).stem  # fresh, so each run fills its cache again
            return [stem(w) for w in tokens]

        def nltk_stems(stem: Callable[[str], str] = theirs.stem) -> list[str]:
            return [stem(w) for w in tokens]

        t_nltk = best_seconds(nltk_stems, args.repeat)
        rows = [
            ("NLTK", t_nltk),
            ("ours", best_seconds(ours_uncached, args.repeat)),
            ("ours, cached", best_seconds(ours_cached, args.repeat)),
        ]
        for name, seconds in rows:
            print(f"{mode:<9} {name:<14} {len(tokens) / seconds:>11,.0f} {seconds / t_nltk:>10.2f}")


if __name__ == "__main__":
    main()
