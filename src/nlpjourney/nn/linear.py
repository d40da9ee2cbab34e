"""Linear layers for decoding on a CPU: one vector times each weight, on every core.

Generating text feeds one token at a time, so every weight matrix multiplies a single
vector (a matrix-vector product): the work is reading the weights from memory, not
arithmetic. Two things make that read faster on a CPU, both without changing a number:

- :func:`transpose_weight_storage` keeps each (out, in) weight in the memory order of its
  (in, out) transpose, which the matrix-vector kernel streams faster;
- :class:`Linear` (``torch.nn.Linear`` with one more path) splits the outputs of a
  product of a few rows into one block per thread and runs the blocks as one batched
  product, so every core reads its share of the weight; torch's own kernel keeps a
  matrix-vector product on one core.

Every module here that decodes (attention, the feed-forward layers, the models' heads)
uses :class:`Linear`; training runs through ``torch.nn.Linear``'s path unchanged.

Reference: ``torch.nn.functional.linear`` (the same outputs, ``tests/nn/test_linear.py``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["Linear", "transpose_weight_storage"]


class Linear(nn.Linear):
    """``torch.nn.Linear`` that spreads a product of a few rows over the CPU's threads.

    With ``p = torch.get_num_threads()`` above 1, an input of at most
    :attr:`SPLIT_ROWS` rows on a CPU, and ``out_features`` divisible by ``p``, the weight's
    rows are cut into ``p`` blocks and the blocks multiplied as one ``torch.bmm``, which
    runs a block per thread. Otherwise, and always on a GPU, it is ``F.linear``.
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
        parts = torch.get_num_threads()
        rows = x.numel() // self.in_features if x.shape[-1:] == (self.in_features,) else 0
        if (
            parts < 2
            or not 0 < rows <= self.SPLIT_ROWS
            or x.device.type != "cpu"
            or self.out_features % parts
        ):
            return F.linear(x, self.weight, self.bias)
        # (p, N/p, K) blocks of the weight's rows, each multiplied by the same x (rows, K)
        blocks = self.weight.view(parts, self.out_features // parts, self.in_features)
        flat = x.reshape(1, rows, self.in_features).expand(parts, rows, self.in_features)
        y = torch.bmm(flat, blocks.transpose(1, 2))  # (p, rows, N/p)
        y = y.transpose(0, 1).reshape(*x.shape[:-1], self.out_features)
        return y if self.bias is None else y + self.bias


def transpose_weight_storage(model: nn.Module) -> nn.Module:
    """Keep every ``nn.Linear`` weight of ``model`` in memory as its transpose, in place.

    A weight stays the same (out, in) tensor: same values, shape, name and ties (a head
    tied to the embeddings stays tied); only the order of its numbers in memory changes,
    to that of an (in, out) matrix, which the CPU's matrix-vector kernel reads faster
    (see ``benchmarks/infer_generate.py``). Prompts and training run at about the same
    speed either way.

    Args:
        model: any module; its ``nn.Linear`` weights on the CPU are rewritten.

    Returns:
        ``model``, for chaining.

    Example:
        >>> layer = transpose_weight_storage(nn.Linear(3, 2))
        >>> layer.weight.shape, layer.weight.stride()
        (torch.Size([2, 3]), (1, 2))
    """
    for module in model.modules():
        weight = getattr(module, "weight", None)
        if isinstance(module, nn.Linear) and weight is not None and weight.device.type == "cpu":
            with torch.no_grad():
                weight.data = weight.data.t().contiguous().t()
    return model
