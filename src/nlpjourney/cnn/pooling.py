"""Max-over-time pooling: each feature map's largest value over a sentence's real tokens.

A convolution over a sentence gives each filter one value per position; a classifier
needs one number per filter whatever the sentence's length. Max-over-time pooling keeps
the largest (Collobert et al., 2011; Kim, 2014): "did this filter's n-gram occur
anywhere, and how strongly". In a padded batch, positions at or past a sentence's
length are padding and must never win, even when every real value is negative.

The gradient of a maximum flows to the one position that won (the first, on a tie), so
a filter learns only from the n-gram that fired it.

>>> h = torch.tensor([[[1.0, 5.0, 9.0], [-3.0, -1.0, 7.0]]])  # (B=1, C=2, T=3)
>>> max_over_time(h)
tensor([[9., 7.]])
>>> max_over_time(h, lengths=torch.tensor([2]))  # the third position is padding
tensor([[ 5., -1.]])

Reference: ``torch.amax`` over the time axis of the real positions (tests check values
against it, and the gradient against a one-hot at the winning position).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

__all__ = ["max_over_time"]


def max_over_time(h: Tensor, lengths: Tensor | Sequence[int] | None = None) -> Tensor:
    """The maximum of each feature map over time, padding left out.

    Args:
        h: feature maps, (B, C, T).
        lengths: each sequence's real length, (B,) ints in ``[1, T]``; positions at or
            past it never win. None: every position is real.

    Returns:
        (B, C); its gradient goes to the winning position only (the first on a tie).

    Raises:
        TypeError, ValueError: ``h`` is not a (B, C, T) tensor with ``T >= 1``, or
            ``lengths`` is not ``B`` lengths between 1 and ``T``.
    """
    if not isinstance(h, Tensor):
        raise TypeError(f"h must be a torch tensor of shape (B, C, T), got {type(h).__name__}")
    if h.dim() != 3 or h.shape[2] == 0:
        raise ValueError(f"h must have shape (batch, channels, time) with time >= 1, "
                         f"got {tuple(h.shape)}")  # fmt: skip
    if lengths is not None:
        lengths = torch.as_tensor(lengths, device=h.device)
        if lengths.dtype.is_floating_point or lengths.dtype == torch.bool:
            raise TypeError(f"lengths must be integers, got dtype {lengths.dtype}")
        if lengths.shape != (h.shape[0],):
            raise ValueError(f"lengths must hold one length per sequence ({h.shape[0]}), "
                             f"got shape {tuple(lengths.shape)}")  # fmt: skip
        if len(lengths) and (lengths.min() < 1 or lengths.max() > h.shape[2]):
            raise ValueError(f"every length must be between 1 and {h.shape[2]} (the time "
                             f"axis), got {lengths.tolist()}")  # fmt: skip
        padding = torch.arange(h.shape[2], device=h.device) >= lengths.unsqueeze(1)  # (B, T)
        # -inf can never win, and every row keeps at least one real position.
        h = h.masked_fill(padding.unsqueeze(1), float("-inf"))
    # subtle: max(dim) sends the whole gradient to one index; amax would split it
    # evenly between tied positions.
    return h.max(dim=2).values
