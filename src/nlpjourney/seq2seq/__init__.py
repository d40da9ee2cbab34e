"""Sequence-to-sequence models: recurrent encoder-decoders with attention (topic 3.5).

- :mod:`~nlpjourney.seq2seq.attention`: :func:`additive_attention` (one Bahdanau step
  from its weights), :class:`BahdanauAttention`, :class:`LuongAttention` (``"dot"``,
  ``"general"``), masks over padding, weights returned for pictures;
- :mod:`~nlpjourney.seq2seq.beam`: :func:`beam_search_step` (one step, one sentence),
  :func:`greedy_search` and :func:`beam_search` (batched, GNMT length penalty) over any
  decoder given as a step function;
- :mod:`~nlpjourney.seq2seq.model`: :class:`Seq2Seq`, a bidirectional GRU/LSTM encoder
  and a decoder with Bahdanau, Luong or no attention, and :class:`Seq2SeqConfig`.

Reference: the attention formulas of Bahdanau et al. 2015 and Luong et al. 2015; torch's
recurrent layers; sacreBLEU for the scores (see each module).
"""

from __future__ import annotations

from nlpjourney.seq2seq.attention import (
    LUONG_SCORES,
    BahdanauAttention,
    LuongAttention,
    additive_attention,
    attend,
)
from nlpjourney.seq2seq.beam import (
    SearchResult,
    beam_search,
    beam_search_step,
    gnmt_length_penalty,
    greedy_search,
)
from nlpjourney.seq2seq.model import ATTENTIONS, CELLS, PRESETS, Seq2Seq, Seq2SeqConfig

__all__: list[str] = [
    "ATTENTIONS",
    "CELLS",
    "PRESETS",
    "Seq2Seq",
    "Seq2SeqConfig",
    "LUONG_SCORES",
    "BahdanauAttention",
    "LuongAttention",
    "SearchResult",
    "additive_attention",
    "attend",
    "beam_search",
    "beam_search_step",
    "gnmt_length_penalty",
    "greedy_search",
]
