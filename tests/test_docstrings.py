"""Every example in the package's docstrings runs and prints what it shows.

Each module of ``nlpjourney`` (every package with an ``__init__.py``, walked by
:func:`pkgutil.walk_packages`) is imported and its ``>>>`` examples run with the standard
``doctest`` module; an example marked ``# doctest: +SKIP`` (one that needs a trained model
or a terminal) is only read.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import nlpjourney

# A __main__ module runs its program when imported, so it is left out.
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(nlpjourney.__path__, prefix="nlpjourney.")
    if not info.name.endswith(".__main__")
)


def test_docstrings_cover_every_module() -> None:
    assert len(MODULES) > 50
    assert "nlpjourney.tokenizers.bpe" in MODULES
    # walk_packages enters only folders with an __init__.py: course is a package now.
    assert {"nlpjourney.course", "nlpjourney.course.topics", "nlpjourney.course.checking"} <= set(
        MODULES
    )


@pytest.mark.parametrize("name", MODULES)
def test_docstrings_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
