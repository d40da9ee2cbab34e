"""Tests for nlpjourney.nn.layers: norms, activations, feed-forward networks and the block,
each against torch or transformers with the same weights, on values and gradients.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.testing import assert_close
from transformers import GPT2Config, LlamaConfig
from transformers.models.gpt2.modeling_gpt2 import GPT2MLP
from transformers.models.llama.modeling_llama import LlamaMLP, LlamaRMSNorm

from nlpjourney.nn import KVCache, causal_mask
from nlpjourney.nn import layers as Ly
from nlpjourney.nn.positional import RotaryEmbedding

F64 = torch.float64


def check_module(ours: nn.Module, theirs: nn.Module, x: torch.Tensor, **tolerance) -> None:
    """Same output, same input gradient, and same gradient for each parameter by name."""
    x_ours, x_theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out, expected = ours(x_ours), theirs(x_theirs)
    assert_close(out, expected, **tolerance)
    grad_out = torch.randn_like(expected)
    out.backward(grad_out)
    expected.backward(grad_out)
    assert_close(x_ours.grad, x_theirs.grad, **tolerance)
    theirs_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        assert_close(
            param.grad, theirs_params[name].grad, **tolerance, msg=lambda m, n=name: f"{n}: {m}"
        )


def randomise(module: nn.Module, seed: int = 0) -> nn.Module:
    """Non-trivial weights everywhere (norms start at ones/zeros, which hides bugs)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for param in module.parameters():
            param.copy_(torch.randn(param.shape, generator=gen, dtype=param.dtype))
    return module


# --- norms ------------------------------------------------------------------------------


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_layers_layer_norm_matches_torch(bias, eps, fused) -> None:
    ours = randomise(Ly.LayerNorm(12, eps=eps, bias=bias, fused=fused).double())
    theirs = nn.LayerNorm(12, eps=eps, bias=bias).double()
    theirs.load_state_dict(ours.state_dict())
    check_module(ours, theirs, torch.randn(3, 5, 12, dtype=F64) * 3 + 1)


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("eps", [None, 1e-6, 0.1])
def test_layers_rms_norm_matches_torch(eps, fused) -> None:
    ours = randomise(Ly.RMSNorm(12, eps=eps, fused=fused).double())
    theirs = nn.RMSNorm(12, eps=eps).double()
    theirs.load_state_dict(ours.state_dict())
    check_module(ours, theirs, torch.randn(3, 5, 12, dtype=F64))


def test_layers_rms_norm_matches_llama() -> None:
    # LlamaRMSNorm normalises in float32 whatever the dtype, so compare in float32.
    ours = randomise(Ly.RMSNorm(16, eps=1e-6))
    theirs = LlamaRMSNorm(16, eps=1e-6)
    theirs.load_state_dict(ours.state_dict())
    check_module(ours, theirs, torch.randn(2, 7, 16))


def test_layers_rms_norm_eps_goes_inside_the_root() -> None:
    x = torch.full((1, 4), 0.01, dtype=F64)  # rms 0.01, so eps = 0.01 matters a lot
    out = Ly.RMSNorm(4, eps=0.01)(x)
    assert_close(out, x / torch.sqrt(torch.tensor(0.01**2 + 0.01, dtype=F64)))
    assert not torch.allclose(out, x / (0.01 + 0.01))


# --- activations and feed-forward ----------------------------------------------------------


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_layers_gelu_matches_torch(approximate) -> None:
    x = torch.linspace(-8, 8, 101, dtype=F64, requires_grad=True)
    ours, theirs = Ly.gelu(x, approximate), F.gelu(x, approximate=approximate)
    assert_close(ours, theirs)
    assert_close(torch.autograd.grad(ours.sum(), x)[0], torch.autograd.grad(theirs.sum(), x)[0])
    assert_close(Ly.silu(x), F.silu(x))


def test_layers_feed_forward_matches_gpt2_mlp() -> None:
    config = GPT2Config(n_embd=16, activation_function="gelu_new", resid_pdrop=0.0)
    theirs = GPT2MLP(64, config).double()
    ours = randomise(Ly.FeedForward(16, approximate="tanh").double())
    with torch.no_grad():  # GPT-2's Conv1D stores weights as (in, out): transpose
        theirs.c_fc.weight.copy_(ours.up.weight.T)
        theirs.c_fc.bias.copy_(ours.up.bias)
        theirs.c_proj.weight.copy_(ours.down.weight.T)
        theirs.c_proj.bias.copy_(ours.down.bias)
    x = torch.randn(2, 5, 16, dtype=F64)
    assert_close(ours(x), theirs(x))


@pytest.mark.parametrize("fused", [False, True])
def test_layers_swiglu_matches_llama_mlp(fused) -> None:
    config = LlamaConfig(
        hidden_size=16, num_attention_heads=2, intermediate_size=40, hidden_act="silu"
    )
    ours = randomise(Ly.SwiGLU(16, 40, fused=fused).double())
    theirs = LlamaMLP(config).double()
    theirs.load_state_dict(ours.state_dict())  # the same key names: gate/up/down_proj
    check_module(ours, theirs, torch.randn(2, 5, 16, dtype=F64))


# --- the block ------------------------------------------------------------------------------


def encoder_layer_twin(ours: Ly.TransformerBlock, norm_first: bool) -> nn.TransformerEncoderLayer:
    """A torch TransformerEncoderLayer carrying ``ours``'s weights."""
    embed_dim = ours.attn.embed_dim
    theirs = nn.TransformerEncoderLayer(
        embed_dim,
        ours.attn.num_heads,
        dim_feedforward=ours.mlp.up.out_features,
        dropout=0.0,
        activation="gelu",
        batch_first=True,
        norm_first=norm_first,
    ).double()
    attn = ours.attn
    with torch.no_grad():
        theirs.self_attn.in_proj_weight.copy_(attn.qkv_proj.weight)  # both q, k, v stacked
        theirs.self_attn.in_proj_bias.copy_(attn.qkv_proj.bias)
        theirs.self_attn.out_proj.load_state_dict(attn.out_proj.state_dict())
        theirs.linear1.load_state_dict(ours.mlp.up.state_dict())
        theirs.linear2.load_state_dict(ours.mlp.down.state_dict())
        theirs.norm1.load_state_dict(ours.norm1.state_dict())
        theirs.norm2.load_state_dict(ours.norm2.state_dict())
    return theirs


@pytest.mark.parametrize("norm_first", [True, False])
@pytest.mark.parametrize("is_causal", [True, False])
def test_layers_block_matches_torch_encoder_layer(norm_first, is_causal) -> None:
    torch.manual_seed(0)
    ours = randomise(
        Ly.TransformerBlock(16, 4, hidden_dim=24, norm_first=norm_first, is_causal=is_causal)
    )
    ours = ours.double()
    theirs = encoder_layer_twin(ours, norm_first)
    x = torch.randn(3, 6, 16, dtype=F64)
    # subtle: nn.MultiheadAttention's bool masks mean "blocked", the opposite of SDPA's.
    mask = ~causal_mask(6, 6) if is_causal else None
    out = ours(x.clone().requires_grad_())
    expected = theirs(x.clone().requires_grad_(), src_mask=mask)
    assert_close(out, expected)
    out.sum().backward()
    expected.sum().backward()
    assert_close(ours.attn.qkv_proj.weight.grad, theirs.self_attn.in_proj_weight.grad)
    assert_close(ours.mlp.down.weight.grad, theirs.linear2.weight.grad)
    assert_close(ours.norm1.weight.grad, theirs.norm1.weight.grad)


def test_layers_llama_style_block_decodes_with_cache_like_full_recomputation() -> None:
    torch.manual_seed(1)
    block = Ly.TransformerBlock(
        32, 4, num_kv_heads=2, norm="rms", mlp="swiglu", bias=False, rotary=RotaryEmbedding(8)
    ).double()
    assert block.mlp.gate_proj.out_features == 88  # 8/3 * 32 rounded up to a multiple of 8
    x = torch.randn(2, 7, 32, dtype=F64)
    cache = KVCache()
    steps = [block(x[:, :3], kv_cache=cache)] + [
        block(x[:, t : t + 1], kv_cache=cache) for t in range(3, 7)
    ]
    assert_close(torch.cat(steps, dim=1), block(x))


def test_layers_block_dropout_only_in_training() -> None:
    block = Ly.TransformerBlock(16, 2, dropout=0.5)
    x = torch.randn(2, 5, 16)
    block.eval()
    assert_close(block(x), block(x))
    block.train()
    torch.manual_seed(0)
    first = block(x)
    assert not torch.allclose(first, block(x))


# --- bad input ------------------------------------------------------------------------------


def test_layers_bad_input_says_what_to_do() -> None:
    with pytest.raises(ValueError, match=r"ending in 8 features, got \(2, 4\)"):
        Ly.LayerNorm(8)(torch.randn(2, 4))
    with pytest.raises(ValueError, match=r"ending in 8 features"):
        Ly.RMSNorm(8)(torch.randn(2, 4))
    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        Ly.gelu(torch.randn(3), "fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="norm must be"):
        Ly.TransformerBlock(16, 4, norm="batch")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="num_heads=3 does not divide embed_dim=16"):
        Ly.TransformerBlock(16, 3)


def test_layers_rms_norm_function_matches_torch_and_the_module() -> None:
    x, weight = torch.randn(2, 5, 8, dtype=torch.float64), torch.randn(8, dtype=torch.float64)
    assert_close(Ly.rms_norm(x, weight, 1e-5), F.rms_norm(x, (8,), weight, 1e-5))
    with pytest.raises(ValueError, match="weight"):
        Ly.rms_norm(x, weight[:4], 1e-5)


def test_layers_llama_block_matches_the_models_transformer_block() -> None:
    from nlpjourney.models import Llama
    from nlpjourney.models.llama import LlamaConfig as OurLlamaConfig

    torch.manual_seed(0)
    model = Llama(OurLlamaConfig.from_name("tiny")).double().eval()
    cfg = model.config
    for param in model.parameters():  # norms away from 1, so a wrong norm weight shows
        param.data.add_(0.1 * torch.randn_like(param))
    x = torch.randn(2, 7, cfg.dim, dtype=torch.float64)
    cos, sin = RotaryEmbedding(cfg.head_dim, cfg.rope_theta).cos_sin(torch.arange(7), x.dtype)
    with torch.no_grad():
        want = model.layers[1](x)
        got = Ly.llama_block(
            x, model.layer_weights(1), cos, sin, cfg.n_heads, cfg.kv_heads, cfg.norm_eps
        )
    assert cfg.kv_heads < cfg.n_heads  # the tiny preset exercises grouped-query heads
    assert_close(got, want)
    with pytest.raises(ValueError, match="lacks"):
        Ly.llama_block(x, {}, cos, sin, cfg.n_heads, cfg.kv_heads, cfg.norm_eps)


def test_layers_gqa_attention_matches_multi_head_attention_with_rope() -> None:
    from nlpjourney.nn import MultiHeadAttention, RotaryEmbedding, gqa_attention

    torch.manual_seed(0)
    dim, heads, kv_heads, seq_len = 12, 6, 2, 5
    rotary = RotaryEmbedding(dim // heads)
    mha = MultiHeadAttention(dim, heads, num_kv_heads=kv_heads, is_causal=True, bias=False,
                             rotary=rotary).double()  # fmt: skip
    x = torch.randn(3, seq_len, dim, dtype=torch.float64)
    kv_dim = kv_heads * dim // heads
    w_q, w_k, w_v = mha.qkv_proj.weight.detach().split([dim, kv_dim, kv_dim])
    cos, sin = rotary.cos_sin(torch.arange(seq_len), torch.float64)
    with torch.no_grad():
        got = gqa_attention(x, w_q, w_k, w_v, mha.out_proj.weight, cos, sin, heads, kv_heads)
        assert_close(got, mha(x))
    with pytest.raises(ValueError, match="must divide"):
        gqa_attention(x, w_q, w_k, w_v, mha.out_proj.weight, cos, sin, heads, 4)
