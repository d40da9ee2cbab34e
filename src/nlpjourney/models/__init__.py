"""Whole language models, one readable file each, built from :mod:`nlpjourney.nn` pieces.

- :mod:`~nlpjourney.models.gpt`: GPT-2 (:class:`GPTConfig`, :class:`GPT`), trained from
  scratch on Tiny Shakespeare or loaded from Hugging Face GPT-2 weights.
- :mod:`~nlpjourney.models.transformer`: the original encoder-decoder transformer
  (:class:`TransformerConfig`, :class:`Transformer`) with greedy and beam search
  (:mod:`nlpjourney.apps.translator` trains it as a Multi30k translator).
"""

from nlpjourney.models.gpt import GPT, GPTConfig
from nlpjourney.models.transformer import Transformer, TransformerConfig

__all__ = ["GPT", "GPTConfig", "Transformer", "TransformerConfig"]
