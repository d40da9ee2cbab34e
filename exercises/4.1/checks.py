"""Checks for exercise 4.1, run by ``journey check 4.1``.

Each check calls the learner's functions through the ``ex`` fixture. Attention is
compared with ``torch.nn.functional.scaled_dot_product_attention`` on the same heads
(float64), with a two-token example small enough to do by hand, and with the properties
any causal attention has, on sizes and values drawn fresh each run (``rng``, and
torch's generator seeded by the run's seed); RoPE with worked examples, with the properties of a rotation
and with the convention of ``transformers``' ``apply_rotary_pos_emb`` (Llama). With
``--exercise reference`` the same checks grade the library, ``nlpjourney.nn``.
"""

from __future__ import annotations

import math
import zlib

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

REFERENCE = "nlpjourney.nn"
# What the learner may not use: the model answer, and torch's own attention.
FORBIDDEN = (
    "nlpjourney",
    "torch.nn.functional.scaled_dot_product_attention",
    "torch.nn.MultiheadAttention",
    "torch.nn.functional.multi_head_attention_forward",
    "transformers",
)

F64 = torch.float64


@pytest.fixture(autouse=True)
def fresh_torch(seed: int, request: pytest.FixtureRequest) -> None:
    """torch's random draws (torch.randn) are fresh each run: seeded by the run's seed and
    the check's name, so --seed replays them."""
    torch.manual_seed(seed * 100_003 + zlib.crc32(request.node.name.encode()))


def random_sizes(rng, n: int = 3) -> list[tuple[int, int, int, int]]:
    """(batch, seq_len, dim, heads) with dim a multiple of heads, drawn from rng."""
    sizes = []
    for _ in range(n):
        heads, head_dim = int(rng.integers(1, 5)), int(rng.integers(1, 6))
        sizes.append((int(rng.integers(1, 4)), int(rng.integers(1, 10)), heads * head_dim, heads))
    return sizes


def random_weights(dim: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    scale = 1 / math.sqrt(dim)
    w_qkv = torch.randn(3 * dim, dim, generator=gen, dtype=F64) * scale
    w_out = torch.randn(dim, dim, generator=gen, dtype=F64) * scale
    return w_qkv, w_out


def torch_attention(x, w_qkv, w_out, num_heads):
    """The same layer with torch's fused attention doing the middle."""
    batch, seq_len, dim = x.shape
    q, k, v = (x @ w_qkv.T).split(dim, dim=-1)
    q, k, v = (t.view(batch, seq_len, num_heads, -1).transpose(1, 2) for t in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return y.transpose(1, 2).reshape(batch, seq_len, dim) @ w_out.T


def angles(positions, head_dim: int, base: float = 10000.0):
    """cos and sin of position * base^(-2i/d), (T, d/2), float64."""
    inv_freq = base ** (-torch.arange(0, head_dim, 2, dtype=F64) / head_dim)
    theta = torch.as_tensor(positions, dtype=F64)[:, None] * inv_freq
    return theta.cos(), theta.sin()


def test_attention_output_shape(ex, rng) -> None:
    """causal_self_attention returns (B, T, C) for several batch, length and head counts.

    Hint 1: split the channels into heads, attend per head, and merge the heads back.
    Hint 2: view the channels as heads times head size and move the heads axis before the
    positions; afterwards move it back and reshape (the transposed tensor is not
    contiguous, so a plain view fails).
    """
    fixed = [(2, 5, 8, 2), (1, 1, 6, 3), (3, 9, 16, 4), (1, 4, 4, 1)]
    for batch, seq_len, dim, heads in fixed + random_sizes(rng):
        w_qkv, w_out = random_weights(dim, seed=dim)
        y = ex.causal_self_attention(
            torch.randn(batch, seq_len, dim, dtype=F64), w_qkv, w_out, heads
        )
        assert tuple(y.shape) == (batch, seq_len, dim), (
            f"x (B={batch}, T={seq_len}, C={dim}) with {heads} heads gave {tuple(y.shape)}"
        )


def test_attention_worked_example(ex) -> None:
    """causal_self_attention on two tokens with identity weights, worked by hand.

    Hint 1: token 0 can see only itself, so its output is its own value.
    Hint 2: token 1 scores zero for token 0 and one over the square root of two for
    itself; if token 0's output mixes in token 1, the mask is missing or covers the wrong
    triangle (forbid keys after the query).
    """
    eye = torch.eye(2, dtype=F64)
    x = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]], dtype=F64)
    y = ex.causal_self_attention(x, torch.cat([eye, eye, eye]), eye, 1)
    weight = 1 / (1 + math.exp(1 / math.sqrt(2)))
    assert_close(y, torch.tensor([[[1.0, 0.0], [weight, 1 - weight]]], dtype=F64))


def test_attention_equals_torch_sdpa(ex, rng) -> None:
    """causal_self_attention equals the same layer built on torch's SDPA, on random data.

    Hint 1: scale the scores by one over the square root of the head size, not of the
    model width.
    Hint 2: the queries are the first C columns of the projection, the keys the next C,
    the values the last C; the softmax runs over the keys.
    """
    for batch, seq_len, dim, heads in [(2, 7, 12, 3), (1, 10, 8, 1), (3, 4, 16, 8)] + random_sizes(
        rng
    ):
        w_qkv, w_out = random_weights(dim, seed=seq_len)
        x = torch.randn(batch, seq_len, dim, dtype=F64)
        assert_close(
            ex.causal_self_attention(x, w_qkv, w_out, heads),
            torch_attention(x, w_qkv, w_out, heads),
            msg=lambda m, h=heads: f"with {h} heads: {m}",
        )


def test_attention_future_never_changes_the_past(ex) -> None:
    """Changing the last tokens of a sequence leaves the outputs of the earlier ones alone.

    Hint 1: a query may attend to its own position and the ones before it, never after.
    Hint 2: set the forbidden scores to minus infinity before the softmax, so they get a
    weight of exactly zero (a lower-triangular mask).
    """
    w_qkv, w_out = random_weights(8, seed=3)
    x = torch.randn(2, 6, 8, dtype=F64)
    changed = x.clone()
    changed[:, 4:] = torch.randn(2, 2, 8, dtype=F64)
    before = ex.causal_self_attention(x, w_qkv, w_out, 2)
    after = ex.causal_self_attention(changed, w_qkv, w_out, 2)
    assert_close(after[:, :4], before[:, :4], msg="positions 0-3 moved when 4-5 changed")
    assert not torch.allclose(after[:, 4:], before[:, 4:]), "positions 4-5 ignore their own input"


def test_attention_heads_are_independent(ex) -> None:
    """Changing one head's query/key/value weights changes only that head's output columns.

    Hint 1: each head owns one contiguous block of channels, in the queries, keys and
    values and in the merged output.
    Hint 2: split the channels as heads (outer) times head size (inner), and merge back
    in the same order; any other order mixes the heads' channels.
    """
    dim, heads = 12, 3
    head_dim = dim // heads
    w_qkv, _ = random_weights(dim, seed=5)
    eye = torch.eye(dim, dtype=F64)  # w_out = I shows the merged heads as they are
    x = torch.randn(2, 5, dim, dtype=F64)
    before = ex.causal_self_attention(x, w_qkv, eye, heads)
    changed = w_qkv.clone()
    head = 1
    for block in range(3):  # the rows of head 1 in the q, k and v blocks
        start = block * dim + head * head_dim
        changed[start : start + head_dim] = torch.randn(head_dim, dim, dtype=F64)
    after = ex.causal_self_attention(x, changed, eye, heads)
    own = slice(head * head_dim, (head + 1) * head_dim)
    assert_close(after[..., : own.start], before[..., : own.start], msg="head 0 changed")
    assert_close(after[..., own.stop :], before[..., own.stop :], msg="head 2 changed")
    assert not torch.allclose(after[..., own], before[..., own]), "head 1 did not change"


def test_rope_inv_freq(ex, rng) -> None:
    """rope_inv_freq gives base^(-2i/d): the worked example, and d = 64 at base 10 000.

    Hint 1: one frequency per pair of dims: half as many as the head size.
    Hint 2: pair i's frequency is the base to the power minus two i over the head size;
    the even numbers from zero up to the head size give the exponents' numerators.
    """
    assert_close(ex.rope_inv_freq(4, base=100.0).double(), torch.tensor([1.0, 0.1], dtype=F64))
    expected = 10000.0 ** (-torch.arange(0, 64, 2, dtype=F64) / 64)
    assert_close(ex.rope_inv_freq(64).double(), expected, rtol=1e-6, atol=0)
    head_dim, base = 2 * int(rng.integers(1, 40)), float(rng.uniform(10, 1e5))
    expected = torch.tensor([base ** (-2 * i / head_dim) for i in range(head_dim // 2)])
    assert_close(
        ex.rope_inv_freq(head_dim, base=base).double(), expected.double(), rtol=1e-5, atol=0
    )


def test_rotate_half(ex, rng) -> None:
    """rotate_half turns [x1, x2] into [-x2, x1], on a vector and on a batch.

    Hint 1: split the last dim into two halves, swap them, and negate one.
    Hint 2: the second half, negated, comes first; every leading dim (batch, heads,
    positions) passes through untouched.
    """
    assert_close(
        ex.rotate_half(torch.tensor([1.0, 2.0, 3.0, 4.0])), torch.tensor([-3.0, -4.0, 1.0, 2.0])
    )
    half = int(rng.integers(1, 6))
    x = torch.randn(2, 3, 5, 2 * half, dtype=F64)
    assert_close(ex.rotate_half(x), torch.cat([-x[..., half:], x[..., :half]], dim=-1))


def test_rope_is_a_rotation(ex) -> None:
    """apply_rope keeps every vector's length, and position 0 (angle 0) changes nothing.

    Hint 1: a rotation only turns a vector, so lengths cannot change.
    Hint 2: if they do, the cosines and sines are not paired with the same angle, or not
    repeated to full width as the whole list twice (not each value twice in a row).
    """
    x = torch.randn(2, 4, 6, 16, dtype=F64)  # (B, nh, T, hs)
    cos, sin = angles(torch.arange(6), 16)
    rotated = ex.apply_rope(x, cos, sin)
    assert tuple(rotated.shape) == tuple(x.shape)
    assert_close(rotated.norm(dim=-1), x.norm(dim=-1), msg="lengths changed")
    assert_close(rotated[..., 0, :], x[..., 0, :], msg="position 0 moved")
    # and each pair (i, i + 8) keeps its own length: pairs are rotated separately
    pair_lengths = lambda t: t[..., :8] ** 2 + t[..., 8:] ** 2  # noqa: E731
    assert_close(pair_lengths(rotated), pair_lengths(x), msg="a pair (i, i + d/2) changed length")


def test_rope_scores_depend_on_distance_only(ex, rng) -> None:
    """With RoPE, q at position m and k at position n score the same for every equal m - n.

    Hint 1: this holds when query and key are turned by the same frequencies.
    Hint 2: each angle is the position times the pair's frequency; rotate both the query
    and the key with it.
    """
    gen = torch.Generator().manual_seed(int(rng.integers(2**31)))
    q, k = torch.randn(32, generator=gen, dtype=F64), torch.randn(32, generator=gen, dtype=F64)
    inv_freq = ex.rope_inv_freq(32).double()

    def score(m: int, n: int) -> float:
        theta = torch.tensor([[m], [n]], dtype=F64) * inv_freq  # (2, d/2)
        both = ex.apply_rope(torch.stack([q, k]), theta.cos(), theta.sin())
        return float(both[0] @ both[1])

    for distance in (0, 3, 17):
        scores = [score(n + distance, n) for n in (0, 5, 40, 300)]
        assert max(scores) - min(scores) < 1e-9, f"distance {distance}: scores {scores}"
    assert abs(score(3, 0) - score(0, 3)) > 1e-6, "q.k should change when m - n changes sign"


def test_rope_matches_transformers_llama(ex) -> None:
    """apply_rope follows transformers' apply_rotary_pos_emb (Llama's half-split layout).

    Hint 1: the half-split layout: dim i is paired with dim i plus half the head size,
    not with its neighbour.
    Hint 2: the input times the full-width cosines, plus its rotated halves times the
    full-width sines.
    """
    batch, heads, seq_len, head_dim = 2, 3, 5, 8
    q = torch.randn(batch, heads, seq_len, head_dim, dtype=F64)
    k = torch.randn(batch, heads, seq_len, head_dim, dtype=F64)
    cos, sin = angles(torch.arange(seq_len), head_dim)
    full_cos, full_sin = torch.cat([cos, cos], -1)[None], torch.cat([sin, sin], -1)[None]
    # The learner's answer first: importing transformers takes seconds, wasted on a stub.
    ours = ex.apply_rope(q, cos, sin), ex.apply_rope(k, cos, sin)
    try:  # the frameworks extra; without it, the same convention written out
        from transformers.models.llama.modeling_llama import apply_rotary_pos_emb
    except ImportError:
        halves = lambda t: torch.cat([-t[..., 4:], t[..., :4]], -1)  # noqa: E731
        expected = (q * full_cos + halves(q) * full_sin, k * full_cos + halves(k) * full_sin)
    else:
        expected = apply_rotary_pos_emb(q, k, full_cos, full_sin)
    assert_close(ours[0], expected[0])
    assert_close(ours[1], expected[1])
