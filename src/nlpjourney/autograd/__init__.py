"""Automatic differentiation from scratch: a scalar engine, then a NumPy tensor engine.

- :class:`Value` (:mod:`.value`): one number per node, the whole idea of backprop in a page;
  :func:`draw_graph` (:mod:`.graph`) pictures its graph with data and gradients.
- :class:`Tensor` (:mod:`.tensor`): arrays with broadcasting, matmul, reductions, softmax
  (:mod:`.pointwise`, :mod:`.reductions`); :class:`no_grad` turns recording off.
- :mod:`.functional`: cross-entropy, linear, concatenate, stack.
- :mod:`.gradcheck`: finite differences against ``backward()``.
- :mod:`.nn`: a small module framework (Linear, LayerNorm, Embedding...) on Tensor.
"""

from __future__ import annotations

from nlpjourney.autograd import functional, nn, pointwise, reductions
from nlpjourney.autograd.gradcheck import GradcheckResult, gradcheck
from nlpjourney.autograd.graph import draw_graph
from nlpjourney.autograd.tensor import Tensor, is_grad_enabled, no_grad
from nlpjourney.autograd.value import Value

__all__ = [
    "GradcheckResult",
    "Tensor",
    "Value",
    "draw_graph",
    "functional",
    "gradcheck",
    "is_grad_enabled",
    "nn",
    "no_grad",
    "pointwise",
    "reductions",
]
