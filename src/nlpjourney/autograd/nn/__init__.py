"""A small neural-network framework on the from-scratch Tensor engine.

:class:`Module` (parameters found by walking attributes, state dicts, train/eval),
:class:`Sequential`, the layers :class:`Linear`, :class:`Embedding`, :class:`LayerNorm`,
:class:`Dropout`, the activations :class:`ReLU`, :class:`Tanh`, :class:`Sigmoid`,
:class:`GELU`, and the initialization schemes in :mod:`.init`.

This is the teaching framework of topic 3.2, built on :class:`~nlpjourney.autograd.Tensor`;
``nlpjourney.nn`` holds PyTorch building blocks.
"""

from __future__ import annotations

from nlpjourney.autograd.nn import init
from nlpjourney.autograd.nn.init import (
    calculate_gain,
    kaiming_normal_,
    kaiming_uniform_,
    manual_seed,
    xavier_normal_,
    xavier_uniform_,
)
from nlpjourney.autograd.nn.layers import (
    GELU,
    Dropout,
    Embedding,
    LayerNorm,
    Linear,
    ReLU,
    Sigmoid,
    Tanh,
)
from nlpjourney.autograd.nn.module import Module, Parameter, Sequential

__all__ = [
    "GELU",
    "Dropout",
    "Embedding",
    "LayerNorm",
    "Linear",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "calculate_gain",
    "init",
    "kaiming_normal_",
    "kaiming_uniform_",
    "manual_seed",
    "xavier_normal_",
    "xavier_uniform_",
]
