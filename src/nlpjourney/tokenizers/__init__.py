"""Subword tokenizers from scratch: byte-level BPE, SentencePiece BPE, WordPiece, Unigram.

One interface (:class:`Tokenizer`), the real tokenizers by name (:func:`load`), and
trainers. Each model lives in its own module; see :mod:`nlpjourney.tokenizers.base`.
"""

from nlpjourney.tokenizers.base import Tokenizer, TokenizerFileError
from nlpjourney.tokenizers.pretrained import load

__all__ = ["Tokenizer", "TokenizerFileError", "load"]
