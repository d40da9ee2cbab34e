"""Llama, the whole model in one file: config, blocks, KV-cache decoding, Hugging Face weights.

What Llama changes in GPT-2 (Touvron et al. 2023), each a piece of :mod:`nlpjourney.nn`::

    ids (B, T) -> embed_tokens(ids)                              (no position table)
               -> n_layers x [ x + attn(rms_norm1(x)),  x + swiglu(rms_norm2(x)) ]
               -> rms_norm -> lm_head (tied to embed_tokens or not) -> logits (B, T, V)

- :class:`~nlpjourney.nn.RMSNorm` instead of LayerNorm: no centring, no bias;
- rotary positions (:class:`~nlpjourney.nn.RotaryEmbedding`) on the queries and keys
  inside attention instead of a learned table added to the input, so the model has no
  position limit of its own beyond what it was trained on;
- grouped-query attention (``n_kv_heads < n_heads``): a key/value head is shared by
  ``n_heads // n_kv_heads`` query heads, so the KV cache is that many times smaller;
- the :class:`~nlpjourney.nn.SwiGLU` gated feed-forward instead of a GELU MLP;
- no biases anywhere.

Each block is a pre-norm :class:`~nlpjourney.nn.TransformerBlock`
(``norm="rms", mlp="swiglu"``) whose :class:`~nlpjourney.nn.MultiHeadAttention` holds
the rotary embedding and, when decoding, a :class:`~nlpjourney.nn.KVCache`.

Weights: :meth:`Llama.from_pretrained` reads a Hugging Face checkpoint folder
(``config.json`` and ``model.safetensors``, or shards listed in
``model.safetensors.index.json``), :meth:`Llama.from_gguf` a llama.cpp GGUF file
(dequantized). The outer names are Hugging Face's minus the ``model.`` prefix
(``embed_tokens``, ``layers``, ``norm``, ``lm_head``); inside a block they are ``nn``'s.
:mod:`~nlpjourney.models.llama_weights` holds the name tables and the shape-checked
copy: Hugging Face's three query, key and value matrices fill their rows of our stacked
``qkv_proj``, and GGUF's query and key rows are put back in the half-split RoPE order.

Reference: ``transformers``' ``LlamaForCausalLM`` (same logits and gradients from the
same weights, ``tests/models/test_llama.py``; and loading the same GGUF file), Meta's ``llama`` ``model.py``
(``ModelArgs``' field names).

Simplifications:
    - one head size, ``dim // n_heads`` (Hugging Face allows a different ``head_dim``).
    - RoPE scaling ``"linear"`` and ``"llama3"`` only (no dynamic NTK, YaRN, LongRoPE).
    - attention and feed-forward biases come together (``bias``), as in every Llama
      checkpoint we know; ``attention_bias != mlp_bias`` is refused.
    - the caches are :class:`~nlpjourney.nn.KVCache` or the preallocated
      :class:`~nlpjourney.nn.StaticKVCache`, one per layer; every row of a batch
      sits at the same positions (left padding is masked, not re-positioned).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from nlpjourney.configs import (
    ModelConfig,
    check_dropout,
    check_heads_divide,
    check_positive_int,
)
from nlpjourney.models.llama_weights import (
    HF_CONFIG_KEYS,
    WeightsError,
    copy_weights,
    gguf_config_fields,
    hf_config_fields,
    read_safetensors,
    unpermute_rope_rows,
    weight_names,
)
from nlpjourney.nn import (
    KVCache,
    Linear,
    RMSNorm,
    RopeScaling,
    RotaryEmbedding,
    TransformerBlock,
    layer_caches,
)

__all__ = ["PRESETS", "Llama", "LlamaConfig"]


@dataclass(frozen=True)
class LlamaConfig(ModelConfig):
    """The shape of a Llama; field names as in Meta's ``ModelArgs``. Presets: :meth:`from_name`.

    Example:
        >>> cfg = LlamaConfig.from_name("smollm2-135m")
        >>> cfg.dim, cfg.n_layers, cfg.n_heads, cfg.n_kv_heads, cfg.head_dim
        (576, 30, 9, 3, 64)
        >>> LlamaConfig(dim=64, n_heads=4, n_kv_heads=3)
        Traceback (most recent call last):
        ...
        ValueError: n_kv_heads=3 does not divide n_heads=4; each key/value head serves n_heads // n_kv_heads query heads, pick a divisor
    """

    vocab_size: int = 32000
    """Token ids the model reads and scores (Llama 2: 32,000; SmolLM2: 49,152)."""
    dim: int = 4096
    """Model width C (Hugging Face's ``hidden_size``)."""
    n_layers: int = 32
    """Transformer blocks (``num_hidden_layers``)."""
    n_heads: int = 32
    """Query heads per block; must divide ``dim`` (``num_attention_heads``)."""
    n_kv_heads: int | None = None
    """Key/value heads, dividing ``n_heads``; None: as many as ``n_heads`` (no grouping)."""
    hidden_dim: int = 11008
    """The SwiGLU feed-forward's inner width (``intermediate_size``)."""
    norm_eps: float = 1e-5
    """RMSNorm's eps, inside the square root (``rms_norm_eps``)."""
    rope_theta: float = 10000.0
    """RoPE's base: the longest wavelength (Llama 2: 10,000; Llama 3: 500,000)."""
    rope_scaling: RopeScaling | None = None
    """How RoPE is stretched to a longer context than trained on; None: not at all."""
    max_seq_len: int = 4096
    """The longest sequence, cache included, the model accepts (``max_position_embeddings``)."""
    tie_embeddings: bool = False
    """The output layer shares the token embedding matrix (``tie_word_embeddings``)."""
    bias: bool = False
    """Biases in the attention and feed-forward projections (Llama: none)."""
    dropout: float = 0.0
    """Dropout on the attention weights and each block's two outputs, in training only."""

    PRESET_KIND: ClassVar[str] = "Llama preset"

    def __post_init__(self) -> None:
        for name in ("vocab_size", "dim", "n_layers", "n_heads", "hidden_dim", "max_seq_len"):
            check_positive_int(getattr(self, name), name)
        check_heads_divide(self.dim, self.n_heads, "dim", "n_heads")
        if self.n_kv_heads is not None:
            check_positive_int(self.n_kv_heads, "n_kv_heads")
            if self.n_heads % self.n_kv_heads != 0:
                raise ValueError(
                    f"n_kv_heads={self.n_kv_heads} does not divide n_heads={self.n_heads}; "
                    "each key/value head serves n_heads // n_kv_heads query heads, pick a divisor"
                )
        if self.head_dim % 2 != 0:
            raise ValueError(
                f"the head size dim // n_heads = {self.head_dim} is odd; RoPE rotates pairs "
                "of dims, so choose dim and n_heads with an even quotient"
            )
        for name in ("norm_eps", "rope_theta"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{name} must be a number, got {value!r}")
        if not self.norm_eps > 0:
            raise ValueError(f"norm_eps must be > 0, got {self.norm_eps}")
        if not self.rope_theta > 1:
            raise ValueError(f"rope_theta must be > 1, got {self.rope_theta}")
        if self.rope_scaling is not None and not isinstance(self.rope_scaling, RopeScaling):
            raise TypeError(
                "rope_scaling must be None or an nlpjourney.nn.RopeScaling, got "
                f"{type(self.rope_scaling).__name__}"
            )
        for name in ("tie_embeddings", "bias"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        check_dropout(self.dropout)

    @property
    def head_dim(self) -> int:
        """Dims per attention head, ``dim // n_heads``."""
        return self.dim // self.n_heads

    @property
    def kv_heads(self) -> int:
        """Key/value heads: ``n_kv_heads``, or ``n_heads`` when that is None."""
        return self.n_heads if self.n_kv_heads is None else self.n_kv_heads

    @classmethod
    def presets(cls) -> dict[str, LlamaConfig]:
        """:data:`PRESETS`."""
        return PRESETS

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> LlamaConfig:
        """A config from :meth:`to_dict`'s output (``rope_scaling`` comes back as a dict)."""
        values = dict(values)
        if isinstance(values.get("rope_scaling"), dict):
            values["rope_scaling"] = RopeScaling(**values["rope_scaling"])
        return super().from_dict(values)

    @classmethod
    def from_hf_config(cls, hf: Mapping[str, Any], **changes: Any) -> LlamaConfig:
        """Our config from a Hugging Face Llama ``config.json``, read as a dict.

        Reads both layouts of RoPE settings: ``rope_parameters`` (transformers 5) and
        ``rope_theta`` + ``rope_scaling`` (earlier).

        Args:
            hf: the parsed ``config.json``.
            **changes: fields to set besides, e.g. ``dropout=0.1`` to fine-tune.

        Raises:
            ValueError: a required key is missing, or the checkpoint uses an option this
                Llama does not implement (the message names it).

        Example:
            >>> LlamaConfig.from_hf_config({"model_type": "llama", "vocab_size": 50,
            ...     "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
            ...     "num_attention_heads": 4, "num_key_value_heads": 2}).kv_heads
            2
        """
        fields = hf_config_fields(hf)
        try:
            return cls(**{**fields, **changes})
        except (TypeError, ValueError) as error:
            # Name the config.json key too: the reader has that file open, not our fields.
            field = next((f for f in HF_CONFIG_KEYS if str(error).startswith(f)), None)
            where = f" ({field} is config.json's {HF_CONFIG_KEYS[field]})" if field else ""
            raise type(error)(f"config.json: {error}{where}") from None

    @classmethod
    def from_gguf_metadata(cls, metadata: Mapping[str, Any], **changes: Any) -> LlamaConfig:
        """Our config from a GGUF file's metadata (its ``llama.*`` keys).

        The file says nothing of tied embeddings or biases in its metadata (the tensors
        do): pass ``tie_embeddings`` and ``bias`` in ``changes``, as :meth:`Llama.from_gguf`
        does.

        Raises:
            ValueError: not a Llama, a key missing, or an option this Llama lacks.
        """
        fields = gguf_config_fields(metadata)
        return cls(**{**fields, **changes})


#: Named configurations: ``tiny`` for tests, ``shakespeare-char-cpu`` the size of GPT's
#: CPU character model (with two key/value heads, SwiGLU at about 8/3 C), and
#: ``smollm2-135m`` the shape of SmolLM2-135M (Hugging Face's ``config.json``).
PRESETS: dict[str, LlamaConfig] = {
    "tiny": LlamaConfig(
        vocab_size=65, dim=32, n_layers=2, n_heads=4, n_kv_heads=2, hidden_dim=64,
        max_seq_len=32, tie_embeddings=True,
    ),
    "shakespeare-char-cpu": LlamaConfig(
        vocab_size=65, dim=128, n_layers=4, n_heads=4, n_kv_heads=2, hidden_dim=344,
        max_seq_len=64, tie_embeddings=True,
    ),
    "smollm2-135m": LlamaConfig(
        vocab_size=49152, dim=576, n_layers=30, n_heads=9, n_kv_heads=3, hidden_dim=1536,
        norm_eps=1e-5, rope_theta=100000.0, max_seq_len=8192, tie_embeddings=True,
    ),
}  # fmt: skip


class Llama(nn.Module):
    """Llama: token embeddings, ``n_layers`` pre-norm RMSNorm/GQA-RoPE/SwiGLU blocks, a head.

    Args:
        config: the model's shape.
        fused: run attention through torch's fused kernels
            (:func:`~nlpjourney.nn.fast_attention`); False runs our from-scratch formula.
            Same numbers to float rounding.

    Shapes:
        forward: ids (B, T) int64 -> logits (B, T, vocab_size) float32.

    Example:
        >>> model = Llama(LlamaConfig.from_name("tiny"))
        >>> model(torch.zeros(2, 5, dtype=torch.long)).shape
        torch.Size([2, 5, 65])
    """

    def __init__(self, config: LlamaConfig, fused: bool = True) -> None:
        super().__init__()
        if not isinstance(config, LlamaConfig):
            raise TypeError(
                "config must be a LlamaConfig (e.g. LlamaConfig.from_name('tiny')), "
                f"got {type(config).__name__}"
            )
        self.config, self.fused = config, fused
        self.embed_tokens = nn.Embedding(config.vocab_size, config.dim)
        # One rotary module serves every layer: its angles depend on nothing but position.
        rotary = RotaryEmbedding(config.head_dim, config.rope_theta, scaling=config.rope_scaling)
        self.layers = nn.ModuleList(
            TransformerBlock(
                config.dim,
                config.n_heads,
                hidden_dim=config.hidden_dim,
                num_kv_heads=config.kv_heads,
                norm="rms",
                mlp="swiglu",
                bias=config.bias,
                dropout=config.dropout,
                is_causal=True,
                norm_eps=config.norm_eps,
                rotary=rotary,
                fused=fused,
            )
            for _ in range(config.n_layers)
        )
        self.norm = RMSNorm(config.dim, config.norm_eps, fused=fused)
        self.lm_head = Linear(config.dim, config.vocab_size, bias=False)
        if config.tie_embeddings:
            self.lm_head.weight = self.embed_tokens.weight  # one (V, C) matrix for both ends
        self.apply(self._init_weights)
        # As GPT-2: the two projections into the residual stream of each block start
        # 1/sqrt(2 n_layers) smaller, so the stream's variance stays about 1 with depth.
        for name, param in self.named_parameters():
            if name.endswith(("attn.out_proj.weight", "mlp.down_proj.weight")):
                nn.init.normal_(param, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layers))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(
        self,
        ids: Tensor,
        caches: Sequence[KVCache] | None = None,
        *,
        attn_mask: Tensor | None = None,
        last_only: bool = False,
    ) -> Tensor:
        """The next-token logits at every position of ``ids`` (or at the last one).

        Args:
            ids: token ids.
            caches: one :class:`~nlpjourney.nn.KVCache` per layer (:meth:`new_caches`)
                holding the earlier positions; ``ids`` then holds only the new ones, which
                are rotated as positions ``cached .. cached + T - 1`` and appended to the
                caches in place.
            attn_mask: an optional bool (True = attend) or additive mask broadcastable to
                (B, n_heads, T, cached + T), e.g. ``(B, 1, 1, S)`` to hide left padding;
                the causal mask is always applied too.
            last_only: score only the last position, what generation needs: the head
                is the largest matrix, and a long prompt would spend much of its time
                in it otherwise. The top layer then attends and transforms only that
                position too (the caches still receive every position).

        Returns:
            Unnormalised scores over the vocabulary, float32 whatever the weights' dtype.

        Shapes:
            ids (B, T) -> (B, T, vocab_size), or (B, 1, vocab_size) with ``last_only``;
            cached + T must not exceed ``max_seq_len``.
        """
        if not isinstance(ids, Tensor) or ids.ndim != 2 or ids.is_floating_point():
            shape = tuple(ids.shape) if isinstance(ids, Tensor) else type(ids).__name__
            raise ValueError(f"ids must be an int tensor of token ids (B, T), got {shape}")
        if caches is not None and len(caches) != self.config.n_layers:
            raise ValueError(
                f"caches must hold one KVCache per layer ({self.config.n_layers}), got "
                f"{len(caches)}; make them with model.new_caches()"
            )
        past = 0 if caches is None else len(caches[0])
        if past + ids.shape[1] > self.config.max_seq_len:
            raise ValueError(
                f"{past} cached + {ids.shape[1]} new tokens exceed max_seq_len="
                f"{self.config.max_seq_len}; keep the context within it"
            )
        x = self.embed_tokens(ids)  # (B, T, C)
        top = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            cache = None if caches is None else caches[i]
            # The top layer passes on only what the head will score: (B, 1, C) if last_only.
            x = layer(x, attn_mask=attn_mask, kv_cache=cache, last_only=last_only and i == top)
        if last_only:
            x = x[:, -1:]  # (B, 1, C): already so, unless the model has no layers
        return self.lm_head(self.norm(x)).float()  # (B, T or 1, V)

    def layer_weights(self, index: int) -> dict[str, Tensor]:
        """Layer ``index``'s weights by Hugging Face's names, the form
        :func:`~nlpjourney.nn.llama_block` takes (views of the parameters, detached).

        ``qkv_proj``'s stacked rows are split back into ``q_proj``, ``k_proj`` and
        ``v_proj``. Example: ``model.layer_weights(0)["k_proj"].shape`` is
        ``(n_kv_heads * head_dim, dim)``.
        """
        if not 0 <= index < self.config.n_layers:
            raise ValueError(f"index must be in 0..{self.config.n_layers - 1}, got {index}")
        if self.config.bias:
            raise ValueError("layer_weights covers bias-free layers only; this model has biases")
        layer = self.layers[index]
        kv_dim = self.config.kv_heads * self.config.head_dim
        q, k, v = layer.attn.qkv_proj.weight.detach().split(
            [self.config.dim, kv_dim, kv_dim]
        )  # fmt: skip
        return {
            "input_layernorm": layer.norm1.weight.detach(),
            "q_proj": q,
            "k_proj": k,
            "v_proj": v,
            "o_proj": layer.attn.out_proj.weight.detach(),
            "post_attention_layernorm": layer.norm2.weight.detach(),
            "gate_proj": layer.mlp.gate_proj.weight.detach(),
            "up_proj": layer.mlp.up_proj.weight.detach(),
            "down_proj": layer.mlp.down_proj.weight.detach(),
        }

    def new_caches(self, batch_size: int = 1, capacity: int | None = None) -> list[KVCache]:
        """One empty cache per layer, for :meth:`forward`.

        Args:
            batch_size: the rows the caches will hold (used with ``capacity``).
            capacity: the most positions they will hold: each layer then gets a
                :class:`~nlpjourney.nn.StaticKVCache` allocated once, in the model's
                dtype and device. None: a :class:`~nlpjourney.nn.KVCache` that grows by
                concatenation, for any batch.

        Raises:
            ValueError: ``capacity`` exceeds ``max_seq_len``, or a size is not positive.
        """
        cfg = self.config
        return layer_caches(
            cfg.n_layers, batch_size, cfg.kv_heads, cfg.head_dim, capacity,
            ("max_seq_len", cfg.max_seq_len), like=self.embed_tokens.weight,
        )  # fmt: skip

    def num_parameters(self) -> int:
        """How many parameters the model has (a tied head counted once)."""
        return sum(p.numel() for p in self.parameters())  # parameters() skips the tie

    # --- weights from files ----------------------------------------------------------------

    @classmethod
    def from_pretrained(
        cls, folder: str | Path, *, dtype: torch.dtype = torch.float32, fused: bool = True
    ) -> Llama:
        """A Llama with the weights of a Hugging Face checkpoint folder.

        Args:
            folder: holds ``config.json`` and ``model.safetensors``, or the shards named
                by ``model.safetensors.index.json`` (what ``LlamaForCausalLM.save_pretrained``
                writes, or a download from the Hub).
            dtype: the model's dtype; the weights are converted to it (logits stay float32).
            fused: as in :class:`Llama`.

        Raises:
            FileNotFoundError: the folder or a file in it is missing.
            ValueError: ``config.json`` asks for what this Llama does not implement.
            WeightsError: a weight is missing, unexpected or of the wrong shape.
        """
        folder = Path(folder)
        config_file = folder / "config.json"
        if not config_file.is_file():
            raise FileNotFoundError(
                f"{config_file} not found; point at a folder with config.json and "
                "model.safetensors (LlamaForCausalLM.save_pretrained writes both)"
            )
        config = LlamaConfig.from_hf_config(json.loads(config_file.read_text(encoding="utf-8")))
        state = read_safetensors(folder)
        model = cls(config, fused=fused).to(dtype)
        model.load_hf_state_dict(state)
        return model.eval()

    def load_hf_state_dict(self, hf_state: Mapping[str, Tensor]) -> None:
        """Copy a Hugging Face ``LlamaForCausalLM`` state dict into this model, key by key.

        Every key is checked before anything is copied: the error names the Hugging Face
        key (and ours), and says whether it is missing, unexpected or misshapen. Old
        checkpoints' ``rotary_emb.inv_freq`` buffers are skipped (we compute ours); in a
        tied model an ``lm_head.weight``, if present, must equal the embeddings.

        Raises:
            WeightsError: the checkpoint does not fit this model's config.
        """
        state = {k: v for k, v in hf_state.items() if not k.endswith("rotary_emb.inv_freq")}
        # A tied model has no lm_head of its own; some tied checkpoints store one anyway.
        head = state.pop("lm_head.weight", None) if self.config.tie_embeddings else None
        shapes = {key: tuple(value.shape) for key, value in state.items()}
        copy_weights(self, weight_names(self, "hf"), shapes, state.__getitem__, "checkpoint")
        if head is not None and not torch.equal(
            head.to(self.embed_tokens.weight.dtype), self.embed_tokens.weight
        ):
            raise WeightsError(
                "lm_head.weight differs from model.embed_tokens.weight, but config.json "
                "ties them (tie_word_embeddings); set it to false to keep both"
            )

    @classmethod
    def from_gguf(
        cls, path: str | Path, *, dtype: torch.dtype = torch.float32, fused: bool = True
    ) -> Llama:
        """A Llama with the weights of a llama.cpp GGUF file, dequantized.

        The config comes from the file's ``llama.*`` metadata
        (:meth:`LlamaConfig.from_gguf_metadata`); the head is tied when the file has no
        ``output.weight``. llama.cpp stores the query and key rows of each head in the
        interleaved RoPE layout; they are put back in the half-split layout our RoPE
        uses (:func:`~nlpjourney.models.llama_weights.unpermute_rope_rows`).

        Args:
            path: a ``.gguf`` file of a Llama-architecture model.
            dtype: the model's dtype (the weights are dequantized to float32 first).
            fused: as in :class:`Llama`.

        Raises:
            nlpjourney.data.gguf.GGUFError: not a readable GGUF file.
            ValueError: not a Llama, or options this Llama does not implement.
            WeightsError: a tensor is missing, unexpected or of the wrong shape.
        """
        from nlpjourney.data.gguf import GGUFFile

        with GGUFFile(path) as gguf:
            if "rope_freqs.weight" in gguf.tensors:
                raise ValueError(
                    f"{path} scales RoPE by a rope_freqs tensor (Llama 3.1's scaling as "
                    "llama.cpp stores it), which from_gguf does not read; load the "
                    "Hugging Face checkpoint with from_pretrained instead"
                )
            config = LlamaConfig.from_gguf_metadata(
                gguf.metadata,
                tie_embeddings="output.weight" not in gguf.tensors,
                bias="blk.0.attn_q.bias" in gguf.tensors,
            )
            model = cls(config, fused=fused).to(dtype)
            heads = {"attn_q": config.n_heads, "attn_k": config.kv_heads}

            def fetch(name: str) -> Tensor:
                weight = torch.from_numpy(gguf.tensor(name))
                kind = name.split(".")[-2]  # blk.0.attn_q.weight -> attn_q
                return unpermute_rope_rows(weight, heads[kind]) if kind in heads else weight

            shapes = {name: info.shape for name, info in gguf.tensors.items()}
            copy_weights(model, weight_names(model, "gguf"), shapes, fetch, f"GGUF file {path}")
        return model.eval()
