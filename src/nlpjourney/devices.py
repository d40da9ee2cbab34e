"""Which device to compute on, from the name a user gives (``--device``, ``device=``).

>>> resolve_device("cpu")
device(type='cpu')
>>> resolve_device("tpu")
Traceback (most recent call last):
...
nlpjourney.errors.JourneyError: unknown device 'tpu'; use 'auto', 'cpu', 'cuda' or 'cuda:N'

Every model that trains or runs on a device reads its name through :func:`resolve_device`,
so a wrong name or a missing GPU gives the same clear message everywhere. torch is
imported when a name is resolved, not when this module is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlpjourney.errors import JourneyError

if TYPE_CHECKING:
    import torch

__all__ = ["DEVICE_TYPES", "resolve_device"]

#: The device types :func:`resolve_device` accepts by name.
DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu")


def resolve_device(name: str) -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; other names as torch reads them.

    Raises:
        JourneyError: a name torch does not know as a device here (``"tpu"``), or a
            device this machine lacks (``"cuda"`` without a GPU, ``"cuda:3"`` with one).
    """
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    known = "'auto', 'cpu', 'cuda' or 'cuda:N'"
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError, ValueError):
        raise JourneyError(f"unknown device {name!r}; use {known}") from None
    if device.type not in DEVICE_TYPES:
        raise JourneyError(f"device {name!r} is not one NLP Journey trains on; use {known}")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise JourneyError(
                f"device {name!r} asked for, but torch sees no GPU; use 'cpu' or 'auto'"
            )
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise JourneyError(
                f"device {name!r} asked for, but this machine has {count} GPU(s), "
                f"cuda:0 to cuda:{count - 1}"
            )
    elif device.type == "mps" and not torch.backends.mps.is_available():
        raise JourneyError(f"device {name!r} asked for, but this machine has no MPS; use 'cpu'")
    elif device.type == "xpu" and not (hasattr(torch, "xpu") and torch.xpu.is_available()):
        raise JourneyError(f"device {name!r} asked for, but torch sees no XPU; use 'cpu'")
    return device
