"""What the torch taggers (:class:`~nlpjourney.tagging.BiLSTMCRF`,
:class:`~nlpjourney.tagging.BertTagger`) share: the dev score that picks
the best epoch, length-bucketed batches, state dicts as NumPy arrays, the loss picture.

The dev score is entity F1 when the tags look like IOB/IOB2 chunks (``B-``/``I-``
prefixes), counted by :func:`nlpjourney.evaluate.sequence.f1_score` as conlleval and
seqeval's default mode count it (an ``I-X`` after ``O`` or after another type opens an
entity), and token accuracy otherwise (POS tags).

>>> dev_score([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]])
0.0
>>> dev_score([["NN", "VB"]], [["NN", "NN"]])
0.5
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from nlpjourney.evaluate.sequence import f1_score
from nlpjourney.ml import NotFittedError
from nlpjourney.progress import progress_bar

__all__ = [
    "bucketed_batches",
    "dev_score",
    "plot_losses",
    "run_epochs",
    "state_arrays",
    "state_tensors",
]


def not_fitted(name: str) -> NotFittedError:
    """The error of a tagger used before ``fit``."""
    return NotFittedError(f"this {name} is not fitted yet: call fit(sentences, tags) first")


def dev_score(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    """Entity F1 (a fraction) for chunk tags, token accuracy for any other tag set."""
    flat = [t for sentence in gold for t in sentence]
    if any(t[:2] in ("B-", "I-") for t in flat):
        return float(f1_score(gold, predicted, zero_division=0))
    right = sum(
        a == b for g, p in zip(gold, predicted, strict=True) for a, b in zip(g, p, strict=True)
    )
    return right / max(1, len(flat))


def bucketed_batches(
    lengths: Sequence[int], batch_size: int, rng: np.random.Generator, pool: int = 50
) -> list[list[int]]:
    """Shuffled batches of indices whose lengths are close, so little of a batch is padding.

    The indices are shuffled, cut into pools of ``pool`` batches, each pool sorted by
    length and cut into batches; then the batches are shuffled.
    """
    order = rng.permutation(len(lengths))
    batches = []
    for start in range(0, len(order), batch_size * pool):
        group = sorted(order[start : start + batch_size * pool], key=lambda i: lengths[i])
        batches += [
            [int(i) for i in group[b : b + batch_size]] for b in range(0, len(group), batch_size)
        ]
    return [batches[i] for i in rng.permutation(len(batches))]


def state_arrays(module: nn.Module) -> dict[str, np.ndarray]:
    """A module's state dict as NumPy arrays (what :func:`nlpjourney.saving.save_model` keeps)."""
    return {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}


def state_tensors(arrays: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """NumPy arrays back to tensors for ``load_state_dict``."""
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in arrays.items()}


def plot_losses(losses: Sequence[float], scores: Sequence[float], path: Path, title: str) -> Path:
    """A PNG of the training loss per step, with the dev score per epoch beside it."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 3.5))
    left, right = figure.subplots(1, 2)
    left.plot(np.arange(1, len(losses) + 1), losses, color="tab:blue", label="batch loss")
    left.set_xlabel("step")
    left.set_ylabel("loss")
    left.set_title("training loss")
    left.legend()
    right.plot(np.arange(1, len(scores) + 1), scores, "o-", color="tab:green", label="dev")
    right.set_xlabel("epoch")
    right.set_ylabel("dev score (F1 or accuracy)")
    right.set_title("dev score per epoch")
    right.legend()
    figure.suptitle(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    return path


def run_epochs(
    tagger: Any,
    optimizer: torch.optim.Optimizer,
    batches: Callable[[], Iterable[list[int]]],
    batch_loss: Callable[[list[int]], tuple[torch.Tensor, int]],
    *,
    steps_per_epoch: int,
    clip: float,
    title: str,
    dev: tuple[list[list[str]], list[list[str]]] | None,
    progress: bool | None,
    on_epoch: Callable[[dict[str, float]], None] | None,
    out: str | Path | None,
    schedule: Any = None,
) -> None:
    """The epochs of a torch tagger's ``fit``, the same for every tagger.

    Each step takes ``batch_loss(batch) -> (loss, tokens)`` for a batch of example
    indices from ``batches()`` (called once an epoch), clips the gradient norm to
    ``clip`` and steps ``optimizer`` (and ``schedule`` if given). After each epoch the
    tagger predicts ``dev`` (words, tags) and the weights of the best-scoring epoch are
    kept. Sets ``tagger.history_`` (one record an epoch: ``epoch``, ``loss``, ``seconds``,
    ``tokens_per_s``, ``dev``) and ``tagger.best_epoch_``, leaves ``tagger.network_`` in
    eval mode with the best weights, and writes ``loss.png`` into ``out`` when given.
    """
    network = tagger.network_
    tagger.history_ = []
    losses: list[float] = []
    best_score, best_state = -1.0, None
    total = steps_per_epoch * tagger.epochs * 1.0
    with progress_bar(title, total=total, unit="steps", enabled=progress) as bar:
        for epoch in range(1, tagger.epochs + 1):
            network.train()
            started, epoch_loss, tokens = time.perf_counter(), 0.0, 0
            for batch in batches():
                loss, batch_tokens = batch_loss(batch)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(network.parameters(), clip)
                optimizer.step()
                if schedule is not None:
                    schedule.step()
                losses.append(float(loss.detach()))
                epoch_loss += losses[-1]
                tokens += batch_tokens
                bar.advance(1)
            seconds = time.perf_counter() - started
            record = {"epoch": epoch, "loss": epoch_loss / steps_per_epoch, "seconds": seconds,
                      "tokens_per_s": tokens / seconds}  # fmt: skip
            if dev is not None:
                record["dev"] = dev_score(dev[1], tagger.predict(dev[0]))
                if record["dev"] > best_score:
                    best_score, tagger.best_epoch_ = record["dev"], epoch
                    best_state = copy.deepcopy(network.state_dict())
            tagger.history_.append(record)
            if on_epoch is not None:
                on_epoch(record)
            bar.describe(f"{title} (epoch {epoch}: dev {record.get('dev', float('nan')):.4f})")
    if best_state is not None:
        network.load_state_dict(best_state)
    else:
        tagger.best_epoch_ = tagger.epochs
    network.eval()
    if out is not None:
        scores = [r.get("dev", float("nan")) for r in tagger.history_]
        plot_losses(losses, scores, Path(out) / "loss.png", f"{title}: loss and dev score")
