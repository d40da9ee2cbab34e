"""Benchmark: our Luong attention against torch's fused SDPA; one training step per attention.

Part 1. Luong's dot score over T decoder states at once (a teacher-forced decoder) is
one-head scaled dot-product attention with scale 1, so ``torch.nn.functional.
scaled_dot_product_attention`` computes it fused; the general score is the same after
projecting the keys. Both are checked equal first, then timed forward and backward,
best of ``--repeat`` in turns; the ratio is ours / torch (below 1: ours faster).
Bahdanau's additive score has no torch kernel: its time is printed alone.

Part 2. One training step (forward, backward, Adam) of :class:`~nlpjourney.seq2seq.Seq2Seq`
at the ``multi30k`` preset's size, batch 64 of Multi30k-length sentences (source 16,
target 19 tokens: the 4,000-token joint BPE's means), for each attention, in CPU seconds
of this process (``time.process_time``: steadier than the wall clock on a shared
machine). Luong and none train on the fast path (the whole target through the RNN at
once); Bahdanau runs the decoder step by step.

Run it with::

    uv run python benchmarks/seq2seq_attention.py --threads 1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
from _timing import best_of  # noqa: E402

from nlpjourney.seq2seq import ATTENTIONS, BahdanauAttention, LuongAttention, Seq2Seq, Seq2SeqConfig


def attention_part(batch: int, steps: int, src: int, hidden: int, repeat: int) -> None:
    g = torch.Generator().manual_seed(0)
    keys = torch.randn(batch, src, hidden, generator=g, requires_grad=True)
    queries = torch.randn(batch, steps, hidden, generator=g, requires_grad=True)
    lengths = torch.randint(src // 2, src + 1, (batch,), generator=g)
    mask = torch.arange(src)[None, :] < lengths[:, None]
    print(f"attention over T={steps} queries, S={src} keys of {hidden} dims, batch {batch}")
    for score in ("dot", "general"):
        luong = LuongAttention(hidden, hidden, score)

        def ours(luong: LuongAttention = luong) -> torch.Tensor:
            return luong(queries, keys, mask=mask)[0]

        def theirs(luong: LuongAttention = luong) -> torch.Tensor:
            k = luong.project_keys(keys)[:, None]  # one head
            return F.scaled_dot_product_attention(
                queries[:, None], k, keys[:, None], attn_mask=mask[:, None, None, :], scale=1.0
            )[:, 0]

        torch.testing.assert_close(ours(), theirs(), atol=1e-5, rtol=1e-5)

        def step(fn):  # noqa: ANN001, ANN202
            return lambda: torch.autograd.grad(fn().sum(), (queries, keys))

        t_ours, t_theirs = best_of(repeat, step(ours), step(theirs))
        print(f"  luong-{score:8s} ours {t_ours * 1e3:7.2f} ms  torch SDPA {t_theirs * 1e3:7.2f} ms"
              f"  ratio {t_ours / t_theirs:.2f}x")  # fmt: skip
    bahdanau = BahdanauAttention(hidden, hidden, hidden)

    def additive() -> None:  # T steps, the keys projected once, as the decoder does
        projected = bahdanau.project_keys(keys)
        out = torch.stack([bahdanau(queries[:, t], keys, mask=mask, projected_keys=projected)[0]
                           for t in range(steps)])  # fmt: skip
        torch.autograd.grad(out.sum(), (queries, keys))

    t_add, _ = best_of(repeat, additive, lambda: None)
    print(f"  bahdanau       ours {t_add * 1e3:7.2f} ms  (no torch kernel to compare)")


def training_part(batch: int, src: int, tgt: int, vocab: int, repeat: int) -> None:
    print(f"training step, multi30k preset (vocab {vocab}), batch {batch}, S={src}, T={tgt}")
    g = torch.Generator().manual_seed(0)
    s = torch.randint(3, vocab, (batch, src), generator=g)
    t_in = torch.randint(3, vocab, (batch, tgt), generator=g)
    t_out = torch.randint(3, vocab, (batch, tgt), generator=g)
    for attention in ATTENTIONS:
        torch.manual_seed(0)
        config = Seq2SeqConfig.from_name("multi30k").replace(vocab_size=vocab, attention=attention)
        model = Seq2Seq(config)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        best = float("inf")
        for _ in range(repeat + 1):  # the first is a warm-up
            start = time.process_time()
            loss = F.cross_entropy(model(s, t_in).flatten(0, 1), t_out.flatten())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            best = min(best, time.process_time() - start)
        print(f"  {attention:14s} {model.num_parameters() / 1e6:.2f}M parameters  "
              f"{best:.3f} CPU s/step")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    attention_part(64, 19, 16, 256, args.repeat)
    training_part(64, 16, 19, 4000, max(1, args.repeat // 2))


if __name__ == "__main__":
    main()
