"""Checks for exercise 4.5, run by ``journey check 4.5``.

Each check calls the learner's functions through the ``ex`` fixture. RMSNorm is compared
with the formula and torch's ``rms_norm``, RoPE with the rotation written as complex
multiplication (Meta's way) for both pair layouts, grouped-query attention with torch's
fused attention on key/value heads repeated here, and the block with the same layer
composed here from torch's pieces: all in float64 on sizes and values drawn fresh each
run (``rng``, and torch's generator seeded by the run's seed). Last, the learner's
``llama_block`` runs with the real weights of SmolLM2-135M-Instruct (loaded once per run
through our ``nlpjourney.models.load``) on the hidden states of a real prompt and must
give what our model's layer gives (max abs difference 1e-4, float32). With
``--exercise reference`` the same checks grade the library, ``nlpjourney.nn.layers``.
"""

from __future__ import annotations

import math
import zlib

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

REFERENCE = "nlpjourney.nn.layers"
# What the learner may not use: the model answer (and the rest of the library), torch's
# own RMSNorm and attention, and transformers' Llama.
FORBIDDEN = (
    "nlpjourney",
    "transformers",
    "torch.nn.functional.rms_norm",
    "torch.nn.RMSNorm",
    "torch.nn.functional.scaled_dot_product_attention",
    "torch.nn.MultiheadAttention",
    "torch.nn.functional.multi_head_attention_forward",
)

F64 = torch.float64
PROMPTS = (
    "The capital of France is",
    "Write a haiku about the sea.",
    "What is two plus three?",
    "Tell me one fact about owls.",
    "Translate 'good morning' into German.",
)


@pytest.fixture(autouse=True)
def fresh_torch(seed: int, request: pytest.FixtureRequest) -> None:
    """torch's random draws are fresh each run: seeded by the run's seed and the check's
    name, so --seed replays them."""
    torch.manual_seed(seed * 100_003 + zlib.crc32(request.node.name.encode()))


@pytest.fixture(scope="session")
def smollm2():
    """SmolLM2-135M-Instruct through our library, loaded once per run."""
    from nlpjourney.models import load

    pretrained = load("smollm2-135m-instruct")
    pretrained.model.eval()
    return pretrained


# --- references, written out here ------------------------------------------------------


def angles(seq_len: int, head_dim: int, base: float = 10000.0, start: int = 0):
    """cos and sin of position * base^(-2i/d), (T, d/2), float64."""
    inv_freq = base ** (-torch.arange(0, head_dim, 2, dtype=F64) / head_dim)
    theta = torch.arange(start, start + seq_len, dtype=F64)[:, None] * inv_freq
    return theta.cos(), theta.sin()


def rope_by_complex(x, cos, sin, interleaved: bool):
    """Each pair (a, b) as a + ib, multiplied by cos + i sin."""
    half = x.shape[-1] // 2
    if interleaved:
        real, imag = x[..., 0::2], x[..., 1::2]
    else:
        real, imag = x[..., :half], x[..., half:]
    turned = torch.complex(real, imag) * torch.complex(cos, sin)
    if interleaved:
        return torch.stack([turned.real, turned.imag], dim=-1).flatten(-2)
    return torch.cat([turned.real, turned.imag], dim=-1)


def reference_attention(x, w_q, w_k, w_v, w_o, cos, sin, num_heads, num_kv_heads):
    batch, seq_len, dim = x.shape
    hd = dim // num_heads
    q = (x @ w_q.T).view(batch, seq_len, num_heads, hd).transpose(1, 2)
    k = (x @ w_k.T).view(batch, seq_len, num_kv_heads, hd).transpose(1, 2)
    v = (x @ w_v.T).view(batch, seq_len, num_kv_heads, hd).transpose(1, 2)
    q, k = rope_by_complex(q, cos, sin, False), rope_by_complex(k, cos, sin, False)
    group = num_heads // num_kv_heads
    k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return y.transpose(1, 2).reshape(batch, seq_len, dim) @ w_o.T


def reference_block(x, w, cos, sin, num_heads, num_kv_heads, eps):
    dim = x.shape[-1]
    attn_in = F.rms_norm(x, (dim,), w["input_layernorm"], eps)
    h = x + reference_attention(
        attn_in, w["q_proj"], w["k_proj"], w["v_proj"], w["o_proj"], cos, sin, num_heads,
        num_kv_heads,
    )  # fmt: skip
    g = F.rms_norm(h, (dim,), w["post_attention_layernorm"], eps)
    return h + (F.silu(g @ w["gate_proj"].T) * (g @ w["up_proj"].T)) @ w["down_proj"].T


def random_sizes(rng, n: int = 3) -> list[tuple[int, int, int, int, int]]:
    """(batch, seq_len, num_heads, num_kv_heads, head_dim), the head dim even."""
    sizes = []
    for _ in range(n):
        kv_heads, group = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        sizes.append((int(rng.integers(1, 4)), int(rng.integers(2, 9)), kv_heads * group,
                      kv_heads, 2 * int(rng.integers(1, 5))))  # fmt: skip
    return sizes


def random_attention_weights(num_heads: int, num_kv_heads: int, head_dim: int):
    dim, kv_dim = num_heads * head_dim, num_kv_heads * head_dim
    scale = 1 / math.sqrt(dim)
    return [torch.randn(rows, dim, dtype=F64) * scale for rows in (dim, kv_dim, kv_dim, dim)]


def random_block_weights(num_heads: int, num_kv_heads: int, head_dim: int, hidden: int):
    dim = num_heads * head_dim
    w_q, w_k, w_v, w_o = random_attention_weights(num_heads, num_kv_heads, head_dim)
    return {
        "input_layernorm": 1 + 0.3 * torch.randn(dim, dtype=F64),
        "q_proj": w_q,
        "k_proj": w_k,
        "v_proj": w_v,
        "o_proj": w_o,
        "post_attention_layernorm": 1 + 0.3 * torch.randn(dim, dtype=F64),
        "gate_proj": torch.randn(hidden, dim, dtype=F64) / math.sqrt(dim),
        "up_proj": torch.randn(hidden, dim, dtype=F64) / math.sqrt(dim),
        "down_proj": torch.randn(dim, hidden, dtype=F64) / math.sqrt(hidden),
    }


# --- rms_norm ------------------------------------------------------------------------------


def test_rms_norm_worked_example(ex) -> None:
    """rms_norm([3, 4], weight [1, 2], eps 0) is [3, 8] / sqrt(12.5).

    Hint 1: the mean of the squares of 3 and 4 is 12.5; divide by its square root, then
    multiply by the weight, feature by feature.
    Hint 2: no mean is subtracted: that is LayerNorm, not RMSNorm.
    """
    got = ex.rms_norm(torch.tensor([3.0, 4.0], dtype=F64), torch.tensor([1.0, 2.0], dtype=F64), 0.0)
    assert_close(got, torch.tensor([3.0, 8.0], dtype=F64) / math.sqrt(12.5))


def test_rms_norm_equals_torch(ex, rng) -> None:
    """rms_norm equals the formula on random shapes, weights and epsilons.

    Hint 1: the mean of the squares is taken over the last dim only, one value per
    vector, kept as a dim of size 1 so that it divides every feature of its vector.
    Hint 2: x times the reciprocal square root of (mean square + eps), times weight.
    """
    for _ in range(4):
        shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 4))))
        dim = int(rng.integers(2, 12))
        x = torch.randn(*shape, dim, dtype=F64) * float(rng.uniform(0.1, 5))
        weight, eps = torch.randn(dim, dtype=F64), float(10 ** rng.uniform(-6, -1))
        got = ex.rms_norm(x, weight, eps)
        assert tuple(got.shape) == tuple(x.shape), f"x {tuple(x.shape)} gave {tuple(got.shape)}"
        assert_close(
            got, F.rms_norm(x, (dim,), weight, eps), msg=lambda m, s=x.shape: f"x {tuple(s)}: {m}"
        )


def test_rms_norm_eps_inside_the_root(ex) -> None:
    """For small vectors and a large eps, eps goes inside the square root.

    Hint 1: eps is added to the mean square, before the root is taken.
    Hint 2: x / sqrt(mean(x^2) + eps), not x / (sqrt(mean(x^2)) + eps) and not
    x / sqrt(mean(x^2)) + eps: on tiny vectors these differ by a lot.
    """
    x = torch.tensor([[1e-3, -2e-3, 3e-3, 0.0]], dtype=F64)
    weight = torch.ones(4, dtype=F64)
    assert_close(ex.rms_norm(x, weight, 1e-4), F.rms_norm(x, (4,), weight, 1e-4))
    zeros = ex.rms_norm(torch.zeros(2, 4, dtype=F64), weight, 1e-5)
    assert torch.isfinite(zeros).all() and not zeros.any(), "zero vectors must stay zero"


# --- apply_rope ------------------------------------------------------------------------------


def test_apply_rope_worked_example(ex) -> None:
    """A quarter turn of pair 0: [1, 0, 0, 0] -> [0, 0, 1, 0] half-split, [0, 1, 0, 0]
    interleaved.

    Hint 1: half-split pairs dim i with dim i + d/2; interleaved pairs dim 2i with 2i + 1.
    Hint 2: a pair (a, b) turned by an angle with cosine c and sine s becomes
    (a c - b s, a s + b c).
    """
    x = torch.tensor([[1.0, 0.0, 0.0, 0.0]], dtype=F64)
    cos, sin = torch.tensor([[0.0, 1.0]], dtype=F64), torch.tensor([[1.0, 0.0]], dtype=F64)
    assert_close(ex.apply_rope(x, cos, sin), torch.tensor([[0.0, 0.0, 1.0, 0.0]], dtype=F64),
                 msg=lambda m: f"half-split: {m}")  # fmt: skip
    assert_close(ex.apply_rope(x, cos, sin, interleaved=True),
                 torch.tensor([[0.0, 1.0, 0.0, 0.0]], dtype=F64),
                 msg=lambda m: f"interleaved: {m}")  # fmt: skip


def test_apply_rope_equals_complex_rotation(ex, rng) -> None:
    """apply_rope turns each pair as multiplying a + ib by cos + i sin would, in both layouts.

    Hint 1: the cosines and sines have one column per pair: widen them to the full head
    size so that both dims of a pair meet the same angle.
    Hint 2: the input times the widened cosines, plus the input with every pair (a, b)
    replaced by (-b, a) times the widened sines. Half-split widening writes the whole
    row of cosines twice, one copy after the other; interleaved widening writes each
    cosine twice in a row.
    """
    for interleaved in (False, True, False, True):
        batch, heads, seq_len = (int(n) for n in rng.integers(1, 5, size=3))
        head_dim = 2 * int(rng.integers(1, 9))
        x = torch.randn(batch, heads, seq_len, head_dim, dtype=F64)
        cos, sin = angles(seq_len, head_dim, base=float(rng.uniform(100, 1e5)),
                          start=int(rng.integers(0, 500)))  # fmt: skip
        got = ex.apply_rope(x, cos, sin, interleaved=interleaved)
        assert_close(got, rope_by_complex(x, cos, sin, interleaved),
                     msg=lambda m, s=x.shape, i=interleaved: f"x {tuple(s)}, interleaved={i}: {m}")  # fmt: skip


def test_apply_rope_scores_depend_on_distance_only(ex, rng) -> None:
    """A query at position m and a key at n score the same for every equal m - n.

    Hint 1: this holds only when each pair is turned as a whole, by the angle of the
    position, for queries and keys alike.
    Hint 2: if the scores drift, the two dims of a pair are not meeting the same cosine
    and sine.
    """
    head_dim = 2 * int(rng.integers(2, 9))
    q, k = torch.randn(head_dim, dtype=F64), torch.randn(head_dim, dtype=F64)
    cos, sin = angles(400, head_dim)
    for interleaved in (False, True):
        rq = ex.apply_rope(q.expand(400, head_dim), cos, sin, interleaved=interleaved)
        rk = ex.apply_rope(k.expand(400, head_dim), cos, sin, interleaved=interleaved)
        for distance in (0, 3, 17):
            scores = [float(rq[n + distance] @ rk[n]) for n in (0, 5, 40, 300)]
            assert max(scores) - min(scores) < 1e-9, (
                f"interleaved={interleaved}, distance {distance}: scores {scores}"
            )


# --- gqa_attention --------------------------------------------------------------------------


def test_gqa_attention_equals_torch_with_shared_heads(ex, rng) -> None:
    """gqa_attention equals torch's attention on key/value heads repeated in groups.

    Hint 1: key/value head j serves the g neighbouring query heads j*g .. j*g + g - 1,
    with g = num_heads // num_kv_heads: repeat each head g times in a row, not the
    whole list of heads g times.
    Hint 2: rotate q and k (not v) after splitting them into heads, before the scores;
    scale the scores by 1 / sqrt(head size) and mask keys after the query with -inf
    before the softmax.
    """
    fixed = [(2, 5, 4, 2, 4), (1, 3, 3, 1, 2), (1, 6, 2, 2, 6)]
    for batch, seq_len, heads, kv_heads, head_dim in fixed + random_sizes(rng):
        weights = random_attention_weights(heads, kv_heads, head_dim)
        x = torch.randn(batch, seq_len, heads * head_dim, dtype=F64)
        cos, sin = angles(seq_len, head_dim)
        got = ex.gqa_attention(x, *weights, cos, sin, heads, kv_heads)
        want = reference_attention(x, *weights, cos, sin, heads, kv_heads)
        assert_close(got, want, msg=lambda m, s=(batch, seq_len, heads, kv_heads, head_dim):
                     f"(B, T, heads, kv heads, head dim) = {s}: {m}")  # fmt: skip


def test_gqa_attention_future_never_changes_the_past(ex, rng) -> None:
    """Changing the last token changes no earlier output.

    Hint 1: each query may look at keys up to its own position only.
    Hint 2: mask the upper triangle (key position > query position) before the softmax.
    """
    heads, kv_heads, head_dim, seq_len = 4, 2, 4, 6
    weights = random_attention_weights(heads, kv_heads, head_dim)
    x = torch.randn(1, seq_len, heads * head_dim, dtype=F64)
    changed = x.clone()
    changed[:, -1] = torch.randn(heads * head_dim, dtype=F64)
    cos, sin = angles(seq_len, head_dim)
    before = ex.gqa_attention(x, *weights, cos, sin, heads, kv_heads)
    after = ex.gqa_attention(changed, *weights, cos, sin, heads, kv_heads)
    assert_close(after[:, :-1], before[:, :-1], msg=lambda m: f"an earlier output moved: {m}")
    assert not torch.allclose(after[:, -1], before[:, -1]), "the last output ignored its token"


# --- llama_block ---------------------------------------------------------------------------


def test_llama_block_equals_the_layer_written_out(ex, rng) -> None:
    """llama_block equals the layer composed from torch's RMSNorm, attention and SiLU.

    Hint 1: two residual branches: x plus attention of the normalised x, then that sum
    plus the gated feed-forward of the normalised sum.
    Hint 2: each branch has its own norm weight (input_layernorm before attention,
    post_attention_layernorm before the feed-forward); the gate goes through silu,
    z * sigmoid(z), and multiplies the up projection before down_proj.
    """
    for batch, seq_len, heads, kv_heads, head_dim in [(1, 4, 4, 2, 4), *random_sizes(rng, 2)]:
        hidden = int(rng.integers(3, 20))
        weights = random_block_weights(heads, kv_heads, head_dim, hidden)
        x = torch.randn(batch, seq_len, heads * head_dim, dtype=F64)
        cos, sin = angles(seq_len, head_dim)
        eps = float(10 ** rng.uniform(-6, -2))
        got = ex.llama_block(x, weights, cos, sin, heads, kv_heads, eps)
        want = reference_block(x, weights, cos, sin, heads, kv_heads, eps)
        assert_close(got, want, msg=lambda m, h=heads, k=kv_heads: f"{h} heads, {k} kv heads: {m}")


def _real_case(smollm2, prompt: str, layer: int):
    """(hidden states entering ``layer``, its weights, cos, sin, the model's output)."""
    from nlpjourney.nn import RotaryEmbedding

    model, config = smollm2.model, smollm2.config
    ids = torch.tensor([smollm2.tokenizer.encode(prompt)])
    rotary = RotaryEmbedding(config.head_dim, config.rope_theta)
    cos, sin = rotary.cos_sin(torch.arange(ids.shape[1]))
    with torch.no_grad():
        x = model.embed_tokens(ids)
        for block in model.layers[:layer]:
            x = block(x)
        want = model.layers[layer](x)
    return x, model.layer_weights(layer), cos, sin, want


def test_llama_block_equals_smollm2_layer_0(ex, rng, smollm2) -> None:
    """With SmolLM2-135M-Instruct's layer 0 weights, your block gives the model's output.

    Hint 1: SmolLM2 has 9 query heads and 3 key/value heads of 64 dims, and an eps of
    about 1e-5: pass them through, and use the half-split layout in the attention.
    Hint 2: if the random-weight checks pass but this one fails, look for something only
    real weights show: the norm weights are far from 1, and 3 query heads share each
    key/value head.
    """
    config = smollm2.config
    prompt = PROMPTS[int(rng.integers(len(PROMPTS)))]
    x, weights, cos, sin, want = _real_case(smollm2, prompt, 0)
    with torch.no_grad():
        got = ex.llama_block(x, weights, cos, sin, config.n_heads, config.kv_heads, config.norm_eps)
    diff = (got - want).abs().max().item()
    assert diff <= 1e-4, (
        f"prompt {prompt!r}: max abs difference {diff:.3g} from layer 0 (allowed 1e-4)"
    )


def test_llama_block_equals_a_deeper_smollm2_layer(ex, rng, smollm2) -> None:
    """The same for a layer drawn at random, on the hidden states the layers before it make.

    Hint 1: deeper layers see hidden states with a few very large features; the norm must
    handle each vector on its own.
    Hint 2: the mean square is over the features of one position, never over positions
    or the batch.
    """
    config = smollm2.config
    layer = int(rng.integers(1, config.n_layers))
    prompt = PROMPTS[int(rng.integers(len(PROMPTS)))]
    x, weights, cos, sin, want = _real_case(smollm2, prompt, layer)
    with torch.no_grad():
        got = ex.llama_block(x, weights, cos, sin, config.n_heads, config.kv_heads, config.norm_eps)
    diff = (got - want).abs().max().item()
    scale = want.abs().max().item()
    assert diff <= 1e-4 * max(1.0, scale / 10), (
        f"layer {layer}, prompt {prompt!r}: max abs difference {diff:.3g} (outputs up to {scale:.3g})"
    )
