"""Inference: running trained decoders to write text.

- :mod:`~nlpjourney.infer.generate`: :func:`generate`, a prompt or chat messages in and
  the new text out (greedy or sampled, stop strings, streaming, batches with left
  padding), with preallocated KV caches.
"""

from nlpjourney.infer.generate import END_OF_TURN, generate

__all__ = ["END_OF_TURN", "generate"]
