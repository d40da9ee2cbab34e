"""BiLSTM-CRF: a bidirectional LSTM reads the sentence, a CRF layer picks the tag path.

The tagger of Lample et al. (2016) and Ma & Hovy (2016)::

    word  -> lower-cased word embedding (embedding_dim)  ++  character CNN over its
             spelling, case included (char_dim per character -> char_filters, max-pooled)
          -> dropout -> BiLSTM (hidden per direction) -> dropout -> linear: emissions (n, K)
    path  -> CRF: score(y) = start[y_0] + sum_t emissions[t, y_t]
                           + sum_t transitions[y_{t-1}, y_t] + end[y_{n-1}]

Training minimises ``log Z - score(gold)`` (the CRF's negative log-likelihood), with
``log Z`` from the batched forward algorithm of :class:`CRFLayer`; decoding is a batched
Viterbi. Both run over padded batches with a mask (padding at the end of each row).

:class:`CRFLayer` is the torch twin of :mod:`nlpjourney.tagging.crf`'s NumPy
:func:`~nlpjourney.tagging.crf.log_partition` and of
:func:`~nlpjourney.tagging.decode.viterbi` (the same scores and the same conventions:
``transitions[i, j]`` scores tag ``i`` followed by tag ``j``, ties to the lower tag).

Reference: pytorch-crf's ``CRF`` layer and the NumPy forward algorithm of
:mod:`nlpjourney.tagging.crf`, both checked in ``tests/tagging/test_bilstm_crf.py``
(plus brute force over every path and ``torch.autograd.gradcheck``).

Simplifications:
    - word embeddings start random (no pretrained GloVe: the project downloads nothing);
      words seen once in training are replaced by ``<unk>`` half the time, so the
      ``<unk>`` vector is learned.
    - Adam with one learning rate and gradient clipping, no learning-rate decay.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
import torch
from torch import Tensor, nn

from nlpjourney.cnn.vocab import WordCharVocab
from nlpjourney.errors import ModelFormatError
from nlpjourney.saving import load_model, save_model
from nlpjourney.tagging._neural import (
    bucketed_batches,
    not_fitted,
    run_epochs,
    state_arrays,
    state_tensors,
)
from nlpjourney.text.tagged import check_sentences, check_tagged

__all__ = ["BiLSTMCRF", "CRFLayer"]


class CRFLayer(nn.Module):
    """A linear-chain CRF over emission scores: batched log partition, path score, Viterbi.

    Parameters: ``transitions`` (K, K), ``start`` (K,), ``end`` (K,), all started at 0.
    Every method takes a ``mask`` (B, T), True for real tokens, each row's real tokens
    first; every row has at least one.

    Example:
        >>> crf = CRFLayer(2)
        >>> emissions = torch.tensor([[[1.0, 0.0], [0.0, 2.0], [5.0, 5.0]]])  # (1, 3, 2)
        >>> mask = torch.tensor([[True, True, False]])
        >>> crf.decode(emissions, mask)
        [[0, 1]]
        >>> round(crf.log_partition(emissions, mask)[0].item(), 4)  # log((e+1)(1+e^2))
        3.4402
    """

    def __init__(self, num_tags: int) -> None:
        super().__init__()
        self.num_tags = num_tags
        self.transitions = nn.Parameter(torch.zeros(num_tags, num_tags))
        self.start = nn.Parameter(torch.zeros(num_tags))
        self.end = nn.Parameter(torch.zeros(num_tags))

    def log_partition(self, emissions: Tensor, mask: Tensor) -> Tensor:
        """``log Z`` of each row by the forward algorithm.

        Shapes:
            emissions (B, T, K), mask (B, T) -> (B,).
        """
        alpha = self.start + emissions[:, 0]  # (B, K)
        for t in range(1, emissions.shape[1]):
            # (B, K, 1) + (K, K) -> (B, K, K), summed over the previous tag i
            step = torch.logsumexp(alpha.unsqueeze(2) + self.transitions, dim=1) + emissions[:, t]
            alpha = torch.where(mask[:, t].unsqueeze(1), step, alpha)  # padding keeps alpha
        return torch.logsumexp(alpha + self.end, dim=1)

    def score(self, emissions: Tensor, tags: Tensor, mask: Tensor) -> Tensor:
        """The score of the given tag path of each row.

        Shapes:
            emissions (B, T, K), tags (B, T) int64 (any value at padding), mask (B, T) -> (B,).
        """
        tags = tags.masked_fill(~mask, 0)  # padding points at tag 0, then counts for nothing
        real = mask.to(emissions.dtype)
        emitted = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)  # (B, T)
        moves = self.transitions[tags[:, :-1], tags[:, 1:]]  # (B, T-1)
        last = tags.gather(1, (mask.sum(1, keepdim=True) - 1)).squeeze(1)  # (B,)
        return (
            self.start[tags[:, 0]]
            + (emitted * real).sum(1)
            + (moves * real[:, 1:]).sum(1)
            + self.end[last]
        )

    def nll(self, emissions: Tensor, tags: Tensor, mask: Tensor) -> Tensor:
        """The mean negative log-likelihood ``log Z - score(gold)`` over the batch (a scalar)."""
        return (self.log_partition(emissions, mask) - self.score(emissions, tags, mask)).mean()

    def decode(self, emissions: Tensor, mask: Tensor) -> list[list[int]]:
        """The best path of each row (its real tokens only), ties to the lower tag.

        Shapes:
            emissions (B, T, K), mask (B, T) -> B lists of the rows' lengths.
        """
        batch, length, k = emissions.shape
        best = self.start + emissions[:, 0]  # (B, K)
        keep = torch.arange(k, device=emissions.device).expand(batch, k)  # "stay" pointers
        pointers = []
        for t in range(1, length):
            # subtle: max over dim 1 returns the first (lowest) index on ties, as argmax does.
            step, came_from = (best.unsqueeze(2) + self.transitions).max(dim=1)  # (B, K)
            on = mask[:, t].unsqueeze(1)
            best = torch.where(on, step + emissions[:, t], best)
            # A padded step points each tag at itself, so back-tracking passes through it.
            pointers.append(torch.where(on, came_from, keep))
        tag = (best + self.end).argmax(dim=1)  # (B,)
        path = [tag]
        for back in reversed(pointers):
            tag = back.gather(1, tag.unsqueeze(1)).squeeze(1)
            path.append(tag)
        paths = torch.stack(path[::-1], dim=1).cpu().tolist()  # (B, T)
        lengths = mask.sum(1).cpu().tolist()
        return [row[:n] for row, n in zip(paths, lengths, strict=True)]


class _Network(nn.Module):
    """Embeddings, character CNN, BiLSTM, emission layer and CRF (names as in the state dict)."""

    def __init__(
        self, words: int, chars: int, tags: int, embedding_dim: int, char_dim: int,
        char_filters: int, hidden: int, dropout: float,
    ) -> None:  # fmt: skip
        super().__init__()
        self.words = nn.Embedding(words, embedding_dim, padding_idx=0)
        self.chars = nn.Embedding(chars, char_dim, padding_idx=0)
        self.char_cnn = nn.Conv1d(char_dim, char_filters, kernel_size=3, padding=1)
        self.lstm = nn.LSTM(
            embedding_dim + char_filters, hidden, batch_first=True, bidirectional=True
        )
        self.dropout = nn.Dropout(dropout)
        self.emit = nn.Linear(2 * hidden, tags)
        self.crf = CRFLayer(tags)

    def emissions(self, word_ids: Tensor, char_ids: Tensor, mask: Tensor) -> Tensor:
        """Shapes: word_ids (B, T), char_ids (B, T, L), mask (B, T) -> (B, T, K)."""
        b, t, letters = char_ids.shape
        chars = self.chars(char_ids.view(b * t, letters)).transpose(1, 2)  # (B*T, C, L)
        spelled = self.char_cnn(chars)  # (B*T, F, L)
        spelled = spelled.masked_fill((char_ids.view(b * t, 1, letters) == 0), -1e4)
        spelled = spelled.amax(dim=2).view(b, t, -1).clamp(min=-1e3)  # pads -> finite
        x = self.dropout(torch.cat([self.words(word_ids), spelled], dim=2))  # (B, T, E+F)
        lengths = mask.sum(1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(
            x, lengths, batch_first=True, enforce_sorted=False
        )
        out, _ = self.lstm(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=t)
        return self.emit(self.dropout(out))  # (B, T, K)


class BiLSTMCRF:
    """A BiLSTM-CRF tagger (word embeddings + character CNN, BiLSTM, CRF), trained with Adam.

    Args:
        embedding_dim: the size of the (lower-cased) word vectors.
        char_dim: the size of the character vectors.
        char_filters: the character CNN's filters (the size of a word's spelling vector).
        hidden: LSTM units per direction.
        epochs: passes over the training sentences; with ``dev``, the best epoch is kept.
        lr: Adam's learning rate.
        dropout: the dropout rate on the LSTM's input and output.
        batch_size: sentences per step.
        device: ``"cpu"`` or ``"cuda"``.
        seed: seeds the initialisation, dropout and batch order.

    Example:
        >>> tagger = BiLSTMCRF(epochs=30, lr=0.05, dropout=0.0).fit(
        ...     [["Paris", "is", "big"], ["Rome", "is", "old"]],
        ...     [["B-LOC", "O", "O"], ["B-LOC", "O", "O"]])
        >>> tagger.predict([["Rome", "is", "big"], []])
        [['B-LOC', 'O', 'O'], []]
    """

    def __init__(
        self,
        embedding_dim: int = 100,
        char_dim: int = 30,
        char_filters: int = 50,
        hidden: int = 128,
        epochs: int = 10,
        lr: float = 2e-3,
        dropout: float = 0.5,
        batch_size: int = 32,
        device: str = "cpu",
        seed: int = 0,
    ) -> None:
        self.embedding_dim, self.char_dim, self.char_filters = embedding_dim, char_dim, char_filters
        self.hidden, self.epochs, self.lr, self.dropout = hidden, epochs, lr, dropout
        self.batch_size, self.device, self.seed = batch_size, device, seed

    _SETTINGS = ("embedding_dim", "char_dim", "char_filters", "hidden", "epochs", "lr",
                 "dropout", "batch_size", "seed")  # fmt: skip

    def _check(self) -> None:
        for name in ("embedding_dim", "char_dim", "char_filters", "hidden", "epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")

    def _network(self) -> _Network:
        return _Network(
            len(self.words_), len(self.chars_), len(self.tags_), self.embedding_dim,
            self.char_dim, self.char_filters, self.hidden, self.dropout,
        )  # fmt: skip

    def _tensors(
        self, encoded: list[tuple[list[int], list[list[int]]]]
    ) -> tuple[Tensor, Tensor, Tensor]:
        """Word ids (B, T), character ids (B, T, L) and the mask of real words (B, T) of
        sentences encoded by the vocabulary."""
        word_ids, char_ids, _ = self._vocab.tensors(encoded, self.device)
        return word_ids, char_ids, word_ids != 0  # a real word's id is never <pad>'s 0

    def fit(
        self,
        sentences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[str]],
        dev: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None = None,
        epochs: int | None = None,
        device: str | None = None,
        out: str | Path | None = None,
        progress: bool | None = None,
        on_epoch: Callable[[dict[str, float]], None] | None = None,
    ) -> Self:
        """Train on tagged sentences; with ``dev``, keep the epoch that scores best there.

        Args:
            sentences: lists of words.
            tags: one tag per word.
            dev: held-out ``(sentences, tags)`` scored after each epoch (entity F1 for
                IOB tags, else accuracy).
            epochs: overrides the constructor's ``epochs``.
            device: overrides the constructor's ``device``.
            out: a folder to write ``loss.png`` into.
            progress: show a progress bar (None: only on a terminal).
            on_epoch: called with each epoch's record as it ends (to log a long run).

        Returns:
            self, with ``tags_``, ``history_`` (per epoch: ``loss``, ``dev``, ``seconds``,
            ``tokens_per_s``) and ``best_epoch_``.
        """
        if epochs is not None:
            self.epochs = epochs
        if device is not None:
            self.device = device
        self._check()
        words, labels = check_tagged(sentences, tags)
        keep = [i for i, s in enumerate(words) if s]  # an empty sentence teaches nothing
        words, labels = [words[i] for i in keep], [labels[i] for i in keep]
        dev_words, dev_tags = check_tagged(*dev) if dev is not None else (None, None)
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        vocab = self._vocab = WordCharVocab.from_sentences(words)
        self.words_, self.chars_ = vocab.words, vocab.chars
        self.tags_ = sorted({t for s in labels for t in s})
        tag_index = {t: i for i, t in enumerate(self.tags_)}
        network = self.network_ = self._network().to(self.device)
        optimizer = torch.optim.Adam(network.parameters(), lr=self.lr)
        encoded = [vocab.encode(s) for s in words]
        gold = [[tag_index[t] for t in s] for s in labels]
        lengths = [len(s) for s in words]
        steps = -(-len(words) // self.batch_size)
        unknown = torch.from_numpy(vocab.singletons(words)).to(self.device)

        def batch_loss(batch: list[int]) -> tuple[Tensor, int]:
            word_ids, char_ids, mask = self._tensors([encoded[i] for i in batch])
            # Singletons become <unk> half the time, so <unk> has a trained vector.
            drop = unknown[word_ids] & (torch.rand(word_ids.shape, device=self.device) < 0.5)
            word_ids = word_ids.masked_fill(drop, 1)
            targets = torch.zeros_like(word_ids)
            for r, i in enumerate(batch):
                targets[r, : len(gold[i])] = torch.tensor(gold[i])
            loss = network.crf.nll(network.emissions(word_ids, char_ids, mask), targets, mask)
            return loss, sum(lengths[i] for i in batch)

        run_epochs(
            self,
            optimizer,
            lambda: bucketed_batches(lengths, self.batch_size, rng),
            batch_loss,
            steps_per_epoch=steps,
            clip=5.0,
            title="Training BiLSTM-CRF",
            dev=None if dev_words is None else (dev_words, dev_tags),
            progress=progress,
            on_epoch=on_epoch,
            out=out,
        )
        return self

    def _index(self) -> None:
        self._vocab = WordCharVocab(self.words_, self.chars_)

    def predict(self, sentences: Sequence[Sequence[str]], batch_size: int = 128) -> list[list[str]]:
        """One tag per word of each sentence (empty sentences give empty lists)."""
        if not hasattr(self, "network_"):
            raise not_fitted(type(self).__name__)
        words = check_sentences(sentences)
        order = sorted((i for i, s in enumerate(words) if s), key=lambda i: len(words[i]))
        predicted: list[list[str]] = [[] for _ in words]
        network = self.network_.eval()
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                encoded = [self._vocab.encode(words[i]) for i in rows]
                word_ids, char_ids, mask = self._tensors(encoded)
                paths = network.crf.decode(network.emissions(word_ids, char_ids, mask), mask)
                for i, path in zip(rows, paths, strict=True):
                    predicted[i] = [self.tags_[k] for k in path]
        return predicted

    def save(self, folder: str | Path) -> Path:
        """Write the weights, settings and vocabularies to ``folder``."""
        if not hasattr(self, "network_"):
            raise not_fitted(type(self).__name__)
        config: dict[str, Any] = {k: getattr(self, k) for k in self._SETTINGS}
        config.update(words=self.words_, chars=self.chars_, tags=self.tags_)
        return save_model(folder, type(self).__name__, config, state_arrays(self.network_))

    @classmethod
    def load(cls, folder: str | Path, device: str = "cpu") -> BiLSTMCRF:
        """A tagger saved by :meth:`save`.

        Raises:
            ModelFormatError: the folder is not a saved BiLSTMCRF, or is damaged.
        """
        config, arrays = load_model(folder, cls.__name__)
        try:
            tagger = cls(**{k: config[k] for k in cls._SETTINGS}, device=device)
            tagger.words_, tagger.chars_ = list(config["words"]), list(config["chars"])
            tagger.tags_ = list(config["tags"])
            tagger._index()
            network = tagger._network()
            network.load_state_dict(state_tensors(arrays))
        except (KeyError, TypeError, ValueError, RuntimeError) as error:
            raise ModelFormatError(
                f"{folder} is not a usable saved BiLSTMCRF ({error}): train it again"
            ) from None
        tagger.network_ = network.to(device).eval()
        return tagger
