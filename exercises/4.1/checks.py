"""Checks for exercise 4.1, run by ``journey check 4.1``.

Each check calls the learner's functions through the ``ex`` fixture. Attention is
compared with ``torch.nn.functional.scaled_dot_product_attention`` on the same heads
(float64), with a two-token example small enough to do by hand, and with the properties
any causal attention has; RoPE with worked examples, with the properties of a rotation
and with the convention of ``transformers``' ``apply_rotary_pos_emb`` (Llama). With
``--exercise reference`` the same checks grade the library, ``nlpjourney.nn``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch.testing import assert_close

REFERENCE = "nlpjourney.nn"

F64 = torch.float64


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


def test_attention_output_shape(ex) -> None:
    """causal_self_attention returns (B, T, C) for several batch, length and head counts.

    Hint: split q, k, v with .view(B, T, nh, hs).transpose(1, 2); after attention undo it
    with .transpose(1, 2).reshape(B, T, C) (reshape, not view: the transpose made the
    tensor non-contiguous).
    """
    for batch, seq_len, dim, heads in [(2, 5, 8, 2), (1, 1, 6, 3), (3, 9, 16, 4), (1, 4, 4, 1)]:
        w_qkv, w_out = random_weights(dim, seed=dim)
        y = ex.causal_self_attention(
            torch.randn(batch, seq_len, dim, dtype=F64), w_qkv, w_out, heads
        )
        assert tuple(y.shape) == (batch, seq_len, dim), (
            f"x (B={batch}, T={seq_len}, C={dim}) with {heads} heads gave {tuple(y.shape)}"
        )


def test_attention_worked_example(ex) -> None:
    """causal_self_attention on two tokens with identity weights, worked by hand.

    Hint: token 0 sees only itself, so y[0] = v[0] = [1, 0]; token 1 scores
    [q1.k0, q1.k1] / sqrt(2) = [0, 0.7071], softmax [0.330, 0.670]. If y[0] mixes in
    token 1, the mask is missing or the wrong triangle (mask where key j > query i).
    """
    eye = torch.eye(2, dtype=F64)
    x = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]], dtype=F64)
    y = ex.causal_self_attention(x, torch.cat([eye, eye, eye]), eye, 1)
    weight = 1 / (1 + math.exp(1 / math.sqrt(2)))
    assert_close(y, torch.tensor([[[1.0, 0.0], [weight, 1 - weight]]], dtype=F64))


def test_attention_equals_torch_sdpa(ex) -> None:
    """causal_self_attention equals the same layer built on torch's SDPA, on random data.

    Hint: divide the scores by sqrt(hs), the head size C // num_heads, not sqrt(C); take
    q, k, v as columns [0, C), [C, 2C), [2C, 3C) of x @ w_qkv.T; softmax over the keys
    (the last dim).
    """
    for batch, seq_len, dim, heads in [(2, 7, 12, 3), (1, 10, 8, 1), (3, 4, 16, 8)]:
        w_qkv, w_out = random_weights(dim, seed=seq_len)
        x = torch.randn(batch, seq_len, dim, dtype=F64)
        assert_close(
            ex.causal_self_attention(x, w_qkv, w_out, heads),
            torch_attention(x, w_qkv, w_out, heads),
            msg=lambda m, h=heads: f"with {h} heads: {m}",
        )


def test_attention_future_never_changes_the_past(ex) -> None:
    """Changing the last tokens of a sequence leaves the outputs of the earlier ones alone.

    Hint: query i may attend to keys 0..i only; build the mask with torch.tril (or
    torch.triu(..., diagonal=1) for the forbidden part) and fill forbidden scores with
    -inf *before* the softmax, so they get weight exactly 0.
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

    Hint: head h owns dims [h*hs, (h+1)*hs) of q, k and v, and of the merged output;
    split with .view(B, T, nh, hs) (heads *outer*, hs inner) and merge the same way, or
    the heads' dims get mixed up.
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


def test_rope_inv_freq(ex) -> None:
    """rope_inv_freq gives base^(-2i/d): the worked example, and d = 64 at base 10 000.

    Hint: torch.arange(0, head_dim, 2) is 0, 2, 4, ...; divide by head_dim and take
    base to minus that power (or 1 / base**(...)); there are head_dim / 2 frequencies.
    """
    assert_close(ex.rope_inv_freq(4, base=100.0).double(), torch.tensor([1.0, 0.1], dtype=F64))
    expected = 10000.0 ** (-torch.arange(0, 64, 2, dtype=F64) / 64)
    assert_close(ex.rope_inv_freq(64).double(), expected, rtol=1e-6, atol=0)


def test_rotate_half(ex) -> None:
    """rotate_half turns [x1, x2] into [-x2, x1], on a vector and on a batch.

    Hint: x1 = x[..., : d // 2], x2 = x[..., d // 2 :], then torch.cat([-x2, x1], dim=-1);
    use ..., so every leading dim (batch, heads, positions) passes through.
    """
    assert_close(
        ex.rotate_half(torch.tensor([1.0, 2.0, 3.0, 4.0])), torch.tensor([-3.0, -4.0, 1.0, 2.0])
    )
    x = torch.randn(2, 3, 5, 8, dtype=F64)
    assert_close(ex.rotate_half(x), torch.cat([-x[..., 4:], x[..., :4]], dim=-1))


def test_rope_is_a_rotation(ex) -> None:
    """apply_rope keeps every vector's length, and position 0 (angle 0) changes nothing.

    Hint: a rotation only turns a vector; if lengths change, cos and sin are not paired
    with the same angle, or not repeated to full width as [c0, c1, ..., c0, c1, ...]
    (torch.cat([cos, cos], -1), not repeat_interleave).
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


def test_rope_scores_depend_on_distance_only(ex) -> None:
    """With RoPE, q at position m and k at position n score the same for every equal m - n.

    Hint: this holds when query and key are rotated by the same frequencies; compute
    the angles as position * rope_inv_freq(d) and rotate both with apply_rope.
    """
    gen = torch.Generator().manual_seed(7)
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

    Hint: Hugging Face builds emb = cat([freqs, freqs]) and rotates q * cos +
    rotate_half(q) * sin: dim i is paired with dim i + d/2, not with dim i + 1.
    """
    batch, heads, seq_len, head_dim = 2, 3, 5, 8
    q = torch.randn(batch, heads, seq_len, head_dim, dtype=F64)
    k = torch.randn(batch, heads, seq_len, head_dim, dtype=F64)
    cos, sin = angles(torch.arange(seq_len), head_dim)
    full_cos, full_sin = torch.cat([cos, cos], -1)[None], torch.cat([sin, sin], -1)[None]
    try:  # the frameworks extra; without it, the same convention written out
        from transformers.models.llama.modeling_llama import apply_rotary_pos_emb
    except ImportError:
        halves = lambda t: torch.cat([-t[..., 4:], t[..., :4]], -1)  # noqa: E731
        expected = (q * full_cos + halves(q) * full_sin, k * full_cos + halves(k) * full_sin)
    else:
        expected = apply_rotary_pos_emb(q, k, full_cos, full_sin)
    assert_close(ex.apply_rope(q, cos, sin), expected[0])
    assert_close(ex.apply_rope(k, cos, sin), expected[1])
