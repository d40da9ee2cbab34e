"""Optimizers, gradient clipping and learning-rate schedules (topics 3.1 and 3.2).

- :mod:`~nlpjourney.optim.optimizer`: the :class:`Optimizer` base class (parameter groups,
  state, the NumPy and torch array backends);
- :mod:`~nlpjourney.optim.sgd`: :class:`SGD` with momentum, dampening, Nesterov, L2 decay;
- :mod:`~nlpjourney.optim.adam`: :class:`Adam` (and AMSGrad) and :class:`AdamW`;
- :mod:`~nlpjourney.optim.functional`: ``adam_step`` and ``adamw_step``, the same updates
  as pure NumPy functions, for reading (the classes are the fast, in-place ones);
- :mod:`~nlpjourney.optim.rmsprop`: :class:`RMSprop`, plain, centred, with momentum;
- :mod:`~nlpjourney.optim.adagrad`: :class:`Adagrad`;
- :mod:`~nlpjourney.optim.clip`: :func:`clip_grad_norm_`;
- :mod:`~nlpjourney.optim.schedules`: :class:`StepLR`, :class:`LinearWithWarmup`,
  :class:`CosineWithWarmup` and the :class:`LambdaLR` they build on.

Every optimizer updates any object with ``.data`` and ``.grad``: our autograd tensors
(NumPy arrays inside) and torch parameters alike, with one copy of the update math, and
follows ``torch.optim``'s constructor signature and defaults, so code written for one
runs on the other.
"""

from nlpjourney.optim import functional
from nlpjourney.optim.adagrad import Adagrad
from nlpjourney.optim.adam import Adam, AdamW
from nlpjourney.optim.clip import clip_grad_norm_
from nlpjourney.optim.optimizer import Optimizer
from nlpjourney.optim.rmsprop import RMSprop
from nlpjourney.optim.schedules import CosineWithWarmup, LambdaLR, LinearWithWarmup, StepLR
from nlpjourney.optim.sgd import SGD

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineWithWarmup",
    "LambdaLR",
    "LinearWithWarmup",
    "Optimizer",
    "RMSprop",
    "StepLR",
    "clip_grad_norm_",
    "functional",
]
