"""Adam's and AdamW's update as pure functions of NumPy arrays: the readable reference.

One step of each, written line by line as in the papers, taking the old parameter,
gradient and moments and returning new ones:

    adam_step:   g <- g + weight_decay * w                      (L2 inside the gradient)
    adamw_step:  w <- w * (1 - lr * weight_decay)               (decay beside the gradient)
    both:        m <- beta1 m + (1 - beta1) g
                 v <- beta2 v + (1 - beta2) g^2
                 m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)
                 w <- w - lr * m_hat / (sqrt(v_hat) + eps)

Which is which: :class:`~nlpjourney.optim.adam.Adam` and
:class:`~nlpjourney.optim.adam.AdamW` are the implementations to train with. They update
parameters in place, on NumPy and torch arrays alike, and reuse one scratch array per
step so that a large weight matrix costs no fresh allocations. That speed is why they do
not call this module: a pure function must allocate its results. These functions are the
same math written for reading (they are the reference solution of exercise 3.2), and
``tests/optim/test_functional.py`` holds the two to the same trajectory, step for step.

Contract: the inputs are never modified; each call returns new arrays
``(param, exp_avg, exp_avg_sq)``. ``step`` is the number of this update, counting from 1,
so the first call passes ``step=1`` with zero moments.

    >>> import numpy as np
    >>> w, m, v = adamw_step(np.array([1.0]), np.array([0.5]), np.zeros(1), np.zeros(1),
    ...                      step=1, lr=0.1, weight_decay=0.0)
    >>> round(float(w[0]), 6)  # the first step moves every coordinate by about lr
    0.9

Reference: ``torch.optim.Adam`` and ``torch.optim.AdamW`` (the formulas in their
documentation; the tests compare 100-step trajectories).

Simplifications: no AMSGrad; float64 arithmetic on whatever arrays come in.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nlpjourney.optim.optimizer import check_beta, check_non_negative

__all__ = ["adam_step", "adamw_step"]


def _check(step: int, lr: float, betas: tuple[float, float], eps: float, wd: float) -> None:
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 1:
        raise ValueError(f"step counts updates from 1 (the first call passes 1), got {step!r}")
    check_non_negative(lr, "learning rate")
    check_non_negative(eps, "epsilon value")
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    check_beta(betas[0], 0)
    check_beta(betas[1], 1)
    check_non_negative(wd, "weight_decay value")


def _moments_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: ArrayLike,
    v: ArrayLike,
    step: int,
    lr: float,
    betas: tuple[float, float],
    eps: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The part Adam and AdamW share: moments, bias correction, the scaled step."""
    beta1, beta2 = betas
    new_m = beta1 * np.asarray(m) + (1 - beta1) * grad
    new_v = beta2 * np.asarray(v) + (1 - beta2) * grad**2
    # subtle: both averages start at zero, so after t steps they carry only a share
    # (1 - beta^t) of the gradient's weight; dividing by it makes the first steps full size.
    m_hat = new_m / (1 - beta1**step)
    v_hat = new_v / (1 - beta2**step)
    new_param = param - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_param, new_m, new_v


def adam_step(
    param: ArrayLike,
    grad: ArrayLike,
    exp_avg: ArrayLike,
    exp_avg_sq: ArrayLike,
    step: int,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Adam step, with weight decay as an L2 term added to the gradient.

    Args:
        param: the parameter ``w`` before the step.
        grad: its gradient ``g``.
        exp_avg: the first moment ``m`` from the previous step (zeros before the first).
        exp_avg_sq: the second moment ``v`` from the previous step (zeros at first).
        step: the number of this update, from 1.
        lr: the learning rate.
        betas: the decay rates ``(beta1, beta2)`` of ``m`` and ``v``, each in [0, 1).
        eps: added to ``sqrt(v_hat)``, so a zero gradient never divides by zero.
        weight_decay: ``g <- g + weight_decay * w`` before the moments see ``g``.

    Returns:
        ``(new_param, new_exp_avg, new_exp_avg_sq)``, new arrays; the inputs are unchanged.

    Shapes:
        every array has the shape of ``param``.

    Example: with ``lr=0.1``, zero moments and ``step=1``, ``w = 2, g = 4`` gives
    ``m = 0.4, v = 0.016, m_hat = 4, v_hat = 16`` and ``w = 2 - 0.1 * 4 / 4 = 1.9``.
    """
    _check(step, lr, betas, eps, weight_decay)
    param = np.asarray(param, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    if weight_decay != 0:
        grad = grad + weight_decay * param  # the decay is now part of what m and v average
    return _moments_step(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps)


def adamw_step(
    param: ArrayLike,
    grad: ArrayLike,
    exp_avg: ArrayLike,
    exp_avg_sq: ArrayLike,
    step: int,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One AdamW step: Adam on the gradient alone, and the weights decayed directly.

    The same arguments and return value as :func:`adam_step`, but ``weight_decay``
    (default ``1e-2``, torch's) shrinks the parameter by ``1 - lr * weight_decay`` before
    the Adam step, and never enters ``m`` or ``v``: every weight decays at the same rate,
    however large its gradients.

    Example: a zero gradient with zero moments leaves only the decay:
    ``adamw_step([10.0], [0.0], [0.0], [0.0], step=1, lr=0.1, weight_decay=0.5)`` gives
    ``w = 10 * (1 - 0.05) = 9.5``, ``m = v = 0``.
    """
    _check(step, lr, betas, eps, weight_decay)
    param = np.asarray(param, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    # subtle: torch decays first, with the current lr, then takes the Adam step from the
    # decayed weights; decaying after the step would differ in the last digits.
    decayed = param * (1 - lr * weight_decay)
    return _moments_step(decayed, grad, exp_avg, exp_avg_sq, step, lr, betas, eps)
