"""One way to compile a loop with numba, for every module that needs one.

Some loops cannot be vectorised (a Gibbs sweep, a spanning tree, a coordinate-descent
pass): the library writes them in plain Python over NumPy arrays and compiles them with
``@compiled``. The machine code is cached on disk (beside the module or, in a read-only
install, in numba's per-user cache folder), so only the first process pays the compile,
seconds. With no writable folder at all numba refuses caching when the function is
decorated; then every process compiles afresh rather than the import failing. Compiled
code releases the GIL, so threads can run it side by side.

Example:
    >>> import numpy as np
    >>> @compiled
    ... def total(values):
    ...     running = 0.0
    ...     for value in values:
    ...         running += value
    ...     return running
    >>> total(np.arange(4.0))
    6.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numba import njit

__all__ = ["compiled"]


def compiled(function: Callable[..., Any] | None = None, *, fastmath: bool = False) -> Any:
    """``function`` compiled by numba (``@compiled``), or a decorator (``@compiled(fastmath=True)``).

    Args:
        function: the Python function to compile.
        fastmath: let the compiler reorder floating-point arithmetic (faster; results
            may differ in the last bits, so parity-tested kernels leave it off).

    Returns:
        The compiled function, or a decorator when ``function`` is not given.
    """

    def build(plain: Callable[..., Any]) -> Any:
        try:
            return njit(nogil=True, fastmath=fastmath, cache=True)(plain)
        except RuntimeError:  # no writable cache folder anywhere
            return njit(nogil=True, fastmath=fastmath)(plain)

    return build if function is None else build(function)
