"""A convolutional sequence labeller: one tag per word, from word and character CNNs.

The network (:class:`LabellerNetwork`), for a sentence of ``n`` words::

    word  -> lower-cased word embedding (embedding_dim)
          ++ character CNN over its spelling, case kept (char_dim per character ->
             Conv1d(width 3, char_filters) -> max over the word's real characters)
          -> dropout -> ``layers`` x [Conv1d(width, filters, padding "same") -> ReLU]
             over the sentence (each word sees ``layers * (width - 1)`` neighbours)
          -> optional BiLSTM (``lstm`` units per direction, :class:`nlpjourney.rnn.LSTM`)
          -> dropout -> Linear -> softmax over the tags, word by word

Padding is zeroed after each convolution, so a sentence's tags do not depend on the
other sentences of its batch. Training minimises the mean cross-entropy over real words
(Adam, gradient clipping); with ``dev`` data the epoch that tags it best is kept.
:class:`CNNLabeller` mirrors the taggers of :mod:`nlpjourney.tagging` (``fit(sentences,
tags)``, ``predict(sentences)``, ``save``/``load``); it shares their input checks
(:mod:`nlpjourney.text.tagged`) and the BiLSTM-CRF's word and character vocabularies
(:class:`~nlpjourney.cnn.vocab.WordCharVocab`).

Reference: Collobert et al. (2011), "Natural Language Processing (Almost) from Scratch"
(the word-level convolution), and Ma & Hovy (2016) / Chiu & Nichols (2016) (the
character CNN and the CNN + BiLSTM variant); the convolution and pooling are checked
against torch in ``tests/cnn/test_conv.py`` and ``tests/cnn/test_pooling.py``.

Simplifications:
    - a softmax per word, no CRF on top (the tagging package's BiLSTM-CRF has one);
    - random word embeddings; singleton words become ``<unk>`` half the time in training
      so the ``<unk>`` vector is learned.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
import torch
from torch import Tensor, nn

from nlpjourney.cnn._fit import fit_epochs, pad
from nlpjourney.cnn.conv import Conv1d
from nlpjourney.cnn.pooling import max_over_time
from nlpjourney.cnn.vocab import WordCharVocab
from nlpjourney.devices import resolve_device
from nlpjourney.errors import ModelFormatError
from nlpjourney.saving import load_model, save_model
from nlpjourney.text.tagged import check_sentences, check_tagged

__all__ = ["CNNLabeller", "LabellerNetwork"]


class LabellerNetwork(nn.Module):
    """Word and character embeddings, the character CNN, the word CNN, a BiLSTM, the output.

    Shapes:
        words (B, T), chars (B, T, L) int64 (0 is padding), lengths (B,) -> logits (B, T, K).
    """

    def __init__(
        self, words: int, chars: int, tags: int, embedding_dim: int, char_dim: int,
        char_filters: int, filters: int, width: int, layers: int, lstm: int, dropout: float,
    ) -> None:  # fmt: skip
        super().__init__()
        self.words = nn.Embedding(words, embedding_dim, padding_idx=0)
        self.chars = nn.Embedding(chars, char_dim, padding_idx=0)
        self.char_cnn = Conv1d(char_dim, char_filters, 3, padding=1)
        sizes = [embedding_dim + char_filters] + [filters] * layers
        self.convs = nn.ModuleList(
            Conv1d(a, b, width, padding="same") for a, b in zip(sizes, sizes[1:], strict=False)
        )
        self.lstm = None
        if lstm:
            from nlpjourney.rnn import LSTM

            self.lstm = LSTM(sizes[-1], lstm, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(2 * lstm if lstm else sizes[-1], tags)

    def forward(self, words: Tensor, chars: Tensor, lengths: Tensor) -> Tensor:
        b, t, letters = chars.shape
        spelled = self.chars(chars.view(b * t, letters)).transpose(1, 2)  # (B*T, C, L)
        # Every word, padding words too, pools over at least its first character.
        char_lengths = (chars.view(b * t, letters) != 0).sum(1).clamp(min=1)
        spelling = max_over_time(self.char_cnn(spelled), char_lengths).view(b, t, -1)
        x = self.dropout(torch.cat([self.words(words), spelling], dim=2))  # (B, T, E+F)
        real = (torch.arange(t, device=words.device) < lengths.unsqueeze(1)).unsqueeze(1)
        h = x.transpose(1, 2) * real  # (B, D, T), padding zeroed
        for conv in self.convs:
            h = torch.relu(conv(h)) * real  # subtle: bias and ReLU would fill the padding
        h = h.transpose(1, 2)  # (B, T, F)
        if self.lstm is not None:
            h, _ = self.lstm(h, lengths=lengths)
        return self.out(self.dropout(h))


class CNNLabeller:
    """A sequence labeller (POS, chunks, entities) from word and character CNNs.

    Args:
        embedding_dim: the size of the (lower-cased) word vectors.
        char_dim: the size of the character vectors.
        char_filters: the character CNN's filters (the size of a word's spelling vector).
        filters: each word-level convolution's filters.
        width: the word-level convolutions' width (odd: the window is centred).
        layers: how many word-level convolutions are stacked.
        lstm: BiLSTM units per direction on top of the convolutions (0: none).
        epochs: passes over the training sentences; with ``dev``, the best is kept.
        lr: Adam's learning rate.
        dropout: the dropout rate on the network's input and output.
        batch_size: sentences per step.
        patience: with ``dev``, stop after this many epochs without a better score.
        device: ``"auto"``, ``"cpu"`` or ``"cuda"``.
        seed: seeds the initialisation, dropout and batch order.

    Example:
        >>> labeller = CNNLabeller(epochs=40, lr=0.02, dropout=0.0, device="cpu").fit(
        ...     [["the", "dog", "runs"], ["a", "cat", "sleeps"]],
        ...     [["DET", "NOUN", "VERB"], ["DET", "NOUN", "VERB"]])
        >>> labeller.predict([["the", "cat", "runs"], []])
        [['DET', 'NOUN', 'VERB'], []]
    """

    _SETTINGS = ("embedding_dim", "char_dim", "char_filters", "filters", "width", "layers",
                 "lstm", "epochs", "lr", "dropout", "batch_size", "patience", "seed")  # fmt: skip

    def __init__(
        self,
        embedding_dim: int = 100,
        char_dim: int = 30,
        char_filters: int = 50,
        filters: int = 200,
        width: int = 3,
        layers: int = 2,
        lstm: int = 0,
        epochs: int = 10,
        lr: float = 2e-3,
        dropout: float = 0.5,
        batch_size: int = 32,
        patience: int = 3,
        device: str = "auto",
        seed: int = 0,
    ) -> None:
        self.embedding_dim, self.char_dim, self.char_filters = embedding_dim, char_dim, char_filters
        self.filters, self.width, self.layers, self.lstm = filters, width, layers, lstm
        self.epochs, self.lr, self.dropout, self.batch_size = epochs, lr, dropout, batch_size
        self.patience, self.device, self.seed = patience, device, seed

    def _check(self) -> None:
        for name in ("embedding_dim", "char_dim", "char_filters", "filters", "width", "layers",
                     "epochs", "batch_size", "patience"):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.width % 2 == 0:
            raise ValueError(f"width must be odd, so each word's window is centred on it; "
                             f"got {self.width}")  # fmt: skip
        if isinstance(self.lstm, bool) or not isinstance(self.lstm, int) or self.lstm < 0:
            raise ValueError(f"lstm must be an int >= 0 (0: no BiLSTM), got {self.lstm!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")

    def _network(self) -> LabellerNetwork:
        return LabellerNetwork(
            len(self.words_), len(self.chars_), len(self.tags_), self.embedding_dim,
            self.char_dim, self.char_filters, self.filters, self.width, self.layers,
            self.lstm, self.dropout,
        )  # fmt: skip

    def _index(self) -> None:
        self._vocab = WordCharVocab(self.words_, self.chars_)

    def _tensors(self, sentences: list[list[str]]) -> tuple[Tensor, Tensor, Tensor]:
        return self._vocab.tensors([self._vocab.encode(s) for s in sentences], self.device_)

    def fit(
        self,
        sentences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[str]],
        dev: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None = None,
        progress: bool | None = None,
    ) -> Self:
        """Train on tagged sentences; with ``dev``, keep the epoch that tags it best.

        Args:
            sentences: lists of words.
            tags: one tag per word.
            dev: held-out ``(sentences, tags)``, scored (token accuracy) after each epoch.
            progress: show a progress bar (None: only on a terminal).

        Returns:
            self, with ``tags_``, ``history_`` and ``best_epoch_``.
        """
        self._check()
        words, labels = check_tagged(sentences, tags)
        keep = [i for i, s in enumerate(words) if s]  # an empty sentence teaches nothing
        words, labels = [words[i] for i in keep], [labels[i] for i in keep]
        dev_words, dev_tags = check_tagged(*dev) if dev is not None else (None, None)
        self.device_ = resolve_device(self.device)
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        vocab = self._vocab = WordCharVocab.from_sentences(words)
        self.words_, self.chars_ = vocab.words, vocab.chars
        self.tags_ = sorted({t for s in labels for t in s})
        tag_index = {t: i for i, t in enumerate(self.tags_)}
        network = self.network_ = self._network().to(self.device_)
        optimizer = torch.optim.Adam(network.parameters(), lr=self.lr)
        encoded = [vocab.encode(s) for s in words]
        gold = [[tag_index[t] for t in s] for s in labels]
        once = torch.from_numpy(vocab.singletons(words)).to(self.device_)

        def batch_loss(rows: list[int]) -> Tensor:
            word_ids, char_ids, lengths = vocab.tensors([encoded[i] for i in rows], self.device_)
            # Singletons become <unk> half the time, so <unk> has a trained vector.
            drop = once[word_ids] & (torch.rand(word_ids.shape, device=self.device_) < 0.5)
            logits = network(word_ids.masked_fill(drop, 1), char_ids, lengths)
            targets = pad([gold[i] for i in rows]).to(self.device_)
            real = torch.arange(targets.shape[1], device=self.device_) < lengths.unsqueeze(1)
            return nn.functional.cross_entropy(logits[real], targets[real])

        def dev_accuracy() -> float:
            predicted = self.predict(dev_words)
            pairs = [(p, g) for ps, gs in zip(predicted, dev_tags, strict=True)
                     for p, g in zip(ps, gs, strict=True)]  # fmt: skip
            return sum(p == g for p, g in pairs) / max(1, len(pairs))

        self.history_, self.best_epoch_ = fit_epochs(
            network, optimizer, len(words), batch_loss, dev_accuracy if dev_words else None,
            epochs=self.epochs, batch_size=self.batch_size, patience=self.patience, rng=rng,
            title="Training CNN labeller", progress=progress,
            before_step=lambda: nn.utils.clip_grad_norm_(network.parameters(), 5.0),
        )  # fmt: skip
        return self

    def predict(self, sentences: Sequence[Sequence[str]], batch_size: int = 128) -> list[list[str]]:
        """One tag per word of each sentence (empty sentences give empty lists)."""
        if not hasattr(self, "network_"):
            from nlpjourney.ml.base import NotFittedError

            raise NotFittedError("this CNNLabeller is not fitted yet: call fit(sentences, tags)")
        words = check_sentences(sentences)
        order = sorted((i for i, s in enumerate(words) if s), key=lambda i: len(words[i]))
        predicted: list[list[str]] = [[] for _ in words]
        network = self.network_
        was_training = network.training
        network.eval()
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                word_ids, char_ids, lengths = self._tensors([words[i] for i in rows])
                best = network(word_ids, char_ids, lengths).argmax(2).cpu().tolist()
                for i, path in zip(rows, best, strict=True):
                    predicted[i] = [self.tags_[k] for k in path[: len(words[i])]]
        network.train(was_training)
        return predicted

    def save(self, folder: str | Path) -> Path:
        """Write the weights, settings and vocabularies to ``folder`` (no pickle)."""
        if not hasattr(self, "network_"):
            self.predict([])  # raises the not-fitted error
        config: dict[str, Any] = {k: getattr(self, k) for k in self._SETTINGS}
        config.update(words=self.words_, chars=self.chars_, tags=self.tags_)
        arrays = {k: v.detach().cpu().numpy() for k, v in self.network_.state_dict().items()}
        return save_model(folder, type(self).__name__, config, arrays)

    @classmethod
    def load(cls, folder: str | Path, device: str = "auto") -> CNNLabeller:
        """A labeller saved by :meth:`save`, on ``device``.

        Raises:
            ModelFormatError: the folder is not a saved CNNLabeller, or is damaged.
        """
        config, arrays = load_model(folder, cls.__name__)
        try:
            labeller = cls(**{k: config[k] for k in cls._SETTINGS}, device=device)
            labeller.words_, labeller.chars_ = list(config["words"]), list(config["chars"])
            labeller.tags_ = list(config["tags"])
            labeller._index()
            labeller.device_ = resolve_device(device)
            network = labeller._network()
            network.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items()})
        except (KeyError, TypeError, ValueError, RuntimeError) as error:
            raise ModelFormatError(
                f"{folder} is not a usable saved CNNLabeller ({error}): train it again"
            ) from None
        labeller.network_ = network.to(labeller.device_).eval()
        return labeller
