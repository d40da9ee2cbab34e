"""A small neural-network framework on the from-scratch NumPy Tensor engine.

:class:`Module` (parameters found by walking attributes, state dicts, train/eval),
:class:`Sequential`, the layers :class:`Linear`, :class:`Embedding`, :class:`LayerNorm`,
:class:`Dropout`, the activations :class:`ReLU`, :class:`Tanh`, :class:`Sigmoid`,
:class:`GELU`, and the initialization schemes in :mod:`.init`.

This is the teaching framework of topic 3.2, in the NumPy family: built on
:class:`~nlpjourney.autograd.Tensor`, NumPy arrays inside, CPU only, no torch. Its names
follow ``torch.nn``'s, so a lesson can set the two side by side. Not to be confused with
:mod:`nlpjourney.nn`, the torch family's transformer building blocks, which subclass
``torch.nn.Module`` and run on a CPU or a GPU.
"""

from __future__ import annotations

from nlpjourney.autograd.nn import init
from nlpjourney.autograd.nn.init import (
    calculate_gain,
    kaiming_normal_,
    kaiming_uniform_,
    manual_seed,
    normal_,
    ones_,
    uniform_,
    xavier_normal_,
    xavier_uniform_,
    zeros_,
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
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]
