"""nn.Linear's split path and the transposed weight storage give torch.nn.Linear's numbers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.testing import assert_close

from nlpjourney.nn import Linear, SwiGLU, stacked_weights, transpose_weight_storage


@pytest.fixture
def two_threads() -> Iterator[None]:
    """The split path runs only with several threads; the tests run with one."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("transposed", [True, False])
@pytest.mark.parametrize("shape", [(1, 1, 12), (3, 12), (2, 2, 12), (5, 12), (12,)])
def test_linear_matches_torch_linear_on_every_path(
    two_threads: None, bias: bool, transposed: bool, shape: tuple[int, ...]
) -> None:
    torch.manual_seed(0)
    layer = Linear(12, 10, bias=bias)  # 10 outputs: two blocks of 5 on two threads
    if transposed:
        transpose_weight_storage(layer)
    x = torch.randn(shape)
    assert_close(layer(x), F.linear(x, layer.weight, layer.bias))


def test_linear_gradients_match_torch_linear(two_threads: None) -> None:
    torch.manual_seed(0)
    ours = Linear(8, 6)
    theirs = nn.Linear(8, 6)
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(1, 8, requires_grad=True)
    x2 = x.detach().clone().requires_grad_()
    ours(x).square().sum().backward()
    theirs(x2).square().sum().backward()
    assert_close(x.grad, x2.grad)
    assert_close(ours.weight.grad, theirs.weight.grad)
    assert_close(ours.bias.grad, theirs.bias.grad)


def test_linear_odd_widths_and_one_thread_take_torchs_path(two_threads: None) -> None:
    layer = Linear(4, 7)  # 7 outputs do not split in two
    x = torch.randn(1, 4)
    assert_close(layer(x), F.linear(x, layer.weight, layer.bias))
    torch.set_num_threads(1)
    assert_close(Linear(4, 6)(x).shape, torch.Size([1, 6]))


def test_linear_weight_of_another_layout_takes_torchs_path(two_threads: None) -> None:
    layer = Linear(4, 6)
    with torch.no_grad():  # every other column of a wider matrix: neither layout
        layer.weight.data = torch.randn(6, 8)[:, ::2]
    x = torch.randn(1, 4)
    assert_close(layer(x), F.linear(x, layer.weight, layer.bias))


def test_linear_bad_input_fails_as_torch_does() -> None:
    with pytest.raises(RuntimeError):
        Linear(4, 6)(torch.randn(1, 5))


def test_linear_transpose_weight_storage_keeps_values_shapes_and_ties() -> None:
    torch.manual_seed(0)
    embed = nn.Embedding(11, 6)
    head = nn.Linear(6, 11, bias=False)
    head.weight = embed.weight  # tied to the embeddings, as in Llama and GPT-2
    model = nn.Sequential(embed, nn.Linear(6, 6), head)
    before = {name: value.clone() for name, value in model.state_dict().items()}
    ids = torch.tensor([[1, 5, 9]])
    expected = model(ids)
    assert transpose_weight_storage(model) is model
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name]), name
    assert model[1].weight.stride() == (1, 6) and embed.weight.stride() == (1, 11)
    assert head.weight is embed.weight  # still one tensor for both ends
    assert_close(model(ids), expected)


def test_linear_stacked_weights_only_for_neighbours_in_memory() -> None:
    torch.manual_seed(0)
    pair = nn.Sequential(nn.Linear(5, 6, bias=False), nn.Linear(5, 6, bias=False))
    assert stacked_weights(pair[0].weight, pair[1].weight) is None  # separate storage
    transpose_weight_storage(pair)
    both = stacked_weights(pair[0].weight, pair[1].weight)
    assert both is not None
    x = torch.randn(3, 5)
    assert_close(x @ both, torch.stack([pair[0](x), pair[1](x)]))
    assert stacked_weights(pair[1].weight, pair[0].weight) is None
    odd = nn.Linear(5, 7, bias=False)
    assert stacked_weights(pair[1].weight, odd.weight) is None


@pytest.mark.parametrize("shape", [(1, 1, 16), (2, 16), (1, 9, 16)])
def test_linear_swiglu_decoding_path_gives_the_same_numbers(
    two_threads: None, shape: tuple[int, ...]
) -> None:
    torch.manual_seed(0)
    mlp = SwiGLU(16, 24, fused=True)
    x = torch.randn(shape)
    expected = mlp(x)
    transpose_weight_storage(mlp)
    with torch.no_grad():
        assert mlp._gate_up(x) is not None or x.numel() > 4 * 16  # the one-call path
        assert_close(mlp(x), expected)


def test_linear_swiglu_hooks_on_its_projections_still_fire(two_threads: None) -> None:
    mlp = transpose_weight_storage(SwiGLU(16, 24))
    seen = []
    mlp.up_proj.register_forward_hook(lambda module, args, out: seen.append(out.shape))
    with torch.no_grad():
        mlp(torch.randn(1, 1, 16))
    assert seen == [torch.Size([1, 1, 24])]
