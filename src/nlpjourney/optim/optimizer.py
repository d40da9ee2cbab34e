"""The optimizer base class: parameter groups, per-parameter state, and two array backends.

An optimizer holds *parameters*, objects with a ``.data`` and a ``.grad``, and on
:meth:`Optimizer.step` moves each one against its gradient. The same update code serves
two kinds of parameter:

- ours (``nlpjourney.autograd.Tensor``, or any object whose ``.data`` and ``.grad`` are
  NumPy arrays): the update writes into ``p.data`` in place;
- PyTorch's (``torch.nn.Parameter``/``torch.Tensor``): the update writes into ``p``
  itself, inside ``torch.no_grad()``, as ``torch.optim`` does.

The update formulas (in :mod:`~nlpjourney.optim.sgd`, :mod:`~nlpjourney.optim.adam`,
...) are written only with what NumPy arrays and torch tensors share: the operators
``+ - * /``, the in-place ``+= -= *= /=``, and Python floats as scalars. The few functions
that differ by name (``sqrt``, ``maximum``, ``zeros_like``, ``copy``/``clone``, norms, and
``multiply``/``divide`` with ``out=``, which both libraries call the same way) come from a
tiny :class:`ArrayOps` table with one row per backend; the torch row is built
on first use, so ``nlpjourney.optim`` never imports torch for NumPy parameters. A
parameter's backend is read from the module of its type (``type(p).__module__`` starts
with ``torch``), not from an ``isinstance`` check that would need torch imported.

Parameter groups work as in ``torch.optim``: ``params`` is either an iterable of
parameters or an iterable of dicts ``{"params": [...], "lr": 0.1, ...}``; each group is
a dict holding its own hyper-parameters (missing ones filled from the optimizer's
defaults), so a learning-rate schedule sets ``optimizer.param_groups[i]["lr"]`` and the
next step uses it.

Reference: ``torch.optim.Optimizer`` (its parameter groups, ``zero_grad`` and the error
messages for bad ``params``).

Simplifications:
    - ``state`` is keyed by ``id(p)`` rather than by the parameter (our tensors may
      define elementwise ``==`` and so not be hashable); read it with :meth:`state_of`;
    - no ``state_dict``/``load_state_dict``, no hooks, no ``maximize``, ``foreach``,
      ``fused``, ``capturable`` or ``differentiable`` flags, no sparse gradients.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


class Parameter(Protocol):
    """Anything an optimizer can update: an array-like ``.data`` and its ``.grad``."""

    data: Any
    grad: Any


@dataclass(frozen=True)
class ArrayOps:
    """The functions whose names differ between NumPy and torch, one row per backend.

    Attributes:
        name: ``"numpy"`` or ``"torch"``.
        zeros_like: a new array of zeros with the shape, dtype and device of its argument.
        copy: a new array equal to its argument.
        sqrt: the elementwise square root: ``sqrt(x)`` a new array, ``sqrt(x, out=y)``
            written into ``y``.
        multiply: ``multiply(a, b, out=c)``: ``a * b`` written into ``c``.
        divide: ``divide(a, b, out=c)``: ``a / b`` written into ``c``.
        maximum: ``maximum(a, b, out=a)`` writes the elementwise maximum into ``a``.
        vector_norm: ``vector_norm(x, p)``: the p-norm of all entries of ``x``, as a
            0-d array (NumPy) or 0-d tensor (torch).
        stack: a 1-D array from a list of 0-d ones.
        clamp_max: ``clamp_max(x, c)``: ``min(x, c)`` elementwise, a new array.
        no_grad: a context manager that turns gradient tracking off (a no-op for NumPy).
    """

    name: str
    zeros_like: Callable[[Any], Any]
    copy: Callable[[Any], Any]
    sqrt: Callable[..., Any]
    multiply: Callable[..., Any]
    divide: Callable[..., Any]
    maximum: Callable[..., Any]
    vector_norm: Callable[[Any, float], Any]
    stack: Callable[[list[Any]], Any]
    clamp_max: Callable[[Any, float], Any]
    no_grad: Callable[[], contextlib.AbstractContextManager[Any]]


def _numpy_norm(x: np.ndarray, p: float) -> np.ndarray:
    if x.size == 0:  # np.linalg.norm's inf-norm has no max of nothing
        return np.zeros((), dtype=x.dtype)
    return np.asarray(np.linalg.norm(x.ravel(), ord=p), dtype=x.dtype)


NUMPY_OPS = ArrayOps(
    name="numpy",
    zeros_like=np.zeros_like,
    copy=np.copy,
    sqrt=np.sqrt,
    multiply=np.multiply,
    divide=np.divide,
    maximum=np.maximum,
    vector_norm=_numpy_norm,
    stack=lambda xs: np.stack(xs),
    clamp_max=np.minimum,
    no_grad=contextlib.nullcontext,
)

_torch_ops: ArrayOps | None = None


def _get_torch_ops() -> ArrayOps:
    """The torch row, built (and torch imported) the first time a torch parameter shows up."""
    global _torch_ops
    if _torch_ops is None:
        import torch

        _torch_ops = ArrayOps(
            name="torch",
            zeros_like=lambda x: torch.zeros_like(x, memory_format=torch.preserve_format),
            copy=lambda x: x.detach().clone(),
            sqrt=torch.sqrt,
            multiply=torch.mul,
            divide=torch.div,
            maximum=torch.maximum,
            vector_norm=lambda x, p: torch.linalg.vector_norm(x, p),
            stack=torch.stack,
            clamp_max=lambda x, c: torch.clamp(x, max=c),
            no_grad=torch.no_grad,
        )
    return _torch_ops


def is_torch(obj: object) -> bool:
    """Whether ``obj`` is a torch tensor or parameter, told without importing torch."""
    return type(obj).__module__.split(".")[0] == "torch"


def ops_for(p: Parameter) -> ArrayOps:
    """The backend row for parameter ``p``."""
    return _get_torch_ops() if is_torch(p) else NUMPY_OPS


def array_of(p: Parameter) -> Any:
    """The array an update writes into: the torch parameter itself, or our ``p.data``."""
    # subtle: for torch we write into ``p`` under ``no_grad``, not into ``p.data``. Writes
    # through ``.data`` bypass autograd's version counter, so a graph that saved ``p`` would
    # silently use the new values; ``torch.optim`` updates ``p`` itself for that reason.
    return p if is_torch(p) else p.data


def is_parameter(obj: object) -> bool:
    """Whether ``obj`` looks like a parameter: it has both ``.data`` and ``.grad``."""
    # Any torch tensor counts (reading .grad of a non-leaf one would only warn; the
    # optimizer rejects non-leaves with a clearer message).
    return is_torch(obj) or (hasattr(obj, "data") and hasattr(obj, "grad"))


def check_non_negative(value: float, what: str) -> None:
    """A ValueError worded like torch's (``Invalid learning rate: -1``) unless ``value >= 0``."""
    if not value >= 0.0:  # also rejects nan
        raise ValueError(f"Invalid {what}: {value}")


def check_beta(value: float, index: int) -> None:
    """A ValueError unless ``0 <= value < 1``: a decay rate of 1 never forgets."""
    if not 0.0 <= value < 1.0:
        raise ValueError(
            f"Invalid beta parameter at index {index}: {value}; betas must be in [0, 1)"
        )


class Optimizer:
    """Base class: holds parameter groups and per-parameter state; subclasses do the math.

    A subclass passes its hyper-parameters as ``defaults`` and implements
    :meth:`_check_group` (validation) and :meth:`_update` (one parameter's step).

    Args:
        params: an iterable of parameters (objects with ``.data`` and ``.grad``), or of
            dicts ``{"params": [...], **hyper_parameters}``, one per group.
        defaults: the hyper-parameters a group takes when it does not set them.

    Raises:
        TypeError: ``params`` is a single parameter, a str, or holds something that is
            not a parameter.
        ValueError: ``params`` is empty, a parameter appears twice, or a hyper-parameter
            is out of range.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        if is_parameter(params) or isinstance(params, str | bytes | dict):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of parameters "
                f"or dicts, but got {type(params).__name__}; wrap a single one in a list"
            )
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[int, dict[str, Any]] = {}
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            settings = ", ".join(f"{k}={v}" for k, v in group.items() if k != "params")
            lines.append(f"  group {i}: {len(group['params'])} parameters, {settings}")
        return "\n".join([*lines, ")"])

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Adds a group of parameters, with hyper-parameters that override the defaults.

        Args:
            group: ``{"params": parameter or iterable of parameters, **hyper_parameters}``.
        """
        if not isinstance(group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(group).__name__}")
        if "params" not in group:
            raise ValueError("a parameter group needs a 'params' entry")
        params = group["params"]
        params = [params] if is_parameter(params) else list(params)
        for p in params:
            if not is_parameter(p):
                raise TypeError(
                    "optimizer can only optimize parameters (objects with .data and .grad, "
                    f"such as a Tensor), but one of the params is {type(p).__name__}"
                )
            if getattr(p, "is_leaf", True) is False:
                raise ValueError("can't optimize a non-leaf Tensor; pass the leaf parameters")
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise ValueError(
                f"unknown hyper-parameters {sorted(unknown)} for {type(self).__name__}; "
                f"it takes {sorted(self.defaults)}"
            )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise ValueError("some parameters appear more than once; give each only once")
        full = {**self.defaults, **group, "params": params}
        self._check_group(full)
        self.param_groups.append(full)

    def parameters(self) -> Iterator[Parameter]:
        """Every parameter of every group, in order."""
        for group in self.param_groups:
            yield from group["params"]

    def state_of(self, p: Parameter) -> dict[str, Any]:
        """The optimizer's state for parameter ``p`` (its moments, step count, ...)."""
        return self.state.setdefault(id(p), {})

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears every gradient: sets it to ``None`` (the default, as torch) or to zeros."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                with ops_for(p).no_grad():
                    p.grad[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Updates every parameter that has a gradient, once.

        Args:
            closure: optional; re-evaluates the model and returns the loss (kept for
                torch's calling convention; none of these optimizers needs it).

        Returns:
            The closure's loss, or ``None``.
        """
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:  # not used in this forward pass: leave it alone
                    continue
                ops = ops_for(p)
                with ops.no_grad():
                    self._update(array_of(p), p.grad, self.state_of(p), group, ops)
        return loss

    # --- for subclasses --------------------------------------------------------------

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raises ValueError if a group's hyper-parameters are out of range."""
        raise NotImplementedError

    def _update(
        self, w: Any, g: Any, state: dict[str, Any], group: dict[str, Any], ops: ArrayOps
    ) -> None:
        """One step for one parameter: writes the new values into ``w`` in place.

        Args:
            w: the parameter's array (written in place).
            g: its gradient (read only: never modified).
            state: this parameter's state, empty on its first step.
            group: the hyper-parameters of its group.
            ops: the backend's functions.
        """
        raise NotImplementedError
