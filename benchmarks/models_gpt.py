"""Benchmark: training our GPT against a plain PyTorch GPT written the way nanoGPT writes one.

Both sides train the Tiny Shakespeare character model by nanoGPT's CPU recipe (its
README's command): 4 layers, 4 heads, 128 wide, block 64, batch 12, 2,000 iterations,
no dropout, 100 warm-up steps and a cosine down to a tenth of the peak lr at step 2,000,
AdamW betas (0.9, 0.99), weight decay 0.1 on matrices and embeddings, gradient clip 1.0,
evaluation every 250 steps on 20 batches per split. The peak lr is nanoGPT's 1e-3 for the
peer and our recipe's 2e-3 for ours (tuned, see ``RECIPES``); it changes the loss, not
the time of a step.

First, an interleaved speed comparison: rounds of 10 training steps of one side, then
10 of the other (:func:`interleaved_speed`), so a busy machine slows both alike. Then,
unless ``--speed-only``, the two full runs, one after the other, each scored at the end
on the whole validation split as well as on the loops' 20 random batches.

- **ours**: ``journey train gpt --preset shakespeare-char-cpu`` itself (the CLI function
  ``train_gpt``, run into a temporary folder): ``GPT(GPTConfig.from_name(...))`` with
  torch's fused layer norm, GELU and attention kernels (``fused=True``; the from-scratch
  :mod:`nlpjourney.nn` formulas give the same numbers, tested), ``prepare_char``'s 90/10
  split and its batch sampler, :class:`nlpjourney.train.Trainer` with our ``AdamW`` and
  ``clip_grad_norm_``, under bfloat16 autocast where the CPU has bfloat16 instructions
  (``TrainConfig(dtype="auto")``; ``--dtype float32`` turns it off). Its tokens/s is the
  Trainer's own (``metrics.csv``), which times the training steps only.
- **peer**: the GPT of this file, in nanoGPT's ``model.py`` style (fused ``c_attn``,
  ``F.scaled_dot_product_attention(is_causal=True)``, tanh-GELU MLP, pre-norm blocks,
  tied head) and its ``train.py`` loop (``torch.randint`` windows from the same uint16
  ``train.bin``/``val.bin``, ``torch.optim.AdamW`` with torch's defaults, its per-tensor
  loop on a CPU, ``torch.nn.utils.clip_grad_norm_``), in float32 as nanoGPT runs on a
  CPU; its tokens/s times the training steps only too.

Same answer first: both models are built after seeding torch with 1337, and the peer
declares its modules in the same order, so the two start from the very same weights;
the benchmark checks that, and that both give the same loss on one batch, before timing.
The batches then differ (our sampler draws from its own generator).

Measured on the 2-core development machine (AMD EPYC Zen 4 with AVX-512 BF16, torch 2.15,
2 threads, quiet, load ~2 from the benchmark itself)::

    interleaved, 20 x 10 steps a side: ours 20.8 ms/step, peer 33.2: ours/peer 1.59
    full runs of 2,000 iterations:
      ours  36,865 tokens/s  val 1.8065 (20 batches)  1.7973 (whole split)  47 s wall
      peer  21,792 tokens/s  val 1.8628               1.9017                75 s wall
      ours/peer tokens/s: 1.69 (issue target >= 1.2; val loss target <= 1.88)
    --speed-only --dtype float32: ours 39.3 ms/step, peer 39.2: 1.00

So the speed comes from bfloat16 (a (768, 128) x (128, 512) matmul runs 4x faster in it
on this CPU) and from taking the attention kernel that is fast in it
(:func:`nlpjourney.nn.fast_attention`: torch's fused kernel is slow backward in bfloat16
on a CPU); in float32 the fused kernels only bring ours level with the peer (the
from-scratch formulas ran 0.65x of it). A first run of the same command while three
other jobs held the load at 5-7 gave 1,657 tokens/s: two threads that must wait for each
other on shared cores spin; ``--threads 1`` is the setting for a busy machine (the
interleaved rounds there: 1.97x with one thread each).

Run it with::

    uv run python benchmarks/models_gpt.py                    # both sides, ~3 minutes
    uv run python benchmarks/models_gpt.py --speed-only       # the interleaved rounds only
    uv run python benchmarks/models_gpt.py --dtype float32    # ours without bfloat16
    uv run python benchmarks/models_gpt.py --threads 1        # steadier on a busy machine
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import math
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nlpjourney import data
from nlpjourney.apps.gpt import RECIPES, GPTRunConfig, load_run, train_gpt
from nlpjourney.models import GPT, GPTConfig
from nlpjourney.models.gpt import GPT2_NAMES
from nlpjourney.optim import AdamW
from nlpjourney.train import (
    autocast_dtype,
    decay_groups,
    prepare_char,
    train_step,
    validation_loss,
)
from nlpjourney.train.config import DTYPES
from nlpjourney.train.loop import GetBatch

PRESET = "shakespeare-char-cpu"
SEED = 1337
#: nanoGPT's learning rates for this run (its config file); our recipe uses 2e-3 to 2e-4.
PEER_LR, PEER_MIN_LR = 1e-3, 1e-4


# -- the peer: a GPT as nanoGPT's model.py writes it -----------------------------------


@dataclass
class PeerConfig:
    block_size: int = 64
    vocab_size: int = 65
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    bias: bool = True


class PeerLayerNorm(nn.Module):
    """LayerNorm with an optional bias (torch's has no bias=False before 2.1)."""

    def __init__(self, ndim: int, bias: bool) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class PeerSelfAttention(nn.Module):
    def __init__(self, config: PeerConfig) -> None:
        super().__init__()
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.dropout = config.dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        p = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # heads side by side again
        return self.resid_dropout(self.c_proj(y))


class PeerMLP(nn.Module):
    def __init__(self, config: PeerConfig) -> None:
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU(approximate="tanh")
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class PeerBlock(nn.Module):
    def __init__(self, config: PeerConfig) -> None:
        super().__init__()
        self.ln_1 = PeerLayerNorm(config.n_embd, bias=config.bias)
        self.attn = PeerSelfAttention(config)
        self.ln_2 = PeerLayerNorm(config.n_embd, bias=config.bias)
        self.mlp = PeerMLP(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class PeerGPT(nn.Module):
    def __init__(self, config: PeerConfig) -> None:
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(
            {
                "wte": nn.Embedding(config.vocab_size, config.n_embd),
                "wpe": nn.Embedding(config.block_size, config.n_embd),
                "drop": nn.Dropout(config.dropout),
                "h": nn.ModuleList(PeerBlock(config) for _ in range(config.n_layer)),
                "ln_f": PeerLayerNorm(config.n_embd, bias=config.bias),
            }
        )
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # tied
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        _, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))  # (B, T, V)
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss

    def configure_optimizers(
        self, weight_decay: float, lr: float, betas: tuple[float, float]
    ) -> torch.optim.AdamW:
        params = [p for p in self.parameters() if p.requires_grad]
        groups = [
            {"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
        ]
        return torch.optim.AdamW(groups, lr=lr, betas=betas)  # per-tensor loop on a CPU


# -- the peer's train loop, as nanoGPT's train.py runs it -------------------------------


def peer_lr(it: int, lr: float, min_lr: float, warmup: int, decay_iters: int) -> float:
    """nanoGPT's get_lr: linear warm-up, then a cosine from lr to min_lr."""
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    if it > decay_iters:
        return min_lr
    ratio = (it - warmup) / (decay_iters - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


def peer_batches(folder: Path, batch: int, block: int, device: torch.device) -> GetBatch:
    """nanoGPT's get_batch: ``batch`` random windows of ``block`` tokens from a uint16 file."""
    splits = {s: np.memmap(folder / f"{s}.bin", dtype=np.uint16, mode="r") for s in ("train", "val")}  # fmt: skip

    def get_batch(split: str) -> tuple[torch.Tensor, torch.Tensor]:
        stream = splits[split]
        ix = torch.randint(len(stream) - block, (batch,))
        x = torch.stack([torch.from_numpy(stream[i : i + block].astype(np.int64)) for i in ix])
        y = torch.stack(
            [torch.from_numpy(stream[i + 1 : i + 1 + block].astype(np.int64)) for i in ix]
        )
        return x.to(device), y.to(device)

    return get_batch


def peer_step(model: PeerGPT, optimizer: torch.optim.Optimizer, get_batch: GetBatch) -> float:
    """One iteration of nanoGPT's loop (its lr already set); returns the loss."""
    x, y = get_batch("train")
    _, loss = model(x, y)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.item()  # waits for the device: the timing is honest


@torch.no_grad()
class PeerLogits(nn.Module):
    """The peer as ``model(x) -> logits``, the call our evaluation takes."""

    def __init__(self, peer: PeerGPT) -> None:
        super().__init__()
        self.peer = peer

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return self.peer(idx)[0]


def whole_val_loss(model: nn.Module, folder: Path, device: torch.device | str) -> float:
    """Mean next-character loss over every 64-token window of ``val.bin``, back to back.

    The same 111k tokens for both sides (:func:`nlpjourney.train.validation_loss`):
    the 20-batch estimate the loops print while training moves by about +/- 0.02 from one
    draw of windows to the next.
    """
    val = np.memmap(folder / "val.bin", dtype=np.uint16, mode="r")
    return validation_loss(model, val, PeerConfig.block_size, batch_size=256, device=device)


def train_peer(folder: Path, vocab_size: int, iters: int, device: torch.device) -> dict:
    recipe = RECIPES[PRESET]
    config = PeerConfig(vocab_size=vocab_size)
    get_batch = peer_batches(folder, recipe.batch_size, config.block_size, device)

    @torch.no_grad()
    def estimate_loss() -> dict[str, float]:
        model.eval()
        out = {}
        for split in ("train", "val"):
            losses = torch.zeros(recipe.eval_steps)
            for k in range(recipe.eval_steps):
                losses[k] = model(*get_batch(split))[1].item()
            out[split] = losses.mean().item()
        model.train()
        return out

    torch.manual_seed(SEED)
    model = PeerGPT(config).to(device)
    optimizer = model.configure_optimizers(0.1, PEER_LR, recipe.betas)
    warmup = min(recipe.warmup_steps, iters // 10)
    every = min(recipe.eval_interval, max(1, iters // 10))
    started = time.perf_counter()
    train_time, tokens, losses = 0.0, 0, estimate_loss()
    for it in range(iters):
        step_start = time.perf_counter()
        for group in optimizer.param_groups:
            group["lr"] = peer_lr(it, PEER_LR, PEER_MIN_LR, warmup, iters)
        peer_step(model, optimizer, get_batch)
        train_time += time.perf_counter() - step_start
        tokens += recipe.batch_size * config.block_size
        if (it + 1) % every == 0 or it + 1 == iters:
            losses = estimate_loss()
    wall = time.perf_counter() - started
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "tokens_per_s": tokens / train_time,
        "val_loss": losses["val"],
        "whole_val": whole_val_loss(PeerLogits(model), folder, device),
        "wall": wall,
    }


def train_ours(iters: int, device: str, vocab_size: int, dtype: str, folder: Path) -> dict:
    """``journey train gpt --preset shakespeare-char-cpu`` into a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / PRESET
        started = time.perf_counter()
        config = GPTRunConfig(preset=PRESET, max_steps=iters, out_dir=out, device=device,
                              dtype=dtype, seed=SEED)  # fmt: skip
        train_gpt(config, echo=print)
        wall = time.perf_counter() - started
        with open(out / "metrics.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        model, _ = load_run(out, device)
        whole_val = whole_val_loss(model, folder, device)
    # Every step trains the same tokens: the overall rate is the harmonic mean of the
    # intervals' rates weighted by their steps (as train_gpt prints it).
    steps, seconds = 0.0, 0.0
    for before, row in zip(rows, rows[1:], strict=False):
        span = int(row["step"]) - int(before["step"])
        steps, seconds = steps + span, seconds + span / float(row["tokens_per_s"])
    rates = ", ".join(f"{float(row['tokens_per_s']):,.0f}" for row in rows[1:])
    print(f"ours: tokens/s per evaluation interval: {rates}")
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "tokens_per_s": steps / seconds,
        "val_loss": float(rows[-1]["val_loss"]),
        "whole_val": whole_val,
        "wall": wall,
    }


def interleaved_speed(
    folder: Path, vocab_size: int, rounds: int, device: torch.device, dtype: str
) -> tuple[float, float]:
    """Median seconds per training step of (ours, peer), timed in alternating rounds.

    Each round runs 10 steps of one side, then 10 of the other, after 10 warm-up steps
    each: a busy machine slows both alike, so their ratio holds where a run of one side
    after the other would compare a quiet minute with a loaded one. Ours is
    :func:`nlpjourney.train.train_step` with the Trainer's optimizer, decay groups,
    batch sampler and precision; the peer is nanoGPT's loop body.
    """
    recipe = RECIPES[PRESET]
    block = PeerConfig.block_size
    torch.manual_seed(SEED)
    ours = GPT(GPTConfig.from_name(PRESET).replace(vocab_size=vocab_size)).to(device)
    optimizer = AdamW(decay_groups(ours, 0.1), lr=recipe.lr, betas=recipe.betas, weight_decay=0.1)
    sampler = prepare_char(data.path("tinyshakespeare")).sampler(
        recipe.batch_size, block, SEED, device
    )
    amp = autocast_dtype(dtype, device)

    def precision() -> contextlib.AbstractContextManager:
        return contextlib.nullcontext() if amp is None else torch.autocast(device.type, amp)

    def ours_step() -> float:
        return train_step(ours, optimizer, [sampler("train")], 1.0, autocast=precision)

    torch.manual_seed(SEED)
    peer = PeerGPT(PeerConfig(vocab_size=vocab_size)).to(device)
    peer_optimizer = peer.configure_optimizers(0.1, PEER_LR, recipe.betas)
    get_batch = peer_batches(folder, recipe.batch_size, block, device)
    sides = {"ours": ours_step, "peer": lambda: peer_step(peer, peer_optimizer, get_batch)}
    times: dict[str, list[float]] = {"ours": [], "peer": []}
    for step in sides.values():
        for _ in range(10):
            step()
    for _ in range(rounds):
        for name, step in sides.items():
            for _ in range(10):
                started = time.perf_counter()
                step()
                times[name].append(time.perf_counter() - started)
    return statistics.median(times["ours"]), statistics.median(times["peer"])


def same_start(vocab_size: int, folder: Path) -> None:
    """Both models built after the same seed hold the same weights and give the same loss."""
    torch.manual_seed(SEED)
    ours = GPT(GPTConfig.from_name(PRESET).replace(vocab_size=vocab_size))
    torch.manual_seed(SEED)
    peer = PeerGPT(PeerConfig(vocab_size=vocab_size))
    theirs = peer.state_dict()
    for name, tensor in ours.state_dict().items():
        for gpt2, our in GPT2_NAMES.items():  # the peer keeps GPT-2's names in its blocks
            name = name.replace(our, gpt2)
        torch.testing.assert_close(tensor, theirs[name], rtol=0, atol=0, msg=name)
    stream = np.memmap(folder / "val.bin", dtype=np.uint16, mode="r")
    idx = torch.from_numpy(stream[: 12 * 65].astype(np.int64)).view(12, 65)
    x, y = idx[:, :-1].contiguous(), idx[:, 1:].contiguous()
    expected = peer(x, y)[1]
    got = F.cross_entropy(ours(x).reshape(-1, vocab_size), y.reshape(-1))
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=2000, help="training iterations")
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads (0: torch's default)"
    )
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument(
        "--dtype", default="auto", choices=DTYPES, help="our side's precision (TrainConfig.dtype)"
    )
    parser.add_argument(
        "--rounds", type=int, default=20, help="interleaved speed rounds, 10 steps a side each"
    )
    parser.add_argument(
        "--speed-only", action="store_true", help="only the interleaved speed comparison"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)  # the same for both sides: one process

    dataset = prepare_char(data.path("tinyshakespeare"))
    folder = Path(dataset.folder)
    same_start(dataset.vocab_size, folder)
    device = torch.device(args.device)
    amp = autocast_dtype(args.dtype, device)
    print(
        f"{PRESET}, batch {RECIPES[PRESET].batch_size} x 64 on {args.device}; torch "
        f"{torch.__version__}, {torch.get_num_threads()} threads; ours in "
        f"{'float32' if amp is None else str(amp).removeprefix('torch.') + ' autocast'}, "
        "the peer in float32; same initial weights and loss: ok"
    )
    ours_s, peer_s = interleaved_speed(folder, dataset.vocab_size, args.rounds, device, args.dtype)
    print(
        f"interleaved, {args.rounds} x 10 steps a side: ours {ours_s * 1e3:.1f} ms/step, "
        f"peer {peer_s * 1e3:.1f} ms/step; ours/peer tokens/s: {peer_s / ours_s:.2f} "
        "(issue target >= 1.2)"
    )
    if args.speed_only:
        return
    print(f"full runs of {args.iters} iterations, one side after the other:")
    results = {
        "ours": train_ours(args.iters, args.device, dataset.vocab_size, args.dtype, folder),
        "peer": train_peer(folder, dataset.vocab_size, args.iters, torch.device(args.device)),
    }
    print(
        f"{'side':<5} {'params':>8} {'tokens/s':>9} {'val (20 batches)':>17} "
        f"{'val (whole split)':>18} {'wall s':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:<5} {r['params'] / 1e6:>7.2f}M {r['tokens_per_s']:>9,.0f} "
            f"{r['val_loss']:>17.4f} {r['whole_val']:>18.4f} {r['wall']:>7.1f}"
        )
    ratio = results["ours"]["tokens_per_s"] / results["peer"]["tokens_per_s"]
    print(f"ours/peer tokens/s: {ratio:.2f}  (issue target >= 1.2; val loss target <= 1.88)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
