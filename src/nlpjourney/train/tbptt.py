"""Truncated backpropagation through time: token streams whose recurrent state is carried.

- :class:`TBPTTStream` cuts each split into ``batch_size`` contiguous streams laid side
  by side; each batch is the next ``bptt`` tokens of every stream, and the state the
  model ends a chunk in starts the next chunk, detached. The model remembers across
  chunks while gradients flow back at most ``bptt`` steps. It is the
  :class:`~nlpjourney.train.Trainer`'s ``get_batch``, its :meth:`TBPTTStream.loss` the
  Trainer's ``loss_fn``, and its position and states go into every checkpoint.
- :func:`stream_loss` scores a whole token stream, every prediction once, with the state
  carried: the recurrent counterpart of :func:`~nlpjourney.train.validation_loss`.

Both work with any model whose call ``model(x, state)`` returns ``(logits, state)``, the
state shaped (S, L, B, H) as :class:`~nlpjourney.models.CharRNN`'s
(:mod:`nlpjourney.apps.char_rnn` trains one with them).

Reference: Williams and Peng (1990) for truncated BPTT; the side-by-side streams are
the layout of Zaremba et al. (2014)'s PTB language models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from nlpjourney.errors import JourneyError

__all__ = ["TBPTTStream", "stream_loss"]


class TBPTTStream:
    """Contiguous chunks of token streams with the recurrent state carried between them.

    Each split's tokens are cut into ``batch_size`` equal, contiguous streams (the tail
    that does not divide is left out), side by side; a batch is the next ``bptt`` tokens
    of every stream, and the targets are the same tokens shifted by one. Row ``b`` of a
    batch therefore continues row ``b`` of the previous batch of its split. After the
    last whole chunk a split wraps round to its beginning, and its state restarts from
    zeros (the one boundary where the state is not carried). A split may be limited to
    its first ``chunks`` chunks, so each evaluation reads the same characters from the
    same zero state.

    The Trainer protocol: ``stream(split)`` returns ``((x, state), y)``, so the Trainer
    calls ``model(x, state)`` and gets ``(logits, new_state)``; ``stream.loss`` (the
    Trainer's ``loss_fn``) stores ``new_state`` detached for the split's next chunk and
    returns the cross-entropy of the logits. Each batch must be scored before the next
    is drawn, so gradient accumulation (several batches drawn, then scored) is refused.

    Args:
        splits: a 1-D array of token ids per split name (``{"train": ..., "val": ...}``;
            a ``np.memmap`` works as is).
        batch_size: streams per split.
        bptt: tokens per chunk.
        state_shape: (S, num_layers, hidden_size) of the model's state
            (:meth:`~nlpjourney.models.CharRNN.initial_state`).
        device: where batches and states go.
        chunks: the most chunks a split is read before it wraps (e.g. ``{"val": 10}``).

    Example: tokens ``0..12`` with ``batch_size=2, bptt=3`` make two streams of 6
    inputs, ``0..5`` and ``6..11`` (targets ``1..6`` and ``7..12``): the first batch's x
    is ``[[0, 1, 2], [6, 7, 8]]``, the second's ``[[3, 4, 5], [9, 10, 11]]``, then the
    split wraps round (:meth:`layout`).
    """

    def __init__(
        self,
        splits: Mapping[str, np.ndarray],
        batch_size: int,
        bptt: int,
        state_shape: tuple[int, int, int],
        device: str | torch.device = "cpu",
        chunks: Mapping[str, int] | None = None,
    ) -> None:
        for name, value in (("batch_size", batch_size), ("bptt", bptt)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        self.batch_size, self.bptt = batch_size, bptt
        self.state_shape = tuple(state_shape)
        self.device = torch.device(device)
        self.tokens = dict(splits)
        self.length: dict[str, int] = {}
        self.chunks: dict[str, int] = {}
        for split, tokens in self.tokens.items():
            length = (len(tokens) - 1) // batch_size  # inputs per stream
            whole = length // bptt
            if whole < 1:
                raise JourneyError(
                    f"the {split} text has {len(tokens):,} characters, too few for "
                    f"{batch_size} streams of one chunk of {bptt} (+1); use more text or a "
                    "smaller preset"
                )
            limit = (chunks or {}).get(split)
            self.length[split] = length
            self.chunks[split] = whole if limit is None else max(1, min(whole, limit))
        self.position = dict.fromkeys(self.tokens, 0)
        self.passes = dict.fromkeys(self.tokens, 0)
        self.states: dict[str, Tensor] = {}
        self._pending: str | None = None

    def layout(self, split: str, chunk: int) -> np.ndarray:
        """The token positions of chunk ``chunk`` of ``split``: (batch_size, bptt + 1).

        Row ``b`` is stream ``b``'s positions ``b * length + chunk * bptt + 0 .. bptt``,
        the inputs and (shifted by one) the targets.

        >>> stream = TBPTTStream({"train": np.arange(13)}, 2, 3, (1, 1, 4))
        >>> stream.layout("train", 0).tolist()
        [[0, 1, 2, 3], [6, 7, 8, 9]]
        >>> stream.layout("train", 1).tolist()
        [[3, 4, 5, 6], [9, 10, 11, 12]]
        """
        starts = np.arange(self.batch_size) * self.length[split] + chunk * self.bptt
        return starts[:, None] + np.arange(self.bptt + 1)

    def __call__(self, split: str) -> tuple[tuple[Tensor, Tensor], Tensor]:
        """The next chunk of ``split``: ``((x, state), y)``, x and y (B, bptt)."""
        if split not in self.tokens:
            raise ValueError(f"split must be one of {sorted(self.tokens)}, got {split!r}")
        if self._pending is not None:
            raise RuntimeError(
                f"a {self._pending} chunk was drawn but not scored by stream.loss; the "
                "stream carries state from one chunk to the next, so score each chunk "
                "before drawing another (no gradient accumulation)"
            )
        chunk = self.position[split]
        if chunk == 0 or split not in self.states:  # a pass begins: the state restarts
            self.states[split] = torch.zeros(
                *self.state_shape[:2], self.batch_size, self.state_shape[2], device=self.device
            )
        ids = np.asarray(self.tokens[split][self.layout(split, chunk)], dtype=np.int64)
        x = torch.from_numpy(ids[:, :-1].copy()).to(self.device)  # (B, bptt)
        y = torch.from_numpy(ids[:, 1:].copy()).to(self.device)  # (B, bptt)
        self.position[split] = (chunk + 1) % self.chunks[split]
        if self.position[split] == 0:
            self.passes[split] += 1
        self._pending = split
        return (x, self.states[split]), y

    def loss(self, output: tuple[Tensor, Tensor], targets: Tensor) -> Tensor:
        """Mean cross-entropy of ``output``'s logits; keeps its state for the next chunk.

        Args:
            output: what ``model(x, state)`` returned: logits (B, T, V), state.
            targets: ids (B, T).
        """
        if self._pending is None:
            raise RuntimeError("stream.loss called without a chunk drawn from the stream")
        logits, state = output
        # subtle: detached, so the next chunk's backward stops here (the truncation);
        # float32 whatever autocast computed in, as the zeros it replaces.
        self.states[self._pending] = state.detach().to(self.states[self._pending].dtype)
        self._pending = None
        wide = logits.reshape(-1, logits.size(-1))
        wide = wide.to(torch.promote_types(wide.dtype, torch.float32))  # float64 stays
        return F.cross_entropy(wide, targets.reshape(-1))

    def state_dict(self) -> dict[str, Any]:
        """Positions, passes and carried states (tensors on the CPU), for a checkpoint."""
        return {
            "position": dict(self.position),
            "passes": dict(self.passes),
            "states": {split: t.cpu() for split, t in self.states.items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Put back :meth:`state_dict`'s contents."""
        self.position = {s: int(state["position"][s]) for s in self.tokens}
        self.passes = {s: int(state["passes"][s]) for s in self.tokens}
        self.states = {s: t.to(self.device) for s, t in state["states"].items()}
        self._pending = None


def stream_loss(
    model: nn.Module,
    tokens: np.ndarray,
    streams: int = 16,
    bptt: int = 256,
    device: str | torch.device | None = None,
) -> float:
    """Mean next-character loss over a WHOLE token stream, every prediction once, state carried.

    The stream is cut into ``streams`` equal contiguous pieces read side by side in
    chunks of ``bptt``, each piece's state carried from chunk to chunk; the tokens left
    over at the end continue the last piece, with its state. So every token but the
    first is predicted exactly once, and all but the first of each piece with the whole
    of its piece before it in memory. (A piece starts from a zero state: ``streams=1``
    reads the whole text as one, more slowly.) ``bptt`` changes only the speed, never
    the value, since the state is carried exactly.

    Args:
        model: called as ``model(x, state)`` -> ``(logits, state)``, e.g. a
            :class:`~nlpjourney.models.CharRNN` (put in eval mode for the call).
        tokens: the ids, 1-D (a ``np.memmap`` works).
        streams: pieces read in parallel.
        bptt: characters per forward call.
        device: where to run (None: the model's).

    Returns:
        The mean loss in nats per character.
    """
    for name, value in (("streams", streams), ("bptt", bptt)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    predictions = len(tokens) - 1
    if predictions < 1:
        raise ValueError(f"{len(tokens)} tokens hold no prediction; give at least 2")
    if device is None:
        device = next(model.parameters()).device
    pieces = min(streams, predictions)
    length = predictions // pieces
    ids = torch.from_numpy(np.asarray(tokens, dtype=np.int64))
    x = ids[: pieces * length].view(pieces, length)  # (P, L)
    y = ids[1 : pieces * length + 1].view(pieces, length)  # (P, L), x shifted by one
    was_training = model.training
    model.eval()
    total = 0.0

    def score(inputs: Tensor, targets: Tensor, state: Tensor | None) -> Tensor:
        nonlocal total
        logits, state = model(inputs.to(device), state)
        wide = logits.flatten(0, 1).to(torch.promote_types(logits.dtype, torch.float32))
        loss = F.cross_entropy(wide, targets.to(device).flatten(), reduction="sum")
        total += float(loss)
        return state

    try:
        with torch.no_grad():
            state = None
            for start in range(0, length, bptt):
                end = start + bptt
                state = score(x[:, start:end], y[:, start:end], state)
            rest = predictions - pieces * length  # fewer than `pieces` tokens
            if rest:
                # they follow the last piece's last input: its state carries on into them
                last = state[:, :, -1:].contiguous()  # (S, L, 1, H)
                begin = pieces * length
                score(ids[begin : begin + rest][None], ids[begin + 1 : begin + rest + 1][None],
                      last)  # fmt: skip
    finally:
        model.train(was_training)
    return total / predictions
