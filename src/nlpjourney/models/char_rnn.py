"""A character-level language model over a recurrent network: Karpathy's char-rnn.

::

    idx (B, T) -> embedding (or one-hot) (B, T, E)
               -> num_layers x RNN / LSTM / GRU (nlpjourney.rnn, fused path)  (B, T, H)
               -> dropout -> linear head -> logits (B, T, vocab_size)

Unlike a transformer, the model reads a text of any length: everything it remembers of
the past is its recurrent state, which :meth:`CharRNN.forward` takes and returns. A long
text can therefore be read in chunks, each chunk starting from the state the previous
one ended in, and the logits are the same as reading it all at once (what truncated
backpropagation through time trains on; :mod:`nlpjourney.apps.char_rnn`). Sampling
(:meth:`CharRNN.generate`) carries the state the same way, one character per step, so
writing ``n`` characters costs ``n`` steps, never a recomputation of the past.

The state is one tensor of shape (S, num_layers, B, hidden_size), with S = 2 for the LSTM
(its ``h`` then its ``c``) and S = 1 for the RNN and the GRU (their ``h``): one thing to
carry, detach, store in a checkpoint and move between devices, whatever the cell.

Reference: Karpathy's ``char-rnn`` (Lua Torch) and its PyTorch ports: the same layout
(embedding or one-hot, stacked recurrent layers with dropout between them, a linear
head); the recurrent layers are :mod:`nlpjourney.rnn`'s, which equal ``torch.nn.LSTM``,
``GRU`` and ``RNN`` with the same weights (``tests/rnn``).

Simplifications: the head is not tied to the embedding (its sizes differ); dropout is one
probability for between the layers and before the head.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from nlpjourney.configs import ModelConfig, check_dropout, check_positive_int
from nlpjourney.models.sampling import check_sampling, sample_next

__all__ = ["CELLS", "PRESETS", "CharRNN", "CharRNNConfig"]

#: The recurrent cells a :class:`CharRNN` is built from, by the name ``--cell`` gives.
CELLS = ("lstm", "gru", "rnn")


@dataclass(frozen=True)
class CharRNNConfig(ModelConfig):
    """The shape of a :class:`CharRNN`. Presets: :meth:`from_name` (:data:`PRESETS`).

    Example:
        >>> CharRNNConfig.from_name("lstm-15min").hidden_size
        384
        >>> CharRNNConfig(cell="transformer")
        Traceback (most recent call last):
        ...
        ValueError: cell must be one of 'lstm', 'gru', 'rnn', got 'transformer'
    """

    PRESET_KIND: ClassVar[str] = "char-rnn preset"

    cell: str = "lstm"
    """The recurrent cell: ``"lstm"``, ``"gru"`` or ``"rnn"`` (tanh)."""
    vocab_size: int = 65
    """Characters the model reads and predicts (Tiny Shakespeare has 65)."""
    embedding_dim: int = 64
    """Width of the character embedding; 0 feeds one-hot vectors, as Karpathy's char-rnn."""
    hidden_size: int = 512
    """Width of each recurrent layer's state."""
    num_layers: int = 1
    """Stacked recurrent layers."""
    dropout: float = 0.0
    """Dropout between stacked layers and before the head."""

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise ValueError(
                f"cell must be one of {', '.join(map(repr, CELLS))}, got {self.cell!r}"
            )
        for name in ("vocab_size", "hidden_size", "num_layers"):
            check_positive_int(getattr(self, name), name)
        dim = self.embedding_dim
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 0:
            raise ValueError(f"embedding_dim must be an int >= 0 (0: one-hot), got {dim!r}")
        check_dropout(self.dropout)

    @property
    def state_size(self) -> int:
        """S, the first dimension of the state: 2 for the LSTM (h, c), else 1."""
        return 2 if self.cell == "lstm" else 1

    @classmethod
    def presets(cls) -> dict[str, CharRNNConfig]:
        """:data:`PRESETS`."""
        return PRESETS


#: ``<cell>-15min``: sized for 15 minutes of training on two CPU cores
#: (:data:`nlpjourney.apps.char_rnn.RECIPES` says how long each trains); ``<cell>-tiny``
#: for tests and quick looks. The vocabulary size is replaced by the data's.
PRESETS: dict[str, CharRNNConfig] = {
    "lstm-15min": CharRNNConfig("lstm", 65, 64, 384, 2, 0.2),
    "gru-15min": CharRNNConfig("gru", 65, 64, 384, 2, 0.2),
    "rnn-15min": CharRNNConfig("rnn", 65, 64, 512, 2, 0.2),
    "lstm-tiny": CharRNNConfig("lstm", 65, 16, 32, 1, 0.0),
    "gru-tiny": CharRNNConfig("gru", 65, 16, 32, 1, 0.0),
    "rnn-tiny": CharRNNConfig("rnn", 65, 16, 32, 1, 0.0),
}


class CharRNN(nn.Module):
    """Next-character logits from an embedding, recurrent layers and a linear head.

    Args:
        config: the sizes and the cell.

    Attributes:
        embed: the character embedding (None for one-hot input).
        rnn: an :class:`nlpjourney.rnn.LSTM`, ``GRU`` or ``RNN`` with ``batch_first=True``,
            whose parameters are named as torch's (``rnn.weight_ih_l0``...).
        head: the linear map from the last layer's state to the vocabulary.

    Example:
        >>> model = CharRNN(CharRNNConfig.from_name("gru-tiny"))
        >>> logits, state = model(torch.zeros(2, 5, dtype=torch.long))
        >>> tuple(logits.shape), tuple(state.shape)
        ((2, 5, 65), (1, 1, 2, 32))
    """

    def __init__(self, config: CharRNNConfig) -> None:
        super().__init__()
        if not isinstance(config, CharRNNConfig):
            raise TypeError(f"config must be a CharRNNConfig, got {type(config).__name__}")
        # subtle: imported here, not at the top, so nlpjourney.models stays importable
        # without building the rnn package's modules until a CharRNN is made.
        from nlpjourney.rnn import GRU, LSTM, RNN

        self.config = config
        c = config
        self.embed = nn.Embedding(c.vocab_size, c.embedding_dim) if c.embedding_dim else None
        width = c.embedding_dim or c.vocab_size
        layer = {"lstm": LSTM, "gru": GRU, "rnn": RNN}[c.cell]
        # dropout between layers only exists with two or more (the layer warns otherwise)
        between = c.dropout if c.num_layers > 1 else 0.0
        self.rnn = layer(width, c.hidden_size, c.num_layers, batch_first=True,
                         dropout=between, fused=True)  # fmt: skip
        self.drop = nn.Dropout(c.dropout)
        self.head = nn.Linear(c.hidden_size, c.vocab_size)

    def num_parameters(self) -> int:
        """How many weights the model has."""
        return sum(p.numel() for p in self.parameters())

    def initial_state(self, batch_size: int, device: torch.device | str | None = None) -> Tensor:
        """The all-zero state a text starts from: (S, num_layers, batch_size, hidden_size)."""
        check_positive_int(batch_size, "batch_size")
        c = self.config
        if device is None:
            device = self.head.weight.device
        return torch.zeros(
            c.state_size, c.num_layers, batch_size, c.hidden_size,
            device=device, dtype=self.head.weight.dtype,
        )  # fmt: skip

    def _check_state(self, state: Tensor, batch_size: int) -> None:
        c = self.config
        expected = (c.state_size, c.num_layers, batch_size, c.hidden_size)
        if not isinstance(state, Tensor) or tuple(state.shape) != expected:
            got = tuple(state.shape) if isinstance(state, Tensor) else type(state).__name__
            raise ValueError(
                f"state must be a tensor of shape (S, num_layers, B, hidden_size) = {expected} "
                f"for this {c.cell} and batch, got {got}; pass the state the model returned, "
                "or None to start from zeros"
            )

    def forward(self, idx: Tensor, state: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Logits for every position, and the state after the last one.

        Args:
            idx: character ids.
            state: the state to start from (what a previous call returned); None: zeros.

        Returns:
            ``(logits, state)``: the next-character logits at each position and the
            state after reading ``idx``, to pass to the next call.

        Shapes:
            idx (B, T), state (S, num_layers, B, H) -> logits (B, T, V), state (S, L, B, H).
        """
        if not isinstance(idx, Tensor) or idx.ndim != 2 or idx.shape[1] == 0:
            shape = tuple(idx.shape) if isinstance(idx, Tensor) else type(idx).__name__
            raise ValueError(f"idx must be character ids (B, T) with T >= 1, got {shape}")
        hx: Tensor | tuple[Tensor, Tensor] | None = None
        if state is not None:
            self._check_state(state, idx.shape[0])
            hx = (state[0], state[1]) if self.config.cell == "lstm" else state[0]
        if self.embed is not None:
            x = self.embed(idx)  # (B, T, E)
        else:
            x = F.one_hot(idx, self.config.vocab_size).to(self.head.weight.dtype)  # (B, T, V)
        out, last = self.rnn(x, hx)  # (B, T, H)
        new_state = torch.stack(last) if isinstance(last, tuple) else last[None]  # (S, L, B, H)
        return self.head(self.drop(out)), new_state

    @torch.no_grad()
    def generate(
        self,
        idx: Tensor,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """Continue ``idx`` by ``max_new_tokens`` characters, carrying the state.

        The prompt is read once; then each step feeds only the newest character and the
        state, so the cost per character does not grow with the text. Runs in eval mode
        (no dropout) and puts the previous mode back afterwards.

        Args:
            idx: the prompts, all of one length.
            max_new_tokens: characters to add.
            temperature: divides the logits; below 1 sharper, above 1 flatter; 0 takes
                the most likely character (greedy, no randomness).
            top_k: sample only among the ``top_k`` likeliest characters (None: all).
            generator: the random source, on the model's device (repeatable samples).

        Returns:
            ``idx`` followed by the new characters.

        Shapes:
            idx (B, T) -> (B, T + max_new_tokens).
        """
        check_sampling(max_new_tokens, temperature, top_k)
        was_training = self.training
        self.eval()
        try:
            tokens = [idx]
            logits, state = self(idx)  # the whole prompt, once
            for step in range(max_new_tokens):
                next_id = sample_next(logits[:, -1], temperature, top_k, generator)  # (B, 1)
                tokens.append(next_id)
                if step + 1 < max_new_tokens:  # the last character needs no successor
                    logits, state = self(next_id, state)  # one character, the state carried
        finally:
            self.train(was_training)
        return torch.cat(tokens, dim=1)
