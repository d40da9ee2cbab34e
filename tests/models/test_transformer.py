"""Tests for nlpjourney.models.transformer.

Parity: with the same weights, our encoder and decoder layers give the outputs of
``torch.nn.TransformerEncoderLayer`` / ``TransformerDecoderLayer`` (pre- and post-norm,
with padding). Properties: padding and future target tokens never change real outputs;
cached decoding equals recomputation; beam size 1 is greedy; beam search beats greedy on
a constructed distribution.
"""

from __future__ import annotations

import pytest
import torch
from torch import Tensor, nn
from torch.testing import assert_close

from nlpjourney.errors import UnknownNameError
from nlpjourney.models.transformer import (
    DecoderLayer,
    Transformer,
    TransformerConfig,
    encoder_layer,
)

TINY = TransformerConfig.from_name("tiny")  # vocab 64, pad 0, bos 1, eos 2


def tiny_model(seed: int = 0, **changes: object) -> Transformer:
    torch.manual_seed(seed)
    return Transformer(TINY.replace(**changes)).eval()


def random_ids(batch: int, length: int, seed: int = 0) -> Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(3, TINY.vocab_size, (batch, length), generator=g)


# --- config -----------------------------------------------------------------------------


def test_transformer_config_presets() -> None:
    cfg = TransformerConfig.from_name("multi30k")
    assert (cfg.d_model, cfg.n_heads, cfg.n_encoder_layers, cfg.n_decoder_layers, cfg.d_ff) == (
        256, 4, 3, 3, 1024)  # fmt: skip
    base = TransformerConfig.from_name("base")
    assert (base.d_model, base.n_heads, base.n_encoder_layers, base.d_ff) == (512, 8, 6, 2048)
    with pytest.raises(UnknownNameError, match="tiny"):
        TransformerConfig.from_name("tinyy")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"d_model": 30, "n_heads": 4}, "n_heads=4 does not divide d_model=30"),
        ({"d_model": 3, "n_heads": 1}, "d_model must be even"),
        ({"n_encoder_layers": 0}, "n_encoder_layers must be a positive int"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"eos_id": 64}, r"eos_id=64 is outside the vocabulary \[0, 64\)"),
        ({"bos_id": 0}, "pad_id, bos_id and eos_id must differ"),
    ],
)
def test_transformer_config_validation_messages(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TINY.replace(**changes)


def test_transformer_config_round_trips_through_dict() -> None:
    assert TransformerConfig.from_dict(TINY.to_dict()) == TINY
    with pytest.raises(ValueError, match="unknown TransformerConfig fields"):
        TransformerConfig.from_dict({**TINY.to_dict(), "n_layer": 2})


# --- the forward pass ---------------------------------------------------------------------


def test_transformer_forward_shapes() -> None:
    model = tiny_model()
    logits = model(random_ids(3, 7), random_ids(3, 5, seed=1))
    assert logits.shape == (3, 5, TINY.vocab_size)
    memory, mask = model.encode(random_ids(3, 7))
    assert memory.shape == (3, 7, TINY.d_model) and mask.shape == (3, 1, 1, 7)
    with pytest.raises(ValueError, match="longer than max_len=32"):
        model(random_ids(1, 40), random_ids(1, 3))
    with pytest.raises(ValueError, match="src must be an int tensor"):
        model(torch.zeros(2, 3), random_ids(2, 3))


def test_transformer_source_padding_does_not_leak() -> None:
    model = tiny_model()
    src, tgt = random_ids(2, 6), random_ids(2, 4, seed=1)
    src[1, 4:] = TINY.pad_id  # sentence 1 has 4 real tokens
    padded = torch.cat([src, torch.zeros(2, 5, dtype=torch.long)], dim=1)
    assert_close(model(padded, tgt), model(src, tgt))
    # sentence 1 alone, without its padding, gives the same logits
    assert_close(model(src[1:, :4], tgt[1:]), model(src, tgt)[1:])


def test_transformer_future_target_tokens_do_not_change_past_logits() -> None:
    model = tiny_model()
    src, tgt = random_ids(2, 6), random_ids(2, 8, seed=1)
    changed = tgt.clone()
    changed[:, 5:] = random_ids(2, 3, seed=2)
    assert_close(model(src, changed)[:, :5], model(src, tgt)[:, :5])
    assert not torch.allclose(model(src, changed)[:, 5:], model(src, tgt)[:, 5:])


def test_transformer_cached_decoding_equals_recomputation() -> None:
    model = tiny_model()
    src, tgt = random_ids(2, 6), random_ids(2, 7, seed=1)
    memory, mask = model.encode(src)
    full = model.decode(tgt, memory, mask)
    caches = model.new_caches()
    steps = [model.decode(tgt[:, :3], memory, mask, caches)]  # a prefix, then one at a time
    steps += [model.decode(tgt[:, t : t + 1], memory, mask, caches) for t in range(3, 7)]
    assert_close(torch.cat(steps, dim=1), full)
    assert_close(model.greedy_decode(src, 12), model.greedy_decode(src, 12, use_cache=False))


# --- parity with torch.nn ----------------------------------------------------------------


def _copy_attention(ours: nn.Module, theirs: nn.MultiheadAttention) -> None:
    if ours.cross:  # queries from x, keys and values from the memory: two matrices
        theirs.in_proj_weight.copy_(torch.cat([ours.q_proj.weight, ours.kv_proj.weight]))
        theirs.in_proj_bias.copy_(torch.cat([ours.q_proj.bias, ours.kv_proj.bias]))
    else:  # one stack of the three, as torch's own
        theirs.in_proj_weight.copy_(ours.qkv_proj.weight)
        theirs.in_proj_bias.copy_(ours.qkv_proj.bias)
    theirs.out_proj.weight.copy_(ours.out_proj.weight)
    theirs.out_proj.bias.copy_(ours.out_proj.bias)


def _copy_common(ours: nn.Module, theirs: nn.Module, norms: int) -> None:
    theirs.linear1.weight.copy_(ours.mlp.up.weight)
    theirs.linear1.bias.copy_(ours.mlp.up.bias)
    theirs.linear2.weight.copy_(ours.mlp.down.weight)
    theirs.linear2.bias.copy_(ours.mlp.down.bias)
    for i in range(1, norms + 1):
        getattr(theirs, f"norm{i}").weight.copy_(getattr(ours, f"norm{i}").weight)
        getattr(theirs, f"norm{i}").bias.copy_(getattr(ours, f"norm{i}").bias)


def _perturbed(module: nn.Module) -> nn.Module:
    """Non-trivial biases and norm gains, so a missed copy shows."""
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return module.double().eval()


@pytest.mark.parametrize("norm_first", [True, False])
def test_encoder_layer_equals_torch_transformer_encoder_layer(norm_first: bool) -> None:
    torch.manual_seed(0)
    cfg = TINY.replace(norm_first=norm_first)
    ours = _perturbed(encoder_layer(cfg))
    theirs = nn.TransformerEncoderLayer(cfg.d_model, cfg.n_heads, cfg.d_ff, dropout=0.0,
                                        activation="gelu", batch_first=True,
                                        norm_first=norm_first).double().eval()  # fmt: skip
    with torch.no_grad():
        _copy_attention(ours.attn, theirs.self_attn)
        _copy_common(ours, theirs, norms=2)
    x = torch.randn(2, 5, cfg.d_model, dtype=torch.float64)
    keep = torch.tensor([[True] * 5, [True, True, True, False, False]])
    got = ours(x, attn_mask=keep[:, None, None, :])
    want = theirs(x, src_key_padding_mask=~keep)
    assert_close(got[keep], want[keep], atol=1e-10, rtol=1e-10)  # padded rows: any value


@pytest.mark.parametrize("norm_first", [True, False])
def test_decoder_layer_equals_torch_transformer_decoder_layer(norm_first: bool) -> None:
    torch.manual_seed(0)
    cfg = TINY.replace(norm_first=norm_first)
    ours = _perturbed(DecoderLayer(cfg))
    theirs = nn.TransformerDecoderLayer(cfg.d_model, cfg.n_heads, cfg.d_ff, dropout=0.0,
                                        activation="gelu", batch_first=True,
                                        norm_first=norm_first).double().eval()  # fmt: skip
    with torch.no_grad():
        _copy_attention(ours.self_attn, theirs.self_attn)
        _copy_attention(ours.cross_attn, theirs.multihead_attn)
        _copy_common(ours, theirs, norms=3)
    x = torch.randn(2, 4, cfg.d_model, dtype=torch.float64)
    memory = torch.randn(2, 6, cfg.d_model, dtype=torch.float64)
    keep = torch.tensor([[True] * 6, [True, True, False, False, False, False]])
    causal = nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    got = ours(x, memory, keep[:, None, None, :])
    want = theirs(x, memory, tgt_mask=causal, memory_key_padding_mask=~keep)
    assert_close(got, want, atol=1e-10, rtol=1e-10)


def test_transformer_loads_a_checkpoint_with_separate_projections() -> None:
    # Translators trained before attention came from nn.MultiHeadAttention hold separate
    # q_proj/k_proj/v_proj weights and call the encoder's attention self_attn: made here
    # from a model's state dict by splitting the stacked projections.
    model = tiny_model(seed=4)
    old = {}
    for key, value in model.state_dict().items():
        stem, part = key.rsplit(".", 1)
        if stem.endswith(".qkv_proj"):
            for name, piece in zip("qkv", value.chunk(3), strict=True):
                old[f"{stem.removesuffix('qkv_proj')}{name}_proj.{part}"] = piece
        elif stem.endswith(".kv_proj"):
            for name, piece in zip("kv", value.chunk(2), strict=True):
                old[f"{stem.removesuffix('kv_proj')}{name}_proj.{part}"] = piece
        else:
            old[key] = value
    old = {k.replace(".attn.", ".self_attn.") if k.startswith("encoder.") else k: v
           for k, v in old.items()}  # fmt: skip
    assert "encoder.0.self_attn.k_proj.weight" in old
    assert "decoder.1.cross_attn.v_proj.bias" in old
    fresh = tiny_model(seed=5)
    fresh.load_state_dict(old)
    src, tgt = random_ids(2, 6), random_ids(2, 5, seed=1)
    assert_close(fresh(src, tgt), model(src, tgt))


# --- decoding -------------------------------------------------------------------------------


def test_beam_search_of_one_beam_is_greedy() -> None:
    for seed in range(3):
        model = tiny_model(seed)
        src = random_ids(4, 6, seed=seed)
        assert torch.equal(model.beam_search(src, beam_size=1), model.greedy_decode(src))


class _ScriptedDecoder(Transformer):
    """A model whose next-token distribution is a table keyed by the prefix.

    The prefix is kept in the first layer's self-attention cache (as a float "key"), so
    beam search's reordering of the caches reorders it too.
    """

    def __init__(self, table: dict[tuple[int, ...], dict[int, float]]) -> None:
        super().__init__(TINY.replace(vocab_size=8))
        self.table = table

    def decode(self, tgt_in, memory, src_mask, caches=None):  # noqa: ANN001, ANN201
        cache = caches[0][0]
        new = tgt_in.to(torch.float64)[:, None, :, None]  # (B, 1, T, 1)
        prefix, _ = cache.update(new, new)
        rows = []
        for seq in prefix[:, 0, :, 0].long().tolist():
            probs = torch.full((8,), 1e-9, dtype=torch.float64)
            for token, p in self.table.get(tuple(seq[1:]), {2: 1.0}).items():
                probs[token] = p
            rows.append(probs.log())
        return torch.stack(rows)[:, None, :]  # (B, 1, V)


def test_beam_search_finds_a_likelier_translation_than_greedy() -> None:
    # Greedy takes 3 (0.6), then 6 (0.4), then EOS: 0.24 in all. Beam search also keeps
    # 4 (0.4), after which EOS is certain: 0.4.
    table = {(): {3: 0.6, 4: 0.4}, (3,): {5: 0.3, 6: 0.4, 7: 0.3}, (4,): {2: 1.0}}
    model = _ScriptedDecoder(table)
    src = torch.tensor([[5, 2]])
    assert model.greedy_decode(src, 5).tolist() == [[3, 6, 2]]
    beam, score = model._beam_search(src, 2, 5, alpha=0.0)
    assert beam.tolist() == [[4, 2]]
    assert score.item() == pytest.approx(torch.tensor(0.4).log().item(), abs=1e-6)


def test_beam_search_decodes_a_batch_as_one_sentence_each() -> None:
    model = tiny_model(1)
    src = random_ids(3, 5, seed=4)
    src[2, 3:] = TINY.pad_id
    together = model.beam_search(src, beam_size=3, max_new_tokens=8)
    for i in range(3):
        alone = model.beam_search(src[i : i + 1, : 3 if i == 2 else 5], 3, 8)
        row = together[i, : alone.shape[1]]
        assert torch.equal(row, alone[0])
        assert (together[i, alone.shape[1] :] == TINY.pad_id).all()


def test_beam_search_score_is_at_least_greedys() -> None:
    for seed in range(4):
        model = tiny_model(seed)
        src = random_ids(1, 5, seed=seed)
        greedy = model.greedy_decode(src, 6)
        _, score = model._beam_search(src, 4, 6, alpha=0.0)
        greedy_score = model.sequence_log_prob(src, greedy)
        # a greedy output cut at max_new_tokens has no EOS: compare only finished ones
        if (greedy == TINY.eos_id).any():
            assert score.item() >= greedy_score.item() - 1e-5
