"""Optional parts of the install, and the one error that names the part to add.

``pip install nlpjourney`` gives the library: NumPy, SciPy, torch and what the modules
import. The rest comes in extras, which ``./journey`` installs by default:

- ``course``: the lessons and the graded exercises (Jupyter, jupytext, pytest, the
  libraries the lessons and checks compare with), and the ``spacy`` extra;
- ``spacy``: spaCy and its small English pipeline (:mod:`nlpjourney.text.spacy_pipeline`);
- ``models``: the pretrained model files packaged on PyPI (SmolLM2, all-MiniLM-L6-v2);
- ``serve``: FastAPI and uvicorn, for ``journey serve`` (:mod:`nlpjourney.serve`);
- ``frameworks``: JAX and Keras, for lesson 3.2's side-by-side comparison.

A module that needs an extra imports it through :func:`require`, or catches the
``ImportError`` itself and raises :func:`missing_extra`, so the user reads one line
saying which extra to install instead of a ``ModuleNotFoundError`` from deep inside:

>>> str(missing_extra("course", "jupytext"))
"lessons and graded exercises need the course extra (jupytext is not installed): pip install 'nlpjourney[course]' (./journey installs it)"
"""

from __future__ import annotations

import importlib
from types import ModuleType

from nlpjourney.errors import MissingExtraError

__all__ = ["EXTRAS", "MissingExtraError", "missing_extra", "require"]

#: Each extra, and what needs it (the subject of the error's sentence).
EXTRAS: dict[str, str] = {
    "course": "lessons and graded exercises need",
    "spacy": "spaCy's English pipeline needs",
    "models": "the packaged pretrained models need",
    "frameworks": "the JAX and Keras comparisons need",
    "serve": "journey serve (the HTTP server and the web lab) needs",
}


def missing_extra(extra: str, module: str) -> MissingExtraError:
    """The error to raise when ``module``, part of ``extra``, cannot be imported.

    Args:
        extra: the extra's name in ``pyproject.toml``, a key of :data:`EXTRAS`.
        module: the module that is missing, as ``import`` names it.

    Raises:
        ValueError: ``extra`` is not one of :data:`EXTRAS` (a bug in the caller).
    """
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; the extras are {', '.join(EXTRAS)}")
    return MissingExtraError(
        f"{EXTRAS[extra]} the {extra} extra ({module} is not installed): "
        f"pip install 'nlpjourney[{extra}]' (./journey installs it)"
    )


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, or raise a :class:`MissingExtraError` naming ``extra``.

    Args:
        module: a dotted module name, e.g. ``"jupytext"``.
        extra: the extra that installs it, e.g. ``"course"``.

    Returns:
        The imported module.

    Example:
        >>> require("json", "course").__name__
        'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise missing_extra(extra, module) from None
