"""Gradient checking: compare ``backward()`` with central finite differences.

For a function ``f`` of some tensors, :func:`gradcheck` computes the gradient of
``L = sum(f(inputs) * w)`` two ways, for fixed random weights ``w`` (for a scalar ``f``,
``w = 1``, so ``L = f``):

- analytically, by ``L.backward()``;
- numerically, entry by entry: ``(L(x + eps) - L(x - eps)) / (2 eps)``, whose error
  shrinks like ``eps**2``.

The random weights make one backward pass check a whole vector-Jacobian product, so a
non-scalar output needs no Jacobian. Everything runs in float64: in float32, rounding
error in ``L(x + eps) - L(x - eps)`` would swamp the differences being measured.

    >>> x = Tensor(np.random.randn(3, 4), requires_grad=True)
    >>> result = gradcheck(lambda x: (x.tanh() * x).sum(), [x])
    >>> result.passed
    True

Reference: ``torch.autograd.gradcheck`` (which builds the full Jacobian instead).

Simplifications:
    - One random projection of the output instead of the full Jacobian: a wrong entry
      could in principle cancel out, with probability zero for continuous weights.
    - Costs ``2 * (number of input elements)`` evaluations of ``f``: for small tensors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nlpjourney.autograd.tensor import Tensor


@dataclass(frozen=True)
class GradcheckResult:
    """The outcome of :func:`gradcheck`.

    Attributes:
        passed: every gradient entry satisfies ``|analytic - numeric| <= atol + rtol |numeric|``.
        max_abs_error: the largest ``|analytic - numeric|`` over all inputs.
        max_rel_error: the largest ``|analytic - numeric| / max(|numeric|, 1e-12)``.
        analytic: ``backward()``'s gradient of each input.
        numeric: the finite-difference gradient of each input.
        report: a few human-readable lines, one per input, with the worst entry.
    """

    passed: bool
    max_abs_error: float
    max_rel_error: float
    analytic: list[np.ndarray]
    numeric: list[np.ndarray]
    report: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.report


def gradcheck(
    f: Callable[..., Tensor],
    inputs: Sequence[Tensor],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> GradcheckResult:
    """Check ``f``'s gradients with respect to each input against finite differences.

    Args:
        f: a function of the input tensors returning a Tensor (any shape).
        inputs: the tensors to differentiate with respect to; they are copied to float64
            and left untouched.
        eps: the finite-difference step.
        atol: absolute tolerance per entry.
        rtol: relative tolerance per entry.
        seed: seeds the random output weights ``w``.

    Returns:
        A :class:`GradcheckResult`; ``bool(result)`` is ``result.passed`` and
        ``print(result)`` prints its report.
    """
    if not inputs or not all(isinstance(t, Tensor) for t in inputs):
        raise TypeError("gradcheck: inputs must be a non-empty sequence of Tensors")
    arrays = [np.array(t.data, dtype=np.float64) for t in inputs]
    probe = f(*[Tensor(a) for a in arrays])
    if not isinstance(probe, Tensor):
        raise TypeError(f"gradcheck: f must return a Tensor, got {type(probe).__name__}")
    weights = np.random.default_rng(seed).standard_normal(probe.shape)

    def objective(values: list[np.ndarray]) -> float:
        return float(np.sum(f(*[Tensor(v) for v in values]).data * weights))

    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = f(*leaves)
    if out.requires_grad:
        out.backward(weights)
    analytic = [
        np.zeros_like(a) if t.grad is None else t.grad for a, t in zip(arrays, leaves, strict=True)
    ]

    numeric = []
    for i, array in enumerate(arrays):
        grad = np.zeros_like(array)
        for j in np.ndindex(array.shape):
            values = list(arrays)
            shifted = array.copy()
            shifted[j] = array[j] + eps
            values[i] = shifted
            up = objective(values)
            shifted[j] = array[j] - eps
            down = objective(values)
            grad[j] = (up - down) / (2 * eps)
        numeric.append(grad)

    lines, passed, max_abs, max_rel = [], True, 0.0, 0.0
    for i, (a, n) in enumerate(zip(analytic, numeric, strict=True)):
        error = np.abs(a - n)
        ok = bool(np.all(error <= atol + rtol * np.abs(n)))
        passed &= ok
        if error.size == 0:
            lines.append(f"input {i}: empty")
            continue
        worst = np.unravel_index(np.argmax(error), error.shape)
        rel = error / np.maximum(np.abs(n), 1e-12)
        max_abs, max_rel = max(max_abs, float(error.max())), max(max_rel, float(rel.max()))
        lines.append(
            f"input {i} {a.shape}: {'ok' if ok else 'MISMATCH'}, max |error| "
            f"{error.max():.2e} at {tuple(int(k) for k in worst)} "
            f"(backward {a[worst]:.6g}, finite differences {n[worst]:.6g})"
        )
    verdict = "passed" if passed else "FAILED"
    header = f"gradcheck {verdict} (eps={eps:g}, atol={atol:g}, rtol={rtol:g})"
    return GradcheckResult(passed, max_abs, max_rel, analytic, numeric, "\n".join([header, *lines]))
