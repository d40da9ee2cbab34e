"""Benchmark: dense retrieval, ours against sentence-transformers, and our approximate
indexes (IVF, HNSW) against our exact search.

Three tables, one process, one torch thread setting for both sides (``--threads``):

1. **embedding** Cranfield (registry dataset ``cranfield``: the 1,400 abstracts, each
   its ``.W`` field, which begins with the title, and the 225 queries) with our
   ``SentenceEncoder.from_pretrained("all-minilm-l6-v2")`` and with sentence-transformers'
   ``SentenceTransformer(folder).encode`` on the same package folder, same batch size,
   best of ``--repeat`` runs alternating sides; the smallest cosine between the two
   sides' embeddings is printed;
2. **exact search**: our :func:`~nlpjourney.retrieval.exact_search` on our embeddings
   against ``sentence_transformers.util.semantic_search`` on the same vectors: how many
   of the 225 queries get the same top-10 ids, the largest score difference, and queries
   per second of each (best of ``--repeat``);
3. **IVF recall@10** against exact search, with queries per second, at several
   ``n_probe``, and **HNSW** recall@10 at several ``ef_search`` (on the synthetic set
   only its first ``--hnsw-synthetic`` vectors, 20,000: the one-thread graph build is
   the slow part), on three sets: Cranfield (1,400 real embeddings, about sqrt(n) lists);
   the distinct SMS messages of the registry (about 5,000 real embeddings, 300 held out
   as queries); and 100,000 synthetic clustered unit vectors of width 384 (1,000 queries
   drawn alike; 1,000 random centres, ``--noise`` Gaussian spread per dimension: 1.5
   makes recall at low ``n_probe`` about as hard as on the SMS embeddings, 0.7 makes it
   easy): embedding 100,000 real passages would take too long on a laptop CPU, so the
   large set measures speed, and the recall/speed trade only on synthetic clusters.

Run it with::

    uv run python benchmarks/retrieval_dense.py              # tens of minutes on 1 thread
    uv run python benchmarks/retrieval_dense.py --threads 2 --repeat 1
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from _timing import best_of

from nlpjourney import data
from nlpjourney.data.corpora import sms_spam
from nlpjourney.models import SentenceEncoder
from nlpjourney.retrieval import HNSWIndex, IVFIndex, exact_search

FIELD = re.compile(r"^\.([A-Z])(?: (\d+))?\s*$", re.MULTILINE)


def cranfield_fields(file: Path, keep: set[str]) -> list[str]:
    """Each record's text fields named in ``keep`` (.T, .W, ...), joined, in file order."""
    text = file.read_text(encoding="utf-8", errors="replace")
    records: list[list[str]] = []
    marks = list(FIELD.finditer(text))
    for mark, after in zip(marks, [*marks[1:], None], strict=True):
        body = text[mark.end() : after.start() if after else len(text)]
        if mark.group(1) == "I":
            records.append([])
        elif mark.group(1) in keep:
            records[-1].append(" ".join(body.split()))
    return [" ".join(fields) for fields in records]


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def recall_at_10(found: np.ndarray, truth: np.ndarray) -> float:
    return float(
        np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)])
    )


def clustered(n: int, d: int, centres: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors: a random centre each, plus Gaussian noise of ``noise`` per dimension."""
    means = rng.normal(size=(centres, d)).astype(np.float32)
    rows = means[rng.integers(0, centres, n)] + noise * rng.normal(size=(n, d)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def ivf_table(
    name: str, vectors: np.ndarray, queries: np.ndarray, n_lists: int, repeat: int
) -> None:
    truth, t_exact = timed(lambda: exact_search(queries, vectors, 10)[0])
    for _ in range(repeat - 1):
        t_exact = min(t_exact, timed(lambda: exact_search(queries, vectors, 10))[1])
    index, t_train = timed(lambda: IVFIndex(n_lists=n_lists, seed=0).train(vectors).add(vectors))
    print(f"\n{name}: {len(vectors):,} vectors x {vectors.shape[1]}, {len(queries):,} queries, "
          f"{n_lists} lists (train + add {t_train:.1f} s)")  # fmt: skip
    print(f"{'search':<16} {'recall@10':>10} {'queries/s':>11} {'speed-up':>9}")
    print(f"{'exact':<16} {1.0:>10.3f} {len(queries) / t_exact:>11,.0f} {1.0:>9.2f}")
    for n_probe in sorted({1, 2, 4, 8, 16, 32, 64, n_lists}):
        if n_probe > n_lists:
            continue
        index.n_probe = n_probe
        ids, t = timed(lambda: index.search(queries, 10)[0])
        for _ in range(repeat - 1):
            t = min(t, timed(lambda: index.search(queries, 10))[1])
        print(f"{'IVF n_probe=' + str(n_probe):<16} {recall_at_10(ids, truth):>10.3f} "
              f"{len(queries) / t:>11,.0f} {t_exact / t:>9.2f}")  # fmt: skip


def hnsw_table(name: str, vectors: np.ndarray, queries: np.ndarray, repeat: int) -> None:
    truth, t_exact = timed(lambda: exact_search(queries, vectors, 10)[0])
    for _ in range(repeat - 1):
        t_exact = min(t_exact, timed(lambda: exact_search(queries, vectors, 10))[1])
    HNSWIndex(M=4, ef_construction=8).add(vectors[:50]).search(queries[:1], 1)  # compile
    index, t_build = timed(lambda: HNSWIndex(M=16, ef_construction=200).add(vectors))
    print(f"\n{name}: HNSW M=16, ef_construction=200 (build {t_build:.1f} s)")
    print(f"{'search':<16} {'recall@10':>10} {'queries/s':>11} {'speed-up':>9}")
    print(f"{'exact':<16} {1.0:>10.3f} {len(queries) / t_exact:>11,.0f} {1.0:>9.2f}")
    for ef in (10, 20, 50, 100, 200):
        index.ef_search = ef
        ids, t = timed(lambda: index.search(queries, 10)[0])
        for _ in range(repeat - 1):
            t = min(t, timed(lambda: index.search(queries, 10))[1])
        print(f"{'HNSW ef=' + str(ef):<16} {recall_at_10(ids, truth):>10.3f} "
              f"{len(queries) / t:>11,.0f} {t_exact / t:>9.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per side (best kept)")
    parser.add_argument("--synthetic", type=int, default=100_000, help="synthetic vectors")
    parser.add_argument(
        "--noise", type=float, default=1.5, help="synthetic spread around each centre"
    )
    parser.add_argument(
        "--hnsw-synthetic", type=int, default=20_000, help="synthetic vectors given to HNSW"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from sentence_transformers import SentenceTransformer, __version__, util

    folder = data.path("cranfield")
    docs = cranfield_fields(folder / "cran.all.1400", {"W"})
    queries = cranfield_fields(folder / "cran.qry", {"W"})
    assert (len(docs), len(queries)) == (1400, 225), (len(docs), len(queries))
    ours = SentenceEncoder.from_pretrained("all-minilm-l6-v2")
    peer = SentenceTransformer(str(data.path("all_minilm_l6_v2")), device="cpu")
    texts = docs + queries
    print(f"Cranfield: {len(docs):,} abstracts + {len(queries)} queries; batch {args.batch_size}, "
          f"{args.threads} thread(s); torch {torch.__version__}, sentence-transformers {__version__}")  # fmt: skip

    # 1. embedding (warm both sides on a few texts first)
    ours.embed(texts[:8]), peer.encode(texts[:8])
    mine = theirs = None

    def run_ours() -> None:
        nonlocal mine
        mine = ours.embed(texts, batch_size=args.batch_size)

    def run_peer() -> None:
        nonlocal theirs
        theirs = peer.encode(texts, batch_size=args.batch_size, convert_to_numpy=True)

    t_ours, t_peer = best_of(args.repeat, run_ours, run_peer)
    assert mine is not None and theirs is not None
    cosine = (mine * theirs).sum(1) / np.linalg.norm(mine, axis=1) / np.linalg.norm(theirs, axis=1)
    print(f"\n{'embedding':<22} {'texts/s':>9} {'best s':>8}   smallest cosine {cosine.min():.7f}")
    print(f"{'ours':<22} {len(texts) / t_ours:>9,.1f} {t_ours:>8.2f}")
    print(f"{'sentence-transformers':<22} {len(texts) / t_peer:>9,.1f} {t_peer:>8.2f}")
    print(f"ours / sentence-transformers time: {t_ours / t_peer:.2f}")

    # 2. exact search against semantic_search, on our embeddings
    doc_vectors, query_vectors = mine[: len(docs)], mine[len(docs) :]
    ids, scores = exact_search(query_vectors, doc_vectors, 10)
    docs_t, queries_t = torch.from_numpy(doc_vectors), torch.from_numpy(query_vectors)
    hits = util.semantic_search(queries_t, docs_t, top_k=10)
    their_ids = np.array([[h["corpus_id"] for h in row] for row in hits])
    their_scores = np.array([[h["score"] for h in row] for row in hits])
    same = int((ids == their_ids).all(axis=1).sum())
    t_exact, t_sem = best_of(
        max(args.repeat, 5),
        lambda: exact_search(query_vectors, doc_vectors, 10),
        lambda: util.semantic_search(queries_t, docs_t, top_k=10),
    )
    print(f"\n{'exact top-10':<22} {'queries/s':>10}   same top-10 ids: {same}/{len(queries)}, "
          f"largest score difference {np.abs(scores - their_scores).max():.1e}")  # fmt: skip
    print(f"{'ours exact_search':<22} {len(queries) / t_exact:>10,.0f}")
    print(f"{'semantic_search':<22} {len(queries) / t_sem:>10,.0f}")
    print(f"ours / semantic_search time: {t_exact / t_sem:.2f}")

    # 3. IVF recall@10 against exact search
    ivf_table("Cranfield", doc_vectors, query_vectors, 37, args.repeat)
    hnsw_table("Cranfield", doc_vectors, query_vectors, args.repeat)
    sms = list(dict.fromkeys(text for text, _ in sms_spam()))
    sms_vectors = ours.embed(sms, batch_size=args.batch_size)
    held = np.random.default_rng(0).permutation(len(sms))[:300]
    keep = np.setdiff1d(np.arange(len(sms)), held)
    ivf_table("SMS messages (distinct)", sms_vectors[keep], sms_vectors[held], 70, args.repeat)
    hnsw_table("SMS messages (distinct)", sms_vectors[keep], sms_vectors[held], args.repeat)
    rng = np.random.default_rng(0)
    both = clustered(args.synthetic + 1000, 384, 1000, args.noise, rng)
    ivf_table(
        f"synthetic clustered ({args.synthetic:,})", both[1000:], both[:1000], 316, args.repeat
    )
    first = both[1000 : 1000 + args.hnsw_synthetic]
    hnsw_table(f"synthetic clustered (first {len(first):,})", first, both[:1000], args.repeat)


if __name__ == "__main__":
    main()
