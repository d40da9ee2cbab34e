"""Exercise 4.2: one training step with gradient accumulation.

``train_step`` is the heart of every pretraining loop, the step that the lesson
``lessons/4.2-gpt-pretraining.py`` writes in cells and that ``Trainer`` runs thousands
of times. Given ``k`` micro-batches, it must do what one batch ``k`` times bigger would:

1. for each micro-batch ``(x, y)``: logits ``model(x)`` (B, T, V), the mean
   cross-entropy against ``y`` (B, T), divided by ``k``, and ``backward()``, so the
   gradients pile up in each parameter's ``.grad``;
2. once all are done: clip the global gradient norm to ``grad_clip`` (0: no clipping);
3. one optimizer step, then zero the gradients for the next step;
4. return the mean loss over the micro-batches, as a float.

Use torch (``torch.nn.functional.cross_entropy``, ``torch.nn.utils.clip_grad_norm_``),
but not ``nlpjourney`` (the model answer) or a training library (Lightning, Accelerate,
transformers): ``journey check`` refuses a file that uses them. Then run
``journey check 4.2``; each failing check gives a hint (``--hint`` shows more), on
micro-batches and weights drawn fresh each run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F  # noqa: F401  (yours to use)
from torch import Tensor


def train_step(
    model: Callable[[Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    batches: Sequence[tuple[Tensor, Tensor]],
    grad_clip: float = 0.0,
) -> float:
    """One optimizer step over the micro-batches ``batches``; returns their mean loss.

    Each micro-batch's loss is divided by ``k = len(batches)`` before ``backward()``:
    ``.grad`` sums what every backward adds, so the sum of ``loss_i / k`` gives the
    gradients of the mean loss, the same as one batch holding all the sequences.

    Clip with the parameters the optimizer holds, ``p for g in optimizer.param_groups
    for p in g["params"]`` (or the model's), then ``optimizer.step()`` once and
    ``optimizer.zero_grad()``.

    Args:
        model: ``model(x) -> logits`` (B, T, V).
        optimizer: a torch-style optimizer over the model's parameters.
        batches: ``(x, y)`` pairs, int64 (B, T) each, at least one.
        grad_clip: the largest global gradient norm allowed; 0 means no clipping.

    Returns:
        The mean of the micro-batch losses (the sum of the divided ones), a float.

    Example: micro-batch losses 2.0 and 4.0 return 3.0; their gradients are those of
    ``(loss_1 + loss_2) / 2``.
    """
    raise NotImplementedError("write train_step: loss / k and backward per micro-batch, clip, step")
