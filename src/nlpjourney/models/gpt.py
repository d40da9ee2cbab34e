"""GPT-2, the whole model in one file: config, blocks, sampling with a KV cache, HF weights.

A decoder-only transformer (Radford et al. 2019)::

    idx (B, T) -> wte(idx) + wpe(0..T-1) -> dropout
               -> n_layer x [ x + attn(ln_1(x)),  x + mlp(ln_2(x)) ]   (pre-norm blocks)
               -> ln_f -> lm_head (tied to wte) -> logits (B, T, vocab_size)

built from :mod:`nlpjourney.nn`: each block is a pre-norm
:class:`~nlpjourney.nn.TransformerBlock` (:class:`~nlpjourney.nn.LayerNorm`, causal
:class:`~nlpjourney.nn.MultiHeadAttention` with a :class:`~nlpjourney.nn.KVCache` per
layer for decoding, a :class:`~nlpjourney.nn.FeedForward` with GPT-2's tanh GELU).

The embeddings and the final norm keep Hugging Face's ``GPT2LMHeadModel`` names
(``transformer.wte``, ``wpe``, ``h``, ``ln_f``); inside a block the names are ``nn``'s
(``norm1``, ``attn.qkv_proj``, ``mlp.up``...). :data:`GPT2_NAMES` maps one to the other,
so :meth:`GPT.from_pretrained` is still a key-by-key copy guarded by shape checks.

Training FLOPs per token, for the scaling-law sweep (:meth:`GPT.estimate_flops_per_token`):
``6 N + 12 n_layer n_embd T``, the rule of Kaplan et al. (2020) with the attention term
of PaLM's appendix B: ``N`` counts the parameters that take part in a matmul (every
weight except the two embedding tables, plus the tied ``lm_head``), 2 FLOPs per
multiply-add forward and twice that backward; ``QK^T`` and ``AV`` add ``4 T n_embd`` per
layer forward, so ``12 T n_embd`` forward + backward.

Reference: ``transformers``' ``GPT2LMHeadModel`` (same logits from the same weights,
``tests/models/test_gpt.py``), nanoGPT's ``model.py`` (init, presets, ``generate``).

Simplifications:
    - no padding masks or batched prompts of different lengths; one layer norm eps (1e-5).
    - past ``block_size`` tokens, cached generation recomputes the sliding window each
      step (learned positions shift, so the cache cannot be reused), as uncached does.
    - :meth:`GPT.from_pretrained` reads one ``model.safetensors`` (no shards), GPT-2
      architecture only, float32.
"""

from __future__ import annotations

import json
import math
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
from nlpjourney.models.sampling import check_sampling, sample_next
from nlpjourney.nn import KVCache, LayerNorm, Linear, TransformerBlock, layer_caches

__all__ = ["GPT", "GPT2_NAMES", "PRESETS", "GPTConfig"]

#: Hugging Face GPT-2's names inside a block -> ours (``nn.TransformerBlock``'s). GPT-2's
#: ``c_attn`` is ``qkv_proj``: the same (C, 3C) stack of query, key and value weights.
GPT2_NAMES = {
    ".ln_1.": ".norm1.",
    ".ln_2.": ".norm2.",
    ".attn.c_attn.": ".attn.qkv_proj.",
    ".attn.c_proj.": ".attn.out_proj.",
    ".mlp.c_fc.": ".mlp.up.",
    ".mlp.c_proj.": ".mlp.down.",
}


def _our_name(key: str) -> str:
    """A GPT-2 state-dict key in our names: ``h.0.attn.c_attn.weight -> h.0.attn.qkv_proj.weight``."""
    for theirs, ours in GPT2_NAMES.items():
        if theirs in key:
            return key.replace(theirs, ours)
    return key


@dataclass(frozen=True)
class GPTConfig(ModelConfig):
    """The shape of a GPT: sizes, depth, dropout. Presets: :meth:`from_name`.

    Example:
        >>> cfg = GPTConfig.from_name("shakespeare-char-cpu")
        >>> cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.block_size
        (4, 4, 128, 64)
        >>> GPTConfig(n_embd=100, n_head=3)
        Traceback (most recent call last):
        ...
        ValueError: n_head=3 does not divide n_embd=100; each head gets n_embd // n_head dims, pick a divisor
    """

    vocab_size: int = 50257
    """Token ids the model reads and scores (GPT-2's BPE: 50,257; Shakespeare's characters: 65)."""
    block_size: int = 1024
    """The context: the most positions the model sees at once (the size of ``wpe``)."""
    n_layer: int = 12
    """Transformer blocks."""
    n_head: int = 12
    """Attention heads per block; must divide ``n_embd``."""
    n_embd: int = 768
    """Model width C: the size of every token's vector between blocks."""
    dropout: float = 0.0
    """Dropout on embeddings, attention weights and each block's two outputs, in training."""
    bias: bool = True
    """Biases in the linear layers and layer norms (GPT-2: True; False is a bit faster)."""

    PRESET_KIND: ClassVar[str] = "GPT preset"

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            check_positive_int(getattr(self, name), name)
        check_heads_divide(self.n_embd, self.n_head, "n_embd", "n_head")
        check_dropout(self.dropout)
        if not isinstance(self.bias, bool):
            raise TypeError(f"bias must be True or False, got {self.bias!r}")

    @property
    def head_size(self) -> int:
        """Dims per attention head, ``n_embd // n_head``."""
        return self.n_embd // self.n_head

    @classmethod
    def presets(cls) -> dict[str, GPTConfig]:
        """:data:`PRESETS`."""
        return PRESETS


#: Named configurations. ``shakespeare-char`` and ``shakespeare-char-cpu`` are nanoGPT's
#: ``train_shakespeare_char`` (GPU) and its CPU variant from nanoGPT's README;
#: ``shakespeare-char-15min`` is ours, the best character model we found for 15 minutes
#: on 2 CPU cores (the CPU model's size with twice its context, a little dropout, and many
#: more tokens: at this compute a small model fed more data beats a bigger one, as the
#: scaling-law sweep shows); ``gpt2`` is the 124M model.
PRESETS: dict[str, GPTConfig] = {
    "shakespeare-char": GPTConfig(
        vocab_size=65, block_size=256, n_layer=6, n_head=6, n_embd=384, dropout=0.2
    ),
    "shakespeare-char-cpu": GPTConfig(
        vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128, dropout=0.0
    ),
    "shakespeare-char-15min": GPTConfig(
        vocab_size=65, block_size=128, n_layer=4, n_head=4, n_embd=128, dropout=0.1
    ),
    "gpt2": GPTConfig(vocab_size=50257, block_size=1024, n_layer=12, n_head=12, n_embd=768),
    "tiny": GPTConfig(vocab_size=65, block_size=32, n_layer=2, n_head=2, n_embd=32),
}


class GPT(nn.Module):
    """GPT-2: token and position embeddings, ``n_layer`` blocks, a tied language-model head.

    Args:
        config: the model's shape.
        fused: run layer norm, GELU and attention through torch's fused kernels
            (:func:`~nlpjourney.nn.fast_attention`); False runs our from-scratch
            :mod:`nlpjourney.nn` formulas. Same weights, same numbers to float rounding
            (tested); fused is the faster to train (``benchmarks/models_gpt.py`` prints by
            how much).

    Shapes:
        forward: idx (B, T) int64, T <= block_size -> logits (B, T, vocab_size).

    Example:
        >>> model = GPT(GPTConfig.from_name("tiny"))
        >>> model(torch.zeros(2, 5, dtype=torch.long)).shape
        torch.Size([2, 5, 65])
    """

    def __init__(self, config: GPTConfig, fused: bool = True) -> None:
        super().__init__()
        if not isinstance(config, GPTConfig):
            raise TypeError(
                f"config must be a GPTConfig (e.g. GPTConfig.from_name('tiny')), "
                f"got {type(config).__name__}"
            )
        self.config = config
        self.fused = fused
        self.transformer = nn.ModuleDict(
            {
                "wte": nn.Embedding(config.vocab_size, config.n_embd),
                # subtle: a plain nn.Embedding, not LearnedPositionalEmbedding: forward has
                # checked the range already, and that class's check (a tensor comparison
                # read by Python) would sync the GPU and break torch.compile's graph.
                "wpe": nn.Embedding(config.block_size, config.n_embd),
                "drop": nn.Dropout(config.dropout),
                "h": nn.ModuleList(_block(config, fused) for _ in range(config.n_layer)),
                "ln_f": LayerNorm(config.n_embd, bias=config.bias, fused=fused),
            }
        )
        self.lm_head = Linear(config.n_embd, config.vocab_size, bias=False)
        # Weight tying (Press & Wolf 2017): the output layer scores each token by the dot
        # product with its input embedding; one (V, C) matrix instead of two.
        self.lm_head.weight = self.transformer.wte.weight
        self.apply(self._init_weights)
        # GPT-2's scaled init: each block adds two outputs to the residual stream, so the
        # projections into it start 1/sqrt(2 n_layer) smaller to keep its variance ~1.
        for name, param in self.named_parameters():
            if name.endswith(("attn.out_proj.weight", "mlp.down.weight")):
                nn.init.normal_(param, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))
        # Run folders trained before the blocks came from nn hold GPT-2's names.
        self._register_load_state_dict_pre_hook(_rename_gpt2_keys)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx: Tensor, kv_caches: list[KVCache] | None = None) -> Tensor:
        """The next-token logits at every position of ``idx``.

        Args:
            idx: token ids.
            kv_caches: one :class:`~nlpjourney.nn.KVCache` per layer (from
                :meth:`new_kv_caches`) holding earlier positions; ``idx`` then holds only
                the new ones, and the caches are extended in place.

        Returns:
            Unnormalised scores over the vocabulary.

        Shapes:
            idx (B, T) -> (B, T, vocab_size); cached + T must not exceed block_size.
        """
        if not isinstance(idx, Tensor) or idx.ndim != 2 or idx.is_floating_point():
            shape = tuple(idx.shape) if isinstance(idx, Tensor) else type(idx).__name__
            raise ValueError(f"idx must be an int tensor of token ids (B, T), got {shape}")
        if kv_caches is not None and len(kv_caches) != self.config.n_layer:
            raise ValueError(
                f"kv_caches must hold one KVCache per layer ({self.config.n_layer}), got "
                f"{len(kv_caches)}; make them with model.new_kv_caches()"
            )
        past = 0 if kv_caches is None else len(kv_caches[0])
        T = idx.shape[1]
        if past + T > self.config.block_size:
            raise ValueError(
                f"{past} cached + {T} new tokens exceed block_size={self.config.block_size}; "
                "crop the input to its last block_size tokens"
            )
        positions = torch.arange(past, past + T, device=idx.device)  # (T,)
        x = self.transformer.wte(idx) + self.transformer.wpe(positions)  # (B, T, C)
        x = self.transformer.drop(x)
        for i, block in enumerate(self.transformer.h):
            x = block(x, kv_cache=None if kv_caches is None else kv_caches[i])  # (B, T, C)
        return self.lm_head(self.transformer.ln_f(x))  # (B, T, V)

    def new_kv_caches(self, batch_size: int = 1, capacity: int | None = None) -> list[KVCache]:
        """One empty cache per layer, for :meth:`forward`.

        Args:
            batch_size: the rows the caches will hold (used with ``capacity``).
            capacity: the most positions they will hold: each layer then gets a
                :class:`~nlpjourney.nn.StaticKVCache` allocated once, in the model's
                dtype and device. None: a :class:`~nlpjourney.nn.KVCache` that grows by
                concatenation, for any batch.

        Raises:
            ValueError: ``capacity`` exceeds ``block_size``, or a size is not positive.
        """
        cfg = self.config
        return layer_caches(
            cfg.n_layer, batch_size, cfg.n_head, cfg.head_size, capacity,
            ("block_size", cfg.block_size), like=self.transformer.wte.weight,
        )  # fmt: skip

    def num_parameters(self, non_embedding: bool = False) -> int:
        """How many parameters the model has (the tied head counted once).

        Args:
            non_embedding: leave out the token and position tables (Kaplan et al.'s N;
                the tied head shares ``wte``, so it goes too).
        """
        total = sum(p.numel() for p in self.parameters())  # parameters() skips the tie
        if non_embedding:
            total -= self.transformer.wte.weight.numel() + self.transformer.wpe.weight.numel()
        return total

    def estimate_flops_per_token(self, seq_len: int | None = None) -> int:
        """Training FLOPs (forward + backward) per token: ``6 N + 12 n_layer n_embd T``.

        ``N`` is :meth:`num_parameters` ``(non_embedding=True)`` plus the head's
        ``vocab_size * n_embd`` (a real matmul although its weights are ``wte``'s); see
        the module docstring. Example: the 124M GPT-2 at T=1024 needs about 0.85 GFLOPs
        per token (6 x 123.7M + 12 x 12 x 768 x 1024).

        Args:
            seq_len: the context T the attention term assumes (default ``block_size``).
        """
        cfg = self.config
        seq_len = cfg.block_size if seq_len is None else seq_len
        check_positive_int(seq_len, "seq_len")
        matmul_params = self.num_parameters(non_embedding=True) + cfg.vocab_size * cfg.n_embd
        return 6 * matmul_params + 12 * cfg.n_layer * cfg.n_embd * seq_len

    @torch.no_grad()
    def generate(
        self,
        idx: Tensor,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        generator: torch.Generator | None = None,
        use_cache: bool = True,
    ) -> Tensor:
        """Continue ``idx`` by sampling ``max_new_tokens`` tokens, one at a time.

        Runs in eval mode (no dropout) and puts the previous mode back afterwards.

        Args:
            idx: the prompts, all of one length.
            max_new_tokens: tokens to add.
            temperature: divides the logits; below 1 sharper, above 1 flatter; 0 takes the
                most likely token (greedy).
            top_k: sample only among the ``top_k`` most likely tokens (None: all).
            generator: the random source, on the model's device (for repeatable samples).
            use_cache: keep each layer's keys and values (:class:`~nlpjourney.nn.KVCache`)
                so a step runs one token, not the whole context; the tokens are the same.

        Returns:
            ``idx`` followed by the new tokens.

        Shapes:
            idx (B, T) -> (B, T + max_new_tokens).
        """
        check_sampling(max_new_tokens, temperature, top_k)
        if not isinstance(idx, Tensor) or idx.ndim != 2 or idx.shape[1] == 0:
            raise ValueError(
                "idx must be token ids (B, T) with T >= 1, e.g. tokens[None, :]; "
                f"got {tuple(idx.shape) if isinstance(idx, Tensor) else type(idx).__name__}"
            )
        was_training = self.training
        self.eval()
        try:
            block = self.config.block_size
            # Preallocated caches: the most positions a window holds before it refills.
            capacity = min(block, idx.shape[1] + max_new_tokens)
            caches: list[KVCache] | None = None
            for _ in range(max_new_tokens):
                if not use_cache:
                    logits = self(idx[:, -block:])
                elif caches is None or len(caches[0]) + 1 > block:
                    # First step, or the window is full: (re)fill the caches from the last
                    # block_size tokens, exactly the context the uncached path sees.
                    caches = self.new_kv_caches(idx.shape[0], capacity)
                    logits = self(idx[:, -block:], caches)
                else:
                    logits = self(idx[:, -1:], caches)  # only the newest token
                next_id = sample_next(logits[:, -1, :], temperature, top_k, generator)  # (B, 1)
                idx = torch.cat([idx, next_id], dim=1)
        finally:
            self.train(was_training)
        return idx

    @classmethod
    def from_pretrained(cls, path_or_dir: str | Path, dropout: float = 0.0) -> GPT:
        """A GPT with the weights of a Hugging Face GPT-2 checkpoint on disk.

        Args:
            path_or_dir: a folder with ``config.json`` and ``model.safetensors`` (what
                ``GPT2LMHeadModel.save_pretrained`` writes, or a download of ``gpt2``
                from the Hub), or the ``.safetensors`` file with ``config.json`` beside it.
            dropout: the new model's dropout (0 for inference).

        Raises:
            FileNotFoundError: a file is missing.
            ValueError: the checkpoint is not a GPT-2 we can hold (options we do not
                implement, missing or unexpected weights, wrong shapes).
        """
        path = Path(path_or_dir)
        weights = path / "model.safetensors" if path.is_dir() else path
        config_file = weights.parent / "config.json"
        for needed in (weights, config_file):
            if not needed.is_file():
                raise FileNotFoundError(
                    f"{needed} not found; point at a folder with config.json and "
                    "model.safetensors (GPT2LMHeadModel.save_pretrained writes both)"
                )
        config = _config_from_hf(json.loads(config_file.read_text(encoding="utf-8")), dropout)
        from safetensors.torch import load_file  # only needed here

        model = cls(config)
        model.load_hf_state_dict(load_file(weights))
        return model

    def load_hf_state_dict(self, hf_state: dict[str, Tensor]) -> None:
        """Copy a Hugging Face GPT-2 state dict into this model, key by key.

        Keys may carry the ``transformer.`` prefix (``GPT2LMHeadModel``) or not
        (``GPT2Model``, the Hub's ``gpt2``). The attention ``bias``/``masked_bias``
        buffers of old checkpoints are skipped; an ``lm_head.weight`` must equal ``wte``.

        Raises:
            ValueError: a weight is missing, unexpected or of the wrong shape.
        """
        found: dict[str, Tensor] = {}
        for key, value in hf_state.items():
            if key.endswith((".attn.bias", ".attn.masked_bias")):
                continue  # the causal mask stored as a buffer; we build ours on the fly
            key = key if key.startswith(("transformer.", "lm_head.")) else f"transformer.{key}"
            found[key] = value
        head = found.pop("lm_head.weight", None)
        found = {_our_name(key): value for key, value in found.items()}
        ours = self.state_dict()
        ours.pop("lm_head.weight")  # tied: the same tensor as transformer.wte.weight
        missing, unexpected = sorted(set(ours) - set(found)), sorted(set(found) - set(ours))
        if missing or unexpected:
            raise ValueError(
                f"the checkpoint does not fit this GPT: missing {missing[:5]}, unexpected "
                f"{unexpected[:5]} ({len(missing)} and {len(unexpected)} in all); is it GPT-2?"
            )
        with torch.no_grad():
            for key, target in ours.items():
                source = found[key]
                # subtle: GPT-2 stores its linear layers as Conv1D, weight (in, out) and
                # y = x @ W + b; nn.Linear keeps (out, in) and computes x @ W^T + b.
                if key.endswith(_CONV1D_WEIGHTS):
                    source = source.t()
                if source.shape != target.shape:
                    raise ValueError(
                        f"{key}: the checkpoint has shape {tuple(source.shape)}, the model "
                        f"{tuple(target.shape)}; the config does not match the weights"
                    )
                target.copy_(source)
            if head is not None and not torch.equal(
                head.to(target.dtype), ours["transformer.wte.weight"]
            ):
                raise ValueError(
                    "lm_head.weight differs from transformer.wte.weight: an untied head, which "
                    "this GPT (tied embeddings) cannot hold"
                )


#: Our names of the weights GPT-2 stores transposed (its Conv1D layers).
_CONV1D_WEIGHTS = (
    ".attn.qkv_proj.weight",
    ".attn.out_proj.weight",
    ".mlp.up.weight",
    ".mlp.down.weight",
)


def _block(config: GPTConfig, fused: bool) -> TransformerBlock:
    """GPT-2's block: pre-norm, causal attention, a 4C feed-forward with tanh GELU."""
    return TransformerBlock(
        config.n_embd,
        config.n_head,
        mlp="gelu_tanh",
        bias=config.bias,
        dropout=config.dropout,
        is_causal=True,
        fused=fused,
    )


def _rename_gpt2_keys(state_dict: dict[str, Any], prefix: str, *args: Any) -> None:
    """A ``load_state_dict`` pre-hook: GPT-2-named block weights take our names, in place."""
    for key in [k for k in state_dict if k.startswith(prefix)]:
        renamed = _our_name(key)
        if renamed != key:
            state_dict[renamed] = state_dict.pop(key)


#: ``config.json`` options of GPT-2 that this model implements only at these values.
_HF_FIXED = {
    "layer_norm_epsilon": 1e-5,
    "activation_function": "gelu_new",
    "scale_attn_weights": True,
    "scale_attn_by_inverse_layer_idx": False,
    "reorder_and_upcast_attn": False,
    "tie_word_embeddings": True,
}


def _config_from_hf(hf: dict[str, Any], dropout: float) -> GPTConfig:
    """Our :class:`GPTConfig` from a Hugging Face GPT-2 ``config.json``."""
    if hf.get("model_type", "gpt2") != "gpt2":
        raise ValueError(f"config.json describes a {hf['model_type']!r} model, not GPT-2")
    for key, expected in _HF_FIXED.items():
        value = hf.get(key, expected)
        if value != expected:
            raise ValueError(
                f"config.json sets {key}={value!r}; this GPT implements only {expected!r}"
            )
    n_embd = hf["n_embd"]
    if hf.get("n_inner") not in (None, 4 * n_embd):
        raise ValueError(f"config.json sets n_inner={hf['n_inner']}; this GPT uses 4 * n_embd")
    return GPTConfig(
        vocab_size=hf["vocab_size"],
        block_size=hf["n_positions"],
        n_layer=hf["n_layer"],
        n_head=hf["n_head"],
        n_embd=n_embd,
        dropout=dropout,
        bias=True,
    )
