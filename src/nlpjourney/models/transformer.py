"""The original transformer (Vaswani et al. 2017): an encoder-decoder for translation.

::

    src (B, S) -> embed * sqrt(C) + sinusoids -> dropout
               -> n_encoder_layers x [ self-attention (padding mask), feed-forward ]
               -> memory (B, S, C)
    tgt_in (B, T) -> embed * sqrt(C) + sinusoids -> dropout
               -> n_decoder_layers x [ causal self-attention,
                                       cross-attention to memory (padding mask),
                                       feed-forward ]
               -> logits (B, T, V)   (output layer tied to the embedding)

Built from :mod:`nlpjourney.nn`, with torch's fused kernels (``fused=True``): each
encoder layer is a :class:`~nlpjourney.nn.TransformerBlock` (not causal); each
:class:`DecoderLayer` holds a causal :class:`~nlpjourney.nn.MultiHeadAttention`, a
cross-attention one (``cross=True``, its cache holds the projected memory once per
sentence), a :class:`~nlpjourney.nn.FeedForward` and three
:class:`~nlpjourney.nn.LayerNorm`; positions are
:class:`~nlpjourney.nn.SinusoidalPositionalEmbedding`.

Pre-norm by default (``norm_first=True``): the paper normalises after each residual
add (post-norm, ``norm_first=False``, also implemented and tested), but post-norm needs
a long warm-up and a lower peak learning rate to train at all; pre-norm takes lr 1e-3
after a short warm-up, which is what a 30-minute CPU budget needs. One source, target
and output embedding is shared (a joint BPE vocabulary, Press & Wolf 2017), as in the
paper's shared source-target vocabulary.

Decoding (:meth:`Transformer.greedy_decode`, :meth:`Transformer.beam_search`) runs in
batches with a per-layer cache: each step feeds only the newest token. The searches are
:mod:`nlpjourney.seq2seq.beam`'s, shared with the recurrent encoder-decoders; the
transformer gives them a step function over its caches.

Reference: ``torch.nn.TransformerEncoderLayer`` and ``TransformerDecoderLayer`` (same
outputs from the same weights, both ``norm_first`` settings, in
``tests/models/test_transformer.py``), fairseq's ``transformer`` for the tied embeddings
scaled by ``sqrt(C)`` and the beam search's length penalty.

Simplifications:
    - GELU in the feed-forward network (the paper: ReLU); dropout on each sublayer's
      output and the attention weights, not inside the feed-forward network.
    - beam search ranks every candidate by its length-normalised score at its current
      length (finished ones stay in the beam, frozen); fairseq keeps finished
      hypotheses in a separate list.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from nlpjourney.configs import (
    ModelConfig,
    check_dropout,
    check_heads_divide,
    check_positive_int,
)
from nlpjourney.nn import (
    FeedForward,
    KVCache,
    LayerNorm,
    MultiHeadAttention,
    SinusoidalPositionalEmbedding,
    TransformerBlock,
)
from nlpjourney.seq2seq.beam import beam_search, greedy_search

__all__ = ["PRESETS", "Transformer", "TransformerConfig"]


@dataclass(frozen=True)
class TransformerConfig(ModelConfig):
    """The shape of an encoder-decoder transformer. Presets: :meth:`from_name`.

    Example:
        >>> cfg = TransformerConfig.from_name("multi30k")
        >>> cfg.d_model, cfg.n_heads, cfg.n_encoder_layers, cfg.n_decoder_layers
        (256, 4, 3, 3)
        >>> TransformerConfig(d_model=100, n_heads=3)
        Traceback (most recent call last):
        ...
        ValueError: n_heads=3 does not divide d_model=100; each head gets d_model // n_heads dims, pick a divisor
    """

    vocab_size: int = 8000
    """Token ids shared by source and target (a joint vocabulary)."""
    max_len: int = 256
    """The longest source or target sequence, in tokens (rows of the position table)."""
    d_model: int = 512
    """Model width C: every token's vector between layers."""
    n_heads: int = 8
    """Attention heads; must divide ``d_model``."""
    n_encoder_layers: int = 6
    """Encoder layers."""
    n_decoder_layers: int = 6
    """Decoder layers."""
    d_ff: int = 2048
    """Inner width of the feed-forward networks."""
    dropout: float = 0.1
    """Dropout on embeddings, attention weights and each sublayer's output, in training."""
    norm_first: bool = True
    """Pre-norm (True) or the paper's post-norm (False)."""
    pad_id: int = 0
    """The padding token: never attended to, never predicted."""
    bos_id: int = 1
    """The token the decoder starts from."""
    eos_id: int = 2
    """The token that ends a translation."""

    PRESET_KIND: ClassVar[str] = "Transformer preset"

    def __post_init__(self) -> None:
        for name in ("vocab_size", "max_len", "d_model", "n_heads", "n_encoder_layers",
                     "n_decoder_layers", "d_ff"):  # fmt: skip
            check_positive_int(getattr(self, name), name)
        check_heads_divide(self.d_model, self.n_heads, "d_model", "n_heads")
        if self.d_model % 2 != 0:
            raise ValueError(f"d_model must be even (sin/cos position pairs), got {self.d_model}")
        check_dropout(self.dropout)
        if not isinstance(self.norm_first, bool):
            raise TypeError(f"norm_first must be True or False, got {self.norm_first!r}")
        specials = {"pad_id": self.pad_id, "bos_id": self.bos_id, "eos_id": self.eos_id}
        for name, value in specials.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int token id, got {value!r}")
            if not 0 <= value < self.vocab_size:
                raise ValueError(f"{name}={value} is outside the vocabulary [0, {self.vocab_size})")
        if len(set(specials.values())) != 3:
            raise ValueError(f"pad_id, bos_id and eos_id must differ, got {specials}")

    @property
    def head_size(self) -> int:
        """Dims per attention head, ``d_model // n_heads``."""
        return self.d_model // self.n_heads

    @classmethod
    def presets(cls) -> dict[str, TransformerConfig]:
        """:data:`PRESETS`."""
        return PRESETS


#: Named configurations. ``base`` is the paper's base model; ``multi30k`` the small one
#: that trains on two CPU cores in half an hour; ``tiny`` is for tests and quick lessons.
PRESETS: dict[str, TransformerConfig] = {
    "base": TransformerConfig(vocab_size=37000, max_len=512),
    "multi30k": TransformerConfig(
        vocab_size=8000,
        max_len=128,
        d_model=256,
        n_heads=4,
        n_encoder_layers=3,
        n_decoder_layers=3,
        d_ff=1024,
        dropout=0.1,
    ),  # fmt: skip
    "tiny": TransformerConfig(
        vocab_size=64,
        max_len=32,
        d_model=32,
        n_heads=2,
        n_encoder_layers=2,
        n_decoder_layers=2,
        d_ff=64,
        dropout=0.0,
    ),  # fmt: skip
}


# --- layers -----------------------------------------------------------------------------


def encoder_layer(config: TransformerConfig) -> TransformerBlock:
    """One encoder layer: self-attention over the source, then a feed-forward network.

    Each sits in a residual connection; pre-norm ``x + attn(norm1(x))``, or the paper's
    post-norm ``norm1(x + attn(x))``. Names follow ``torch.nn.TransformerEncoderLayer``
    where they can (``norm1``, ``norm2``).

    Shapes:
        forward: x (B, S, C), attn_mask (B, 1, 1, S) -> (B, S, C).
    """
    c = config
    return TransformerBlock(c.d_model, c.n_heads, hidden_dim=c.d_ff, norm_first=c.norm_first,
                            mlp="gelu", dropout=c.dropout, is_causal=False,
                            fused=True)  # fmt: skip


class DecoderLayer(nn.Module):
    """Causal self-attention, cross-attention to the encoder's memory, a feed-forward network.

    Each of the three sublayers sits in a residual connection, normalised before
    (pre-norm) or after (post-norm) as in :func:`encoder_layer`. Names follow
    ``torch.nn.TransformerDecoderLayer`` where they can (``norm1..3``).

    Shapes:
        forward: x (B, T, C), memory (B, S, C), src_mask (B, 1, 1, S) -> (B, T, C).
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        c = config
        self.norm_first = c.norm_first
        self.self_attn = MultiHeadAttention(
            c.d_model, c.n_heads, dropout=c.dropout, is_causal=True, fused=True
        )
        self.cross_attn = MultiHeadAttention(
            c.d_model, c.n_heads, dropout=c.dropout, cross=True, fused=True
        )
        self.mlp = FeedForward(c.d_model, c.d_ff, fused=True)
        self.norm1, self.norm2, self.norm3 = (LayerNorm(c.d_model, fused=True) for _ in range(3))
        self.dropout = nn.Dropout(c.dropout)

    def forward(
        self,
        x: Tensor,
        memory: Tensor,
        src_mask: Tensor | None = None,
        cache: tuple[KVCache, KVCache] | None = None,
    ) -> Tensor:
        self_cache, cross_cache = (None, None) if cache is None else cache

        def cross(h: Tensor) -> Tensor:
            return self.cross_attn(h, memory, attn_mask=src_mask, kv_cache=cross_cache)

        if self.norm_first:
            x = x + self.dropout(self.self_attn(self.norm1(x), kv_cache=self_cache))
            x = x + self.dropout(cross(self.norm2(x)))
            return x + self.dropout(self.mlp(self.norm3(x)))
        x = self.norm1(x + self.dropout(self.self_attn(x, kv_cache=self_cache)))
        x = self.norm2(x + self.dropout(cross(x)))
        return self.norm3(x + self.dropout(self.mlp(x)))


#: One decoder layer's caches: (self-attention keys/values, projected memory).
LayerCache = tuple[KVCache, KVCache]


def _reorder(caches: list[LayerCache], index: Tensor) -> None:
    """Keep rows ``index`` of every self-attention cache (the beams that survived)."""
    for self_cache, _cross in caches:
        self_cache.reorder(index)


# --- the model --------------------------------------------------------------------------


class Transformer(nn.Module):
    """The encoder-decoder transformer: ``model(src, tgt_in)`` -> next-token logits.

    Args:
        config: the model's shape and special token ids.

    Shapes:
        forward: src (B, S), tgt_in (B, T) int64, padded with ``pad_id`` on the right
        -> logits (B, T, vocab_size).

    Example:
        >>> model = Transformer(TransformerConfig.from_name("tiny"))
        >>> src = torch.tensor([[5, 6, 7, 2], [8, 9, 2, 0]])
        >>> model(src, torch.tensor([[1, 5, 6], [1, 8, 0]])).shape
        torch.Size([2, 3, 64])
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        if not isinstance(config, TransformerConfig):
            raise TypeError(
                "config must be a TransformerConfig (e.g. TransformerConfig.from_name('tiny')), "
                f"got {type(config).__name__}"
            )
        self.config = config
        c = config
        self.embed = nn.Embedding(c.vocab_size, c.d_model, padding_idx=c.pad_id)
        self.positions = SinusoidalPositionalEmbedding(c.max_len, c.d_model)
        self.dropout = nn.Dropout(c.dropout)
        self.encoder = nn.ModuleList(encoder_layer(c) for _ in range(c.n_encoder_layers))
        self.decoder = nn.ModuleList(DecoderLayer(c) for _ in range(c.n_decoder_layers))
        # Pre-norm leaves the residual stream unnormalised: one norm closes each stack.
        self.encoder_norm = LayerNorm(c.d_model, fused=True) if c.norm_first else nn.Identity()
        self.decoder_norm = LayerNorm(c.d_model, fused=True) if c.norm_first else nn.Identity()
        self.apply(self._init_weights)
        # Embeddings scaled by sqrt(C) at the input (the paper, section 3.4) start at
        # std 1/sqrt(C), so the scaled vectors have std 1, like the sinusoids they meet.
        nn.init.normal_(self.embed.weight, mean=0.0, std=c.d_model**-0.5)
        with torch.no_grad():
            self.embed.weight[c.pad_id].zero_()
        # Translators trained before the encoder layers came from nn name them self_attn.
        self._register_load_state_dict_pre_hook(_rename_encoder_attention)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)

    def _embed(self, ids: Tensor, start: int = 0) -> Tensor:
        """``embed(ids) * sqrt(C) + sinusoids[start : start + T]``, then dropout."""
        length = ids.shape[1]
        if start + length > self.config.max_len:
            raise ValueError(
                f"a sequence of {start + length} tokens is longer than max_len="
                f"{self.config.max_len}; shorten the input or raise max_len"
            )
        x = self.embed(ids) * math.sqrt(self.config.d_model)  # (B, T, C)
        return self.dropout(x + self.positions.span(start, length).to(x.dtype))

    def _check_ids(self, ids: Tensor, name: str) -> None:
        if not isinstance(ids, Tensor) or ids.ndim != 2 or ids.is_floating_point():
            shape = tuple(ids.shape) if isinstance(ids, Tensor) else type(ids).__name__
            raise ValueError(f"{name} must be an int tensor of token ids (B, T), got {shape}")

    def source_mask(self, src: Tensor) -> Tensor:
        """True where a key is a real source token: (B, S) -> (B, 1, 1, S)."""
        return (src != self.config.pad_id)[:, None, None, :]

    def encode(self, src: Tensor) -> tuple[Tensor, Tensor]:
        """The encoder's memory of ``src`` and its padding mask.

        Shapes:
            src (B, S) -> memory (B, S, C), src_mask (B, 1, 1, S) bool.
        """
        self._check_ids(src, "src")
        src_mask = self.source_mask(src)
        x = self._embed(src)
        for layer in self.encoder:
            x = layer(x, attn_mask=src_mask)  # (B, S, C)
        return self.encoder_norm(x), src_mask

    def decode(
        self,
        tgt_in: Tensor,
        memory: Tensor,
        src_mask: Tensor,
        caches: list[LayerCache] | None = None,
    ) -> Tensor:
        """Next-token logits for the target prefix ``tgt_in`` given the memory.

        Args:
            tgt_in: target ids starting with ``bos_id``; with ``caches``, only the new
                positions (the caches hold the earlier ones and are extended in place).
            memory: :meth:`encode`'s output.
            src_mask: :meth:`encode`'s mask.
            caches: from :meth:`new_caches`, for decoding one token at a time.

        Shapes:
            tgt_in (B, T), memory (B, S, C), src_mask (B, 1, 1, S) -> (B, T, V).
        """
        self._check_ids(tgt_in, "tgt_in")
        past = 0 if caches is None else len(caches[0][0])
        x = self._embed(tgt_in, start=past)  # (B, T, C)
        for i, layer in enumerate(self.decoder):
            x = layer(x, memory, src_mask, None if caches is None else caches[i])
        x = self.decoder_norm(x)
        return x @ self.embed.weight.T  # (B, T, V): tied to the embedding

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        """Logits of each next target token (teacher forcing): ``decode(tgt_in, *encode(src))``.

        Shapes:
            src (B, S), tgt_in (B, T) -> (B, T, vocab_size).
        """
        memory, src_mask = self.encode(src)
        return self.decode(tgt_in, memory, src_mask)

    def new_caches(self) -> list[LayerCache]:
        """Empty (self-attention, cross-attention) caches, one pair per decoder layer."""
        return [(KVCache(), KVCache()) for _ in self.decoder]

    def num_parameters(self) -> int:
        """How many parameters the model has (the tied output layer is the embedding)."""
        return sum(p.numel() for p in self.parameters())

    def _max_new(self, src: Tensor, max_new_tokens: int | None) -> int:
        if max_new_tokens is None:
            max_new_tokens = 2 * src.shape[1] + 10
        check_positive_int(max_new_tokens, "max_new_tokens")
        return min(max_new_tokens, self.config.max_len - 1)

    @torch.no_grad()
    def greedy_decode(
        self, src: Tensor, max_new_tokens: int | None = None, use_cache: bool = True
    ) -> Tensor:
        """Translate ``src`` by taking the most likely token at each step.

        Args:
            src: source ids, right-padded with ``pad_id``.
            max_new_tokens: the longest output (default ``2 S + 10``, at most
                ``max_len - 1``).
            use_cache: feed one token per step with cached keys and values (the same
                tokens as recomputing the whole prefix each step).

        Returns:
            Target ids without the leading BOS; each row ends at its EOS and is padded
            with ``pad_id`` after it. Stops when every row has its EOS.

        Shapes:
            src (B, S) -> (B, T_out), T_out <= max_new_tokens.
        """
        c = self.config
        was_training = self.training
        self.eval()
        try:
            memory, src_mask = self.encode(src)

            def step(tokens: Tensor, caches: list[LayerCache] | None) -> tuple[Tensor, Any, None]:
                step_in = tokens[:, -1:] if use_cache else tokens
                return self.decode(step_in, memory, src_mask, caches)[:, -1], caches, None

            result = greedy_search(step, self.new_caches() if use_cache else None, src.shape[0],
                                   c.bos_id, c.eos_id, c.pad_id, self._max_new(src, max_new_tokens),
                                   device=src.device)  # fmt: skip
        finally:
            self.train(was_training)
        return result.tokens

    @torch.no_grad()
    def beam_search(
        self,
        src: Tensor,
        beam_size: int = 4,
        max_new_tokens: int | None = None,
        length_penalty: float = 0.6,
    ) -> Tensor:
        """Translate ``src`` keeping the ``beam_size`` best partial translations per sentence.

        At each step every live beam is extended by every token; a finished beam (it
        produced EOS) stays as it is. All candidates of a sentence are ranked by
        ``log p(y) / lp(|y|)`` with GNMT's length penalty ``lp(n) = ((5 + n) / 6) ^
        length_penalty`` (0: plain sum of log-probabilities), and the best ``beam_size``
        go on. Search stops when every beam of every sentence has finished. With
        ``beam_size=1`` this is :meth:`greedy_decode`.

        Args:
            src: source ids, right-padded with ``pad_id``.
            beam_size: beams per sentence.
            max_new_tokens: the longest output (default ``2 S + 10``).
            length_penalty: alpha in ``lp``; larger favours longer translations.

        Returns:
            The best beam per sentence, laid out as :meth:`greedy_decode`'s output.

        Shapes:
            src (B, S) -> (B, T_out).
        """
        check_positive_int(beam_size, "beam_size")
        if not isinstance(length_penalty, int | float) or isinstance(length_penalty, bool):
            raise TypeError(f"length_penalty must be a number, got {length_penalty!r}")
        out, _ = self._beam_search(src, beam_size, max_new_tokens, float(length_penalty))
        return out

    def _beam_search(
        self, src: Tensor, k: int, max_new_tokens: int | None, alpha: float
    ) -> tuple[Tensor, Tensor]:
        """The best sequence per sentence and its (length-normalised) score."""
        c = self.config
        was_training = self.training
        self.eval()
        try:
            memory, src_mask = self.encode(src)  # (B, S, C), (B, 1, 1, S)
            # Beams are rows: sentence b's beams are rows b*k .. b*k + k - 1.
            memory = memory.repeat_interleave(k, dim=0)  # (B*k, S, C)
            src_mask = src_mask.repeat_interleave(k, dim=0)

            def step(tokens: Tensor, caches: list[LayerCache]) -> tuple[Tensor, Any, None]:
                logits = self.decode(tokens[:, -1:], memory, src_mask, caches)[:, -1]
                return torch.log_softmax(logits.float(), dim=-1), caches, None

            def reorder(caches: list[LayerCache], index: Tensor) -> list[LayerCache]:
                _reorder(caches, index)
                return caches

            result = beam_search(step, self.new_caches(), reorder, src.shape[0], k, c.bos_id,
                                 c.eos_id, c.pad_id, self._max_new(src, max_new_tokens), alpha,
                                 device=src.device)  # fmt: skip
        finally:
            self.train(was_training)
        return result.tokens, result.scores

    def sequence_log_prob(self, src: Tensor, tgt: Tensor) -> Tensor:
        """``log p(tgt | src)`` summed over tokens, ``tgt`` ending in EOS, no BOS, padded.

        Shapes:
            src (B, S), tgt (B, T) -> (B,).
        """
        c = self.config
        bos = torch.full_like(tgt[:, :1], c.bos_id)
        logits = self(src, torch.cat([bos, tgt[:, :-1]], dim=1))
        logp = torch.log_softmax(logits.float(), dim=-1).gather(-1, tgt[..., None])[..., 0]
        return logp.masked_fill(tgt == c.pad_id, 0.0).sum(dim=-1)


def _rename_encoder_attention(state_dict: dict[str, Any], prefix: str, *args: Any) -> None:
    """A ``load_state_dict`` pre-hook: ``encoder.i.self_attn.*`` becomes ``encoder.i.attn.*``."""
    old = re.compile(rf"^{re.escape(prefix)}encoder\.\d+\.self_attn\.")
    for key in [k for k in state_dict if old.match(k)]:
        state_dict[key.replace(".self_attn.", ".attn.", 1)] = state_dict.pop(key)
