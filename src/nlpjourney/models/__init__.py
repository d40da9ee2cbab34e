"""Whole language models, one readable file each, built from :mod:`nlpjourney.nn` pieces.

- :mod:`~nlpjourney.models.gpt`: GPT-2 (:class:`GPTConfig`, :class:`GPT`), trained from
  scratch on Tiny Shakespeare or loaded from Hugging Face GPT-2 weights.
"""

from nlpjourney.models.gpt import GPT, GPTConfig

__all__ = ["GPT", "GPTConfig"]
