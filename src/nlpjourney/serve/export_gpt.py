"""Exporting a GPT run as GPT-2: the Hugging Face ``GPT2LMHeadModel`` layout and llama.cpp's ``gpt2``.

Our :class:`~nlpjourney.models.GPT` is GPT-2's architecture (learned positions,
LayerNorm with biases, a tanh-GELU MLP of width 4C, a head tied to the embeddings), so a
``journey train gpt`` run is written as GPT-2 with its own sizes and vocabulary. The
names are :data:`~nlpjourney.models.gpt.GPT2_NAMES` read backwards; Hugging Face keeps
GPT-2's linear layers as ``Conv1D``, whose weights are the transpose of ours
(``(in, out)``), while GGUF keeps them as ours (``(out, in)``, ``ne = [in, out]``):

=====================================  ===========================  =======================
Hugging Face (``transformer.`` prefix)  GGUF (llama.cpp)             ours
=====================================  ===========================  =======================
``wte`` / ``wpe``                      ``token_embd`` / ``position_embd``  ``transformer.wte`` / ``wpe``
``h.N.ln_1`` / ``h.N.ln_2``            ``blk.N.attn_norm`` / ``ffn_norm``  ``h.N.norm1`` / ``norm2``
``h.N.attn.c_attn`` (transposed)       ``blk.N.attn_qkv``            ``h.N.attn.qkv_proj``
``h.N.attn.c_proj`` (transposed)       ``blk.N.attn_output``         ``h.N.attn.out_proj``
``h.N.mlp.c_fc`` / ``c_proj`` (transposed)  ``blk.N.ffn_up`` / ``ffn_down``  ``h.N.mlp.up`` / ``down``
``ln_f``                               ``output_norm``               ``transformer.ln_f``
(tied, not stored)                     ``output`` (a copy of ``token_embd``)  ``lm_head`` (tied)
=====================================  ===========================  =======================

Reference: ``transformers``' ``GPT2LMHeadModel`` (same logits from the exported folder,
and from the GGUF file through its GGUF loader); llama.cpp's ``convert_hf_to_gguf.py``
(``GPT2Model``) for the names and keys.

Simplifications:
    - A GPT without biases (``bias=False``) is refused: GPT-2's layout has them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from nlpjourney.serve.export import ExportError

if TYPE_CHECKING:
    from torch import Tensor

    from nlpjourney.models.gpt import GPT
    from nlpjourney.serve.export import Source

__all__ = ["GGUF_GPT2_NAMES", "gpt2_file_tensors", "gpt2_gguf_keys", "gpt2_hf_config"]

#: Our names inside a block -> llama.cpp's (``blk.N.`` + this).
GGUF_GPT2_NAMES = {
    "norm1": "attn_norm",
    "norm2": "ffn_norm",
    "attn.qkv_proj": "attn_qkv",
    "attn.out_proj": "attn_output",
    "mlp.up": "ffn_up",
    "mlp.down": "ffn_down",
}
_OUTER_GGUF = {"transformer.wte": "token_embd", "transformer.wpe": "position_embd",
               "transformer.ln_f": "output_norm"}  # fmt: skip
# Our weights that Hugging Face's Conv1D layers store transposed.
_CONV1D = ("attn.qkv_proj.weight", "attn.out_proj.weight", "mlp.up.weight", "mlp.down.weight")


def check_gpt(model: GPT) -> None:
    """Refuse what GPT-2's layout cannot hold."""
    if not model.config.bias:
        raise ExportError(
            "this GPT has no biases (bias=False); GPT-2's layout, which export writes, has "
            "them: train with biases to export"
        )


def _their_name(ours: str, fmt: Literal["hf", "gguf"]) -> str:
    if fmt == "hf":
        from nlpjourney.models.gpt import GPT2_NAMES

        for theirs, mine in GPT2_NAMES.items():
            if mine in ours:
                return ours.replace(mine, theirs)
        return ours
    module, kind = ours.rsplit(".", 1)  # "transformer.h.0.mlp.up", "weight"
    if module in _OUTER_GGUF:
        return f"{_OUTER_GGUF[module]}.{kind}"
    _, _, index, inner = module.split(".", 3)  # transformer, h, N, the rest
    return f"blk.{index}.{GGUF_GPT2_NAMES[inner]}.{kind}"


def gpt2_file_tensors(
    model: GPT, fmt: Literal["hf", "gguf"]
) -> list[tuple[str, tuple[int, ...], Callable[[], Tensor]]]:
    """Every tensor of the file, in model order: its name, shape, and what makes it."""
    check_gpt(model)
    tensors = []
    for name, param in model.named_parameters():  # the tied lm_head is not listed
        transpose = fmt == "hf" and name.endswith(_CONV1D)
        shape = tuple(param.shape[::-1]) if transpose else tuple(param.shape)

        def make(param: Tensor = param, transpose: bool = transpose) -> Tensor:
            value = param.detach().float().cpu()
            return value.t() if transpose else value

        tensors.append((_their_name(name, fmt), shape, make))
    if fmt == "gguf":  # llama.cpp's converter writes the tied head as a copy
        embeddings = model.transformer.wte.weight
        tensors.append(
            ("output.weight", tuple(embeddings.shape), lambda: embeddings.detach().float().cpu())
        )
    return tensors


def gpt2_hf_config(source: Source, ids: dict[str, int], dtype: str) -> dict[str, Any]:
    """The ``config.json`` of ``GPT2LMHeadModel`` for a GPT."""
    config = source.model.config
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": config.vocab_size,
        "n_positions": config.block_size,
        "n_ctx": config.block_size,
        "n_embd": config.n_embd,
        "n_layer": config.n_layer,
        "n_head": config.n_head,
        "n_inner": None,
        "activation_function": "gelu_new",
        "layer_norm_epsilon": 1e-5,
        "resid_pdrop": 0.0,
        "embd_pdrop": 0.0,
        "attn_pdrop": 0.0,
        "scale_attn_weights": True,
        "scale_attn_by_inverse_layer_idx": False,
        "reorder_and_upcast_attn": False,
        "tie_word_embeddings": True,
        "initializer_range": 0.02,
        "use_cache": True,
        "bos_token_id": ids.get("bos"),
        "eos_token_id": ids.get("eos"),
        "pad_token_id": ids.get("pad"),
        "torch_dtype": dtype,
    }


def gpt2_gguf_keys(model: GPT) -> dict[str, Any]:
    """The ``gpt2.*`` metadata keys llama.cpp reads for a GPT-2."""
    from nlpjourney.serve.gguf_writer import FLOAT32, Typed

    check_gpt(model)
    config = model.config
    return {
        "gpt2.vocab_size": config.vocab_size,
        "gpt2.context_length": config.block_size,
        "gpt2.embedding_length": config.n_embd,
        "gpt2.feed_forward_length": 4 * config.n_embd,
        "gpt2.block_count": config.n_layer,
        "gpt2.attention.head_count": config.n_head,
        "gpt2.attention.layer_norm_epsilon": Typed(FLOAT32, 1e-5),
    }
