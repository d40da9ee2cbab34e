"""Exercise 3.2: AdamW's update, and how it differs from Adam with L2.

``torch.optim.AdamW`` is the optimizer nearly every transformer is trained with. Here
you write one step of it, and one step of plain Adam whose weight decay is an L2 term in
the gradient, as pure NumPy functions:

1. ``adam_step``: Adam, with ``weight_decay * param`` added to the gradient;
2. ``adamw_step``: AdamW, which shrinks the parameter directly and keeps the decay out
   of the moments.

Both share the Adam core. With ``t = step`` (counting from 1):

    m     = beta1 * m + (1 - beta1) * g
    v     = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    param = param - lr * m_hat / (sqrt(v_hat) + eps)

The contract: **return new arrays** ``(new_param, new_m, new_v)`` and leave every input
unchanged (no ``+=`` or ``*=`` on the arrays you were given). Raise ``ValueError`` when a
beta is outside ``[0, 1)``.

Use NumPy only: ``journey check`` refuses a file that uses ``nlpjourney`` (the model
answer) or torch (``torch.optim.AdamW`` would answer it). Then run ``journey check 3.2``
(``--hint`` shows more of a hint): the checks
compare your steps with numbers worked by hand and with ``torch.optim.AdamW`` over 100
steps, and each failing check gives a hint. The lesson
``lessons/3.2-pytorch-fundamentals.py`` builds the same update in cells.
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (yours to use)


def adam_step(
    param,
    grad,
    exp_avg,
    exp_avg_sq,
    step,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
):
    """Return ``(new_param, new_exp_avg, new_exp_avg_sq)`` after one Adam step.

    Weight decay here is L2 regularisation: first ``g = grad + weight_decay * param``,
    then the Adam core above with that ``g``. So the decay passes through ``m`` and
    ``v`` and is divided by ``sqrt(v_hat)`` like the rest of the gradient.

    ``exp_avg`` and ``exp_avg_sq`` are ``m`` and ``v`` from the previous step (arrays of
    zeros before the first); ``step`` is the number of this update, 1 on the first call.

    Example: ``adam_step(np.array([2.0]), np.array([4.0]), np.zeros(1), np.zeros(1),
    step=1, lr=0.1)`` gives ``m = 0.4, v = 0.016``, so ``m_hat = 4, v_hat = 16`` and
    ``new_param = 2 - 0.1 * 4 / (4 + 1e-8)``, about ``1.9``.
    """
    raise NotImplementedError("write adam_step: add the L2 term to grad, then m, v, m_hat, v_hat")


def adamw_step(
    param,
    grad,
    exp_avg,
    exp_avg_sq,
    step,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=1e-2,
):
    """Return ``(new_param, new_exp_avg, new_exp_avg_sq)`` after one AdamW step.

    Decoupled weight decay: first shrink the parameter, ``param * (1 - lr * weight_decay)``,
    then take the Adam core step from the shrunk parameter with the *raw* gradient.
    The decay never enters ``m`` or ``v``.

    Example: a zero gradient with zero moments leaves only the decay:
    ``adamw_step(np.array([10.0]), np.array([0.0]), np.zeros(1), np.zeros(1), step=1,
    lr=0.1, weight_decay=0.5)`` gives ``new_param = 10 * (1 - 0.05) = 9.5`` and
    ``m = v = 0``.
    """
    raise NotImplementedError("write adamw_step: decay the parameter, then the Adam core step")
