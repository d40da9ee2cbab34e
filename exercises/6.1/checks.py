"""Checks for exercise 6.1, run by ``journey check 6.1``.

Each check calls the learner's functions through the ``ex`` fixture. ``attend_with_cache``
is compared, on fresh random tensors in float64, with causal attention over the whole
sequence computed here in a few lines (scores, mask, softmax, values), step by step from
an empty cache, with grouped-query heads, and with garbage in the unfilled part of the
caches. ``top_p_filter`` is compared with the nucleus computed here, and on
distributions where the boundary token's sum is exact in binary. The last check runs
SmolLM2-135M-Instruct (from the installed package) with the learner's cache step in
every layer and compares its 16 greedy tokens with :func:`nlpjourney.infer.generate`'s.
With ``--exercise reference`` the same checks grade the library (``attend_with_cache``
from ``nlpjourney.nn``, ``top_p_filter`` from ``nlpjourney.infer.generate``).
"""

from __future__ import annotations

import zlib

import pytest
import torch
from torch.testing import assert_close

REFERENCE = "nlpjourney.infer.generate"
# What the learner may not use: the model answer (and the rest of the library), torch's
# fused attention, and transformers' samplers.
FORBIDDEN = (
    "nlpjourney",
    "torch.nn.functional.scaled_dot_product_attention",
    "torch.nn.MultiheadAttention",
    "transformers",
)

F64 = torch.float64
PROMPTS = (
    "The capital of France is",
    "Water boils at a temperature of",
    "The three primary colours are",
    "A good way to learn a language is",
    "The first day of the week is",
    "To make a cup of tea, you",
)


@pytest.fixture(autouse=True)
def fresh_torch(seed: int, request: pytest.FixtureRequest) -> None:
    """torch's draws are fresh each run, seeded by the run's seed and the check's name."""
    torch.manual_seed(seed * 100_003 + zlib.crc32(request.node.name.encode()))


def full_attention(q, k, v):
    """Causal attention over the whole sequence: the reference, q (B, nh, S, hs)."""
    group = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
    length = q.shape[-2]
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    future = torch.ones(length, length, dtype=torch.bool).triu(1)
    return scores.masked_fill(future, float("-inf")).softmax(dim=-1) @ v


def sequence(batch: int, heads: int, kv_heads: int, length: int, hs: int):
    q = torch.randn(batch, heads, length, hs, dtype=F64)
    k = torch.randn(batch, kv_heads, length, hs, dtype=F64)
    v = torch.randn(batch, kv_heads, length, hs, dtype=F64)
    return q, k, v


def empty_caches(batch: int, kv_heads: int, capacity: int, hs: int, fill: float = 1e4):
    """Caches whose unfilled positions hold a large value: reading one shows."""
    cache_k = torch.full((batch, kv_heads, capacity, hs), fill, dtype=F64)
    return cache_k, cache_k.clone()


def decode_in_steps(ex, q, k, v, steps, capacity):
    """Feed the sequence in chunks ``steps`` = [(start, end), ...]; (outputs, caches)."""
    cache_k, cache_v = empty_caches(k.shape[0], k.shape[1], capacity, k.shape[-1])
    outs = []
    for start, end in steps:
        part = slice(start, end)
        # clones: what a step returns is never written again (a learner may keep it)
        out, cache_k, cache_v = ex.attend_with_cache(
            q[:, :, part], k[:, :, part], v[:, :, part], cache_k.clone(), cache_v.clone(), start
        )
        outs.append(out)
    return outs, cache_k, cache_v


def test_one_step_attends_to_every_cached_position(ex, rng) -> None:
    """One new position at pos attends over positions 0..pos: full attention's last row.

    Hint 1: the new query is the last position so far; every filled position is in its
    past, so nothing is masked in a one-position step.
    Hint 2: write the new key and value at index pos first, then take the first pos + 1
    positions of each cache: scores scaled by one over the square root of the head size,
    softmax over the positions, times the values.
    """
    for _ in range(3):
        batch, heads, hs = int(rng.integers(1, 3)), int(rng.integers(1, 4)), int(rng.integers(2, 7))
        pos = int(rng.integers(1, 8))
        q, k, v = sequence(batch, heads, heads, pos + 1, hs)
        capacity = pos + 1 + int(rng.integers(0, 4))
        cache_k, cache_v = empty_caches(batch, heads, capacity, hs)
        cache_k[:, :, :pos], cache_v[:, :, :pos] = k[:, :, :pos], v[:, :, :pos]
        out, _, _ = ex.attend_with_cache(
            q[:, :, pos:], k[:, :, pos:], v[:, :, pos:], cache_k, cache_v, pos
        )
        expected = full_attention(q, k, v)[:, :, pos:]
        assert out.shape == expected.shape, (
            f"out is {tuple(out.shape)}, expected {tuple(expected.shape)}"
        )
        assert_close(out, expected, msg=lambda m, p=pos: f"pos={p}: {m}")


def test_writes_the_new_keys_and_values_in_place(ex, rng) -> None:
    """The caches come back the same size, holding the new keys/values at pos..pos+T-1.

    Hint 1: the caches are allocated once for the whole text; a step writes into them
    and never grows or replaces them.
    Hint 2: assign the new keys and values into the slice of the position axis (the
    third) that starts at pos; the earlier positions stay as they were.
    """
    batch, heads, hs, capacity = 2, 2, 4, 9
    pos, new = int(rng.integers(0, 5)), int(rng.integers(1, 4))
    q, k, v = sequence(batch, heads, heads, pos + new, hs)
    cache_k, cache_v = empty_caches(batch, heads, capacity, hs)
    cache_k[:, :, :pos], cache_v[:, :, :pos] = k[:, :, :pos], v[:, :, :pos]
    part = slice(pos, pos + new)
    _, got_k, got_v = ex.attend_with_cache(q[:, :, part], k[:, :, part], v[:, :, part],
                                           cache_k, cache_v, pos)  # fmt: skip
    for name, got, want in (("cache_k", got_k, k), ("cache_v", got_v, v)):
        assert tuple(got.shape) == (batch, heads, capacity, hs), (
            f"{name} is {tuple(got.shape)}; it must keep the shape it was given, "
            f"{(batch, heads, capacity, hs)}"
        )
        assert_close(got[:, :, : pos + new], want, msg=lambda m, n=name: f"{n}: {m}")
    assert (got_k[:, :, pos + new :] == 1e4).all(), "positions after pos + T were changed"


def test_several_new_positions_are_causal(ex, rng) -> None:
    """A prompt at pos 0, then chunks: each new query sees its past, never its future.

    Hint 1: within one step of T positions, new query t may not see new keys after it.
    Hint 2: query t sits at position pos + t; mask the key at position j when j is
    greater than pos + t (a triangle aligned to the bottom-right of the scores).
    """
    length = int(rng.integers(6, 10))
    cut1, cut2 = sorted(int(c) for c in rng.choice(range(1, length), 2, replace=False))
    q, k, v = sequence(2, 3, 3, length, 5)
    steps = [(0, cut1), (cut1, cut2), (cut2, length)]
    outs, _, _ = decode_in_steps(ex, q, k, v, steps, capacity=length + 2)
    expected = full_attention(q, k, v)
    for (start, end), out in zip(steps, outs, strict=True):
        assert_close(out, expected[:, :, start:end],
                     msg=lambda m, s=start, e=end: f"positions {s}..{e - 1}: {m}")  # fmt: skip


def test_one_token_at_a_time_equals_full_attention(ex, rng) -> None:
    """Decoding a sequence one position at a time from an empty cache gives every row.

    Hint 1: after step t the caches hold positions 0..t, and nothing after.
    Hint 2: at pos 0 the cache holds nothing yet; the step reads back only what it has
    just written. Never read positions at or after pos + T: they hold old contents.
    """
    length = int(rng.integers(4, 9))
    q, k, v = sequence(1, 2, 2, length, 4)
    steps = [(t, t + 1) for t in range(length)]
    outs, _, _ = decode_in_steps(ex, q, k, v, steps, capacity=length + 3)
    assert_close(torch.cat(outs, dim=2), full_attention(q, k, v))


def test_grouped_query_heads_share_keys_and_values(ex, rng) -> None:
    """With nkv < nh key/value heads, each serves a group of consecutive query heads.

    Hint 1: there are fewer key/value heads than query heads: each one must be used by
    nh // nkv query heads before the scores are computed.
    Hint 2: query heads 0..g-1 use key/value head 0, the next g use head 1: repeat each
    key/value head g times in a row (interleaved), not the whole set g times.
    """
    for kv_heads, group, batch in ((1, 3, 2), (2, 2, 4), (3, 3, 1)):
        length = int(rng.integers(3, 7))
        q, k, v = sequence(batch, kv_heads * group, kv_heads, length, 4)
        steps = [(0, length - 1), (length - 1, length)]
        outs, cache_k, _ = decode_in_steps(ex, q, k, v, steps, capacity=length + 1)
        assert cache_k.shape[1] == kv_heads, "the caches keep nkv heads; repeat only to attend"
        assert_close(torch.cat(outs, dim=2), full_attention(q, k, v),
                     msg=lambda m, h=kv_heads, g=group: f"nkv={h}, nh={h * g}: {m}")  # fmt: skip


def test_a_step_past_the_capacity_is_refused(ex, rng) -> None:
    """Positions that fit the caches exactly are written; one more raises ValueError.

    Hint 1: before writing, compare where the step would end with the caches' length
    (their position axis), and raise a ValueError that says so when it does not fit.
    Hint 2: the step ends at pos + T; it fits when that is at most the capacity, so a
    step that ends exactly at the capacity is fine.
    """
    capacity = int(rng.integers(3, 8))
    for new in (1, 2):
        q, k, v = sequence(1, 2, 1, new, 4)
        cache_k, cache_v = empty_caches(1, 1, capacity, 4)
        end = capacity - new
        _, got_k, _ = ex.attend_with_cache(q, k, v, cache_k.clone(), cache_v.clone(), end)
        assert_close(got_k[:, :, end:], k)
        with pytest.raises(ValueError):
            ex.attend_with_cache(q, k, v, cache_k.clone(), cache_v.clone(), end + 1)


def nucleus(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """The reference: which tokens the nucleus keeps (bool, same shape)."""
    probs = logits.softmax(dim=-1)
    ordered, order = probs.sort(dim=-1, descending=True)
    before = ordered.cumsum(dim=-1) - ordered
    keep_sorted = before < top_p
    return torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)


def test_top_p_keeps_the_nucleus(ex, rng) -> None:
    """Random logits, several top_p: the kept tokens and their values are the nucleus's.

    Hint 1: sort the probabilities from the largest down and add them up; keep tokens
    until the sum reaches top_p, then put the answer back in the vocabulary's order.
    Hint 2: a token is kept when the sum of the tokens sorted before it (not including
    itself) is below top_p; kept logits are returned unchanged, the rest are -inf.
    """
    for _ in range(4):
        rows, vocab = int(rng.integers(1, 4)), int(rng.integers(5, 40))
        logits = torch.randn(rows, vocab, dtype=F64) * float(rng.uniform(0.5, 4))
        top_p = float(rng.uniform(0.05, 0.99))
        got = ex.top_p_filter(logits.clone(), top_p)
        keep = nucleus(logits, top_p)
        assert got.shape == logits.shape, (
            f"shape {tuple(got.shape)}, expected {tuple(logits.shape)}"
        )
        assert torch.equal(got.isfinite(), keep), (
            f"top_p={top_p:.3f}: kept {got.isfinite().sum(-1).tolist()} tokens per row, the "
            f"nucleus has {keep.sum(-1).tolist()}"
        )
        assert torch.equal(got[keep], logits[keep]), "the kept logits must be unchanged"
        assert (got[~keep] == float("-inf")).all(), "the dropped logits must be -inf"


def test_top_p_boundary_and_extremes(ex, rng) -> None:
    """Sums that reach top_p exactly stop there; a tiny top_p keeps one token; 1 keeps all.

    Hint 1: "reach" means at least: when the tokens kept so far sum to exactly top_p, the
    nucleus is complete. The most likely token is always kept.
    Hint 2: compare the sum of the tokens before each one (an exclusive cumulative sum)
    with top_p using a strict less-than.
    """
    probs = torch.tensor([0.5, 0.25, 0.125, 0.0625, 0.0625], dtype=F64)
    order = torch.from_numpy(rng.permutation(5))
    logits = probs[order].log()
    for top_p, kept in ((0.75, 2), (0.5, 1), (0.875, 3), (0.76, 3), (1e-6, 1), (1.0, 5)):
        got = ex.top_p_filter(logits.clone(), top_p)
        count = int(got.isfinite().sum())
        assert count == kept, (
            f"probabilities {probs.tolist()}, top_p={top_p}: kept {count}, expected {kept}"
        )
        assert torch.equal(got.isfinite(), nucleus(logits, top_p)), (
            f"top_p={top_p}: wrong tokens kept"
        )


# --- the real model: SmolLM2 decoding with the learner's cache step -------------------

_MODEL = {}


def smollm2():
    """SmolLM2-135M-Instruct, loaded once per session (the installed GGUF)."""
    if not _MODEL:
        from nlpjourney.models import load

        _MODEL["pretrained"] = load("smollm2-135m-instruct")
    return _MODEL["pretrained"]


def end_ids(tokenizer) -> set[int]:
    """The ids that end a turn or a text, as generate stops at them."""
    from nlpjourney.infer import END_OF_TURN

    names = {*END_OF_TURN, tokenizer.eos_token}
    return {tokenizer.special_tokens[n] for n in names if n in tokenizer.special_tokens}


def greedy_with(ex, model, prompt_ids: list[int], new_tokens: int, end_ids: set[int]) -> list[int]:
    """Greedy decoding where every layer's attention step is the learner's function."""
    cfg = model.config
    hs, kv_dim = cfg.head_dim, cfg.kv_heads * cfg.head_dim
    capacity = len(prompt_ids) + new_tokens
    caches = [
        (torch.zeros(1, cfg.kv_heads, capacity, hs), torch.zeros(1, cfg.kv_heads, capacity, hs))
        for _ in model.layers
    ]
    ids, pos, out = torch.tensor([prompt_ids]), 0, []
    with torch.no_grad():
        for _ in range(new_tokens):
            length = ids.shape[1]
            positions = torch.arange(pos, pos + length)
            x = model.embed_tokens(ids)  # (1, T, C)
            for i, layer in enumerate(model.layers):
                attn = layer.attn
                q, k, v = attn.qkv_proj(layer.norm1(x)).split([cfg.dim, kv_dim, kv_dim], dim=-1)
                q = q.view(1, length, cfg.n_heads, hs).transpose(1, 2)  # (1, nh, T, hs)
                k = k.view(1, length, cfg.kv_heads, hs).transpose(1, 2)  # (1, nkv, T, hs)
                v = v.view(1, length, cfg.kv_heads, hs).transpose(1, 2)
                q, k = attn.rotary(q, positions), attn.rotary(k, positions)
                cache_k, cache_v = (c.clone() for c in caches[i])
                y, *caches[i] = ex.attend_with_cache(q, k, v, cache_k, cache_v, pos)
                x = x + attn.out_proj(y.transpose(1, 2).reshape(1, length, cfg.dim))
                x = x + layer.mlp(layer.norm2(x))
            token = int(model.lm_head(model.norm(x[:, -1])).argmax())
            if token in end_ids:
                break
            out.append(token)
            pos, ids = pos + length, torch.tensor([[token]])
    return out


def test_smollm2_greedy_tokens_equal_generate(ex, rng) -> None:
    """SmolLM2-135M-Instruct with your cache step writes generate's 16 greedy tokens.

    Hint 1: the prompt goes in as one step at pos 0 (T = its length), then each new token
    as a step of one position; every layer has its own caches, with 3 key/value heads
    for 9 query heads.
    Hint 2: if the other checks pass and this one fails, look at the dtype and device of
    what you create (follow the inputs'), and at the caches coming back: they must be
    the ones the next step writes into.
    """
    from nlpjourney.infer import generate

    pretrained = smollm2()
    model, tokenizer = pretrained.model.eval(), pretrained.tokenizer
    prompt = PROMPTS[int(rng.integers(len(PROMPTS)))]
    expected = generate(model, tokenizer, prompt, max_new_tokens=16)
    got = greedy_with(ex, model, tokenizer.encode(prompt), 16, end_ids(tokenizer))
    text = tokenizer.decode(got)
    assert text == expected, (
        f"prompt {prompt!r}: your cache step wrote {text!r}, generate wrote {expected!r}"
    )
