"""A Chen & Manning-style neural transition parser, in torch.

The parser reads the 18 Chen & Manning positions of each configuration
(:mod:`nlpjourney.parsing.features`), the word and UPOS tag at each and the arc label of
the 12 child positions, and scores every labelled transition with one hidden layer:

    x = [vec(w_1) ... vec(w_18); emb(l_1) ... emb(l_12)]
    h = relu(W1 x + b1)          (dropout)
    scores = W2 h + b2           (softmax over labelled transitions)

``vec(w)`` is, in the plain model (``lstm=0``), the concatenation of the word and UPOS
embeddings of word ``w`` (as Chen & Manning); with ``lstm > 0`` (the default) it is the
output of a two-layer bidirectional LSTM run over the sentence's word and tag embeddings
(Kiperwasser & Goldberg 2016), so each position sees its whole sentence: the same
transition classifier on richer features (``lstm=0`` is the textbook model). An absent position gets a learned NULL
vector. Rare training words are replaced by UNKNOWN at random (word dropout, the
probability ``alpha / (alpha + count)``) so the UNKNOWN vector learns to stand for
unseen words.

Training is supervised by the static oracle: every configuration of every training
sentence's oracle derivation is one example (non-projective trees are first made
projective by lifting, :func:`~nlpjourney.parsing.projectivity.projectivize`). Batches
hold whole sentences, so the LSTM runs once per sentence and all its configurations
read it. Decoding is greedy and batched: the configurations of a batch of sentences
advance together, one forward pass of the classifier per step, illegal transitions
masked out.

Reference: Chen & Manning (2014), "A Fast and Accurate Dependency Parser using Neural
Networks"; Kiperwasser & Goldberg (2016), "Simple and Accurate Dependency Parsing Using
Bidirectional LSTM Feature Representations". Tested on real LinES sentences: it learns
a small treebank, and batched decoding equals decoding one sentence at a time.

Simplifications: ReLU instead of the cube activation (trains as well and more stably
with Adam); greedy decoding, no beam; trained on the static oracle only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlpjourney.parsing._greedy import (
    SYSTEMS,
    check_fitted,
    check_sentences,
    make_system,
    oracle_derivation,
)
from nlpjourney.parsing.features import (
    N_LABELS,
    N_POSITIONS,
    NULL,
    UNKNOWN,
    FeatureVocabulary,
    TransitionClasses,
    positions_and_labels,
)
from nlpjourney.progress import progress_bar

if TYPE_CHECKING:
    import torch
    from torch import nn

    from nlpjourney.parsing.conllu import Sentence

__all__ = ["NeuralParser"]

LOSS_PNG = "loss.png"


def _scorer(
    n_words: int,
    n_tags: int,
    n_labels: int,
    n_classes: int,
    embedding_dim: int,
    tag_dim: int,
    hidden: int,
    lstm: int,
    dropout: float,
) -> nn.Module:
    """The transition classifier (a torch module, built lazily so torch loads on demand)."""
    import torch
    from torch import nn

    class TransitionScorer(nn.Module):
        """Token vectors -> the features of a configuration -> transition scores."""

        def __init__(self) -> None:
            super().__init__()
            self.words = nn.Embedding(n_words, embedding_dim)
            self.tags = nn.Embedding(n_tags, tag_dim)
            self.labels = nn.Embedding(n_labels, tag_dim)
            token_dim = embedding_dim + tag_dim
            if lstm > 0:
                self.lstm = nn.LSTM(
                    token_dim, lstm, num_layers=2, bidirectional=True, batch_first=True,
                    dropout=dropout,
                )  # fmt: skip
                token_dim = 2 * lstm
            self.null = nn.Parameter(torch.zeros(token_dim))
            self.drop = nn.Dropout(dropout)
            self.hidden = nn.Linear(N_POSITIONS * token_dim + N_LABELS * tag_dim, hidden)
            self.out = nn.Linear(hidden, n_classes)

        def tokens(
            self, words: torch.Tensor, tags: torch.Tensor, lengths: list[int]
        ) -> torch.Tensor:
            """(S, L) word and tag ids of words 0..n, padded at the end, and each row's
            length -> (1 + S * L, D) token vectors, row 0 the NULL vector."""
            x = torch.cat([self.words(words), self.tags(tags)], dim=-1)  # (S, L, E + T)
            if lstm > 0:
                # subtle: packed, so the backward direction starts at each sentence's own
                # last word, not at the padding; a sentence reads the same in any batch.
                packed = nn.utils.rnn.pack_padded_sequence(
                    self.drop(x), lengths, batch_first=True, enforce_sorted=False
                )
                out, _ = self.lstm(packed)
                x, _ = nn.utils.rnn.pad_packed_sequence(
                    out, batch_first=True, total_length=x.shape[1]
                )  # (S, L, 2 * lstm)
            return torch.cat([self.null[None], x.reshape(-1, x.shape[-1])])

        def forward(
            self, table: torch.Tensor, rows: torch.Tensor, labels: torch.Tensor
        ) -> torch.Tensor:
            """Scores (M, C) of M configurations: ``rows`` (M, 18) index ``table``,
            ``labels`` (M, 12) are label ids."""
            x = torch.cat([table[rows].flatten(1), self.labels(labels).flatten(1)], dim=1)
            return self.out(self.drop(torch.relu(self.hidden(self.drop(x)))))

    return TransitionScorer()


class NeuralParser:
    """A greedy transition parser with a feed-forward (optionally BiLSTM-fed) classifier.

    Args:
        system: "arc-standard" or "arc-eager".
        embedding_dim: Word embedding size.
        tag_dim: UPOS tag and arc label embedding size.
        hidden: Hidden layer size.
        lstm: Hidden size of each direction of the sentence BiLSTM; 0 for the plain
            Chen & Manning feature embeddings.
        epochs: Passes over the training configurations.
        batch_size: Sentences per training step.
        lr: Adam learning rate.
        dropout: Dropout on the features and the hidden layer.
        word_dropout: ``alpha`` of word dropout (0 turns it off).
        seed: Seeds torch's generator and the word dropout.
        device: "cpu" or "cuda".

    Example::

        parser = NeuralParser(epochs=10).fit(ud_english("lines", "train"),
                                             dev=ud_english("lines", "dev"))
        parsed = parser.parse(ud_english("lines", "test"))
    """

    def __init__(
        self,
        system: str = "arc-standard",
        embedding_dim: int = 64,
        tag_dim: int = 32,
        hidden: int = 256,
        lstm: int = 64,
        epochs: int = 12,
        batch_size: int = 32,
        lr: float = 2e-3,
        dropout: float = 0.3,
        word_dropout: float = 0.25,
        seed: int = 0,
        device: str = "cpu",
    ) -> None:
        if system not in SYSTEMS:
            raise ValueError(f"unknown transition system {system!r}; choose one of {SYSTEMS}")
        sizes = {"embedding_dim": embedding_dim, "tag_dim": tag_dim, "hidden": hidden,
                 "epochs": epochs, "batch_size": batch_size}  # fmt: skip
        for name, value in sizes.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        if isinstance(lstm, bool) or not isinstance(lstm, int) or lstm < 0:
            raise ValueError(f"lstm must be 0 (no BiLSTM) or a hidden size, got {lstm!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        if not (lr > 0 and word_dropout >= 0):
            raise ValueError(f"lr must be > 0 and word_dropout >= 0, got {lr}, {word_dropout}")
        self.system = system
        self.embedding_dim, self.tag_dim, self.hidden, self.lstm = (
            embedding_dim, tag_dim, hidden, lstm,
        )  # fmt: skip
        self.epochs, self.batch_size, self.lr = epochs, batch_size, lr
        self.dropout, self.word_dropout, self.seed = dropout, word_dropout, seed
        self.device = device
        self.history_: list[dict[str, float]] = []

    # ----------------------------------------------------------------- training

    def fit(
        self,
        sentences: Sequence[Sentence],
        dev: Sequence[Sentence] | None = None,
        out_dir: str | Path | None = None,
        progress: bool | None = None,
    ) -> NeuralParser:
        """Train on parsed sentences by the static oracle.

        Args:
            sentences: Training sentences (forms, UPOS, heads and DEPRELs are read).
            dev: Held-out sentences: scored after every epoch, and the epoch with the best
                LAS is kept.
            out_dir: Where to draw ``loss.png`` (the training loss and dev scores per
                epoch); None draws nothing.
            progress: Show a progress bar (None: only on a terminal).

        Returns:
            ``self``.
        """
        import torch

        sentences = check_sentences(sentences, "NeuralParser.fit")
        dev = check_sentences(dev, "NeuralParser.fit(dev=...)") if dev is not None else None
        self.device_ = _device(self.device)
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)

        self.vocabulary_ = FeatureVocabulary.build(sentences)
        system = make_system(self.system)
        self.transitions_ = TransitionClasses(system.actions, self.vocabulary_.labels[3:])
        examples = [self._oracle_examples(system, s) for s in sentences if s.words]
        if not examples:
            raise ValueError("NeuralParser.fit needs at least one sentence with words")
        self.model_ = self._build().to(self.device_)
        optimizer = torch.optim.Adam(self.model_.parameters(), lr=self.lr)
        # Rare words stand in for unseen ones: dropped to UNKNOWN with alpha / (alpha + count).
        counts = np.asarray(self.vocabulary_.word_counts, dtype=np.float64)
        keep = counts / (self.word_dropout + counts) if self.word_dropout else np.ones_like(counts)
        keep[: UNKNOWN + 1] = 1.0

        self.history_ = []
        best, best_state = -1.0, None
        n_batches = math.ceil(len(examples) / self.batch_size)
        with progress_bar(
            "Training the parser", total=self.epochs * n_batches, unit="batches",
            enabled=progress,
        ) as bar:  # fmt: skip
            for epoch in range(1, self.epochs + 1):
                started = time.perf_counter()
                self.model_.train()
                order = rng.permutation(len(examples))
                total, count = 0.0, 0
                for start in range(0, len(order), self.batch_size):
                    batch = [examples[i] for i in order[start : start + self.batch_size]]
                    logits, gold = self._batch_scores(batch, keep, rng)
                    loss = torch.nn.functional.cross_entropy(logits, gold)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(gold)
                    count += len(gold)
                    bar.advance()
                row = {"epoch": float(epoch), "train_loss": total / count,
                       "seconds": time.perf_counter() - started}  # fmt: skip
                if dev is not None:
                    from nlpjourney.parsing import evaluate

                    scores = evaluate(dev, self.parse(dev))
                    row.update(dev_uas=scores.uas, dev_las=scores.las)
                    if row["dev_las"] > best:
                        best = row["dev_las"]
                        best_state = {k: v.detach().clone() for k, v in self.model_.state_dict().items()}  # fmt: skip
                    self.model_.train()
                self.history_.append(row)
                if out_dir is not None:
                    self.plot(Path(out_dir) / LOSS_PNG)
        if best_state is not None:
            self.model_.load_state_dict(best_state)
        self.model_.eval()
        return self

    def _build(self) -> nn.Module:
        return _scorer(
            len(self.vocabulary_.words), len(self.vocabulary_.tags), len(self.vocabulary_.labels),
            len(self.transitions_), self.embedding_dim, self.tag_dim, self.hidden, self.lstm,
            self.dropout,
        )  # fmt: skip

    def _oracle_examples(
        self, system: Any, sentence: Sentence
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """One sentence's training data: its word and tag ids, and for each configuration
        of its oracle derivation the 18 positions, 12 label ids and the gold class."""
        words, tags = self.vocabulary_.encode(sentence)
        classes = []
        label_ids = self.vocabulary_.label_ids
        positions, labels = [], []
        for config, action, label in oracle_derivation(system, sentence):
            p, lab = positions_and_labels([config], label_ids)
            positions.append(p[0])
            labels.append(lab[0])
            classes.append(self.transitions_.class_of(action, label))
        return (words, tags, np.array(positions), np.array(labels), np.array(classes))

    def _batch_scores(
        self, batch: list[tuple[np.ndarray, ...]], keep: np.ndarray, rng: np.random.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The scores of every configuration of a batch of sentences, and their gold classes."""

        words, tags = _pad([b[0] for b in batch]), _pad([b[1] for b in batch])
        dropped = rng.random(words.shape) >= keep[words]
        words = np.where(dropped, UNKNOWN, words)
        rows = _rows([b[2] for b in batch], words.shape[1])
        lengths = [len(b[0]) for b in batch]
        table = self.model_.tokens(self._tensor(words), self._tensor(tags), lengths)
        labels = np.concatenate([b[3] for b in batch])
        logits = self.model_(table, self._tensor(rows), self._tensor(labels))
        return logits, self._tensor(np.concatenate([b[4] for b in batch]))

    def _tensor(self, array: np.ndarray) -> torch.Tensor:
        import torch

        return torch.as_tensor(array, dtype=torch.long, device=self.device_)

    # ----------------------------------------------------------------- parsing

    def parse(self, sentences: Sequence[Sentence], batch_size: int = 256) -> list[Sentence]:
        """Parse sentences greedily, a batch at a time.

        Args:
            sentences: Sentences with forms and UPOS tags (their heads are ignored).
            batch_size: Sentences decoded together.

        Returns:
            Copies of ``sentences`` with HEAD and DEPREL predicted.
        """
        import torch

        check_fitted(hasattr(self, "model_"), "NeuralParser")
        sentences = check_sentences(sentences, "NeuralParser.parse")
        system = make_system(self.system)
        self.model_.eval()
        parsed: list[Sentence] = []
        with torch.no_grad():
            for start in range(0, len(sentences), batch_size):
                parsed += self._parse_batch(system, sentences[start : start + batch_size])
        return parsed

    def _parse_batch(self, system: Any, batch: list[Sentence]) -> list[Sentence]:
        encoded = [self.vocabulary_.encode(s) for s in batch]
        words, tags = _pad([e[0] for e in encoded]), _pad([e[1] for e in encoded])
        lengths = [len(e[0]) for e in encoded]
        table = self.model_.tokens(self._tensor(words), self._tensor(tags), lengths)
        configs = [system.initial(len(s.words)) for s in batch]
        classes = self.transitions_.classes
        active = [i for i, c in enumerate(configs) if not system.is_terminal(c)]
        while active:
            positions, labels = positions_and_labels(
                [configs[i] for i in active], self.vocabulary_.label_ids
            )
            # Each sentence's words sit at rows 1 + i * width ... of the token table.
            offsets = 1 + np.asarray(active) * words.shape[1]
            rows = np.where(positions >= 0, positions + offsets[:, None], 0)
            scores = self.model_(table, self._tensor(rows), self._tensor(labels)).cpu().numpy()
            masks = np.stack([self.transitions_.legal_mask(system.legal(configs[i])) for i in active])  # fmt: skip
            best = np.where(masks, scores, -np.inf).argmax(axis=1)
            for i, choice in zip(active, best, strict=True):
                action, label = classes[choice]
                system.apply(configs[i], action, label)
            active = [i for i in active if not system.is_terminal(configs[i])]
        for config in configs:
            system.finish(config)  # arc-eager may leave words without a head
        return [s.with_parse(c.heads, c.labels) for s, c in zip(batch, configs, strict=True)]

    # ----------------------------------------------------------------- pictures, saving

    def plot(self, path: str | Path) -> Path:
        """Draw the training loss and the dev UAS/LAS per epoch to a PNG."""
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        check_fitted(bool(self.history_), "NeuralParser")
        epochs = [row["epoch"] for row in self.history_]
        figure = Figure(figsize=(8, 4), layout="constrained")
        loss_axes, score_axes = figure.subplots(1, 2)
        loss_axes.plot(epochs, [row["train_loss"] for row in self.history_], marker="o",
                       label="train (cross-entropy)")  # fmt: skip
        loss_axes.set(xlabel="epoch", ylabel="loss per transition", title="Training loss")
        loss_axes.legend()
        if "dev_las" in self.history_[0]:
            for key, name in (("dev_uas", "UAS"), ("dev_las", "LAS")):
                score_axes.plot(epochs, [row[key] for row in self.history_], marker="o", label=name)
            score_axes.set(xlabel="epoch", ylabel="dev score (%)", title="Dev attachment scores")
            score_axes.legend()
        else:
            score_axes.set_axis_off()
            score_axes.text(0.5, 0.5, "no dev set given", ha="center", va="center")
        for axes in (loss_axes, score_axes):
            axes.set_xlim(0.5, len(epochs) + 0.5)  # whole epochs, even with one point
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=100)
        return path

    def _config(self) -> dict[str, Any]:
        return {
            "system": self.system, "embedding_dim": self.embedding_dim,
            "tag_dim": self.tag_dim, "hidden": self.hidden, "lstm": self.lstm,
            "epochs": self.epochs, "batch_size": self.batch_size, "lr": self.lr,
            "dropout": self.dropout, "word_dropout": self.word_dropout, "seed": self.seed,
        }  # fmt: skip

    def save(self, folder: str | Path) -> Path:
        """Save the parser to ``folder`` (``model.json`` + ``weights.npz``)."""
        from nlpjourney.saving import save_model

        check_fitted(hasattr(self, "model_"), "NeuralParser")
        config = {**self._config(), "vocabulary": self.vocabulary_.to_config(),
                  "history": self.history_}  # fmt: skip
        arrays = {k: v.detach().cpu().numpy() for k, v in self.model_.state_dict().items()}
        return save_model(folder, "NeuralParser", config, arrays)

    @classmethod
    def load(cls, folder: str | Path, device: str = "cpu") -> NeuralParser:
        """A parser saved by :meth:`save`, on ``device``.

        Raises:
            ModelFormatError: the folder is not a saved NeuralParser or is damaged.
        """
        import torch

        from nlpjourney.errors import ModelFormatError
        from nlpjourney.saving import load_model

        config, arrays = load_model(folder, "NeuralParser")
        try:
            vocabulary = FeatureVocabulary(**config.pop("vocabulary"))
            history = config.pop("history")
            parser = cls(**config, device=device)
            parser.vocabulary_ = vocabulary
            parser.history_ = history
            parser.transitions_ = TransitionClasses(make_system(parser.system).actions, vocabulary.labels[3:])  # fmt: skip
            parser.device_ = _device(device)
            model = parser._build()
            state = {k: torch.from_numpy(v) for k, v in arrays.items()}
            model.load_state_dict(state)
        except (KeyError, TypeError, ValueError, RuntimeError) as error:
            raise ModelFormatError(
                f"{folder} is not a readable NeuralParser ({str(error).splitlines()[0]}): "
                "train the parser again"
            ) from None
        parser.model_ = model.to(parser.device_).eval()
        return parser


def _device(name: str) -> torch.device:
    import torch

    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={name!r} but torch sees no CUDA GPU here; use device='cpu'")
    return torch.device(name)


def _pad(arrays: list[np.ndarray]) -> np.ndarray:
    """Equal-length rows, padded with NULL at the end. (S, L)"""
    width = max(len(a) for a in arrays)
    out = np.full((len(arrays), width), NULL, dtype=np.int64)
    for i, a in enumerate(arrays):
        out[i, : len(a)] = a
    return out


def _rows(positions: list[np.ndarray], width: int) -> np.ndarray:
    """Each sentence's (m_i, 18) positions as rows of its batch's token table (0 = NULL)."""
    offsets = np.repeat(1 + np.arange(len(positions)) * width, [len(p) for p in positions])
    stacked = np.concatenate(positions)
    return np.where(stacked >= 0, stacked + offsets[:, None], 0)
