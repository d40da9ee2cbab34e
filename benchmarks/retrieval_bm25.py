"""Benchmark: our BM25 against bm25s and rank_bm25 on 50,000 passages, in one process.

The corpus is 50,000 passages of 50-130 words cut from the registry's English text
(``_passages.passages``). Every side gets the same token lists, made once by
``bm25s.tokenize`` (lower-case, English stop words, no stemming), so tokenizing is not
timed. Queries: the first 10 words of every 50th passage (1,000 queries).

Printed:

1. **indexing** (lucene), best of ``--repeat``, ours vs bm25s (numba backend, its fastest)
   and once vs rank_bm25's ``BM25Okapi``; the issue's bar: ours / bm25s <= 1.0;
2. **queries per second, one thread** (``OMP_NUM_THREADS=1``, numba's threads set to 1,
   bm25s ``n_threads=1``), ours ``search_many`` vs bm25s's ``retrieve`` with its numba
   backend and with its numpy backend (the faster of the two is the bar, >= 1.0x), and
   rank_bm25 on the first 20 queries;
3. **parity** for every method bm25s supports: top-10 ids equal on N of N queries (ids
   may differ only inside a group of equal scores) and the largest score gap.

Run it with::

    OMP_NUM_THREADS=1 uv run python benchmarks/retrieval_bm25.py
    OMP_NUM_THREADS=1 uv run python benchmarks/retrieval_bm25.py --repeat 1 --docs 20000
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("DISABLE_TQDM", "1")

import bm25s  # noqa: E402
import numba  # noqa: E402
import numpy as np  # noqa: E402
import rank_bm25  # noqa: E402
from _passages import passages  # noqa: E402
from _timing import best_of  # noqa: E402

from nlpjourney.retrieval import BM25  # noqa: E402

METHODS = ("lucene", "robertson", "atire", "bm25l", "bm25+")
K = 10


def tokenize(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, return_ids=False, stopwords="en", show_progress=False)


def same_top(ids_a: np.ndarray, ids_b: np.ndarray, scores: np.ndarray, k: int = K) -> bool:
    """Equal top-k ids, except where a rank's score ties a neighbour (order among ties is free).

    ``ids_*``/``scores`` hold k + 1 results, so a tie across the cut at k is seen.
    """
    for i in range(k):
        if ids_a[i] == ids_b[i]:
            continue
        near = [scores[j] for j in (i - 1, i + 1) if 0 <= j < len(scores)]
        if not any(abs(scores[i] - s) <= 1e-6 * max(1.0, abs(s)) for s in near):
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side")
    parser.add_argument("--docs", type=int, default=50_000, help="number of passages")
    args = parser.parse_args()
    numba.set_num_threads(1)

    texts = passages(args.docs)
    corpus = tokenize(texts)
    queries = [q for q in tokenize([" ".join(t.split()[:10]) for t in texts[::50]]) if q]
    n_tokens = sum(map(len, corpus))
    print(f"corpus: {len(corpus):,} passages, {n_tokens:,} tokens; {len(queries):,} queries")
    print(f"bm25s {bm25s.__version__}, numba {numba.__version__}, one thread\n")

    # Warm both sides' compiled code on a small corpus first, so no compile time is timed.
    BM25().index(corpus[:100]).search_many(queries[:2])
    warm = bm25s.BM25(backend="numba")
    warm.index(corpus[:100], show_progress=False)
    warm.retrieve(queries[:2], k=K, n_threads=1, show_progress=False)

    def ours_index() -> BM25:
        return BM25().index(corpus)

    def bm25s_index(backend: str = "numba") -> bm25s.BM25:
        ranker = bm25s.BM25(backend=backend)
        ranker.index(corpus, show_progress=False)
        return ranker

    t_ours, t_bm25s = best_of(args.repeat, ours_index, bm25s_index)
    start = time.perf_counter()
    okapi = rank_bm25.BM25Okapi(corpus)
    t_rank = time.perf_counter() - start
    print("indexing (lucene)          seconds   ours / them")
    print(f"  ours                     {t_ours:8.2f}")
    print(f"  bm25s (numba)            {t_bm25s:8.2f}   {t_ours / t_bm25s:6.2f}x")
    print(f"  rank_bm25 BM25Okapi      {t_rank:8.2f}   {t_ours / t_rank:6.2f}x\n")

    ours = ours_index()
    fast = bm25s_index("numba")
    slow = bm25s_index("numpy")
    t_ours, t_numba = best_of(
        args.repeat,
        lambda: ours.search_many(queries, K),
        lambda: fast.retrieve(queries, k=K, n_threads=1, show_progress=False),
    )
    _, t_numpy = best_of(
        1,
        lambda: None,
        lambda: slow.retrieve(queries, k=K, n_threads=1, show_progress=False),
    )
    few = queries[:20]
    start = time.perf_counter()
    for query in few:
        okapi.get_top_n(query, corpus, n=K)
    t_rank = (time.perf_counter() - start) / len(few) * len(queries)
    qps = {name: len(queries) / t for name, t in
           [("ours", t_ours), ("bm25s numba", t_numba), ("bm25s numpy", t_numpy),
            ("rank_bm25", t_rank)]}  # fmt: skip
    print("queries per second (one thread)   q/s    ours / them")
    for name, value in qps.items():
        ratio = "" if name == "ours" else f"{qps['ours'] / value:8.2f}x"
        print(f"  {name:<22} {value:12,.0f} {ratio}")
    print()

    print("parity with bm25s (numba), top-10 on every query")
    print("  method      equal ids     max |score gap|")
    for method in METHODS:
        mine = BM25(method=method).index(corpus)
        ids, scores = mine.search_many(queries, K + 1)
        ref = bm25s.BM25(method=method, backend="numba")
        ref.index(corpus, show_progress=False)
        ref_ids, ref_scores = ref.retrieve(queries, k=K + 1, n_threads=1, show_progress=False)
        equal = sum(same_top(a, b, s) for a, b, s in zip(ids, ref_ids, scores, strict=True))
        gap = float(np.abs(scores[:, :K] - ref_scores[:, :K]).max())
        print(f"  {method:<10} {equal:5d}/{len(queries):<5d}   {gap:.2e}")


if __name__ == "__main__":
    main()
