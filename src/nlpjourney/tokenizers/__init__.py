"""Tokenizers from scratch: characters, byte-level BPE, SentencePiece BPE, WordPiece, Unigram.

One interface (:class:`Tokenizer`), the real tokenizers by name (:func:`load`), and
trainers. Each model lives in its own module:

- :mod:`~nlpjourney.tokenizers.char`: one id per character (nanoGPT's ``shakespeare_char``);

- :mod:`~nlpjourney.tokenizers.basic_bpe`: the BPE training loop at its plainest;
- :mod:`~nlpjourney.tokenizers.bpe` and :mod:`~nlpjourney.tokenizers.bpe_trainer`: byte-level
  BPE (GPT-2, Llama 3, SmolLM2) and its fast trainer;
- :mod:`~nlpjourney.tokenizers.sentencepiece_bpe`: BPE with byte fallback (Llama 2);
- :mod:`~nlpjourney.tokenizers.wordpiece`: WordPiece with BERT's basic tokenizer;
- :mod:`~nlpjourney.tokenizers.unigram` and :mod:`~nlpjourney.tokenizers.unigram_trainer`;
- :mod:`~nlpjourney.tokenizers.gguf` and :mod:`~nlpjourney.tokenizers.chat`: tokenizers and
  chat templates from GGUF model files.
"""

from nlpjourney.tokenizers.base import Tokenizer, TokenizerFileError
from nlpjourney.tokenizers.bpe import ByteLevelBPETokenizer
from nlpjourney.tokenizers.bpe_trainer import train_bpe
from nlpjourney.tokenizers.char import CharTokenizer
from nlpjourney.tokenizers.pretrained import load, load_folder, register_loader
from nlpjourney.tokenizers.sentencepiece_bpe import SentencePieceBPETokenizer
from nlpjourney.tokenizers.unigram import UnigramTokenizer
from nlpjourney.tokenizers.unigram_trainer import train_unigram
from nlpjourney.tokenizers.wordpiece import WordPieceTokenizer, train_wordpiece

__all__ = [
    "ByteLevelBPETokenizer",
    "CharTokenizer",
    "SentencePieceBPETokenizer",
    "Tokenizer",
    "TokenizerFileError",
    "UnigramTokenizer",
    "WordPieceTokenizer",
    "load",
    "load_folder",
    "register_loader",
    "train_bpe",
    "train_unigram",
    "train_wordpiece",
]
