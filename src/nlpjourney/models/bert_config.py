"""BERT's configuration: the shape of the model, its presets, and reading ``config.json``.

Field names are Hugging Face's, so a checkpoint's ``config.json`` reads key for key
(:meth:`BertConfig.from_hf_config`); the settings this implementation leaves out are
refused by name. :mod:`nlpjourney.models.bert` re-exports everything here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from nlpjourney.configs import (
    ModelConfig,
    check_dropout,
    check_heads_divide,
    check_positive_int,
)

__all__ = ["PRESETS", "BertConfig"]


@dataclass(frozen=True)
class BertConfig(ModelConfig):
    """The shape of a BERT. Field names are Hugging Face's, as in ``config.json``.

    Example:
        >>> cfg = BertConfig.from_name("all-minilm-l6-v2")
        >>> cfg.hidden_size, cfg.num_hidden_layers, cfg.num_attention_heads
        (384, 6, 12)
        >>> BertConfig(hidden_size=100, num_attention_heads=3)
        Traceback (most recent call last):
        ...
        ValueError: num_attention_heads=3 does not divide hidden_size=100; each head gets hidden_size // num_attention_heads dims, pick a divisor
    """

    vocab_size: int = 30522
    """Token ids the model reads (BERT's uncased WordPiece: 30,522)."""
    hidden_size: int = 768
    """Model width C."""
    num_hidden_layers: int = 12
    """Transformer blocks."""
    num_attention_heads: int = 12
    """Attention heads per block; must divide ``hidden_size``."""
    intermediate_size: int = 3072
    """The feed-forward network's inner width (4 C in BERT-base and MiniLM)."""
    max_position_embeddings: int = 512
    """The most positions a sequence may have (the size of the position table)."""
    type_vocab_size: int = 2
    """Segment ids (sentence A / sentence B)."""
    layer_norm_eps: float = 1e-12
    """Every LayerNorm's eps (BERT's 1e-12, not the usual 1e-5)."""
    hidden_dropout_prob: float = 0.1
    """Dropout on the embeddings and on each block's two sublayer outputs, in training."""
    attention_probs_dropout_prob: float = 0.1
    """Dropout on the attention weights, in training."""
    pad_token_id: int = 0
    """The id of ``[PAD]``."""
    num_labels: int = 2
    """Classes of the classification heads."""
    classifier_dropout: float | None = None
    """Dropout before a classification head's linear layer; None uses ``hidden_dropout_prob``."""

    PRESET_KIND: ClassVar[str] = "BERT preset"

    def __post_init__(self) -> None:
        for name in (
            "vocab_size",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "intermediate_size",
            "max_position_embeddings",
            "type_vocab_size",
            "num_labels",
        ):
            check_positive_int(getattr(self, name), name)
        check_heads_divide(
            self.hidden_size, self.num_attention_heads, "hidden_size", "num_attention_heads"
        )
        for p in (self.hidden_dropout_prob, self.attention_probs_dropout_prob):
            check_dropout(p)
        if self.classifier_dropout is not None:
            check_dropout(self.classifier_dropout)
        eps = self.layer_norm_eps
        if isinstance(eps, bool) or not isinstance(eps, int | float) or not eps > 0:
            raise ValueError(f"layer_norm_eps must be a positive number, got {eps!r}")
        pad = self.pad_token_id
        if isinstance(pad, bool) or not isinstance(pad, int) or not 0 <= pad < self.vocab_size:
            raise ValueError(f"pad_token_id must be an id in [0, {self.vocab_size}), got {pad!r}")

    @property
    def head_size(self) -> int:
        """Dims per attention head, ``hidden_size // num_attention_heads``."""
        return self.hidden_size // self.num_attention_heads

    @classmethod
    def presets(cls) -> dict[str, BertConfig]:
        """:data:`PRESETS`."""
        return PRESETS

    @classmethod
    def from_hf_config(cls, hf: dict[str, Any]) -> BertConfig:
        """Our config from a Hugging Face BERT ``config.json`` (parsed).

        Keys this model has no use for (``initializer_range``, ``use_cache``...) are
        ignored; options it does not implement are a ValueError naming the key.

        Example:
            >>> BertConfig.from_hf_config({"hidden_size": 64, "num_attention_heads": 4,
            ...     "num_hidden_layers": 2, "intermediate_size": 256}).head_size
            16
            >>> BertConfig.from_hf_config({"hidden_act": "relu"})
            Traceback (most recent call last):
            ...
            ValueError: config.json sets hidden_act='relu'; this BERT implements only 'gelu'
        """
        if not isinstance(hf, dict):
            raise TypeError(f"from_hf_config takes the parsed config.json (a dict), got {hf!r}")
        if hf.get("model_type", "bert") != "bert":
            raise ValueError(f"config.json describes a {hf['model_type']!r} model, not BERT")
        for key, expected in _HF_FIXED.items():
            value = hf.get(key, expected)
            if value != expected:
                raise ValueError(
                    f"config.json sets {key}={value!r}; this BERT implements only {expected!r}"
                )
        values = {name: hf[name] for name in _HF_FIELDS if hf.get(name) is not None}
        if "classifier_dropout" in hf:
            values["classifier_dropout"] = hf["classifier_dropout"]
        # transformers writes id2label and derives num_labels from it.
        if isinstance(hf.get("id2label"), dict):
            values["num_labels"] = len(hf["id2label"])
        return cls(**values)


#: Named configurations: Google's BERT-base (uncased), the 6-layer MiniLM of
#: sentence-transformers' all-MiniLM-L6-v2, and Google's BERT-Tiny (2 layers, 128 wide)
#: for training from scratch on a CPU.
PRESETS: dict[str, BertConfig] = {
    "bert-base-uncased": BertConfig(),
    "all-minilm-l6-v2": BertConfig(
        hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536
    ),
    "bert-tiny": BertConfig(
        hidden_size=128, num_hidden_layers=2, num_attention_heads=2, intermediate_size=512
    ),
}

#: ``config.json`` keys read into :class:`BertConfig` (they share its field names).
_HF_FIELDS = (
    "vocab_size",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "intermediate_size",
    "max_position_embeddings",
    "type_vocab_size",
    "layer_norm_eps",
    "hidden_dropout_prob",
    "attention_probs_dropout_prob",
    "pad_token_id",
    "num_labels",
)

#: ``config.json`` options that this BERT implements only at these values.
_HF_FIXED: dict[str, Any] = {
    "hidden_act": "gelu",
    "position_embedding_type": "absolute",
    "is_decoder": False,
    "add_cross_attention": False,
    "tie_word_embeddings": True,
}


# -- weight names ------------------------------------------------------------------------

#: Our names inside a block (``nn.TransformerBlock``'s) -> Hugging Face BERT's.
