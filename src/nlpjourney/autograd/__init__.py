"""Automatic differentiation from scratch: a scalar engine, then a NumPy tensor engine.

- :class:`Value` (:mod:`.value`): one number per node, the whole idea of backprop in a page;
  :func:`draw_graph` (:mod:`.graph`) pictures its graph with data and gradients.
- :class:`Tensor` (:mod:`.tensor`): arrays with broadcasting, matmul, pointwise functions
  (:mod:`.pointwise`), reductions and softmax (:mod:`.reductions`), reshape, transpose
  and indexing (:mod:`.shape_ops`); :class:`no_grad` (:mod:`.grad_mode`) turns recording off.
- :mod:`.functional`: cross-entropy, linear, concatenate, stack.
- :mod:`.gradcheck`: finite differences against ``backward()``.
- :mod:`.nn`: a small module framework (Linear, LayerNorm, Embedding...) on Tensor.
"""

from __future__ import annotations

from nlpjourney.autograd import functional, graph, nn, pointwise, reductions, shape_ops
from nlpjourney.autograd.grad_mode import is_grad_enabled, no_grad
from nlpjourney.autograd.gradcheck import GradcheckResult, gradcheck
from nlpjourney.autograd.graph import draw_graph
from nlpjourney.autograd.tensor import Tensor
from nlpjourney.autograd.value import Value

__all__ = [
    "GradcheckResult",
    "Tensor",
    "Value",
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
