"""Llama from files: Hugging Face safetensors and llama.cpp GGUF, config and weights key by key.

:func:`hf_config_fields` and :func:`gguf_config_fields` read the model's shape from a
``config.json`` or a GGUF file's ``llama.*`` metadata, refusing options the model lacks.

The two formats name the same tensors differently, and differently from us:

=========================================  ============================  ===============================
Hugging Face                               GGUF (llama.cpp)              ours (:class:`~nlpjourney.models.Llama`)
=========================================  ============================  ===============================
``model.embed_tokens.weight``              ``token_embd.weight``         ``embed_tokens.weight``
``model.layers.N.input_layernorm``         ``blk.N.attn_norm``           ``layers.N.norm1``
``model.layers.N.self_attn.q_proj``        ``blk.N.attn_q``              ``layers.N.attn.qkv_proj`` rows
``model.layers.N.self_attn.o_proj``        ``blk.N.attn_output``         ``layers.N.attn.out_proj``
``model.layers.N.post_attention_layernorm``  ``blk.N.ffn_norm``          ``layers.N.norm2``
``model.layers.N.mlp.gate_proj``           ``blk.N.ffn_gate``            ``layers.N.mlp.gate_proj``
``model.norm.weight``                      ``output_norm.weight``        ``norm.weight``
``lm_head.weight`` (absent when tied)      ``output.weight`` (same)      ``lm_head.weight``
=========================================  ============================  ===============================

(``k_proj``/``attn_k`` and ``v_proj``/``attn_v`` are the next rows of ``qkv_proj``;
``up``/``down`` go like ``gate``.) :func:`weight_names` turns the table into, for every
name in a file, the parameter and the rows it fills; :func:`copy_weights` checks every
name and shape before it copies anything, so an error names the file's key.

Both ``transformers`` and we rotate the half-split RoPE pairs ``(i, i + d/2)``;
llama.cpp's converter reorders each head's query and key rows to the interleaved pairs
``(2i, 2i + 1)`` of Meta's original code. :func:`unpermute_rope_rows` undoes that.

Reference: ``transformers``' ``LlamaForCausalLM`` (its ``save_pretrained`` files, and its
GGUF loader, which undoes llama.cpp's permutation the same way); llama.cpp's
``convert_hf_to_gguf.py`` for the GGUF names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import torch
from torch import Tensor

from nlpjourney.errors import JourneyError
from nlpjourney.nn import RopeScaling, rope_permutation

if TYPE_CHECKING:
    from nlpjourney.models.llama import Llama

__all__ = [
    "GGUF_NAMES",
    "HF_CONFIG_KEYS",
    "HF_NAMES",
    "WeightsError",
    "copy_weights",
    "gguf_config_fields",
    "hf_config_fields",
    "read_safetensors",
    "unpermute_rope_rows",
    "weight_names",
]


class WeightsError(JourneyError, ValueError):
    """A file's weights do not fit the model: a key missing, unexpected, or misshapen."""


#: Hugging Face's names inside a block -> ours (``nn.TransformerBlock``'s). The three
#: attention projections share one entry: they are the row blocks of ``qkv_proj``.
HF_NAMES = {
    ".input_layernorm.": ".norm1.",
    ".post_attention_layernorm.": ".norm2.",
    ".self_attn.{q,k,v}_proj.": ".attn.qkv_proj.",
    ".self_attn.o_proj.": ".attn.out_proj.",
    ".mlp.gate_proj.": ".mlp.gate_proj.",
    ".mlp.up_proj.": ".mlp.up_proj.",
    ".mlp.down_proj.": ".mlp.down_proj.",
}

#: GGUF's (llama.cpp's) names inside a block -> ours.
GGUF_NAMES = {
    ".attn_norm.": ".norm1.",
    ".ffn_norm.": ".norm2.",
    ".attn_{q,k,v}.": ".attn.qkv_proj.",
    ".attn_output.": ".attn.out_proj.",
    ".ffn_gate.": ".mlp.gate_proj.",
    ".ffn_up.": ".mlp.up_proj.",
    ".ffn_down.": ".mlp.down_proj.",
}

# Names outside the blocks, ours -> theirs.
_OUTER = {
    "hf": {"embed_tokens.": "model.embed_tokens.", "norm.": "model.norm.", "lm_head.": "lm_head."},
    "gguf": {"embed_tokens.": "token_embd.", "norm.": "output_norm.", "lm_head.": "output."},
}


#: Our config fields -> the Hugging Face ``config.json`` keys they are read from.
HF_CONFIG_KEYS = {
    "vocab_size": "vocab_size",
    "dim": "hidden_size",
    "n_layers": "num_hidden_layers",
    "n_heads": "num_attention_heads",
    "n_kv_heads": "num_key_value_heads",
    "hidden_dim": "intermediate_size",
    "norm_eps": "rms_norm_eps",
    "rope_theta": "rope_theta",
    "max_seq_len": "max_position_embeddings",
}


def _rope_from_hf(hf: Mapping[str, Any]) -> tuple[float, RopeScaling | None]:
    """RoPE's base and scaling from ``rope_parameters`` (transformers 5) or the older keys."""
    params = hf.get("rope_parameters") or {}
    theta = params.get("rope_theta", hf.get("rope_theta", 10000.0))
    scaling = hf.get("rope_scaling") or params
    kind = scaling.get("rope_type", scaling.get("type", "default"))
    if kind == "default":
        return theta, None
    if kind not in ("linear", "llama3"):
        raise ValueError(
            f"config.json asks for RoPE scaling {kind!r}; this Llama implements 'default', "
            "'linear' and 'llama3'"
        )
    return theta, RopeScaling(
        kind=kind,
        factor=float(scaling["factor"]),
        low_freq_factor=float(scaling.get("low_freq_factor", 1.0)),
        high_freq_factor=float(scaling.get("high_freq_factor", 4.0)),
        original_max_positions=int(scaling.get("original_max_position_embeddings", 8192)),
    )


def hf_config_fields(hf: Mapping[str, Any]) -> dict[str, Any]:
    """:class:`~nlpjourney.models.LlamaConfig`'s fields from a Hugging Face ``config.json``.

    Raises:
        ValueError: a required key is missing, or an option this Llama does not implement.
    """
    if not isinstance(hf, Mapping):
        raise TypeError(f"hf must be the dict read from config.json, got {type(hf).__name__}")
    if hf.get("model_type", "llama") != "llama":
        raise ValueError(
            f"config.json describes a {hf['model_type']!r} model, not a Llama "
            "(model_type must be 'llama')"
        )
    need = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
            "num_attention_heads")  # fmt: skip
    if missing := [key for key in need if key not in hf]:
        raise ValueError(f"config.json lacks {missing}; a Llama config needs {list(need)}")
    if hf.get("hidden_act", "silu") != "silu":
        raise ValueError(
            f"config.json sets hidden_act={hf['hidden_act']!r}; this Llama's SwiGLU uses 'silu'"
        )
    dim, heads = hf["hidden_size"], hf["num_attention_heads"]
    sizes_ok = isinstance(dim, int) and isinstance(heads, int) and heads > 0  # else config says
    if sizes_ok and hf.get("head_dim") not in (None, dim // heads):
        raise ValueError(
            f"config.json sets head_dim={hf['head_dim']}, but this Llama's heads have "
            f"hidden_size // num_attention_heads = {dim // heads} dims"
        )
    attention_bias, mlp_bias = hf.get("attention_bias", False), hf.get("mlp_bias", False)
    if attention_bias != mlp_bias:
        raise ValueError(
            f"config.json sets attention_bias={attention_bias} and mlp_bias={mlp_bias}; "
            "this Llama has biases in both or in neither"
        )
    theta, scaling = _rope_from_hf(hf)
    fields: dict[str, Any] = {
        "vocab_size": hf["vocab_size"],
        "dim": dim,
        "n_layers": hf["num_hidden_layers"],
        "n_heads": heads,
        "n_kv_heads": hf.get("num_key_value_heads"),
        "hidden_dim": hf["intermediate_size"],
        "norm_eps": hf.get("rms_norm_eps", 1e-6),
        "rope_theta": theta,
        "rope_scaling": scaling,
        "max_seq_len": hf.get("max_position_embeddings", 2048),
        "tie_embeddings": bool(hf.get("tie_word_embeddings", False)),
        "bias": bool(attention_bias),
    }
    return fields


def gguf_config_fields(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """:class:`~nlpjourney.models.LlamaConfig`'s fields from a GGUF file's ``llama.*`` metadata.

    Raises:
        ValueError: not a Llama, a key missing, or an option this Llama does not implement.
    """
    arch = metadata.get("general.architecture")
    if arch != "llama":
        raise ValueError(f"the GGUF file holds a {arch!r} model, not a 'llama'")
    need = ("embedding_length", "block_count", "attention.head_count", "feed_forward_length")
    if missing := [f"llama.{key}" for key in need if f"llama.{key}" not in metadata]:
        raise ValueError(f"the GGUF metadata lacks {missing}")
    vocab = metadata.get("llama.vocab_size", len(metadata.get("tokenizer.ggml.tokens", ())))
    dim, heads = metadata["llama.embedding_length"], metadata["llama.attention.head_count"]
    rotated = metadata.get("llama.rope.dimension_count")
    if rotated is not None and heads > 0 and rotated != dim // heads:
        raise ValueError(
            f"the GGUF file rotates {metadata['llama.rope.dimension_count']} dims per "
            f"head, this Llama all {dim // heads} (no partial RoPE)"
        )
    scaling = None
    kind = metadata.get("llama.rope.scaling.type", "none")
    if kind == "linear":
        scaling = RopeScaling("linear", factor=float(metadata["llama.rope.scaling.factor"]))
    elif kind != "none":
        raise ValueError(f"the GGUF file scales RoPE by {kind!r}; this Llama reads 'linear'")
    fields: dict[str, Any] = {
        "vocab_size": vocab,
        "dim": dim,
        "n_layers": metadata["llama.block_count"],
        "n_heads": heads,
        "n_kv_heads": metadata.get("llama.attention.head_count_kv"),
        "hidden_dim": metadata["llama.feed_forward_length"],
        "norm_eps": float(metadata.get("llama.attention.layer_norm_rms_epsilon", 1e-5)),
        "rope_theta": float(metadata.get("llama.rope.freq_base", 10000.0)),
        "rope_scaling": scaling,
        "max_seq_len": metadata.get("llama.context_length", 2048),
    }
    return fields


def _their_name(ours: str, fmt: Literal["hf", "gguf"]) -> str:
    """``layers.0.norm1.weight -> model.layers.0.input_layernorm.weight`` (hf) or
    ``blk.0.attn_norm.weight`` (gguf); ``{q,k,v}`` is left for the caller to fill."""
    if not ours.startswith("layers."):
        prefix = next(p for p in _OUTER[fmt] if ours.startswith(p))
        return _OUTER[fmt][prefix] + ours[len(prefix) :]
    for theirs, mine in (HF_NAMES if fmt == "hf" else GGUF_NAMES).items():
        if mine in ours:
            ours = ours.replace(mine, theirs)
            break
    return f"model.{ours}" if fmt == "hf" else "blk." + ours[len("layers.") :]


def weight_names(model: Llama, fmt: Literal["hf", "gguf"]) -> dict[str, tuple[str, int, int]]:
    """Each weight name in a file -> (our parameter, first row, end row) it fills.

    Most fill a whole parameter; the query, key and value projections fill their rows of
    the stacked ``attn.qkv_proj``. A tied model has no head of its own, so no
    ``lm_head.weight``/``output.weight``. Example, with C = 32 and 2 key/value heads of
    8 dims: ``model.layers.0.self_attn.k_proj.weight -> ("layers.0.attn.qkv_proj.weight",
    32, 48)``.
    """
    q_rows = model.config.dim
    kv_rows = model.config.kv_heads * model.config.head_dim
    bounds = {"q": (0, q_rows), "k": (q_rows, q_rows + kv_rows),
              "v": (q_rows + kv_rows, q_rows + 2 * kv_rows)}  # fmt: skip
    names: dict[str, tuple[str, int, int]] = {}
    for name, param in model.named_parameters():  # a tied lm_head is not listed
        theirs = _their_name(name, fmt)
        if "{q,k,v}" in theirs:
            for part, (start, stop) in bounds.items():
                names[theirs.replace("{q,k,v}", part)] = (name, start, stop)
        else:
            names[theirs] = (name, 0, param.shape[0])
    return names


def copy_weights(
    model: torch.nn.Module,
    names: Mapping[str, tuple[str, int, int]],
    shapes: Mapping[str, tuple[int, ...]],
    fetch: Callable[[str], Tensor],
    source: str,
) -> None:
    """Copy a file's tensors into ``model`` after checking every name and shape.

    Args:
        model: the model to fill.
        names: from :func:`weight_names`.
        shapes: every tensor in the file and its shape.
        fetch: reads one tensor of the file by name (called only after all checks pass).
        source: what the file is, for the error messages ("checkpoint", "GGUF file ...").

    Raises:
        WeightsError: a name is missing from the file, the file has a name the model
            lacks, or a tensor's shape is not the one the model needs (the message names
            the file's key, our parameter, and both shapes).
    """
    missing, unexpected = sorted(set(names) - set(shapes)), sorted(set(shapes) - set(names))
    if missing or unexpected:
        raise WeightsError(
            f"the {source} does not fit this Llama: missing {missing[:5]}, unexpected "
            f"{unexpected[:5]} ({len(missing)} and {len(unexpected)} in all); check that "
            "the config belongs to these weights"
        )
    params = dict(model.named_parameters())
    for key, (ours, start, stop) in names.items():
        expected = (stop - start, *params[ours].shape[1:])
        if tuple(shapes[key]) != expected:
            raise WeightsError(
                f"{key} (our {ours}): the {source} has shape {tuple(shapes[key])}, the model "
                f"expects {expected}; the config does not match the weights"
            )
    with torch.no_grad():
        for key, (ours, start, stop) in names.items():
            params[ours][start:stop].copy_(fetch(key))


def unpermute_rope_rows(weight: Tensor, n_heads: int) -> Tensor:
    """A GGUF query or key projection with each head's rows back in half-split RoPE order.

    llama.cpp's converter stores the rows of each head in the order that makes
    interleaved RoPE (pairs ``(2i, 2i+1)``) compute what half-split RoPE (pairs
    ``(i, i + d/2)``) computes on the Hugging Face weights: half-split row ``i`` is
    stored as row ``2i`` and row ``i + d/2`` as row ``2i + 1``. Taking rows
    :func:`~nlpjourney.nn.rope_permutation` ``= [0, 2, 4, ..., 1, 3, 5, ...]`` of each
    head puts them back. Example, one head of 4 rows stored ``[a, c, b, d]``: ``[a, b, c, d]``.

    Shapes:
        weight (n_heads * head_dim, ...) -> the same.
    """
    head_dim = weight.shape[0] // n_heads
    heads = weight.unflatten(0, (n_heads, head_dim))  # (nh, hs, ...)
    return heads[:, rope_permutation(head_dim)].flatten(0, 1)


def read_safetensors(folder: Path) -> dict[str, Tensor]:
    """Every tensor of ``model.safetensors``, or of the shards its index file names."""
    from safetensors.torch import load_file  # only needed here

    index = folder / "model.safetensors.index.json"
    if index.is_file():
        weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map")
        if not isinstance(weight_map, dict):
            raise WeightsError(f"{index} has no weight_map; is it a safetensors index?")
        files = sorted(set(weight_map.values()))
    elif (folder / "model.safetensors").is_file():
        files = ["model.safetensors"]
    else:
        raise FileNotFoundError(
            f"{folder} holds neither model.safetensors nor model.safetensors.index.json; "
            "save the model with safe_serialization (the default)"
        )
    state: dict[str, Tensor] = {}
    for name in files:
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder / name} not found; the index lists it as a shard")
        state.update(load_file(folder / name))
    return state
