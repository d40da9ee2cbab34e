"""Turning graph recording off: :class:`no_grad` and :func:`is_grad_enabled`.

Inside ``with no_grad():`` operations on tensors compute their results but record no
graph: the outputs have ``requires_grad=False`` and hold no references to their inputs,
so evaluation and optimizer updates cost no memory for a backward pass that never comes.

Reference: ``torch.no_grad`` and ``torch.is_grad_enabled``.

Simplifications:
    - The flag is process-wide, not per thread.
"""

from __future__ import annotations

import contextlib


class _GradMode:
    """The switch read by every operation (a class attribute: one lookup, no global)."""

    enabled = True


class no_grad(contextlib.ContextDecorator):  # noqa: N801 (named like torch.no_grad)
    """Context manager (or decorator) in which operations record no graph.

    Use it for evaluation and for optimizer updates: results have ``requires_grad=False``
    and keep no references to their inputs.

    >>> from nlpjourney.autograd import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = x * 3
    >>> y.requires_grad, (x * 3).requires_grad
    (False, True)
    """

    def __enter__(self) -> None:
        self._previous = _GradMode.enabled
        _GradMode.enabled = False

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self._previous


def is_grad_enabled() -> bool:
    """Whether operations currently record a graph (False inside :class:`no_grad`)."""
    return _GradMode.enabled
