"""What the CNN classifier and the CNN labeller share: a vocabulary, padding,
and the epoch loop with early stopping on a held-out slice.

>>> vocabulary(["a", "b", "a", "c"], min_count=2)
['<pad>', '<unk>', 'a']
>>> pad([[3, 4], [5]], least=3)
tensor([[3, 4, 0],
        [5, 0, 0]])
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from nlpjourney.progress import progress_bar

__all__ = ["PAD", "UNK", "fit_epochs", "pad", "vocabulary"]

PAD, UNK = "<pad>", "<unk>"  # ids 0 and 1 of every vocabulary


def vocabulary(tokens: Iterable[str], min_count: int = 1) -> list[str]:
    """``<pad>``, ``<unk>``, then the tokens seen ``min_count`` times or more, most frequent
    first (ties in first-seen order)."""
    counts = Counter(tokens)
    return [PAD, UNK, *(w for w, n in counts.most_common() if n >= min_count)]


def pad(rows: Sequence[Sequence[int]], least: int = 1) -> Tensor:
    """Rows of ids as one (B, T) int64 tensor, padded with 0 (``<pad>``) at the end to the
    longest row, and to at least ``least`` columns."""
    width = max(least, *(len(r) for r in rows)) if rows else least
    out = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return torch.from_numpy(out)


def fit_epochs(
    network: nn.Module,
    optimizer: torch.optim.Optimizer,
    n_rows: int,
    batch_loss: Callable[[list[int]], Tensor],
    score: Callable[[], float] | None,
    *,
    epochs: int,
    batch_size: int,
    patience: int,
    rng: np.random.Generator,
    title: str,
    progress: bool | None,
    before_step: Callable[[], object] | None = None,
    after_step: Callable[[], object] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Train ``network`` for up to ``epochs`` passes over ``n_rows`` training rows.

    Each epoch shuffles the rows, cuts them into batches of ``batch_size`` and steps
    ``optimizer`` on ``batch_loss(rows)``, calling ``before_step`` between the backward
    pass and the step (e.g. gradient clipping) and ``after_step`` after it (e.g. a weight
    constraint). With ``score`` (accuracy on a held-out slice, higher is better) the
    weights of the best epoch are kept and training stops after ``patience`` epochs
    without a better score.

    Returns:
        The history (one record an epoch: ``epoch``, ``loss``, ``seconds``, and ``score``
        when scored) and the best epoch. ``network`` is left in eval mode.
    """
    history: list[dict[str, Any]] = []
    best_score, best_epoch, best_state, waited = -np.inf, epochs, None, 0
    steps = -(-n_rows // batch_size)
    with progress_bar(title, total=steps * epochs, unit="steps", enabled=progress) as bar:
        for epoch in range(1, epochs + 1):
            network.train()
            started, total = time.perf_counter(), 0.0
            order = rng.permutation(n_rows)
            for start in range(0, n_rows, batch_size):
                loss = batch_loss(order[start : start + batch_size].tolist())
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if before_step is not None:
                    before_step()
                optimizer.step()
                if after_step is not None:
                    after_step()
                total += float(loss.detach())
                bar.advance(1)
            record: dict[str, Any] = {"epoch": epoch, "loss": total / steps,
                                      "seconds": time.perf_counter() - started}  # fmt: skip
            if score is not None:
                network.eval()
                record["score"] = score()
                if record["score"] > best_score:
                    best_score, best_epoch, waited = record["score"], epoch, 0
                    best_state = copy.deepcopy(network.state_dict())
                else:
                    waited += 1
            history.append(record)
            bar.describe(f"{title} (epoch {epoch}: score {record.get('score', float('nan')):.4f})")
            if score is not None and waited >= patience:
                break
    if best_state is not None:
        network.load_state_dict(best_state)
    network.eval()
    return history, best_epoch
