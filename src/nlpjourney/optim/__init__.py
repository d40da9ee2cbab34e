"""Optimizers, gradient clipping and learning-rate schedules (topics 3.1 and 3.2).

- :mod:`~nlpjourney.optim.optimizer`: the :class:`Optimizer` base class (parameter groups,
  state, the NumPy and torch array backends);
- :mod:`~nlpjourney.optim.sgd`: :class:`SGD` with momentum, dampening, Nesterov, L2 decay;
- :mod:`~nlpjourney.optim.adam`: :class:`Adam` (and AMSGrad) and :class:`AdamW`;
- :mod:`~nlpjourney.optim.functional`: :func:`adam_step` and :func:`adamw_step`, the same
  updates as pure functions of NumPy arrays. They are library API, the readable
  functional form: the papers' formulas line by line, with no state object and no
  in-place tricks, held to the classes and to ``torch.optim`` step for step by the tests.
  Train with the classes (fast, in place, on NumPy and torch alike); read these, or call
  them where a pure function fits (a NumPy experiment that keeps its own moments).
  ``journey check 3.2`` grades the learner's version against them;
- :mod:`~nlpjourney.optim.rmsprop`: :class:`RMSprop`, plain, centred, with momentum;
- :mod:`~nlpjourney.optim.adagrad`: :class:`Adagrad`;
- :mod:`~nlpjourney.optim.clip`: :func:`clip_grad_norm_`;
- :mod:`~nlpjourney.optim.schedules`: :class:`StepLR`, :class:`LinearWithWarmup`,
  :class:`CosineWithWarmup` and the :class:`LambdaLR` they build on, and their
  multipliers as plain functions of the step (:func:`step_decay`,
  :func:`linear_with_warmup`, :func:`cosine_with_warmup`).

Every optimizer updates any object with ``.data`` and ``.grad``: our autograd tensors
(NumPy arrays inside) and torch parameters alike, with one copy of the update math, and
follows ``torch.optim``'s constructor signature and defaults, so code written for one
runs on the other: this package serves both engines, the NumPy one
(:mod:`nlpjourney.autograd`) and the torch one (:mod:`nlpjourney.nn`,
:mod:`nlpjourney.models`).
"""

from nlpjourney.optim import functional
from nlpjourney.optim.adagrad import Adagrad
from nlpjourney.optim.adam import Adam, AdamW
from nlpjourney.optim.clip import clip_grad_norm_
from nlpjourney.optim.functional import adam_step, adamw_step
from nlpjourney.optim.optimizer import Optimizer
from nlpjourney.optim.rmsprop import RMSprop
from nlpjourney.optim.schedules import (
    CosineWithWarmup,
    LambdaLR,
    LinearWithWarmup,
    StepLR,
    cosine_with_warmup,
    linear_with_warmup,
    step_decay,
)
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
    "adam_step",
    "adamw_step",
    "clip_grad_norm_",
    "cosine_with_warmup",
    "functional",
    "linear_with_warmup",
    "step_decay",
]
