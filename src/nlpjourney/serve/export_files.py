"""The files around the weights of an export: Hugging Face configs and tokenizer, GGUF metadata.

A Hugging Face folder needs, beside ``model.safetensors``:

- ``config.json``: ``LlamaForCausalLM``'s shape, our :class:`~nlpjourney.models.LlamaConfig`
  under Hugging Face's keys (:data:`~nlpjourney.models.llama_weights.HF_CONFIG_KEYS`), with
  the RoPE scaling, grouped-query heads, tied head and biases;
- ``generation_config.json``: the special token ids generation stops and pads with;
- ``tokenizer.json`` (our tokenizer's :meth:`~nlpjourney.tokenizers.Tokenizer.save`),
  ``tokenizer_config.json`` (the chat template, the special tokens, the longest input) and
  ``special_tokens_map.json``.

A GGUF file keeps all of it as metadata keys: ``general.*``, ``llama.*`` (the shape), and
``tokenizer.ggml.*`` (every token in id order as its GPT-2 stand-in text, its type, the
merges as ``"a b"`` lines, the special ids) with ``tokenizer.chat_template``.

Reference: the files ``LlamaForCausalLM.save_pretrained`` and
``PreTrainedTokenizerFast.save_pretrained`` write (SmolLM2-135M-Instruct's own folder), the
keys llama.cpp's ``convert_hf_to_gguf.py`` writes and the SmolLM2 GGUF file holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlpjourney.serve.export import ExportError, Source, contiguous_numpy, file_tensors
from nlpjourney.serve.gguf_writer import FLOAT32, TensorSpec, Typed, write_gguf

if TYPE_CHECKING:
    from nlpjourney.models.llama import LlamaConfig

__all__ = ["gguf_metadata", "hf_config", "write_gguf_model", "write_hf_files"]

# llama.cpp's token types.
NORMAL, CONTROL, UNUSED = 1, 3, 5


def _special_tokens(source: Source) -> dict[str, str]:
    """``bos``/``eos``/``pad``/``unk`` -> token, those the source names and the tokenizer
    has; with no padding token, the end token pads (generation pads finished rows so)."""
    special = {
        key: token
        for key, token in source.special.items()
        if source.tokenizer.token_to_id(token) is not None
    }
    if "pad" not in special and "eos" in special:
        special["pad"] = special["eos"]
    return special


def _token_ids(source: Source) -> dict[str, int]:
    """:func:`_special_tokens` as ids."""
    to_id = source.tokenizer.token_to_id
    return {key: to_id(token) for key, token in _special_tokens(source).items()}  # type: ignore[misc]


def _rope_scaling(config: LlamaConfig) -> dict[str, Any] | None:
    scaling = config.rope_scaling
    if scaling is None:
        return None
    if scaling.kind == "linear":
        return {"rope_type": "linear", "factor": scaling.factor}
    return {
        "rope_type": "llama3",
        "factor": scaling.factor,
        "low_freq_factor": scaling.low_freq_factor,
        "high_freq_factor": scaling.high_freq_factor,
        "original_max_position_embeddings": scaling.original_max_positions,
    }


def hf_config(source: Source, dtype: str) -> dict[str, Any]:
    """The ``config.json`` of ``LlamaForCausalLM`` for the source's model (of
    ``GPT2LMHeadModel`` for a GPT)."""
    from nlpjourney.models.llama import Llama
    from nlpjourney.models.llama_weights import HF_CONFIG_KEYS

    ids = _token_ids(source)
    if not isinstance(source.model, Llama):
        from nlpjourney.serve.export_gpt import gpt2_hf_config

        return gpt2_hf_config(source, ids, dtype)
    config = source.model.config
    hf: dict[str, Any] = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    hf.update({theirs: getattr(config, ours) for ours, theirs in HF_CONFIG_KEYS.items()})
    hf.update(
        num_key_value_heads=config.kv_heads,
        head_dim=config.head_dim,
        hidden_act="silu",
        rope_scaling=_rope_scaling(config),
        tie_word_embeddings=config.tie_embeddings,
        attention_bias=config.bias,
        mlp_bias=config.bias,
        attention_dropout=0.0,
        initializer_range=0.02,
        pretraining_tp=1,
        use_cache=True,
        bos_token_id=ids.get("bos"),
        eos_token_id=ids.get("eos"),
        pad_token_id=ids.get("pad"),
        torch_dtype=dtype,
    )
    return hf


def _tokenizer_config(source: Source) -> tuple[dict[str, Any], dict[str, Any]]:
    """``tokenizer_config.json`` and ``special_tokens_map.json``."""
    tokenizer = source.tokenizer
    tokens_map = {f"{key}_token": token for key, token in _special_tokens(source).items()}
    added = {
        str(i): {"content": token, "lstrip": False, "normalized": False, "rstrip": False,
                 "single_word": False, "special": True}
        for token, i in sorted(tokenizer.special_tokens.items(), key=lambda item: item[1])
    }  # fmt: skip
    config: dict[str, Any] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "added_tokens_decoder": added,
        "clean_up_tokenization_spaces": False,
        "model_max_length": _context(source),
        **tokens_map,
    }
    if tokenizer.chat_template is not None:
        config["chat_template"] = tokenizer.chat_template
    return config, tokens_map


def _context(source: Source) -> int:
    """The longest input the model takes (a Llama's ``max_seq_len``, a GPT's ``block_size``)."""
    config = source.model.config
    return config.max_seq_len if hasattr(config, "max_seq_len") else config.block_size


def _write_json(path: Path, value: dict[str, Any]) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_hf_files(source: Source, folder: Path, dtype: str) -> None:
    """Everything of a Hugging Face folder but the weights, into ``folder``."""
    _write_json(folder / "config.json", hf_config(source, dtype))
    ids = _token_ids(source)
    generation = {f"{key}_token_id": ids[key] for key in ("bos", "eos", "pad") if key in ids}
    _write_json(folder / "generation_config.json", generation)
    source.tokenizer.save(folder / "tokenizer.json")
    config, tokens_map = _tokenizer_config(source)
    _write_json(folder / "tokenizer_config.json", config)
    _write_json(folder / "special_tokens_map.json", tokens_map)


# --- GGUF ---------------------------------------------------------------------------


def _pre_tokenizer_name(source: Source) -> str:
    """llama.cpp's name for the tokenizer's split regex."""
    from nlpjourney.tokenizers.byte_level import PATTERNS

    if source.gguf_pre is not None:
        return source.gguf_pre
    tokenizer = source.tokenizer
    names = {
        (PATTERNS["gpt2"], False): "gpt-2",
        (PATTERNS["smollm"], False): "smollm",
        (PATTERNS["llama3"], True): "llama-bpe",
    }
    key = (tokenizer.pattern, tokenizer.ignore_merges)  # type: ignore[attr-defined]
    if key not in names:
        raise ExportError(
            "the tokenizer splits text with a regex llama.cpp has no pre-tokenizer name for "
            "(it knows GPT-2's, SmolLM's and Llama 3's); export --format safetensors instead"
        )
    return names[key]


def _gguf_vocabulary(source: Source) -> dict[str, Any]:
    """The ``tokenizer.ggml.*`` keys of a byte-level BPE (or an ASCII character) tokenizer."""
    from nlpjourney.tokenizers import ByteLevelBPETokenizer, CharTokenizer
    from nlpjourney.tokenizers.byte_level import bytes_to_text

    tokenizer = source.tokenizer
    if isinstance(tokenizer, ByteLevelBPETokenizer):
        merges = [f"{bytes_to_text(a)} {bytes_to_text(b)}" for a, b in tokenizer.merges]
        pre = _pre_tokenizer_name(source)

        def text_of(i: int) -> str | None:
            return tokenizer.id_to_token(i)
    elif isinstance(tokenizer, CharTokenizer) and all(ord(c) < 128 for c in tokenizer.chars):
        # One byte per character: byte-level BPE with no merges cuts text the same way.
        merges, pre = [], "default"

        def text_of(i: int) -> str | None:
            char = tokenizer.id_to_token(i)
            return None if char is None else bytes_to_text(char.encode("ascii"))
    else:
        kind = type(tokenizer).__name__
        if isinstance(tokenizer, CharTokenizer):
            kind += " with non-ASCII characters"
        raise ExportError(
            f"a GGUF file holds byte-level BPE tokenizers (or ASCII characters); this "
            f"model's is a {kind}; export --format safetensors instead"
        )
    tokens, types = [], []
    special = set(tokenizer.special_tokens.values())
    for i in range(source.model.config.vocab_size):
        text = text_of(i)
        if text is None:  # an id the model has and the tokenizer lacks (a padded vocab)
            tokens.append(f"[PAD{i}]")
            types.append(UNUSED)
        else:
            tokens.append(text)
            types.append(CONTROL if i in special else NORMAL)
    keys: dict[str, Any] = {
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.pre": pre,
        "tokenizer.ggml.tokens": tokens,
        "tokenizer.ggml.token_type": types,
        "tokenizer.ggml.merges": merges,
    }
    ids = _token_ids(source)
    for key, gguf_key in (("bos", "bos"), ("eos", "eos"), ("unk", "unknown"), ("pad", "padding")):
        if key in ids:
            keys[f"tokenizer.ggml.{gguf_key}_token_id"] = ids[key]
    # Byte-level BPE never adds a space before the text (that is SentencePiece's habit).
    keys["tokenizer.ggml.add_space_prefix"] = False
    keys["tokenizer.ggml.add_bos_token"] = bool(tokenizer.prefix_ids)
    if tokenizer.chat_template is not None:
        keys["tokenizer.chat_template"] = tokenizer.chat_template
    return keys


def gguf_metadata(source: Source, dtype: str) -> dict[str, Any]:
    """Every metadata key of the GGUF file, in the order llama.cpp's converter writes them
    (architecture ``llama``, or ``gpt2`` for a GPT).

    Raises:
        ExportError: llama3 RoPE scaling, or a tokenizer GGUF cannot hold.
    """
    from nlpjourney.models.llama import Llama

    head = {
        "general.architecture": "llama" if isinstance(source.model, Llama) else "gpt2",
        "general.type": "model",
        "general.name": source.name,
        "general.alignment": 32,
        "general.file_type": 0 if dtype == "float32" else 1,  # ALL_F32, MOSTLY_F16
    }
    if not isinstance(source.model, Llama):
        from nlpjourney.serve.export_gpt import gpt2_gguf_keys

        return {**head, **gpt2_gguf_keys(source.model), **_gguf_vocabulary(source)}
    config = source.model.config
    if config.rope_scaling is not None and config.rope_scaling.kind != "linear":
        raise ExportError(
            f"the model scales RoPE by {config.rope_scaling.kind!r}, which llama.cpp keeps "
            "in a rope_freqs tensor we do not write; export --format safetensors instead"
        )
    metadata: dict[str, Any] = {
        **head,
        "llama.vocab_size": config.vocab_size,
        "llama.context_length": config.max_seq_len,
        "llama.embedding_length": config.dim,
        "llama.block_count": config.n_layers,
        "llama.feed_forward_length": config.hidden_dim,
        "llama.rope.dimension_count": config.head_dim,
        "llama.attention.head_count": config.n_heads,
        "llama.attention.head_count_kv": config.kv_heads,
        "llama.rope.freq_base": Typed(FLOAT32, float(config.rope_theta)),
        "llama.attention.layer_norm_rms_epsilon": Typed(FLOAT32, float(config.norm_eps)),
    }
    if config.rope_scaling is not None:
        metadata["llama.rope.scaling.type"] = "linear"
        metadata["llama.rope.scaling.factor"] = Typed(FLOAT32, float(config.rope_scaling.factor))
    metadata.update(_gguf_vocabulary(source))
    return metadata


def write_gguf_model(
    source: Source, out: Path, metadata: dict[str, Any], dtype: str, progress: bool | None
) -> None:
    """Write the GGUF file: ``metadata``, then the model's tensors in llama.cpp's names."""
    specs = []
    for name, shape, make in file_tensors(source.model, "gguf"):
        # 1-D tensors (norms, biases) stay float32, as llama.cpp's converter keeps them.
        kind = "F16" if dtype == "float16" and len(shape) > 1 else "F32"
        specs.append(TensorSpec(name, shape, kind, lambda make=make: contiguous_numpy(make())))
    write_gguf(out, metadata, specs, progress=progress)
