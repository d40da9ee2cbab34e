"""Automatic differentiation from scratch, on NumPy: a scalar engine, then a tensor engine.

This is the project's first engine, the **NumPy family** (``autograd``, ``autograd.nn``):
every array is a NumPy array and every backward rule is written out here, so the whole
of backprop can be read. It runs on the CPU and needs no torch. The second engine, the
**torch family** (:mod:`nlpjourney.nn`, :mod:`nlpjourney.models`), builds the transformers
on PyTorch's autograd and runs on a GPU; :mod:`nlpjourney.optim` updates parameters of
either.

- :class:`Value` (:mod:`.value`): one number per node, the whole idea of backprop in a page;
  :func:`draw_graph` (:mod:`.graph`) pictures its graph with data and gradients.
- :class:`Tensor` (:mod:`.tensor`): arrays with broadcasting, matmul, pointwise functions
  (:mod:`.pointwise`), reductions and softmax (:mod:`.reductions`), reshape, transpose
  and indexing (:mod:`.shape_ops`); :class:`no_grad` (:mod:`.grad_mode`) turns recording off.
- :mod:`.backward_rules`: the gradient rules for broadcasting, matmul and softmax as
  plain functions of arrays (the ones :class:`Tensor` uses, and what ``journey check
  3.1`` grades against).
- :mod:`.functional`: cross-entropy, linear, concatenate, stack.
- :mod:`.gradcheck`: finite differences against ``backward()``.
- :mod:`.nn`: a small module framework (Linear, LayerNorm, Embedding...) on Tensor.
"""

from __future__ import annotations

from nlpjourney.autograd import (
    backward_rules,
    functional,
    graph,
    nn,
    pointwise,
    reductions,
    shape_ops,
)
from nlpjourney.autograd.grad_mode import is_grad_enabled, no_grad
from nlpjourney.autograd.gradcheck import GradcheckResult, gradcheck
from nlpjourney.autograd.graph import draw_graph
from nlpjourney.autograd.tensor import Tensor
from nlpjourney.autograd.value import Value

__all__ = [
    "GradcheckResult",
    "Tensor",
    "Value",
    "backward_rules",
    "draw_graph",
    "functional",
    "gradcheck",
    "graph",
    "is_grad_enabled",
    "nn",
    "no_grad",
    "pointwise",
    "reductions",
    "shape_ops",
]
