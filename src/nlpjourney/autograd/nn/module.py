"""The Module contract: parameters found by walking attributes, state dicts, train/eval.

A :class:`Module` is a plain Python object whose attributes may hold :class:`Parameter`
tensors, other modules, or lists, tuples and dicts of them. Nothing needs registering:
:meth:`Module.named_parameters` walks the attributes in the order they were set and names
each parameter by its path (``"layers.0.weight"``), the names PyTorch gives the same
structure, so a state dict can be copied key by key between the two.

    >>> from nlpjourney.autograd.nn import Linear, Module
    >>> class TwoLayer(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = Linear(4, 8)
    ...         self.out = Linear(8, 2)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> [name for name, _ in TwoLayer().named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']

Reference: ``torch.nn.Module`` (``parameters``, ``named_parameters``, ``state_dict``,
``load_state_dict``, ``train``/``eval``, ``zero_grad``) and ``torch.nn.Sequential``.

Simplifications:
    - No buffers, hooks or devices; the state dict holds parameters only, as NumPy arrays.
    - A list or dict attribute plays the part of ``nn.ModuleList``/``nn.ModuleDict``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nlpjourney.autograd.tensor import Tensor


class Parameter(Tensor):
    """A tensor that is a module's learnable state: ``requires_grad`` is True by default."""

    __slots__ = ()

    def __init__(self, data: ArrayLike, requires_grad: bool = True) -> None:
        super().__init__(data, requires_grad=requires_grad)


class Module:
    """Base class of layers and models: subclass it and write ``forward``.

    Attributes:
        training: True in training mode (dropout active), False after :meth:`eval`.
    """

    training: bool = True

    def __init__(self) -> None:
        self.training = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # --- walking the attributes -----------------------------------------------------

    def _members(self) -> Iterator[tuple[str, Any]]:
        """(name, value) for each attribute, lists and dicts opened one level."""
        for name, value in vars(self).items():
            if isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    yield f"{name}.{i}", item
            elif isinstance(value, dict):
                for key, item in value.items():
                    yield f"{name}.{key}", item
            else:
                yield name, value

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The modules held directly by this one, with their attribute paths."""
        for name, value in self._members():
            if isinstance(value, Module):
                yield name, value

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (name ``prefix``) and every module inside it, depth first."""
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted path, each once (a shared one under its first name).

        A module's own parameters come before those of its children, as in PyTorch.
        """
        seen: set[int] = set()
        for module_name, module in self.named_modules(prefix):
            for name, value in module._members():
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{module_name}.{name}" if module_name else name), value

    def parameters(self) -> list[Parameter]:
        """All parameters, in the order of :meth:`named_parameters` (for an optimizer)."""
        return [p for _, p in self.named_parameters()]

    # --- state ----------------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's data, by name."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, ArrayLike], strict: bool = True) -> None:
        """Copy arrays into the parameters of the same names, in place.

        Args:
            state: name -> array, e.g. from :meth:`state_dict` or from a PyTorch model
                (``{k: v.detach().numpy() for k, v in model.state_dict().items()}``).
            strict: raise if names are missing or unexpected (shapes must match always).
        """
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state]
        unexpected = [name for name in state if name not in params]
        if strict and (missing or unexpected):
            raise ValueError(
                f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}; "
                "pass strict=False to load only the keys present in both"
            )
        for name, param in params.items():
            if name not in state:
                continue
            value = np.asarray(state[name])
            if value.shape != param.shape:
                raise ValueError(
                    f"load_state_dict: {name} has shape {value.shape} in the state dict but "
                    f"{param.shape} in the module"
                )
            # In place, so an optimizer holding this parameter keeps working.
            param.data[...] = value

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every module inside it; returns self."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode (dropout off); returns self."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``grad = None``)."""
        for p in self.parameters():
            p.grad = None

    # --- printing -------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The arguments shown inside this module's parentheses."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            inner = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {inner}")
        return "\n".join([*lines, ")"])


class Sequential(Module):
    """Modules applied in order; their parameters are named ``"0.weight"``, ``"1.bias"``...

    Example: ``Sequential(Linear(64, 512), ReLU(), Linear(512, 10))``.
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for module in modules:
            if not isinstance(module, Module):
                raise TypeError(f"Sequential takes Modules, got {type(module).__name__}")
        self.layers = list(modules)

    def _members(self) -> Iterator[tuple[str, Any]]:
        # Named by position alone, as torch.nn.Sequential names them.
        for i, module in enumerate(self.layers):
            yield str(i), module

    def forward(self, x: Any) -> Any:
        for module in self.layers:
            x = module(x)
        return x

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)
