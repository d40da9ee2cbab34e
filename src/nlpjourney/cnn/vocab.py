"""The vocabularies of a tagger that reads each word twice: as a word and by its spelling.

A :class:`WordCharVocab` holds two lists, the lower-cased words and the characters (case
kept) seen in training, each starting with ``<pad>`` (id 0) and ``<unk>`` (id 1). It
turns a sentence into word ids and, per word, the ids of its first :data:`MAX_CHARS`
characters, and a batch of those into padded tensors. The CNN labeller of this package
and the BiLSTM-CRF of :mod:`nlpjourney.tagging` both read words this way.

>>> vocab = WordCharVocab.from_sentences([["The", "dog"], ["a", "dog"]])
>>> vocab.words
['<pad>', '<unk>', 'a', 'dog', 'the']
>>> vocab.chars
['<pad>', '<unk>', 'T', 'a', 'd', 'e', 'g', 'h', 'o']
>>> vocab.encode(["The", "cat"])  # "cat", "c" and "t" are unknown: 1
([4, 1], [[2, 7, 5], [1, 3, 1]])
>>> batch = [vocab.encode(["dog"]), vocab.encode(["a", "dog"])]
>>> word_ids, char_ids, lengths = vocab.tensors(batch)
>>> word_ids.tolist(), char_ids.shape, lengths.tolist()
([[3, 0], [2, 3]], torch.Size([2, 2, 3]), [1, 2])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

from nlpjourney.cnn._fit import PAD, UNK

__all__ = ["MAX_CHARS", "WordCharVocab"]

#: Longer words are cut: their first 20 characters carry the spelling.
MAX_CHARS = 20


class WordCharVocab:
    """Word and character vocabularies, and the encoding of sentences into their ids.

    Args:
        words: ``<pad>``, ``<unk>``, then the known words, lower-cased.
        chars: ``<pad>``, ``<unk>``, then the known characters.
    """

    def __init__(self, words: Sequence[str], chars: Sequence[str]) -> None:
        self.words, self.chars = list(words), list(chars)
        self._word_index = {w: i for i, w in enumerate(self.words)}
        self._char_index = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_sentences(cls, sentences: Sequence[Sequence[str]]) -> WordCharVocab:
        """Every word (lower-cased) and every character of the training sentences, sorted."""
        words = sorted({w.lower() for s in sentences for w in s})
        chars = sorted({c for s in sentences for w in s for c in w})
        return cls([PAD, UNK, *words], [PAD, UNK, *chars])

    def singletons(self, sentences: Sequence[Sequence[str]]) -> np.ndarray:
        """Per word id, True where the word occurs once in ``sentences`` (bool, (V,)).

        Training turns these into ``<unk>`` now and then, so that ``<unk>`` gets a
        vector learned from rare words rather than a random one.
        """
        counts = Counter(w.lower() for s in sentences for w in s)
        return np.array([counts[w] == 1 for w in self.words])

    def encode(self, sentence: Sequence[str]) -> tuple[list[int], list[list[int]]]:
        """A sentence's word ids and, per word, its character ids (an empty word: ``<unk>``)."""
        words = [self._word_index.get(w.lower(), 1) for w in sentence]
        chars = [[self._char_index.get(c, 1) for c in w[:MAX_CHARS]] or [1] for w in sentence]
        return words, chars

    def tensors(
        self,
        encoded: Sequence[tuple[list[int], list[list[int]]]],
        device: str | torch.device = "cpu",
    ) -> tuple[Tensor, Tensor, Tensor]:
        """A batch of :meth:`encode` outputs, padded with 0.

        Shapes:
            -> word ids (B, T), character ids (B, T, L), lengths (B,), all int64.
        """
        longest = max(len(w) for w, _ in encoded)
        letters = max(len(c) for _, chars in encoded for c in chars)
        word_ids = np.zeros((len(encoded), longest), dtype=np.int64)
        char_ids = np.zeros((len(encoded), longest, letters), dtype=np.int64)
        for r, (words, chars) in enumerate(encoded):
            word_ids[r, : len(words)] = words
            for j, c in enumerate(chars):
                char_ids[r, j, : len(c)] = c
        lengths = torch.tensor([len(w) for w, _ in encoded])
        return (torch.from_numpy(word_ids).to(device), torch.from_numpy(char_ids).to(device),
                lengths.to(device))  # fmt: skip
