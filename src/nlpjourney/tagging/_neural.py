"""What the torch taggers (:class:`~nlpjourney.tagging.BiLSTMCRF`,
:class:`~nlpjourney.tagging.BertTagger`) share: input checks, the dev score that picks
the best epoch, length-bucketed batches, state dicts as NumPy arrays, the loss picture.

The dev score is entity F1 when the tags look like IOB/IOB2 chunks (``B-``/``I-``
prefixes), counted as conlleval and seqeval's default mode count it (an ``I-X`` after
``O`` or after another type opens an entity), and token accuracy otherwise (POS tags).

>>> sorted(chunks(["B-PER", "I-PER", "O", "I-LOC", "I-ORG"]))
[('LOC', 3, 4), ('ORG', 4, 5), ('PER', 0, 2)]
>>> dev_score([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]])
0.0
>>> dev_score([["NN", "VB"]], [["NN", "NN"]])
0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nlpjourney.ml import NotFittedError

__all__ = [
    "bucketed_batches",
    "check_tagged",
    "chunks",
    "dev_score",
    "plot_losses",
    "state_arrays",
    "state_tensors",
]


def check_tagged(
    sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]] | None = None
) -> tuple[list[list[str]], list[list[str]] | None]:
    """Sentences (and tags) as lists of str, checked to line up.

    Raises:
        TypeError: a sentence is a plain string, or a token or tag is not a str.
        ValueError: different numbers of sentences and tag lists, or of tokens and tags.
    """
    if isinstance(sentences, str):
        raise TypeError("pass a list of sentences, each a list of tokens, not one string")
    words = []
    for i, sentence in enumerate(sentences):
        if isinstance(sentence, str):
            raise TypeError(f"sentence {i} is a string: pass each sentence as a list of tokens")
        words.append(list(sentence))
        if not all(isinstance(w, str) for w in words[-1]):
            raise TypeError(f"sentence {i} holds a token that is not a str")
    if tags is None:
        return words, None
    labels = [list(t) for t in tags]
    if len(labels) != len(words):
        raise ValueError(
            f"{len(words)} sentences but {len(labels)} tag lists: pass one per sentence"
        )
    for i, (sentence, sentence_tags) in enumerate(zip(words, labels, strict=True)):
        if len(sentence) != len(sentence_tags):
            raise ValueError(
                f"sentence {i} has {len(sentence)} tokens but {len(sentence_tags)} tags: "
                "give one tag per token"
            )
        if not all(isinstance(t, str) for t in sentence_tags):
            raise TypeError(f"the tags of sentence {i} include one that is not a str")
    return words, labels


def not_fitted(name: str) -> NotFittedError:
    """The error of a tagger used before ``fit``."""
    return NotFittedError(f"this {name} is not fitted yet: call fit(sentences, tags) first")


def chunks(tags: Sequence[str]) -> set[tuple[str, int, int]]:
    """The entities ``(type, start, end)`` (end exclusive) of one IOB/IOB2 tag sequence."""
    found: set[tuple[str, int, int]] = set()
    kind, start = None, 0
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        # An entity goes on only with I- of the same type; anything else closes it.
        if kind is not None and not (prefix == "I" and label == kind):
            found.add((kind, start, i))
            kind = None
        if prefix == "B" or (prefix == "I" and kind is None):
            kind, start = label, i
    return found


def dev_score(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    """Entity F1 (a fraction) for chunk tags, token accuracy for any other tag set."""
    flat = [t for sentence in gold for t in sentence]
    if any(t[:2] in ("B-", "I-") for t in flat):
        true = pred = hits = 0
        for g, p in zip(gold, predicted, strict=True):
            gold_chunks, pred_chunks = chunks(g), chunks(p)
            true, pred = true + len(gold_chunks), pred + len(pred_chunks)
            hits += len(gold_chunks & pred_chunks)
        return 0.0 if hits == 0 else 2 * hits / (true + pred)
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
