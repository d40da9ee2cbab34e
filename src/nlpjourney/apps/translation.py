"""Translation with :class:`~nlpjourney.models.transformer.Transformer`: data, loss, BLEU.

The pieces a translator needs around the model (:mod:`nlpjourney.apps.translator` puts
them together into a recipe that trains one):

- :func:`train_joint_bpe`: one byte-level BPE vocabulary for both languages (our
  :func:`~nlpjourney.tokenizers.train_bpe`) with ``<pad>``, ``<s>`` and ``</s>``, trained
  on the training captions only. Byte-level BPE decodes back to the exact text, so a
  translation needs no detokenizer before BLEU;
- :class:`ParallelBatches`: ``get_batch(split) -> ((src, tgt_in), tgt_out)`` for
  :class:`~nlpjourney.train.Trainer`, with sentences bucketed by length so a batch is
  mostly real tokens, not padding; resumable through ``state_dict``;
- :func:`label_smoothed_loss`: cross-entropy against targets smoothed by ``epsilon``
  (Szegedy et al. 2016, the paper's 0.1), padding ignored;
- :class:`Translator`: a trained model with its tokenizer, ``translate(sentences)``
  by greedy or beam search, and :func:`corpus_bleu` (sacreBLEU's BLEU, 13a tokenization,
  case-sensitive) against raw references.

Example::

    translator = Translator.from_checkpoint("runs/translator-de-en/ckpt.pt")
    translator.translate(["Ein Hund läuft durch den Schnee."], beam_size=4)
    # ['A dog runs through the snow.']

Reference: sacreBLEU's ``corpus_bleu`` (the score itself), fairseq's
``label_smoothed_cross_entropy`` and its length-bucketed batches.

Simplifications: batches hold a fixed number of sentences (the Trainer's
``batch_size``), not a fixed number of tokens; the last partial batch of a bucket is
dropped each epoch (a different one each time, as the buckets are reshuffled).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from nlpjourney.errors import JourneyError
from nlpjourney.models.transformer import Transformer, TransformerConfig
from nlpjourney.tokenizers import ByteLevelBPETokenizer, train_bpe
from nlpjourney.tokenizers.base import from_hf_dict

__all__ = [
    "SPECIAL_TOKENS",
    "ParallelBatches",
    "Translator",
    "corpus_bleu",
    "encode_pairs",
    "label_smoothed_loss",
    "pad_batch",
    "special_ids",
    "train_joint_bpe",
]

#: Padding, begin and end of sentence, in this order after the merged tokens.
SPECIAL_TOKENS = ("<pad>", "<s>", "</s>")


def train_joint_bpe(texts: Sequence[str], vocab_size: int) -> ByteLevelBPETokenizer:
    """One byte-level BPE vocabulary for every language in ``texts``, plus the specials.

    Args:
        texts: training sentences of both languages.
        vocab_size: the whole vocabulary (256 bytes, merges, the 3 special tokens).
    """
    return train_bpe(list(texts), vocab_size, special_tokens=SPECIAL_TOKENS, progress=False)


def special_ids(tokenizer: Any) -> dict[str, int]:
    """``{"pad_id": ..., "bos_id": ..., "eos_id": ...}`` of a tokenizer with the specials."""
    ids = [tokenizer.token_to_id(token) for token in SPECIAL_TOKENS]
    if None in ids:
        raise ValueError(
            f"the tokenizer lacks the special tokens {SPECIAL_TOKENS}; train it with "
            "train_joint_bpe"
        )
    return dict(zip(("pad_id", "bos_id", "eos_id"), ids, strict=True))


def encode_pairs(
    tokenizer: Any, sources: Sequence[str], targets: Sequence[str], max_len: int
) -> tuple[list[list[int]], list[list[int]]]:
    """Source ids ending in EOS and target ids between BOS and EOS, pairs too long dropped.

    A pair is kept when the source (with EOS) and the target (with BOS and EOS) both fit
    in ``max_len`` tokens.

    Example: ``"Ein Hund."`` / ``"A dog."`` -> ``[Ein, _Hund, ., </s>]``,
    ``[<s>, A, _dog, ., </s>]``.
    """
    if len(sources) != len(targets):
        raise ValueError(f"{len(sources)} sources but {len(targets)} targets; pair them")
    s = special_ids(tokenizer)
    src_ids, tgt_ids = [], []
    for source, target in zip(sources, targets, strict=True):
        src = tokenizer.encode(source) + [s["eos_id"]]
        tgt = [s["bos_id"], *tokenizer.encode(target), s["eos_id"]]
        if len(src) <= max_len and len(tgt) <= max_len:
            src_ids.append(src)
            tgt_ids.append(tgt)
    return src_ids, tgt_ids


def pad_batch(
    sequences: Sequence[Sequence[int]], pad_id: int, multiple: int = 1, extra: int = 0
) -> Tensor:
    """Right-pad id lists into one (B, L) int64 tensor, L the longest length rounded up.

    ``L`` is the smallest ``multiple * n + extra`` that holds the longest sequence.
    Example: lengths 5 and 11 with ``multiple=8`` give L = 16; with ``extra=1``, 17.
    """
    longest = max(len(seq) for seq in sequences)
    longest = extra + multiple * -(-(longest - extra) // multiple)
    out = torch.full((len(sequences), longest), pad_id, dtype=torch.long)
    for row, seq in enumerate(sequences):
        out[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
    return out


class ParallelBatches:
    """``get_batch(split) -> ((src, tgt_in), tgt_out)`` over length-bucketed sentence pairs.

    Each epoch of a split: the pairs are sorted by target then source length with a
    little random jitter (so equal lengths mix differently each epoch), cut into runs of
    ``batch_size``, and the runs are shuffled. A batch is then padded only to its own
    longest sentence. ``tgt_in`` is the target without its last token, ``tgt_out``
    without its first (BOS): the model predicts ``tgt_out[t]`` from ``tgt_in[: t + 1]``.

    Args:
        splits: ``{"train": (src_ids, tgt_ids), "val": ...}`` from :func:`encode_pairs`.
        batch_size: sentence pairs per batch (at most the smallest split's size).
        pad_id: the padding id.
        seed: seeds one generator per split.
        device: where batches go.

    Shapes:
        src (B, S), tgt_in (B, T), tgt_out (B, T) int64.
    """

    def __init__(
        self,
        splits: dict[str, tuple[list[list[int]], list[list[int]]]],
        batch_size: int,
        pad_id: int,
        seed: int = 0,
        device: str | torch.device = "cpu",
    ) -> None:
        smallest = min(len(src) for src, _ in splits.values())
        if not 1 <= batch_size <= smallest:
            raise ValueError(
                f"batch_size must be between 1 and the smallest split's {smallest} pairs, "
                f"got {batch_size}"
            )
        self.splits, self.batch_size, self.pad_id = splits, batch_size, pad_id
        self.device = device
        self.generators = {name: np.random.default_rng([seed, i]) for i, name in enumerate(splits)}
        self._order: dict[str, list[np.ndarray]] = {name: [] for name in splits}

    def _new_epoch(self, split: str) -> list[np.ndarray]:
        src, tgt = self.splits[split]
        rng = self.generators[split]
        tgt_len = np.array([len(t) for t in tgt], dtype=np.float64)
        src_len = np.array([len(s) for s in src], dtype=np.float64)
        jitter = rng.uniform(-1.0, 1.0, size=len(tgt))
        order = np.lexsort((src_len + jitter, tgt_len + jitter))  # by target, then source
        runs = [
            order[i : i + self.batch_size]
            for i in range(0, len(order) - self.batch_size + 1, self.batch_size)
        ]
        rng.shuffle(runs)  # type: ignore[arg-type]
        return runs

    def __call__(self, split: str) -> tuple[tuple[Tensor, Tensor], Tensor]:
        """The next batch of ``split``: ``((src, tgt_in), tgt_out)``."""
        if split not in self.splits:
            raise ValueError(f"no split {split!r}; this sampler has {sorted(self.splits)}")
        if not self._order[split]:
            self._order[split] = self._new_epoch(split)
        rows = self._order[split].pop()
        src_ids, tgt_ids = self.splits[split]
        # subtle: lengths rounded up to a multiple of 8 (tgt_in and tgt_out are one shorter
        # than tgt) keep the set of matmul shapes small. Under bfloat16 autocast on a CPU,
        # oneDNN compiles and caches kernels per shape: with every length its own shape,
        # a run spent more time compiling than multiplying, and its memory grew by
        # ~150 MB a minute.
        src = pad_batch([src_ids[i] for i in rows], self.pad_id, multiple=8)
        tgt = pad_batch([tgt_ids[i] for i in rows], self.pad_id, multiple=8, extra=1)
        return (src.to(self.device), tgt[:, :-1].to(self.device)), tgt[:, 1:].to(self.device)

    def state_dict(self) -> dict[str, Any]:
        """Generator states and the batches left in each epoch (plain lists and ints)."""
        return {
            "generators": {name: g.bit_generator.state for name, g in self.generators.items()},
            "order": {name: [run.tolist() for run in runs] for name, runs in self._order.items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Put back :meth:`state_dict`'s states."""
        for name, g in self.generators.items():
            g.bit_generator.state = state["generators"][name]
        self._order = {
            name: [np.array(run, dtype=np.int64) for run in runs]
            for name, runs in state["order"].items()
        }

    def epoch_batches(self, split: str = "train") -> int:
        """Batches in one epoch of ``split``."""
        return len(self.splits[split][0]) // self.batch_size


def label_smoothed_loss(
    logits: Tensor, targets: Tensor, pad_id: int, epsilon: float = 0.1
) -> Tensor:
    """Mean cross-entropy over non-pad targets, against ``(1 - eps) one_hot + eps / V``.

    Shapes:
        logits (B, T, V), targets (B, T) -> scalar.
    """
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]).float(),
        targets.reshape(-1),
        ignore_index=pad_id,
        label_smoothing=epsilon,
    )


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """sacreBLEU's corpus BLEU (13a tokenization, case-sensitive), one reference each.

    Raises:
        JourneyError: sacrebleu is not installed (``pip install sacrebleu``).
    """
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    try:
        import sacrebleu
    except ImportError:
        raise JourneyError("BLEU needs sacrebleu; install it with: pip install sacrebleu") from None
    return float(sacrebleu.corpus_bleu(list(hypotheses), [list(references)]).score)


class Translator:
    """A trained :class:`~nlpjourney.models.transformer.Transformer` and its tokenizer.

    Args:
        model: the encoder-decoder; its config's special ids must be the tokenizer's.
        tokenizer: the joint vocabulary it was trained with.
        pair: ``"de-en"``-style source and target languages (for messages only).
    """

    #: What marks a checkpoint's ``meta`` as this kind of translator's.
    meta_kind: ClassVar[str] = "nlpjourney.models.transformer"
    #: The model class and its config class (with ``from_dict``/``to_dict``).
    model_class: ClassVar[type[torch.nn.Module]] = Transformer
    config_class: ClassVar[Any] = TransformerConfig
    #: What messages call it, and the command that trains one.
    what: ClassVar[str] = "translator"
    train_command: ClassVar[str] = "journey train translator"

    def __init__(self, model: Any, tokenizer: Any, pair: str = "") -> None:
        if not isinstance(model, self.model_class):
            name = self.model_class.__name__
            raise TypeError(f"model must be a {name}, got {type(model).__name__}")
        ids = special_ids(tokenizer)
        config_ids = {name: getattr(model.config, name) for name in ids}
        if ids != config_ids:
            raise ValueError(
                f"the tokenizer's special ids {ids} differ from the model's {config_ids}"
            )
        self.model, self.tokenizer, self.pair = model, tokenizer, pair

    @property
    def device(self) -> torch.device:
        """Where the model's weights are."""
        return next(self.model.parameters()).device

    def encode_sources(self, sentences: Sequence[str]) -> Tensor:
        """Source ids with EOS, right-padded, cut to ``max_len`` tokens: (B, S)."""
        c = self.model.config
        rows = [(self.tokenizer.encode(s)[: c.max_len - 1]) + [c.eos_id] for s in sentences]
        return pad_batch(rows, c.pad_id).to(self.device)

    def decode_targets(self, ids: Tensor) -> list[str]:
        """Text of each row of output ids, up to its EOS."""
        c = self.model.config
        texts = []
        for row in ids.tolist():
            row = row[: row.index(c.eos_id)] if c.eos_id in row else row
            texts.append(self.tokenizer.decode([i for i in row if i != c.pad_id]))
        return texts

    def translate(
        self,
        sentences: Sequence[str],
        beam_size: int = 4,
        batch_size: int = 100,
        length_penalty: float = 0.6,
    ) -> list[str]:
        """Translate each sentence; ``beam_size=1`` is greedy decoding.

        Sentences are translated ``batch_size`` at a time, sorted by length so a batch
        pads little; the output is in the input's order.
        """
        if isinstance(sentences, str):
            raise TypeError("translate takes a list of sentences; wrap one in [...]")
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        out: list[str] = [""] * len(sentences)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            src = self.encode_sources([sentences[i] for i in chunk])
            if beam_size == 1:
                ids = self.model.greedy_decode(src)
            else:
                ids = self.model.beam_search(src, beam_size, length_penalty=length_penalty)
            for i, text in zip(chunk, self.decode_targets(ids), strict=True):
                out[i] = text
        return out

    def bleu(self, sources: Sequence[str], references: Sequence[str], **options: Any) -> float:
        """:func:`corpus_bleu` of the translations of ``sources`` against ``references``."""
        return corpus_bleu(self.translate(sources, **options), references)

    def meta(self) -> dict[str, Any]:
        """Plain values that rebuild this translator with :meth:`from_meta`."""
        return {
            "kind": self.meta_kind,
            "pair": self.pair,
            "model_config": self.model.config.to_dict(),
            "tokenizer": self.tokenizer.to_hf_dict(),
        }

    @classmethod
    def from_meta(
        cls, meta: dict[str, Any], state_dict: dict[str, Tensor] | None = None
    ) -> Translator:
        """A translator from :meth:`meta`'s values and, optionally, trained weights.

        The metadata is checked against the weights before the model is built
        (:func:`~nlpjourney.apps.runs.model_for_weights`), so a damaged or forged
        ``meta`` is one clear error, never an allocation of whatever size it names.

        Raises:
            JourneyError: ``meta`` is not a translator's, is damaged, or does not
                describe the weights.
        """
        from nlpjourney.apps.runs import model_for_weights

        if not isinstance(meta, dict) or meta.get("kind") != cls.meta_kind:
            raise JourneyError(
                f"this checkpoint was not written for a {cls.what} (no {cls.what} meta); "
                f"train one with: {cls.train_command}"
            )
        try:
            config = cls.config_class.from_dict(meta["model_config"])
            spec = meta["tokenizer"]
        except (KeyError, TypeError, ValueError) as error:
            raise JourneyError(
                f"the {cls.what} metadata of this checkpoint is damaged ({error}); train "
                f"the {cls.what} again or use a good copy"
            ) from None
        if state_dict is None:
            model = cls.model_class(config)
        else:
            model = model_for_weights(lambda: cls.model_class(config), state_dict, "the checkpoint")
            model.load_state_dict(state_dict)
        tokenizer = from_hf_dict(spec, "the checkpoint's tokenizer")
        if tokenizer.vocab_size > config.vocab_size:
            raise JourneyError(
                f"the {cls.what} metadata of this checkpoint is damaged: its tokenizer has "
                f"{tokenizer.vocab_size} ids, its model {config.vocab_size}"
            )
        return cls(model.eval(), tokenizer, meta.get("pair", ""))

    @classmethod
    def from_checkpoint(cls, path: str | Path, device: str = "cpu") -> Translator:
        """The translator saved by a Trainer run (``ckpt.pt`` with :meth:`meta`)."""
        from nlpjourney.train import load_checkpoint

        checkpoint = load_checkpoint(Path(path))  # weights_only, and checked
        translator = cls.from_meta(checkpoint.get("meta") or {}, checkpoint["model"])
        translator.model.to(device)
        return translator


#: Marks a checkpoint's ``meta`` as a translator's.
META_KIND = Translator.meta_kind
