"""Benchmark: our encoder-decoder training step against ``torch.nn.Transformer`` of the same size.

Both models are the ``multi30k`` preset (d_model 256, 4 heads, 3 + 3 pre-norm layers,
FFN 1024, GELU, a tied 8,000-token embedding and output layer, sinusoidal positions
scaled in as in the paper) and get the same weights: ours is built, then its weights
are copied into the peer (``in_proj_weight`` = our q, k, v projections stacked), and the
two logits are checked equal before timing. A step is forward, label-smoothed loss,
backward and an AdamW update, on one batch of Multi30k-sized sentences (B=128, source 18
and target 18 tokens, a few padded), under bfloat16 autocast where the CPU multiplies
bfloat16 natively and in float32 otherwise (``--dtype``). Times are the median of
``--steps`` steps after two warm-up steps; the ratio is ours / torch (below 1: ours
faster).

Measured on the shared 2-core development machine (torch 2.15 CPU, ``--threads 1``,
load average 1.6-2.6, median of 10 steps):

    bfloat16  ours 603 ms/step, torch 677 ms/step: ratio 0.89
    float32   ours 1375 ms/step, torch 1354 ms/step: ratio 1.02

Run it with::

    uv run python benchmarks/models_transformer.py --threads 1   # steadier on a busy machine
    uv run python benchmarks/models_transformer.py --dtype float32
"""

from __future__ import annotations

import argparse
import contextlib
import math
import statistics
import time
import warnings

import torch
from torch import Tensor, nn

from nlpjourney.apps.translation import label_smoothed_loss
from nlpjourney.models.transformer import Transformer, TransformerConfig
from nlpjourney.nn import sinusoidal_positions


class TorchTransformer(nn.Module):
    """The peer: ``torch.nn.Transformer`` with our embedding, positions and tied output."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        c = config
        self.config = c
        self.embed = nn.Embedding(c.vocab_size, c.d_model, padding_idx=c.pad_id)
        self.register_buffer(
            "positions", sinusoidal_positions(c.max_len, c.d_model), persistent=False
        )
        self.dropout = nn.Dropout(c.dropout)
        self.transformer = nn.Transformer(
            c.d_model, c.n_heads, c.n_encoder_layers, c.n_decoder_layers, c.d_ff, c.dropout,
            activation="gelu", batch_first=True, norm_first=c.norm_first,
        )  # fmt: skip

    def _embed(self, ids: Tensor) -> Tensor:
        x = self.embed(ids) * math.sqrt(self.config.d_model)
        return self.dropout(x + self.positions[: ids.shape[1]])

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        pad = self.config.pad_id
        causal = nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1])
        y = self.transformer(
            self._embed(src), self._embed(tgt_in), tgt_mask=causal, tgt_is_causal=True,
            src_key_padding_mask=src == pad, memory_key_padding_mask=src == pad,
        )  # fmt: skip
        return y @ self.embed.weight.T


def copy_weights(ours: Transformer, peer: TorchTransformer) -> None:
    """Give the peer our weights, module by module."""

    def attention(a: nn.Module, b: nn.MultiheadAttention) -> None:
        if a.cross:  # queries from q_proj, keys and values stacked in kv_proj
            b.in_proj_weight.copy_(torch.cat([a.q_proj.weight, a.kv_proj.weight]))
            b.in_proj_bias.copy_(torch.cat([a.q_proj.bias, a.kv_proj.bias]))
        else:  # the three stacked in qkv_proj, as torch's in_proj
            b.in_proj_weight.copy_(a.qkv_proj.weight)
            b.in_proj_bias.copy_(a.qkv_proj.bias)
        b.out_proj.weight.copy_(a.out_proj.weight)
        b.out_proj.bias.copy_(a.out_proj.bias)

    def rest(a: nn.Module, b: nn.Module, norms: int) -> None:
        b.linear1.load_state_dict(a.mlp.up.state_dict())
        b.linear2.load_state_dict(a.mlp.down.state_dict())
        for i in range(1, norms + 1):
            getattr(b, f"norm{i}").load_state_dict(getattr(a, f"norm{i}").state_dict())

    with torch.no_grad():
        peer.embed.weight.copy_(ours.embed.weight)
        for a, b in zip(ours.encoder, peer.transformer.encoder.layers, strict=True):
            attention(a.attn, b.self_attn)
            rest(a, b, 2)
        for a, b in zip(ours.decoder, peer.transformer.decoder.layers, strict=True):
            attention(a.self_attn, b.self_attn)
            attention(a.cross_attn, b.multihead_attn)
            rest(a, b, 3)
        peer.transformer.encoder.norm.load_state_dict(ours.encoder_norm.state_dict())
        peer.transformer.decoder.norm.load_state_dict(ours.decoder_norm.state_dict())


def batch(config: TransformerConfig, size: int, length: int) -> tuple[Tensor, Tensor, Tensor]:
    g = torch.Generator().manual_seed(0)
    src = torch.randint(3, config.vocab_size, (size, length), generator=g)
    tgt = torch.randint(3, config.vocab_size, (size, length + 1), generator=g)
    for row in range(0, size, 3):  # a third of the sentences are shorter, padded
        src[row, length - 4 :] = config.pad_id
        tgt[row, length - 3 :] = config.pad_id
    return src, tgt[:, :-1], tgt[:, 1:]


def median_step_ms(model: nn.Module, data: tuple[Tensor, Tensor, Tensor], amp: torch.dtype | None,
                   steps: int) -> float:  # fmt: skip
    src, tgt_in, tgt_out = data
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    model.train()
    times = []
    for i in range(steps + 2):
        started = time.perf_counter()
        context = torch.autocast("cpu", amp) if amp is not None else contextlib.nullcontext()
        with context:
            loss = label_smoothed_loss(model(src, tgt_in), tgt_out, model.config.pad_id)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if i >= 2:
            times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--length", type=int, default=18)
    parser.add_argument("--dtype", choices=("auto", "float32", "bfloat16"), default="auto")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    fast_bf16 = any(
        getattr(torch.cpu, name, lambda: False)()
        for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    )
    amp = {"float32": None, "bfloat16": torch.bfloat16}.get(
        args.dtype, torch.bfloat16 if fast_bf16 else None
    )
    config = TransformerConfig.from_name("multi30k")
    # torch's encoder warns that pre-norm layers cannot use its nested-tensor fast path
    warnings.filterwarnings("ignore", message="enable_nested_tensor is True")
    torch.manual_seed(0)
    ours = Transformer(config)
    peer = TorchTransformer(config)
    copy_weights(ours, peer)
    data = batch(config, args.batch, args.length)
    with torch.no_grad():
        want = peer.eval()(data[0], data[1])
        got = ours.eval()(data[0], data[1])
    real = data[1] != config.pad_id
    torch.testing.assert_close(got[real], want[real], atol=1e-4, rtol=1e-4)
    print(f"same logits from the same weights; {ours.num_parameters() / 1e6:.2f}M parameters")
    print(f"B={args.batch}, S=T={args.length}, {amp or torch.float32}, "
          f"{torch.get_num_threads()} threads, median of {args.steps} steps")  # fmt: skip
    ms = {
        name: median_step_ms(m, data, amp, args.steps)
        for name, m in (("ours", ours), ("torch", peer))
    }
    tokens = int((data[2] != config.pad_id).sum())
    for name, value in ms.items():
        print(f"{name:6s} {value:7.1f} ms/step  {tokens / value * 1000:8,.0f} target tokens/s")
    print(f"ratio ours / torch: {ms['ours'] / ms['torch']:.2f}")


if __name__ == "__main__":
    main()
