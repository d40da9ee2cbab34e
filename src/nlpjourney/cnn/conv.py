"""The 1-D convolution over a sequence, written as unfold + one matrix product.

A filter of width ``k`` over ``C`` input channels is a ``(C, k)`` block of weights; at
each output position it takes the dot product with the ``(C, k)`` window of the input
under it. Laying every window out as one column (:func:`unfold1d`) turns all those dot
products, for every filter and position at once, into a single matrix product::

    x (B, C, T) --unfold1d--> cols (B, C*k, T_out)
    weight (F, C, k) --view--> (F, C*k)
    out = weight @ cols + bias  ->  (B, F, T_out)

(:func:`conv1d` lays the batch's columns side by side, (C*k, B*T_out), so the batch is
one large matrix product, which runs faster than ``B`` small ones.)

with ``T_out = floor((T + 2*padding - dilation*(k-1) - 1) / stride) + 1``. This is how
fast convolution libraries long did it ("im2col"): the matrix product is the one
operation a CPU or GPU does at full speed.

Column layout (channel-major, as ``torch.nn.functional.unfold`` lays out its patches):
row ``c * k + j`` of a column holds channel ``c`` at tap ``j`` of the window, so the
``(F, C, k)`` weight flattened row by row lines up with it.

>>> x = torch.arange(6.0).view(1, 2, 3)  # channels [0, 1, 2] and [3, 4, 5]
>>> unfold1d(x, 2)[0]
tensor([[0., 1.],
        [1., 2.],
        [3., 4.],
        [4., 5.]])

Reference: ``torch.nn.functional.conv1d`` and ``torch.nn.Conv1d`` (values and gradients,
float32 and float64, stride, padding, dilation; ``tests/cnn/test_conv.py``), and
``torch.nn.functional.unfold`` for the column layout.

Simplifications:
    - one group only (``groups=1``) and zero padding only (``padding_mode="zeros"``).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

__all__ = ["Conv1d", "conv1d", "output_length", "unfold1d"]


def _one_int(value: int | tuple[int, ...], name: str, least: int) -> int:
    """An int argument that torch also accepts as a 1-tuple, checked to be ``>= least``."""
    if isinstance(value, tuple | list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < least:
        raise ValueError(f"{name} must be at least {least}, got {value}")
    return value


def _padding(
    padding: int | tuple[int, ...] | str, kernel_size: int, stride: int, dilation: int
) -> tuple[int, int]:
    """(left, right) zeros for torch's padding argument: an int, ``"valid"`` or ``"same"``."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0
        if padding == "same":
            if stride != 1:
                raise ValueError("padding='same' needs stride=1 (as in torch); pass an int")
            # subtle: torch puts the odd zero on the right when the total is odd.
            total = dilation * (kernel_size - 1)
            return total // 2, total - total // 2
        raise ValueError(f"padding must be an int, 'valid' or 'same', got {padding!r}")
    size = _one_int(padding, "padding", 0)
    return size, size


def output_length(
    length: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """How many positions a convolution gives over ``length`` steps (padding on each side).

    >>> output_length(10, kernel_size=3), output_length(10, 3, stride=2, padding=1)
    (8, 5)
    """
    return (length + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def _windows(
    x: Tensor, kernel_size: int, stride: int, pads: tuple[int, int], dilation: int
) -> Tensor:
    """Every window of ``x`` as a strided view, no copy: (B, C, T) -> (B, C, T_out, k)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"x must be a torch tensor of shape (B, C, T), got {type(x).__name__}")
    if x.dim() != 3:
        raise ValueError(
            f"x must have shape (batch, channels, length), got {tuple(x.shape)}; "
            "add a batch axis with x.unsqueeze(0)"
        )
    length = x.shape[2]
    span = dilation * (kernel_size - 1) + 1  # how far one window reaches
    if length + pads[0] + pads[1] < span:
        raise ValueError(
            f"a kernel of size {kernel_size} with dilation {dilation} spans {span} steps, "
            f"longer than the padded input ({length} + {pads[0] + pads[1]} padding); "
            "pad the sequences or use a smaller kernel"
        )
    if pads != (0, 0):
        x = nn.functional.pad(x, pads)
    # Tensor.unfold is a strided view: windows[b, c, t, s] = x[b, c, t*stride + s],
    # s over the whole span; keeping every dilation-th step leaves the k taps.
    return x.unfold(2, span, stride)[..., ::dilation]  # (B, C, T_out, k)


def unfold1d(
    x: Tensor,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> Tensor:
    """Lay every window of ``x`` out as a column: the "im2col" of a 1-D convolution.

    Args:
        x: the input, (B, C, T).
        kernel_size: the window's number of taps ``k``.
        stride: the step between windows.
        padding: zeros added on each side of the sequence.
        dilation: the step between taps inside a window.

    Returns:
        (B, C*k, T_out), row ``c*k + j`` holding channel ``c`` at tap ``j``, column ``t``
        the window starting at ``t*stride`` of the padded input: what
        ``torch.nn.functional.unfold`` gives for a (B, C, 1, T) image and a (1, k) kernel.

    Raises:
        TypeError, ValueError: ``x`` is not a (B, C, T) tensor, an argument is not a
            positive int (padding: non-negative), or the window is longer than the input.
    """
    kernel_size = _one_int(kernel_size, "kernel_size", 1)
    stride = _one_int(stride, "stride", 1)
    dilation = _one_int(dilation, "dilation", 1)
    pad = _one_int(padding, "padding", 0)
    windows = _windows(x, kernel_size, stride, (pad, pad), dilation)  # (B, C, T_out, k)
    batch, channels, t_out, _ = windows.shape
    # (B, C, k, T_out): for each channel its k taps, so rows are c*k + j.
    return windows.permute(0, 1, 3, 2).reshape(batch, channels * kernel_size, t_out)


def conv1d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
) -> Tensor:
    """A 1-D convolution (cross-correlation, as in torch) by unfold + matmul.

    Same arguments and result as ``torch.nn.functional.conv1d`` with ``groups=1``.

    Args:
        x: the input, (B, C_in, T), or (C_in, T) for one sequence.
        weight: the filters, (C_out, C_in, k).
        bias: (C_out,) or None.
        stride: the step between output positions.
        padding: zeros on each side (an int), or ``"valid"`` (none) or ``"same"`` (as many
            output positions as input ones; stride 1 only).
        dilation: the step between a filter's taps.

    Returns:
        (B, C_out, T_out), or (C_out, T_out) for an unbatched input.

    Example:
        >>> x = torch.tensor([[[1.0, 2.0, 3.0, 4.0]]])  # (1, 1, 4)
        >>> conv1d(x, torch.tensor([[[1.0, -1.0]]]), torch.tensor([0.5]))  # x[t] - x[t+1]
        tensor([[[-0.5000, -0.5000, -0.5000]]])
    """
    if not isinstance(weight, Tensor) or weight.dim() != 3:
        shape = tuple(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(f"weight must be a tensor of shape (out, in, kernel), got {shape}")
    unbatched = isinstance(x, Tensor) and x.dim() == 2
    if unbatched:
        x = x.unsqueeze(0)
    out_channels, in_channels, kernel_size = weight.shape
    if isinstance(x, Tensor) and x.dim() == 3 and x.shape[1] != in_channels:
        raise ValueError(
            f"x has {x.shape[1]} channels but the weight expects {in_channels} "
            f"(weight shape {tuple(weight.shape)}); x must be (batch, channels, length)"
        )
    if bias is not None and (not isinstance(bias, Tensor) or bias.shape != (out_channels,)):
        shape = tuple(bias.shape) if isinstance(bias, Tensor) else type(bias).__name__
        raise ValueError(f"bias must be a tensor of shape ({out_channels},), got {shape}")
    stride = _one_int(stride, "stride", 1)
    dilation = _one_int(dilation, "dilation", 1)
    pads = _padding(padding, kernel_size, stride, dilation)
    windows = _windows(x, kernel_size, stride, pads, dilation)  # (B, C_in, T_out, k)
    batch, _, t_out, _ = windows.shape
    # The same columns as unfold1d's, but every sequence's side by side: (C_in*k, B*T_out),
    # so the whole batch is one large matrix product rather than B small ones.
    cols = windows.permute(1, 3, 0, 2).reshape(in_channels * kernel_size, batch * t_out)
    out = weight.reshape(out_channels, in_channels * kernel_size) @ cols  # (C_out, B*T_out)
    if bias is not None:
        out = out + bias.unsqueeze(1)
    out = out.view(out_channels, batch, t_out).transpose(0, 1).contiguous()  # (B, C_out, T_out)
    return out.squeeze(0) if unbatched else out


class Conv1d(nn.Module):
    """A 1-D convolution layer: :func:`conv1d` with learned ``weight`` and ``bias``.

    Constructed like ``torch.nn.Conv1d`` (``groups=1``, zero padding) and with its
    parameter names, shapes and initialisation (Kaiming-uniform, so every weight and
    bias is drawn from ``U(-1/sqrt(C_in*k), 1/sqrt(C_in*k))``, weight first), so
    ``load_state_dict`` takes a ``torch.nn.Conv1d``'s state dict unchanged and the same
    seed gives the same initial weights.

    Args:
        in_channels: the input's channels ``C_in``.
        out_channels: the number of filters ``C_out``.
        kernel_size: each filter's width ``k``.
        stride, padding, dilation: as in :func:`conv1d`.
        bias: learn a bias per filter.
        device, dtype: where and in what type the parameters are made.

    Shapes:
        (B, C_in, T) or (C_in, T) -> (B, C_out, T_out) or (C_out, T_out).

    Example:
        >>> torch.manual_seed(0) and None
        >>> ours = Conv1d(4, 8, 3, padding=1)
        >>> torch.manual_seed(0) and None
        >>> theirs = torch.nn.Conv1d(4, 8, 3, padding=1)
        >>> bool(torch.equal(ours.weight, theirs.weight)), ours(torch.ones(2, 4, 5)).shape
        (True, torch.Size([2, 8, 5]))
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int | str = 0,
        dilation: int = 1,
        bias: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.in_channels = _one_int(in_channels, "in_channels", 1)
        self.out_channels = _one_int(out_channels, "out_channels", 1)
        self.kernel_size = _one_int(kernel_size, "kernel_size", 1)
        self.stride = _one_int(stride, "stride", 1)
        self.dilation = _one_int(dilation, "dilation", 1)
        _padding(padding, self.kernel_size, self.stride, self.dilation)  # checked now, not later
        self.padding = padding
        shape = (self.out_channels, self.in_channels, self.kernel_size)
        self.weight = nn.Parameter(torch.empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias: nn.Parameter | None = nn.Parameter(
                torch.empty(self.out_channels, device=device, dtype=dtype)
            )
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the weights and bias as ``torch.nn.Conv1d`` does."""
        fan_in = self.in_channels * self.kernel_size
        # torch's kaiming_uniform_(a=sqrt(5)): gain sqrt(2 / (1 + a^2)), bound sqrt(3) * gain /
        # sqrt(fan_in), about 1/sqrt(fan_in); subtle: computed in torch's order, so the
        # float bound, and with it every draw, is equal to the last bit.
        gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
        bound = math.sqrt(3.0) * (gain / math.sqrt(fan_in))
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            if self.bias is not None:
                bias_bound = 1 / math.sqrt(fan_in)
                self.bias.uniform_(-bias_bound, bias_bound)

    def forward(self, x: Tensor) -> Tensor:
        """Convolve ``x`` (B, C_in, T) with the layer's filters."""
        return conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding!r}, dilation={self.dilation}, "
            f"bias={self.bias is not None}"
        )
