"""Tests for nlpjourney.seq2seq.attention: the scores written out by hand, masks, gradients.

Reference: the formulas of Bahdanau et al. 2015 (additive) and Luong et al. 2015 (dot,
general), computed here position by position in float64.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import Tensor
from torch.testing import assert_close

from nlpjourney.seq2seq import BahdanauAttention, LuongAttention, additive_attention, attend


def inputs(seed: int, batch: int = 3, src: int = 5, hq: int = 4, hk: int = 6, hv: int = 7,
           a: int = 8) -> dict[str, Tensor]:  # fmt: skip
    g = torch.Generator().manual_seed(seed)

    def r(*shape: int) -> Tensor:
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    return dict(query=r(batch, hq), keys=r(batch, src, hk), values=r(batch, src, hv),
                w_query=r(a, hq), w_key=r(a, hk), v=r(a))  # fmt: skip


def by_hand(query, keys, values, w_query, w_key, v, mask=None):  # noqa: ANN001, ANN201
    """The additive score of every position, one at a time, then a masked softmax."""
    batch, src = keys.shape[:2]
    scores = torch.empty(batch, src, dtype=keys.dtype)
    for b in range(batch):
        for s in range(src):
            scores[b, s] = v @ torch.tanh(w_query @ query[b] + w_key @ keys[b, s])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return torch.einsum("bs,bsh->bh", weights, values), weights


def test_additive_attention_equals_the_formula_with_and_without_mask() -> None:
    x = inputs(0)
    context, weights = additive_attention(**x)
    want_context, want_weights = by_hand(**x)
    assert_close(context, want_context)
    assert_close(weights, want_weights)
    mask = torch.tensor([[True] * 5, [True, True, True, False, False], [True] + [False] * 4])
    context, weights = additive_attention(**x, mask=mask)
    want_context, want_weights = by_hand(**x, mask=mask)
    assert_close(context, want_context)
    assert_close(weights, want_weights)
    assert (weights[~mask] == 0).all()
    assert_close(weights.sum(-1), torch.ones(3, dtype=torch.float64))


def test_additive_attention_gradients_match_finite_differences() -> None:
    x = {k: t.requires_grad_() for k, t in inputs(1, batch=2, src=3, hq=2, hk=3, hv=2, a=3).items()}
    mask = torch.tensor([[True, True, False], [True, True, True]])

    def f(*args: Tensor) -> tuple[Tensor, Tensor]:
        return additive_attention(*args, mask=mask)

    assert torch.autograd.gradcheck(f, tuple(x.values()))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), lengths=st.lists(st.integers(1, 6), min_size=1, max_size=4))
def test_additive_attention_never_reads_padding(seed: int, lengths: list[int]) -> None:
    """Whatever sits in the padded positions, the context and real weights stay the same."""
    x = inputs(seed, batch=len(lengths), src=6)
    mask = torch.arange(6)[None, :] < torch.tensor(lengths)[:, None]
    context, weights = additive_attention(**x, mask=mask)
    noisy = dict(x, keys=x["keys"].masked_fill(~mask[..., None], 1e3),
                 values=x["values"].masked_fill(~mask[..., None], -1e3))  # fmt: skip
    context2, weights2 = additive_attention(**noisy, mask=mask)
    assert_close(context, context2)
    assert_close(weights, weights2)
    assert_close(weights.sum(-1), torch.ones(len(lengths), dtype=torch.float64))


def test_attention_all_masked_row_is_zero_not_nan() -> None:
    scores = torch.randn(2, 3)
    values = torch.randn(2, 3, 4)
    mask = torch.tensor([[False] * 3, [True, False, True]])
    context, weights = attend(scores, values, mask)
    assert torch.isfinite(context).all() and (context[0] == 0).all() and (weights[0] == 0).all()


def test_bahdanau_module_equals_the_function_and_caches_the_key_projection() -> None:
    torch.manual_seed(0)
    attention = BahdanauAttention(4, 6, 8).double()
    x = inputs(2)
    mask = torch.tensor([[True] * 5, [True, True, False, False, False], [True] * 5])
    want = additive_attention(x["query"], x["keys"], x["values"], attention.w_query,
                              attention.w_key, attention.v, mask)  # fmt: skip
    got = attention(x["query"], x["keys"], x["values"], mask)
    cached = attention(x["query"], x["keys"], x["values"], mask,
                       projected_keys=attention.project_keys(x["keys"]))  # fmt: skip
    for a, b in ((got, want), (cached, want)):
        assert_close(a[0], b[0])
        assert_close(a[1], b[1])


@pytest.mark.parametrize("score", ["dot", "general"])
def test_luong_scores_equal_the_formula(score: str) -> None:
    torch.manual_seed(0)
    attention = LuongAttention(6, 6, score).double()
    x = inputs(3, hq=6)
    mask = torch.tensor([[True] * 5, [True, True, True, False, False], [True] * 5])
    context, weights = attention(x["query"], x["keys"], x["values"], mask)
    w = torch.eye(6, dtype=torch.float64) if score == "dot" else attention.weight.weight
    scores = torch.stack([torch.stack([x["query"][b] @ (w @ x["keys"][b, s]) for s in range(5)])
                          for b in range(3)])  # fmt: skip
    want = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    assert_close(weights, want)
    assert_close(context, torch.einsum("bs,bsh->bh", want, x["values"]))
    # many queries at once (a teacher-forced decoder) equal one at a time
    queries = torch.randn(3, 4, 6, dtype=torch.float64)
    together, together_w = attention(queries, x["keys"], x["values"], mask)
    for t in range(4):
        alone, alone_w = attention(queries[:, t], x["keys"], x["values"], mask)
        assert_close(together[:, t], alone)
        assert_close(together_w[:, t], alone_w)


def test_attention_bad_input_says_what_to_give() -> None:
    x = inputs(0)
    with pytest.raises(ValueError, match="mask has shape"):
        additive_attention(**x, mask=torch.ones(3, 4, dtype=torch.bool))
    with pytest.raises(TypeError, match="bool tensor"):
        additive_attention(**x, mask=torch.ones(3, 5))
    with pytest.raises(ValueError, match="w_query"):
        additive_attention(**dict(x, w_query=torch.randn(8, 3, dtype=torch.float64)))
    with pytest.raises(ValueError, match="use score='general'"):
        LuongAttention(4, 6, "dot")
    with pytest.raises(ValueError, match="unknown Luong score"):
        LuongAttention(4, 4, "concat")
