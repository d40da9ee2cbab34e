"""BERT, the whole encoder in one file: config, embeddings, post-norm blocks, pooler, heads.

A bidirectional transformer encoder (Devlin et al. 2018)::

    input_ids (B, T) -> word(ids) + position(0..T-1) + token_type(segment ids)
                     -> LayerNorm -> dropout
                     -> num_hidden_layers x [ x = norm1(x + attn(x, padding mask)),
                                              x = norm2(x + mlp(x)) ]   (post-norm blocks)
                     -> hidden states (B, T, C)
    pooler: tanh(dense(hidden[:, 0]))  -> (B, C)   the [CLS] vector, for sentence heads

built from :mod:`nlpjourney.nn`: each block is a post-norm
:class:`~nlpjourney.nn.TransformerBlock` (non-causal
:class:`~nlpjourney.nn.MultiHeadAttention`, :class:`~nlpjourney.nn.LayerNorm` with
eps 1e-12, a :class:`~nlpjourney.nn.FeedForward` with exact GELU). Padding is masked
out of the keys: a padded position is seen by nobody, so a sentence's vectors do not
depend on how long the other sentences of its batch are.

Heads on top of :class:`Bert`:

- :class:`BertForMaskedLM`: ``dense -> GELU -> LayerNorm -> word embeddings^T + bias``,
  a score for every vocabulary entry at every position (the pretraining task);
- :class:`BertForSequenceClassification`: dropout and a linear layer on the pooled
  ``[CLS]`` vector (sentence polarity, spam);
- :class:`BertForTokenClassification`: dropout and a linear layer on every position
  (named entities, part of speech).

Weights load from Hugging Face checkpoints (``config.json`` + ``model.safetensors``)
key by key with :meth:`from_pretrained`: :func:`hf_keys` says which checkpoint tensors
fill each of our weights (the three query/key/value matrices stack into one
``qkv_proj``), and every tensor's shape is checked, an error naming the key.

Reference: ``transformers``' ``BertModel``, ``BertForMaskedLM``,
``BertForSequenceClassification`` and ``BertForTokenClassification`` (same hidden states,
pooled vectors and logits from the same weights, ``tests/models/test_bert.py``).

Simplifications:
    - absolute positions and exact GELU only (``position_embedding_type="absolute"``,
      ``hidden_act="gelu"``); no decoder mode, cross-attention or KV cache.
    - one ``model.safetensors`` (no shards), float32; the masked-LM decoder is always
      tied to the word embeddings; no next-sentence-prediction head.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Self

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from nlpjourney.models.bert_config import PRESETS, BertConfig
from nlpjourney.nn import LayerNorm, TransformerBlock

__all__ = [
    "PRESETS",
    "Bert",
    "BertConfig",
    "BertForMaskedLM",
    "BertForSequenceClassification",
    "BertForTokenClassification",
    "hf_keys",
]


BERT_BLOCK_NAMES = {
    "attn.out_proj": "attention.output.dense",
    "norm1": "attention.output.LayerNorm",
    "mlp.up": "intermediate.dense",
    "mlp.down": "output.dense",
    "norm2": "output.LayerNorm",
}

_BLOCK_KEY = re.compile(r"encoder\.(\d+)\.(.+)\.(weight|bias)")


def hf_keys(key: str) -> list[str]:
    """The Hugging Face ``BertModel`` keys that fill our weight ``key``, in stacking order.

    >>> hf_keys("encoder.0.attn.qkv_proj.weight")
    ['encoder.layer.0.attention.self.query.weight', 'encoder.layer.0.attention.self.key.weight', 'encoder.layer.0.attention.self.value.weight']
    >>> hf_keys("embeddings.norm.bias"), hf_keys("pooler.weight")
    (['embeddings.LayerNorm.bias'], ['pooler.dense.weight'])
    """
    if key.startswith("embeddings.norm."):
        return [key.replace("embeddings.norm.", "embeddings.LayerNorm.")]
    if key.startswith("pooler."):
        return [key.replace("pooler.", "pooler.dense.")]
    block = _BLOCK_KEY.fullmatch(key)
    if block is None:
        return [key]  # the embedding tables keep their names
    layer, module, part = block.groups()
    if module == "attn.qkv_proj":
        return [
            f"encoder.layer.{layer}.attention.self.{p}.{part}" for p in ("query", "key", "value")
        ]
    return [f"encoder.layer.{layer}.{BERT_BLOCK_NAMES[module]}.{part}"]


# -- the encoder -------------------------------------------------------------------------


class _BertModule(nn.Module):
    """What the encoder and its heads share: BERT's init and loading from a checkpoint."""

    config: BertConfig

    def _init_weights(self, module: nn.Module) -> None:
        """BERT's initialisation: normal(0, 0.02) matrices and tables, zero biases."""
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def _head_keys(self, hf_state: dict[str, Tensor]) -> dict[str, list[str]]:
        """Our head's weights -> their checkpoint keys (none for the bare encoder)."""
        return {}

    @classmethod
    def _from_config(cls, config: BertConfig, hf_state: dict[str, Tensor]) -> Self:
        return cls(config)

    @classmethod
    def from_pretrained(cls, folder: str | Path, **config_changes: Any) -> Self:
        """This model with the weights of a Hugging Face BERT checkpoint on disk.

        The encoder's weights must all be there. A head's weights are copied when the
        checkpoint has them, and freshly initialised when it has none (a bare encoder
        such as all-MiniLM-L6-v2, to be fine-tuned); half a head is an error.

        Args:
            folder: a folder with ``config.json`` and ``model.safetensors`` (what
                ``BertModel.save_pretrained`` or a head's writes).
            config_changes: fields of :class:`BertConfig` to set differently from
                ``config.json`` (``num_labels=5`` for a new head, dropouts).

        Raises:
            FileNotFoundError: a file is missing.
            ValueError: the checkpoint is not a BERT this model can hold (an option we
                do not implement, a missing or unexpected weight, a wrong shape: the
                message names the key).
        """
        folder = Path(folder)
        weights, config_file = folder / "model.safetensors", folder / "config.json"
        for needed in (config_file, weights):
            if not needed.is_file():
                raise FileNotFoundError(
                    f"{needed} not found; point at a folder with config.json and "
                    "model.safetensors (BertModel.save_pretrained writes both)"
                )
        hf = json.loads(config_file.read_text(encoding="utf-8"))
        config = BertConfig.from_hf_config(hf).replace(**config_changes)
        from safetensors.torch import load_file  # only needed here

        hf_state = load_file(weights)
        model = cls._from_config(config, hf_state)
        model.load_hf_state_dict(hf_state)
        return model.eval()

    def load_hf_state_dict(self, hf_state: dict[str, Tensor]) -> None:
        """Copy a Hugging Face BERT state dict into this model, key by key, shapes checked.

        Raises:
            ValueError: a weight is missing, unexpected or of the wrong shape.
        """
        hf_state = {_modern_name(k): v for k, v in hf_state.items()}
        head = self._head_keys(hf_state)  # before the tied copies are dropped: it checks them
        hf_state = {k: v for k, v in hf_state.items() if not _ignored(k)}
        encoder = self if isinstance(self, Bert) else self.bert
        assert isinstance(encoder, Bert)
        prefix = "" if encoder is self else "bert."
        # A head's checkpoint prefixes the encoder with "bert."; a bare encoder's does not.
        hf_prefix = "bert." if any(k.startswith("bert.") for k in hf_state) else ""
        sources = {
            prefix + key: [hf_prefix + k for k in hf_keys(key)] for key in encoder.state_dict()
        }
        present = [key for key, names in head.items() if all(n in hf_state for n in names)]
        if present and len(present) < len(head):
            absent = sorted(set(head) - set(present))
            raise ValueError(
                f"the checkpoint holds part of the {type(self).__name__} head: it lacks the "
                f"weights for {absent}; is it the same kind of model?"
            )
        sources.update({key: head[key] for key in present})
        wanted = {name for names in sources.values() for name in names}
        missing = sorted(wanted - set(hf_state))
        # A bare encoder ignores a head's weights; a head ignores nothing it does not use.
        spare = [k for k in hf_state if k not in wanted]
        if encoder is self and hf_prefix:
            spare = [k for k in spare if k.startswith("bert.")]
        if encoder.pooler is None:  # the token and masked-LM heads leave the pooler out
            spare = [k for k in spare if not k.startswith(f"{hf_prefix}pooler.")]
        if missing or spare:
            raise ValueError(
                f"the checkpoint does not fit this {type(self).__name__}: missing "
                f"{missing[:5]}, unexpected {sorted(spare)[:5]} ({len(missing)} and "
                f"{len(spare)} in all); is it a BERT with this config.json?"
            )
        ours = self.state_dict()
        with torch.no_grad():
            for key, names in sources.items():
                target = ours[key]
                rows = target.shape[0] // len(names)  # the q, k, v parts of a stacked weight
                expected = (rows, *target.shape[1:]) if target.ndim else target.shape
                for i, name in enumerate(names):
                    source = hf_state[name]
                    if tuple(source.shape) != tuple(expected):
                        raise ValueError(
                            f"{name}: the checkpoint has shape {tuple(source.shape)}, this "
                            f"model expects {tuple(expected)} (for our {key}); config.json "
                            "does not match the weights"
                        )
                    part = target if len(names) == 1 else target[i * rows : (i + 1) * rows]
                    part.copy_(source)


def _modern_name(key: str) -> str:
    """Old TensorFlow-converted checkpoints call LayerNorm's weight and bias gamma and beta."""
    key = re.sub(r"LayerNorm\.gamma$", "LayerNorm.weight", key)
    return re.sub(r"LayerNorm\.beta$", "LayerNorm.bias", key)


def _ignored(key: str) -> bool:
    """Checkpoint entries that hold no weight of ours: buffers, the NSP head, and the
    masked-LM decoder (tied to the word embeddings; its bias is ``cls.predictions.bias``)."""
    return key.endswith(("embeddings.position_ids", "embeddings.token_type_ids")) or key in (
        "cls.seq_relationship.weight",
        "cls.seq_relationship.bias",
        "cls.predictions.decoder.weight",
        "cls.predictions.decoder.bias",
    )


class Bert(_BertModule):
    """The BERT encoder: embeddings, post-norm blocks, and (optionally) the pooler.

    Submodules: ``embeddings`` (``word_embeddings``, ``position_embeddings``,
    ``token_type_embeddings``, ``norm``), ``encoder`` (a list of
    :class:`~nlpjourney.nn.TransformerBlock`), ``pooler`` (a linear layer, or None).

    Args:
        config: the sizes.
        add_pooler: build the ``[CLS]`` pooler (the masked-LM and token heads do not
            use it).
        fused: torch's one-kernel layer norm, GELU and attention (the same numbers as
            :mod:`nlpjourney.nn`'s formulas written out, to float rounding).

    Shapes:
        forward: input_ids (B, T), attention_mask (B, T), token_type_ids (B, T)
        -> hidden states (B, T, C).

    Example:
        >>> model = Bert(BertConfig.from_name("bert-tiny").replace(vocab_size=100)).eval()
        >>> ids = torch.tensor([[2, 5, 7, 3], [2, 9, 3, 0]])
        >>> hidden = model(ids, attention_mask=ids != 0)
        >>> hidden.shape, model.pool(hidden).shape
        (torch.Size([2, 4, 128]), torch.Size([2, 128]))
    """

    def __init__(self, config: BertConfig, add_pooler: bool = True, fused: bool = True) -> None:
        super().__init__()
        if not isinstance(config, BertConfig):
            raise TypeError(f"Bert takes a BertConfig, got {type(config).__name__}")
        self.config = config
        c = config.hidden_size
        self.embeddings = nn.ModuleDict(
            {
                "word_embeddings": nn.Embedding(config.vocab_size, c),
                "position_embeddings": nn.Embedding(config.max_position_embeddings, c),
                "token_type_embeddings": nn.Embedding(config.type_vocab_size, c),
                "norm": LayerNorm(c, config.layer_norm_eps, fused=fused),
            }
        )
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.encoder = nn.ModuleList(_block(config, fused) for _ in range(config.num_hidden_layers))
        self.pooler = nn.Linear(c, c) if add_pooler else None
        self.apply(self._init_weights)

    @classmethod
    def _from_config(cls, config: BertConfig, hf_state: dict[str, Tensor]) -> Bert:
        # Build the pooler only when the checkpoint has one (a masked-LM checkpoint has none).
        return cls(config, add_pooler=any("pooler.dense." in k for k in hf_state))

    def forward(
        self,
        input_ids: Tensor,
        attention_mask: Tensor | None = None,
        token_type_ids: Tensor | None = None,
    ) -> Tensor:
        """The last block's hidden states.

        Args:
            input_ids: token ids (B, T), ``[CLS]`` first.
            attention_mask: 1 (or True) for real tokens, 0 for padding, (B, T); None: no
                padding.
            token_type_ids: segment ids (B, T); None: all 0 (one sentence).

        Shapes:
            (B, T) -> (B, T, C).
        """
        _check_ids(input_ids, self.config, "input_ids")
        batch, length = input_ids.shape
        emb = self.embeddings
        positions = torch.arange(length, device=input_ids.device)
        x = emb["word_embeddings"](input_ids) + emb["position_embeddings"](positions)  # (B, T, C)
        if token_type_ids is None:
            x = x + emb["token_type_embeddings"].weight[0]  # segment 0 everywhere
        else:
            if token_type_ids.shape != input_ids.shape:
                raise ValueError(
                    f"token_type_ids must have the shape of input_ids {tuple(input_ids.shape)}, "
                    f"got {tuple(token_type_ids.shape)}"
                )
            x = x + emb["token_type_embeddings"](token_type_ids)
        x = self.dropout(emb["norm"](x))
        mask = _key_mask(attention_mask, input_ids)
        for block in self.encoder:
            x = block(x, attn_mask=mask)
        return x

    def pool(self, hidden: Tensor) -> Tensor:
        """The pooled sentence vector ``tanh(dense(hidden[:, 0]))``, from the ``[CLS]`` position.

        Shapes:
            hidden (B, T, C) -> (B, C).
        """
        if self.pooler is None:
            raise ValueError("this Bert was built without a pooler (add_pooler=False)")
        return torch.tanh(self.pooler(hidden[:, 0]))


def _block(config: BertConfig, fused: bool) -> TransformerBlock:
    """BERT's block: post-norm, bidirectional attention, a feed-forward with exact GELU."""
    block = TransformerBlock(
        config.hidden_size,
        config.num_attention_heads,
        hidden_dim=config.intermediate_size,
        norm_first=False,
        mlp="gelu",
        dropout=config.hidden_dropout_prob,
        is_causal=False,
        norm_eps=config.layer_norm_eps,
        fused=fused,
    )
    # BERT has its own rate for the attention weights (the block uses one for both).
    block.attn.dropout = config.attention_probs_dropout_prob
    return block


def _check_ids(ids: Tensor, config: BertConfig, name: str) -> None:
    if not isinstance(ids, Tensor) or ids.ndim != 2 or ids.dtype.is_floating_point:
        shape = tuple(ids.shape) if isinstance(ids, Tensor) else type(ids).__name__
        raise ValueError(f"{name} must be an int tensor of token ids (B, T), got {shape}")
    if ids.shape[1] > config.max_position_embeddings:
        raise ValueError(
            f"{name} has {ids.shape[1]} positions; this BERT reads at most "
            f"{config.max_position_embeddings} (truncate the sequences)"
        )


def _key_mask(attention_mask: Tensor | None, input_ids: Tensor) -> Tensor | None:
    """The (B, T) padding mask as the (B, 1, 1, T) bool mask of the keys, or None.

    None when nothing is padded: the fused attention kernel runs fastest with no mask.
    """
    if attention_mask is None:
        return None
    if attention_mask.shape != input_ids.shape:
        raise ValueError(
            f"attention_mask must have the shape of input_ids {tuple(input_ids.shape)}, got "
            f"{tuple(attention_mask.shape)} (1 for real tokens, 0 for padding)"
        )
    keep = attention_mask.bool()
    if bool(keep.all()):
        return None
    # subtle: only keys are masked. A padded query still attends to the real tokens (its
    # output is junk that nobody reads), so no row of the attention is entirely masked.
    return keep[:, None, None, :]


# -- heads -------------------------------------------------------------------------------


class BertForMaskedLM(_BertModule):
    """BERT with the masked-language-model head: a vocabulary score at every position.

    ``logits = LayerNorm(gelu(transform(h))) @ word_embeddings^T + decoder_bias``: the
    output matrix is the input embedding table (tied), as in BERT's pretraining.

    Shapes:
        forward: input_ids (B, T), attention_mask (B, T) -> logits (B, T, vocab_size).
    """

    def __init__(self, config: BertConfig, fused: bool = True) -> None:
        super().__init__()
        self.config = config
        self.bert = Bert(config, add_pooler=False, fused=fused)
        c = config.hidden_size
        self.transform = nn.Linear(c, c)
        self.transform_norm = LayerNorm(c, config.layer_norm_eps, fused=fused)
        self.decoder_bias = nn.Parameter(torch.zeros(config.vocab_size))
        self.transform.apply(self._init_weights)

    def forward(
        self,
        input_ids: Tensor,
        attention_mask: Tensor | None = None,
        token_type_ids: Tensor | None = None,
    ) -> Tensor:
        """Scores of every vocabulary entry at every position (B, T, vocab_size)."""
        hidden = self.bert(input_ids, attention_mask, token_type_ids)  # (B, T, C)
        h = self.transform_norm(F.gelu(self.transform(hidden)))
        return F.linear(h, self.bert.embeddings["word_embeddings"].weight, self.decoder_bias)

    def _head_keys(self, hf_state: dict[str, Tensor]) -> dict[str, list[str]]:
        decoder = hf_state.get("cls.predictions.decoder.weight")
        words = hf_state.get("bert.embeddings.word_embeddings.weight")
        if decoder is not None and words is not None and not torch.equal(decoder, words):
            raise ValueError(
                "cls.predictions.decoder.weight differs from the word embeddings: an untied "
                "decoder, which this BertForMaskedLM (tied) cannot hold"
            )
        return {
            "transform.weight": ["cls.predictions.transform.dense.weight"],
            "transform.bias": ["cls.predictions.transform.dense.bias"],
            "transform_norm.weight": ["cls.predictions.transform.LayerNorm.weight"],
            "transform_norm.bias": ["cls.predictions.transform.LayerNorm.bias"],
            "decoder_bias": ["cls.predictions.bias"],
        }


class _Classifier(_BertModule):
    """A BERT encoder with dropout and a linear classifier named like Hugging Face's."""

    def _head_keys(self, hf_state: dict[str, Tensor]) -> dict[str, list[str]]:
        return {"classifier.weight": ["classifier.weight"], "classifier.bias": ["classifier.bias"]}

    def _build(self, config: BertConfig, add_pooler: bool, fused: bool) -> None:
        self.config = config
        self.bert = Bert(config, add_pooler=add_pooler, fused=fused)
        rate = config.classifier_dropout
        self.dropout = nn.Dropout(config.hidden_dropout_prob if rate is None else rate)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.classifier.apply(self._init_weights)


class BertForSequenceClassification(_Classifier):
    """BERT with a classifier on the pooled ``[CLS]`` vector: one label per sequence.

    Shapes:
        forward: input_ids (B, T), attention_mask (B, T) -> logits (B, num_labels).
    """

    def __init__(self, config: BertConfig, fused: bool = True) -> None:
        super().__init__()
        self._build(config, add_pooler=True, fused=fused)

    def forward(
        self,
        input_ids: Tensor,
        attention_mask: Tensor | None = None,
        token_type_ids: Tensor | None = None,
    ) -> Tensor:
        """Class scores of each sequence (B, num_labels)."""
        hidden = self.bert(input_ids, attention_mask, token_type_ids)
        return self.classifier(self.dropout(self.bert.pool(hidden)))


class BertForTokenClassification(_Classifier):
    """BERT with a classifier at every position: one label per token (NER, tagging).

    Shapes:
        forward: input_ids (B, T), attention_mask (B, T) -> logits (B, T, num_labels).
    """

    def __init__(self, config: BertConfig, fused: bool = True) -> None:
        super().__init__()
        self._build(config, add_pooler=False, fused=fused)

    def forward(
        self,
        input_ids: Tensor,
        attention_mask: Tensor | None = None,
        token_type_ids: Tensor | None = None,
    ) -> Tensor:
        """Class scores at every position (B, T, num_labels)."""
        hidden = self.bert(input_ids, attention_mask, token_type_ids)
        return self.classifier(self.dropout(hidden))
