"""A recurrent encoder-decoder for translation, with Bahdanau, Luong or no attention.

::

    src (B, S) -> embed -> bidirectional GRU/LSTM (lengths: padding never read)
               -> memory (B, S, H): each position's forward and backward states, side by side
               -> final states -> tanh(bridge) -> the decoder's first state
    at step t, from the previous token y (teacher forcing: the reference's):
      bahdanau:      c = attend(s_{t-1}, memory);  s_t = RNN([embed(y); c], s_{t-1})
      luong-dot/-general:                          s_t = RNN(embed(y), s_{t-1});  c = attend(s_t, memory)
      none:          c = the encoder's final state (the same at every step: the fixed-vector
                     bottleneck of Cho et al. 2014 / Sutskever et al. 2014);
                     s_t = RNN([embed(y); c], s_{t-1})
      h~ = tanh(combine([c; s_t]));  logits = h~ @ embed.T  (output tied to the embedding)

Source and target share one embedding (a joint BPE vocabulary), tied to the output layer
as in :mod:`nlpjourney.models.transformer`. With Luong or no attention, and the reference
fed at every step, the decoder's RNN input does not depend on its own outputs, so
training runs it over the whole target in one call and attends for all steps at once (a
fast path, equal to the step-by-step loop); Bahdanau attention, or a
``teacher_forcing`` ratio below 1 (each sentence's next input is its own prediction with
probability ``1 - ratio``), needs the loop.

Decoding (:meth:`Seq2Seq.search`, and :meth:`~Seq2Seq.greedy_decode` /
:meth:`~Seq2Seq.beam_search` with the transformer's signatures) runs
:mod:`nlpjourney.seq2seq.beam` over :meth:`Seq2Seq.step` and returns the attention
weights of each output token, for alignment pictures.

Reference: Bahdanau, Cho and Bengio 2015; Luong, Pham and Manning 2015 (the attentional
hidden state h~, the global dot and general scores); the recurrences are
:mod:`nlpjourney.rnn`'s GRU and LSTM (tested there against torch's, packed sequences
included).

Simplifications:
    - one decoder design for all three: Luong's h~ and tied output for Bahdanau too,
      and no input feeding for Luong (so its training has a fast path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor, nn

from nlpjourney.configs import ModelConfig, check_dropout, check_positive_int
from nlpjourney.rnn import GRU, LSTM
from nlpjourney.seq2seq.attention import BahdanauAttention, LuongAttention
from nlpjourney.seq2seq.beam import SearchResult, beam_search, greedy_search

__all__ = ["ATTENTIONS", "CELLS", "PRESETS", "Seq2Seq", "Seq2SeqConfig"]

#: What the decoder attends with: ``none`` is the fixed-vector baseline.
ATTENTIONS = ("bahdanau", "luong-dot", "luong-general", "none")
#: The recurrent cells.
CELLS = ("gru", "lstm")

#: A decoder state: the RNN's hidden state, (L, B, H), or (h, c) for an LSTM.
State = Tensor | tuple[Tensor, Tensor]


@dataclass(frozen=True)
class Seq2SeqConfig(ModelConfig):
    """The shape of a recurrent encoder-decoder. Presets: :meth:`from_name`.

    Example:
        >>> Seq2SeqConfig.from_name("multi30k").attention
        'bahdanau'
        >>> Seq2SeqConfig(attention="luong")
        Traceback (most recent call last):
        ...
        ValueError: unknown attention 'luong'; choose one of bahdanau, luong-dot, luong-general, none
    """

    vocab_size: int = 8000
    """Token ids shared by source and target (a joint vocabulary)."""
    embed_size: int = 256
    """Width of a token's embedding (and of the attentional state h~, tied to it)."""
    hidden_size: int = 256
    """The decoder's state; a bidirectional encoder gives each direction half."""
    num_layers: int = 1
    """Stacked recurrent layers in the encoder and in the decoder."""
    cell: str = "gru"
    """``gru`` or ``lstm``."""
    attention: str = "bahdanau"
    """One of :data:`ATTENTIONS`."""
    attention_size: int = 256
    """Bahdanau's A, the width the query and keys are added in."""
    bidirectional: bool = True
    """Read the source both ways."""
    dropout: float = 0.2
    """Dropout on embeddings, between layers and before the output, in training."""
    teacher_forcing: float = 1.0
    """The chance that the decoder is fed the reference's token rather than its own."""
    max_len: int = 128
    """The longest output :meth:`Seq2Seq.search` writes."""
    pad_id: int = 0
    """The padding token: never attended to, never predicted."""
    bos_id: int = 1
    """The token the decoder starts from."""
    eos_id: int = 2
    """The token that ends a translation."""

    PRESET_KIND: ClassVar[str] = "seq2seq preset"

    def __post_init__(self) -> None:
        for name in ("vocab_size", "embed_size", "hidden_size", "num_layers",
                     "attention_size", "max_len"):  # fmt: skip
            check_positive_int(getattr(self, name), name)
        if self.cell not in CELLS:
            raise ValueError(f"unknown cell {self.cell!r}; choose one of {', '.join(CELLS)}")
        if self.attention not in ATTENTIONS:
            raise ValueError(
                f"unknown attention {self.attention!r}; choose one of {', '.join(ATTENTIONS)}"
            )
        if self.bidirectional and self.hidden_size % 2:
            raise ValueError(
                f"a bidirectional encoder splits hidden_size={self.hidden_size} in two; make it even"
            )
        check_dropout(self.dropout)
        if isinstance(self.teacher_forcing, bool) or not isinstance(self.teacher_forcing,
                                                                    int | float):  # fmt: skip
            raise TypeError(f"teacher_forcing must be a number, got {self.teacher_forcing!r}")
        if not 0.0 <= self.teacher_forcing <= 1.0:
            raise ValueError(f"teacher_forcing must be in [0, 1], got {self.teacher_forcing}")
        specials = {"pad_id": self.pad_id, "bos_id": self.bos_id, "eos_id": self.eos_id}
        for name, value in specials.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int token id, got {value!r}")
            if not 0 <= value < self.vocab_size:
                raise ValueError(f"{name}={value} is outside the vocabulary [0, {self.vocab_size})")
        if len(set(specials.values())) != 3:
            raise ValueError(f"pad_id, bos_id and eos_id must differ, got {specials}")

    @classmethod
    def presets(cls) -> dict[str, Seq2SeqConfig]:
        """:data:`PRESETS`."""
        return PRESETS


#: Named configurations: ``multi30k`` trains by its recipe in under half an hour on two
#: CPU cores with Luong attention or none, whose decoder reads the whole target in one
#: recurrent call; Bahdanau's decoder reads the attention before each step, so it runs
#: step by step and takes longer. ``tiny`` is for tests and quick lessons.
PRESETS: dict[str, Seq2SeqConfig] = {
    "multi30k": Seq2SeqConfig(vocab_size=4000),
    "tiny": Seq2SeqConfig(
        vocab_size=64, embed_size=16, hidden_size=32, attention_size=16, dropout=0.0, max_len=32
    ),  # fmt: skip
}


def _recurrent(cell: str, input_size: int, hidden_size: int, num_layers: int, dropout: float,
               bidirectional: bool) -> nn.Module:  # fmt: skip
    """A batch-first GRU or LSTM layer stack (ours, :mod:`nlpjourney.rnn`; torch's arguments)."""
    layer = GRU if cell == "gru" else LSTM
    return layer(input_size, hidden_size, num_layers=num_layers, batch_first=True,
                 dropout=dropout if num_layers > 1 else 0.0,
                 bidirectional=bidirectional)  # fmt: skip


class Seq2Seq(nn.Module):
    """The encoder-decoder: ``model(src, tgt_in)`` -> next-token logits (teacher forcing).

    Args:
        config: the model's shape, attention and special token ids.

    Shapes:
        forward: src (B, S), tgt_in (B, T) int64, right-padded with ``pad_id``
        -> logits (B, T, vocab_size).

    Example:
        >>> model = Seq2Seq(Seq2SeqConfig.from_name("tiny"))
        >>> src = torch.tensor([[5, 6, 7, 2], [8, 9, 2, 0]])
        >>> model(src, torch.tensor([[1, 5, 6], [1, 8, 0]])).shape
        torch.Size([2, 3, 64])
    """

    def __init__(self, config: Seq2SeqConfig) -> None:
        super().__init__()
        if not isinstance(config, Seq2SeqConfig):
            raise TypeError(f"config must be a Seq2SeqConfig, got {type(config).__name__}")
        self.config = c = config
        hidden, directions = c.hidden_size, 2 if c.bidirectional else 1
        self.embed = nn.Embedding(c.vocab_size, c.embed_size, padding_idx=c.pad_id)
        self.dropout = nn.Dropout(c.dropout)
        self.encoder = _recurrent(c.cell, c.embed_size, hidden // directions, c.num_layers,
                                  c.dropout, c.bidirectional)  # fmt: skip
        # The encoder's last states, both directions side by side, start the decoder.
        self.bridge = nn.Linear(hidden, hidden)
        self.bridge_cell = nn.Linear(hidden, hidden) if c.cell == "lstm" else None
        feeds_context = c.attention in ("bahdanau", "none")
        self.decoder = _recurrent(c.cell, c.embed_size + hidden * feeds_context, hidden,
                                  c.num_layers, c.dropout, False)  # fmt: skip
        self.attention: nn.Module | None
        if c.attention == "bahdanau":
            self.attention = BahdanauAttention(hidden, hidden, c.attention_size)
        elif c.attention.startswith("luong"):
            self.attention = LuongAttention(hidden, hidden, c.attention.removeprefix("luong-"))
        else:
            self.attention = None
        self.combine = nn.Linear(2 * hidden, c.embed_size)
        nn.init.normal_(self.embed.weight, std=c.embed_size**-0.5)
        with torch.no_grad():
            self.embed.weight[c.pad_id].zero_()

    # --- the encoder ----------------------------------------------------------------------

    def _check_ids(self, ids: Tensor, name: str) -> None:
        if not isinstance(ids, Tensor) or ids.ndim != 2 or ids.is_floating_point():
            shape = tuple(ids.shape) if isinstance(ids, Tensor) else type(ids).__name__
            raise ValueError(f"{name} must be an int tensor of token ids (B, T), got {shape}")
        if ids.shape[1] == 0:
            raise ValueError(f"{name} has no tokens; give at least one per row")

    def encode(self, src: Tensor) -> tuple[Tensor, Tensor, State, Tensor]:
        """Read the source.

        Returns:
            ``(memory, mask, state, final)``: every position's encoding, True where a
            position is real, the decoder's first state, and the encoder's final state
            (the fixed context of ``attention="none"``).

        Shapes:
            src (B, S) -> memory (B, S, H), mask (B, S), state (L, B, H) (an LSTM: a
            pair), final (B, H).
        """
        self._check_ids(src, "src")
        c = self.config
        mask = src != c.pad_id
        lengths = mask.sum(dim=1).clamp(min=1)  # an empty row reads one pad, harmlessly
        x = self.dropout(self.embed(src))  # (B, S, E)
        # Outputs past a sentence's end are zero and the final states are those at its
        # last real token, in both directions (the backward one starts there).
        memory, last = self.encoder(x, lengths=lengths)
        h_n, c_n = last if isinstance(last, tuple) else (last, None)

        def per_layer(states: Tensor) -> Tensor:  # (L * dirs, B, H / dirs) -> (L, B, H)
            if not c.bidirectional:
                return states
            layers = states.view(c.num_layers, 2, *states.shape[1:])
            return torch.cat([layers[:, 0], layers[:, 1]], dim=-1)

        finals = per_layer(h_n)
        state: State = torch.tanh(self.bridge(finals))
        if c_n is not None and self.bridge_cell is not None:
            state = (state, self.bridge_cell(per_layer(c_n)))
        return memory, mask, state, finals[-1]

    # --- the decoder ----------------------------------------------------------------------

    def _keys(self, memory: Tensor) -> Tensor | None:
        """The step-independent projection of the memory for the attention (or None)."""
        return None if self.attention is None else self.attention.project_keys(memory)

    def _output(self, context: Tensor, s: Tensor) -> Tensor:
        """``tanh(combine([c; s]))`` through dropout, times the tied embedding: logits."""
        attentional = torch.tanh(self.combine(torch.cat([context, s], dim=-1)))
        return self.dropout(attentional) @ self.embed.weight.T

    def step(
        self,
        embedded: Tensor,
        state: State,
        memory: Tensor,
        mask: Tensor,
        keys: Tensor | None,
        final: Tensor,
    ) -> tuple[Tensor, State, Tensor | None]:
        """One decoder step from the embedded previous token.

        Returns:
            ``(logits, state, weights)``; weights are None without attention.

        Shapes:
            embedded (B, E), state as :meth:`encode`'s, memory (B, S, H), mask (B, S),
            keys: :meth:`_keys` of the memory, final (B, H)
            -> logits (B, V), weights (B, S).
        """
        context, s, state, weights = self._advance(embedded, state, memory, mask, keys, final)
        return self._output(context, s), state, weights

    def _advance(
        self,
        embedded: Tensor,
        state: State,
        memory: Tensor,
        mask: Tensor,
        keys: Tensor | None,
        final: Tensor,
    ) -> tuple[Tensor, Tensor, State, Tensor | None]:
        """:meth:`step` up to the output layer: ``(context, s, state, weights)``, the
        context and the decoder's top state (B, H) that the logits are made from."""
        kind = self.config.attention
        weights = None
        if kind == "bahdanau":
            top = (state[0] if isinstance(state, tuple) else state)[-1]  # s_{t-1}: (B, H)
            context, weights = self.attention(top, memory, mask=mask, projected_keys=keys)
            rnn_in = torch.cat([embedded, context], dim=-1)
        elif kind == "none":
            context = final
            rnn_in = torch.cat([embedded, context], dim=-1)
        else:
            rnn_in = embedded
        out, state = self.decoder(rnn_in[:, None], state)
        s = out[:, 0]  # (B, H)
        if kind.startswith("luong"):
            context, weights = self.attention(s, memory, mask=mask, projected_keys=keys)
        return context, s, state, weights

    def decode_teacher_forced(self, src: Tensor, tgt_in: Tensor) -> tuple[Tensor, Tensor | None]:
        """Logits of each next token given the reference's, and the attention weights.

        Training with ``teacher_forcing < 1`` feeds a sentence its own previous
        prediction instead, with probability ``1 - teacher_forcing`` at each step.

        Shapes:
            src (B, S), tgt_in (B, T) -> logits (B, T, V), weights (B, T, S) or None.
        """
        self._check_ids(tgt_in, "tgt_in")
        c = self.config
        memory, mask, state, final = self.encode(src)
        keys = self._keys(memory)
        embedded = self.dropout(self.embed(tgt_in))  # (B, T, E)
        sampling = self.training and c.teacher_forcing < 1.0
        if c.attention != "bahdanau" and not sampling:
            return self._decode_all(embedded, state, memory, mask, keys, final)
        if not sampling:  # Bahdanau: the state runs step by step, the output layer once
            contexts, tops, weights = [], [], []
            for t in range(tgt_in.shape[1]):
                context, s, state, step_weights = self._advance(embedded[:, t], state, memory,
                                                                mask, keys, final)  # fmt: skip
                contexts.append(context)
                tops.append(s)
                weights.append(step_weights)
            logits = self._output(torch.stack(contexts, dim=1), torch.stack(tops, dim=1))
            return logits, torch.stack(weights, dim=1)
        steps, weights = [], []
        step_in = embedded[:, 0]
        for t in range(tgt_in.shape[1]):
            step_logits, state, step_weights = self.step(step_in, state, memory, mask, keys, final)
            steps.append(step_logits)
            weights.append(step_weights)
            if t + 1 < tgt_in.shape[1]:  # each sentence its own coin
                own = self.dropout(self.embed(step_logits.argmax(dim=-1)))
                use_own = torch.rand(tgt_in.shape[0], device=tgt_in.device) >= c.teacher_forcing
                step_in = torch.where(use_own[:, None], own, embedded[:, t + 1])
        stacked = None if weights[0] is None else torch.stack(weights, dim=1)
        return torch.stack(steps, dim=1), stacked

    def _decode_all(
        self,
        embedded: Tensor,
        state: State,
        memory: Tensor,
        mask: Tensor,
        keys: Tensor | None,
        final: Tensor,
    ) -> tuple[Tensor, Tensor | None]:
        """The fast path: the whole target through the decoder's RNN at once (no input
        depends on an output), then attention for every step in one batch."""
        if self.config.attention == "none":
            context = final[:, None].expand(-1, embedded.shape[1], -1)
            out, _ = self.decoder(torch.cat([embedded, context], dim=-1), state)
            return self._output(context, out), None
        out, _ = self.decoder(embedded, state)  # (B, T, H)
        context, weights = self.attention(out, memory, mask=mask, projected_keys=keys)
        return self._output(context, out), weights

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        """Logits of each next target token (teacher forcing).

        Shapes:
            src (B, S), tgt_in (B, T) -> (B, T, vocab_size).
        """
        return self.decode_teacher_forced(src, tgt_in)[0]

    # --- search ---------------------------------------------------------------------------

    def num_parameters(self) -> int:
        """How many parameters the model has (the tied output layer is the embedding)."""
        return sum(p.numel() for p in self.parameters())

    @torch.no_grad()
    def search(
        self,
        src: Tensor,
        beam_size: int = 1,
        max_new_tokens: int | None = None,
        length_penalty: float = 0.6,
    ) -> SearchResult:
        """Translate ``src`` greedily (``beam_size=1``) or by beam search.

        Args:
            src: source ids, right-padded with ``pad_id``.
            beam_size: beams per sentence (1: greedy).
            max_new_tokens: the longest output (default ``2 S + 10``, at most ``max_len``).
            length_penalty: GNMT's alpha (:func:`~nlpjourney.seq2seq.beam.beam_search`).

        Returns:
            Tokens (B, T_out) without BOS, ending at EOS, padded after it; their scores;
            and the attention weights of each output token, extras (B, T_out, S) (None
            without attention).
        """
        c = self.config
        if isinstance(beam_size, bool) or not isinstance(beam_size, int) or beam_size < 1:
            raise ValueError(f"beam_size must be a positive int, got {beam_size!r}")
        if max_new_tokens is None:
            max_new_tokens = 2 * src.shape[1] + 10
        check_positive_int(max_new_tokens, "max_new_tokens")
        max_new_tokens = min(max_new_tokens, c.max_len)
        was_training = self.training
        self.eval()
        try:
            memory, mask, state, final = self.encode(src)
            if beam_size > 1:  # sentence b's beams are rows b*K .. b*K + K - 1
                memory, mask, final = (t.repeat_interleave(beam_size, dim=0)
                                       for t in (memory, mask, final))  # fmt: skip
                state = _rows(state, torch.arange(src.shape[0], device=src.device)
                              .repeat_interleave(beam_size))  # fmt: skip
            keys = self._keys(memory)

            def step(tokens: Tensor, state: State) -> tuple[Tensor, State, Tensor | None]:
                embedded = self.embed(tokens[:, -1])
                logits, state, weights = self.step(embedded, state, memory, mask, keys, final)
                return torch.log_softmax(logits.float(), dim=-1), state, weights

            ids = dict(bos_id=c.bos_id, eos_id=c.eos_id, pad_id=c.pad_id)
            if beam_size == 1:
                return greedy_search(step, state, src.shape[0], max_new_tokens=max_new_tokens,
                                     device=src.device, **ids)  # fmt: skip
            return beam_search(step, state, _rows, src.shape[0], beam_size,
                               max_new_tokens=max_new_tokens, length_penalty=length_penalty,
                               device=src.device, **ids)  # fmt: skip
        finally:
            self.train(was_training)

    def greedy_decode(self, src: Tensor, max_new_tokens: int | None = None) -> Tensor:
        """:meth:`search`'s tokens with ``beam_size=1``: (B, S) -> (B, T_out)."""
        return self.search(src, 1, max_new_tokens).tokens

    def beam_search(
        self,
        src: Tensor,
        beam_size: int = 4,
        max_new_tokens: int | None = None,
        length_penalty: float = 0.6,
    ) -> Tensor:
        """:meth:`search`'s tokens with ``beam_size`` beams: (B, S) -> (B, T_out)."""
        return self.search(src, beam_size, max_new_tokens, length_penalty).tokens


def _rows(state: State, index: Tensor) -> State:
    """The decoder state of batch rows ``index`` (dimension 1 of (L, B, H))."""
    if isinstance(state, tuple):
        return (state[0][:, index], state[1][:, index])
    return state[:, index]
