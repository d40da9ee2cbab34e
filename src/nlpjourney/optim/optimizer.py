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

:meth:`Optimizer.state_dict` and :meth:`Optimizer.load_state_dict` save and restore an
optimizer in ``torch.optim``'s layout: parameters are named by their index in the order
of the groups (ids change between processes, that order does not), so a run saved in
one process resumes in another, and a state dict can move between our optimizers and
torch's (the tests load torch's into ours and ours into torch's)::

    {"state": {0: {"step": 3, "exp_avg": ..., "exp_avg_sq": ...}, 1: {...}},
     "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), ..., "params": [0, 1]}]}

Reference: ``torch.optim.Optimizer`` (its parameter groups, ``zero_grad``,
``state_dict`` layout and the error messages for bad ``params``).

Simplifications:
    - ``state`` is keyed by ``id(p)`` rather than by the parameter (our tensors may
      define elementwise ``==`` and so not be hashable); read it with :meth:`state_of`;
    - ``state_dict()`` returns copies, where torch returns the live tensors (so a later
      step cannot change a state dict already taken), and the step count is an int,
      where torch keeps a float tensor;
    - no hooks, no ``maximize``, ``foreach``, ``fused``, ``capturable`` or
      ``differentiable`` flags, no sparse gradients.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
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


#: ``torch.optim`` group options that choose only how the update is computed (kernels,
#: graphs), never what it computes: a torch state dict that carries them loads anyway.
IMPLEMENTATION_FLAGS = frozenset(
    {"foreach", "fused", "capturable", "differentiable", "param_names"}
)


def _state_value(value: Any, p: Parameter, key: str, index: int) -> Any:
    """A saved state entry made fit for parameter ``p``: its backend, device, dtype, a copy.

    NumPy parameters get NumPy arrays and torch parameters torch tensors on their device,
    whichever kind was saved; floating arrays take the parameter's dtype (as torch does);
    the step count becomes an int (torch saves a float tensor).
    """
    if key == "step":
        return int(value.item() if hasattr(value, "item") else value)
    if not (is_torch(value) or isinstance(value, np.ndarray)):
        return value  # None or a plain number
    target = array_of(p)
    if tuple(value.shape) != tuple(target.shape):
        raise ValueError(
            f"state {key!r} of parameter {index} has shape {tuple(value.shape)}, but the "
            f"parameter has shape {tuple(target.shape)}; the state dict was saved from "
            "another model"
        )
    if is_torch(p):
        import torch

        tensor = torch.as_tensor(value)
        dtype = p.dtype if tensor.is_floating_point() else tensor.dtype
        return tensor.to(device=p.device, dtype=dtype, copy=True)
    array = value.detach().cpu().numpy() if is_torch(value) else value
    dtype = target.dtype if np.issubdtype(array.dtype, np.floating) else array.dtype
    return np.array(array, dtype=dtype, copy=True)


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

    # --- saving and restoring ----------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state and hyper-parameters, in ``torch.optim``'s layout.

        Parameters are named by their index, counted through the groups in order;
        parameters with no state yet (never stepped) are left out of ``"state"``.

        Returns:
            ``{"state": {index: {name: value}}, "param_groups": [{**hyper_parameters,
            "params": [indices]}]}``; arrays are copies (NumPy arrays for NumPy
            parameters, tensors on the parameter's device for torch ones).

        Example:
            >>> import numpy as np
            >>> from nlpjourney.optim import SGD
            >>> class P:  # a stand-in parameter
            ...     def __init__(self, x): self.data, self.grad = np.array(x), None
            >>> w = P([1.0, 2.0]); opt = SGD([w], lr=0.1, momentum=0.9)
            >>> w.grad = np.array([1.0, 1.0]); _ = opt.step()
            >>> saved = opt.state_dict()
            >>> saved["state"], saved["param_groups"][0]["params"]
            ({0: {'momentum_buffer': array([1., 1.])}}, [0])
            >>> fresh = SGD([P([0.9, 1.9])], lr=0.1, momentum=0.9)
            >>> fresh.load_state_dict(saved); fresh.state_dict()["state"]
            {0: {'momentum_buffer': array([1., 1.])}}
        """
        state: dict[int, dict[str, Any]] = {}
        groups = []
        index = 0
        for group in self.param_groups:
            indices = []
            for p in group["params"]:
                entry = self.state.get(id(p))
                if entry:
                    ops = ops_for(p)
                    state[index] = {
                        k: ops.copy(v) if is_torch(v) or isinstance(v, np.ndarray) else v
                        for k, v in entry.items()
                    }
                indices.append(index)
                index += 1
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": indices})
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restores what :meth:`state_dict` saved (ours, or ``torch.optim``'s).

        The optimizer must hold the same number of groups and of parameters per group,
        of the same shapes, as the one saved. Its hyper-parameters become the saved
        ones; its state is replaced by a copy of the saved state, converted to each
        parameter's backend and device (so a state dict saved on a GPU loads on a CPU,
        and torch's loads onto NumPy parameters). Nothing changes if a check fails.

        Args:
            state_dict: ``{"state": {index: {...}}, "param_groups": [{..., "params":
                [indices]}]}``.

        Raises:
            TypeError: ``state_dict`` is not such a mapping.
            ValueError: the numbers of groups or parameters differ, a state array has
                another shape than its parameter, or a group sets a hyper-parameter this
                optimizer does not take (it was saved from another kind of optimizer).
        """
        name = type(self).__name__
        if not isinstance(state_dict, Mapping) or not {"state", "param_groups"} <= set(state_dict):
            raise TypeError(
                f"{name}.load_state_dict expects a mapping with 'state' and 'param_groups' "
                f"(what state_dict() returns), got {type(state_dict).__name__}"
            )
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"the state dict has {len(saved_groups)} parameter groups, this {name} has "
                f"{len(self.param_groups)}; it was saved from another optimizer or model"
            )
        by_index: dict[Any, tuple[int, Parameter]] = {}  # saved index -> (position, param)
        new_groups = []
        position = 0
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            indices = list(saved.get("params", ()))
            if len(indices) != len(group["params"]):
                raise ValueError(
                    f"parameter group {i} of the state dict holds {len(indices)} parameters, "
                    f"this {name}'s holds {len(group['params'])}; it was saved from another "
                    "model"
                )
            for index, p in zip(indices, group["params"], strict=True):
                by_index[index] = (position, p)
                position += 1
            new = {**group, **self._hyper_parameters(saved, i), "params": group["params"]}
            self._check_group(new)
            new_groups.append(new)
        new_state = {}
        for index, entry in state_dict["state"].items():
            if index not in by_index:
                raise ValueError(
                    f"the state dict holds state for parameter {index!r}, which none of its "
                    "groups lists; it is damaged"
                )
            position, p = by_index[index]
            new_state[id(p)] = {k: _state_value(v, p, k, position) for k, v in entry.items()}
        # subtle: the group dicts are updated in place, not replaced, so whoever holds
        # one (a schedule, the caller's own group dicts) sees the loaded values.
        for group, new in zip(self.param_groups, new_groups, strict=True):
            group.update(new)
        self.state = new_state

    def _hyper_parameters(self, saved: Mapping[str, Any], i: int) -> dict[str, Any]:
        """The hyper-parameters of saved group ``i`` that this optimizer takes."""
        name = type(self).__name__
        fixed = self._fixed_torch_flags()
        hyper = {}
        for key, value in saved.items():
            if key == "params" or key in IMPLEMENTATION_FLAGS:
                continue
            if key in fixed:
                if value != fixed[key]:
                    raise ValueError(
                        f"parameter group {i} of the state dict sets {key}={value!r}; {name} "
                        f"always runs as {key}={fixed[key]!r}, so it cannot continue that run"
                    )
                continue
            if key not in self.defaults and key != "initial_lr":
                raise ValueError(
                    f"parameter group {i} of the state dict sets {key!r}, which {name} does "
                    f"not take (it takes {sorted(self.defaults)}); it was saved from another "
                    "kind of optimizer"
                )
            hyper[key] = value
        return hyper

    def _fixed_torch_flags(self) -> dict[str, Any]:
        """``torch.optim`` options this class lacks, with the value it always acts as."""
        return {"maximize": False}

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
