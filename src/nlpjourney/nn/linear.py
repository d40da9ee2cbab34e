"""Linear layers for decoding on a CPU: one vector times each weight, on every core.

Generating text feeds one token at a time, so every weight matrix multiplies a single
vector (a matrix-vector product): the work is reading the weights from memory, not
arithmetic. Three things make that read faster on a CPU, none changing a number:

- :func:`transpose_weight_storage` keeps each (out, in) weight in the memory order of its
  (in, out) transpose, which the matrix-vector kernel streams faster, all of a model's
  weights back to back in one block of memory;
- :class:`Linear` (``torch.nn.Linear`` with one more path) splits the outputs of a
  product of a few rows into one block per thread and runs the blocks as one batched
  product, so every core reads its share of the weight; torch's own kernel keeps a
  matrix-vector product on one core;
- :func:`stacked_weights` sees two weights of one shape stored back to back (SwiGLU's
  gate and up projections, after :func:`transpose_weight_storage`) as one tensor, so a
  layer multiplies the same input by both in one batched product, one per thread.

Every module here that decodes (attention, the feed-forward layers, the models' heads)
uses :class:`Linear`; training runs through ``torch.nn.Linear``'s path unchanged.

Reference: ``torch.nn.functional.linear`` (the same outputs, ``tests/nn/test_linear.py``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["Linear", "stacked_weights", "transpose_weight_storage"]


class Linear(nn.Linear):
    """``torch.nn.Linear`` that spreads a product of a few rows over the CPU's threads.

    With ``p = torch.get_num_threads()`` above 1, an input of at most
    :attr:`SPLIT_ROWS` rows on a CPU, and ``out_features`` divisible by ``p``, the weight's
    rows are cut into ``p`` blocks and the blocks multiplied as one ``torch.bmm``, which
    runs a block per thread (the weight stored as (out, in) or as its transpose, see
    :func:`transpose_weight_storage`). Otherwise, and always on a GPU, it is ``F.linear``.
    Parameters, state dict and outputs are ``torch.nn.Linear``'s.

    Example:
        >>> layer = Linear(4, 6)
        >>> x = torch.randn(1, 1, 4)
        >>> torch.allclose(layer(x), torch.nn.functional.linear(x, layer.weight, layer.bias))
        True
    """

    SPLIT_ROWS = 4
    """The most rows split across threads; more rows keep every core busy in one kernel."""

    def forward(self, x: Tensor) -> Tensor:
        # Checks in order of cost: this runs once per weight per decoded token.
        rows = x.numel() // self.in_features
        parts = torch.get_num_threads() if 0 < rows <= self.SPLIT_ROWS else 1
        if (
            parts < 2
            or x.is_cuda
            or self.out_features % parts
            or x.shape[-1] != self.in_features
            or not (self.weight.is_contiguous() or self.weight.t().is_contiguous())
        ):
            return F.linear(x, self.weight, self.bias)
        # (p, K, N/p): block i holds outputs i N/p .. (i+1) N/p - 1; x (rows, K) times each
        blocks = self.weight.view(parts, -1, self.in_features).transpose(1, 2)
        flat = x.reshape(1, rows, self.in_features).expand(parts, -1, -1)
        y = torch.bmm(flat, blocks)  # (p, rows, N/p)
        y = y.transpose(0, 1).reshape(*x.shape[:-1], self.out_features)
        return y if self.bias is None else y + self.bias


def transpose_weight_storage(model: nn.Module) -> nn.Module:
    """Keep every ``nn.Linear`` weight of ``model`` in memory as its transpose, in place.

    A weight stays the same (out, in) tensor: same values, shape, name and ties (a head
    tied to the embeddings stays tied); only the order of its numbers in memory changes,
    to that of an (in, out) matrix, which the CPU's matrix-vector kernel reads faster
    (see ``benchmarks/infer_generate.py``). The weights are laid back to back in one
    block of memory, in the order of ``model.modules()``, so :func:`stacked_weights`
    finds neighbours. Prompts and training run at about the same speed either way.

    Args:
        model: any module; its ``nn.Linear`` weights on the CPU are rewritten.

    Returns:
        ``model``, for chaining.

    Example:
        >>> layer = transpose_weight_storage(nn.Linear(3, 2))
        >>> layer.weight.shape, layer.weight.stride()
        (torch.Size([2, 3]), (1, 2))
    """
    weights: dict[int, Tensor] = {}  # by id: a tied weight once
    for module in model.modules():
        if isinstance(module, nn.Linear) and module.weight.device.type == "cpu":
            weights.setdefault(id(module.weight), module.weight)
    for dtype in {w.dtype for w in weights.values()}:
        same = [w for w in weights.values() if w.dtype == dtype]
        block = torch.empty(sum(w.numel() for w in same), dtype=dtype)
        start = 0
        with torch.no_grad():
            for weight in same:
                out_features, in_features = weight.shape
                place = block[start : start + weight.numel()].view(in_features, out_features)
                place.copy_(weight.data.t())
                weight.data = place.t()
                start += weight.numel()
    return model


def stacked_weights(first: Tensor, second: Tensor) -> Tensor | None:
    """Two (N, K) weights stored transposed and back to back, as one (2, K, N) view.

    ``x @ view`` (x broadcast to (2, rows, K)) is then ``[x @ first.T, x @ second.T]`` in
    one batched product. None when the two do not lie that way in memory (then multiply
    them one by one).

    Example:
        >>> pair = transpose_weight_storage(nn.Sequential(nn.Linear(3, 4), nn.Linear(3, 4)))
        >>> stacked_weights(pair[0].weight, pair[1].weight).shape
        torch.Size([2, 3, 4])
        >>> stacked_weights(pair[1].weight, pair[0].weight) is None  # the wrong order
        True
    """
    out_features, in_features = first.shape
    size = first.numel()
    if (
        second.shape != first.shape
        or second.dtype != first.dtype
        or first.stride() != (1, out_features)
        or second.stride() != (1, out_features)
        or second.untyped_storage().data_ptr() != first.untyped_storage().data_ptr()
        or second.storage_offset() != first.storage_offset() + size
    ):
        return None
    return first.as_strided((2, in_features, out_features), (size, out_features, 1))
