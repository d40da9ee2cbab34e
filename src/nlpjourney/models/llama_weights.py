"""Llama's weights from files: Hugging Face safetensors and llama.cpp GGUF, copied key by key.

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
from typing import TYPE_CHECKING, Literal

import torch
from torch import Tensor

from nlpjourney.errors import JourneyError
from nlpjourney.nn import rope_permutation

if TYPE_CHECKING:
    from nlpjourney.models.llama import Llama

__all__ = [
    "GGUF_NAMES",
    "HF_NAMES",
    "WeightsError",
    "copy_weights",
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
