"""What every model's config shares: checks of its fields, presets by name, plain dicts.

It sits on the base floor so that every family of models can build on it: the
transformers of :mod:`nlpjourney.models` and the recurrent encoder-decoders of
:mod:`nlpjourney.seq2seq` alike.

A model config is a frozen dataclass that subclasses :class:`ModelConfig` and names its
presets in ``PRESET_KIND`` and :meth:`ModelConfig.presets`; it then has
:meth:`~ModelConfig.from_name`, :meth:`~ModelConfig.replace`, :meth:`~ModelConfig.to_dict`
and :meth:`~ModelConfig.from_dict` (what a checkpoint's ``meta`` stores and reads back).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Self

from nlpjourney.errors import lookup

__all__ = ["ModelConfig", "check_dropout", "check_heads_divide", "check_positive_int"]


def check_positive_int(value: object, name: str) -> None:
    """A ValueError unless ``value`` is an int >= 1 (a bool is not)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def check_dropout(value: object) -> None:
    """A TypeError or ValueError unless ``value`` is a probability in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"dropout must be a float in [0, 1), got {value!r}")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {value}")


def check_heads_divide(width: int, heads: int, width_name: str, heads_name: str) -> None:
    """A ValueError unless ``heads`` divides ``width`` (each head gets width // heads dims)."""
    if width % heads != 0:
        raise ValueError(
            f"{heads_name}={heads} does not divide {width_name}={width}; each head gets "
            f"{width_name} // {heads_name} dims, pick a divisor"
        )


class ModelConfig:
    """The methods of a model config dataclass; see the module docstring."""

    #: What an unknown preset name is called in the error, e.g. "GPT preset".
    PRESET_KIND: ClassVar[str] = "preset"

    @classmethod
    def presets(cls) -> dict[str, Self]:
        """The named configurations of this kind of model."""
        raise NotImplementedError

    @classmethod
    def from_name(cls, name: str) -> Self:
        """A preset by name (an unknown name lists the known ones)."""
        known = cls.presets()
        return lookup(known, name, cls.PRESET_KIND, f"Known: {', '.join(known)}.")

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain values (what a checkpoint's ``meta`` stores)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Self:
        """A config from :meth:`to_dict`'s output; unknown keys are a ValueError."""
        known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        if unknown := set(values) - known:
            raise ValueError(
                f"unknown {cls.__name__} fields {sorted(unknown)}; it takes {sorted(known)}"
            )
        return cls(**values)
