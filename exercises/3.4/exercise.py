"""Exercise 3.4: the 1-D convolution by unfold, and max-over-time pooling.

A convolution over words slides a filter ``k`` words wide along a sentence. Written with
loops it is slow; written as **unfold + one matrix product** it is as fast as the
hardware allows, and that is how the lesson ``lessons/3.4-cnns-for-text.py`` builds it
(stride 1, no dilation). Here you write the general layer, the one ``torch.nn.Conv1d``
computes, and the pooling that turns its output into one vector per sentence:

1. ``unfold1d(x, kernel_size, stride, padding, dilation)``: every window of
   ``kernel_size`` positions, laid out as a column;
2. ``conv1d(x, weight, bias, stride, padding, dilation)``: the convolution, as unfold
   and one matrix product (gradients then come from autograd);
3. ``max_over_time(h, lengths)``: the largest value of each channel over the positions
   of each sentence, never counting the padding after a shorter sentence's end.

Use torch's tensor operations (indexing, ``arange``, ``stack``, ``cat``, ``reshape``,
``@``, ``masked_fill``, ``max``...), but not ``nlpjourney`` (the model answer), torch's
convolutions (``torch.nn.functional.conv1d``/``conv2d``, ``torch.nn.Conv1d``,
``torch.conv1d``...), its unfold shortcuts (``torch.nn.functional.unfold``,
``torch.nn.Unfold``, ``Tensor.unfold`` and ``as_strided``, each of which hands you the
windows, which is the point of the exercise) or its max-pooling layers
(``max_pool1d``, ``adaptive_max_pool1d``): ``journey check`` refuses a file that uses
them, since the checks compare you with them. Then run ``journey check 3.4``; each
failing check gives a hint (``--hint`` shows more), on inputs drawn fresh each run.
"""

from __future__ import annotations

import torch  # noqa: F401  (yours to use)
from torch import Tensor


def unfold1d(
    x: Tensor, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> Tensor:
    """Every window of ``x`` a kernel sees, one column per output position.

    ``x`` is (B, C, T): B sentences, C channels (say, embedding dims), T positions.
    First pad ``padding`` zeros at both ends of the positions, so the length is
    ``T + 2 * padding``. The window of output position ``t`` then starts at
    ``t * stride`` and reads the positions ``t * stride + j * dilation`` for
    ``j = 0 .. kernel_size - 1``. There are
    ``T_out = (T + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1`` of them.

    The column of output position ``t`` holds the window of every channel, channel by
    channel (**channel-major**, as ``torch.nn.functional.unfold`` lays it out): row
    ``c * kernel_size + j`` is channel ``c`` at the window's ``j``-th position.

    Shapes:
        x (B, C, T) -> (B, C * kernel_size, T_out).

    Raises:
        ValueError: the dilated window is longer than the padded sequence (``T_out``
            would be below 1).

    Example: one sentence, one channel, ``x = [[[1, 2, 3, 4]]]``, ``kernel_size=2``:
    the windows are ``[1, 2]``, ``[2, 3]``, ``[3, 4]``, so the result is
    ``[[[1, 2, 3], [2, 3, 4]]]`` (row 0: each window's first value, row 1: its second).
    With ``stride=2`` it is ``[[[1, 3], [2, 4]]]``; with ``padding=1`` (x read as
    ``[0, 1, 2, 3, 4, 0]``) it is ``[[[0, 1, 2, 3, 4], [1, 2, 3, 4, 0]]]``.
    """
    raise NotImplementedError("write unfold1d: pad, gather each window's positions, lay out")


def conv1d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> Tensor:
    """The 1-D convolution of ``torch.nn.functional.conv1d`` (groups=1), by unfold + matmul.

    ``weight[o, c, j]`` is what output channel (filter) ``o`` multiplies channel ``c`` at
    the window's ``j``-th position by; a filter's output at position ``t`` is the sum of
    those products over its window, plus ``bias[o]`` (no bias when ``bias`` is None).
    Like torch's, this is a cross-correlation: the filter is not flipped.

    Shapes:
        x (B, C_in, T), weight (C_out, C_in, kernel_size), bias (C_out,) or None
        -> (B, C_out, T_out), ``T_out`` as in :func:`unfold1d`.

    Raises:
        ValueError: ``weight``'s input channels ``C_in`` differ from ``x``'s channels.

    Example: ``x = [[[1, 2, 3, 4]]]``, one filter ``weight = [[[1, -1]]]``, no bias: each
    window's first value minus its second, ``[[[-1, -1, -1]]]``.
    """
    raise NotImplementedError("write conv1d: unfold1d, then one matrix product with the filters")


def max_over_time(h: Tensor, lengths: Tensor | None = None) -> Tensor:
    """The largest value of each channel over the positions of each sentence.

    A batch pads its shorter sentences to the longest one's length; with ``lengths``
    given, positions ``t >= lengths[b]`` of sentence ``b`` are padding and must never be
    the maximum, even where every real value is negative. Without ``lengths`` every
    position counts.

    Shapes:
        h (B, C, T), lengths (B,) integers in 1..T, or None -> (B, C).

    Raises:
        ValueError: no positions at all (T = 0), or a length below 1 or above T.

    Example: ``h = [[[-3, -1, 0]]]`` (one sentence, one channel) gives ``[[0]]``; with
    ``lengths = [2]`` the last position is padding and the answer is ``[[-1]]``.
    """
    raise NotImplementedError("write max_over_time: hide the padding, then take the max over time")
