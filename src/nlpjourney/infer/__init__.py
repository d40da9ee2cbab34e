"""Inference: running trained decoders to write text.

- :mod:`~nlpjourney.infer.generate`: :func:`generate`, a prompt or chat messages in and
  the new text out (greedy or sampled, stop strings, streaming, batches with left
  padding), with preallocated KV caches;
- :mod:`~nlpjourney.infer.chat`: :class:`ChatSession`, a conversation kept within the
  model's context (``journey chat``).
"""

from nlpjourney.infer.chat import ChatSession, TurnStats
from nlpjourney.infer.generate import END_OF_TURN, Sampler, TextStream, context_length, generate

__all__ = [
    "END_OF_TURN",
    "ChatSession",
    "Sampler",
    "TextStream",
    "TurnStats",
    "context_length",
    "generate",
]
