"""The loss of a language model on a whole token stream, every prediction scored once.

:func:`validation_loss` is how runs of different sizes, recipes or codebases are compared
fairly: not a few random batches (whose mean moves by a few hundredths from draw to draw)
but every window of the validation split, the same tokens for every model.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["validation_loss"]


def validation_loss(
    model: torch.nn.Module,
    tokens: np.ndarray,
    block_size: int,
    batch_size: int = 32,
    device: str | torch.device = "cpu",
) -> float:
    """Mean next-token loss over a whole token stream, cut into windows of ``block_size``.

    Every token but the first is predicted once, from the tokens before it in its
    window, so every model is scored on exactly the same predictions. ``model`` is any
    module that maps ids (B, T) to next-token logits (B, T, V).

    Shapes:
        tokens (N,) ints -> a float, the mean loss in nats per token.
    """
    windows = (len(tokens) - 1) // block_size
    if windows < 1:
        raise ValueError(f"{len(tokens)} tokens do not fill one window of {block_size} + 1")
    ids = torch.from_numpy(np.asarray(tokens[: windows * block_size + 1], dtype=np.int64))
    x = ids[:-1].view(windows, block_size)  # (W, T)
    y = ids[1:].view(windows, block_size)  # (W, T), x shifted by one
    was_training = model.training
    model.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, windows, batch_size):
            xb = x[start : start + batch_size].to(device)
            yb = y[start : start + batch_size].to(device)
            logits = model(xb).float()  # (B, T, V)
            total += float(F.cross_entropy(logits.flatten(0, 1), yb.flatten(), reduction="sum"))
    model.train(was_training)
    return total / (windows * block_size)
