"""Kim's (2014) convolutional sentence classifier, and the n-grams its filters learned.

The network (:class:`KimNetwork`), for a sentence of ``n`` word ids::

    ids (B, n) -> embeddings (B, E, n)                      random, or our 1.5 vectors
      -> for each width w in (3, 4, 5): Conv1d(E, 100, w) -> ReLU -> max over time
      -> concatenate (B, 300) -> dropout 0.5 -> Linear -> class scores (B, K)

A filter of width ``w`` is an n-gram detector: it scores every window of ``w`` words,
and max-over-time pooling keeps the best window of the sentence, so the classifier sees
"how strongly did each detector fire anywhere". Only windows that start on a real word
count: a padded batch's extra positions never win (:func:`~nlpjourney.cnn.max_over_time`
with each sentence's number of full windows; a sentence shorter than a filter gets the
one window that starts on its first word, zeros after it).

:class:`KimCNN` wraps it as a scikit-learn-like estimator on raw texts: ``fit(texts,
labels)`` tokenises (lower-case, punctuation and clitics split off, as Kim's
``clean_str`` does), builds the vocabulary, holds out a slice of the training texts and
trains with Adam or Adadelta in shuffled batches, each padded to its longest sentence,
keeping the epoch that scores best on the held-out slice (early stopping). Kim's max-norm
constraint (each class's weight row rescaled to L2 norm at most 3 after each step) is
kept. :func:`top_ngrams` lists, for each filter, the n-grams of a corpus that excite it
most, which is what lesson 3.4 shows.

Reference: Kim (2014), "Convolutional Neural Networks for Sentence Classification"
(the architecture and CNN-rand/static/non-static settings); its convolution is checked
against ``torch.nn.Conv1d`` in ``tests/cnn/test_conv.py``, and the network against the same
network built from ``torch.nn.Conv1d`` in ``tests/cnn/test_kim.py``.

Simplifications:
    - narrow convolution (no padding around the sentence);
    - one embedding channel (no "multichannel" static + non-static pair);
    - words not in given vectors start as ``U(-0.25, 0.25)``, as Kim's do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

import numpy as np
import torch
from torch import Tensor, nn

from nlpjourney.cnn._fit import fit_epochs, pad, vocabulary
from nlpjourney.cnn.conv import Conv1d
from nlpjourney.cnn.pooling import max_over_time
from nlpjourney.devices import resolve_device
from nlpjourney.errors import ModelFormatError
from nlpjourney.saving import load_model, save_model

if TYPE_CHECKING:  # importing embeddings (numba) or ml costs seconds; only when used
    from nlpjourney.embeddings.keyed_vectors import KeyedVectors

__all__ = ["FilterNgrams", "KimCNN", "KimConfig", "KimNetwork", "tokenize", "top_ngrams"]

#: Words, with "n't" and "'s"-like clitics and each punctuation mark as tokens of their own.
TOKEN = re.compile(r"\w+(?=n't\b)|n't\b|'\w+|\w+(?:-\w+)*|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens, as Kim's ``clean_str`` cuts them.

    >>> tokenize("It doesn't work, the film's a MESS!")
    ['it', 'does', "n't", 'work', ',', 'the', 'film', "'s", 'a', 'mess', '!']
    """
    return TOKEN.findall(text.lower())


@dataclass(frozen=True)
class KimConfig:
    """The settings of a :class:`KimCNN` (Kim's CNN-rand / -static / -non-static).

    Example:
        >>> KimConfig().widths, KimConfig().filters
        ((3, 4, 5), 100)
        >>> KimConfig(dropout=1.0)
        Traceback (most recent call last):
        ...
        ValueError: dropout must be in [0, 1), got 1.0
    """

    embedding_dim: int = 300
    """The size of random word vectors (given vectors bring their own size)."""
    widths: tuple[int, ...] = (3, 4, 5)
    """The filter widths: one bank of ``filters`` n-gram detectors per width."""
    filters: int = 100
    """Feature maps per width."""
    dropout: float = 0.5
    """Dropout on the pooled features."""
    static: bool = False
    """Freeze the embeddings (Kim's "static"); else they are fine-tuned ("non-static")."""
    optimizer: Literal["adam", "adadelta"] = "adam"
    """Adam, or Adadelta (rho 0.95, eps 1e-6, Kim's choice)."""
    lr: float | None = None
    """The learning rate (None: 1e-3 for Adam, 1.0 for Adadelta)."""
    batch_size: int = 50
    """Sentences per step."""
    epochs: int = 10
    """The most passes over the training texts."""
    patience: int = 3
    """Stop after this many epochs without a better held-out score."""
    holdout: float = 0.1
    """The share of the training texts held out to pick the epoch (0: keep the last)."""
    max_norm: float | None = 3.0
    """Rescale each class's output weights to at most this L2 norm (None: no limit)."""
    min_count: int = 1
    """Words seen fewer times in training become ``<unk>``."""
    seed: int = 0
    """Seeds the initialisation, dropout, the held-out slice and the batch order."""
    device: str = "auto"
    """``"auto"`` (a GPU when there is one), ``"cpu"`` or ``"cuda"``."""

    def __post_init__(self) -> None:
        for name in ("embedding_dim", "filters", "batch_size", "epochs", "patience", "min_count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        widths = self.widths
        if (not isinstance(widths, tuple) or not widths
                or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths)):  # fmt: skip
            raise ValueError(f"widths must be a non-empty tuple of positive ints, got {widths!r}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if not 0 <= self.holdout < 1:
            raise ValueError(f"holdout must be in [0, 1), got {self.holdout!r}")
        if self.optimizer not in ("adam", "adadelta"):
            raise ValueError(f"optimizer must be 'adam' or 'adadelta', got {self.optimizer!r}")
        if self.lr is not None and not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}")
        if self.max_norm is not None and not self.max_norm > 0:
            raise ValueError(f"max_norm must be positive or None, got {self.max_norm!r}")


class KimNetwork(nn.Module):
    """Embeddings, one :class:`~nlpjourney.cnn.Conv1d` per width, max-over-time, dropout, linear.

    Shapes:
        ids (B, T) int64 (0 is padding, T at least the widest filter), lengths (B,)
        -> logits (B, classes).
    """

    def __init__(
        self, vocab: int, embedding_dim: int, widths: tuple[int, ...], filters: int,
        classes: int, dropout: float,
    ) -> None:  # fmt: skip
        super().__init__()
        self.widths = widths
        self.embedding = nn.Embedding(vocab, embedding_dim, padding_idx=0)
        self.convs = nn.ModuleList(Conv1d(embedding_dim, filters, w) for w in widths)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(filters * len(widths), classes)

    def features(self, ids: Tensor, lengths: Tensor) -> list[Tensor]:
        """Each width's pooled feature maps, after ReLU: a list of (B, filters)."""
        x = self.embedding(ids).transpose(1, 2)  # (B, E, T)
        pooled = []
        for width, conv in zip(self.widths, self.convs, strict=True):
            h = torch.relu(conv(x))  # (B, F, T - w + 1)
            # Full windows start at 0 .. n - w; a sentence shorter than w keeps window 0.
            windows = (lengths - width + 1).clamp(min=1)
            pooled.append(max_over_time(h, windows))
        return pooled

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        return self.out(self.dropout(torch.cat(self.features(ids, lengths), dim=1)))


class KimCNN:
    """Kim's CNN as an estimator on raw texts: ``fit``, ``predict``, ``predict_proba``.

    Args:
        config: the settings (:class:`KimConfig`).
        vectors: word vectors to start the embeddings from (our 1.5 vectors, a
            :class:`~nlpjourney.embeddings.KeyedVectors`); None: random embeddings.

    Attributes (after ``fit``):
        classes_: the sorted labels.
        words_: the vocabulary (``<pad>``, ``<unk>``, then by frequency).
        network_: the trained :class:`KimNetwork`.
        history_: one record an epoch (``loss``, ``seconds``, held-out ``score``).
        best_epoch_: the epoch whose weights were kept.

    Example:
        >>> texts = ["a good film", "a great film", "a bad film", "an awful film"] * 5
        >>> labels = ["pos", "pos", "neg", "neg"] * 5
        >>> config = KimConfig(embedding_dim=8, filters=4, epochs=40, holdout=0, lr=0.05,
        ...                    dropout=0.0, device="cpu")
        >>> KimCNN(config).fit(texts, labels).predict(["good , great", "bad and awful"]).tolist()
        ['pos', 'neg']
    """

    def __init__(
        self, config: KimConfig | None = None, vectors: KeyedVectors | None = None
    ) -> None:
        self.config = config if config is not None else KimConfig()
        self.vectors = vectors

    # -- building ----------------------------------------------------------------------

    def _check(self) -> None:
        from nlpjourney.embeddings.keyed_vectors import KeyedVectors

        if not isinstance(self.config, KimConfig):
            raise TypeError(f"config must be a KimConfig, got {type(self.config).__name__}")
        if self.vectors is not None and not isinstance(self.vectors, KeyedVectors):
            raise TypeError("vectors must be an nlpjourney.embeddings.KeyedVectors (e.g. "
                            f"Word2Vec(...).wv), got {type(self.vectors).__name__}")  # fmt: skip

    def _network(self, embedding_dim: int) -> KimNetwork:
        c = self.config
        return KimNetwork(len(self.words_), embedding_dim, c.widths, c.filters,
                          len(self.classes_), c.dropout)  # fmt: skip

    def _init_embeddings(self, network: KimNetwork, generator: torch.Generator) -> None:
        """Kim's start: U(-0.25, 0.25) for every word, given vectors where there are some."""
        weight = network.embedding.weight
        with torch.no_grad():
            weight.copy_(torch.rand(weight.shape, generator=generator) * 0.5 - 0.25)
            weight[0] = 0.0  # <pad> is a zero vector and gets no gradient
            if self.vectors is not None:
                rows = [(i, self.vectors.key_to_index[w]) for i, w in enumerate(self.words_)
                        if i > 1 and w in self.vectors]  # fmt: skip
                if rows:
                    ours, theirs = zip(*rows, strict=True)
                    weight[list(ours)] = torch.from_numpy(self.vectors.vectors[list(theirs)])
        weight.requires_grad_(not self.config.static)

    def _encode(self, texts: Sequence[str]) -> list[list[int]]:
        return [[self._index.get(w, 1) for w in tokenize(t)] for t in texts]

    def _batch(self, rows: list[list[int]]) -> tuple[Tensor, Tensor]:
        lengths = torch.tensor([max(1, len(r)) for r in rows])
        ids = pad(rows, least=max(self.config.widths))
        return ids.to(self.device_), lengths.to(self.device_)

    # -- the estimator API --------------------------------------------------------------

    def fit(
        self, texts: Sequence[str], labels: Sequence[Any], progress: bool | None = None
    ) -> Self:
        """Learn the vocabulary and the network from ``texts`` and their ``labels``.

        Args:
            texts: raw sentences or documents.
            labels: one label per text (strings or ints; at least two classes).
            progress: show a progress bar (None: only on a terminal).

        Returns:
            self.
        """
        self._check()
        texts = _check_texts(texts)
        labels = list(labels)
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} texts but {len(labels)} labels; give one label each")
        self.classes_ = np.array(sorted(set(labels)))
        if len(self.classes_) < 2:
            raise ValueError(f"need at least two classes to learn, got {self.classes_.tolist()}")
        c = self.config
        self.device_ = resolve_device(c.device)
        rng = np.random.default_rng(c.seed)
        torch.manual_seed(c.seed)
        order = rng.permutation(len(texts))
        n_held = int(round(c.holdout * len(texts))) if c.holdout else 0
        held, train = order[:n_held], order[n_held:]
        self.words_ = vocabulary((w for i in train for w in tokenize(texts[i])), c.min_count)
        self._index = {w: i for i, w in enumerate(self.words_)}
        dim = self.vectors.vector_size if self.vectors is not None else c.embedding_dim
        network = self.network_ = self._network(dim)
        self._init_embeddings(network, torch.Generator().manual_seed(c.seed))
        network.to(self.device_)
        encoded = self._encode(texts)
        codes = torch.from_numpy(np.searchsorted(self.classes_, np.array(labels)))
        targets = codes.to(self.device_)
        trainable = [p for p in network.parameters() if p.requires_grad]
        if c.optimizer == "adam":
            optimizer: torch.optim.Optimizer = torch.optim.Adam(trainable, lr=c.lr or 1e-3)
        else:
            optimizer = torch.optim.Adadelta(trainable, lr=c.lr or 1.0, rho=0.95, eps=1e-6)

        def batch_loss(rows: list[int]) -> Tensor:
            chosen = train[rows]
            ids, lengths = self._batch([encoded[i] for i in chosen])
            return nn.functional.cross_entropy(network(ids, lengths), targets[chosen])

        def held_out_accuracy() -> float:
            predicted = self._scores([encoded[i] for i in held]).argmax(1).cpu()
            return float((predicted == codes[held]).float().mean())

        def constrain() -> None:
            if c.max_norm is not None:
                with torch.no_grad():  # Kim's l2 constraint on each class's weight row
                    weight = network.out.weight
                    weight.mul_((c.max_norm / weight.norm(dim=1, keepdim=True)).clamp(max=1.0))

        self.history_, self.best_epoch_ = fit_epochs(
            network, optimizer, len(train), batch_loss, held_out_accuracy if n_held else None,
            epochs=c.epochs, batch_size=c.batch_size, patience=c.patience, rng=rng,
            title="Training Kim CNN", progress=progress, after_step=constrain,
        )  # fmt: skip
        return self

    def _scores(self, rows: list[list[int]], batch_size: int = 256) -> Tensor:
        """Logits (n, K) in eval mode, in batches sorted by length (little padding)."""
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        out = torch.empty(len(rows), len(self.classes_))
        self.network_.eval()
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chosen = order[start : start + batch_size]
                ids, lengths = self._batch([rows[i] for i in chosen])
                out[chosen] = self.network_(ids, lengths).float().cpu()
        return out

    def _fitted(self) -> None:
        from nlpjourney.ml.base import NotFittedError

        if not hasattr(self, "network_"):
            raise NotFittedError("this KimCNN is not fitted yet: call fit(texts, labels) first")

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(n, K) class probabilities, columns in the order of ``classes_``."""
        self._fitted()
        return torch.softmax(self._scores(self._encode(_check_texts(texts))), dim=1).numpy()

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The most probable label of each text."""
        self._fitted()
        scores = self._scores(self._encode(_check_texts(texts)))
        return self.classes_[scores.argmax(1).numpy()]

    def score(self, texts: Sequence[str], labels: Sequence[Any]) -> float:
        """Accuracy on ``texts``."""
        return float(np.mean(self.predict(texts) == np.asarray(list(labels))))

    # -- saving -------------------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        """Write the settings, vocabulary, labels and weights to ``folder`` (no pickle)."""
        self._fitted()
        config = asdict(self.config)
        config.update(words=self.words_, classes=self.classes_.tolist(),
                      embedding_size=self.network_.embedding.embedding_dim)  # fmt: skip
        arrays = {k: v.detach().cpu().numpy() for k, v in self.network_.state_dict().items()}
        return save_model(folder, type(self).__name__, config, arrays)

    @classmethod
    def load(cls, folder: str | Path, device: str = "auto") -> KimCNN:
        """A classifier saved by :meth:`save`, on ``device``.

        Raises:
            ModelFormatError: the folder is not a saved KimCNN, or is damaged.
        """
        saved, arrays = load_model(folder, cls.__name__)
        try:
            settings = {k: saved[k] for k in KimConfig.__dataclass_fields__}
            settings["widths"] = tuple(settings["widths"])
            model = cls(replace(KimConfig(**settings), device=device))
            model.words_, model.classes_ = list(saved["words"]), np.array(saved["classes"])
            model._index = {w: i for i, w in enumerate(model.words_)}
            model.device_ = resolve_device(device)
            network = model._network(int(saved["embedding_size"]))
            network.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items()})
        except (KeyError, TypeError, ValueError, RuntimeError) as error:
            raise ModelFormatError(
                f"{folder} is not a usable saved KimCNN ({error}): train it again"
            ) from None
        model.network_ = network.to(model.device_).eval()
        return model


def _check_texts(texts: Any) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not one string; wrap it in a list")
    texts = list(texts)
    for k, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {k} is a {type(text).__name__}, not a string")
    return texts


@dataclass(frozen=True)
class FilterNgrams:
    """The n-grams that excite one filter most: ``(n-gram, activation)``, strongest first."""

    width: int
    filter: int
    ngrams: list[tuple[str, float]]


def top_ngrams(
    model: KimCNN, texts: Sequence[str], n: int = 5, filters: Sequence[int] | None = None
) -> list[FilterNgrams]:
    """For each filter, the ``n`` distinct n-grams of ``texts`` that excite it most.

    An n-gram's activation is the filter's ReLU output on its window. Only full windows
    of real words count.

    Args:
        model: a fitted :class:`KimCNN`.
        texts: the corpus to search.
        n: n-grams per filter.
        filters: which filters of each width (indices; None: all).

    Returns:
        One :class:`FilterNgrams` per (width, filter), widths in the model's order.
    """
    model._fitted()
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    network = model.network_
    tokens = [tokenize(t) for t in _check_texts(texts)]
    chosen = list(range(model.config.filters)) if filters is None else list(filters)
    if not all(isinstance(f, int) and 0 <= f < model.config.filters for f in chosen):
        raise ValueError(f"filters must be indices from 0 to {model.config.filters - 1}, "
                         f"got {list(filters or [])}")  # fmt: skip
    grams: dict[int, list[str]] = {w: [] for w in network.widths}
    activations: dict[int, list[np.ndarray]] = {w: [] for w in network.widths}
    with torch.inference_mode():
        for start in range(0, len(tokens), 256):
            batch = tokens[start : start + 256]
            ids, _ = model._batch([[model._index.get(w, 1) for w in s] for s in batch])
            x = network.embedding(ids).transpose(1, 2)
            for width, conv in zip(network.widths, network.convs, strict=True):
                h = torch.relu(conv(x))[:, chosen].float().cpu().numpy()  # (B, F, T - w + 1)
                for row, words in enumerate(batch):
                    full = len(words) - width + 1  # the full windows of real words
                    if full > 0:
                        grams[width] += [" ".join(words[t : t + width]) for t in range(full)]
                        activations[width].append(h[row, :, :full].T)  # (windows, F)
    out = []
    for width in network.widths:
        table = np.concatenate(activations[width]) if activations[width] else None
        for j, f in enumerate(chosen):
            ranked: list[tuple[str, float]] = []
            if table is not None:
                seen = set()
                # subtle: a stable sort, so equal activations keep corpus order.
                for k in np.argsort(-table[:, j], kind="stable"):
                    if grams[width][k] not in seen:
                        seen.add(grams[width][k])
                        ranked.append((grams[width][k], float(table[k, j])))
                        if len(ranked) == n:
                            break
            out.append(FilterNgrams(width, f, ranked))
    return out
