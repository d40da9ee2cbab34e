"""What an exercise forbids: found by reading the learner's file, and guarded at run time.

Stand-ins keep these fast: ``json`` and ``colorsys`` play the forbidden modules,
``textwrap.dedent`` and ``colorsys.rgb_to_hsv`` the forbidden callables.
"""

from __future__ import annotations

import builtins
import colorsys  # noqa: F401  (loaded, so one test can unload it)
import importlib
import sys
import textwrap
from pathlib import Path

import pytest

from nlpjourney.course.checking import learner_module_name, load_learner_module
from nlpjourney.course.forbidden import (
    ALWAYS,
    ForbiddenUseError,
    Guard,
    Use,
    declared,
    find_uses,
    forbidding,
    is_module,
    refusal,
)

SDPA = "torch.nn.functional.scaled_dot_product_attention"
FORBIDDEN = ("sklearn", "nlpjourney.features.tfidf", SDPA, "torch.autograd.grad", *ALWAYS)


@pytest.mark.parametrize(
    ("source", "line", "name"),
    [
        ("import sklearn", 1, "sklearn"),
        ("import numpy\nimport sklearn.feature_extraction.text as text", 2,
         "sklearn.feature_extraction.text"),
        ("from sklearn.feature_extraction.text import TfidfTransformer", 1,
         "sklearn.feature_extraction.text.TfidfTransformer"),
        ("from nlpjourney.features.tfidf import *", 1, "nlpjourney.features.tfidf"),
        ("from nlpjourney.features import tfidf", 1, "nlpjourney.features.tfidf"),
        ("import torch.nn.functional as F\n\n\ndef f(q, k, v):\n"
         "    return F.scaled_dot_product_attention(q, k, v)", 5, SDPA),
        ("from torch.nn import functional\ny = functional.scaled_dot_product_attention", 2, SDPA),
        ("import torch\ng = torch.autograd.grad", 2, "torch.autograd.grad"),
        ("from torch.autograd import grad", 1, "torch.autograd.grad"),
        ("import importlib\nm = importlib.import_module('sklearn.linear_model')", 2,
         "sklearn.linear_model"),
        ("m = __import__('nlpjourney.features.tfidf')", 1, "nlpjourney.features.tfidf"),
        ("NAMES = ['numpy', 'sklearn']", 1, "sklearn"),
        ("def f(x, q):\n    return x.scaled_dot_product_attention(q, q, q)", 2, SDPA),
        ("def f(mod):\n    return getattr(mod, 'grad')", 2, "torch.autograd.grad"),
        # a forbidden callable re-exported by another module of its package
        ("from torch.nn.modules import scaled_dot_product_attention as s", 1, SDPA),
        ("import torch\nf = torch._C._nn.scaled_dot_product_attention", 2, SDPA),
        # the back doors that skip import, forbidden in every exercise
        ("import sys\nm = sys.modules['nlp' + 'journey']", 2, "sys.modules"),
        ("from importlib.util import spec_from_file_location", 1,
         "importlib.util.spec_from_file_location"),
    ],
)  # fmt: skip
def test_forbidden_find_uses_sees_each_kind_of_use(source: str, line: int, name: str) -> None:
    assert Use("exercise.py", line, name) in find_uses(source, FORBIDDEN)


def test_forbidden_find_uses_leaves_honest_code_alone() -> None:
    source = '''
"""Write tf-idf without sklearn or nlpjourney."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor


def grad(x):  # the learner's own function of that name
    return x


def step(model, p: Tensor) -> None:
    model.train()  # a method that shares its name with nothing forbidden
    p.data -= 0.1 * p.grad  # the .grad attribute, not torch.autograd.grad
    F.softmax(p, dim=-1)
    grad(p)
    note = "sklearn is not allowed here"
'''
    assert find_uses(source, (*FORBIDDEN, "nlpjourney.train")) == []


def test_forbidden_find_uses_ignores_a_file_that_does_not_parse() -> None:
    assert find_uses("import sklearn\ndef f(:\n", FORBIDDEN) == []


def test_forbidden_matches_modules_by_prefix_only() -> None:
    assert forbidding(FORBIDDEN, "sklearn.feature_extraction") == "sklearn"
    assert forbidding(FORBIDDEN, "sklearnx") is None
    assert forbidding(FORBIDDEN, "torch.autograd") is None
    assert forbidding(FORBIDDEN, "nlpjourney.features") is None


def test_forbidden_is_module_reads_the_installed_files() -> None:
    assert is_module("numpy") and is_module("numpy.linalg")
    assert not is_module("numpy.linalg.norm")
    assert is_module("no_such_package_here.thing")


def test_forbidden_declared_reads_forbidden_and_reference(tmp_path: Path) -> None:
    checks = tmp_path / "checks.py"
    checks.write_text('import json\nREFERENCE = "html"\nFORBIDDEN = ("json", "textwrap.dedent")\n')
    assert declared(checks) == ("html", "json", "textwrap.dedent", *ALWAYS)
    checks.write_text('NAMES = ["json"]\nFORBIDDEN = tuple(NAMES)\n')
    with pytest.raises(ValueError, match="written out as dotted names"):
        declared(checks)


def test_forbidden_refusal_is_one_line() -> None:
    line = refusal(Use("exercise.py", 3, "sklearn.feature_extraction.text.Tfidf"), "1.3")
    assert "\n" not in line
    assert line.startswith("exercise.py line 3 uses sklearn.feature_extraction.text.Tfidf")
    assert "exercise 1.3 may not use" in line


def learner(tmp_path: Path, source: str) -> Path:
    file = tmp_path / "exercise.py"
    file.write_text(textwrap.dedent(source))
    return file


def guard_for(file: Path, forbidden: tuple[str, ...], uses: list[Use]) -> Guard:
    return Guard(file, learner_module_name(file), forbidden, uses)


def test_forbidden_guard_stops_a_computed_import(tmp_path: Path) -> None:
    file = learner(
        tmp_path,
        """
        import importlib

        def load():
            return importlib.import_module("js" + "on")

        def load_builtin():
            return __import__("js" + "on")
        """,
    )
    uses: list[Use] = []
    with guard_for(file, ("json",), uses):
        module = load_learner_module(file)
        with pytest.raises(ForbiddenUseError, match="json is forbidden"):
            module.load()
        with pytest.raises(ImportError):
            module.load_builtin()
        # The checks themselves import what they need, guard or not.
        assert importlib.import_module("json").loads("[1]") == [1]
        import json

        assert json.dumps(1) == "1"
    assert Use("exercise.py", 5, "json") in uses and Use("exercise.py", 8, "json") in uses


def test_forbidden_guard_stops_an_import_of_a_loaded_module(tmp_path: Path) -> None:
    importlib.import_module("json")  # already in sys.modules: no finder is asked
    file = learner(tmp_path, "import numpy\nimport json\n")
    uses: list[Use] = []
    with guard_for(file, ("json",), uses), pytest.raises(ImportError, match="json"):
        load_learner_module(file)
    assert uses == [Use("exercise.py", 2, "json")]


def test_forbidden_guard_stops_a_callable_fetched_with_getattr(tmp_path: Path) -> None:
    file = learner(
        tmp_path,
        """
        import textwrap

        def tidy(text):
            return getattr(textwrap, "ded" + "ent")(text)

        def spread(text):
            return textwrap.indent(text, "  ")
        """,
    )
    uses: list[Use] = []
    with guard_for(file, ("textwrap.dedent",), uses):
        module = load_learner_module(file)
        assert module.spread("a") == "  a"  # what is not forbidden works
        with pytest.raises(ForbiddenUseError, match="textwrap.dedent"):
            module.tidy("  a")
        assert textwrap.dedent("  a") == "a"  # the checks may call it
    assert uses == [Use("exercise.py", 5, "textwrap.dedent")]


def test_forbidden_guard_wraps_a_callable_whose_module_loads_later(tmp_path: Path) -> None:
    file = learner(
        tmp_path,
        """
        import colorsys

        def hue(r, g, b):
            return colorsys.rgb_to_hsv(r, g, b)[0]
        """,
    )
    uses: list[Use] = []
    loaded = sys.modules.pop("colorsys")  # as if nothing had imported it yet
    try:
        with guard_for(file, ("colorsys.rgb_to_hsv",), uses):
            module = load_learner_module(file)
            with pytest.raises(ForbiddenUseError):
                module.hue(1.0, 0.0, 0.0)
        fresh = sys.modules["colorsys"]
    finally:
        sys.modules["colorsys"] = loaded
    assert [u.name for u in uses] == ["colorsys.rgb_to_hsv"]
    assert fresh is not loaded and not hasattr(fresh.rgb_to_hsv, "__wrapped__")


def test_forbidden_guard_puts_everything_back(tmp_path: Path) -> None:
    file = learner(tmp_path, "x = 1\n")
    before = (builtins.__import__, importlib.import_module, textwrap.dedent)
    with guard_for(file, ("textwrap.dedent", "json"), []):
        assert textwrap.dedent is not before[2]
    assert (builtins.__import__, importlib.import_module, textwrap.dedent) == before
    assert "dedent" in vars(textwrap) and "__import__" in vars(builtins)


def test_forbidden_always_forbidden_doors_are_not_callables() -> None:
    # `sys.modules` is forbidden, but `model.modules()` is not a use of it.
    source = "import torch\n\ndef count(model):\n    return len(list(model.modules()))\n"
    assert find_uses(source, ("nlpjourney", *ALWAYS)) == []


def test_forbidden_guard_closes_every_module_that_reexports_a_callable(tmp_path: Path) -> None:
    file = learner(
        tmp_path,
        """
        import importlib

        def tidy(text):
            module = importlib.import_module("nlpjourney.course.forbidden_alias")
            return module.dedent(text)
        """,
    )
    alias = type(sys)("nlpjourney.course.forbidden_alias")  # a module re-exporting dedent
    alias.dedent = textwrap.dedent
    sys.modules[alias.__name__] = alias
    uses: list[Use] = []
    importlib.import_module("nlpjourney.text").dedent = textwrap.dedent  # the forbidden door
    try:
        with guard_for(file, ("nlpjourney.text.dedent",), uses):
            module = load_learner_module(file)
            with pytest.raises(ForbiddenUseError, match="nlpjourney.text.dedent"):
                module.tidy("  a")
        assert alias.dedent is textwrap.dedent  # put back
    finally:
        del sys.modules[alias.__name__]
        vars(sys.modules["nlpjourney.text"]).pop("dedent", None)
