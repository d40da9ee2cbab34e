"""What BERT trains on: masked tokens, the polarity and CoNLL-2003 sets, batches, span F1.

- :func:`mask_tokens`: BERT's pretraining corruption. About ``mask_prob`` of the real
  tokens are chosen; of those 80 % become ``[MASK]``, 10 % a random word, 10 % stay
  as they are; the labels hold the original id at the chosen positions and -100
  (ignored by the loss) everywhere else. ``[CLS]``, ``[SEP]`` and ``[PAD]`` are never
  chosen.
- :func:`sentence_polarity` and :func:`split_examples`: NLTK's 10,662 movie-review
  sentences, positive or negative, split 90/10 by a seed.
- :func:`conll2003` and :func:`align_labels`: CoNLL-2003's English NER sentences with
  their tags in IOB2 (:func:`iob1_to_iob2`), and the word-piece alignment: a word's tag
  goes on its first piece, the other pieces get -100.
- :func:`entity_spans` and :func:`span_f1`: entity-level precision, recall and F1 as
  the CoNLL evaluation script (``conlleval``) counts them: an entity is right only when
  its type and both its ends are (:mod:`nlpjourney.evaluate.sequence` counts them, and
  :func:`nlpjourney.tagging.ner.convert_scheme` converts schemes).
- :class:`ExampleSampler`: batches of padded examples for the
  :class:`~nlpjourney.train.Trainer`, an epoch at a time, resumable.

Reference: ``transformers``' ``DataCollatorForLanguageModeling`` (the 80/10/10 rule)
and ``seqeval``'s ``classification_report`` in its default (conlleval) mode.

Simplifications:
    - whole-word masking and span masking are left out: each piece is chosen alone.
    - span F1 reads IOB2 (and IOB1 through :func:`iob1_to_iob2`); for other schemes use
      :mod:`nlpjourney.evaluate.sequence` with ``mode="strict"``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from nlpjourney.data import corpora
from nlpjourney.data.corpora import read_member
from nlpjourney.evaluate import sequence
from nlpjourney.tagging.ner import convert_scheme
from nlpjourney.tokenizers import Tokenizer

__all__ = [
    "CONLL_TAGS",
    "IGNORE_INDEX",
    "Example",
    "ExampleSampler",
    "align_labels",
    "conll2003",
    "entity_spans",
    "iob1_to_iob2",
    "mask_tokens",
    "sentence_polarity",
    "span_f1",
    "split_examples",
]

#: The label the loss skips (``torch.nn.functional.cross_entropy``'s ``ignore_index``).
IGNORE_INDEX = -100
#: CoNLL-2003's tags in IOB2, in the order of the token classifier's outputs.
CONLL_TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")

#: One training example: token ids and a label (a class, or one label per id).
Example = tuple[list[int], int | list[int]]


# -- masked language modelling -------------------------------------------------------------


def mask_tokens(
    ids: Tensor,
    tokenizer: Tokenizer,
    mask_prob: float = 0.15,
    *,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """BERT's masked-LM corruption of a batch of token ids.

    Each real token is chosen with probability ``mask_prob``; a chosen token becomes
    ``[MASK]`` 80 % of the time, a random non-special token 10 %, and stays 10 % (so
    the model cannot learn that only ``[MASK]`` positions matter). Special tokens
    (``[CLS]``, ``[SEP]``, ``[PAD]``, ...) are never chosen.

    Args:
        ids: token ids, (T,) or (B, T), an integer tensor.
        tokenizer: the tokenizer that made them; its ``special_tokens`` must hold
            ``[MASK]``.
        mask_prob: the share of real tokens to choose, in (0, 1).
        generator: torch's random generator (None: the global one).

    Returns:
        ``(inputs, labels)``, both shaped like ``ids``: the corrupted ids, and the
        original id at every chosen position, :data:`IGNORE_INDEX` elsewhere.

    Raises:
        TypeError: ``ids`` is not an integer tensor.
        ValueError: a bad ``mask_prob``, a tokenizer without ``[MASK]``, or ids outside
            its vocabulary.

    Example:
        >>> from nlpjourney.tokenizers import load
        >>> tok = load("bert-uncased")
        >>> ids = torch.tensor([tok.prefix_ids + tok.encode("the cat sat on the mat") + tok.suffix_ids])
        >>> inputs, labels = mask_tokens(ids, tok, 0.5, generator=torch.Generator().manual_seed(0))
        >>> bool((labels[0, [0, -1]] == IGNORE_INDEX).all())  # [CLS] and [SEP] never chosen
        True
        >>> bool((inputs[labels == IGNORE_INDEX] == ids[labels == IGNORE_INDEX]).all())
        True
    """
    if not isinstance(ids, Tensor) or ids.dtype.is_floating_point or ids.dtype == torch.bool:
        raise TypeError(f"ids must be an integer torch tensor, got {type(ids).__name__}")
    if ids.dim() not in (1, 2):
        raise ValueError(f"ids must be (T,) or (B, T), got shape {tuple(ids.shape)}")
    if isinstance(mask_prob, bool) or not 0.0 < float(mask_prob) < 1.0:
        raise ValueError(f"mask_prob must be between 0 and 1 (BERT uses 0.15), got {mask_prob}")
    specials = dict(tokenizer.special_tokens)
    if "[MASK]" not in specials:
        raise ValueError(
            f"the tokenizer has no [MASK] token (its specials: {sorted(specials)}); "
            "use a BERT WordPiece tokenizer such as tokenizers.load('bert-uncased')"
        )
    vocab_size = tokenizer.vocab_size
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= vocab_size):
        raise ValueError(f"ids must lie in [0, {vocab_size}) (the tokenizer's vocabulary)")
    special_ids = torch.tensor(sorted(specials.values()), dtype=ids.dtype, device=ids.device)
    maskable = ~torch.isin(ids, special_ids)
    device = ids.device

    def uniform() -> Tensor:
        return torch.rand(ids.shape, generator=generator, device=device)

    chosen = maskable & (uniform() < mask_prob)
    labels = torch.where(chosen, ids, torch.full_like(ids, IGNORE_INDEX))
    # One draw splits the chosen positions 80/10/10: below 0.8 [MASK], below 0.9 random.
    roll = uniform()
    to_mask = chosen & (roll < 0.8)
    to_random = chosen & (roll >= 0.8) & (roll < 0.9)
    # subtle: random words come from the ordinary vocabulary only; a random [SEP] or
    # [PAD] inside a sentence would teach the model nothing useful.
    ordinary = torch.ones(vocab_size, dtype=torch.bool, device=device)
    ordinary[special_ids[special_ids < vocab_size].long()] = False
    pool = ordinary.nonzero().squeeze(1).to(ids.dtype)
    picks = torch.randint(len(pool), ids.shape, generator=generator, device=device)
    inputs = torch.where(to_mask, torch.full_like(ids, specials["[MASK]"]), ids)
    inputs = torch.where(to_random, pool[picks], inputs)
    return inputs, labels


# -- sentence polarity ---------------------------------------------------------------------


def sentence_polarity() -> list[tuple[str, int]]:
    """NLTK's ``sentence_polarity``: 5,331 negative (0) then 5,331 positive (1) sentences.

    Pang and Lee's Rotten Tomatoes snippets, lower-cased and tokenized by their authors.

    Raises:
        DataNotFoundError: the corpus is neither in the cache nor in a mirror.
    """
    rows = []
    for label, name in enumerate(("neg", "pos")):
        # The files are Latin-1 (a few accented names), not UTF-8.
        text = read_member("sentence_polarity", f"sentence_polarity/rt-polarity.{name}", "latin-1")
        rows += [(line.strip(), label) for line in text.splitlines() if line.strip()]
    return rows


def split_examples(rows: Sequence[Any], test_fraction: float, seed: int) -> tuple[list, list]:
    """``rows`` shuffled by ``seed`` and cut into (train, test), ``test_fraction`` in test.

    >>> split_examples(list(range(10)), 0.2, seed=0)[1]
    [4, 6]
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    order = np.random.default_rng(seed).permutation(len(rows))
    cut = round(len(rows) * test_fraction)
    return [rows[i] for i in order[cut:]], [rows[i] for i in order[:cut]]


# -- CoNLL-2003 named entities -------------------------------------------------------------


def iob1_to_iob2(tags: Sequence[str]) -> list[str]:
    """IOB1 tags (``I-`` opens an entity unless it continues one) as IOB2 (``B-`` opens each).

    >>> iob1_to_iob2(["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"])
    ['B-PER', 'I-PER', 'O', 'B-LOC', 'B-LOC', 'B-ORG']
    """
    return convert_scheme(tags, "IOB1", "IOB2")


def conll2003(split: str = "train") -> list[tuple[list[str], list[str]]]:
    """CoNLL-2003's English sentences as ``(words, tags)``, tags in IOB2 (:data:`CONLL_TAGS`).

    The rows come from :func:`nlpjourney.data.corpora.conll2003`.

    Args:
        split: ``"train"`` (``eng.train``, 14,041 sentences) or ``"testa"`` (the
            development set, 3,250).

    Raises:
        ValueError: another split.
        DataNotFoundError: the files are neither in the cache nor in a mirror.
    """
    rows = corpora.conll2003(split)
    return [
        ([row[0] for row in sentence], iob1_to_iob2([row[3] for row in sentence]))
        for sentence in rows
    ]


def align_labels(
    words: Sequence[str],
    labels: Sequence[int],
    tokenizer: Tokenizer,
    max_length: int = 128,
) -> tuple[list[int], list[int]]:
    """A tagged sentence as model input: ``[CLS]`` pieces ``[SEP]`` and one label per id.

    Each word is split into word pieces; its label goes on the first piece and the
    others get :data:`IGNORE_INDEX`, as do ``[CLS]`` and ``[SEP]``, so the loss and the
    predictions count each word once. Words past ``max_length`` are cut off (they get
    no prediction). A word with no pieces (a control character) reads as ``[UNK]``.

    Returns:
        ``(ids, piece_labels)``, equally long.

    Example:
        >>> from nlpjourney.tokenizers import load
        >>> tok = load("bert-uncased")
        >>> ids, labels = align_labels(["Gandalf", "smiled"], [1, 0], tok)
        >>> [tok.id_to_token(i) for i in ids]
        ['[CLS]', 'gan', '##dal', '##f', 'smiled', '[SEP]']
        >>> labels
        [-100, 1, -100, -100, 0, -100]
    """
    if len(words) != len(labels):
        raise ValueError(f"{len(words)} words but {len(labels)} labels; give one label a word")
    prefix, suffix = list(tokenizer.prefix_ids), list(tokenizer.suffix_ids)
    room = max_length - len(prefix) - len(suffix)
    if room < 1:
        raise ValueError(f"max_length {max_length} leaves no room between the special tokens")
    unk = tokenizer.special_tokens.get("[UNK]")
    ids: list[int] = []
    piece_labels: list[int] = []
    for word, label in zip(words, labels, strict=True):
        pieces = tokenizer.encode(word) or ([unk] if unk is not None else [])
        if not pieces or len(ids) + len(pieces) > room:
            if pieces:
                break  # the sentence is cut here
            continue
        ids += pieces
        piece_labels += [label] + [IGNORE_INDEX] * (len(pieces) - 1)
    ignored = [IGNORE_INDEX]
    return prefix + ids + suffix, ignored * len(prefix) + piece_labels + ignored * len(suffix)


def entity_spans(tags: Sequence[str]) -> set[tuple[str, int, int]]:
    """The entities in IOB2 tags as ``(type, start, end)``, ``end`` exclusive.

    As ``conlleval`` reads them, an ``I-`` tag that does not continue an entity of its
    type opens a new one.

    >>> sorted(entity_spans(["B-PER", "I-PER", "O", "I-LOC", "B-ORG", "I-LOC"]))
    [('LOC', 3, 4), ('LOC', 5, 6), ('ORG', 4, 5), ('PER', 0, 2)]
    """
    return set(sequence.entities(list(tags)))


def span_f1(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict[str, float]:
    """Entity-level precision, recall and F1 of ``predicted`` tag sequences against ``gold``.

    An entity counts as found only when its type, start and end all match.

    Returns:
        ``{"precision", "recall", "f1"}``, each in [0, 1] (0 where undefined).

    Example:
        >>> gold = [["B-PER", "I-PER", "O", "B-LOC"]]
        >>> pred = [["B-PER", "I-PER", "O", "B-ORG"]]
        >>> span_f1(gold, pred)
        {'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold sentences but {len(predicted)} predicted")
    for g, p in zip(gold, predicted, strict=True):
        if len(g) != len(p):
            raise ValueError(f"a sentence has {len(g)} gold tags but {len(p)} predicted")
    gold, predicted = [list(g) for g in gold], [list(p) for p in predicted]
    scores = {
        "precision": sequence.precision_score(gold, predicted, zero_division=0),
        "recall": sequence.recall_score(gold, predicted, zero_division=0),
        "f1": sequence.f1_score(gold, predicted, zero_division=0),
    }
    return {name: float(value) for name, value in scores.items()}


# -- batches ---------------------------------------------------------------------------


def pad_batch(examples: Sequence[Example], pad_id: int) -> tuple[Tensor, Tensor, Tensor]:
    """Examples padded to the longest: ``(ids, attention_mask, labels)``.

    ``labels`` is (B,) for class labels, (B, T) with :data:`IGNORE_INDEX` padding for
    per-token labels.
    """
    width = max(len(ids) for ids, _ in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    per_token = isinstance(examples[0][1], list)
    labels = (
        torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
        if per_token
        else torch.empty(len(examples), dtype=torch.long)
    )
    for row, (seq, label) in enumerate(examples):
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
        if isinstance(label, list):
            labels[row, : len(label)] = torch.tensor(label)
        else:
            labels[row] = label
    return ids, mask, labels


class ExampleSampler:
    """``sampler(split) -> ((ids, attention_mask[, labels]), labels)`` for the Trainer.

    The ``"train"`` split is read in shuffled epochs (every example once per epoch);
    ``"val"`` batches are drawn at random, for the Trainer's running estimate. With a
    ``masker`` (e.g. :func:`mask_tokens` bound to a tokenizer) each batch is corrupted
    when it is made and the labels are its output, and the model also receives the
    labels (a masked-LM model scores only the chosen positions). Its state
    (generators, epoch order, position) is checkpointed, so a resumed run sees the
    same batches.

    Args:
        splits: ``{"train": examples, "val": examples}``.
        batch_size: examples per batch.
        seed: seeds the order and the masking.
        pad_id: the padding id.
        masker: ``masker(ids, generator) -> (inputs, labels)``, or None.
    """

    def __init__(
        self,
        splits: dict[str, Sequence[Example]],
        batch_size: int,
        seed: int,
        pad_id: int = 0,
        masker: Callable[[Tensor, torch.Generator], tuple[Tensor, Tensor]] | None = None,
    ) -> None:
        for name in ("train", "val"):
            if not splits.get(name):
                raise ValueError(f"ExampleSampler needs a non-empty {name!r} split")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a whole number of at least 1, got {batch_size}")
        self.splits, self.batch_size, self.pad_id, self.masker = splits, batch_size, pad_id, masker
        self._rng = np.random.default_rng(seed)
        self._torch = torch.Generator().manual_seed(seed)
        self._order: list[int] = []
        self._pos = 0

    def _train_indices(self) -> list[int]:
        picked: list[int] = []
        while len(picked) < self.batch_size:
            if self._pos >= len(self._order):
                self._order = self._rng.permutation(len(self.splits["train"])).tolist()
                self._pos = 0
            take = self._order[self._pos : self._pos + self.batch_size - len(picked)]
            picked += take
            self._pos += len(take)
        return picked

    def __call__(self, split: str) -> tuple[tuple[Tensor, ...], Tensor]:
        if split not in self.splits:
            raise ValueError(f"no split {split!r}; this sampler has {sorted(self.splits)}")
        rows = self.splits[split]
        if split == "train":
            indices = self._train_indices()
        else:
            indices = self._rng.integers(len(rows), size=self.batch_size).tolist()
        ids, mask, labels = pad_batch([rows[i] for i in indices], self.pad_id)
        if self.masker is None:
            return (ids, mask), labels
        ids, labels = self.masker(ids, self._torch)
        return (ids, mask, labels), labels

    def state_dict(self) -> dict[str, Any]:
        """Everything the next batches depend on."""
        return {
            "rng": self._rng.bit_generator.state,
            "torch": self._torch.get_state(),
            "order": list(self._order),
            "pos": self._pos,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from :meth:`state_dict`'s state."""
        self._rng.bit_generator.state = state["rng"]
        self._torch.set_state(state["torch"])
        self._order, self._pos = list(state["order"]), int(state["pos"])
