"""Checks for exercise 3.4, run by ``journey check 3.4``.

Each check calls the learner's functions through the ``ex`` fixture. ``unfold1d`` is
compared with ``torch.nn.functional.unfold`` (a 1-D input is a 2-D image one row high),
``conv1d`` with ``torch.nn.functional.conv1d`` and ``torch.nn.Conv1d`` on values and on
every gradient (float64), and ``max_over_time`` with ``torch.max`` over each sentence's
own positions; fixed worked examples come first, then sizes, strides, paddings,
dilations and lengths drawn fresh each run (``rng``, and torch's generator seeded by the
run's seed). The last check puts the two together: a padded batch through ``conv1d`` and
``max_over_time`` must give each sentence what it gets alone. With
``--exercise reference`` the same checks grade the library, ``nlpjourney.cnn``.
"""

from __future__ import annotations

import zlib

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

REFERENCE = "nlpjourney.cnn"
# What the learner may not use: the model answer, torch's convolutions and pooling layers
# (the checks compare with them), and the unfold shortcuts that hand over the windows.
FORBIDDEN = (
    "nlpjourney",
    "torch.nn.functional.conv1d",
    "torch.nn.functional.conv2d",
    "torch.nn.functional.conv_transpose1d",
    "torch.nn.Conv1d",
    "torch.nn.Conv2d",
    "torch.conv1d",
    "torch.conv2d",
    "torch.convolution",
    "torch.nn.functional.unfold",
    "torch.nn.Unfold",
    "torch.Tensor.unfold",
    "torch.as_strided",
    "torch.Tensor.as_strided",
    "torch.nn.functional.max_pool1d",
    "torch.nn.functional.adaptive_max_pool1d",
    "torch.nn.MaxPool1d",
    "torch.nn.AdaptiveMaxPool1d",
    "torch.max_pool1d",
    "torch.adaptive_max_pool1d",
)

F64 = torch.float64


@pytest.fixture(autouse=True)
def fresh_torch(seed: int, request: pytest.FixtureRequest) -> None:
    """torch's random draws are fresh each run: seeded by the run's seed and the check's
    name, so --seed replays them."""
    torch.manual_seed(seed * 100_003 + zlib.crc32(request.node.name.encode()))


def torch_unfold(x, kernel_size, stride=1, padding=0, dilation=1):
    """torch's unfold of x (B, C, T), seen as an image one row high."""
    columns = F.unfold(x[:, :, None, :], (1, kernel_size), dilation=(1, dilation),
                       padding=(0, padding), stride=(1, stride))  # fmt: skip
    return columns


def out_length(length, kernel_size, stride=1, padding=0, dilation=1) -> int:
    return (length + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def random_configs(rng, n: int = 4) -> list[dict]:
    """Sizes and hyper-parameters with at least one output position, drawn from rng."""
    configs = []
    while len(configs) < n:
        config = {
            "batch": int(rng.integers(1, 4)),
            "channels": int(rng.integers(1, 5)),
            "length": int(rng.integers(1, 12)),
            "kernel_size": int(rng.integers(1, 5)),
            "stride": int(rng.integers(1, 4)),
            "padding": int(rng.integers(0, 3)),
            "dilation": int(rng.integers(1, 4)),
        }
        if out_length(config["length"], config["kernel_size"], config["stride"],
                      config["padding"], config["dilation"]) >= 1:  # fmt: skip
            configs.append(config)
    return configs


FIXED_CONFIGS = [
    # batch, channels, length, kernel_size, stride, padding, dilation
    dict(batch=2, channels=3, length=7, kernel_size=3, stride=1, padding=0, dilation=1),
    dict(batch=1, channels=2, length=9, kernel_size=2, stride=2, padding=0, dilation=1),
    dict(batch=2, channels=1, length=5, kernel_size=3, stride=1, padding=1, dilation=1),
    dict(batch=1, channels=3, length=10, kernel_size=3, stride=1, padding=0, dilation=2),
    dict(batch=3, channels=2, length=8, kernel_size=4, stride=3, padding=2, dilation=2),
    dict(batch=1, channels=4, length=4, kernel_size=4, stride=1, padding=0, dilation=1),
    dict(batch=2, channels=2, length=6, kernel_size=1, stride=1, padding=0, dilation=1),
]


def hyper(config: dict) -> dict:
    return {k: config[k] for k in ("stride", "padding", "dilation")}


def describe(config: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in config.items())


# --- unfold1d -------------------------------------------------------------------------


def test_unfold1d_worked_examples(ex) -> None:
    """unfold1d on one short sentence of one channel: plain, strided, padded, dilated.

    Hint 1: one column per output position, holding the window that position sees; one
    row per place in the window.
    Hint 2: the window of output position t starts at t times the stride (after padding)
    and steps by the dilation; padding puts zeros at both ends before anything else.
    """
    x = torch.tensor([[[1.0, 2.0, 3.0, 4.0]]], dtype=F64)
    cases = [
        ({}, [[1, 2, 3], [2, 3, 4]]),
        ({"stride": 2}, [[1, 3], [2, 4]]),
        ({"padding": 1}, [[0, 1, 2, 3, 4], [1, 2, 3, 4, 0]]),
        ({"dilation": 2}, [[1, 2], [3, 4]]),
    ]
    for options, expected in cases:
        got = ex.unfold1d(x, 2, **options)
        assert_close(got, torch.tensor([expected], dtype=F64),
                     msg=lambda m, o=options: f"x = [1, 2, 3, 4], kernel_size=2, {o}: {m}")  # fmt: skip


def test_unfold1d_channel_major(ex) -> None:
    """unfold1d lays a window out channel by channel: row c * kernel_size + j.

    Hint 1: all of channel 0's window comes first, then all of channel 1's, and so on.
    Hint 2: if channel 0's first value is followed by channel 1's first value, the two
    axes are merged in the wrong order: swap the channel and window axes before merging.
    """
    # channel c at position t holds 10 * c + t, so every number says where it came from
    x = (10 * torch.arange(3, dtype=F64)[:, None] + torch.arange(5, dtype=F64))[None]
    got = ex.unfold1d(x, 2)
    expected = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 4], [10, 11, 12, 13], [11, 12, 13, 14],
                             [20, 21, 22, 23], [21, 22, 23, 24]], dtype=F64)[None]  # fmt: skip
    assert tuple(got.shape) == (1, 6, 4), f"shape {tuple(got.shape)}, expected (1, 6, 4)"
    assert_close(got, expected, msg=lambda m: f"3 channels of 5 positions, kernel_size=2: {m}")


def test_unfold1d_equals_torch_unfold(ex, rng) -> None:
    """unfold1d equals torch's unfold for many sizes, strides, paddings and dilations.

    Hint 1: the number of output positions counts every window start that leaves room for
    the whole dilated window inside the padded sentence, stepping by the stride.
    Hint 2: a dilated window of k places spans dilation times (k - 1) plus one positions;
    build one index per output position and place in the window, then gather with it.
    """
    for config in FIXED_CONFIGS + random_configs(rng):
        x = torch.randn(config["batch"], config["channels"], config["length"], dtype=F64)
        got = ex.unfold1d(x, config["kernel_size"], **hyper(config))
        want = torch_unfold(x, config["kernel_size"], **hyper(config))
        assert tuple(got.shape) == tuple(want.shape), (
            f"{describe(config)}: shape {tuple(got.shape)}, expected {tuple(want.shape)}"
        )
        assert_close(got, want, msg=lambda m, c=config: f"{describe(c)}: {m}")


# --- conv1d -----------------------------------------------------------------------------


def test_conv1d_worked_example(ex) -> None:
    """conv1d of [1, 2, 3, 4] with the filter [1, -1], without and with a bias.

    Hint 1: each output is the filter's weights times its window, summed, plus the bias.
    Hint 2: this is cross-correlation: the filter's first weight meets the window's first
    position (do not flip the filter).
    """
    x = torch.tensor([[[1.0, 2.0, 3.0, 4.0]]], dtype=F64)
    weight = torch.tensor([[[1.0, -1.0]]], dtype=F64)
    assert_close(ex.conv1d(x, weight), torch.tensor([[[-1.0, -1.0, -1.0]]], dtype=F64))
    assert_close(ex.conv1d(x, weight, torch.tensor([0.5], dtype=F64)),
                 torch.tensor([[[-0.5, -0.5, -0.5]]], dtype=F64))  # fmt: skip


def test_conv1d_equals_torch_conv1d(ex, rng) -> None:
    """conv1d equals torch.nn.functional.conv1d, with and without a bias, on random data.

    Hint 1: flatten each filter the way the windows are laid out, and multiply: one
    matrix product for the whole batch.
    Hint 2: a filter flattened channel by channel is a row of C_in times kernel_size
    numbers; (C_out, C_in k) times (B, C_in k, T_out) gives (B, C_out, T_out); the bias
    goes on each output channel, broadcast over positions.
    """
    for i, config in enumerate(FIXED_CONFIGS + random_configs(rng)):
        out_channels = int(rng.integers(1, 5))
        x = torch.randn(config["batch"], config["channels"], config["length"], dtype=F64)
        weight = torch.randn(out_channels, config["channels"], config["kernel_size"], dtype=F64)
        bias = torch.randn(out_channels, dtype=F64) if i % 2 else None
        got = ex.conv1d(x, weight, bias, **hyper(config))
        want = F.conv1d(x, weight, bias, **hyper(config))
        assert tuple(got.shape) == tuple(want.shape), (
            f"{describe(config)}, {out_channels} filters: shape {tuple(got.shape)}, "
            f"expected {tuple(want.shape)}"
        )
        assert_close(got, want, msg=lambda m, c=config, b=bias is not None: (
            f"{describe(c)}, bias={'yes' if b else 'None'}: {m}"))  # fmt: skip


def test_conv1d_gradients_equal_torch(ex, rng) -> None:
    """The gradients of conv1d with respect to x, weight and bias equal torch's.

    Hint 1: build conv1d only from differentiable tensor operations on the inputs, and
    autograd gives every gradient.
    Hint 2: a gradient that is missing or zero means a value was copied out of the graph
    (a Python number, a NumPy array, a new tensor filled by assignment without the inputs
    in its history); pad by concatenating zeros, gather with indexing.
    """
    for config in FIXED_CONFIGS[:3] + random_configs(rng, 3):
        out_channels = int(rng.integers(1, 4))
        leaves = [torch.randn(config["batch"], config["channels"], config["length"], dtype=F64),
                  torch.randn(out_channels, config["channels"], config["kernel_size"], dtype=F64),
                  torch.randn(out_channels, dtype=F64)]  # fmt: skip
        ours = [t.clone().requires_grad_() for t in leaves]
        theirs = [t.clone().requires_grad_() for t in leaves]
        got = ex.conv1d(*ours, **hyper(config))
        want = F.conv1d(*theirs, **hyper(config))
        upstream = torch.randn(want.shape, dtype=F64)
        (got * upstream).sum().backward()
        (want * upstream).sum().backward()
        for name, mine, reference in zip(("x", "weight", "bias"), ours, theirs, strict=True):
            assert mine.grad is not None, f"{describe(config)}: no gradient reached {name}"
            assert_close(mine.grad, reference.grad,
                         msg=lambda m, c=config, n=name: f"{describe(c)}: d/d{n}: {m}")  # fmt: skip


def test_conv1d_equals_conv1d_layer_over_word_vectors(ex) -> None:
    """conv1d equals a torch.nn.Conv1d layer over word vectors, widths 3, 4, 5, float32.

    Hint 1: a sentence of word vectors (B, T, E) enters as (B, E, T): the embedding dims
    are the channels.
    Hint 2: if float64 passes and float32 fails, a step converts the dtype: keep every
    tensor you make in the input's dtype.
    """
    words = torch.randn(4, 11, 16)  # (B, T, E): 4 sentences of 11 word vectors of 16 dims
    for width in (3, 4, 5):
        layer = torch.nn.Conv1d(16, 6, width, padding=width // 2)
        with torch.no_grad():
            want = layer(words.transpose(1, 2))
        got = ex.conv1d(words.transpose(1, 2), layer.weight.detach(), layer.bias.detach(),
                        padding=width // 2)  # fmt: skip
        assert got.dtype == torch.float32, f"float32 in, {got.dtype} out"
        assert_close(got, want, msg=lambda m, w=width: f"width {w}: {m}")


def test_bad_input_is_refused_with_value_error(ex) -> None:
    """conv1d, unfold1d and max_over_time refuse inputs they cannot handle, with ValueError.

    Hint 1: check the shapes before computing, and raise a ValueError that says what is
    wrong: a failure deep inside a matrix product names no argument.
    Hint 2: four cases: the filters' input channels differ from the input's channels; the
    dilated window is longer than the padded sequence (no output position at all); a
    length below one or beyond the time axis; feature maps with no positions at all.
    """
    x = torch.randn(2, 3, 6, dtype=F64)
    with pytest.raises(ValueError):
        ex.conv1d(x, torch.randn(4, 5, 2, dtype=F64))  # 5 input channels, x has 3
    with pytest.raises(ValueError):
        ex.unfold1d(x, 4, dilation=2)  # the window spans 7 positions, x has 6
    with pytest.raises(ValueError):
        ex.max_over_time(x, torch.tensor([0, 6]))  # a sentence of no positions
    with pytest.raises(ValueError):
        ex.max_over_time(x, torch.tensor([3, 7]))  # longer than the time axis
    with pytest.raises(ValueError):
        ex.max_over_time(torch.randn(2, 3, 0, dtype=F64))  # no positions at all


# --- max_over_time ----------------------------------------------------------------------


def test_max_over_time_worked_example(ex) -> None:
    """max_over_time of [-3, -1, 0]: 0, and -1 when the last position is padding.

    Hint 1: the maximum runs over the last axis, the positions.
    Hint 2: with lengths, a padded position must lose to every real value, even a
    negative one: give it the lowest value there is before taking the maximum.
    """
    h = torch.tensor([[[-3.0, -1.0, 0.0]]], dtype=F64)
    assert_close(ex.max_over_time(h), torch.tensor([[0.0]], dtype=F64))
    assert_close(ex.max_over_time(h, torch.tensor([2])), torch.tensor([[-1.0]], dtype=F64))
    assert_close(ex.max_over_time(h, torch.tensor([1])), torch.tensor([[-3.0]], dtype=F64))


def test_max_over_time_without_lengths(ex, rng) -> None:
    """max_over_time without lengths equals torch.max over the positions.

    Hint 1: one number per sentence and channel: reduce the last axis only.
    Hint 2: torch's max over an axis returns the values and their positions; keep the
    values.
    """
    sizes = [(2, 3, 1)] + [tuple(int(n) for n in rng.integers(1, 7, size=3)) for _ in range(3)]
    for batch, channels, length in sizes:  # one position only, first: its own maximum
        h = torch.randn(batch, channels, length, dtype=F64)
        got = ex.max_over_time(h)
        assert tuple(got.shape) == (batch, channels), (
            f"h {tuple(h.shape)}: shape {tuple(got.shape)}, expected {(batch, channels)}"
        )
        assert_close(got, h.max(dim=2).values)


def test_max_over_time_padding_never_wins(ex, rng) -> None:
    """With lengths, max_over_time equals torch.max over each sentence's real positions.

    It must also leave its input unchanged.

    Hint 1: sentence b has lengths[b] real positions; the rest are padding, whatever
    values they hold (here: large ones, which must not win).
    Hint 2: compare the positions with each sentence's length to build a mask of the
    padding (broadcast over channels), fill those places with minus infinity in a new
    tensor, not in h itself, then take the maximum.
    """
    for _ in range(4):
        batch, channels, length = int(rng.integers(1, 6)), int(rng.integers(1, 5)), int(
            rng.integers(2, 9))  # fmt: skip
        lengths = torch.as_tensor(rng.integers(1, length + 1, size=batch))
        lengths[int(rng.integers(batch))] = length  # the longest fills the batch
        h = torch.randn(batch, channels, length, dtype=F64) - 2.0
        for b in range(batch):
            h[b, :, int(lengths[b]) :] = 5.0  # padding that would win, if it were counted
        before = h.clone()
        got = ex.max_over_time(h, lengths)
        want = torch.stack([h[b, :, : int(lengths[b])].max(dim=1).values for b in range(batch)])
        assert_close(got, want, msg=lambda m, n=lengths.tolist(): f"lengths {n}: {m}")
        assert torch.equal(h, before), "max_over_time changed its input h in place"


def test_max_over_time_gradient_goes_to_the_maximum(ex, rng) -> None:
    """The gradient of max_over_time reaches only each channel's winning position.

    Hint 1: the maximum passes its gradient to the one place that won and zero to the
    others, padding included.
    Hint 2: build the result from differentiable operations on h (masking by a fill of
    minus infinity, then the maximum); a result made by assignment into a new tensor
    carries no gradient.
    """
    batch, channels, length = 3, 4, 6
    lengths = torch.tensor([6, 2, 4])
    h = torch.randn(batch, channels, length, dtype=F64)
    upstream = torch.randn(batch, channels, dtype=F64)
    mine = h.clone().requires_grad_()
    (ex.max_over_time(mine, lengths) * upstream).sum().backward()
    theirs = h.clone().requires_grad_()
    want = torch.stack([theirs[b, :, : int(lengths[b])].max(dim=1).values for b in range(batch)])
    (want * upstream).sum().backward()
    assert mine.grad is not None, "no gradient reached h"
    assert_close(mine.grad, theirs.grad)


def test_conv_and_pool_ignore_the_batch_padding(ex, rng) -> None:
    """conv1d then max_over_time give each sentence of a padded batch what it gets alone.

    That is the fixed-size sentence vector of a CNN classifier, whatever the batch.

    Hint 1: after a convolution without padding, a sentence of n positions has
    n - k + 1 real outputs; the ones after that read the batch's padding.
    Hint 2: pass those output lengths to max_over_time, not the input lengths.
    """
    channels, filters = 5, 7
    for width in (2, 3, 4):
        weight = torch.randn(filters, channels, width, dtype=F64)
        bias = torch.randn(filters, dtype=F64)
        lengths = torch.as_tensor(rng.integers(width, 10, size=4))
        longest = int(lengths.max())
        sentences = [torch.randn(channels, int(n), dtype=F64) for n in lengths]
        batch = torch.zeros(len(sentences), channels, longest, dtype=F64)
        for b, sentence in enumerate(sentences):
            batch[b, :, : sentence.shape[1]] = sentence
        pooled = ex.max_over_time(ex.conv1d(batch, weight, bias), lengths - width + 1)
        alone = torch.stack([F.conv1d(s[None], weight, bias)[0].max(dim=1).values
                             for s in sentences])  # fmt: skip
        assert_close(pooled, alone,
                     msg=lambda m, w=width, n=lengths.tolist(): f"width {w}, lengths {n}: {m}")  # fmt: skip
